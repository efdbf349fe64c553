"""A sweep is one vectorised run that gives the same numbers as each configuration alone."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from alr_teach import SGD, Adam, RMSProp
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep
from alr_teach.problems.landscapes import Quadratic
from alr_teach.viz.plots import plot_sweep

BOWL = Quadratic([1.0, 50.0], angle=0.5)


def test_two_axis_sweep_equals_each_configuration_run_alone():
    lrs, beta1s = np.logspace(-3, 0, 5), np.array([0.0, 0.5, 0.9])
    result = sweep(Adam, BOWL, {"lr": lrs, "beta1": beta1s}, steps=40, eps=1e-6)
    assert result.final_loss.shape == (5, 3)
    for i, lr in enumerate(lrs):
        for j, beta1 in enumerate(beta1s):
            alone = run(Adam(lr=lr, betas=(beta1, 0.999), eps=1e-6), BOWL, steps=40)
            np.testing.assert_array_equal(result.trajectory.losses[:, i, j], alone.losses)
            assert result.final_loss[i, j] == alone.final_loss


def test_one_axis_sweep_records_divergence_per_cell():
    lrs = np.array([0.001, 0.03, 0.045, 0.1])  # gradient descent diverges above 2/50
    result = sweep(SGD, BOWL, {"lr": lrs}, steps=200)
    np.testing.assert_array_equal(result.diverged, [False, False, True, True])
    assert np.all(np.isnan(result.final_loss[result.diverged]))
    assert result.best() == {"lr": 0.03}


def test_steps_to_tol_is_the_first_step_within_tolerance():
    result = sweep(SGD, Quadratic([1.0]), {"lr": np.array([0.5, 1.0])}, steps=30, tol=1e-6)
    # x_t = (1 - lr)^t from x0 = 1, loss = x^2 / 2: lr=1 lands on 0 at step 1
    assert result.steps_to_tol[1] == 1
    k = result.steps_to_tol[0]
    assert 0.5 * 0.25**k <= 1e-6 < 0.5 * 0.25 ** (k - 1)
    slow = sweep(SGD, Quadratic([1.0]), {"lr": np.array([1e-4])}, steps=5)
    assert slow.steps_to_tol[0] == -1


def test_fixed_keywords_reach_the_optimizer():
    a = sweep(RMSProp, BOWL, {"lr": np.array([0.01])}, steps=10, alpha=0.5)
    b = run(RMSProp(lr=0.01, alpha=0.5), BOWL, steps=10)
    np.testing.assert_array_equal(a.trajectory.losses[:, 0], b.losses)


@pytest.mark.parametrize(
    "grid, kwargs, message",
    [
        ({"learning_rate": [0.1]}, {}, "learning_rate"),
        ({}, {}, "grid"),
        ({"lr": [0.1], "momentum": [0.0], "dampening": [0.0]}, {}, "grid"),
        ({"lr": [[0.1, 0.2]]}, {}, "1-D"),
        ({"lr": [0.1]}, {"lr": 0.2}, "both"),
        ({"lr": [-0.1]}, {}, "lr"),
    ],
)
def test_bad_grids_are_rejected_with_a_message_naming_the_problem(grid, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sweep(SGD, BOWL, grid, steps=3, **kwargs)


def test_heatmap_marks_the_divergence_boundary():
    result = sweep(SGD, BOWL, {"lr": np.logspace(-3, 0, 12), "momentum": np.linspace(0, 0.9, 6)},
                   steps=60)
    assert result.diverged.any() and not result.diverged.all()
    fig, ax = plt.subplots()
    mesh = plot_sweep(ax, result)
    assert mesh is not None and ax.get_xscale() == "log"
    assert ax.get_xlabel() == "lr" and ax.get_ylabel() == "momentum"
    assert len(ax.collections) >= 3  # heatmap, diverged overlay, boundary contour
    plt.close(fig)


def test_learning_rate_sweeps_per_optimizer_match_single_sweeps():
    from alr_teach.lab.sweeps import sweep_learning_rates
    from alr_teach.viz.plots import plot_lr_sweeps

    lrs = np.logspace(-3, 0, 7)
    results = sweep_learning_rates({"SGD": SGD, "Momentum": (SGD, {"momentum": 0.9}),
                                    "Adam": Adam}, BOWL, lrs, steps=50)
    alone = sweep(SGD, BOWL, {"lr": lrs}, steps=50, momentum=0.9)
    np.testing.assert_array_equal(results["Momentum"].final_loss, alone.final_loss)
    assert results["SGD"].diverged[-1] and not results["Adam"].diverged.any()
    fig, ax = plt.subplots()
    lines = plot_lr_sweeps(ax, results, min_value=BOWL.min_value)
    assert [line.get_label() for line in lines] == ["SGD", "Momentum", "Adam"]
    assert ax.get_xscale() == "log" and ax.get_title()
    plt.close(fig)
