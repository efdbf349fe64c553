"""The hypergradient explorer: SGD-HD or Adam-HD beside the constant rate it starts from."""

from __future__ import annotations

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers.hypergradient import SGDHD, AdamHD, _Hypergradient

#: The methods the explorer runs, each with the base method that ``beta = 0`` gives.
EXPLORER_METHODS: dict[str, type[_Hypergradient]] = {"SGD-HD": SGDHD, "Adam-HD": AdamHD}


class HypergradientExplorer:
    """A hypergradient run next to the constant rate it starts from, on a 2-D landscape.

    ``update(**changes)`` is the callback: it takes any of ``method`` (a name from
    :data:`EXPLORER_METHODS`), ``landscape`` (a name from
    :data:`alr_teach.problems.landscapes.LANDSCAPES`), ``lr`` (:math:`\\eta_0`), ``beta`` and
    ``steps``; it runs the method with ``beta`` and with ``beta = 0`` (the base method at
    the constant rate :math:`\\eta_0`) as one batched run, moves the lines (the rate
    :math:`\\eta_t` on the left, the loss above the minimum on the right) and returns a
    summary. ``widget()`` puts sliders on top of it; ``static_figure()`` draws the same
    for a saved notebook. matplotlib (and ipywidgets, for the widget) are imported here.
    """

    DEFAULTS = {"method": "SGD-HD", "landscape": "rotated quadratic", "lr": 1e-3,
                "beta": 1e-4, "steps": 200}

    def __init__(self, **settings: object) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.settings = dict(self.DEFAULTS)
        self._check(settings)
        self.settings.update(settings)
        self.fig = Figure(figsize=(11, 4.2), dpi=80, layout="constrained")
        FigureCanvasAgg(self.fig)  # drawn off screen; the widget shows it as a PNG
        self.ax_rate, self.ax_loss = self.fig.subplots(1, 2)
        self.rate_lines, self.loss_lines = self._draw(self.ax_rate, self.ax_loss)
        self.summary = self.update()

    def runs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rates, losses, diverged_at)`` of the two runs (hypergradient first).

        ``rates`` and ``losses`` have shape ``(2, steps + 1)``: :math:`\\eta_t` for
        :math:`t = 0 \\dots` steps (:math:`\\eta_0` first) and the loss above the
        landscape's minimum before each step and after the last; NaN after a divergence.
        """
        from alr_teach.lab.runner import run
        from alr_teach.problems.landscapes import get as get_landscape

        s = self.settings
        landscape = get_landscape(s["landscape"])
        optimizer = EXPLORER_METHODS[s["method"]](lr=s["lr"], beta=np.array([s["beta"], 0.0]))
        start = np.asarray(landscape.start, dtype=float)
        trajectory = run(optimizer, landscape, np.stack([start, start]), s["steps"])
        rates = np.concatenate([np.full((1, 2), float(s["lr"])),
                                trajectory.state["lr_t"][:, :, 0]]).T
        floor = landscape.min_value if np.isfinite(landscape.min_value) else 0.0
        return rates, trajectory.losses.T - floor, trajectory.diverged_at

    def update(self, **changes: object) -> dict:
        """Apply ``changes``, rerun both, redraw; return the outcome of each run."""
        self._check(changes)
        self.settings.update(changes)
        rates, losses, diverged_at = self.runs()
        self._show(self.ax_rate, self.ax_loss, self.rate_lines, self.loss_lines, rates, losses)
        self.summary = {
            "final_lr": float(rates[0, -1]), "lowest_lr": float(np.nanmin(rates[0])),
            "final_loss": float(losses[0, -1]), "constant_final_loss": float(losses[1, -1]),
            "diverged_at": int(diverged_at[0]), "constant_diverged_at": int(diverged_at[1]),
        }
        return self.summary

    def static_figure(self):
        """The current view as an ordinary pyplot figure; end the cell with ``plt.show()``."""
        import matplotlib.pyplot as plt

        fig, (ax_rate, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
        rate_lines, loss_lines = self._draw(ax_rate, ax_loss)
        rates, losses, _ = self.runs()
        self._show(ax_rate, ax_loss, rate_lines, loss_lines, rates, losses)
        return fig

    def _labels(self) -> list[str]:
        s = self.settings
        return [f"{s['method']} (β = {s['beta']:.1e})", f"constant η0 = {s['lr']:.1e} (β = 0)"]

    def _draw(self, ax_rate, ax_loss) -> tuple[list, list]:
        """Empty lines and labelled axes: the hypergradient run first, the constant second."""
        from alr_teach.viz.plots import style

        rate_lines = [ax_rate.plot([], [], markevery=0.1, markersize=4, **style(i))[0]
                      for i in range(2)]
        loss_lines = [ax_loss.plot([], [], markevery=0.1, markersize=4, **style(i))[0]
                      for i in range(2)]
        ax_rate.axhline(0.0, color="0.6", linewidth=0.8)
        ax_rate.set(xlabel="step t", ylabel="learning rate η_t")
        ax_loss.set(xlabel="step t", ylabel="loss − minimum (log scale)", yscale="log",
                    ylim=(1e-16, 1e8), title="Loss against step")
        return rate_lines, loss_lines

    def _show(self, ax_rate, ax_loss, rate_lines, loss_lines, rates, losses) -> None:
        """Put the two runs on the lines, rescale the rate axis, relabel the legends."""
        steps = np.arange(rates.shape[1])
        for line, rate in zip(rate_lines, rates):
            line.set_data(steps, rate)
        for line, loss in zip(loss_lines, losses):
            ok = np.isfinite(loss)
            line.set_data(steps[ok], np.maximum(loss[ok], 1e-16))
        finite = rates[np.isfinite(rates)]
        low, high = (min(finite.min(), 0.0), finite.max()) if finite.size else (0.0, 1.0)
        pad = 0.05 * (high - low or 1.0)
        ax_rate.set(xlim=(0, steps[-1]), ylim=(low - pad, high + pad))
        ax_loss.set_xlim(0, steps[-1])
        s = self.settings
        ax_rate.set_title(f"{s['method']} on {s['landscape']}: the rate η_t")
        for lines, ax in ((rate_lines, ax_rate), (loss_lines, ax_loss)):
            for line, label in zip(lines, self._labels()):
                line.set_label(label)
            ax.legend(fontsize=8, loc="best")

    def png(self) -> bytes:
        """The figure as PNG bytes (what the widget shows)."""
        from alr_teach.viz.widgets import figure_png

        return figure_png(self.fig)

    def _check(self, changes: dict) -> None:
        from alr_teach.problems.landscapes import LANDSCAPES

        check.known_settings(changes, self.DEFAULTS)
        if "method" in changes:
            check.one_of("method", changes["method"], EXPLORER_METHODS)
        if "landscape" in changes:
            check.one_of("landscape", changes["landscape"], LANDSCAPES)
        for name in ("lr", "beta"):
            if name in changes:
                check.nonnegative(name, changes[name])
        if "steps" in changes:
            check.whole("steps", changes["steps"], low=1)

    def widget(self):
        """Sliders (applied on release) for β, η0 and the steps; menus for method, landscape."""
        import ipywidgets as widgets

        from alr_teach.problems.landscapes import LANDSCAPES
        from alr_teach.viz.widgets import explorer_box

        s = self.settings
        common = {"continuous_update": False, "style": {"description_width": "initial"}}
        controls = {
            "beta": widgets.FloatLogSlider(value=s["beta"], base=10, min=-8, max=0, step=0.25,
                                           description="hyper-rate β", readout_format=".1e",
                                           **common),
            "lr": widgets.FloatLogSlider(value=s["lr"], base=10, min=-5, max=0, step=0.25,
                                         description="initial rate η0", readout_format=".1e",
                                         **common),
            "steps": widgets.IntSlider(value=s["steps"], min=10, max=1000, step=10,
                                       description="steps", **common),
            "method": widgets.Dropdown(options=list(EXPLORER_METHODS), value=s["method"],
                                       description="method"),
            "landscape": widgets.Dropdown(options=list(LANDSCAPES), value=s["landscape"],
                                          description="landscape"),
        }
        self.controls = controls
        names = list(controls)
        return explorer_box(self, [names[:3], names[3:]], summary=False)
