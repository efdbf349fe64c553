"""Interactive explorers. ipywidgets is imported only when a widget is built.

Each explorer is a plain object whose ``update(...)`` redraws its matplotlib figure
and returns a summary; ``widget()`` wires sliders to ``update``. Tests call ``update``
(or set a slider's ``.value``) headlessly and check what was drawn.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers.adadelta import AdaDelta
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.optimizers.adam import Adam
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.optimizers.sgd import SGD
from alr_teach.problems.landscapes import Quadratic
from alr_teach.problems.landscapes import get as get_landscape
from alr_teach.viz.plots import style
from alr_teach.viz.surface_plots import (
    contour,
    freeze_background,
    label_for,
    plot_losses,
    plot_trajectories,
    update_trajectories,
)


class LearningRateExplorer:
    """Gradient descent on the 1-D quadratic f(x) = a x^2 / 2, with a learning-rate slider.

    Each step multiplies x by (1 - lr * a): the run converges when that factor lies
    in (-1, 1), zig-zags when it is negative, and diverges when |1 - lr * a| > 1,
    i.e. when lr > 2 / a.
    """

    LOSS_FLOOR = 1e-12

    def __init__(self, curvature: float = 4.0, x0: float = 1.0, steps: int = 25, lr: float = 0.1):
        self.landscape = Quadratic([curvature], start=[x0])
        self.steps = steps
        # A Figure not registered with pyplot: shown only when the widget displays it.
        self.fig = Figure(figsize=(10, 3.8), layout="constrained")
        self.ax_path, self.ax_loss = self.fig.subplots(1, 2)
        (low, high), = self.landscape.domain
        grid = np.linspace(low, high, 400)[:, None]
        top = 1.2 * float(self.landscape.value(np.array([low])))
        self.ax_path.plot(grid[:, 0], self.landscape.value(grid), color="0.6", linewidth=1)
        st = style(0)
        (self.path_line,) = self.ax_path.plot([], [], color=st["color"], marker=st["marker"],
                                              markersize=4, linewidth=1)
        (self.loss_line,) = self.ax_loss.semilogy([], [], color=st["color"],
                                                  marker=st["marker"], markersize=3)
        self.ax_path.set(xlim=(low, high), ylim=(-0.05 * top, top), xlabel="parameter x",
                         ylabel="loss f(x)")
        self.ax_loss.set(xlim=(0, steps), ylim=(self.LOSS_FLOOR, 1e8), xlabel="step t",
                         ylabel="loss f(x_t) (log scale)")
        self.update(lr)

    def verdict(self, lr: float) -> str:
        """'converges', 'oscillates' (converging zig-zag), 'stalls' or 'diverges'."""
        factor = 1 - lr * self.landscape.curvatures[0]
        if abs(factor) > 1:
            return "diverges"
        if abs(factor) == 1:
            return "stalls"
        return "oscillates" if factor < 0 else "converges"

    def update(self, lr: float) -> dict:
        """Run gradient descent with ``lr`` and redraw the two lines; return a summary."""
        self.lr = lr
        trajectory = run(SGD(lr=lr), self.landscape, steps=self.steps, record_state=False)
        ok = np.isfinite(trajectory.losses)
        self.path_line.set_data(trajectory.points[ok, 0], trajectory.losses[ok])
        self.loss_line.set_data(np.arange(self.steps + 1)[ok],
                                np.maximum(trajectory.losses[ok], self.LOSS_FLOOR))
        factor = 1 - lr * self.landscape.curvatures[0]
        verdict = self.verdict(lr)
        self.ax_path.set_title(f"lr = {lr:.3g}: each step multiplies x by {factor:.2f}")
        self.ax_loss.set_title(f"{verdict} (lr > {self.landscape.critical_lr:.2g} diverges)")
        final = float(trajectory.final_loss)
        return {"lr": lr, "factor": factor, "verdict": verdict, "final_loss": final}

    def widget(self):
        """A log-scale learning-rate slider above the figure (needs ipywidgets)."""
        import ipywidgets as widgets

        slider = widgets.FloatLogSlider(
            value=self.lr, base=10, min=-3, max=0,
            step=0.05, description="learning rate", readout_format=".3f",
            continuous_update=False, style={"description_width": "initial"},
            layout=widgets.Layout(width="60%"),
        )
        image = widgets.Image(value=figure_png(self.fig), format="png")

        def redraw(change):
            self.update(change["new"])
            image.value = figure_png(self.fig)

        slider.observe(redraw, names="value")
        self.slider, self.image = slider, image
        return widgets.VBox([slider, image])



# -- shared by every explorer ----------------------------------------------------------------

def figure_png(fig: Figure) -> bytes:
    """A figure as PNG bytes at its own size and dpi (what an explorer's Image shows).

    One Agg draw, then light PNG compression: about 40 % faster than ``savefig``, which
    draws twice for a constrained layout, and the slider-to-figure time is what a
    learner feels.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image  # Pillow comes with matplotlib

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        buffer, format="png", compress_level=1)
    return buffer.getvalue()


