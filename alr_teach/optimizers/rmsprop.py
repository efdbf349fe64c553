"""RMSProp: per-parameter rates from an exponential moving *average* of squared gradients."""

from __future__ import annotations

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer, add_weight_decay, is_zero

__all__ = ["RMSProp"]


class RMSProp(Optimizer):
    r"""RMSProp: AdaGrad with a leaky memory, so the rates can grow again.

    Replacing AdaGrad's sum by a moving average forgets old gradients (the weight of a
    gradient k steps back is :math:`(1-\alpha)\alpha^k`), so the method keeps adapting
    when the objective changes.

    Update rule (step :math:`t \ge 1`)::

        g      <- g + lambda * x                              (if weight_decay > 0)
        E[g2]   = alpha * E[g2] + (1 - alpha) * g * g
        gbar    = alpha * gbar + (1 - alpha) * g              (centered only)
        r       = sqrt(E[g2] - gbar^2)  if centered  else  sqrt(E[g2])
        b       = mu * b + g / (r + eps);   x <- x - lr * b   (if momentum > 0)
        x      <- x - lr * g / (r + eps)                      (otherwise)

    .. math::

        E[g^2]_t = \alpha\, E[g^2]_{t-1} + (1-\alpha)\, g_t^2, \qquad
        x_t = x_{t-1} - \frac{\eta}{\sqrt{E[g^2]_t} + \epsilon}\, g_t

    Symbols: :math:`\eta` = ``lr``, :math:`\alpha` = ``alpha``, :math:`E[g^2]` =
    ``state["sq_avg"]``, :math:`\bar g` = ``state["grad_avg"]`` (centered),
    :math:`b` = ``state["velocity"]`` (momentum), :math:`\mu` = ``momentum``.

    Conventions:
        * torch (here) uses ``alpha=0.99`` and eps *outside* the root (1e-8); Hinton's
          lecture and Keras use 0.9, and Keras puts eps *inside* the root (1e-7).
        * With momentum, torch's velocity holds ``g / (r + eps)`` and the rate multiplies
          it afterwards; Keras puts the rate inside the velocity.
        * The centered variant (Graves, 2013) divides by an estimate of the gradient's
          standard deviation instead of its root mean square.

    Parameters:
        lr: :math:`\eta \ge 0`.
        alpha: averaging factor in [0, 1).
        eps: :math:`\epsilon > 0` (0 is rejected: a zero gradient would compute 0/0).
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient.
        momentum: :math:`\mu \ge 0`.
        centered: subtract the squared mean gradient inside the root.

    References:
        Tieleman & Hinton (2012), *Lecture 6.5, rmsprop*, COURSERA: Neural Networks for
        Machine Learning; Graves (2013), *Generating Sequences With Recurrent Neural
        Networks* (centered form).

    >>> import numpy as np
    >>> opt = RMSProp(lr=0.01)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [ 0.0118 -0.4501]
    """

    flag_names = ("centered",)
    checks = {
        "lr": check.nonnegative,
        "alpha": check.decay_factor,
        "eps": check.positive,
        "weight_decay": check.nonnegative,
        "momentum": check.nonnegative,
    }

    def __init__(
        self,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                         momentum=momentum, centered=centered)

    @property
    def uses_momentum(self) -> bool:
        """True when any momentum value is non-zero (then a velocity is kept)."""
        return not is_zero(self.momentum)

    def init_state(self, x, h):
        state = {"sq_avg": np.zeros_like(x)}
        if self.centered:
            state["grad_avg"] = np.zeros_like(x)
        if self.uses_momentum:
            state["velocity"] = np.zeros_like(x)
        return state

    def update(self, x, g, s, h, t):
        g = add_weight_decay(g, x, h.weight_decay)
        s.sq_avg = h.alpha * s.sq_avg + (1 - h.alpha) * g * g
        if self.centered:
            s.grad_avg = h.alpha * s.grad_avg + (1 - h.alpha) * g
            r = np.sqrt(s.sq_avg - s.grad_avg**2)
        else:
            r = np.sqrt(s.sq_avg)
        if self.uses_momentum:
            s.velocity = h.momentum * s.velocity + g / (r + h.eps)
            return x - h.lr * s.velocity
        return x - h.lr * g / (r + h.eps)
