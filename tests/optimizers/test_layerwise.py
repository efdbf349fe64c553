"""LAMB and NovoGrad: parity with optax (and pytorch-optimizer's NovoGrad), the rules by hand,
trust-ratio edge cases and norms per run in a batch (the contract every optimizer keeps is
checked in tests/optimizers/test_contract.py).

The reference trajectories were written by tools/make_optax_fixtures.py (float64, 60 steps,
four parameter arrays: gradients of mixed scales, an array that starts at zero, and one
that stays at zero with zero gradients); optax is not needed here.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, Adam
from alr_teach.optimizers.layerwise import (
    LAMB,
    NovoGrad,
    norm,
    sum_of_squares,
    trust_ratio,
)
from alr_teach.optimizers.lookahead import Lookahead, Ranger

DATA = Path(__file__).parents[1] / "data"
INFO = json.loads((DATA / "optax_parity.json").read_text())
ARRAYS = np.load(DATA / "optax_parity.npz")
RTOL = 1e-7
CLASSES = {"LAMB": LAMB, "NovoGrad": NovoGrad, "Lookahead": Lookahead, "Ranger": Ranger,
           "Adam": Adam, "SGD": SGD}
BOTH = [LAMB, NovoGrad]
NAME = {"ids": lambda c: c.__name__}


# -- parity with the references (also used by tests/optimizers/test_lookahead.py) ------
def build(spec: dict):
    """The alr_teach optimizer a fixture's spec describes (as the tools script builds it)."""
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in spec["kwargs"].items()}
    if "inner" in spec:
        return CLASSES[spec["class"]](build(spec["inner"]), **kwargs)
    return CLASSES[spec["class"]](**kwargs)


def configs_for(*classes: str) -> list:
    return [pytest.param(c, id=f"{c['alr_teach']['class']}-{c['id']}-{c['reference']}")
            for c in INFO["configs"] if c["alr_teach"]["class"] in classes]


def _close(ours: np.ndarray, ref: np.ndarray) -> bool:
    """Relative agreement; exact zeros in the reference must be matched exactly."""
    return bool(np.all(np.abs(ours - ref) <= RTOL * np.abs(ref)))


def check_every_step(config: dict) -> None:
    """Replay the reference's gradients; every step's params and the final state agree."""
    prefix, n = f"c{config['id']}/", len(INFO["shapes"])
    xs = [ARRAYS[f"{prefix}x{j}"] for j in range(n)]
    gs = [ARRAYS[f"{prefix}g{j}"] for j in range(n)]
    opt = build(config["alr_teach"])
    params = [x[0] for x in xs]
    for t in range(1, INFO["steps"] + 1):
        params = opt.step(params, [g[t - 1] for g in gs])
        for j in range(n):
            assert _close(params[j], xs[j][t]), (
                f"step {t}, array {j}: max difference {np.max(np.abs(params[j] - xs[j][t])):.3e}"
            )
    state = opt.state
    names = {key.split("/")[2] for key in ARRAYS.files if key.startswith(prefix + "state0/")}
    assert names <= set(state), f"state {sorted(state)} lacks {sorted(names - set(state))}"
    for name in names:
        for j in range(n):
            ref = ARRAYS[f"{prefix}state{j}/{name}"]
            assert _close(state[name][j].reshape(ref.shape), ref), f"state {name}, array {j}"


@pytest.mark.parametrize("config", configs_for("LAMB", "NovoGrad"))
def test_every_step_matches_the_reference(config):
    check_every_step(config)


