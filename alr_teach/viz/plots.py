"""Plotting helpers (matplotlib only): a colour-blind-safe style per optimizer, and the figures.

Every series gets a colour from the Okabe-Ito palette *and* its own line style and
marker, so optimizers can be told apart in greyscale print and by readers with any
form of colour blindness.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes

from alr_teach.lab.runner import Trajectory
from alr_teach.problems.landscapes import Landscape

__all__ = [
    "OKABE_ITO",
    "LINESTYLES",
    "MARKERS",
    "style",
    "mean_and_range",
    "cell_edges",
    "band_vertices",
    "plot_descent_1d",
    "plot_sweep",
    "plot_lr_sweeps",
]

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


def mean_and_range(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, min and max over ``axis`` (e.g. over seeds), ignoring NaN.

    A slice that is all NaN (every run diverged) gives NaN, quietly.

    >>> mean, low, high = mean_and_range(np.array([[1.0, np.nan], [3.0, np.nan]]))
    >>> mean, low, high
    (array([ 2., nan]), array([ 1., nan]), array([ 3., nan]))
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices after a divergence
        return np.nanmean(values, axis), np.nanmin(values, axis), np.nanmax(values, axis)


def band_vertices(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The outline of a band between ``low`` and ``high`` over ``x`` (for ``set_verts``).

    Along ``low`` left to right, back along ``high``; points where either is not finite
    are left out.

    >>> band_vertices(np.array([0.0, 1.0]), np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    array([[0., 1.],
           [1., 2.],
           [1., 4.],
           [0., 3.]])
    """
    ok = np.isfinite(low) & np.isfinite(high)
    x, low, high = x[ok], low[ok], high[ok]
    return np.column_stack([np.r_[x, x[::-1]], np.r_[low, high[::-1]]])


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


def cell_edges(values: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around grid values: midpoints (geometric on a log axis), ends mirrored.

    >>> cell_edges(np.array([1.0, 2.0, 4.0]), log=False)
    array([0.5, 1.5, 3. , 5. ])
    """
    v = np.log10(values) if log else np.asarray(values, dtype=float)
    if v.size == 1:
        mid = np.array([v[0] - 0.5, v[0] + 0.5])
    else:
        inner = (v[1:] + v[:-1]) / 2
        mid = np.concatenate([[2 * v[0] - inner[0]], inner, [2 * v[-1] - inner[-1]]])
    return 10**mid if log else mid


def _is_log_axis(values: np.ndarray) -> bool:
    return bool(np.all(values > 0) and values.max() / values.min() >= 100)


def plot_sweep(ax: Axes, result, *, what: str = "final_loss", min_value: float = 0.0):
    """Heatmap of a two-hyperparameter sweep (or a line for one), divergence marked.

    ``what`` is ``"final_loss"`` (coloured on a log scale, as loss minus ``min_value``)
    or ``"steps_to_tol"``. Diverged cells are grey and hatched, and a black line traces
    the boundary between cells that diverged and cells that did not. Axes whose values
    span more than two decades are logarithmic.
    """
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Patch

    data = getattr(result, what)
    if what == "final_loss":
        data = np.maximum(data - min_value, 1e-16)
        label, norm = "final loss − minimum (log scale)", LogNorm()
    else:
        data = np.where(data < 0, np.nan, data).astype(float)
        label, norm = f"steps to reach loss within {result.tol:g} of the minimum", None
    data = np.where(result.diverged, np.nan, data)
    xname, xs = result.names[0], result.values[0]
    if len(result.names) == 1:
        ax.plot(xs, data, **{**style(0), "markersize": 4})
        edges = cell_edges(xs, _is_log_axis(xs))
        for i in np.flatnonzero(result.diverged):
            ax.axvspan(edges[i], edges[i + 1], color="0.85", hatch="//",
                       label="diverged" if i == np.flatnonzero(result.diverged)[0] else None)
        if result.diverged.any():
            ax.legend(fontsize=8)
        ax.set(xlabel=xname, ylabel=label, title=f"Sweep over {xname}")
        if _is_log_axis(xs):
            ax.set_xscale("log")
        if norm is not None:
            ax.set_yscale("log")
        return None
    yname, ys = result.names[1], result.values[1]
    xlog, ylog = _is_log_axis(xs), _is_log_axis(ys)
    # rows of the result are the first grid axis: transpose so it runs along x
    x_edges, y_edges = cell_edges(xs, xlog), cell_edges(ys, ylog)
    mesh = ax.pcolormesh(x_edges, y_edges, data.T, norm=norm, cmap="viridis")
    ax.pcolormesh(x_edges, y_edges,
                  np.where(result.diverged.T, 1.0, np.nan), cmap="Greys", vmin=0, vmax=3,
                  hatch="//", shading="flat")
    if result.diverged.any() and not result.diverged.all():
        ax.contour(xs, ys, result.diverged.T.astype(float), levels=[0.5], colors="black",
                   linewidths=1.5)
    ax.figure.colorbar(mesh, ax=ax, label=label)
    if xlog:
        ax.set_xscale("log")
    if ylog:
        ax.set_yscale("log")
    ax.legend(handles=[Patch(facecolor="0.85", hatch="//", label="diverged"),
                       Patch(facecolor="none", edgecolor="black", label="divergence boundary")],
              loc="upper right", fontsize=8, framealpha=0.9)
    ax.set(xlabel=xname, ylabel=yname, title=f"{what.replace('_', ' ')} over {xname} × {yname}")
    return mesh


def plot_lr_sweeps(ax: Axes, results: dict, *, min_value: float = 0.0) -> list:
    """Final loss against learning rate, one styled line per optimizer, best rate starred.

    ``results`` is what :func:`alr_teach.lab.sweeps.sweep_learning_rates` returns. Diverged
    rates leave a gap in the line and a small 'x' on the top edge.
    """
    lines = []
    for i, (name, result) in enumerate(results.items()):
        st = style(i)
        lrs = result.values[0]
        gap = np.maximum(result.final_loss - min_value, 1e-16)
        (line,) = ax.loglog(lrs, gap, label=name, markersize=4, **st)
        lines.append(line)
        if result.diverged.any():  # crosses along the top edge, clear of the lowest losses
            ax.plot(lrs[result.diverged], np.ones(result.diverged.sum()), "x",
                    color=st["color"], clip_on=False, transform=ax.get_xaxis_transform())
        if not result.diverged.all():
            best = result.best()["lr"]
            ax.plot(best, gap[np.flatnonzero(lrs == best)[0]], "*", color=st["color"],
                    markersize=14, markeredgecolor="black")
    ax.set(xlabel="learning rate (log scale)", ylabel="final loss − minimum (log scale)",
           title="Each optimizer over the same learning-rate grid (★ best, x diverged)")
    ax.legend(fontsize=8)
    return lines
