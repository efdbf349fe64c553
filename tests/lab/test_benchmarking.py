"""The optimizer-comparison protocol and its explorer, on tiny budgets, headlessly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from alr_teach import SGD, Adam, MLPClassifier
from alr_teach.lab.benchmarking import (
    CURVES,
    METHODS,
    RULES,
    Comparison,
    Measurement,
    Run,
    Spread,
    Tuning,
    compare_optimizers,
    fit_one,
    format_comparison_table,
    learning_rate_grid,
    make_optimizer,
    measurements,
    state_per_weight,
    strengths_and_weaknesses,
    summarize,
    train_seeds,
    tune_learning_rate,
)
from alr_teach.problems.datasets import load_split
from alr_teach.viz.benchmarking_plots import plot_curves, plot_tuning
from alr_teach.viz.explorers.curve import CurveExplorer

TINY = {"hidden_layer_sizes": (4,), "max_iter": 3}


@pytest.fixture(scope="module")
def cancer():
    return load_split("breast cancer")


@pytest.fixture(scope="module")
def comparison(cancer):
    wine = load_split("wine")
    return compare_optimizers([cancer, wine], ("SGD", "Adam"), seeds=(1, 2), tuning_seed=0,
                              grids={"SGD": [1e-2, 1e-1], "Adam": [1e-3, 1e-2]}, **TINY)


# -- the data -------------------------------------------------------------------------------
def test_split_is_stratified_60_20_20_and_scaled_with_training_statistics(cancer):
    n = sum(cancer.sizes)
    assert n == 569 and cancer.sizes == (341, 114, 114)
    shares = [np.bincount(y) / len(y) for y in (cancer.y_train, cancer.y_val, cancer.y_test)]
    assert max(np.abs(shares[0] - s).max() for s in shares[1:]) < 0.01
    np.testing.assert_allclose(cancer.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(cancer.X_train.std(axis=0), 1, atol=1e-12)
    assert np.abs(cancer.X_val.mean(axis=0)).max() > 1e-3  # not rescaled with its own stats
    assert cancer.n_classes == 2


def test_split_is_reproducible_and_depends_on_random_state(cancer):
    again = load_split("breast cancer")
    np.testing.assert_array_equal(again.X_test, cancer.X_test)
    other = load_split("breast cancer", random_state=1)
    assert not np.array_equal(other.y_test, cancer.y_test)


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="dataset"):
        load_split("iris")
    with pytest.raises(ValueError, match="method"):
        make_optimizer("Lion", 1e-3)
    with pytest.raises(ValueError, match="method"):
        learning_rate_grid("Lion")


def test_every_method_gets_five_decades_adadelta_centred_on_one():
    for name in METHODS:
        grid = learning_rate_grid(name)
        assert grid.size == 5
        np.testing.assert_allclose(np.diff(np.log10(grid)), 1.0)
        expected = (1e-2, 1e2) if name == "AdaDelta" else (1e-4, 1.0)
        np.testing.assert_allclose((grid[0], grid[-1]), expected)


def test_methods_build_the_optimizers_the_notebook_names():
    assert make_optimizer("Momentum", 0.1).momentum == 0.9
    assert type(make_optimizer("AdamW", 0.1)).__name__ == "AdamW"
    assert make_optimizer("AdaDelta", 2.0).lr == 2.0


# -- one run --------------------------------------------------------------------------------
def test_fit_one_is_the_estimator_with_the_named_optimizer(cancer):
    run = fit_one("Adam", 1e-2, cancer, seed=3, **TINY)
    clf = MLPClassifier(optimizer=Adam(lr=1e-2), random_state=3, batch_size=64,
                        **TINY).fit(cancer.X_train, cancer.y_train,
                                    validation_data=(cancer.X_val, cancer.y_val))
    np.testing.assert_array_equal(run.val_accuracy_curve, clf.validation_score_curve_)
    np.testing.assert_array_equal(run.loss_curve, clf.loss_curve_)
    assert run.test_accuracy == clf.score(cancer.X_test, cancer.y_test)
    from sklearn.metrics import log_loss

    expected = log_loss(cancer.y_train, clf.predict_proba(cancer.X_train))
    assert run.train_loss == pytest.approx(expected, rel=1e-10)
    assert run.fit_time > 0 and not run.diverged and run.record()["seed"] == 3


def test_a_diverging_run_is_recorded_quietly_and_padded(cancer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = fit_one("SGD", 1e4, cancer, seed=0, hidden_layer_sizes=(4,), max_iter=6)
    assert run.diverged and np.isnan(run.test_accuracy) and np.isnan(run.train_loss)
    assert run.val_loss_curve.shape == (6,)


# -- tuning and seeds -------------------------------------------------------------------------
def test_tuning_keeps_the_rate_with_the_lowest_final_validation_loss(cancer):
    tuning = tune_learning_rate("SGD", cancer, [1e-3, 1e-1, 1e4], seed=0,
                                hidden_layer_sizes=(4,), max_iter=6)
    assert np.isinf(tuning.val_loss[2]) and tuning.val_accuracy[2] == 0.0
    finals = [r.val_loss_curve[-1] for r in tuning.runs[:2]]
    assert tuning.best_index == int(np.argmin(finals))
    assert tuning.best_lr == tuning.lrs[tuning.best_index]
    assert tuning.lr_by("val_accuracy") == tuning.lrs[int(np.argmax(tuning.val_accuracy))]
    assert 1 <= tuning.good_rates(0.02) <= 2
    with pytest.raises(ValueError, match="rule"):
        tuning.index_by("test_accuracy")
    assert set(RULES) == {"val_loss", "val_accuracy"}


def test_the_rule_decides_which_rate_the_seeds_get(cancer):
    by_accuracy = compare_optimizers([cancer], ("SGD",), seeds=(1,), tuning_seed=0,
                                     grids={"SGD": [1e-3, 1e-1]}, rule="val_accuracy", **TINY)
    tuning = by_accuracy.tunings["breast cancer", "SGD"]
    assert tuning.rule == "val_accuracy"
    assert by_accuracy.runs[0].lr == tuning.lr_by("val_accuracy") == tuning.best_lr
    assert "chosen by val. accuracy" in by_accuracy.format_tuning("breast cancer")
    with pytest.raises(ValueError, match="rule"):
        compare_optimizers([cancer], ("SGD",), rule="test_accuracy")
    with pytest.raises(ValueError, match="rule"):
        Tuning("d", "SGD", 0, np.array([0.1]), (), rule="train_loss")


def test_ties_go_to_the_smaller_rate():
    runs = tuple(_run("d", "SGD", 0, [0.5, 0.9], lr=lr) for lr in (0.1, 1.0))
    tuning = Tuning("d", "SGD", 0, np.array([0.1, 1.0]), runs)
    assert tuning.best_lr == 0.1 and tuning.lr_by("val_accuracy") == 0.1


def test_train_seeds_and_summary(cancer):
    runs = train_seeds("SGD", 0.1, cancer, [1, 2, 3], **TINY)
    assert [r.seed for r in runs] == [1, 2, 3]
    s = summarize(runs)
    accuracies = [r.test_accuracy for r in runs]
    assert s["test_accuracy"] == (np.mean(accuracies), min(accuracies), max(accuracies))
    assert s["seeds"] == 3 and s["diverged"] == 0
    with pytest.raises(ValueError, match="empty"):
        summarize([])


def test_spread_overlap_is_the_range_rule():
    a, b = Spread.of([0.90, 0.92]), Spread.of([0.92, 0.95])
    assert a.overlaps(b) and b.overlaps(a)
    c = Spread.of([0.93, 0.95])
    assert not a.overlaps(c)
    assert a.show() == "0.910 (0.900–0.920)"


# -- the whole protocol ---------------------------------------------------------------------
def test_comparison_trains_every_seed_at_the_tuned_rate(comparison):
    assert comparison.datasets == ["breast cancer", "wine"]
    assert comparison.methods == ["SGD", "Adam"]
    assert len(comparison.runs) == 2 * 2 * 2 and len(comparison.tunings) == 4
    for (dataset, method), tuning in comparison.tunings.items():
        runs = comparison.select(dataset, method)
        assert [r.seed for r in runs] == [1, 2]
        assert all(r.lr == tuning.best_lr for r in runs) and tuning.seed == 0
    assert len(comparison.records()) == 8 and set(comparison.records()[0]) >= {
        "dataset", "method", "lr", "seed", "train_loss", "test_accuracy", "fit_time"}
    assert comparison.curves("wine", "Adam", "val_loss").shape == (2, 3)
    assert comparison.settings["max_iter"] == 3


def test_comparison_tables_name_every_method(comparison):
    for text in (comparison.format_table("wine"), comparison.format_tuning("wine"),
                 comparison.format_times()):
        assert "SGD" in text and "Adam" in text
    marked = comparison.format_tuning("wine").splitlines()[1:]
    assert sum(line.count("*") for line in marked) == 2  # one choice per method


def test_bad_requests_are_rejected(comparison, cancer):
    with pytest.raises(ValueError, match="tuning_seed"):
        compare_optimizers([cancer], ("SGD",), seeds=(0, 1), tuning_seed=0)
    with pytest.raises(ValueError, match="selection"):
        comparison.select("wine", "RMSProp")
    with pytest.raises(ValueError, match="curve"):
        comparison.curves("wine", "SGD", "test_accuracy")


# -- the comparison table ---------------------------------------------------------------------
def test_state_per_weight_counts_the_optimizers_arrays():
    counts = {m: state_per_weight(m) for m in METHODS}
    assert counts == {"SGD": 0, "Momentum": 1, "AdaGrad": 1, "RMSProp": 1, "Adam": 2,
                      "AdamW": 2, "AdaDelta": 2}


def test_strength_and_weakness_are_the_extreme_scores_beyond_the_noise():
    rows = [
        Measurement("accuracy", {"A": 0.90, "B": 0.95, "C": 0.96}, noise=0.02),
        Measurement("loss", {"A": 1e-3, "B": 1e-2, "C": 1e-2}, noise=0.1,
                    higher_is_better=False, log=True, fmt=".4f"),
        Measurement("memory", {"A": 2, "B": 1, "C": 1}, noise=1.0, higher_is_better=False,
                    fmt=".0f"),
    ]
    assert rows[1].scores()["A"] == pytest.approx(10.0)  # one decade below, noise 0.1
    table = strengths_and_weaknesses(rows)
    assert table["A"] == ("loss 0.0010 (median 0.0100)", "accuracy 0.900 (median 0.950)")
    assert table["B"] == ("none beyond the seed spread", "none beyond the seed spread")
    assert table["C"][1] == "none beyond the seed spread"
    text = format_comparison_table(rows, {"A": "idea A"})
    assert text.splitlines()[0] == "A: idea A" and "+ loss" in text


def test_measurements_come_from_the_comparison(comparison):
    rows = measurements(comparison, early_epoch=2)
    names = [r.name for r in rows]
    assert "test accuracy (wine)" in names and "val. accuracy at epoch 2 (wine)" in names
    accuracy = rows[names.index("test accuracy (wine)")]
    assert accuracy.values["Adam"] == comparison.summary("wine", "Adam")["test_accuracy"].mean
    assert rows[-1].values == {"SGD": 0.0, "Adam": 2.0}
    assert set(strengths_and_weaknesses(rows)) == {"SGD", "Adam"}


# -- plots ------------------------------------------------------------------------------------
def test_plot_curves_draws_the_mean_and_range_of_each_method(comparison):
    ax = Figure().subplots()
    artists = plot_curves(ax, comparison, "wine", curve="val_accuracy")
    line, band = artists["Adam"]
    np.testing.assert_allclose(line.get_ydata(),
                               comparison.curves("wine", "Adam").mean(axis=0))
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    assert band.get_paths()[0].vertices[:, 1].max() == pytest.approx(
        comparison.curves("wine", "Adam").max())
    assert "Adam (lr=" in line.get_label()


def test_plot_tuning_rings_the_chosen_rate(comparison):
    ax = Figure().subplots()
    plot_tuning(ax, comparison, "wine")
    rings = [ln for ln in ax.lines if ln.get_markersize() == 12]
    chosen = [comparison.tunings["wine", m].best_lr for m in comparison.methods]
    assert [float(r.get_xdata()[0]) for r in rings] == chosen


# -- the explorer, headless -------------------------------------------------------------------
def _run(dataset, method, seed, accuracy, lr=0.1, loss=None):
    accuracy = np.asarray(accuracy, dtype=float)
    loss = 1 - accuracy if loss is None else np.asarray(loss, dtype=float)
    return Run(dataset, method, lr, seed, False, 0.1, 0.2, float(accuracy[-1]), 0.01, False,
               loss, loss, accuracy)


@pytest.fixture
def made_up():
    """Two methods whose final accuracies are apart (A) or overlapping (B, C) by design."""
    runs = [
        _run("d", "A", 1, [0.5, 0.8, 0.95]), _run("d", "A", 2, [0.6, 0.9, 0.97]),
        _run("d", "B", 1, [0.4, 0.7, 0.90]), _run("d", "B", 2, [0.5, 0.9, 0.92]),
        _run("d", "C", 1, [0.4, 0.7, 0.91]), _run("d", "C", 2, [0.5, 0.8, 0.96]),
    ]
    return Comparison({}, runs, (1, 2), {"max_iter": 3})


def test_explorer_shows_the_selected_means_and_says_who_is_ahead(made_up):
    explorer = CurveExplorer(made_up, first="A", second="B", dataset="d")
    summary = explorer.summary
    np.testing.assert_allclose(explorer.view["lines"][0].get_ydata(), [0.55, 0.85, 0.96])
    assert summary["separated"] and summary["ahead"] == "A"
    assert summary["methods"]["A"]["final"] == (0.96, 0.95, 0.97)
    assert "A ahead" in explorer.view["ax"].get_title()
    summary = explorer.update(second="C")
    assert not summary["separated"] and summary["ahead"] is None
    assert "cannot tell" in explorer.view["ax"].get_title()


def test_explorer_epoch_window_and_curve_switch_move_the_same_artists(made_up):
    explorer = CurveExplorer(made_up, first="B", second="C", dataset="d")
    lines, bands = list(explorer.view["lines"]), list(explorer.view["bands"])
    count = len(explorer.view["ax"].lines) + len(explorer.view["ax"].collections)
    summary = explorer.update(epochs=(1, 2))
    assert summary["separated"] is False and summary["epochs"] == (1, 2)
    np.testing.assert_array_equal(explorer.view["lines"][0].get_xdata(), [1, 2])
    summary = explorer.update(curve="val_loss", epochs=(1, 3))
    assert explorer.view["ax"].get_yscale() == "log"
    assert summary["methods"]["B"]["final"].mean == pytest.approx(0.09)
    assert explorer.view["lines"] == lines and explorer.view["bands"] == bands
    assert len(explorer.view["ax"].lines) + len(explorer.view["ax"].collections) == count


@pytest.mark.parametrize("changes, word", [
    ({"first": "Z"}, "first"), ({"dataset": "x"}, "dataset"), ({"curve": "bogus"}, "curve"),
    ({"epochs": (0, 2)}, "epochs"), ({"epochs": (3, 2)}, "epochs"), ({"speed": 1}, "speed")])
def test_explorer_rejects_bad_settings(made_up, changes, word):
    explorer = CurveExplorer(made_up, first="A", second="B", dataset="d")
    with pytest.raises(ValueError, match=word):
        explorer.update(**changes)


def test_explorer_checks_its_initial_choice(made_up):
    with pytest.raises(ValueError, match="first"):
        CurveExplorer(made_up, first="Adam", second="B", dataset="d")


def test_explorer_png_and_static_figure_match_the_view(made_up):
    import matplotlib.pyplot as plt

    explorer = CurveExplorer(made_up, first="A", second="C", dataset="d")
    assert explorer.png()[:8] == b"\x89PNG\r\n\x1a\n"
    fig = explorer.static_figure()
    try:
        ax = fig.axes[0]
        assert ax.get_title() == explorer.view["ax"].get_title()
        assert ax.get_ylim() == pytest.approx(explorer.view["ax"].get_ylim())
    finally:
        plt.close(fig)
    assert "A (lr=0.1)" in explorer.summary_text()


def test_widget_controls_drive_the_explorer_headlessly(made_up):
    explorer = CurveExplorer(made_up, first="A", second="B", dataset="d")
    box = explorer.widget()
    controls = explorer.controls
    assert box.children and set(controls) == {"first", "second", "dataset", "curve", "epochs"}
    for control in controls.values():
        if hasattr(control, "continuous_update"):
            assert control.continuous_update is False
    assert controls["epochs"].continuous_update is False
    before = explorer.image.value
    controls["second"].value = "C"
    assert explorer.settings["second"] == "C" and not explorer.summary["separated"]
    assert explorer.image.value != before and "C (lr=0.1)" in explorer.text.value
    controls["epochs"].value = (2, 3)
    assert explorer.summary["epochs"] == (2, 3)
    controls["curve"].value = "train_loss"
    assert explorer.settings["curve"] == "train_loss" and set(CURVES) >= {"train_loss"}


def test_curve_explorer_on_a_real_comparison(comparison):
    explorer = CurveExplorer(comparison, first="Adam", second="SGD", dataset="wine")
    mean = comparison.curves("wine", "SGD").mean(axis=0)
    np.testing.assert_allclose(explorer.view["lines"][1].get_ydata(), mean)
    assert set(explorer.summary["methods"]) == {"Adam", "SGD"}


def test_methods_are_fresh_instances():
    a, b = make_optimizer("SGD", 0.1), make_optimizer("SGD", 0.1)
    assert a is not b and isinstance(a, SGD)


def test_a_ceiling_leaves_out_rates_that_blew_up():
    from types import SimpleNamespace

    finals = [(0.30, 0.96), (0.25, 0.97), (8.0, 0.96), (np.inf, 0.2)]  # (val loss, accuracy)
    runs = tuple(SimpleNamespace(val_loss_curve=[loss], val_accuracy_curve=[accuracy])
                 for loss, accuracy in finals)
    tuning = Tuning("d", "SGD", 0, np.array([1e-3, 1e-2, 1e-1, 1.0]), runs)
    assert tuning.good_rates(0.02) == 3                      # the blown-up run counts...
    assert tuning.good_rates(0.02, ceiling=3.0) == 2         # ...unless above the ceiling
    comparison = Comparison({("d", "SGD"): tuning}, [SimpleNamespace(method="SGD")], (1,), {})
    line = comparison.format_tuning("d", ceiling=3.0, fmt=".2f").splitlines()[1]
    assert "0.25*" in line and "> 3" in line and "inf" in line and "8.000" not in line
    assert "8.000" in comparison.format_tuning("d")          # the default is unchanged
