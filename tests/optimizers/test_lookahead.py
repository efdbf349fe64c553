"""Lookahead and Ranger: parity with optax and pytorch-optimizer, the sync schedule by hand,
equivalences, what a wrapper adds to the contract (tests/optimizers/test_contract.py checks
the rest), and its hyperparameters.

Reference trajectories: tools/make_optax_fixtures.py (optax.lookahead from synced params,
pytorch-optimizer's Lookahead around torch.optim.Adam, pytorch-optimizer's Ranger with
use_gc=False, degenerated_to_sgd=True), float64, 60 steps.
"""

from __future__ import annotations

import math
import re
from functools import partial

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from test_layerwise import check_every_step, configs_for

from alr_teach import SGD, Adam, RMSProp, Scheduled
from alr_teach.lab.runner import run
from alr_teach.optimizers import schedules
from alr_teach.optimizers.adam_variants import RAdam
from alr_teach.optimizers.layerwise import LAMB
from alr_teach.optimizers.lookahead import Lookahead, Ranger
from alr_teach.problems.landscapes import Quadratic


# -- parity ------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", configs_for("Lookahead", "Ranger"))
def test_every_step_matches_the_reference(config):
    """The returned (fast) weights at every step and the final slow weights (and Ranger's m, v)."""
    check_every_step(config)


# -- the sync schedule by hand ----------------------------------------------------------------
def test_sync_schedule_with_a_constant_gradient():
    """SGD moves +0.1 a step; syncs after steps 3 and 6 pull both weights half-way back."""
    opt, x = Lookahead(SGD(lr=0.1), k=3, alpha=0.5), np.array([0.0])
    fast, slow = [], []
    for _ in range(7):
        x = opt.step(x, np.array([-1.0]))
        fast.append(float(x[0]))
        slow.append(float(opt.state["slow_weights"][0]))
    assert_allclose(fast, [0.1, 0.2, 0.15, 0.25, 0.35, 0.3, 0.4], rtol=1e-15)
    assert_allclose(slow, [0.0, 0.0, 0.15, 0.15, 0.15, 0.3, 0.3], rtol=1e-15)


def test_sync_schedule_on_a_quadratic():
    """x <- x/2 per SGD step (lr 0.5, gradient x); k = 2, alpha = 0.5, from x = 1:
    0.5, 0.25 -> sync 1 + (0.25 - 1)/2 = 0.625; 0.3125, 0.15625 -> sync 0.390625."""
    opt, x = Lookahead(SGD(lr=0.5), k=2, alpha=0.5), np.array([1.0])
    seen = []
    for _ in range(5):
        x = opt.step(x, x)
        seen.append(float(x[0]))
    assert seen == [0.5, 0.625, 0.3125, 0.390625, 0.1953125]
    assert opt.state["slow_weights"][0] == 0.390625


def test_the_first_step_fixes_the_slow_weights():
    opt = Lookahead(Adam(lr=0.1), k=4)
    x0 = np.array([1.0, -2.0])
    x = opt.step(x0, x0)
    assert_array_equal(opt.state["slow_weights"], x0)
    x0[0] = 99.0  # the caller's array: copied, not kept
    opt.step(x, x)
    assert_array_equal(opt.state["slow_weights"], [1.0, -2.0])


@pytest.mark.parametrize(("k", "alpha"), [(1, 0.5), (3, 0.8), (5, 0.2), (4, 0.0), (2, 1.0)])
def test_lookahead_sgd_momentum_equals_a_handwritten_loop(k, alpha):
    rng = np.random.default_rng(k)
    A, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    A = A @ A.T + np.eye(3)
    lr, mu = 0.05, 0.9
    opt = Lookahead(SGD(lr=lr, momentum=mu), k=k, alpha=alpha)
    x0 = rng.normal(size=3)
    x, theta, phi, velocity = x0, x0.copy(), x0.copy(), np.zeros(3)
    for t in range(1, 25):
        g = A @ theta + b
        velocity = g if t == 1 else mu * velocity + g
        theta = theta - lr * velocity
        if t % k == 0:
            phi = phi + alpha * (theta - phi)
            theta = phi.copy()
        x = opt.step(x, A @ x + b)
        assert_allclose(x, theta, rtol=1e-14, atol=1e-15)
        assert_allclose(opt.state["slow_weights"], phi, rtol=1e-14, atol=1e-15)
        assert_allclose(opt.state["velocity"], velocity, rtol=1e-14, atol=1e-15)


