"""The step() contract: structures in and out, inspectable state, reset, no mutation.

Also the base class as a learner uses it: a small optimizer written from
``alr_teach.Optimizer`` with only ``init_state`` and ``update``.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import alr_teach
from alr_teach import SGD, AdaDelta, AdaGrad, Adam, AdamW, Optimizer, RMSProp

# (id, factory, state names the spec requires)
CONFIGS = [
    ("SGD", lambda: SGD(lr=0.1), None),  # the spec names no state for plain SGD
    ("SGD-momentum", lambda: SGD(lr=0.1, momentum=0.9, dampening=0.2), {"velocity"}),
    (
        "SGD-nesterov-wd",
        lambda: SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
        {"velocity"},
    ),
    (
        "AdaGrad",
        lambda: AdaGrad(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1),
        {"sum_sq"},
    ),
    ("RMSProp", lambda: RMSProp(lr=0.01), {"sq_avg"}),
    ("RMSProp-centered", lambda: RMSProp(lr=0.01, centered=True), {"sq_avg", "grad_avg"}),
    ("RMSProp-momentum", lambda: RMSProp(lr=0.01, momentum=0.5), {"sq_avg", "velocity"}),
    (
        "RMSProp-centered-momentum",
        lambda: RMSProp(lr=0.01, alpha=0.9, centered=True, momentum=0.5, weight_decay=0.1),
        {"sq_avg", "grad_avg", "velocity"},
    ),
    ("Adam", lambda: Adam(lr=0.01, weight_decay=0.1), {"m", "v"}),
    ("Adam-amsgrad", lambda: Adam(lr=0.01, amsgrad=True), {"m", "v", "v_max"}),
    ("AdamW", lambda: AdamW(lr=0.01, weight_decay=0.1), {"m", "v"}),
    ("AdamW-amsgrad", lambda: AdamW(lr=0.01, amsgrad=True), {"m", "v", "v_max"}),
    ("AdaDelta", lambda: AdaDelta(weight_decay=0.1), {"sq_avg", "acc_delta"}),
]
IDS = [c[0] for c in CONFIGS]
FACTORIES = [c[1] for c in CONFIGS]
STATEFUL = [(c[1], c[2]) for c in CONFIGS if c[2]]
STATEFUL_IDS = [c[0] for c in CONFIGS if c[2]]

RNG = np.random.default_rng(20240611)
SHAPES = [(), (3,), (2, 3), (2, 1, 3)]


def _arrays(shapes, scale=1.0):
    return [scale * RNG.standard_normal(s) for s in shapes]


def _grads_for(xs):
    """A deterministic gradient that differs from the params (quadratic plus offset)."""
    return [x * 1.5 + 0.25 for x in xs]


def _snapshot(arrays):
    return [(a.dtype, a.shape, a.tobytes()) for a in arrays]


def _state_snapshot(opt):
    return {
        name: _snapshot(value if isinstance(value, (list, tuple)) else [value])
        for name, value in opt.state.items()
    }


# -- structures in and out ------------------------------------------------------------
@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
@pytest.mark.parametrize("form", ["array", "list", "tuple"])
def test_step_returns_the_structure_it_was_given(factory, form):
    """array -> array, list -> list, tuple -> tuple, same shapes, several steps."""
    opt = factory()
    xs = _arrays(SHAPES)
    if form == "array":
        params = xs[2]
        for _ in range(3):
            params = opt.step(params, params * 2.0)
            assert type(params) is np.ndarray
            assert params.shape == SHAPES[2]
            assert params.dtype == np.float64
        return
    container = list if form == "list" else tuple
    params = container(xs)
    for _ in range(3):
        params = opt.step(params, container(_grads_for(params)))
        assert type(params) is container
        assert [p.shape for p in params] == SHAPES
        assert all(type(p) is np.ndarray for p in params)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_single_array_of_any_dimension(shape):
    """0-d to 3-d single arrays are stepped element-wise (checked against x - lr*g)."""
    x = RNG.standard_normal(shape)
    g = RNG.standard_normal(shape)
    new = SGD(lr=0.5).step(x, g)
    assert new.shape == shape
    assert_allclose(new, x - 0.5 * g, rtol=1e-15)


def test_list_params_are_stepped_independently():
    """Each array of a list gets its own update and its own state."""
    a, b = np.array([1.0, -1.0]), np.array([[2.0], [0.0]])
    ga, gb = np.array([0.5, 0.5]), np.array([[-3.0], [1.0]])
    opt = AdaGrad(lr=0.1, eps=1e-10)
    new_a, new_b = opt.step([a, b], [ga, gb])
    assert_allclose(new_a, a - 0.1 * np.sign(ga), rtol=1e-9)
    assert_allclose(new_b, b - 0.1 * np.sign(gb), rtol=1e-9)
    assert_allclose(opt.state["sum_sq"][0], ga**2)
    assert_allclose(opt.state["sum_sq"][1], gb**2)


def test_integer_arrays_are_accepted_as_float64():
    """Integer params and grads are converted to float64 and give the float result."""
    opt_int, opt_float = Adam(lr=0.1), Adam(lr=0.1)
    xi, gi = np.array([1, -2, 3]), np.array([2, 0, -1], dtype=np.int32)
    new_int = opt_int.step([xi, np.array(5, dtype=np.uint8)], [gi, np.array(1)])
    new_float = opt_float.step([xi.astype(float), np.array(5.0)], [gi.astype(float), np.array(1.0)])
    assert all(a.dtype == np.float64 for a in new_int)
    for a, b in zip(new_int, new_float, strict=True):
        assert_array_equal(a, b)
    assert opt_int.state["m"][0].dtype == np.float64


# -- no mutation, no aliasing ---------------------------------------------------------
@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
def test_arguments_are_never_modified(factory):
    """params and grads (list and single array) are bit-identical after every step."""
    opt = factory()
    params = _arrays([(3,), (2, 2)])
    for _ in range(4):
        grads = _grads_for(params)
        before = _snapshot(params) + _snapshot(grads)
        new = opt.step(params, grads)
        assert _snapshot(params) + _snapshot(grads) == before
        params = new
    single = factory()
    x = RNG.standard_normal((2, 3))
    for _ in range(4):
        g = x * 2.0 - 1.0
        before = _snapshot([x, g])
        new = single.step(x, g)
        assert _snapshot([x, g]) == before
        x = new


@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
def test_int_arguments_are_never_modified(factory):
    """Integer inputs stay integer arrays with the same values (the copy is internal)."""
    x, g = np.array([3, -1, 2]), np.array([1, 1, -2])
    before = _snapshot([x, g])
    factory().step(x, g)
    assert _snapshot([x, g]) == before


def test_sgd_momentum_velocity_does_not_alias_caller_grads():
    """After step 1 (b_1 = g_1) mutating the caller's grads must not change the velocity."""
    opt = SGD(lr=0.1, momentum=0.9)
    x, g = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    opt.step(x, g)
    g[:] = 1e6
    assert_array_equal(opt.state["velocity"], [0.5, -0.5])
    opt_list = SGD(lr=0.1, momentum=0.9)
    gl = [np.array([0.5, -0.5]), np.array(3.0)]
    opt_list.step([x, np.array(1.0)], gl)
    gl[0][:] = 7.0
    gl[1][...] = 7.0
    assert_array_equal(opt_list.state["velocity"][0], [0.5, -0.5])
    assert opt_list.state["velocity"][1] == 3.0


