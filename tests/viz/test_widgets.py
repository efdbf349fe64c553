"""Widget callbacks are plain functions: drive them headlessly and check what was drawn."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach.viz.widgets import LearningRateExplorer


@pytest.mark.parametrize(
    "lr, verdict", [(0.01, "converges"), (0.2, "converges"), (0.45, "oscillates"),
                    (0.5, "stalls"), (0.7, "diverges")],
)
def test_update_reports_the_regime_predicted_by_one_minus_lr_a(lr, verdict):
    explorer = LearningRateExplorer(curvature=4.0, steps=25)
    summary = explorer.update(lr)
    assert summary["verdict"] == verdict
    assert summary["factor"] == pytest.approx(1 - 4.0 * lr)
    assert verdict in explorer.view["ax_loss"].get_title()


def test_update_redraws_the_same_artists_with_the_new_run():
    explorer = LearningRateExplorer(curvature=4.0, x0=1.0, steps=25, lr=0.1)
    view = explorer.view
    path_line, loss_line = view["path_line"], view["loss_line"]
    explorer.update(0.45)
    assert explorer.view is view  # the same artists, moved
    assert view["path_line"] is path_line and view["loss_line"] is loss_line
    x = path_line.get_xdata()
    np.testing.assert_allclose(x[:4], [1.0, -0.8, 0.64, -0.512])  # x_t = (1 - 0.45*4)^t
    assert len(view["ax_path"].lines) == 2  # the curve and one trajectory, nothing piled up


def test_a_diverging_run_is_drawn_only_up_to_divergence():
    explorer = LearningRateExplorer(curvature=4.0, steps=25)
    summary = explorer.update(0.7)
    assert np.isnan(summary["final_loss"])
    ys = explorer.view["loss_line"].get_ydata()
    assert np.all(np.isfinite(ys)) and 1 < len(ys) < 26


def test_slider_drives_the_figure_headlessly():
    explorer = LearningRateExplorer(curvature=4.0, steps=25, lr=0.1)
    box = explorer.widget()
    slider = explorer.controls["lr"]
    assert slider in box.children[0].children and box.children[1] is explorer.image
    assert type(slider).__name__ == "FloatLogSlider" and slider.continuous_update is False
    path_line = explorer.view["path_line"]
    before, png = path_line.get_xdata().copy(), explorer.image.value
    slider.value = 0.45
    assert explorer.lr == pytest.approx(0.45)
    assert not np.array_equal(before, path_line.get_xdata())
    assert "oscillates" in explorer.view["ax_loss"].get_title()
    assert bytes(explorer.image.value) != bytes(png)
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


# -- the 2-D explorer ----------------------------------------------------------------------
from alr_teach.lab.runner import run  # noqa: E402
from alr_teach.problems.landscapes import get as get_landscape  # noqa: E402
from alr_teach.viz.widgets import OptimizerExplorer, make_racer  # noqa: E402


@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return OptimizerExplorer(landscape="rosenbrock", steps=60)


def test_explorer_lines_show_the_runs_of_the_current_settings(explorer):
    explorer.update(lr_Adam=0.02)
    adam = run(make_racer("Adam", 0.02, explorer.settings), get_landscape("rosenbrock"),
               steps=60)
    line = explorer.view["paths"][list(explorer.settings["racers"]).index("Adam")]
    np.testing.assert_array_equal(line.get_xdata(), adam.points[:, 0])
    assert explorer.summary["Adam"]["final_loss"] == pytest.approx(float(adam.final_loss))
    assert explorer.summary["Adam"]["optimizer"].startswith("Adam(lr=0.02")


def test_explorer_updates_move_lines_without_new_artists(explorer):
    count = len(explorer.view["ax_map"].lines) + len(explorer.view["ax_loss"].lines)
    before = explorer.view["paths"][0].get_xdata().copy()
    explorer.update(lr_SGD=2e-3)
    assert len(explorer.view["ax_map"].lines) + len(explorer.view["ax_loss"].lines) == count
    assert not np.array_equal(before, explorer.view["paths"][0].get_xdata())


def test_a_diverging_racer_is_reported_and_its_loss_line_stops(explorer):
    summary = explorer.update(lr_SGD=0.05)  # far too large for Rosenbrock's steep walls
    assert summary["SGD"]["diverged_at"] > 0
    ys = explorer.view["loss_lines"][0].get_ydata()
    assert np.all(np.isfinite(ys)) and len(ys) <= summary["SGD"]["diverged_at"] + 1
    assert "diverged at step" in explorer.summary_html()
    explorer.update(lr_SGD=1e-3)


def test_changing_landscape_and_racers_redraws_the_background():
    explorer = OptimizerExplorer(landscape="rosenbrock", steps=30)
    summary = explorer.update(landscape="himmelblau", racers=("Adam", "RMSProp"))
    assert set(summary) == {"Adam", "RMSProp"} and len(explorer.view["paths"]) == 2
    assert "himmelblau" in explorer.view["ax_map"].get_title().lower()


@pytest.mark.parametrize("changes, message", [({"learning_rate": 0.1}, "learning_rate"),
                                              ({"racers": ("Adagrad",)}, "Adagrad"),
                                              ({"landscape": "nowhere"}, "nowhere"),
                                              ({"lr_Adam": -1.0}, "lr"),
                                              ({"beta2": 1.0, "steps": 20}, "beta2")])
def test_explorer_rejects_bad_settings_by_name_and_changes_nothing(changes, message):
    explorer = OptimizerExplorer(steps=10)
    settings, view = dict(explorer.settings), explorer.view
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.settings == settings and explorer.view is view
    assert len(explorer.view["ax_map"].lines) > 0  # the figure was not cleared


def test_make_racer_builds_the_registry_entry_with_the_shared_settings():
    from alr_teach.optimizers.registry import name_of
    from alr_teach.viz.widgets import RACERS, SHARED_DEFAULTS

    for name in RACERS:
        assert name_of(make_racer(name, 0.01, SHARED_DEFAULTS)) == name
    settings = {**SHARED_DEFAULTS, "momentum": 0.5, "beta1": 0.8, "eps_AdaDelta": 1e-5}
    assert make_racer("Momentum", 0.01, settings).momentum == 0.5
    assert make_racer("Adam", 0.01, settings).betas == (0.8, 0.999)
    assert make_racer("AdaDelta", 0.01, settings).eps == 1e-5
    with pytest.raises(ValueError, match="Invalid optimizer: 'NAdam'"):
        make_racer("NAdam", 0.01, settings)


def test_explorer_sliders_drive_it_headlessly(explorer):
    box = explorer.widget()
    assert all(getattr(c, "continuous_update", False) is False
               for c in explorer.controls.values() if hasattr(c, "continuous_update"))
    image = explorer.image
    assert image in box.children
    before = image.value
    explorer.controls["lr_Adam"].value = 0.1
    assert explorer.settings["lr_Adam"] == pytest.approx(0.1)
    assert image.value != before and image.value[:4] == b"\x89PNG"
    explorer.controls["racers"].value = ("Adam",)
    assert list(explorer.summary) == ["Adam"]


def test_start_sliders_move_the_start_and_follow_a_new_landscape():
    explorer = OptimizerExplorer(landscape="rosenbrock", steps=20, racers=("Adam",))
    explorer.widget()
    explorer.controls["start_x"].value = -1.0
    first = explorer.view["paths"][0].get_xdata()[0]
    assert first == pytest.approx(-1.0)
    explorer.controls["landscape"].value = "booth"
    booth = get_landscape("booth")
    assert explorer.settings["start"] is None
    assert explorer.controls["start_x"].value == pytest.approx(booth.start[0])
    assert (explorer.controls["start_y"].min, explorer.controls["start_y"].max) == \
        pytest.approx(booth.domain[1])
    assert explorer.view["paths"][0].get_xdata()[0] == pytest.approx(booth.start[0])


def test_static_figure_shows_the_current_race():
    import matplotlib.pyplot as plt

    explorer = OptimizerExplorer(landscape="booth", steps=20, racers=("SGD", "Adam"))
    fig = explorer.static_figure()
    ax_map, ax_loss = fig.axes[:2]
    labels = [t.get_text() for t in ax_map.get_legend().get_texts()]
    assert any(label.startswith("SGD(lr=") for label in labels)
    assert ax_loss.get_yscale() == "log" and ax_map.get_title()
    plt.close(fig)


@pytest.mark.parametrize("lr_sgd", [1e-3, 0.05])  # the second diverges
def test_batched_sgd_and_momentum_equal_separate_runs(lr_sgd):
    from alr_teach import SGD

    explorer = OptimizerExplorer(landscape="rosenbrock", steps=80, lr_SGD=lr_sgd)
    runs = explorer.runs()
    rosenbrock = get_landscape("rosenbrock")
    alone = {"SGD": run(SGD(lr=lr_sgd), rosenbrock, steps=80),
             "Momentum": run(SGD(lr=1e-3, momentum=0.9), rosenbrock, steps=80)}
    for name, trajectory in alone.items():
        np.testing.assert_array_equal(runs[name].points, trajectory.points)
        np.testing.assert_array_equal(runs[name].losses, trajectory.losses)
        assert runs[name].diverged_at == trajectory.diverged_at