def test_alpha_one_is_the_wrapped_optimizer_and_alpha_zero_goes_back_every_k_steps():
    x0 = np.array([1.0, -2.0, 0.5])
    wrapped, alone = Lookahead(Adam(lr=0.1), k=3, alpha=1.0), Adam(lr=0.1)
    back = Lookahead(Adam(lr=0.1), k=3, alpha=0.0)
    x = y = z = x0
    for t in range(1, 10):
        x, y, z = wrapped.step(x, x), alone.step(y, y), back.step(z, z)
        assert_allclose(x, y, rtol=1e-15)  # phi + 1 * (theta - phi): theta up to rounding
        if t % 3 == 0:
            assert_array_equal(z, x0)


def test_changing_k_mid_run_moves_the_next_sync():
    opt, x = Lookahead(SGD(lr=0.1), k=5, alpha=0.5), np.zeros(1)
    for _ in range(2):
        x = opt.step(x, -np.ones(1))
    opt.k = 3
    x = opt.step(x, -np.ones(1))  # t = 3: a sync now
    assert_allclose(x, [0.15], rtol=1e-15)


# -- Ranger ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    {}, {"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.02, "betas": (0.9, 0.99), "eps": 1e-8, "k": 3,
                                            "alpha": 0.8},
    {"lr": np.array([0.01, 0.1]), "betas": (0.95, np.array([[0.9], [0.999]]))},
], ids=["defaults", "decay", "other", "sweep"])
def test_ranger_is_lookahead_around_radam_with_decoupled_decay(kwargs):
    lookahead = {k: kwargs[k] for k in ("k", "alpha") if k in kwargs}
    radam = {k: v for k, v in kwargs.items() if k not in lookahead}
    defaults = {"betas": (0.95, 0.999), "eps": 1e-5, "k": 6}
    ranger = Ranger(**kwargs)
    composed = Lookahead(RAdam(**{**{k: defaults[k] for k in ("betas", "eps")}, **radam},
                               decoupled_weight_decay=True),
                         **{"k": defaults["k"], **lookahead})
    rng = np.random.default_rng(0)
    x = y = rng.normal(size=(2, 2, 3))
    for _ in range(40):
        g = 3.0 * x - 1.0 + rng.normal(size=x.shape)
        x, y = ranger.step(x, g), composed.step(y, g)
        assert_array_equal(x, y)
    for name, value in composed.state.items():
        assert_array_equal(ranger.state[name], value)


def test_ranger_defaults_and_its_radam():
    opt = Ranger()
    assert repr(opt) == ("Ranger(lr=0.001, beta1=0.95, beta2=0.999, eps=1e-05, weight_decay=0, "
                         "k=6, alpha=0.5)")
    assert isinstance(opt.optimizer, RAdam) and opt.optimizer.decoupled_weight_decay
    opt.betas = (0.9, 0.99)
    assert opt.betas == (0.9, 0.99) and opt.optimizer.beta2 == 0.99
    with pytest.raises(ValueError, match=r"Invalid betas\[0\] \(beta1\)"):
        opt.betas = (1.0, 0.99)


def test_ranger_takes_momentum_steps_down_the_gradient_before_the_threshold():
    """Steps 1-5 with beta2 = 0.999 (rho_t <= 5): x - lr * m_hat, so step 1 is x - lr * g."""
    x, g = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    assert_allclose(Ranger(lr=0.1).step(x, g), x - 0.1 * g, rtol=1e-15)


