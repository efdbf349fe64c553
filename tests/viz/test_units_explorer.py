"""Rescaled landscapes and the units explorer, driven headlessly."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from alr_teach import AdaDelta, Adam, RMSProp
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Noisy, PlateauCliff, Quadratic, Rosenbrock
from alr_teach.viz.explorers.units import (
    DEFAULTS,
    LANDSCAPES,
    RMSPROP_LR,
    RUN_NAMES,
    Rescaled,
    UnitsExplorer,
    deviation,
    in_original_units,
    steps_to_tol,
)

BOWL = Quadratic([1.0, 10.0], angle=np.pi / 6, start=[1.0, 1.0])


# -- Rescaled -----------------------------------------------------------------------------
@pytest.mark.parametrize("base", [BOWL, Rosenbrock(), PlateauCliff()], ids=lambda b: b.name)
@pytest.mark.parametrize("c, s", [(10.0, 1.0), (0.01, 1.0), (3.0, 9.0)])
def test_rescaled_is_the_same_function_in_other_units(base, c, s):
    scaled = Rescaled(base, c, loss_scale=s)
    points = np.random.default_rng(0).uniform(-1.5, 1.5, size=(7, 2))
    assert_allclose(scaled.value(c * points), s * base.value(points), rtol=1e-12)
    assert_allclose(scaled.grad(c * points), s / c * base.grad(points), rtol=1e-12)
    assert_allclose(scaled.start, c * base.start)
    assert_allclose(scaled.minima, c * base.minima)
    assert scaled.min_value == pytest.approx(s * base.min_value)
    assert scaled.domain[0] == pytest.approx((c * base.domain[0][0], c * base.domain[0][1]))


def test_rescaled_gradient_matches_finite_differences():
    scaled = Rescaled(Rosenbrock(), 5.0)
    x, h = np.array([-3.0, 4.0]), 1e-5
    numeric = [(scaled.value(x + h * e) - scaled.value(x - h * e)) / (2 * h) for e in np.eye(2)]
    assert_allclose(scaled.grad(x), numeric, rtol=1e-6)


def test_a_batch_of_scales_runs_as_the_scales_one_by_one():
    scales = np.array([0.1, 1.0, 10.0])
    batch = run(RMSProp(lr=0.01 * scales), Rescaled(BOWL, scales), steps=50)
    assert batch.points.shape == (51, 3, 2)
    for i, c in enumerate(scales):
        alone = run(RMSProp(lr=0.01 * c), Rescaled(BOWL, c), steps=50)
        assert_allclose(batch.points[:, i], alone.points, rtol=1e-13, atol=1e-300)
    assert Rescaled(BOWL, scales).minima.shape == (1, 3, 2)


def test_noisy_gradients_are_rescaled_too():
    noisy = Noisy(BOWL, sigma=0.5, seed=1)
    scaled = Rescaled(noisy, 4.0)
    x = np.array([0.3, -0.2])
    assert_allclose(scaled.grad_at(4.0 * x, 7), noisy.grad_at(x, 7) / 4.0, rtol=1e-12)
    assert scaled.stochastic


@pytest.mark.parametrize("c", [0.125, 8.0, 64.0])  # powers of two: rescaling is exact in floats
def test_adadelta_in_other_units_is_adadelta_with_eps_over_c_squared(c):
    """AdaDelta(eps) on c^2 f(x / c) is c times AdaDelta(eps / c^2) on f: sqrt(eps) is a length."""
    for base in (BOWL, Rosenbrock()):
        scaled = run(AdaDelta(eps=1e-6), Rescaled(base, c, loss_scale=c * c), steps=300)
        plain = run(AdaDelta(eps=1e-6 / c**2), base, steps=300)
        assert_allclose(scaled.points / c, plain.points, rtol=1e-12, atol=1e-15)


def test_adam_follows_the_units_only_when_its_rate_does():
    scaled = in_original_units(run(Adam(lr=0.05 * 8.0), Rescaled(BOWL, 8.0), steps=200), 8.0)
    same_rate = in_original_units(run(Adam(lr=0.05), Rescaled(BOWL, 8.0), steps=200), 8.0)
    reference = run(Adam(lr=0.05), BOWL, steps=200)
    assert deviation(scaled, reference, BOWL) < 1e-6
    assert deviation(same_rate, reference, BOWL) > 0.5


def test_deviation_and_steps_to_tol_on_simple_cases():
    reference = run(Adam(lr=0.05), BOWL, steps=100)
    assert deviation(reference, reference, BOWL) == 0.0
    assert steps_to_tol(reference, 0.0, tol=np.inf) == 0
    assert steps_to_tol(reference, 0.0, tol=-1.0) == -1
    diverged = run(Adam(lr=1e9), BOWL, steps=20)
    assert deviation(diverged, reference.__class__(
        reference.points[:21], reference.losses[:21], reference.grads[:20],
        reference.diverged_at), BOWL) == np.inf


@pytest.mark.parametrize("kwargs, message", [({"scale": 0.0}, "scale"),
                                             ({"scale": [1.0, -2.0]}, "scale"),
                                             ({"loss_scale": np.nan}, "loss_scale")])
def test_rescaled_rejects_bad_scales(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Rescaled(BOWL, **kwargs)
    with pytest.raises(ValueError, match="Landscape"):
        Rescaled("bowl")


# -- the explorer -------------------------------------------------------------------------
@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return UnitsExplorer(steps=200)


def test_defaults_are_torch_settings_on_the_tilted_bowl(explorer):
    assert {k: DEFAULTS[k] for k in ("rho", "eps", "scale")} == {"rho": 0.9, "eps": 1e-6,
                                                                  "scale": 1.0}
    assert explorer.landscape.name == LANDSCAPES["quadratic"]().name
    assert list(explorer.summary["final_loss"]) == list(RUN_NAMES)


def test_at_scale_one_both_pairs_of_paths_coincide(explorer):
    summary = explorer.update(scale=1.0)
    assert summary["deviation"] == {name: 0.0 for name in RUN_NAMES}
    steps = summary["steps_to_tol"]
    assert steps[RUN_NAMES[0]] == steps[RUN_NAMES[1]]


def test_summary_and_lines_show_the_runs_of_the_current_settings(explorer):
    summary = explorer.update(scale=10.0, rho=0.95, eps=1e-7)
    direct = run(AdaDelta(rho=0.95, eps=1e-7), Rescaled(BOWL, 10.0), steps=200)
    rms = run(RMSProp(lr=RMSPROP_LR), Rescaled(BOWL, 10.0), steps=200)
    assert summary["final_loss"][RUN_NAMES[0]] == pytest.approx(float(direct.final_loss),
                                                                rel=1e-12)
    assert summary["final_loss"][RUN_NAMES[2]] == pytest.approx(float(rms.final_loss), rel=1e-12)
    a = explorer.view
    assert_allclose(a["paths"][0].get_xdata(), direct.points[:, 0] / 10.0)
    sizes = np.max(np.abs(np.diff(direct.points, axis=0)), axis=-1) / 10.0
    assert_allclose(a["step_lines"][0].get_ydata(), sizes)
    assert summary["first_step"] == pytest.approx(np.max(np.abs(direct.points[1] -
                                                                direct.points[0])))
    assert a["first"].get_ydata()[0] == pytest.approx(np.sqrt(1e-7 / 0.05) / 10.0)
    assert summary["adadelta"] == "AdaDelta(lr=1, ρ=0.95, ε=1e-07)"
    explorer.update(scale=1.0, rho=0.9, eps=1e-6)


def test_the_first_step_is_sqrt_eps_over_one_minus_rho_whatever_the_scale(explorer):
    for c in (0.01, 1.0, 100.0):
        summary = explorer.update(scale=c)
        g = np.abs(Rescaled(BOWL, c).grad(c * BOWL.start))
        derived = np.max(np.sqrt(1e-6) * g / np.sqrt(0.1 * g * g + 1e-6))
        assert summary["first_step"] == pytest.approx(derived, rel=1e-9)
        assert 0.9 * summary["first_step_bound"] < summary["first_step"]
        assert summary["first_step"] < summary["first_step_bound"]
    explorer.update(scale=1.0)


def test_neither_method_follows_a_change_of_units(explorer):
    summary = explorer.update(scale=100.0)
    assert summary["deviation"][RUN_NAMES[0]] > 0.5
    assert summary["deviation"][RUN_NAMES[2]] > 0.5
    explorer.update(scale=1.0)


def test_updates_move_lines_without_piling_up_artists(explorer):
    a = explorer.view
    count = [len(a[k].lines) for k in ("map", "step", "loss")]
    explorer.update(steps=300, scale=3.0)
    assert [len(a[k].lines) for k in ("map", "step", "loss")] == count
    assert len(a["step_lines"][0].get_xdata()) == 300
    low, high = a["step"].get_ylim()
    assert low <= np.sqrt(1e-6 / 0.1) / 3.0 <= high
    explorer.update(steps=200, scale=1.0)


def test_changing_the_landscape_redraws_the_map():
    explorer = UnitsExplorer(steps=50)
    explorer.update(landscape="rosenbrock")
    assert "rosenbrock" in explorer.view["map"].get_title()
    assert explorer.view["paths"][1].get_xdata()[0] == pytest.approx(-1.5)
    assert len(explorer.fig.axes) == 3


@pytest.mark.parametrize("changes, message", [({"lr": 0.1}, "lr"), ({"steps": 0}, "steps"),
                                              ({"landscape": "beale"}, "beale"),
                                              ({"scale": -1.0}, "scale"), ({"rho": 1.0}, "rho"),
                                              ({"eps": 0.0}, "eps")])
def test_unknown_or_invalid_settings_are_rejected_by_name(explorer, changes, message):
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)


def test_sliders_drive_it_headlessly(explorer):
    box = explorer.widget()
    controls = explorer.controls
    assert set(controls) == set(DEFAULTS)
    assert all(c.continuous_update is False for n, c in controls.items() if n != "landscape")
    image = explorer.image
    assert box.children[-3:] == (image, explorer.text, explorer.message)
    before = image.value
    controls["scale"].value = 10.0
    assert explorer.settings["scale"] == pytest.approx(10.0)
    assert image.value != before and image.value[:4] == b"\x89PNG"
    assert explorer.summary["deviation"][RUN_NAMES[0]] > 0
    controls["eps"].value = 1e-4
    assert explorer.summary["adadelta"] == "AdaDelta(lr=1, ε=0.0001)"
    assert "AdaDelta(lr=1, ε=0.0001)" in explorer.text.value
    controls["scale"].value = 1.0
    controls["eps"].value = 1e-6


def test_static_figure_shows_the_current_settings():
    import matplotlib.pyplot as plt

    explorer = UnitsExplorer(steps=40, scale=10.0)
    fig = explorer.static_figure()
    ax_map, ax_step, ax_loss = fig.axes[:3]
    assert ax_step.get_yscale() == "log" and ax_loss.get_yscale() == "log"
    assert "c = 10" in ax_map.get_title()
    assert len(ax_step.lines[0].get_xdata()) == 40
    labels = [t.get_text() for t in ax_map.get_legend().get_texts()]
    assert labels[:4] == list(RUN_NAMES) or set(RUN_NAMES) <= set(labels)
    plt.close(fig)
