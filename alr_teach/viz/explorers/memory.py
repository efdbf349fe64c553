r"""RMSProp's memory: what its averaging factor alpha forgets, and what that buys.

RMSProp keeps :math:`E[g^2]_t = \alpha E[g^2]_{t-1} + (1 - \alpha) g_t^2`, so a gradient
``k`` steps back weighs :math:`(1 - \alpha)\alpha^k`. This module gives

* the memory's numbers: :func:`memory_weights`, :func:`half_life`, :func:`effective_memory`;
* a non-stationary objective: :class:`CurvatureSwitch` (a bowl whose curvature, hence the
  gradient's scale, changes abruptly at one step) and :func:`switching_target` (that bowl
  with its minimum moving at constant velocity);
* a fair way to compare optimizers on it: :func:`tracking_error` (distance to the
  current minimum) and :func:`sweep_tracking` (each learning rate of a grid in one
  vectorised run, judged by mean tracking error);
* plots, and :class:`MemoryExplorer`: sliders for ``alpha``, ``lr`` and ``steps``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.problems.landscapes import Drifting, Landscape
from alr_teach.viz.explorers.base import Control, Explorer, IntSlider, LogSlider, Slider
from alr_teach.viz.plots import style

__all__ = [
    "REFERENCE_LRS",
    "CurvatureSwitch",
    "MemoryExplorer",
    "TrackingSweep",
    "effective_memory",
    "half_life",
    "memory_weights",
    "plot_memory_weights",
    "plot_tracking_errors",
    "sweep_tracking",
    "switching_target",
    "tracking_error",
]

# -- the memory, in numbers -------------------------------------------------------------------


def _alpha(value: object) -> float:
    """One averaging factor: a real number in [0, 1)."""
    return float(check.decay_factor("alpha", check.real("alpha", value)))


def memory_weights(alpha: float, steps: int) -> np.ndarray:
    r"""Weights :math:`(1 - \alpha)\alpha^k` of the gradients ``k = 0 .. steps - 1`` steps back.

    Unrolling the average from :math:`E[g^2]_0 = 0` gives
    :math:`E[g^2]_t = \sum_{k=0}^{t-1} (1 - \alpha)\alpha^k g_{t-k}^2`; the first ``t``
    weights sum to :math:`1 - \alpha^t`.
    """
    alpha = _alpha(alpha)
    steps = check.whole("steps", steps)
    return (1.0 - alpha) * alpha ** np.arange(steps, dtype=float)


def half_life(alpha: float) -> float:
    r"""Steps after which a gradient's weight has halved: :math:`\log 0.5 / \log\alpha`.

    0 for ``alpha = 0`` (the average is just the latest squared gradient).
    """
    alpha = _alpha(alpha)
    return 0.0 if alpha == 0 else float(np.log(0.5) / np.log(alpha))


def effective_memory(alpha: float) -> float:
    r"""The average's memory length in steps, :math:`1 / (1 - \alpha)`.

    A plain average of the last ``N`` squared gradients gives the newest one weight
    ``1/N``; the moving average gives it :math:`1 - \alpha`, so ``N = 1/(1 - alpha)``.
    It is also the mean age of the averaged gradients, counting the newest as 1 step old.
    """
    alpha = _alpha(alpha)
    return float(1.0 / (1.0 - alpha))


# -- a non-stationary objective ---------------------------------------------------------------


class CurvatureSwitch(Landscape):
    r"""A round bowl whose curvature changes abruptly after step ``switch_at``.

    .. math::

        f_t(x) = \tfrac12\, a(t)\, \lVert x \rVert^2, \qquad
        a(t) = \begin{cases} a_{\text{before}} & t \le T \\
                             a_{\text{after}} & t > T \end{cases}

    with ``T`` = ``switch_at``. The minimum stays at the origin; at the same distance from
    it the gradient is ``after / before`` times as large after the switch as before. Wrap
    it in :class:`~alr_teach.problems.landscapes.Drifting` to move the minimum as well (see
    :func:`switching_target`). ``value``/``grad`` are the landscape at ``t = 0``.
    """

    time_dependent = True

    def __init__(
        self,
        before: float = 1.0,
        after: float = 0.01,
        switch_at: int = 300,
        start: ArrayLike = (0.5, 0.5),
    ) -> None:
        self.before = check.real("before", before, low=0.0, low_open=True)
        self.after = check.real("after", after, low=0.0, low_open=True)
        self.switch_at = check.whole("switch_at", switch_at)
        point = np.asarray(start, dtype=float)
        if point.ndim != 1 or point.size == 0 or not np.all(np.isfinite(point)):
            raise ValueError(f"Invalid start: {start!r} (must be one or more finite numbers)")
        self.start = point
        self.dim = point.size
        self.minima = np.zeros((1, self.dim))
        half = 1.5 * float(np.max(np.abs(point)) or 1.0)
        self.domain = ((-half, half),) * self.dim
        self.name = (f"bowl whose curvature goes from {self.before:g} to {self.after:g} "
                     f"after step {self.switch_at}")
        self.note = ("The gradient's scale changes abruptly: an optimizer that remembers "
                     "every old gradient keeps the old scale.")

    def curvature_at(self, t: float) -> float:
        """The curvature in force at step ``t``."""
        return self.before if t <= self.switch_at else self.after

    def value(self, x: ArrayLike) -> np.ndarray:
        return self.value_at(x, 0)

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self.grad_at(x, 0)

    def value_at(self, x: ArrayLike, t: float) -> np.ndarray:
        x = self._points(x)
        return 0.5 * self.curvature_at(t) * np.sum(x * x, axis=-1)

    def grad_at(self, x: ArrayLike, t: float) -> np.ndarray:
        return self.curvature_at(t) * self._points(x)


def switching_target(
    velocity: float = 0.01,
    before: float = 1.0,
    after: float = 0.01,
    horizon: int = 600,
    switch_at: int | None = None,
) -> Drifting:
    """A moving target whose gradient scale changes halfway (or after ``switch_at``).

    A :class:`CurvatureSwitch` bowl from the start ``(0.5, 0.5)`` whose minimum moves by
    ``velocity`` per step in each coordinate (along the diagonal), for ``horizon`` steps.
    With ``after == before`` it is a plain drifting bowl.
    """
    horizon = check.whole("horizon", horizon, low=1)
    switch = horizon // 2 if switch_at is None else switch_at
    bowl = CurvatureSwitch(before=before, after=after, switch_at=switch)
    v = check.real("velocity", velocity)
    return Drifting(bowl, velocity=(v, v), horizon=horizon)


# -- measuring how well a run follows the target ------------------------------------------------


def tracking_error(trajectory: Trajectory, landscape: Landscape) -> np.ndarray:
    """Distance from each point to the minimum at that step, shape (steps + 1, *B).

    Row ``t`` compares the point after step ``t`` with the minimum of the landscape at
    step ``t`` (``landscape.minimum_at(t)`` when the landscape moves, else its first
    minimum). NaN after a run diverged.
    """
    points = np.asarray(trajectory.points, dtype=float)
    steps = points.shape[0]
    if hasattr(landscape, "minimum_at"):
        centers = np.array([landscape.minimum_at(t)[0] for t in range(steps)])
    else:
        centers = np.broadcast_to(landscape.minima[0], (steps, landscape.dim))
    centers = centers.reshape((steps,) + (1,) * (points.ndim - 2) + (landscape.dim,))
    return np.linalg.norm(points - centers, axis=-1)


@dataclass
class TrackingSweep:
    """Outcome of :func:`sweep_tracking`: one entry per learning rate.

    ``mean_error`` is the mean tracking error over steps 1..steps (inf where the run
    diverged); ``errors`` the tracking error of every run, shape (steps + 1, n).
    """

    lrs: np.ndarray
    mean_error: np.ndarray
    diverged: np.ndarray
    errors: np.ndarray

    @property
    def best_index(self) -> int:
        """Index of the rate with the lowest mean tracking error (ties: the first)."""
        return int(np.argmin(self.mean_error))

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best_index])

    @property
    def best_errors(self) -> np.ndarray:
        """Tracking error against step of the best rate, shape (steps + 1,)."""
        return self.errors[:, self.best_index]


def sweep_tracking(
    optimizer_class: type[Optimizer],
    landscape: Landscape,
    lrs: ArrayLike,
    *,
    steps: int,
    **fixed: object,
) -> TrackingSweep:
    """Run ``optimizer_class(lr=lr, **fixed)`` for every ``lr`` in one vectorised batch.

    Every run starts at the landscape's start; each is judged by its mean tracking
    error over steps 1..``steps``, and a diverged run counts as infinitely bad. Giving
    each optimizer the same grid and picking its best rate is the fair comparison.
    """
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"Invalid lrs: shape {lrs.shape} (must be a non-empty 1-D array)")
    optimizer = optimizer_class(lr=lrs, **fixed)
    start = np.broadcast_to(landscape.start, (lrs.size, landscape.dim))
    trajectory = run(optimizer, landscape, start, steps, record_state=False)
    errors = tracking_error(trajectory, landscape)
    with np.errstate(invalid="ignore"):
        mean = np.where(trajectory.diverged, np.inf, np.mean(errors[1:], axis=0))
    return TrackingSweep(lrs, mean, trajectory.diverged, errors)


# -- plots ------------------------------------------------------------------------------------


def plot_memory_weights(
    ax: Axes,
    alphas: Sequence[float],
    steps: int,
    *,
    log: bool = False,
    labels: Sequence[str] | None = None,
) -> list[tuple[Line2D, Line2D]]:
    r"""The weights :math:`(1 - \alpha)\alpha^k` against ``k`` for each alpha, half-lives marked.

    One styled line per alpha (``style(i)``) and a vertical line of the same colour at
    its half-life. ``log=True`` puts the weights on a log axis (an exponential decay is
    then a straight line). Returns (weights line, half-life line) per alpha.
    """
    k = np.arange(steps)
    drawn = []
    for i, alpha in enumerate(alphas):
        st = style(i)
        name = labels[i] if labels is not None else f"α = {alpha:g}"
        weights = memory_weights(alpha, steps)
        (line,) = ax.plot(k, np.where(weights > 0, weights, np.nan), color=st["color"],
                          linestyle=st["linestyle"], marker=st["marker"], markersize=4,
                          markevery=max(1, steps // 12), label=name)
        h = half_life(alpha)
        marker = ax.axvline(h, color=st["color"], linestyle=":", linewidth=1.2,
                            label=f"half-life {h:.1f} steps")
        drawn.append((line, marker))
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="k (steps back)", ylabel="weight of the gradient k steps back",
           title=r"RMSProp's memory: weight $(1-\alpha)\,\alpha^k$", xlim=(0, steps))
    ax.legend(fontsize=8, loc="upper right")
    return drawn


def plot_tracking_errors(
    ax: Axes,
    errors: Sequence[np.ndarray],
    labels: Sequence[str],
    *,
    switch_at: int | None = None,
) -> list[Line2D]:
    """Tracking error against step (log axis), one styled line per run; switch marked."""
    lines = []
    for i, (values, label) in enumerate(zip(errors, labels)):
        st = style(i)
        steps = np.arange(len(values))
        (line,) = ax.plot(steps, values, color=st["color"], linestyle=st["linestyle"],
                          marker=st["marker"], markersize=4,
                          markevery=max(1, len(values) // 12), linewidth=1.5, label=label)
        lines.append(line)
    if switch_at is not None:
        ax.axvline(switch_at, color="black", linestyle=":", linewidth=1.2,
                   label=f"curvature switches (step {switch_at})")
    ax.set_yscale("log")
    ax.set(xlabel="step t", ylabel="distance to the current minimum (log scale)",
           title="Tracking error against step")
    ax.legend(fontsize=8, loc="best")
    return lines


# -- the explorer ------------------------------------------------------------------------------

#: learning rates the explorer's AdaGrad reference is tuned over (its best is drawn)
REFERENCE_LRS = np.logspace(-3, 1, 41)


class MemoryExplorer(Explorer):
    """RMSProp on a moving target whose gradient scale drops halfway, with AdaGrad for reference.

    The target is :func:`switching_target` over ``steps`` steps (curvature ``before`` until
    step ``steps // 2``, then ``after``; minimum moving ``velocity`` per step in each
    coordinate). Left: tracking error of RMSProp (``alpha``, ``lr``) and of AdaGrad at its
    best rate on :data:`REFERENCE_LRS` (mean tracking error over the whole run; tuned once
    per ``steps``). Right: RMSProp's memory weights with the half-life and ``1/(1 - alpha)``.

    ``update(alpha=..., lr=..., steps=...)`` reruns, moves the lines and returns a summary;
    ``widget()`` wires sliders to it (released to apply) and shows the figure as a PNG.
    """

    DEFAULTS = {"alpha": 0.9, "lr": 0.025, "steps": 600}
    FIGSIZE = (11, 4.2)
    STATIC_FIGSIZE = (12, 4.4)
    REDRAW_ON = ("steps",)  # the x limits and the switch
    #: the summary's errors are means over this final fraction of the steps
    WINDOW = 0.25
    ERROR_LIMITS = (1e-4, 10.0)
    WEIGHT_LIMITS = (1e-8, 1.5)

    def __init__(
        self,
        alpha: float = 0.9,
        lr: float = 0.025,
        steps: int = 600,
        *,
        velocity: float = 0.01,
        before: float = 1.0,
        after: float = 0.01,
    ) -> None:
        self.target = {"velocity": velocity, "before": before, "after": after}
        switching_target(**self.target)  # checks the target's settings
        self._references: dict[int, TrackingSweep] = {}
        super().__init__(alpha=alpha, lr=lr, steps=steps)

    def check(self, settings: dict) -> dict:
        RMSProp(lr=settings["lr"], alpha=settings["alpha"])  # RMSProp checks the ranges
        check.whole("steps", settings["steps"], low=10)
        return settings

    # -- model ----------------------------------------------------------------------------
    def landscape(self) -> Drifting:
        """The target for the current number of steps."""
        return switching_target(horizon=self.settings["steps"], **self.target)

    def reference(self) -> TrackingSweep:
        """AdaGrad's learning-rate sweep for the current number of steps (cached)."""
        steps = self.settings["steps"]
        if steps not in self._references:
            self._references[steps] = sweep_tracking(AdaGrad, self.landscape(), REFERENCE_LRS,
                                                     steps=steps)
        return self._references[steps]

    def rmsprop_run(self) -> Trajectory:
        s = self.settings
        return run(RMSProp(lr=s["lr"], alpha=s["alpha"]), self.landscape(), steps=s["steps"],
                   record_state=False)

    def curves(self) -> dict[str, np.ndarray]:
        """Everything the figure shows, for the current settings."""
        s = self.settings
        trajectory = self.rmsprop_run()
        reference = self.reference()
        return {
            "rmsprop": tracking_error(trajectory, self.landscape()),
            "adagrad": reference.best_errors,
            "weights": memory_weights(s["alpha"], s["steps"]),
            "diverged_at": int(trajectory.diverged_at),
        }

    def compute(self) -> dict:
        """:meth:`curves`, with the means over the last :attr:`WINDOW` of the steps."""
        data = self.curves()
        steps = self.settings["steps"]
        tail = slice(steps + 1 - max(1, int(round(self.WINDOW * steps))), None)
        with np.errstate(invalid="ignore"):
            rms = float(np.mean(data["rmsprop"][tail]))
        return {**data, "rmsprop_error": rms if data["diverged_at"] < 0 else float("nan"),
                "adagrad_error": float(np.mean(data["adagrad"][tail])),
                "adagrad_lr": self.reference().best_lr}

    def summarise(self, data: dict) -> dict:
        s = self.settings
        return {
            "alpha": float(s["alpha"]), "lr": float(s["lr"]), "steps": int(s["steps"]),
            "switch_at": s["steps"] // 2,
            "half_life": half_life(s["alpha"]), "effective_memory": effective_memory(s["alpha"]),
            "rmsprop_error": data["rmsprop_error"],
            "rmsprop_diverged_at": data["diverged_at"],
            "adagrad_error": data["adagrad_error"],
            "adagrad_lr": data["adagrad_lr"],
        }

    # -- drawing ----------------------------------------------------------------------------
    def draw(self, fig: Figure) -> dict:
        """The two axes and their (empty) artists; :meth:`show` fills them in."""
        s = self.settings
        ax_error, ax_memory = fig.subplots(1, 2)
        rms, ada = style(0), style(1)
        artists = {"ax_error": ax_error, "ax_memory": ax_memory}
        (artists["rmsprop"],) = ax_error.plot([], [], color=rms["color"],
                                              linestyle=rms["linestyle"], linewidth=1.5,
                                              label="RMSProp (α and lr from the sliders)")
        (artists["adagrad"],) = ax_error.plot([], [], color=ada["color"],
                                              linestyle=ada["linestyle"], linewidth=1.5,
                                              label="AdaGrad (its best rate of a sweep)")
        artists["switch"] = ax_error.axvline(s["steps"] // 2, color="black", linestyle=":",
                                             linewidth=1.2, label="gradient scale changes")
        ax_error.set(yscale="log", ylim=self.ERROR_LIMITS, xlim=(0, s["steps"]),
                     xlabel="step t", ylabel="distance to the current minimum (log scale)")
        ax_error.legend(fontsize=8, loc="upper left")
        (artists["weights"],) = ax_memory.plot([], [], color=rms["color"], linewidth=1.8,
                                               label=r"weight $(1-\alpha)\,\alpha^k$")
        artists["half_life"] = ax_memory.axvline(0, color=style(2)["color"], linestyle="--",
                                                 label=r"half-life $\log 0.5 / \log\alpha$")
        artists["memory"] = ax_memory.axvline(0, color=style(3)["color"], linestyle="-.",
                                              label=r"memory $1 / (1-\alpha)$")
        ax_memory.set(yscale="log", ylim=self.WEIGHT_LIMITS, xlim=(0, s["steps"]),
                      xlabel="k (steps back)", ylabel="weight (log scale)")
        ax_memory.legend(fontsize=8, loc="upper right")
        return artists

    def moving(self, artists: dict) -> list:
        """Lines and titles change; axes, ticks and legends are rendered once per ``steps``."""
        return [*(artists[k] for k in ("rmsprop", "adagrad", "switch", "weights", "half_life",
                                      "memory")),
                artists["ax_error"].title, artists["ax_memory"].title]

    def show(self, artists: dict, data: dict) -> None:
        s = self.settings
        steps = np.arange(s["steps"] + 1)
        artists["rmsprop"].set_data(steps, data["rmsprop"])
        artists["adagrad"].set_data(steps, data["adagrad"])
        artists["switch"].set_xdata([s["steps"] // 2] * 2)
        artists["weights"].set_data(np.arange(s["steps"]),
                                    np.where(data["weights"] > 0, data["weights"], np.nan))
        h, memory = half_life(s["alpha"]), effective_memory(s["alpha"])
        artists["half_life"].set_xdata([h, h])
        artists["memory"].set_xdata([memory, memory])
        artists["ax_memory"].set_title(
            f"RMSProp's memory, α = {s['alpha']:.3f}: half-life {h:.1f} steps, "
            f"1/(1−α) = {memory:.1f} steps", fontsize=9)
        verdict = (f"diverged at step {data['diverged_at']}" if data["diverged_at"] >= 0
                   else f"{data['rmsprop_error']:.3g}")
        artists["ax_error"].set_title(
            f"Mean error over the last {self.WINDOW:.0%}: RMSProp(lr={s['lr']:.3g}, "
            f"α={s['alpha']:.3f}) {verdict}, AdaGrad(lr={data['adagrad_lr']:.3g}) "
            f"{data['adagrad_error']:.3g}", fontsize=9)

    def summary_html(self) -> str:
        s = self.summary
        rms = (f"diverged at step {s['rmsprop_diverged_at']}" if s["rmsprop_diverged_at"] >= 0
               else f"{s['rmsprop_error']:.4f}")
        return (f"<p>Mean tracking error over the last {self.WINDOW:.0%} of the steps: "
                f"RMSProp {rms}, AdaGrad (lr {s['adagrad_lr']:.3g}) {s['adagrad_error']:.4f}. "
                f"Half-life {s['half_life']:.1f} steps, memory {s['effective_memory']:.1f} "
                f"steps.</p>")

    # -- the widget -------------------------------------------------------------------------
    def control_specs(self) -> dict[str, Control]:
        """Sliders for alpha, lr (log) and steps, released to apply."""
        return {
            "alpha": Slider(0.0, 0.999, 0.001, "α", ".3f"),
            "lr": LogSlider(-4, 0, 0.05, "lr", ".2e"),
            "steps": IntSlider(100, 3000, 100, "steps"),
        }
