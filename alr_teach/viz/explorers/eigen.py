r"""Momentum on a quadratic, one eigendirection at a time: theory next to a measured run.

On :math:`f(x) = \tfrac12 (x - x^*)^\top A (x - x^*)` write the error in the eigenvectors
of :math:`A` (the columns of :math:`Q`): :math:`e = Q^\top (x - x^*)`, and the velocity
in the same axes. The gradient along eigenvector :math:`i` is :math:`\lambda_i e_i`, so
torch's heavy-ball step (:math:`b_t = \mu b_{t-1} + g_t`, :math:`x_t = x_{t-1} - \eta b_t`)
splits into one 2 x 2 linear recurrence per eigenvalue :math:`\lambda`:

.. math::

    \begin{pmatrix} e_t \\ b_t \end{pmatrix}
    = M \begin{pmatrix} e_{t-1} \\ b_{t-1} \end{pmatrix}, \qquad
    M = \begin{pmatrix} 1 - \eta\lambda & -\eta\mu \\ \lambda & \mu \end{pmatrix}

with :math:`b_0 = 0` (so :math:`b_1 = g_1`, torch's first step). Nesterov in torch's form
(:math:`x_t = x_{t-1} - \eta (g_t + \mu b_t)`) has
:math:`M = \begin{pmatrix} 1 - \eta\lambda(1 + \mu) & -\eta\mu^2 \\ \lambda & \mu \end{pmatrix}`.
The error along that direction shrinks like :math:`|r|_{\max}^t`, where :math:`|r|_{\max}`
is the spectral radius of :math:`M` (the largest modulus of its eigenvalues, the roots of
:math:`r^2 - (\operatorname{tr} M)\, r + \det M`; the course keeps :math:`\rho` for
AdaDelta).

* :func:`companion_matrix` and :func:`spectral_radius`: the theory, vectorised over arrays
  of learning rates, curvatures and momenta;
* :func:`eigenvectors` and :func:`eigen_errors`: a run's error along each eigendirection;
* :func:`decay_rate`: how fast a sequence of errors shrinks per step, from the data alone
  (no model of the dynamics), to set beside :math:`|r|_{\max}`;
* :class:`EigenExplorer`: the path on the contours and the error per eigendirection on a
  log axis with the theory lines, with sliders for :math:`\eta` and :math:`\mu`.

Rounding sets a floor: a coordinate stored next to a much larger one keeps about 16
significant digits, so the error along a fast direction cannot be seen below roughly
:math:`10^{-16}` times the whole error. :func:`decay_rate` uses only the steps above
``floor`` (default :math:`10^{-11}`) times the whole error.

>>> lr, curvature = 0.04, 25.0
>>> round(float(spectral_radius(lr, curvature, 0.5)) ** 2, 12)  # complex roots: sqrt(mu)
0.5
>>> bool(spectral_radius(0.2, curvature, 0.5) > 1)     # lr * curvature = 5 > 2 (1 + mu)
True
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers.sgd import SGD
from alr_teach.problems.landscapes import Quadratic
from alr_teach.viz.explorers.base import Checkbox, Control, Explorer, LogSlider, Slider
from alr_teach.viz.plots import style
from alr_teach.viz.surface_plots import contour, plot_trajectories, update_trajectories

__all__ = [
    "EigenExplorer",
    "companion_matrix",
    "decay_rate",
    "eigen_errors",
    "eigenvectors",
    "spectral_radius",
    "theory_envelope",
]

#: errors below this fraction of the whole error are rounding noise, not dynamics
ROUNDING_FLOOR = 1e-11
#: a direction needs this many usable steps before its rate is measured
MIN_STEPS = 20


# -- theory ---------------------------------------------------------------------------------
def companion_matrix(
    lr: ArrayLike, curvature: ArrayLike, momentum: ArrayLike, nesterov: bool = False
) -> np.ndarray:
    """The matrix ``M`` taking ``(e_{t-1}, b_{t-1})`` to ``(e_t, b_t)`` along one eigendirection.

    Arguments broadcast against each other; the result has shape ``(*broadcast, 2, 2)``.
    Heavy ball: ``[[1 - lr*curvature, -lr*momentum], [curvature, momentum]]``; Nesterov
    (torch's form): ``[[1 - lr*curvature*(1 + momentum), -lr*momentum**2], [curvature,
    momentum]]``.
    """
    lr, curvature, momentum = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (lr, curvature, momentum))
    )
    h = lr * curvature
    M = np.empty(lr.shape + (2, 2))
    if nesterov:
        M[..., 0, 0] = 1.0 - h * (1.0 + momentum)
        M[..., 0, 1] = -lr * momentum**2
    else:
        M[..., 0, 0] = 1.0 - h
        M[..., 0, 1] = -lr * momentum
    M[..., 1, 0] = curvature
    M[..., 1, 1] = momentum
    return M


def spectral_radius(
    lr: ArrayLike, curvature: ArrayLike, momentum: ArrayLike, nesterov: bool = False
) -> np.ndarray:
    """The largest modulus of the eigenvalues of :func:`companion_matrix` (same broadcasting).

    Below 1 the error along that direction shrinks by about this factor per step; above 1
    it grows.
    """
    M = companion_matrix(lr, curvature, momentum, nesterov)
    return np.abs(np.linalg.eigvals(M)).max(axis=-1)


def _roots(M: np.ndarray) -> tuple[complex, complex]:
    """The two roots of ``r^2 - trace r + det`` (the eigenvalues of a 2 x 2 ``M``)."""
    trace, det = M[0, 0] + M[1, 1], M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0]
    root = np.sqrt(complex(trace * trace - 4.0 * det))
    return (trace + root) / 2.0, (trace - root) / 2.0


def _regime(M: np.ndarray) -> str:
    """'overdamped' (two real roots), 'underdamped' (complex pair) or 'critically damped'."""
    trace, det = M[0, 0] + M[1, 1], M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0]
    discriminant = trace * trace - 4.0 * det
    if abs(discriminant) <= 1e-12 * max(1.0, trace * trace):
        return "critically damped"
    return "overdamped" if discriminant > 0 else "underdamped"


# -- measurement ----------------------------------------------------------------------------
def eigenvectors(landscape: Quadratic) -> np.ndarray:
    """The eigenvectors of the quadratic's Hessian as columns, in the order of ``curvatures``."""
    if not isinstance(landscape, Quadratic):
        raise ValueError(f"Invalid landscape: {landscape!r} (must be a Quadratic)")
    if landscape.dim != 2:
        return np.eye(landscape.dim)
    c, s = np.cos(landscape.angle), np.sin(landscape.angle)
    return np.array([[c, -s], [s, c]])


