"""The accumulator explorer, driven headlessly: what it draws is what AdaGrad does."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from alr_teach import AdaGrad
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Quadratic
from alr_teach.problems.landscapes import get as get_landscape
from alr_teach.viz.explorers.accumulator import DEFAULTS, AccumulatorExplorer, effective_rates


@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return AccumulatorExplorer(steps=60)


def test_defaults_are_torch_conventions_on_an_aligned_ill_conditioned_bowl(explorer):
    assert {k: explorer.settings[k] for k in DEFAULTS if k != "steps"} == {
        "lr": 0.5, "eps": 1e-10, "initial_accumulator_value": 0.0}
    bowl = explorer.landscape
    assert isinstance(bowl, Quadratic) and bowl.angle == 0 and bowl.condition_number == 50


def test_summary_and_lines_show_the_run_of_the_current_settings(explorer):
    summary = explorer.update(lr=0.2, eps=1e-8, initial_accumulator_value=0.0)
    direct = run(AdaGrad(lr=0.2, eps=1e-8), get_landscape("ill-conditioned quadratic"),
                 steps=60)
    assert summary["final_loss"] == pytest.approx(float(direct.final_loss), rel=1e-12)
    assert_allclose(summary["sum_sq"], direct.state["sum_sq"][-1], rtol=1e-12)
    rates = 0.2 / (np.sqrt(direct.state["sum_sq"]) + 1e-8)
    assert_allclose(summary["effective_lr"], rates[-1], rtol=1e-12)
    a = explorer.view
    assert_allclose(a["paths"][0].get_xdata(), direct.points[:, 0])
    assert_allclose(a["rate_lines"][1].get_ydata(), rates[:, 1])
    assert_allclose(a["sum_lines"][0].get_ydata(), direct.state["sum_sq"][:, 0])
    assert a["nominal"].get_ydata()[0] == pytest.approx(0.2)
    assert summary["optimizer"] == "AdaGrad(lr=0.2, ε=1e-08)"


def test_first_step_is_lr_per_coordinate_unless_the_accumulator_starts_above_zero(explorer):
    plain = explorer.update(lr=0.5, eps=1e-10, initial_accumulator_value=0.0)
    assert_allclose(plain["first_step"], [0.5, 0.5], rtol=1e-8)
    keras = explorer.update(initial_accumulator_value=0.1)
    gradient = np.array([1.0, 50.0])  # at the start (1, 1) of the bowl with curvatures 1, 50
    assert_allclose(keras["first_step"], 0.5 * gradient / np.sqrt(0.1 + gradient**2),
                    rtol=1e-8)
    assert keras["first_step"][0] < 0.48 < plain["first_step"][0]
    explorer.update(initial_accumulator_value=0.0)


def test_the_steeper_coordinate_gets_the_smaller_rate_by_the_curvature_ratio(explorer):
    summary = explorer.update(lr=0.5, eps=1e-10, initial_accumulator_value=0.0)
    x_rate, y_rate = summary["effective_lr"]
    assert x_rate / y_rate == pytest.approx(50.0, rel=1e-6)
    assert "= 50" in explorer.view["rate"].get_title()


def test_updates_move_lines_without_piling_up_artists(explorer):
    a = explorer.view
    count = [len(a[k].lines) for k in ("map", "rate", "sum")]
    before = a["rate_lines"][0].get_ydata().copy()
    explorer.update(lr=0.05, steps=80)
    assert [len(a[k].lines) for k in ("map", "rate", "sum")] == count
    assert len(a["rate_lines"][0].get_xdata()) == 80
    assert not np.array_equal(before, a["rate_lines"][0].get_ydata()[:60])
    low, high = a["rate"].get_ylim()
    assert low <= np.nanmin(a["rate_lines"][1].get_ydata()) and high >= 0.05
    explorer.update(lr=0.5, steps=60)


def test_a_diverging_run_is_reported():
    explorer = AccumulatorExplorer(steps=20)
    summary = explorer.update(lr=1e4)  # the first step jumps 10^4 along each axis
    assert summary["diverged_at"] == 1
    assert "diverged" in explorer.view["map"].get_title()
    assert "diverged" in explorer.summary_html()


def test_any_2d_landscape_can_be_explored_and_others_are_rejected():
    explorer = AccumulatorExplorer(landscape=Quadratic([1.0, 10.0], start=[2.0, -1.0]),
                                   steps=10)
    assert explorer.view["paths"][0].get_xdata()[0] == 2.0
    assert AccumulatorExplorer(landscape="rosenbrock", steps=10).summary["diverged_at"] == -1
    with pytest.raises(ValueError, match="2-D"):
        AccumulatorExplorer(landscape=Quadratic([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("changes, message", [({"learning_rate": 0.1}, "learning_rate"),
                                              ({"steps": 0}, "steps"),
                                              ({"lr": -1.0}, "lr"),
                                              ({"eps": 0.0, "steps": 20}, "eps")])
def test_unknown_or_invalid_settings_are_rejected_by_name_and_change_nothing(
        explorer, changes, message):
    settings, summary = dict(explorer.settings), explorer.summary
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.settings == settings and explorer.summary is summary


def test_effective_rates_needs_recorded_state():
    trajectory = run(AdaGrad(lr=0.1), Quadratic(), steps=3, record_state=False)
    with pytest.raises(ValueError, match="record_state"):
        effective_rates(trajectory, 0.1, 1e-10)


def test_sliders_drive_it_headlessly(explorer):
    box = explorer.widget()
    controls = explorer.controls
    assert set(controls) == set(DEFAULTS)
    assert all(c.continuous_update is False for c in controls.values())
    image = explorer.image
    assert box.children[-3:] == (image, explorer.text, explorer.message)
    before = image.value
    controls["lr"].value = 0.1
    assert explorer.settings["lr"] == pytest.approx(0.1)
    assert image.value != before and image.value[:4] == b"\x89PNG"
    controls["initial_accumulator_value"].value = 0.1
    assert explorer.summary["optimizer"] == "AdaGrad(lr=0.1, G0=0.1)"
    controls["steps"].value = 30
    assert len(explorer.view["sum_lines"][0].get_xdata()) == 30
    assert "AdaGrad(lr=0.1, G0=0.1)" in explorer.text.value


def test_static_figure_shows_the_current_settings():
    import matplotlib.pyplot as plt

    explorer = AccumulatorExplorer(steps=25, lr=0.3)
    fig = explorer.static_figure()
    ax_map, ax_rate, ax_sum = fig.axes[:3]
    assert ax_rate.get_yscale() == "log" and ax_sum.get_yscale() == "log"
    assert "AdaGrad(lr=0.3)" in ax_map.get_title()
    assert len(ax_rate.lines[0].get_xdata()) == 25
    assert ax_rate.get_xlabel() == "step t" and ax_sum.get_ylabel()
    plt.close(fig)
