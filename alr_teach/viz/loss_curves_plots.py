"""Figures of loss curves and their diagnosis (:mod:`alr_teach.lab.loss_curves`).

Each diagnosis has its own :func:`~alr_teach.viz.plots.style` (:data:`LABEL_STYLE`), so a
label looks the same in every figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from alr_teach.lab.loss_curves import CurveStats, Diagnosis, Thresholds, diagnose, trend
from alr_teach.viz.plots import style

__all__ = ["LABEL_STYLE", "BAR_LIMIT", "plot_curve", "plot_statistics", "set_bars",
           "plot_before_after"]

#: The :func:`~alr_teach.viz.plots.style` index of each label, so a label looks the same everywhere.
LABEL_STYLE = {"diverging": 5, "oscillating": 1, "too large": 3, "noisy": 4, "plateau": 7,
               "too small": 0, "healthy": 2}


def plot_curve(ax: Axes, losses: ArrayLike, i: int | None = None, label: str | None = None,
               diagnosis: Diagnosis | None = None) -> tuple:
    """The curve (thin, faint) and its trend (thick) in ``style(i)``, log loss axis.

    ``i`` defaults to the diagnosis's entry in :data:`LABEL_STYLE`. The legend entry is
    ``label`` followed by the diagnosis (computed if not given). A curve that stops (not
    finite) ends with an 'x'. Returns ``(raw_line, trend_line, end_marker)`` so a caller
    can move them.
    """
    curve = np.asarray(losses, dtype=float)
    diagnosis = diagnosis or diagnose(curve)
    st = style(LABEL_STYLE[diagnosis.label] if i is None else i)
    steps = np.arange(curve.size)
    ok = np.isfinite(curve)
    raw, = ax.plot(steps[ok], curve[ok], color=st["color"], linewidth=0.8, alpha=0.45)
    smooth, = ax.plot(steps[ok], trend(curve[ok]) if ok.sum() else curve[ok],
                      color=st["color"], linestyle=st["linestyle"], linewidth=2.2,
                      label=f"{label + ': ' if label else ''}{diagnosis.label}")
    end, = ax.plot([], [], "x", color=st["color"], markersize=11, markeredgewidth=2.5)
    if not ok.all() and ok.any():
        last = int(np.flatnonzero(ok)[-1])
        end.set_data([last], [curve[last]])
    ax.set(yscale="log", xlabel="step t", ylabel="training loss (log scale)")
    return raw, smooth, end


def _bar_values(stats: CurveStats, thresholds: Thresholds) -> np.ndarray:
    values = np.array([value / threshold for _, _, value, threshold in stats.tests(thresholds)])
    return np.nan_to_num(values, nan=0.0, posinf=10.0)


#: Right edge of the statistics chart (values beyond it are clipped, with the number printed).
BAR_LIMIT = 3.0


def plot_statistics(ax: Axes, stats: CurveStats, thresholds: Thresholds | None = None):
    """Each test of :func:`diagnose` as a bar: statistic / threshold, the line at 1 fires.

    Bars are in the order of the tests (top first); the first bar to reach 1 names the
    diagnosis. Bars are clipped to [0, :data:`BAR_LIMIT`]; the label beside each gives
    the exact ratio. Returns the bar container (``.patches`` in that order) and the labels.
    """
    th = thresholds or Thresholds()
    tests = stats.tests(th)
    names = [f"{label}: {name} ÷ {threshold:g}" for label, name, _, threshold in tests]
    values = _bar_values(stats, th)
    bars = ax.barh(np.arange(len(tests)), np.clip(values, 0.0, BAR_LIMIT),
                   color=style(4)["color"])
    ax.axvline(1.0, color="black", linestyle="--", linewidth=1.2, label="threshold")
    texts = [ax.text(0.05, k, f"{v:.2f}", va="center", fontsize=8)
             for k, v in enumerate(values)]
    ax.set_yticks(np.arange(len(tests)), names, fontsize=8)
    ax.set(xlim=(0, BAR_LIMIT), xlabel="statistic ÷ threshold (≥ 1 fires)",
           title="The tests, in order: the first to fire names it")
    ax.invert_yaxis()
    set_bars(bars, texts, stats, th)  # value labels just right of each bar
    return bars, texts


def set_bars(bars, texts, stats: CurveStats, thresholds: Thresholds) -> None:
    """Move the bars and value labels of :func:`plot_statistics` to ``stats``."""
    for bar, text, value in zip(bars.patches, texts, _bar_values(stats, thresholds)):
        shown = float(np.clip(value, 0.0, BAR_LIMIT))  # negative (a rising end) shows as 0
        bar.set_width(shown)
        text.set_text(f"{value:.2f}")
        text.set_x(min(shown, BAR_LIMIT - 0.4) + 0.05)


def plot_before_after(ax: Axes, before: ArrayLike, after: ArrayLike,
                      labels: tuple[str, str]) -> tuple[Diagnosis, Diagnosis]:
    """A sick run and the same run with its fix, diagnosed, on one (log) axes."""
    diagnoses = diagnose(before), diagnose(after)
    for i, (curve, label, d) in enumerate(zip((before, after), labels, diagnoses)):
        plot_curve(ax, curve, i=5 if i == 0 else 2, label=label, diagnosis=d)
    ax.legend(fontsize=8, loc="lower left")
    return diagnoses