@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
def test_state_is_independent_of_caller_and_returned_arrays(factory):
    """Mutating params, grads or the returned arrays in place changes neither state nor
    the next step (compared with a twin optimizer whose arrays were left alone)."""
    opt, twin = factory(), factory()
    params = _arrays([(3,), (2, 2)])
    twin_params = [p.copy() for p in params]
    for _ in range(3):
        grads = _grads_for(params)
        new = opt.step(params, grads)
        twin_params = twin.step(twin_params, [g.copy() for g in grads])
        state_before = _state_snapshot(opt)
        saved = [p.copy() for p in new]
        for arr in [*params, *grads, *new]:
            arr[...] = -123.0
        assert _state_snapshot(opt) == state_before
        params = saved
    assert_array_equal(params[0], twin_params[0])
    nxt = opt.step(params, _grads_for(params))
    twin_nxt = twin.step(twin_params, _grads_for(twin_params))
    for a, b in zip(nxt, twin_nxt, strict=True):
        assert_array_equal(a, b)


# -- inspectable state ----------------------------------------------------------------
@pytest.mark.parametrize(("factory", "names"), STATEFUL, ids=STATEFUL_IDS)
def test_state_names_and_shapes(factory, names):
    """opt.state uses the documented names, arrays shaped like params, lists for lists."""
    opt = factory()
    assert opt.state == {}
    assert opt.t == 0
    x = RNG.standard_normal((2, 3))
    opt.step(x, x)
    assert set(opt.state) == names
    for value in opt.state.values():
        assert isinstance(value, np.ndarray)
        assert value.shape == (2, 3)
    opt_list = factory()
    shapes = [(3,), (), (2, 2)]
    params = _arrays(shapes)
    opt_list.step(params, _grads_for(params))
    assert set(opt_list.state) == names
    for value in opt_list.state.values():
        assert isinstance(value, list)
        assert [v.shape for v in value] == shapes


