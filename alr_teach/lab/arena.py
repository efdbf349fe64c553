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
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers.adadelta import AdaDelta
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.optimizers.adam import Adam
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.optimizers.sgd import SGD
from alr_teach.problems.landscapes import Landscape
from alr_teach.problems.sparse_data import SparseTask, log_loss, train
from alr_teach.viz.plots import style

#: The methods of the arena: display name -> (class, fixed keyword arguments). Every
#: setting other than ``lr`` is the class's default (torch's).
METHODS: dict[str, tuple[type[Optimizer], dict]] = {
    "SGD": (SGD, {}),
    "Momentum": (SGD, {"momentum": 0.9}),
    "Nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "AdaGrad": (AdaGrad, {}),
    "RMSProp": (RMSProp, {}),
    "Adam": (Adam, {}),
    "AdaDelta": (AdaDelta, {}),
}

#: The shared learning-rate grid: 11 rates, half a decade apart, from 1e-4 to 10.
LR_GRID = np.logspace(-4, 1, 11)
#: AdaDelta's ``lr`` multiplies a step that already has the parameters' units (the paper's
#: method is ``lr = 1``), so its grid has the same size and spacing, centred on 1.
ADADELTA_GRID = np.logspace(-2.5, 2.5, 11)
#: The level a run must get below to have escaped a landscape without a minimum.
ESCAPE_LEVEL = -1.0


def _spec(method: str, methods: Mapping[str, tuple]) -> tuple[type[Optimizer], dict]:
    check.one_of("method", method, methods)
    return methods[method]


def grid_for(method: str, methods: Mapping[str, tuple] = METHODS) -> np.ndarray:
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
    methods: Mapping[str, tuple[type[Optimizer], dict]] = METHODS,
) -> Tuning:
    """Run ``method`` on ``landscape`` for every rate of ``lrs`` from every start point.

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
              methods: Mapping[str, tuple[type[Optimizer], dict]] = METHODS) -> Trajectory:
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
    methods: Iterable[str] = tuple(METHODS),
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
    methods: Mapping[str, tuple[type[Optimizer], dict]] = METHODS,
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


# -- text and figures ------------------------------------------------------------------------
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


def plot_scores(ax: Axes, tunings: Mapping[str, Tuning], *, factor: float | None = None) -> list:
    """Each method's median final gap against learning rate (log-log), chosen rate starred.

    Gaps are floored at the tolerance, as the selection rule counts them; rates at which
    most starts diverged are drawn on the top edge as crosses. With ``factor``, a band
    shows the gaps within ``factor`` of the best any method reached ("good" rates).
    """
    lines = []
    best = min(t.key[0] for t in tunings.values())
    for i, (name, tuning) in enumerate(tunings.items()):
        st = style(i)
        gap = tuning.scores[0]
        shown = np.where(np.isfinite(gap), gap, np.nan)
        (line,) = ax.loglog(tuning.lrs, shown, label=name, markersize=4, **st)
        lines.append(line)
        failed = ~np.isfinite(gap)
        if failed.any():
            ax.plot(tuning.lrs[failed], np.ones(failed.sum()), "x", color=st["color"],
                    clip_on=False, transform=ax.get_xaxis_transform())
        ax.plot(tuning.best_lr, gap[tuning.best], "*", color=st["color"], markersize=14,
                markeredgecolor="black")
    if factor is not None:
        ax.axhspan(best, factor * best, color="0.85", zorder=0,
                   label=f"within {factor:g}x of the best")
    ax.set(xlabel="learning rate (log scale)",
           ylabel="median final gap, floored at tol (log scale)",
           title="Each method over its rate grid (★ chosen, x most starts diverged)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    return lines


def plot_table(ax: Axes, values: ArrayLike, methods: Sequence[str], landscapes: Sequence[str],
               *, cmap: str = "cividis", label: str = "", title: str = "",
               reverse: bool = False, vmin: float | None = None, vmax: float | None = None):
    """Heatmap of a (landscapes x methods) table, methods down and landscapes across,
    with each value written in its cell.

    ``cividis`` (the default) is a sequential map designed to read the same with colour
    blindness; the numbers carry the information for any reader. With ``reverse`` the
    map runs the other way (low values light). Returns the image.
    """
    data = np.asarray(values, dtype=float).T
    if data.shape != (len(methods), len(landscapes)):
        raise ValueError(f"Invalid values: shape {data.T.shape} (need ({len(landscapes)}, "
                         f"{len(methods)}): landscapes x methods)")
    vmin = np.nanmin(data) if vmin is None else vmin
    vmax = np.nanmax(data) if vmax is None else vmax
    image = ax.imshow(data, cmap=cmap + ("_r" if reverse else ""), vmin=vmin, vmax=vmax,
                      aspect="auto")
    middle = (vmin + vmax) / 2
    for (j, i), value in np.ndenumerate(data):
        dark = (value > middle) if reverse else (value < middle)
        ax.text(i, j, f"{value:.0f}", ha="center", va="center", fontsize=9,
                color="white" if dark else "black")
    ax.set_xticks(range(len(landscapes)), landscapes, rotation=35, ha="right")
    ax.set_yticks(range(len(methods)), methods)
    ax.set(title=title, xlabel="landscape", ylabel="method")
    ax.figure.colorbar(image, ax=ax, label=label, shrink=0.85)
    return image


def plot_ranks(ax: Axes, arena: Arena, names: Mapping[str, str] | None = None):
    """The rank heatmap: 1 (best, dark) to the number of methods (light), numbers in cells."""
    names = names or {}
    return plot_table(ax, arena.ranks(), arena.methods,
                      [names.get(n, n) for n in arena.landscapes], label="rank (1 = best)",
                      title="Rank of each method at its tuned rate", vmin=1,
                      vmax=len(arena.methods))


def _spread(values: Sequence[float], gap: float) -> np.ndarray:
    """Label positions near ``values`` but at least ``gap`` apart (order kept)."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="stable")
    placed = values[order].copy()
    for k in range(1, placed.size):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    placed -= (placed - values[order]).mean()  # centre the shifts on the true values
    out = np.empty_like(placed)
    out[order] = placed
    return out


