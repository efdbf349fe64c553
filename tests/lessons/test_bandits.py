"""The drifting bandit and REINFORCE: the environment, the gradient and the training loop."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, Adam
from alr_teach.lessons.in_the_wild.bandits import (
    DriftingBandit,
    entropy_gradient,
    plot_policy_sweep,
    policy,
    reinforce_gradient,
    sample_arms,
    sweep_policy,
    train_policy,
)

MEANS = (0.0, 0.25, 0.5, 1.0)


def test_every_row_of_the_table_is_a_shuffle_that_changes_only_at_period_ends():
    bandit = DriftingBandit(MEANS, period=50, steps=230, n_envs=6, seed=1)
    table = bandit.table
    assert table.shape == (230, 6, 4)
    assert_array_equal(np.sort(table, axis=-1), np.broadcast_to(MEANS, table.shape))
    changes = np.flatnonzero(np.any(table[1:] != table[:-1], axis=(1, 2))) + 1
    assert set(changes) <= {50, 100, 150, 200} and len(changes) >= 3
    best = table.argmax(axis=-1)  # (steps, envs)
    assert np.any(best[0] != best[-1])  # the best arm moves


def test_pulls_pay_the_mean_plus_noise():
    bandit = DriftingBandit(MEANS, period=10, steps=20, noise=0.0, n_envs=3, seed=2)
    arms = np.array([[0, 3], [1, 1], [2, 0]])
    rewards = bandit.pull(arms, 12, np.random.default_rng(0))
    assert_array_equal(rewards, np.take_along_axis(bandit.table[11], arms, axis=-1))
    noisy = DriftingBandit(MEANS, noise=0.5, steps=20, n_envs=3, seed=2)
    draws = noisy.pull(np.zeros((3, 20000), dtype=int), 1, np.random.default_rng(1))
    assert_allclose(draws.std(axis=-1), 0.5, rtol=0.03)


@pytest.mark.parametrize("kwargs, message", [
    ({"means": (1.0,)}, "Invalid means"),
    ({"means": (-1.0, 0.0)}, "Invalid means"),
    ({"period": 0}, "Invalid period"),
    ({"noise": -1.0}, "Invalid noise"),
    ({"n_envs": 0}, "Invalid n_envs"),
])
def test_bad_bandits_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DriftingBandit(**kwargs)


def test_policy_is_the_softmax_of_the_last_axis():
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    pi = policy(x)
    assert_allclose(pi, np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True), rtol=1e-12)


def test_sampled_arms_follow_the_policy():
    pi = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    arms = sample_arms(pi, 40000, np.random.default_rng(3))
    assert arms.shape == (2, 40000)
    freq = np.stack([np.bincount(a, minlength=3) / a.size for a in arms])
    assert_allclose(freq, pi, atol=0.01)
    assert np.all(arms[1] != 2)


@pytest.mark.parametrize("baseline", [0.0, 0.7, -3.0])
def test_the_expected_gradient_is_minus_the_gradient_of_the_expected_reward(baseline):
    """Averaging over arms with weights pi gives -grad of sum_a pi_a mu_a, for any baseline."""
    x = np.array([0.3, -1.0, 0.5, 0.0])
    mu = np.array([1.0, -0.5, 2.0, 0.25])
    pi = policy(x)
    expected = sum(pi[a] * reinforce_gradient(pi, np.array([a]), np.array([mu[a] - baseline]))
                   for a in range(4))
    exact = pi * (mu - pi @ mu)  # d/dx of pi . mu
    assert_allclose(expected, -exact, rtol=1e-12, atol=1e-15)


def test_entropy_gradient_matches_finite_differences():
    x = np.array([0.2, -0.7, 1.1])

    def entropy(t):
        p = policy(t)
        return -np.sum(p * np.log(p))

    h = 1e-6
    numeric = [(entropy(x + h * e) - entropy(x - h * e)) / (2 * h) for e in np.eye(3)]
    assert_allclose(entropy_gradient(policy(x)), numeric, rtol=1e-6, atol=1e-9)
    assert np.all(np.isfinite(entropy_gradient(np.array([1.0, 0.0, 0.0]))))  # 0 log 0 = 0


def test_an_adam_agent_learns_a_fixed_bandit():
    bandit = DriftingBandit(MEANS, period=400, steps=400, n_envs=8, seed=3)
    run = train_policy(Adam(lr=0.1), bandit, seed=0)
    assert run.p_best[-20:].mean() > 0.8 > run.p_best[0].mean()
    assert run.score(slice(-50, None)) > 0.9


def test_adam_ignores_the_reward_scale_and_sgd_does_not():
    """Same seed, same random numbers: only the units of the rewards differ."""
    bandit = DriftingBandit(MEANS, period=100, steps=200, n_envs=4, seed=4)
    adam = [train_policy(Adam(lr=0.1), bandit, reward_scale=c, seed=9) for c in (1.0, 100.0)]
    assert_allclose(adam[0].fraction, adam[1].fraction, rtol=1e-6)
    sgd = [train_policy(SGD(lr=0.1), bandit, reward_scale=c, seed=9) for c in (1.0, 100.0)]
    assert np.abs(sgd[0].fraction - sgd[1].fraction).max() > 0.1


def test_a_sweep_runs_every_rate_at_every_scale():
    bandit = DriftingBandit(MEANS, period=50, steps=100, n_envs=3, seed=5)
    lrs = np.array([0.01, 0.1, 1.0])
    run = sweep_policy(SGD, lrs, bandit, reward_scales=(1.0, 10.0), seed=2, momentum=0.5)
    assert run.fraction.shape == (100, 2, 3, 3) and run.score().shape == (2, 3)
    manual = train_policy(SGD(lr=lrs[None, :], momentum=0.5), bandit, batch_shape=(2, 3),
                          reward_scale=np.array([[1.0], [10.0]]), seed=2)
    assert_array_equal(run.fraction, manual.fraction)


@pytest.mark.parametrize("kwargs, message", [
    ({"samples": 0}, "Invalid samples"),
    ({"baseline_decay": 1.0}, "Invalid baseline_decay"),
    ({"entropy_bonus": -0.1}, "Invalid entropy_bonus"),
])
def test_bad_training_settings_are_rejected(kwargs, message):
    bandit = DriftingBandit(MEANS, steps=10, n_envs=2)
    with pytest.raises(ValueError, match=message):
        train_policy(SGD(lr=0.1), bandit, **kwargs)


def test_the_sweep_plot_draws_a_line_per_method_and_scale():
    fig, ax = plt.subplots()
    scores = {"SGD": np.array([[0.5, 0.6], [0.55, 0.4]]), "Adam": np.array([[0.6, 0.7],
                                                                            [0.6, 0.7]])}
    plot_policy_sweep(ax, [0.1, 1.0], scores, ["× 1", "× 100"])
    assert len(ax.lines) == 4 and ax.get_xscale() == "log"
    assert_array_equal(ax.lines[1].get_ydata(), [0.55, 0.4])
    assert ax.lines[1].get_linestyle() == "--"
    plt.close(fig)
