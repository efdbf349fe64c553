"""Widget callbacks are plain functions: drive them headlessly and check what was drawn."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach.widgets import LearningRateExplorer


@pytest.mark.parametrize(
    "lr, verdict", [(0.01, "converges"), (0.2, "converges"), (0.45, "oscillates"),
                    (0.5, "stalls"), (0.7, "diverges")],
)
def test_update_reports_the_regime_predicted_by_one_minus_lr_a(lr, verdict):
    explorer = LearningRateExplorer(curvature=4.0, steps=25)
    summary = explorer.update(lr)
    assert summary["verdict"] == verdict
    assert summary["factor"] == pytest.approx(1 - 4.0 * lr)
    assert verdict in explorer.ax_loss.get_title()


def test_update_redraws_the_same_artists_with_the_new_run():
    explorer = LearningRateExplorer(curvature=4.0, x0=1.0, steps=25, lr=0.1)
    path_line, loss_line = explorer.path_line, explorer.loss_line
    explorer.update(0.45)
    assert explorer.path_line is path_line and explorer.loss_line is loss_line
    x = path_line.get_xdata()
    np.testing.assert_allclose(x[:4], [1.0, -0.8, 0.64, -0.512])  # x_t = (1 - 0.45*4)^t
    assert len(explorer.ax_path.lines) == 2  # the curve and one trajectory, nothing piled up


def test_a_diverging_run_is_drawn_only_up_to_divergence():
    explorer = LearningRateExplorer(curvature=4.0, steps=25)
    summary = explorer.update(0.7)
    assert np.isnan(summary["final_loss"])
    ys = explorer.loss_line.get_ydata()
    assert np.all(np.isfinite(ys)) and 1 < len(ys) < 26


def test_slider_drives_the_figure_headlessly():
    pytest.importorskip("ipywidgets")
    explorer = LearningRateExplorer(curvature=4.0, steps=25, lr=0.1)
    box = explorer.widget()
    slider = explorer.slider
    assert slider in box.children
    assert slider.continuous_update is False
    before = explorer.path_line.get_xdata().copy()
    slider.value = 0.45
    assert explorer.lr == pytest.approx(0.45)
    assert not np.array_equal(before, explorer.path_line.get_xdata())
    assert "oscillates" in explorer.ax_loss.get_title()
