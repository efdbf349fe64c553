"""AdaDelta: a step with the units of x, from two running averages and no global rate."""

from __future__ import annotations

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer, add_weight_decay

__all__ = ["AdaDelta"]


class AdaDelta(Optimizer):
    r"""AdaDelta: scale the gradient by RMS[past steps] / RMS[gradients].

    The ratio has the units of the parameter (a "unit-correct" step), and no global
    learning rate is needed in the paper's form (``lr=1``).

    Update rule (step :math:`t \ge 1`)::

        g       <- g + lambda * x                                 (if weight_decay > 0)
        E[g2]    = rho * E[g2] + (1 - rho) * g * g
        dx       = sqrt(E[dx2] + eps) / sqrt(E[g2] + eps) * g     (uses the *old* E[dx2])
        E[dx2]   = rho * E[dx2] + (1 - rho) * dx * dx
        x       <- x - lr * dx

    .. math::

        \Delta x_t = \frac{\sqrt{E[\Delta x^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\, g_t,
        \qquad x_t = x_{t-1} - \eta\, \Delta x_t

    Symbols: :math:`\rho` = ``rho``, :math:`E[g^2]` = ``state["sq_avg"]``,
    :math:`E[\Delta x^2]` = ``state["acc_delta"]``, :math:`\eta` = ``lr``.

    Conventions:
        * eps sits *inside* both roots (as in the paper, torch and Keras). It is not a
          mere safeguard: at the start :math:`E[\Delta x^2] = 0`, so the first steps are
          about :math:`\sqrt{\epsilon}/\mathrm{RMS}[g]` times g, and eps sets their size.
        * torch: ``lr=1.0, rho=0.9, eps=1e-6``. Keras: ``learning_rate=0.001, rho=0.95,
          eps=1e-7``. With the same rho and eps, Keras's lr of 0.001 makes every step 1000x
          smaller than the paper's; with each library's own defaults, Keras's first step
          on a steep slope is about 2236x smaller than torch's.
          The paper used rho=0.95 and eps=1e-6.

    Parameters:
        lr: :math:`\eta \ge 0`, a multiplier on the step (1 is the paper's method).
        rho: averaging factor in [0, 1).
        eps: :math:`\epsilon > 0` (with 0 the step would stay 0 forever).
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient.

    References:
        Zeiler (2012), *ADADELTA: An Adaptive Learning Rate Method*, arXiv:1212.5701.

    >>> import numpy as np
    >>> opt = AdaDelta()
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [ 0.6512 -1.6236]
    """

    checks = {
        "lr": check.nonnegative,
        "rho": check.decay_factor,
        "eps": check.positive,
        "weight_decay": check.nonnegative,
    }

    def __init__(
        self,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)

    def init_state(self, x, h):
        return {"sq_avg": np.zeros_like(x), "acc_delta": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        g = add_weight_decay(g, x, h.weight_decay)
        s.sq_avg = h.rho * s.sq_avg + (1 - h.rho) * g * g
        delta = np.sqrt(s.acc_delta + h.eps) / np.sqrt(s.sq_avg + h.eps) * g
        s.acc_delta = h.rho * s.acc_delta + (1 - h.rho) * delta * delta
        return x - h.lr * delta
