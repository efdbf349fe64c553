"""alr_teach.lab.mlp_sweeps: a batched sweep is exactly a set of MLPClassifier fits; the layer
records (norms, relative steps, LAMB's trust ratios) are what they claim; the plots draw the
recorded numbers; the explorer works headlessly.

The data are scikit-learn's wine (178 samples, bundled): small enough for fits of a few
epochs in well under a second.
"""

from __future__ import annotations

from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from alr_teach import LAMB, SGD, Adam, Lookahead, MLPClassifier, NovoGrad, Ranger
from alr_teach.lab.mlp_sweeps import (
    MLPSweep,
    lamb_trust_ratios,
    layer_names,
    loss_and_gradients,
    norms,
    sweep_mlp,
)
from alr_teach.optimizers.schedules import Scheduled, linear_warmup
from alr_teach.problems import mlp
from alr_teach.problems.datasets import load_split
from alr_teach.viz.explorers.layer_step import EXPLORER_METHODS, LayerStepExplorer
from alr_teach.viz.mlp_sweeps_plots import plot_layer_steps, plot_rate_curves
from alr_teach.viz.plots import style


@pytest.fixture(scope="module")
def wine():
    return load_split("wine")


def _fit(wine, optimizer, seed, **settings):
    clf = MLPClassifier(optimizer=optimizer, random_state=seed, **settings)
    return clf.fit(wine.X_train, wine.y_train, validation_data=(wine.X_val, wine.y_val))


# -- the sweep is a set of ordinary fits -----------------------------------------------------
MAKERS = {
    "Adam": Adam,
    "LAMB": LAMB,  # norms per run: a scalar lr would mix the runs and fail here
    "NovoGrad": NovoGrad,
    "Momentum": lambda lr: SGD(lr=lr, momentum=0.9),
    "Lookahead(Adam)": lambda lr: Lookahead(Adam(lr=lr), k=3, alpha=0.5),
    "Ranger": Ranger,
}


@pytest.mark.parametrize("name", MAKERS)
def test_every_run_is_the_fit_mlpclassifier_makes(wine, name):
    make, lrs, seeds = MAKERS[name], [0.003, 0.05], [0, 7]
    settings = {"hidden_layer_sizes": (6, 5), "batch_size": 50, "max_iter": 3}
    sweep = sweep_mlp(make, wine, lrs, seeds, hidden=(6, 5), batch_size=50, epochs=3)
    assert sweep.params[0].shape == (2, 2, 13, 6) and sweep.steps == 3 * 3  # 106 samples
    for i, lr in enumerate(lrs):
        for j, seed in enumerate(seeds):
            clf = _fit(wine, make(lr), seed, **settings)
            for ours, theirs in zip(sweep.params, clf.coefs_ + clf.intercepts_):
                assert np.abs(ours[i, j] - theirs).max() < 1e-12
            assert np.abs(sweep.loss_curve[:, i, j] - clf.loss_curve_).max() < 1e-12
            assert np.abs(sweep.val_loss[:, i, j] - clf.validation_loss_curve_).max() < 1e-12
            assert_array_equal(sweep.val_accuracy[:, i, j], clf.validation_score_curve_)
            assert sweep.test_accuracy[i, j] == clf.score(wine.X_test, wine.y_test)


def test_lr_factor_is_a_scheduled_rate(wine):
    factor = partial(linear_warmup, lr=1.0, warmup_steps=4, start_factor=0.25)
    sweep = sweep_mlp(Adam, wine, [0.02], [3], hidden=(8,), batch_size=40, epochs=2,
                      lr_factor=factor, method="warm Adam")
    clf = _fit(wine, Scheduled(Adam(lr=0.02), lr=lambda t: 0.02 * factor(t)), 3,
               hidden_layer_sizes=(8,), batch_size=40, max_iter=2)
    assert sweep.method == "warm Adam"
    for ours, theirs in zip(sweep.params, clf.coefs_ + clf.intercepts_):
        assert np.abs(ours[0, 0] - theirs).max() < 1e-12


def test_loss_and_gradients_are_mlps_run_by_run():
    rng = np.random.default_rng(4)
    nets = [mlp.init_network([5, 4, 3], rng) for _ in range(2)]
    params = [np.stack(arrays) for arrays in zip(*(net.params() for net in nets))]
    X, y = rng.standard_normal((2, 7, 5)), rng.integers(0, 3, size=(2, 7))
    losses, grads = loss_and_gradients(params, X, y)
    for r, net in enumerate(nets):
        value, expected, _ = mlp.loss_and_gradients(net, X[r], y[r])
        assert losses[r] == value
        for ours, theirs, p in zip(grads, expected.params(), params):
            assert ours.shape == p.shape
            assert_array_equal(ours[r], theirs)


