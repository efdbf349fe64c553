"""The sparse task generates what its docstring promises; the loss has the right gradient."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, AdaGrad
from alr_teach.problems.mlp import sigmoid
from alr_teach.problems.sparse_data import (
    accuracy,
    log_loss,
    loss_and_grad,
    make_sparse_classification,
    train,
)


@pytest.fixture(scope="module")
def task():
    return make_sparse_classification(seed=3)


def _numeric_grad(w, X, y, l2, h=1e-6):
    grad = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        grad[i] = (loss_and_grad(w + e, X, y, l2)[0] - loss_and_grad(w - e, X, y, l2)[0]) / (2 * h)
    return grad


# -- the loss and its gradient ---------------------------------------------------------------
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_gradient_matches_central_differences(task, l2):
    rng = np.random.default_rng(0)
    w = rng.standard_normal(task.n_features)
    X, y = task.X_train[:50], task.y_train[:50]
    _, grad = loss_and_grad(w, X, y, l2)
    assert_allclose(grad, _numeric_grad(w, X, y, l2), rtol=1e-6, atol=1e-9)


def test_loss_is_the_mean_logistic_loss_written_out(task):
    w = 0.3 * np.random.default_rng(1).standard_normal(task.n_features)
    X, y = task.X_val[:40], task.y_val[:40]
    p = 1 / (1 + np.exp(-(X @ w)))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.05 * (w @ w)
    loss, _ = loss_and_grad(w, X, y, l2=0.1)
    assert loss == pytest.approx(expected, rel=1e-12)
    assert log_loss(w, X, y, l2=0.1) == pytest.approx(expected, rel=1e-12)


def test_batched_weights_give_the_rows_computed_one_by_one(task):
    W = np.random.default_rng(2).standard_normal((3, 4, task.n_features))
    X, y = task.X_test[:30], task.y_test[:30]
    loss, grad = loss_and_grad(W, X, y, l2=0.01)
    assert loss.shape == (3, 4) and grad.shape == W.shape
    for i in range(3):
        for j in range(4):
            one_loss, one_grad = loss_and_grad(W[i, j], X, y, l2=0.01)
            assert loss[i, j] == pytest.approx(one_loss, rel=1e-12)
            assert_allclose(grad[i, j], one_grad, rtol=1e-12, atol=1e-15)
            assert accuracy(W, X, y)[i, j] == accuracy(W[i, j], X, y)
    assert_allclose(log_loss(W, X, y, l2=0.01), loss, rtol=1e-12)


def test_accuracy_counts_correct_signs():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([1.0, 0.0, 0.0, 0.0])
    w = np.array([2.0, -1.0])  # scores 2, -1, 1, 0: right, right, wrong, right (0 -> class 0)
    assert accuracy(w, X, y) == pytest.approx(0.75)


@pytest.mark.parametrize("w, X, y", [(np.zeros(3), np.zeros((5, 2)), np.zeros(5)),
                                     (np.zeros(2), np.zeros((5, 2)), np.zeros(4)),
                                     (np.zeros(2), np.zeros(5), np.zeros(5))])
def test_mismatched_shapes_are_rejected(w, X, y):
    with pytest.raises(ValueError, match="Invalid shapes"):
        loss_and_grad(w, X, y)


# -- the generator -----------------------------------------------------------------------------
def test_same_seed_same_task_other_seed_other_task():
    a, b = make_sparse_classification(seed=7), make_sparse_classification(seed=7)
    c = make_sparse_classification(seed=8)
    for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test", "w_true",
                 "informative"):
        assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.X_train, c.X_train)
    assert not np.array_equal(a.w_true, c.w_true)


def test_split_sizes_and_values(task):
    assert task.X_train.shape == (2000, 200) and task.X_val.shape == (1000, 200)
    assert task.X_test.shape == (2000, 200) and task.y_test.shape == (2000,)
    for X in (task.X_train, task.X_val, task.X_test):
        assert set(np.unique(X)) <= {0.0, 1.0}
    for y in (task.y_train, task.y_val, task.y_test):
        assert set(np.unique(y)) == {0.0, 1.0}


def test_the_documented_sparsity_pattern_is_generated():
    """Frequent features are 0..n_frequent-1, on with p_frequent; the others with p_rare."""
    task = make_sparse_classification(n_train=20000, n_val=1, n_test=1, n_features=60,
                                      n_frequent=6, p_frequent=0.3, p_rare=0.02,
                                      n_informative=10, seed=11)
    assert_array_equal(task.frequent, np.arange(60) < 6)
    assert_array_equal(task.rare, ~task.frequent)
    assert_array_equal(task.p, np.where(task.frequent, 0.3, 0.02))
    observed = task.X_train.mean(axis=0)
    sigma = np.sqrt(task.p * (1 - task.p) / 20000)
    assert np.all(np.abs(observed - task.p) < 5 * sigma)
    # features are independent: frequent pairs co-occur at about p^2
    both = (task.X_train[:, 0] * task.X_train[:, 1]).mean()
    assert both == pytest.approx(0.09, abs=5 * np.sqrt(0.09 * 0.91 / 20000))


def test_true_weights_follow_the_documented_model():
    task = make_sparse_classification(n_features=120, n_frequent=15, n_informative=25,
                                      rare_weight=2.5, frequent_scale=0.4, seed=5)
    assert task.informative.sum() == 25
    assert not np.any(task.informative & task.frequent)  # informative features are rare ones
    assert_array_equal(np.abs(task.w_true[task.informative]), 2.5)
    assert {-2.5, 2.5} == set(task.w_true[task.informative])
    assert np.all(task.w_true[task.rare & ~task.informative] == 0)
    assert np.all(task.w_true[task.frequent] != 0)
    assert np.std(task.w_true[task.frequent]) < 1.0


def test_labels_are_drawn_from_the_logistic_model():
    task = make_sparse_classification(n_train=40000, n_val=1, n_test=1, seed=9)
    predicted = sigmoid(task.X_train @ task.w_true)
    # mean label equals mean probability; and within the confident samples too
    assert task.y_train.mean() == pytest.approx(predicted.mean(), abs=0.01)
    sure = predicted > 0.9
    assert task.y_train[sure].mean() == pytest.approx(predicted[sure].mean(), abs=0.02)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_frequent": 300}, "n_frequent"),
    ({"n_informative": 181}, "n_informative"),
    ({"p_rare": 1.5}, "p_rare"),
    ({"n_train": 0}, "n_train"),
])
def test_invalid_arguments_are_rejected_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_sparse_classification(**kwargs)


# -- training --------------------------------------------------------------------------------
def test_train_is_deterministic_and_records_every_epoch(task):
    first = train(AdaGrad(lr=0.1), task.X_train, task.y_train, epochs=2, seed=4)
    again = train(AdaGrad(lr=0.1), task.X_train, task.y_train, epochs=2, seed=4)
    other = train(AdaGrad(lr=0.1), task.X_train, task.y_train, epochs=2, seed=5)
    assert first.shape == (3, task.n_features)
    assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert_array_equal(first[0], 0.0)
    losses = log_loss(first, task.X_train, task.y_train)
    assert losses[2] < losses[1] < losses[0] == pytest.approx(np.log(2))


def test_a_learning_rate_sweep_equals_its_runs_one_by_one(task):
    lrs = np.array([0.01, 0.1, 1.0])
    X, y = task.X_train[:300], task.y_train[:300]
    swept = train(SGD(lr=lrs[:, None]), X, y, epochs=2, batch_size=32,
                  w0=np.zeros((3, task.n_features)), seed=1)
    for i, lr in enumerate(lrs):
        alone = train(SGD(lr=lr), X, y, epochs=2, batch_size=32, seed=1)
        assert_allclose(swept[:, i], alone, rtol=1e-12, atol=1e-15)


def test_one_sgd_step_is_minus_lr_times_the_batch_gradient(task):
    X, y = task.X_train[:10], task.y_train[:10]
    w0 = np.full(task.n_features, 0.1)
    history = train(SGD(lr=0.5), X, y, epochs=1, batch_size=10, w0=w0, l2=0.2)
    _, grad = loss_and_grad(w0, X, y, l2=0.2)  # one batch: all ten samples, any order
    assert_allclose(history[1], w0 - 0.5 * grad, rtol=1e-12)


def test_recorded_state_is_the_optimizer_state_after_every_step(task):
    X, y = task.X_train[:100], task.y_train[:100]
    opt = AdaGrad(lr=0.1)
    weights, state = train(opt, X, y, epochs=2, batch_size=30, seed=2, record_state=True)
    assert set(state) == {"sum_sq"} and state["sum_sq"].shape == (8, task.n_features)
    assert_array_equal(state["sum_sq"][-1], opt.state["sum_sq"])
    assert np.all(np.diff(state["sum_sq"], axis=0) >= 0)  # the sum only grows
    assert_array_equal(weights, train(AdaGrad(lr=0.1), X, y, epochs=2, batch_size=30, seed=2))
