"""Learning-rate schedules: torch parity, vectorised steps, ``Scheduled`` on unchanged
optimizers, bad arguments and properties.

The reference values come from torch.optim.lr_scheduler 2.13, written by
tools/make_schedule_fixtures.py; torch is not needed here.
"""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import alr_teach
from alr_teach import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp
from alr_teach.lab.runner import run
from alr_teach.optimizers.schedules import (
    Scheduled,
    constant,
    cosine,
    cosine_warm_restarts,
    exponential,
    linear_warmup,
    one_cycle,
    one_cycle_momentum,
    step_decay,
    warmup_cosine,
)
from alr_teach.problems.landscapes import Quadratic

DATA = Path(__file__).parents[1] / "data"
INFO = json.loads((DATA / "schedule_parity.json").read_text())
ARRAYS = np.load(DATA / "schedule_parity.npz")
CONFIGS = INFO["configs"]
IDS = [f"{c['id']}-{c['schedule']}-{c['optimizer']}" for c in CONFIGS]

# Schedule values: the closed forms here and torch's recursions differ by rounding only.
# The largest difference, 5.7e-13, is torch's linear anneal ``(end - start) * pct + start``
# losing digits where the three-phase one-cycle falls four orders of magnitude below the
# phase's start; everything else agrees to 3e-14.
RTOL = 1e-12
# Parameters after each step: the rates agree to RTOL, the updates are the same formulas,
# and gradients span 1e-2 ... 1e2; the largest difference is 4.7e-12 (SGD passing close
# to its target, where x itself is small).
X_RTOL = 1e-10

SCHEDULES = {
    f.__name__: f
    for f in (constant, step_decay, exponential, cosine, cosine_warm_restarts, linear_warmup,
              warmup_cosine, one_cycle)
}


def _schedules(config: dict):
    lr = partial(SCHEDULES[config["schedule"]], **config["kwargs"])
    momentum = config["momentum_kwargs"]
    return lr, None if momentum is None else partial(one_cycle_momentum, **momentum)


def _max_rel(ours: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(ours - ref) / np.where(ref == 0, 1.0, np.abs(ref))))


def _assert_close(ours, ref, rtol: float, what: str) -> None:
    """Relative agreement at every step; exact zeros must be matched exactly."""
    ours, ref = np.asarray(ours, dtype=float), np.asarray(ref)
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} != {ref.shape}"
    assert np.all(np.abs(ours - ref) <= rtol * np.abs(ref)), (
        f"{what}: max relative difference {_max_rel(ours, ref):.2e} > {rtol:g}"
    )


# -- torch parity ---------------------------------------------------------------------
@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_schedule_values_match_torch_at_every_step(config):
    """The function at t = 0 ... steps - 1 equals torch's param_groups[0]['lr'] (and the
    cycled momentum / beta1) after t calls of scheduler.step()."""
    lr, momentum = _schedules(config)
    t = np.arange(config["steps"])
    prefix = f"c{config['id']}/"
    _assert_close(lr(t), ARRAYS[prefix + "lr"], RTOL, config["torch_scheduler"])
    if momentum is not None:
        _assert_close(momentum(t), ARRAYS[prefix + "momentum"], RTOL, "momentum")


@pytest.mark.parametrize("config", CONFIGS, ids=IDS)
def test_scheduled_optimizer_uses_torchs_rates_and_follows_its_run(config):
    """Scheduled(alr_teach optimizer) fed torch's gradients: the rates (and momentum /
    beta1) it actually used, and the parameters after every step, equal torch's run."""
    prefix = f"c{config['id']}/"
    xs, gs = ARRAYS[prefix + "x"], ARRAYS[prefix + "g"]
    lr, momentum = _schedules(config)
    optimizer = getattr(alr_teach, config["optimizer"])(**config["optimizer_kwargs"])
    opt = Scheduled(optimizer, lr=lr, momentum=momentum)
    x = xs[0]
    for t in range(config["steps"]):
        x = opt.step(x, gs[t])
        _assert_close(x, xs[t + 1], X_RTOL, f"params after step {t + 1}")
    assert opt.t == config["steps"]
    _assert_close(opt.history, ARRAYS[prefix + "lr"], RTOL, "lr used")
    if momentum is not None:
        _assert_close(opt.momentum_history, ARRAYS[prefix + "momentum"], RTOL, "momentum used")
    else:
        assert opt.momentum_history == []


