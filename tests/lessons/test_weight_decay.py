"""Weight decay tools: the two-parameter measurements, the vectorised grid, the explorer."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from alr_teach import SGD, Adam, AdamW, MLPClassifier, Optimizer
from alr_teach.lessons.weight_decay import (
    DecayExplorer,
    DecayGrid,
    decay_grid,
    decay_paths,
    decoupled_rest_point,
    effective_decay,
    flip_gradients,
    plot_decay_grid,
    predicted_decay,
)
from alr_teach.viz.plots import plot_sweep


# -- two parameters, pure noise -----------------------------------------------------------------
def test_flip_gradients_flip_sign_every_step_with_each_scale():
    g = flip_gradients([2.0, 0.5], 4)
    np.testing.assert_array_equal(g, [[-2.0, -0.5], [2.0, 0.5], [-2.0, -0.5], [2.0, 0.5]])


@pytest.mark.parametrize("scales, steps, message", [([], 3, "scales"), ([1.0, 0.0], 3, "scales"),
                                                    ([[1.0]], 3, "scales"), ([1.0], 0, "steps"),
                                                    ([1.0], 2.5, "steps")])
def test_flip_gradients_rejects_bad_arguments(scales, steps, message):
    with pytest.raises(ValueError, match=message):
        flip_gradients(scales, steps)


def test_decay_paths_steps_the_optimizer_on_the_flip_gradients_and_resets_it():
    opt = Adam(lr=0.1, weight_decay=0.01)
    path = decay_paths(opt, [1.0, 0.1], 30)
    x, manual = np.ones(2), [np.ones(2)]
    reference = Adam(lr=0.1, weight_decay=0.01)
    for g in flip_gradients([1.0, 0.1], 30):
        x = reference.step(x, g)
        manual.append(x)
    np.testing.assert_array_equal(path, np.array(manual))
    np.testing.assert_array_equal(decay_paths(opt, [1.0, 0.1], 30), path)  # reset: same again


def test_effective_decay_recovers_a_geometric_shrink_through_a_flip_flop():
    d = np.array([1e-4, 3e-3])
    t = np.arange(1001)[:, None]
    wiggle = 0.01 * (-1.0) ** t                                # the same size at every step
    path = (1 - d) ** t + wiggle * (1 - d) ** t
    np.testing.assert_allclose(effective_decay(path, burn_in=10), d, rtol=1e-4)


def test_effective_decay_stops_at_the_floor_and_gives_nan_when_nothing_is_left():
    t = np.arange(501)
    fast = 0.9**t                                   # below 5 % of its start after ~29 steps
    gone = np.where(t < 5, 1.0, 0.0)                # zero by the end of the burn-in
    rates = effective_decay(np.stack([fast, gone], axis=1), burn_in=10)
    assert rates[0] == pytest.approx(0.1, rel=1e-9)
    assert np.isnan(rates[1])
    with pytest.raises(ValueError, match="burn_in"):
        effective_decay(fast[:20], burn_in=30)


@pytest.mark.parametrize("ratio", [5.0, 20.0, 100.0])
def test_measured_decay_is_eta_lambda_over_scale_with_l2_and_eta_lambda_with_adamw(ratio):
    lr, wd, scales = 1e-2, 1e-3, np.array([1.0, 1.0 / ratio])
    l2 = effective_decay(decay_paths(Adam(lr=lr, weight_decay=wd), scales, 3000))
    decoupled = effective_decay(decay_paths(AdamW(lr=lr, weight_decay=wd), scales, 3000))
    np.testing.assert_allclose(l2, predicted_decay(lr, wd, scales, decoupled=False), rtol=0.01)
    np.testing.assert_allclose(decoupled, predicted_decay(lr, wd, scales, decoupled=True),
                               rtol=0.01)
    assert l2[1] / l2[0] == pytest.approx(ratio, rel=0.01)
    assert decoupled[1] / decoupled[0] == pytest.approx(1.0, abs=1e-6)


def test_adamw_with_zero_gradient_shrinks_by_exactly_one_minus_lr_times_decay():
    opt, x = AdamW(lr=0.01, weight_decay=0.3), np.array([2.0, -1.0])
    for _ in range(5):
        x = opt.step(x, np.zeros(2))
    np.testing.assert_allclose(x, np.array([2.0, -1.0]) * (1 - 0.003) ** 5, rtol=1e-15)


# -- rest points ---------------------------------------------------------------------------------
def test_rest_point_solves_its_equation_and_has_the_right_limits():
    k = np.array([0.0, 0.01, 0.1, 1.0, 10.0])
    x = decoupled_rest_point(k, curvature=2.0, center=1.5, noise=3.0)
    residual = k * x * np.sqrt(4.0 * (x - 1.5) ** 2 + 9.0) - 2.0 * (1.5 - x)
    np.testing.assert_allclose(residual, 0.0, atol=1e-12)
    assert x[0] == pytest.approx(1.5) and np.all(np.diff(x) < 0) and np.all(x > 0)


def test_rest_point_with_large_noise_is_an_l2_of_strength_lambda_times_noise():
    x = decoupled_rest_point(0.1, noise=1000.0)
    assert x == pytest.approx(1.0 / (1.0 + 0.1 * 1000.0), rel=1e-3)


@pytest.mark.parametrize("kwargs", [{"curvature": 0.0}, {"center": -1.0}, {"noise": -1.0}])
def test_rest_point_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError):
        decoupled_rest_point(0.1, **kwargs)
    with pytest.raises(ValueError, match="decay_over_lr"):
        decoupled_rest_point(-0.1)


def test_adamw_settles_where_derived_whatever_the_rate():
    lrs, sigma = np.array([0.05, 0.1]), 5.0
    opt, x, tail = AdamW(lr=lrs, weight_decay=0.2), np.zeros(2), []
    for t in range(1, 3001):
        x = opt.step(x, (x - 1.0) + sigma * (-1.0) ** t)
        if t > 2000:
            tail.append(x)
    derived = decoupled_rest_point(0.2, noise=sigma)
    np.testing.assert_allclose(np.mean(tail, axis=0), derived, rtol=0.005)


# -- the grid of networks ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X[:300], y[:300], X[300:450], y[300:450]


def _fit(optimizer, data, seed, epochs=3, hidden=(8,), batch_size=64):
    X, y, X_val, y_val = data
    clf = MLPClassifier(hidden_layer_sizes=hidden, optimizer=optimizer, batch_size=batch_size,
                        max_iter=epochs, random_state=seed)
    return clf.fit(X, y, validation_data=(X_val, y_val))


@pytest.mark.parametrize("cls, fixed", [(Adam, {}), (AdamW, {"betas": (0.8, 0.99)}),
                                        (SGD, {"momentum": 0.9})])
def test_every_cell_is_an_mlpclassifier_fit(digits, cls, fixed):
    lrs, wds = np.array([1e-3, 1e-2]), np.array([0.0, 1e-3, 0.1])
    if cls is SGD:
        lrs = lrs * 10
    grid = decay_grid(cls, *digits, lrs, wds, hidden_layer_sizes=(8,), epochs=3,
                      batch_size=50, random_states=(0, 4), **fixed)
    assert grid.validation_loss.shape == (2, 3, 2, 3)
    for s, seed in enumerate((0, 4)):
        for i, lr in enumerate(lrs):
            for j, wd in enumerate(wds):
                clf = _fit(cls(lr=lr, weight_decay=wd, **fixed), digits, seed, batch_size=50)
                np.testing.assert_allclose(grid.validation_loss[s, :, i, j],
                                           clf.validation_loss_curve_, rtol=1e-9)
                np.testing.assert_array_equal(grid.validation_accuracy[s, :, i, j],
                                              clf.validation_score_curve_)
    np.testing.assert_allclose(grid.final_loss, grid.validation_loss[:, -1].mean(axis=0))


class _DecayWeightsOnly(Optimizer):
    """AdamW that decays MLPClassifier's weight matrices (the first half of its arrays) only."""

    def __init__(self, lr, weight_decay):
        super().__init__(lr=lr, weight_decay=weight_decay)

    def reset(self):
        super().reset()
        self._weights = AdamW(lr=self.lr, weight_decay=self.weight_decay)
        self._others = AdamW(lr=self.lr, weight_decay=0.0)

    def step(self, params, grads):
        n = len(params) // 2
        return (self._weights.step(params[:n], grads[:n])
                + self._others.step(params[n:], grads[n:]))


