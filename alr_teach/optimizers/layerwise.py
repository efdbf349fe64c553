"""LAMB and NovoGrad: one step size per parameter *array*, set by norms of the whole array.

Adam scales every coordinate on its own. These two methods also look at each parameter
array (a layer's weights, say) as a whole: LAMB rescales Adam's step so that it is a
fixed fraction of the array's norm (the *trust ratio*); NovoGrad keeps a single second
moment per array, the running average of the gradient's squared norm.

**Norms and batches of runs.** "The norm of an array" means the norm over one run's
axes. When the optimizer is told of a batch of runs (``opt.batch_ndim = 1`` for params
of shape ``(B, ...)``; :func:`~alr_teach.lab.runner.run` and the sweeps do it), the
leading ``batch_ndim`` axes index independent runs and a norm must not mix them. So the
norms here reduce over every axis *after* the batch axes, keeping those axes
(``keepdims``), and a batch gives exactly what a loop of single runs gives.
:func:`sum_of_squares` and :func:`norm` apply this rule.
"""

from __future__ import annotations

import numpy as np

from alr_teach._validation import Hyper
from alr_teach.optimizers.adam import AdamLike
from alr_teach.optimizers.base import add_weight_decay, parameter_axes, per_run_shape

__all__ = ["LAMB", "NovoGrad", "norm", "sum_of_squares", "trust_ratio"]


# -- norms per run ---------------------------------------------------------------------
def sum_of_squares(a: np.ndarray, batch_ndim: int) -> np.ndarray:
    """:math:`\\|a\\|^2` per run: summed over the axes after the ``batch_ndim`` batch axes,
    which are kept as 1s.

    >>> params = np.array([[3.0, 4.0], [1.0, 0.0]])
    >>> sum_of_squares(params, batch_ndim=1)          # two runs (rows) of a 2-D problem
    array([[25.],
           [ 1.]])
    >>> sum_of_squares(params, batch_ndim=0)          # one run: the whole array
    array([[26.]])
    """
    return np.sum(a * a, axis=parameter_axes(a, batch_ndim), keepdims=True)


def norm(a: np.ndarray, batch_ndim: int) -> np.ndarray:
    """:math:`\\|a\\|` per run (the 2-norm over the axes after the batch axes, kept as 1s)."""
    return np.sqrt(sum_of_squares(a, batch_ndim))


