"""RMSProp's memory tools and the alpha explorer, driven headlessly."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach import AdaGrad, RMSProp
from alr_teach.lab.runner import Trajectory, run
from alr_teach.problems.landscapes import Drifting
from alr_teach.viz.explorers.memory import (
    CurvatureSwitch,
    MemoryExplorer,
    effective_memory,
    half_life,
    memory_weights,
    sweep_tracking,
    switching_target,
    tracking_error,
)


# -- the memory in numbers ------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.0, 0.5, 0.9, 0.99, 0.999])
def test_weights_sum_to_one_minus_alpha_to_the_t(alpha):
    for t in (1, 7, 250):
        assert memory_weights(alpha, t).sum() == pytest.approx(1 - alpha**t, rel=1e-12)


@pytest.mark.parametrize("alpha", [0.9, 0.99])
def test_weights_are_what_unrolling_the_average_gives(alpha):
    g = np.random.default_rng(3).standard_normal(40)
    average = 0.0
    for value in g:
        average = alpha * average + (1 - alpha) * value**2
    unrolled = np.sum(memory_weights(alpha, 40) * g[::-1] ** 2)
    assert unrolled == pytest.approx(average, rel=1e-12)


@pytest.mark.parametrize("alpha", [0.5, 0.9, 0.99])
def test_half_life_halves_the_weight_and_memory_is_the_mean_age(alpha):
    h = half_life(alpha)
    assert alpha**h == pytest.approx(0.5, rel=1e-12)
    k = np.arange(200_000)
    mean_age = np.sum((k + 1) * memory_weights(alpha, k.size))
    assert mean_age == pytest.approx(effective_memory(alpha), rel=1e-9)


def test_extremes_and_known_values():
    assert half_life(0.0) == 0.0 and effective_memory(0.0) == 1.0
    assert half_life(0.9) == pytest.approx(6.5788, abs=1e-4)
    assert half_life(0.99) == pytest.approx(68.9676, abs=1e-4)
    np.testing.assert_array_equal(memory_weights(0.0, 3), [1.0, 0.0, 0.0])


@pytest.mark.parametrize("bad", [1.0, -0.1, np.nan, np.array([0.9, 0.99]), True])
def test_alpha_must_be_one_number_in_zero_one(bad):
    for f in (half_life, effective_memory, lambda a: memory_weights(a, 3)):
        with pytest.raises(ValueError, match="alpha"):
            f(bad)


def test_rmsprop_state_forgets_an_impulse_as_derived():
    alpha = 0.9
    grads = np.zeros((30, 1))
    grads[0] = 2.0  # one gradient of size 2, then silence
    opt, x, seen = RMSProp(lr=0.0, alpha=alpha), np.zeros(1), []
    for g in grads:
        x = opt.step(x, g)
        seen.append(opt.state["sq_avg"][0])
    np.testing.assert_allclose(seen, 4.0 * memory_weights(alpha, 30), rtol=1e-12)


# -- the non-stationary objective -------------------------------------------------------------
def test_curvature_switch_changes_the_gradient_scale_after_switch_at():
    bowl = CurvatureSwitch(before=2.0, after=0.5, switch_at=10)
    x = np.array([[1.0, -3.0], [0.5, 0.5]])
    np.testing.assert_array_equal(bowl.grad_at(x, 10), 2.0 * x)
    np.testing.assert_array_equal(bowl.grad_at(x, 11), 0.5 * x)
    np.testing.assert_allclose(bowl.value_at(x, 11), 0.25 * np.sum(x * x, axis=-1))
    np.testing.assert_array_equal(bowl.grad(x), bowl.grad_at(x, 0))
    assert bowl.time_dependent and bowl.min_value == 0.0


def test_curvature_switch_gradient_matches_its_value():
    bowl = CurvatureSwitch(before=1.5, after=0.03, switch_at=5)
    x, h = np.array([0.3, -0.7]), 1e-6
    for t in (3, 8):
        numeric = [(bowl.value_at(x + e, t) - bowl.value_at(x - e, t)) / (2 * h)
                   for e in h * np.eye(2)]
        np.testing.assert_allclose(bowl.grad_at(x, t), numeric, rtol=1e-7)


@pytest.mark.parametrize("kwargs, message", [({"before": 0.0}, "before"),
                                              ({"after": -1.0}, "after"),
                                              ({"switch_at": 2.5}, "switch_at"),
                                              ({"start": [np.nan, 1.0]}, "start")])
def test_curvature_switch_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CurvatureSwitch(**kwargs)


def test_switching_target_moves_along_the_diagonal_and_switches_halfway():
    target = switching_target(velocity=0.02, after=0.1, horizon=100)
    assert isinstance(target, Drifting) and target.landscape.switch_at == 50
    np.testing.assert_allclose(target.minimum_at(10)[0], [0.2, 0.2])
    x = np.array([1.0, 1.0])
    np.testing.assert_allclose(target.grad_at(x, 50), x - 0.02 * 50)
    np.testing.assert_allclose(target.grad_at(x, 51), 0.1 * (x - 0.02 * 51))


# -- measuring tracking -------------------------------------------------------------------------
def test_tracking_error_is_the_distance_to_the_minimum_of_the_same_step():
    target = switching_target(velocity=0.1, horizon=4)
    centers = np.array([target.minimum_at(t)[0] for t in range(5)])
    on_target = Trajectory(centers, np.zeros(5), np.zeros((4, 2)), np.array(-1))
    np.testing.assert_allclose(tracking_error(on_target, target), 0.0, atol=1e-15)
    offset = Trajectory(centers + [3.0, 4.0], np.zeros(5), np.zeros((4, 2)), np.array(-1))
    np.testing.assert_allclose(tracking_error(offset, target), 5.0)


def test_sweep_tracking_equals_runs_one_by_one_and_picks_the_lowest_mean():
    target = switching_target(horizon=80)
    lrs = np.array([0.003, 0.03, 0.3])
    result = sweep_tracking(RMSProp, target, lrs, steps=80, alpha=0.9)
    for i, lr in enumerate(lrs):
        alone = tracking_error(run(RMSProp(lr=lr, alpha=0.9), target, steps=80), target)
        np.testing.assert_allclose(result.errors[:, i], alone, rtol=1e-12)
        assert result.mean_error[i] == pytest.approx(alone[1:].mean(), rel=1e-12)
    assert result.best_lr == lrs[np.argmin(result.mean_error)]
    np.testing.assert_array_equal(result.best_errors, result.errors[:, result.best_index])


def test_sweep_tracking_counts_a_diverged_run_as_worst():
    target = switching_target(before=1.0, after=1.0, horizon=50)
    result = sweep_tracking(AdaGrad, target, np.array([0.1, 1e9]), steps=50)
    assert result.diverged[1] and result.mean_error[1] == np.inf and result.best_index == 0


# -- the explorer --------------------------------------------------------------------------------
@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return MemoryExplorer(alpha=0.9, lr=0.025, steps=200)


def test_explorer_draws_the_run_of_its_settings(explorer):
    summary = explorer.update(alpha=0.8, lr=0.02)
    target = switching_target(horizon=200)
    expected = tracking_error(run(RMSProp(lr=0.02, alpha=0.8), target, steps=200), target)
    np.testing.assert_array_equal(explorer.view["rmsprop"].get_ydata(), expected)
    assert summary["rmsprop_error"] == pytest.approx(expected[-50:].mean(), rel=1e-12)
    assert summary["half_life"] == pytest.approx(half_life(0.8))
    assert explorer.view["half_life"].get_xdata()[0] == pytest.approx(half_life(0.8))
    assert explorer.view["memory"].get_xdata()[0] == pytest.approx(5.0)
    np.testing.assert_allclose(explorer.view["weights"].get_ydata(),
                               memory_weights(0.8, 200))
    assert "α=0.800" in explorer.view["ax_error"].get_title()


def test_explorer_reference_is_adagrad_at_its_best_swept_rate(explorer):
    summary = explorer.update()
    target = switching_target(horizon=200)
    best = sweep_tracking(AdaGrad, target, np.logspace(-3, 1, 41), steps=200)
    assert summary["adagrad_lr"] == best.best_lr
    np.testing.assert_array_equal(explorer.view["adagrad"].get_ydata(), best.best_errors)


def test_explorer_updates_move_artists_without_adding_any(explorer):
    count = len(explorer.view["ax_error"].lines) + len(explorer.view["ax_memory"].lines)
    before = explorer.view["rmsprop"].get_ydata().copy()
    explorer.update(alpha=0.99)
    assert len(explorer.view["ax_error"].lines) + len(explorer.view["ax_memory"].lines) == count
    assert not np.array_equal(before, explorer.view["rmsprop"].get_ydata())


def test_explorer_steps_change_the_horizon_and_the_switch():
    explorer = MemoryExplorer(steps=100)
    summary = explorer.update(steps=300)
    assert summary["switch_at"] == 150 and explorer.view["ax_error"].get_xlim() == (0, 300)
    assert explorer.view["switch"].get_xdata()[0] == 150
    assert len(explorer.view["rmsprop"].get_ydata()) == 301


def test_forgetting_is_what_recovers_after_the_switch():
    explorer = MemoryExplorer(steps=600, lr=0.025)
    fast = explorer.update(alpha=0.9)["rmsprop_error"]
    slow = explorer.update(alpha=0.99)["rmsprop_error"]
    assert fast < slow < explorer.summary["adagrad_error"]


@pytest.mark.parametrize("changes, message", [({"beta": 0.9}, "beta"), ({"alpha": 1.0}, "alpha"),
                                              ({"lr": -1.0}, "lr"), ({"steps": 5}, "steps")])
def test_explorer_rejects_bad_settings_and_keeps_its_own(explorer, changes, message):
    settings = dict(explorer.settings)
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.settings == settings


def test_explorer_sliders_drive_it_headlessly(explorer):
    box = explorer.widget()
    assert all(c.continuous_update is False for c in explorer.controls.values())
    image, text = explorer.image, explorer.text
    assert box.children[-3:] == (image, text, explorer.message)
    before = image.value
    explorer.controls["alpha"].value = 0.5
    assert explorer.settings["alpha"] == pytest.approx(0.5)
    assert image.value != before and image.value[:4] == b"\x89PNG"
    assert "Half-life 1.0 steps" in text.value
    explorer.controls["lr"].value = 0.01
    assert explorer.summary["lr"] == pytest.approx(0.01)


def test_static_figure_shows_the_current_view(explorer):
    import matplotlib.pyplot as plt

    explorer.update(alpha=0.9, lr=0.025)
    live = explorer.view["rmsprop"]
    fig = explorer.static_figure()
    ax_error, ax_memory = fig.axes[:2]
    assert ax_error.get_yscale() == "log" and ax_memory.get_yscale() == "log"
    np.testing.assert_array_equal(ax_error.lines[0].get_ydata(), live.get_ydata())
    assert "half-life 6.6 steps" in ax_memory.get_title()
    assert explorer.view["rmsprop"] is live  # the live figure is untouched
    plt.close(fig)
