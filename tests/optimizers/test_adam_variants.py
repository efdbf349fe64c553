"""Adamax, NAdam and RAdam: range checks, state, sweeps, dtypes, slices, and the rules by hand.

Every step of 60-step runs against torch.optim is checked in tests/optimizers/test_torch_parity.py;
here are the properties torch cannot show: sweeps, float32, the slice-by-slice path, and
the rules' own claims (RAdam's momentum steps before rho_t passes 5, Adamax's eps floor and
step bound, NAdam's product of the momenta actually used).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from error_tables import NON_NUMERIC, row, shown, shown_array
from numpy.testing import assert_allclose
from test_properties import FORMS, K, _log_sweep, _run_sweep, _sweep

from alr_teach.optimizers.adam_variants import Adamax, NAdam, RAdam

VARIANTS = [Adamax, NAdam, RAdam]
STATE_NAMES = {Adamax: {"m", "u"}, NAdam: {"m", "v", "mu_product"}, RAdam: {"m", "v"}}
NAME = {"ids": lambda c: c.__name__}


def _grads(rng, shape, steps):
    """Gradients of mixed scales (1e-3 to 1e3), both signs, with exact zeros."""
    gs = rng.normal(size=(steps, *shape)) * 10.0 ** rng.integers(-3, 4, size=(steps, *shape))
    gs[:, ..., ::5] = 0.0
    return gs


# -- range checks ----------------------------------------------------------------------
def _rows():  # lr, eps, betas, weight_decay of every Adam variant: optimizers/test_contract.py
    rows = []

    def add(cls, kwargs, name, value_regex):
        rows.append(row(cls, kwargs, name, value_regex))

    for v in [-0.1, math.nan, math.inf, *NON_NUMERIC]:
        add(NAdam, {"momentum_decay": v}, "momentum_decay", shown(v))
    add(NAdam, {"momentum_decay": np.array([4e-3, -1.0])}, "momentum_decay", shown_array(-1.0))
    for v in [1, 0, "True", None, 1.0, np.array([True])]:
        add(RAdam, {"decoupled_weight_decay": v}, "decoupled_weight_decay", shown(v))
    # keyword arguments of other optimizers are errors, never ignored
    for cls, kwargs in [(Adamax, {"amsgrad": True}), (NAdam, {"decoupled_weight_decay": True}),
                        (RAdam, {"momentum_decay": 4e-3}), (Adamax, {"beta1": 0.9})]:
        name = next(iter(kwargs))
        rows.append(pytest.param(cls, kwargs, TypeError, rf"unexpected keyword argument '{name}'",
                                 id=f"{cls.__name__}-{name}-unknown"))
    return rows


@pytest.mark.parametrize(("cls", "kwargs", "exc", "regex"), _rows())
def test_invalid_hyperparameters_are_rejected_at_construction(cls, kwargs, exc, regex):
    with pytest.raises(exc, match=regex):
        cls(**kwargs)


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (Adamax, {"lr": 0.0, "betas": (0.0, 0.0), "weight_decay": 0.0, "eps": 1e-300}),
        (Adamax, {"betas": [np.float32(0.5), 0.9], "lr": np.float64(0.1)}),
        (NAdam, {"momentum_decay": 0.0, "betas": (np.array([0.0, 0.9]), 0.0)}),
        (NAdam, {"momentum_decay": 1e6, "lr": [0.1, 0.2]}),
        (RAdam, {"betas": (0.0, 0.0), "decoupled_weight_decay": np.True_, "weight_decay": 0.0}),
        (RAdam, {"betas": (0.9, np.linspace(0.0, 0.999, 5))}),
    ],
)
def test_boundary_values_are_accepted(cls, kwargs):
    cls(**kwargs)


@pytest.mark.parametrize("cls", VARIANTS, **NAME)
def test_changes_are_checked_and_all_or_nothing(cls):
    opt = cls(lr=0.1)
    opt.betas = (0.5, 0.9)
    assert opt.betas == (0.5, 0.9) and opt.beta1 == 0.5 and opt.hyperparameters["beta2"] == 0.9
    with pytest.raises(ValueError, match=r"^Invalid betas\[1\] \(beta2\): 1\.0"):
        opt.betas = (0.3, 1.0)
    with pytest.raises(ValueError, match=r"^Invalid eps: 0\.0"):
        opt.set(lr=0.2, eps=0.0)
    assert (opt.lr, opt.betas, opt.eps) == (0.1, (0.5, 0.9), 1e-8)


def test_nadam_momentum_decay_change_is_checked():
    opt = NAdam()
    opt.momentum_decay = 0.1
    assert opt.momentum_decay == 0.1
    with pytest.raises(ValueError, match=r"^Invalid momentum_decay: -1 "):
        opt.momentum_decay = -1
    assert opt.momentum_decay == 0.1


# -- state ---------------------------------------------------------------------------
@pytest.mark.parametrize("cls", VARIANTS, **NAME)
def test_state_names_and_shapes(cls):
    """Named after the paper's symbols; one array per params array, shaped like it."""
    opt = cls(lr=0.01)
    assert opt.state == {}
    params = [np.ones((3, 2)), np.arange(4.0)]
    for _ in range(2):
        params = opt.step(params, [2 * p for p in params])
    state = opt.state
    assert set(state) == STATE_NAMES[cls]
    for value in state.values():
        assert [a.shape for a in value] == [(3, 2), (4,)]
    state["m"][0][...] = 99.0  # a copy: the optimizer's own state is untouched
    assert not np.any(opt.state["m"][0] == 99.0)
    opt.reset()
    assert opt.state == {} and opt.t == 0


