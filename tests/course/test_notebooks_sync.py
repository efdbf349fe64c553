"""Committed notebooks are executed top to bottom and match their paired text sources."""

from __future__ import annotations

import pytest

from tools import notebooks

SOURCES = notebooks.sources()


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_notebook_matches_its_source_and_is_executed(source):
    assert notebooks.out_of_sync(source) == []


def test_there_is_a_start_here_notebook():
    assert "00_start_here" in [s.stem for s in SOURCES]


def test_parser_splits_markdown_and_code_cells():
    text = "# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n\n# %%\nprint(x)\n"
    assert notebooks.parse(text) == [
        ("markdown", "# Title\n\ntext"),
        ("code", "x = 1"),
        ("code", "print(x)"),
    ]


@pytest.mark.parametrize(
    "text, message",
    [("x = 1\n# %%\n", "before the first"), ("# %% [markdown]\nnot a comment\n", "start with")],
)
def test_parser_rejects_malformed_sources(text, message):
    with pytest.raises(ValueError, match=message):
        notebooks.parse(text)


def test_copy_markdown_updates_prose_and_keeps_outputs_but_refuses_code_changes(tmp_path):
    import nbformat

    source = tmp_path / "src" / "nb.py"
    source.parent.mkdir()
    source.write_text("# %% [markdown]\n# Old prose.\n\n# %%\nprint(1)\n")
    nb = notebooks.to_notebook(notebooks.parse(source.read_text()))
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    source.write_text("# %% [markdown]\n# New prose.\n\n# %%\nprint(1)\n")
    notebooks.copy_markdown(source)
    kept = nbformat.read(tmp_path / "nb.ipynb", as_version=4)
    assert kept.cells[0].source == "New prose." and kept.cells[1].outputs[0].text == "1\n"
    source.write_text("# %% [markdown]\n# New prose.\n\n# %%\nprint(2)\n")
    with pytest.raises(ValueError, match="code cells changed"):
        notebooks.copy_markdown(source)
