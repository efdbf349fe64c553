"""SGD-HD and Adam-HD: the hypergradient by hand and by finite differences, beta = 0 is the
base method bit for bit, one rate for all arrays, sweeps equal loops, the step() contract,
validation, and the explorer driven headlessly."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, Adam, MLPClassifier
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep
from alr_teach.optimizers.hypergradient import SGDHD, AdamHD
from alr_teach.problems.landscapes import Quadratic, Rosenbrock
from alr_teach.viz.explorers.hypergradient import HypergradientExplorer

RNG = np.random.default_rng(15)

# (id, hypergradient optimizer factory taking beta, the base optimizer it must equal at beta=0)
PAIRS = [
    ("SGD", lambda b: SGDHD(lr=0.05, beta=b), lambda: SGD(lr=0.05)),
    ("SGD-momentum", lambda b: SGDHD(lr=0.05, beta=b, momentum=0.9, dampening=0.1),
     lambda: SGD(lr=0.05, momentum=0.9, dampening=0.1)),
    ("SGD-nesterov-wd", lambda b: SGDHD(lr=0.05, beta=b, momentum=0.8, nesterov=True,
                                        weight_decay=0.1),
     lambda: SGD(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("Adam", lambda b: AdamHD(lr=0.01, beta=b), lambda: Adam(lr=0.01)),
    ("Adam-wd-amsgrad", lambda b: AdamHD(lr=0.01, beta=b, weight_decay=0.1, amsgrad=True),
     lambda: Adam(lr=0.01, weight_decay=0.1, amsgrad=True)),
]
IDS = [p[0] for p in PAIRS]


def _grads(xs):
    """A smooth non-linear gradient, different per array (so arrays do not move alike)."""
    return [np.sin(3 * x) + 0.3 * x**3 + 0.1 * (i + 1) for i, x in enumerate(xs)]


def _params():
    return [RNG.standard_normal(3), RNG.standard_normal((2, 2))]


# -- by hand -------------------------------------------------------------------------------
def test_sgd_hd_on_a_one_dimensional_quadratic_by_hand():
    """f(x) = x^2 (g = 2x), x0 = 1, eta0 = 0.1, beta = 0.01. Step 1: h = 0 (u_0 = 0), x = 0.8,
    u_1 = -2. Step 2: g = 1.6, h = 1.6 * -2 = -3.2, eta = 0.1 + 0.032 = 0.132,
    x = 0.8 - 0.132 * 1.6 = 0.5888. Step 3: g = 1.1776, h = 1.1776 * -1.6 = -1.88416,
    eta = 0.1508416, x = 0.5888 - 0.1508416 * 1.1776."""
    opt, x = SGDHD(lr=0.1, beta=0.01), np.array([1.0])
    seen = []
    for _ in range(3):
        x = opt.step(x, 2 * x)
        seen.append((float(opt.state["hypergradient"][0]), opt.current_lr, float(x[0]),
                     float(opt.state["direction"][0])))
    expected = [(0.0, 0.1, 0.8, -2.0), (-3.2, 0.132, 0.5888, -1.6),
                (-1.88416, 0.1508416, 0.5888 - 0.1508416 * 1.1776, -1.1776)]
    assert_allclose(seen, expected, rtol=1e-13)


def test_a_constant_gradient_raises_the_rate_by_beta_times_its_squared_norm_each_step():
    """u = -g every step, so h_t = -||g||^2 from step 2 on: eta_t = eta0 + beta (t-1) ||g||^2,
    with ||g||^2 summed over every array of a list (one rate for all of them)."""
    g = [np.array([1.0, -2.0]), np.array([[0.5], [3.0]])]      # ||g||^2 = 5 + 9.25 = 14.25
    opt, params = SGDHD(lr=0.01, beta=1e-3), [np.zeros(2), np.zeros((2, 1))]
    for t in range(1, 8):
        params = opt.step(params, g)
        assert opt.current_lr == pytest.approx(0.01 + 1e-3 * (t - 1) * 14.25, rel=1e-12)
        assert_array_equal(opt.state["lr_t"][0].reshape(-1), opt.state["lr_t"][1].reshape(-1))


def test_opposing_gradients_lower_the_rate_and_nothing_stops_it_below_zero():
    """A zig-zag (g_t . g_{t-1} < 0) lowers eta; no clipping, as in the paper: with a large
    beta the rate turns negative and the run climbs (the course's runner marks divergence)."""
    valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
    trajectory = run(SGDHD(lr=0.07, beta=0.01), valley, steps=40)
    rates = trajectory.state["lr_t"][:, 0]
    assert np.nanmin(rates) < 0 < rates[0]
    assert trajectory.diverged
    gentle = run(SGDHD(lr=0.079, beta=1e-5), valley, steps=40).state["lr_t"][:, 0]
    assert gentle[-1] < gentle[0]          # too close to 2/25: the hypergradient backs off


@pytest.mark.parametrize("make", [
    lambda: SGDHD(lr=1e-4, beta=1e-9),
    lambda: SGDHD(lr=1e-4, beta=1e-9, momentum=0.9),
    lambda: SGDHD(lr=1e-4, beta=1e-9, momentum=0.9, nesterov=True),
    lambda: SGDHD(lr=1e-4, beta=1e-9, weight_decay=0.5),
    lambda: AdamHD(lr=1e-2, beta=1e-6),
    lambda: AdamHD(lr=1e-2, beta=1e-6, weight_decay=0.5, amsgrad=True),
], ids=["sgd", "momentum", "nesterov", "weight-decay", "adam", "adam-wd-amsgrad"])
def test_the_hypergradient_is_the_derivative_of_the_loss_by_the_last_rate(make):
    """h_t = d f(x_{t-1}) / d eta, with x_{t-1} = x_{t-2} + eta u_{t-1} (x_{t-2}, u_{t-1} held),
    checked by central differences on Rosenbrock (plus the L2 term when weight_decay > 0)."""
    banana, opt = Rosenbrock(), make()
    decay = opt.weight_decay

    def loss(x):
        return float(banana.value(x)) + decay / 2 * float(x @ x)

    x = np.array([-1.2, 1.0])
    for _ in range(6):
        before = x
        x = opt.step(before, banana.grad(before))
        u, eta = opt.state["direction"], opt.current_lr
        assert_allclose(x, before + eta * u, rtol=1e-13, atol=1e-15)
        delta = 1e-6 * eta
        numeric = (loss(before + (eta + delta) * u)
                   - loss(before + (eta - delta) * u)) / (2 * delta)
        opt_next = copy.deepcopy(opt)
        opt_next.step(x, banana.grad(x))
        assert float(opt_next.state["hypergradient"][0]) == pytest.approx(numeric, rel=1e-6)


# -- equivalences --------------------------------------------------------------------------
@pytest.mark.parametrize("make_hd, make_base", [p[1:] for p in PAIRS], ids=IDS)
def test_beta_zero_is_the_base_optimizer_to_the_last_bit(make_hd, make_base):
    hd, base = make_hd(0.0), make_base()
    ours = theirs = _params()
    for _ in range(25):
        ours, theirs = hd.step(ours, _grads(ours)), base.step(theirs, _grads(theirs))
        for a, b in zip(ours, theirs):
            assert_array_equal(a, b)
    for name, value in base.state.items():
        for a, b in zip(hd.state[name], value):
            assert_array_equal(a, b)


@pytest.mark.parametrize("make_hd", [p[1] for p in PAIRS], ids=IDS)
def test_a_positive_beta_changes_the_rate_and_the_path(make_hd):
    hd, base = make_hd(1e-3), make_hd(0.0)
    ours = theirs = _params()
    for _ in range(10):
        ours, theirs = hd.step(ours, _grads(ours)), base.step(theirs, _grads(theirs))
    assert hd.current_lr != base.current_lr == base.lr
    assert not np.array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("make_hd", [p[1] for p in PAIRS], ids=IDS)
def test_one_rate_for_all_arrays_same_as_one_concatenated_array(make_hd):
    """The dot product covers every array: a list of arrays steps as their concatenation."""
    as_list, as_one = make_hd(1e-2), make_hd(1e-2)
    parts = [RNG.standard_normal(3), RNG.standard_normal(4)]
    whole = np.concatenate(parts)
    for _ in range(15):
        g = _grads([whole])[0]
        parts = as_list.step(parts, [g[:3], g[3:]])
        whole = as_one.step(whole, g)
        assert_allclose(np.concatenate(parts), whole, rtol=1e-12, atol=1e-14)
        assert as_list.current_lr == pytest.approx(as_one.current_lr, rel=1e-12)


@pytest.mark.parametrize("make_hd", [p[1] for p in PAIRS], ids=IDS)
def test_a_sweep_over_beta_equals_a_loop_of_single_runs(make_hd):
    """beta of shape (4,) with params (4, 2): four problems, each with its own rate."""
    betas = np.array([0.0, 1e-4, 1e-3, 3e-3])
    banana = Rosenbrock()
    swept = make_hd(betas)
    batch = run(swept, banana, np.tile(banana.start, (4, 1)), steps=30)
    assert swept.current_lr.shape == (4,)
    for i, beta in enumerate(betas):
        single = run(make_hd(float(beta)), banana, steps=30)
        assert_allclose(batch.points[:, i], single.points, rtol=1e-12, atol=1e-14)
        assert_allclose(batch.state["lr_t"][:, i], single.state["lr_t"], rtol=1e-12)


def test_a_two_axis_sweep_of_lr_and_beta_equals_a_loop():
    valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
    lrs, betas = np.array([1e-3, 1e-2, 0.05]), np.array([0.0, 1e-4, 1e-3])
    result = sweep(SGDHD, valley, {"lr": lrs, "beta": betas}, steps=60)
    for i, lr in enumerate(lrs):
        for j, beta in enumerate(betas):
            single = run(SGDHD(lr=float(lr), beta=float(beta)), valley, steps=60)
            assert result.final_loss[i, j] == pytest.approx(single.final_loss, rel=1e-10)


def test_the_runner_sees_lr_t_as_the_effective_rate_of_sgd_hd():
    valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
    trajectory = run(SGDHD(lr=1e-3, beta=1e-3), valley, steps=30)
    assert_allclose(trajectory.effective_lr, trajectory.state["lr_t"], rtol=1e-9)


# -- a zero initial rate ----------------------------------------------------------------------
@pytest.mark.parametrize("cls", [SGDHD, AdamHD])
def test_from_a_zero_rate_the_first_step_stands_still_then_the_rate_rises(cls):
    valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
    opt, x = cls(lr=0.0, beta=1e-3), valley.start.copy()
    x1 = opt.step(x, valley.grad(x))
    assert_array_equal(x1, x)                                  # eta_1 = 0: no move
    unit = copy.deepcopy(cls(lr=1.0, beta=0.0))
    assert_allclose(opt.state["direction"], unit.step(x, valley.grad(x)) - x, rtol=1e-12)
    x2 = opt.step(x1, valley.grad(x1))
    assert opt.current_lr > 0 and not np.array_equal(x2, x1)


def test_a_sweep_with_one_zero_rate_gives_each_problem_its_direction():
    valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
    swept = run(AdamHD(lr=np.array([0.0, 0.01]), beta=1e-3), valley,
                np.tile(valley.start, (2, 1)), steps=15)
    for i, lr in enumerate([0.0, 0.01]):
        single = run(AdamHD(lr=lr, beta=1e-3), valley, steps=15)
        assert_allclose(swept.points[:, i], single.points, rtol=1e-12, atol=1e-15)


# -- the step() contract ------------------------------------------------------------------------
@pytest.mark.parametrize("cls, base_state", [(SGDHD, set()), (AdamHD, {"m", "v"})])
def test_state_names_arguments_untouched_reset_and_copies(cls, base_state):
    opt = cls(lr=0.01, beta=1e-3)
    assert opt.state == {} and opt.current_lr == 0.01
    params = _params()
    for _ in range(3):
        grads = _grads(params)
        snapshot = [a.copy() for a in params + grads]
        new = opt.step(params, grads)
        assert all(np.array_equal(a, b) for a, b in zip(params + grads, snapshot))
        params = new
    assert set(opt.state) == base_state | {"lr_t", "hypergradient", "direction"}
    assert [a.shape for a in opt.state["lr_t"]] == [(1,), (1, 1)]
    twin = copy.deepcopy(opt)
    assert_array_equal(opt.step(params, _grads(params))[1], twin.step(params, _grads(params))[1])
    opt.reset()
    assert opt.t == 0 and opt.state == {} and opt.current_lr == 0.01


def test_lr_is_only_the_initial_rate():
    """Documented: after step 1 the rate lives in the state; setting lr changes nothing."""
    opt, x = SGDHD(lr=0.1, beta=0.0), np.array([1.0])
    x = opt.step(x, x)
    opt.lr = 0.5
    assert opt.step(x, x)[0] == pytest.approx(x[0] * 0.9)


# -- validation -------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    ({"beta": -1.0}, "Invalid beta: -1.0 (must be finite and in [0, inf))"),
    ({"beta": float("nan")}, "Invalid beta: nan"),
    ({"beta": True}, "Invalid beta: True (must be a real number, not a boolean)"),
    ({"beta": np.array([1e-3, -1.0])}, "Invalid beta: 'array of shape (2,) containing"),
])
@pytest.mark.parametrize("cls", [SGDHD, AdamHD])
def test_invalid_hyperparameters_are_rejected(cls, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(**{"lr": 0.01, **kwargs})


def test_base_checks_still_apply_and_set_checks_beta():
    with pytest.raises(ValueError, match="Invalid nesterov"):
        SGDHD(lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=re.escape("Invalid betas[0] (beta1)")):
        AdamHD(betas=(1.0, 0.999))
    with pytest.raises(TypeError):
        SGDHD()                                              # lr is required, as for SGD
    opt = AdamHD(beta=1e-6)
    with pytest.raises(ValueError, match="Invalid beta"):
        opt.set(beta=-1e-6)
    assert opt.beta == 1e-6
    assert repr(opt).startswith("AdamHD(lr=0.001") and "beta=1e-06" in repr(opt)


def test_defaults_are_the_values_of_the_authors_mnist_runs():
    assert SGDHD(lr=0.001).beta == 1e-3
    assert AdamHD().beta == 1e-7 and AdamHD().lr == 1e-3


# -- inside the scikit-learn estimator --------------------------------------------------------
def test_mlp_classifier_trains_with_a_hypergradient_optimizer():
    from sklearn.base import clone
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=120, centers=3, random_state=0)
    fits = {}
    for name, opt in [("sgd", SGD(lr=0.01)), ("hd0", SGDHD(lr=0.01, beta=0.0)),
                      ("hd", SGDHD(lr=0.01, beta=1e-3))]:
        clf = clone(MLPClassifier(hidden_layer_sizes=(8,), optimizer=opt, max_iter=5,
                                  random_state=0))
        fits[name] = clf.fit(X, y)
    for a, b in zip(fits["sgd"].coefs_, fits["hd0"].coefs_):
        assert_array_equal(a, b)
    assert fits["hd"].optimizer_.current_lr > 0.01
    assert fits["hd"].optimizer.t == 0                          # the user's copy never steps


