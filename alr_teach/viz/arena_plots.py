"""Figures of the arena (:mod:`alr_teach.lab.arena`): rate curves, tables, ranks, rank shifts.

Each method keeps its :func:`~alr_teach.viz.plots.style` (colour, marker, line style) in
the order the arena lists it, so a method looks the same in every figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from alr_teach.lab.arena import Arena, Tuning
from alr_teach.viz.plots import style

__all__ = ["plot_scores", "plot_table", "plot_ranks", "plot_rank_shift"]


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
