"""Momentum per eigendirection: the 2 x 2 theory against real runs, and the explorer headless."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach import SGD
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Quadratic
from alr_teach.viz.explorers.eigen import (
    EigenExplorer,
    companion_matrix,
    decay_rate,
    eigen_errors,
    eigenvectors,
    spectral_radius,
    theory_envelope,
)

VALLEY = Quadratic([1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])


# -- theory ---------------------------------------------------------------------------------
def test_eigenvectors_are_the_hessians_in_the_order_of_the_curvatures():
    Q = eigenvectors(VALLEY)
    for i, curvature in enumerate(VALLEY.curvatures):
        np.testing.assert_allclose(VALLEY.A @ Q[:, i], curvature * Q[:, i], atol=1e-14)
    np.testing.assert_allclose(Q.T @ Q, np.eye(2), atol=1e-15)
    assert np.array_equal(eigenvectors(Quadratic([1.0, 2.0, 3.0])), np.eye(3))


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("lr, momentum", [(0.04, 0.5), (0.05, 0.9), (0.01, 0.3)])
def test_a_run_projected_on_the_eigenvectors_follows_the_2x2_recurrences(lr, momentum, nesterov):
    trajectory = run(SGD(lr=lr, momentum=momentum, nesterov=nesterov), VALLEY, steps=40)
    errors = eigen_errors(VALLEY, trajectory.points)
    Q = eigenvectors(VALLEY)
    velocity = trajectory.state["velocity"] @ Q  # the velocity in the same axes
    for i, curvature in enumerate(VALLEY.curvatures):
        M = companion_matrix(lr, curvature, momentum, nesterov)
        state = np.array([errors[0, i], 0.0])  # b_0 = 0, so b_1 = g_1 (torch)
        for t in range(1, 41):
            state = M @ state
            np.testing.assert_allclose(state, [errors[t, i], velocity[t - 1, i]],
                                       rtol=1e-10, atol=1e-13)


def test_complex_roots_have_modulus_sqrt_momentum():
    mu = np.linspace(0.05, 0.95, 19)[:, None]
    h = np.linspace(0.01, 4.0, 400)[None, :]
    complex_roots = ((1 - np.sqrt(mu)) ** 2 < h) & (h < (1 + np.sqrt(mu)) ** 2)
    rho = spectral_radius(h, 1.0, mu)
    np.testing.assert_allclose(rho[complex_roots], np.broadcast_to(np.sqrt(mu), rho.shape)
                               [complex_roots], rtol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_stability_region_matches_the_closed_form(nesterov):
    mu = np.linspace(0.01, 0.98, 60)[:, None]
    h = np.linspace(0.001, 5.0, 700)[None, :]
    limit = 2 * (1 + mu) / (1 + 2 * mu) if nesterov else 2 * (1 + mu)
    rho = spectral_radius(h, 1.0, mu, nesterov)
    clear = np.abs(h / limit - 1) > 0.01
    assert np.array_equal((rho < 1)[clear], np.broadcast_to(h < limit, rho.shape)[clear])


def test_spectral_radius_broadcasts_and_plain_gradient_descent_is_one_minus_lr_curvature():
    lrs = np.array([0.01, 0.05, 0.1])
    rho = spectral_radius(lrs[:, None], np.array([1.0, 25.0]), 0.0)
    assert rho.shape == (3, 2)
    np.testing.assert_allclose(rho, np.abs(1 - lrs[:, None] * np.array([1.0, 25.0])),
                               atol=1e-15)
    assert companion_matrix(lrs, 1.0, 0.5).shape == (3, 2, 2)


def test_optimal_heavy_ball_from_the_classic_formula_is_the_grid_minimum():
    kappa = 25.0
    lr_star = (2 / (np.sqrt(25.0) + 1.0)) ** 2
    mu_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    lrs, mus = np.linspace(0.05, 0.16, 221)[:, None], np.linspace(0.2, 0.7, 201)[None, :]
    worst = np.maximum(spectral_radius(lrs, 1.0, mus), spectral_radius(lrs, 25.0, mus))
    i, j = np.unravel_index(worst.argmin(), worst.shape)
    assert abs(lrs[i, 0] - lr_star) < 1e-3 and abs(mus[0, j] - mu_star) < 5e-3
    assert worst.min() == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=2e-3)


# -- measurement ----------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [0.5, 0.9, 0.99, 1.01])
@pytest.mark.parametrize("theta", [0.0, 0.3, 1.0, 3.0, np.pi])
def test_decay_rate_reads_the_envelope_of_real_and_oscillating_sequences(rate, theta):
    t = np.arange(400)
    errors = 2.0 * rate**t * np.cos(theta * t + 0.2)
    assert decay_rate(errors) == pytest.approx(rate, rel=3e-3)


def test_decay_rate_skips_rounding_noise_and_needs_enough_steps():
    t = np.arange(200)
    slow, fast = 0.95**t, 0.5**t
    noisy_fast = np.maximum(fast, 1e-17 * slow)  # what rounding leaves of a fast direction
    whole = np.hypot(slow, noisy_fast)
    assert decay_rate(noisy_fast, whole) == pytest.approx(0.5, rel=1e-9)
    assert decay_rate(noisy_fast) > 0.9  # without the reference the noise floor is fitted
    assert np.isnan(decay_rate(fast[:10]))
    assert np.isnan(decay_rate(np.zeros(50)))


def test_theory_envelope_has_the_theory_slope_and_sits_on_the_peaks():
    t = np.arange(300)
    errors = 3.0 * 0.9**t * np.cos(0.7 * t)
    line = theory_envelope(errors, 0.9)
    np.testing.assert_allclose(line[1:] / line[:-1], 0.9, rtol=1e-12)
    assert np.all(line[150:] >= np.abs(errors[150:]) * (1 - 1e-12))
    assert np.max(np.abs(errors[150:]) / line[150:]) == pytest.approx(1.0)
    assert np.all(np.isnan(theory_envelope(errors, 0.0)))


# -- the explorer ---------------------------------------------------------------------------
@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return EigenExplorer(curvatures=(1.0, 25.0), angle=np.pi / 6, steps=300)


@pytest.mark.parametrize("changes", [{"lr": 0.0}, {"lr": -1.0}, {"momentum": 1.0},
                                     {"momentum": -0.1}, {"beta": 0.9}])
def test_explorer_rejects_invalid_settings(explorer, changes):
    before = dict(explorer.settings)
    with pytest.raises(ValueError, match=next(iter(changes))):
        explorer.update(**changes)
    assert explorer.settings == before


def test_explorer_rejects_nesterov_without_momentum(explorer):
    with pytest.raises(ValueError, match="nesterov"):
        explorer.update(momentum=0.0, nesterov=True)


@pytest.mark.parametrize("lr, momentum, nesterov", [
    (0.04, 0.5, False), (0.05, 0.9, False), (0.1, 0.5, False), (0.1, 0.3, False),
    (0.02, 0.8, True), (0.03, 0.6, True),
])
def test_measured_decay_matches_the_spectral_radius_per_direction(explorer, lr, momentum,
                                                                  nesterov):
    summary = explorer.update(lr=lr, momentum=momentum, nesterov=nesterov)
    assert not summary["diverged"]
    for item in summary["per_direction"]:
        theory = float(spectral_radius(lr, item["curvature"], momentum, nesterov))
        assert item["spectral_radius"] == pytest.approx(theory)
        assert item["measured_rate"] == pytest.approx(theory, rel=0.02)
    assert summary["spectral_radius"] == max(d["spectral_radius"]
                                             for d in summary["per_direction"])


def test_summary_names_the_regime_of_each_direction(explorer):
    summary = explorer.update(lr=0.04, momentum=0.5, nesterov=False)
    assert [d["regime"] for d in summary["per_direction"]] == ["overdamped", "underdamped"]
    roots = summary["per_direction"][1]["roots"]
    assert abs(roots[0]) == pytest.approx(np.sqrt(0.5))


def test_a_diverging_setting_is_reported(explorer):
    summary = explorer.update(lr=0.2, momentum=0.5, nesterov=False)  # 0.2 * 25 > 2 (1 + 0.5)
    assert summary["diverged"] and summary["spectral_radius"] > 1
    assert np.isnan(summary["final_loss"])
    assert "diverged" in explorer.view.readout.get_text()
    explorer.update(lr=0.04, momentum=0.5)


def test_lines_show_the_run_and_the_theory_without_new_artists(explorer):
    count = len(explorer.view.ax_err.lines) + len(explorer.view.ax_map.lines)
    summary = explorer.update(lr=0.05, momentum=0.7, nesterov=False)
    assert len(explorer.view.ax_err.lines) + len(explorer.view.ax_map.lines) == count
    trajectory = run(SGD(lr=0.05, momentum=0.7), explorer.landscape, steps=300)
    errors = eigen_errors(explorer.landscape, trajectory.points)
    for i, item in enumerate(summary["per_direction"]):
        ys = explorer.view.error_lines[i].get_ydata()
        np.testing.assert_array_equal(ys, np.abs(errors[:, i])[np.abs(errors[:, i]) > 0])
        theory = np.asarray(explorer.view.theory_lines[i].get_ydata())
        np.testing.assert_allclose(theory[1:] / theory[:-1], item["spectral_radius"],
                                   rtol=1e-9)
    np.testing.assert_array_equal(explorer.view.path[0].get_xdata(), trajectory.points[:, 0])
    assert "μ = 0.70" in explorer.view.readout.get_text()


def test_static_figure_draws_the_same_two_panels(explorer):
    import matplotlib.pyplot as plt

    explorer.update(lr=0.04, momentum=0.5, nesterov=False)
    fig = explorer.static_figure()
    ax_map, ax_err = fig.axes[:2]
    assert ax_err.get_yscale() == "log" and "eigendirection" in ax_err.get_title()
    assert ax_map.get_xlabel() == "parameter x"
    ys = ax_err.lines[1].get_ydata()  # the measured error along direction 1
    np.testing.assert_array_equal(ys, explorer.view.error_lines[0].get_ydata())
    plt.close(fig)


def test_sliders_drive_the_explorer_headlessly():
    explorer = EigenExplorer(steps=100)
    box = explorer.widget()
    controls = explorer.controls
    assert type(controls["lr"]).__name__ == "FloatLogSlider"
    assert (controls["momentum"].min, controls["momentum"].max) == (0.0, 0.99)
    assert all(c.continuous_update is False for c in (controls["lr"], controls["momentum"]))
    image = explorer.image
    assert image in box.children and explorer.text is None
    before = image.value
    controls["momentum"].value = 0.8
    assert explorer.momentum == pytest.approx(0.8)
    assert image.value != before and image.value[:4] == b"\x89PNG"
    controls["lr"].value = 0.02
    assert explorer.summary["lr"] == pytest.approx(0.02)
    controls["nesterov"].value = True
    assert explorer.summary["nesterov"] is True
    controls["momentum"].value = 0.0  # Nesterov needs momentum: the box is cleared first
    assert explorer.settings == {"lr": pytest.approx(0.02), "momentum": 0.0, "nesterov": False}
