"""The arena: every optimizer on every landscape, each at its own tuned learning rate.

A fair comparison gives every method the same start points, the same budget of steps and
the same learning-rate grid, tunes each method's rate on each landscape by one disclosed
rule, and only then compares the methods at their tuned rates. :func:`tune` does this for
one method on one landscape (every rate and every start point as one batched run: the
same numbers as :func:`alr_teach.lab.sweeps.sweep_learning_rates` start by start);
:func:`arena` does it for every method on every landscape and returns an :class:`Arena`,
whose :meth:`Arena.rows` is a tidy table (one row per landscape and method).
:func:`tune_logistic` applies the same grid and rule to a real task: logistic regression
on :mod:`alr_teach.problems.sparse_data`.

**Scores.** On a landscape with a minimum, a run's *gap* after step ``t`` is
``f(x_t) - min_value``; its *final gap* is the gap after the last step (infinite if the
run diverged), and its *steps to tolerance* the first step with gap ``<= tol`` (-1 if
never). A landscape without a minimum (a saddle: ``min_value = -inf``) is scored on
*escape*: the gap is ``max(f(x_t) - ESCAPE_LEVEL, 0)``, and a run that has escaped stays
escaped (one that escapes and later overflows has done its job).

**Selection rule**, the same for choosing a rate and for ranking methods: the lowest
median over the start points of the final gap, where every gap below ``tol`` counts as
``tol`` (so all rates that solve the problem tie); ties are broken by the lowest median
steps to tolerance (never reached counts as infinitely many), then by the smaller rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers import registry
from alr_teach.optimizers.adadelta import AdaDelta
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems.landscapes import Landscape
from alr_teach.problems.sparse_data import SparseTask, log_loss, train

__all__ = [
    "METHODS", "Spec", "LR_GRID", "ADADELTA_GRID", "ESCAPE_LEVEL", "grid_for", "start_points",
    "gaps", "score", "Tuning", "rank", "tune", "tuned_run", "Row", "Arena", "arena",
    "tune_logistic", "format_results", "format_rates",
]

#: The methods of the arena, by their :mod:`~alr_teach.optimizers.registry` names. Every
#: setting other than ``lr`` is the class's default (torch's).
METHODS = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdaDelta")

#: A method outside the registry: its class and fixed keyword arguments, e.g. ``(Mine, {})``.
Spec = tuple[type[Optimizer], dict]

#: The shared learning-rate grid: 11 rates, half a decade apart, from 1e-4 to 10.
LR_GRID = np.logspace(-4, 1, 11)
#: AdaDelta's ``lr`` multiplies a step that already has the parameters' units (the paper's
#: method is ``lr = 1``), so its grid has the same size and spacing, centred on 1.
ADADELTA_GRID = np.logspace(-2.5, 2.5, 11)
#: The level a run must get below to have escaped a landscape without a minimum.
ESCAPE_LEVEL = -1.0


def _spec(method: str, methods: Mapping[str, Spec] | None) -> Spec:
    """The class and fixed settings of ``method``: from ``methods`` if given, else the
    registry's entry of that name."""
    if methods is not None:
        return methods[check.one_of("method", method, methods)]
    entry = registry.OPTIMIZERS[check.one_of("method", method, registry.OPTIMIZERS)]
    return entry.cls, dict(entry.fixed)


def grid_for(method: str, methods: Mapping[str, Spec] | None = None) -> np.ndarray:
    """The learning-rate grid of ``method``: :data:`ADADELTA_GRID` for AdaDelta, else
    :data:`LR_GRID`."""
    return ADADELTA_GRID if _spec(method, methods)[0] is AdaDelta else LR_GRID


