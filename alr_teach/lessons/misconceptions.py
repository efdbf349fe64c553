r"""Small problems on which the optimizer, not the loss, decides what generalises.

Two toy problems with a training loss and a held-out loss, small enough to solve exactly:

* :class:`SharpFlat`, a 1-D loss with a **sharp** and a **flat** basin of equal depth.
  :meth:`SharpFlat.shifted` gives the same loss moved sideways, a stand-in for held-out
  data: the data moved a little, so the loss surface did too. At the bottom of a basin of
  curvature :math:`\lambda` a shift :math:`\delta` costs about :math:`\lambda\delta^2/2`,
  so the sharp basin pays far more. :func:`settle` runs an optimizer from many starts
  and reports which basin each run ended in, with its training and held-out losses;
  :func:`sweep_basins` does it for a grid of learning rates in one vectorised batch;
  :class:`BasinExplorer` puts sliders on it.
* :func:`memorisation_task`, an over-parameterised linear classification problem (after
  the construction of Wilson et al., 2017): one feature carries the label, two are
  constant, and every training sample has features of its own that no other sample
  shares. A model can fit the training set through the label feature, which generalises,
  or by memorising each sample through its own features, which does not.
  :func:`fit_least_squares` trains a linear model on it with any optimizer, and
  :func:`accuracy` scores it on held-out samples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers import registry
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems.landscapes import Landscape
from alr_teach.viz.explorers.base import Control, Explorer, LogSlider, Menu, Slider
from alr_teach.viz.plots import style

__all__ = [
    "SharpFlat", "Settled", "settle", "sweep_basins", "MemorisationTask", "memorisation_task",
    "fit_least_squares", "accuracy", "BASIN_RACERS", "BasinExplorer",
]

# -- a loss with a sharp and a flat basin ------------------------------------------------------


class SharpFlat(Landscape):
    r"""A 1-D loss with a sharp and a flat basin of equal depth, inside a wide shallow bowl.

    .. math::

        f(x) = \frac{k}{2}u^2 - d_s\, e^{-(u - c_s)^2 / (2 w_s^2)}
                              - d_f\, e^{-(u - c_f)^2 / (2 w_f^2)}, \qquad u = x - \delta

    Each basin is a Gaussian well of depth :math:`d` and width :math:`w`, whose curvature
    at the bottom is about :math:`d / w^2`: with the defaults (sharp well at
    :math:`c_s = -1`, width 0.1; flat well at :math:`c_f = 1`, width 0.5; depths 1; bowl
    :math:`k = 0.05`) about 100 and 4. The bowl brings back runs thrown far out. The two
    minima have (almost) the same value, so the training loss cannot tell them apart.

    ``shift`` (:math:`\delta`) moves the whole loss right; :meth:`shifted` returns the
    loss moved by a further amount, the "held-out" version of this one.

    >>> loss = SharpFlat()
    >>> [round(float(c)) for c in loss.curvatures]       # sharp, flat
    [100, 4]
    >>> bool(loss.in_flat_basin(np.array([0.9]))), bool(loss.in_flat_basin(np.array([-0.9])))
    (True, False)
    """

    def __init__(
        self,
        sharp: tuple[float, float] = (-1.0, 0.1),
        flat: tuple[float, float] = (1.0, 0.5),
        depths: tuple[float, float] = (1.0, 1.0),
        bowl: float = 0.05,
        shift: float = 0.0,
    ) -> None:
        self.wells = []  # (centre, width, depth): sharp first, then flat
        for kind, (centre, width), depth in zip(("sharp", "flat"), (sharp, flat), depths):
            self.wells.append((check.real(f"{kind} centre", centre),
                               check.real(f"{kind} width", width, low=0.0, low_open=True),
                               check.real(f"{kind} depth", depth, low=0.0, low_open=True)))
        (c_s, w_s, _), (c_f, w_f, _) = self.wells
        if w_s >= w_f:
            raise ValueError(f"Invalid sharp width: {w_s!r} (must be below the flat width "
                             f"{w_f!r})")
        if abs(c_f - c_s) < 3 * (w_s + w_f):
            raise ValueError(f"Invalid centres: {c_s!r} and {c_f!r} (must be at least three "
                             f"summed widths apart, so that the wells stay separate)")
        self.bowl = check.real("bowl", bowl, low=0.0)
        self.shift = check.real("shift", shift)
        self.dim = 1
        #: the two local minima, shape (2, 1): the sharp one first
        self.local_minima = np.array([[self._bottom(c)] for c, _, _ in self.wells])
        deeper = int(np.argmin(self.value(self.local_minima)))
        self.minima = self.local_minima[deeper:deeper + 1]
        #: the top of the ridge between the basins (where the slope changes sign)
        self.barrier = self._ridge()
        low, high = min(c_s, c_f) - 1.5, max(c_s, c_f) + 1.5
        self.domain = ((low + self.shift, high + self.shift),)
        self.start = np.array([0.5 * (c_s + c_f) + self.shift])
        self.name = "sharp and flat basins"
        self.note = ("Two basins of equal depth, one 25 times as curved as the other: the "
                     "training loss cannot tell them apart, a shifted copy of it can.")

    # -- the function ---------------------------------------------------------------------
    def _terms(self, u: np.ndarray):
        """Each well's offset, its Gaussian factor, width and depth."""
        for centre, width, depth in self.wells:
            offset = u - centre
            yield offset, np.exp(-offset * offset / (2 * width * width)), width, depth

    def _value(self, u: np.ndarray) -> np.ndarray:
        total = 0.5 * self.bowl * u * u
        for _, gauss, _, depth in self._terms(u):
            total = total - depth * gauss
        return total

    def _slope(self, u: np.ndarray) -> np.ndarray:
        total = self.bowl * u
        for offset, gauss, width, depth in self._terms(u):
            total = total + depth * offset / width**2 * gauss
        return total

    def _curvature(self, u: np.ndarray) -> np.ndarray:
        total = self.bowl + 0.0 * u
        for offset, gauss, width, depth in self._terms(u):
            total = total + depth * gauss * (1 / width**2 - offset * offset / width**4)
        return total

    def value(self, x: ArrayLike) -> np.ndarray:
        return self._value(self._points(x)[..., 0] - self.shift)

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self._slope(self._points(x)[..., 0] - self.shift)[..., None]

    def curvature(self, x: ArrayLike) -> np.ndarray:
        """The second derivative :math:`f''(x)`, shape ``x.shape[:-1]``."""
        return self._curvature(self._points(x)[..., 0] - self.shift)

    # -- its landmarks ----------------------------------------------------------------------
    def _bottom(self, centre: float) -> float:
        """Newton's method on the slope, from a well's centre: that well's minimum."""
        u = centre
        for _ in range(50):
            u = u - float(self._slope(np.float64(u)) / self._curvature(np.float64(u)))
        return u + self.shift

    def _ridge(self) -> float:
        """Bisection on the slope between the two minima: where it turns from up to down."""
        (x_s,), (x_f,) = self.local_minima
        low, high = sorted((x_s, x_f))
        for _ in range(200):  # uphill (slope > 0) from the left minimum up to the ridge
            mid = 0.5 * (low + high)
            if self._slope(np.float64(mid - self.shift)) > 0:
                low = mid
            else:
                high = mid
        return 0.5 * (low + high)

    @property
    def curvatures(self) -> np.ndarray:
        """:math:`f''` at the sharp and at the flat minimum, shape (2,)."""
        return self.curvature(self.local_minima)

    @property
    def stability_limits(self) -> np.ndarray:
        r"""Gradient descent's largest stable rate in each basin, :math:`2 / f''(x^*)`."""
        return 2.0 / self.curvatures

    def in_flat_basin(self, x: ArrayLike) -> np.ndarray:
        """True for points on the flat basin's side of the ridge, shape ``x.shape[:-1]``."""
        u = self._points(x)[..., 0]
        (x_s,), (x_f,) = self.local_minima
        return (u > self.barrier) if x_f > x_s else (u < self.barrier)

    def shifted(self, delta: float) -> SharpFlat:
        """The same loss moved right by ``delta``: a held-out copy of this one."""
        (c_s, w_s, d_s), (c_f, w_f, d_f) = self.wells
        delta = check.real("delta", delta)
        return SharpFlat((c_s, w_s), (c_f, w_f), (d_s, d_f), self.bowl, self.shift + delta)


