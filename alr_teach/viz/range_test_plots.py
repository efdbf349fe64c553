"""The figure of a learning-rate range test (:mod:`alr_teach.lab.range_test`)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from alr_teach.lab.range_test import RangeTestResult

__all__ = ["plot_range_test"]


def plot_range_test(ax: Axes, result: RangeTestResult) -> None:
    """Raw and smoothed loss against the rate (log axis), both suggestions marked."""
    ax.semilogx(result.lrs, result.losses, color="0.7", linewidth=1, label="loss (raw)")
    ax.semilogx(result.lrs, result.smoothed, color="#0072B2", linewidth=2,
                label="loss (smoothed)")
    for lr, name, color, marker in [(result.steepest, "steepest", "#D55E00", "o"),
                                    (result.valley, "valley", "#009E73", "s")]:
        y = np.interp(np.log(lr), np.log(result.lrs), result.smoothed)
        ax.plot(lr, y, marker=marker, color=color, markersize=10, linestyle="none",
                markeredgecolor="black", label=f"{name}: {lr:.2e}")
    shown = np.concatenate([result.losses, result.smoothed])
    shown = shown[np.isfinite(shown)]
    top = np.nanmax(result.smoothed[: max(2, result.smoothed.size // 2)])
    bottom = shown.min()
    ax.set(xlabel="learning rate (log scale)", ylabel="loss",
           ylim=(bottom - 0.05 * (top - bottom), top + 0.5 * (top - bottom)),
           title="Learning-rate range test" + (" (stopped: loss blew up)"
                                               if result.stopped_early else ""))
    ax.legend(fontsize=8)
