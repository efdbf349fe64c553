"""The loss-curve diagnosis: statistics by hand, each threshold from both sides, real runs."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, Adam, MLPClassifier
from alr_teach.lab.loss_curves import (
    ADVICE,
    LABELS,
    Thresholds,
    curve_stats,
    diagnose,
    synthetic_curve,
    train_mlp,
    trend,
)
from alr_teach.problems import mlp
from alr_teach.viz.explorers.loss_curve import LossCurveExplorer
from alr_teach.viz.loss_curves_plots import (
    BAR_LIMIT,
    LABEL_STYLE,
    plot_before_after,
    plot_curve,
    plot_statistics,
)
from alr_teach.viz.plots import style


@pytest.fixture(scope="module")
def digits():
    from alr_teach.problems.datasets import load_split

    split = load_split("digits")
    return split.X_train, split.y_train


# -- statistics --------------------------------------------------------------------------------

def test_labels_and_advice_agree():
    assert set(ADVICE) == set(LABELS) == set(LABEL_STYLE)
    assert LABELS[-1] == "healthy" and len(LABELS) == 7


def test_trend_is_a_running_median_cut_short_at_the_ends():
    curve = np.random.default_rng(0).random(50)
    expected = [np.median(curve[max(0, t - 3):t + 4]) for t in range(50)]
    assert_array_equal(trend(curve, half_width=3), expected)
    assert trend(curve).size == 50
    spiky = np.ones(401)
    spiky[-1] = 100.0                    # one spike at the very end is not the trend
    assert trend(spiky)[-1] == 1.0


def test_statistics_of_a_constant_curve():
    stats = curve_stats(np.full(101, 2.0))
    assert (stats.end, stats.rebound, stats.noise, stats.flat, stats.late_share) == \
        (1.0, 0.0, 0.0, 1.0, 0.0)
    assert diagnose(np.full(101, 2.0)).label == "plateau"


def test_late_share_of_a_straight_line_and_of_a_levelled_curve():
    t = np.arange(301)
    line = curve_stats(2.0 - 0.002 * t)
    assert 0.23 < line.late_share < 0.26 and line.rebound == 0 and line.noise < 1e-3
    # the line moves 0.002 per step: it stays within 0.02 (1 % of 2) for about 11 steps
    assert 10 / 301 <= line.flat < 16 / 301
    levelled = curve_stats(2.0 * np.exp(-t / 20) + 0.01)
    assert levelled.late_share < 0.01 and levelled.end < 0.01


def test_rebound_measures_how_far_the_trend_climbs_back():
    down, up = np.linspace(2.0, 1.0, 101), np.linspace(1.0, 1.6, 101)[1:]
    curve = np.concatenate([down, np.ones(50), up, np.full(100, 1.6)])
    assert curve_stats(curve).rebound == pytest.approx(0.6 / 2.0, rel=1e-12)


def test_flat_measures_a_stretch_near_the_start():
    t = np.arange(301)
    curve = np.where(t < 120, 2.0, 2.0 * np.exp(-(t - 120) / 20.0))
    assert 120 / 301 <= curve_stats(curve).flat <= 125 / 301
    converged = 2.0 * np.exp(-t / 5.0) + 0.05           # flat too, but low: does not count
    assert curve_stats(converged).flat < 0.05


def test_noise_is_the_mean_relative_distance_from_the_trend():
    curve = np.ones(401)
    curve[::10] = 1.5                   # isolated spikes: the median trend stays at 1
    curve[0] = 1.0
    second_half = curve[200:]
    expected = np.mean(np.abs(second_half - 1.0))
    assert_array_equal(trend(curve)[5:-5], 1.0)
    assert curve_stats(curve).noise == pytest.approx(expected, rel=1e-12)


def test_noise_ignores_wiggles_below_one_percent_of_the_start():
    t = np.arange(301)
    converged = 2.0 * np.exp(-t / 10) + 1e-6 * (1 + (-1) ** t)   # wiggles of 1e-6 near 0
    assert curve_stats(converged).noise < 1e-4


def test_non_finite_curves_diverge():
    curve = np.linspace(2.0, 1.0, 50)
    curve[30:] = np.nan
    d = diagnose(curve)
    assert d.label == "diverging" and d.reason == "a loss is not finite"
    assert not d.stats.finite and d.stats.end == np.inf and np.isnan(d.stats.noise)


@pytest.mark.parametrize("losses, message", [
    (np.ones((20, 2)), "1-D"),
    (np.ones(10), "at least 20"),
    (np.r_[0.0, np.ones(30)], "starting value"),
    (np.r_[np.nan, np.ones(30)], "starting value"),
])
def test_bad_curves_are_named(losses, message):
    with pytest.raises(ValueError, match=f"Invalid losses: .*{message}"):
        curve_stats(losses)


# -- the diagnosis -----------------------------------------------------------------------------

@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("seed", range(10))
def test_textbook_curves_get_their_own_label(label, seed):
    curve = synthetic_curve(label, seed=seed)
    assert curve[0] == 2.3 and curve.shape == (301,)
    assert diagnose(curve).label == label


FIELD = {"diverging": "end", "oscillating": "rebound", "too large": "too_large",
         "noisy": "noise", "plateau": "flat", "too small": "late_share"}


@pytest.mark.parametrize("label", [lab for lab in LABELS if lab != "healthy"])
def test_each_threshold_fires_at_its_value_and_not_above(label):
    curve = synthetic_curve(label, seed=3)
    stats = curve_stats(curve)
    value = {name: v for lab, name, v, _ in stats.tests() if lab == label}[
        "noise" if label in ("too large", "noisy") else FIELD[label]]
    at = Thresholds(**{FIELD[label]: value * (1 - 1e-9)})
    above = Thresholds(**{FIELD[label]: value * (1 + 1e-9)})
    assert diagnose(curve, at).label == label
    assert diagnose(curve, above).label != label
    fired = diagnose(curve, at)
    assert fired.fix == ADVICE[label][1] and f"{value:.2f}" in fired.reason


def test_the_first_test_that_fires_names_the_curve():
    curve = synthetic_curve("too large", seed=0)       # noise also passes the 'noisy' test
    stats = curve_stats(curve)
    assert stats.noise >= Thresholds().noise and diagnose(curve).label == "too large"
    lenient = Thresholds(too_large=10.0)
    assert diagnose(curve, lenient).label == "noisy"
    assert diagnose(curve, dataclasses.replace(lenient, noise=10.0)).label != "noisy"


def test_a_healthy_curve_fires_nothing():
    d = diagnose(synthetic_curve("healthy"))
    assert d.reason == "no test fired" and d.fix == "nothing"
    assert all(value < threshold for _, _, value, threshold in d.stats.tests())


def test_synthetic_curve_rejects_unknown_labels():
    with pytest.raises(ValueError, match="Invalid label: 'slow'"):
        synthetic_curve("slow")


# -- real runs ---------------------------------------------------------------------------------

def test_train_mlp_trains_exactly_as_the_estimator(digits):
    X, y = digits
    per_epoch = -(-len(y) // 64)
    run = train_mlp(Adam(lr=0.01), X, y, steps=2 * per_epoch, seed=3, eval_size=None)
    clf = MLPClassifier(hidden_layer_sizes=(32,), optimizer=Adam(lr=0.01), batch_size=64,
                        max_iter=2, random_state=3).fit(X, y)
    for mine, theirs in zip(run.network.coefs + run.network.intercepts,
                            clf.coefs_ + clf.intercepts_):
        assert_allclose(mine, theirs, rtol=0, atol=1e-12)
    sizes = np.diff(np.r_[np.arange(0, len(y), 64), len(y)])
    epoch_means = (run.batch_losses.reshape(2, per_epoch) * sizes).sum(axis=1) / len(y)
    assert_allclose(epoch_means, clf.loss_curve_, rtol=1e-12)
    assert run.losses[-1] == pytest.approx(mlp.loss(run.network, X, y), rel=1e-12)
    assert run.diverged_at == -1 and np.all(np.isfinite(run.losses))


def test_train_mlp_evaluates_a_fixed_spread_of_samples(digits):
    X, y = digits
    run = train_mlp(SGD(lr=0.1), X, y, steps=5, eval_size=100)
    chosen = np.linspace(0, len(y) - 1, 100).round().astype(int)
    assert run.losses[-1] == pytest.approx(mlp.loss(run.network, X[chosen], y[chosen]))
    assert run.losses.shape == (6,) and run.batch_losses.shape == (5,)


def test_train_mlp_stops_a_diverging_run(digits):
    X, y = digits
    run = train_mlp(SGD(lr=3.0), X, y, steps=100)
    assert 0 < run.diverged_at < 100
    assert np.all(np.isnan(run.losses[run.diverged_at:]))
    assert np.all(np.isfinite(run.losses[:run.diverged_at]))
    assert diagnose(run.losses).label == "diverging"


@pytest.mark.parametrize("optimizer, options, label", [
    (lambda: SGD(lr=1e-3), {}, "too small"),
    (lambda: SGD(lr=0.1), {}, "healthy"),
    (lambda: Adam(lr=0.1), {}, "too large"),
    (lambda: SGD(lr=0.1), {"hidden_layer_sizes": (32, 32, 32), "init_scale": 0.1}, "plateau"),
])
def test_real_runs_are_diagnosed(digits, optimizer, options, label):
    X, y = digits
    assert diagnose(train_mlp(optimizer(), X, y, **options).losses).label == label


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": 0}, "steps"), ({"batch_size": 0}, "batch_size"), ({"init_scale": 0.0},
                                                                 "init_scale"),
    ({"eval_size": 0}, "eval_size"), ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
])
def test_train_mlp_rejects_bad_settings(digits, kwargs, message):
    X, y = digits
    with pytest.raises(ValueError, match=f"Invalid {message}"):
        train_mlp(SGD(lr=0.1), X, y, **kwargs)


def test_train_mlp_needs_class_indices(digits):
    X, y = digits
    with pytest.raises(ValueError, match="Invalid data"):
        train_mlp(SGD(lr=0.1), X, y.astype(float))


# -- pictures and the explorer -----------------------------------------------------------------

def test_plot_curve_draws_the_trend_in_the_label_style():
    curve = synthetic_curve("noisy")
    fig, ax = plt.subplots()
    raw, smooth, end = plot_curve(ax, curve, label="run")
    assert_array_equal(smooth.get_ydata(), trend(curve))
    assert smooth.get_color() == style(LABEL_STYLE["noisy"])["color"]
    assert smooth.get_label() == "run: noisy" and ax.get_yscale() == "log"
    assert len(end.get_xdata()) == 0
    stopped = synthetic_curve("healthy")
    stopped[200:] = np.nan
    _, _, end = plot_curve(ax, stopped)
    assert list(end.get_xdata()) == [199]
    plt.close(fig)


def test_plot_statistics_and_before_after():
    fig, (ax_bars, ax_pair) = plt.subplots(1, 2)
    stats = curve_stats(synthetic_curve("too small"))
    bars, texts = plot_statistics(ax_bars, stats)
    ratios = [v / th for _, _, v, th in stats.tests()]
    assert_allclose([b.get_width() for b in bars.patches], np.clip(ratios, 0, BAR_LIMIT))
    assert [t.get_text() for t in texts] == [f"{r:.2f}" for r in ratios]
    before, after = plot_before_after(ax_pair, synthetic_curve("oscillating"),
                                      synthetic_curve("healthy"), ("sick", "fixed"))
    assert (before.label, after.label) == ("oscillating", "healthy")
    assert [t.get_text() for t in ax_pair.get_legend().get_texts()] == \
        ["sick: oscillating", "fixed: healthy"]
    plt.close(fig)


@pytest.fixture  # function scope: tests move its sliders
def explorer(digits):
    X, y = digits
    return LossCurveExplorer(X, y, steps=100)


def test_explorer_update_retrains_and_rediagnoses(explorer):
    summary = explorer.update(optimizer="SGD", lr=3.0)
    assert summary["label"] == "diverging" and summary["optimizer"] == "SGD(lr=3)"
    assert len(explorer.view["end"].get_xdata()) == 1
    summary = explorer.update(optimizer="Adam", lr=0.01)
    losses = explorer.run().losses
    assert summary["label"] == diagnose(losses).label
    assert_array_equal(explorer.view["smooth"].get_ydata(), trend(losses))
    assert len(explorer.view["end"].get_xdata()) == 0
    widths = [b.get_width() for b in explorer.view["bars"].patches]
    assert_allclose(widths, np.clip([v / th for _, _, v, th in summary["stats"].tests()],
                                    0, BAR_LIMIT))
    assert summary["label"] in explorer.view["curve"].get_title()
    fig = explorer.static_figure()                       # the same run, not a new one
    assert_array_equal(fig.axes[0].lines[1].get_ydata(), trend(losses))
    assert summary["label"] in fig.axes[0].get_title()
    plt.close(fig)


@pytest.mark.parametrize("changes, message", [
    ({"momentum": 0.9}, "setting"), ({"optimizer": "LAMB"}, "optimizer"), ({"lr": -1.0}, "lr"),
    ({"batch_size": 0}, "batch_size"),
])
def test_explorer_rejects_bad_settings(explorer, changes, message):
    before = dict(explorer.settings)
    with pytest.raises(ValueError, match=f"Invalid {message}"):
        explorer.update(**changes)
    assert explorer.settings == before


def test_explorer_static_figure_draws_the_last_run_without_training_again(explorer,
                                                                          monkeypatch):
    shown = explorer.last_run.losses
    monkeypatch.setattr(explorer, "run", lambda: pytest.fail("the static figure retrained"))
    fig = explorer.static_figure()
    assert_array_equal(fig.axes[0].lines[1].get_ydata(), trend(shown))
    plt.close(fig)


def test_explorer_widget_drives_it_headlessly(digits):
    X, y = digits
    explorer = LossCurveExplorer(X, y, steps=60)
    explorer.widget()
    sliders = [c for c in explorer.controls.values() if hasattr(c, "continuous_update")]
    assert len(sliders) == 4 and all(c.continuous_update is False for c in sliders)
    image = explorer.image
    before = image.value
    explorer.controls["batch_size"].value = 8
    assert explorer.settings["batch_size"] == 8 and image.value != before
    assert image.value[:4] == b"\x89PNG"
    explorer.controls["optimizer"].value = "SGD"
    assert explorer.summary["optimizer"].startswith("SGD")
