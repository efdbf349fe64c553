r"""Compose a learning-rate schedule and see the rate (and one-cycle's momentum) step by step.

Every schedule of :mod:`alr_teach.optimizers.schedules` is listed in :data:`SCHEDULES` with the
defaults of its main parameters; two settings are shared by all of them: the rate
``lr`` (one-cycle's ``max_lr``) and the horizon ``steps`` (the steps drawn, and the
``total_steps`` of ``warmup_cosine`` and ``one_cycle``). This module gives

* :func:`make_schedule`: the schedule as functions of the step, ready for
  :class:`~alr_teach.optimizers.schedules.Scheduled` (an optimizer, for ``MLPClassifier`` too);
* :func:`schedule_values`: the rate (and momentum) at every step of the horizon;
* :func:`plot_schedule` and :func:`plot_all_schedules`: one schedule on an axes, or every
  schedule in one figure, each with its own :func:`~alr_teach.viz.plots.style`;
* :class:`ScheduleExplorer`: ``update(...)`` recomputes and redraws, returning the
  values; ``widget()`` adds a schedule menu and sliders (an
  :class:`~alr_teach.viz.explorers.base.Explorer`, driven headlessly by tests).

Steps count from 0, as the schedules do: value ``k`` is the rate of the optimizer's step
``t = k + 1``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from alr_teach import _validation as check
from alr_teach.optimizers import schedules
from alr_teach.viz.explorers.base import Control, Explorer, IntSlider, LogSlider, Menu, Slider
from alr_teach.viz.plots import style

__all__ = [
    "SCHEDULES",
    "SHARED",
    "WHOLE",
    "ScheduleExplorer",
    "describe",
    "make_schedule",
    "plot_all_schedules",
    "plot_schedule",
    "schedule_values",
]

#: Each schedule and the defaults of its main parameters (``lr`` and ``steps`` are shared).
SCHEDULES: dict[str, dict[str, float]] = {
    "constant": {},
    "step_decay": {"step_size": 100, "gamma": 0.5},
    "exponential": {"gamma": 0.99},
    "cosine": {"T_max": 300, "eta_min": 0.0},
    "cosine_warm_restarts": {"T_0": 50, "T_mult": 2, "eta_min": 0.0},
    "linear_warmup": {"warmup_steps": 50, "start_factor": 1 / 3},
    "warmup_cosine": {"warmup_steps": 30, "eta_min": 0.0},
    "one_cycle": {"pct_start": 0.3, "div_factor": 25.0, "base_momentum": 0.85,
                  "max_momentum": 0.95},
}

#: The settings every schedule shares, and their defaults.
SHARED = {"lr": 0.1, "steps": 300}

#: The parameters that take whole numbers (step counts and the cycle multiplier).
WHOLE = {"step_size", "T_max", "T_0", "T_mult", "warmup_steps", "steps"}


def _check_name(name: object) -> str:
    check.one_of("schedule", name, SCHEDULES)
    return str(name)


def _check_params(name: str, params: dict) -> None:
    unknown = sorted(set(params) - set(SCHEDULES[name]) - set(SHARED))
    if unknown:
        known = ", ".join([*SHARED, *SCHEDULES[name]])
        raise ValueError(f"Invalid setting: {unknown[0]!r} (the {name} schedule takes "
                         f"{known})")


def make_schedule(
    name: str, *, lr: float = SHARED["lr"], steps: int = SHARED["steps"], **params
) -> tuple[Callable, Callable | None]:
    """The schedule ``name`` as ``(lr_schedule, momentum_schedule)``, functions of the step.

    Unlisted parameters take their defaults from :data:`SCHEDULES`. ``steps`` is the
    ``total_steps`` of ``warmup_cosine`` and ``one_cycle`` (and unused by the others);
    ``lr`` is ``max_lr`` for ``one_cycle``. The momentum schedule is None except for
    ``one_cycle`` (its :func:`~alr_teach.optimizers.schedules.one_cycle_momentum`, same cycle).
    Use them as ``Scheduled(opt, lr=lr_schedule, momentum=momentum_schedule)``.
    """
    name = _check_name(name)
    _check_params(name, params)
    p = {**SCHEDULES[name], **params}
    steps = check.whole("steps", steps, low=1)
    if name == "one_cycle":
        cycle = {"total_steps": steps, "pct_start": p["pct_start"]}
        return (partial(schedules.one_cycle, max_lr=lr, div_factor=p["div_factor"], **cycle),
                partial(schedules.one_cycle_momentum, base_momentum=p["base_momentum"],
                        max_momentum=p["max_momentum"], **cycle))
    if name == "warmup_cosine":
        p["total_steps"] = steps
    return partial(getattr(schedules, name), lr=lr, **p), None


def schedule_values(
    name: str, *, lr: float = SHARED["lr"], steps: int = SHARED["steps"], **params
) -> tuple[np.ndarray, np.ndarray | None]:
    """The rate at steps ``0 .. steps - 1`` (and one-cycle's momentum, else None).

    Arguments as :func:`make_schedule`; bad values raise the schedule's own ValueError.
    """
    lr_schedule, momentum_schedule = make_schedule(name, lr=lr, steps=steps, **params)
    k = np.arange(steps)
    return lr_schedule(k), None if momentum_schedule is None else momentum_schedule(k)


def describe(name: str, *, lr: float = SHARED["lr"], steps: int = SHARED["steps"],
             **params) -> str:
    """A short label such as ``cosine_warm_restarts(lr=0.1, T_0=50, T_mult=2)``.

    Parameters at 0 that default to 0 (``eta_min``) are left out.
    """
    name = _check_name(name)
    p = {**SCHEDULES[name], **params}
    shown = [f"{'max_lr' if name == 'one_cycle' else 'lr'}={lr:.3g}"]
    shown += [f"{k}={v:.3g}" for k, v in p.items()
              if not (k == "eta_min" and v == 0)
              and k not in ("base_momentum", "max_momentum", "div_factor", "start_factor")]
    if name in ("warmup_cosine", "one_cycle"):
        shown.append(f"total_steps={steps}")
    return f"{name}({', '.join(shown)})"


def plot_schedule(ax: Axes, name: str, i: int | None = None, *, lr: float = SHARED["lr"],
                  steps: int = SHARED["steps"], momentum_ax: Axes | None = None,
                  **params) -> list[Line2D]:
    """Draw one schedule's rate against the step on ``ax`` with ``style(i)``.

    ``i`` defaults to the schedule's position in :data:`SCHEDULES`, so a schedule has the
    same look in every figure. One-cycle's momentum goes on ``momentum_ax`` (default: a
    twin of ``ax`` on the right), dashed grey. Returns the lines drawn.
    """
    i = list(SCHEDULES).index(_check_name(name)) if i is None else i
    rates, momenta = schedule_values(name, lr=lr, steps=steps, **params)
    k = np.arange(steps)
    every = max(1, steps // 10)
    lines = ax.plot(k, rates, label=describe(name, lr=lr, steps=steps, **params),
                    markersize=4, markevery=every, linewidth=1.8, **style(i))
    ax.set(xlabel="steps taken k = t − 1", ylabel="learning rate η_t", xlim=(0, steps))
    if momenta is not None:
        twin = ax.twinx() if momentum_ax is None else momentum_ax
        lines += twin.plot(k, momenta, color="0.45", linestyle="--", linewidth=1.4,
                           label="momentum / β₁ (right axis)")
        twin.set_ylabel("momentum μ or β₁")
    return lines


def plot_all_schedules(*, lr: float = SHARED["lr"], steps: int = SHARED["steps"]):
    """Every schedule at its defaults, one panel each, over the same horizon (pyplot).

    A grid of panels sharing both axes, titled by the schedule and its settings; one-cycle's
    panel also shows its momentum on a right axis. End the cell with ``plt.show()``.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(15, 6.4), sharex=True, sharey=True,
                             layout="constrained")
    for i, (name, ax) in enumerate(zip(SCHEDULES, axes.flat)):
        lines = plot_schedule(ax, name, i, lr=lr, steps=steps)
        ax.set_title(describe(name, lr=lr, steps=steps).replace("(", "\n(", 1), fontsize=9)
        ax.legend(handles=lines, labels=[name] + [ln.get_label() for ln in lines[1:]],
                  fontsize=8, loc="center right" if len(lines) > 1 else "best")
        ax.label_outer()
    fig.suptitle(f"Every schedule at its defaults: lr = {lr:g}, {steps} steps")
    return fig


