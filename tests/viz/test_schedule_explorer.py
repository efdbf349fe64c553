"""The schedule explorer, driven headlessly: what it draws is what the schedules return."""

from __future__ import annotations

from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.lines import Line2D
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, Adam, Scheduled
from alr_teach.optimizers import schedules as sch
from alr_teach.viz.explorers.schedule import (
    SCHEDULES,
    SHARED,
    ScheduleExplorer,
    describe,
    make_schedule,
    plot_all_schedules,
    schedule_values,
)
from alr_teach.viz.plots import style

K = np.arange(300)


@pytest.fixture  # function scope: tests move its sliders
def explorer():
    return ScheduleExplorer()


def test_every_schedule_module_function_is_offered():
    offered = set(SCHEDULES) | {"one_cycle_momentum"}
    assert offered == {"constant", "step_decay", "exponential", "cosine", "cosine_warm_restarts",
                       "linear_warmup", "warmup_cosine", "one_cycle", "one_cycle_momentum"}
    assert SHARED == {"lr": 0.1, "steps": 300}


@pytest.mark.parametrize("name, expected", [
    ("constant", sch.constant(K, lr=0.1)),
    ("step_decay", sch.step_decay(K, lr=0.1, step_size=100, gamma=0.5)),
    ("exponential", sch.exponential(K, lr=0.1, gamma=0.99)),
    ("cosine", sch.cosine(K, lr=0.1, T_max=300)),
    ("cosine_warm_restarts", sch.cosine_warm_restarts(K, lr=0.1, T_0=50, T_mult=2)),
    ("linear_warmup", sch.linear_warmup(K, lr=0.1, warmup_steps=50)),
    ("warmup_cosine", sch.warmup_cosine(K, lr=0.1, warmup_steps=30, total_steps=300)),
    ("one_cycle", sch.one_cycle(K, max_lr=0.1, total_steps=300, pct_start=0.3)),
])
def test_defaults_give_the_schedule_functions_values(name, expected):
    rates, momenta = schedule_values(name)
    assert_array_equal(rates, expected)
    if name == "one_cycle":
        assert_array_equal(momenta, sch.one_cycle_momentum(K, total_steps=300, pct_start=0.3))
    else:
        assert momenta is None


def test_make_schedule_drives_scheduled_optimizers():
    lr_fn, momentum_fn = make_schedule("one_cycle", lr=0.5, steps=40, pct_start=0.25)
    opt = Scheduled(SGD(lr=0.5, momentum=0.9), lr=lr_fn, momentum=momentum_fn)
    x = np.ones(2)
    for _ in range(40):
        x = opt.step(x, x)
    assert_allclose(opt.history, sch.one_cycle(np.arange(40), 0.5, 40, pct_start=0.25))
    assert_allclose(opt.momentum_history, sch.one_cycle_momentum(np.arange(40), 40, pct_start=0.25))
    lr_fn, momentum_fn = make_schedule("cosine", lr=0.01, T_max=10)
    assert momentum_fn is None and isinstance(lr_fn, partial)
    adam = Scheduled(Adam(), lr=lr_fn)
    adam.step(np.ones(1), np.ones(1))
    assert adam.history == [0.01]


def test_update_returns_and_draws_the_values(explorer):
    summary = explorer.update(schedule="cosine_warm_restarts", lr=0.2, T_0=30, T_mult=1)
    expected = sch.cosine_warm_restarts(K, lr=0.2, T_0=30, T_mult=1)
    assert_array_equal(summary["lr"], expected)
    assert_array_equal(explorer.view["rate_line"].get_ydata(), expected)
    assert summary["momentum"] is None and not explorer.view["momentum_line"].get_visible()
    assert summary["mean_lr"] == pytest.approx(expected.mean())
    assert summary["final_lr"] == pytest.approx(expected[-1])
    assert summary["label"] == "cosine_warm_restarts(lr=0.2, T_0=30, T_mult=1)"
    assert summary["label"] in explorer.view["ax"].get_title()
    assert explorer.view["ax"].get_ylim()[1] >= 0.2
    explorer.update(lr=0.1, T_0=50, T_mult=2)


def test_one_cycle_shows_its_momentum_on_the_right_axis(explorer):
    summary = explorer.update(schedule="one_cycle", pct_start=0.4)
    momenta = sch.one_cycle_momentum(K, total_steps=300, pct_start=0.4)
    assert_array_equal(summary["momentum"], momenta)
    assert explorer.view["momentum_line"].get_visible()
    assert explorer.view["ax_momentum"].get_visible()
    assert_array_equal(explorer.view["momentum_line"].get_ydata(), momenta)
    assert summary["lr"].argmax() == int(np.ceil(0.4 * 300 - 1))  # the peak ends the rise
    explorer.update(schedule="cosine_warm_restarts")
    assert not explorer.view["momentum_line"].get_visible()


