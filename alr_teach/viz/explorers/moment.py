"""Adam's two moments and their bias correction, beside Adam without it, and an explorer.

:class:`~alr_teach.optimizers.adam_variants.UncorrectedAdam` is Adam with the bias
correction left out, to show what the correction is for (its first steps are off by
:math:`(1-\\beta_1)/\\sqrt{1-\\beta_2}`). This module gives

* :func:`uncorrected_step_size`: that variant's step on a steady slope, in units of ``lr``.
* :func:`moment_series`: the curves of one coordinate's moments that a figure draws.
* :class:`MomentExplorer`: Adam and its uncorrected twin on a 2-D landscape, with the raw
  and corrected moments of one coordinate; sliders for ``lr``, ``beta1``, ``beta2``, ``eps``.

Like every explorer in ``alr_teach``, it is an :class:`~alr_teach.viz.explorers.base.Explorer`:
``update(...)`` reruns, moves the artists of its figure and returns a summary, and
``widget()`` wires sliders (released to apply) to it. Tests drive it headlessly.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers.adam import Adam
from alr_teach.optimizers.adam_variants import UncorrectedAdam
from alr_teach.problems.landscapes import LANDSCAPES, Landscape
from alr_teach.problems.landscapes import get as get_landscape
from alr_teach.viz.explorers.base import (
    Control,
    Explorer,
    IntSlider,
    LogSlider,
    Menu,
    Slider,
)
from alr_teach.viz.surface_plots import (
    contour,
    plot_losses,
    plot_moments,
    plot_trajectories,
    update_trajectories,
)

__all__ = ["MomentExplorer", "moment_series", "uncorrected_step_size"]


def uncorrected_step_size(beta1: float, beta2: float, t) -> np.ndarray:
    r"""The step of Adam without bias correction on a steady slope, in units of ``lr``.

    With a constant gradient :math:`g` (and :math:`\epsilon \ll |g|`) the moments are
    :math:`m_t = (1-\beta_1^t) g` and :math:`v_t = (1-\beta_2^t) g^2`, so the step is
    :math:`\eta (1-\beta_1^t)/\sqrt{1-\beta_2^t}`; Adam's is exactly :math:`\eta`. ``t``
    may be an array of step numbers (1 on the first step).
    """
    beta1 = check.decay_factor("beta1", beta1)
    beta2 = check.decay_factor("beta2", beta2)
    t = np.asarray(t, dtype=float)
    if np.any(t < 1) or np.any(t != np.round(t)):
        raise ValueError(f"Invalid t: {t!r} (step numbers are whole numbers >= 1)")
    return (1 - beta1**t) / np.sqrt(1 - beta2**t)


def moment_series(
    trajectory: Trajectory, beta1: float, beta2: float, coordinate: int = 0
) -> dict[str, np.ndarray]:
    r"""One coordinate's moments against the step, as :func:`plot_moments` draws them.

    From a run of :class:`~alr_teach.Adam` recorded with its state: ``t`` (1, 2, ...),
    ``g2`` (:math:`g_t^2`), ``v``, ``v_hat`` (:math:`v_t/(1-\beta_2^t)`), ``m_abs``
    (:math:`|m_t|`) and ``m_hat_abs`` (:math:`|m_t|/(1-\beta_1^t)`).
    """
    state = trajectory.state
    if "m" not in state or "v" not in state:
        raise ValueError(f"moment_series needs a run that recorded Adam's state 'm' and 'v' "
                         f"(this one has {sorted(state) or 'none'})")
    m = np.asarray(state["m"], dtype=float)[:, coordinate]
    v = np.asarray(state["v"], dtype=float)[:, coordinate]
    t = np.arange(1, v.shape[0] + 1)
    g = np.asarray(trajectory.grads, dtype=float)[:, coordinate]
    return {"t": t, "g2": g**2, "v": v, "v_hat": v / (1 - beta2**t), "m_abs": np.abs(m),
            "m_hat_abs": np.abs(m) / (1 - beta1**t)}


#: the order of plot_moments' lines, by the key of moment_series each one shows
_MOMENT_KEYS = ("g2", "v", "v_hat", "m_abs", "m_hat_abs")


class MomentExplorer(Explorer):
    """Adam and Adam without bias correction on a 2-D landscape, with one coordinate's moments.

    Three panels: the two paths on the contour map, their losses against the step, and
    for one ``coordinate`` of the Adam run :math:`g_t^2`, :math:`v_t`, :math:`\\hat v_t`,
    :math:`|m_t|` and :math:`|\\hat m_t|` (as :func:`~alr_teach.viz.surface_plots.plot_moments`).

    ``update(**changes)`` takes any of ``lr``, ``beta1``, ``beta2``, ``eps``, ``steps``,
    ``coordinate`` (0 or 1) and ``landscape`` (a name from
    :data:`alr_teach.problems.landscapes.LANDSCAPES`), reruns both optimizers, moves the lines
    (the contours are drawn once per landscape) and returns a summary. ``widget()``
    puts sliders on top of it; ``static_figure()`` draws the same view with pyplot.
    """

    DEFAULTS = {"landscape": "rosenbrock", "lr": 0.05, "beta1": 0.9, "beta2": 0.999,
                "eps": 1e-8, "steps": 300, "coordinate": 0}
    NAMES = ("Adam", "Adam without bias correction")
    FIGSIZE = (14, 4.4)
    STATIC_FIGSIZE = (16, 4.8)
    REDRAW_ON = ("landscape",)
    ROWS = (("lr", "beta1", "beta2", "eps"), ("steps", "landscape", "coordinate"))

    def check(self, settings: dict) -> dict:
        Adam(lr=settings["lr"], betas=(settings["beta1"], settings["beta2"]),
             eps=settings["eps"])
        check.in_range("lr", settings["lr"], 0.0, low_open=True)
        check.one_of("landscape", settings["landscape"], LANDSCAPES)
        if get_landscape(settings["landscape"]).dim != 2:
            raise ValueError(f"Invalid landscape: {settings['landscape']!r} (must be 2-D)")
        check.whole("steps", settings["steps"], low=10)
        if settings["coordinate"] not in (0, 1):
            raise ValueError(f"Invalid coordinate: {settings['coordinate']!r} "
                             f"(0 for x, 1 for y)")
        return settings

    def prepare(self) -> None:
        self.landscape: Landscape = get_landscape(self.settings["landscape"])
        finite = np.isfinite(self.landscape.min_value)
        self.floor = self.landscape.min_value if finite else 0.0

    # -- model ----------------------------------------------------------------------------
    def optimizers(self) -> dict[str, Adam]:
        """The two optimizers for the current settings, keyed by :attr:`NAMES`."""
        s = self.settings
        kwargs = {"lr": s["lr"], "betas": (s["beta1"], s["beta2"]), "eps": s["eps"]}
        return {self.NAMES[0]: Adam(**kwargs), self.NAMES[1]: UncorrectedAdam(**kwargs)}

    def runs(self) -> dict[str, Trajectory]:
        """Both runs from the landscape's start, with their state recorded."""
        return {name: run(opt, self.landscape, steps=self.settings["steps"])
                for name, opt in self.optimizers().items()}

    def compute(self) -> dict[str, Trajectory]:
        return self.runs()

    def summarise(self, runs: dict[str, Trajectory]) -> dict:
        s = self.settings
        c = s["coordinate"]

        def first_step(trajectory: Trajectory) -> float:
            step = abs(trajectory.points[1, c] - trajectory.points[0, c])
            return float(step / s["lr"])

        adam, plain = (runs[n] for n in self.NAMES)
        return {
            **{k: s[k] for k in ("landscape", "lr", "beta1", "beta2", "eps", "steps")},
            "coordinate": "xy"[c],
            "final_loss": float(adam.final_loss - self.floor),
            "diverged_at": int(adam.diverged_at),
            "uncorrected_final_loss": float(plain.final_loss - self.floor),
            "uncorrected_diverged_at": int(plain.diverged_at),
            "first_step": first_step(adam),
            "uncorrected_first_step": first_step(plain),
            "predicted_uncorrected_first_step":
                float((1 - s["beta1"]) / np.sqrt(1 - s["beta2"])),
        }

    # -- drawing ----------------------------------------------------------------------------
    def draw(self, fig: Figure) -> dict:
        """Contours and the (still empty) lines of every panel for the current landscape."""
        ax_map, ax_loss, ax_moments = fig.subplots(1, 3, width_ratios=[1.1, 1, 1])
        blank = self._blank()
        contour(ax_map, self.landscape, resolution=120)
        paths = plot_trajectories(ax_map, self.landscape, [blank, blank], list(self.NAMES),
                                  legend_loc="upper right")
        loss_lines = plot_losses(ax_loss, [blank, blank], list(self.NAMES), min_value=self.floor)
        ax_loss.set_title("Loss against step")
        moment_lines = plot_moments(ax_moments, blank, self.settings["beta1"],
                                    self.settings["beta2"], steps=blank.steps)
        ax_moments.legend(fontsize=7, loc="lower right")
        return {"ax_map": ax_map, "ax_loss": ax_loss, "ax_moments": ax_moments, "paths": paths,
                "loss_lines": loss_lines, "moment_lines": moment_lines}

    def moving(self, view: dict) -> list:
        """The contour map is rendered once per landscape; the paths, the legend and the
        two panels whose axes rescale are drawn on every redraw."""
        return [*view["paths"].artists(), view["ax_loss"], view["ax_moments"]]

    def show(self, view: dict, runs: dict[str, Trajectory]) -> None:
        s = self.settings
        trajectories = list(runs.values())
        update_trajectories(view["paths"], trajectories)
        for line, trajectory in zip(view["loss_lines"], trajectories):
            ok = np.isfinite(trajectory.losses)
            steps = np.arange(trajectory.losses.size)
            line.set_data(steps[ok], np.maximum(trajectory.losses[ok] - self.floor, 1e-16))
            line.set_markevery(max(1, ok.sum() // 10))
        adam = runs[self.NAMES[0]]
        series = moment_series(adam, s["beta1"], s["beta2"], s["coordinate"])
        for line, key in zip(view["moment_lines"], _MOMENT_KEYS):
            values = series[key]
            line.set_data(series["t"], np.where(values > 0, values, np.nan))
            line.set_markevery(max(1, series["t"].size // 10))
        for ax in (view["ax_loss"], view["ax_moments"]):
            ax.relim()
            ax.autoscale_view()
        view["ax_loss"].set_xlim(0, s["steps"])
        name = "xy"[s["coordinate"]]
        view["ax_moments"].set_title(
            f"Moments of coordinate {name}: β1={s['beta1']:g}, β2={s['beta2']:g}",
            fontsize=10)

    def _blank(self) -> Trajectory:
        """A one-step placeholder run (the lines get their data from ``update``)."""
        start = np.asarray(self.landscape.start, dtype=float)
        step = np.ones((1, 2))
        return Trajectory(np.stack([start, start]), np.full(2, 1.0), step, np.array(-1),
                          {"m": 0.1 * step, "v": (1 - self.settings["beta2"]) * step})

    def summary_html(self) -> str:
        """The outcome of both runs and the first steps, as a short HTML paragraph."""
        s = self.summary

        def outcome(loss: float, at: int) -> str:
            return f"diverged at step {at}" if at >= 0 else f"final loss − minimum {loss:.3e}"

        return (f"<p>Adam: {outcome(s['final_loss'], s['diverged_at'])}; without bias "
                f"correction: {outcome(s['uncorrected_final_loss'], s['uncorrected_diverged_at'])}"
                f".<br>First step of coordinate {s['coordinate']} in units of lr: Adam "
                f"{s['first_step']:.3f}, uncorrected {s['uncorrected_first_step']:.3f} "
                f"(predicted (1−β1)/√(1−β2) = {s['predicted_uncorrected_first_step']:.3f}).</p>")

    # -- the widget -------------------------------------------------------------------------
    def control_specs(self) -> dict[str, Control]:
        """Sliders for lr, eps (log), beta1, beta2, steps; landscape and coordinate menus."""
        return {
            "lr": LogSlider(-4, 0.5, 0.05, "lr η"),
            "beta1": Slider(0.0, 0.999, 0.001, "β1", ".3f"),
            "beta2": Slider(0.0, 0.9999, 0.0001, "β2", ".4f"),
            "eps": LogSlider(-10, 0, 0.05, "ε"),
            "steps": IntSlider(10, 1000, 10, "steps"),
            "landscape": Menu(list(LANDSCAPES), "landscape"),
            "coordinate": Menu([("x", 0), ("y", 1)], "moments of"),
        }
