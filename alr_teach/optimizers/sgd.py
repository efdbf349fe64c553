"""Stochastic gradient descent with (Nesterov) momentum: the baseline ALR is measured against."""

from __future__ import annotations

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer, add_weight_decay, is_zero

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    One learning rate for every parameter: the method the adaptive optimizers improve on.

    Update rule (step :math:`t \ge 1`, torch's form)::

        g   <- g + lambda * x                          (if weight_decay > 0)
        b_1  = g                                       (first step: no dampening)
        b_t  = mu * b_{t-1} + (1 - tau) * g            (if momentum > 0)
        d    = g + mu * b_t   (nesterov)   or   b_t    (plain momentum)   or   g
        x   <- x - lr * d

    .. math::

        b_t = \mu\, b_{t-1} + (1-\tau)\, g_t, \qquad x_t = x_{t-1} - \eta\, b_t

    Symbols: :math:`\eta` = ``lr``, :math:`\mu` = ``momentum``, :math:`\tau` = ``dampening``,
    :math:`\lambda` = ``weight_decay``, :math:`b` = ``state["velocity"]``.

    Conventions:
        * torch (followed here) keeps the learning rate *outside* the velocity; Keras
          keeps it inside (``b = mu*b - lr*g; x += b``). The two agree for a constant
          rate and differ once a schedule changes ``lr``.
        * torch starts the velocity at the first gradient, undamped (``b_1 = g_1``),
          so ``dampening`` only acts from step 2 on.
        * Nesterov needs ``momentum > 0`` and ``dampening == 0`` (as in torch).

    Parameters:
        lr: learning rate :math:`\eta \ge 0` (required, as there is no good default).
        momentum: :math:`\mu \ge 0`; 0 turns momentum off (values >= 1 diverge, which
            the course shows on purpose).
        dampening: :math:`\tau \in [0, 1]`.
        nesterov: use Nesterov's look-ahead form.
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient.

    References:
        Polyak (1964), *Some methods of speeding up the convergence of iteration methods*;
        Sutskever et al. (2013), *On the importance of initialization and momentum in deep
        learning* (the Nesterov form used by torch).

    >>> import numpy as np
    >>> opt = SGD(lr=0.1, momentum=0.9)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [ 0.0037 -0.0075]
    """

    flag_names = ("nesterov",)
    checks = {
        "lr": check.nonnegative,
        "momentum": check.nonnegative,
        "dampening": check.fraction,
        "weight_decay": check.nonnegative,
    }

    def __init__(
        self,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov)

    def check_combination(self, values):
        momentum, dampening = values["momentum"], values["dampening"]
        if values["nesterov"] and not (np.all(momentum > 0) and np.all(dampening == 0)):
            raise ValueError(
                f"Invalid nesterov: True (needs momentum > 0 and dampening == 0, "
                f"got momentum={momentum!r}, dampening={dampening!r})"
            )

    @property
    def uses_momentum(self) -> bool:
        """True when any momentum value is non-zero (then a velocity is kept)."""
        return not is_zero(self.momentum)

    def init_state(self, x, h):
        return {"velocity": np.zeros_like(x)} if self.uses_momentum else {}

    def update(self, x, g, s, h, t):
        g = add_weight_decay(g, x, h.weight_decay)
        if not self.uses_momentum:
            return x - h.lr * g
        if t == 1:
            s.velocity = g.copy()                                   # b_1 = g_1
        else:
            s.velocity = h.momentum * s.velocity + (1 - h.dampening) * g
        d = g + h.momentum * s.velocity if self.nesterov else s.velocity
        if isinstance(h.momentum, np.ndarray) and np.any(h.momentum == 0):
            d = np.where(h.momentum == 0, g, d)  # in a sweep, momentum-0 entries: plain SGD
        return x - h.lr * d
