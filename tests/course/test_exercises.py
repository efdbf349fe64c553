"""exercises/ is generated from solutions/: stubs, hidden tests removed, outputs cleared."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools import exercises
from tools.exercises import clear_solutions, exercise_notebook, remove_hidden_tests

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_committed_exercises_are_what_the_solutions_generate():
    problems = exercises.out_of_date(ROOT / "solutions", ROOT / "exercises")
    assert problems == [], "run `make exercises`:\n" + "\n".join(problems)


def test_a_region_inside_a_function_becomes_a_stub_that_raises():
    source = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION"
    assert clear_solutions(source, "code") == (
        "def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    )


def test_a_top_level_region_keeps_the_default_above_it_and_does_not_raise():
    source = "answer = None\n### BEGIN SOLUTION\nanswer = 3\n### END SOLUTION\nprint(answer)"
    assert clear_solutions(source, "code") == "answer = None\n# YOUR CODE HERE\nprint(answer)"


def test_markdown_regions_become_answer_stubs_and_the_rest_stays():
    source = "Why?\n\n### BEGIN SOLUTION\nBecause eps is a length.\n### END SOLUTION\n\nDone."
    assert clear_solutions(source, "markdown") == "Why?\n\nYOUR ANSWER HERE\n\nDone."


def test_several_regions_in_one_cell_are_each_replaced():
    source = "a = 0\n### BEGIN SOLUTION\na = 1\n### END SOLUTION\nb = 0\n" \
             "### BEGIN SOLUTION\nb = 2\n### END SOLUTION"
    assert clear_solutions(source, "code") == "a = 0\n# YOUR CODE HERE\nb = 0\n# YOUR CODE HERE"


def test_hidden_tests_are_removed_with_their_delimiters():
    source = "check(f)\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS"
    assert remove_hidden_tests(source) == "check(f)"


def test_text_that_merely_mentions_a_delimiter_is_left_alone():
    source = 'print("### BEGIN SOLUTION is how nbgrader marks answers")'
    assert clear_solutions(source, "code") == source


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "never closed"),
        ("x = 1\n### END SOLUTION", "without"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ],
)
def test_unbalanced_delimiters_are_reported_with_their_place(source, message):
    with pytest.raises(ValueError, match=f"demo.ipynb, cell 1.*{message}"):
        exercise_notebook(_notebook(source), "demo.ipynb")


def test_the_exercise_notebook_has_no_outputs_and_the_solution_is_untouched():
    solution = _notebook("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    solution.cells[0].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    solution.cells[0].execution_count = 1
    solution.cells[0].metadata["execution"] = {"iopub.execute_input": "2026-11-28T21:00:00Z"}
    exercise = exercise_notebook(solution)
    assert exercise.cells[0].outputs == [] and exercise.cells[0].execution_count is None
    assert "execution" not in exercise.cells[0].metadata  # rebuilding a solution changes nothing
    assert solution.cells[0].execution_count == 1 and "x = 1" in solution.cells[0].source


def test_cells_with_regions_carry_nbgrader_metadata():
    answer = exercises.nbgrader_metadata("### BEGIN SOLUTION\n### END SOLUTION", "cell-001")
    assert answer["solution"] and not answer["grade"] and answer["grade_id"] == "cell-001"
    hidden = exercises.nbgrader_metadata("### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS", "c")
    assert hidden["grade"] and hidden["locked"] and hidden["points"] == 1
    assert exercises.nbgrader_metadata("x = 1", "c") is None


def test_generate_writes_only_what_changed_and_check_reports_strays(tmp_path):
    solutions, exercises_dir = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    nbformat.write(_notebook("y = 0\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION"),
                   solutions / "01_demo.ipynb")
    assert exercises.main(["--solutions", str(solutions), "--exercises", str(exercises_dir),
                           "--check"]) == 1
    (written,) = exercises.generate(solutions, exercises_dir)
    assert "y = 2" not in written.read_text() and "YOUR CODE HERE" in written.read_text()
    assert exercises.out_of_date(solutions, exercises_dir) == []
    (exercises_dir / "99_mine.ipynb").write_text("{}")  # a learner's own notebook survives
    exercises.generate(solutions, exercises_dir)
    assert (exercises_dir / "99_mine.ipynb").exists()
    assert exercises.out_of_date(solutions, exercises_dir) == [
        f"{exercises_dir / '99_mine.ipynb'} has no solution notebook in {solutions}"
    ]


def test_a_missing_solutions_folder_is_a_clear_error(tmp_path, capsys):
    assert exercises.main(["--solutions", str(tmp_path / "nope")]) == 2
    assert "no solutions folder" in capsys.readouterr().err


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_solution_notebook_marks_work_and_ends_with_a_summary(path):
    nb = nbformat.read(path, as_version=4)
    assert any(exercises.BEGIN_SOLUTION in cell.source for cell in nb.cells), path.name
    last_code = [cell for cell in nb.cells if cell.cell_type == "code"][-1]
    assert "checks.summary(" in last_code.source, f"{path.name} should end with checks.summary"


def test_nbgrader_clears_the_same_regions_when_it_is_installed():
    preprocessors = pytest.importorskip("nbgrader.preprocessors")
    for path in SOLUTIONS:
        nb = nbformat.read(path, as_version=4)
        resources = {"language": "python"}
        for step in (preprocessors.ClearSolutions(), preprocessors.ClearHiddenTests()):
            nb, resources = step.preprocess(nb, resources)
        ours = exercise_notebook(nbformat.read(path, as_version=4))
        for theirs, mine in zip(nb.cells, ours.cells):
            top_level_stub = "# YOUR CODE HERE\nraise NotImplementedError()"
            assert theirs.source.replace(top_level_stub, "# YOUR CODE HERE").rstrip() == \
                mine.source.rstrip()


def _notebook(source: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.id = "cell-000"
    nb.cells.append(cell)
    return nb


STEP_FUNCTIONS = ["gd_step", "momentum_step", "adagrad_step", "rmsprop_step", "adam_step",
                  "adadelta_step", "adamw_step", "cosine_lr"]


def _defined_in(path: Path) -> dict[str, object]:
    """The implement-it functions a notebook defines, from the cells that define them."""
    import numpy as np

    found: dict[str, object] = {}
    for cell in nbformat.read(path, as_version=4).cells:
        names = [n for n in STEP_FUNCTIONS if f"def {n}(" in cell.source]
        if cell.cell_type == "code" and names:
            namespace = {"np": np, "math": __import__("math")}
            exec(compile(cell.source, f"{path.name}:{cell.id}", "exec"), namespace)
            found.update({n: namespace[n] for n in names})
    return found


def test_every_implement_it_function_has_an_exercise_and_passes_its_checker_when_solved(capsys):
    from alr_teach import checks

    solved = {name: fn for path in SOLUTIONS for name, fn in _defined_in(path).items()}
    assert sorted(solved) == sorted(STEP_FUNCTIONS)
    for name, fn in solved.items():
        assert getattr(checks, f"check_{name}")(fn), capsys.readouterr().out


def test_the_generated_stubs_fail_their_checkers_as_not_implemented_yet(capsys):
    from alr_teach import checks

    stubs = {name: fn for path in sorted((ROOT / "exercises").glob("*.ipynb"))
             for name, fn in _defined_in(path).items()}
    assert sorted(stubs) == sorted(STEP_FUNCTIONS)
    for name, fn in stubs.items():
        assert not getattr(checks, f"check_{name}")(fn)
        assert "not implemented yet" in capsys.readouterr().out
