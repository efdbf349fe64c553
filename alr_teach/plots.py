"""Plotting helpers (matplotlib only): a colour-blind-safe style per optimizer, and the figures.

Every series gets a colour from the Okabe-Ito palette *and* its own line style and
marker, so optimizers can be told apart in greyscale print and by readers with any
form of colour blindness.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from .landscapes import Landscape
from .runner import Trajectory

#: Okabe & Ito (2008), "Color Universal Design": distinguishable under common colour blindness.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def style(i: int) -> dict:
    """Colour, line style and marker for the i-th series (stable across figures)."""
    return {
        "color": OKABE_ITO[i % len(OKABE_ITO)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
    }


def plot_descent_1d(
    ax_path: Axes,
    ax_loss: Axes,
    landscape: Landscape,
    trajectories: Sequence[Trajectory],
    labels: Sequence[str],
    *,
    loss_floor: float = 1e-12,
) -> None:
    """Iterates on the curve of a 1-D landscape (left) and loss against step (right).

    The loss axis is logarithmic, floored at ``loss_floor`` so that a run that reaches
    the minimum exactly stays on the chart; a diverged run is marked with a cross at
    its last finite step.
    """
    (low, high), = landscape.domain
    grid = np.linspace(low, high, 400)[:, None]
    ax_path.plot(grid[:, 0], landscape.value(grid), color="0.6", linewidth=1, zorder=0)
    for i, (trajectory, label) in enumerate(zip(trajectories, labels)):
        st = style(i)
        x = trajectory.points[:, 0]
        ax_path.plot(x, trajectory.losses, color=st["color"], linestyle=st["linestyle"],
                     marker=st["marker"], markersize=4, linewidth=1, label=label)
        steps = np.arange(trajectory.losses.shape[0])
        ax_loss.semilogy(steps, np.maximum(trajectory.losses, loss_floor), label=label,
                         color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                         markersize=3, markevery=max(1, len(steps) // 10))
        if trajectory.diverged:
            last = int(trajectory.diverged_at) - 1
            ax_loss.plot(last, max(trajectory.losses[last], loss_floor), "x", color=st["color"],
                         markersize=10, markeredgewidth=2)
    top = 1.2 * float(landscape.value(np.array([low])))
    ax_path.set(xlim=(low, high), ylim=(-0.05 * top, top), xlabel="parameter x",
                ylabel="loss f(x)", title="Iterates on the loss curve")
    ax_loss.set(xlabel="step t", ylabel="loss f(x_t) (log scale)",
                title="Loss against step (x marks divergence)", ylim=(loss_floor, 1e8))
    ax_loss.legend(fontsize=8, loc="lower left")