# -- the contract ---------------------------------------------------------------------------
FACTORIES = {
    "Lookahead-Adam": lambda: Lookahead(Adam(lr=0.01), k=3),
    "Lookahead-SGD-momentum": lambda: Lookahead(SGD(lr=0.01, momentum=0.9), k=2, alpha=0.3),
    "Lookahead-LAMB": lambda: Lookahead(LAMB(lr=0.01)),
    "Ranger": lambda: Ranger(lr=0.01, weight_decay=0.01, k=3),
}
INNER_STATE = {"Lookahead-Adam": {"m", "v"}, "Lookahead-SGD-momentum": {"velocity"},
               "Lookahead-LAMB": {"m", "v"}, "Ranger": {"m", "v"}}
each = pytest.mark.parametrize("name", list(FACTORIES))


@each
def test_state_names_shapes_and_t(name):
    opt = FACTORIES[name]()
    assert opt.state == {} and opt.t == 0
    x = np.ones((2, 3))
    for t in range(1, 5):
        x = opt.step(x, x - 0.5)
        assert opt.t == t == opt.optimizer.t
    assert set(opt.state) == INNER_STATE[name] | {"slow_weights"}
    assert opt.state["slow_weights"].shape == (2, 3)
    opt = FACTORIES[name]()
    shapes = [(3,), (), (2, 2)]
    params = [np.ones(s) for s in shapes]
    opt.step(params, params)
    assert [v.shape for v in opt.state["slow_weights"]] == shapes
    assert isinstance(opt.state["slow_weights"], list)


@each
def test_state_and_returned_params_are_independent_copies(name):
    """Mutating what step() or state returned changes neither state nor later steps."""
    opt, twin = FACTORIES[name](), FACTORIES[name]()
    x = y = np.array([[1.0, -2.0], [0.5, 3.0]])
    for _ in range(6):  # through syncs
        x, y = opt.step(x, x - 1), twin.step(y, y - 1)
        saved = x.copy()
        x[...] = -123.0
        for value in opt.state.values():
            value[...] = 99.0
        x = saved
    for name_, value in twin.state.items():
        assert_array_equal(opt.state[name_], value)
    assert_array_equal(opt.step(x, x - 1), twin.step(y, y - 1))


@each
def test_reset_starts_over(name):
    opt, x0 = FACTORIES[name](), np.array([1.0, -2.0])
    first = opt.step(x0, x0)
    for _ in range(4):
        opt.step(first, first)
    opt.reset()
    assert opt.t == 0 and opt.optimizer.t == 0 and opt.state == {}
    assert_array_equal(opt.step(x0, x0), first)
    assert_array_equal(opt.state["slow_weights"], x0)
    opt.reset()
    opt.step([x0, x0], [x0, x0])  # a new structure after reset


@pytest.mark.parametrize("make", [lambda: Lookahead(Adam(lr=0.05)), lambda: Ranger(lr=0.05),
                                  lambda: Lookahead(SGD(lr=0.1, momentum=0.5), k=3)],
                         ids=["Lookahead-Adam", "Ranger", "Lookahead-SGD"])
def test_quadratic_loss_decreases(make):
    rng = np.random.default_rng(1)
    for _ in range(10):
        x0 = rng.uniform(0.5, 5.0, size=(3, 2)) * rng.choice([-1.0, 1.0], size=(3, 2))
        opt, x = make(), x0
        for _ in range(60):
            x = opt.step(x, x)
        assert 0.5 * np.sum(x**2) < 0.5 * np.sum(x0**2)
        assert 0.5 * np.sum(opt.state["slow_weights"] ** 2) < 0.5 * np.sum(x0**2)