# -- one step by hand ------------------------------------------------------------------
def test_first_steps_by_hand():
    """Step 1 of each rule, written out: m_1 = (1 - beta1) g, v_1 = (1 - beta2) g^2."""
    lr, b1, b2, eps, psi = 0.1, 0.8, 0.95, 0.25, 0.2
    x0, g = np.array([1.0, -2.0, 0.5, 3.0]), np.array([0.5, -4.0, 0.0, 2.0])
    # Adamax: u_1 = |g| + eps, m_hat = g
    x1 = Adamax(lr=lr, betas=(b1, b2), eps=eps).step(x0, g)
    assert_allclose(x1, x0 - lr * g / (np.abs(g) + eps), rtol=1e-15)
    # NAdam: mu_product = mu_1, v_hat = g^2
    mu1, mu2 = (b1 * (1 - 0.5 * 0.96 ** (k * psi)) for k in (1, 2))
    m_hat = mu2 * (1 - b1) * g / (1 - mu1 * mu2) + (1 - mu1) * g / (1 - mu1)
    x1 = NAdam(lr=lr, betas=(b1, b2), eps=eps, momentum_decay=psi).step(x0, g)
    assert_allclose(x1, x0 - lr * m_hat / (np.abs(g) + eps), rtol=1e-14)
    # RAdam: rho_1 = 1, a momentum step with m_hat = g
    x1 = RAdam(lr=lr, betas=(b1, b2), eps=eps).step(x0, g)
    assert_allclose(x1, x0 - lr * g, rtol=1e-15)


# -- RAdam ---------------------------------------------------------------------------
def _rho(t, beta2):
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf, rho_inf - 2 * t * beta2**t / (1 - beta2**t)


@pytest.mark.parametrize("weight_decay", [0.0, 0.3])
def test_radam_takes_momentum_steps_until_rho_t_passes_5(weight_decay):
    """Steps 1-5 (beta2 = 0.999): x <- x - lr * m_hat, by hand. Step 6: the rectified step."""
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    assert _rho(5, b2)[1] < 5 < _rho(6, b2)[1]
    rng = np.random.default_rng(11)
    gs = _grads(rng, (9,), 6)
    opt = RAdam(lr=lr, betas=(b1, b2), eps=eps, weight_decay=weight_decay)
    x = y = rng.normal(size=9)
    m = v = np.zeros(9)
    for t in range(1, 7):
        g = gs[t - 1] + weight_decay * y  # coupled decay: part of the gradient
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        momentum_step = y - lr * m_hat
        if t <= 5:
            y = momentum_step
        else:
            rho_inf, rho_t = _rho(t, b2)
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            assert 0.02 < r_t < 0.03  # the first rectified step is much shorter
            y = y - lr * r_t * m_hat * math.sqrt(1 - b2**t) / (np.sqrt(v) + eps)
            assert not np.allclose(y, momentum_step, rtol=1e-3)
        x = opt.step(x, gs[t - 1])
        assert_allclose(x, y, rtol=1e-13, atol=0, err_msg=f"step {t}")


