"""Lookahead, a wrapper around any optimizer, and Ranger (Lookahead around RAdam).

The wrapped ("fast") optimizer takes its steps as usual; every ``k`` of them, a second,
slow copy of the weights moves a fraction ``alpha`` of the way towards where the fast
weights got to, and the fast weights start again from there.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from alr_teach import _validation as check
from alr_teach._validation import Hyper
from alr_teach.optimizers._params import Params, flatten, unflatten
from alr_teach.optimizers.adam_variants import RAdam
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.wrapper import Wrapper

__all__ = ["Lookahead", "Ranger", "SlowWeights"]


class SlowWeights(Optimizer):
    r"""Lookahead's own part: the slow weights, which step towards the fast ones.

    ``step(phi, theta)`` returns :math:`\phi + \alpha\,(\theta - \phi)` (``theta``
    takes the place of the gradient); :class:`Lookahead` calls it after every ``k``-th
    step of the optimizer it wraps. Being an optimizer, it checks ``k`` and ``alpha`` and
    shapes an array ``alpha`` (a sweep) like any hyperparameter.

    >>> import numpy as np
    >>> SlowWeights(k=5, alpha=0.5).step(np.array([0.0]), np.array([1.0]))
    array([0.5])
    """

    checks = {"k": functools.partial(check.whole, low=1), "alpha": check.fraction}

    def __init__(self, k: int = 5, alpha: float = 0.5) -> None:
        super().__init__(k=k, alpha=alpha)

    def init_state(self, x, h):
        return {}

    def update(self, x, g, s, h, t):
        return x + h.alpha * (g - x)  # phi <- phi + alpha * (theta - phi)


class Lookahead(Wrapper):
    r"""Lookahead: k steps forward with any optimizer, then part of the way back.

    Update rule (``t`` counts the wrapped optimizer's steps; ``theta`` are the fast
    weights that ``step`` returns, ``phi`` the slow ones)::

        phi      = params of the first step            (the slow weights start there)
        theta   <- optimizer.step(theta, g)            (every step)
        if t % k == 0:                                 (after every k-th step)
            phi   <- phi + alpha * (theta - phi)       (slow weights move towards theta)
            theta <- phi                               (fast weights restart from them)

    .. math::

        \phi_{j} = \phi_{j-1} + \alpha\,(\theta_{jk} - \phi_{j-1}), \qquad
        \theta_{jk} \leftarrow \phi_j \qquad (j = 1, 2, \dots)

    The slow weights average out the fast optimizer's zig-zag across a valley: each sync
    keeps a fraction :math:`\alpha` of the progress of the last ``k`` steps.

    Symbols: :math:`k` = ``k``, :math:`\alpha` = ``alpha``, :math:`\theta` = what ``step``
    returns, :math:`\phi` = ``state["slow_weights"]``. ``opt.state`` is the wrapped
    optimizer's state plus ``"slow_weights"`` (shaped like ``params``); ``opt.t`` is the
    wrapped optimizer's step count.

    **Contract.** A :class:`~alr_teach.optimizers.wrapper.Wrapper`: ``step(params,
    grads)``, ``state``, ``t`` and ``reset()`` work as for every optimizer; ``reset()``
    also resets the wrapped one. ``opt.hyperparameters`` holds ``k``, ``alpha`` (kept by
    :class:`SlowWeights`, ``opt.own``) and the wrapped optimizer's, and all of them can be
    read and changed here (``opt.lr = 0.01``, ``opt.set(alpha=0.8)``; each checked by its
    owner), so :class:`~alr_teach.optimizers.schedules.Scheduled`, the runner and
    ``MLPClassifier`` take a Lookahead like any optimizer, and Lookahead takes any of
    them (``Lookahead(Scheduled(SGD(lr=0.1), lr=...))``). Pass a fresh optimizer and do
    not step it yourself. ``alpha`` may be an array (a sweep), ``k`` is one whole number.

    Conventions:
        * The gradient is always taken at the fast weights, and ``step`` returns the fast
          weights: right after a sync they equal the slow ones, in between they are
          ahead of them. The paper reports results for the slow weights: evaluate a
          model at ``opt.state["slow_weights"]``.
        * The wrapped optimizer's state (momentum, ``m``, ``v``) carries on across a sync
          untouched: the paper's default, optax's ``reset_state=False``,
          pytorch-optimizer's ``pullback_momentum="none"``.
        * optax's ``lookahead(opt, sync_period=k, slow_step_size=alpha)`` started from
          ``LookaheadParams.init_synced(params)`` gives the same numbers (verified to 1e-7
          per step in float64, with Adam and SGD inside): its ``fast`` are the weights
          ``step`` returns, its ``slow`` are ``state["slow_weights"]``; it too syncs
          after steps k, 2k, ... Started unsynced, optax's slow weights begin elsewhere.
        * pytorch-optimizer's ``Lookahead`` (4.1.0) copies the slow weights when it is
          built and syncs with ``lerp`` after every k-th step: the same numbers
          (verified).
        * ``alpha = 1`` is the wrapped optimizer alone; ``alpha = 0`` sends the weights
          back to where they started every k steps.

    Parameters:
        optimizer: any ``alr_teach`` optimizer that has not taken a step yet.
        k: steps between syncs, a whole number >= 1.
        alpha: :math:`\alpha \in [0, 1]`, the slow weights' step towards the fast ones.

    References:
        Zhang, Lucas, Hinton & Ba (2019), *Lookahead Optimizer: k steps forward, 1 step
        back*, NeurIPS.

    >>> import numpy as np
    >>> from alr_teach import SGD
    >>> opt = Lookahead(SGD(lr=0.1), k=2, alpha=0.5)
    >>> x = np.array([0.0])
    >>> for _ in range(4):
    ...     x = opt.step(x, np.array([-1.0]))   # constant gradient: SGD moves +0.1 a step
    ...     print(opt.t, x, opt.state["slow_weights"])
    1 [0.1] [0.]
    2 [0.1] [0.1]
    3 [0.2] [0.1]
    4 [0.2] [0.2]
    """

    def __init__(self, optimizer: Optimizer, k: int = 5, alpha: float = 0.5) -> None:
        if isinstance(optimizer, Optimizer) and optimizer.t != 0:  # (its syncs count its steps)
            raise check._fail("optimizer", optimizer, f"has already stepped, t = {optimizer.t}: "
                              "wrap a fresh one, or call its reset() first")
        super().__init__(optimizer, own=SlowWeights(k=k, alpha=alpha))
        self._slow: Params | None = None  # phi: set by the first step

    @property
    def state(self) -> dict[str, Params]:
        """The wrapped optimizer's state and ``"slow_weights"`` (copies; {} before step 1)."""
        state = self.optimizer.state
        if self._slow is not None:
            state["slow_weights"] = _copy(self._slow)
        return state

    def reset(self) -> None:
        """Reset the wrapped optimizer and forget the slow weights."""
        super().reset()
        self._slow = None

    def step(self, params: Params, grads: Params) -> Params:
        """One step of the wrapped optimizer, then a sync if it was the k-th since the last."""
        self.own.hyperparameters_for(params)  # a misfit alpha fails here, before any change
        slow = _copy(params) if self._slow is None else self._slow
        fast = self.optimizer.step(params, grads)  # checks params and grads
        if self.t % self.k == 0:
            slow = self.own.step(slow, fast)  # phi <- phi + alpha * (theta - phi)
            fast = _copy(slow)
        self._slow = slow
        return fast