def test_each_schedule_keeps_its_parameters_and_its_style(explorer):
    explorer.update(schedule="step_decay", step_size=60)
    explorer.update(schedule="cosine")
    assert explorer.view["rate_line"].get_color() == style(list(SCHEDULES).index("cosine"))["color"]
    summary = explorer.update(schedule="step_decay")
    assert summary["settings"]["step_size"] == 60
    assert explorer.view["rate_line"].get_marker() == style(1)["marker"]
    explorer.update(step_size=100)


def test_the_horizon_changes_the_lines_without_new_artists(explorer):
    count = len(explorer.view["ax"].lines) + len(explorer.view["ax_momentum"].lines)
    summary = explorer.update(schedule="warmup_cosine", steps=120)
    assert len(summary["lr"]) == 120 and len(explorer.view["rate_line"].get_xdata()) == 120
    assert summary["final_lr"] == pytest.approx(sch.warmup_cosine(119, 0.1, 30, 120))
    assert explorer.view["ax"].get_xlim() == (0, 120)
    assert len(explorer.view["ax"].lines) + len(explorer.view["ax_momentum"].lines) == count
    explorer.update(steps=300)


@pytest.mark.parametrize("changes, message", [
    ({"schedule": "cosine", "T_0": 10}, "T_0"),          # another schedule's parameter
    ({"schedule": "linear"}, "linear"),
    ({"schedule": "warmup_cosine", "warmup_steps": 300}, "total_steps"),
    ({"schedule": "cosine", "lr": -1.0}, "lr"),
])
def test_bad_settings_are_named_and_change_nothing(changes, message):
    explorer = ScheduleExplorer(schedule="exponential")
    before = explorer.view["rate_line"].get_ydata().copy()
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.schedule == "exponential" and explorer.shared == SHARED
    assert explorer.params["warmup_cosine"] == SCHEDULES["warmup_cosine"]
    assert_array_equal(explorer.view["rate_line"].get_ydata(), before)


def test_describe_names_the_call():
    assert describe("cosine") == "cosine(lr=0.1, T_max=300)"
    assert describe("one_cycle", lr=1.0, steps=50) == \
        "one_cycle(max_lr=1, pct_start=0.3, total_steps=50)"


def _reported_linestyle(linestyle):
    """How matplotlib reports a line style it was given."""
    return Line2D([], [], linestyle=linestyle).get_linestyle()


def test_all_schedules_figure_has_one_labelled_styled_panel_each():
    fig = plot_all_schedules()
    panels = fig.axes[:len(SCHEDULES)]
    for i, (name, ax) in enumerate(zip(SCHEDULES, panels)):
        line = ax.lines[0]
        assert line.get_color() == style(i)["color"]
        assert line.get_linestyle() == _reported_linestyle(style(i)["linestyle"])
        assert name in ax.get_title() and ax.get_legend() is not None
        assert len(line.get_xdata()) == 300 and ax.get_xlim() == (0, 300)
    assert len(fig.axes) == len(SCHEDULES) + 1  # one-cycle's momentum axis
    plt.close(fig)


def test_widget_drives_the_explorer_headlessly():
    explorer = ScheduleExplorer()
    box = explorer.widget()
    controls = explorer.controls
    sliders = [c for c in controls.values() if hasattr(c, "continuous_update")]
    assert sliders and all(c.continuous_update is False for c in sliders)
    assert {"schedule", "lr", "steps", "T_0", "T_mult"} <= set(controls)
    image, message = explorer.image, explorer.message
    assert box.children[-2:] == (image, message)
    before = image.value
    controls["T_0"].value = 20
    assert explorer.summary["settings"]["T_0"] == 20
    assert image.value != before and image.value[:4] == b"\x89PNG"
    controls["schedule"].value = "one_cycle"
    assert explorer.schedule == "one_cycle" and "pct_start" in explorer.controls
    assert "T_0" not in explorer.controls
    explorer.controls["pct_start"].value = 0.5
    assert explorer.summary["lr"].argmax() == 149
    controls["schedule"].value = "warmup_cosine"
    shown = image.value
    explorer.controls["warmup_steps"].value = 400  # longer than the horizon: refused
    assert "Not applied" in message.value and "total_steps" in message.value
    assert explorer.params["warmup_cosine"]["warmup_steps"] == 30 and image.value == shown
    assert explorer.controls["warmup_steps"].value == 30  # the slider is put back
    explorer.controls["warmup_steps"].value = 10
    assert message.value == "" and explorer.summary["lr"].argmax() == 10
