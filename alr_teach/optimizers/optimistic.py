"""Optimistic gradient descent, the two-player game's fix for gradient descent's spiral."""

from __future__ import annotations

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer

__all__ = ["OptimisticGD"]


class OptimisticGD(Optimizer):
    r"""Optimistic gradient descent: :math:`x_t = x_{t-1} - \eta\,(2 g_t - g_{t-1})`.

    The extra :math:`-\eta(g_t - g_{t-1})` extrapolates how the gradient is changing: in a
    game, the other player's last move. The first step is plain gradient descent
    (:math:`g_0 = g_1`). State: ``state["prev_grad"]`` (:math:`g_{t-1}`).

    References: Popov (1980), *A modification of the Arrow-Hurwicz method for search of
    saddle points*; Daskalakis, Ilyas, Syrgkanis & Zeng (2018), *Training GANs with
    Optimism*, ICLR.

    >>> opt = OptimisticGD(lr=0.5)
    >>> x = opt.step(np.array([1.0]), np.array([1.0]))   # first step: x - lr * g
    >>> x = opt.step(x, np.array([0.0]))                  # then x - lr * (2 * 0 - 1)
    >>> print(x)
    [1.]
    """

    checks = {"lr": check.nonnegative}

    def __init__(self, lr: float) -> None:
        super().__init__(lr=lr)

    def init_state(self, x, h):
        return {"prev_grad": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        previous = g if t == 1 else s.prev_grad
        s.prev_grad = np.array(g, copy=True)
        return x - h.lr * (2 * g - previous)