def test_fixture_covers_every_schedule_and_records_versions():
    assert {c["schedule"] for c in CONFIGS} == set(SCHEDULES)
    assert INFO["torch"].startswith("2.13") and INFO["numpy"] and INFO["python"]
    one_cycle_optimizers = {c["optimizer"] for c in CONFIGS if c["schedule"] == "one_cycle"}
    assert {"SGD", "Adam", "RMSProp"} <= one_cycle_optimizers  # momentum and beta1 cycled
    cosines = [c for c in CONFIGS if c["schedule"] == "cosine"]
    assert any(c["steps"] > 2 * c["kwargs"]["T_max"] for c in cosines)  # past T_max too


# -- vectorised steps -----------------------------------------------------------------
VECTOR_CASES = [(c["schedule"], c["kwargs"]) for c in CONFIGS] + [
    ("one_cycle_momentum", c["momentum_kwargs"]) for c in CONFIGS if c["momentum_kwargs"]
] + [
    ("linear_warmup", {"lr": 0.1, "warmup_steps": 0}),
    ("warmup_cosine", {"lr": 0.1, "warmup_steps": 0, "total_steps": 7, "eta_min": 0.01}),
    ("cosine_warm_restarts", {"lr": 1.0, "T_0": 1, "T_mult": 3}),
]


@pytest.mark.parametrize("name,kwargs", VECTOR_CASES, ids=[c[0] for c in VECTOR_CASES])
def test_an_array_of_steps_gives_the_values_of_a_loop(name, kwargs):
    fn = partial({**SCHEDULES, "one_cycle_momentum": one_cycle_momentum}[name], **kwargs)
    n = kwargs.get("total_steps", 120)
    t = np.arange(n)
    loop = [fn(int(k)) for k in t]
    assert all(type(v) is float for v in loop)
    values = fn(t)
    assert type(values) is np.ndarray and values.dtype == np.float64
    # Single steps take the array's loops, but a CPU's SIMD kernels may still round a
    # transcendental differently in a short array: allow a couple of ulps, no more.
    assert_allclose(values, loop, rtol=5e-16, atol=0)
    rng = np.random.default_rng(0)
    grid = rng.integers(0, n, size=(3, 4))
    assert_allclose(fn(grid), np.array(loop)[grid], rtol=5e-16, atol=0)  # any shape, order
    assert_allclose(fn(list(grid[0])), np.array(loop)[grid[0]], rtol=5e-16, atol=0)
    assert type(fn(np.int64(n - 1))) is float
    assert fn(np.int64(n - 1)) == pytest.approx(loop[-1], rel=5e-16, abs=0)


# -- Scheduled on unchanged optimizers ------------------------------------------------
def _class_snapshot(cls) -> dict:
    return {name: value for name, value in vars(cls).items()}


@pytest.mark.parametrize("cls", [SGD, Adam, AdaGrad])
def test_scheduled_does_not_change_the_optimizer_class_or_instance(cls):
    before = {c: _class_snapshot(c) for c in (cls, Optimizer)}
    inner, plain = cls(lr=0.1), cls(lr=0.1)
    opt = Scheduled(inner, lr=partial(cosine, lr=0.1, T_max=5))
    x = y = np.array([1.0, -2.0])
    for _ in range(3):
        x, y = opt.step(x, 2 * x), plain.step(y, 2 * y)
    assert {c: _class_snapshot(c) for c in (cls, Optimizer)} == before
    assert type(inner) is cls and "step" not in vars(inner)  # no patched methods
    assert set(vars(inner)) == set(vars(plain))
    assert repr(opt) == f"Scheduled({inner!r}, lr=cosine(lr=0.1, T_max=5))"


