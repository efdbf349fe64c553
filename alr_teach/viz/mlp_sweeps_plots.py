"""Figures of batched MLP sweeps (:mod:`alr_teach.lab.mlp_sweeps`): rate curves, layer steps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from alr_teach import _validation as check
from alr_teach.lab.mlp_sweeps import MLPSweep
from alr_teach.viz.plots import mean_and_range, style

__all__ = ["LAYER_QUANTITIES", "plot_rate_curves", "plot_layer_steps"]


def plot_rate_curves(ax: Axes, sweeps: Sequence[MLPSweep], labels: Sequence[str] | None = None,
                     *, ceiling: float = 10.0) -> list:
    """Last validation loss against the rate: mean over seeds (line), range (band), ring = chosen.

    One styled line per sweep (``style(i)`` for the i-th); the loss axis stops at
    ``ceiling``, so a line that leaves the top blew up. Returns the lines.
    """
    labels = [s.method for s in sweeps] if labels is None else list(labels)
    lines = []
    for i, (sweep, label) in enumerate(zip(sweeps, labels)):
        st = style(i)
        last = np.where(np.isfinite(sweep.val_loss[-1]), sweep.val_loss[-1], np.nan)
        mean, low, high = mean_and_range(last, 1)
        (line,) = ax.plot(sweep.lrs, mean, label=label, markersize=5, **st)
        ax.fill_between(sweep.lrs, low, high, color=st["color"], alpha=0.15, linewidth=0)
        best = sweep.best_index()
        ax.plot(sweep.lrs[best], mean[best], "o", markersize=13, markerfacecolor="none",
                markeredgecolor=st["color"], markeredgewidth=1.5)
        lines.append(line)
    ax.set(xscale="log", yscale="log", xlabel="learning rate η (log scale)",
           ylabel="validation loss after the last epoch\n(mean over seeds, band = range)")
    ax.set_ylim(top=ceiling)
    ax.legend(fontsize=8)
    return lines


#: what :func:`plot_layer_steps` can draw: attribute of :class:`MLPSweep` -> axis label
LAYER_QUANTITIES = {
    "relative_steps": "relative step ‖Δx_l‖ / ‖x_l‖ (log scale)",
    "trust_ratios": "LAMB's trust ratio ‖x_l‖ / ‖u_l‖ (log scale)",
}


def plot_layer_steps(ax: Axes, sweep: MLPSweep, quantity: str = "relative_steps",
                     lr_index: int | None = None, seed_index: int = 0) -> list:
    """One line per parameter array: ``quantity`` at every step of one run, against epochs.

    The run is (``lr_index``, ``seed_index``); ``lr_index`` defaults to the chosen rate.
    The x axis counts epochs (step / steps per epoch), so runs with different batch sizes
    share it. Returns the lines, in the order of ``sweep.names``.
    """
    check.one_of("quantity", quantity, LAYER_QUANTITIES)
    values = getattr(sweep, quantity)
    if values is None:
        raise ValueError(f"Invalid quantity: {quantity!r} (recorded for LAMB only, "
                         f"this sweep is {sweep.method})")
    i = sweep.best_index() if lr_index is None else lr_index
    epochs = sweep.val_loss.shape[0]
    x = np.arange(1, sweep.steps + 1) * epochs / sweep.steps
    lines = []
    for a, name in enumerate(sweep.names):
        (line,) = ax.plot(x, values[:, i, seed_index, a], label=name, markersize=4,
                          markevery=max(1, sweep.steps // 8), **style(a))
        lines.append(line)
    ax.set(yscale="log", xlabel="epoch", ylabel=LAYER_QUANTITIES[quantity],
           title=f"{sweep.method}, batch {sweep.batch_size}, η = {sweep.lrs[i]:.3g}")
    ax.legend(fontsize=8, ncol=2)
    return lines
