"""The arena: fair tuning of every method on every landscape, its table and its figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from alr_teach import SGD, Adam
from alr_teach.lab.arena import (
    ADADELTA_GRID,
    ESCAPE_LEVEL,
    LR_GRID,
    METHODS,
    Arena,
    Tuning,
    arena,
    format_rates,
    format_results,
    gaps,
    grid_for,
    rank,
    score,
    start_points,
    tune,
    tune_logistic,
    tuned_run,
)
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep_learning_rates
from alr_teach.optimizers import registry
from alr_teach.problems.landscapes import Booth, Quadratic, Saddle, get
from alr_teach.problems.sparse_data import log_loss, make_sparse_classification, train
from alr_teach.viz.arena_plots import _spread, plot_rank_shift, plot_ranks, plot_scores, plot_table


def make_tuning(final_gap, steps_to_tol, lrs=None, tol=1e-6, method="SGD"):
    final_gap = np.asarray(final_gap, dtype=float)
    lrs = np.logspace(-3, 0, final_gap.shape[0]) if lrs is None else np.asarray(lrs)
    return Tuning(method, "test", lrs, final_gap, np.asarray(steps_to_tol), tol, 100)


# -- grids and start points -------------------------------------------------------------------
def test_every_method_shares_one_grid_except_adadelta_whose_grid_is_centred_on_one():
    for name in METHODS:
        grid = grid_for(name)
        assert grid.size == 11
        np.testing.assert_allclose(np.diff(np.log10(grid)), 0.5)    # same spacing
        if name == "AdaDelta":
            assert grid is ADADELTA_GRID and np.isclose(np.log10(grid).mean(), 0.0)
        else:
            assert grid is LR_GRID and (grid[0], grid[-1]) == (1e-4, 10.0)
    with pytest.raises(ValueError, match="Invalid method"):
        grid_for("Lion")


def test_methods_are_the_seven_of_the_course_named_by_the_registry():
    assert METHODS == ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdaDelta")
    nesterov = tuned_run(tune("Nesterov", Booth(), steps=5), Booth())
    by_hand = run(SGD(lr=tune("Nesterov", Booth(), steps=5).best_lr, momentum=0.9,
                      nesterov=True), Booth(), None, 5)
    np.testing.assert_array_equal(nesterov.losses, by_hand.losses)
    assert registry.entry("Adam").cls is Adam and registry.entry("AdaDelta").fixed == {}


def test_a_method_outside_the_registry_comes_with_its_spec():
    mine = {"Heavy": (SGD, {"momentum": 0.5})}
    booth = Booth()
    tuning = tune("Heavy", booth, steps=20, methods=mine)
    alone = sweep_learning_rates(mine, booth, LR_GRID, steps=20, x0=booth.start)["Heavy"]
    expected = np.nan_to_num(alone.final_loss - booth.min_value, nan=np.inf)
    np.testing.assert_array_equal(tuning.final_gap[:, 0], expected)
    assert grid_for("LAMB") is LR_GRID  # any registry name
    with pytest.raises(ValueError, match="Invalid method: 'Heavy'"):
        tune("Heavy", Booth(), steps=20)


def test_start_points_are_the_default_start_then_seeded_points_in_the_domain():
    landscape = get("rosenbrock")
    points = start_points(landscape, 6, seed=3)
    assert points.shape == (6, 2)
    np.testing.assert_array_equal(points[0], landscape.start)
    low, high = np.array(landscape.domain).T
    width = high - low
    assert np.all((points >= low) & (points <= high))
    assert np.all(np.abs(points[1:] - landscape.start) <= 0.1 * width + 1e-12)
    np.testing.assert_array_equal(points, start_points(landscape, 6, seed=3))
    assert not np.array_equal(points, start_points(landscape, 6, seed=4))
    np.testing.assert_array_equal(start_points(landscape, 3, spread=0.0),
                                  np.tile(landscape.start, (3, 1)))


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_start_points_rejects_a_bad_count(n):
    with pytest.raises(ValueError, match="Invalid n"):
        start_points(get("booth"), n)


# -- scores and the selection rule -----------------------------------------------------------
def test_gap_is_distance_to_the_minimum_and_escape_below_the_level_without_one():
    bowl = Quadratic([1.0, 2.0], center=[1.0, 1.0])
    losses = np.array([[3.0], [1.0], [np.nan]])
    np.testing.assert_array_equal(gaps(bowl, losses), losses - bowl.min_value)
    saddle = Saddle()
    losses = np.array([1.0, -0.5, -2.0, 0.5, np.nan])          # escapes at step 2, stays out
    np.testing.assert_array_equal(gaps(saddle, losses[:, None])[:, 0],
                                  [1.0 - ESCAPE_LEVEL, 0.5, 0.0, 0.0, 0.0])
    overflowed = np.array([3.0, 2.0, np.nan])                    # never escaped: best so far
    np.testing.assert_array_equal(gaps(saddle, overflowed[:, None])[:, 0], [4.0, 3.0, 3.0])
    assert gaps(saddle, np.array([[np.nan]]))[0, 0] == np.inf


def test_score_floors_gaps_at_tol_and_counts_failures_as_infinite():
    gap, steps = score([[1e-9, 1e-3, np.nan], [np.inf, np.nan, 1.0]],
                       [[10, -1, -1], [-1, -1, -1]], tol=1e-6)
    np.testing.assert_array_equal(gap, [1e-3, np.inf])
    np.testing.assert_array_equal(steps, [np.inf, np.inf])
    _, steps = score([[1e-9, 1e-9, 1e-9]], [[10, 20, 40]], tol=1e-6)
    assert steps[0] == 20


def test_the_rule_picks_the_lowest_median_gap_then_the_fewest_steps_then_the_smaller_rate():
    # rate 0 and 2 both solve (gap floored to tol); rate 2 is faster; rate 1 is worse
    tuning = make_tuning([[1e-9] * 3, [1e-3] * 3, [1e-12] * 3], [[50] * 3, [-1] * 3, [20] * 3])
    assert tuning.best == 2 and tuning.key == (1e-6, 20.0)
    # a full tie: the smaller rate
    tuning = make_tuning([[1e-9] * 3, [1e-9] * 3], [[5] * 3, [5] * 3])
    assert tuning.best == 0 and tuning.best_lr == tuning.lrs[0]
    # the median, not the mean: one failed start out of three does not matter
    tuning = make_tuning([[np.inf, 1e-2, 1e-2], [1e-1] * 3], [[-1] * 3] * 2)
    assert tuning.best == 0


def test_edges_and_good_rates():
    tuning = make_tuning([[1.0] * 3, [1e-3] * 3, [1e-2] * 3, [np.inf] * 3], [[-1] * 3] * 4)
    assert tuning.best == 1 and not tuning.at_edge
    assert tuning.good_rates(reference=1e-3) == 2                # 1e-3 and 1e-2 are within 10x
    assert tuning.good_rates(reference=1e-5) == 0
    assert make_tuning([[1e-3] * 3, [1.0] * 3], [[-1] * 3] * 2).at_edge


def test_rank_shares_the_better_rank_between_ties():
    tunings = {
        "a": make_tuning([[1e-9] * 3], [[10] * 3]),
        "b": make_tuning([[1e-9] * 3], [[10] * 3]),
        "c": make_tuning([[1e-9] * 3], [[30] * 3]),
        "d": make_tuning([[1.0] * 3], [[-1] * 3]),
    }
    assert rank(tunings) == {"a": 1, "b": 1, "c": 3, "d": 4}


# -- tuning runs ------------------------------------------------------------------------------
def test_tune_is_sweep_learning_rates_start_by_start():
    booth = Booth()
    starts = start_points(booth, 3, seed=1)
    for name in ("SGD", "Nesterov", "Adam"):
        tuning = tune(name, booth, starts=starts, steps=60, tol=1e-4)
        assert tuning.final_gap.shape == tuning.steps_to_tol.shape == (11, 3)
        for k, x0 in enumerate(starts):
            result = sweep_learning_rates([name], booth, LR_GRID, steps=60, x0=x0,
                                          tol=1e-4)[name]
            expected = np.nan_to_num(result.final_loss - booth.min_value, nan=np.inf)
            np.testing.assert_array_equal(tuning.final_gap[:, k], expected)
            np.testing.assert_array_equal(tuning.steps_to_tol[:, k], result.steps_to_tol)


def test_diverged_runs_score_infinitely_badly():
    tuning = tune("SGD", Quadratic([1.0, 50.0]), starts=[[1.0, 1.0]], steps=50)
    diverged = tuning.lrs > 2 / 50
    assert np.all(tuning.final_gap[diverged] == np.inf)
    assert np.all(np.isfinite(tuning.final_gap[~diverged]))
    assert tuning.best_lr < 2 / 50


def test_on_a_saddle_escaping_then_overflowing_counts_as_escaped():
    saddle = Saddle()
    tuning = tune("SGD", saddle, lrs=[1e-3, 0.95], starts=[[1.0, 1e-3]], steps=700)
    slow, fast = tuning.final_gap[:, 0]
    big = run(SGD(lr=0.95), saddle, steps=700)                  # y grows 2.9x per step
    assert big.diverged                                         # the points overflow ...
    escaped = tuning.steps_to_tol[1, 0]
    assert fast == 0.0 and 0 < escaped < big.diverged_at        # ... long after escaping
    assert slow > 0 and tuning.best == 1


def test_tune_rejects_bad_arguments():
    with pytest.raises(ValueError, match="Invalid method"):
        tune("Lion", Booth())
    with pytest.raises(ValueError, match="Invalid lrs"):
        tune("SGD", Booth(), lrs=[[0.1]])
    with pytest.raises(ValueError, match="Invalid starts"):
        tune("SGD", Booth(), starts=[1.0, 2.0])


def test_tuned_run_uses_the_chosen_rate():
    booth = Booth()
    tuning = tune("Adam", booth, starts=[booth.start], steps=40)
    trajectory = tuned_run(tuning, booth)
    expected = run(Adam(lr=tuning.best_lr), booth, steps=40)
    np.testing.assert_array_equal(trajectory.points, expected.points)
    assert "m" in trajectory.state


# -- the arena ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small():
    landscapes = {"booth": Booth(), "bowl": Quadratic([1.0, 10.0]), "saddle": Saddle()}
    return arena(landscapes, ["SGD", "Momentum", "Adam"], steps=80, n_starts=3, seed=2)


def test_arena_tunes_every_method_on_every_landscape(small):
    assert small.landscapes == ["booth", "bowl", "saddle"]
    assert small.methods == ["SGD", "Momentum", "Adam"]
    ranks = small.ranks()
    assert ranks.shape == (3, 3) and ranks.min() == 1
    for i, name in enumerate(small.landscapes):
        assert ranks[i].tolist() == [rank(small.tunings[name])[m] for m in small.methods]
    rows = small.rows()
    assert len(rows) == 9
    row = small.row("bowl", "Adam")
    tuning = small.tunings["bowl"]["Adam"]
    assert (row.lr, row.median_gap, row.median_steps) == (tuning.best_lr, *tuning.key)
    np.testing.assert_array_equal(small.best_lrs()[1], [small.tunings["bowl"][m].best_lr
                                                        for m in small.methods])
    with pytest.raises(KeyError):
        small.row("bowl", "AdaGrad")


def test_good_rates_are_counted_against_the_best_method_on_the_landscape(small):
    good = small.good_rates()
    for i, name in enumerate(small.landscapes):
        best = small.best_gap(name)
        assert best == min(t.key[0] for t in small.tunings[name].values())
        for j, m in enumerate(small.methods):
            assert good[i, j] == np.sum(small.tunings[name][m].scores[0] <= 10 * best)
            assert good[i, j] >= (small.ranks()[i, j] == 1)        # the winner has >= 1


def test_arena_gives_a_method_another_grid_when_asked():
    landscapes = {"bowl": Quadratic([1.0, 10.0])}
    common = arena(landscapes, ["SGD", "AdaDelta"], steps=20, n_starts=2, seed=2,
                   grids={"AdaDelta": LR_GRID})
    default = arena(landscapes, ["SGD", "AdaDelta"], steps=20, n_starts=2, seed=2)
    np.testing.assert_array_equal(common.tunings["bowl"]["AdaDelta"].lrs, LR_GRID)
    np.testing.assert_array_equal(default.tunings["bowl"]["AdaDelta"].lrs, ADADELTA_GRID)
    np.testing.assert_array_equal(common.tunings["bowl"]["SGD"].final_gap,
                                  default.tunings["bowl"]["SGD"].final_gap)
    with pytest.raises(ValueError, match="Adam"):
        arena(landscapes, ["SGD"], steps=5, grids={"Adam": LR_GRID})


def test_arena_needs_landscapes():
    with pytest.raises(ValueError, match="empty"):
        Arena({})


def test_tables_are_printed_with_fixed_precision(small):
    results = format_results(small, {"booth": "Booth's"}).splitlines()
    assert len(results) == 4 and "Booth's" in results[1]
    assert all(m in results[0] for m in small.methods)
    assert len({len(line) for line in results}) == 1               # aligned columns
    assert "<1e-6" in results[1]
    rates = format_rates(small).splitlines()
    assert len(rates) == 4
    edges = sum(t.at_edge for ts in small.tunings.values() for t in ts.values())
    assert "".join(rates).count("*") == edges


# -- the real task -----------------------------------------------------------------------------
def test_tune_logistic_trains_every_rate_at_once_and_scores_the_training_loss():
    task = make_sparse_classification(n_train=200, n_val=10, n_test=10, n_features=30,
                                      n_frequent=5, n_informative=5, seed=0)
    tuning = tune_logistic("RMSProp", task, lrs=[1e-3, 1e-1], epochs=2, batch_size=50,
                           seeds=(0, 1))
    assert tuning.final_gap.shape == (2, 2) and tuning.steps == 2 * 4
    weights = train(registry.make("RMSProp", lr=1e-1), task.X_train, task.y_train, epochs=2,
                    batch_size=50,
                    seed=1)
    assert np.isclose(tuning.final_gap[1, 1], log_loss(weights[-1], task.X_train, task.y_train),
                      rtol=1e-12)
    assert tuning.best == int(np.argmin(np.median(tuning.final_gap, axis=1)))


# -- figures ------------------------------------------------------------------------------------
def test_plot_table_writes_every_value_in_its_cell():
    fig, ax = plt.subplots()
    values = np.array([[1, 2], [3, 4], [5, 6]])
    image = plot_table(ax, values, ["m1", "m2"], ["l1", "l2", "l3"], label="x")
    assert image.get_array().shape == (2, 3)                     # methods down, landscapes across
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["1", "2", "3", "4", "5", "6"]
    assert image.get_cmap().name == "cividis"
    with pytest.raises(ValueError, match="Invalid values"):
        plot_table(ax, values.T, ["m1", "m2"], ["l1", "l2", "l3"])
    plt.close(fig)


def test_plot_ranks_and_scores(small):
    fig, (ax1, ax2) = plt.subplots(1, 2)
    image = plot_ranks(ax1, small, {"booth": "B"})
    assert image.get_clim() == (1, 3)
    assert "B" in [t.get_text() for t in ax1.get_xticklabels()]
    lines = plot_scores(ax2, small.tunings["bowl"], factor=10)
    assert [line.get_label() for line in lines] == small.methods
    stars = [line for line in ax2.lines if line.get_marker() == "*"]
    assert len(stars) == 3
    plt.close(fig)


def test_rank_shift_labels_do_not_overlap():
    placed = _spread([3.31, 3.31, 3.46, 2.85], gap=0.3)
    assert np.all(np.diff(np.sort(placed)) >= 0.3 - 1e-12)
    assert np.argsort(placed, kind="stable").tolist() == [3, 0, 1, 2]   # order kept
    fig, ax = plt.subplots()
    plot_rank_shift(ax, {"a": 1.5, "b": 1.5, "c": 3.0}, {"a": 3, "b": 1, "c": 2}, ("x", "y"))
    assert len(ax.lines) == 3 and len(ax.texts) == 6
    assert ax.yaxis_inverted()
    plt.close(fig)