@pytest.mark.parametrize("schedule", [
    partial(step_decay, lr=0.1, step_size=3, gamma=0.5),
    partial(cosine, lr=0.2, T_max=10, eta_min=0.01),
    partial(warmup_cosine, lr=0.1, warmup_steps=4, total_steps=15),
    partial(one_cycle, max_lr=0.3, total_steps=15, three_phase=True),
    lambda t: 0.05 * (t % 3),  # any function of t
], ids=["step_decay", "cosine", "warmup_cosine", "one_cycle", "lambda"])
def test_sgd_on_a_constant_gradient_moves_by_the_cumulative_sum_of_the_schedule(schedule):
    """x_k = x_0 - g * (lr_0 + ... + lr_{k-1}): each step used the schedule's value at t."""
    g = np.array([1.0, -4.0])
    opt = Scheduled(SGD(lr=1.0), lr=schedule)
    x, xs = np.zeros(2), []
    for _ in range(15):
        x = opt.step(x, g)
        xs.append(x)
    rates = np.array([schedule(t) for t in range(15)])
    assert_array_equal(opt.history, rates)
    assert_allclose(xs, -np.cumsum(rates)[:, None] * g, rtol=1e-13)


def test_adam_and_adagrad_steps_scale_with_the_scheduled_rate():
    """Constant gradient g: Adam steps lr_t * g / (|g| + eps); AdaGrad (sum of squares
    t * g^2 after step t) steps lr_t * g / (sqrt(t) |g| + eps)."""
    rates = partial(cosine_warm_restarts, lr=0.1, T_0=4, T_mult=2, eta_min=0.01)
    g = np.array([2.0, -0.5])
    lr = rates(np.arange(20))
    k = np.arange(1, 21)[:, None]
    for opt, steps in [
        (Adam(lr=1.0, eps=1e-8), lr[:, None] * g / (np.abs(g) + 1e-8)),
        (AdaGrad(lr=1.0, eps=1e-10), lr[:, None] * g / (np.sqrt(k) * np.abs(g) + 1e-10)),
    ]:
        scheduled = Scheduled(opt, lr=rates)
        x, xs = np.zeros(2), []
        for _ in range(20):
            x = scheduled.step(x, g)
            xs.append(x)
        assert_allclose(xs, -np.cumsum(steps, axis=0), rtol=1e-9, err_msg=type(opt).__name__)


@pytest.mark.parametrize("cls,name,kwargs", [
    (SGD, "momentum", {"lr": 0.1, "momentum": 0.9}),
    (SGD, "momentum", {"lr": 0.1}),  # momentum 0 at construction: switched on by step 1
    (RMSProp, "momentum", {}),
    (Adam, "beta1", {}),
    (AdamW, "beta1", {"betas": (0.5, 0.9)}),
])
def test_the_momentum_schedule_sets_momentum_or_beta1(cls, name, kwargs):
    cycle = {"total_steps": 10, "pct_start": 0.4}
    inner = cls(**kwargs)
    beta2 = inner.hyperparameters.get("beta2")
    opt = Scheduled(inner, lr=partial(one_cycle, max_lr=0.01, **cycle),
                    momentum=partial(one_cycle_momentum, **cycle))
    assert opt.momentum_name == name
    x = np.array([1.0, -1.0])
    for t in range(10):
        x = opt.step(x, x)
        assert inner.hyperparameters[name] == one_cycle_momentum(t, **cycle)
        assert inner.hyperparameters.get("beta2") == beta2  # beta2 is left alone
    assert opt.momentum_history == [one_cycle_momentum(t, **cycle) for t in range(10)]
    assert np.all(np.isfinite(x)) and set(opt.state) == set(inner.state)


