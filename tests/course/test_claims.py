"""alr_teach.course.claims: a note for a learner, a failure under tests, never a swallowed error."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from alr_teach import claims
from alr_teach.course.claims import ClaimFailed, claim, paired


def test_the_test_suite_runs_claims_strictly():
    assert claims.current_mode() == "strict"  # set by the root conftest.py


def test_a_claim_that_holds_is_silent(capsys):
    for value in ("note", "strict"):
        with claims.mode(value):
            assert claim(True, "it holds") is None
            assert claim(np.bool_(True), "it holds") is None
            assert claim(np.array([True]), "it holds") is None
    assert capsys.readouterr().out == ""


def test_in_a_learners_session_a_failed_claim_prints_a_note_and_goes_on(capsys):
    with claims.mode("note"):
        claim(False, "Adam's steps stay below 1.5 lr", measured="largest step 2.1")
    out = capsys.readouterr().out
    assert "does not show that Adam's steps stay below 1.5 lr" in out
    assert "Measured: largest step 2.1." in out
    assert "if you changed" in out and "this is expected" in out


def test_under_the_tests_a_failed_claim_fails_like_an_assert():
    with claims.mode("strict"), pytest.raises(AssertionError, match="Adam's steps") as info:
        claim(False, "Adam's steps stay below 1.5 lr", measured=2.1)
    assert isinstance(info.value, ClaimFailed)
    assert "Measured: 2.1" in str(info.value)


def test_a_learners_own_error_is_never_swallowed():
    def learners_code():
        raise ZeroDivisionError("from the learner's cell")

    with claims.mode("note"), pytest.raises(ZeroDivisionError):
        claim(learners_code() < 1, "never reached")


@pytest.mark.parametrize("value", [np.array([True, False]), 0.5, "yes", None, [True]])
def test_a_claim_needs_one_truth_value(value):
    with claims.mode("note"), pytest.raises(TypeError, match="truth value|np.all"):
        claim(value, "something")


@pytest.mark.parametrize("statement", ["", "   ", None])
def test_a_claim_needs_a_statement(statement):
    with pytest.raises(TypeError, match="statement"):
        claim(True, statement)


def test_mode_is_restored_and_checked(monkeypatch):
    with claims.mode("note"):
        assert claims.current_mode() == "note"
    assert claims.current_mode() == "strict"
    with pytest.raises(ValueError, match="Invalid mode: 'loud' \\(choose from note, strict\\)"):
        with claims.mode("loud"):
            pass
    monkeypatch.setenv(claims.ENV, "loud")
    with pytest.raises(ValueError, match="Invalid ALR_TEACH_CLAIMS: 'loud'"):
        claims.current_mode()
    monkeypatch.delenv(claims.ENV)
    assert claims.current_mode() == "note"  # a learner's default


def test_a_kernel_without_the_variable_notes_instead_of_failing():
    code = ("from alr_teach.course.claims import claim\n"
            "claim(1 > 2, 'one is more than two')\nprint('went on')\n")
    env = {k: v for k, v in os.environ.items() if k != claims.ENV}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    assert "does not show that one is more than two" in out and out.rstrip().endswith("went on")


def test_paired_counts_wins_per_seed():
    p = paired([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 2.0, 4.0, 3.0, 6.0])
    assert (p.wins, p.losses, p.ties, p.n) == (3, 1, 1, 5)
    assert not p.all_better and not p.all_worse and p.undecided
    assert str(p) == "3 of 5 seeds lower (A), 1 lower (B), 1 tied"
    higher = paired([0.9, 0.8], [0.7, 0.6], better="higher")
    assert higher.all_better and str(higher) == "2 of 2 seeds higher (A), 0 higher (B)"
    assert paired([1.0, 1.05], [1.04, 1.0], tie=0.1).ties == 2
    assert paired([2.0, 4.0, 6.0], [1.0, 2.0, 3.0]).ratio == pytest.approx(2.0)


def test_a_diverged_run_loses_to_a_finite_one():
    p = paired([np.nan, 1.0, np.inf], [5.0, np.nan, np.inf])
    assert (p.wins, p.losses, p.ties) == (1, 1, 1)


@pytest.mark.parametrize(
    "a, b, kwargs, message",
    [
        ([1.0, 2.0], [1.0], {}, "the same number for both: got 2 and 1"),
        ([], [], {}, "got 0 and 0"),
        ([1.0], [2.0], {"better": "smaller"}, "Invalid better: 'smaller'"),
        ([1.0], [2.0], {"tie": -1.0}, "Invalid tie: -1.0"),
    ],
)
def test_paired_rejects_bad_input(a, b, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        paired(a, b, **kwargs)


def test_no_lesson_cell_holds_a_bare_assert():
    """Lessons state conclusions with claim(); asserts belong in tests and solutions."""
    import ast
    from pathlib import Path

    from tools import notebooks

    found = []
    for source in sorted((Path(__file__).parents[2] / "notebooks" / "src").glob("*.py")):
        for index, (kind, text) in enumerate(notebooks.parse(source.read_text(), str(source))):
            if kind != "code":
                continue
            tree = ast.parse("\n".join(line for line in text.splitlines()
                                       if not line.lstrip().startswith(("%", "!"))))
            found += [f"{source.name} cell {index} line {node.lineno}"
                      for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert not found, f"bare asserts in lesson cells: {found}"
