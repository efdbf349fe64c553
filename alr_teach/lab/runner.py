"""Run an optimizer on a landscape and keep everything a plot needs, divergence included."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from alr_teach.optimizers.base import Optimizer
from alr_teach.problems.landscapes import Landscape

__all__ = [
    "CHECK_EVERY", "Trajectory", "run",
]

#: how many steps pass between checks for runs that have all failed
CHECK_EVERY = 10


@dataclass
class Trajectory:
    """The record of one run (or a batch of runs) of an optimizer on a landscape.

    Shapes, with ``B`` the batch shape of the start points and ``d`` the dimension:
    ``points`` (steps + 1, *B, d), ``losses`` (steps + 1, *B), ``grads`` (steps, *B, d),
    ``state[name]`` (steps, *B, d). After a run diverges its later entries are NaN,
    so plots stop where the run left the rails instead of drawing garbage.
    """

    points: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    diverged_at: np.ndarray  #: (*B) step at which each run diverged, -1 if it did not
    state: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def diverged(self) -> np.ndarray:
        """Boolean (*B): did the run diverge?"""
        return self.diverged_at >= 0

    @property
    def steps(self) -> int:
        return self.grads.shape[0]

    @property
    def final_loss(self) -> np.ndarray:
        """Loss after the last step (NaN for runs that diverged)."""
        return self.losses[-1]

    @property
    def effective_lr(self) -> np.ndarray:
        """Per-coordinate step taken per unit of gradient, ``-(x_t - x_{t-1}) / g_t``.

        Shape (steps, *B, d); NaN where the gradient is exactly zero. For plain gradient
        descent this is the learning rate itself; for an adaptive method it shows the
        rate each coordinate actually got.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = -np.diff(self.points, axis=0) / self.grads
        return np.where(self.grads == 0, np.nan, rate)


def run(
    optimizer: Optimizer,
    landscape: Landscape,
    x0: ArrayLike | None = None,
    steps: int = 100,
    *,
    max_loss: float | None = None,
    record_state: bool = True,
) -> Trajectory:
    """Run ``optimizer`` for ``steps`` steps on ``landscape`` from ``x0``.

    ``x0`` has shape (d,) or (*B, d) for a batch of runs (default: the landscape's
    start); each start is an independent run (the optimizer's ``batch_ndim`` is set to the
    number of batch axes). For a noisy or drifting landscape the gradient at step ``t`` is
    ``landscape.grad_at(x, t)`` and the recorded loss ``landscape.value_at(x, t)``.
    Hyperparameter arrays of the optimizer broadcast with the batch axes (see
    :class:`~alr_teach.optimizers.base.Optimizer`). A run *diverges* at the first step whose point
    or loss is not finite or whose loss exceeds ``max_loss`` (default: 1e6 times the
    larger of 1 and the starting loss); from then on its entries are NaN. The optimizer
    is reset first, so the same instance can be run again.
    """
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"Invalid steps: {steps!r} (must be a whole number >= 0)")
    x = np.array(landscape.start if x0 is None else x0, dtype=float)
    if x.ndim == 0 or x.shape[-1] != landscape.dim:
        raise ValueError(
            f"Invalid x0: shape {x.shape} (the landscape is {landscape.dim}-D, so the "
            f"last axis must have length {landscape.dim})"
        )
    optimizer.reset()
    optimizer.batch_ndim = x.ndim - 1  # every start point is its own run
    loss0 = landscape.value_at(x, 0)
    limit = 1e6 * np.maximum(1.0, np.abs(loss0)) if max_loss is None else max_loss

    points = np.full((steps + 1,) + x.shape, np.nan)
    losses = np.full((steps + 1,) + loss0.shape, np.nan)
    grads = np.full((steps,) + x.shape, np.nan)
    points[0], losses[0] = x, loss0
    state: dict[str, np.ndarray] = {}

    # A landscape whose loss does not change with t is evaluated in blocks of steps, one
    # vectorised call per block (bit-for-bit the same values, far fewer numpy calls);
    # the block is also when the runner checks whether every run has failed.
    moving = landscape.time_dependent
    checked = 0  # losses[: checked + 1] are filled in
    alive = np.ones(loss0.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            g = landscape.grad_at(x, t)
            x = optimizer.step(x, g)
            grads[t - 1], points[t] = g, x
            if moving:
                losses[t] = landscape.value_at(x, t)
            if record_state:
                for name, value in optimizer.state.items():
                    state.setdefault(name, np.full((steps,) + x.shape, np.nan))[t - 1] = value
            if t % CHECK_EVERY == 0 or t == steps:
                block = slice(checked + 1, t + 1)
                if not moving:
                    losses[block] = landscape.value(points[block])
                checked = t
                ok = np.isfinite(losses[block]) & (losses[block] <= limit)  # not NaN, +-inf
                alive &= np.all(ok, axis=0)  # or exploding
                if not alive.any():
                    break

        # The step at which each run first failed; blank everything it did afterwards.
        failed = ~(np.isfinite(losses[1:]) & (losses[1:] <= limit))
        failed |= ~np.all(np.isfinite(points[1:]), axis=-1)
        diverged_at = np.where(failed.any(axis=0), failed.argmax(axis=0) + 1, -1)
    step = np.arange(steps + 1).reshape((-1,) + (1,) * loss0.ndim)
    after = (diverged_at >= 0) & (step >= diverged_at)  # (steps + 1, *B)
    points[after], losses[after] = np.nan, np.nan
    grads[after[:-1]] = np.nan  # grads[k - 1] led to the failing step k: kept
    for history in state.values():
        history[after[1:]] = np.nan
    return Trajectory(points, losses, grads, diverged_at, state)