def test_reset_starts_the_schedule_and_the_optimizer_over():
    sched = partial(one_cycle, max_lr=0.1, total_steps=6)
    opt = Scheduled(SGD(lr=0.1, momentum=0.9), lr=sched,
                    momentum=partial(one_cycle_momentum, total_steps=6))
    first = [x := np.array([1.0, 2.0])]
    for _ in range(6):
        first.append(x := opt.step(x, x))
    history, momenta = list(opt.history), list(opt.momentum_history)
    opt.reset()
    assert opt.t == 0 and opt.history == [] and opt.momentum_history == [] and opt.state == {}
    again = [x := np.array([1.0, 2.0])]
    for _ in range(6):
        again.append(x := opt.step(x, x))
    assert_array_equal(again, first)
    assert opt.history == history and opt.momentum_history == momenta


def test_a_failed_step_changes_nothing():
    """Bad grads, or a schedule that refuses t: same hyperparameters, state, t, history."""
    inner = SGD(lr=0.1, momentum=0.9)
    opt = Scheduled(inner, lr=partial(one_cycle, max_lr=0.1, total_steps=3),
                    momentum=partial(one_cycle_momentum, total_steps=3))
    x = opt.step(np.ones(2), np.ones(2))
    kept = (dict(inner.hyperparameters), inner.t, opt.state["velocity"].copy(),
            list(opt.history), list(opt.momentum_history))

    def unchanged():
        assert (dict(inner.hyperparameters), inner.t) == kept[:2]
        assert_array_equal(opt.state["velocity"], kept[2])
        assert (opt.history, opt.momentum_history) == kept[3:]

    with pytest.raises(ValueError, match="grads do not match params"):
        opt.step(x, np.ones(3))
    unchanged()
    x = opt.step(x, np.ones(2))
    x = opt.step(x, np.ones(2))
    kept = (dict(inner.hyperparameters), inner.t, opt.state["velocity"].copy(),
            list(opt.history), list(opt.momentum_history))
    with pytest.raises(ValueError, match=r"^Invalid t: 3 \(must be < total_steps = 3"):
        opt.step(x, np.ones(2))  # the cycle is over
    unchanged()


def test_scheduled_values_go_through_the_optimizers_checks():
    opt = Scheduled(SGD(lr=0.1), lr=lambda t: 0.1 - 0.1 * t)
    x = opt.step(np.ones(1), np.ones(1))
    x = opt.step(x, np.ones(1))  # lr 0 is allowed
    with pytest.raises(ValueError, match=r"^Invalid lr: -0\.1"):
        opt.step(x, np.ones(1))
    assert opt.optimizer.lr == 0.0 and opt.t == 2
    beta1_of_one = Scheduled(Adam(), lr=lambda t: 1e-3, momentum=lambda t: 1.0)
    with pytest.raises(ValueError, match=r"^Invalid beta1: 1\.0"):
        beta1_of_one.step(np.ones(1), np.ones(1))
    assert beta1_of_one.optimizer.beta1 == 0.9 and beta1_of_one.history == []


def test_scheduled_runs_in_the_runner_like_any_optimizer():
    """runner.run resets it first, so running twice gives the same trajectory."""
    opt = Scheduled(SGD(lr=0.1), lr=partial(warmup_cosine, lr=0.5, warmup_steps=5,
                                            total_steps=40))
    bowl = Quadratic(curvatures=(1.0, 3.0))
    first = run(opt, bowl, steps=40)
    second = run(opt, bowl, steps=40)
    assert_array_equal(first.points, second.points)
    assert opt.history == [warmup_cosine(t, 0.5, 5, 40) for t in range(40)]
    assert first.final_loss < 1e-3 * first.losses[0]


