"""The runner records whole trajectories and stops diverging runs instead of crashing."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach import SGD, Adam
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Quadratic


def test_gradient_descent_on_a_quadratic_follows_the_closed_form():
    bowl = Quadratic([1.0, 10.0])
    trajectory = run(SGD(lr=0.05), bowl, [1.0, 1.0], steps=20)
    t = np.arange(21)
    np.testing.assert_allclose(trajectory.points[:, 0], 0.95**t, rtol=1e-12)
    np.testing.assert_allclose(trajectory.points[:, 1], 0.5**t, rtol=1e-12)
    np.testing.assert_allclose(trajectory.losses, bowl.value(trajectory.points))
    assert trajectory.diverged_at == -1


def test_batched_runs_with_array_learning_rates_match_single_runs():
    bowl = Quadratic([4.0])
    lrs = np.array([0.01, 0.2, 0.45, 0.7])
    batch = run(SGD(lr=lrs), bowl, np.ones((4, 1)), steps=25)
    for i, lr in enumerate(lrs):
        single = run(SGD(lr=lr), bowl, [1.0], steps=25)
        np.testing.assert_array_equal(batch.points[:, i], single.points)
        assert batch.diverged_at[i] == single.diverged_at


def test_divergence_is_recorded_and_later_entries_are_nan():
    trajectory = run(SGD(lr=0.7), Quadratic([4.0]), [1.0], steps=40)
    k = int(trajectory.diverged_at)
    assert trajectory.diverged and 1 <= k <= 40
    assert np.all(np.isfinite(trajectory.losses[:k])) and np.all(np.isnan(trajectory.losses[k:]))
    # |x_t| = 1.8^t, loss 2 * 3.24^t passes 1e6 * 2 at t = 12
    assert k == 12


def test_non_finite_values_stop_a_run_without_warnings():
    with np.errstate(all="raise"):
        trajectory = run(SGD(lr=1e200), Quadratic([4.0]), [1.0], steps=10)
    assert trajectory.diverged_at == 1


def test_state_and_effective_learning_rate_are_recorded():
    trajectory = run(Adam(lr=0.1), Quadratic([1.0, 100.0]), steps=5)
    assert set(trajectory.state) == {"m", "v"}
    assert trajectory.state["m"].shape == (5, 2)
    # Adam's first step moves every coordinate by lr, whatever its gradient:
    # the effective rate is lr / |g|, 100x smaller in the steep coordinate.
    rate = trajectory.effective_lr[0]
    np.testing.assert_allclose(rate * np.abs(trajectory.grads[0]), 0.1, rtol=1e-6)
    np.testing.assert_allclose(rate[0] / rate[1], 100.0, rtol=1e-6)
    # for plain gradient descent the effective rate is the learning rate
    sgd = run(SGD(lr=0.003), Quadratic([1.0, 100.0]), steps=5)
    np.testing.assert_allclose(sgd.effective_lr, 0.003)


@pytest.mark.parametrize("x0", [np.ones(3), np.ones((2, 3)), 1.0])
def test_start_points_of_the_wrong_dimension_are_rejected(x0):
    with pytest.raises(ValueError, match="x0"):
        run(SGD(lr=0.1), Quadratic([1.0, 1.0]), x0, steps=3)


@pytest.mark.parametrize("steps", [-1, 2.5, True])
def test_invalid_step_counts_are_rejected(steps):
    with pytest.raises(ValueError, match="steps"):
        run(SGD(lr=0.1), Quadratic([1.0]), [1.0], steps=steps)


def test_a_loss_that_falls_to_minus_infinity_is_a_failure_too():
    from alr_teach.problems.landscapes import Saddle

    # y grows 2e5-fold per step: y^2 overflows (loss -inf) while the point is still finite
    trajectory = run(SGD(lr=1e5), Saddle(), [0.0, 1e-3], steps=100)
    k = int(trajectory.diverged_at)
    with np.errstate(over="ignore"):
        y = 1e-3 * (1 + 2e5) ** np.arange(101)
        assert k == np.flatnonzero(~np.isfinite(-(y**2)))[0]  # the first step with loss -inf
    assert np.isfinite(trajectory.losses[k - 1]) and np.all(np.isnan(trajectory.losses[k:]))
