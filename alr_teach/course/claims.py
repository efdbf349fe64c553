"""What a lesson shows, stated as a claim: a note for a learner, a failure for the tests.

A notebook cell states its conclusion with :func:`claim` instead of a bare ``assert``::

    claim(max_step < 1.5 * LR, f"Adam's steps stay below 1.5 lr = {1.5 * LR:g}",
          measured=f"largest step {max_step:.3g}")

It behaves in one of two ways, chosen by the environment variable ``ALR_TEACH_CLAIMS``:

``note`` (the default: a learner's own session)
    A claim that does not hold prints a short note (what was expected, what was
    measured, and that this is expected when the settings were changed) and the
    notebook goes on. Nothing is printed when it holds.
``strict`` (set by the test suite, and by ``tools/notebooks.py`` when it builds the
    committed notebooks)
    A claim that does not hold raises :class:`ClaimFailed`, an ``AssertionError``, so
    nbval fails the cell as an ``assert`` would.

A claim never swallows an error: ``holds`` is computed by the caller before
:func:`claim` is called, so an exception in the learner's own code propagates as usual.

Comparisons across seeds go through :func:`paired`, which pairs run *i* of one method
with run *i* of the other (same seed, same data) and counts who won, so that every
comparison in the course reads the same way::

    p = paired(adam_losses, sgd_losses)           # one final loss per seed, each
    claim(p.all_better, f"Adam beats SGD on every one of {p.n} seeds", measured=p)

>>> with mode("strict"):
...     claim(2 + 2 == 4, "two and two make four")
>>> with mode("note"):
...     claim(0.1 + 0.2 == 0.3, "0.1 + 0.2 equals 0.3 exactly", measured=f"{0.1 + 0.2!r}")
Note: this run does not show that 0.1 + 0.2 equals 0.3 exactly.
  Measured: 0.30000000000000004.
  The lesson's text describes the run with its original settings; if you changed
  them, this is expected: compare with what the text predicts, then carry on.

It returns nothing, so a cell that ends with a claim shows no stray ``True``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from alr_teach._validation import one_of

__all__ = ["claim", "ClaimFailed", "paired", "Paired", "count", "mode", "current_mode", "ENV"]

#: the environment variable that chooses what a failed claim does
ENV = "ALR_TEACH_CLAIMS"
MODES = ("note", "strict")


class ClaimFailed(AssertionError):
    """A lesson's claim did not hold while the notebooks were being tested."""


def current_mode() -> str:
    """``"strict"`` under the test suite, ``"note"`` in a learner's session.

    >>> with mode("strict"):
    ...     current_mode()
    'strict'
    """
    return one_of(ENV, os.environ.get(ENV, "note").strip().lower() or "note", MODES)


@contextlib.contextmanager
def mode(value: str) -> Iterator[None]:
    """Run a block with claims in ``value`` mode (``"note"`` or ``"strict"``)."""
    one_of("mode", value, MODES)
    before = os.environ.get(ENV)
    os.environ[ENV] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[ENV]
        else:
            os.environ[ENV] = before


def _as_bool(holds: object) -> bool:
    if isinstance(holds, np.ndarray):
        if holds.size != 1:
            raise TypeError(
                f"claim() needs one truth value, got an array of shape {holds.shape}: "
                "wrap it in np.all(...) or np.any(...)"
            )
        holds = holds.item()
    if not isinstance(holds, (bool, np.bool_)):
        raise TypeError(
            f"claim() needs a truth value (a comparison), got {type(holds).__name__}: {holds!r}"
        )
    return bool(holds)


