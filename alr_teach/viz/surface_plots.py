"""Figures for 2-D landscapes: contours, optimizer paths, 3-D surfaces, and what one step does.

Every function draws on the axes it is given (or, given ``None``, on a new pyplot figure)
and returns the artists it made, so an interactive explorer can draw the expensive parts
(the contours) once and then only move lines:

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from alr_teach import SGD, Adam
>>> from alr_teach.problems.landscapes import Quadratic
>>> from alr_teach.lab.runner import run
>>> bowl = Quadratic([1.0, 10.0])
>>> runs = [run(SGD(lr=0.15), bowl, steps=50), run(Adam(lr=0.1), bowl, steps=50)]
>>> cs = contour(None, bowl)
>>> lines = plot_trajectories(cs.axes, bowl, runs, [label_for(SGD(lr=0.15)), "Adam"])
>>> update_trajectories(lines, [run(SGD(lr=0.05), bowl, steps=50), runs[1]])  # no new artists
>>> cs.axes.figure.canvas.draw()

For slider-driven redraws,
:func:`~alr_teach.viz.explorers.background.freeze_background` renders everything that does not
move (contours, ticks, labels) once, so a redraw draws little more than the paths.
Series are told apart by :func:`alr_teach.viz.plots.style` (Okabe-Ito colour *and* line style
*and* marker), so the figures survive greyscale printing and colour blindness.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colormaps, patheffects
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.contour import QuadContourSet
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from alr_teach.lab.runner import Trajectory
from alr_teach.optimizers import registry
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems.landscapes import Landscape
from alr_teach.viz.explorers.background import freeze_background
from alr_teach.viz.plots import OKABE_ITO, style

__all__ = [
    "TrajectoryLines",
    "animate_race",
    "contour",
    "label_for",
    "plot_effective_lr",
    "plot_losses",
    "plot_moments",
    "plot_step_arrows",
    "plot_trajectories",
    "surface_3d",
    "update_trajectories",
]

#: losses (minus the minimum) below this are drawn at this value on log axes
LOSS_FLOOR = 1e-16
#: log-spaced contour levels start this fraction of the value range above the minimum
LOG_LEVEL_FLOOR = 1e-6
#: the same for the height of a log-scaled 3-D surface (coarser grid: a shallower pit)
LOG_SURFACE_FLOOR = 1e-4
#: white (low loss) to light grey (high loss): a quiet background for the coloured paths
BACKGROUND_CMAP = ListedColormap(colormaps["Greys"](np.linspace(0.0, 0.35, 256)),
                                 name="alr_pale_greys")
#: how many markers a line gets (about one every 10 % of its points)
MARKERS_PER_LINE = 10

_SYMBOLS = {
    "beta1": "β1", "beta2": "β2", "alpha": "α", "rho": "ρ", "eps": "ε",
    "weight_decay": "wd", "initial_accumulator_value": "G0",
}


class TrajectoryLines(list):
    """The Line2D of each path (this is a list of them) plus their companion artists.

    Attributes: ``end_markers`` (one 'x' Line2D per path, empty unless it diverged),
    ``start_marker`` (one Line2D holding every distinct start point), ``labels``,
    ``legend`` (or None), ``legend_texts`` and ``every`` (the subsampling used).
    :func:`update_trajectories` moves all of them to new runs without creating artists.
    """

    end_markers: list[Line2D]
    start_marker: Line2D | None
    labels: list[str]
    legend: Legend | None
    legend_texts: list  # the legend's Text of each path, in order
    every: int

    def artists(self, *, legend: bool = True) -> list[Artist]:
        """Everything :func:`update_trajectories` may change (for ``freeze_background``).

        ``legend=False`` leaves the legend out: faster redraws, but its "(diverged at
        t=...)" notes then stay as they were when frozen.
        """
        start = getattr(self, "start_marker", None)
        extra = [start] if start is not None else []
        if legend and getattr(self, "legend", None) is not None:
            extra.append(self.legend)
        return [*self, *getattr(self, "end_markers", []), *extra]


# -- helpers ------------------------------------------------------------------------------
def _new_axes(ax: Axes | None, *, figsize=(6.4, 5.0), **subplot_kw) -> Axes:
    """``ax`` itself, or the axes of a new pyplot figure (shown by notebooks as usual)."""
    if ax is not None:
        return ax
    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(**subplot_kw)


def _min_value(landscape: Landscape) -> float:
    """The landscape's minimum value, or -inf when it has none (a saddle, say)."""
    try:
        value = float(landscape.min_value)
    except (AttributeError, IndexError, TypeError, ValueError):
        return -np.inf
    return value if not np.isnan(value) else -np.inf


def _minima(landscape: Landscape) -> np.ndarray:
    minima = np.asarray(getattr(landscape, "minima", np.empty((0, 2))), dtype=float)
    return minima.reshape(-1, 2) if minima.size else np.empty((0, 2))


def _domain(landscape: Landscape) -> tuple[tuple[float, float], tuple[float, float]]:
    domain = tuple(tuple(map(float, d)) for d in landscape.domain)
    if len(domain) != 2:
        raise ValueError(
            f"{landscape!r} is {len(domain)}-D: these figures need a 2-D landscape "
            f"(use alr_teach.viz.plots.plot_descent_1d for 1-D ones)"
        )
    return domain  # type: ignore[return-value]