def test_the_fixtures_cover_what_the_docstrings_claim():
    """optax for both rules (defaults, decay, other betas), pytorch-optimizer's NovoGrad, the
    four arrays (one starting at zero, one at zero throughout), and recorded versions."""
    refs = {(c["alr_teach"]["class"], c["reference"]) for c in INFO["configs"]}
    assert {("LAMB", "optax.lamb"), ("NovoGrad", "optax.novograd"),
            ("NovoGrad", "pytorch_optimizer.NovoGrad")} <= refs
    lamb = [c["alr_teach"]["kwargs"] for c in INFO["configs"]
            if c["alr_teach"]["class"] == "LAMB"]
    assert any(k["weight_decay"] > 0 for k in lamb) and any(k["betas"][0] != 0.9 for k in lamb)
    assert INFO["steps"] == 60 and INFO["dtype"] == "float64"
    assert all(INFO[lib] for lib in ("jax", "optax", "pytorch_optimizer", "torch", "numpy"))
    first = INFO["configs"][0]["id"]
    assert not np.any(ARRAYS[f"c{first}/x2"][0]) and np.any(ARRAYS[f"c{first}/x2"][-1])
    assert not np.any(ARRAYS[f"c{first}/x3"]) and not np.any(ARRAYS[f"c{first}/g3"])
    assert INFO["verified"] and all(v["max_relative_error"] <= 1e-7 for v in INFO["verified"])


# -- the rules by hand ---------------------------------------------------------------------
TINY = 1e-300  # eps that vanishes next to |g|: the hand computations below stay exact


def test_lamb_first_step_moves_lr_times_the_norm():
    """Step 1: m_hat = g, v_hat = g^2, so r = sign(g); the step is lr * ||x|| along r."""
    x, g = np.array([3.0, -4.0]), np.array([1.0, 2.0])
    new = LAMB(lr=0.1, eps=TINY).step(x, g)
    assert_allclose(new, x - 0.1 * 5.0 / math.sqrt(2.0) * np.array([1.0, 1.0]), rtol=1e-15)
    assert_allclose(np.linalg.norm(new - x), 0.1 * 5.0, rtol=1e-15)


def test_lamb_weight_decay_is_added_before_the_trust_ratio():
    x, g = np.array([3.0, -4.0]), np.array([1.0, 2.0])
    u = np.array([1.0, 1.0]) + 0.5 * x                      # r + lambda x = [2.5, -1]
    new = LAMB(lr=0.1, eps=TINY, weight_decay=0.5).step(x, g)
    assert_allclose(new, x - 0.1 * 5.0 / math.sqrt(7.25) * u, rtol=1e-15)


def test_lamb_two_steps_by_hand():
    b1, b2, lr, eps = 0.5, 0.8, 0.1, 1e-3
    x0, g1, g2 = np.array([1.0, 2.0, -2.0]), np.array([0.5, -1.0, 2.0]), np.array([1.0, 1.0, -1.0])
    opt = LAMB(lr=lr, betas=(b1, b2), eps=eps)
    x1 = opt.step(x0, g1)
    x2 = opt.step(x1, g2)
    m = (1 - b1) * (b1 * g1 + g2)
    v = (1 - b2) * (b2 * g1**2 + g2**2)
    r = (m / (1 - b1**2)) / (np.sqrt(v / (1 - b2**2)) + eps)
    assert_allclose(x2, x1 - lr * np.linalg.norm(x1) / np.linalg.norm(r) * r, rtol=1e-14)
    assert_allclose(opt.state["m"], m, rtol=1e-15)
    assert_allclose(opt.state["v"], v, rtol=1e-15)


def test_novograd_two_steps_by_hand():
    """v_1 = ||g_1||^2 = 25 and m_1 = g_1 / 5; ||g_2||^2 = 25 keeps v at 25."""
    x0 = np.array([3.0, -4.0])
    opt = NovoGrad(lr=0.1, betas=(0.9, 0.5), eps=TINY)
    x1 = opt.step(x0, np.array([3.0, 4.0]))
    assert_allclose(x1, x0 - 0.1 * np.array([0.6, 0.8]), rtol=1e-15)
    assert opt.state["v"].shape == (1,) and opt.state["v"][0] == 25.0
    x2 = opt.step(x1, np.array([0.0, 5.0]))
    m2 = 0.9 * np.array([0.6, 0.8]) + np.array([0.0, 1.0])  # no (1 - beta1) factor
    assert_allclose(x2, x1 - 0.1 * m2, rtol=1e-15)
    assert_allclose(opt.state["m"], m2, rtol=1e-15)
    assert opt.state["v"][0] == 25.0