# -- hyperparameters ------------------------------------------------------------------------
def test_hyperparameters_are_the_wrapped_optimizers_and_k_alpha():
    opt = Lookahead(Adam(lr=0.01), k=4, alpha=0.6)
    assert dict(opt.hyperparameters) == {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                         "weight_decay": 0.0, "k": 4, "alpha": 0.6}
    assert (opt.lr, opt.k, opt.alpha) == (0.01, 4, 0.6)
    opt.lr = 0.5
    opt.set(beta1=0.5, alpha=0.8, k=2)
    assert opt.optimizer.lr == 0.5 and opt.optimizer.beta1 == 0.5
    assert (opt.k, opt.alpha) == (2, 0.8)
    with pytest.raises(TypeError):
        opt.hyperparameters["lr"] = 1.0  # read-only: changes go through set()
    with pytest.raises(AttributeError, match=r"^Invalid attribute: 'note' \(not a hyperparameter"):
        opt.note = "a typo is not a new attribute"
    with pytest.raises(AttributeError, match="momentum"):
        _ = opt.momentum


@pytest.mark.parametrize(("values", "message"), [
    ({"lr": 0.2, "k": 0}, r"^Invalid k: 0 \("),
    ({"k": 2, "lr": -1.0}, r"^Invalid lr: -1\.0 \("),
    ({"alpha": 0.3, "eps": 0.0}, r"^Invalid eps: 0\.0 \("),
    ({"alpha": 2.0, "lr": 0.3}, r"^Invalid alpha: 2\.0 \("),
    ({"lr": 0.3, "momentum": 0.9}, r"^Invalid hyperparameter: 'momentum' \(Lookahead has lr, "
                                   r"beta1, beta2, eps, weight_decay, k, alpha and the flag "
                                   r"amsgrad\)$"),
])
def test_set_is_checked_and_all_or_nothing(values, message):
    opt = Lookahead(Adam(lr=0.01), k=4, alpha=0.6)
    before = dict(opt.hyperparameters)
    with pytest.raises(ValueError, match=message):
        opt.set(**values)
    assert dict(opt.hyperparameters) == before


def test_a_name_clash_goes_to_lookahead():
    """RMSProp's alpha (its averaging factor) stays reachable as opt.optimizer.alpha."""
    opt = Lookahead(RMSProp(lr=0.01, alpha=0.9), alpha=0.5)
    assert opt.alpha == 0.5 and opt.optimizer.alpha == 0.9
    opt.alpha = 0.7
    assert opt.alpha == 0.7 and opt.optimizer.alpha == 0.9


def test_repr_shows_the_wrapped_optimizer():
    assert repr(Lookahead(SGD(lr=0.1))) == (
        "Lookahead(SGD(lr=0.1, momentum=0, dampening=0, weight_decay=0, nesterov=False), "
        "k=5, alpha=0.5)")
    assert repr(Lookahead(Adam(), alpha=np.full(3, 0.5))).endswith("alpha=array(shape=(3,)))")


def _rows():
    rows = []

    def add(make, name, shown, id_, exc=ValueError):
        rows.append(pytest.param(make, exc, rf"^Invalid {re.escape(name)}: {shown} \(.+\)$",
                                 id=id_))

    for v in [0, -1, 1.5, 2.0, True, "5", None, np.array(5), np.int64(0)]:
        add(partial(Lookahead, Adam(), k=v), "k", re.escape(repr(v)), f"k={v!r}")
        add(partial(Ranger, k=v), "k", re.escape(repr(v)), f"Ranger-k={v!r}")
    for v in [-0.1, 1.1, math.nan, math.inf, "0.5", None, True]:
        add(partial(Lookahead, Adam(), alpha=v), "alpha", re.escape(repr(v)), f"alpha={v!r}")
        add(partial(Ranger, alpha=v), "alpha", re.escape(repr(v)), f"Ranger-alpha={v!r}")
    add(partial(Lookahead, Adam(), alpha=np.array([0.5, 1.5])), "alpha",
        r".*array.*" + re.escape(repr(1.5)) + ".*", "alpha=array")
    for v in [SGD, None, "adam", lambda t: 0.1]:
        add(partial(Lookahead, v), "optimizer", ".+", f"optimizer={type(v).__name__}")
    stepped = Adam()
    stepped.step(np.ones(2), np.ones(2))
    add(partial(Lookahead, stepped), "optimizer", ".+", "optimizer-already-stepped")
    for kwargs, name in [({"eps": 0.0}, "eps"),  # lr: tests/optimizers/test_contract.py
                         ({"weight_decay": math.nan}, "weight_decay"),
                         ({"betas": (0.95, 1.0)}, "betas[1] (beta2)"), ({"betas": 0.9}, "betas")]:
        add(partial(Ranger, **kwargs), name, ".+", f"Ranger-{kwargs!r}")
    for cls, kwargs in [(Ranger, {"decoupled_weight_decay": False}), (Ranger, {"use_gc": True}),
                        (partial(Lookahead, Adam()), {"pullback_momentum": "none"})]:
        rows.append(pytest.param(partial(cls, **kwargs), TypeError, "unexpected keyword",
                                 id=f"unknown-{next(iter(kwargs))}"))
    return rows


