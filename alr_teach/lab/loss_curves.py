r"""Reading a loss curve: a few statistics, a diagnosis and the usual fix.

A training run leaves a curve :math:`L_t = f(x_t)`, :math:`t = 0, \dots, n`: the loss
before the first step, then after each step. :func:`curve_stats` reduces it to five
numbers, each a fraction of the starting loss :math:`S = L_0` or of the run's length, so
curves of different data sets and lengths compare directly:

* the **trend** :math:`T_t` is the running median of the curve over the
  :math:`2h + 1` steps around :math:`t`, with :math:`h = \max(1, \lfloor n/40 \rfloor)`
  (cut short at the ends of the curve): a median ignores single spikes that a mean
  would smear out;
* ``end``: the median of the last :math:`\max(3, \lfloor n/10 \rfloor)` losses divided
  by :math:`S` (above 1: the run ends worse than it started);
* ``rebound``: :math:`\max_t \big(T_t - \min_{s \le t} T_s\big) / S`, the largest climb
  of the trend above its best value so far (a spike lasting under :math:`h` steps does
  not move a median, so this measures swings that last);
* ``noise``: the mean over the second half of the run of
  :math:`|L_t - T_t| / \max(T_t, 0.01\,S)`, the typical distance from the trend relative
  to the trend's own level (levels below 1 % of the start count as 1 %, so a curve that
  has converged to almost 0 is not called noisy for wiggles nobody would see; a mean of
  absolute values, not a root-mean-square, so that one spike does not decide it);
* ``flat``: the longest stretch of steps over which the trend stays within
  :math:`0.01\,S` of its value at the stretch's first step, counting only stretches that
  start while :math:`T \ge S/2`, as a fraction of the :math:`n + 1` points;
* ``late_share``: :math:`(T_{\lfloor 3n/4 \rfloor} - T_n) / (S - T_n)`, the share of the
  whole decrease made in the last quarter (0 if the run removed less than 1 % of
  :math:`S`): a straight line scores about 0.25, a curve that has levelled off close to 0.

:func:`diagnose` reads them in a fixed order and returns the first label whose test
passes (thresholds in :class:`Thresholds`):

1. **diverging**: a loss is not finite, or ``end > 1.05`` (it ends 5 % above its start);
2. **oscillating**: ``rebound >= 0.25``;
3. **too large**: ``noise >= 0.2``;
4. **noisy**: ``noise >= 0.05``;
5. **plateau**: ``flat >= 0.2``;
6. **too small**: ``late_share >= 0.15``;
7. **healthy** otherwise.

"Too large" and "noisy" are two ends of one scale (both come from the rate times the
gradient noise of mini-batches); the label says how far along it a curve is.
:data:`ADVICE` gives the symptom and the usual first fix of each label.

The rest of the module makes such curves: :func:`train_mlp` trains the network of
:mod:`alr_teach.problems.mlp` and records, after every step, the loss on a fixed set of
training samples (not the batch losses, whose sampling noise would hide the optimizer's
own); :func:`synthetic_curve` draws a textbook curve of each label.
:mod:`alr_teach.viz.loss_curves_plots` draws them, and
:class:`~alr_teach.viz.explorers.loss_curve.LossCurveExplorer` retrains and rediagnoses
as sliders move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems import mlp

__all__ = [
    "LABELS", "ADVICE", "SMOOTHING", "NOISE_FLOOR", "FLAT_BAND", "HIGH_LEVEL", "Thresholds",
    "CurveStats", "Diagnosis", "trend", "curve_stats", "diagnose", "synthetic_curve",
    "TrainingRun", "train_mlp",
]

#: The labels, in the order :func:`diagnose` tests them.
LABELS = ("diverging", "oscillating", "too large", "noisy", "plateau", "too small", "healthy")

#: For each label: what the curve looks like, and the first thing to try.
ADVICE: dict[str, tuple[str, str]] = {
    "diverging": ("the loss ends more than 5 % above its start, or overflows",
                  "lower the rate tenfold (or more)"),
    "oscillating": ("the smoothed loss climbs back up by a quarter of the start or more",
                    "lower the rate tenfold"),
    "too large": ("the loss jumps around its trend by 20 % or more",
                  "lower the rate tenfold, or use larger batches"),
    "noisy": ("the loss scatters by 5-20 % around its trend",
              "use larger batches, or a lower (or decaying) rate"),
    "plateau": ("the loss stays flat near its start for a fifth of the run or more",
                "check the initialisation; an adaptive method leaves a plateau faster"),
    "too small": ("smooth, but still falling steadily at the end",
                  "raise the rate tenfold, or train longer"),
    "healthy": ("falls fast, then levels off, without large swings", "nothing"),
}

#: The trend's half-width is ``max(1, n // SMOOTHING)`` steps.
SMOOTHING = 40
#: Trend levels below this fraction of the start count as this fraction (for ``noise``).
NOISE_FLOOR = 0.01
#: A stretch is flat while the trend stays within this fraction of the start.
FLAT_BAND = 0.01
#: Flat stretches count only when they start at or above this fraction of the start.
HIGH_LEVEL = 0.5


@dataclass(frozen=True)
class Thresholds:
    """Where each test of :func:`diagnose` fires (statistic >= threshold; ``end`` > ``end``)."""

    end: float = 1.05
    rebound: float = 0.25
    too_large: float = 0.2
    noise: float = 0.05
    flat: float = 0.2
    late_share: float = 0.15


@dataclass(frozen=True)
class CurveStats:
    """The statistics of one curve (see the module docstring); NaN when not ``finite``."""

    steps: int
    start: float
    finite: bool
    end: float
    rebound: float
    noise: float
    flat: float
    late_share: float

    def tests(self, thresholds: Thresholds | None = None
              ) -> list[tuple[str, str, float, float]]:
        """``(label, statistic, value, threshold)`` of tests 1-6, in :func:`diagnose`'s order."""
        th = thresholds or Thresholds()
        return [("diverging", "end", self.end, th.end),
                ("oscillating", "rebound", self.rebound, th.rebound),
                ("too large", "noise", self.noise, th.too_large),
                ("noisy", "noise", self.noise, th.noise),
                ("plateau", "flat", self.flat, th.flat),
                ("too small", "late_share", self.late_share, th.late_share)]


