"""lab.range_test.estimator_range_test: the range test on an estimator's own network and batches."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import alr_teach
from alr_teach import SGD, Adam, MLPClassifier
from alr_teach.lab.range_test import estimator_range_test
from alr_teach.problems import mlp


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, stratify=y,
                                                      random_state=0)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_val), y_train, y_val


def make(**kwargs):
    settings = {"hidden_layer_sizes": (32,), "optimizer": Adam(), "max_iter": 3,
                "random_state": 0}
    return MLPClassifier(**{**settings, **kwargs})


def snapshot(estimator):
    """Every attribute, deep-copied, with the optimizer's state and step count spelled out."""
    state = {k: copy.deepcopy(v) for k, v in vars(estimator).items()}
    if hasattr(estimator, "optimizer_"):
        state["optimizer_.state"] = estimator.optimizer_.state
        state["optimizer_.t"] = estimator.optimizer_.t
        state["optimizer_.hyperparameters"] = dict(estimator.optimizer_.hyperparameters)
    return state


def assert_same(before, after):
    assert before.keys() == after.keys()
    for key in before:
        a, b = before[key], after[key]
        if key in ("optimizer", "optimizer_", "_rng"):
            continue  # objects without value equality: compared through their parts
        if key == "optimizer_.state":
            assert a.keys() == b.keys()
            for name in a:
                for x, y in zip(a[name], b[name], strict=True):
                    assert_array_equal(x, y)
        elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            for x, y in zip(a, b, strict=True):
                assert_array_equal(x, y)
        else:
            assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b, key


def test_problems_import_nothing_from_lab_even_inside_functions():
    """problems sit below lab: the estimator hands out a TrainingProblem and lab runs the
    range test; data sets and BLAS thread control live in problems (estimator.py imported
    lab.range_test, char_model.py lab.benchmarking inside a function)."""
    above = ("alr_teach.lab", "alr_teach.viz", "alr_teach.lessons", "alr_teach.course")
    for path in sorted((Path(alr_teach.__file__).parent / "problems").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(above), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith(above) for a in node.names), path.name


def test_unfitted_estimator_is_left_unfitted_and_the_loss_blows_up_above_the_suggestions(
    digits,
):
    X, _, y, _ = digits
    clf = make()
    before = snapshot(clf)
    result = estimator_range_test(clf, X, y, lr_max=10.0)
    assert_same(before, snapshot(clf))
    assert not hasattr(clf, "coefs_") and not hasattr(clf, "n_features_in_")
    assert clf.optimizer.t == 0 and clf.optimizer.lr == 1e-3  # the user's instance, untouched
    assert result.stopped_early and len(result.lrs) < 100
    blew_up_at = result.lrs[-1]
    assert result.steepest < blew_up_at and result.valley < blew_up_at
    assert result.lrs[0] == pytest.approx(1e-6)


def test_unfitted_run_starts_from_fits_initial_weights_and_first_batch(digits):
    X, _, y, _ = digits
    result = estimator_range_test(make(batch_size=50), X, y, steps=10)
    rng = np.random.default_rng(0)  # what fit does with random_state=0
    net = mlp.init_network([64, 32, 10], rng)
    first = rng.permutation(len(y))[:50]
    assert result.losses[0] == mlp.loss(net, X[first], y[first])
    again = estimator_range_test(make(batch_size=50), X, y, steps=10)
    assert_array_equal(result.losses, again.losses)  # an int random_state: reproducible


def test_fitted_estimator_keeps_weights_optimizer_state_counters_and_curves(digits):
    X, X_val, y, y_val = digits
    clf = make(optimizer=SGD(lr=0.05, momentum=0.9)).fit(X, y, validation_data=(X_val, y_val))
    twin = make(optimizer=SGD(lr=0.05, momentum=0.9)).fit(X, y, validation_data=(X_val, y_val))
    before = snapshot(clf)
    result = estimator_range_test(clf, X, y, lr_max=10.0, steps=60)
    assert_same(before, snapshot(clf))
    # training goes on exactly as if no test had been run (same weights, state and shuffling)
    clf.partial_fit(X, y)
    twin.partial_fit(X, y)
    for a, b in zip(clf.coefs_, twin.coefs_, strict=True):
        assert_array_equal(a, b)
    # the test started from the trained weights: its first loss is a trained network's
    unfitted = estimator_range_test(make(optimizer=SGD(lr=0.05, momentum=0.9)), X, y, steps=60)
    assert result.losses[0] < 0.5 < 1.5 < unfitted.losses[0]
    assert result.steepest < result.lrs[-1] and result.valley < result.lrs[-1]


def test_a_generator_given_as_random_state_is_not_advanced(digits):
    X, _, y, _ = digits
    generator = np.random.default_rng(7)
    clf = make(random_state=generator)
    state = copy.deepcopy(generator.bit_generator.state)
    estimator_range_test(clf, X, y, steps=10)
    assert generator.bit_generator.state == state


def test_steepest_suggestion_trains_adam_above_90_percent_in_three_epochs(digits):
    X, X_val, y, y_val = digits
    result = estimator_range_test(make(hidden_layer_sizes=(64,)), X, y, lr_max=10.0)
    trained = make(hidden_layer_sizes=(64,), optimizer=Adam(lr=result.steepest)).fit(
        X, y, validation_data=(X_val, y_val))
    assert 1e-3 < result.steepest < 0.1
    assert trained.validation_score_curve_[-1] > 0.9
    assert trained.score(X_val, y_val) == trained.validation_score_curve_[-1]


def test_options_reach_the_range_test_and_bad_ones_are_named(digits):
    X, _, y, _ = digits
    patient = estimator_range_test(make(), X, y, lr_max=10.0, blowup=1e9)
    hasty = estimator_range_test(make(), X, y, lr_max=10.0, blowup=1.5)
    assert len(hasty.lrs) < len(patient.lrs)
    with pytest.raises(ValueError, match="steps"):
        estimator_range_test(make(), X, y, steps=2)
    with pytest.raises(ValueError, match="smoothing"):
        estimator_range_test(make(), X, y, smoothing=1.0)
    with pytest.raises(TypeError):
        estimator_range_test(make(), X, y, 1e-6)  # the rates are keyword-only


def test_labels_and_features_are_checked_like_fit(digits):
    X, _, y, _ = digits
    words = np.array([f"digit {k}" for k in range(10)])[y]  # sorted as the integers are
    clf = make()
    result = estimator_range_test(clf, X, words, steps=10)
    assert_array_equal(result.losses, estimator_range_test(make(), X, y, steps=10).losses)
    clf.fit(X[:200], words[:200])
    with pytest.raises(ValueError, match="features"):
        estimator_range_test(clf, X[:, :10], words)
    with pytest.raises(ValueError, match="labels not in classes_"):
        estimator_range_test(clf, X, y)
