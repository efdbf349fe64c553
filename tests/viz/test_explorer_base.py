"""The Explorer base: the update template, validation, static figures and the control wiring."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from alr_teach import _validation as check
from alr_teach.viz.explorers.base import (
    CONTINUOUS_UPDATE,
    Checkbox,
    Choices,
    Explorer,
    IntSlider,
    LogSlider,
    Menu,
    MultiMenu,
    Slider,
    figure_png,
)


class Line(Explorer):
    """y = a x + b on [0, 1]; ``n`` points; redraws the whole figure when ``n`` changes."""

    DEFAULTS = {"a": 1.0, "b": 0.0, "n": 5, "kind": "line"}
    FIGSIZE = (3, 2)
    REDRAW_ON = ("n",)

    def __init__(self, **settings):
        self.calls = {"prepare": 0, "draw": 0, "compute": 0}
        self.fail = False
        super().__init__(**settings)

    def check(self, settings):
        check.positive("a", settings["a"])
        check.whole("n", settings["n"], low=2)
        check.one_of("kind", settings["kind"], ("line", "dots"))
        return {**settings, "a": float(settings["a"])}

    def prepare(self):
        self.calls["prepare"] += 1
        self.x = np.linspace(0, 1, self.settings["n"])

    def draw(self, fig):
        self.calls["draw"] += 1
        ax = fig.subplots()
        ax.set_title("still")
        return {"ax": ax, "line": ax.plot([], [])[0]}

    def compute(self):
        self.calls["compute"] += 1
        if self.fail:
            raise RuntimeError("the run failed")
        return self.settings["a"] * self.x + self.settings["b"]

    def show(self, view, y):
        view["line"].set_data(self.x, y)
        view["ax"].set_ylim(-1, 10)

    def summarise(self, y):
        return {"top": float(y.max())}

    def moving(self, view):
        return [view["line"]]

    def summary_html(self):
        return f"<p>top {self.summary['top']:g}</p>"

    def control_specs(self):
        return {"a": LogSlider(-1, 1, 0.1, "a"), "b": Slider(-1.0, 1.0, 0.1, "b"),
                "n": IntSlider(2, 50, 1, f"n (now {self.settings['n']})"),
                "kind": Menu(["line", "dots"], "kind")}


def test_update_runs_the_template_and_returns_the_summary():
    explorer = Line(a=2.0)
    assert explorer.summary == {"top": 2.0} and explorer.settings["a"] == 2.0
    assert explorer.update(b=1.0) == {"top": 3.0} == explorer.summary
    np.testing.assert_array_equal(explorer.view["line"].get_ydata(), 2.0 * explorer.x + 1.0)
    assert explorer.calls == {"prepare": 1, "draw": 1, "compute": 2}


@pytest.mark.parametrize("changes, message", [
    ({"c": 1.0}, "Invalid setting: 'c'"),
    ({"a": -1.0}, "Invalid a: -1.0"),
    ({"b": 0.5, "n": 1}, "Invalid n: 1"),
    ({"kind": "curve"}, "Invalid kind: 'curve'"),
])
def test_a_bad_update_is_named_and_changes_nothing(changes, message):
    explorer = Line(a=2.0)
    settings, summary, y = dict(explorer.settings), explorer.summary, \
        explorer.view["line"].get_ydata().copy()
    with pytest.raises(ValueError, match=message):
        explorer.update(**changes)
    assert explorer.settings == settings and explorer.summary is summary
    np.testing.assert_array_equal(explorer.view["line"].get_ydata(), y)
    assert explorer.calls["compute"] == 1


def test_a_failing_computation_leaves_the_settings_as_they_were():
    explorer = Line()
    explorer.fail = True
    with pytest.raises(RuntimeError, match="failed"):
        explorer.update(n=9)
    assert explorer.settings["n"] == 5 and explorer.x.size == 5
    assert explorer.calls["draw"] == 1  # the figure was not redrawn either


def test_only_a_redraw_on_setting_redraws_the_whole_figure():
    explorer = Line()
    frozen, view = explorer._frozen, explorer.view
    assert frozen is not None and not explorer.view["ax"].title.get_visible()  # in a picture
    explorer.update(a=3.0)
    assert explorer.view is view and explorer._frozen is frozen
    explorer.update(n=20)
    assert explorer.calls["draw"] == 2 and explorer.view is not view
    assert explorer._frozen is not frozen and len(explorer.fig.axes) == 1
    assert explorer.view["line"].get_xdata().size == 20
    assert explorer.png()[:4] == b"\x89PNG"


def test_static_figure_draws_anew_and_leaves_the_live_view_alone():
    explorer = Line(a=4.0)
    view, summary = explorer.view, explorer.summary
    fig = explorer.static_figure()
    assert fig is not explorer.fig and plt.fignum_exists(fig.number)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), 4.0 * explorer.x)
    assert explorer.view is view and explorer.summary is summary
    plt.close(fig)


def test_figure_png_draws_any_figure():
    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    png = figure_png(fig)
    assert png[:4] == b"\x89PNG"
    plt.close(fig)


# -- the wiring ---------------------------------------------------------------------------
def test_controls_are_built_from_their_specs_and_drive_update():
    explorer = Line()
    box = explorer.widget()
    c = explorer.controls
    assert [type(c[n]).__name__ for n in ("a", "b", "n", "kind")] == \
        ["FloatLogSlider", "FloatSlider", "IntSlider", "Dropdown"]
    assert all(c[n].continuous_update is CONTINUOUS_UPDATE is False for n in ("a", "b", "n"))
    assert list(box.children) == [box.children[0], explorer.image, explorer.text,
                                  explorer.message]
    assert list(box.children[0].children) == list(c.values())
    before = explorer.image.value
    c["a"].value = 3.0
    assert explorer.settings["a"] == 3.0 and explorer.summary == {"top": 3.0}
    assert explorer.image.value != before and explorer.text.value == "<p>top 3</p>"
    assert explorer.calls["compute"] == 2  # one update per change


def test_a_refused_value_is_put_back_and_explained():
    explorer = Line()
    explorer.widget()
    explorer.controls["a"].value = 2.0
    shown, computed = explorer.image.value, explorer.calls["compute"]
    explorer.fail = True
    with pytest.raises(RuntimeError):  # not a ValueError: a bug, not a refused value
        explorer.controls["b"].value = 0.5
    explorer.fail = False

    def refuse(settings):
        raise ValueError("Invalid b: 0.7 (not today)")

    explorer.check = refuse
    explorer.controls["b"].value = 0.7
    assert "Not applied: Invalid b: 0.7 (not today)" in explorer.message.value
    assert explorer.controls["b"].value == explorer.settings["b"] == 0.0  # put back
    assert explorer.image.value == shown and explorer.calls["compute"] == computed + 1
    del explorer.check
    explorer.controls["b"].value = 0.2
    assert explorer.message.value == "" and explorer.settings["b"] == 0.2


def test_a_control_whose_spec_changes_is_rebuilt_and_laid_out_again():
    explorer = Line()
    box = explorer.widget()
    old_n, old_a = explorer.controls["n"], explorer.controls["a"]
    old_n.value = 10  # its label names the current n: the spec changes
    assert explorer.controls["n"] is not old_n and explorer.controls["a"] is old_a
    assert explorer.controls["n"].description == "n (now 10)"
    assert explorer.controls["n"] in box.children[0].children
    assert old_n not in box.children[0].children


def test_control_changes_none_puts_the_control_back():
    class Picky(Line):
        def control_changes(self, name, value):
            return None if value == "dots" else {name: value}

    explorer = Picky()
    explorer.widget()
    explorer.controls["kind"].value = "dots"
    assert explorer.settings["kind"] == "line" and explorer.controls["kind"].value == "line"
    assert explorer.calls["compute"] == 1


def test_every_spec_builds_its_widget():
    import ipywidgets as widgets

    built = {
        "FloatSlider": Slider(0, 1, 0.1, "s").build(widgets, 0.5),
        "FloatLogSlider": LogSlider(-2, 0, 0.1, "l", width="60%").build(widgets, 0.1),
        "IntSlider": IntSlider(0, 9, 1, "i").build(widgets, 3),
        "Dropdown": Menu([("x", 0), ("y", 1)], "m").build(widgets, 1),
        "SelectMultiple": MultiMenu(["p", "q"], "mm").build(widgets, ("q",)),
        "Checkbox": Checkbox("c").build(widgets, True),
        "SelectionSlider": Choices((16, 32, 64), "batch").build(widgets, 32),
    }
    assert {name: type(w).__name__ for name, w in built.items()} == \
        {name: name for name in built}
    assert built["FloatLogSlider"].layout.width == "60%"
    assert built["SelectMultiple"].value == ("q",) and built["Dropdown"].value == 1
    assert built["SelectionSlider"].continuous_update is False
    assert Slider(0, 1, 0.1, "s") == Slider(0, 1, 0.1, "s") != Slider(0, 2, 0.1, "s")


# -- every explorer of viz: what the browser test relies on ---------------------------------
def _explorers():
    from alr_teach.viz.explorers.accumulator import AccumulatorExplorer
    from alr_teach.viz.explorers.eigen import EigenExplorer
    from alr_teach.viz.explorers.memory import MemoryExplorer
    from alr_teach.viz.explorers.moment import MomentExplorer
    from alr_teach.viz.explorers.schedule import ScheduleExplorer
    from alr_teach.viz.explorers.units import UnitsExplorer
    from alr_teach.viz.widgets import LearningRateExplorer, OptimizerExplorer

    return {
        "accumulator": lambda: AccumulatorExplorer(steps=30),
        "eigen": lambda: EigenExplorer(steps=60),
        "memory": lambda: MemoryExplorer(steps=100),
        "moment": lambda: MomentExplorer(steps=30),
        "schedule": lambda: ScheduleExplorer(steps=100),
        "units": lambda: UnitsExplorer(steps=30),
        "learning rate": lambda: LearningRateExplorer(),
        "optimizer": lambda: OptimizerExplorer(steps=30, racers=("SGD", "Adam")),
    }


@pytest.mark.parametrize("name", list(_explorers()))
def test_moving_the_first_slider_changes_the_figure(name):
    """The browser test drags each explorer's first slider and expects a new PNG."""
    explorer = _explorers()[name]()
    assert isinstance(explorer, Explorer)
    box = explorer.widget()
    slider = next(c for c in explorer.controls.values() if "Slider" in type(c).__name__)
    assert slider.continuous_update is False and explorer.image in box.children
    before, settings = explorer.image.value, dict(explorer.settings)
    slider.value = slider.max if slider.value != slider.max else slider.min
    assert explorer.message.value == ""
    assert explorer.settings != settings and explorer.image.value != before
    plt.close("all")