class Diagnosis(NamedTuple):
    """A label from :data:`LABELS`, the statistics behind it, the reason and the fix."""

    label: str
    stats: CurveStats
    reason: str
    fix: str


def _check_curve(losses: ArrayLike) -> np.ndarray:
    curve = np.asarray(losses, dtype=float)
    if curve.ndim != 1 or curve.size < 20:
        raise ValueError(f"Invalid losses: array of shape {curve.shape} (need a 1-D curve of "
                         f"at least 20 values)")
    if not (np.isfinite(curve[0]) and curve[0] > 0):
        raise ValueError(f"Invalid losses: starting value {curve[0]!r} (must be finite and "
                         f"> 0: the statistics are fractions of the starting loss)")
    return curve


def trend(losses: ArrayLike, half_width: int | None = None) -> np.ndarray:
    """Running median over ``2 * half_width + 1`` points (default ``max(1, n // 40)``).

    Near the ends the window is cut short (the first value is the median of the first
    ``half_width + 1`` points), so one spike at the very end does not become the trend.

    >>> trend([3.0, 1.0, 9.0, 1.0, 1.0], half_width=1)
    array([2., 3., 1., 1., 1.])
    """
    curve = np.asarray(losses, dtype=float)
    if half_width is None:
        half_width = max(1, (curve.size - 1) // SMOOTHING)
    half_width = check.whole("half_width", half_width, low=0)
    padded = np.pad(curve, half_width, constant_values=np.nan)  # NaN: outside the curve
    return np.nanmedian(sliding_window_view(padded, 2 * half_width + 1), axis=-1)


def _longest_flat_stretch(T: np.ndarray, start: float) -> int:
    """Steps in the longest stretch within ``FLAT_BAND * start`` of its first value."""
    longest = 0
    for i in np.flatnonzero(T >= HIGH_LEVEL * start):
        left = np.abs(T[i:] - T[i]) > FLAT_BAND * start
        longest = max(longest, int(np.argmax(left)) if left.any() else T.size - i)
    return longest


def curve_stats(losses: ArrayLike) -> CurveStats:
    """The statistics of the module docstring for a curve of ``n + 1 >= 20`` losses.

    ``losses[0]`` is the loss before the first step (finite and > 0). A curve with a
    non-finite value has ``finite=False``, ``end=inf`` and the other statistics NaN.
    """
    L = _check_curve(losses)
    n, S = L.size - 1, float(L[0])
    if not np.all(np.isfinite(L)):
        nan = float("nan")
        return CurveStats(n, S, False, float("inf"), nan, nan, nan, nan)
    T = trend(L)
    end = float(np.median(L[-max(3, n // 10):])) / S
    rebound = float(np.max(T - np.minimum.accumulate(T))) / S
    late = slice(n // 2, None)
    relative = (L[late] - T[late]) / np.maximum(T[late], NOISE_FLOOR * S)  # r_t
    noise = float(np.mean(np.abs(relative)))
    flat = _longest_flat_stretch(T, S) / (n + 1)
    progress = S - T[-1]
    late_share = float((T[3 * n // 4] - T[-1]) / progress) if progress >= FLAT_BAND * S else 0.0
    return CurveStats(n, S, True, end, rebound, noise, flat, late_share)


def diagnose(losses: ArrayLike, thresholds: Thresholds | None = None) -> Diagnosis:
    """Label a loss curve by the first test of the module docstring that it passes.

    >>> import numpy as np
    >>> t = np.arange(301)
    >>> diagnose(2.3 * np.exp(-t / 30) + 0.05).label
    'healthy'
    >>> d = diagnose(2.3 - 0.002 * t)
    >>> d.label, d.reason
    ('too small', 'late_share = 0.24 >= 0.15')
    """
    stats = curve_stats(losses)
    if not stats.finite:
        return Diagnosis("diverging", stats, "a loss is not finite", ADVICE["diverging"][1])
    for label, name, value, threshold in stats.tests(thresholds):
        fired = value > threshold if label == "diverging" else value >= threshold
        if fired:
            sign = ">" if label == "diverging" else ">="
            return Diagnosis(label, stats, f"{name} = {value:.2f} {sign} {threshold:g}",
                             ADVICE[label][1])
    return Diagnosis("healthy", stats, "no test fired", ADVICE["healthy"][1])


# -- curves to diagnose ---------------------------------------------------------------------

def synthetic_curve(label: str, steps: int = 300, seed: int = 0, start: float = 2.3
                    ) -> np.ndarray:
    r"""A textbook curve of each label, from a formula plus seeded noise (shape (steps + 1,)).

    With :math:`u = t / n` and :math:`\varepsilon_t` standard normal:
    healthy :math:`S(0.02 + 0.98 e^{-10u})(1 + 0.01\varepsilon_t)`; too small
    :math:`S(1 - 0.3u)`; too large :math:`S(0.85 e^{-60u} + 0.15 e^{0.6\varepsilon_t})`
    (a fast drop to a jumpy floor); noisy: the healthy curve times
    :math:`e^{0.2\varepsilon_t}`; oscillating: the healthy curve plus slow swings of
    height 0.5 S from :math:`u = 0.2` on; diverging: a dip, then growth to about 10 S;
    plateau: flat for 40 % of the run, then the healthy curve.
    """
    check.one_of("label", label, LABELS)
    steps = check.whole("steps", steps, low=19)
    rng = np.random.default_rng(seed)
    u = np.arange(steps + 1) / steps
    eps = rng.standard_normal(steps + 1)
    healthy = 0.02 + 0.98 * np.exp(-10 * u)
    shapes = {
        "healthy": healthy * (1 + 0.01 * eps),
        "too small": (1 - 0.3 * u) * (1 + 0.001 * eps),
        "too large": 0.85 * np.exp(-60 * u) + 0.15 * np.exp(0.6 * eps),
        "noisy": healthy * np.exp(0.2 * eps),
        "oscillating": healthy + 0.25 * (1 - np.cos(2 * np.pi * u / 0.2)) * (u > 0.2),
        "diverging": (0.5 + 0.5 * np.exp(-20 * u)) * np.exp(3 * u),
        "plateau": np.where(u < 0.4, 1 + 0.001 * eps,
                            0.02 + 0.98 * np.exp(-10 * np.maximum(u - 0.4, 0))),
    }
    curve = start * shapes[label]
    curve[0] = start
    return curve


class TrainingRun(NamedTuple):
    """One run of :func:`train_mlp`.

    ``losses`` (steps + 1,): the mean cross-entropy on the evaluation samples (see
    :func:`train_mlp`) before the first step and after each step (NaN from ``diverged_at``
    on); ``batch_losses`` (steps,): the loss of the mini-batch each step was computed on
    (before the step); ``network``: the final weights; ``diverged_at``: the first step
    whose loss was not finite or above 1e6 times the larger of 1 and the starting loss
    (-1 if none).
    """

    losses: np.ndarray
    batch_losses: np.ndarray
    network: mlp.Network
    diverged_at: int


def train_mlp(
    optimizer: Optimizer,
    X: ArrayLike,
    y: ArrayLike,
    *,
    hidden_layer_sizes: tuple[int, ...] = (32,),
    steps: int = 300,
    batch_size: int = 64,
    seed: int = 0,
    init_scale: float = 1.0,
    eval_size: int | None = 512,
) -> TrainingRun:
    """Train the network of :mod:`alr_teach.problems.mlp` for ``steps`` mini-batch steps.

    Keeps the curve.

    ``y`` holds class indices ``0 .. K-1`` (``K = y.max() + 1`` outputs). The batches and
    initial weights come from ``np.random.default_rng(seed)`` exactly as
    :class:`~alr_teach.MLPClassifier` (``random_state=seed``) draws them: He
    initialisation, then one shuffle per epoch and consecutive batches (the last one of an
    epoch holds the remainder), so with ``init_scale=1`` the two give the same weights.
    ``init_scale`` multiplies every initial weight matrix: below 1 it shrinks the signal in
    each layer, and a network with several hidden layers then starts on a plateau.

    The curve is the loss on ``eval_size`` fixed training samples, evenly spaced through
    ``X`` (all of them if ``eval_size`` is None or at least ``n``), after every step: the
    same samples each time, so the curve shows the optimizer's progress without the
    sampling noise of the batches, at a fraction of the cost of the whole set.
    The optimizer is reset first. BLAS runs on one thread (faster for matrices this small).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != X.shape[:1] or y.dtype.kind not in "iu" or y.min() < 0:
        raise ValueError(f"Invalid data: X of shape {X.shape}, y of shape {y.shape} and dtype "
                         f"{y.dtype} (need X (n, d) and integer class indices y (n,) >= 0)")
    steps = check.whole("steps", steps, low=1)
    batch_size = min(check.whole("batch_size", batch_size, low=1), y.size)
    init_scale = float(check.positive("init_scale", init_scale))
    n_eval = y.size if eval_size is None else min(check.whole("eval_size", eval_size, low=1),
                                                   y.size)
    evaluated = np.linspace(0, y.size - 1, n_eval).round().astype(int)
    X_eval, y_eval = X[evaluated], y[evaluated]
    rng = np.random.default_rng(seed)
    sizes = [X.shape[1], *(check.whole("hidden_layer_sizes", h, low=1)
                           for h in hidden_layer_sizes), int(y.max()) + 1]
    net = mlp.init_network(sizes, rng)
    net = mlp.Network([init_scale * W for W in net.coefs], net.intercepts, net.gammas)
    optimizer.reset()
    losses, batch_losses = np.full(steps + 1, np.nan), np.full(steps, np.nan)
    losses[0] = mlp.loss(net, X_eval, y_eval)
    limit = 1e6 * max(1.0, losses[0])
    t = 0
    with mlp.one_thread(), np.errstate(all="ignore"):
        while t < steps:
            order = rng.permutation(y.size)
            X_epoch, y_epoch = X[order], y[order]
            for first in range(0, y.size, batch_size):
                batch = slice(first, first + batch_size)
                batch_losses[t], grads, _ = mlp.loss_and_gradients(net, X_epoch[batch],
                                                                   y_epoch[batch])
                net = net.with_params(optimizer.step(net.params(), grads.params()))
                t += 1
                losses[t] = mlp.loss(net, X_eval, y_eval)
                if not (np.isfinite(losses[t]) and losses[t] <= limit):
                    losses[t:] = np.nan
                    return TrainingRun(losses, batch_losses, net, t)
                if t == steps:
                    break
    return TrainingRun(losses, batch_losses, net, -1)