def trust_ratio(x_norm: Hyper, u_norm: Hyper) -> Hyper:
    """LAMB's :math:`\\|x\\| / \\|u\\|`, or 1 where either norm is 0.

    A zero norm means an array with nothing to measure the step against (all-zero
    weights, e.g. a fresh bias) or no step at all (an all-zero direction): the ratio is
    then 1, so the array takes Adam's step as it is rather than none or an infinite one.
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 and x/0 are replaced by 1
        ratio = np.divide(x_norm, u_norm)
    return np.where((x_norm == 0) | (u_norm == 0), 1.0, ratio)


# -- LAMB -------------------------------------------------------------------------------
class LAMB(AdamLike):
    r"""LAMB: Adam's step, rescaled per parameter array to a fixed fraction of its norm.

    Update rule (step :math:`t \ge 1`, for each parameter array ``x``)::

        m       = beta1 * m + (1 - beta1) * g          (Adam's moments)
        v       = beta2 * v + (1 - beta2) * g * g
        m_hat   = m / (1 - beta1**t)                   (both bias-corrected)
        v_hat   = v / (1 - beta2**t)
        r       = m_hat / (sqrt(v_hat) + eps)          (Adam's step direction)
        u       = r + lambda * x                       (weight decay, inside the ratio)
        ratio   = ||x|| / ||u||                        (1 if either norm is 0)
        x      <- x - lr * ratio * u

    .. math::

        r_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, \quad
        u_t = r_t + \lambda x_{t-1}, \quad
        x_t = x_{t-1} - \eta\, \frac{\lVert x_{t-1} \rVert}{\lVert u_t \rVert}\, u_t

    Every array moves by :math:`\eta \lVert x \rVert` per step, whatever the scale of its
    gradients: the learning rate is a *relative* step size, the same for every layer.

    Symbols: :math:`\eta` = ``lr``, :math:`\beta_1, \beta_2` = ``betas``, :math:`\epsilon` =
    ``eps``, :math:`\lambda` = ``weight_decay``, :math:`m, v` = ``state["m"], state["v"]``,
    :math:`t` = ``opt.t``. Norms are per array (per run in a batch of runs:
    see :mod:`alr_teach.optimizers.layerwise`).

    Conventions:
        * This is Algorithm 2 of the paper (ICLR version): both moments bias-corrected,
          :math:`\phi` the identity. It is optax's ``lamb`` (verified to 1e-7 per step in
          float64, tests/optimizers/test_layerwise.py). With ``weight_decay=0`` the ratio
          cancels any factor common to all of ``u``, so the two bias corrections then act
          only through eps; with decay they set the balance between ``r`` and :math:`\lambda x`.
        * pytorch-optimizer's ``Lamb`` (4.1.0, checked against a numpy transcription) differs
          in four ways: ``v`` is not bias-corrected and ``m``'s correction divides the *step*
          (``lr / (1 - beta1**t)``), after the ratio, so early steps are larger; the weight
          norm is clipped at 10 (``clamp``); eps is added to :math:`\lVert u \rVert`; and weight
          decay is decoupled by default (``x *= 1 - lr * weight_decay`` outside the ratio).
        * ``weight_decay`` is added to Adam's direction *before* the trust ratio, so the decay
          is rescaled with it (the paper, optax); it is neither an L2 gradient term (Adam)
          nor AdamW's ``x *= 1 - lr * weight_decay``.
        * The ratio is 1 when :math:`\lVert x \rVert = 0` (e.g. a bias initialised at 0: it
          then takes plain Adam steps) or :math:`\lVert u \rVert = 0`.
        * A batch of independent runs (params ``(B, d)``) is B problems only when the
          optimizer is told so (``opt.batch_ndim = 1``; the runner does it): then each row
          has its own norms. Otherwise the array is one problem and the norm covers it all.

    Parameters:
        lr: :math:`\eta \ge 0`, the step as a fraction of :math:`\lVert x \rVert`.
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon > 0` (1e-6, as optax's default).
        weight_decay: :math:`\lambda \ge 0`, added to the direction before the ratio.

    References:
        You et al. (2020), *Large Batch Optimization for Deep Learning: Training BERT in
        76 Minutes*, ICLR.

    >>> import numpy as np
    >>> opt = LAMB(lr=0.1)
    >>> x = np.array([3.0, -4.0])                   # ||x|| = 5
    >>> x_new = opt.step(x, x)                      # gradient of the quadratic ||x||^2 / 2
    >>> print(round(float(np.linalg.norm(x_new - x)), 6))   # the step is lr * ||x||
    0.5
    >>> for _ in range(99):
    ...     x_new = opt.step(x_new, x_new)
    >>> print(np.round(x_new, 4))
    [-0.0009 -0.0065]
    """

    mixes_elements = True  # norms of each run

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def init_state(self, x, h):
        return {"m": np.zeros_like(x), "v": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        s.m = h.beta1 * s.m + (1 - h.beta1) * g
        s.v = h.beta2 * s.v + (1 - h.beta2) * g * g
        m_hat = s.m / (1 - h.beta1**t)
        v_hat = s.v / (1 - h.beta2**t)
        r = m_hat / (np.sqrt(v_hat) + h.eps)
        u = add_weight_decay(r, x, h.weight_decay)  # r + lambda * x
        ratio = trust_ratio(norm(x, self.batch_ndim), norm(u, self.batch_ndim))
        return x - h.lr * ratio * u


# -- NovoGrad ---------------------------------------------------------------------------
class NovoGrad(AdamLike):
    r"""NovoGrad: momentum on gradients normalised by one second moment per parameter array.

    Update rule (step :math:`t \ge 1`, for each parameter array ``x``)::

        v_1     = ||g_1||^2                            (first step: no averaging)
        v       = beta2 * v + (1 - beta2) * ||g||^2    (one number per array)
        g_hat   = g / (sqrt(v) + eps) + lambda * x     (normalised gradient, plus decay)
        m_1     = g_hat
        m       = beta1 * m + g_hat                    (momentum without (1 - beta1))
        x      <- x - lr * m

    .. math::

        v_t = \beta_2 v_{t-1} + (1-\beta_2) \lVert g_t \rVert^2, \quad
        \hat g_t = \frac{g_t}{\sqrt{v_t} + \epsilon} + \lambda x_{t-1}, \quad
        m_t = \beta_1 m_{t-1} + \hat g_t, \quad x_t = x_{t-1} - \eta\, m_t

    Like Adam it divides by a root mean square of past gradients, but of the whole
    array's gradient norm: the direction *within* an array is the gradient's own, and
    the second moment costs one number per array instead of one per weight.

    Symbols: :math:`\eta` = ``lr``, :math:`\beta_1, \beta_2` = ``betas``, :math:`\epsilon` =
    ``eps``, :math:`\lambda` = ``weight_decay``, :math:`m` = ``state["m"]`` (shaped like
    ``x``), :math:`v` = ``state["v"]``: one value per array, with ``x``'s number of axes
    and length 1 along the parameter axes (``(1, 1)`` for a matrix; ``(B, 1)`` for
    params ``(B, d)`` with ``batch_ndim = 1``, B runs), so it broadcasts against ``x``.

    Conventions:
        * The paper's form: the first step *starts* both averages (:math:`v_1 =
          \lVert g_1\rVert^2`, :math:`m_1 = \hat g_1`) instead of averaging with zeros,
          so there is no bias correction; ``m`` sums without the :math:`(1-\beta_1)` factor,
          so with steady gradients it grows to :math:`1/(1-\beta_1)` times one step.
        * optax's ``novograd`` is the same rule (verified to 1e-7 per step in float64) but
          with other defaults: ``b1=0.9, b2=0.25, eps=1e-6``; pass the betas and eps
          explicitly to compare. pytorch-optimizer's ``NovoGrad`` (4.1.0) has these
          defaults (0.95, 0.98, 1e-8) and, with its defaults (``grad_averaging=False``,
          coupled decay), gives the same numbers (verified); its ``grad_averaging=True``
          adds the :math:`(1-\beta_1)` factor from step 2 on.
        * eps is added to :math:`\sqrt{v}`, outside the root, as in Adam.
        * ``weight_decay`` is added to the *normalised* gradient, so it is not rescaled by
          :math:`\sqrt{v}`: its effect does not depend on the gradients' scale.
        * A batch of independent runs is one problem unless the optimizer is told of it
          with ``batch_ndim`` (see :class:`LAMB`).

    Parameters:
        lr: :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon > 0`.
        weight_decay: :math:`\lambda \ge 0`, added to the normalised gradient.

    References:
        Ginsburg et al. (2019), *Stochastic Gradient Methods with Layer-wise Adaptive
        Moments for Training of Deep Networks*, arXiv:1905.11286.

    >>> import numpy as np
    >>> opt = NovoGrad(lr=0.01)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(100):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))                       # still parallel to the start
    [ 0.0268 -0.0536]
    """

    mixes_elements = True  # the squared norm of each run's gradient

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.95, 0.98),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def init_state(self, x, h):
        return {"m": np.zeros_like(x), "v": np.zeros(per_run_shape(x, self.batch_ndim), x.dtype)}

    def update(self, x, g, s, h, t):
        g_sq = sum_of_squares(g, self.batch_ndim)
        s.v = g_sq if t == 1 else h.beta2 * s.v + (1 - h.beta2) * g_sq
        g_hat = add_weight_decay(g / (np.sqrt(s.v) + h.eps), x, h.weight_decay)
        s.m = g_hat if t == 1 else h.beta1 * s.m + g_hat
        return x - h.lr * s.m
