"""The 2-D figures: right data on the right artists, updates without new artists, labels."""

from __future__ import annotations

import matplotlib.pyplot as plt  # tests/conftest.py selects the headless Agg backend
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.colors import to_hex
from matplotlib.contour import QuadContourSet

from alr_teach import SGD, Adam, AdamW, RMSProp
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Landscape, Quadratic
from alr_teach.viz import surface_plots as sp
from alr_teach.viz.explorers.background import freeze_background, freeze_layout
from alr_teach.viz.plots import style


class TinyRosenbrock(Landscape):
    """Rosenbrock's banana valley, defined here so the tests do not depend on landscapes.py."""

    name = "tiny rosenbrock"
    log_scale = True

    def __init__(self) -> None:
        self.minima = np.array([[1.0, 1.0]])
        self.start = np.array([-1.5, 2.0])
        self.domain = ((-2.0, 2.0), (-1.0, 3.0))

    def value(self, x):
        x = np.asarray(x, dtype=float)
        return (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2

    def grad(self, x):
        x = np.asarray(x, dtype=float)
        a, b = x[..., 0], x[..., 1]
        return np.stack([-2 * (1 - a) - 400 * a * (b - a**2), 200 * (b - a**2)], axis=-1)


class TinySaddle(Landscape):
    """x^2 - y^2: no minimum (empty minima, min_value -inf), log_scale set anyway."""

    name = "tiny saddle"
    log_scale = True

    def __init__(self) -> None:
        self.minima = np.empty((0, 2))
        self.start = np.array([1.0, 1e-3])
        self.domain = ((-1.5, 1.5), (-1.5, 1.5))

    @property
    def min_value(self) -> float:
        return -np.inf

    def value(self, x):
        x = np.asarray(x, dtype=float)
        return x[..., 0] ** 2 - x[..., 1] ** 2

    def grad(self, x):
        x = np.asarray(x, dtype=float)
        return np.stack([2 * x[..., 0], -2 * x[..., 1]], axis=-1)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def bowl():
    landscape = Quadratic([1.0, 10.0], start=[1.0, 1.0])
    landscape.domain = ((-3.0, 3.0), (-3.0, 3.0))  # room for a run to diverge in view
    return landscape


def diverging_run(bowl):
    # y is multiplied by 1 - 0.25 * 10 = -1.5 per step; max_loss makes it "diverge" in view
    return run(SGD(lr=0.25), bowl, steps=30, max_loss=20.0)


def test_contour_draws_the_domain_with_a_star_on_the_minimum_and_labels(bowl):
    cs = sp.contour(None, bowl)
    ax = cs.axes
    assert isinstance(cs, QuadContourSet)
    assert ax.get_xlim() == (-3.0, 3.0) and ax.get_ylim() == (-3.0, 3.0)
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(stars) == 1
    np.testing.assert_array_equal(stars[0].get_xydata(), bowl.minima)
    assert bowl.name in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    # a quadratic has no log_scale: linear levels, evenly spaced
    assert np.allclose(np.diff(cs.levels), np.diff(cs.levels)[0])


def test_log_scale_landscape_gets_strictly_increasing_log_spaced_levels():
    landscape = TinyRosenbrock()
    cs = sp.contour(None, landscape, levels=12)
    gap = np.asarray(cs.levels) - landscape.min_value
    assert len(gap) == 12
    assert np.all(np.diff(cs.levels) > 0)
    assert np.all(gap > 0)  # the offset keeps the lowest level above the minimum
    assert np.allclose(np.diff(np.log(gap)), np.log(gap[1] / gap[0]))  # geometric
    assert "log" in cs.axes.get_title()
    linear = sp.contour(None, landscape, levels=12, log=False)
    assert np.allclose(np.diff(linear.levels), np.diff(linear.levels)[0])


def test_real_log_scale_landscapes_get_log_levels():
    from alr_teach.problems import landscapes

    found = [c for c in vars(landscapes).values()
             if isinstance(c, type) and issubclass(c, Landscape) and c.__dict__.get("log_scale")]
    assert found, "no landscape of landscapes.py sets log_scale: the log levels go untested"
    for cls in found:
        landscape = cls()
        cs = sp.contour(None, landscape, resolution=60)
        gap = np.asarray(cs.levels) - landscape.min_value
        assert np.all(np.diff(cs.levels) > 0), cls.__name__
        assert np.allclose(np.diff(np.log(gap)), np.log(gap[1] / gap[0])), cls.__name__


def test_a_landscape_without_minimum_falls_back_to_linear_levels():
    cs = sp.contour(None, TinySaddle())
    assert np.all(np.diff(cs.levels) > 0)
    assert np.allclose(np.diff(cs.levels), np.diff(cs.levels)[0])
    assert not [line for line in cs.axes.lines if line.get_marker() == "*"]


def test_plot_trajectories_lines_carry_the_points_and_the_series_style(bowl):
    runs = [run(SGD(lr=0.05), bowl, steps=40), run(Adam(lr=0.1), bowl, steps=40)]
    cs = sp.contour(None, bowl)
    lines = sp.plot_trajectories(cs.axes, bowl, runs, ["SGD", "Adam"])
    assert len(lines) == 2
    for i, (line, trajectory) in enumerate(zip(lines, runs)):
        np.testing.assert_array_equal(line.get_xdata(), trajectory.points[:, 0])
        np.testing.assert_array_equal(line.get_ydata(), trajectory.points[:, 1])
        assert to_hex(line.get_color()) == to_hex(style(i)["color"])
        assert line.get_marker() == style(i)["marker"]
        assert line.get_markevery() == 4  # about every 10 % of 41 points
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    legend_texts = [t.get_text() for t in cs.axes.get_legend().get_texts()]
    assert "SGD" in legend_texts and "Adam" in legend_texts and "start" in legend_texts
    np.testing.assert_array_equal(lines.start_marker.get_xydata(), [bowl.start])
    assert cs.axes.get_title()


def test_every_subsamples_the_points(bowl):
    trajectory = run(SGD(lr=0.05), bowl, steps=40)
    lines = sp.plot_trajectories(None, bowl, [trajectory], ["SGD"], every=5)
    np.testing.assert_array_equal(lines[0].get_xdata(), trajectory.points[::5, 0])


def test_a_diverged_run_gets_an_x_at_its_last_finite_point(bowl):
    diverged, fine = diverging_run(bowl), run(SGD(lr=0.05), bowl, steps=30)
    at = int(diverged.diverged_at)
    assert at > 0
    lines = sp.plot_trajectories(None, bowl, [fine, diverged], ["fine", "too fast"])
    assert not lines.end_markers[0].get_visible()
    cross = lines.end_markers[1]
    assert cross.get_visible() and cross.get_marker() == "x"
    np.testing.assert_allclose(cross.get_xydata(), [diverged.points[at - 1]])
    assert to_hex(cross.get_color()) == to_hex(style(1)["color"])
    texts = [t.get_text() for t in lines.legend.get_texts()]
    assert f"too fast (diverged at t={at})" in texts and "fine" in texts


def test_a_run_that_leaves_the_view_neither_rescales_it_nor_loses_its_x():
    landscape = Quadratic([1.0, 10.0], start=[1.0, 1.0])  # default domain: +-1.5
    trajectory = run(SGD(lr=0.3), landscape, steps=30)
    assert trajectory.diverged
    cs = sp.contour(None, landscape)
    lines = sp.plot_trajectories(cs.axes, landscape, [trajectory], ["SGD"])
    cs.axes.figure.canvas.draw()
    assert cs.axes.get_xlim() == landscape.domain[0]
    assert cs.axes.get_ylim() == landscape.domain[1]
    (x, y), = lines.end_markers[0].get_xydata()
    (x0, x1), (y0, y1) = landscape.domain
    assert x0 <= x <= x1 and y0 <= y <= y1 and y in (y0, y1)  # pinned to the edge
    # on blank axes too (no contour map to have fixed the limits already)
    _, blank = plt.subplots()
    sp.plot_trajectories(blank, landscape, [trajectory], ["SGD"])
    assert blank.get_xlim() == landscape.domain[0]
    assert blank.get_ylim() == landscape.domain[1]


def test_update_trajectories_moves_the_same_artists(bowl):
    first = [run(SGD(lr=0.05), bowl, steps=30), run(Adam(lr=0.1), bowl, steps=30)]
    second = [diverging_run(bowl), run(Adam(lr=0.01), bowl, x0=[-1.0, 2.0], steps=30)]
    cs = sp.contour(None, bowl)
    ax = cs.axes
    lines = sp.plot_trajectories(ax, bowl, first, ["a", "b"])
    before = (len(ax.lines), len(ax.get_children()), list(ax.lines))
    sp.update_trajectories(lines, second)
    assert (len(ax.lines), len(ax.get_children()), list(ax.lines)) == before
    for line, trajectory in zip(lines, second):
        np.testing.assert_array_equal(line.get_xdata(), trajectory.points[:, 0])
        np.testing.assert_array_equal(line.get_ydata(), trajectory.points[:, 1])
    assert lines.end_markers[0].get_visible() and not lines.end_markers[1].get_visible()
    assert "diverged" in lines.legend_texts[0].get_text()
    assert len(lines.start_marker.get_xydata()) == 2  # two distinct starts now
    sp.update_trajectories(lines, first)  # and back: the cross and the note go away
    assert not lines.end_markers[0].get_visible()
    assert lines.legend_texts[0].get_text() == "a"


def test_shapes_and_counts_are_checked(bowl):
    batched = run(SGD(lr=0.05), bowl, x0=np.ones((3, 2)), steps=5)
    with pytest.raises(ValueError, match="unbatched"):
        sp.plot_trajectories(None, bowl, [batched], ["batch"])
    lines = sp.plot_trajectories(None, bowl, [run(SGD(lr=0.05), bowl, steps=5)], ["one"])
    with pytest.raises(ValueError, match="1 lines but 2 trajectories"):
        sp.update_trajectories(lines, [run(SGD(lr=0.05), bowl, steps=5)] * 2)
    with pytest.raises(ValueError, match="labels"):
        sp.plot_losses(None, [run(SGD(lr=0.05), bowl, steps=5)], [])


def test_label_for_shows_lr_and_only_the_settings_that_differ_from_the_defaults():
    assert sp.label_for(Adam(lr=0.1)) == "Adam(lr=0.1)"
    assert sp.label_for(Adam(lr=0.1, betas=(0.5, 0.999))) == "Adam(lr=0.1, β1=0.5)"
    assert sp.label_for(Adam(betas=(0.9, 0.99), eps=1e-6)) == "Adam(lr=0.001, β2=0.99, ε=1e-06)"
    assert (sp.label_for(SGD(lr=0.05, momentum=0.9, nesterov=True))
            == "SGD(lr=0.05, momentum=0.9, nesterov)")
    assert sp.label_for(RMSProp(centered=True)) == "RMSProp(lr=0.01, centered)"
    assert sp.label_for(AdamW(lr=0.1)) == "AdamW(lr=0.1)"
    assert sp.label_for(AdamW(lr=0.1, weight_decay=0.0)) == "AdamW(lr=0.1, wd=0)"
    assert sp.label_for(SGD(lr=np.array([0.1, 0.2, 0.3]))) == "SGD(lr=array(3,))"


def test_label_for_reads_the_defaults_from_the_registry(monkeypatch):
    """The registry is the one place that knows a method's defaults: change them there and
    the label follows (no second reading of the constructor's signature)."""
    from alr_teach.optimizers import registry

    adam = Adam(lr=0.1, betas=(0.5, 0.999))
    moved = {**registry.defaults("Adam"), "betas": (0.5, 0.999)}
    monkeypatch.setattr(registry.Entry, "defaults", lambda entry: moved)
    assert sp.label_for(adam) == "Adam(lr=0.1)"


def test_label_for_always_shows_the_settings_that_make_a_method():
    """"Momentum" is SGD with momentum 0.9 by definition, yet its label still says so."""
    from alr_teach.optimizers.registry import name_of

    assert name_of(SGD(lr=0.1, momentum=0.9)) == "Momentum"
    assert sp.label_for(SGD(lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9)"
    assert sp.label_for(Adam(lr=0.1, amsgrad=True)) == "Adam(lr=0.1, amsgrad)"


def test_surface_3d_draws_the_surface_and_paths_at_their_loss_heights(bowl):
    trajectory = run(SGD(lr=0.05), bowl, steps=20)
    fig = plt.figure()
    ax3d = fig.add_subplot(projection="3d")
    surface, lines = sp.surface_3d(ax3d, bowl, resolution=20, trajectories=[trajectory],
                                   labels=["SGD"])
    assert surface in ax3d.collections and len(lines) == 1
    x, y, z = lines[0].get_data_3d()
    np.testing.assert_allclose(x, trajectory.points[:, 0])
    np.testing.assert_allclose(z, trajectory.losses)
    assert ax3d.get_xlabel() and ax3d.get_ylabel() and ax3d.get_zlabel() == "loss"
    assert bowl.name in ax3d.get_title()
    with pytest.raises(ValueError, match="3-D axes"):
        sp.surface_3d(plt.figure().add_subplot(), bowl)


def test_surface_3d_uses_log_height_for_log_scale_landscapes():
    landscape = TinyRosenbrock()
    trajectory = run(Adam(lr=0.05), landscape, steps=20)
    _, lines = sp.surface_3d(None, landscape, resolution=30, trajectories=[trajectory],
                             labels=["Adam"])
    z = lines[0].get_data_3d()[2]
    assert np.all(z < np.log10(trajectory.losses + 1))  # heights are logs, not losses
    assert "log" in lines[0].axes.get_zlabel()


def test_plot_losses_floors_zeros_and_marks_divergence(bowl):
    diverged = diverging_run(bowl)
    exact = run(SGD(lr=1.0), Quadratic([1.0, 1.0]), steps=5)  # lands on the minimum at step 1
    assert exact.losses[1] == 0.0
    lines = sp.plot_losses(None, [exact, diverged], ["exact", "too fast"])
    ax = lines[0].axes
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(lines[0].get_ydata()[1:], sp.LOSS_FLOOR)
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(6))
    at = int(diverged.diverged_at)
    assert "diverged" in lines[1].get_label() and "diverged" not in lines[0].get_label()
    np.testing.assert_allclose(lines.end_markers[1].get_xydata(),
                               [[at - 1, diverged.losses[at - 1]]])
    assert lines.end_markers[1].get_marker() == "x"
    assert not len(lines.end_markers[0].get_xydata())
    assert ax.get_xlabel() == "step t" and "log" in ax.get_ylabel() and ax.get_title()


def test_plot_losses_subtracts_the_minimum():
    landscape = TinyRosenbrock()
    trajectory = run(Adam(lr=0.05), landscape, steps=10)
    lines = sp.plot_losses(None, [trajectory], ["Adam"], min_value=-1.0)
    np.testing.assert_allclose(lines[0].get_ydata(), trajectory.losses + 1.0)
    assert "minimum" in lines[0].axes.get_ylabel()


def test_plot_effective_lr_is_the_learning_rate_for_plain_gradient_descent(bowl):
    trajectory = run(SGD(lr=0.05), bowl, steps=15)
    artists = sp.plot_effective_lr(None, trajectory, lr=0.05)
    coordinate_lines = [a for a in artists if a.get_label().startswith("coordinate")]
    assert [a.get_label() for a in coordinate_lines] == ["coordinate x", "coordinate y"]
    for line in coordinate_lines:
        np.testing.assert_allclose(line.get_ydata(), 0.05)
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 16))
    ax = artists[0].axes
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step t" and ax.get_title()
    assert any("nominal" in a.get_label() for a in artists)


