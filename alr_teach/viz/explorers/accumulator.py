r"""An explorer for AdaGrad's accumulator: the path, each coordinate's rate and its sum.

AdaGrad keeps, per coordinate, the running sum of squared gradients
:math:`G_t = G_0 + \sum_{s \le t} g_s^2` (``state["sum_sq"]``) and steps with the
effective rate :math:`\eta / (\sqrt{G_t} + \epsilon)`. :class:`AccumulatorExplorer`
runs :class:`~alr_teach.AdaGrad` on a 2-D landscape and draws three panels: the path on
the contours, each coordinate's effective rate against the step, and each coordinate's
:math:`G_t` against the step. ``update(...)`` is the whole callback (it returns a
summary dict); ``widget()`` puts sliders for ``lr``, ``eps``,
``initial_accumulator_value`` and ``steps`` on top of it (the wiring is
:class:`~alr_teach.viz.explorers.base.Explorer`'s).
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.problems.landscapes import Landscape
from alr_teach.problems.landscapes import get as get_landscape
from alr_teach.viz.explorers.base import Control, Explorer, IntSlider, LogSlider, Slider
from alr_teach.viz.plots import style
from alr_teach.viz.surface_plots import (
    contour,
    label_for,
    plot_trajectories,
    update_trajectories,
)

__all__ = ["DEFAULTS", "AccumulatorExplorer", "effective_rates"]

#: The explorer's settings and their defaults (torch's eps and accumulator start).
DEFAULTS = {"lr": 0.5, "eps": 1e-10, "initial_accumulator_value": 0.0, "steps": 100}


def effective_rates(trajectory: Trajectory, lr: float, eps: float) -> np.ndarray:
    """AdaGrad's per-coordinate effective rate at each step, ``lr / (sqrt(G_t) + eps)``.

    Read from the recorded ``state["sum_sq"]`` (shape (steps, ..., d)); NaN after a
    divergence. Unlike ``trajectory.effective_lr`` it is defined when a gradient is 0.
    """
    if "sum_sq" not in trajectory.state:
        raise ValueError("effective_rates needs a run of AdaGrad recorded with "
                         "record_state=True (state 'sum_sq')")
    return lr / (np.sqrt(trajectory.state["sum_sq"]) + eps)


class AccumulatorExplorer(Explorer):
    """AdaGrad on a 2-D landscape: its path, per-coordinate effective rates and sums.

    ``landscape`` is a :class:`~alr_teach.problems.landscapes.Landscape` or a name for
    :func:`alr_teach.problems.landscapes.get` (default: the axis-aligned "ill-conditioned
    quadratic", curvatures 1 and 50). Settings are the keys of :data:`DEFAULTS`.
    ``update(**changes)`` returns a summary: the optimizer's label, final loss,
    ``diverged_at`` (-1 if it did not), and per coordinate the first step's size, the
    final ``sum_sq`` and the final effective rate.
    """

    DEFAULTS = DEFAULTS
    FIGSIZE = (13, 4.2)
    STATIC_FIGSIZE = (15, 4.6)
    ROWS = (("lr", "eps"), ("initial_accumulator_value", "steps"))

    def __init__(self, landscape: Landscape | str = "ill-conditioned quadratic",
                 **settings) -> None:
        self.landscape = get_landscape(landscape) if isinstance(landscape, str) else landscape
        if not isinstance(self.landscape, Landscape) or self.landscape.dim != 2:
            raise ValueError(f"Invalid landscape: {landscape!r} (must be a 2-D Landscape "
                             f"or the name of one)")
        super().__init__(**settings)

    def check(self, settings: dict) -> dict:
        check.whole("steps", settings["steps"], low=1)
        AdaGrad(lr=settings["lr"], eps=settings["eps"],
                initial_accumulator_value=settings["initial_accumulator_value"])
        return settings

    def run(self) -> Trajectory:
        """AdaGrad with the current settings, from the landscape's start, state recorded."""
        s = self.settings
        self.optimizer = AdaGrad(lr=s["lr"], eps=s["eps"],
                                 initial_accumulator_value=s["initial_accumulator_value"])
        return run(self.optimizer, self.landscape, steps=s["steps"], record_state=True)

    def compute(self) -> Trajectory:
        self.trajectory = self.run()
        return self.trajectory

    def summarise(self, trajectory: Trajectory) -> dict:
        rates = effective_rates(trajectory, self.settings["lr"], self.settings["eps"])
        last = self._last_row(trajectory)
        first = np.abs(trajectory.points[1] - trajectory.points[0])
        return {
            "optimizer": label_for(self.optimizer),
            "final_loss": float(trajectory.final_loss),
            "diverged_at": int(trajectory.diverged_at),
            "first_step": tuple(float(v) for v in first),
            "sum_sq": tuple(float(v) for v in trajectory.state["sum_sq"][last]),
            "effective_lr": tuple(float(v) for v in rates[last]),
        }

    # -- drawing ----------------------------------------------------------------------------
    def draw(self, fig: Figure) -> dict:
        """Axes and empty lines on ``fig``: contours once, then only data changes."""
        ax_map, ax_rate, ax_sum = fig.subplots(1, 3, width_ratios=[1.1, 1, 1])
        contour(ax_map, self.landscape, resolution=120)
        start = np.asarray(self.landscape.start, dtype=float)
        blank = Trajectory(points=start[None], losses=np.array([np.nan]),
                           grads=np.empty((0, 2)), diverged_at=np.array(-1))
        paths = plot_trajectories(ax_map, self.landscape, [blank], ["AdaGrad"],
                                  legend_loc="upper right")
        rate_lines, sum_lines = [], []
        for k, name in enumerate(("x", "y")):
            st = style(k)
            common = {"color": st["color"], "linestyle": st["linestyle"],
                      "marker": st["marker"], "markersize": 4, "linewidth": 1.6}
            rate_lines.append(ax_rate.plot([], [], label=f"coordinate {name}", **common)[0])
            sum_lines.append(ax_sum.plot([], [], label=f"coordinate {name}", **common)[0])
        nominal = ax_rate.axhline(1.0, color="black", linestyle="--", linewidth=1,
                                  label="nominal lr")
        ax_rate.set(yscale="log", xlabel="step t",
                    ylabel=r"effective rate $\eta / (\sqrt{G_t} + \epsilon)$ (log scale)")
        ax_sum.set(yscale="log", xlabel="step t",
                   ylabel=r"sum of squared gradients $G_t$ (log scale)",
                   title=r"$G_t$ only grows")
        ax_rate.legend(fontsize=8, loc="upper right")
        ax_sum.legend(fontsize=8, loc="lower right")
        return {"map": ax_map, "rate": ax_rate, "sum": ax_sum, "paths": paths,
                "rate_lines": rate_lines, "sum_lines": sum_lines, "nominal": nominal}

    def moving(self, artists: dict) -> list:
        """The contour map is rendered once; paths, the map's title and two plots stay live."""
        return [*artists["paths"].artists(legend=False), artists["map"].title, artists["rate"],
                artists["sum"]]

    def show(self, artists: dict, trajectory: Trajectory) -> None:
        """Put ``trajectory`` on the lines made by :meth:`draw` and rescale the y axes."""
        s = self.settings
        update_trajectories(artists["paths"], [trajectory])
        rates = effective_rates(trajectory, s["lr"], s["eps"])
        sums = trajectory.state["sum_sq"]
        steps = np.arange(1, trajectory.steps + 1)
        every = max(1, trajectory.steps // 10)
        for k in range(2):
            for line, values in ((artists["rate_lines"][k], rates[:, k]),
                                 (artists["sum_lines"][k], sums[:, k])):
                line.set_data(steps, np.where(values > 0, values, np.nan))
                line.set_markevery(every)
        artists["nominal"].set_ydata([s["lr"], s["lr"]])
        artists["nominal"].set_label(f"nominal lr = {s['lr']:.3g}")
        artists["rate"].legend(fontsize=8, loc="upper right")
        _fit_log_axis(artists["rate"], [rates, [s["lr"]]], trajectory.steps)
        _fit_log_axis(artists["sum"], [sums], trajectory.steps)
        ratio = rates[self._last_row(trajectory), 0] / rates[self._last_row(trajectory), 1]
        artists["rate"].set_title(f"Effective rate per coordinate (x / y = {ratio:.3g} "
                                  f"at the end)")
        outcome = (f"diverged at t={int(trajectory.diverged_at)}" if trajectory.diverged
                   else f"loss {float(trajectory.final_loss):.2e} after {trajectory.steps} "
                        f"steps")
        artists["map"].set_title(f"{label_for(self.optimizer)}\n{outcome}", fontsize=9)

    def _last_row(self, trajectory: Trajectory | None = None) -> int:
        """Index of the last step whose state is finite (the step before a divergence)."""
        sums = (trajectory or self.trajectory).state["sum_sq"]
        finite = np.flatnonzero(np.all(np.isfinite(sums), axis=-1))
        return int(finite[-1]) if finite.size else 0

    # -- the widget -------------------------------------------------------------------------
    def control_specs(self) -> dict[str, Control]:
        """Sliders (applied on release) for lr, eps, the accumulator's start and steps."""
        return {
            "lr": LogSlider(-3, 1, 0.1, "learning rate η", ".2e"),
            "eps": LogSlider(-10, 0, 0.5, "ε", ".0e"),
            "initial_accumulator_value": Slider(0.0, 1.0, 0.01, "initial G₀", ".2f"),
            "steps": IntSlider(10, 1000, 10, "steps"),
        }

    def summary_html(self) -> str:
        """The summary as one line of HTML."""
        s = self.summary
        outcome = (f"diverged at step {s['diverged_at']}" if s["diverged_at"] >= 0
                   else f"final loss {s['final_loss']:.3e}")
        rates = ", ".join(f"{v:.3g}" for v in s["effective_lr"])
        return f"<p>{s['optimizer']}: {outcome}; final effective rates (x, y): {rates}</p>"


def _fit_log_axis(ax: Axes, series: list, steps: int) -> None:
    """x from 0 to ``steps``; y around the positive finite values (one decade of margin)."""
    values = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in series])
    values = values[np.isfinite(values) & (values > 0)]
    low, high = (values.min(), values.max()) if values.size else (1e-3, 1.0)
    ax.set_xlim(0, max(steps, 1))
    ax.set_ylim(10 ** np.floor(np.log10(low) - 0.2), 10 ** np.ceil(np.log10(high) + 0.2))