def start_points(landscape: Landscape, n: int = 5, *, spread: float = 0.1,
                 seed: int = 0) -> np.ndarray:
    """The landscape's default start and ``n - 1`` seeded others near it; shape (n, dim).

    The others are drawn uniformly from a box around the default start whose half-width
    is ``spread`` times the width of the landscape's domain in each coordinate (clipped
    to the domain), from ``np.random.default_rng(seed)``.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"Invalid n: {n!r} (must be a whole number >= 1)")
    if not np.isfinite(spread) or spread < 0:
        raise ValueError(f"Invalid spread: {spread!r} (must be a number >= 0)")
    low, high = np.array(landscape.domain, dtype=float).T
    rng = np.random.default_rng(seed)
    others = landscape.start + rng.uniform(-1.0, 1.0, (n - 1, landscape.dim)) * spread * (
        high - low)
    return np.concatenate([np.asarray(landscape.start, dtype=float)[None],
                           np.clip(others, low, high)])


def gaps(landscape: Landscape, losses: np.ndarray) -> np.ndarray:
    """Each recorded loss's distance to the goal (module docstring); same shape as ``losses``.

    With a minimum: ``losses - min_value`` (NaN where the run had diverged). Without one:
    the running minimum of ``max(loss - ESCAPE_LEVEL, 0)`` along the first (step) axis,
    NaN (an overflowed run) counting as not escaped at that step.
    """
    losses = np.asarray(losses, dtype=float)
    if np.isfinite(landscape.min_value):
        return losses - landscape.min_value
    with np.errstate(invalid="ignore"):
        gap = np.maximum(losses - ESCAPE_LEVEL, 0.0)
    return np.minimum.accumulate(np.where(np.isnan(gap), np.inf, gap), axis=0)


def score(final_gap: ArrayLike, steps_to_tol: ArrayLike, tol: float):
    """The selection rule's two keys, as medians over the last axis (the start points).

    Returns (median of the final gap floored at ``tol``, NaN counting as infinite;
    median of the steps to tolerance, -1 counting as infinite).
    """
    final_gap, steps_to_tol = np.asarray(final_gap, float), np.asarray(steps_to_tol)
    floored = np.maximum(np.where(np.isnan(final_gap), np.inf, final_gap), tol)
    steps = np.where(steps_to_tol < 0, np.inf, steps_to_tol.astype(float))
    return np.median(floored, axis=-1), np.median(steps, axis=-1)


@dataclass
class Tuning:
    """One method on one problem over its rate grid; arrays have shape (n_lr, n_starts).

    ``final_gap`` is infinite where a run diverged before reaching its goal and
    ``steps_to_tol`` is -1 where the tolerance was never reached. ``best`` is the index of
    the rate the selection rule chooses (module docstring).
    """

    method: str
    problem: str
    lrs: np.ndarray
    final_gap: np.ndarray
    steps_to_tol: np.ndarray
    tol: float
    steps: int

    @cached_property
    def scores(self) -> tuple[np.ndarray, np.ndarray]:
        """Per rate: median final gap (floored at ``tol``) and median steps to tolerance."""
        return score(self.final_gap, self.steps_to_tol, self.tol)

    @property
    def best(self) -> int:
        gap, steps = self.scores
        return int(np.lexsort((np.arange(gap.size), steps, gap))[0])

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best])

    @property
    def key(self) -> tuple[float, float]:
        """(median gap, median steps) at the chosen rate: what methods are ranked by."""
        gap, steps = self.scores
        return float(gap[self.best]), float(steps[self.best])

    @property
    def at_edge(self) -> bool:
        """True when the chosen rate is the smallest or the largest of the grid."""
        return self.best in (0, self.lrs.size - 1)

    def good_rates(self, reference: float, factor: float = 10.0) -> int:
        """How many grid rates reach a median final gap within ``factor`` of ``reference``."""
        return int(np.sum(self.scores[0] <= factor * reference))


def rank(tunings: Mapping[str, Tuning]) -> dict[str, int]:
    """Rank methods by their tuned :attr:`Tuning.key`: 1 is best, ties share the better rank."""
    keys = {name: t.key for name, t in tunings.items()}
    return {name: 1 + sum(other < key for other in keys.values()) for name, key in keys.items()}


def tune(
    method: str,
    landscape: Landscape,
    *,
    lrs: ArrayLike | None = None,
    starts: ArrayLike | None = None,
    steps: int = 300,
    tol: float = 1e-6,
    methods: Mapping[str, Spec] | None = None,
) -> Tuning:
    """Run ``method`` on ``landscape`` for every rate of ``lrs`` from every start point.

    ``method`` is a registry name (e.g. ``"Momentum"``), or a key of ``methods`` for a
    method outside the registry (``{"Mine": (Mine, {})}``).

    One batched run: params of shape (n_lr, n_starts, dim), ``lr`` of shape (n_lr,).
    ``lrs`` defaults to :func:`grid_for` the method, ``starts`` to :func:`start_points`.
    """
    cls, fixed = _spec(method, methods)
    lrs = grid_for(method, methods) if lrs is None else np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"Invalid lrs: shape {lrs.shape} (must be a non-empty 1-D array)")
    starts = start_points(landscape) if starts is None else np.asarray(starts, dtype=float)
    if starts.ndim != 2 or starts.shape[1] != landscape.dim:
        raise ValueError(f"Invalid starts: shape {starts.shape} (must be (n, {landscape.dim}))")
    x0 = np.broadcast_to(starts, (lrs.size,) + starts.shape)
    trajectory = run(cls(lr=lrs, **fixed), landscape, x0, steps, record_state=False)
    gap = gaps(landscape, trajectory.losses)
    final = np.where(np.isnan(gap[-1]), np.inf, gap[-1])
    with np.errstate(invalid="ignore"):
        reached = gap <= tol
    steps_to_tol = np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
    return Tuning(method, landscape.name, lrs, final, steps_to_tol, float(tol), steps)


def tuned_run(tuning: Tuning, landscape: Landscape, x0: ArrayLike | None = None,
              methods: Mapping[str, Spec] | None = None) -> Trajectory:
    """One run (with its state) of the tuning's method at its chosen rate (default start)."""
    cls, fixed = _spec(tuning.method, methods)
    return run(cls(lr=tuning.best_lr, **fixed), landscape, x0, tuning.steps)