def test_plot_moments_shows_raw_and_bias_corrected_moments(bowl):
    trajectory = run(Adam(lr=0.1, betas=(0.9, 0.999)), bowl, steps=30)
    lines = sp.plot_moments(None, trajectory, 0.9, 0.999, coordinate=1)
    by_label = {line.get_label(): line for line in lines}
    v_line = next(line for label, line in by_label.items() if label.startswith("$v_t$"))
    v_hat_line = next(line for label, line in by_label.items() if "hat v" in label)
    t = np.arange(1, 31)
    v = trajectory.state["v"][:, 1]
    np.testing.assert_allclose(v_line.get_ydata(), v)
    np.testing.assert_allclose(v_hat_line.get_ydata(), v / (1 - 0.999**t))
    g1 = trajectory.grads[0, 1]
    assert v_hat_line.get_ydata()[0] == pytest.approx(g1**2)   # corrected: the right size
    assert v_line.get_ydata()[0] == pytest.approx(0.001 * g1**2)  # raw: near zero
    assert len(lines) == 5  # g^2, v, v_hat, |m|, |m_hat|
    ax = lines[0].axes
    assert ax.get_yscale() == "log" and "ias correction" in ax.get_title()
    assert ax.get_xlabel() == "step t" and ax.get_ylabel()