# -- the explorer -------------------------------------------------------------------------------
def test_explorer_default_view_lifts_the_rate_and_beats_the_constant_start():
    explorer = HypergradientExplorer()
    summary = explorer.summary
    assert summary["final_lr"] > 10 * explorer.settings["lr"]
    assert summary["final_loss"] < summary["constant_final_loss"]
    hd_rate, constant_rate = (line.get_ydata() for line in explorer.view["rate_lines"])
    assert_array_equal(constant_rate, np.full(201, 1e-3))
    assert hd_rate[0] == 1e-3 and hd_rate[-1] == pytest.approx(summary["final_lr"])


def test_explorer_with_beta_zero_draws_two_identical_runs():
    explorer = HypergradientExplorer()
    lines_before = list(explorer.view["rate_lines"])
    summary = explorer.update(beta=0.0, steps=50)
    assert explorer.view["rate_lines"] == lines_before                  # the same artists, moved
    a, b = (line.get_ydata() for line in explorer.view["loss_lines"])
    assert_array_equal(a, b)
    assert summary["final_loss"] == summary["constant_final_loss"]
    assert len(a) == 51 and explorer.view["rate"].get_xlim() == (0.0, 50.0)


def test_explorer_reports_a_negative_rate_and_divergence():
    summary = HypergradientExplorer(beta=1e-2, lr=0.03).summary  # 2/50 = 0.04 is stable
    assert summary["lowest_lr"] < 0 and summary["diverged_at"] > 0
    assert summary["constant_diverged_at"] == -1


