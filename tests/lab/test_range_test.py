"""The learning-rate range test on least squares, where the stable rates are known."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from alr_teach import SGD, Adam, Scheduled
from alr_teach.lab.range_test import lr_range_test
from alr_teach.viz.range_test_plots import plot_range_test

RNG = np.random.default_rng(0)
X = RNG.normal(size=(512, 10)) * np.repeat([1.0, 3.0], 5)
Y = X @ RNG.normal(size=10) + 0.1 * RNG.normal(size=512)
CRITICAL = 2 / np.linalg.eigvalsh(X.T @ X / 512).max()  # full-batch gradient descent limit


def loss_and_grad(w, step):
    batch = np.random.default_rng(step).choice(512, 64, replace=False)
    residual = X[batch] @ w - Y[batch]
    return 0.5 * np.mean(residual**2), X[batch].T @ residual / 64


def train(optimizer, steps=200):
    w = np.zeros(10)
    for k in range(steps):
        w = optimizer.step(w, loss_and_grad(w, 1000 + k)[1])
    return loss_and_grad(w, 99_999)[0]


def test_rates_rise_exponentially_and_the_run_stops_where_sgd_blows_up():
    result = lr_range_test(SGD(lr=0.1), np.zeros(10), loss_and_grad, lr_min=1e-5, lr_max=10)
    ratios = result.lrs[1:] / result.lrs[:-1]
    assert result.lrs[0] == pytest.approx(1e-5) and np.allclose(ratios, ratios[0])
    assert result.stopped_early and CRITICAL < result.lrs[-1] < 10
    assert result.steepest < CRITICAL and result.valley < CRITICAL


@pytest.mark.parametrize("cls", [SGD, Adam])
def test_suggested_rates_train_well(cls):
    result = lr_range_test(cls(lr=0.1), np.zeros(10), loss_and_grad, lr_min=1e-5, lr_max=10)
    start = loss_and_grad(np.zeros(10), 99_999)[0]
    for lr in (result.steepest, result.valley):
        assert train(cls(lr=lr)) < 0.01 * start


def test_the_callers_optimizer_and_params_are_left_as_they_were():
    opt = Adam(lr=0.123)
    w = np.ones(10)
    w = opt.step(w, np.ones(10))
    state, t, w_before = opt.state, opt.t, w.copy()
    lr_range_test(opt, w, loss_and_grad, steps=30)
    assert opt.lr == 0.123 and opt.t == t
    for name in state:
        np.testing.assert_array_equal(opt.state[name], state[name])
    np.testing.assert_array_equal(w, w_before)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [({"steps": 3}, ValueError, "steps"), ({"lr_min": 1.0, "lr_max": 0.5}, ValueError, "lr_max"),
     ({"smoothing": 1.0}, ValueError, "smoothing"), ({"lr_min": 0.0}, ValueError, "lr_min")],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        lr_range_test(SGD(lr=0.1), np.zeros(10), loss_and_grad, **kwargs)


def test_a_non_optimizer_is_refused():
    with pytest.raises(TypeError, match="Optimizer"):
        lr_range_test("adam", np.zeros(10), loss_and_grad)


def test_a_scheduled_optimizer_is_refused_not_silently_overridden():
    """Its schedule would set the rate back every step, so the rate would never rise."""
    scheduled = Scheduled(SGD(lr=0.1), lambda t: 0.1)
    with pytest.raises(ValueError, match=r"Invalid optimizer: .*\.optimizer"):
        lr_range_test(scheduled, np.zeros(10), loss_and_grad)
    lr_range_test(scheduled.optimizer, np.zeros(10), loss_and_grad)  # the inner one is fine


def test_plot_marks_both_suggestions():
    result = lr_range_test(SGD(lr=0.1), np.zeros(10), loss_and_grad, lr_min=1e-5, lr_max=10)
    fig, ax = plt.subplots()
    plot_range_test(ax, result)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(label.startswith("steepest") for label in labels)
    assert any(label.startswith("valley") for label in labels)
    assert ax.get_xscale() == "log" and "blew up" in ax.get_title()
    plt.close(fig)