def connect(controls: dict, on_value) -> None:
    """Call ``on_value(name, new_value)`` whenever the control called ``name`` changes."""

    def on_change(change):
        name = next(k for k, c in controls.items() if c is change["owner"])
        on_value(name, change["new"])

    for control in controls.values():
        control.observe(on_change, names="value")


def explorer_box(explorer, rows: list[list[str]], *, summary: bool = True):
    """The usual explorer layout, wired: rows of controls, the figure, a summary below it.

    ``rows`` lists names of ``explorer.controls``, one list per row of controls. Every
    change calls ``explorer.update(name=value)``, then redraws the figure from
    ``explorer.png()`` and, with ``summary``, the HTML from ``explorer.summary_html()``.
    """
    import ipywidgets as widgets

    controls = explorer.controls
    image = widgets.Image(value=explorer.png(), format="png")
    text = widgets.HTML(explorer.summary_html()) if summary else None

    def refresh(name, value):
        explorer.update(**{name: value})
        image.value = explorer.png()
        if text is not None:
            text.value = explorer.summary_html()

    connect(controls, refresh)
    boxes = [widgets.HBox([controls[name] for name in row]) for row in rows]
    return widgets.VBox([*boxes, image, *([text] if text is not None else [])])


# -- the 2-D explorer: every core optimizer racing on a landscape ----------------------------

#: The optimizers an explorer can race, with the learning rate each starts at. The rates
#: suit Rosenbrock from its classic start; on other landscapes, tune them with the sliders.
RACERS: dict[str, tuple[type, dict]] = {
    "SGD": (SGD, {"lr": 1e-3}),
    "Momentum": (SGD, {"lr": 1e-3}),
    "AdaGrad": (AdaGrad, {"lr": 0.5}),
    "RMSProp": (RMSProp, {"lr": 0.01}),
    "Adam": (Adam, {"lr": 0.05}),
    "AdaDelta": (AdaDelta, {"lr": 1.0}),
}

#: Shared settings and their defaults (torch's, except where a landscape needs otherwise).
SHARED_DEFAULTS = {
    "momentum": 0.9, "alpha": 0.99, "beta1": 0.9, "beta2": 0.999, "rho": 0.9, "eps": 1e-8,
    "eps_AdaDelta": 1e-6, "steps": 300,
}


def make_racer(name: str, lr: float, settings: dict) -> Optimizer:
    """The optimizer called ``name`` in :data:`RACERS`, built from the explorer's settings."""
    if name == "SGD":
        return SGD(lr=lr)
    if name == "Momentum":
        return SGD(lr=lr, momentum=settings["momentum"])
    if name == "AdaGrad":
        return AdaGrad(lr=lr, eps=settings["eps"])
    if name == "RMSProp":
        return RMSProp(lr=lr, alpha=settings["alpha"], eps=settings["eps"])
    if name == "Adam":
        return Adam(lr=lr, betas=(settings["beta1"], settings["beta2"]), eps=settings["eps"])
    if name == "AdaDelta":
        return AdaDelta(lr=lr, rho=settings["rho"], eps=settings["eps_AdaDelta"])
    raise ValueError(f"Invalid optimizer: {name!r} (choose from {', '.join(RACERS)})")


