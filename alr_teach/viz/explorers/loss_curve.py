"""The loss-curve explorer: train the MLP, see its loss curve and diagnosis as sliders move."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.lab.loss_curves import (
    Diagnosis,
    Thresholds,
    TrainingRun,
    curve_stats,
    diagnose,
    synthetic_curve,
    train_mlp,
    trend,
)
from alr_teach.optimizers import registry
from alr_teach.optimizers.base import Optimizer
from alr_teach.viz.explorers.base import Choices, Control, Explorer, IntSlider, LogSlider, Menu
from alr_teach.viz.loss_curves_plots import plot_curve, plot_statistics, set_bars
from alr_teach.viz.surface_plots import label_for

__all__ = ["EXPLORER_METHODS", "BATCH_SIZES", "LossCurveExplorer"]

#: The methods it offers (registry names; every setting but ``lr`` and ``eps`` is torch's).
EXPLORER_METHODS = ("SGD", "Momentum", "AdaGrad", "RMSProp", "Adam")
#: Batch sizes offered by the widget.
BATCH_SIZES = (2, 4, 8, 16, 32, 64, 128, 256, 512)


def _headline(diagnosis: Diagnosis) -> str:
    return f"Diagnosis: {diagnosis.label} ({diagnosis.reason})\nfirst fix: {diagnosis.fix}"


class LossCurveExplorer(Explorer):
    """Train the MLP on ``(X, y)``, draw its loss curve and trend, diagnose it live.

    Settings: the keys of ``DEFAULTS`` (``optimizer`` from :data:`EXPLORER_METHODS`;
    ``eps`` applies to the adaptive ones, SGD and Momentum have none). Each update
    retrains with :func:`~alr_teach.lab.loss_curves.train_mlp` (``last_run``), moves the
    lines and bars and returns a summary: ``label``, ``reason``, ``fix``, ``stats``,
    ``optimizer`` (its legend label) and ``final_loss``.
    """

    DEFAULTS = {"optimizer": "Adam", "lr": 0.1, "eps": 1e-8, "batch_size": 64, "seed": 0,
                "steps": 300}
    FIGSIZE = (12, 4.4)
    STATIC_FIGSIZE = (13, 4.4)
    ROWS = (("optimizer", "lr", "eps"), ("batch_size", "seed"))

    def __init__(self, X: ArrayLike, y: ArrayLike, *,
                 hidden_layer_sizes: tuple[int, ...] = (32,), **settings: Any) -> None:
        self.X, self.y = np.asarray(X, dtype=float), np.asarray(y)
        self.hidden_layer_sizes = tuple(hidden_layer_sizes)
        super().__init__(**settings)

    def check(self, settings: dict) -> dict:
        check.one_of("optimizer", settings["optimizer"], EXPLORER_METHODS)
        check.positive("lr", settings["lr"])
        check.positive("eps", settings["eps"])
        for name, low in (("batch_size", 1), ("seed", 0), ("steps", 19)):
            check.whole(name, settings[name], low=low)
        return settings

    def optimizer(self) -> Optimizer:
        """The optimizer the current settings describe."""
        s = self.settings
        eps = {"eps": s["eps"]} if "eps" in registry.defaults(s["optimizer"]) else {}
        return registry.make(s["optimizer"], lr=s["lr"], **eps)

    def run(self) -> TrainingRun:
        """Train once with the current settings."""
        s = self.settings
        return train_mlp(self.optimizer(), self.X, self.y,
                         hidden_layer_sizes=self.hidden_layer_sizes, steps=s["steps"],
                         batch_size=s["batch_size"], seed=s["seed"])

    def compute(self) -> tuple[TrainingRun, Diagnosis]:
        """Train once (kept as ``last_run``) and diagnose the curve."""
        self.last_run = self.run()
        return self.last_run, diagnose(self.last_run.losses)

    def summarise(self, result: tuple[TrainingRun, Diagnosis]) -> dict:
        run, diagnosis = result
        return {"label": diagnosis.label, "reason": diagnosis.reason, "fix": diagnosis.fix,
                "stats": diagnosis.stats, "optimizer": label_for(self.optimizer()),
                "final_loss": float(run.losses[-1])}

    def draw(self, fig: Figure) -> dict:
        """The curve, its trend and end marker (a placeholder), ln K, and the test bars."""
        ax_curve, ax_stats = fig.subplots(1, 2, width_ratios=[1.5, 1])
        placeholder = synthetic_curve("healthy", steps=self.settings["steps"])
        raw, smooth, end = plot_curve(ax_curve, placeholder, i=0)
        ax_curve.axhline(np.log(self.y.max() + 1), color="0.5", linestyle=":", linewidth=1,
                         label="ln K: a uniform guess")
        bars, texts = plot_statistics(ax_stats, curve_stats(placeholder))
        return {"curve": ax_curve, "stats": ax_stats, "raw": raw, "smooth": smooth, "end": end,
                "bars": bars, "texts": texts}

    def show(self, view: dict, result: tuple[TrainingRun, Diagnosis]) -> None:
        """The run's curve and trend, an 'x' where it stopped, the diagnosis and its bars."""
        run, diagnosis = result
        curve = run.losses
        ok = np.isfinite(curve)
        steps = np.arange(curve.size)
        view["raw"].set_data(steps[ok], curve[ok])
        view["smooth"].set_data(steps[ok], trend(curve[ok]))
        last = int(np.flatnonzero(ok)[-1])
        view["end"].set_data(([last], [curve[last]]) if not ok.all() else ([], []))
        name = f"{label_for(self.optimizer())}, batch {self.settings['batch_size']}"
        view["smooth"].set_label(f"{name}: {diagnosis.label}")
        ax = view["curve"]
        ax.set_xlim(0, curve.size - 1)
        ax.relim()
        ax.autoscale_view(scalex=False)
        ax.legend(fontsize=8, loc="lower left")
        ax.set_title(_headline(diagnosis), fontsize=10)
        set_bars(view["bars"], view["texts"], diagnosis.stats, Thresholds())

    def control_specs(self) -> dict[str, Control]:
        """Sliders (applied on release) for the rate, epsilon, batch size and seed."""
        return {
            "optimizer": Menu(EXPLORER_METHODS, "optimizer"),
            "lr": LogSlider(-4, 0.5, 0.1, "learning rate η"),
            "eps": LogSlider(-10, 0, 0.5, "ε", ".0e"),
            "batch_size": Choices(BATCH_SIZES, "batch size"),
            "seed": IntSlider(0, 9, 1, "seed"),
        }