def test_scheduled_is_an_optimizer_with_the_wrapped_ones_hyperparameters():
    """Issue 14: Scheduled was not an Optimizer, so MLPClassifier and Lookahead refused it."""
    opt = Scheduled(Adam(lr=0.01), lr=partial(cosine, lr=0.01, T_max=10))
    assert isinstance(opt, Optimizer)
    assert dict(opt.hyperparameters) == dict(opt.optimizer.hyperparameters)
    assert dict(opt.flags) == {"amsgrad": False}
    opt.set(beta1=0.5)
    opt.amsgrad = True
    assert opt.optimizer.beta1 == 0.5 and opt.optimizer.amsgrad
    with pytest.raises(AttributeError, match=r"^Invalid attribute: 'learning_rate'"):
        opt.learning_rate = 0.1
    x = opt.step(np.ones(2), np.ones(2))
    assert opt.t == 1 and set(opt.state) == {"m", "v", "v_max"} and x.shape == (2,)


def test_a_scheduled_optimizer_may_have_stepped_before():
    """Unlike Lookahead, a schedule just carries on from the optimizer's t."""
    sgd = SGD(lr=0.1)
    sgd.step(np.ones(1), np.ones(1))
    opt = Scheduled(sgd, lr=lambda t: 0.1 * t)
    opt.step(np.ones(1), np.ones(1))
    assert opt.history == [0.1] and opt.t == 2


# -- bad arguments --------------------------------------------------------------------
BASE = {
    "constant": (constant, {"lr": 0.1}),
    "step_decay": (step_decay, {"lr": 0.1, "step_size": 5}),
    "exponential": (exponential, {"lr": 0.1, "gamma": 0.9}),
    "cosine": (cosine, {"lr": 0.1, "T_max": 10}),
    "cosine_warm_restarts": (cosine_warm_restarts, {"lr": 0.1, "T_0": 10}),
    "linear_warmup": (linear_warmup, {"lr": 0.1, "warmup_steps": 5}),
    "warmup_cosine": (warmup_cosine, {"lr": 0.1, "warmup_steps": 5, "total_steps": 20}),
    "one_cycle": (one_cycle, {"max_lr": 0.1, "total_steps": 100}),
    "one_cycle_momentum": (one_cycle_momentum, {"total_steps": 100}),
}

BAD = [
    # (schedule, t, changed arguments, name in the message, value as shown)
    ("constant", -1, {}, "t", "-1"),
    ("constant", 1.5, {}, "t", "1.5"),
    ("constant", True, {}, "t", "True"),
    ("constant", "3", {}, "t", "'3'"),
    ("constant", np.array([0, 4, -2]), {}, "t", "'array of shape (3,) containing -2'"),
    ("constant", np.array([0.5]), {}, "t", "array([0.5])"),
    ("constant", 2**63, {}, "t", str(2**63)),
    ("constant", 0, {"lr": -0.1}, "lr", "-0.1"),
    ("constant", 0, {"lr": float("nan")}, "lr", "nan"),
    ("constant", 0, {"lr": np.array([0.1, 0.2])}, "lr", "array([0.1, 0.2])"),
    ("constant", 0, {"lr": True}, "lr", "True"),
    ("step_decay", 0, {"step_size": 0}, "step_size", "0"),
    ("step_decay", 0, {"step_size": 2.5}, "step_size", "2.5"),
    ("step_decay", 0, {"gamma": 0.0}, "gamma", "0.0"),
    ("step_decay", 0, {"gamma": 1.5}, "gamma", "1.5"),
    ("exponential", 0, {"gamma": -0.5}, "gamma", "-0.5"),
    ("cosine", 0, {"T_max": 0}, "T_max", "0"),
    ("cosine", 0, {"eta_min": -1e-3}, "eta_min", "-0.001"),
    ("cosine", 0, {"eta_min": 0.2}, "eta_min", "0.2"),
    ("cosine_warm_restarts", 0, {"T_0": 0}, "T_0", "0"),
    ("cosine_warm_restarts", 0, {"T_mult": 0}, "T_mult", "0"),
    ("cosine_warm_restarts", 0, {"T_mult": 1.5}, "T_mult", "1.5"),
    ("cosine_warm_restarts", -3, {}, "t", "-3"),
    ("linear_warmup", 0, {"warmup_steps": -1}, "warmup_steps", "-1"),
    ("linear_warmup", 0, {"start_factor": 1.5}, "start_factor", "1.5"),
    ("warmup_cosine", 0, {"total_steps": 5}, "total_steps", "5"),
    ("warmup_cosine", 0, {"start_factor": -0.1}, "start_factor", "-0.1"),
    ("warmup_cosine", 0, {"eta_min": 1.0}, "eta_min", "1.0"),
    ("one_cycle", 100, {}, "t", "100"),
    ("one_cycle", np.arange(101), {}, "t", "'array of shape (101,) containing 100'"),
    ("one_cycle", 0, {"max_lr": -1.0}, "max_lr", "-1.0"),
    ("one_cycle", 0, {"total_steps": 0}, "total_steps", "0"),
    ("one_cycle", 0, {"pct_start": 1.5}, "pct_start", "1.5"),
    ("one_cycle", 0, {"pct_start": 0.01}, "pct_start", "0.01"),  # 0.01 * 100 == 1
    ("one_cycle", 0, {"div_factor": 0.5}, "div_factor", "0.5"),
    ("one_cycle", 0, {"final_div_factor": 0}, "final_div_factor", "0"),
    ("one_cycle", 0, {"anneal": "cosine"}, "anneal", "'cosine'"),
    ("one_cycle", 0, {"three_phase": 1}, "three_phase", "1"),
    ("one_cycle_momentum", 0, {"base_momentum": 0.96}, "base_momentum", "0.96"),
    ("one_cycle_momentum", 0, {"max_momentum": -0.1}, "max_momentum", "-0.1"),
    ("one_cycle_momentum", 100, {}, "t", "100"),
]


