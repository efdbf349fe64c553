"""The learning-rate range test: sweep the rate upwards in one short run, read the loss.

Smith (2017) and the fastai library popularised it: start with a tiny learning rate, raise
it exponentially at every step, record the loss, stop when the loss blows up, and pick a
rate from the curve: where the loss falls fastest (*steepest*) or well below the bottom
of the curve (*valley*). It costs one short run instead of a search.
:func:`estimator_range_test` runs it on an :class:`~alr_teach.MLPClassifier`'s own network
and batches.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers._params import Params
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.schedules import Scheduled

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from alr_teach.problems.estimator import MLPClassifier

__all__ = ["LossAndGrad", "RangeTestResult", "lr_range_test", "estimator_range_test"]

#: loss_and_grad(params, step) -> (loss, grads): the loss of one mini-batch and its gradient
LossAndGrad = Callable[[Params, int], tuple[float, Params]]


@dataclass
class RangeTestResult:
    """The recorded curve and the two suggested rates.

    ``lrs`` and ``losses`` (raw) and ``smoothed`` have one entry per step taken;
    ``stopped_early`` tells whether the loss blew up before ``lr_max`` was reached.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    steepest: float
    valley: float
    stopped_early: bool


def lr_range_test(
    optimizer: Optimizer,
    params: Params,
    loss_and_grad: LossAndGrad,
    *,
    lr_min: float = 1e-7,
    lr_max: float = 10.0,
    steps: int = 100,
    smoothing: float = 0.9,
    blowup: float = 4.0,
) -> RangeTestResult:
    """Run the range test with a copy of ``optimizer`` from ``params``; return the curve.

    At step k (0-based) the rate is ``lr_min * (lr_max / lr_min) ** (k / (steps - 1))``.
    The loss is smoothed by an exponential moving average with weight ``smoothing`` and
    bias correction (as Adam corrects its moments). The default 0.9 remembers about 10
    steps, under one decade of rates at the default 100 steps over 8 decades; 0.98
    (fastai's choice) remembers about 50, four decades, so on a short run the curve would
    lag far behind the rate. The run stops once the smoothed loss exceeds ``blowup``
    times its lowest value, or is not finite.

    Nothing of the caller's is changed: the optimizer is deep-copied (its state and
    hyperparameters stay as they were) and ``params`` is only read, since ``step``
    returns new arrays. Suggestions: *steepest*, the rate at which the smoothed loss
    falls fastest per unit of log-rate; *valley*, a tenth of the rate at the bottom of
    the smoothed curve (the usual rule of thumb: the bottom itself is already too close
    to where the loss blows up).
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an alr_teach Optimizer, got {type(optimizer).__name__}")
    if isinstance(optimizer, Scheduled):  # its schedule would overwrite the rising rate
        raise ValueError(
            f"Invalid optimizer: {optimizer!r} (a range test sets the rate itself, so a "
            f"schedule would undo it; pass the scheduled optimizer's .optimizer)"
        )
    lr_min = check.real("lr_min", lr_min, low=0.0, low_open=True)
    lr_max = check.real("lr_max", lr_max, low=lr_min, low_open=True)
    steps = check.whole("steps", steps, low=5)
    smoothing = float(check.decay_factor("smoothing", smoothing))
    blowup = check.real("blowup", blowup, low=1.0, low_open=True)

    opt = copy.deepcopy(optimizer)
    opt.reset()
    rates = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    losses, smoothed = [], []
    average, best, stopped = 0.0, np.inf, False
    for k, lr in enumerate(rates):
        loss, grads = loss_and_grad(params, k)
        loss = float(loss)
        average = smoothing * average + (1 - smoothing) * loss
        value = average / (1 - smoothing ** (k + 1))
        losses.append(loss)
        smoothed.append(value)
        best = min(best, value)
        if not np.isfinite(value) or value > blowup * best:
            stopped = True
            break
        opt.set(lr=float(lr))
        params = opt.step(params, grads)

    lrs = rates[: len(losses)]
    curve = np.array(smoothed)
    return RangeTestResult(
        lrs=lrs, losses=np.array(losses), smoothed=curve,
        steepest=_steepest(lrs, curve), valley=_valley(lrs, curve), stopped_early=stopped,
    )


def estimator_range_test(
    estimator: MLPClassifier,
    X: ArrayLike,
    y: ArrayLike,
    *,
    lr_min: float = 1e-6,
    lr_max: float = 1.0,
    steps: int = 100,
    smoothing: float = 0.9,
    blowup: float = 4.0,
) -> RangeTestResult:
    """:func:`lr_range_test` on an estimator's network: a rate that rises every batch.

    Trains a throw-away copy of the network for ``steps`` mini-batches of ``(X, y)``
    with the rate rising exponentially from ``lr_min`` to ``lr_max``, records the loss
    of each batch and stops once it blows up. The copy starts from the current weights
    when the estimator is fitted, else from the weights ``fit`` would draw; batches,
    optimizer and loss are those of ``fit`` (see
    :meth:`~alr_teach.problems.estimator.MLPClassifier.training_problem`). Nothing of the
    estimator is changed.
    """
    problem = estimator.training_problem(X, y, steps)
    return lr_range_test(problem.optimizer, problem.params, problem.loss_and_grad,
                         lr_min=lr_min, lr_max=lr_max, steps=steps, smoothing=smoothing,
                         blowup=blowup)


def _usable(curve: np.ndarray) -> int:
    """How many leading points to read: drop the final blow-up point, if any."""
    finite = np.isfinite(curve)
    n = int(np.argmin(finite)) if not finite.all() else curve.size
    return max(n - 1, 2) if n < curve.size or curve[-1] > curve[:-1].min() else n


def _steepest(lrs: np.ndarray, curve: np.ndarray) -> float:
    """The rate where d(smoothed loss) / d(log lr) is most negative, before the bottom.

    Only the descent counts (after the lowest point the loss is rising towards the blow-up,
    where a steep *upward* edge next to a drop can fake a steep descent), and its first
    tenth is skipped: there the average has seen few batches, so noise, not the rate,
    moves it.
    """
    n = int(np.argmin(curve[: _usable(curve)])) + 1  # only the descent, up to the bottom
    skip = max(1, n // 10)
    if n - skip < 3:  # too short a descent to differentiate: use what there is
        skip, n = 0, max(n, min(3, curve.size))
    slope = np.gradient(curve[skip:n], np.log(lrs[skip:n]))
    return float(lrs[skip + int(np.argmin(slope))])


def _valley(lrs: np.ndarray, curve: np.ndarray) -> float:
    """A tenth of the rate at the bottom of the smoothed curve: safely inside the descent."""
    n = _usable(curve)
    return float(lrs[int(np.argmin(curve[:n]))] / 10)