@dataclass
class Row:
    """One line of the arena's tidy table: a method on a landscape at its tuned rate."""

    landscape: str
    method: str
    lr: float
    at_edge: bool
    rank: int
    median_gap: float
    median_steps: float
    good_rates: int


class Arena:
    """Every method's :class:`Tuning` on every landscape: ``tunings[landscape][method]``."""

    def __init__(self, tunings: dict[str, dict[str, Tuning]], factor: float = 10.0) -> None:
        if not tunings:
            raise ValueError("Invalid tunings: empty (need at least one landscape)")
        self.tunings = tunings
        self.factor = factor
        self.landscapes = list(tunings)
        self.methods = list(next(iter(tunings.values())))

    def ranks(self) -> np.ndarray:
        """Rank of each method on each landscape, shape (n_landscapes, n_methods)."""
        return np.array([[rank(self.tunings[name])[m] for m in self.methods]
                         for name in self.landscapes])

    def best_gap(self, landscape: str) -> float:
        """The lowest tuned median gap of any method on ``landscape`` (floored at tol)."""
        return min(t.key[0] for t in self.tunings[landscape].values())

    def good_rates(self) -> np.ndarray:
        """Per landscape and method: grid rates whose median gap is within ``factor`` of
        the best any method reached there (a method that fails at every rate counts 0)."""
        return np.array([[self.tunings[name][m].good_rates(self.best_gap(name), self.factor)
                          for m in self.methods] for name in self.landscapes])

    def best_lrs(self) -> np.ndarray:
        """The chosen rate of each method on each landscape, shape (n_landscapes, n_methods)."""
        return np.array([[self.tunings[name][m].best_lr for m in self.methods]
                         for name in self.landscapes])

    def row(self, landscape: str, method: str) -> Row:
        """The row of one landscape and one method."""
        if landscape not in self.tunings or method not in self.methods:
            raise KeyError(f"no row for {landscape!r} and {method!r}")
        tuning = self.tunings[landscape][method]
        gap, steps = tuning.key
        return Row(landscape, method, tuning.best_lr, tuning.at_edge,
                   rank(self.tunings[landscape])[method], gap, steps,
                   tuning.good_rates(self.best_gap(landscape), self.factor))

    def rows(self) -> list[Row]:
        """The tidy table: one :class:`Row` per landscape and method."""
        return [self.row(name, method) for name in self.landscapes for method in self.methods]