class OptimizerExplorer:
    """Race several optimizers on a 2-D landscape and redraw as settings change.

    ``update(**changes)`` is the whole callback: it takes any of ``landscape`` (a name
    from :data:`alr_teach.problems.landscapes.LANDSCAPES`), ``racers`` (names from
    :data:`RACERS`), ``lr_<name>`` (e.g. ``lr_Adam``), ``start`` ((x, y)), and the
    shared settings in :data:`SHARED_DEFAULTS`; it reruns every selected optimizer,
    moves the lines (contours are drawn once per landscape) and returns a summary per
    optimizer. ``widget()`` puts sliders on top of it; tests call ``update`` directly.
    """

    def __init__(
        self,
        landscape: str = "rosenbrock",
        racers: tuple[str, ...] = tuple(RACERS),
        **settings,
    ) -> None:
        self.settings = {**SHARED_DEFAULTS, "landscape": landscape, "racers": tuple(racers),
                         "start": None}
        self.settings.update({f"lr_{n}": spec[1]["lr"] for n, spec in RACERS.items()})
        self._check(settings)
        self.settings.update(settings)
        self.fig = Figure(figsize=(11, 4.6), dpi=80, layout="constrained")
        FigureCanvasAgg(self.fig)  # drawn off screen; the widget shows it as a PNG
        self.ax_map, self.ax_loss = self.fig.subplots(1, 2, width_ratios=[1.1, 1])
        self._frozen = None
        self._draw_background()
        self.summary = self.update()

    # -- the callback ---------------------------------------------------------------------
    def update(self, **changes) -> dict[str, dict]:
        """Apply ``changes``, rerun the selected optimizers, redraw; return their outcomes."""
        self._check(changes)
        redraw = any(k in changes for k in ("landscape", "racers", "steps"))
        if "landscape" in changes and "start" not in changes:
            changes = {**changes, "start": None}  # a new landscape starts at its own start
        self.settings.update(changes)
        if redraw:
            self._draw_background()
        runs = self.runs()
        update_trajectories(self.paths, list(runs.values()))
        for line, trajectory in zip(self.loss_lines, runs.values()):
            ok = np.isfinite(trajectory.losses)
            steps = np.arange(trajectory.losses.size)
            line.set_data(steps[ok], np.maximum(trajectory.losses[ok] - self.floor, 1e-16))
        self.summary = {
            name: {"optimizer": label_for(self.optimizers[name]),
                   "final_loss": float(t.final_loss), "diverged_at": int(t.diverged_at)}
            for name, t in runs.items()
        }
        return self.summary

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

    def static_figure(self):
        """The current race as an ordinary pyplot figure (for saved notebooks and handouts).

        Paths on the contours (legend with each optimizer's settings) and loss curves;
        end the cell with ``plt.show()``.
        """
        import matplotlib.pyplot as plt

        runs = self.runs()
        labels = [label_for(opt) for opt in self.optimizers.values()]
        fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
        contour(ax_map, self.landscape)
        plot_trajectories(ax_map, self.landscape, list(runs.values()), labels,
                          legend_loc="upper left")
        plot_losses(ax_loss, list(runs.values()), labels, min_value=self.floor)
        return fig

    # -- drawing ----------------------------------------------------------------------------
    def _draw_background(self) -> None:
        """Contours, empty paths and loss axes for the current landscape (the slow part)."""
        if self._frozen is not None:
            self._frozen.release()
        for ax in (self.ax_map, self.ax_loss):
            ax.clear()
        self.landscape = get_landscape(self.settings["landscape"])
        names = self.settings["racers"]
        contour(self.ax_map, self.landscape, resolution=120)
        blank = [_still(self.landscape) for _ in names]
        self.paths = plot_trajectories(self.ax_map, self.landscape, blank, list(names),
                                       legend=False)
        self.ax_map.legend(handles=list(self.paths), labels=list(names), loc="upper right",
                           fontsize=8, framealpha=0.9)
        self.floor = self.landscape.min_value if np.isfinite(self.landscape.min_value) else 0.0
        self.loss_lines = [
            self.ax_loss.plot([], [], label=n, markersize=3,
                              markevery=max(1, self.settings["steps"] // 10), **style(i))[0]
            for i, n in enumerate(names)
        ]
        self.ax_loss.set(yscale="log", xlim=(0, self.settings["steps"]), ylim=(1e-16, 1e8),
                         xlabel="step t", ylabel="loss − minimum (log scale)",
                         title="Loss against step")
        self.ax_loss.legend(fontsize=8, loc="lower left")
        moving = [*self.paths.artists(legend=False), *self.loss_lines]
        self._frozen = freeze_background(self.fig, moving)

    def png(self) -> bytes:
        """The figure as PNG bytes at its own size (what the widget shows)."""
        return figure_png(self.fig)

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

    @staticmethod
    def _check(changes: dict) -> None:
        allowed = {"landscape", "racers", "start", *SHARED_DEFAULTS,
                   *(f"lr_{n}" for n in RACERS)}
        check.known_settings(changes, sorted(allowed))
        for name in changes.get("racers", ()):
            check.one_of("racer", name, RACERS)

    # -- the widget -------------------------------------------------------------------------
    def widget(self):
        """Sliders (released to apply), a landscape menu, racer toggles, figure and table."""
        import ipywidgets as widgets

        from alr_teach.problems.landscapes import LANDSCAPES

        def log_slider(value, low, high, description):
            return widgets.FloatLogSlider(
                value=value, base=10, min=low, max=high, step=0.1, description=description,
                readout_format=".1e", continuous_update=False)

        def slider(value, low, high, step, description):
            return widgets.FloatSlider(value=value, min=low, max=high, step=step,
                                       description=description, readout_format=".3f",
                                       continuous_update=False)

        s = self.settings
        controls = {f"lr_{n}": log_slider(s[f"lr_{n}"], -5, 3, f"lr {n}") for n in RACERS}
        controls.update(
            momentum=slider(s["momentum"], 0.0, 0.99, 0.01, "momentum μ"),
            alpha=slider(s["alpha"], 0.0, 0.999, 0.001, "RMSProp α"),
            beta1=slider(s["beta1"], 0.0, 0.99, 0.01, "Adam β1"),
            beta2=slider(s["beta2"], 0.0, 0.9999, 0.0001, "Adam β2"),
            rho=slider(s["rho"], 0.0, 0.99, 0.01, "AdaDelta ρ"),
            eps=log_slider(s["eps"], -10, 0, "ε"),
            eps_AdaDelta=log_slider(s["eps_AdaDelta"], -10, 0, "AdaDelta ε"),
            steps=widgets.IntSlider(value=s["steps"], min=10, max=1000, step=10,
                                    description="steps", continuous_update=False),
            landscape=widgets.Dropdown(options=list(LANDSCAPES), value=s["landscape"],
                                       description="landscape"),
            racers=widgets.SelectMultiple(options=list(RACERS), value=s["racers"],
                                          description="racers", rows=len(RACERS)),
        )
        (x_low, x_high), (y_low, y_high) = self.landscape.domain
        start = self.landscape.start if s["start"] is None else s["start"]
        controls.update(
            start_x=slider(start[0], x_low, x_high, (x_high - x_low) / 100, "start x"),
            start_y=slider(start[1], y_low, y_high, (y_high - y_low) / 100, "start y"),
        )
        image = widgets.Image(value=self.png(), format="png")
        table = widgets.HTML(self.summary_html())
        syncing = []  # non-empty while the start sliders follow a new landscape

        def follow_landscape():
            """Put the start sliders on the new landscape's domain and default start."""
            syncing.append(True)
            try:
                for control, (low, high), value in zip(
                    (controls["start_x"], controls["start_y"]), self.landscape.domain,
                    self.landscape.start,
                ):
                    control.min, control.max = min(low, control.min), max(high, control.max)
                    control.value = float(value)
                    control.min, control.max = low, high
                    control.step = (high - low) / 100
            finally:
                syncing.clear()

        def on_change(change):
            if syncing:
                return
            name = next(k for k, c in controls.items() if c is change["owner"])
            value = tuple(change["new"]) if name == "racers" else change["new"]
            if name == "racers" and not value:
                return  # keep at least one racer
            if name in ("start_x", "start_y"):
                self.update(start=(controls["start_x"].value, controls["start_y"].value))
            else:
                self.update(**{name: value})
            if name == "landscape":
                follow_landscape()
            image.value = self.png()
            table.value = self.summary_html()

        for control in controls.values():
            control.observe(on_change, names="value")
        self.controls = controls
        names = list(controls)
        left = widgets.VBox([controls[n] for n in names[:6]] + [controls["steps"]])
        right = widgets.VBox([controls[n] for n in (
            "momentum", "alpha", "beta1", "beta2", "rho", "eps", "eps_AdaDelta", "start_x",
            "start_y")])
        side = widgets.VBox([controls["landscape"], controls["racers"]])
        return widgets.VBox([widgets.HBox([left, right, side]), image, table])


def _still(landscape) -> Trajectory:
    """A one-point placeholder run, so lines exist before the first real run."""
    start = np.asarray(landscape.start, dtype=float)
    return Trajectory(points=start[None], losses=np.array([np.nan]),
                      grads=np.empty((0, start.size)), diverged_at=np.array(-1))