def _grid(landscape: Landscape, resolution: int):
    (x0, x1), (y0, y1) = _domain(landscape)
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    with np.errstate(all="ignore"):
        Z = np.asarray(landscape.value(np.stack([X, Y], axis=-1)), dtype=float)
    return X, Y, Z


def _use_log(landscape: Landscape, log: bool | None) -> bool:
    return bool(getattr(landscape, "log_scale", False) if log is None else log)


def _log_offset(Z: np.ndarray, base: float, fraction: float = LOG_LEVEL_FLOOR) -> float:
    """The small offset added to value - min so that log(value - min) is finite."""
    finite = Z[np.isfinite(Z)]
    span = float(finite.max() - base) if finite.size else 1.0
    return span * fraction if span > 0 else 1.0


def _levels(Z: np.ndarray, levels: int | Sequence[float], log: bool, min_value: float):
    """Contour levels in value units and whether they ended up log-spaced."""
    if not isinstance(levels, (int, np.integer)):
        return np.asarray(levels, dtype=float), False
    if levels < 2:
        raise ValueError(f"Invalid levels: {levels!r} (need at least 2)")
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        raise ValueError("the landscape is not finite anywhere on its domain")
    zmin, zmax = float(finite.min()), float(finite.max())
    if zmax <= zmin:  # a flat landscape: any increasing levels will do
        return zmin + np.arange(levels, dtype=float), False
    if log and np.isfinite(min_value):
        base = min(min_value, zmin)
        low = max(_log_offset(Z, base), zmin - base)
        if zmax - base > low:
            return base + np.geomspace(low, zmax - base, levels), True
    return np.linspace(zmin, zmax, levels), False


def _check_2d(trajectory: Trajectory, i: int | str = "") -> np.ndarray:
    points = np.asarray(trajectory.points)
    if points.ndim != 2 or points.shape[1] != 2:
        which = f"trajectory {i}" if i != "" else "the trajectory"
        raise ValueError(
            f"{which} has points of shape {points.shape}: need one unbatched 2-D run, "
            f"shape (steps + 1, 2) (index a batched run first, e.g. points[:, k])"
        )
    return points


def _check_labels(trajectories: Sequence[Trajectory], labels: Sequence[str]) -> list[str]:
    labels = list(labels)
    if len(labels) != len(trajectories):
        raise ValueError(f"got {len(trajectories)} trajectories but {len(labels)} labels")
    return labels


def _last_finite(points: np.ndarray) -> int:
    """Index of the last row whose entries are all finite (-1 if none)."""
    ok = np.all(np.isfinite(points.reshape(points.shape[0], -1)), axis=1)
    return int(np.flatnonzero(ok)[-1]) if ok.any() else -1


def _diverged_at(trajectory: Trajectory) -> int:
    return int(np.asarray(trajectory.diverged_at).reshape(-1)[0])


def _markevery(n: int) -> int:
    return max(1, round(n / MARKERS_PER_LINE))


def _nice(value: float) -> float:
    """The largest of 1, 2, 5 x 10^k not above ``value`` (for a readable arrow scale)."""
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    for factor in (5.0, 2.0, 1.0):
        if factor * power <= value:
            return float(factor * power)
    return float(power)


# -- 1. contours ---------------------------------------------------------------------------
def contour(
    ax: Axes | None,
    landscape: Landscape,
    *,
    levels: int | Sequence[float] = 20,
    resolution: int = 200,
    log: bool | None = None,
    filled: bool = True,
    colorbar: bool = False,
) -> QuadContourSet:
    """Contours of a 2-D landscape over ``landscape.domain``, minima marked with a star.

    ``levels`` is a number of levels or the levels themselves. With ``log`` (default:
    the landscape's ``log_scale`` attribute, False when it has none) the levels are
    spaced logarithmically in ``value - min_value``, from a small offset above the
    minimum (:data:`LOG_LEVEL_FLOOR` times the value range, so the lowest level is
    finite) up to the largest value: narrow curved valleys such as Rosenbrock's show
    up instead of one flat blob. A landscape without a minimum (``min_value`` of
    -inf, as for a saddle) falls back to linear levels.

    ``filled`` draws pale filled bands (low loss white) under thin grey lines, a quiet
    background for coloured paths; otherwise only the lines. Axes get equal aspect
    when the domain is not too elongated, so gradients look perpendicular to contours,
    as they are. Returns the contour set (the filled one when ``filled``); its
    ``levels`` attribute holds the levels in value units.
    """
    ax = _new_axes(ax)
    (x0, x1), (y0, y1) = _domain(landscape)
    X, Y, Z = _grid(landscape, resolution)
    min_value = _min_value(landscape)
    values, is_log = _levels(Z, levels, _use_log(landscape, log), min_value)
    Zm = np.ma.masked_invalid(Z)
    lines = ax.contour(X, Y, Zm, levels=values, colors="0.55", linewidths=0.6, zorder=1)
    if filled:
        norm = BoundaryNorm(values, BACKGROUND_CMAP.N, extend="both")
        result = ax.contourf(X, Y, Zm, levels=values, cmap=BACKGROUND_CMAP, norm=norm,
                             extend="both", zorder=0)
    else:
        result = lines
    if colorbar:
        label = "loss (log-spaced levels)" if is_log else "loss"
        ax.figure.colorbar(result, ax=ax, label=label, format="%.3g")
    minima = _minima(landscape)
    inside = ((minima[:, 0] >= x0) & (minima[:, 0] <= x1)
              & (minima[:, 1] >= y0) & (minima[:, 1] <= y1))
    if inside.any():
        ax.plot(minima[inside, 0], minima[inside, 1], linestyle="none", marker="*",
                markersize=15, markerfacecolor="white", markeredgecolor="black",
                markeredgewidth=1.2, zorder=4,
                label="minimum" if inside.sum() == 1 else "minima")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if 1 / 3 <= (y1 - y0) / (x1 - x0) <= 3:
        ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("parameter x")
    ax.set_ylabel("parameter y")
    suffix = " (log-spaced contours)" if is_log else ""
    ax.set_title(f"{landscape.name}{suffix}")
    return result