def test_decay_biases_false_leaves_the_intercepts_undecayed(digits):
    grid = decay_grid(AdamW, *digits, [1e-2], [0.5, 5.0], hidden_layer_sizes=(8, 6),
                      epochs=3, decay_biases=False, random_states=(2,))
    for j, wd in enumerate([0.5, 5.0]):
        clf = _fit(_DecayWeightsOnly(lr=1e-2, weight_decay=wd), digits, 2, hidden=(8, 6))
        np.testing.assert_allclose(grid.validation_loss[0, :, 0, j],
                                   clf.validation_loss_curve_, rtol=1e-9)
    decayed_all = decay_grid(AdamW, *digits, [1e-2], [5.0], hidden_layer_sizes=(8, 6),
                             epochs=3, random_states=(2,))
    assert not np.allclose(decayed_all.final_loss, grid.final_loss[:, 1:])


def test_lr_scaled_decay_false_divides_the_decay_by_the_rate(digits):
    lrs, wds = np.array([1e-3, 1e-2]), np.array([1e-4, 1e-3])
    paper = decay_grid(AdamW, *digits, lrs, wds, hidden_layer_sizes=(8,), epochs=2,
                       lr_scaled_decay=False)
    for i, lr in enumerate(lrs):
        for j, wd in enumerate(wds):
            clf = _fit(AdamW(lr=lr, weight_decay=wd / lr), digits, 0, epochs=2)
            np.testing.assert_allclose(paper.validation_loss[0, :, i, j],
                                       clf.validation_loss_curve_, rtol=1e-9)
    assert not paper.lr_scaled_decay and paper.optimizer == "AdamW"


