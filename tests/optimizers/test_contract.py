"""The optimizer contract, checked for every optimizer of the registry and for the wrappers.

One suite instead of a copy per optimizer family: a new entry in
:data:`alr_teach.optimizers.registry.OPTIMIZERS` is tested here without a line of its own.

* validation: bad values give "Invalid <name>: <value> (<requirement>)" and change nothing;
* atomic commit: a step that raises leaves state, ``t`` and hyperparameters as they were;
* sweep equals loop: any hyperparameter as an array of shape (3,) over a batch of 3 runs
  (``batch_ndim = 1``) equals 3 single runs, and so does a batch with scalar values;
* float32 in, float32 out;
* a deep copy or a pickle taken mid-run continues exactly as the original;
* parity: every entry has a reference trajectory (tests/data) or is listed with the reason
  it has none.

The update rules themselves are checked against torch and optax in test_torch_parity.py,
test_layerwise.py and test_lookahead.py, and by hand in the tests of each family.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import math
import pickle
import pkgutil
import re
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from error_tables import NON_NUMERIC, adam_like_rows, shown, shown_array
from numpy.testing import assert_allclose, assert_array_equal

import alr_teach.optimizers as optimizers_package
from alr_teach.optimizers import registry
from alr_teach.optimizers.adam import Adam, AdamLike
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.lookahead import Lookahead
from alr_teach.optimizers.schedules import Scheduled, cosine
from alr_teach.optimizers.sgd import SGD
from alr_teach.optimizers.wrapper import Wrapper

DATA = Path(__file__).parents[1] / "data"
LR = 0.01


# -- the cases: every registry entry, and wrappers around a few ---------------------------------
def _lookahead_adam():
    return Lookahead(Adam(lr=LR), k=3, alpha=0.6)


def _scheduled_sgd():
    schedule = partial(cosine, lr=LR, T_max=50)  # a partial: picklable
    return Scheduled(SGD(lr=LR, momentum=0.5), lr=schedule)


def _lookahead_scheduled():
    return Lookahead(_scheduled_sgd(), k=2)


#: name -> (make(), a hyperparameter of its own that the tests change)
CASES = {name: (partial(registry.make, name, lr=LR), "lr") for name in registry.OPTIMIZERS}
CASES.update({
    "Lookahead(Adam)": (_lookahead_adam, "alpha"),  # Ranger's is lr, its inner optimizer's
    "Scheduled(SGD)": (_scheduled_sgd, "momentum"),  # lr is the schedule's
    "Lookahead(Scheduled(SGD))": (_lookahead_scheduled, "momentum"),
})
each = pytest.mark.parametrize("name", list(CASES))
each_entry = pytest.mark.parametrize("name", list(registry.OPTIMIZERS))


def make(name: str) -> Optimizer:
    return CASES[name][0]()


def problem(shapes=((2, 3), (4,)), seed=0):
    """Start params (a list of arrays) and a gradient function: a different quadratic per
    coordinate, so that every state entry and every run moves differently."""
    rng = np.random.default_rng(seed)
    x0 = [rng.uniform(-2, 2, s) for s in shapes]
    coef = [rng.uniform(0.5, 3.0, s) for s in shapes]
    off = [rng.uniform(-1, 1, s) for s in shapes]

    def grads(xs, index=...):
        return [c[index] * x + d[index] for x, c, d in zip(xs, coef, off, strict=True)]

    return x0, grads


def run_steps(opt, xs, grads, steps):
    for _ in range(steps):
        xs = opt.step(xs, grads(xs))
    return xs


def assert_same_state(a: dict, b: dict) -> None:
    assert set(a) == set(b)
    for name in a:
        for u, v in zip(a[name], b[name], strict=True):
            assert_array_equal(u, v, err_msg=name)


# -- the registry covers every optimizer class -----------------------------------------------------
#: Optimizer subclasses that are not methods of their own, and why
BUILDING_BLOCKS = {
    "Optimizer": "the base class",
    "AdamLike": "Adam's hyperparameters shared by its family, without a rule",
    "Wrapper": "the base class of wrappers",
    "SlowWeights": "Lookahead's own part (its k and alpha), stepped by Lookahead",
    "Lookahead": "a wrapper, named after what it wraps (Ranger is the registered one)",
    "Scheduled": "a wrapper, named after what it wraps",
}


def _optimizer_classes() -> dict[str, type]:
    """Every public Optimizer subclass defined in a module of alr_teach.optimizers."""
    found = {}
    for info in pkgutil.iter_modules(optimizers_package.__path__):
        module = importlib.import_module(f"alr_teach.optimizers.{info.name}")
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, Optimizer)
                    and not name.startswith("_") and value.__module__ == module.__name__):
                found[name] = value
    return found


def test_every_optimizer_class_has_an_entry_or_is_a_building_block():
    classes = _optimizer_classes()
    registered = {e.cls for e in registry.OPTIMIZERS.values()}
    missing = [n for n, c in classes.items() if c not in registered and n not in BUILDING_BLOCKS]
    assert missing == [], f"no registry entry for {missing}"
    assert set(BUILDING_BLOCKS) <= set(classes)
    assert all(not issubclass(c, Wrapper) or c in registered or n in BUILDING_BLOCKS
               for n, c in classes.items())


@each_entry
def test_an_entry_builds_what_its_name_says(name):
    entry = registry.entry(name)
    opt = registry.make(name, lr=LR)
    assert type(opt) is entry.cls and registry.name_of(opt) == name
    for key, value in entry.fixed.items():
        assert getattr(opt, key) == value
    assert entry.defaults() == {**registry.class_defaults(entry.cls), **entry.fixed}
    assert entry.idea and "\n" not in entry.idea


def test_wrappers_are_named_after_what_they_wrap():
    assert registry.name_of(_lookahead_adam()) == "Lookahead(Adam)"
    assert registry.name_of(_lookahead_scheduled()) == "Lookahead(Scheduled(SGD))"
    assert registry.name_of(Scheduled(registry.make("Nesterov", lr=0.1), lr=lambda t: 0.1)) == (
        "Scheduled(Nesterov)")
    assert registry.name_of(registry.make("Ranger")) == "Ranger"


# -- validation ------------------------------------------------------------------------------------
def _construction_rows():
    rows = []
    for name in registry.OPTIMIZERS:
        for value in [-0.1, math.nan, math.inf, *NON_NUMERIC[:3]]:
            rows.append(pytest.param(name, value, shown(value), id=f"{name}-lr={value!r}"))
        rows.append(pytest.param(name, np.array([0.1, -0.5]), shown_array(-0.5),
                                 id=f"{name}-lr=array"))
    return rows


@pytest.mark.parametrize(("name", "value", "value_regex"), _construction_rows())
def test_a_bad_rate_is_rejected_at_construction(name, value, value_regex):
    with pytest.raises(ValueError, match=rf"^Invalid lr: {value_regex} \(.+\)$"):
        registry.make(name, lr=value)


ADAM_FAMILY = sorted({e.cls for e in registry.OPTIMIZERS.values() if issubclass(e.cls, AdamLike)},
                     key=lambda cls: cls.__name__)


ADAM_ROWS = [row for row in adam_like_rows(ADAM_FAMILY)  # the arguments each class takes
             if set(row.values[1]) <= set(registry.class_defaults(row.values[0]))]


@pytest.mark.parametrize(("cls", "kwargs", "exc", "regex"), ADAM_ROWS)
def test_the_adam_family_rejects_bad_settings_at_construction(cls, kwargs, exc, regex):
    """lr, weight_decay, eps and betas out of range, non-numeric or malformed."""
    with pytest.raises(exc, match=regex):
        cls(**kwargs)


@each_entry
def test_an_unknown_keyword_is_a_type_error(name):
    with pytest.raises(TypeError, match="unexpected keyword"):
        registry.make(name, lr=LR, learning_rate=0.1)


@each
def test_every_hyperparameter_and_flag_is_checked_when_changed(name):
    """After a step: a bad value, an unknown name or a typo'd attribute raises and changes
    nothing."""
    opt = make(name)
    xs, grads = problem()
    run_steps(opt, xs, grads, 2)
    before = (dict(opt.hyperparameters), dict(opt.flags))
    for key in opt.hyperparameters:
        with pytest.raises(ValueError, match=rf"^Invalid {re.escape(key)}: nan \(.+\)$"):
            opt.set(**{key: math.nan})
        with pytest.raises(ValueError, match=rf"^Invalid {re.escape(key)}: 'x' \(.+\)$"):
            setattr(opt, key, "x")
    for key in opt.flags:
        with pytest.raises(ValueError, match=rf"^Invalid {re.escape(key)}: 'yes' \(.+\)$"):
            opt.set(**{key: "yes"})
    with pytest.raises(ValueError, match=r"^Invalid hyperparameter: 'learning_rate' \(.+\)$"):
        opt.set(learning_rate=0.1)
    with pytest.raises(AttributeError, match=r"^Invalid attribute: 'learning_rate' \(.+\)$"):
        opt.learning_rate = 0.1
    first = next(iter(opt.hyperparameters))
    with pytest.raises(ValueError, match="^Invalid"):
        opt.set(**{first: opt.hyperparameters[first], "learning_rate": 0.1})  # all or nothing
    assert (dict(opt.hyperparameters), dict(opt.flags)) == before


# -- atomic commit ---------------------------------------------------------------------------------
@each
def test_a_step_that_raises_changes_nothing(name):
    opt, twin = make(name), make(name)
    xs, grads = problem()
    xs = run_steps(opt, xs, grads, 3)
    run_steps(twin, problem()[0], grads, 3)
    before = (opt.t, opt.state, dict(opt.hyperparameters), dict(opt.flags))
    with pytest.raises(ValueError, match="grads do not match"):
        opt.step(xs, grads(xs)[:1])
    with pytest.raises(ValueError, match="params changed between steps"):
        opt.step(xs[:1], grads(xs)[:1])
    key = CASES[name][1]
    value = opt.hyperparameters[key]
    opt.set(**{key: np.full(5, value)})  # fits no array of these params
    with pytest.raises(ValueError, match=rf"{key} has shape \(5,\)"):
        opt.step(xs, grads(xs))
    opt.set(**{key: value})
    with pytest.raises((TypeError, ValueError)):
        opt.step(xs, [g.astype(complex) for g in grads(xs)])
    assert (opt.t, dict(opt.hyperparameters), dict(opt.flags)) == (before[0], *before[2:])
    assert_same_state(opt.state, before[1])
    ys = xs
    for _ in range(4):  # and it carries on as if nothing had happened
        xs, ys = opt.step(xs, grads(xs)), twin.step(ys, grads(ys))
        for x, y in zip(xs, ys, strict=True):
            assert_array_equal(x, y)


# -- the members wrappers build on ------------------------------------------------------------
@each
def test_committed_state_is_the_state_without_copies_and_read_only(name):
    opt = make(name)
    assert opt.committed_state() == []
    xs, grads = problem()
    run_steps(opt, xs, grads, 2)
    committed, state = opt.committed_state(), opt.state
    assert len(committed) == len(xs)
    for j, per_array in enumerate(committed):
        for key, value in per_array.items():
            assert_array_equal(value, state[key][j])
            with pytest.raises(ValueError, match="read-only"):
                value[...] = 0.0


@each
def test_hyperparameters_for_aligns_arrays_and_rejects_a_misfit(name):
    opt = make(name)
    key = CASES[name][1]
    opt.set(**{key: np.array([0.1, 0.2])})
    opt.batch_ndim = 1  # two runs (rules that mix a run's elements need to be told)
    seen = opt.hyperparameters_for([np.ones((2, 3)), np.ones(2)])
    assert [getattr(h, key).shape for h in seen] == [(2, 1), (2,)]
    with pytest.raises(ValueError, match=rf"{key} has shape \(2,\)"):
        opt.hyperparameters_for([np.ones(3)])
    assert opt.t == 0 and opt.state == {}


BASE_INTERNALS = re.compile(r"\b_(states|structure|spares|shaped_hyperparameters|"
                            r"hyperparameters_for|array_name|version|shaped_cache)\b")


@pytest.mark.parametrize("module", ["wrapper", "lookahead", "schedules", "hypergradient"])
def test_wrappers_and_hypergradient_use_only_public_members_of_the_base(module):
    """Issue 14: Lookahead used _hyperparameters_for and _array_name, hypergradient _states
    and _structure; they now go through hyperparameters_for() and committed_state()."""
    source = (Path(optimizers_package.__file__).parent / f"{module}.py").read_text()
    assert BASE_INTERNALS.findall(source) == []


# -- sweeps ----------------------------------------------------------------------------------------
BATCH = 3
SHAPES = ((BATCH, 4), (BATCH, 2, 2))


def _three_values(default: float) -> np.ndarray:
    """Three valid values of a hyperparameter around its default (from 0 if that is 0)."""
    return default * np.array([0.5, 0.75, 1.0]) if default else np.array([0.0, 0.05, 0.1])


#: (case, hyperparameter) pairs that are not swept, and why
NOT_SWEPT = {
    ("Nesterov", "dampening"): "Nesterov momentum needs dampening 0",
    ("Scheduled(SGD)", "lr"): "set by the schedule before every step",
    ("Lookahead(Scheduled(SGD))", "lr"): "set by the schedule before every step",
}


def _sweeps() -> list:
    pairs = []
    for name in CASES:
        for key, value in make(name).hyperparameters.items():
            if key == "k" or (name, key) in NOT_SWEPT:  # k: a whole number, never an array
                continue
            pairs.append(pytest.param(name, key, _three_values(value), id=f"{name}-{key}"))
    return pairs


def _batch_equals_loop(name: str, settings: dict, each_run: list[dict]) -> None:
    batch = make(name)
    batch.set(**settings)
    batch.batch_ndim = 1
    x0, grads = problem(SHAPES, seed=7)
    xs = run_steps(batch, x0, grads, 20)
    state = batch.state
    for i, run_settings in enumerate(each_run):
        one = make(name)
        one.set(**run_settings)
        ys = run_steps(one, [x[i] for x in x0], partial(grads, index=i), 20)
        for x, y in zip(xs, ys, strict=True):
            assert_allclose(x[i], y, rtol=1e-12, atol=1e-14, err_msg=f"run {i}")
        for entry_name, arrays in one.state.items():
            for s_batch, s_one in zip(state[entry_name], arrays, strict=True):
                assert_allclose(s_batch[i], s_one, rtol=1e-12, atol=1e-14,
                                err_msg=f"state {entry_name}, run {i}")


@pytest.mark.parametrize(("name", "key", "values"), _sweeps())
def test_a_sweep_equals_a_loop_of_single_runs(name, key, values):
    """An array of shape (3,) over a batch of 3 runs (``batch_ndim = 1``): run ``i`` is the
    single run with the ``i``-th value, for every hyperparameter of every optimizer."""
    _batch_equals_loop(name, {key: values}, [{key: float(v)} for v in values])


@each
def test_a_batch_of_starts_is_a_batch_of_independent_runs(name):
    """Issue 14: with scalar hyperparameters too (LAMB, NovoGrad and the hypergradient
    methods used to couple a batch of starts)."""
    _batch_equals_loop(name, {}, [{}] * BATCH)


# -- dtypes ----------------------------------------------------------------------------------------
@each
def test_float32_in_float32_out(name):
    opt = make(name)
    x0, grads = problem()
    xs = [x.astype(np.float32) for x in x0]
    for _ in range(7):
        xs = opt.step(xs, [g.astype(np.float32) for g in grads(xs)])
        assert [x.dtype for x in xs] == [np.float32, np.float32]
    for entry_name, arrays in opt.state.items():
        for x, s in zip(xs, arrays, strict=True):
            if s.shape == x.shape:  # per-element state; per-run numbers may be float64
                assert s.dtype == np.float32, entry_name


# -- copies ----------------------------------------------------------------------------------------
@each
@pytest.mark.parametrize("clone", [copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))],
                         ids=["deepcopy", "pickle"])
def test_a_copy_taken_mid_run_continues_exactly_as_the_original(name, clone):
    opt = make(name)
    xs, grads = problem()
    xs = run_steps(opt, xs, grads, 4)
    twin = clone(opt)
    assert twin.t == opt.t == 4 and repr(twin) == repr(opt)
    assert dict(twin.hyperparameters) == dict(opt.hyperparameters)
    assert dict(twin.flags) == dict(opt.flags)
    assert_same_state(twin.state, opt.state)
    ys = [x.copy() for x in xs]
    for _ in range(5):
        xs, ys = opt.step(xs, grads(xs)), twin.step(ys, grads(ys))
    for x, y in zip(xs, ys, strict=True):
        assert_array_equal(x, y)
    assert_same_state(twin.state, opt.state)
    key = CASES[name][1]
    original = opt.hyperparameters[key]
    twin.set(**{key: 0.25})
    assert opt.hyperparameters[key] == original  # nothing shared


# -- parity ----------------------------------------------------------------------------------------
#: entries without a reference implementation to replay, and how they are checked instead
NO_REFERENCE = {
    "SGD-HD": "the authors' code was read, not run; test_hypergradient.py checks the rule by "
              "hand and that beta = 0 is SGD to the last bit",
    "Adam-HD": "as SGD-HD; beta = 0 is Adam to the last bit (test_hypergradient.py)",
    "Adam (no bias correction)": "a teaching device no library ships; test_moment_explorer.py "
                                 "checks it against Adam's formula without 1 - beta^t",
    "optimistic GD": "neither torch nor optax has it; test_minimax.py checks it by hand",
}


def _references() -> list[tuple[str, dict]]:
    """(class name, constructor settings) of every reference trajectory in tests/data."""
    found = []
    for config in json.loads((DATA / "torch_parity.json").read_text())["configs"]:
        found.append((config["alr_teach"], config["kwargs"]))
    for config in json.loads((DATA / "optax_parity.json").read_text())["configs"]:
        found.append((config["alr_teach"]["class"], config["alr_teach"]["kwargs"]))
    return found


def _has_reference(name: str) -> bool:
    entry = registry.entry(name)
    return any(cls == entry.cls.__name__ and all(kwargs.get(k) == v for k, v in entry.fixed.items())
               for cls, kwargs in _references())


@each_entry
def test_every_entry_has_a_reference_trajectory_or_a_reason_why_not(name):
    if name in NO_REFERENCE:
        assert not _has_reference(name), f"{name} has a reference now: take it off NO_REFERENCE"
    else:
        assert _has_reference(name), f"no torch/optax fixture for {name}: add one, or a reason"