# -- 2. legend labels ----------------------------------------------------------------------
def _label_defaults(optimizer: Optimizer) -> dict[str, object]:
    """The settings a label leaves out: the registry defaults of the optimizer's method.

    The settings that define the method (``momentum`` of "Momentum", ``amsgrad`` of
    "AMSGrad") are left out of the defaults, so they are always shown; pairs such as
    ``betas`` also count as ``beta1``, ``beta2``. A class the registry does not list (a
    wrapper, a learner's own) is read the same way, as an entry of its own.
    """
    name = registry.name_of(optimizer)
    method = registry.OPTIMIZERS.get(name)
    if method is None or method.cls is not type(optimizer):
        method = registry.Entry(name, type(optimizer), "")
    try:
        found = method.defaults()
    except (TypeError, ValueError):  # a constructor without a signature to read
        return {}
    defaults: dict[str, object] = {}
    for name, default in found.items():
        if name in method.fixed:
            continue
        defaults[name] = default
        if isinstance(default, tuple) and name.endswith("s"):  # betas -> beta1, beta2
            for k, item in enumerate(default, start=1):
                defaults[f"{name[:-1]}{k}"] = item
    return defaults


def _show(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape}" if value.ndim else f"{float(value):g}"
    if isinstance(value, (float, int, np.floating, np.integer)):
        return f"{float(value):g}"
    return str(value)


def _same(value: object, default: object) -> bool:
    if isinstance(value, np.ndarray):
        return False
    try:
        return bool(value == default)
    except Exception:  # an exotic default that cannot be compared
        return False


def label_for(optimizer: Optimizer) -> str:
    """A compact legend label: class name, ``lr``, and every setting that is not a default.

    ``Adam(lr=0.1)`` for Adam with default betas; ``Adam(lr=0.1, β1=0.5)`` when beta1
    was changed; ``SGD(lr=0.05, momentum=0.9, nesterov)`` for a switch turned on;
    an array hyperparameter (a sweep) shows its shape, ``lr=array(5,)``. Defaults are the
    registry's (:func:`alr_teach.optimizers.registry.defaults` of the method
    :func:`~alr_teach.optimizers.registry.name_of` names; ``betas`` counts as ``beta1``,
    ``beta2``); a setting that defines the method, or has no default, is always shown.

    >>> from alr_teach import Adam, SGD
    >>> label_for(Adam(lr=0.1, betas=(0.5, 0.999)))
    'Adam(lr=0.1, β1=0.5)'
    >>> label_for(SGD(lr=0.05, momentum=0.9, nesterov=True))
    'SGD(lr=0.05, momentum=0.9, nesterov)'
    """
    defaults = _label_defaults(optimizer)
    settings = dict(getattr(optimizer, "hyperparameters", {}))
    switches = dict(getattr(optimizer, "flags", {}))  # nesterov, amsgrad, centered
    parts = []
    if "lr" in settings:
        parts.append(f"lr={_show(settings.pop('lr'))}")
    for name, value in {**settings, **switches}.items():
        if name in defaults and _same(value, defaults[name]):
            continue
        if isinstance(value, (bool, np.bool_)):
            parts.append(name if value else f"{name}=False")
        else:
            parts.append(f"{_SYMBOLS.get(name, name)}={_show(value)}")
    return f"{type(optimizer).__name__}({', '.join(parts)})"


# -- 3./4. paths on the contour map ----------------------------------------------------------
def _set_end(marker: Line2D, trajectory: Trajectory, points: np.ndarray,
             domain) -> tuple[bool, int]:
    """Put the 'x' of a diverged run at its last finite point (clamped into view)."""
    at = _diverged_at(trajectory)
    last = _last_finite(points)
    if at >= 0 and last >= 0:
        (x0, x1), (y0, y1) = domain
        x, y = points[last]
        marker.set_data([np.clip(x, x0, x1)], [np.clip(y, y0, y1)])
        marker.set_visible(True)
        return True, at
    # hidden, not just empty: an empty unclipped line would still stretch the layout
    marker.set_data([], [])
    marker.set_visible(False)
    return False, at