def test_a_diverging_cell_is_flagged_and_leaves_the_others_alone(digits):
    grid = decay_grid(SGD, *digits, [0.01, 1e250], [0.0, 0.01], hidden_layer_sizes=(8,),
                      epochs=2, random_states=(0, 1))
    np.testing.assert_array_equal(grid.diverged, [[False, False], [True, True]])
    assert np.all(np.isnan(grid.final_loss[1]))
    alone = decay_grid(SGD, *digits, [0.01], [0.0, 0.01], hidden_layer_sizes=(8,), epochs=2,
                       random_states=(0, 1))
    np.testing.assert_allclose(grid.final_loss[0], alone.final_loss[0], rtol=1e-12)
    assert grid.best()["lr"] == 0.01 and np.all(grid.best_wd_index() < 2)
    assert np.isinf(grid.row_best_loss()[1]) and list(grid.rows_that_train()) == [True, False]


def _grid(final_loss, wds=(0.01, 0.1, 1.0), tol=0.2):
    final_loss = np.asarray(final_loss, dtype=float)
    lrs = np.logspace(-3, -1, final_loss.shape[0])
    curve = np.stack([final_loss + 0.5, final_loss])[None]       # 1 seed, 2 epochs
    return DecayGrid(("lr", "weight_decay"), (lrs, np.asarray(wds)), final_loss,
                     ~np.isfinite(final_loss), np.where(final_loss <= tol, 2, -1), tol, curve,
                     np.zeros_like(curve), "AdamW", True, True)


def test_grid_summaries_pick_the_lowest_loss_per_row_and_overall():
    grid = _grid([[0.5, 0.3, 0.4], [0.2, 0.1, np.nan], [0.9, 0.95, 0.8]])
    np.testing.assert_array_equal(grid.best_wd_index(), [1, 1, 2])
    np.testing.assert_array_equal(grid.best_weight_decays(), [0.1, 0.1, 1.0])
    assert grid.best() == {"lr": grid.lrs[1], "weight_decay": 0.1, "loss": 0.1}
    np.testing.assert_array_equal(grid.rows_that_train(), [False, True, False])
    np.testing.assert_array_equal(grid.rows_that_train(factor=3.0), [True, True, False])
    assert grid.epochs == 2


def test_steps_to_tol_counts_epochs(digits):
    grid = decay_grid(Adam, *digits, [1e-3, 3e-2], [0.0], hidden_layer_sizes=(8,), epochs=4,
                      tol=0.6)
    curve = grid.validation_loss[0, :, :, 0]
    for i in range(2):
        hit = np.flatnonzero(curve[:, i] <= 0.6)
        assert grid.steps_to_tol[i, 0] == (hit[0] + 1 if hit.size else -1)


@pytest.mark.parametrize("change, message", [
    ({"lrs": [0.0]}, "lrs"), ({"lrs": [[0.1]]}, "lrs"),
    ({"weight_decays": [-1.0]}, "weight_decays"),
    ({"epochs": 0}, "epochs"), ({"random_states": ()}, "random_states"),
    ({"random_states": (0.5,)}, "random_states"), ({"hidden_layer_sizes": (0,)}, "hidden"),
    ({"y_val": np.full(150, 42)}, "labels"),
])
def test_decay_grid_rejects_bad_arguments(digits, change, message):
    X, y, X_val, y_val = digits
    args = {"X": X, "y": y, "X_val": X_val, "y_val": y_val, "lrs": [1e-3],
            "weight_decays": [0.0], "epochs": 1, "random_states": (0,),
            "hidden_layer_sizes": (4,)}
    args.update(change)
    with pytest.raises(ValueError, match=message):
        decay_grid(Adam, **args)


