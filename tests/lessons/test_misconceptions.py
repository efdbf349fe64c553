"""The sharp-and-flat loss, where runs settle, the memorisation task, and the basin explorer."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach import SGD, Adam
from alr_teach.lessons.misconceptions import (
    BasinExplorer,
    SharpFlat,
    accuracy,
    fit_least_squares,
    memorisation_task,
    settle,
    sweep_basins,
)


# -- the loss ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shift", [0.0, 0.3])
def test_gradient_and_curvature_match_finite_differences(shift):
    loss = SharpFlat(shift=shift)
    x, h = np.linspace(-3.0, 3.0, 61)[:, None], 1e-5
    slope = (loss.value(x + h) - loss.value(x - h)) / (2 * h)
    np.testing.assert_allclose(loss.grad(x)[:, 0], slope, atol=1e-8)
    bend = (loss.grad(x + h)[:, 0] - loss.grad(x - h)[:, 0]) / (2 * h)
    np.testing.assert_allclose(loss.curvature(x), bend, atol=1e-6)


def test_minima_ridge_and_curvatures_are_where_the_formula_puts_them():
    loss = SharpFlat()
    np.testing.assert_allclose(loss.grad(loss.local_minima)[:, 0], 0.0, atol=1e-12)
    assert np.all(loss.curvature(loss.local_minima) > 0)
    assert loss.grad(np.array([loss.barrier]))[0] == pytest.approx(0.0, abs=1e-9)
    assert loss.curvature(np.array([loss.barrier])) < 0           # a maximum between them
    (x_s,), (x_f,) = loss.local_minima
    assert x_s < loss.barrier < x_f
    # about depth / width^2 + bowl: 100 and 4
    np.testing.assert_allclose(loss.curvatures, [1 / 0.1**2, 1 / 0.5**2], rtol=0.02)
    np.testing.assert_allclose(loss.stability_limits, 2 / loss.curvatures)
    bottoms = loss.value(loss.local_minima)
    assert abs(bottoms[0] - bottoms[1]) < 1e-3 and loss.min_value == pytest.approx(bottoms.min())


def test_shifted_copy_moves_everything_and_costs_the_sharp_basin_more():
    loss = SharpFlat()
    moved = loss.shifted(0.25)
    x = np.linspace(-2.0, 2.0, 9)[:, None]
    np.testing.assert_allclose(moved.value(x + 0.25), loss.value(x), atol=1e-14)
    np.testing.assert_allclose(moved.local_minima, loss.local_minima + 0.25, atol=1e-12)
    assert moved.barrier == pytest.approx(loss.barrier + 0.25)
    small = loss.shifted(0.01)
    rise = small.value(loss.local_minima) - loss.value(loss.local_minima)
    # lambda * delta^2 / 2 for a small shift
    np.testing.assert_allclose(rise, loss.curvatures * 0.01**2 / 2, rtol=0.02)


def test_basin_membership_follows_the_ridge_whichever_side_is_flat():
    loss = SharpFlat()
    x = np.array([[loss.barrier - 1e-6], [loss.barrier + 1e-6]])
    np.testing.assert_array_equal(loss.in_flat_basin(x), [False, True])
    mirrored = SharpFlat(sharp=(1.0, 0.1), flat=(-1.0, 0.5))
    assert mirrored.in_flat_basin(np.array([-1.0])) and not mirrored.in_flat_basin(
        np.array([1.0]))


@pytest.mark.parametrize("kwargs, message", [
    ({"sharp": (-1.0, 0.0)}, "sharp width"),
    ({"flat": (1.0, -0.5)}, "flat width"),
    ({"sharp": (-1.0, 0.6)}, "sharp width"),
    ({"sharp": (0.5, 0.1)}, "centres"),
    ({"depths": (1.0, 0.0)}, "flat depth"),
    ({"bowl": -0.1}, "bowl"),
    ({"shift": np.nan}, "shift"),
])
def test_bad_settings_are_rejected_with_the_course_message(kwargs, message):
    with pytest.raises(ValueError, match=f"Invalid {message}"):
        SharpFlat(**kwargs)


# -- where runs settle -----------------------------------------------------------------------
def test_gradient_descent_stays_in_the_sharp_basin_only_below_two_over_lambda():
    loss = SharpFlat()
    limit = loss.stability_limits[0]
    x_sharp = loss.local_minima[0, 0]
    start = np.array([[[x_sharp + 0.02]]])
    below = settle(SGD(lr=0.9 * limit), loss, start, steps=400)
    assert abs(below.end[0, 0] - x_sharp) < 1e-8 and below.last_move[0, 0] < 1e-8
    above = settle(SGD(lr=1.3 * limit), loss, start, steps=400)
    assert abs(above.end[0, 0] - x_sharp) > 1e-3 and above.last_move[0, 0] > 1e-3


def test_sweep_equals_running_each_rate_on_its_own():
    loss = SharpFlat()
    lrs, starts = np.array([0.01, 0.1, 0.3]), np.array([-1.8, -0.9, 0.2, 1.7])
    held = {"test": loss.shifted(0.1)}
    swept = sweep_basins(Adam, loss, lrs, starts, steps=200, heldout=held, betas=(0.8, 0.99))
    assert swept.end.shape == swept.flat.shape == swept.heldout["test"].shape == (3, 4)
    for i, lr in enumerate(lrs):
        alone = settle(Adam(lr=lr, betas=(0.8, 0.99)), loss, starts[:, None], steps=200,
                       heldout=held)
        np.testing.assert_allclose(swept.end[i], alone.end, rtol=1e-12)
        np.testing.assert_array_equal(swept.flat[i], alone.flat)
        np.testing.assert_allclose(swept.heldout["test"][i], held["test"].value(
            alone.end[:, None]), rtol=1e-12)


def test_small_rates_end_in_the_basin_they_start_in():
    loss = SharpFlat()
    starts = np.linspace(-2.5, 2.5, 21)
    for cls in (SGD, Adam):
        done = sweep_basins(cls, loss, [0.005], starts, steps=300)
        np.testing.assert_array_equal(done.flat[0], loss.in_flat_basin(starts[:, None]))


@pytest.mark.parametrize("lrs, starts, message", [
    ([], [0.0], "lrs"), ([[0.1]], [0.0], "lrs"), ([0.1], np.zeros((2, 2)), "starts")])
def test_sweep_rejects_badly_shaped_inputs(lrs, starts, message):
    with pytest.raises(ValueError, match=f"Invalid {message}"):
        sweep_basins(SGD, SharpFlat(), lrs, starts)


# -- the memorisation task -------------------------------------------------------------------
def test_memorisation_task_has_the_described_features():
    task = memorisation_task(n_train=6, n_test=50, seed=3, positive=0.5)
    X, y = task.X_train, task.y_train
    assert X.shape == (6, 33) and task.X_test.shape == (50, 33)
    np.testing.assert_array_equal(X[:, 0], y)
    np.testing.assert_array_equal(X[:, 1:3], 1.0)
    own = X[:, 3:].reshape(6, 6, 5)            # sample i, block j, feature within the block
    for i in range(6):
        assert own[i, i].sum() == (1 if y[i] > 0 else 5)
        assert own[i, np.arange(6) != i].sum() == 0   # nobody else's features
    assert np.all(task.X_test[:, 3:] == 0) and np.all(task.X_test[:, 0] == task.y_test)
    assert set(np.unique(task.y_test)) <= {-1.0, 1.0}


def test_memorisation_task_is_reproducible_and_checks_its_arguments():
    a, b = memorisation_task(seed=4), memorisation_task(seed=4)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.y_train, memorisation_task(seed=5).y_train)
    for kwargs, name in [({"n_train": 0}, "n_train"), ({"positive": 1.5}, "positive"),
                         ({"seed": -1}, "seed")]:
        with pytest.raises(ValueError, match=f"Invalid {name}"):
            memorisation_task(**kwargs)


def test_gradient_descent_finds_the_minimum_norm_fit_and_adam_memorises():
    task = memorisation_task(n_train=20, n_test=100, seed=2)
    X, y = task.X_train, task.y_train
    sgd = fit_least_squares(SGD(lr=0.2, momentum=0.9), X, y, steps=3000)
    minimum_norm = np.linalg.pinv(X) @ y
    np.testing.assert_allclose(sgd, minimum_norm, atol=1e-8)
    adam = fit_least_squares(Adam(lr=0.01), X, y, steps=3000)
    np.testing.assert_allclose(X @ adam, y, atol=1e-6)           # it fits the training set
    assert accuracy(sgd, task.X_test, task.y_test) == 1.0
    assert accuracy(adam, task.X_test, task.y_test) == pytest.approx(np.mean(task.y_test > 0))


def test_fit_least_squares_trains_one_model_per_rate_in_a_batch():
    task = memorisation_task(n_train=5, seed=1)
    lrs = np.array([0.01, 0.05])
    batch = fit_least_squares(SGD(lr=lrs), task.X_train, task.y_train, 50, batch_shape=(2,))
    for i, lr in enumerate(lrs):
        alone = fit_least_squares(SGD(lr=lr), task.X_train, task.y_train, 50)
        np.testing.assert_allclose(batch[i], alone, rtol=1e-12)
    np.testing.assert_array_equal(accuracy(batch, task.X_test, task.y_test).shape, (2,))


# -- the explorer ----------------------------------------------------------------------------
@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return BasinExplorer(optimizer="SGD", lr=0.01, steps=300, starts=11)


def test_explorer_summary_reports_where_the_runs_ended(explorer):
    summary = explorer.update(optimizer="SGD", lr=0.01, shift=0.1)
    done = explorer.outcome()
    assert summary["flat_share"] == pytest.approx(np.mean(done.flat))
    assert summary["heldout_loss"] == pytest.approx(np.mean(done.heldout["test"]))
    # small rate: each run ends on its own side of the ridge
    assert summary["flat_share"] == pytest.approx(
        np.mean(explorer.landscape.in_flat_basin(explorer.starts[:, None])))
    assert "SGD(lr=0.01)" in explorer.view["loss"].get_title()


def test_explorer_redraws_the_same_artists(explorer):
    paths, ends = list(explorer.view["paths"]), explorer.view["flat_ends"]
    explorer.update(lr=0.1)
    assert explorer.view["paths"] == paths and explorer.view["flat_ends"] is ends
    x_ends = ends.get_xdata()
    assert len(x_ends) == explorer.starts.size                   # at 0.1 SGD ends flat
    assert np.all(x_ends > explorer.landscape.barrier)
    explorer.update(optimizer="Adam", lr=0.1, beta=0.9)
    assert len(explorer.view["sharp_ends"].get_xdata()) > 0   # Adam keeps the sharp side
    assert "β1=0.90" in explorer.view["loss"].get_title()
    held = explorer.view["heldout"].get_ydata()
    explorer.update(shift=0.2)
    assert not np.allclose(held, explorer.view["heldout"].get_ydata())


@pytest.mark.parametrize("changes, message", [
    ({"speed": 1}, "setting"), ({"optimizer": "AdaGrad"}, "optimizer"),
    ({"lr": 0.0}, "lr"), ({"beta": 1.0}, "beta"), ({"steps": 0}, "steps")])
def test_explorer_rejects_bad_settings_by_name(explorer, changes, message):
    before = dict(explorer.settings)
    with pytest.raises(ValueError, match=f"Invalid {message}"):
        explorer.update(**changes)
    assert explorer.settings == before


def test_explorer_widget_drives_it_headlessly():
    explorer = BasinExplorer(optimizer="Adam", lr=0.1, steps=200, starts=7)
    explorer.widget()
    assert all(c.continuous_update is False for name, c in explorer.controls.items()
               if name != "optimizer")
    image = explorer.image
    before = image.value
    explorer.controls["optimizer"].value = "SGD"
    assert explorer.settings["optimizer"] == "SGD" and image.value != before
    explorer.controls["lr"].value = 0.02
    assert explorer.summary["lr"] == pytest.approx(0.02)


def test_static_figure_shows_the_same_view_and_leaves_the_widget_alone():
    import matplotlib.pyplot as plt

    explorer = BasinExplorer(optimizer="Adam", lr=0.1, steps=200, starts=7)
    live = explorer.view
    fig = explorer.static_figure()
    try:
        ax_loss, ax_path = fig.axes[:2]
        assert ax_loss.get_title() == explorer.view["loss"].get_title()
        assert len(ax_path.get_lines()) >= explorer.starts.size
        assert explorer.view is live
    finally:
        plt.close(fig)