def test_novograd_weight_decay_is_added_to_the_normalised_gradient():
    x0, g = np.array([3.0, -4.0]), np.array([3.0, 4.0])
    new = NovoGrad(lr=0.1, eps=TINY, weight_decay=0.2).step(x0, g)
    assert_allclose(new, x0 - 0.1 * (g / 5.0 + 0.2 * x0), rtol=1e-15)


def test_novograd_second_moment_averages_squared_norms_from_step_2():
    rng = np.random.default_rng(0)
    gs = rng.normal(size=(4, 3, 2))
    opt, x = NovoGrad(betas=(0.9, 0.7)), np.ones((3, 2))
    expected = np.sum(gs[0] ** 2)
    for t, g in enumerate(gs, start=1):
        x = opt.step(x, g)
        if t > 1:
            expected = 0.7 * expected + 0.3 * np.sum(g**2)
        assert opt.state["v"].shape == (1, 1)
        assert_allclose(opt.state["v"][0, 0], expected, rtol=1e-14)


# -- the trust ratio's edge cases -----------------------------------------------------------
@pytest.mark.parametrize(("x_norm", "u_norm", "expected"), [
    (3.0, 1.5, 2.0), (0.0, 1.5, 1.0), (3.0, 0.0, 1.0), (0.0, 0.0, 1.0), (np.inf, 1.0, np.inf),
])
def test_trust_ratio_is_one_where_either_norm_is_zero(x_norm, u_norm, expected, recwarn):
    assert trust_ratio(x_norm, u_norm) == expected
    assert_array_equal(trust_ratio(np.array([[x_norm], [2.0]]), np.array([[u_norm], [4.0]])),
                       [[expected], [0.5]])
    assert len(recwarn) == 0


def test_lamb_on_zero_weights_takes_adams_step():
    """||x|| = 0 (a fresh bias): ratio 1, the step is lr * r = lr * sign(g) on step 1."""
    g = np.array([0.5, -2.0, 0.0])
    assert_array_equal(LAMB(lr=0.1, eps=TINY).step(np.zeros(3), g), [-0.1, 0.1, 0.0])