@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
def test_t_counts_steps(factory):
    """opt.t is the number of steps taken."""
    opt = factory()
    x = np.array([1.0, -1.0])
    for t in range(1, 5):
        x = opt.step(x, x)
        assert opt.t == t


@pytest.mark.parametrize(("factory", "names"), STATEFUL, ids=STATEFUL_IDS)
def test_state_returns_copies(factory, names):
    """Mutating what opt.state returned (arrays or the list) changes nothing."""
    opt, twin = factory(), factory()
    params = _arrays([(3,), (2,)])
    for _ in range(2):
        grads = _grads_for(params)
        twin.step(params, grads)
        params = opt.step(params, grads)
    before = _state_snapshot(opt)
    state = opt.state
    for value in state.values():
        value[0][...] = 99.0
        value[1] = np.zeros(7)
        value.append(np.ones(1))
    single = factory()
    x = np.array([1.0, 2.0])
    single.step(x, x)
    single_before = _state_snapshot(single)
    for value in single.state.values():
        value[...] = -5.0
    assert _state_snapshot(single) == single_before
    assert _state_snapshot(opt) == before
    a = opt.step(params, _grads_for(params))
    b = twin.step(params, _grads_for(params))
    for u, v in zip(a, b, strict=True):
        assert_array_equal(u, v)


def test_state_copies_are_fresh_each_time():
    """Two reads of opt.state give distinct arrays (history lists stay valid)."""
    opt = Adam(lr=0.1)
    x = np.array([1.0, -1.0])
    history = []
    for _ in range(3):
        x = opt.step(x, x)
        history.append(opt.state["m"])
    assert history[0] is not history[1]
    assert not np.array_equal(history[0], history[2])
    assert_allclose(history[0], 0.1 * np.array([1.0, -1.0]))


# -- reset ----------------------------------------------------------------------------
@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
def test_reset_starts_over(factory):
    """reset(): t = 0, state {}, a new structure is accepted, and it behaves as new."""
    opt = factory()
    params = _arrays([(3,), (2, 2)])
    for _ in range(3):
        params = opt.step(params, _grads_for(params))
    opt.reset()
    assert opt.t == 0
    assert opt.state == {}
    x = RNG.standard_normal((4, 1))
    fresh = factory()
    a, b = x, x
    for _ in range(3):
        a = opt.step(a, a + 1.0)
        b = fresh.step(b, b + 1.0)
        assert_array_equal(a, b)
    assert opt.t == 3
    assert _state_snapshot(opt) == _state_snapshot(fresh)


def test_structure_change_is_rejected_without_reset():
    """Without reset() a new params structure is an error (so reset is what allows it)."""
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step([np.ones(3)], [np.ones(3)])
    with pytest.raises(ValueError):
        opt.step(np.ones(3), np.ones(3))
    opt.reset()
    assert_allclose(opt.step(np.ones(3), np.ones(3)), np.full(3, 0.9))


# -- large arrays (element-wise rules may process them in slices) ----------------------
def _large_size(opt):
    """Big enough for the slice-by-slice path (2 * chunk_size), and not a multiple of it."""
    chunk = getattr(type(opt), "chunk_size", 2**14)
    return 2 * chunk + chunk // 2 + 7, chunk


@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
def test_large_array_equals_its_pieces(factory):
    """A large array gives exactly what stepping its pieces (as a list) gives, for params
    and state, through 3 steps; the inputs stay untouched."""
    big_opt, pieces_opt = factory(), factory()
    n, chunk = _large_size(big_opt)
    x0 = np.random.default_rng(5).uniform(-3, 3, n)
    cuts = list(range(chunk, n, chunk))
    big, pieces = x0, np.split(x0, cuts)
    for _ in range(3):
        g_big = 1.5 * big - 0.5
        before = g_big.tobytes(), big.tobytes()
        new_big = big_opt.step(big, g_big)
        assert (g_big.tobytes(), big.tobytes()) == before
        big = new_big
        pieces = pieces_opt.step(pieces, [1.5 * p - 0.5 for p in pieces])
    assert_array_equal(big, np.concatenate(pieces))
    for name, value in pieces_opt.state.items():
        assert_array_equal(big_opt.state[name], np.concatenate(value))