@pytest.mark.parametrize(("make", "exc", "regex"), _rows())
def test_invalid_arguments_are_rejected_at_construction(make, exc, regex):
    with pytest.raises(exc, match=regex):
        make()


# -- sweeps and the rest of alr_teach --------------------------------------------------------
def test_scheduled_lookahead_sets_the_wrapped_rate():
    opt = Scheduled(Lookahead(SGD(lr=0.1), k=2),
                    lr=partial(schedules.step_decay, lr=0.1, step_size=2, gamma=0.5))
    x = np.zeros(1)
    for _ in range(4):
        x = opt.step(x, -np.ones(1))
    assert opt.history == [0.1, 0.1, 0.05, 0.05]
    assert opt.optimizer.optimizer.lr == 0.05
    assert_allclose(x, [0.15], rtol=1e-15)  # syncs: 0.2 -> 0.1; then 0.1 + 2 * 0.05 -> 0.15


def test_lookahead_around_a_scheduled_optimizer_is_the_loop_by_hand():
    """Issue 14: wrappers compose both ways; Lookahead(Scheduled(...)) was rejected."""
    schedule = partial(schedules.step_decay, lr=0.1, step_size=2, gamma=0.5)
    opt = Lookahead(Scheduled(SGD(lr=0.1), lr=schedule), k=2, alpha=0.5)
    x = np.zeros(1)
    for _ in range(4):
        x = opt.step(x, -np.ones(1))
    # steps of 0.1, 0.1 (sync: 0.2 -> 0.1), then 0.05, 0.05 (0.2 -> sync 0.15)
    assert_allclose(x, [0.15], rtol=1e-15)
    assert opt.optimizer.history == [0.1, 0.1, 0.05, 0.05] and opt.lr == 0.05 and opt.t == 4


def test_flags_of_the_wrapped_optimizer_are_flags_of_the_wrapper():
    opt = Lookahead(Adam(lr=0.01))
    assert dict(opt.flags) == {"amsgrad": False}
    opt.amsgrad = True
    assert opt.optimizer.amsgrad and opt.amsgrad
    x = opt.step(np.ones(2), np.ones(2))
    assert set(opt.state) == {"m", "v", "v_max", "slow_weights"} and x.shape == (2,)


def test_ranger_has_no_flags_its_decay_is_always_decoupled():
    opt = Ranger()
    assert dict(opt.flags) == {} and opt.optimizer.decoupled_weight_decay is True
    with pytest.raises(ValueError, match=r"^Invalid hyperparameter: 'decoupled_weight_decay'"):
        opt.set(decoupled_weight_decay=False)


def test_the_runner_records_the_slow_weights():
    trajectory = run(Ranger(lr=0.05), Quadratic(), steps=30)
    assert trajectory.state["slow_weights"].shape == trajectory.points[1:].shape
    assert trajectory.losses[-1] < trajectory.losses[0]
