"""Build the course notebooks from their paired text sources, and check they are in sync.

Each notebook is written as a plain Python file in "percent" format, which reviews and
diffs well::

    notebooks/src/00_start_here.py  ->  notebooks/00_start_here.ipynb

    # %% [markdown]
    # # A title
    # Some *markdown*; every line starts with "# ".
    # %%
    print("a code cell")

``python tools/notebooks.py build [SOURCE ...]`` converts and executes them top to bottom
in a fresh kernel (execution counts 1..n, as Restart & Run All leaves them) and writes
the .ipynb next to the src/ folder. ``python tools/notebooks.py check`` reports any
.ipynb whose cells differ from its source (tests/course/test_notebooks_sync.py runs it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script (`python tools/notebooks.py`) or imported

from alr_teach import claims  # noqa: E402
from tools.exercises import nbgrader_metadata  # noqa: E402

SOURCE_DIRS = [ROOT / "notebooks" / "src", ROOT / "solutions" / "src"]
MARKER = "# %%"


def parse(text: str, name: str = "<source>") -> list[tuple[str, str]]:
    """Split a percent-format source into ``(cell_type, source)`` pairs."""
    cells: list[tuple[str, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(MARKER):
            kind = "markdown" if "[markdown]" in line else "code"
            cells.append((kind, []))
            continue
        if not cells:
            if line.strip():
                raise ValueError(f"{name}:{number}: text before the first '# %%' cell marker")
            continue
        kind, lines = cells[-1]
        if kind == "markdown":
            if line.strip() == "#":
                line = ""
            elif line.startswith("# "):
                line = line[2:]
            elif line.strip():
                raise ValueError(f"{name}:{number}: markdown lines must start with '# '")
        lines.append(line)
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def to_notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    """A notebook with deterministic cell ids, so rebuilding gives small diffs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for index, (kind, source) in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = make(source)
        cell.id = f"cell-{index:03d}"
        nbgrader = nbgrader_metadata(source, cell.id)
        if nbgrader:  # solution notebooks: lets nbgrader use them unchanged
            cell.metadata["nbgrader"] = nbgrader
        nb.cells.append(cell)
    return nb


def target_of(source: Path) -> Path:
    return source.parent.parent / (source.stem + ".ipynb")


def build(source: Path, timeout: int = 600) -> Path:
    """Convert ``source`` and execute it top to bottom; write the .ipynb; return its path."""
    from nbclient import NotebookClient

    nb = to_notebook(parse(source.read_text(), str(source)))
    target = target_of(source)
    with claims.mode("strict"):  # a claim that does not hold stops the build, never a note
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3",
            resources={"metadata": {"path": str(target.parent)}},
        ).execute()
    nb.metadata.pop("widgets", None)  # live widget state is not reproducible; static figures are
    nbformat.write(nb, target)
    return target


def copy_markdown(source: Path) -> Path:
    """Bring the .ipynb's markdown cells up to date with ``source`` without executing it.

    Only for a change of prose: every code cell must be unchanged (same sources, same
    order), else this refuses and ``build`` is needed.
    """
    target = target_of(source)
    nb = nbformat.read(target, as_version=4)
    cells = parse(source.read_text(), str(source))
    kinds = [kind for kind, _ in cells]
    if kinds != [c.cell_type for c in nb.cells] or any(
        kind == "code" and text != cell.source for (kind, text), cell in zip(cells, nb.cells)
    ):
        raise ValueError(f"{source.name}: code cells changed (or cells were added or removed): "
                         "run `build` instead")
    for (_, text), cell in zip(cells, nb.cells):
        cell.source = text
    nbformat.write(nb, target)
    return target


def out_of_sync(source: Path) -> list[str]:
    """Reasons why the committed notebook does not match ``source`` (empty when in sync)."""
    target = target_of(source)
    if not target.exists():
        return [f"{target.relative_to(ROOT)} is missing: run make notebooks"]
    nb = nbformat.read(target, as_version=4)
    expected = parse(source.read_text(), str(source))
    actual = [(c.cell_type, c.source) for c in nb.cells]
    problems = []
    if expected != actual:
        problems.append(f"{target.relative_to(ROOT)} differs from {source.relative_to(ROOT)}")
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"{target.relative_to(ROOT)} is not executed top to bottom: {counts}")
    for cell in nb.cells:
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            problems.append(f"{target.relative_to(ROOT)} has an error output in {cell.id}")
    return problems


def sources() -> list[Path]:
    return sorted(p for d in SOURCE_DIRS if d.exists() for p in d.glob("*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "check", "markdown"],
                        help="markdown: copy changed prose into the .ipynb, keep its outputs")
    parser.add_argument("sources", nargs="*", type=Path, help="default: every notebook source")
    args = parser.parse_args(argv)
    chosen = [p.resolve() for p in args.sources] or sources()
    if args.command == "build":
        for source in chosen:
            print(f"built {build(source).relative_to(ROOT)}")
        return 0
    if args.command == "markdown":
        for source in chosen:
            print(f"updated the prose of {copy_markdown(source).relative_to(ROOT)}")
        return 0
    problems = [problem for source in chosen for problem in out_of_sync(source)]
    print("\n".join(problems) or f"{len(chosen)} notebooks in sync with their sources")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