@pytest.mark.parametrize("factory", FACTORIES, ids=IDS)
def test_large_transposed_float32_array(factory):
    """A non-contiguous (transposed) large float32 array keeps its layout of values and dtype."""
    opt, ref = factory(), factory()
    n, _ = _large_size(opt)
    rows = n // 7
    x = np.random.default_rng(6).uniform(-3, 3, (rows, 7)).astype(np.float32)
    new_t = opt.step(x.T, (2 * x).T)
    new = ref.step(np.ascontiguousarray(x.T), np.ascontiguousarray((2 * x).T))
    assert new_t.dtype == np.float32 and new_t.shape == (7, rows)
    assert_array_equal(new_t, new)
    for value in opt.state.values():
        assert value.dtype == np.float32


@pytest.mark.parametrize(("factory", "names"), STATEFUL, ids=STATEFUL_IDS)
def test_large_array_state_does_not_alias_inputs(factory, names):
    """Mutating a large params/grads/result in place leaves the state alone."""
    opt = factory()
    n, _ = _large_size(opt)
    x = np.linspace(-1, 1, n)
    g = x + 0.5
    new = opt.step(x, g)
    before = _state_snapshot(opt)
    for arr in (x, g, new):
        arr[...] = 7.0
    assert _state_snapshot(opt) == before


# -- attributes and repr --------------------------------------------------------------
def test_hyperparameters_read_as_attributes():
    """opt.lr and friends return the constructor's values; opt.betas is Adam's pair."""
    opt = SGD(lr=0.25, momentum=0.5, dampening=0.1, weight_decay=0.01)
    assert (opt.lr, opt.momentum, opt.dampening, opt.weight_decay) == (0.25, 0.5, 0.1, 0.01)
    adam = Adam(lr=0.003, betas=(0.8, 0.95))
    assert adam.betas == (0.8, 0.95)
    assert adam.lr == 0.003
    assert AdamW().betas == (0.9, 0.999)
    assert RMSProp(alpha=0.7).alpha == 0.7
    assert AdaDelta(rho=0.8).rho == 0.8
    lr = np.array([0.1, 0.2])
    assert_array_equal(SGD(lr=lr).lr, lr)
    with pytest.raises(AttributeError):
        _ = opt.no_such_hyperparameter


@pytest.mark.parametrize(
    ("opt", "expected"),
    [
        (SGD(lr=0.25, momentum=0.5), ["SGD(", "lr=0.25", "momentum=0.5", "nesterov=False"]),
        (AdaGrad(lr=0.5, lr_decay=0.125), ["AdaGrad(", "lr=0.5", "lr_decay=0.125", "eps=1e-10"]),
        (RMSProp(alpha=0.75, centered=True), ["RMSProp(", "alpha=0.75", "centered=True"]),
        (Adam(lr=0.003, betas=(0.8, 0.95)), ["Adam(", "lr=0.003", "0.8", "0.95", "amsgrad="]),
        (AdamW(weight_decay=0.5), ["AdamW(", "weight_decay=0.5"]),
        (AdaDelta(rho=0.75), ["AdaDelta(", "rho=0.75", "lr=1"]),
        (SGD(lr=np.full(4, 0.1)), ["SGD(", "lr=", "(4,)"]),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Optimizer) else "",
)
def test_repr_names_class_and_hyperparameters(opt, expected):
    """repr shows the class and each hyperparameter with its value."""
    text = repr(opt)
    assert text.startswith(expected[0])
    for part in expected[1:]:
        assert part in text, text


# -- a learner's optimizer from the base class ----------------------------------------
class SignSGD(Optimizer):
    """x <- x - lr * sign(g)."""

    def __init__(self, lr=0.1):
        super().__init__(lr=lr)

    def init_state(self, x, h):
        return {}

    def update(self, x, g, s, h, t):
        return x - h.lr * np.sign(g)


