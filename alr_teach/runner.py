"""Run an optimizer on a landscape and keep everything a plot needs, divergence included."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from .base import Optimizer
from .landscapes import Landscape


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
    start). Hyperparameter arrays of the optimizer broadcast with the batch axes (see
    :class:`~alr_teach.base.Optimizer`). A run *diverges* at the first step whose point
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
    loss0 = landscape.value(x)
    limit = 1e6 * np.maximum(1.0, np.abs(loss0)) if max_loss is None else max_loss

    points = np.full((steps + 1,) + x.shape, np.nan)
    losses = np.full((steps + 1,) + loss0.shape, np.nan)
    grads = np.full((steps,) + x.shape, np.nan)
    diverged_at = np.full(loss0.shape, -1)
    points[0], losses[0] = x, loss0
    state: dict[str, np.ndarray] = {}

    alive = np.ones(loss0.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for t in range(1, steps + 1):
            g = landscape.grad(x)
            x = optimizer.step(x, g)
            loss = landscape.value(x)
            bad = alive & ~(np.isfinite(loss) & np.all(np.isfinite(x), axis=-1) & (loss <= limit))
            diverged_at[bad] = t
            alive &= ~bad
            grads[t - 1] = np.where((alive | bad)[..., None], g, np.nan)
            points[t] = np.where(alive[..., None], x, np.nan)
            losses[t] = np.where(alive, loss, np.nan)
            if record_state:
                for name, value in optimizer.state.items():
                    state.setdefault(name, np.full((steps,) + x.shape, np.nan))
                    state[name][t - 1] = np.where(alive[..., None], value, np.nan)
            if not alive.any():
                break
    return Trajectory(points, losses, grads, diverged_at, state)