def test_radam_with_rho_inf_at_most_5_never_adapts():
    """beta2 = 0.6 gives rho_inf = 4: 40 momentum steps, whatever the gradients' scales."""
    lr, b1 = 0.01, 0.7
    rng = np.random.default_rng(12)
    gs = _grads(rng, (6,), 40)
    opt = RAdam(lr=lr, betas=(b1, 0.6))
    x = y = rng.normal(size=6)
    m = np.zeros(6)
    for t, g in enumerate(gs, start=1):
        m = b1 * m + (1 - b1) * g
        y = y - lr * m / (1 - b1**t)
        x = opt.step(x, g)
    assert_allclose(x, y, rtol=1e-12)


@pytest.mark.parametrize("decoupled", [False, True])
def test_radam_decoupled_decay_stays_out_of_the_moments(decoupled):
    """With fixed gradients, decoupled decay leaves m and v as without decay; L2 does not."""
    gs = _grads(np.random.default_rng(13), (8,), 10)
    x0 = np.linspace(-1, 1, 8) + 0.1
    decayed = RAdam(lr=0.01, weight_decay=0.5, decoupled_weight_decay=decoupled)
    plain = RAdam(lr=0.01)
    x = y = x0
    for g in gs:
        x, y = decayed.step(x, g), plain.step(y, g)
    same = [np.array_equal(decayed.state[k], plain.state[k]) for k in ("m", "v")]
    assert same == [decoupled, decoupled]
    assert not np.allclose(x, y)


# -- NAdam ---------------------------------------------------------------------------
def test_nadam_mu_product_multiplies_the_momenta_actually_used():
    """3 steps with beta1 = 0.9, then 2 with 0.5 and a faster schedule: the product of those."""
    def mu(t, beta1, psi):
        return beta1 * (1 - 0.5 * 0.96 ** (t * psi))

    opt = NAdam(lr=0.01)
    x = np.array([1.0, -2.0, 3.0])
    for _ in range(3):
        x = opt.step(x, x)
    opt.betas, opt.momentum_decay = (0.5, 0.999), 0.5
    for _ in range(2):
        x = opt.step(x, x)
    expected = math.prod([mu(t, 0.9, 4e-3) for t in (1, 2, 3)] + [mu(t, 0.5, 0.5) for t in (4, 5)])
    assert_allclose(opt.state["mu_product"], np.full(3, expected), rtol=1e-15)


def test_nadam_without_momentum_decay_has_constant_momentum():
    """momentum_decay = 0: mu_t = beta1 / 2 on every step, so mu_product = (beta1 / 2)**t."""
    opt = NAdam(betas=(0.8, 0.999), momentum_decay=0.0)
    x = np.ones(4)
    for _ in range(7):
        x = opt.step(x, x)
    assert_allclose(opt.state["mu_product"], np.full(4, 0.4**7), rtol=1e-14)


# -- Adamax --------------------------------------------------------------------------
def test_adamax_eps_is_a_floor_on_u():
    """eps inside the maximum: a coordinate whose gradient stays 0 keeps u = eps and stays put."""
    opt = Adamax(lr=0.1, eps=1e-3)
    x = np.array([1.0, 2.0])
    for _ in range(50):
        x = opt.step(x, np.array([x[0], 0.0]))
    assert opt.state["u"][1] == 1e-3 and opt.state["m"][1] == 0.0 and x[1] == 2.0
    assert opt.state["u"][0] >= 1e-3


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)])
def test_adamax_steps_are_bounded_by_about_lr(betas):
    """|m_hat| <= u * (1 - beta1) / (1 - beta1 / beta2) whatever the gradients' scales
    (u_t >= beta2**k |g_{t-k}|), so no coordinate moves by more than lr times that."""
    b1, b2 = betas
    lr = 0.01
    bound = lr * (1 - b1) / (1 - b1 / b2)
    gs = _grads(np.random.default_rng(14), (50,), 200)
    opt = Adamax(lr=lr, betas=betas)
    x = np.zeros(50)
    largest = 0.0
    for g in gs:
        new = opt.step(x, g)
        largest = max(largest, float(np.max(np.abs(new - x))))
        x = new
    assert 0.5 * lr < largest <= bound * (1 + 1e-12)