def plot_rank_shift(ax: Axes, left: Mapping[str, float], right: Mapping[str, float],
                    labels: tuple[str, str], *, gap: float = 0.3) -> None:
    """A slope chart: each method's rank (or mean rank) in two settings, joined by a line.

    Methods keep their :func:`~alr_teach.viz.plots.style` colour, marker and line style (in
    the order of ``left``); rank 1 is at the top. Labels that would overlap are moved
    apart (by at least ``gap`` rank units) and joined to their point by a thin line.
    """
    names = list(left)
    for side, values, fmt in ((0, left, ".1f"), (1, right, ".0f")):
        ys = [values[name] for name in names]
        for name, y, label_y in zip(names, ys, _spread(ys, gap)):
            text = f"{name} {y:{fmt}}" if side == 0 else f"{y:{fmt}} {name}"
            ax.annotate(text, (side, y), xytext=(-0.08 if side == 0 else 1.08, label_y),
                        textcoords="data", ha="right" if side == 0 else "left",
                        va="center", fontsize=9,
                        arrowprops={"arrowstyle": "-", "color": "0.6", "linewidth": 0.6})
    for i, name in enumerate(names):
        st = style(i)
        ax.plot([0, 1], [left[name], right[name]], color=st["color"],
                linestyle=st["linestyle"], marker=st["marker"], markersize=8, linewidth=2)
    ax.set_xlim(-0.7, 1.7)
    ax.invert_yaxis()
    ax.set_xticks([0, 1], labels)
    ax.set(ylabel="rank (1 = best)", title="The same methods, ranked in two settings")
