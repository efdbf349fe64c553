"""Adamax, NAdam and RAdam: Adam with a different norm, Nesterov momentum, a rectified rate.

Each keeps Adam's first moment ``m`` and changes one thing: Adamax replaces the root of
``v`` by an exponentially weighted infinity norm ``u``; NAdam looks one momentum step
ahead; RAdam scales the adaptive rate down while ``v`` has seen too few gradients to be
trusted, and takes plain momentum steps before that. The checks, ``betas`` and L2 weight
decay are :class:`~alr_teach.Adam`'s.
"""

from __future__ import annotations

import numpy as np

from alr_teach import _validation as check
from alr_teach._validation import Hyper
from alr_teach.optimizers.adam import AdamLike
from alr_teach.optimizers.base import add_weight_decay, apply_weight_decay

__all__ = ["Adamax", "NAdam", "RAdam", "UncorrectedAdam"]


class Adamax(AdamLike):
    r"""Adamax: Adam with the root mean square replaced by a decaying maximum of |g|.

    The second moment becomes an exponentially weighted infinity norm ``u``: the largest
    recent gradient size, forgotten by a factor ``beta2`` per step. Only ``m`` needs
    bias correction; a maximum is not pulled towards its zero start as an average is.

    Update rule (step :math:`t \ge 1`)::

        g      <- g + lambda * x                       (coupled L2 decay, if weight_decay > 0)
        m       = beta1 * m + (1 - beta1) * g          (first moment: momentum)
        u       = max(beta2 * u, |g| + eps)            (infinity norm; eps inside, as torch)
        m_hat   = m / (1 - beta1**t)
        x      <- x - lr * m_hat / u

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
        u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon), \quad
        x_t = x_{t-1} - \eta \frac{m_t / (1-\beta_1^t)}{u_t}

    Symbols: :math:`\eta` = ``lr``, :math:`\beta_1, \beta_2` = ``betas``, :math:`\epsilon` =
    ``eps``, :math:`\lambda` = ``weight_decay``, :math:`m, u` = ``state["m"], state["u"]``,
    :math:`t` = ``opt.t``.

    Conventions:
        * eps sits *inside* the maximum (torch): ``u`` never falls below eps, so a
          coordinate whose gradient stays 0 keeps ``u = eps`` and ``m = 0``. Keras takes
          ``max(beta2 * u, |g|)`` and divides by ``u + eps`` (default 1e-7). The paper
          (Algorithm 2) has no eps at all.
        * Step size: the paper's and torch's default ``lr`` is 2e-3; Keras uses 1e-3.
        * The paper's point for this form: a step is at most about :math:`\eta` per
          coordinate, whatever the gradient's scale.
        * ``weight_decay`` is an L2 penalty added to the gradient, as in torch.

    Parameters:
        lr: :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon > 0` (0 is rejected: a zero gradient on step 1 would give 0/0).
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient.

    References:
        Kingma & Ba (2015), *Adam: A Method for Stochastic Optimization*, ICLR,
        Section 7.1 and Algorithm 2 (AdaMax).

    >>> import numpy as np
    >>> opt = Adamax(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [-0.0033 -0.0018]
    """

    def __init__(
        self,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def init_state(self, x, h):
        return {"m": np.zeros_like(x), "u": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        g = add_weight_decay(g, x, h.weight_decay)
        s.m = h.beta1 * s.m + (1 - h.beta1) * g
        s.u = np.maximum(h.beta2 * s.u, np.abs(g) + h.eps)
        m_hat = s.m / (1 - h.beta1**t)
        return x - h.lr * m_hat / s.u


def _nadam_mu(t: int, beta1: Hyper, momentum_decay: Hyper) -> Hyper:
    """NAdam's momentum at step ``t``: rises from about beta1/2 towards beta1."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))


class NAdam(AdamLike):
    r"""NAdam: Adam with Nesterov momentum (the step uses where the momentum is heading).

    The momentum coefficient follows a warm-up schedule :math:`\mu_t`, and the step mixes
    the momentum one step ahead (:math:`\mu_{t+1} m_t`) with the fresh gradient
    (:math:`(1-\mu_t) g_t`), each bias-corrected by the product of the :math:`\mu`'s used
    so far.

    Update rule (step :math:`t \ge 1`)::

        g           <- g + lambda * x                        (coupled L2 decay, if > 0)
        mu_t         = beta1 * (1 - 0.5 * 0.96**(t * psi))   (momentum schedule)
        mu_next      = beta1 * (1 - 0.5 * 0.96**((t + 1) * psi))
        mu_product   = mu_product * mu_t                     (mu_1 * ... * mu_t)
        m            = beta1 * m + (1 - beta1) * g
        v            = beta2 * v + (1 - beta2) * g * g
        m_hat        = mu_next * m / (1 - mu_product * mu_next)
                       + (1 - mu_t) * g / (1 - mu_product)
        v_hat        = v / (1 - beta2**t)
        x           <- x - lr * m_hat / (sqrt(v_hat) + eps)

    .. math::

        \mu_t = \beta_1\left(1 - \tfrac12\, 0.96^{t\psi}\right), \quad
        \hat m_t = \frac{\mu_{t+1}\, m_t}{1 - \prod_{i=1}^{t+1}\mu_i}
                 + \frac{(1-\mu_t)\, g_t}{1 - \prod_{i=1}^{t}\mu_i}, \quad
        x_t = x_{t-1} - \eta \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    with :math:`m_t, v_t, \hat v_t` as in :class:`~alr_teach.Adam`.

    Symbols: :math:`\eta` = ``lr``, :math:`\beta_1, \beta_2` = ``betas``, :math:`\epsilon` =
    ``eps``, :math:`\lambda` = ``weight_decay``, :math:`\psi` = ``momentum_decay``,
    :math:`\mu_t` = ``mu_t``, :math:`\prod_{i \le t}\mu_i` = ``state["mu_product"]``,
    :math:`m, v` = ``state["m"], state["v"]``, :math:`t` = ``opt.t``.

    Conventions:
        * The schedule is torch's, and tf.keras 2's (``schedule_decay=0.004``):
          :math:`0.96^{0.004\,t}`. It is slow: :math:`\mu_t` starts at
          :math:`0.45` (with :math:`\beta_1 = 0.9`) and is still only
          :math:`0.75\,\beta_1` after about 4,245 steps. Keras 3 uses :math:`0.96^{t}`
          (no :math:`\psi`), which reaches :math:`\beta_1` within a hundred or so steps,
          so the two libraries differ from step 1 on. ``momentum_decay=0`` gives a
          constant :math:`\mu = \beta_1/2`.
        * ``m`` is averaged with the constant :math:`\beta_1` and bias-corrected with the
          product of the :math:`\mu`'s (torch, Keras); eps is added to
          :math:`\sqrt{\hat v_t}` as in Adam (Keras: same place, default 1e-7).
        * ``mu_product`` is one number per array in torch (and one for the whole model in
          Keras 3); here it is stored per element, shaped like ``params`` as all state
          is, so that the rule stays element-wise. Its entries are all equal unless a
          sweep gives the rows different ``beta1`` or ``momentum_decay``. It multiplies
          the :math:`\mu_t` actually used, so changing ``betas`` mid-run acts as in torch.
        * ``weight_decay`` is an L2 penalty added to the gradient. (torch's
          ``decoupled_weight_decay=True``, NAdamW, is not offered here.)
        * Default rate: torch's 2e-3 (kept); Keras's is 1e-3.

    Parameters:
        lr: :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon > 0` (0 is rejected: a zero gradient would compute 0/0).
        weight_decay: L2 penalty :math:`\lambda \ge 0`, added to the gradient.
        momentum_decay: :math:`\psi \ge 0`, how fast :math:`\mu_t` rises to
            :math:`\beta_1`.

    References:
        Dozat (2016), *Incorporating Nesterov Momentum into Adam*, ICLR Workshop.

    >>> import numpy as np
    >>> opt = NAdam(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [ 0.     -0.0006]
    """

    checks = {**AdamLike.checks, "momentum_decay": check.nonnegative}

    def __init__(
        self,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
    ) -> None:
        super().__init__(
            lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay
        )

    def init_state(self, x, h):
        return {"m": np.zeros_like(x), "v": np.zeros_like(x), "mu_product": np.ones_like(x)}

    def update(self, x, g, s, h, t):
        g = add_weight_decay(g, x, h.weight_decay)
        mu_t = _nadam_mu(t, h.beta1, h.momentum_decay)
        mu_next = _nadam_mu(t + 1, h.beta1, h.momentum_decay)
        s.mu_product = s.mu_product * mu_t
        s.m = h.beta1 * s.m + (1 - h.beta1) * g
        s.v = h.beta2 * s.v + (1 - h.beta2) * g * g
        m_hat = (mu_next * s.m / (1 - s.mu_product * mu_next)
                 + (1 - mu_t) * g / (1 - s.mu_product))
        v_hat = s.v / (1 - h.beta2**t)
        return x - h.lr * m_hat / (np.sqrt(v_hat) + h.eps)


class RAdam(AdamLike):
    r"""RAdam: Adam whose adaptive rate is scaled down while ``v`` is still unreliable.

    ``v`` averages few squared gradients early on, so :math:`1/\sqrt{\hat v_t}` varies a
    lot from run to run (the reason Adam is often given a warm-up). RAdam measures how
    many gradients ``v`` effectively holds (:math:`\rho_t`, rising from 1 to
    :math:`\rho_\infty`) and multiplies the adaptive step by a factor :math:`r_t < 1`
    that corrects its variance; while :math:`\rho_t` is too small for that correction to
    exist, it takes momentum steps without any adaptive scaling.

    Update rule (step :math:`t \ge 1`)::

        x      <- x * (1 - lr * lambda)      (decoupled_weight_decay=True, if lambda > 0)
        g      <- g + lambda * x             (decoupled_weight_decay=False, if lambda > 0)
        m       = beta1 * m + (1 - beta1) * g
        v       = beta2 * v + (1 - beta2) * g * g
        m_hat   = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t   = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t > 5:                                   (torch's threshold)
            r_t = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                       / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            l_t = sqrt(1 - beta2**t) / (sqrt(v) + eps)
            x  <- x - lr * m_hat * r_t * l_t
        else:
            x  <- x - lr * m_hat                        (momentum SGD, nothing adaptive)

    .. math::

        \rho_\infty = \frac{2}{1-\beta_2} - 1, \quad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t}, \quad
        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}},
        \quad
        x_t = \begin{cases}
            x_{t-1} - \eta\, r_t\, \hat m_t \dfrac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}+\epsilon}
                & \rho_t > 5 \\
            x_{t-1} - \eta\, \hat m_t & \text{otherwise}
        \end{cases}

    Symbols: :math:`\eta` = ``lr``, :math:`\beta_1, \beta_2` = ``betas``, :math:`\epsilon` =
    ``eps``, :math:`\lambda` = ``weight_decay``, :math:`\rho_\infty, \rho_t, r_t` =
    ``rho_inf, rho_t, r_t``, :math:`l_t` = ``l_t`` (the adaptive rate), :math:`m, v` =
    ``state["m"], state["v"]``, :math:`t` = ``opt.t``.

    Conventions:
        * Threshold: torch rectifies when :math:`\rho_t > 5`. The paper's Algorithm 2
          says :math:`\rho_t > 4` (where :math:`r_t` is defined); the authors' code and
          optax use :math:`\rho_t \ge 5`, "more conservative". With
          :math:`\beta_2 = 0.999`, :math:`\rho_5 \approx 4.996`: torch and the authors'
          code switch at step 6, the paper's rule at step 5. With
          :math:`\beta_2 \le 2/3` (:math:`\rho_\infty \le 5`) RAdam never switches.
        * Below the threshold the step is :math:`\eta\,\hat m_t`: momentum SGD on the
          bias-corrected ``m`` (torch, the paper, optax), in gradient units, so the
          switch is abrupt: with :math:`\beta_2 = 0.999`, :math:`r_6 \approx 0.026`. ``v``
          is accumulated all along. The authors' code, by default
          (``degenerated_to_sgd=False``), does not move the weights at all then.
        * eps is added to :math:`\sqrt{v_t}` *before* bias correction (torch and the
          authors' code): :math:`l_t = \sqrt{1-\beta_2^t}/(\sqrt{v_t}+\epsilon)`, i.e.
          Adam's form with eps enlarged to :math:`\epsilon/\sqrt{1-\beta_2^t}` early on.
          optax adds eps to :math:`\sqrt{\hat v_t}`, as Adam does.
        * ``weight_decay``: an L2 penalty added to the gradient, or with
          ``decoupled_weight_decay=True`` a shrinking of the weights by
          :math:`1 - \eta\lambda` before the step (as :class:`~alr_teach.AdamW`), in both
          regimes.

    Parameters:
        lr: :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon > 0` (0 is rejected: a zero gradient would compute 0/0).
        weight_decay: :math:`\lambda \ge 0`.
        decoupled_weight_decay: shrink the weights (AdamW style) instead of adding
            :math:`\lambda x` to the gradient.

    References:
        Liu, Jiang, He, Chen, Liu, Gao & Han (2020), *On the Variance of the Adaptive
        Learning Rate and Beyond*, ICLR.

    >>> import numpy as np
    >>> opt = RAdam(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [-0.0133 -0.1923]
    """

    flag_names = ("decoupled_weight_decay",)

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
    ) -> None:
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         decoupled_weight_decay=decoupled_weight_decay)

    def init_state(self, x, h):
        return {"m": np.zeros_like(x), "v": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        x, g = apply_weight_decay(x, g, h.lr, h.weight_decay, self.decoupled_weight_decay)
        s.m = h.beta1 * s.m + (1 - h.beta1) * g
        s.v = h.beta2 * s.v + (1 - h.beta2) * g * g
        m_hat = s.m / (1 - h.beta1**t)
        rho_inf = 2 / (1 - h.beta2) - 1
        rho_t = rho_inf - 2 * t * h.beta2**t / (1 - h.beta2**t)
        rectified = rho_t > 5
        if not np.any(rectified):
            return x - h.lr * m_hat
        # ** 0.5 rather than np.sqrt keeps a Python float one: float32 params stay float32
        r_t = ((rho_t - 4) * (rho_t - 2) * rho_inf
               / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        l_t = (1 - h.beta2**t) ** 0.5 / (np.sqrt(s.v) + h.eps)
        scale = r_t * l_t
        if not np.all(rectified):  # a sweep over beta2: some rows still take momentum steps
            scale = np.where(rectified, scale, 1.0)
        return x - h.lr * m_hat * scale


class UncorrectedAdam(AdamLike):
    r"""Adam *without* bias correction: a teaching device, not an optimizer to use.

    Update rule (step :math:`t \ge 1`)::

        m  = beta1 * m + (1 - beta1) * g
        v  = beta2 * v + (1 - beta2) * g * g
        x <- x - lr * m / (sqrt(v) + eps)          (no division by 1 - beta**t)

    Both moments start at 0, so early on they are too small by the factors
    :math:`1-\beta_1^t` and :math:`1-\beta_2^t`. The first step is
    :math:`\eta (1-\beta_1)/\sqrt{1-\beta_2}` per coordinate (for :math:`|g| \gg \epsilon`)
    instead of Adam's :math:`\eta`: about 3.16 times too large with the defaults, 10 times
    with :math:`\beta_2 = 0.9999`, and 0.316 times (too small) with
    :math:`\beta_1 = 0.99, \beta_2 = 0.999`. The parameters are Adam's (``weight_decay``
    is L2, added to the gradient), without AMSGrad. State: ``m`` and ``v``, as
    :class:`~alr_teach.Adam`.
    """

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def init_state(self, x, h):
        return {"m": np.zeros_like(x), "v": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        g = add_weight_decay(g, x, h.weight_decay)
        s.m = h.beta1 * s.m + (1 - h.beta1) * g
        s.v = h.beta2 * s.v + (1 - h.beta2) * g * g
        return x - h.lr * s.m / (np.sqrt(s.v) + h.eps)
