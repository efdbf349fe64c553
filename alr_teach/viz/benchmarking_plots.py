"""Figures of an optimizer comparison on real data (:mod:`alr_teach.lab.benchmarking`).

A method's colour, marker and line style follow its place in
:data:`~alr_teach.lab.benchmarking.METHODS` (:func:`method_style`), so a method looks the
same in every figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from alr_teach.lab.benchmarking import CURVES, METHODS, Comparison
from alr_teach.viz.plots import mean_and_range, style

__all__ = ["method_style", "plot_curves", "plot_tuning"]


def method_style(method: str, fallback: int = 0) -> dict:
    """The :func:`~alr_teach.viz.plots.style` of ``method``: its place in ``METHODS``
    (``fallback`` for a method that is not there)."""
    return style(list(METHODS).index(method) if method in METHODS else fallback)


def plot_curves(
    ax: Axes,
    comparison: Comparison,
    dataset: str,
    methods: Sequence[str] | None = None,
    curve: str = "val_accuracy",
    *,
    legend: bool = True,
) -> dict[str, tuple]:
    """Mean curve over seeds (line) and its range (band) for each method, per epoch.

    Colours and line styles follow the method's place in :data:`METHODS`, so a method
    looks the same in every figure. Returns ``{method: (line, band)}``.
    """
    methods = comparison.methods if methods is None else list(methods)
    artists = {}
    for method in methods:
        data = comparison.curves(dataset, method, curve)
        mean, low, high = mean_and_range(data)
        epochs = np.arange(1, data.shape[1] + 1)
        st = method_style(method, len(artists))
        lr = comparison.select(dataset, method)[0].lr
        (line,) = ax.plot(epochs, mean, label=f"{method} (lr={lr:g})", markersize=4,
                          markevery=max(1, len(epochs) // 8), **st)
        band = ax.fill_between(epochs, low, high, color=st["color"], alpha=0.15, linewidth=0)
        artists[method] = (line, band)
    label = CURVES[curve][0]
    ax.set(xlabel="epoch", ylabel=f"{label} (mean, band = range over seeds)",
           title=f"{dataset}: {label}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if curve != "val_accuracy":
        ax.set_yscale("log")
    if legend:
        ax.legend(fontsize=8)
    return artists


def plot_tuning(ax: Axes, comparison: Comparison, dataset: str, ceiling: float = 30.0) -> None:
    """Final validation loss against learning rate, one line per method; rings mark choices.

    The loss axis stops at ``ceiling``: a line that leaves the top blew up (or diverged,
    which leaves a gap). AdaDelta's rates are multipliers of a step without a global
    rate; its line sits on the same axis for compactness.
    """
    for method in comparison.methods:
        tuning = comparison.tunings[dataset, method]
        st = method_style(method, 0)
        shown = np.where(np.isfinite(tuning.val_loss), tuning.val_loss, np.nan)
        ax.plot(tuning.lrs, shown, label=method, markersize=5, **st)
        ax.plot(tuning.best_lr, tuning.val_loss[tuning.best_index], "o", markersize=12,
                markerfacecolor="none", markeredgecolor=st["color"], markeredgewidth=1.5)
    ax.set(xscale="log", yscale="log", xlabel="learning rate η (AdaDelta: its multiplier)",
           ylabel="validation loss after the last epoch",
           title=f"{dataset}: the rate search (one seed; ring = chosen)")
    ax.set_ylim(top=ceiling)
    ax.legend(fontsize=8)