def claim(holds: bool, statement: str, *, measured: object = None) -> None:
    """State what the run shows: silent when it does.

    ``holds`` is the check (a ``bool`` or a one-element numpy boolean), ``statement``
    says in words what it means, with the threshold it uses, and ``measured`` (any
    object; its ``str`` is shown) what the run gave. In ``note`` mode a claim that does
    not hold prints a note; in ``strict`` mode it raises :class:`ClaimFailed`. See the
    module docstring.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError("claim() needs a statement: a sentence saying what should hold")
    if _as_bool(holds):
        return
    detail = "" if measured is None else f"\n  Measured: {measured}."
    if current_mode() == "strict":
        raise ClaimFailed(f"Claim does not hold: {statement}.{detail}")
    print(
        f"Note: this run does not show that {statement}.{detail}\n"
        "  The lesson's text describes the run with its original settings; if you changed\n"
        "  them, this is expected: compare with what the text predicts, then carry on."
    )


@dataclass(frozen=True)
class Paired:
    """Run *i* of method A against run *i* of method B, for every seed *i*.

    ``wins`` counts the seeds where A was better, ``losses`` where B was, ``ties`` the
    rest (equal to within ``tie``). ``ratio`` is the median of A / B over seeds (for
    positive quantities, else ``nan``).
    """

    a: np.ndarray
    b: np.ndarray
    wins: int
    losses: int
    ties: int
    better: str

    @property
    def n(self) -> int:
        return len(self.a)

    @property
    def all_better(self) -> bool:
        """A was better on every seed."""
        return self.wins == self.n

    @property
    def all_worse(self) -> bool:
        """B was better on every seed."""
        return self.losses == self.n

    @property
    def undecided(self) -> bool:
        """Neither won on every seed: the two cannot be told apart by these runs."""
        return not (self.all_better or self.all_worse)

    @property
    def ratio(self) -> float:
        if np.all(self.a > 0) and np.all(self.b > 0):
            return float(np.median(self.a / self.b))
        return float("nan")

    def __str__(self) -> str:
        word = "lower" if self.better == "lower" else "higher"
        text = f"{self.wins} of {self.n} seeds {word} (A), {self.losses} {word} (B)"
        return text + (f", {self.ties} tied" if self.ties else "")


def paired(a: ArrayLike, b: ArrayLike, *, better: str = "lower", tie: float = 0.0) -> Paired:
    """Compare two methods seed by seed: ``a[i]`` and ``b[i]`` come from the same seed.

    ``better`` says which way is better (``"lower"`` for a loss, ``"higher"`` for an
    accuracy); two values within ``tie`` of each other count as a tie.

    >>> p = paired([0.10, 0.20, 0.15, 0.30, 0.12], [0.20, 0.25, 0.30, 0.31, 0.40])
    >>> p.wins, p.n, p.all_better
    (5, 5, True)
    >>> print(p)
    5 of 5 seeds lower (A), 0 lower (B)
    >>> paired([0.9, 0.8], [0.85, 0.85], better="higher").undecided
    True
    """
    one_of("better", better, ("lower", "higher"))
    a_arr, b_arr = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a_arr.shape != b_arr.shape or a_arr.size == 0:
        raise ValueError(
            f"paired() needs one value per seed for each method, the same number for both: "
            f"got {a_arr.size} and {b_arr.size}"
        )
    if not (np.isfinite(tie) and tie >= 0):
        raise ValueError(f"Invalid tie: {tie!r} (a tolerance >= 0)")
    sign = 1.0 if better == "lower" else -1.0
    with np.errstate(invalid="ignore"):  # inf - inf: both diverged, handled below
        diff = sign * (b_arr - a_arr)  # > 0 where A is better
    # a run that diverged (nan or inf) loses to a finite one; two diverged runs tie
    a_bad, b_bad = ~np.isfinite(a_arr), ~np.isfinite(b_arr)
    diff = np.where(a_bad & b_bad, 0.0, np.where(a_bad, -np.inf, np.where(b_bad, np.inf, diff)))
    wins = int(np.sum(diff > tie))
    losses = int(np.sum(diff < -tie))
    return Paired(a_arr, b_arr, wins, losses, a_arr.size - wins - losses, better)


def count(flags: Sequence[bool] | np.ndarray) -> str:
    """``"4 of 5"``: how many of a per-seed list of truth values hold.

    >>> count([True, True, False])
    '2 of 3'
    """
    flags = np.asarray(flags, dtype=bool).ravel()
    return f"{int(flags.sum())} of {flags.size}"