def test_layer_names_follow_the_optimizer_order():
    assert layer_names(3) == ("W1", "W2", "W3", "b1", "b2", "b3")
    assert layer_names(1) == ("W1", "b1")


# -- the layer records -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def lamb_sweep(wine):
    return sweep_mlp(LAMB, wine, [0.01, 0.1], [0, 1], hidden=(8,), batch_size=32, epochs=2)


def test_norms_are_taken_over_each_runs_parameter_axes():
    a = np.arange(24.0).reshape(2, 3, 4)
    b = np.array([[1.0, 2.0, 2.0], [0.0, 0.0, 0.0]])
    expected = [[np.linalg.norm(a[0]), 3.0], [np.linalg.norm(a[1]), 0.0]]
    assert np.allclose(norms([a, b]), expected, rtol=1e-15)


def test_lamb_moves_every_array_by_lr_times_its_norm(lamb_sweep):
    relative = lamb_sweep.relative_steps
    lr = lamb_sweep.lrs[:, None, None]
    started = np.isfinite(relative)  # biases start at 0: no relative step on step 1
    assert np.allclose(np.where(started, relative, lr), lr, rtol=1e-9)
    assert not started[0, ..., 2:].any() and started[1:].all()
    assert lamb_sweep.trust_ratios.shape == lamb_sweep.step_norms.shape == (8, 2, 2, 4)
    assert np.all(lamb_sweep.trust_ratios[0, ..., 2:] == 1.0)  # zero biases: ratio 1


def test_trust_ratios_match_a_hand_computation():
    x = [np.array([[3.0, 4.0], [1.0, 1.0]]), np.zeros((2, 3))]  # two runs of each array
    g = [np.array([[0.5, -2.0], [1e-3, 4.0]]), np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])]
    opt = LAMB(lr=np.array([0.1, 0.2]), eps=1e-6)
    opt.batch_ndim = 1
    opt.step(x, g)
    ratios = lamb_trust_ratios(opt, x)
    for r in range(2):
        for a in range(2):
            u = g[a][r] / (np.abs(g[a][r]) + 1e-6)  # step 1: m_hat = g and v_hat = g^2
            x_norm, u_norm = np.sqrt(np.sum(x[a][r] ** 2)), np.sqrt(np.sum(u**2))
            expected = x_norm / u_norm if x_norm > 0 and u_norm > 0 else 1.0
            assert ratios[r, a] == pytest.approx(expected, rel=1e-12)
    assert ratios[0, 0] == pytest.approx(5 / np.sqrt(2), rel=1e-5)
    assert_array_equal(ratios[:, 1], [1.0, 1.0])  # zero weights: ratio 1


def test_only_lamb_records_trust_ratios(wine):
    sweep = sweep_mlp(Adam, wine, [0.01], hidden=(4,), batch_size=107, epochs=1)
    assert sweep.trust_ratios is None
    with pytest.raises(ValueError, match=r"Invalid quantity: 'trust_ratios' \(recorded for"):
        plot_layer_steps(plt.figure().add_subplot(), sweep, "trust_ratios")
    plt.close("all")


def test_a_diverged_run_is_flagged_and_never_chosen(wine):
    sweep = sweep_mlp(SGD, wine, [0.05, 1e300], [0], hidden=(8,), batch_size=16, epochs=2)
    assert_array_equal(sweep.diverged, [[False], [True]])
    assert np.isinf(sweep.final_val_loss()[1]) and sweep.best_index() == 0
    assert sweep.best_lr == 0.05


def test_ties_choose_the_smaller_rate(wine):
    sweep = sweep_mlp(SGD, wine, [0.0, 0.0], hidden=(4,), batch_size=107, epochs=1)
    assert sweep.best_index() == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"lrs": [[0.1, 0.2]]}, r"Invalid lrs: array of shape \(1, 2\) \(must be 1-D\)"),
    ({"seeds": []}, r"Invalid seeds: \(\) \(must name at least one seed\)"),
    ({"seeds": [-1]}, r"Invalid seed: -1 \(must be a whole number >= 0\)"),
    ({"batch_size": 0}, r"Invalid batch_size: 0 \(must be a whole number >= 1\)"),
    ({"epochs": 1.5}, r"Invalid epochs: 1.5"),
    ({"hidden": (0,)}, r"Invalid hidden: 0"),
    ({"make_optimizer": Adam(lr=0.1)}, r"Invalid make_optimizer: Adam\(.*\) \(must be a class"),
])
def test_invalid_arguments_are_rejected(wine, kwargs, message):
    arguments = {"make_optimizer": Adam, "split": wine, "lrs": [0.1], **kwargs}
    with pytest.raises(ValueError, match=message):
        sweep_mlp(**arguments)