def test_plot_decay_grid_draws_log_axes_values_and_one_outline_per_rate():
    import matplotlib.pyplot as plt

    grid = _grid([[0.5, 0.3, 0.4], [0.2, 0.1, np.nan], [0.9, 0.95, 0.8]])
    fig, ax = plt.subplots()
    mesh = plot_decay_grid(ax, grid, limits=(0.05, 2.0))
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert mesh.norm.vmin == 0.05 and mesh.norm.vmax == 2.0
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 8 and "★0.100" in texts                   # the NaN cell is blank
    assert len(ax.patches) == 3                                     # one outline per rate
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "diverged" in labels and "best λ for this η" in labels
    plt.close(fig)


def test_a_decay_grid_also_fits_plot_sweep(digits):
    import matplotlib.pyplot as plt

    grid = decay_grid(Adam, *digits, [1e-3, 1e-2], [1e-4, 1e-2], hidden_layer_sizes=(4,),
                      epochs=1)
    fig, ax = plt.subplots()
    plot_sweep(ax, grid)
    assert ax.get_xlabel() == "lr" and ax.get_ylabel() == "weight_decay"
    plt.close(fig)


# -- the explorer --------------------------------------------------------------------------------
@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return DecayExplorer(lr=1e-2, weight_decay=1e-3, ratio=20.0, steps=1000)


def test_explorer_draws_and_summarises_the_runs_of_its_settings(explorer):
    summary = explorer.update(lr=2e-2, weight_decay=5e-4, ratio=10.0)
    path = decay_paths(Adam(lr=2e-2, weight_decay=5e-4), [1.0, 0.1], 1000)
    np.testing.assert_array_equal(explorer.view["path 0 1"].get_ydata(), path[:, 1])
    np.testing.assert_allclose(summary["adam_l2_decay"], effective_decay(path))
    assert summary["adam_l2_ratio"] == pytest.approx(10.0, rel=0.01)
    assert summary["adamw_ratio"] == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(explorer.view["predicted 1"].get_ydata(), [1e-5, 1e-5])
    assert "η = 0.02" in explorer.view["paths"].get_title()


def test_explorer_ratio_one_makes_the_rules_agree(explorer):
    summary = explorer.update(ratio=1.0)
    assert summary["adam_l2_ratio"] == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(summary["adam_l2_decay"], summary["adamw_decay"], rtol=0.01)


def test_explorer_updates_move_artists_without_adding_any(explorer):
    count = len(explorer.view["paths"].lines) + len(explorer.view["rates"].lines)
    before = explorer.view["path 0 1"].get_ydata().copy()
    explorer.update(ratio=50.0)
    assert len(explorer.view["paths"].lines) + len(explorer.view["rates"].lines) == count
    assert not np.array_equal(before, explorer.view["path 0 1"].get_ydata())


def test_explorer_survives_a_weight_that_decays_to_zero(explorer):
    summary = explorer.update(lr=1e-2, weight_decay=1e-2, ratio=1e4)
    assert abs(summary["adam_l2_final"][1]) < 0.05            # wiped out by Adam + L2
    assert summary["adamw_final"][1] > 0.8                    # not by AdamW
    explorer.png()                                            # draws without error


@pytest.mark.parametrize("changes, message", [({"beta": 0.9}, "beta"), ({"lr": 0.0}, "lr"),
                                              ({"weight_decay": -1.0}, "weight_decay"),
                                              ({"ratio": 0.5}, "ratio"), ({"steps": 10}, "steps")])
def test_explorer_rejects_bad_settings_and_keeps_its_own(explorer, changes, message):
    settings = dict(explorer.settings)
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.settings == settings


def test_explorer_sliders_drive_it_headlessly(explorer):
    explorer.update(lr=1e-2, weight_decay=1e-3, ratio=20.0)
    explorer.widget()
    assert all(c.continuous_update is False for c in explorer.controls.values())
    image, text = explorer.image, explorer.text
    before = image.value
    explorer.controls["ratio"].value = 100.0
    assert explorer.settings["ratio"] == pytest.approx(100.0)
    assert image.value != before and image.value[:4] == b"\x89PNG"
    assert explorer.summary["adam_l2_ratio"] > 50 and text.value == explorer.summary_html()
    explorer.controls["weight_decay"].value = 1e-4
    assert explorer.summary["weight_decay"] == pytest.approx(1e-4)


def test_static_figure_shows_the_current_view(explorer):
    import matplotlib.pyplot as plt

    explorer.update(lr=1e-2, weight_decay=1e-3, ratio=20.0)
    live = explorer.view["path 0 1"]
    fig = explorer.static_figure()
    ax_paths, ax_rates = fig.axes[:2]
    np.testing.assert_array_equal(ax_paths.lines[1].get_ydata(), live.get_ydata())
    assert ax_rates.get_yscale() == "log" and "20" in ax_rates.get_title()
    assert explorer.view["path 0 1"] is live                 # the live figure is untouched
    plt.close(fig)