def _legend_text(label: str, diverged: bool, at: int) -> str:
    return f"{label} (diverged at t={at})" if diverged else label


def plot_trajectories(
    ax: Axes | None,
    landscape: Landscape,
    trajectories: Sequence[Trajectory],
    labels: Sequence[str],
    *,
    every: int = 1,
    legend: bool = True,
    legend_loc: str = "upper right",
) -> TrajectoryLines:
    """Overlay 2-D optimizer paths on a contour map (drawn first when ``ax`` is None).

    Each trajectory must be one unbatched run (points of shape (steps + 1, 2)); it gets
    ``style(i)``: colour, line style and markers (about every 10 % of its points). Start
    points get a hollow black circle; a run that diverged gets an 'x' in its colour at
    its last finite point (clamped to the edge of the view when that point is outside)
    and "(diverged at t=...)" in its legend entry. ``every`` plots every n-th point only.
    ``legend_loc`` is a matplotlib location inside the axes, or "outside" (to the right).
    The view stays on ``landscape.domain``: runs that leave it are clipped and do not
    rescale the axes.

    Returns a :class:`TrajectoryLines` (the list of path Line2Ds, with the markers and
    legend attached) for :func:`update_trajectories`.
    """
    labels = _check_labels(trajectories, labels)
    if not isinstance(every, (int, np.integer)) or every < 1:
        raise ValueError(f"Invalid every: {every!r} (must be a whole number >= 1)")
    if ax is None:
        ax = contour(None, landscape).axes
    domain = _domain(landscape)
    lines = TrajectoryLines()
    lines.end_markers, lines.labels, lines.every, lines.legend = [], labels, int(every), None
    lines.legend_texts = []
    starts = []
    for i, (trajectory, label) in enumerate(zip(trajectories, labels)):
        points = _check_2d(trajectory, i)[::every]
        st = style(i)
        (line,) = ax.plot(points[:, 0], points[:, 1], color=st["color"],
                          linestyle=st["linestyle"], marker=st["marker"], markersize=5,
                          markevery=_markevery(len(points)), linewidth=1.6, label=label,
                          zorder=3)
        (end,) = ax.plot([], [], linestyle="none", marker="x", color=st["color"],
                         markersize=12, markeredgewidth=2.5, zorder=5, clip_on=False)
        _set_end(end, trajectory, np.asarray(trajectory.points), domain)
        lines.append(line)
        lines.end_markers.append(end)
        starts.append(np.asarray(trajectory.points)[0])
    start = np.unique(np.array(starts).reshape(-1, 2), axis=0)
    (lines.start_marker,) = ax.plot(start[:, 0], start[:, 1], linestyle="none", marker="o",
                                    markersize=10, markerfacecolor="none",
                                    markeredgecolor="black", markeredgewidth=1.5,
                                    label="start", zorder=4)
    (x0, x1), (y0, y1) = domain
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if not ax.get_xlabel():
        ax.set_xlabel("parameter x")
    if not ax.get_ylabel():
        ax.set_ylabel("parameter y")
    if not ax.get_title():
        ax.set_title(f"Optimizer paths on {landscape.name}")
    if legend:
        handles, names = ax.get_legend_handles_labels()
        where = ({"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0}
                 if legend_loc == "outside" else {"loc": legend_loc})
        lines.legend = ax.legend(handles, names, fontsize=8, framealpha=0.9, **where)
        texts = lines.legend.get_texts()
        lines.legend_texts = [  # None for a path left out of the legend ("_hidden" label)
            next((text for handle, text in zip(handles, texts) if handle is line), None)
            for line in lines
        ]
        _update_legend_texts(lines, trajectories)
    return lines


def _update_legend_texts(lines: TrajectoryLines, trajectories: Sequence[Trajectory]) -> None:
    """Append "(diverged at t=...)" to the legend entries of runs that diverged."""
    for text, trajectory, label in zip(getattr(lines, "legend_texts", ()), trajectories,
                                       lines.labels):
        if text is not None:
            at = _diverged_at(trajectory)
            text.set_text(_legend_text(label, at >= 0, at))


def update_trajectories(lines: Sequence[Line2D], trajectories: Sequence[Trajectory]) -> None:
    """Show new runs on the lines made by :func:`plot_trajectories`: no new artists.

    For a :class:`TrajectoryLines` the divergence crosses, the start markers and the
    legend's "(diverged at t=...)" notes follow too; a plain list of Line2D only gets
    new data. Call ``fig.canvas.draw_idle()`` (or redisplay the figure) afterwards.
    """
    if len(lines) != len(trajectories):
        raise ValueError(f"got {len(lines)} lines but {len(trajectories)} trajectories")
    every = getattr(lines, "every", 1)
    ends = getattr(lines, "end_markers", None)
    starts = []
    for i, (line, trajectory) in enumerate(zip(lines, trajectories)):
        full = _check_2d(trajectory, i)
        points = full[::every]
        line.set_data(points[:, 0], points[:, 1])
        line.set_markevery(_markevery(len(points)))
        starts.append(full[0])
        if ends is not None:
            ax = line.axes
            domain = (ax.get_xlim(), ax.get_ylim())
            _set_end(ends[i], trajectory, full, domain)
    start_marker = getattr(lines, "start_marker", None)
    if start_marker is not None:
        start = np.unique(np.array(starts).reshape(-1, 2), axis=0)
        start_marker.set_data(start[:, 0], start[:, 1])
    if isinstance(lines, TrajectoryLines):
        _update_legend_texts(lines, trajectories)


# -- 5. 3-D surface --------------------------------------------------------------------------
def surface_3d(
    ax3d: Axes | None,
    landscape: Landscape,
    *,
    resolution: int = 80,
    log: bool | None = None,
    trajectories: Sequence[Trajectory] = (),
    labels: Sequence[str] = (),
    elev: float = 35.0,
    azim: float = -60.0,
):
    """The landscape as a 3-D surface, with optional paths drawn at their loss heights.

    ``ax3d`` must be a 3-D axes (``fig.add_subplot(projection="3d")``); None makes one.
    With ``log`` (default: the landscape's ``log_scale``) the height is
    ``log10(loss - min + offset)``, the offset :data:`LOG_SURFACE_FLOOR` times the value
    range (mplot3d has no real log axis). Paths are drawn above the surface (not hidden
    by it) and their points outside the domain are dropped, so a diverging run simply
    leaves the box.

    Returns ``(surface, lines)``: the Poly3DCollection and one Line3D per trajectory.
    """
    labels = _check_labels(trajectories, labels)
    if ax3d is None:
        ax3d = _new_axes(None, figsize=(7.0, 5.5), projection="3d")
    if getattr(ax3d, "name", "") != "3d":
        raise ValueError('surface_3d needs 3-D axes: fig.add_subplot(projection="3d")')
    (x0, x1), (y0, y1) = _domain(landscape)
    X, Y, Z = _grid(landscape, resolution)
    min_value = _min_value(landscape)
    is_log = _use_log(landscape, log) and np.isfinite(min_value)
    base = min(min_value, float(np.nanmin(Z))) if is_log else 0.0
    offset = _log_offset(Z, base, LOG_SURFACE_FLOOR) if is_log else 0.0

    def height(values: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.log10(np.maximum(values - base, 0.0) + offset) if is_log else values

    H = np.ma.masked_invalid(height(Z))
    ax3d.computed_zorder = False  # draw the paths on top of the surface, not behind it
    surface = ax3d.plot_surface(X, Y, H, color="0.8", shade=True, alpha=0.85, linewidth=0,
                                antialiased=False, rcount=resolution, ccount=resolution,
                                zorder=1)
    zlo, zhi = float(H.min()), float(H.max())
    lines = []
    for i, (trajectory, label) in enumerate(zip(trajectories, labels)):
        points = _check_2d(trajectory, i)
        z = height(np.asarray(trajectory.losses, dtype=float))
        outside = ((points[:, 0] < x0) | (points[:, 0] > x1) | (points[:, 1] < y0)
                   | (points[:, 1] > y1) | (z > zhi))
        x, y = (np.where(outside, np.nan, points[:, k]) for k in (0, 1))
        st = style(i)
        (line,) = ax3d.plot(x, y, np.where(outside, np.nan, z), color=st["color"],
                            linestyle=st["linestyle"], marker=st["marker"], markersize=4,
                            markevery=_markevery(len(x)), linewidth=2, label=label, zorder=3)
        lines.append(line)
    ax3d.set_xlim(x0, x1)
    ax3d.set_ylim(y0, y1)
    ax3d.set_zlim(zlo, zhi)
    ax3d.view_init(elev=elev, azim=azim)
    ax3d.set_xlabel("parameter x")
    ax3d.set_ylabel("parameter y")
    ax3d.set_zlabel("log10(loss − minimum)" if is_log else "loss")
    ax3d.set_title(f"{landscape.name}: loss surface" + (" (log height)" if is_log else ""))
    if lines:
        ax3d.legend(loc="upper left", fontsize=8)
    return surface, lines


# -- 6./7./8. against the step ----------------------------------------------------------------
def plot_losses(
    ax: Axes | None,
    trajectories: Sequence[Trajectory],
    labels: Sequence[str],
    *,
    min_value: float = 0.0,
) -> TrajectoryLines:
    """Loss minus ``min_value`` against step, on a log axis, one styled line per run.

    Values are floored at :data:`LOSS_FLOOR` (1e-16) so a run that hits the minimum
    exactly stays on the chart. A diverged run ends with an 'x' in its colour at its
    last finite loss and says "diverged at t=..." in the legend. Pass
    ``landscape.min_value`` as ``min_value`` to see how close each run got.
    Returns the lines, with the crosses as ``end_markers``.
    """
    labels = _check_labels(trajectories, labels)
    ax = _new_axes(ax, figsize=(6.4, 4.0))
    lines = TrajectoryLines()
    lines.end_markers, lines.labels, lines.every, lines.legend = [], labels, 1, None
    lines.start_marker = None
    for i, (trajectory, label) in enumerate(zip(trajectories, labels)):
        losses = np.asarray(trajectory.losses, dtype=float)
        if losses.ndim != 1:
            raise ValueError(f"trajectory {i} has losses of shape {losses.shape}: need one "
                             f"unbatched run, shape (steps + 1,)")
        gap = np.maximum(losses - min_value, LOSS_FLOOR)
        at = _diverged_at(trajectory)
        st = style(i)
        steps = np.arange(len(gap))
        (line,) = ax.plot(steps, gap, color=st["color"], linestyle=st["linestyle"],
                          marker=st["marker"], markersize=4, markevery=_markevery(len(gap)),
                          linewidth=1.6, label=_legend_text(label, at >= 0, at))
        (end,) = ax.plot([], [], linestyle="none", marker="x", color=st["color"],
                         markersize=11, markeredgewidth=2.5, zorder=5)
        last = _last_finite(gap[:, None])
        if at >= 0 and last >= 0:
            end.set_data([last], [gap[last]])
        lines.append(line)
        lines.end_markers.append(end)
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    what = "loss" if min_value == 0 else "loss − minimum"
    ax.set_ylabel(f"{what} (log scale)")
    ax.set_title(f"{what.capitalize()} against step (x marks divergence)")
    if labels:
        lines.legend = ax.legend(fontsize=8, loc="best")
    return lines


def plot_effective_lr(
    ax: Axes | None,
    trajectory: Trajectory,
    *,
    names: Sequence[str] = ("x", "y"),
    lr: float | None = None,
) -> list[Line2D]:
    """The learning rate each coordinate actually got, ``-(x_t - x_{t-1}) / g_t``, per step.

    One line per coordinate (``style(i)``), log y axis; steps with a zero gradient
    are gaps (NaN). A negative rate (the step went *up* the gradient, which momentum
    can do) cannot sit on a log axis: its size is drawn with hollow markers instead.
    ``lr`` (the optimizer's nominal rate) adds a dashed reference line. Returns the
    lines (then the hollow-marker series and the reference line, when drawn).
    """
    rate = np.asarray(trajectory.effective_lr, dtype=float)
    if rate.ndim != 2:
        raise ValueError(f"effective_lr has shape {rate.shape}: need one unbatched run")
    ax = _new_axes(ax, figsize=(6.4, 4.0))
    steps = np.arange(1, rate.shape[0] + 1)
    artists = []
    for k in range(rate.shape[1]):
        name = names[k] if k < len(names) else f"x{k + 1}"
        st = style(k)
        positive = np.where(rate[:, k] > 0, rate[:, k], np.nan)
        (line,) = ax.plot(steps, positive, color=st["color"], linestyle=st["linestyle"],
                          marker=st["marker"], markersize=4,
                          markevery=_markevery(len(steps)), linewidth=1.6,
                          label=f"coordinate {name}")
        artists.append(line)
    for k in range(rate.shape[1]):
        negative = rate[:, k] < 0
        if negative.any():
            name = names[k] if k < len(names) else f"x{k + 1}"
            st = style(k)
            (hollow,) = ax.plot(steps[negative], -rate[negative, k], linestyle="none",
                                marker=st["marker"], markerfacecolor="none",
                                markeredgecolor=st["color"], markersize=6,
                                label=f"{name}: step went uphill (size shown)")
            artists.append(hollow)
    if lr is not None:
        artists.append(ax.axhline(lr, color="black", linestyle="--", linewidth=1,
                                  label=f"nominal lr = {lr:g}"))
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel(r"effective learning rate $-\Delta x\,/\,g$ (log scale)")
    ax.set_title("Learning rate each coordinate actually got")
    ax.legend(fontsize=8, loc="best")
    return artists


def plot_moments(
    ax: Axes | None,
    trajectory: Trajectory,
    beta1: float = 0.9,
    beta2: float = 0.999,
    coordinate: int = 0,
    *,
    steps: int | None = None,
) -> list[Line2D]:
    """Why Adam corrects its moments: ``v_t`` starts near 0, ``v̂_t = v_t / (1 − β2^t)`` does not.

    Needs a trajectory recorded from an Adam-like optimizer (``state["v"]``, and
    ``state["m"]`` for the first moment). For one ``coordinate`` over the first
    ``steps`` steps (default: up to 100) it draws, on a log axis: ``g_t²`` (thin grey,
    what ``v`` estimates), ``v_t`` (dashed) and ``v̂_t`` (solid) in blue; ``|m_t|`` and
    ``|m̂_t|`` likewise in orange (sizes, since m changes sign). ``beta1``/``beta2`` must be the
    optimizer's; a warning says when the recorded first step disagrees with ``beta2``.
    Returns the lines.
    """
    state = getattr(trajectory, "state", {}) or {}
    if "v" not in state:
        raise ValueError(
            f"plot_moments needs a trajectory with state 'v' (Adam's second moment), "
            f"recorded by run(Adam(...), ..., record_state=True); this one has state "
            f"{sorted(state) or 'none'}"
        )
    v = np.asarray(state["v"], dtype=float)
    if v.ndim != 2:
        raise ValueError(f"state 'v' has shape {v.shape}: need one unbatched run")
    if not 0 <= coordinate < v.shape[1]:
        raise ValueError(f"Invalid coordinate: {coordinate!r} (the run has {v.shape[1]})")
    n = min(v.shape[0], 100 if steps is None else int(steps))
    t = np.arange(1, n + 1)
    g = np.asarray(trajectory.grads, dtype=float)[:n, coordinate]
    v = v[:n, coordinate]
    if n and g[0] != 0 and np.isfinite(v[0]):
        implied = 1 - v[0] / g[0] ** 2
        if not np.isclose(implied, beta2, rtol=1e-6, atol=1e-9):
            warnings.warn(f"the recorded first step implies beta2 = {implied:.6g}, not "
                          f"{beta2:g}: pass the optimizer's betas (or weight decay changed "
                          f"the gradient)", stacklevel=2)
    ax = _new_axes(ax, figsize=(6.4, 4.2))
    blue, orange = OKABE_ITO[0], OKABE_ITO[5]
    series = [
        (g**2, r"$g_t^2$ (what $v$ estimates)",
         {"color": "0.5", "linestyle": ":", "marker": None}),
        (v, r"$v_t$ (raw second moment)", {"color": blue, "linestyle": "--", "marker": "v"}),
        (v / (1 - beta2**t), r"$\hat v_t = v_t\,/\,(1 - \beta_2^t)$",
         {"color": blue, "linestyle": "-", "marker": "o"}),
    ]
    if "m" in state:
        m = np.asarray(state["m"], dtype=float)[:n, coordinate]
        series += [
            (np.abs(m), r"$|m_t|$ (raw first moment)",
             {"color": orange, "linestyle": "--", "marker": "^"}),
            (np.abs(m) / (1 - beta1**t), r"$|\hat m_t| = |m_t|\,/\,(1 - \beta_1^t)$",
             {"color": orange, "linestyle": "-", "marker": "s"}),
        ]
    lines = []
    for values, label, st in series:
        values = np.where(values > 0, values, np.nan)
        (line,) = ax.plot(t, values, label=label, linewidth=1.6, markersize=4,
                          markevery=_markevery(n), **st)
        lines.append(line)
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("moment estimate (log scale)")
    ax.set_title(rf"Bias correction ($\beta_1$={beta1:g}, $\beta_2$={beta2:g}): $v_t$ starts "
                 rf"near 0, $\hat v_t$ does not", fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return lines


# -- 9. one step, taken apart ----------------------------------------------------------------
def plot_step_arrows(
    ax: Axes | None,
    trajectory: Trajectory,
    step: int,
    *,
    momentum: bool | str | None = None,
) -> dict[str, object]:
    """At step ``t = step``, arrows from ``x_{t-1}``: ``-g_t``, ``-momentum`` and the step taken.

    * ``-g_t`` (vermilion, dashed, filled head) and the momentum direction (green,
      dotted, open head) are scaled by a round factor so that they are about a quarter
      of the view long; the factor is given in the legend;
    * the actual step ``x_t - x_{t-1}`` (black, solid, thick) is drawn to scale, its
      length in the legend.

    ``momentum``: None draws ``-state["m"]`` or ``-state["velocity"]`` when the run
    recorded one, False draws none, a string names the state entry to use. Draw the
    contours (and the path) first: the view is kept as it is when the axes already
    show something. Returns the artists by role: "origin", "gradient", "momentum" (if
    drawn), "step" (FancyArrowPatch; move one with ``set_positions``) and "legend".
    """
    points = _check_2d(trajectory)
    total = np.asarray(trajectory.grads).shape[0]
    if not isinstance(step, (int, np.integer)) or not 1 <= step <= total:
        raise ValueError(f"Invalid step: {step!r} (must be a whole number in 1..{total})")
    x_prev, x_new = points[step - 1], points[step]
    g = np.asarray(trajectory.grads)[step - 1]
    if not (np.all(np.isfinite(x_prev)) and np.all(np.isfinite(x_new))):
        raise ValueError(f"step {step} is after the run diverged (at t={_diverged_at(trajectory)})")
    state = getattr(trajectory, "state", {}) or {}
    if momentum is None:
        key = next((k for k in ("m", "velocity") if k in state), None)
    elif momentum is False:
        key = None
    elif momentum is True:
        key = next((k for k in ("m", "velocity") if k in state), None)
        if key is None:
            raise ValueError(f"momentum=True but the run recorded no 'm' or 'velocity' "
                             f"(state: {sorted(state) or 'none'})")
    else:
        key = str(momentum)
        if key not in state:
            raise ValueError(f"Invalid momentum: {momentum!r} (state has {sorted(state)})")

    fresh = ax is None or not ax.has_data()
    if ax is None:
        ax = _new_axes(None)
    if fresh:  # nothing drawn yet: show the path for context
        ax.plot(points[:, 0], points[:, 1], color="0.6", marker=".", linewidth=1,
                label="path", zorder=2)
        ok = np.all(np.isfinite(points), axis=1)
        span = float(np.max(np.ptp(points[ok], axis=0))) or 1.0
    else:
        span = max(np.ptp(ax.get_xlim()), np.ptp(ax.get_ylim()))
    target = 0.25 * span

    artists: dict[str, object] = {}
    proxies = []

    def arrow(role, vector, color, linestyle, head, width, label, filled):
        # the step goes underneath: with SGD momentum it is parallel to -velocity
        patch = FancyArrowPatch(tuple(x_prev), tuple(x_prev + vector), arrowstyle=head,
                                mutation_scale=18, color=color, linestyle=linestyle,
                                linewidth=width, zorder=6 if role == "step" else 7,
                                shrinkA=0, shrinkB=0)
        # a white halo keeps the arrow readable over contours and paths
        patch.set_path_effects([patheffects.withStroke(linewidth=width + 2.5,
                                                       foreground="white"),
                                patheffects.Normal()])
        ax.add_patch(patch)
        ax.update_datalim([x_prev, x_prev + vector])
        artists[role] = patch
        proxies.append(Line2D([], [], color=color, linestyle=linestyle, linewidth=width,
                              marker=">", markersize=7,
                              markerfacecolor=color if filled else "none", label=label))

    (artists["origin"],) = ax.plot([x_prev[0]], [x_prev[1]], linestyle="none", marker="o",
                                   markersize=7, color="black", zorder=7)
    proxies.append(Line2D([], [], linestyle="none", marker="o", markersize=6, color="black",
                          label=rf"$x_{{t-1}}$ (t = {step})"))
    gnorm = float(np.linalg.norm(g))
    if gnorm > 0:
        scale = _nice(target / gnorm)
        arrow("gradient", -scale * g, OKABE_ITO[5], "--", "-|>", 2.0,
              rf"$-g_t$ (gradient, × {scale:g})", True)
    if key is not None:
        m = np.asarray(state[key])[step - 1]
        mnorm = float(np.linalg.norm(m))
        if np.isfinite(mnorm) and mnorm > 0:
            scale = _nice(target / mnorm)
            symbol = {"m": "$-m_t$ (first moment", "velocity": "$-b_t$ (velocity"}.get(
                key, f"−{key} (")
            arrow("momentum", -scale * m, OKABE_ITO[2], ":", "->", 2.5,
                  f"{symbol}, × {scale:g})", False)
    delta = x_new - x_prev
    arrow("step", delta, "black", "-", "-|>", 2.8,
          rf"step taken $x_t - x_{{t-1}}$ (length {np.linalg.norm(delta):.2g}, to scale)", True)
    ax.autoscale_view()
    if not ax.get_xlabel():
        ax.set_xlabel("parameter x")
    if not ax.get_ylabel():
        ax.set_ylabel("parameter y")
    ax.set_title(f"Step t = {step}: gradient, momentum and the step actually taken")
    artists["legend"] = ax.legend(handles=proxies, fontsize=8, loc="lower left",
                                  framealpha=0.9)
    return artists


# -- 10. animation and speed ------------------------------------------------------------------
def animate_race(
    landscape: Landscape,
    trajectories: Sequence[Trajectory],
    labels: Sequence[str],
    *,
    frames: int = 60,
    interval: int = 80,
    resolution: int = 150,
    figsize: tuple[float, float] = (6.4, 5.0),
    dpi: int = 80,
    legend_loc: str = "upper right",
) -> FuncAnimation:
    """Optimizers racing on a contour map: the paths grow over ``frames`` frames.

    The steps are subsampled to ``frames`` frames (the last frame shows every run in
    full); ``interval`` is the delay between frames in milliseconds. The figure is
    closed before returning, so a notebook does not also show a static copy. To show
    it, in a notebook or a static HTML handout (the player is self-contained
    JavaScript with the frames embedded as PNG, no kernel needed)::

        from IPython.display import HTML
        HTML(animate_race(landscape, runs, labels).to_jshtml())

    or save a file: ``anim.save("race.gif", writer="pillow")``. Everything that does
    not move (contours, axes, legend) is rendered once at ``dpi`` and reused as an
    image, so a frame costs little more than its lines: keep ``dpi`` when saving.
    """
    labels = _check_labels(trajectories, labels)
    if not isinstance(frames, (int, np.integer)) or frames < 2:
        raise ValueError(f"Invalid frames: {frames!r} (need a whole number >= 2)")
    full = [_check_2d(t, i) for i, t in enumerate(trajectories)]
    longest = max((len(p) for p in full), default=1)
    upto = np.unique(np.round(np.linspace(1, longest, frames)).astype(int))

    fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    contour(ax, landscape, resolution=resolution)
    lines = plot_trajectories(ax, landscape, trajectories, labels, legend_loc=legend_loc)
    title = ax.set_title(f"{landscape.name}: step t = {longest - 1}")
    moving = [*lines, *lines.end_markers, title]

    # Contours, axes and legend are drawn once: a frame draws only its lines and title.
    freeze_background(fig, moving)
    domain = _domain(landscape)

    def draw(frame: int):
        n = int(upto[min(frame, len(upto) - 1)])
        for trajectory, points, line, end in zip(trajectories, full, lines, lines.end_markers):
            shown = points[:n]
            line.set_data(shown[:, 0], shown[:, 1])
            line.set_markevery(_markevery(len(points)))
            if 0 <= _diverged_at(trajectory) < n:
                _set_end(end, trajectory, points, domain)
            else:
                end.set_visible(False)
        title.set_text(f"{landscape.name}: step t = {n - 1}")
        return [*lines, *lines.end_markers, title]

    anim = FuncAnimation(fig, draw, frames=len(upto), interval=interval, blit=False)
    draw(0)
    plt.close(fig)
    return anim