def eigen_errors(landscape: Quadratic, points: ArrayLike) -> np.ndarray:
    """The error ``e = Q^T (x - x*)`` along each eigendirection, for points of shape (..., d)."""
    d = np.asarray(points, dtype=float) - landscape.minima[0]
    Q = eigenvectors(landscape)
    # explicit sums, not matmul: the same bits for a point alone or inside a batch
    return np.stack([sum(d[..., i] * Q[i, j] for i in range(Q.shape[0]))
                     for j in range(Q.shape[1])], axis=-1)


def _usable_end(size: np.ndarray, reference: np.ndarray, floor: float) -> int:
    """Index of the last step whose error is finite, non-zero and above the rounding floor."""
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(size) & (size > 0) & (size > floor * reference)
    hits = np.flatnonzero(ok)
    return int(hits[-1]) if hits.size else -1


def _fit_window(errors: ArrayLike, reference: ArrayLike | None, floor: float):
    """(|errors|, first, last): the second half of the usable steps, where rates are fitted."""
    size = np.abs(np.asarray(errors, dtype=float))
    if size.ndim != 1:
        raise ValueError(f"Invalid errors: shape {size.shape} (must be one direction's "
                         f"errors, shape (steps + 1,))")
    reference = size if reference is None else np.asarray(reference, dtype=float)
    last = _usable_end(size, reference, floor)
    return size, last // 2, last


