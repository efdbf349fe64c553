"""Bad input: invalid hyperparameters, mismatched structures, non-numeric arrays.

Every error must say what is wrong, and a step that raises must leave the optimizer
exactly as it was (same t, same state arrays, same next step). Non-finite *values*
are not errors: a diverging run yields inf/nan silently.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from alr_teach import SGD, AdaDelta, AdaGrad, Adam, AdamW, Optimizer, RMSProp

ALL = [SGD, AdaGrad, RMSProp, Adam, AdamW, AdaDelta]
WITH_EPS = [AdaGrad, RMSProp, Adam, AdamW, AdaDelta]
REQ = r" \(.+\)$"  # every message ends with the requirement in parentheses


def _kw(cls, **kwargs):
    """SGD has no default lr: give it one unless the row is about lr."""
    if cls is SGD and "lr" not in kwargs:
        kwargs = {"lr": 0.1, **kwargs}
    return kwargs


def _val(value):
    """Regex for how a scalar value is shown in the message (its repr)."""
    return re.escape(repr(value))


def _array_val(bad):
    """Regex for an array value: the message must show the offending element."""
    return r".*array.*" + re.escape(repr(float(bad))) + r".*"


def _hyper_rows():
    rows = []

    def add(cls, kwargs, name, shown, id_, exc=ValueError):
        regex = rf"^Invalid {re.escape(name)}: {shown}{REQ}"
        rows.append(pytest.param(cls, _kw(cls, **kwargs), exc, regex, id=id_))

    scalar_bad = {
        # value -> is it bad for: nonnegative, positive (eps), decay factor [0, 1)
        -0.1: (True, True, True),
        -1: (True, True, True),
        math.nan: (True, True, True),
        math.inf: (True, True, True),
        -math.inf: (True, True, True),
        0.0: (False, True, False),
        1.0: (False, False, True),
        1.5: (False, False, True),
    }
    non_numeric = ["0.1", None, True, False, np.True_, 1j, [], [[0.1], [0.1, 0.2]], {"a": 1}]

    def bad_values(kind):
        """Rows for one checker kind: 0 = nonnegative, 1 = positive, 2 = decay factor."""
        out = [(v, _val(v)) for v, bad in scalar_bad.items() if bad[kind]]
        out += [(v, _val(v)) for v in non_numeric]
        bad_elem = [-0.5, 0.0, 1.0][kind]
        good_elem = [0.1, 1e-8, 0.5][kind]
        out.append((np.array([good_elem, bad_elem, good_elem]), _array_val(bad_elem)))
        out.append((np.array([[good_elem], [math.nan]]), _array_val(math.nan)))
        return out

    for cls in ALL:
        for v, shown in bad_values(0):
            add(cls, {"lr": v}, "lr", shown, f"{cls.__name__}-lr={v!r}")
        for v, shown in bad_values(0):
            add(cls, {"weight_decay": v}, "weight_decay", shown, f"{cls.__name__}-wd={v!r}")
    for cls in WITH_EPS:
        for v, shown in [*bad_values(1), (0, "0")]:  # eps = 0 is rejected everywhere
            add(cls, {"eps": v}, "eps", shown, f"{cls.__name__}-eps={v!r}")
    for cls, names in [(SGD, ["momentum"]), (RMSProp, ["momentum"]),
                       (AdaGrad, ["lr_decay", "initial_accumulator_value"])]:
        for name in names:
            for v, shown in bad_values(0):
                add(cls, {name: v}, name, shown, f"{cls.__name__}-{name}={v!r}")
    for cls, name in [(RMSProp, "alpha"), (AdaDelta, "rho")]:
        for v, shown in bad_values(2):
            add(cls, {name: v}, name, shown, f"{cls.__name__}-{name}={v!r}")
    for cls in (Adam, AdamW):
        for v, shown in bad_values(2):
            add(cls, {"betas": (v, 0.999)}, "betas[0] (beta1)", shown, f"{cls.__name__}-b1={v!r}")
            add(cls, {"betas": (0.9, v)}, "betas[1] (beta2)", shown, f"{cls.__name__}-b2={v!r}")
        for v in [0.9, (0.9,), (0.9, 0.99, 0.999), [], np.array([0.9, 0.999]), None, "ab"]:
            add(cls, {"betas": v}, "betas", _val(v), f"{cls.__name__}-betas={v!r}")
    # dampening lives in the closed interval [0, 1]
    for v in [-0.1, 1.1, math.nan, math.inf, "0", None, True]:
        add(SGD, {"momentum": 0.9, "dampening": v}, "dampening", _val(v), f"SGD-damp={v!r}")
    add(SGD, {"momentum": 0.9, "dampening": np.array([0.5, 2.0])}, "dampening",
        _array_val(2.0), "SGD-damp=array")
    # flags
    for cls, name in [(SGD, "nesterov"), (RMSProp, "centered"), (Adam, "amsgrad"),
                      (AdamW, "amsgrad")]:
        extra = {"momentum": 0.9} if name == "nesterov" else {}
        for v in [1, 0, "True", None, 1.0, np.array([True])]:
            add(cls, {**extra, name: v}, name, _val(v), f"{cls.__name__}-{name}={v!r}")
    # nesterov needs momentum > 0 and dampening == 0
    for kwargs, id_ in [
        ({}, "no-momentum"),
        ({"momentum": 0.0}, "momentum=0"),
        ({"momentum": np.array([0.9, 0.0])}, "momentum-array-with-0"),
        ({"momentum": 0.9, "dampening": 0.1}, "dampening"),
        ({"momentum": 0.9, "dampening": np.array([0.0, 0.1])}, "dampening-array"),
    ]:
        add(SGD, {**kwargs, "nesterov": True}, "nesterov", "True", f"SGD-nesterov-{id_}")
    # an integer too large for a float is out of range like inf, not a crash
    # (fails at a2d112d: _validation._to_hyper calls float(10**400) -> OverflowError)
    for cls in (SGD, Adam):
        add(cls, {"lr": 10**400}, "lr", r".+", f"{cls.__name__}-lr=10**400")
    return rows


HYPER_ROWS = _hyper_rows()


@pytest.mark.parametrize(("cls", "kwargs", "exc", "regex"), HYPER_ROWS)
def test_invalid_hyperparameter_is_rejected_at_construction(cls, kwargs, exc, regex):
    """'Invalid <name>: <value> (<requirement>)' for every out-of-range or non-numeric value."""
    with pytest.raises(exc, match=regex):
        cls(**kwargs)


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (SGD, {"lr": 0.0, "momentum": 0.0, "dampening": 1.0, "weight_decay": 0.0}),
        (SGD, {"lr": 1, "momentum": 5.0, "nesterov": True}),
        (SGD, {"lr": np.array([0.1, 0.2]), "momentum": np.array([0.5, 0.9]), "nesterov": True}),
        (AdaGrad, {"lr": 0.0, "lr_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-300}),
        (RMSProp, {"alpha": 0.0, "momentum": 0.0, "centered": np.True_}),
        (RMSProp, {"alpha": 0.999999}),
        (Adam, {"betas": [0.0, 0.0], "amsgrad": True}),
        (Adam, {"betas": (np.array([0.0, 0.5]), np.float32(0.9)), "lr": np.float64(0.1)}),
        (AdamW, {"weight_decay": 0.0, "lr": [0.1, 0.2]}),
        (AdaDelta, {"rho": 0.0, "lr": 0.0}),
    ],
)
def test_boundary_values_are_accepted(cls, kwargs):
    """The closed ends of the ranges (0, dampening 1) and numpy scalars are valid."""
    cls(**kwargs)


# -- bad calls to step ----------------------------------------------------------------
A = np.arange(6.0).reshape(3, 2) - 2.5
B = np.array([1.0, -2.0, 0.5, 4.0])
GOOD = [A, B]


def _grads(params):
    return [0.3 * p - 0.1 for p in params]


# (id, params, grads, exception, regex): errors whatever came before
INPUT_ERRORS = [
    ("grads-single-array", GOOD, A, ValueError,
     r"list of 2 arrays with shapes \[\(3, 2\), \(4,\)\].*single array of shape \(3, 2\)"),
    ("grads-wrong-shape", GOOD, [A, B[:3]], ValueError,
     r"\[\(3, 2\), \(4,\)\].*\[\(3, 2\), \(3,\)\]"),
    ("grads-transposed", GOOD, [A.T, B], ValueError, r"\(3, 2\).*\(2, 3\)"),
    ("grads-tuple-for-list", GOOD, (A, B), ValueError, r"a list of 2 arrays.*a tuple of 2 arrays"),
    ("grads-too-few", GOOD, [A], ValueError, r"list of 2 arrays.*list of 1 arrays"),
    ("grads-too-many", GOOD, [A, B, B], ValueError, r"list of 2 arrays.*list of 3 arrays"),
    ("grads-bool", GOOD, [A, B > 0], TypeError, r"grads"),
    ("grads-str", GOOD, [A, B.astype(str)], TypeError, r"grads"),
    ("grads-object", GOOD, [A.astype(object), B], TypeError, r"grads"),
    ("grads-complex", GOOD, [A, B + 0j], TypeError, r"grads"),
    ("params-complex", [A + 1j, B], _grads(GOOD), TypeError, r"params"),
    ("params-bool", [A, B > 0], _grads(GOOD), TypeError, r"params"),
    ("params-str", [A.astype(str), B], _grads(GOOD), TypeError, r"params"),
    ("empty-list", [], [], ValueError, r"empty"),
    ("empty-tuple", (), (), ValueError, r"empty"),
]
# errors only once a first step has fixed the structure
CHANGE_ERRORS = [
    ("params-one-more-array", [A, B, B], _grads([A, B, B]), ValueError,
     r"list of 2 arrays.*list of 3 arrays"),
    ("params-shape-changed", [A[:2], B], _grads([A[:2], B]), ValueError,
     r"\[\(3, 2\), \(4,\)\].*\[\(2, 2\), \(4,\)\]"),
    ("params-single-array", A, _grads([A])[0], ValueError,
     r"list of 2 arrays.*single array of shape \(3, 2\)"),
    ("params-tuple", (A, B), tuple(_grads(GOOD)), ValueError, r"a list of 2.*a tuple of 2"),
]
ROW_IDS_INPUT = [r[0] for r in INPUT_ERRORS]
ROW_IDS_ALL = ROW_IDS_INPUT + [r[0] for r in CHANGE_ERRORS]


def _make(cls):
    """An optimizer with state (SGD gets momentum) and every coupling switched on."""
    if cls is SGD:
        return SGD(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)
    return cls(lr=0.05, weight_decay=0.01)


def _flat_bytes(tree):
    items = tree if isinstance(tree, (list, tuple)) else [tree]
    return [type(tree)] + [(a.dtype, a.shape, a.tobytes()) for a in map(np.asarray, items)]


def _state_bytes(opt):
    return {
        name: [(v.dtype, v.shape, v.tobytes()) for v in value]
        for name, value in opt.state.items()
    }


def _copy(tree):
    if isinstance(tree, (list, tuple)):
        return type(tree)(np.array(a, copy=True) for a in tree)
    return np.array(tree, copy=True)


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    ("params", "grads", "exc", "regex"), [r[1:] for r in INPUT_ERRORS], ids=ROW_IDS_INPUT
)
def test_bad_first_step_raises_and_keeps_fresh_state(cls, params, grads, exc, regex):
    """Mismatched or non-numeric input raises the documented type; nothing is committed."""
    opt = _make(cls)
    before = _flat_bytes(params), _flat_bytes(grads)
    with pytest.raises(exc, match=regex):
        opt.step(params, grads)
    assert opt.t == 0
    assert opt.state == {}
    assert (_flat_bytes(params), _flat_bytes(grads)) == before  # arguments untouched
    # and the first real step is a true first step
    new = opt.step(GOOD, _grads(GOOD))
    ref = _make(cls).step(GOOD, _grads(GOOD))
    for u, v in zip(new, ref, strict=True):
        assert_array_equal(u, v)


def _set_bad_lr(opt):
    """A schedule writing an lr array that does not fit params[0] of shape (3, 2)."""
    saved = opt.hyperparameters["lr"]
    opt.set(lr=np.full((3, 2, 2), 0.05))
    return saved


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("row", INPUT_ERRORS + CHANGE_ERRORS + ["lr-misfit"],
                         ids=[*ROW_IDS_ALL, "lr-misfit"])
def test_failed_step_leaves_state_exactly_as_it_was(cls, row):
    """After 3 valid steps a bad call raises; t, state and the next step are unaffected."""
    opt, twin = _make(cls), _make(cls)
    params = twin_params = GOOD
    for _ in range(3):
        params = opt.step(params, _grads(params))
        twin_params = twin.step(twin_params, _grads(twin_params))
    t_before, state_before = opt.t, _state_bytes(opt)
    if row == "lr-misfit":
        saved = _set_bad_lr(opt)
        with pytest.raises(ValueError, match=r"lr"):
            opt.step(params, _grads(params))
        opt.set(lr=saved)
    else:
        _, bad_params, bad_grads, exc, regex = row
        with pytest.raises(exc, match=regex):
            opt.step(bad_params, bad_grads)
    assert opt.t == t_before
    assert _state_bytes(opt) == state_before
    new = opt.step(params, _grads(params))
    ref = twin.step(twin_params, _grads(twin_params))
    for u, v in zip(new, ref, strict=True):
        assert_array_equal(u, v)
    assert _state_bytes(opt) == _state_bytes(twin)
    assert opt.t == twin.t == 4


# -- hyperparameter arrays that do not fit the params ---------------------------------
@pytest.mark.parametrize(
    ("cls", "name", "kwargs", "params", "shapes"),
    [
        pytest.param(SGD, "lr", {"lr": np.full(5, 0.1)}, np.ones((3, 2)), ["(5,)", "(3, 2)"],
                     id="lr(5,)-params(3,2)"),
        pytest.param(SGD, "lr", {"lr": np.full((3, 3), 0.1)}, np.ones((3, 2)),
                     ["(3, 3)", "(3, 2)"], id="lr(3,3)-params(3,2)"),
        pytest.param(Adam, "eps", {"eps": np.full(2, 1e-8)}, [np.ones((2, 2)), np.ones(3)],
                     ["(2,)", "(3,)"], id="eps(2,)-params[1](3,)"),
        pytest.param(SGD, "lr", {"lr": np.full((2, 2, 2), 0.1)}, np.ones((3, 2)),
                     ["(2, 2, 2)", "(3, 2)"], id="lr-ndim3-params(3,2)"),
        pytest.param(SGD, "lr", {"lr": np.full((3, 2), 0.1)}, np.ones(3), ["(3, 2)", "(3,)"],
                     id="lr(3,2)-params(3,)"),
        pytest.param(SGD, "lr", {"lr": np.full(1, 0.1)}, np.ones(()), ["(1,)", "()"],
                     id="lr(1,)-params()"),
        pytest.param(SGD, "lr", {"lr": np.full((3, 2), 0.1)}, np.ones((3, 1)),
                     ["(3, 2)", "(3, 1)"], id="lr(3,2)-params(3,1)"),
        pytest.param(RMSProp, "alpha", {"alpha": np.full((4, 1, 1), 0.9)}, np.ones((4, 2)),
                     ["(4, 1, 1)", "(4, 2)"], id="alpha-ndim3"),
        pytest.param(AdaDelta, "rho", {"rho": np.full((2, 3), 0.9)}, [np.ones((2, 3)),
                     np.ones(2)], ["(2, 3)", "(2,)"], id="rho-params[1]"),
    ],
)
def test_hyperparameter_shape_misfit(cls, name, kwargs, params, shapes):
    """ValueError naming the hyperparameter and both shapes; state stays empty.

    (The first three rows fail at a2d112d: base.py:148 lets np.broadcast_shapes raise
    numpy's own 'shape mismatch' message, which does not name the hyperparameter.)
    """
    opt = cls(**kwargs)
    grads = _copy(params)
    # the name must appear outside the message's generic "(e.g. lr of shape ...)" example
    lookaheads = rf"(?=(?:(?!e\.g\.).)*\b{re.escape(name)}\b)"
    lookaheads += "".join(rf"(?=.*{re.escape(s)})" for s in shapes)
    with pytest.raises(ValueError, match=rf"(?s)^{lookaheads}"):
        opt.step(params, grads)
    assert opt.t == 0
    assert opt.state == {}


# -- custom optimizers that fail half-way ---------------------------------------------
class Halfway(Optimizer):
    """Keeps a running sum; fails on 2-d arrays when told to (after 1-d ones were updated)."""

    fail: str | None = None  # a setting of its own, declared so that it may be assigned

    def __init__(self, lr=0.1):
        super().__init__(lr=lr)

    def init_state(self, x, h):
        return {"acc": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        s.acc = s.acc + g
        if self.fail == "shape" and x.ndim == 2:
            return x.ravel()
        if self.fail == "raise" and x.ndim == 2:
            raise RuntimeError("learner bug")
        return x - h.lr * s.acc


@pytest.mark.parametrize("warmup", [0, 2], ids=["first-step", "after-2-steps"])
@pytest.mark.parametrize(("mode", "exc"), [("shape", ValueError), ("raise", RuntimeError)])
def test_custom_update_failing_on_second_array_commits_nothing(mode, exc, warmup):
    """params[0]'s new state is not kept when params[1]'s update fails (also on step 1)."""
    opt, twin = Halfway(), Halfway()
    params = twin_params = [B, A]
    for _ in range(warmup):
        params = opt.step(params, _grads(params))
        twin_params = twin.step(twin_params, _grads(twin_params))
    before = _state_bytes(opt)
    opt.fail = mode
    with pytest.raises(exc, match=r"params\[1\]" if mode == "shape" else "learner bug"):
        opt.step(params, _grads(params))
    opt.fail = None
    assert opt.t == warmup
    assert _state_bytes(opt) == before
    for u, v in zip(opt.step(params, _grads(params)),
                    twin.step(twin_params, _grads(twin_params)), strict=True):
        assert_array_equal(u, v)


# -- non-finite values are results, not errors ----------------------------------------
@pytest.mark.parametrize(
    "opt",
    [
        SGD(lr=1e300),
        SGD(lr=1e300, momentum=0.9, nesterov=True),
        AdaGrad(lr=1e300),
        RMSProp(lr=1e300),
        RMSProp(lr=1e300, centered=True, momentum=0.9),
        Adam(lr=1e300),
        Adam(lr=1e300, amsgrad=True, weight_decay=0.1),
        AdamW(lr=1e300, weight_decay=0.5),
        AdaDelta(lr=1e300),
    ],
    ids=repr,
)
def test_huge_lr_diverges_silently(opt, recwarn):
    """A huge lr on 0.5*||x||^2 reaches inf/nan without raising or a RuntimeWarning."""
    x = np.array([1.0, -2.0, 0.0, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(30):
            x = opt.step(x, x)
        state = opt.state
    values = [x, *state.values()]
    assert not all(np.all(np.isfinite(v)) for v in values)
    assert opt.t == 30
    assert len(recwarn) == 0


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_nonfinite_inputs_are_not_errors(cls, recwarn):
    """nan/inf in params or grads propagate without an exception or warning."""
    opt = _make(cls)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = opt.step([np.array([np.inf, 1.0]), np.array([1.0, 2.0])],
                       [np.array([1.0, np.nan]), np.array([np.inf, -np.inf])])
        new = opt.step(new, [np.zeros(2), np.zeros(2)])
    assert not np.isfinite(new[0][1])
    assert opt.t == 2
    assert len(recwarn) == 0


def _large(n_chunks=2.5):
    """A large size (about 330,000 elements by default): no size is treated differently."""
    return int(n_chunks * 2**17) + 7


@pytest.mark.parametrize(
    "opt",
    [
        SGD(lr=1e300, momentum=0.9),
        AdaGrad(lr=1e300),
        RMSProp(lr=1e300, centered=True),
        Adam(lr=1e300),
        AdamW(lr=1e300, weight_decay=0.5),
        AdaDelta(lr=1e300),
    ],
    ids=repr,
)
def test_huge_lr_on_large_array_diverges_silently(opt, recwarn):
    """Same as above for arrays large enough to be processed in slices."""
    x = np.linspace(-2.0, 2.0, _large())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(6):
            x = opt.step(x, x)
    assert not all(np.all(np.isfinite(v)) for v in [x, *opt.state.values()])
    assert opt.t == 6
    assert len(recwarn) == 0


class FailsOnMarker(Optimizer):
    """Element-wise rule with state that raises when a gradient equals 999 (a learner bug)."""

    def __init__(self, lr=0.1):
        super().__init__(lr=lr)

    def init_state(self, x, h):
        return {"acc": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        s.acc = s.acc + g
        if np.any(g == 999.0):
            raise RuntimeError("marker seen")
        return x - h.lr * s.acc


def test_large_array_failing_in_a_late_slice_commits_nothing():
    """An error in the last part of a large array leaves state and t as they were."""
    n = _large()
    opt, twin = FailsOnMarker(), FailsOnMarker()
    x = twin_x = np.linspace(-1.0, 1.0, n)
    for _ in range(2):
        x = opt.step(x, x)
        twin_x = twin.step(twin_x, twin_x)
    before = _state_bytes(opt)
    bad = x.copy()
    bad[-1] = 999.0
    with pytest.raises(RuntimeError, match="marker seen"):
        opt.step(x, bad)
    assert opt.t == 2
    assert _state_bytes(opt) == before
    assert_array_equal(opt.step(x, x), twin.step(twin_x, twin_x))
