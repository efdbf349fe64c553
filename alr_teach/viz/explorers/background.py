"""Freeze the still part of an explorer's figure, so a redraw draws only what moves.

Drawing text (tick labels, legends, titles) is most of matplotlib's redraw time, and in
an explorer almost none of it changes when a slider moves. :func:`freeze_background`
renders the still artists once into two pictures (the ones under the moving artists
and the ones over them) and hides them; each redraw copies the pictures and draws the
moving artists in between. :func:`freeze_layout` fixes the layout so that a redraw
skips the layout engine too. :class:`~alr_teach.viz.explorers.base.Explorer` uses both
(see its ``moving``); so do animations (:func:`alr_teach.viz.surface_plots.animate_race`).

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from matplotlib.figure import Figure
>>> from matplotlib.backends.backend_agg import FigureCanvasAgg
>>> fig = Figure(figsize=(3, 2), layout="constrained")
>>> canvas = FigureCanvasAgg(fig)
>>> ax = fig.subplots()
>>> (line,) = ax.plot([0, 1], [0, 1])
>>> ax.set_title("still")  # doctest: +ELLIPSIS
Text(...)
>>> frozen = freeze_background(fig, [line])
>>> ax.title.get_visible(), line.get_visible(), len(frozen.snapshots)  # title: in a picture
(False, True, 2)
>>> frozen.release()
>>> ax.title.get_visible(), frozen.snapshots
(True, [])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["FrozenBackground", "freeze_background", "freeze_layout"]


class _Snapshot(Artist):
    """A pre-rendered RGBA layer of the whole figure, copied straight to the canvas.

    Only the part with any opacity is kept and drawn. Rendered at another size (saved
    at another dpi), the full layer is scaled to the canvas by nearest neighbour.
    """

    def __init__(self, rgba: np.ndarray, zorder: float) -> None:
        super().__init__()
        self._full = rgba
        rows = np.flatnonzero(rgba[..., 3].any(axis=1))
        cols = np.flatnonzero(rgba[..., 3].any(axis=0))
        if rows.size:
            top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            # draw_image wants rows bottom-up and the offset from the bottom-left corner
            self._crop = np.ascontiguousarray(rgba[top:bottom, left:right][::-1])
            self._offset = (int(left), int(rgba.shape[0] - bottom))
        else:
            self._crop = None
        self.set_zorder(zorder)

    def draw(self, renderer) -> None:
        if not self.get_visible() or self._crop is None:
            return
        width, height = (round(v) for v in renderer.get_canvas_width_height())
        gc = renderer.new_gc()
        if self._full.shape[:2] == (height, width):
            renderer.draw_image(gc, *self._offset, self._crop)
        else:
            rows = np.arange(height) * self._full.shape[0] // height
            cols = np.arange(width) * self._full.shape[1] // width
            renderer.draw_image(gc, 0, 0, self._full[rows[:, None], cols][::-1])
        gc.restore()
        self.stale = False


def freeze_layout(fig: Figure) -> None:
    """Lay the figure out once (constrained or tight layout) and keep those positions.

    A figure with a layout engine re-runs it on every draw, measuring every tick label
    and legend entry again. After ``freeze_layout(fig)`` a redraw skips that pass.
    """
    fig.draw_without_rendering()
    fig.set_layout_engine("none")


class FrozenBackground:
    """What :func:`freeze_background` made; ``release()`` puts the figure back as it was."""

    def __init__(self, fig: Figure, hidden: dict[int, tuple[Artist, bool]],
                 snapshots: list[Artist]) -> None:
        self.figure = fig
        self._hidden = hidden
        self.snapshots = snapshots

    def release(self) -> None:
        """Remove the pictures and show the still artists again (the layout stays fixed)."""
        for snapshot in self.snapshots:
            snapshot.remove()
        for artist, visible in self._hidden.values():
            artist.set_visible(visible)
        self.snapshots = []
        self._hidden = {}
        self.figure.stale = True


def _pin_titles(fig: Figure) -> None:
    """Keep axes titles where the layout put them (the automatic spot needs the ticks)."""
    for ax in fig.axes:
        title = ax.title
        if title.get_text() and getattr(ax, "name", "") != "3d":
            ax.set_title(title.get_text(), y=title.get_position()[1],
                         fontsize=title.get_fontsize(), fontweight=title.get_fontweight())


def freeze_background(fig: Figure, moving: Sequence[Artist]) -> FrozenBackground:
    """Render everything except ``moving`` once; later draws only draw ``moving``.

    For widgets and animations whose redraws change a few artists (lines, markers, a
    title) on a busy still picture (contours, ticks, labels, legend): drawing text is
    most of matplotlib's redraw time, and this draws it once. The still artists are
    rendered into two pictures, the ones under the moving artists (lower z-order:
    contours, axes, ticks) and the ones over them (legend, minimum and start markers),
    and then hidden; a redraw copies the pictures and draws ``moving`` in between.

    ``moving`` are artists placed directly on an axes or on the figure (a whole legend,
    not one of its texts; ``TrajectoryLines.artists()`` lists what
    :func:`update_trajectories` changes). Anything else must not change while frozen,
    axis limits included: call ``release()`` on the result first, change, and freeze
    again. The layout is fixed (:func:`freeze_layout`). The pictures have the figure's
    pixel size: a copy saved at another dpi is scaled by nearest neighbour.
    """
    freeze_layout(fig)
    _pin_titles(fig)
    moving_ids = {id(a) for a in moving}
    moving_axes = {id(a.axes) for a in moving if getattr(a, "axes", None) is not None}
    still: list[Artist] = []
    front: list[Artist] = []
    for child in fig.get_children():
        if id(child) in moving_ids:
            continue
        if isinstance(child, Axes) and id(child) in moving_axes:
            lowest = min(a.get_zorder() for a in moving if a.axes is child)
            for artist in child.get_children():
                if id(artist) not in moving_ids and artist.get_visible():
                    still.append(artist)
                    if artist.get_zorder() > lowest:
                        front.append(artist)
        elif child.get_visible():
            still.append(child)
    front_ids = {id(a) for a in front}
    hidden = {id(a): (a, a.get_visible()) for a in [*moving, *still]}

    for artist in [*moving, *front]:
        artist.set_visible(False)
    fig.canvas.draw()
    below = np.asarray(fig.canvas.buffer_rgba()).copy()
    for artist in still:
        artist.set_visible(id(artist) in front_ids)
    fig.canvas.draw()  # the figure patch is hidden too: a transparent picture
    above = np.asarray(fig.canvas.buffer_rgba()).copy()
    for artist in still:
        artist.set_visible(False)
    for artist in moving:
        artist.set_visible(hidden[id(artist)][1])
    snapshots = [_Snapshot(below, zorder=-1e6), _Snapshot(above, zorder=1e6)]
    for snapshot in snapshots:
        fig.add_artist(snapshot)
    for key in moving_ids:  # moving artists keep their own visibility on release
        hidden.pop(key, None)
    return FrozenBackground(fig, hidden, snapshots)