def decay_rate(
    errors: ArrayLike,
    reference: ArrayLike | None = None,
    *,
    floor: float = ROUNDING_FLOOR,
    min_steps: int = MIN_STEPS,
) -> float:
    """The measured factor by which ``|errors|`` shrinks (or grows) per step; NaN if too short.

    Model-free: the upper envelope of ``|e_t|`` (the largest error still to come, or for a
    growing sequence the largest so far, whichever changes faster) is fitted by a straight
    line in ``log |e|`` over the second half of the usable steps, and the rate is
    ``exp(slope)``. Oscillations (complex roots) and sign flips do not disturb it, because
    the envelope runs along the peaks. Usable steps end at the last one whose error is
    above ``floor`` times ``reference`` (the size of the whole error vector per step, to
    skip rounding noise; default: the errors themselves). Fewer than ``min_steps`` usable
    steps give NaN.

    >>> t = np.arange(300)
    >>> round(decay_rate(0.9**t * np.cos(t)), 3)       # an oscillation inside 0.9^t
    0.9
    """
    size, first, last = _fit_window(errors, reference, floor)
    if last + 1 < min_steps:
        return float("nan")
    window = size[first:last + 1]
    t = np.arange(first, last + 1)
    slopes = []
    for envelope in (np.maximum.accumulate(window[::-1])[::-1], np.maximum.accumulate(window)):
        slopes.append(np.polyfit(t, np.log(envelope), 1)[0])
    slope = max(slopes, key=abs)
    return float(np.exp(slope))


def theory_envelope(
    errors: ArrayLike, radius: float, reference: ArrayLike | None = None, *,
    floor: float = ROUNDING_FLOOR,
) -> np.ndarray:
    """``C radius^t`` for every step: slope from theory, height touching the measured peaks.

    ``C`` is the smallest constant with ``C radius^t >= |e_t|`` over the steps where
    :func:`decay_rate` fits (the second half of the usable steps), so a line parallel to
    the data sits on its peaks. ``radius`` is the spectral radius of the direction's
    :func:`companion_matrix`. NaN everywhere when it is 0 or nothing is usable.
    """
    size, first, last = _fit_window(errors, reference, floor)
    t = np.arange(size.size)
    if not radius > 0 or last < 0:
        return np.full(size.size, np.nan)
    log_radius = np.log(radius)
    window = slice(first, last + 1)
    log_c = np.max(np.log(size[window]) - t[window] * log_radius)
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(log_c + t * log_radius)