def test_lamb_zero_weights_and_zero_gradients_stay_put_without_warnings():
    opt, x = LAMB(lr=0.1, weight_decay=0.1), np.zeros((2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            x = opt.step(x, np.zeros((2, 2)))
    assert_array_equal(x, np.zeros((2, 2)))


def test_lamb_zero_gradient_no_decay_leaves_weights_alone():
    """u = 0 (ratio 1): nothing moves, however large ||x||."""
    x = np.array([3.0, -4.0])
    assert_array_equal(LAMB(lr=0.1).step(x, np.zeros(2)), x)


def test_lamb_zero_gradient_with_decay_shrinks_by_lr():
    """u = lambda x, ratio = 1/lambda: the step is lr * x, whatever lambda."""
    x = np.array([3.0, -4.0])
    for wd in (0.01, 0.5):
        assert_allclose(LAMB(lr=0.1, weight_decay=wd).step(x, np.zeros(2)), 0.9 * x, rtol=1e-15)


def test_lamb_zero_row_in_a_sweep_gets_ratio_one_and_the_other_row_its_own():
    x = np.array([[0.0, 0.0], [3.0, -4.0]])
    g = np.array([[1.0, -1.0], [1.0, 2.0]])
    opt = LAMB(lr=np.array([0.1, 0.1]), eps=TINY)
    opt.batch_ndim = 1
    new = opt.step(x, g)
    assert_array_equal(new[0], [-0.1, 0.1])                          # ratio 1 (||x|| = 0)
    assert_allclose(new[1], x[1] - 0.5 / math.sqrt(2.0), rtol=1e-15)  # ratio 5 / sqrt(2)


# -- norms per run, never across the batch axes -----------------------------------------
def test_norms_reduce_over_the_axes_after_the_batch_axes_keeping_them():
    a = np.arange(24.0).reshape(2, 3, 4)
    assert sum_of_squares(a, 1).shape == (2, 1, 1)
    assert_allclose(norm(a, 1)[:, 0, 0], [np.linalg.norm(a[0]), np.linalg.norm(a[1])])
    assert_allclose(norm(a, 0), [[[np.linalg.norm(a)]]])
    assert_array_equal(norm(a, 3), np.abs(a))  # every element its own run
    assert_array_equal(norm(np.array([-3.0, 4.0]), 1), [3.0, 4.0])


@pytest.mark.parametrize("cls", BOTH, **NAME)
def test_two_sweep_axes_lr_by_beta1(cls):
    """STYLE.md's example: rates x beta1 on a 2-D landscape, params (R, B, 2)."""
    lrs, b1s = np.array([0.01, 0.05, 0.2])[:, None, None], np.array([0.0, 0.5, 0.9, 0.95])
    rng = np.random.default_rng(1)
    x0 = rng.normal(size=(3, 4, 2))
    opt, x = cls(lr=lrs, betas=(b1s[None, :], 0.9)), x0
    opt.batch_ndim = 2
    for _ in range(15):
        x = opt.step(x, 2.0 * x - 0.5)
    for i in range(3):
        for j in range(4):
            one, y = cls(lr=float(lrs[i, 0, 0]), betas=(float(b1s[j]), 0.9)), x0[i, j]
            for _ in range(15):
                y = one.step(y, 2.0 * y - 0.5)
            assert_allclose(x[i, j], y, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", BOTH, **NAME)
def test_without_a_declared_batch_the_whole_array_is_one_problem(cls):
    """Rows are not separate problems unless batch_ndim says so (documented)."""
    rng = np.random.default_rng(2)
    x0 = rng.normal(size=(3, 4)) * np.array([[1.0], [10.0], [0.1]])
    grads = [rng.normal(size=(3, 4)) for _ in range(5)]
    whole, flat, rows = cls(lr=0.05), cls(lr=0.05), cls(lr=0.05)
    rows.batch_ndim = 1
    xw, xf, xr = x0, x0.ravel(), x0
    for g in grads:
        xw, xf, xr = whole.step(xw, g), flat.step(xf, g.ravel()), rows.step(xr, g)
    assert_allclose(xw.ravel(), xf, rtol=1e-13)
    for i in range(3):
        one, y = cls(lr=0.05), x0[i]
        for g in grads:
            y = one.step(y, g[i])
        assert_allclose(xr[i], y, rtol=1e-13)
        assert not np.allclose(xw[i], y, rtol=1e-6)


@pytest.mark.parametrize("cls", BOTH, **NAME)
def test_each_array_of_a_list_has_its_own_norm(cls):
    rng = np.random.default_rng(3)
    a0, b0 = rng.normal(size=(3, 2)), 5.0 * rng.normal(size=4)
    both, only_a, only_b = cls(lr=0.05), cls(lr=0.05), cls(lr=0.05)
    pair, a, b = [a0, b0], a0, b0
    for _ in range(4):
        pair = both.step(pair, [2 * pair[0] + 1, pair[1] - 3])
        a, b = only_a.step(a, 2 * a + 1), only_b.step(b, b - 3)
    assert_array_equal(pair[0], a)
    assert_array_equal(pair[1], b)


# -- state, dtypes, large arrays --------------------------------------------------------------
@pytest.mark.parametrize(("cls", "v_shape"), [(LAMB, (2, 3)), (NovoGrad, (1, 1))],
                         ids=["LAMB", "NovoGrad"])
def test_state_names_and_shapes(cls, v_shape):
    opt = cls()
    assert opt.state == {} and opt.t == 0
    x = np.ones((2, 3))
    opt.step(x, x)
    state = opt.state
    assert set(state) == {"m", "v"}
    assert state["m"].shape == (2, 3) and state["v"].shape == v_shape
    opt = cls()
    opt.step([np.ones(3), np.ones(()), np.ones((2, 2))], [np.ones(3), np.ones(()), np.ones((2, 2))])
    assert [v.shape for v in opt.state["m"]] == [(3,), (), (2, 2)]
    expected_v = [(1,), (), (1, 1)] if cls is NovoGrad else [(3,), (), (2, 2)]
    assert [v.shape for v in opt.state["v"]] == expected_v


def test_novograd_v_has_one_entry_per_problem_in_a_sweep():
    opt = NovoGrad(lr=np.array([[0.1], [0.2]]))
    opt.batch_ndim = 1
    opt.step(np.ones((2, 3, 4)), np.ones((2, 3, 4)))
    assert opt.state["v"].shape == (2, 1, 1)
    assert_array_equal(opt.state["v"].ravel(), [12.0, 12.0])


@pytest.mark.parametrize("cls", BOTH, **NAME)
def test_quadratic_loss_decreases(cls):
    rng = np.random.default_rng(6)
    for _ in range(10):
        x0 = rng.uniform(0.5, 5.0, size=(3, 2)) * rng.choice([-1.0, 1.0], size=(3, 2))
        opt, x = cls(lr=float(rng.uniform(1e-3, 0.05))), x0
        for _ in range(50):
            x = opt.step(x, x)
        assert 0.5 * np.sum(x**2) < 0.5 * np.sum(x0**2)


@pytest.mark.parametrize("cls", BOTH, **NAME)
def test_reset_starts_over(cls):
    opt, x = cls(lr=0.05), np.array([1.0, -2.0])
    first = opt.step(x, x)
    opt.step(first, first)
    opt.reset()
    assert opt.t == 0 and opt.state == {}
    assert_array_equal(opt.step(x, x), first)
    opt.reset()
    opt.step([x, x], [x, x])  # another structure after reset


@pytest.mark.parametrize("cls", BOTH, **NAME)
def test_nonfinite_values_propagate_silently(cls, recwarn):
    opt = cls(lr=0.1, weight_decay=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = opt.step([np.array([np.inf, 1.0]), np.ones(2)], [np.array([1.0, np.nan]), np.ones(2)])
        opt.step(x, [np.zeros(2), np.zeros(2)])
    assert not np.all(np.isfinite(x[0])) and np.all(np.isfinite(x[1]))
    assert len(recwarn) == 0


# -- hyperparameters: defaults, checks, changes, repr -----------------------------------------
def test_defaults_and_repr():
    assert repr(LAMB()) == "LAMB(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-06, weight_decay=0)"
    assert repr(NovoGrad()) == (
        "NovoGrad(lr=0.001, beta1=0.95, beta2=0.98, eps=1e-08, weight_decay=0)")


@pytest.mark.parametrize("cls", BOTH, **NAME)
def test_betas_read_and_assigned_as_a_pair(cls):
    opt = cls()
    opt.betas = (0.5, 0.9)
    assert opt.betas == (0.5, 0.9) and opt.beta1 == 0.5
    with pytest.raises(ValueError, match=r"Invalid betas\[1\] \(beta2\): 1\.0"):
        opt.betas = (0.5, 1.0)
    assert opt.betas == (0.5, 0.9)


def _rows():  # the table of bad values is tests/optimizers/test_contract.py's, for the whole family
    rows = []
    for cls in BOTH:
        for name in ("amsgrad", "decoupled_weight_decay", "beta1"):  # never silently ignored
            rows.append(pytest.param(cls, {name: 0.9}, TypeError, rf"unexpected keyword.*{name}",
                                     id=f"{cls.__name__}-{name}-unknown"))
    return rows


@pytest.mark.parametrize(("cls", "kwargs", "exc", "regex"), _rows())
def test_arguments_of_other_adam_variants_are_rejected(cls, kwargs, exc, regex):
    with pytest.raises(exc, match=regex):
        cls(**kwargs)


@pytest.mark.parametrize("cls", BOTH, **NAME)
def test_boundary_values_are_accepted(cls):
    cls(lr=0.0, betas=(0.0, 0.0), eps=1e-300, weight_decay=0.0)
    cls(lr=np.array([0.0, 1.0]), betas=(np.array([0.0, 0.99]), np.float32(0.5)))