# -- where runs end up ------------------------------------------------------------------------


@dataclass
class Settled:
    """Where runs from many starts ended: every array has the runs' batch shape.

    ``end`` (the last point), ``flat`` (True if it lies in the flat basin), ``loss`` (the
    training loss there), ``heldout[name]`` (each held-out loss there), ``diverged``, and
    ``last_move`` (the size of the last step: near 0 for a run that has come to rest, not
    for one still bouncing). NaN or False where a run diverged.
    """

    end: np.ndarray
    flat: np.ndarray
    loss: np.ndarray
    heldout: dict[str, np.ndarray]
    diverged: np.ndarray
    last_move: np.ndarray
    trajectory: Trajectory = field(repr=False)


def settle(
    optimizer: Optimizer,
    landscape: SharpFlat,
    starts: ArrayLike,
    *,
    steps: int = 1000,
    heldout: Mapping[str, Landscape] | None = None,
) -> Settled:
    """Run ``optimizer`` from every start and report where each run ended.

    ``starts`` has shape ``(*B, 1)``; hyperparameter arrays of the optimizer broadcast
    with ``B`` (e.g. ``lr`` of shape ``(R,)`` with starts of shape ``(R, S, 1)``: one row
    of starts per rate). ``heldout`` maps names to other losses evaluated at the end
    points (e.g. ``{"test": landscape.shifted(0.1)}``).
    """
    starts = np.asarray(starts, dtype=float)
    steps = check.whole("steps", steps, low=1)
    trajectory = run(optimizer, landscape, starts, steps, record_state=False)
    end = trajectory.points[-1]
    diverged = trajectory.diverged
    moves = np.abs(end - trajectory.points[-2])[..., 0]
    losses = {name: np.asarray(other.value(end)) for name, other in (heldout or {}).items()}
    return Settled(end[..., 0], landscape.in_flat_basin(end) & ~diverged,
                   trajectory.final_loss, losses, diverged, moves, trajectory)


