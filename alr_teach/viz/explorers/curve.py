"""The curve explorer: two methods' training curves from a finished comparison, side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from alr_teach import _validation as check
from alr_teach.lab.benchmarking import CURVES, Comparison, Spread
from alr_teach.viz.benchmarking_plots import method_style
from alr_teach.viz.explorers.base import Control, Explorer, Menu
from alr_teach.viz.plots import band_vertices, mean_and_range, style

__all__ = ["EpochRange", "CurveExplorer"]


@dataclass(frozen=True)
class EpochRange(Control):
    """A slider with two handles: the first and last epoch shown, from 1 to ``last``."""

    last: int
    label: str = "epochs"

    def build(self, widgets: Any, value: object) -> Any:
        return widgets.IntRangeSlider(value=tuple(value), min=1, max=self.last, step=1,
                                      **self._slider())


class CurveExplorer(Explorer):
    """Two methods' curves on one data set, from runs already made (no training here).

    Settings: ``first``, ``second`` (methods of the comparison), ``dataset`` (None: the
    first), ``curve`` (a key of :data:`~alr_teach.lab.benchmarking.CURVES`) and ``epochs``
    (a pair: the first and last epoch shown; None: all). Each update moves the two lines
    (mean over seeds) and bands (range) and returns a summary: each method's rate, its
    curve's mean and range at the last epoch shown, its test accuracy, and whether the
    seeds tell the two apart (their ranges do not overlap; ``ahead`` names the better).
    """

    DEFAULTS = {"first": "Adam", "second": "Momentum", "dataset": None,
                "curve": "val_accuracy", "epochs": None}
    FIGSIZE = (8, 4.2)
    ROWS = (("first", "second"), ("dataset", "curve", "epochs"))

    def __init__(self, comparison: Comparison, **settings: Any) -> None:
        self.comparison = comparison
        first = comparison.curves(comparison.datasets[0], comparison.methods[0])
        self.n_epochs = first.shape[1]
        super().__init__(**settings)

    def check(self, settings: dict) -> dict:
        methods, datasets = self.comparison.methods, self.comparison.datasets
        for key in ("first", "second"):
            check.one_of(key, settings[key], methods)
        dataset = datasets[0] if settings["dataset"] is None else settings["dataset"]
        check.one_of("dataset", dataset, datasets)
        check.one_of("curve", settings["curve"], CURVES)
        epochs = (1, self.n_epochs) if settings["epochs"] is None else settings["epochs"]
        lo, hi = epochs
        if not (1 <= lo <= hi <= self.n_epochs):
            raise ValueError(f"Invalid epochs: {epochs!r} (need "
                             f"1 <= first <= last <= {self.n_epochs})")
        return {**settings, "dataset": dataset, "epochs": (int(lo), int(hi))}

    def compute(self) -> dict:
        """Per method: the epochs shown, the curves' mean, low and high, its rate and the
        spread at the last epoch shown; and whether the two are apart, who is ahead."""
        s = self.settings
        lo, hi = s["epochs"]
        names = [s["first"], s["second"]]
        methods = {}
        for name in names:
            data = self.comparison.curves(s["dataset"], name, s["curve"])[:, lo - 1: hi]
            methods[name] = {
                "curve": mean_and_range(data),
                "lr": self.comparison.select(s["dataset"], name)[0].lr,
                "final": Spread.of(data[:, -1]),
            }
        apart = not methods[names[0]]["final"].overlaps(methods[names[1]]["final"])
        better = max if s["curve"] == "val_accuracy" else min
        ahead = better(names, key=lambda n: methods[n]["final"].mean) if apart else None
        return {"names": names, "epochs": np.arange(lo, hi + 1), "methods": methods,
                "separated": apart, "ahead": ahead}

    def summarise(self, result: dict) -> dict:
        s = self.settings
        return {"dataset": s["dataset"], "curve": s["curve"], "epochs": s["epochs"],
                "methods": {name: {"lr": m["lr"], "final": m["final"],
                                   "test_accuracy": self.comparison.summary(
                                       s["dataset"], name)["test_accuracy"]}
                            for name, m in result["methods"].items()},
                "separated": result["separated"], "ahead": result["ahead"]}

    def draw(self, fig: Figure) -> dict:
        """One axes with two empty lines and two empty bands."""
        ax = fig.subplots()
        lines, bands = [], []
        for i in range(2):
            lines.append(ax.plot([], [], markersize=4, **style(i))[0])
            bands.append(ax.fill_between([0, 1], [0, 0], [0, 0], alpha=0.15, linewidth=0))
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        return {"ax": ax, "lines": lines, "bands": bands}

    def show(self, view: dict, result: dict) -> None:
        """Each method's line and band in its own style; limits, label and verdict."""
        s, ax, epochs = self.settings, view["ax"], result["epochs"]
        low_y, high_y = [], []
        for i, (name, line, band) in enumerate(zip(result["names"], view["lines"],
                                                   view["bands"])):
            m = result["methods"][name]
            mean, low, high = m["curve"]
            st = method_style(name, i)
            line.set_data(epochs, mean)
            line.set(color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                     label=f"{name} (lr={m['lr']:g})")
            band.set_verts([band_vertices(epochs.astype(float), low, high)])
            band.set_facecolor(st["color"])
            low_y.append(np.nanmin(low))
            high_y.append(np.nanmax(high))
        lo, hi = s["epochs"]
        ax.set_xlim(lo - 0.5, hi + 0.5)
        bottom, top = float(min(low_y)), float(max(high_y))
        if s["curve"] == "val_accuracy":
            pad = 0.05 * max(top - bottom, 1e-3)
            ax.set_yscale("linear")
            ax.set_ylim(bottom - pad, min(top + pad, 1.005))
        else:
            ax.set_yscale("log")
            ax.set_ylim(max(bottom, 1e-6) / 1.3, top * 1.3)
        ax.set_ylabel(f"{CURVES[s['curve']][0]} (band = range over seeds)")
        verdict = (f"{result['ahead']} ahead at epoch {hi}: ranges do not overlap"
                   if result["separated"] else f"at epoch {hi} the seeds cannot tell them apart")
        first, second = result["names"]
        ax.set_title(f"{s['dataset']}: {first} vs {second}: {verdict}", fontsize=10)
        ax.legend(handles=view["lines"], fontsize=8, loc="best")

    def summary_text(self) -> str:
        """The summary as one line per method."""
        s = self.summary
        rows = [f"{name} (lr={m['lr']:g}): {CURVES[s['curve']][0]} at epoch {s['epochs'][1]} "
                f"{m['final'].show('.3f')}, test accuracy {m['test_accuracy'].show('.3f')}"
                for name, m in s["methods"].items()]
        return "\n".join(rows)

    def summary_html(self) -> str:
        return f"<pre>{self.summary_text()}</pre>"

    def control_specs(self) -> dict[str, Control]:
        """Menus for the two methods, the data set and the curve; an epoch-range slider."""
        methods, datasets = tuple(self.comparison.methods), tuple(self.comparison.datasets)
        return {
            "first": Menu(methods, "first"),
            "second": Menu(methods, "second"),
            "dataset": Menu(datasets, "data set"),
            "curve": Menu(tuple((label, key) for key, (label, _) in CURVES.items()), "curve"),
            "epochs": EpochRange(self.n_epochs),
        }

    def control_changes(self, name: str, value: Any) -> dict:
        return {name: tuple(value) if name == "epochs" else value}
