r"""Does a step have the units of x? Measure the parameters in other units and watch.

If the loss is :math:`f(x)` in one unit of length, the same problem measured in units
:math:`c` times smaller is

.. math::

    f_c(x) = s\, f(x / c), \qquad \nabla f_c(x) = \frac{s}{c}\, \nabla f(x / c),

with its minimum and start :math:`c` times further from the origin (``loss_scale``
:math:`s = 1` by default: only the parameters change units). An optimizer whose step
has the units of :math:`x` would walk the same path, :math:`c` times larger: its
trajectory on :math:`f_c`, divided by :math:`c`, would be the trajectory on :math:`f`.
:class:`Rescaled` builds :math:`f_c` from any landscape (``scale`` may be an array, a
batch of unit choices run at once), and :class:`UnitsExplorer` races AdaDelta and
RMSProp on :math:`f_c` and on :math:`f` and draws both in the original units.

AdaDelta's :math:`\epsilon` is the catch: with :math:`s = c^2` one finds exactly

.. math::

    \text{AdaDelta}(\epsilon) \text{ on } f_c \;=\; c \times \text{AdaDelta}(\epsilon / c^2)
    \text{ on } f,

so measuring :math:`x` in other units is the same as changing :math:`\epsilon`:
:math:`\sqrt\epsilon` is a length (``tests/viz/test_units_explorer.py`` checks the identity).
``update(...)`` is the explorer's whole callback (it returns a summary dict);
``widget()`` puts sliders on top of it (the wiring is
:class:`~alr_teach.viz.explorers.base.Explorer`'s), so tests drive ``update`` headlessly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers.adadelta import AdaDelta
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.problems.landscapes import Landscape, PlateauCliff, Quadratic, Rosenbrock
from alr_teach.viz.explorers.base import (
    Control,
    Explorer,
    IntSlider,
    LogSlider,
    Menu,
    Slider,
)
from alr_teach.viz.plots import style
from alr_teach.viz.surface_plots import (
    contour,
    label_for,
    plot_trajectories,
    update_trajectories,
)

__all__ = [
    "DEFAULTS",
    "LANDSCAPES",
    "RMSPROP_LR",
    "RUN_NAMES",
    "Rescaled",
    "UnitsExplorer",
    "deviation",
    "in_original_units",
    "steps_to_tol",
]

# -- the same landscape in other units -------------------------------------------------------


def _positive(name: str, value: ArrayLike) -> float | np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.size == 0 or not np.all(np.isfinite(array)) or not np.all(array > 0):
        raise ValueError(f"Invalid {name}: {value!r} (must be a positive finite number or a "
                         f"non-empty array of them)")
    return float(array) if array.ndim == 0 else array


class Rescaled(Landscape):
    r"""The landscape ``landscape`` with its parameters measured in units ``scale`` times smaller.

    :math:`f_c(x) = s\, f(x / c)` with :math:`c` = ``scale`` and :math:`s` =
    ``loss_scale``; gradient :math:`(s / c)\, \nabla f(x / c)`; start and minima
    :math:`c` times those of ``landscape``; ``min_value`` :math:`s` times its own.

    ``scale`` (and ``loss_scale``) may be arrays of shape ``S``: a batch of unit choices.
    Points then have shape ``(*S, dim)`` (entry ``i`` is measured in units
    ``scale[i]``), ``start`` has shape ``(*S, dim)``, ``minima`` shape ``(k, *S, dim)``,
    and ``domain`` covers every scale; plot a scalar ``Rescaled``, run a batched one.
    Noisy and drifting landscapes work too: ``grad_at``/``value_at`` are rescaled alike.
    """

    def __init__(self, landscape: Landscape, scale: ArrayLike = 1.0,
                 loss_scale: ArrayLike = 1.0) -> None:
        if not isinstance(landscape, Landscape):
            raise ValueError(f"Invalid landscape: {landscape!r} (must be a Landscape)")
        self.landscape = landscape
        self.scale = _positive("scale", scale)
        self.loss_scale = _positive("loss_scale", loss_scale)
        self.batch_shape = np.broadcast_shapes(np.shape(self.scale), np.shape(self.loss_scale))
        # per point: c and s / c with a trailing axis for the coordinates
        self._c = np.asarray(self.scale)[..., None] if np.ndim(self.scale) else self.scale
        s = np.asarray(self.loss_scale)[..., None] if np.ndim(self.loss_scale) else self.loss_scale
        self._g = s / self._c
        self.dim = landscape.dim
        self.stochastic = landscape.stochastic
        self.time_dependent = landscape.time_dependent
        self.log_scale = landscape.log_scale
        self.start = np.broadcast_to(landscape.start * self._c,
                                     self.batch_shape + (self.dim,)).copy()
        k = len(landscape.minima)
        shape = (k,) + (1,) * len(self.batch_shape) + (self.dim,)
        self.minima = np.broadcast_to(landscape.minima.reshape(shape) * self._c,
                                      (k,) + self.batch_shape + (self.dim,)).copy()
        low, high = float(np.min(self.scale)), float(np.max(self.scale))
        self.domain = tuple((min(a * low, a * high), max(b * low, b * high))
                            for a, b in landscape.domain)
        shown = f"{self.scale:g}" if not np.ndim(self.scale) else f"array{np.shape(self.scale)}"
        self.name = f"{landscape.name}, x in units 1/{shown}"
        self.note = (f"{landscape.note} Here the parameters are measured in other units: "
                     f"the same problem, its coordinates multiplied by {shown}.").strip()

    @property
    def min_value(self) -> float | np.ndarray:
        return self.loss_scale * self.landscape.min_value

    def value(self, x: ArrayLike) -> np.ndarray:
        return self.loss_scale * self.landscape.value(self._points(x) / self._c)

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self._g * self.landscape.grad(self._points(x) / self._c)

    def value_at(self, x: ArrayLike, t: int) -> np.ndarray:
        return self.loss_scale * self.landscape.value_at(self._points(x) / self._c, t)

    def grad_at(self, x: ArrayLike, t: int) -> np.ndarray:
        return self._g * self.landscape.grad_at(self._points(x) / self._c, t)


def in_original_units(trajectory: Trajectory, scale: ArrayLike) -> Trajectory:
    """A run on ``Rescaled(f, scale)`` expressed in ``f``'s units: points / c, grads * c.

    Losses, state and divergence are kept as they are (with ``loss_scale = 1`` the loss
    does not depend on the units). ``scale`` may be an array of the run's batch shape.
    """
    c = np.asarray(scale, dtype=float)
    c = c[..., None] if c.ndim else float(c)
    return Trajectory(points=trajectory.points / c, losses=trajectory.losses,
                      grads=trajectory.grads * c, diverged_at=trajectory.diverged_at,
                      state=trajectory.state)


def deviation(trajectory: Trajectory | ArrayLike, reference: Trajectory | ArrayLike,
              landscape: Landscape) -> np.ndarray:
    """Largest distance between two paths in the same units, over the distance start-minimum.

    Each path is a :class:`~alr_teach.lab.runner.Trajectory` or its array of points. Both
    must have the same number of steps; ``trajectory`` may be a batch (points of shape
    (steps + 1, *B, d)). Steps after a divergence (NaN) count as infinitely far. 0 means
    the two paths coincide; 1 means they were at some step as far apart as
    ``landscape``'s start was from its nearest minimum.
    """
    a = np.asarray(getattr(trajectory, "points", trajectory), dtype=float)
    b = np.asarray(getattr(reference, "points", reference), dtype=float)
    b = b.reshape(b.shape[:1] + (1,) * (a.ndim - b.ndim) + b.shape[1:])
    gaps = np.linalg.norm(a - b, axis=-1)
    gaps = np.where(np.isnan(gaps), np.inf, gaps)
    start = np.asarray(landscape.start, dtype=float)
    size = np.min(np.linalg.norm(landscape.minima - start, axis=-1)) if len(
        landscape.minima) else 1.0
    return gaps.max(axis=0) / size


def steps_to_tol(trajectory: Trajectory, min_value: float = 0.0, tol: float = 1e-6) -> np.ndarray:
    """First step at which ``loss - min_value <= tol`` (-1 if never); shape (*B)."""
    reached = (np.asarray(trajectory.losses) - min_value) <= tol  # NaN compares False
    return np.where(reached.any(axis=0), reached.argmax(axis=0), -1)


# -- the explorer ----------------------------------------------------------------------------

#: The landscapes the explorer offers, by name (the "quadratic" is the tilted bowl of
#: notebook 06: curvatures 1 and 10, turned by 30 degrees, start (1, 1)).
LANDSCAPES: dict[str, Callable[[], Landscape]] = {
    "quadratic": lambda: Quadratic([1.0, 10.0], angle=np.pi / 6, start=[1.0, 1.0]),
    "rosenbrock": Rosenbrock,
    "plateau cliff": PlateauCliff,
}

#: The explorer's settings and their defaults (torch's rho and eps; the scale c = 1).
DEFAULTS = {"rho": 0.9, "eps": 1e-6, "scale": 1.0, "steps": 500, "landscape": "quadratic"}

#: RMSProp's learning rate in the explorer: a fixed number, so it is a length in the
#: units of x whatever ``scale`` is (torch's default rate).
RMSPROP_LR = 0.01

#: The runs the explorer draws, in this order (``style(i)`` each).
RUN_NAMES = ("AdaDelta, units 1/c", "AdaDelta, c = 1", "RMSProp, units 1/c", "RMSProp, c = 1")


class UnitsExplorer(Explorer):
    """AdaDelta and RMSProp on the same landscape measured in two units, drawn in one.

    Settings are the keys of :data:`DEFAULTS`: AdaDelta's ``rho`` and ``eps``, the
    ``scale`` c (the parameters are measured in units c times smaller), ``steps``, and
    ``landscape`` (a name in :data:`LANDSCAPES`). Four runs: AdaDelta and RMSProp
    (lr = :data:`RMSPROP_LR`) on ``Rescaled(f, c)`` and on ``f`` itself. Three panels, all
    in the original units: the paths on the contours; the largest per-coordinate step
    against the step number (with AdaDelta's first-step size
    :math:`\\sqrt{\\epsilon/(1-\\rho)}/c`); the loss.

    ``update(**changes)`` returns a summary: AdaDelta's label, the scale, its first step
    (largest coordinate, in the rescaled problem's own units) and the size
    :math:`\\sqrt{\\epsilon/(1-\\rho)}` derived for it, and per run (keys of
    :data:`RUN_NAMES`) the final loss, the first step with loss − minimum
    :math:`\\le 10^{-6}` (-1 if never) and the deviation of the path in units 1/c from
    the path at c = 1 (see :func:`deviation`).
    """

    DEFAULTS = DEFAULTS
    FIGSIZE = (14, 4.4)
    STATIC_FIGSIZE = (16, 5.0)
    REDRAW_ON = ("landscape",)
    ROWS = (("rho", "eps", "scale"), ("steps", "landscape"))

    def check(self, settings: dict) -> dict:
        check.one_of("landscape", settings["landscape"], LANDSCAPES)
        check.whole("steps", settings["steps"], low=1)
        _positive("scale", settings["scale"])
        AdaDelta(rho=settings["rho"], eps=settings["eps"])  # range checks
        return settings

    def prepare(self) -> None:
        self.landscape = LANDSCAPES[self.settings["landscape"]]()
        self.floor = float(self.landscape.min_value)

    def run(self) -> dict[str, Trajectory]:
        """The four runs, keyed by :data:`RUN_NAMES`, all in the original units."""
        s = self.settings
        c = float(s["scale"])
        self.optimizer = AdaDelta(rho=s["rho"], eps=s["eps"])
        scaled = Rescaled(self.landscape, c)
        runs = {}
        for name, optimizer, where in [
            (RUN_NAMES[0], self.optimizer, scaled),
            (RUN_NAMES[1], AdaDelta(rho=s["rho"], eps=s["eps"]), self.landscape),
            (RUN_NAMES[2], RMSProp(lr=RMSPROP_LR), scaled),
            (RUN_NAMES[3], RMSProp(lr=RMSPROP_LR), self.landscape),
        ]:
            trajectory = run(optimizer, where, steps=s["steps"], record_state=False)
            runs[name] = in_original_units(trajectory, c) if where is scaled else trajectory
        return runs

    def compute(self) -> dict[str, Trajectory]:
        self.runs = self.run()
        return self.runs

    def summarise(self, runs: dict[str, Trajectory]) -> dict:
        s = self.settings
        scaled = runs[RUN_NAMES[0]]
        first = np.abs(scaled.points[1] - scaled.points[0]) * s["scale"]  # own units
        deviations = {
            RUN_NAMES[0]: float(deviation(scaled, runs[RUN_NAMES[1]], self.landscape)),
            RUN_NAMES[1]: 0.0,
            RUN_NAMES[2]: float(deviation(runs[RUN_NAMES[2]], runs[RUN_NAMES[3]],
                                          self.landscape)),
            RUN_NAMES[3]: 0.0,
        }
        return {
            "adadelta": label_for(self.optimizer),
            "scale": float(s["scale"]),
            "first_step": float(np.nanmax(first)),
            "first_step_bound": float(np.sqrt(s["eps"] / (1 - s["rho"]))),
            "final_loss": {n: float(t.final_loss) for n, t in runs.items()},
            "steps_to_tol": {n: int(steps_to_tol(t, self.floor)) for n, t in runs.items()},
            "deviation": deviations,
        }

    def summary_html(self) -> str:
        """The summary as a small HTML table."""
        s = self.summary
        rows = "".join(
            f"<tr><td>{name}</td><td>{s['final_loss'][name] - self.floor:.3e}</td>"
            f"<td>{s['steps_to_tol'][name] if s['steps_to_tol'][name] >= 0 else 'never'}</td>"
            f"<td>{s['deviation'][name]:.3g}</td></tr>"
            for name in RUN_NAMES
        )
        return (f"<p>{s['adadelta']}, c = {s['scale']:.3g}: first step "
                f"{s['first_step']:.3g} (derived √(ε/(1−ρ)) = {s['first_step_bound']:.3g}), "
                f"in the units 1/c</p><table><tr><th>run</th><th>final loss − minimum</th>"
                f"<th>steps to 1e-6</th><th>deviation from c = 1</th></tr>{rows}</table>")

    # -- drawing ----------------------------------------------------------------------------
    def draw(self, fig: Figure) -> dict:
        """Axes and empty lines on ``fig``: the contours once, then only data changes."""
        ax_map, ax_step, ax_loss = fig.subplots(1, 3, width_ratios=[1.1, 1, 1])
        contour(ax_map, self.landscape, resolution=120)
        start = np.asarray(self.landscape.start, dtype=float)
        blank = Trajectory(points=start[None], losses=np.array([np.nan]),
                           grads=np.empty((0, 2)), diverged_at=np.array(-1))
        paths = plot_trajectories(ax_map, self.landscape, [blank] * len(RUN_NAMES),
                                  list(RUN_NAMES), legend_loc="lower right")
        step_lines, loss_lines = [], []
        for i in range(len(RUN_NAMES)):  # styles as on the map, whose legend names them
            st = style(i)
            common = {"color": st["color"], "linestyle": st["linestyle"],
                      "marker": st["marker"], "markersize": 4, "linewidth": 1.5}
            step_lines.append(ax_step.plot([], [], **common)[0])
            loss_lines.append(ax_loss.plot([], [], **common)[0])
        first = ax_step.axhline(1.0, color="black", linestyle=":", linewidth=1.2,
                                label="√(ε/(1−ρ)) / c")
        ax_step.set(yscale="log", xlabel="step t",
                    ylabel="largest coordinate step |Δx|, original units (log)")
        ax_loss.set(yscale="log", xlabel="step t", ylabel="loss − minimum (log scale)")
        ax_step.legend(fontsize=8, loc="lower left")
        return {"map": ax_map, "step": ax_step, "loss": ax_loss, "paths": paths,
                "step_lines": step_lines, "loss_lines": loss_lines, "first": first}

    def moving(self, artists: dict) -> list:
        """The contours are rendered once per landscape; the rest stays live."""
        return [*artists["paths"].artists(legend=False), artists["map"].title, artists["step"],
                artists["loss"]]

    def show(self, artists: dict, runs: dict[str, Trajectory]) -> None:
        """Put the runs on the lines made by :meth:`draw` and rescale the two plots."""
        s = self.settings
        trajectories = [runs[n] for n in RUN_NAMES]
        update_trajectories(artists["paths"], trajectories)
        steps = np.arange(1, s["steps"] + 1)
        every = max(1, s["steps"] // 10)
        all_steps, all_gaps = [], []
        for k, trajectory in enumerate(trajectories):
            size = np.max(np.abs(np.diff(trajectory.points, axis=0)), axis=-1)
            gap = np.maximum(trajectory.losses - self.floor, 1e-16)  # NaN stays NaN
            artists["step_lines"][k].set_data(steps, np.where(size > 0, size, np.nan))
            artists["loss_lines"][k].set_data(np.arange(s["steps"] + 1), gap)
            for line in (artists["step_lines"][k], artists["loss_lines"][k]):
                line.set_markevery(every)
            all_steps.append(size)
            all_gaps.append(gap)
        bound = np.sqrt(s["eps"] / (1 - s["rho"])) / s["scale"]
        artists["first"].set_ydata([bound, bound])
        _fit_log_axis(artists["step"], [*all_steps, [bound]], s["steps"], floor=1e-12)
        _fit_log_axis(artists["loss"], all_gaps, s["steps"], floor=1e-16)
        c = s["scale"]
        artists["map"].set_title(f"{self.landscape.name}\npaths in the original units, "
                                 f"c = {c:.3g}", fontsize=9)
        artists["step"].set_title(f"Step sizes: {label_for(self.optimizer)}, "
                                  f"RMSProp(lr={RMSPROP_LR:g})", fontsize=9)
        adadelta = deviation(trajectories[0], trajectories[1], self.landscape)
        rmsprop = deviation(trajectories[2], trajectories[3], self.landscape)
        artists["loss"].set_title(f"Loss; path off the c = 1 path by\n{adadelta:.2g} "
                                  f"(AdaDelta), {rmsprop:.2g} (RMSProp)", fontsize=9)

    # -- the widget -------------------------------------------------------------------------
    def control_specs(self) -> dict[str, Control]:
        """Sliders for ρ, ε (log), the scale c (log) and steps, and a landscape menu."""
        return {
            "rho": Slider(0.0, 0.99, 0.01, "ρ", ".2f"),
            "eps": LogSlider(-10, -1, 0.5, "ε", ".0e"),
            "scale": LogSlider(-2, 2, 0.25, "scale c", ".3g"),
            "steps": IntSlider(100, 3000, 100, "steps"),
            "landscape": Menu(list(LANDSCAPES), "landscape"),
        }


def _fit_log_axis(ax: Axes, series: list, steps: int, floor: float) -> None:
    """x from 0 to ``steps``; y around the finite values above ``floor`` (a decade's margin)."""
    values = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in series])
    values = values[np.isfinite(values) & (values >= floor)]
    low, high = (values.min(), values.max()) if values.size else (1e-3, 1.0)
    ax.set_xlim(0, max(steps, 1))
    ax.set_ylim(10 ** np.floor(np.log10(low) - 0.2), 10 ** np.ceil(np.log10(high) + 0.2))
