"""Hypergradient descent: the learning rate learns itself, one gradient step per step.

After a step :math:`x_{t-1} = x_{t-2} + \\eta\\, u_{t-1}` (``u`` the step direction of the
base method, :math:`-g` for plain SGD), the loss at the new point depends on the rate
that took it, and its derivative is a dot product of two vectors already at hand::

    h_t = d f(x_{t-1}) / d eta = g_t . u_{t-1}          (the hypergradient)
    eta_t = eta_{t-1} - beta * h_t                      (gradient descent on the rate)

:class:`SGDHD` and :class:`AdamHD` put this in front of :class:`~alr_teach.SGD` and
:class:`~alr_teach.Adam` (Baydin et al., 2018). The explorer of
:mod:`alr_teach.viz.explorers.hypergradient` shows the rate and the loss of a run against
a constant rate, with sliders for :math:`\\beta` and :math:`\\eta_0`.

**One rate per run.** The dot product runs over *every* parameter array (all the
layers of a network share one rate, as in the paper), but not across the batch axes: with
``opt.batch_ndim = k`` the leading ``k`` axes of every array index independent runs, each
with its own rate (:func:`alr_teach.optimizers.base.parameter_axes` says which axes one
run owns).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers._params import Params, flatten
from alr_teach.optimizers.adam import Adam
from alr_teach.optimizers.base import Optimizer, add_weight_decay, parameter_axes, per_run_shape
from alr_teach.optimizers.sgd import SGD

__all__ = ["SGDHD", "AdamHD"]


class _Hypergradient(Optimizer):
    """The hypergradient step around a base rule whose step is ``x - lr * r``.

    ``r`` (the base's direction, sign flipped) must not depend on ``lr`` or on ``x`` once
    the L2 term is folded into the gradient: true of SGD (with momentum) and Adam, whose
    states never see the rate. The base's ``update`` runs from the origin at the current
    rate, which returns its step :math:`-\\eta_t r_t` exactly as the base computes it (so
    :math:`\\beta = 0` gives the base method to the last bit), and the direction is that
    step over the rate, :math:`u_t = \\partial x_t / \\partial \\eta_t = -r_t`. Where
    :math:`\\eta_t = 0` the step is 0 and says nothing: ``update`` runs once more at rate 1.
    """

    # one rate for all elements of a run: the hypergradient sums over every array
    mixes_elements = True

    def _add_beta(self, beta: float) -> None:
        """Register the hyper-learning rate after the base class has set up the others."""
        self._assign({"beta": beta})

    def step(self, params: Params, grads: Params) -> Params:
        """One step: the hypergradient over all arrays first, then each array's update."""
        self._pending_hypergradient = self._hypergradient(params, grads)
        return super().step(params, grads)

    def _hypergradient(self, params: Params, grads: Params) -> np.ndarray | None:
        """:math:`h_t = \\sum_{\\text{arrays}} g_t \\cdot u_{t-1}` per problem (shape: the
        sweep axes); None on the first step (:math:`u_0 = 0`) or when params do not match
        the earlier steps (``step`` then raises its own error)."""
        committed = self.committed_state()  # u_{t-1}, as the last step left it
        if not committed:
            return None
        xs, structure = flatten(params, "params")
        gs, grad_structure = flatten(grads, "grads")
        if grad_structure != structure or [x.shape for x in xs] != [
            state["direction"].shape for state in committed
        ]:
            return None
        hs = self.hyperparameters_for(params)
        total: np.ndarray | float = 0.0
        with np.errstate(all="ignore"):  # divergence is shown by the runner, not raised
            for x, g, h, state in zip(xs, gs, hs, committed):
                g = add_weight_decay(g, x, h.weight_decay)  # the loss includes the L2 term
                axes = parameter_axes(x, self.batch_ndim)
                if len(axes) == x.ndim:  # one problem: a plain dot product (faster)
                    total = total + np.vdot(g, state["direction"])
                else:
                    total = total + np.sum(g * state["direction"], axis=axes)
        return np.asarray(total)

    def init_state(self, x, h):
        per_problem = per_run_shape(x, self.batch_ndim)
        return {
            **super().init_state(x, h),
            "lr_t": np.zeros(per_problem) + h.lr,
            "hypergradient": np.zeros(per_problem),
            "direction": np.zeros_like(x),
        }

    def update(self, x, g, s, h, t):
        per_problem = per_run_shape(x, self.batch_ndim)
        pending = self._pending_hypergradient
        s.hypergradient = (np.zeros(per_problem) if pending is None
                           else np.reshape(pending, per_problem))
        s.lr_t = s.lr_t - h.beta * s.hypergradient               # eta_t = eta_{t-1} - beta h_t
        # one problem: the rate as a float, which numpy broadcasts faster (the same numbers)
        lr_t = float(s.lr_t.reshape(-1)[0]) if s.lr_t.size == 1 else s.lr_t
        g = add_weight_decay(g, x, h.weight_decay)               # as the base would add it
        stopped = np.equal(lr_t, 0.0)
        before = SimpleNamespace(**vars(s)) if np.any(stopped) else None  # base state of t-1
        # the base's step at eta_t, taken from the origin: exactly -eta_t * r_t
        step = super().update(np.zeros_like(x), g, s, _with(h, lr=lr_t, weight_decay=0.0), t)
        s.direction = step / lr_t                                # u_t = dx_t / d eta_t
        if before is not None:  # at eta_t = 0 the step is 0: take u_t at rate 1 instead
            unit = super().update(np.zeros_like(x), g, before,
                                  _with(h, lr=1.0, weight_decay=0.0), t)
            s.direction = np.where(stopped, unit, s.direction)
        return x + step

    @property
    def current_lr(self) -> float | np.ndarray:
        """:math:`\\eta_t` after the last step (``lr`` before the first): a float for one
        problem, an array shaped like the sweep axes for a sweep."""
        committed = self.committed_state()
        if not committed:
            return self.lr
        rate = committed[0]["lr_t"]
        return float(rate.reshape(-1)[0]) if rate.size == 1 else _drop_trailing_ones(rate)


class SGDHD(_Hypergradient, SGD):
    r"""SGD-HD: gradient descent whose learning rate follows its own gradient.

    Update rule (step :math:`t \ge 1`; :math:`u_0 = 0`, :math:`\eta_0` = ``lr``)::

        g      <- g + lambda * x                       (if weight_decay > 0)
        h_t     = sum over all arrays of g . u         (u: last step's direction)
        lr_t    = lr_t - beta * h_t                    (one rate for every array)
        d       = SGD's direction (g, or the velocity b_t, or Nesterov's g + mu * b_t)
        u       = -d
        x      <- x + lr_t * u

    .. math::

        h_t = g_t \cdot u_{t-1}, \qquad \eta_t = \eta_{t-1} - \beta\, h_t, \qquad
        x_t = x_{t-1} + \eta_t\, u_t, \quad u_t = -g_t \ \text{(no momentum)}

    Without momentum :math:`\eta_t = \eta_{t-1} + \beta\, g_t \cdot g_{t-1}`: the rate
    grows while successive gradients point the same way (steps too short) and shrinks
    when they turn against each other (a zig-zag: steps too long).

    Symbols: :math:`\eta_0` = ``lr``, :math:`\beta` = ``beta``, :math:`\eta_t` =
    ``state["lr_t"]`` (also ``opt.current_lr``), :math:`h_t` = ``state["hypergradient"]``,
    :math:`u_t` = ``state["direction"]``; :math:`\mu, \tau, \lambda` and
    ``state["velocity"]`` as in :class:`~alr_teach.SGD`.

    Conventions:
        * The paper's form (Algorithm 1; SGDN-HD with ``nesterov=True``): one global
          rate, updated *before* the step that uses it, and no clipping: a large
          :math:`\beta` can drive :math:`\eta_t` below 0, and the method then climbs.
        * The authors' PyTorch code (gbaydin/hypergradient-descent, read, not run) does
          the same with one parameter group: the dot product over all parameters, the
          direction with momentum, the L2 term inside the gradient.
        * ``lr`` is only :math:`\eta_0`: after step 1 the rate lives in the state, so
          setting ``lr`` later (a schedule) changes nothing.
        * State entries ``lr_t`` and ``hypergradient`` hold one number per problem, with
          ``x``'s number of axes and length 1 along the parameter axes.
        * A batch of independent runs (params ``(B, d)``) has one rate per run when the
          optimizer is told of it (``opt.batch_ndim = 1``; the runner does it), and is
          otherwise *one* problem with one rate.

    Parameters:
        lr: :math:`\eta_0 \ge 0`, the initial rate (required, as for SGD).
        beta: :math:`\beta \ge 0`, the hyper-learning rate; 0 gives plain SGD exactly.
            The default 1e-3 is the value of the authors' MNIST runs (their code's
            default is 1e-6). :math:`\beta h_t` must be a rate, so :math:`\beta` has the
            units of :math:`\eta / g^2`: a good value depends on the gradients' scale and
            on how many weights the dot product sums over.
        momentum, dampening, nesterov, weight_decay: as :class:`~alr_teach.SGD`.

    References:
        Baydin, Cornish, Martínez Rubio, Schmidt & Wood (2018), *Online Learning Rate
        Adaptation with Hypergradient Descent*, ICLR. Earlier: Almeida et al. (1998),
        *Parameter adaptation in stochastic optimization*.

    >>> import numpy as np
    >>> opt = SGDHD(lr=0.1, beta=0.01)
    >>> x = np.array([1.0])
    >>> for _ in range(3):
    ...     x = opt.step(x, 2 * x)          # f(x) = x^2: g = 2x
    ...     print(f"lr_t = {opt.current_lr:.4f}, x = {x[0]:.4f}")
    lr_t = 0.1000, x = 0.8000
    lr_t = 0.1320, x = 0.5888
    lr_t = 0.1508, x = 0.4112
    """

    checks = {**SGD.checks, "beta": check.nonnegative}

    def __init__(
        self,
        lr: float,
        beta: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                         weight_decay=weight_decay)
        self._add_beta(beta)


class AdamHD(_Hypergradient, Adam):
    r"""Adam-HD: Adam whose learning rate follows its own gradient.

    Update rule (step :math:`t \ge 1`; :math:`u_0 = 0`, :math:`\eta_0` = ``lr``)::

        g      <- g + lambda * x                       (if weight_decay > 0)
        h_t     = sum over all arrays of g . u         (u: last step's direction)
        lr_t    = lr_t - beta * h_t
        m, v, m_hat, v_hat as in Adam
        u       = -m_hat / (sqrt(v_hat) + eps)
        x      <- x + lr_t * u

    .. math::

        h_t = g_t \cdot u_{t-1}, \quad \eta_t = \eta_{t-1} - \beta\, h_t, \quad
        u_t = -\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, \quad x_t = x_{t-1} + \eta_t u_t

    Adam's direction has roughly unit size per coordinate, so :math:`h_t` is of the order
    of the sum of :math:`|g|` over all weights and :math:`\beta` must be far smaller than
    for SGD-HD.

    Symbols: :math:`\eta_0` = ``lr``, :math:`\beta` = ``beta``, :math:`\eta_t` =
    ``state["lr_t"]`` (also ``opt.current_lr``), :math:`h_t` = ``state["hypergradient"]``,
    :math:`u_t` = ``state["direction"]``; the rest as in :class:`~alr_teach.Adam`
    (``state["m"]``, ``state["v"]``; ``state["v_max"]`` with ``amsgrad``).

    Conventions:
        * The paper's Algorithm (one global rate, updated before the step, no clipping),
          on this package's Adam: eps is added to :math:`\sqrt{\hat v_t}` (torch today).
        * The authors' PyTorch ``AdamHD`` (read, not run) differs in two ways: eps is
          added to :math:`\sqrt{v_t}` before bias correction (torch's Adam of 2017), and
          the rate is raised parameter tensor by parameter tensor inside the loop, so a
          tensor is stepped with a rate that already includes the hypergradients of the
          tensors before it (and not of those after it). Here every array uses the same
          :math:`\eta_t`.
        * ``lr`` is only :math:`\eta_0`; see :class:`SGDHD` for the state's shapes and for
          batches of runs.
        * ``weight_decay`` is Adam's L2 term (no decoupled AdamW-HD: its step is not
          ``x - lr * r`` with ``r`` free of ``x``).

    Parameters:
        lr: :math:`\eta_0 \ge 0`.
        beta: :math:`\beta \ge 0`; 0 gives Adam exactly. The default 1e-7 is the value of
            the authors' MNIST runs (their code's default is 1e-8).
        betas, eps, weight_decay, amsgrad: as :class:`~alr_teach.Adam`.

    References:
        Baydin, Cornish, Martínez Rubio, Schmidt & Wood (2018), *Online Learning Rate
        Adaptation with Hypergradient Descent*, ICLR.

    >>> import numpy as np
    >>> for beta in (0.0, 1e-3):                  # beta = 0 is Adam at lr = 0.01
    ...     opt, x = AdamHD(lr=0.01, beta=beta), np.array([1.0, -2.0])
    ...     for _ in range(50):
    ...         x = opt.step(x, x)      # gradient of the quadratic ||x||^2 / 2
    ...     print(f"beta = {beta:g}: lr_t = {opt.current_lr:.4f}, loss = {x @ x / 2:.4f}")
    beta = 0: lr_t = 0.0100, loss = 1.2941
    beta = 0.001: lr_t = 0.0713, loss = 0.0046
    """

    checks = {**Adam.checks, "beta": check.nonnegative}

    def __init__(
        self,
        lr: float = 1e-3,
        beta: float = 1e-7,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)
        self._add_beta(beta)


# -- helpers ------------------------------------------------------------------------------
def _with(h: SimpleNamespace, **values: object) -> SimpleNamespace:
    """A copy of the hyperparameters ``h`` with some values replaced."""
    return SimpleNamespace(**{**vars(h), **values})


def _drop_trailing_ones(a: np.ndarray) -> np.ndarray:
    shape = list(a.shape)
    while shape and shape[-1] == 1:
        shape.pop()
    return a.reshape(shape)
