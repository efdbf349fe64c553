"""Interactive explorers. ipywidgets is imported only when a widget is built.

Each explorer is a plain object whose ``update(...)`` redraws its matplotlib figure
and returns a summary; ``widget()`` wires sliders to ``update``. Tests call ``update``
(or set a slider's ``.value``) headlessly and check what was drawn.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .landscapes import Quadratic
from .plots import style
from .runner import run
from .sgd import SGD


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
        from IPython.display import clear_output, display

        slider = widgets.FloatLogSlider(
            value=self.lr, base=10, min=-3, max=0,
            step=0.05, description="learning rate", readout_format=".3f",
            continuous_update=False, style={"description_width": "initial"},
            layout=widgets.Layout(width="60%"),
        )
        output = widgets.Output()

        def redraw(change=None):
            self.update(slider.value)
            with output:
                clear_output(wait=True)
                display(self.fig)

        slider.observe(redraw, names="value")
        redraw()
        self.slider = slider
        return widgets.VBox([slider, output])

