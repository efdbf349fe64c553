"""Where a learning-rate search spent its budget (:mod:`alr_teach.lab.budgeted_search`)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from alr_teach.lab.budgeted_search import candidates
from alr_teach.viz.plots import style

__all__ = ["plot_search"]


def plot_search(
    ax: Axes, search, *, other: str = "alpha", title: str | None = None, index: int = 0
) -> None:
    """Where a search spent its budget: every evaluation in the (lr, ``other``) plane.

    Both axes are logarithmic; the marker's area grows with the epochs the candidate got
    (halving's later rungs are drawn over its first), its fill is the series colour of
    ``style(index)``, and the chosen configuration is circled in black.
    """
    rows = candidates(search)
    st = style(index)
    epochs = np.array([r["epochs"] for r in rows], dtype=float)
    lr = np.array([r["lr"] for r in rows])
    y = np.array([r[other] for r in rows], dtype=float)
    order = np.argsort(epochs, kind="stable")
    ax.scatter(lr[order], y[order], s=12 + 60 * epochs[order] / epochs.max(),
               color=st["color"], marker=st["marker"], alpha=0.75, edgecolors="white",
               linewidths=0.5, label="candidate (area ∝ epochs)")
    chosen = [r for r in rows if r["chosen"]]
    if chosen:
        ax.scatter([chosen[0]["lr"]], [chosen[0][other]], s=260, facecolors="none",
                   edgecolors="black", linewidths=1.5, label="chosen")
    ax.set(xscale="log", yscale="log", xlabel="learning rate η", ylabel=other,
           title=title or type(search).__name__)
    ax.legend(fontsize=8, loc="lower left")