# -- the explorer -----------------------------------------------------------------------------
class ScheduleExplorer(Explorer):
    """Pick a schedule, set its parameters, see the rate (and momentum) over the steps.

    Settings: ``schedule`` (a name from :data:`SCHEDULES`), the shared ``lr`` and
    ``steps``, and the parameters of the current schedule. Each schedule keeps its own
    parameters (in ``params``), so switching back and forth does not lose them.
    ``update(**changes)`` checks the changes by computing the values first (all or
    nothing: a bad value raises the schedule's ValueError and changes nothing), moves the
    lines and returns ``{"schedule", "label", "settings", "lr", "momentum", "mean_lr",
    "final_lr"}``: ``lr`` and ``momentum`` are the arrays drawn (``momentum`` None except
    for one-cycle).
    """

    DEFAULTS = {"schedule": "cosine_warm_restarts", **SHARED,
                **SCHEDULES["cosine_warm_restarts"]}
    FIGSIZE = (9, 3.8)

    def __init__(self, schedule: str = "cosine_warm_restarts", **settings) -> None:
        self.params = {name: dict(defaults) for name, defaults in SCHEDULES.items()}
        super().__init__(schedule=schedule, **settings)

    @property
    def schedule(self) -> str:
        """The current schedule's name."""
        return self.settings["schedule"]

    @property
    def shared(self) -> dict:
        """The settings every schedule shares (``lr`` and ``steps``)."""
        return {k: self.settings[k] for k in SHARED}

    def validate(self, changes: dict) -> dict:
        """The settings after ``changes``: the (new) schedule's own parameters, and checked.

        Parameters of another schedule are refused by name; the values are checked by
        computing the schedule, so a bad one raises its ValueError.
        """
        schedule = _check_name(changes.get("schedule", self.settings["schedule"]))
        rest = {k: v for k, v in changes.items() if k != "schedule"}
        _check_params(schedule, rest)
        shared = {k: rest.get(k, self.settings[k]) for k in SHARED}
        params = {**self.params[schedule], **{k: v for k, v in rest.items() if k not in SHARED}}
        schedule_values(schedule, **shared, **params)  # raises if bad
        return {"schedule": schedule, **shared, **params}

    def update(self, **changes) -> dict:
        """Apply ``changes`` (``schedule``, ``lr``, ``steps``, the schedule's parameters)."""
        summary = super().update(**changes)
        self.params[self.schedule] = {k: self.settings[k] for k in SCHEDULES[self.schedule]}
        return summary

    def compute(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The rate (and one-cycle's momentum) at every step of the horizon."""
        s = self.settings
        return schedule_values(s["schedule"], **{k: v for k, v in s.items() if k != "schedule"})

    def summarise(self, values: tuple[np.ndarray, np.ndarray | None]) -> dict:
        rates, momenta = values
        own = {k: v for k, v in self.settings.items() if k != "schedule"}
        return {
            "schedule": self.schedule, "label": describe(self.schedule, **own),
            "settings": own, "lr": rates, "momentum": momenta,
            "mean_lr": float(rates.mean()), "final_lr": float(rates[-1]),
        }

    # -- drawing ----------------------------------------------------------------------------
    def draw(self, fig: Figure) -> dict:
        """The rate axes, one-cycle's momentum axes on the right, and their empty lines."""
        ax = fig.add_subplot()
        ax_momentum = ax.twinx()
        view = {
            "ax": ax, "ax_momentum": ax_momentum,
            "rate_line": ax.plot([], [], markersize=5, linewidth=2, label="lr")[0],
            "momentum_line": ax_momentum.plot([], [], color="0.45", linestyle="--",
                                              linewidth=1.5, label="momentum / β₁")[0],
            "base_line": ax.axhline(0.0, color="black", linestyle=":", linewidth=1,
                                    label="lr (base)"),
        }
        ax.set(xlabel="steps taken k = t − 1", ylabel="learning rate η_t")
        ax_momentum.set_ylabel("momentum μ or β₁")
        return view

    def show(self, view: dict, values: tuple[np.ndarray, np.ndarray | None]) -> None:
        """Move the lines to the new values and fit the axes (no new artists)."""
        rates, momenta = values
        steps, lr = self.settings["steps"], self.settings["lr"]
        ax, ax_momentum = view["ax"], view["ax_momentum"]
        k = np.arange(steps)
        view["rate_line"].set_data(k, rates)
        view["rate_line"].set(markevery=max(1, steps // 10), label=self.schedule,
                              **style(list(SCHEDULES).index(self.schedule)))
        view["base_line"].set_ydata([lr, lr])
        top = max(float(rates.max()), lr)
        ax.set(xlim=(0, steps), ylim=(-0.04 * top, 1.12 * top if top > 0 else 1.0))
        one_cycle = momenta is not None
        view["momentum_line"].set_visible(one_cycle)
        ax_momentum.set_visible(one_cycle)
        if one_cycle:
            view["momentum_line"].set_data(k, momenta)
            low, high = float(momenta.min()), float(momenta.max())
            pad = max(0.02, 0.1 * (high - low))
            ax_momentum.set_ylim(low - pad, high + pad)
        own = {k: v for k, v in self.settings.items() if k != "schedule"}
        ax.set_title(describe(self.schedule, **own)
                     + f"\nmean rate over the {steps} steps: {rates.mean():.3g}", fontsize=10)
        handles = [view["rate_line"], view["base_line"]]
        ax.legend(handles=handles + ([view["momentum_line"]] if one_cycle else []), fontsize=8,
                  loc="upper right")

    # -- the widget -------------------------------------------------------------------------
    def _spec(self, name: str) -> Control:
        """The slider for one parameter (ranges suit a horizon of up to 1000 steps)."""
        if name == "lr":
            return LogSlider(-4, 0, 0.1, name, ".1e")
        if name in WHOLE:
            low, high = {"T_mult": (1, 4), "warmup_steps": (0, 500),
                         "steps": (50, 1000)}.get(name, (1, 1000))
            return IntSlider(low, high, 1, name)
        low, high, step = {
            "gamma": (0.9, 1.0, 0.001) if self.schedule == "exponential" else (0.05, 1.0, 0.05),
            "eta_min": (0.0, 0.05, 0.001), "start_factor": (0.0, 1.0, 0.05),
            "pct_start": (0.05, 0.95, 0.05), "div_factor": (1.0, 100.0, 1.0),
            "base_momentum": (0.5, 0.99, 0.01), "max_momentum": (0.5, 0.99, 0.01),
        }[name]
        return Slider(low, high, step, name, ".3f")

    def control_specs(self) -> dict[str, Control]:
        """A schedule menu, the shared sliders and the current schedule's sliders.

        Sliders apply on release. A value the schedule refuses (e.g. a warm-up as long
        as the horizon) is reported under the plot and changes nothing.
        """
        names = [*SHARED, *SCHEDULES[self.schedule]]
        return {"schedule": Menu(list(SCHEDULES), "schedule"),
                **{name: self._spec(name) for name in names}}

    def arrange(self, widgets, controls: dict) -> list:
        """The menu and the shared sliders in one row, the schedule's own in the next."""
        first = ["schedule", *SHARED]
        return [widgets.HBox([controls[n] for n in first]),
                widgets.HBox([c for n, c in controls.items() if n not in first])]
