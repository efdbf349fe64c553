"""The layer-step explorer: one MLP trained with Adam, LAMB or NovoGrad, each layer's step."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from alr_teach import _validation as check
from alr_teach.lab.mlp_sweeps import MLPSweep, layer_names, sweep_mlp
from alr_teach.optimizers import registry
from alr_teach.problems.datasets import Split
from alr_teach.viz.explorers.base import Choices, Control, Explorer, IntSlider, LogSlider, Menu
from alr_teach.viz.mlp_sweeps_plots import LAYER_QUANTITIES
from alr_teach.viz.plots import style

__all__ = ["EXPLORER_METHODS", "EXPLORER_BATCHES", "LayerStepExplorer"]

#: the methods the explorer offers (registry names, torch's defaults but for the rate)
EXPLORER_METHODS = ("Adam", "LAMB", "NovoGrad")
#: the batch sizes its slider offers, besides the whole training part
EXPLORER_BATCHES = (16, 32, 64, 128, 256, 512)


class LayerStepExplorer(Explorer):
    """Train one MLP with Adam, LAMB or NovoGrad and see each layer's relative step.

    Settings: ``method`` (one of :data:`EXPLORER_METHODS`), ``batch_size`` (at most the
    training part: a larger one means all of it), ``lr``, ``epochs`` and ``seed``. Each
    update trains one run on ``split`` with :func:`~alr_teach.lab.mlp_sweeps.sweep_mlp`
    (``sweep``), draws the relative step of each parameter array and the validation
    accuracy per epoch, and returns a summary: the settings, the steps taken, the final
    validation accuracy, and each array's median relative step.
    """

    DEFAULTS = {"method": "LAMB", "batch_size": 256, "lr": 0.01, "epochs": 10, "seed": 0}
    FIGSIZE = (11, 4.0)
    STATIC_FIGSIZE = (12, 4.2)
    ROWS = (("method", "batch_size", "lr"), ("epochs", "seed"))

    def __init__(self, split: Split, *, hidden: Sequence[int] = (32,), **settings: Any) -> None:
        self.split, self.hidden = split, tuple(hidden)
        super().__init__(**settings)

    def check(self, settings: dict) -> dict:
        check.one_of("method", settings["method"], EXPLORER_METHODS)
        check.positive("lr", settings["lr"])
        batch = check.whole("batch_size", settings["batch_size"], low=1)
        check.whole("epochs", settings["epochs"], low=1)
        check.whole("seed", settings["seed"])
        return {**settings, "batch_size": min(batch, len(self.split.y_train))}

    def compute(self) -> MLPSweep:
        """One run of the current settings (kept as ``sweep``)."""
        s = self.settings
        self.sweep = sweep_mlp(lambda lr: registry.make(s["method"], lr=lr), self.split,
                               [s["lr"]], [s["seed"]], hidden=self.hidden,
                               batch_size=s["batch_size"], epochs=s["epochs"],
                               method=s["method"])
        return self.sweep

    def summarise(self, sweep: MLPSweep) -> dict:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a bias that stayed at 0
            medians = np.nanmedian(sweep.relative_steps[:, 0, 0], axis=0)
        return {**self.settings, "steps": sweep.steps,
                "val_accuracy": float(sweep.val_accuracy[-1, 0, 0]),
                "median_relative_step": dict(zip(sweep.names, medians.tolist()))}

    def draw(self, fig: Figure) -> dict:
        """One empty line per parameter array (relative steps) and one for the accuracy."""
        ax_steps, ax_accuracy = fig.subplots(1, 2, width_ratios=[1.4, 1])
        names = layer_names(len(self.hidden) + 1)
        step_lines = [ax_steps.plot([], [], label=n, markersize=4, **style(a))[0]
                      for a, n in enumerate(names)]
        (accuracy_line,) = ax_accuracy.plot([], [], markersize=5, **style(0))
        ax_steps.set(yscale="log", xlabel="epoch", ylabel=LAYER_QUANTITIES["relative_steps"])
        ax_steps.legend(fontsize=8, ncol=2, loc="upper right")
        ax_accuracy.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1.02),
                        title="Validation accuracy after each epoch")
        return {"steps": ax_steps, "accuracy": ax_accuracy, "step_lines": step_lines,
                "accuracy_line": accuracy_line}

    def show(self, view: dict, sweep: MLPSweep) -> None:
        """The run's relative steps against epochs, its accuracy, the limits and title."""
        s = self.settings
        relative = sweep.relative_steps[:, 0, 0]  # (steps, n_arrays)
        x = np.arange(1, sweep.steps + 1) * s["epochs"] / sweep.steps
        for line, values in zip(view["step_lines"], relative.T):
            line.set_data(x, values)
            line.set_markevery(max(1, sweep.steps // 8))
        accuracy = sweep.val_accuracy[:, 0, 0]
        view["accuracy_line"].set_data(np.arange(1, s["epochs"] + 1), accuracy)
        shown = relative[np.isfinite(relative) & (relative > 0)]
        low, high = (shown.min(), shown.max()) if shown.size else (1e-4, 1.0)
        view["steps"].set(xlim=(0, s["epochs"]), ylim=(low / 1.5, high * 1.5))
        view["accuracy"].set_xlim(0.5, s["epochs"] + 0.5)
        view["steps"].set_title(f"{s['method']}, batch {sweep.batch_size}, η = {s['lr']:.3g}: "
                                f"{sweep.steps} steps, validation accuracy {accuracy[-1]:.3f}",
                                fontsize=10)

    def control_specs(self) -> dict[str, Control]:
        """A method menu, batch-size, rate, epochs and seed sliders (applied on release)."""
        n = len(self.split.y_train)  # the largest batch: the whole training part
        batches = sorted({b for b in EXPLORER_BATCHES if b < n} | {n, self.settings["batch_size"]})
        return {
            "method": Menu(EXPLORER_METHODS, "method"),
            "batch_size": Choices(tuple(batches), "batch size"),
            "lr": LogSlider(-4, 0, 0.25, "learning rate η"),
            "epochs": IntSlider(1, 30, 1, "epochs"),
            "seed": IntSlider(0, 9, 1, "seed"),
        }
