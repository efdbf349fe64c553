"""The two first explorers of the course, and the optimizers an explorer can race.

* :class:`LearningRateExplorer`: gradient descent on a 1-D quadratic, one learning-rate
  slider (notebook 00);
* :class:`OptimizerExplorer`: every core optimizer racing on a 2-D landscape (notebooks
  01 and 07); :func:`make_racer` builds a racer from the registry
  (:mod:`alr_teach.optimizers.registry`) and an explorer's shared settings.

Both are explorers (:class:`~alr_teach.viz.explorers.base.Explorer`): ``update(...)`` redraws the
matplotlib figure and returns a summary; ``widget()`` wires sliders to ``update``. Tests
call ``update`` (or set a control's ``.value``) headlessly and check what was drawn.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers import registry
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.sgd import SGD
from alr_teach.problems.landscapes import LANDSCAPES, Quadratic
from alr_teach.problems.landscapes import get as get_landscape
from alr_teach.viz.explorers.base import (
    Control,
    Explorer,
    IntSlider,
    LogSlider,
    Menu,
    MultiMenu,
    Slider,
)
from alr_teach.viz.plots import style
from alr_teach.viz.surface_plots import (
    contour,
    label_for,
    plot_losses,
    plot_trajectories,
    update_trajectories,
)

__all__ = [
    "RACERS",
    "SHARED_DEFAULTS",
    "LearningRateExplorer",
    "OptimizerExplorer",
    "make_racer",
]


class LearningRateExplorer(Explorer):
    """Gradient descent on the 1-D quadratic f(x) = a x^2 / 2, with a learning-rate slider.

    Each step multiplies x by (1 - lr * a): the run converges when that factor lies
    in (-1, 1), zig-zags when it is negative, and diverges when |1 - lr * a| > 1,
    i.e. when lr > 2 / a. ``update(lr)`` returns ``{"lr", "factor", "verdict",
    "final_loss"}``.
    """

    LOSS_FLOOR = 1e-12
    DEFAULTS = {"lr": 0.1}
    FIGSIZE = (10, 3.8)
    DPI = 100

    def __init__(self, curvature: float = 4.0, x0: float = 1.0, steps: int = 25,
                 lr: float = 0.1) -> None:
        self.landscape = Quadratic([curvature], start=[x0])
        self.steps = check.whole("steps", steps, low=1)
        super().__init__(lr=lr)

    @property
    def lr(self) -> float:
        return self.settings["lr"]

    def update(self, lr: float | None = None, **changes) -> dict:
        """Run gradient descent with ``lr`` and redraw the two lines; return a summary."""
        return super().update(**changes, **({} if lr is None else {"lr": lr}))

    def check(self, settings: dict) -> dict:
        return {"lr": check.real("lr", settings["lr"], low=0.0)}

    def verdict(self, lr: float) -> str:
        """'converges', 'oscillates' (converging zig-zag), 'stalls' or 'diverges'."""
        factor = 1 - lr * self.landscape.curvatures[0]
        if abs(factor) > 1:
            return "diverges"
        if abs(factor) == 1:
            return "stalls"
        return "oscillates" if factor < 0 else "converges"

    def compute(self) -> Trajectory:
        return run(SGD(lr=self.lr), self.landscape, steps=self.steps, record_state=False)

    def draw(self, fig: Figure) -> dict:
        """The loss curve with the path on it (left), the loss against the step (right)."""
        ax_path, ax_loss = fig.subplots(1, 2)
        (low, high), = self.landscape.domain
        grid = np.linspace(low, high, 400)[:, None]
        top = 1.2 * float(self.landscape.value(np.array([low])))
        ax_path.plot(grid[:, 0], self.landscape.value(grid), color="0.6", linewidth=1)
        st = style(0)
        (path_line,) = ax_path.plot([], [], color=st["color"], marker=st["marker"],
                                    markersize=4, linewidth=1)
        (loss_line,) = ax_loss.semilogy([], [], color=st["color"], marker=st["marker"],
                                        markersize=3)
        ax_path.set(xlim=(low, high), ylim=(-0.05 * top, top), xlabel="parameter x",
                    ylabel="loss f(x)")
        ax_loss.set(xlim=(0, self.steps), ylim=(self.LOSS_FLOOR, 1e8), xlabel="step t",
                    ylabel="loss f(x_t) (log scale)")
        return {"ax_path": ax_path, "ax_loss": ax_loss, "path_line": path_line,
                "loss_line": loss_line}

    def show(self, view: dict, trajectory: Trajectory) -> None:
        ok = np.isfinite(trajectory.losses)
        view["path_line"].set_data(trajectory.points[ok, 0], trajectory.losses[ok])
        view["loss_line"].set_data(np.arange(self.steps + 1)[ok],
                                   np.maximum(trajectory.losses[ok], self.LOSS_FLOOR))
        factor = 1 - self.lr * self.landscape.curvatures[0]
        view["ax_path"].set_title(f"lr = {self.lr:.3g}: each step multiplies x by {factor:.2f}")
        view["ax_loss"].set_title(f"{self.verdict(self.lr)} "
                                  f"(lr > {self.landscape.critical_lr:.2g} diverges)")

    def summarise(self, trajectory: Trajectory) -> dict:
        lr = self.lr
        return {"lr": lr, "factor": 1 - lr * self.landscape.curvatures[0],
                "verdict": self.verdict(lr), "final_loss": float(trajectory.final_loss)}

    def control_specs(self) -> dict[str, Control]:
        """A log-scale learning-rate slider above the figure."""
        return {"lr": LogSlider(-3, 0, 0.05, "learning rate", ".3f", width="60%")}


# -- the 2-D explorer: every core optimizer racing on a landscape ----------------------------

#: The optimizers an explorer can race (names of the registry), with the learning rate each
#: starts at. The rates suit Rosenbrock from its classic start; on other landscapes, tune
#: them with the sliders.
RACERS: dict[str, float] = {
    "SGD": 1e-3, "Momentum": 1e-3, "AdaGrad": 0.5, "RMSProp": 0.01, "Adam": 0.05,
    "AdaDelta": 1.0,
}

#: Shared settings and their defaults (torch's, except where a landscape needs otherwise).
SHARED_DEFAULTS = {
    "momentum": 0.9, "alpha": 0.99, "beta1": 0.9, "beta2": 0.999, "rho": 0.9, "eps": 1e-8,
    "eps_AdaDelta": 1e-6, "steps": 300,
}


def _racer_settings(name: str, s: dict) -> dict:
    """The constructor settings of racer ``name``, taken from the shared settings ``s``."""
    return {
        "SGD": {},
        "Momentum": {"momentum": s["momentum"]},
        "AdaGrad": {"eps": s["eps"]},
        "RMSProp": {"alpha": s["alpha"], "eps": s["eps"]},
        "Adam": {"betas": (s["beta1"], s["beta2"]), "eps": s["eps"]},
        "AdaDelta": {"rho": s["rho"], "eps": s["eps_AdaDelta"]},
    }[name]


def make_racer(name: str, lr: float, settings: dict) -> Optimizer:
    """The registry's optimizer ``name`` (one of :data:`RACERS`) with the explorer's settings.

    ``settings`` holds the keys of :data:`SHARED_DEFAULTS`; each racer takes the ones it
    has (Momentum its ``momentum``, Adam ``beta1``, ``beta2`` and ``eps``, ...).
    """
    check.one_of("optimizer", name, RACERS)
    return registry.make(name, lr=lr, **_racer_settings(name, settings))


class OptimizerExplorer(Explorer):
    """Race several optimizers on a 2-D landscape and redraw as settings change.

    ``update(**changes)`` is the whole callback: it takes any of ``landscape`` (a name
    from :data:`alr_teach.problems.landscapes.LANDSCAPES`), ``racers`` (names from
    :data:`RACERS`), ``lr_<name>`` (e.g. ``lr_Adam``), ``start`` ((x, y), or None for the
    landscape's own), and the shared settings in :data:`SHARED_DEFAULTS`; it reruns every
    selected optimizer, moves the lines (contours are drawn once per landscape) and
    returns a summary per optimizer. ``widget()`` puts sliders on top of it; tests call
    ``update`` directly.
    """

    DEFAULTS = {**SHARED_DEFAULTS, "landscape": "rosenbrock", "racers": tuple(RACERS),
                "start": None, **{f"lr_{name}": lr for name, lr in RACERS.items()}}
    FIGSIZE = (11, 4.6)
    STATIC_FIGSIZE = (12, 4.8)
    REDRAW_ON = ("landscape", "racers", "steps")

    def __init__(self, landscape: str = "rosenbrock", racers: tuple[str, ...] = tuple(RACERS),
                 **settings) -> None:
        super().__init__(landscape=landscape, racers=tuple(racers), **settings)

    def validate(self, changes: dict) -> dict:
        """As :meth:`Explorer.validate`; a new landscape starts at its own start."""
        if "landscape" in changes and "start" not in changes:
            changes = {**changes, "start": None}
        if "racers" in changes:
            changes = {**changes, "racers": tuple(changes["racers"])}
        return super().validate(changes)

    def check(self, settings: dict) -> dict:
        check.one_of("landscape", settings["landscape"], LANDSCAPES)
        for name in settings["racers"]:
            check.one_of("racer", name, RACERS)
        check.whole("steps", settings["steps"], low=1)
        for name in RACERS:  # the optimizers check their own settings
            make_racer(name, settings[f"lr_{name}"], settings)
        return settings

    def prepare(self) -> None:
        self.landscape = get_landscape(self.settings["landscape"])
        self.floor = self.landscape.min_value if np.isfinite(self.landscape.min_value) else 0.0

    # -- model ------------------------------------------------------------------------------
    def runs(self) -> dict[str, Trajectory]:
        """Run every selected optimizer from the start point; keyed by racer name."""
        s = self.settings
        self.optimizers = {n: make_racer(n, s[f"lr_{n}"], s) for n in s["racers"]}
        start = np.asarray(self.landscape.start if s["start"] is None else s["start"], float)
        runs = {}
        if "SGD" in self.optimizers and "Momentum" in self.optimizers:
            # One batched SGD for both (momentum 0 and mu): the same numbers, one run fewer.
            both = SGD(lr=np.array([s["lr_SGD"], s["lr_Momentum"]]),
                       momentum=np.array([0.0, s["momentum"]]))
            pair = run(both, self.landscape, np.stack([start, start]), s["steps"],
                       record_state=False)
            for i, name in enumerate(("SGD", "Momentum")):
                runs[name] = Trajectory(pair.points[:, i], pair.losses[:, i], pair.grads[:, i],
                                        pair.diverged_at[i])
        for name, opt in self.optimizers.items():
            if name not in runs:
                runs[name] = run(opt, self.landscape, start, s["steps"], record_state=False)
        return {name: runs[name] for name in self.optimizers}

    def compute(self) -> dict[str, Trajectory]:
        return self.runs()

    def summarise(self, runs: dict[str, Trajectory]) -> dict[str, dict]:
        return {name: {"optimizer": label_for(self.optimizers[name]),
                       "final_loss": float(t.final_loss), "diverged_at": int(t.diverged_at)}
                for name, t in runs.items()}

    # -- drawing ----------------------------------------------------------------------------
    def draw(self, fig: Figure) -> dict:
        """Contours, empty paths and loss axes for the current landscape (the slow part)."""
        ax_map, ax_loss = fig.subplots(1, 2, width_ratios=[1.1, 1])
        names = self.settings["racers"]
        contour(ax_map, self.landscape, resolution=120)
        blank = [_still(self.landscape) for _ in names]
        paths = plot_trajectories(ax_map, self.landscape, blank, list(names), legend=False)
        ax_map.legend(handles=list(paths), labels=list(names), loc="upper right", fontsize=8,
                      framealpha=0.9)
        steps = self.settings["steps"]
        loss_lines = [ax_loss.plot([], [], label=n, markersize=3,
                                   markevery=max(1, steps // 10), **style(i))[0]
                      for i, n in enumerate(names)]
        ax_loss.set(yscale="log", xlim=(0, steps), ylim=(1e-16, 1e8), xlabel="step t",
                    ylabel="loss − minimum (log scale)", title="Loss against step")
        ax_loss.legend(fontsize=8, loc="lower left")
        return {"ax_map": ax_map, "ax_loss": ax_loss, "paths": paths, "loss_lines": loss_lines}

    def moving(self, view: dict) -> list:
        return [*view["paths"].artists(legend=False), *view["loss_lines"]]

    def show(self, view: dict, runs: dict[str, Trajectory]) -> None:
        update_trajectories(view["paths"], list(runs.values()))
        for line, trajectory in zip(view["loss_lines"], runs.values()):
            ok = np.isfinite(trajectory.losses)
            steps = np.arange(trajectory.losses.size)
            line.set_data(steps[ok], np.maximum(trajectory.losses[ok] - self.floor, 1e-16))

    def static_figure(self):
        """The current race as an ordinary pyplot figure (for saved notebooks and handouts).

        Paths on the contours (legend with each optimizer's settings) and loss curves;
        end the cell with ``plt.show()``.
        """
        import matplotlib.pyplot as plt

        runs = self.runs()
        labels = [label_for(opt) for opt in self.optimizers.values()]
        fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=self.STATIC_FIGSIZE,
                                              layout="constrained")
        contour(ax_map, self.landscape)
        plot_trajectories(ax_map, self.landscape, list(runs.values()), labels,
                          legend_loc="upper left")
        plot_losses(ax_loss, list(runs.values()), labels, min_value=self.floor)
        return fig

    def summary_html(self) -> str:
        """The outcome of each run as a small HTML table."""
        rows = "".join(
            f"<tr><td>{name}</td><td>{s['optimizer']}</td><td>"
            + (f"diverged at step {s['diverged_at']}" if s["diverged_at"] >= 0
               else f"{s['final_loss'] - self.floor:.3e}")
            + "</td></tr>"
            for name, s in self.summary.items()
        )
        return ("<table><tr><th>racer</th><th>settings</th><th>final loss − minimum</th></tr>"
                f"{rows}</table>")

    # -- the widget -------------------------------------------------------------------------
    def control_specs(self) -> dict[str, Control]:
        """Rates (log), the shared settings, steps, the start, a landscape menu, the racers."""
        (x_low, x_high), (y_low, y_high) = self.landscape.domain
        return {
            **{f"lr_{n}": LogSlider(-5, 3, 0.1, f"lr {n}") for n in RACERS},
            "momentum": Slider(0.0, 0.99, 0.01, "momentum μ"),
            "alpha": Slider(0.0, 0.999, 0.001, "RMSProp α"),
            "beta1": Slider(0.0, 0.99, 0.01, "Adam β1"),
            "beta2": Slider(0.0, 0.9999, 0.0001, "Adam β2"),
            "rho": Slider(0.0, 0.99, 0.01, "AdaDelta ρ"),
            "eps": LogSlider(-10, 0, 0.1, "ε"),
            "eps_AdaDelta": LogSlider(-10, 0, 0.1, "AdaDelta ε"),
            "steps": IntSlider(10, 1000, 10, "steps"),
            "start_x": Slider(x_low, x_high, (x_high - x_low) / 100, "start x"),
            "start_y": Slider(y_low, y_high, (y_high - y_low) / 100, "start y"),
            "landscape": Menu(list(LANDSCAPES), "landscape"),
            "racers": MultiMenu(list(RACERS), "racers"),
        }

    def _start(self) -> tuple[float, float]:
        start = self.settings["start"]
        x, y = self.landscape.start if start is None else start
        return float(x), float(y)

    def control_value(self, name: str):
        if name in ("start_x", "start_y"):
            return self._start()[name == "start_y"]
        return super().control_value(name)

    def control_changes(self, name: str, value) -> dict | None:
        if name == "racers":
            return {"racers": tuple(value)} if value else None  # keep at least one racer
        if name in ("start_x", "start_y"):
            x, y = self._start()
            return {"start": (value, y) if name == "start_x" else (x, value)}
        return {name: value}

    def arrange(self, widgets, controls: dict) -> list:
        """Three columns: the rates and steps, the shared settings and start, the menus."""
        rates = [controls[f"lr_{n}"] for n in RACERS]
        shared = [controls[n] for n in ("momentum", "alpha", "beta1", "beta2", "rho", "eps",
                                        "eps_AdaDelta", "start_x", "start_y")]
        return [widgets.HBox([widgets.VBox([*rates, controls["steps"]]), widgets.VBox(shared),
                              widgets.VBox([controls["landscape"], controls["racers"]])])]


def _still(landscape) -> Trajectory:
    """A one-point placeholder run, so lines exist before the first real run."""
    start = np.asarray(landscape.start, dtype=float)
    return Trajectory(points=start[None], losses=np.array([np.nan]),
                      grads=np.empty((0, start.size)), diverged_at=np.array(-1))
