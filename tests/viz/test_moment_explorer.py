"""Adam without bias correction, its step sizes, and the moment explorer, driven headlessly."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach import Adam
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Rosenbrock, get
from alr_teach.viz.explorers.moment import (
    MomentExplorer,
    UncorrectedAdam,
    moment_series,
    uncorrected_step_size,
)


# -- the uncorrected variant ------------------------------------------------------------------
def test_uncorrected_adam_is_adam_without_the_division():
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((30, 4))
    opt = UncorrectedAdam(lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    x, m, v = np.zeros(4), np.zeros(4), np.zeros(4)
    expected = np.zeros(4)
    for g in grads:
        x = opt.step(x, g)
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        expected = expected - 0.01 * m / (np.sqrt(v) + 1e-6)
        np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(opt.state["m"], m, rtol=1e-12)
    np.testing.assert_allclose(opt.state["v"], v, rtol=1e-12)


def test_its_moments_are_adams_moments():
    grads = np.random.default_rng(1).standard_normal((10, 3))
    adam, plain = Adam(lr=0.0), UncorrectedAdam(lr=0.0)
    for g in grads:
        adam.step(np.zeros(3), g)
        plain.step(np.zeros(3), g)
    for name in ("m", "v"):
        np.testing.assert_array_equal(adam.state[name], plain.state[name])


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.99, 0.999), (0.9, 0.9999), (0.5, 0.99)])
def test_first_step_is_lr_times_one_minus_beta1_over_root_one_minus_beta2(betas):
    g = np.array([-3.0, 0.5, 40.0])
    step = -UncorrectedAdam(lr=0.1, betas=betas, eps=1e-14).step(np.zeros(3), g)
    predicted = 0.1 * (1 - betas[0]) / np.sqrt(1 - betas[1]) * np.sign(g)
    np.testing.assert_allclose(step, predicted, rtol=1e-6)
    adam_step = -Adam(lr=0.1, betas=betas, eps=1e-14).step(np.zeros(3), g)
    np.testing.assert_allclose(adam_step / step, np.sqrt(1 - betas[1]) / (1 - betas[0]),
                               rtol=1e-6)


def test_uncorrected_step_size_matches_a_steady_slope():
    t = np.arange(1, 401)
    opt, x, taken = UncorrectedAdam(lr=1.0, eps=1e-14), np.zeros(1), []
    for _ in t:
        new = opt.step(x, np.array([5.0]))
        taken.append(x[0] - new[0])
        x = new
    np.testing.assert_allclose(taken, uncorrected_step_size(0.9, 0.999, t), rtol=1e-8)


def test_uncorrected_step_size_limits():
    assert uncorrected_step_size(0.9, 0.999, 1) == pytest.approx(np.sqrt(1000) / 10)
    assert uncorrected_step_size(0.9, 0.999, 10**6) == pytest.approx(1.0)
    assert uncorrected_step_size(0.0, 0.0, 3) == pytest.approx(1.0)
    curve = uncorrected_step_size(0.9, 0.999, np.arange(1, 100))
    assert np.argmax(curve) + 1 == 12


@pytest.mark.parametrize("kwargs, message", [({"beta1": 1.0}, "beta1"), ({"beta2": -0.1}, "beta2"),
                                              ({"t": 0}, "t"), ({"t": 1.5}, "t")])
def test_uncorrected_step_size_rejects_bad_arguments(kwargs, message):
    arguments = {"beta1": 0.9, "beta2": 0.999, "t": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        uncorrected_step_size(**arguments)


def test_moment_series_is_the_recorded_state_and_its_correction():
    trajectory = run(Adam(lr=0.01, betas=(0.8, 0.99)), Rosenbrock(), steps=20)
    series = moment_series(trajectory, 0.8, 0.99, coordinate=1)
    t = np.arange(1, 21)
    np.testing.assert_array_equal(series["t"], t)
    np.testing.assert_array_equal(series["v"], trajectory.state["v"][:, 1])
    np.testing.assert_allclose(series["v_hat"], trajectory.state["v"][:, 1] / (1 - 0.99**t))
    np.testing.assert_allclose(series["m_hat_abs"],
                               np.abs(trajectory.state["m"][:, 1]) / (1 - 0.8**t))
    np.testing.assert_allclose(series["g2"], trajectory.grads[:, 1] ** 2)
    assert series["v_hat"][0] == pytest.approx(series["g2"][0], rel=1e-12)


def test_moment_series_needs_adam_state():
    trajectory = run(Adam(lr=0.01), Rosenbrock(), steps=3, record_state=False)
    with pytest.raises(ValueError, match="'m' and 'v'"):
        moment_series(trajectory, 0.9, 0.999)


# -- the explorer ------------------------------------------------------------------------------
@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return MomentExplorer(steps=60)


def test_explorer_draws_the_runs_of_its_settings(explorer):
    summary = explorer.update(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6, coordinate=0)
    landscape = Rosenbrock()
    adam = run(Adam(lr=0.02, betas=(0.8, 0.99), eps=1e-6), landscape, steps=60)
    plain = run(UncorrectedAdam(lr=0.02, betas=(0.8, 0.99), eps=1e-6), landscape, steps=60)
    np.testing.assert_array_equal(explorer.view["paths"][0].get_xdata(), adam.points[:, 0])
    np.testing.assert_array_equal(explorer.view["paths"][1].get_ydata(), plain.points[:, 1])
    np.testing.assert_allclose(explorer.view["loss_lines"][0].get_ydata(), adam.losses)
    series = moment_series(adam, 0.8, 0.99, 0)
    v_line, v_hat_line = explorer.view["moment_lines"][1], explorer.view["moment_lines"][2]
    np.testing.assert_array_equal(v_line.get_ydata(), series["v"])
    np.testing.assert_array_equal(v_hat_line.get_ydata(), series["v_hat"])
    assert summary["final_loss"] == pytest.approx(float(adam.final_loss))
    assert summary["uncorrected_final_loss"] == pytest.approx(float(plain.final_loss))
    assert "β1=0.8, β2=0.99" in explorer.view["ax_moments"].get_title()


def test_explorer_summary_gives_the_first_steps(explorer):
    summary = explorer.update(lr=0.05, beta1=0.9, beta2=0.9999, eps=1e-8)
    assert summary["first_step"] == pytest.approx(1.0, rel=1e-6)
    assert summary["uncorrected_first_step"] == pytest.approx(10.0, rel=1e-6)
    assert summary["predicted_uncorrected_first_step"] == pytest.approx(10.0)


def test_explorer_coordinate_switches_the_moments(explorer):
    explorer.update(beta1=0.9, beta2=0.999, coordinate=0)
    x_values = explorer.view["moment_lines"][0].get_ydata().copy()
    summary = explorer.update(coordinate=1)
    adam = run(Adam(lr=explorer.settings["lr"]), Rosenbrock(), steps=60)
    np.testing.assert_allclose(explorer.view["moment_lines"][0].get_ydata(), adam.grads[:, 1] ** 2)
    assert not np.array_equal(x_values, explorer.view["moment_lines"][0].get_ydata())
    assert summary["coordinate"] == "y"
    assert "coordinate y" in explorer.view["ax_moments"].get_title()
    explorer.update(coordinate=0)


def test_explorer_updates_move_artists_without_adding_any(explorer):
    counts = [len(ax.lines) for ax in explorer.fig.axes]
    before = explorer.view["paths"][0].get_xdata().copy()
    explorer.update(lr=0.1)
    assert [len(ax.lines) for ax in explorer.fig.axes] == counts
    assert not np.array_equal(before, explorer.view["paths"][0].get_xdata())


def test_explorer_changes_landscape_and_back():
    explorer = MomentExplorer(steps=40)
    summary = explorer.update(landscape="beale")
    beale = get("beale")
    adam = run(Adam(lr=0.05), beale, steps=40)
    np.testing.assert_array_equal(explorer.view["paths"][0].get_xdata(), adam.points[:, 0])
    assert explorer.view["ax_map"].get_xlim() == beale.domain[0]
    assert summary["landscape"] == "beale"
    explorer.update(landscape="saddle")                 # no minimum: losses shown as they are
    assert explorer.floor == 0.0
    assert explorer.png()[:4] == b"\x89PNG"


@pytest.mark.parametrize("changes, message", [({"alpha": 0.9}, "alpha"), ({"beta2": 1.0}, "beta2"),
                                              ({"lr": 0.0}, "lr"), ({"eps": 0.0}, "eps"),
                                              ({"steps": 5}, "steps"), ({"coordinate": 2},
                                                                        "coordinate"),
                                              ({"landscape": "nowhere"}, "landscape")])
def test_explorer_rejects_bad_settings_and_keeps_its_own(explorer, changes, message):
    settings = dict(explorer.settings)
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.settings == settings


def test_explorer_sliders_drive_it_headlessly(explorer):
    box = explorer.widget()
    sliders = [c for c in explorer.controls.values() if hasattr(c, "continuous_update")]
    assert len(sliders) >= 5 and all(c.continuous_update is False for c in sliders)
    image, text = explorer.image, explorer.text
    assert box.children[-3:] == (image, text, explorer.message)
    before = image.value
    explorer.controls["beta2"].value = 0.99
    assert explorer.settings["beta2"] == pytest.approx(0.99)
    assert image.value != before and image.value[:4] == b"\x89PNG"
    assert "uncorrected 1.000" in text.value                 # (1 - 0.9) / sqrt(1 - 0.99) = 1
    explorer.controls["lr"].value = 0.01
    assert explorer.summary["lr"] == pytest.approx(0.01)
    explorer.controls["coordinate"].value = 1
    assert explorer.summary["coordinate"] == "y"
    explorer.controls["coordinate"].value = 0


def test_static_figure_shows_the_current_view(explorer):
    import matplotlib.pyplot as plt

    explorer.update(lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8, coordinate=0)
    live = explorer.view["paths"][0]
    summary = dict(explorer.summary)
    fig = explorer.static_figure()
    ax_map, ax_loss, ax_moments = fig.axes[:3]
    drawn = next(line for line in ax_map.lines if line.get_label() == "Adam")
    np.testing.assert_array_equal(drawn.get_xdata(), live.get_xdata())
    assert ax_loss.get_yscale() == "log" and ax_moments.get_yscale() == "log"
    assert explorer.view["paths"][0] is live and explorer.summary == summary  # live view untouched
    plt.close(fig)
