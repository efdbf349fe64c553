"""Every "Predict, then run" and "Things to try" prompt runs when a learner does what it says.

The edits live in ``tests/prompts/NN_name.toml`` (see the README there). Each prompt's
edits are applied to the notebook's source, and the whole notebook is executed in a fresh
kernel in a learner's mode: a claim that no longer holds prints a note, but any exception
fails the test. ``make test-prompts`` runs these (one notebook run per prompt, spread
over the cores); the coverage and table checks are cheap and run with the unit tests too.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from alr_teach import claims
from tools import notebooks

ROOT = Path(__file__).resolve().parents[2]
TABLES = ROOT / "tests" / "prompts"
SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))
PROMPT_HEADINGS = ("Predict, then run", "Things to try")


def load_table(stem: str) -> list[dict]:
    path = TABLES / f"{stem}.toml"
    if not path.exists():
        return []
    with path.open("rb") as f:
        table = tomllib.load(f)
    unknown = set(table) - {"prompt"}
    if unknown:
        raise ValueError(f"{path.name}: unknown top-level keys {sorted(unknown)}")
    return table.get("prompt", [])


def markdown_of(source: Path) -> list[str]:
    return [text for kind, text in notebooks.parse(source.read_text(), str(source))
            if kind == "markdown"]


def unfold(text: str) -> str:
    """Markdown text as one line per paragraph-ish unit: line breaks become spaces."""
    return re.sub(r"\s+", " ", text)


def things_to_try(text: str) -> list[str]:
    """Each suggestion of a "Things to try" prompt: its list items, or the parts of its
    sentence between semicolons."""
    rest = re.split(r"\n\s*\n", text[text.index("Things to try"):])
    lead, items = rest[0], []
    for paragraph in [lead, *rest[1:]]:
        bullets = re.split(r"(?m)^\s*- ", paragraph)
        if len(bullets) > 1:
            items.extend(bullets[1:])
        elif paragraph is not lead:
            break
    if not items:
        items = unfold(lead).split(": ", 1)[-1].split("; ")
    return [unfold(item).strip() for item in items if item.strip()]


def prompt_units(source: Path) -> list[str]:
    """The prompts a notebook asks: each numbered item (or "(1)", "(2)" part) after
    "Predict, then run", and each suggestion of a "Things to try"."""
    units = []
    for text in markdown_of(source):
        if "Things to try" in text:
            units.extend(things_to_try(text))
        if "Predict, then run" not in text:
            continue
        block = re.split(r"\n\s*\n", text[text.index("Predict, then run"):])[0]
        items = re.split(r"\n\s*(?=\d+\.\s)", block)
        if len(items) == 1:  # written inline: "(1) ... (2) ..."
            items = re.split(r"\(\d\)\s", unfold(block))
        units.extend(unfold(item) for item in (items[1:] if len(items) > 1 else items))
    return units


def quotes_of(entry: dict) -> list[str]:
    """A row's quotes: one prompt, or several suggestions tried in the same run."""
    quote = entry["quote"]
    return [quote] if isinstance(quote, str) else list(quote)


def apply_edits(text: str, edits: list[dict], where: str) -> str:
    for edit in edits:
        find, replace = edit["find"], edit["replace"]
        found = text.count(find)
        if found != 1:
            raise ValueError(f"{where}: the edit's find text occurs {found} times, not once: "
                             f"{find!r}")
        text = text.replace(find, replace)
    return text


PROMPTS = [
    pytest.param(source, index, entry, id=f"{source.stem}-{index}")
    for source in SOURCES for index, entry in enumerate(load_table(source.stem), start=1)
]


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_every_prompt_has_an_edit(source):
    entries = load_table(source.stem)
    for entry in entries:
        assert set(entry) <= {"quote", "edits", "why"}, f"unknown keys in {entry}"
        assert all(q.strip() for q in quotes_of(entry)), "a prompt needs a quote"
    quotes = [unfold(q) for entry in entries for q in quotes_of(entry)]
    text = unfold("\n\n".join(markdown_of(source)))
    missing_quotes = [q for q in quotes if q not in text]
    assert not missing_quotes, f"quotes not found in {source.name}'s markdown: {missing_quotes}"
    uncovered = [unit for unit in prompt_units(source) if not any(q in unit for q in quotes)]
    assert not uncovered, (
        f"prompts in {source.name} with no row in tests/prompts/{source.stem}.toml: {uncovered}"
    )


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_every_edit_applies_once(source):
    text = source.read_text()
    for index, entry in enumerate(load_table(source.stem), start=1):
        edited = apply_edits(text, entry.get("edits", []), f"{source.stem} prompt {index}")
        assert edited != text or not entry.get("edits"), f"prompt {index} changes nothing"


def test_prompt_units_are_found_in_both_styles():
    assert "double the drift" in " ".join(prompt_units(ROOT / "notebooks/src/03_adagrad.py"))


@pytest.mark.prompts
@pytest.mark.parametrize("source, index, entry", PROMPTS)
def test_the_prompt_runs_as_written(source, index, entry, monkeypatch):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    edits = entry.get("edits", [])
    if not edits:
        pytest.skip(f"prompt {index} of {source.stem} asks for no edit: {entry.get('why', '')}")
    text = apply_edits(source.read_text(), edits, f"{source.stem} prompt {index}")
    nb = notebooks.to_notebook(notebooks.parse(text, str(source)))
    monkeypatch.setenv(claims.ENV, "note")  # a learner's session: notes, not failures
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{source.stem}, prompt {index} ({quotes_of(entry)}) raised:\n{error}")