class SignMomentum(Optimizer):
    """Signum: m <- beta m + (1 - beta) g; x <- x - lr * sign(m); keeps one state array."""

    def __init__(self, lr=0.1, beta=0.5):
        super().__init__(lr=lr, beta=beta)

    def init_state(self, x, h):
        return {"m": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        s.m = h.beta * s.m + (1 - h.beta) * g
        return x - h.lr * np.sign(s.m)


class WrongShape(Optimizer):
    """Returns a flattened, padded array: not the parameter's shape."""

    def __init__(self, lr=0.1):
        super().__init__(lr=lr)

    def init_state(self, x, h):
        return {}

    def update(self, x, g, s, h, t):
        return np.append(np.ravel(x), 0.0)


def test_custom_sign_descent_single_array():
    """A two-method subclass runs end to end (values checked by hand)."""
    opt = SignSGD(lr=0.5)
    x = np.array([3.0, -0.2, 0.0])
    x = opt.step(x, 2 * x)
    assert_allclose(x, [2.5, 0.3, 0.0])
    x = opt.step(x, 2 * x)
    assert_allclose(x, [2.0, -0.2, 0.0])
    assert opt.t == 2
    assert opt.state == {}
    assert opt.lr == 0.5
    assert repr(opt).startswith("SignSGD(") and "lr=0.5" in repr(opt)


def test_custom_optimizer_list_params_and_state():
    """Custom state is kept per array, exposed by name as a list, and reset clears it."""
    opt = SignMomentum(lr=0.1, beta=0.5)
    a, b = np.array([1.0, -1.0]), np.array([[2.0]])
    ga, gb = np.array([1.0, -4.0]), np.array([[-2.0]])
    new_a, new_b = opt.step((a, b), (ga, gb))
    assert_allclose(new_a, [0.9, -0.9])
    assert_allclose(new_b, [[2.1]])
    assert_allclose(opt.state["m"][0], [0.5, -2.0])
    assert_allclose(opt.state["m"][1], [[-1.0]])
    # second step: m = 0.5 m + 0.5 g' flips sign of the first coordinate
    new2 = opt.step((new_a, new_b), (np.array([-3.0, 0.0]), np.array([[0.0]])))
    assert_allclose(new2[0], [1.0, -0.8])  # m = [-1.25, -1.0]
    assert_allclose(new2[1], [[2.2]])  # m = [[-0.5]]
    opt.reset()
    assert opt.t == 0 and opt.state == {}


def test_custom_optimizer_with_array_hyperparameters():
    """A sweep axis on a custom optimizer's lr: each row uses its own rate."""
    lrs = np.array([0.0, 0.1, 1.0])
    for lr in (lrs, lrs[:, None]):
        opt = SignSGD(lr=lr)
        x = np.array([[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]])
        new = opt.step(x, x)
        assert_allclose(new, [[1.0, -1.0], [0.9, -0.9], [0.0, 0.0]])
    opt = SignMomentum(lr=lrs, beta=np.array([0.0, 0.5, 0.9]))
    new_x, new_v = opt.step([np.ones((3, 2)), np.ones(3)], [np.ones((3, 2)), -np.ones(3)])
    assert_allclose(new_x, np.ones((3, 2)) - lrs[:, None])
    assert_allclose(new_v, np.ones(3) + lrs)
    assert_allclose(opt.state["m"][0][:, 0], [1.0, 0.5, 0.1])


class ElementwiseScalar(Optimizer):
    """Returns one number instead of an array."""

    def __init__(self, lr=0.1):
        super().__init__(lr=lr)

    def init_state(self, x, h):
        return {}

    def update(self, x, g, s, h, t):
        return np.float64(np.sum(x - h.lr * g))


class ElementwiseShort(ElementwiseScalar):
    """Drops the last element."""

    def update(self, x, g, s, h, t):
        return (x - h.lr * g)[:-1]


@pytest.mark.parametrize(
    ("cls", "size"),
    [
        (ElementwiseScalar, "small"),
        # failed at a2d112d, when large arrays were updated in slices (since removed)
        (ElementwiseScalar, "large"),
        (ElementwiseShort, "small"),
        (ElementwiseShort, "large"),
    ],
    ids=["scalar-small", "scalar-large", "short-small", "short-large"],
)
def test_update_of_the_wrong_shape_raises_at_any_size(cls, size):
    """The shape check holds on small and large arrays alike."""
    opt = cls()
    n = 10 if size == "small" else _large_size(opt)[0]
    if size == "small":
        with pytest.raises(ValueError, match=cls.__name__):
            opt.step(np.ones(n), np.ones(n))
    else:
        try:
            opt.step(np.ones(n), np.ones(n))
        except ValueError:
            pass
        else:
            raise AssertionError(f"{cls.__name__}.update returned a wrong shape silently")
    assert opt.t == 0 and opt.state == {}


def test_custom_update_with_wrong_shape_raises():
    """update returning the wrong shape is a ValueError naming the class and the shapes."""
    opt = WrongShape()
    with pytest.raises(ValueError, match=r"WrongShape.*\(7,\).*\(2, 3\)"):
        opt.step(np.ones((2, 3)), np.ones((2, 3)))
    assert opt.t == 0
    assert opt.state == {}


def test_base_class_exported():
    """Optimizer is importable from the package top level."""
    assert alr_teach.Optimizer is Optimizer
    assert issubclass(Adam, alr_teach.Optimizer)