@pytest.mark.parametrize("schedule,t,changed,name,shown", BAD,
                         ids=[f"{r[0]}-{r[3]}={r[4]}" for r in BAD])
def test_bad_arguments_say_what_is_wrong(schedule, t, changed, name, shown):
    fn, kwargs = BASE[schedule]
    with pytest.raises(ValueError, match=rf"^Invalid {name}: {re.escape(shown)} \(.+\)$"):
        fn(t, **{**kwargs, **changed})


def test_bad_scheduled_arguments_fail_on_construction():
    good = partial(cosine, lr=0.1, T_max=10)
    cases = [
        (lambda: Scheduled("sgd", lr=good), r"Invalid optimizer: 'sgd' \(must be an alr_teach"),
        (lambda: Scheduled(SGD(lr=0.1), lr=0.1), r"Invalid lr: 0\.1 \(must be a function of"),
        (lambda: Scheduled(SGD(lr=0.1), lr=good, momentum=0.9), r"Invalid momentum: 0\.9"),
        (lambda: Scheduled(AdaGrad(), lr=good, momentum=lambda t: 0.9),
         r"Invalid momentum: .* \(AdaGrad has neither momentum nor beta1 to schedule\)"),
        (lambda: Scheduled(SGD(lr=0.1), lr=partial(cosine, lr=0.1, T_max=0)),
         r"Invalid T_max: 0 \(must be a whole number >= 1\)"),
    ]
    for make, message in cases:
        with pytest.raises(ValueError, match="^" + message):
            make()


# -- properties -----------------------------------------------------------------------
FAST = settings(max_examples=60, deadline=None)
RATE = st.floats(1e-6, 10.0, allow_nan=False, allow_infinity=False)
FRACTION = st.floats(0.0, 1.0, allow_nan=False)
STEPS = st.lists(st.integers(0, 2**62), min_size=1, max_size=20)
SMALL = st.integers(1, 200)