def arena(
    landscapes: Mapping[str, Landscape],
    methods: Iterable[str] = METHODS,
    *,
    steps: int = 300,
    tol: float = 1e-6,
    n_starts: int = 5,
    seed: int = 0,
    grids: Mapping[str, ArrayLike] | None = None,
) -> Arena:
    """:func:`tune` every method on every landscape (a mapping from display name).

    ``grids`` gives some methods another rate grid than :func:`grid_for` (e.g.
    ``{"AdaDelta": LR_GRID}``); the others keep their own.
    """
    methods = list(methods)
    grids = dict(grids or {})
    unknown = sorted(set(grids) - set(methods))
    if unknown:
        raise ValueError(f"Invalid grids: {unknown} are not among the methods {methods}")
    tunings = {}
    for name, landscape in landscapes.items():
        starts = start_points(landscape, n_starts, seed=seed)
        tunings[name] = {m: tune(m, landscape, lrs=grids.get(m), starts=starts, steps=steps,
                                 tol=tol)
                         for m in methods}
    return Arena(tunings)


def tune_logistic(
    method: str,
    task: SparseTask,
    *,
    lrs: ArrayLike | None = None,
    epochs: int = 3,
    batch_size: int = 20,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    methods: Mapping[str, Spec] | None = None,
) -> Tuning:
    """The same grid and rule on a real task: logistic regression on a sparse data set.

    Every rate of the grid trains at once (weights of shape (n_lr, d), zeros at the
    start) with :func:`alr_teach.problems.sparse_data.train`, once per seed of the batch order;
    the "gap" is the final mean log-loss on the whole training set (no tolerance).
    """
    cls, fixed = _spec(method, methods)
    lrs = grid_for(method, methods) if lrs is None else np.asarray(lrs, dtype=float)
    finals = []
    for seed in seeds:
        weights = train(cls(lr=lrs[:, None], **fixed), task.X_train, task.y_train,
                        epochs=epochs, batch_size=batch_size,
                        w0=np.zeros((lrs.size, task.n_features)), seed=seed)
        with np.errstate(all="ignore"):
            loss = log_loss(weights[-1], task.X_train, task.y_train)
        finals.append(np.where(np.isfinite(loss), loss, np.inf))
    steps = epochs * -(-task.X_train.shape[0] // batch_size)
    final = np.stack(finals, axis=-1)
    return Tuning(method, "sparse logistic regression", lrs, final,
                  np.full(final.shape, -1), 0.0, steps)


# -- text (the figures are in alr_teach.viz.arena_plots) ---------------------------------------
def _short(value: float, prefix: str = "") -> str:
    """One significant digit, short exponent: 3e-2, 1e0, 2e1 (``inf`` for infinity)."""
    if not np.isfinite(value):
        return prefix + "inf"
    text = f"{value:.0e}"
    mantissa, exponent = text.split("e")
    return f"{prefix}{mantissa}e{int(exponent)}"


def format_results(arena: Arena, names: Mapping[str, str] | None = None, width: int = 15) -> str:
    """The results table: per landscape and method, ``rank  gap  steps`` at the tuned rate.

    ``gap`` is the median final gap (``<1e-6`` when below a tolerance of 1e-6), ``steps``
    the median steps to tolerance (``—`` when most starts never reached it). ``names``
    shortens landscape names for the first column.
    """
    names = names or {}
    lines = [f"{'':{width}s}" + "".join(f"{m:>13s}" for m in arena.methods)]
    for name in arena.landscapes:
        cells = []
        for method in arena.methods:
            row, tol = arena.row(name, method), arena.tunings[name][method].tol
            gap = _short(tol, "<") if row.median_gap <= tol else _short(row.median_gap)
            steps = f"{row.median_steps:.0f}" if np.isfinite(row.median_steps) else "—"
            cells.append(f"{row.rank:>3d} {gap:>5s}{steps:>4s}")
        lines.append(f"{names.get(name, name)[:width]:{width}s}" + "".join(cells))
    return "\n".join(lines)


def format_rates(arena: Arena, names: Mapping[str, str] | None = None, width: int = 16) -> str:
    """The tuned rates, one row per landscape; ``*`` marks a rate at the edge of its grid."""
    names = names or {}
    lines = [f"{'':{width}s}" + "".join(f"{m:>10s}" for m in arena.methods)]
    for name in arena.landscapes:
        cells = [_short(t.best_lr) + ("*" if t.at_edge else " ")
                 for t in arena.tunings[name].values()]
        lines.append(f"{names.get(name, name)[:width]:{width}s}" + "".join(
            f"{c:>10s}" for c in cells))
    return "\n".join(lines)