# -- the figure -----------------------------------------------------------------------------
class _EigenFigure:
    """The explorer's two panels, drawn once; :meth:`show` moves the lines to a new run."""

    def __init__(self, fig: Figure, landscape: Quadratic, steps: int, start: np.ndarray) -> None:
        self.landscape, self.steps = landscape, steps
        self.ax_map, self.ax_err = fig.subplots(1, 2, width_ratios=[1, 1.15])
        contour(self.ax_map, landscape, resolution=120)
        Q = eigenvectors(landscape)
        center = landscape.minima[0]
        (x0, x1), (y0, y1) = landscape.domain
        reach = 2.0 * max(x1 - x0, y1 - y0)
        for i, curvature in enumerate(landscape.curvatures):
            ends = center + np.outer([-reach, reach], Q[:, i])
            self.ax_map.plot(ends[:, 0], ends[:, 1], color=style(i)["color"], linestyle=":",
                             linewidth=1.2, zorder=2,
                             label=f"eigendirection {i + 1} (λ = {curvature:g})")
        blank = Trajectory(points=start[None], losses=np.array([np.nan]),
                           grads=np.empty((0, 2)), diverged_at=np.array(-1))
        self.path = plot_trajectories(self.ax_map, landscape, [blank], ["momentum run"],
                                      legend=False)
        self.ax_map.legend(loc="upper left", fontsize=8, framealpha=0.9)
        self.ax_map.set_title("Path on the contours (dotted: eigendirections)")

        scale = float(np.max(np.abs(eigen_errors(landscape, start)))) or 1.0
        self.error_lines, self.theory_lines = [], []
        for i, curvature in enumerate(landscape.curvatures):
            st = style(i)
            # theory: a broad pale band underneath; the measured errors: a thin line on top
            label = rf"theory $C\,|r|_{{\max}}^{{\,t}}$, direction {i + 1}"
            (theory,) = self.ax_err.plot([], [], color=st["color"], linestyle="-",
                                         linewidth=6.0, alpha=0.3, solid_capstyle="butt",
                                         label=label)
            (line,) = self.ax_err.plot([], [], color=st["color"], marker=st["marker"],
                                       markersize=3, markevery=max(1, steps // 15),
                                       linestyle=st["linestyle"], linewidth=1.2,
                                       label=f"|error| along direction {i + 1} (λ = {curvature:g})")
            self.error_lines.append(line)
            self.theory_lines.append(theory)
        self.ax_err.set(yscale="log", xlim=(0, steps), ylim=(1e-18 * scale, 1e4 * scale),
                        xlabel="step t", ylabel="|error| along the eigendirection (log scale)",
                        title=r"Error per eigendirection and the $|\mathrm{root}|^t$ envelope")
        self.ax_err.legend(loc="lower left", fontsize=8, framealpha=0.9)
        self.readout = self.ax_err.text(0.98, 0.98, "", transform=self.ax_err.transAxes,
                                        ha="right", va="top", fontsize=8, family="monospace",
                                        bbox={"facecolor": "white", "alpha": 0.9,
                                              "edgecolor": "0.7"})

    def moving(self) -> list:
        return [*self.path.artists(legend=False), *self.error_lines, *self.theory_lines,
                self.readout]

    def show(self, trajectory: Trajectory, summary: dict) -> None:
        update_trajectories(self.path, [trajectory])
        errors = eigen_errors(self.landscape, trajectory.points)
        whole = np.linalg.norm(errors, axis=-1)
        t = np.arange(errors.shape[0])
        for i, item in enumerate(summary["per_direction"]):
            size = np.abs(errors[:, i])
            ok = np.isfinite(size) & (size > 0)
            self.error_lines[i].set_data(t[ok], size[ok])
            self.theory_lines[i].set_data(
                t, theory_envelope(errors[:, i], item["spectral_radius"], whole))
        rows = [f"η = {summary['lr']:.3g}, μ = {summary['momentum']:.2f}"
                + (", Nesterov" if summary["nesterov"] else "")]
        for i, item in enumerate(summary["per_direction"]):
            measured = item["measured_rate"]
            shown = "  n/a " if np.isnan(measured) else f"{measured:.4f}"
            rows.append(f"dir {i + 1}: |r|max = {item['spectral_radius']:.4f}, "
                        f"measured {shown} ({item['regime']})")
        if summary["diverged"]:
            rows.append("diverged: |r|max > 1")
        self.readout.set_text("\n".join(rows))


# -- the explorer ---------------------------------------------------------------------------
class EigenExplorer(Explorer):
    """Gradient descent with momentum on a 2-D quadratic, error per eigendirection.

    ``update(lr=..., momentum=..., nesterov=...)`` reruns ``SGD`` (torch's heavy ball, or
    Nesterov) from ``start`` for ``steps`` steps, moves the lines and returns a summary:
    ``spectral_radius`` (the largest over the directions), ``diverged``, ``final_loss``
    and ``per_direction``, one dict per eigenvalue with ``curvature``,
    ``spectral_radius`` (theory, from :func:`companion_matrix`), ``measured_rate``
    (:func:`decay_rate` of the run's error along that direction; NaN when rounding leaves
    too few usable steps) and ``regime``. ``widget()`` puts a log-scale learning-rate
    slider, a momentum slider and a Nesterov box on top; ``static_figure()`` draws the
    same two panels as an ordinary pyplot figure.
    """

    DEFAULTS = {"lr": 0.04, "momentum": 0.5, "nesterov": False}
    FIGSIZE = (11, 4.6)
    STATIC_FIGSIZE = (12, 4.8)

    def __init__(
        self,
        curvatures: ArrayLike = (1.0, 25.0),
        angle: float = np.pi / 6,
        lr: float = 0.04,
        momentum: float = 0.5,
        steps: int = 300,
        start: ArrayLike = (1.5, 1.0),
        nesterov: bool = False,
    ) -> None:
        self.landscape = Quadratic(curvatures, angle=angle, start=start)
        if self.landscape.dim != 2:
            raise ValueError(f"Invalid curvatures: {curvatures!r} (need two, for a 2-D bowl)")
        self.steps = check.whole("steps", steps, low=1)
        super().__init__(lr=lr, momentum=momentum, nesterov=nesterov)

    @property
    def lr(self) -> float:
        return self.settings["lr"]

    @property
    def momentum(self) -> float:
        return self.settings["momentum"]

    def check(self, settings: dict) -> dict:
        lr = float(check.positive("lr", settings["lr"]))
        momentum = float(check.in_range("momentum", settings["momentum"], 0.0, 1.0,
                                        high_open=True))
        nesterov = check.flag("nesterov", settings["nesterov"])
        if nesterov and not momentum > 0:
            raise ValueError("Invalid nesterov: True (needs momentum > 0)")
        return {"lr": lr, "momentum": momentum, "nesterov": nesterov}

    def optimizer(self) -> SGD:
        """The optimizer of the current settings."""
        s = self.settings
        return SGD(lr=s["lr"], momentum=s["momentum"], nesterov=s["nesterov"])

    def trajectory(self) -> Trajectory:
        """A run of :meth:`optimizer` from the start point (velocity recorded)."""
        return run(self.optimizer(), self.landscape, steps=self.steps)

    def analyse(self, trajectory: Trajectory) -> dict:
        """The summary of a run: theory and measured rate per eigendirection."""
        s = self.settings
        errors = eigen_errors(self.landscape, trajectory.points)
        whole = np.linalg.norm(errors, axis=-1)
        per_direction = []
        for i, curvature in enumerate(self.landscape.curvatures):
            M = companion_matrix(s["lr"], curvature, s["momentum"], s["nesterov"])
            per_direction.append({
                "curvature": float(curvature),
                "spectral_radius": float(np.abs(np.linalg.eigvals(M)).max()),
                "measured_rate": decay_rate(errors[:, i], whole),
                "regime": _regime(M),
                "roots": _roots(M),
            })
        return {
            "lr": s["lr"], "momentum": s["momentum"], "nesterov": s["nesterov"],
            "spectral_radius": max(d["spectral_radius"] for d in per_direction),
            "per_direction": per_direction,
            "diverged": bool(trajectory.diverged),
            "final_loss": float(trajectory.final_loss),
        }

    def compute(self) -> tuple[Trajectory, dict]:
        trajectory = self.trajectory()
        return trajectory, self.analyse(trajectory)

    def summarise(self, result: tuple[Trajectory, dict]) -> dict:
        return result[1]

    def draw(self, fig: Figure) -> _EigenFigure:
        return _EigenFigure(fig, self.landscape, self.steps, self.landscape.start)

    def show(self, panels: _EigenFigure, result: tuple[Trajectory, dict]) -> None:
        panels.show(*result)

    def moving(self, panels: _EigenFigure) -> list:
        return panels.moving()

    def control_specs(self) -> dict[str, Control]:
        """Sliders for lr (log scale) and momentum, and a Nesterov box."""
        return {
            "lr": LogSlider(-3, 0, 0.02, "lr η", ".4f"),
            "momentum": Slider(0.0, 0.99, 0.01, "momentum μ", ".2f"),
            "nesterov": Checkbox("Nesterov"),
        }

    def control_changes(self, name: str, value: object) -> dict:
        if name == "momentum" and value == 0 and self.settings["nesterov"]:
            return {"momentum": value, "nesterov": False}  # Nesterov needs momentum > 0
        return {name: value}