class Ranger(Lookahead):
    r"""Ranger: :class:`Lookahead` around :class:`~alr_teach.RAdam` with decoupled weight decay.

    ``Ranger(lr, betas, eps, weight_decay, k, alpha)`` is exactly
    ``Lookahead(RAdam(lr, betas, eps, weight_decay, decoupled_weight_decay=True), k, alpha)``:
    RAdam's rectified steps (momentum steps while :math:`\rho_t \le 5`, the first 5 with
    :math:`\beta_2 = 0.999`), and every ``k`` steps the Lookahead sync. The defaults are
    those of Ranger's authors and of pytorch-optimizer: :math:`\beta_1 = 0.95`, eps 1e-5,
    ``k = 6``.

    Symbols and state: RAdam's (``state["m"]``, ``state["v"]``) and Lookahead's
    (``state["slow_weights"]``); ``opt.optimizer`` is the RAdam inside.

    Conventions:
        * RAdam follows torch 2.13 (see :class:`~alr_teach.RAdam`): threshold
          :math:`\rho_t > 5`, eps added to :math:`\sqrt{v_t}` before bias correction, the
          decay ``x *= 1 - lr * weight_decay`` in both regimes.
        * pytorch-optimizer's ``Ranger`` (4.1.0) differs by default in two ways. It
          centralises the gradient of every array with more than one axis
          (``use_gc=True``: each row's gradient minus its mean). And before the threshold
          (``degenerated_to_sgd=False``) its step is :math:`+\eta \hat m_t`, up the
          gradient, where torch's RAdam steps by :math:`-\eta \hat m_t`. With
          ``use_gc=False, degenerated_to_sgd=True`` it gives the same numbers as this class
          (verified to 1e-7 per step in float64).

    Parameters:
        lr: :math:`\eta \ge 0`.
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon > 0`.
        weight_decay: :math:`\lambda \ge 0`, decoupled (AdamW style).
        k: steps between Lookahead syncs, a whole number >= 1.
        alpha: :math:`\alpha \in [0, 1]`, the slow weights' step.

    References:
        Wright (2019), *Ranger* (the combination, in a blog post and code); Liu et al.
        (2020), RAdam, ICLR; Zhang et al. (2019), Lookahead, NeurIPS.

    >>> import numpy as np
    >>> opt = Ranger(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> for _ in range(300):
    ...     x = opt.step(x, x)          # gradient of the quadratic ||x||^2 / 2
    >>> print(np.round(x, 4))
    [0.0003 0.0027]
    """

    def __init__(
        self,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.95, 0.999),
        eps: float = 1e-5,
        weight_decay: float = 0.0,
        k: int = 6,
        alpha: float = 0.5,
    ) -> None:
        radam = RAdam(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                      decoupled_weight_decay=True)
        super().__init__(radam, k=k, alpha=alpha)

    @property
    def betas(self) -> tuple[Hyper, Hyper]:
        """RAdam's ``(beta1, beta2)``; assigning a new pair is checked there."""
        return self.optimizer.betas

    @betas.setter
    def betas(self, value: tuple[float, float]) -> None:
        self.optimizer.betas = value

    @property
    def flags(self) -> Mapping[str, bool]:
        """None: the decay is decoupled in every Ranger (RAdam's flag is not Ranger's to change)."""
        return MappingProxyType({})

    __repr__ = Optimizer.__repr__  # Ranger(lr=..., beta1=..., ..., k=6, alpha=0.5)


def _copy(params: Params) -> Params:
    """Fresh float arrays with the values and structure of ``params``."""
    xs, structure = flatten(params, "params")
    return unflatten([x.copy() for x in xs], structure)