def sweep_basins(
    optimizer_class: type[Optimizer],
    landscape: SharpFlat,
    lrs: ArrayLike,
    starts: ArrayLike,
    *,
    steps: int = 1000,
    heldout: Mapping[str, Landscape] | None = None,
    **fixed: object,
) -> Settled:
    """:func:`settle` for every rate of ``lrs`` from every start: arrays of shape (rates, starts).

    ``starts`` is a 1-D array of positions; every rate runs from all of them, in one
    vectorised batch. ``fixed`` keyword arguments go to the optimizer unchanged.
    """
    lrs = np.asarray(lrs, dtype=float)
    starts = np.asarray(starts, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"Invalid lrs: shape {lrs.shape} (must be a non-empty 1-D array)")
    if starts.ndim != 1 or starts.size == 0:
        raise ValueError(f"Invalid starts: shape {starts.shape} (must be a non-empty 1-D array)")
    x0 = np.broadcast_to(starts[None, :, None], (lrs.size, starts.size, 1))
    return settle(optimizer_class(lr=lrs, **fixed), landscape, x0, steps=steps, heldout=heldout)


# -- a task that can be memorised --------------------------------------------------------------


@dataclass(frozen=True)
class MemorisationTask:
    """Training and held-out samples of :func:`memorisation_task` (labels are -1 or +1)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def memorisation_task(
    n_train: int = 40, n_test: int = 200, seed: int = 0, positive: float = 0.7
) -> MemorisationTask:
    """An over-parameterised linear task that can be solved by memorising (``3 + 5 n`` features).

    Labels are +1 with probability ``positive``, else -1. Feature 0 is the label itself,
    features 1 and 2 are 1 for every sample, and training sample ``i`` owns the block of
    five features ``3 + 5i .. 7 + 5i``: a positive sample sets the first of them to 1, a
    negative one all five. No other sample shares them. Held-out samples are built the same
    way; their own features are new ones that no trained weight touches, so they are left
    out of ``X_test`` (columns 3 onwards are 0): a held-out sample is classified by
    features 0-2 alone.

    >>> task = memorisation_task(n_train=4, n_test=3, seed=1)
    >>> task.X_train.shape, task.X_test.shape
    ((4, 23), (3, 23))
    >>> bool(np.all(task.X_train[:, 0] == task.y_train))
    True
    """
    n_train = check.whole("n_train", n_train, low=1)
    n_test = check.whole("n_test", n_test, low=1)
    positive = float(check.in_range("positive", check.real("positive", positive), 0.0, 1.0))
    rng = np.random.default_rng(check.whole("seed", seed))
    y_train, y_test = (np.where(rng.random(n) < positive, 1.0, -1.0) for n in (n_train, n_test))
    width = 3 + 5 * n_train
    X_train, X_test = np.zeros((n_train, width)), np.zeros((n_test, width))
    for X, y in ((X_train, y_train), (X_test, y_test)):
        X[:, 0], X[:, 1:3] = y, 1.0
    for i, label in enumerate(y_train):
        X_train[i, 3 + 5 * i: 3 + 5 * i + (1 if label > 0 else 5)] = 1.0
    return MemorisationTask(X_train, y_train, X_test, y_test)


def fit_least_squares(
    optimizer: Optimizer, X: np.ndarray, y: np.ndarray, steps: int, batch_shape: tuple = ()
) -> np.ndarray:
    r"""Weights after ``steps`` full-batch steps on :math:`\tfrac{1}{2n}\lVert Xw - y\rVert^2`.

    Starts from :math:`w = 0`. ``batch_shape`` leads the weights' shape, so an optimizer
    with array hyperparameters of that shape trains one model per value in one go.
    Returns weights of shape ``(*batch_shape, n_features)``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w = np.zeros(tuple(batch_shape) + (X.shape[1],))
    optimizer.reset()
    with np.errstate(all="ignore"):
        for _ in range(check.whole("steps", steps)):
            residual = w @ X.T - y                           # (*batch, n)
            w = optimizer.step(w, residual @ X / len(y))     # gradient (*batch, features)
    return w


