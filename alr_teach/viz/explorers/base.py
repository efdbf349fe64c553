r"""One base for every explorer: settings, the update template, the figure and its controls.

An explorer is a figure whose settings a learner changes with sliders. What makes one
explorer itself is small: its settings and their defaults, what it checks, what it
computes, how it draws, and which controls it offers. Everything else lives here, once.

**What the base does** (a subclass does not repeat it):

* the live figure: a matplotlib :class:`~matplotlib.figure.Figure` drawn off screen by
  Agg (never registered with pyplot), shown by the widget as PNG bytes (:meth:`~Explorer.png`,
  :func:`figure_png`);
* the settings: ``DEFAULTS`` in one place; :meth:`~Explorer.validate` rejects an unknown
  name or a bad value with ``ValueError("Invalid <name>: <value> (<requirement>)")``, and
  a rejected update changes nothing;
* the update template, :meth:`~Explorer.update`: validate, merge the settings, compute,
  redraw (the whole figure only when a setting in ``REDRAW_ON`` changed, else only what
  :meth:`~Explorer.show` moves), summarise; the still part of the figure is frozen
  (:mod:`~alr_teach.viz.explorers.background`) when :meth:`~Explorer.moving` says what moves;
* :meth:`~Explorer.static_figure`: the same drawing on an ordinary pyplot figure, for saved
  notebooks and handouts;
* :meth:`~Explorer.widget`: builds the controls from their specs (:class:`Slider`,
  :class:`LogSlider`, :class:`IntSlider`, :class:`Menu`, :class:`MultiMenu`,
  :class:`Checkbox`, :class:`Choices`), connects every one of them to one handler that
  calls ``update`` and then refreshes the PNG, the summary and the controls; a refused
  value is put back and the reason shown under the figure. Slider events reach the
  explorer in one place (``Explorer._on_control``), and every control is built in one
  place (``Control.build``).

**What a subclass writes** (the hooks, in the order ``update`` calls them):

==========================  ===========================================================
``DEFAULTS``                every setting and its default (a class attribute)
``FIGSIZE``, ``DPI``        the live figure; ``STATIC_FIGSIZE`` the pyplot one
``REDRAW_ON``               settings whose change redraws the whole figure
``check(settings)``         raise ``ValueError`` for a bad value; return the settings
``prepare()``               derive fixed objects (a landscape) from the settings
``draw(fig)``               axes and empty artists on ``fig``; returns the *view*
``compute()``               the runs for the current settings; returns the *result*
``show(view, result)``      put the result on the view's artists
``summarise(result)``       the summary dict ``update`` returns
``moving(view)``            the artists ``show`` changes (None: nothing is frozen)
``control_specs()``         ``{setting: Control}``, in display order
``summary_html()``          the summary under the figure (None: none shown)
==========================  ===========================================================

and, when a control is not simply one setting, ``control_value(name)`` and
``control_changes(name, value)``; ``arrange(widgets, controls)`` lays the controls out
(default: one row, or the rows of ``ROWS``).

A whole explorer, headless:

>>> import numpy as np
>>> from alr_teach import _validation as check
>>> class Parabola(Explorer):
...     '''y = a x^2 on [-1, 1], with a slider for a.'''
...     DEFAULTS = {"a": 1.0}
...     FIGSIZE = (3, 2)
...     def check(self, settings):
...         check.positive("a", settings["a"])
...         return settings
...     def draw(self, fig):
...         return fig.subplots().plot([], [])[0]
...     def compute(self):
...         x = np.linspace(-1, 1, 5)
...         return x, self.settings["a"] * x**2
...     def show(self, line, xy):
...         line.set_data(*xy)
...     def summarise(self, xy):
...         return {"a": self.settings["a"], "top": float(xy[1].max())}
...     def control_specs(self):
...         return {"a": Slider(0.1, 5.0, 0.1, "curvature a")}
>>> explorer = Parabola(a=2.0)
>>> explorer.summary
{'a': 2.0, 'top': 2.0}
>>> explorer.update(a=3.0)
{'a': 3.0, 'top': 3.0}
>>> explorer.update(b=1.0)
Traceback (most recent call last):
...
ValueError: Invalid setting: 'b' (choose from a)
>>> explorer.update(a=-1.0)
Traceback (most recent call last):
...
ValueError: Invalid a: -1.0 (must be finite and in (0, inf))
>>> explorer.settings                      # the refused update changed nothing
{'a': 3.0}
>>> explorer.png()[:4]
b'\x89PNG'
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from alr_teach import _validation as check
from alr_teach.viz.explorers.background import FrozenBackground, freeze_background

__all__ = [
    "Checkbox",
    "Choices",
    "Control",
    "Explorer",
    "IntSlider",
    "LogSlider",
    "Menu",
    "MultiMenu",
    "Slider",
    "figure_png",
]

#: Sliders apply when released: a run per mouse movement would queue up behind the mouse.
CONTINUOUS_UPDATE = False


def figure_png(fig: Figure) -> bytes:
    """A figure as PNG bytes at its own size and dpi (what an explorer's image shows).

    One Agg draw, then light PNG compression: about 40 % faster than ``savefig``, which
    draws twice for a constrained layout, and the slider-to-figure time is what a
    learner feels.
    """
    from PIL import Image  # Pillow comes with matplotlib

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        buffer, format="png", compress_level=1)
    return buffer.getvalue()


# -- the controls, as specs: what a control is, not how ipywidgets builds it ----------------

class Control:
    """A control's spec: what it is (range, options, ``label``), not how ipywidgets builds it.

    Specs are frozen dataclasses, so two specs are equal when they describe the same
    control: the widget rebuilds a control only when its spec changes.
    """

    label: str

    def build(self, widgets: Any, value: object) -> Any:
        """The ipywidgets control showing ``value`` (``widgets`` is the ipywidgets module)."""
        raise NotImplementedError

    def _common(self) -> dict:
        return {"description": self.label, "style": {"description_width": "initial"}}

    def _slider(self) -> dict:
        return {**self._common(), "continuous_update": CONTINUOUS_UPDATE}


@dataclass(frozen=True)
class Slider(Control):
    """A slider for a real number from ``low`` to ``high`` in steps of ``step``."""

    low: float
    high: float
    step: float
    label: str
    fmt: str = ".3f"

    def build(self, widgets: Any, value: object) -> Any:
        return widgets.FloatSlider(value=value, min=self.low, max=self.high, step=self.step,
                                   readout_format=self.fmt, **self._slider())


@dataclass(frozen=True)
class LogSlider(Control):
    """A log-scale slider from ``10**low`` to ``10**high`` in steps of ``step`` decades."""

    low: float
    high: float
    step: float
    label: str
    fmt: str = ".1e"
    width: str | None = None  # e.g. "60%"; None: ipywidgets' own width

    def build(self, widgets: Any, value: object) -> Any:
        layout = {} if self.width is None else {"layout": widgets.Layout(width=self.width)}
        return widgets.FloatLogSlider(value=value, base=10, min=self.low, max=self.high,
                                      step=self.step, readout_format=self.fmt,
                                      **self._slider(), **layout)


@dataclass(frozen=True)
class IntSlider(Control):
    """A slider for a whole number from ``low`` to ``high`` in steps of ``step``."""

    low: int
    high: int
    step: int
    label: str

    def build(self, widgets: Any, value: object) -> Any:
        return widgets.IntSlider(value=value, min=self.low, max=self.high, step=self.step,
                                 **self._slider())


@dataclass(frozen=True)
class Menu(Control):
    """A drop-down menu of ``options``: values, or ``(label, value)`` pairs."""

    options: Sequence
    label: str

    def build(self, widgets: Any, value: object) -> Any:
        return widgets.Dropdown(options=list(self.options), value=value, **self._common())


@dataclass(frozen=True)
class MultiMenu(Control):
    """A list of ``options`` of which any may be selected (the value is a tuple)."""

    options: Sequence
    label: str

    def build(self, widgets: Any, value: object) -> Any:
        return widgets.SelectMultiple(options=list(self.options), value=tuple(value),
                                      rows=len(self.options), **self._common())


@dataclass(frozen=True)
class Checkbox(Control):
    """A tick box for a True/False setting."""

    label: str

    def build(self, widgets: Any, value: object) -> Any:
        return widgets.Checkbox(value=bool(value), **self._common())


@dataclass(frozen=True)
class Choices(Control):
    """A slider over a few ``options`` (e.g. batch sizes), one stop per option."""

    options: Sequence
    label: str

    def build(self, widgets: Any, value: object) -> Any:
        return widgets.SelectionSlider(options=list(self.options), value=value,
                                       **self._slider())


def _differs(a: object, b: object) -> bool:
    """Whether two setting values differ (sequences and arrays compared element-wise).

    >>> _differs(0.5, 0.5), _differs(("SGD",), ("SGD", "SGD")), _differs(None, (1.0, 2.0))
    (False, True, True)
    """
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    return a.shape != b.shape or not bool(np.all(a == b))


# -- the explorer ------------------------------------------------------------------------------

class Explorer:
    """A figure driven by settings: ``update(**changes)`` redraws it and returns a summary.

    Construct with keyword settings (the keys of ``DEFAULTS``; the rest keep their
    defaults). Attributes: ``settings`` (the current settings), ``summary`` (what the
    last ``update`` returned), ``result`` (what its :meth:`compute` returned), ``fig``
    (the live figure), ``view`` (what :meth:`draw` returned for it) and, once
    :meth:`widget` has been called, ``controls`` (name -> ipywidgets control), ``image``,
    ``text`` (the summary, or None) and ``message``.
    The module docstring lists the hooks a subclass writes.
    """

    #: every setting and its default
    DEFAULTS: ClassVar[dict[str, Any]] = {}
    #: size (inches) and dpi of the live figure; STATIC_FIGSIZE: the pyplot copy's size
    FIGSIZE: ClassVar[tuple[float, float]] = (10.0, 4.0)
    DPI: ClassVar[float] = 80
    STATIC_FIGSIZE: ClassVar[tuple[float, float] | None] = None
    #: settings whose change redraws the whole figure (e.g. a new landscape's contours)
    REDRAW_ON: ClassVar[tuple[str, ...]] = ()
    #: rows of control names for the default :meth:`arrange` (None: one row of all)
    ROWS: ClassVar[Sequence[Sequence[str]] | None] = None

    def __init__(self, **settings: Any) -> None:
        self.settings: dict[str, Any] = dict(self.DEFAULTS)
        self.settings = self.validate(settings)
        self.prepare()
        self.fig = Figure(figsize=self.FIGSIZE, dpi=self.DPI, layout="constrained")
        FigureCanvasAgg(self.fig)  # drawn off screen; the widget shows it as a PNG
        self._frozen: FrozenBackground | None = None
        self._muted = False
        self.controls: dict[str, Any] = {}
        self._specs: dict[str, Control] = {}
        self.view = self.draw(self.fig)
        self.summary: dict = self.update()

    # -- the template ----------------------------------------------------------------------
    def validate(self, changes: dict[str, Any]) -> dict[str, Any]:
        """The settings ``changes`` would give, checked; raises ``ValueError``, changes nothing.

        Unknown names are refused by name; values go through :meth:`check`.
        """
        check.known_settings(changes, list(self.settings))
        return self.check({**self.settings, **changes})

    def update(self, **changes: Any) -> dict:
        """Apply ``changes``, recompute, redraw; return the summary (also ``self.summary``).

        A bad name or value raises ``ValueError`` and leaves the settings, the figure
        and the summary as they were.
        """
        settings = self.validate(changes)
        redraw = any(_differs(settings[k], self.settings[k]) for k in self.REDRAW_ON)
        old, self.settings = self.settings, settings
        try:
            if redraw:
                self.prepare()
            result = self.compute()
        except Exception:
            self.settings = old
            if redraw:
                self.prepare()
            raise
        if redraw:
            self._redraw()
        self.show(self.view, result)
        self.result = result
        self.summary = self.summarise(result)
        if self._frozen is None:
            moving = self.moving(self.view)
            if moving is not None:
                self._frozen = freeze_background(self.fig, moving)
        return self.summary

    def _redraw(self) -> None:
        """A fresh live figure for the current settings (the background is frozen anew)."""
        if self._frozen is not None:
            self._frozen.release()
            self._frozen = None
        self.fig.clear()
        self.fig.set_layout_engine("constrained")
        self.view = self.draw(self.fig)

    def static_figure(self) -> Figure:
        """The current view as an ordinary pyplot figure; end the cell with ``plt.show()``.

        Drawn anew by the same :meth:`draw` and :meth:`show` from the last update's
        ``result`` (nothing is recomputed: an explorer that trains does not train again;
        the live figure and the summary are untouched), for saved notebooks and handouts.
        """
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=self.STATIC_FIGSIZE or self.FIGSIZE, layout="constrained")
        self.show(self.draw(fig), self.result)
        return fig

    def png(self) -> bytes:
        """The live figure as PNG bytes at its own size (what the widget shows)."""
        return figure_png(self.fig)

    # -- hooks: what makes an explorer itself ----------------------------------------------
    def check(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Raise ``ValueError`` if a value of ``settings`` is bad; return the settings to keep.

        ``settings`` are all the settings after an update. Return them as they are, or
        with values converted (e.g. to ``float``).
        """
        return settings

    def prepare(self) -> None:
        """Derive what the settings fix for every run (e.g. ``self.landscape``).

        Called at the start and whenever a setting of ``REDRAW_ON`` changes, before
        :meth:`compute` and :meth:`draw`.
        """

    def draw(self, fig: Figure) -> Any:
        """Axes and their (empty) artists on ``fig``; returns the *view* :meth:`show` fills."""
        raise NotImplementedError

    def compute(self) -> Any:
        """The runs (or values) for the current settings: the *result* to show."""
        raise NotImplementedError

    def show(self, view: Any, result: Any) -> None:
        """Put ``result`` on the artists of ``view`` (no new artists on the live figure)."""
        raise NotImplementedError

    def summarise(self, result: Any) -> dict:
        """The summary of ``result`` that :meth:`update` returns."""
        raise NotImplementedError

    def moving(self, view: Any) -> list[Artist] | None:
        """The artists :meth:`show` changes; the rest is rendered once and frozen.

        None (the default) freezes nothing: every redraw draws the whole figure.
        """
        return None

    def summary_html(self) -> str | None:
        """The summary as HTML under the figure, or None for no summary there."""
        return None

    def control_specs(self) -> dict[str, Control]:
        """The controls, ``{name: spec}`` in display order (names are usually settings)."""
        return {}

    def control_value(self, name: str) -> Any:
        """The value the control ``name`` shows for the current settings."""
        return self.settings[name]

    def control_changes(self, name: str, value: Any) -> dict[str, Any] | None:
        """The settings to change when control ``name`` takes ``value`` (None: put it back)."""
        return {name: value}

    def arrange(self, widgets: Any, controls: dict[str, Any]) -> list:
        """The widgets above the figure: one row per ``ROWS`` entry (default: one row)."""
        rows = self.ROWS or [list(controls)]
        return [widgets.HBox([controls[name] for name in row if name in controls])
                for row in rows]

    # -- the widget: controls -> update -> image, summary ----------------------------------
    def widget(self) -> Any:
        """The controls above the figure (a PNG), the summary and any message below it."""
        import ipywidgets as widgets

        self._widgets = widgets
        self.controls, self._specs = {}, {}
        self.image = widgets.Image(value=self.png(), format="png")
        text = self.summary_html()
        self.text = None if text is None else widgets.HTML(text)
        self.message = widgets.HTML("")
        self.box = widgets.VBox()
        self._sync_controls()
        return self.box

    def _on_control(self, name: str, change: dict) -> None:
        """Every control's value change arrives here: update, then refresh the widget."""
        if self._muted:
            return
        changes = self.control_changes(name, change["new"])
        if changes is not None:
            try:
                self.update(**changes)
            except ValueError as error:
                self.message.value = (f"<p style='color:#D55E00'>Not applied: "
                                      f"{html.escape(str(error))}</p>")
            else:
                self.message.value = ""
                self.image.value = self.png()
                if self.text is not None:
                    self.text.value = self.summary_html()
        self._sync_controls()

    def _sync_controls(self) -> None:
        """Make the controls show the current settings: build new ones, set values, lay out."""
        specs = self.control_specs()
        self._muted = True  # values set here are the settings already: no update
        try:
            controls = {}
            for name, spec in specs.items():
                value = self.control_value(name)
                if self._specs.get(name) != spec:
                    controls[name] = spec.build(self._widgets, value)
                    controls[name].observe(
                        lambda change, name=name: self._on_control(name, change), names="value")
                else:
                    controls[name] = self.controls[name]
                    if _differs(controls[name].value, value):
                        controls[name].value = value
        finally:
            self._muted = False
        rebuilt = list(controls.values()) != list(self.controls.values()) or not self.box.children
        self.controls, self._specs = controls, dict(specs)
        if rebuilt:
            self.box.children = [*self.arrange(self._widgets, controls), self.image,
                                 *([self.text] if self.text is not None else []), self.message]
