"""Generate the learners' exercise notebooks from the worked solutions.

The notebooks in ``solutions/`` are the one source of truth. They mark what the learner
writes with nbgrader's delimiters, each on a line of its own::

    def gd_step(x, grad, lr):
        ### BEGIN SOLUTION
        return x - lr * grad
        ### END SOLUTION

and may carry instructors' extra checks between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS``. The exercise version of a notebook is the same notebook with

* every solution region in a code cell replaced by a stub: ``# YOUR CODE HERE`` plus
  ``raise NotImplementedError()`` inside a function body, ``# YOUR CODE HERE`` alone at
  top level (so that the unsolved notebook still runs top to bottom: the line before a
  top-level region gives the learner's variable its default);
* every solution region in a markdown cell replaced by ``YOUR ANSWER HERE``;
* hidden-test regions removed;
* outputs, execution counts and execution timestamps cleared.

nbgrader's own ``generate_assignment`` gives the same result from the same notebooks
(the cells that hold regions carry nbgrader's cell metadata; see tools/notebooks.py).

Run ``python -m tools.exercises`` (or ``make exercises``) from the repository root to
rewrite ``exercises/``; ``--check`` only reports notebooks that are out of date.

>>> print(clear_solutions("def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n"
...                       "    ### END SOLUTION", "code"))
def f(x):
    # YOUR CODE HERE
    raise NotImplementedError()
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN_TESTS = "BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE"
FUNCTION_STUB = "raise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
SOLUTIONS, EXERCISES = Path("solutions"), Path("exercises")  # relative to the repository root


def _marker(line: str) -> str | None:
    """The delimiter on ``line`` (``### BEGIN SOLUTION`` and the like), or None."""
    text = line.strip()
    if not text.startswith("###"):
        return None
    name = text.lstrip("#").strip()
    if name in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS):
        return name
    return None


def _regions(lines: list[str], begin: str, end: str, where: str) -> list[tuple[int, int]]:
    """``(first, last)`` line indices of each begin..end region; unbalanced ones raise."""
    regions, start = [], None
    for i, line in enumerate(lines):
        name = _marker(line)
        if name == begin:
            if start is not None:
                raise ValueError(f"{where}: '{begin}' on line {i + 1} inside another region")
            start = i
        elif name == end:
            if start is None:
                raise ValueError(f"{where}: '{end}' on line {i + 1} without '{begin}'")
            regions.append((start, i))
            start = None
    if start is not None:
        raise ValueError(f"{where}: '{begin}' on line {start + 1} is never closed by '{end}'")
    return regions


def _replace(lines: list[str], regions, stub_for) -> list[str]:
    out, previous = [], 0
    for first, last in regions:
        out += lines[previous:first] + stub_for(lines[first])
        previous = last + 1
    return out + lines[previous:]


def clear_solutions(source: str, cell_type: str, where: str = "cell") -> str:
    """``source`` with each solution region replaced by the learner's stub."""
    lines = source.split("\n")
    regions = _regions(lines, BEGIN_SOLUTION, END_SOLUTION, where)

    def stub(begin_line: str) -> list[str]:
        indent = begin_line[: len(begin_line) - len(begin_line.lstrip())]
        if cell_type != "code":
            return [indent + TEXT_STUB]
        if indent:  # inside a function: calling it says "not implemented yet"
            return [indent + CODE_STUB, indent + FUNCTION_STUB]
        return [CODE_STUB]  # top level: the notebook must still run top to bottom

    return "\n".join(_replace(lines, regions, stub))


def remove_hidden_tests(source: str, where: str = "cell") -> str:
    """``source`` without its hidden-test regions (delimiters included)."""
    lines = source.split("\n")
    regions = _regions(lines, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS, where)
    return "\n".join(_replace(lines, regions, lambda _: [])).strip("\n")


def exercise_notebook(solution, name: str = "notebook"):
    """The learner's version of a solution notebook (an ``nbformat`` node; a new copy)."""
    nb = copy.deepcopy(solution)
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index + 1} ({cell.get('id', '?')})"
        source = remove_hidden_tests(cell.source, where)
        cell.source = clear_solutions(source, cell.cell_type, where)
        cell.metadata.pop("execution", None)  # the solution run's timestamps
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    return nb


def nbgrader_metadata(source: str, grade_id: str) -> dict | None:
    """nbgrader's cell metadata for a solution-notebook cell, or None for an ordinary cell.

    nbgrader only clears regions inside cells it knows about: a cell with a solution region
    is an answer cell, one with hidden tests a locked test cell worth one point.
    """
    names = {_marker(line) for line in source.split("\n")}
    solution, hidden = BEGIN_SOLUTION in names, BEGIN_HIDDEN_TESTS in names
    if not (solution or hidden):
        return None
    metadata = {"grade": hidden, "grade_id": grade_id, "locked": not solution,
                "schema_version": 3, "solution": solution, "task": False}
    if hidden:
        metadata["points"] = 1
    return metadata


def _pairs(solutions: Path, exercises: Path) -> list[tuple[Path, Path]]:
    return [(path, exercises / path.name) for path in sorted(solutions.glob("*.ipynb"))]


def _render(solution_path: Path) -> str:
    import nbformat  # installed with jupyterlab; imported here so alr_teach needs numpy only

    solution = nbformat.read(solution_path, as_version=4)
    return nbformat.writes(exercise_notebook(solution, solution_path.name)) + "\n"


def generate(solutions: Path = SOLUTIONS, exercises: Path = EXERCISES) -> list[Path]:
    """Write ``exercises/X.ipynb`` for every ``solutions/X.ipynb``; return the paths written.

    Exercise notebooks without a solution counterpart are left alone (and reported by
    :func:`out_of_date`), so nothing a learner or instructor wrote is deleted.
    """
    if not solutions.is_dir():
        raise FileNotFoundError(
            f"no solutions folder at {solutions.resolve()}: run this from the repository root"
        )
    exercises.mkdir(exist_ok=True)
    written = []
    for solution_path, exercise_path in _pairs(solutions, exercises):
        text = _render(solution_path)
        if not exercise_path.exists() or exercise_path.read_text() != text:
            exercise_path.write_text(text)
        written.append(exercise_path)
    return written


def out_of_date(solutions: Path = SOLUTIONS, exercises: Path = EXERCISES) -> list[str]:
    """Why ``exercises/`` differs from what :func:`generate` would write (empty when in sync)."""
    problems = []
    for solution_path, exercise_path in _pairs(solutions, exercises):
        if not exercise_path.exists():
            problems.append(f"{exercise_path} is missing")
        elif exercise_path.read_text() != _render(solution_path):
            problems.append(f"{exercise_path} differs from what {solution_path} generates")
    expected = {p.name for p in solutions.glob("*.ipynb")}
    for extra in sorted(exercises.glob("*.ipynb")):
        if extra.name not in expected:
            problems.append(f"{extra} has no solution notebook in {solutions}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS)
    parser.add_argument("--exercises", type=Path, default=EXERCISES)
    parser.add_argument("--check", action="store_true", help="report, do not write")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = out_of_date(args.solutions, args.exercises)
            print("\n".join(problems) or "exercises/ is up to date")
            return 1 if problems else 0
        for path in generate(args.solutions, args.exercises):
            print(f"wrote {path}")
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