def test_plot_moments_needs_v_and_checks_beta2(bowl):
    with pytest.raises(ValueError, match="state 'v'.*velocity"):
        sp.plot_moments(None, run(SGD(lr=0.05, momentum=0.9), bowl, steps=5))
    with pytest.warns(UserWarning, match="beta2"):
        sp.plot_moments(None, run(Adam(lr=0.1, betas=(0.9, 0.99)), bowl, steps=5))


def test_plot_step_arrows_draw_gradient_momentum_and_step(bowl):
    trajectory = run(SGD(lr=0.05, momentum=0.9), bowl, steps=10)
    cs = sp.contour(None, bowl)
    artists = sp.plot_step_arrows(cs.axes, trajectory, 3)
    x_prev, x_new = trajectory.points[2], trajectory.points[3]
    start, end = artists["step"]._posA_posB
    np.testing.assert_allclose(start, x_prev)
    np.testing.assert_allclose(end, x_new)
    for role, vector in [("gradient", trajectory.grads[2]),
                         ("momentum", trajectory.state["velocity"][2])]:
        start, end = artists[role]._posA_posB
        arrow = np.subtract(end, start)
        cosine = arrow @ -vector / np.linalg.norm(arrow) / np.linalg.norm(vector)
        assert cosine == pytest.approx(1.0)  # along -g and -velocity, only rescaled
    arrows = [artists[k] for k in ("gradient", "momentum", "step")]
    assert len({to_hex(a.get_edgecolor()) for a in arrows}) == 3
    assert len({str(a.get_linestyle()) for a in arrows}) == 3
    texts = [t.get_text() for t in artists["legend"].get_texts()]
    assert any("gradient" in t and "×" in t for t in texts)
    assert any("velocity" in t for t in texts) and any("step taken" in t for t in texts)
    assert "t = 3" in cs.axes.get_title()
    assert cs.axes.get_xlim() == (-3.0, 3.0)  # the view is kept


