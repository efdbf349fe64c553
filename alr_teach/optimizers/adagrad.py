"""AdaGrad: per-parameter rates from the running *sum* of squared gradients."""

from __future__ import annotations

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer, add_weight_decay

__all__ = ["AdaGrad"]


class AdaGrad(Optimizer):
    r"""AdaGrad: divide each coordinate's step by the root of its summed squared gradients.

    Coordinates that have seen large gradients get small steps, rare or small ones get
    large steps. The sum only grows, so every effective rate only shrinks.

    Update rule (step :math:`t \ge 1`)::

        g      <- g + lambda * x                         (if weight_decay > 0)
        eta_t   = lr / (1 + (t - 1) * lr_decay)
        G_t     = G_{t-1} + g * g                        (G_0 = initial_accumulator_value)
        x      <- x - eta_t * g / (sqrt(G_t) + eps)

    .. math::

        G_t = G_{t-1} + g_t \odot g_t, \qquad
        x_t = x_{t-1} - \frac{\eta_t}{\sqrt{G_t} + \epsilon} \odot g_t

    Symbols: :math:`\eta` = ``lr``, :math:`G` = ``state["sum_sq"]``, :math:`\epsilon` = ``eps``,
    :math:`\lambda` = ``weight_decay``; the effective rate of a coordinate is
    :math:`\eta_t / (\sqrt{G_t} + \epsilon)`.

    Conventions:
        * eps is added *outside* the root (torch, here) with default 1e-10; Keras adds it
          *inside* (``sqrt(G + eps)``) with default 1e-7.
        * Keras starts the accumulator at 0.1 (``initial_accumulator_value=0.1``) and uses
          ``lr=0.001``; torch starts it at 0 and uses ``lr=0.01``. Starting at 0.1 caps the
          first steps at ``lr * |g| / sqrt(0.1 + g^2)``.
        * ``lr_decay`` is torch's extra inverse-time decay of the global rate; the paper
          has none.

    Parameters:
        lr: :math:`\eta \ge 0`.
        lr_decay: inverse-time decay of the rate, :math:`\ge 0`.
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient.
        initial_accumulator_value: :math:`G_0 \ge 0`.
        eps: :math:`\epsilon > 0` (0 is rejected: a coordinate whose gradient is still 0
            would compute 0/0).

    References:
        Duchi, Hazan & Singer (2011), *Adaptive Subgradient Methods for Online Learning
        and Stochastic Optimization*, JMLR 12.

    >>> import numpy as np
    >>> opt = AdaGrad(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [ 0.0274 -0.5513]
    """

    checks = {
        "lr": check.nonnegative,
        "lr_decay": check.nonnegative,
        "weight_decay": check.nonnegative,
        "initial_accumulator_value": check.nonnegative,
        "eps": check.positive,
    }

    def __init__(
        self,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )

    def init_state(self, x, h):
        return {"sum_sq": np.zeros_like(x) + h.initial_accumulator_value}

    def update(self, x, g, s, h, t):
        g = add_weight_decay(g, x, h.weight_decay)
        eta_t = h.lr / (1 + (t - 1) * h.lr_decay)
        s.sum_sq = s.sum_sq + g * g
        return x - eta_t * g / (np.sqrt(s.sum_sq) + h.eps)