def accuracy(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Share of samples with ``sign(X w) == y``, for each leading index of ``w``."""
    return np.mean(np.sign(w @ X.T) == y, axis=-1)


# -- the explorer ------------------------------------------------------------------------------

#: the optimizers the explorer offers; "beta" is the momentum of Momentum and Adam's beta1
BASIN_RACERS = ("SGD", "Momentum", "RMSProp", "Adam")


class BasinExplorer(Explorer):
    """Which basin does each run end in? Sliders for the optimizer, lr, beta and the shift.

    Runs the chosen optimizer from ``starts`` evenly spread points on :class:`SharpFlat`.
    Left: the training loss and its copy shifted by ``shift`` (the held-out loss), with
    each run's end point marked by the basin it ended in. Right: every run's position
    against the step. Settings: ``optimizer`` (a name from :data:`BASIN_RACERS`), ``lr``,
    ``beta`` (Momentum's momentum, Adam's beta1; ignored by SGD and RMSProp), ``shift`` and
    ``steps``. The summary: the share of runs ending in the flat basin, how many
    diverged, and the mean training and held-out loss at the end points.
    """

    DEFAULTS = {"optimizer": "Adam", "lr": 0.01, "beta": 0.9, "shift": 0.1, "steps": 600}
    FIGSIZE = (11, 4.2)
    STATIC_FIGSIZE = (12, 4.4)

    def __init__(self, *, starts: int = 31, **settings) -> None:
        self.landscape = SharpFlat()
        (low, high), = self.landscape.domain
        self.starts = np.linspace(low + 0.5, high - 0.5, check.whole("starts", starts, low=2))
        self._grid = np.linspace(low, high, 600)[:, None]
        super().__init__(**settings)

    def check(self, settings: dict) -> dict:
        check.one_of("optimizer", settings["optimizer"], BASIN_RACERS)
        check.real("lr", settings["lr"], low=0.0, low_open=True)
        check.decay_factor("beta", check.real("beta", settings["beta"]))
        check.real("shift", settings["shift"])
        check.whole("steps", settings["steps"], low=1)
        return settings

    def optimizer(self) -> Optimizer:
        """The optimizer of the current settings (torch's defaults but for lr and beta)."""
        s = self.settings
        beta = {"Momentum": {"momentum": s["beta"]},
                "Adam": {"betas": (s["beta"], registry.defaults("Adam")["betas"][1])}}
        return registry.make(s["optimizer"], lr=s["lr"], **beta.get(s["optimizer"], {}))

    def outcome(self) -> Settled:
        """Where every run ends for the current settings (held-out loss under ``"test"``)."""
        s = self.settings
        return settle(self.optimizer(), self.landscape, self.starts[:, None], steps=s["steps"],
                      heldout={"test": self.landscape.shifted(s["shift"])})

    def compute(self) -> Settled:
        return self.outcome()

    def summarise(self, done: Settled) -> dict:
        s, ok = self.settings, ~done.diverged
        return {
            "optimizer": s["optimizer"], "lr": float(s["lr"]), "beta": float(s["beta"]),
            "shift": float(s["shift"]), "runs": int(self.starts.size),
            "flat_share": float(np.mean(done.flat)), "diverged": int(np.sum(done.diverged)),
            "train_loss": float(np.mean(done.loss[ok])) if ok.any() else float("nan"),
            "heldout_loss": float(np.mean(done.heldout["test"][ok])) if ok.any()
            else float("nan"),
        }

    def draw(self, fig: Figure) -> dict:
        """The two axes (``loss``, ``path``) and their artists; ``show`` moves the live ones."""
        ax_loss, ax_path = fig.subplots(1, 2)
        (low, high), = self.landscape.domain
        grid = self._grid
        flat, sharp = style(0), style(1)
        view = {"loss": ax_loss, "path": ax_path}
        ax_loss.plot(grid[:, 0], self.landscape.value(grid), color="0.3", linewidth=1.5,
                     label="training loss")
        (view["heldout"],) = ax_loss.plot(grid[:, 0], self.landscape.value(grid), color="0.5",
                                          linestyle="--", linewidth=1.2,
                                          label="held-out loss (shifted copy)")
        (view["flat_ends"],) = ax_loss.plot([], [], linestyle="none", marker=flat["marker"],
                                            color=flat["color"], markersize=7,
                                            label="end point in the flat basin")
        (view["sharp_ends"],) = ax_loss.plot([], [], linestyle="none", marker=sharp["marker"],
                                             color=sharp["color"], markersize=7,
                                             label="end point in the sharp basin")
        ax_loss.axvline(self.landscape.barrier, color="0.7", linestyle=":", linewidth=1)
        ax_loss.set(xlim=(low, high), ylim=(-1.1, 0.6), xlabel="parameter x",
                    ylabel="loss f(x)")
        ax_loss.legend(fontsize=8, loc="upper center")
        view["paths"] = [ax_path.plot([], [], linewidth=0.8, alpha=0.7)[0]
                         for _ in self.starts]
        ax_path.axhline(self.landscape.barrier, color="0.7", linestyle=":", linewidth=1,
                        label="ridge between the basins")
        for (x_min,), name, st in zip(self.landscape.local_minima, ("sharp", "flat"),
                                      (sharp, flat)):
            ax_path.axhline(x_min, color=st["color"], linestyle=st["linestyle"], linewidth=1,
                            label=f"{name} minimum")
        ax_path.set(ylim=(low, high), xlabel="step t", ylabel="position x_t")
        ax_path.legend(fontsize=8, loc="upper right")
        return view

    def show(self, view: dict, done: Settled) -> None:
        """The held-out copy, each run's end point and path (coloured by basin), titles."""
        s = self.settings
        view["heldout"].set_ydata(self.landscape.shifted(s["shift"]).value(self._grid))
        for kind, where in (("flat_ends", done.flat), ("sharp_ends", ~done.flat & ~done.diverged)):
            view[kind].set_data(done.end[where], done.loss[where])
        steps = np.arange(s["steps"] + 1)
        for i, line in enumerate(view["paths"]):
            line.set_data(steps, done.trajectory.points[:, i, 0])
            line.set_color(style(0 if done.flat[i] else 1)["color"])
        view["path"].set_xlim(0, s["steps"])
        summary = self.summarise(done)
        beta = {"Momentum": f", μ={s['beta']:.2f}", "Adam": f", β1={s['beta']:.2f}"}
        view["loss"].set_title(
            f"{s['optimizer']}(lr={s['lr']:.3g}{beta.get(s['optimizer'], '')}): "
            f"{summary['flat_share']:.0%} of runs end in the flat basin", fontsize=10)
        view["path"].set_title(
            f"mean loss at the end: training {summary['train_loss']:.3f}, "
            f"held-out (shift {s['shift']:.2f}) {summary['heldout_loss']:.3f}", fontsize=10)

    def summary_html(self) -> str:
        s = self.summary
        return (f"<p>{s['flat_share']:.0%} of {s['runs']} runs end in the flat basin "
                f"({s['diverged']} diverged). Mean loss at the end points: training "
                f"{s['train_loss']:.3f}, held-out {s['heldout_loss']:.3f}.</p>")

    def control_specs(self) -> dict[str, Control]:
        """A menu for the optimizer, sliders for lr (log), beta and shift."""
        return {
            "optimizer": Menu(BASIN_RACERS, "optimizer"),
            "lr": LogSlider(-3, 0.3, 0.05, "lr", ".3g"),
            "beta": Slider(0.0, 0.99, 0.01, "μ / β1", ".2f"),
            "shift": Slider(0.0, 0.3, 0.01, "shift", ".2f"),
        }