# -- figures ---------------------------------------------------------------------------------
def test_plot_rate_curves_draws_the_mean_over_seeds(wine):
    sweeps = [sweep_mlp(cls, wine, [0.003, 0.03], [0, 1], hidden=(4,), batch_size=54,
                        epochs=2) for cls in (Adam, NovoGrad)]
    fig, ax = plt.subplots()
    lines = plot_rate_curves(ax, sweeps)
    for i, (line, sweep) in enumerate(zip(lines, sweeps)):
        assert_array_equal(line.get_xdata(), sweep.lrs)
        assert np.allclose(line.get_ydata(), sweep.val_loss[-1].mean(axis=1))
        assert line.get_color() == style(i)["color"] and line.get_label() == sweep.method
    assert ax.get_xscale() == "log" and ax.get_ylim()[1] == 10.0
    plt.close(fig)


def test_plot_layer_steps_draws_one_line_per_array(lamb_sweep):
    fig, ax = plt.subplots()
    lines = plot_layer_steps(ax, lamb_sweep, "trust_ratios", lr_index=1, seed_index=1)
    assert [line.get_label() for line in lines] == list(lamb_sweep.names)
    assert_array_equal(lines[0].get_ydata(), lamb_sweep.trust_ratios[:, 1, 1, 0])
    assert lines[-1].get_xdata()[-1] == pytest.approx(2.0)  # epochs on the x axis
    assert "η = 0.1" in ax.get_title()
    with pytest.raises(ValueError, match="Invalid quantity: 'steps'"):
        plot_layer_steps(ax, lamb_sweep, "steps")
    plt.close(fig)


# -- the explorer ----------------------------------------------------------------------------
@pytest.fixture  # function scope: tests move its sliders
def explorer(wine):
    return LayerStepExplorer(wine, method="Adam", batch_size=32, lr=0.01, epochs=2,
                             hidden=(8,))


def test_update_trains_the_run_it_reports(explorer, wine):
    summary = explorer.update(method="NovoGrad", lr=0.05, batch_size=54)
    expected = sweep_mlp(NovoGrad, wine, [0.05], hidden=(8,), batch_size=54, epochs=2)
    assert summary["val_accuracy"] == expected.val_accuracy[-1, 0, 0]
    assert summary["steps"] == 4 and summary["method"] == "NovoGrad"
    relative = expected.relative_steps[:, 0, 0]
    for line, values in zip(explorer.view["step_lines"], relative.T):
        assert_array_equal(line.get_ydata(), values)
    assert summary["median_relative_step"]["W1"] == pytest.approx(np.median(relative[:, 0]))
    assert "NovoGrad, batch 54" in explorer.view["steps"].get_title()
    assert_array_equal(explorer.view["accuracy_line"].get_ydata(), expected.val_accuracy[:, 0, 0])


def test_lamb_lines_sit_on_the_rate(explorer):
    explorer.update(method="LAMB", lr=0.02)
    for line in explorer.view["step_lines"]:
        values = np.asarray(line.get_ydata())
        assert np.allclose(values[np.isfinite(values)], 0.02, rtol=1e-9)
    explorer.update(method="Adam", lr=0.01, batch_size=32)


@pytest.mark.parametrize("changes, message", [
    ({"optimizer": "Adam"}, "Invalid setting: 'optimizer'"),
    ({"method": "SGD"}, "Invalid method: 'SGD'"),
    ({"lr": 0.0}, "Invalid lr: 0.0"),
    ({"batch_size": 0}, "Invalid batch_size: 0"),
])
def test_bad_settings_are_rejected_and_change_nothing(explorer, changes, message):
    before = dict(explorer.settings)
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.settings == before


def test_static_figure_repeats_the_current_view(explorer):
    fig = explorer.static_figure()
    ax_steps, ax_accuracy = fig.axes[:2]
    assert ax_steps.get_title() == explorer.view["steps"].get_title()
    assert len(ax_steps.get_lines()) == len(explorer.view["step_lines"])
    assert_array_equal(ax_accuracy.get_lines()[0].get_ydata(),
                       explorer.view["accuracy_line"].get_ydata())
    plt.close(fig)


def test_widget_controls_drive_the_explorer_headlessly(explorer):
    explorer.widget()
    controls = explorer.controls
    assert set(controls) == {"method", "batch_size", "lr", "epochs", "seed"}
    assert all(c.continuous_update is False for n, c in controls.items() if n != "method")
    assert controls["batch_size"].options[-1] == 106  # the whole training part
    image = explorer.image
    before = image.value
    controls["method"].value = "LAMB"
    assert explorer.summary["method"] == "LAMB" and image.value != before
    controls["epochs"].value = 1
    assert explorer.summary["steps"] == 4
    assert set(EXPLORER_METHODS) == set(controls["method"].options)
    explorer.update(method="Adam", epochs=2)


def test_the_result_type_is_frozen(lamb_sweep):
    assert isinstance(lamb_sweep, MLPSweep)
    with pytest.raises(AttributeError):
        lamb_sweep.method = "other"
