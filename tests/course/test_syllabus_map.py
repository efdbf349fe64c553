"""docs/syllabus-map.md maps every claim of the syllabus (A1-H4) to existing notebook sections."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARTS = {"A": 2, "B": 4, "C": 3, "D": 5, "E": 9, "F": 6, "G": 4, "H": 4}  # claims per part
REQUIRED = [f"{part}{i}" for part, count in PARTS.items() for i in range(1, count + 1)]


def _claims(cell: str) -> set[str]:
    """Claim ids at the start of a row: 'D1/D2 ...', 'B1-B4 with ...', 'E6/F5 ...'."""
    head = re.match(r"^\s*((?:[A-I]\d(?:-[A-I]?\d)?[/,]?\s*)+)", cell)
    if not head:
        return set()
    ids = set()
    for token in re.findall(r"[A-I]\d(?:-[A-I]?\d)?", head.group(1)):
        letter, first, last = token[0], int(token[1]), int(token[-1])
        ids.update(f"{letter}{n}" for n in range(first, last + 1))
    return ids


def _references(cell: str) -> list[tuple[str, list[int]]]:
    """('03', [4, 5]) for each 'NN, §a-b' (or '§a and §b', '§a, §b') in a row."""
    found = []
    for part in cell.split(";"):
        match = re.match(r"\s*(\d\d),\s*(.*)", part)
        if not match:
            continue
        sections = []
        for a, b in re.findall(r"§(\d+)(?:-(\d+))?", match.group(2)):
            sections += range(int(a), int(b or a) + 1)
        found.append((match.group(1), sections))
    return found


def _rows() -> list[tuple[set[str], list[tuple[str, list[int]]]]]:
    rows = []
    for line in (ROOT / "docs" / "syllabus-map.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or "planned" in cells[1]:
            continue
        rows.append((_claims(cells[0]), _references(cells[1])))
    return rows


def _notebook_source(number: str) -> str:
    sources = sorted((ROOT / "notebooks" / "src").glob(f"{number}_*.py"))
    assert len(sources) == 1, f"no single notebook source for {number}: {sources}"
    assert (ROOT / "notebooks" / f"{sources[0].stem}.ipynb").exists()
    return sources[0].read_text()


@pytest.mark.parametrize("claim", REQUIRED)
def test_claim_is_mapped_to_existing_notebook_sections(claim):
    references = [ref for claims, refs in _rows() if claim in claims for ref in refs]
    assert references, f"{claim} has no row with a notebook section in docs/syllabus-map.md"
    for number, sections in references:
        source = _notebook_source(number)
        assert sections, f"{claim}: notebook {number} is named without a section"
        for n in sections:
            assert re.search(rf"^# ## {n}\. ", source, flags=re.M), (
                f"{claim}: notebook {number} has no section {n}"
            )


def test_the_parser_reads_the_map_formats():
    assert _claims("D1/D2 AdaGrad stalls") == {"D1", "D2"}
    assert _claims("B1-B4 with momentum") == {"B1", "B2", "B3", "B4"}
    assert _claims("(momentum stability)") == set()
    assert _references("00, §3 (1-D); 01, §1-2 (valley)") == [("00", [3]), ("01", [1, 2])]
    assert _references("04, §1 and §4") == [("04", [1, 4])]


def test_no_row_is_still_planned():
    text = (ROOT / "docs" / "syllabus-map.md").read_text()
    assert not re.search(r"^\|[^|]*\|\s*planned", text, flags=re.M)


#: a syllabus claim id as the map writes it: "C1", "B1-B4", "E6/F5"; never shown to learners
CODE = re.compile(r"(?<![\w$\\{^_.])[A-H][1-9](?:[-/][A-H]?[1-9])*(?![\w}])")


def _learner_texts():
    """Every text a learner reads: notebook and solution sources, and the cells and text
    outputs of the built notebooks and exercises (not their images)."""
    for folder in ("notebooks/src", "solutions/src"):
        for path in sorted((ROOT / folder).glob("*.py")):
            yield path.relative_to(ROOT), path.read_text(encoding="utf-8")
    for folder in ("notebooks", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            parts = []
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                parts.append("".join(cell["source"]))
                for output in cell.get("outputs", []):
                    parts.append("".join(output.get("text", "")))
                    parts.append("".join(output.get("data", {}).get("text/plain", "")))
            yield path.relative_to(ROOT), "\n".join(parts)


LEARNER_TEXTS = dict(_learner_texts())


@pytest.mark.parametrize("path", LEARNER_TEXTS, ids=str)
def test_learners_never_meet_a_syllabus_code(path):
    """The ids of the syllabus are the team's shorthand; a lesson says what it means instead."""
    text = LEARNER_TEXTS[path]
    found = [(text.count("\n", 0, m.start()) + 1, m.group()) for m in CODE.finditer(text)]
    assert not found, f"{path}: syllabus codes at (line, code) {found[:8]}"
    assert "the explainer" not in text.lower(), f"{path}: 'the explainer', never introduced"


def test_the_code_pattern_finds_codes_and_leaves_symbols_alone():
    assert [m.group() for m in CODE.finditer("the hiker (C1); B1-B4 and E6/F5, H1")] == [
        "C1", "B1-B4", "E6/F5", "H1"]
    for symbol in ("W1", "$\\beta_1$", "x_{B1}", "1e-3", "AdaGrad", "F1score", "D12"):
        assert not CODE.search(symbol), symbol
