"""Landscapes: gradients match finite differences, minima are minima, wrappers behave.

Every landscape is checked in batches (one call for many points), against central finite
differences, against a dense grid of its plotting domain, and, for the landscapes built
to tell a story (plateau cliff, drifting bowl, Himmelblau), against the story itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, AdaGrad, Adam, RMSProp
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import (
    LANDSCAPES,
    Beale,
    Booth,
    Drifting,
    Himmelblau,
    Landscape,
    MonkeySaddle,
    Noisy,
    PlateauCliff,
    Quadratic,
    Rastrigin,
    Rosenbrock,
    Saddle,
    get,
)

# (id, factory, t): every registry entry at t = 0, plus wrappers and variants at a fixed t
CASES = [(name, factory, 0) for name, factory in LANDSCAPES.items()] + [
    ("rastrigin 5-D", lambda: Rastrigin(dim=5, A=3.0), 0),
    ("rosenbrock a=-2 b=10", lambda: Rosenbrock(a=-2.0, b=10.0), 0),
    ("noisy rosenbrock sigma=0", lambda: Noisy(Rosenbrock(), sigma=0.0, seed=3), 7),
    ("drifting bowl", lambda: Drifting(), 37),
    ("drifting beale", lambda: Drifting(Beale(), velocity=(0.01, -0.02), horizon=100), 50),
    ("noisy drifting himmelblau sigma=0", lambda: Noisy(Drifting(Himmelblau()), 0.0), 5),
]
IDS = [c[0] for c in CASES]
REGISTRY = list(LANDSCAPES)


def _uniform_in(landscape: Landscape, shape: tuple[int, ...], seed: int) -> np.ndarray:
    low, high = np.array(landscape.domain).T
    return np.random.default_rng(seed).uniform(low, high, size=shape + (landscape.dim,))


def _finite_difference(f, x: np.ndarray) -> np.ndarray:
    """Central differences of a batched function, one batched call per coordinate."""
    columns = []
    for i in range(x.shape[-1]):
        h = 1e-6 * np.maximum(1.0, np.abs(x[..., i]))
        e = np.zeros_like(x)
        e[..., i] = h
        columns.append((f(x + e) - f(x - e)) / (2.0 * h))
    return np.stack(columns, axis=-1)


def _grid(landscape: Landscape, n: int = 401) -> np.ndarray:
    axes = [np.linspace(low, high, n) for low, high in landscape.domain]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)


# -- the contract ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", REGISTRY)
def test_registry_landscapes_have_the_documented_attributes(name):
    landscape = get(name)
    assert isinstance(landscape, Landscape)
    assert isinstance(landscape.name, str) and landscape.name
    assert isinstance(landscape.note, str) and len(landscape.note) > 20
    assert isinstance(landscape.dim, int) and landscape.dim >= 1
    assert landscape.minima.ndim == 2 and landscape.minima.shape[1] == landscape.dim
    assert landscape.start.shape == (landscape.dim,)
    assert len(landscape.domain) == landscape.dim
    assert all(low < high for low, high in landscape.domain)
    assert landscape.stochastic is False
    assert isinstance(landscape.log_scale, bool)
    x = _uniform_in(landscape, (4,), seed=1)
    assert_array_equal(landscape.value_at(x, 5), landscape.value(x))
    assert_array_equal(landscape.grad_at(x, 5), landscape.grad(x))


def test_log_scale_is_set_for_the_landscapes_spanning_decades():
    assert Rosenbrock().log_scale and Beale().log_scale
    assert not Quadratic().log_scale and not Booth().log_scale and not Saddle().log_scale


@pytest.mark.parametrize("name, factory, t", CASES, ids=IDS)
def test_gradient_matches_central_differences_at_random_points(name, factory, t):
    landscape = factory()
    x = _uniform_in(landscape, (300,), seed=sum(map(ord, name)))
    analytic = landscape.grad_at(x, t)  # one batched call
    numeric = _finite_difference(lambda p: landscape.value_at(p, t), x)
    scale = 1.0 + np.abs(landscape.value_at(x, t))[:, None]
    assert analytic.shape == x.shape
    assert np.all(np.abs(analytic - numeric) <= 1e-5 * np.abs(analytic) + 1e-7 * scale)


@pytest.mark.parametrize("name, factory, t", CASES, ids=IDS)
def test_batches_of_any_shape_give_the_same_numbers_as_single_points(name, factory, t):
    landscape = factory()
    x = _uniform_in(landscape, (3, 4), seed=2)
    values, grads = landscape.value_at(x, t), landscape.grad_at(x, t)
    assert values.shape == (3, 4) and grads.shape == (3, 4, landscape.dim)
    single_value, single_grad = landscape.value_at(x[1, 2], t), landscape.grad_at(x[1, 2], t)
    assert np.shape(single_value) == () and single_grad.shape == (landscape.dim,)
    assert_allclose(single_value, values[1, 2], rtol=1e-13)
    assert_allclose(single_grad, grads[1, 2], rtol=1e-13)
    assert_allclose(landscape.value_at(x.reshape(12, -1), t), values.reshape(12), rtol=1e-13)


@pytest.mark.parametrize("name", REGISTRY)
def test_minima_are_critical_points_with_the_lowest_value_on_a_dense_grid(name):
    landscape = get(name)
    if len(landscape.minima) == 0:
        pytest.skip("unbounded below: no minimum")
    assert_allclose(landscape.value(landscape.minima), landscape.min_value, rtol=0, atol=1e-12)
    assert np.all(np.abs(landscape.grad(landscape.minima)) < 1e-6)
    assert np.min(landscape.value(_grid(landscape))) >= landscape.min_value - 1e-9


@pytest.mark.parametrize("name, factory, t", CASES, ids=IDS)
def test_start_and_minima_lie_inside_the_domain(name, factory, t):
    landscape = factory()
    low, high = np.array(landscape.domain).T
    for point in [landscape.start, *landscape.minima]:
        assert np.all((low <= point) & (point <= high)), (point, landscape.domain)


def test_published_minima_and_values():
    assert_allclose(Rosenbrock(a=2.0, b=5.0).minima, [[2.0, 4.0]])
    assert_allclose(Beale().minima, [[3.0, 0.5]])
    assert_allclose(Booth().minima, [[1.0, 3.0]])
    assert_allclose(Rastrigin(dim=4).minima, np.zeros((1, 4)))
    assert_allclose(Rastrigin().value(np.array([1.0, 0.0])), 1.0)  # 1 - 10 cos(2 pi) + 10
    himmelblau = Himmelblau()
    expected = [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
    assert_allclose(himmelblau.minima, expected, atol=1e-6)
    assert np.all(np.abs(himmelblau.grad(himmelblau.minima)) < 1e-12)
    assert_allclose(himmelblau.value(himmelblau.minima), 0.0, atol=1e-25)


def test_points_with_the_wrong_last_axis_are_rejected():
    with pytest.raises(ValueError, match=r"Invalid x: shape \(3,\).*2-D"):
        Rosenbrock().value(np.zeros(3))
    with pytest.raises(ValueError, match="Invalid x"):
        Rastrigin(dim=3).grad(np.zeros((5, 2)))


# -- saddles ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [Saddle, MonkeySaddle])
def test_saddles_have_a_critical_point_at_the_origin_and_no_minimum(cls):
    landscape = cls()
    assert_array_equal(landscape.grad(np.zeros(2)), [0.0, 0.0])
    assert landscape.minima.shape == (0, 2)
    assert landscape.min_value == -np.inf
    assert np.min(landscape.value(_grid(landscape, 51))) < landscape.value(np.zeros(2))


def _hessian_at_origin(landscape: Landscape) -> np.ndarray:
    return _finite_difference(landscape.grad, np.zeros((2, 2)) + 0.0)[0]


def test_monkey_saddle_is_flat_at_the_origin_and_the_plain_saddle_is_not():
    assert np.all(np.abs(_hessian_at_origin(MonkeySaddle())) < 1e-6)
    assert_allclose(_hessian_at_origin(Saddle()), [[2.0, 0.0], [0.0, -2.0]], atol=1e-6)


def test_gradient_descent_escapes_the_saddle_by_a_constant_factor_per_step():
    saddle = Saddle()
    trajectory = run(SGD(lr=0.1), saddle, steps=30)
    t = np.arange(31)
    assert_allclose(trajectory.points[:, 0], 0.8**t * saddle.start[0], rtol=1e-12)
    assert_allclose(trajectory.points[:, 1], 1.2**t * saddle.start[1], rtol=1e-12)


# -- the plateau and the cliff ------------------------------------------------------------------
def test_plateau_is_nearly_flat_and_the_cliff_is_steep():
    landscape = PlateauCliff()
    x = np.linspace(landscape.domain[0][0], landscape.plateau_end, 200)
    y = np.linspace(-1.0, 1.0, 41)
    plateau = np.stack(np.meshgrid(x, y, indexing="ij"), axis=-1)
    g = landscape.grad(plateau)
    assert np.max(np.linalg.norm(g, axis=-1)) < 1e-2
    assert np.all((-1.3 * landscape.slope < g[..., 0]) & (g[..., 0] <= -landscape.slope))
    cliff = abs(landscape.grad(np.array([0.0, 0.0]))[0])
    assert_allclose(cliff, landscape.height / (2 * landscape.width), rtol=1e-3)
    assert cliff > 1000 * np.max(np.linalg.norm(g, axis=-1))
    # the documented minimum, found by bisection, is where the gradient vanishes
    assert_allclose(landscape.minima, [[0.40781, 0.0]], atol=1e-5)
    assert np.all(np.abs(landscape.grad(landscape.minima)) < 1e-12)


def test_plateau_cliff_sgd_crawls_then_is_flung_away_while_adam_walks_steadily():
    landscape = PlateauCliff()
    sgd = run(SGD(lr=5.0), landscape, steps=400)
    adam = run(Adam(lr=0.05), landscape, steps=400)
    low, high = np.array(landscape.domain).T

    # SGD: on the plateau it crawls at lr * slope per step (a tenth of Adam's pace) ...
    sgd_dx = np.diff(sgd.points[:, 0])
    assert_allclose(sgd_dx[:100], 5.0 * landscape.slope, rtol=0.05)
    # ... and at the cliff the same rate throws it far outside the picture,
    assert np.max(np.abs(sgd_dx)) > 1000 * 5.0 * landscape.slope
    assert np.any(np.abs(sgd.points) > 10 * np.abs(np.array(landscape.domain)).max())
    # ending higher than it started (the wall threw it back onto the plateau) or diverged
    assert sgd.diverged.item() or sgd.final_loss > sgd.losses[0]

    # Adam: every plateau step moves x by lr, and no step is much longer anywhere
    adam_dx = np.diff(adam.points[:, 0])
    on_plateau = adam.points[1:, 0] < landscape.plateau_end
    assert on_plateau.sum() > 20
    assert_allclose(adam_dx[on_plateau], 0.05, rtol=0.01)
    assert np.max(np.abs(np.diff(adam.points, axis=0))) < 1.5 * 0.05
    # it stays in the picture and settles at the bottom of the valley
    assert not adam.diverged.item()
    assert np.all((low <= adam.points) & (adam.points <= high))
    assert adam.final_loss - landscape.min_value < 1e-4


# -- Himmelblau: the optimizer decides the minimum -------------------------------------------
def test_himmelblau_gradient_descent_and_adam_end_in_different_minima():
    landscape = Himmelblau()
    sgd = run(SGD(lr=0.01), landscape, steps=800, record_state=False)
    adam = run(Adam(lr=0.1), landscape, steps=800, record_state=False)
    assert_allclose(sgd.points[-1], [-3.779310, -3.283186], atol=1e-3)
    assert_allclose(adam.points[-1], [-2.805118, 3.131312], atol=1e-3)


# -- Noisy --------------------------------------------------------------------------------------
def test_noisy_keeps_the_true_loss_and_the_wrapped_landscape_attributes():
    inner = Rosenbrock()
    noisy = Noisy(inner, sigma=0.1)
    x = _uniform_in(inner, (5,), seed=3)
    assert noisy.stochastic and not inner.stochastic
    assert noisy.name == "noisy rosenbrock (sigma=0.1)"
    assert_array_equal(noisy.value_at(x, 9), inner.value(x))
    assert_array_equal(noisy.value(x), inner.value(x))
    assert_array_equal(noisy.grad(x), inner.grad(x))  # grad without t is exact
    assert noisy.minima is inner.minima and noisy.start is inner.start
    assert noisy.domain == inner.domain and noisy.dim == inner.dim
    assert noisy.min_value == inner.min_value and noisy.log_scale
    assert Noisy(Quadratic([1.0, 4.0])).critical_lr == 0.5  # other attributes forwarded


def test_noisy_gradient_minus_its_noise_matches_finite_differences():
    noisy = Noisy(Beale(), sigma=0.3, seed=11)
    x = _uniform_in(noisy, (200,), seed=4)
    exact = noisy.grad_at(x, 12) - 0.3 * noisy.noise(x.shape, 12)
    numeric = _finite_difference(noisy.value, x)
    scale = 1.0 + np.abs(noisy.value(x))[:, None]
    assert np.all(np.abs(exact - numeric) <= 1e-5 * np.abs(exact) + 1e-7 * scale)


def test_noisy_gradients_are_reproducible_and_differ_by_step_seed_and_point():
    x = np.tile([0.5, -0.5], (6, 1))
    a, b = Noisy(Booth(), sigma=0.2, seed=1), Noisy(Booth(), sigma=0.2, seed=1)
    assert_array_equal(a.grad_at(x, 3), a.grad_at(x, 3))
    assert_array_equal(a.grad_at(x, 3), b.grad_at(x, 3))
    assert not np.any(a.grad_at(x, 3) == a.grad_at(x, 4))
    assert not np.any(a.grad_at(x, 3) == Noisy(Booth(), sigma=0.2, seed=2).grad_at(x, 3))
    g = a.grad_at(x, 3)
    assert len(np.unique(g[:, 0])) == 6  # every point of the batch has its own noise
    assert_array_equal(a.grad_at(x[:1], 3), g[:1])  # a point's noise: (seed, t, index)


def test_noisy_noise_has_mean_zero_and_standard_deviation_sigma():
    noisy = Noisy(Rosenbrock(), sigma=0.25, seed=5)
    x = np.array([0.3, 0.7])
    noise = np.array([noisy.grad_at(x, t) for t in range(1, 3001)]) - noisy.grad(x)
    assert np.all(np.abs(noise.mean(axis=0)) < 4 * 0.25 / np.sqrt(3000))
    assert_allclose(noise.std(axis=0), 0.25, rtol=0.05)
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.1


def test_relative_noise_scales_with_the_gradient_and_vanishes_at_the_minimum():
    noisy = Noisy(Booth(), sigma=0.5, relative=True)
    assert "relative" in noisy.name
    assert_array_equal(noisy.grad_at(noisy.minima, 4), [[0.0, 0.0]])
    x = np.array([[4.0, 4.0], [40.0, 40.0]])
    noise = noisy.grad_at(x, 4) - noisy.grad(x)
    expected = 0.5 * np.linalg.norm(noisy.grad(x), axis=-1, keepdims=True) * noisy.noise(
        x.shape, 4
    )
    assert_allclose(noise, expected, rtol=1e-12)


# -- Drifting -----------------------------------------------------------------------------------
def test_drifting_minimum_moves_in_a_straight_line_and_is_a_minimum_at_every_t():
    drifting = Drifting(velocity=(0.01, -0.005))
    assert_array_equal(drifting.minimum_at(0), drifting.minima)
    for t in [0, 1, 10, 250]:
        m = drifting.minimum_at(t)
        assert_allclose(m, [[0.01 * t, -0.005 * t]], rtol=1e-15, atol=0)
        assert_array_equal(drifting.grad_at(m, t), np.zeros((1, 2)))
        assert_allclose(drifting.value_at(m, t), drifting.min_value, atol=1e-30)
        if t > 0:  # the old minimum is no longer a critical point
            assert np.all(drifting.grad_at(drifting.minima, t) != 0)
    low, high = np.array(drifting.domain).T
    end = drifting.minimum_at(drifting.horizon)[0]
    assert np.all((low <= end) & (end <= high))


def test_drifting_a_wrapped_landscape_translates_it():
    beale = Beale()
    drifting = Drifting(beale, velocity=(0.02, 0.01))
    x = _uniform_in(beale, (20,), seed=6)
    shifted = x - np.array([0.02, 0.01]) * 30
    assert_allclose(drifting.value_at(x, 30), beale.value(shifted), rtol=1e-15)
    assert_allclose(drifting.grad_at(x, 30), beale.grad(shifted), rtol=1e-15)
    assert_array_equal(drifting.value(x), beale.value(x))
    m = drifting.minimum_at(40)
    assert np.all(np.abs(drifting.grad_at(m, 40)) < 1e-9)
    assert drifting.log_scale and not drifting.stochastic
    assert Drifting(Noisy(beale)).stochastic


def _lag_behind_drifting_minimum(optimizer, drifting: Drifting, steps: int) -> np.ndarray:
    x, lag = drifting.start, []
    for t in range(1, steps + 1):
        x = optimizer.step(x, drifting.grad_at(x, t))
        lag.append(np.linalg.norm(x - drifting.minimum_at(t)[0]))
    return np.array(lag)


def test_on_a_drifting_bowl_rmsprop_keeps_up_while_adagrad_falls_behind():
    drifting = Drifting()
    adagrad = _lag_behind_drifting_minimum(AdaGrad(lr=0.1), drifting, 1000)
    rmsprop = _lag_behind_drifting_minimum(RMSProp(lr=0.01), drifting, 1000)
    # RMSProp settles at a constant lag; AdaGrad's lag keeps growing (its steps ~ lr/sqrt(t))
    assert_allclose(rmsprop[[299, 599, 999]], rmsprop[199], rtol=0.01)
    assert rmsprop[999] < 0.1
    assert adagrad[999] > 2 * adagrad[499] > 4 * adagrad[199]
    assert adagrad[999] > 10 * rmsprop[999]


# -- registry and argument checks --------------------------------------------------------------
def test_registry_names_and_get():
    assert all(name == name.lower() for name in LANDSCAPES)
    assert isinstance(get("rosenbrock"), Rosenbrock)
    assert isinstance(get("  Monkey_Saddle "), MonkeySaddle)
    assert get("booth") is not get("booth")  # a fresh instance each time
    rotated = get("rotated quadratic")
    assert_allclose(rotated.curvatures, [1.0, 50.0])
    assert_allclose(rotated.angle, np.pi / 6)
    assert get("ill-conditioned quadratic").angle == 0.0


def test_get_an_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'nope'") as info:
        get("nope")
    for name in LANDSCAPES:
        assert repr(name) in str(info.value)
    with pytest.raises(ValueError, match="Unknown landscape"):
        get(["rosenbrock"])


@pytest.mark.parametrize(
    "build, argument, shown",
    [
        (lambda: Rosenbrock(b=0.0), "b", "0.0"),
        (lambda: Rosenbrock(b=-100), "b", "-100"),
        (lambda: Rosenbrock(a=float("nan")), "a", "nan"),
        (lambda: Rosenbrock(a="1"), "a", "'1'"),
        (lambda: Rosenbrock(b=10**400), "b", "1000000"),
        (lambda: Rastrigin(dim=0), "dim", "0"),
        (lambda: Rastrigin(dim=2.0), "dim", "2.0"),
        (lambda: Rastrigin(dim=True), "dim", "True"),
        (lambda: Rastrigin(A=-1.0), "A", "-1.0"),
        (lambda: PlateauCliff(width=0), "width", "0"),
        (lambda: PlateauCliff(slope=-1e-3), "slope", "-0.001"),
        (lambda: Noisy(Booth(), sigma=-0.1), "sigma", "-0.1"),
        (lambda: Noisy(Booth(), seed=-1), "seed", "-1"),
        (lambda: Noisy(Booth(), relative="yes"), "relative", "'yes'"),
        (lambda: Noisy("booth"), "landscape", "'booth'"),
        (lambda: Noisy(Booth()).grad_at(np.zeros(2), -1), "t", "-1"),
        (lambda: Noisy(Booth()).grad_at(np.zeros(2), 1.5), "t", "1.5"),
        (lambda: Drifting(velocity=(1.0, 2.0, 3.0)), "velocity", "(1.0, 2.0, 3.0)"),
        (lambda: Drifting(velocity=(np.inf, 0.0)), "velocity", "inf"),
        (lambda: Drifting(horizon=-5), "horizon", "-5"),
        (lambda: Drifting(landscape=3), "landscape", "3"),
    ],
)
def test_invalid_arguments_raise_value_error_naming_argument_and_value(build, argument, shown):
    with pytest.raises(ValueError) as info:
        build()
    message = str(info.value)
    assert message.startswith(f"Invalid {argument}: ")
    assert shown in message
