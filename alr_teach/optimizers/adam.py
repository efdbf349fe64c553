"""Adam and AdamW: momentum plus RMSProp-style scaling, with bias correction."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from alr_teach import _validation as check
from alr_teach._validation import Hyper
from alr_teach.optimizers.base import Optimizer, apply_weight_decay

__all__ = ["Adam", "AdamLike", "AdamW"]


class AdamLike(Optimizer):
    """What Adam and its relatives share: the hyperparameters, not the rule.

    ``lr``, the pair ``betas=(beta1, beta2)``, ``eps`` and ``weight_decay``, with one table
    of range checks. The pair is stored as two hyperparameters, ``beta1`` and ``beta2``
    (what the update rules read), and ``betas`` reads or assigns both, checked, in torch's
    spelling. Subclasses give the defaults, any hyperparameter of their own (``**more``)
    and the update rule: :class:`Adam`, :class:`AdamW`, the variants in
    :mod:`alr_teach.optimizers.adam_variants` and the layer-wise ones in
    :mod:`alr_teach.optimizers.layerwise`.
    """

    checks = {
        "lr": check.nonnegative,
        "beta1": check.decay_factor,
        "beta2": check.decay_factor,
        "eps": check.positive,
        "weight_decay": check.nonnegative,
    }

    def __init__(
        self, lr: float, betas: tuple[float, float], eps: float, weight_decay: float,
        **more: object,
    ) -> None:
        beta1, beta2 = check.betas(betas)
        super().__init__(
            lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, **more
        )

    @property
    def betas(self) -> tuple[Hyper, Hyper]:
        """``(beta1, beta2)``, torch's spelling; assigning a new pair is checked."""
        return self.beta1, self.beta2

    @betas.setter
    def betas(self, value: tuple[float, float]) -> None:
        beta1, beta2 = check.betas(value)
        self.set(beta1=beta1, beta2=beta2)


class Adam(AdamLike):
    r"""Adam: a moving average of gradients (m) divided by the root of one of their squares (v).

    Update rule (step :math:`t \ge 1`)::

        g      <- g + lambda * x                       (coupled L2 decay, if weight_decay > 0)
        m       = beta1 * m + (1 - beta1) * g          (first moment: momentum)
        v       = beta2 * v + (1 - beta2) * g * g      (second moment, uncentred)
        m_hat   = m / (1 - beta1**t)                   (bias correction: m, v start at 0)
        v_hat   = v / (1 - beta2**t)                   (amsgrad: v_max = max(v_max, v) first,
                                                        and v_max replaces v here)
        x      <- x - lr * m_hat / (sqrt(v_hat) + eps)

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
        \hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t}, \quad
        x_t = x_{t-1} - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    Symbols: :math:`\eta` = ``lr``, :math:`\beta_1, \beta_2` = ``betas``, :math:`\epsilon` =
    ``eps``, :math:`\lambda` = ``weight_decay``, :math:`m, v` = ``state["m"], state["v"]``,
    :math:`t` = ``opt.t``; ``state["v_max"]`` with ``amsgrad=True``.

    Conventions:
        * eps is added to :math:`\sqrt{\hat v_t}` (Algorithm 1 of the paper, torch). Keras
          and TensorFlow add it to :math:`\sqrt{v_t}` before bias correction (the paper's
          "epsilon hat", default 1e-7), which makes eps effectively larger early on;
          scikit-learn's numpy Adam does the same.
        * ``weight_decay`` here is an L2 penalty folded into the gradient, so it is
          rescaled by the adaptive denominator like any gradient. That is usually not
          what you want: use :class:`AdamW` for decoupled decay.
        * AMSGrad follows torch: the running maximum is of the raw ``v``, bias-corrected
          afterwards.

    Parameters:
        lr: :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon > 0` (0 is rejected: a zero gradient would compute 0/0).
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient.
        amsgrad: keep the running maximum of ``v`` (Reddi et al., 2018).

    References:
        Kingma & Ba (2015), *Adam: A Method for Stochastic Optimization*, ICLR;
        Reddi, Kale & Kumar (2018), *On the Convergence of Adam and Beyond*, ICLR.

    >>> import numpy as np
    >>> opt = Adam(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [0.0029 0.0084]
    """

    flag_names = ("amsgrad",)
    #: AdamW's one difference (a class constant, not a switch: AdamW is its own class)
    _decoupled: ClassVar[bool] = False

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def init_state(self, x, h):
        state = {"m": np.zeros_like(x), "v": np.zeros_like(x)}
        if self.amsgrad:
            state["v_max"] = np.zeros_like(x)
        return state

    def update(self, x, g, s, h, t):
        x, g = apply_weight_decay(x, g, h.lr, h.weight_decay, self._decoupled)
        s.m = h.beta1 * s.m + (1 - h.beta1) * g
        s.v = h.beta2 * s.v + (1 - h.beta2) * g * g
        if self.amsgrad:
            s.v_max = np.maximum(s.v_max, s.v)
        m_hat = s.m / (1 - h.beta1**t)
        v_hat = (s.v_max if self.amsgrad else s.v) / (1 - h.beta2**t)
        return x - h.lr * m_hat / (np.sqrt(v_hat) + h.eps)


class AdamW(Adam):
    r"""AdamW: Adam with *decoupled* weight decay (shrink the weights, not the gradient).

    Identical to :class:`Adam` except for how ``weight_decay`` acts: before the Adam
    step the weights are multiplied by :math:`1 - \eta\lambda`, outside the adaptive
    scaling, so every weight decays at the same relative rate whatever its gradient
    history::

        x <- x * (1 - lr * weight_decay)
        (then Adam's update, with the plain gradient g)

    .. math::

        x_t = (1 - \eta\lambda)\, x_{t-1} - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    Conventions:
        * The decay is multiplied by the learning rate, as in torch and Keras (so a
          schedule on ``lr`` also schedules the decay). The paper multiplies
          :math:`\lambda` by the schedule multiplier :math:`\eta_t` only, not by the
          Adam rate :math:`\alpha`; to reproduce it, divide ``weight_decay`` by the *base* ``lr``
          (with a schedule, not by the current rate, or the schedule drops out of the decay).
        * torch's default ``weight_decay`` is 1e-2 (kept here); Keras's is 0.004.
        * With ``weight_decay=0`` AdamW and Adam are the same method.

    Parameters: as :class:`Adam`, with ``weight_decay`` :math:`\lambda \ge 0` decoupled.

    References:
        Loshchilov & Hutter (2019), *Decoupled Weight Decay Regularization*, ICLR.

    >>> import numpy as np
    >>> opt = AdamW(lr=0.1, weight_decay=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [0.0028 0.0007]
    """

    _decoupled = True

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