@st.composite
def schedule_and_bounds(draw):
    """A schedule with valid random settings, and the range [low, high] it must stay in."""
    kind = draw(st.sampled_from(sorted(BASE)))
    lr = draw(RATE)
    eta_min = lr * draw(FRACTION)
    if kind == "constant":
        return partial(constant, lr=lr), lr, lr, None
    if kind == "step_decay":
        gamma = draw(st.floats(1e-3, 1.0))
        return partial(step_decay, lr=lr, step_size=draw(SMALL), gamma=gamma), 0.0, lr, None
    if kind == "exponential":
        return partial(exponential, lr=lr, gamma=draw(st.floats(1e-3, 1.0))), 0.0, lr, None
    if kind == "cosine":
        return partial(cosine, lr=lr, T_max=draw(SMALL), eta_min=eta_min), eta_min, lr, None
    if kind == "cosine_warm_restarts":
        fn = partial(cosine_warm_restarts, lr=lr, T_0=draw(SMALL),
                     T_mult=draw(st.integers(1, 4)), eta_min=eta_min)
        return fn, eta_min, lr, None
    if kind == "linear_warmup":
        factor = draw(FRACTION)
        fn = partial(linear_warmup, lr=lr, warmup_steps=draw(st.integers(0, 200)),
                     start_factor=factor)
        return fn, lr * factor, lr, None
    if kind == "warmup_cosine":
        warmup, factor = draw(st.integers(0, 100)), draw(FRACTION)
        fn = partial(warmup_cosine, lr=lr, warmup_steps=warmup,
                     total_steps=warmup + draw(SMALL), eta_min=eta_min, start_factor=factor)
        return fn, min(eta_min, lr * factor), lr, None
    total = draw(SMALL)
    pct = draw(FRACTION.filter(lambda p: float(p * total) - 1 != 0))
    cycle = {"total_steps": total, "pct_start": pct, "three_phase": draw(st.booleans()),
             "anneal": draw(st.sampled_from(["cos", "linear"]))}
    if kind == "one_cycle":
        div, final_div = draw(st.floats(1.0, 1e3)), draw(st.floats(1.0, 1e5))
        fn = partial(one_cycle, max_lr=lr, div_factor=div, final_div_factor=final_div, **cycle)
        return fn, lr / div / final_div, lr, total
    high = draw(st.floats(0.0, 0.999))
    low = high * draw(FRACTION)
    fn = partial(one_cycle_momentum, base_momentum=low, max_momentum=high, **cycle)
    return fn, low, high, total


@FAST
@given(case=schedule_and_bounds(), steps=STEPS)
def test_every_schedule_stays_between_its_lowest_and_highest_value(case, steps):
    fn, low, high, total = case
    t = np.array(steps) if total is None else np.array(steps) % total
    t = np.concatenate([t, np.arange(min(total or 300, 300))])  # every early step too
    values = fn(t)
    assert np.all((low <= values) & (values <= high)), (low, high, values.min(), values.max())


@FAST
@given(lr=RATE, fraction=FRACTION, T_0=SMALL, T_mult=st.integers(1, 4))
def test_warm_restarts_hit_lr_exactly_at_every_restart(lr, fraction, T_0, T_mult):
    """Restarts at 0, T_0, T_0 + T_0 T_mult, ... (here counted independently): the rate is
    lr there, exactly, and below lr the step before (unless every step is a restart)."""
    fn = partial(cosine_warm_restarts, lr=lr, T_0=T_0, T_mult=T_mult, eta_min=lr * fraction)
    restarts, length = [0], T_0
    while len(restarts) < 12:
        restarts.append(restarts[-1] + length)
        length *= T_mult
    restarts = np.array(restarts)
    assert np.all(fn(restarts) == lr)
    if T_0 > 1 and fraction <= 0.5:  # (an eta_min within an ulp of lr rounds to lr)
        assert np.all(fn(restarts[1:] - 1) < lr)


@FAST
@given(lr=RATE, fraction=FRACTION, T_max=SMALL, k=st.integers(0, 5))
def test_cosine_ends_are_exact_and_repeat_every_two_periods(lr, fraction, T_max, k):
    eta_min = lr * fraction
    assert cosine(2 * k * T_max, lr, T_max, eta_min) == lr
    assert cosine((2 * k + 1) * T_max, lr, T_max, eta_min) == eta_min