# -- sweeps: one vectorised run equals a loop of scalar runs ---------------------------
def sweep(id_, cls, fixed, key, vals):
    return pytest.param(cls, fixed, key, vals, id=id_)


SWEEPS = [
    sweep("Adamax-lr", Adamax, {}, "lr", _sweep(0.0, 0.1)),
    sweep("Adamax-beta1", Adamax, {"lr": 0.01}, "betas0", _sweep(0.0, 0.99)),
    sweep("Adamax-beta2", Adamax, {"lr": 0.01}, "betas1", _sweep(0.0, 0.999)),
    sweep("Adamax-eps", Adamax, {"lr": 0.01}, "eps", _log_sweep(-10, 0)),
    sweep("Adamax-weight_decay", Adamax, {"lr": 0.01}, "weight_decay", _sweep(0.0, 0.5)),
    sweep("NAdam-lr", NAdam, {}, "lr", _sweep(0.0, 0.1)),
    sweep("NAdam-beta1", NAdam, {"lr": 0.01}, "betas0", _sweep(0.0, 0.99)),
    sweep("NAdam-beta2", NAdam, {"lr": 0.01}, "betas1", _sweep(0.0, 0.999)),
    sweep("NAdam-eps", NAdam, {"lr": 0.01}, "eps", _log_sweep(-10, -1)),
    sweep("NAdam-weight_decay", NAdam, {"lr": 0.01}, "weight_decay", _sweep(0.0, 0.5)),
    sweep("NAdam-momentum_decay", NAdam, {"lr": 0.01}, "momentum_decay", _sweep(0.0, 0.5)),
    sweep("RAdam-lr", RAdam, {}, "lr", _sweep(0.0, 0.1)),
    sweep("RAdam-beta1", RAdam, {"lr": 0.01}, "betas0", _sweep(0.0, 0.99)),
    # rows switch at steps 6 to 10, or never (beta2 <= 5/7): both regimes in one step
    sweep("RAdam-beta2", RAdam, {"lr": 0.01}, "betas1", _sweep(0.5, 0.999)),
    sweep("RAdam-eps", RAdam, {"lr": 0.01}, "eps", _log_sweep(-10, -1)),
    sweep("RAdam-weight_decay", RAdam, {"lr": 0.01}, "weight_decay", _sweep(0.0, 0.5)),
    sweep("RAdam-decoupled-weight_decay", RAdam, {"lr": 0.01, "decoupled_weight_decay": True},
          "weight_decay", _sweep(0.0, 0.5)),
]


@pytest.mark.parametrize(("hyper_shape", "param_shapes"), [f[1:] for f in FORMS],
                         ids=[f[0] for f in FORMS])
@pytest.mark.parametrize(("cls", "fixed", "key", "vals"), SWEEPS)
def test_sweep_equals_loop_of_scalar_runs(cls, fixed, key, vals, hyper_shape, param_shapes):
    """20 vectorised steps (past RAdam's switch) equal, for each of the K problems, 20 steps
    of an optimizer given that problem's scalar value: params and state."""
    assert len(vals) == K
    _run_sweep(cls, fixed, key, vals, hyper_shape, param_shapes)