def test_plot_step_arrows_without_momentum_and_bad_steps(bowl):
    trajectory = run(SGD(lr=0.05), bowl, steps=10)
    artists = sp.plot_step_arrows(None, trajectory, 1)
    assert "momentum" not in artists and {"gradient", "step"} <= set(artists)
    with pytest.raises(ValueError, match="Invalid step"):
        sp.plot_step_arrows(None, trajectory, 11)
    with pytest.raises(ValueError, match="after the run diverged"):
        diverged = diverging_run(bowl)
        sp.plot_step_arrows(None, diverged, int(diverged.diverged_at))


def test_animate_race_returns_a_closed_figure_that_renders_to_jshtml(bowl):
    runs = [run(SGD(lr=0.05), bowl, steps=40), diverging_run(bowl)]
    figures_before = plt.get_fignums()
    anim = sp.animate_race(bowl, runs, ["SGD", "too fast"], frames=6, interval=50)
    assert isinstance(anim, FuncAnimation)
    assert plt.get_fignums() == figures_before  # closed: no duplicate static picture
    html = anim.to_jshtml()
    assert "<script" in html and html.count("data:image/png;base64") >= 6
    # after the last frame the lines show the whole runs
    ax = anim._fig.axes[0]
    path = next(line for line in ax.lines if line.get_label() == "SGD")
    np.testing.assert_array_equal(path.get_xdata(), runs[0].points[:, 0])
    assert "step t = 40" in ax.get_title()


def test_freeze_background_keeps_the_picture_and_redraws_only_the_lines(bowl):
    runs = [run(SGD(lr=0.05), bowl, steps=30), run(Adam(lr=0.1), bowl, steps=30)]
    fig, ax = plt.subplots(figsize=(4, 3.5), dpi=60, layout="constrained")
    sp.contour(ax, bowl, resolution=60)
    lines = sp.plot_trajectories(ax, bowl, runs, ["SGD", "Adam"])
    freeze_layout(fig)
    fig.canvas.draw()
    plain = np.asarray(fig.canvas.buffer_rgba()).astype(int)
    frozen = freeze_background(fig, lines.artists())
    fig.canvas.draw()
    fast = np.asarray(fig.canvas.buffer_rgba()).astype(int)
    assert np.abs(fast - plain).mean() < 1.0  # the same picture (up to edge blending)
    assert not ax.xaxis.get_visible()  # ...drawn from the snapshot
    sp.update_trajectories(lines, [diverging_run(bowl), runs[1]])
    fig.canvas.draw()
    assert np.abs(np.asarray(fig.canvas.buffer_rgba()).astype(int) - fast).max() > 100
    frozen.release()
    assert ax.xaxis.get_visible() and frozen.snapshots == []