def test_explorer_switches_method_and_landscape_and_relabels():
    explorer = HypergradientExplorer()
    explorer.update(method="Adam-HD", landscape="beale", beta=1e-3)
    assert "Adam-HD on beale" in explorer.view["rate"].get_title()
    labels = [t.get_text() for t in explorer.view["rate"].get_legend().get_texts()]
    assert labels[0] == "Adam-HD (β = 1.0e-03)"


@pytest.mark.parametrize("changes, message", [
    ({"gamma": 1.0}, "Invalid setting: 'gamma'"), ({"method": "RMSProp-HD"}, "Invalid method"),
    ({"landscape": "moon"}, "Invalid landscape"), ({"beta": -1.0}, "Invalid beta"),
    ({"steps": 0}, "Invalid steps"),
])
def test_explorer_rejects_bad_settings(changes, message):
    with pytest.raises(ValueError, match=message):
        HypergradientExplorer().update(**changes)


def test_explorer_sliders_drive_the_figure_headlessly():
    explorer = HypergradientExplorer()
    explorer.widget()
    image = explorer.image
    before, png = explorer.summary, image.value
    assert all(getattr(c, "continuous_update", False) is False
               for c in explorer.controls.values())
    explorer.controls["beta"].value = 1e-5
    assert explorer.settings["beta"] == pytest.approx(1e-5)
    assert explorer.summary["final_lr"] < before["final_lr"]
    assert image.value != png
    explorer.controls["method"].value = "Adam-HD"
    assert explorer.settings["method"] == "Adam-HD"


def test_explorer_static_figure_matches_the_view():
    import matplotlib.pyplot as plt

    explorer = HypergradientExplorer()
    fig = explorer.static_figure()
    ax_rate, ax_loss = fig.axes
    assert_array_equal(ax_rate.lines[0].get_ydata(), explorer.view["rate_lines"][0].get_ydata())
    assert ax_loss.get_yscale() == "log" and ax_rate.get_xlabel() == "step t"
    plt.close(fig)