def test_radam_sweep_over_lr_and_beta2_at_once(recwarn):
    """lr over rows, beta2 over columns (some never switch): each cell is its own run, and
    the rows still in the momentum regime raise no warning (their r_t is NaN, unused)."""
    lrs = np.array([1e-3, 1e-2, 1e-1])[:, None]
    b2s = np.array([0.6, 0.7, 0.9, 0.999])[None, :]
    x0 = np.random.default_rng(15).normal(size=(3, 4, 2))
    opt = RAdam(lr=lrs, betas=(0.9, b2s))
    x = x0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(12):
            x = opt.step(x, 2.0 * x - 0.5)
    for i in range(3):
        for j in range(4):
            one = RAdam(lr=float(lrs[i, 0]), betas=(0.9, float(b2s[0, j])))
            y = x0[i, j]
            for _ in range(12):
                y = one.step(y, 2.0 * y - 0.5)
            assert_allclose(x[i, j], y, rtol=1e-12, atol=1e-14)
    assert len(recwarn) == 0


# -- dtypes, slices, non-finite values -----------------------------------------------
CONFIGS = [
    (Adamax, {"lr": 0.01, "weight_decay": 0.1}),
    (NAdam, {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.1}),
    (RAdam, {"lr": 0.01, "weight_decay": 0.1}),
    (RAdam, {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]
CONFIG_IDS = ["Adamax", "NAdam", "RAdam", "RAdam-decoupled"]


@pytest.mark.parametrize(("cls", "kwargs"), CONFIGS, ids=CONFIG_IDS)
def test_float32_stays_float32(cls, kwargs):
    """float32 params and grads with scalar hyperparameters: float32 params and state, on
    both sides of RAdam's switch, close to the float64 run."""
    rng = np.random.default_rng(16)
    x64 = rng.normal(size=(5, 3))
    x32 = x64.astype(np.float32)
    o32, o64 = cls(**kwargs), cls(**kwargs)
    for _ in range(10):
        x32 = o32.step(x32, (1.5 * x32 - 0.2).astype(np.float32))
        x64 = o64.step(x64, 1.5 * x64 - 0.2)
        assert x32.dtype == np.float32
    assert {v.dtype for v in o32.state.values()} == {np.dtype(np.float32)}
    assert_allclose(x32, x64, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls", VARIANTS, **NAME)
def test_nonfinite_values_propagate_silently(cls, recwarn):
    """nan/inf in params or grads, and a huge lr, are results, not errors or warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = cls(lr=0.01, weight_decay=0.01)
        x = opt.step(np.array([np.inf, 1.0, 2.0]), np.array([1.0, np.nan, -np.inf]))
        for _ in range(7):
            x = opt.step(x, np.zeros(3))
        assert not np.all(np.isfinite(x))
        huge = cls(lr=1e300)
        y = np.array([1.0, -2.0, 0.0, 3.0])
        for _ in range(30):
            y = huge.step(y, y)
    assert huge.t == 30 and opt.t == 8
    assert len(recwarn) == 0


# -- they optimise -------------------------------------------------------------------
@pytest.mark.parametrize(("cls", "kwargs"), [
    (Adamax, {"lr": 0.02}),
    (Adamax, {"lr": 0.02, "betas": (0.5, 0.9), "weight_decay": 0.1}),
    (NAdam, {"lr": 0.02}),
    (NAdam, {"lr": 0.02, "betas": (0.8, 0.99), "momentum_decay": 0.5, "weight_decay": 0.1}),
    (RAdam, {"lr": 0.02}),
    (RAdam, {"lr": 0.02, "betas": (0.8, 0.95), "weight_decay": 0.1,
             "decoupled_weight_decay": True}),
    (RAdam, {"lr": 0.02, "betas": (0.9, 0.6)}),
])
@pytest.mark.parametrize("seed", range(4))
def test_quadratic_loss_decreases(cls, kwargs, seed):
    """On an ill-conditioned quadratic 0.5 * sum(a_i x_i^2) (a from 0.1 to 10), 100 steps
    from |x_i| in [0.5, 5] end below the start, and never above it."""
    rng = np.random.default_rng(seed)
    a = np.geomspace(0.1, 10.0, 6)
    x = rng.uniform(0.5, 5.0, 6) * rng.choice([-1.0, 1.0], 6)
    start = 0.5 * np.sum(a * x**2)
    opt = cls(**kwargs)
    losses = []
    for _ in range(100):
        x = opt.step(x, a * x)
        losses.append(0.5 * np.sum(a * x**2))
    assert max(losses) <= start
    assert losses[-1] < 0.9 * start
