r"""Learning-rate schedules: the rate at step ``t`` as a pure function, and a wrapper that
makes any optimizer follow one.

**Schedules.** Each function returns the value at step ``t`` and nothing else: no
state, no optimizer. ``t`` counts from 0, so ``cosine(t, ...)`` is the rate used by the
optimizer's step ``t + 1`` (``opt.t == t`` just before it), which is torch's
``optimizer.param_groups[0]["lr"]`` after ``t`` calls of ``scheduler.step()``. Give a
whole array of steps to get the whole curve at once (for plots)::

    cosine(10, lr=0.1, T_max=100)                   # a float
    cosine(np.arange(100), lr=0.1, T_max=100)       # an array of 100 rates

=========================  ==========================================================
alr_teach                  torch.optim.lr_scheduler (on an optimizer with ``lr``)
=========================  ==========================================================
``constant``               no scheduler (or ``LambdaLR(opt, lambda t: 1.0)``)
``step_decay``             ``StepLR(opt, step_size, gamma)``
``exponential``            ``ExponentialLR(opt, gamma)``
``cosine``                 ``CosineAnnealingLR(opt, T_max, eta_min)``
``cosine_warm_restarts``   ``CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min)``
``linear_warmup``          ``LinearLR(opt, start_factor, total_iters=warmup_steps)``
``warmup_cosine``          ``SequentialLR(opt, [LinearLR(opt, start_factor,
                           total_iters=W), CosineAnnealingLR(opt, T_max=total_steps - W,
                           eta_min)], milestones=[W])`` with ``W = warmup_steps``
``one_cycle``              ``OneCycleLR(opt, max_lr, total_steps, ...)``: its ``lr``
``one_cycle_momentum``     the same ``OneCycleLR``: its ``momentum`` / ``betas[0]``
=========================  ==========================================================

Every row is checked step by step against torch 2.13 (tests/optimizers/test_schedules.py, with
reference values written by tools/make_schedule_fixtures.py); each function's
docstring says where torch differs.

**Following a schedule.** :class:`Scheduled` wraps any optimizer (its class is not
changed; the result is an optimizer too) and sets ``lr`` (and, optionally, momentum or
Adam's beta1) from the schedule before every step. A schedule is any function of ``t``;
fix the other arguments with :func:`functools.partial` (or write a lambda)::

    from functools import partial
    opt = Scheduled(SGD(lr=0.1), lr=partial(cosine, lr=0.1, T_max=100))
    opt = Scheduled(Adam(), lr=lambda t: 1e-3 * 0.5 ** (t // 30))

Bad arguments raise ``ValueError("Invalid <name>: <value> (<requirement>)")``, like the
optimizers; so does a step ``t`` outside the schedule (negative, or past a one-cycle).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.optimizers._params import Params
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.wrapper import Wrapper

__all__ = [
    "Schedule", "Scheduled", "Value", "constant", "cosine", "cosine_warm_restarts",
    "exponential", "linear_warmup", "one_cycle", "one_cycle_momentum", "step_decay",
    "warmup_cosine",
]

Value = float | np.ndarray
"""A schedule's value: a float for a single step ``t``, an array for an array of steps."""

Schedule = Callable[[int], object]
"""Anything that maps a step ``t`` (0, 1, 2, ...) to a value, e.g. ``partial(cosine, ...)``."""


# -- the schedules ----------------------------------------------------------------------
def constant(t: int | ArrayLike, lr: float) -> Value:
    """The same rate at every step: ``lr_t = lr``.

    The baseline every schedule is compared with (torch: no scheduler at all).

    >>> constant(7, lr=0.1)
    0.1
    """
    steps, single = _steps(t)
    lr = _rate("lr", lr)
    return _result(np.full(steps.shape, lr), single)


def step_decay(t: int | ArrayLike, lr: float, step_size: int, gamma: float = 0.1) -> Value:
    r"""Multiply the rate by ``gamma`` every ``step_size`` steps (torch ``StepLR``).

    Formula::

        lr_t = lr * gamma ** floor(t / step_size)

    .. math:: \eta_t = \eta\, \gamma^{\lfloor t / s \rfloor}

    torch: ``StepLR(opt, step_size, gamma)`` (it multiplies the current rate by gamma
    at each multiple of step_size; same values up to rounding).

    Parameters:
        lr: the rate before the first drop, >= 0.
        step_size: steps between drops, a whole number >= 1.
        gamma: the factor of each drop, in (0, 1].

    >>> [round(step_decay(t, lr=0.1, step_size=2, gamma=0.5), 4) for t in range(5)]
    [0.1, 0.1, 0.05, 0.05, 0.025]
    """
    steps, single = _steps(t)
    lr = _rate("lr", lr)
    step_size = check.whole("step_size", step_size, low=1)
    gamma = _real_in("gamma", gamma, 0.0, 1.0, low_open=True)
    return _result(lr * gamma ** (steps // step_size), single)


def exponential(t: int | ArrayLike, lr: float, gamma: float) -> Value:
    r"""Multiply the rate by ``gamma`` at every step (torch ``ExponentialLR``).

    Formula::

        lr_t = lr * gamma ** t

    .. math:: \eta_t = \eta\, \gamma^{t}

    torch: ``ExponentialLR(opt, gamma)`` (recursive, ``lr <- lr * gamma``; same values up
    to rounding).

    Parameters:
        lr: the starting rate, >= 0.
        gamma: the factor per step, in (0, 1] (a growing rate, as in a learning-rate
            range test, is ``lambda t: lr * growth ** t``).

    >>> round(exponential(10, lr=0.1, gamma=0.9), 6)
    0.034868
    """
    steps, single = _steps(t)
    lr = _rate("lr", lr)
    gamma = _real_in("gamma", gamma, 0.0, 1.0, low_open=True)
    return _result(lr * gamma**steps, single)


def cosine(t: int | ArrayLike, lr: float, T_max: int, eta_min: float = 0.0) -> Value:
    r"""Half a cosine wave from ``lr`` at t = 0 down to ``eta_min`` at t = T_max (SGDR
    without restarts; torch ``CosineAnnealingLR``).

    Formula::

        lr_t = eta_min + (lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
                 \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    Past ``T_max`` the formula keeps going: the rate climbs back to ``lr`` at
    ``2 T_max``, and so on (period ``2 T_max``). Run for ``T_max`` steps (t = 0 ...
    T_max - 1), or use :func:`cosine_warm_restarts` to jump back up instead.

    torch: ``CosineAnnealingLR(opt, T_max, eta_min)``. torch computes the rate
    *recursively*, multiplying the current rate (minus eta_min) by the ratio of
    consecutive ``1 + cos`` terms, with a special case at T_max + 1. That recursion equals
    this closed form at every step, beyond T_max too (checked over three periods), as
    long as nothing else changes the optimizer's rate; chained with another scheduler,
    or after a manual ``group["lr"] = ...``, torch continues from the changed value and
    the two part ways.

    Parameters:
        lr: the starting (largest) rate, >= 0.
        T_max: steps from lr down to eta_min, a whole number >= 1.
        eta_min: the lowest rate, in [0, lr].

    >>> [round(cosine(t, lr=1.0, T_max=4), 4) for t in range(6)]
    [1.0, 0.8536, 0.5, 0.1464, 0.0, 0.1464]
    """
    steps, single = _steps(t)
    lr = _rate("lr", lr)
    T_max = check.whole("T_max", T_max, low=1)
    eta_min = _eta_min(eta_min, lr)
    return _result(_cos_anneal(lr, eta_min, steps / T_max), single)


def cosine_warm_restarts(
    t: int | ArrayLike, lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0
) -> Value:
    r"""Cosine decay that restarts at ``lr`` after ``T_0`` steps, then after
    ``T_0 * T_mult`` more, ... (SGDR; torch ``CosineAnnealingWarmRestarts``).

    Restarts happen at t = 0, T_0, T_0 + T_0 T_mult, T_0 + T_0 T_mult + T_0 T_mult^2, ...
    With ``T_cur`` the steps since the last restart and ``T_i`` the length of the
    current cycle::

        lr_t = eta_min + (lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
                 \left(1 + \cos\frac{\pi T_{cur}}{T_i}\right)

    The rate is ``lr`` exactly at every restart and never quite reaches eta_min (the
    cycle restarts one step before it would).

    torch: ``CosineAnnealingWarmRestarts(opt, T_0, T_mult, eta_min)`` stepped once per
    step with ``scheduler.step()``. Differences: torch's ``eta_min + (lr - eta_min)``
    at a restart can miss ``lr`` by one unit in the last place, where this function
    returns ``lr`` exactly; and torch also accepts fractional epochs
    (``scheduler.step(epoch + i / iters)``), which this function, counting whole
    steps, does not.

    Parameters:
        lr: the rate at each restart, >= 0.
        T_0: length of the first cycle, a whole number >= 1.
        T_mult: each cycle is T_mult times longer than the one before, a whole
            number >= 1.
        eta_min: the floor the cosine heads for, in [0, lr].

    >>> [round(cosine_warm_restarts(t, lr=1.0, T_0=2, T_mult=2), 3) for t in range(7)]
    [1.0, 0.5, 1.0, 0.854, 0.5, 0.146, 1.0]
    """
    steps, single = _steps(t)
    lr = _rate("lr", lr)
    T_0 = check.whole("T_0", T_0, low=1)
    T_mult = check.whole("T_mult", T_mult, low=1)
    eta_min = _eta_min(eta_min, lr)
    T_cur, T_i = _cycle_position(steps, T_0, T_mult)
    return _result(_cos_anneal(lr, eta_min, T_cur / T_i), single)


def linear_warmup(
    t: int | ArrayLike, lr: float, warmup_steps: int, start_factor: float = 1 / 3
) -> Value:
    r"""Ramp the rate linearly from ``start_factor * lr`` up to ``lr`` over
    ``warmup_steps`` steps, then hold it (torch ``LinearLR``).

    Formula::

        lr_t = lr * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)

    .. math::

        \eta_t = \eta \left(f_0 + (1 - f_0) \frac{\min(t, W)}{W}\right)

    torch: ``LinearLR(opt, start_factor, end_factor=1.0, total_iters=warmup_steps)``
    (default start_factor 1/3, as here). torch requires ``start_factor > 0`` (its
    recursion divides by it); here 0 is allowed, so the first step does nothing. With
    ``total_iters=0`` torch holds ``start_factor * lr`` for ever; here
    ``warmup_steps=0`` means no warm-up (``lr`` from the first step).

    Parameters:
        lr: the rate after the warm-up, >= 0.
        warmup_steps: steps to reach lr, a whole number >= 0.
        start_factor: the fraction of lr used at t = 0, in [0, 1].

    >>> [round(linear_warmup(t, lr=0.1, warmup_steps=4, start_factor=0.2), 3) for t in range(6)]
    [0.02, 0.04, 0.06, 0.08, 0.1, 0.1]
    """
    steps, single = _steps(t)
    lr = _rate("lr", lr)
    warmup_steps = check.whole("warmup_steps", warmup_steps)
    start_factor = _real_in("start_factor", start_factor, 0.0, 1.0)
    factor = _linear_anneal(start_factor, 1.0, _progress(steps, warmup_steps))
    return _result(lr * factor, single)


def warmup_cosine(
    t: int | ArrayLike,
    lr: float,
    warmup_steps: int,
    total_steps: int,
    eta_min: float = 0.0,
    start_factor: float = 0.0,
) -> Value:
    r"""Linear warm-up to ``lr`` over ``warmup_steps`` steps, then a cosine down to
    ``eta_min`` at ``total_steps`` (the usual recipe for training transformers).

    Formula, with ``W = warmup_steps`` and ``T = total_steps``::

        lr_t = lr * (start_factor + (1 - start_factor) * t / W)                 if t < W
        lr_t = eta_min + (lr - eta_min) * (1 + cos(pi * (t - W) / (T - W))) / 2   if t >= W

    .. math::

        \eta_t = \begin{cases}
            \eta \left(f_0 + (1 - f_0)\, t / W\right) & t < W \\
            \eta_{\min} + \tfrac12 (\eta - \eta_{\min})
                \left(1 + \cos\frac{\pi (t - W)}{T - W}\right) & t \ge W
        \end{cases}

    So the rate is ``lr`` at t = W and ``eta_min`` at t = T; run for T steps (t = 0 ...
    T - 1). Past T the cosine climbs back up, as :func:`cosine` and torch do.

    torch: ``SequentialLR(opt, [LinearLR(opt, start_factor, total_iters=W),
    CosineAnnealingLR(opt, T_max=T - W, eta_min)], milestones=[W])``, which gives the same
    values at every step (checked) provided ``start_factor > 0``: torch's LinearLR
    rejects 0, the default here (warm-up from a rate of 0).

    Parameters:
        lr: the peak rate, reached at t = warmup_steps, >= 0.
        warmup_steps: length of the warm-up, a whole number >= 0 (0: a plain cosine).
        total_steps: the step at which the rate reaches eta_min, > warmup_steps.
        eta_min: the final rate, in [0, lr].
        start_factor: the fraction of lr used at t = 0, in [0, 1].

    >>> [round(warmup_cosine(t, lr=1.0, warmup_steps=2, total_steps=6), 3) for t in range(7)]
    [0.0, 0.5, 1.0, 0.854, 0.5, 0.146, 0.0]
    """
    steps, single = _steps(t)
    lr = _rate("lr", lr)
    warmup_steps = check.whole("warmup_steps", warmup_steps)
    total_steps = check.whole("total_steps", total_steps, low=warmup_steps + 1)
    eta_min = _eta_min(eta_min, lr)
    start_factor = _real_in("start_factor", start_factor, 0.0, 1.0)
    warm = lr * _linear_anneal(start_factor, 1.0, _progress(steps, warmup_steps))
    cool = _cos_anneal(lr, eta_min, (steps - warmup_steps) / (total_steps - warmup_steps))
    return _result(np.where(steps < warmup_steps, warm, cool), single)


def one_cycle(
    t: int | ArrayLike,
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal: str = "cos",
    three_phase: bool = False,
) -> Value:
    r"""The 1cycle policy: up from ``max_lr / div_factor`` to ``max_lr``, then down far
    below the start (Smith & Topin; torch ``OneCycleLR``).

    With ``initial = max_lr / div_factor`` and ``min_lr = initial / final_div_factor``,
    the cycle of ``total_steps`` steps (t = 0 ... total_steps - 1) has phases that each
    *anneal* (cosine or linear) from one value to the next::

        two phases (default):   initial -> max_lr    over t = 0 ... pct_start * total_steps - 1
                                max_lr  -> min_lr    over the rest, ending at total_steps - 1
        three_phase=True:       initial -> max_lr -> initial (symmetric), then -> min_lr

    Within a phase from ``a`` to ``b`` running from step ``s`` to step ``e``, with
    ``p = (t - s) / (e - s)``::

        anneal="cos":     lr_t = b + (a - b) * (1 + cos(pi * p)) / 2
        anneal="linear":  lr_t = a + (b - a) * p

    .. math::

        \eta_t = b + \tfrac12 (a - b)\left(1 + \cos \pi p\right)
        \quad\text{or}\quad \eta_t = a + (b - a)\, p, \qquad p = \frac{t - s}{e - s}

    The phase ends are torch's (``pct_start * total_steps - 1`` and so on, as floats),
    so the values match torch's at every step. Momentum cycles the other way: see
    :func:`one_cycle_momentum`.

    torch: ``OneCycleLR(opt, max_lr, total_steps, pct_start, anneal_strategy=anneal,
    div_factor=div_factor, final_div_factor=final_div_factor, three_phase=three_phase)``.
    Differences: torch also computes a value for ``t = total_steps`` (after the last
    step, unused; past the end of the last phase, so it overshoots: with
    ``anneal="linear"`` it is negative), and raises only beyond; here ``t`` must be
    < total_steps. torch accepts any ``div_factor``, ``final_div_factor`` and (as a
    float only) ``pct_start``, and raises ZeroDivisionError on construction when
    ``pct_start * total_steps == 1``; here the factors must be >= 1 (so the cycle stays
    within [min_lr, max_lr]) and that pct_start is rejected up front.

    Parameters:
        max_lr: the peak rate, >= 0.
        total_steps: steps in the cycle, a whole number >= 1.
        pct_start: fraction of the cycle spent rising, in [0, 1].
        div_factor: ``max_lr / div_factor`` is the starting rate, >= 1.
        final_div_factor: the final rate is the starting rate / final_div_factor, >= 1.
        anneal: ``"cos"`` or ``"linear"`` (torch's ``anneal_strategy``).
        three_phase: come back down to the starting rate before the final descent
            (the paper's form) instead of one long descent (fastai's, torch's default).

    >>> [round(one_cycle(t, max_lr=1.0, total_steps=5, pct_start=0.4), 5) for t in range(5)]
    [0.04, 1.0, 0.75, 0.25, 0.0]
    """
    steps, single = _steps(t)
    max_lr = _rate("max_lr", max_lr)
    div_factor = check.real("div_factor", div_factor, low=1.0)
    final_div_factor = check.real("final_div_factor", final_div_factor, low=1.0)
    initial = max_lr / div_factor
    min_lr = initial / final_div_factor
    if three_phase:
        values = [(initial, max_lr), (max_lr, initial), (initial, min_lr)]
    else:
        values = [(initial, max_lr), (max_lr, min_lr)]
    return _result(_cycle(steps, total_steps, pct_start, anneal, three_phase, values, single),
                   single)


def one_cycle_momentum(
    t: int | ArrayLike,
    total_steps: int,
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    pct_start: float = 0.3,
    anneal: str = "cos",
    three_phase: bool = False,
) -> Value:
    r"""The momentum of the 1cycle policy: it moves opposite to :func:`one_cycle`'s rate.

    High momentum while the rate is low, low momentum at the peak rate::

        two phases (default):   max_momentum -> base_momentum -> max_momentum
        three_phase=True:       max_momentum -> base_momentum -> max_momentum,
                                then max_momentum held during the final descent

    with the same phases, ends and annealing formula (``anneal``) as :func:`one_cycle`:

    .. math::

        \mu_t = b + \tfrac12 (a - b)\left(1 + \cos \pi p\right)
        \quad\text{or}\quad \mu_t = a + (b - a)\, p

    Give the *same* ``total_steps``, ``pct_start``, ``anneal`` and ``three_phase`` as to
    :func:`one_cycle`. Scheduled onto an optimizer by :class:`Scheduled` (its
    ``momentum`` argument), this sets ``momentum`` for SGD and RMSProp and ``beta1`` for
    Adam and AdamW.

    torch: ``OneCycleLR(..., cycle_momentum=True, base_momentum, max_momentum)`` (the
    default), which writes ``momentum`` or ``betas[0]`` in each parameter group next to
    the rate. Same differences as :func:`one_cycle` (t < total_steps here); also, torch
    does not require ``base_momentum <= max_momentum``.

    Parameters:
        total_steps: steps in the cycle, a whole number >= 1.
        base_momentum: the momentum at the peak rate, >= 0 and <= max_momentum.
        max_momentum: the momentum at the start (and end) of the cycle, >= 0. For Adam's
            beta1 both must be < 1 (checked when the optimizer receives them).
        pct_start, anneal, three_phase: as for :func:`one_cycle`.

    >>> [round(one_cycle_momentum(t, total_steps=5, pct_start=0.4), 3) for t in range(5)]
    [0.95, 0.85, 0.875, 0.925, 0.95]
    """
    steps, single = _steps(t)
    max_momentum = _rate("max_momentum", max_momentum)
    base_momentum = _real_in("base_momentum", base_momentum, 0.0, max_momentum,
                             bound="max_momentum")
    high, low = max_momentum, base_momentum
    values = [(high, low), (low, high)] + ([(high, high)] if three_phase else [])
    return _result(_cycle(steps, total_steps, pct_start, anneal, three_phase, values, single),
                   single)


# -- following a schedule -----------------------------------------------------------
class Scheduled(Wrapper):
    """An optimizer that follows a learning-rate (and optionally a momentum) schedule.

    ``Scheduled(optimizer, lr=schedule)`` is an optimizer (a
    :class:`~alr_teach.optimizers.wrapper.Wrapper`): it goes wherever one goes (the
    runner, ``MLPClassifier(optimizer=...)``, inside :class:`~alr_teach.Lookahead`).
    Before each step it sets ``optimizer.lr = lr(t)``, with ``t = optimizer.t`` the number
    of steps taken so far (0 before the first), then lets the optimizer take the step. The
    optimizer's class and update rule are untouched: this is exactly what a learner would
    write by hand with ``opt.set(lr=...)``. ``t`` counts *steps* (batches), not epochs:
    with ``n`` samples an epoch has ``ceil(n / batch_size)`` steps.

    ``momentum=schedule`` also sets, before each step, the optimizer's ``momentum``
    (SGD, RMSProp) or, for Adam-type optimizers, ``beta1`` (``betas[0]``): what torch's
    ``OneCycleLR`` does with ``cycle_momentum=True``. An optimizer with neither is an
    error.

    A schedule is any function of ``t``: fix the other arguments of a schedule with
    :func:`functools.partial` (``partial(cosine, lr=0.1, T_max=100)``) or write a lambda.
    The values are set with ``optimizer.set`` before each step, so the optimizer's own
    checks apply (a negative rate is an error at that step); the schedules are also
    called once on construction, so that bad schedule settings fail there.

    Attributes:
        optimizer: the wrapped optimizer (read its ``lr``, ``state``... directly).
        history: the rate used by each step taken, in order (``history[t]`` was
            used by step ``t + 1``).
        momentum_history: the same for the scheduled momentum / beta1 (empty without a
            momentum schedule).
        t, state, hyperparameters: the optimizer's.

    ``reset()`` resets the optimizer and clears the histories: the next step uses the
    schedule's value at t = 0 again. A step that raises (bad grads, a schedule that
    refuses ``t``) leaves the optimizer's hyperparameters and state as they were and
    records nothing.

    >>> from functools import partial
    >>> import numpy as np
    >>> from alr_teach import SGD
    >>> opt = Scheduled(SGD(lr=0.1), lr=partial(step_decay, lr=0.1, step_size=2, gamma=0.5))
    >>> x = np.array([0.0])
    >>> for _ in range(5):
    ...     x = opt.step(x, np.array([1.0]))   # constant gradient: x falls by the rate
    >>> opt.history
    [0.1, 0.1, 0.05, 0.05, 0.025]
    >>> print(x)
    [-0.325]

    One-cycle, with the momentum moving opposite to the rate (give both schedules the
    same cycle)::

        cycle = dict(total_steps=1000, pct_start=0.3)
        opt = Scheduled(SGD(lr=0.1, momentum=0.9),
                        lr=partial(one_cycle, max_lr=0.1, **cycle),
                        momentum=partial(one_cycle_momentum, **cycle))
    """

    def __init__(
        self, optimizer: Optimizer, lr: Schedule, momentum: Schedule | None = None
    ) -> None:
        super().__init__(optimizer)
        example = "e.g. functools.partial(cosine, lr=0.1, T_max=100)"
        if not callable(lr):
            raise _invalid("lr", lr, f"must be a function of the step t, {example}")
        momentum_name: str | None = None
        if momentum is not None:
            if not callable(momentum):
                raise _invalid("momentum", momentum, "must be a function of the step t, "
                               "e.g. functools.partial(one_cycle_momentum, total_steps=100)")
            names = optimizer.hyperparameters
            momentum_name = next((n for n in ("momentum", "beta1") if n in names), None)
            if momentum_name is None:
                raise _invalid("momentum", momentum, f"{type(optimizer).__name__} has neither "
                               "momentum nor beta1 to schedule")
        if "lr" not in optimizer.hyperparameters:
            raise _invalid("optimizer", optimizer, "has no lr to schedule")
        vars(self).update(  # plain attributes, past the check of hyperparameter names
            lr_schedule=lr, momentum_schedule=momentum, momentum_name=momentum_name,
            history=[], momentum_history=[],
        )
        self._values(self.t)  # bad schedule settings fail here, not at the first step

    def _values(self, t: int) -> dict[str, object]:
        values = {"lr": self.lr_schedule(t)}
        if self.momentum_schedule is not None:
            values[self.momentum_name] = self.momentum_schedule(t)
        return values

    def step(self, params: Params, grads: Params) -> Params:
        """Set the scheduled values for step ``t``, then take the optimizer's step."""
        values = self._values(self.t)
        before = {name: self.optimizer.hyperparameters[name] for name in values}
        self.optimizer.set(**values)  # checked like any change: all or nothing
        try:
            new_params = self.optimizer.step(params, grads)
        except Exception:
            self.optimizer.set(**before)  # the optimizer's step changed nothing else
            raise
        self.history.append(self.optimizer.lr)
        if self.momentum_name is not None:
            self.momentum_history.append(self.optimizer.hyperparameters[self.momentum_name])
        return new_params

    def reset(self) -> None:
        """Reset the optimizer and the histories; the schedule starts again at t = 0."""
        super().reset()
        self.history.clear()
        self.momentum_history.clear()

    def __repr__(self) -> str:
        parts = [repr(self.optimizer), f"lr={_describe(self.lr_schedule)}"]
        if self.momentum_schedule is not None:
            parts.append(f"momentum={_describe(self.momentum_schedule)}")
        return f"Scheduled({', '.join(parts)})"


# -- helpers ------------------------------------------------------------------------
def _cos_anneal(start: float, end: float, pct: np.ndarray) -> np.ndarray:
    """Half a cosine wave from ``start`` (pct = 0) to ``end`` (pct = 1).

    Written as a weighted mean so both ends come out exactly (torch's
    ``end + (start - end) * (1 + cos) / 2`` can miss ``start`` by a rounding error).
    """
    c = np.cos(np.pi * pct)
    return _within(start * (1 + c) / 2 + end * (1 - c) / 2, start, end)


def _linear_anneal(start: float, end: float, pct: np.ndarray) -> np.ndarray:
    """A straight line from ``start`` (pct = 0) to ``end`` (pct = 1), exact at both ends."""
    return _within(start * (1 - pct) + end * pct, start, end)


def _within(value: np.ndarray, a: float, b: float) -> np.ndarray:
    """Rounding can put a weighted mean of a and b one ulp outside [a, b]: keep it inside."""
    return np.clip(value, min(a, b), max(a, b))


def _progress(steps: np.ndarray, warmup_steps: int) -> np.ndarray:
    """Fraction of the warm-up done, ``min(t, W) / W`` (1 throughout when W = 0)."""
    if warmup_steps == 0:
        return np.ones(steps.shape)
    return np.minimum(steps, warmup_steps) / warmup_steps


def _cycle_position(steps: np.ndarray, T_0: int, T_mult: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps since the last warm restart (T_cur) and the current cycle's length (T_i)."""
    if T_mult == 1:
        return steps % T_0, np.full(steps.shape, float(T_0))
    # restarts at 0, T_0, T_0 + T_0 T_mult, ... (Python ints: exact, and no overflow)
    starts, lengths = [0], [T_0]
    last = int(steps.max()) if steps.size else 0
    while starts[-1] + lengths[-1] <= last:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * T_mult)
    cycle = np.searchsorted(np.array(starts), steps, side="right") - 1
    return steps - np.array(starts)[cycle], np.array(lengths, dtype=float)[cycle]


def _cycle(
    steps: np.ndarray,
    total_steps: int,
    pct_start: float,
    anneal: str,
    three_phase: bool,
    values: list[tuple[float, float]],
    single: bool = False,
) -> np.ndarray:
    """One-cycle phases as torch's OneCycleLR lays them out; ``values[i]`` = (from, to)."""
    total_steps = check.whole("total_steps", total_steps, low=1)
    pct_start = _real_in("pct_start", pct_start, 0.0, 1.0)
    if anneal not in ("cos", "linear"):
        raise _invalid("anneal", anneal, "must be 'cos' or 'linear'")
    three_phase = check.flag("three_phase", three_phase)
    rise_end = float(pct_start * total_steps) - 1  # torch's float arithmetic, verbatim
    if rise_end == 0:  # the rise would have no length: torch divides 0 by 0 at t = 0
        raise _invalid("pct_start", pct_start, f"pct_start * total_steps must not be 1 "
                       f"(total_steps = {total_steps}): the rise would last no step")
    if steps.size and steps.max() >= total_steps:
        shown = _shown(steps, steps.max(), single=single)
        raise _invalid("t", shown, f"must be < total_steps = {total_steps}: the cycle's "
                       f"steps are t = 0 ... {total_steps - 1}")
    ends = [rise_end, float(2 * pct_start * total_steps) - 2, total_steps - 1]
    ends = ends if three_phase else [rise_end, total_steps - 1]
    anneal_fn = _cos_anneal if anneal == "cos" else _linear_anneal
    out = np.empty(steps.shape)
    todo = np.ones(steps.shape, dtype=bool)
    start = 0.0
    for i, (end, (a, b)) in enumerate(zip(ends, values)):
        # the first phase whose end is at or after t (the last phase takes the rest)
        here = todo & (steps <= end) if i < len(ends) - 1 else todo
        out[here] = anneal_fn(a, b, (steps[here] - start) / (end - start))
        todo &= ~here
        start = end
    return out


def _steps(t: object) -> tuple[np.ndarray, bool]:
    """The step(s) ``t`` as an int64 array, and whether a single step was given.

    A single step comes back as a one-element 1-D array, not a 0-d one, so that it takes
    the same numpy loops as an array of steps: on some CPUs ``float ** int`` on a 0-d array
    (scalar maths) and on a 1-D one (SIMD loops) differ in the last bit.
    """
    requirement = "must be a whole number >= 0 (a step count) or an array of them"
    if isinstance(t, numbers.Integral) and not isinstance(t, (bool, np.bool_)):
        if not 0 <= t <= np.iinfo(np.int64).max:
            raise _invalid("t", t, requirement)
        return np.array([int(t)], dtype=np.int64), True
    try:
        steps = np.asarray(t)
    except Exception:  # ragged lists and the like
        raise _invalid("t", t, requirement) from None
    if steps.size == 0 and steps.dtype.kind in "iuf":
        return steps.astype(np.int64), False
    if steps.dtype.kind not in "iu" or steps.size == 0:
        raise _invalid("t", t, requirement)
    if steps.min() < 0 or steps.max() > np.iinfo(np.int64).max:
        bad = steps.min() if steps.min() < 0 else steps.max()
        raise _invalid("t", _shown(steps, bad, single=False), requirement)
    return steps.astype(np.int64), False


def _result(values: np.ndarray, single: bool) -> Value:
    """A float for a single step, the float64 array otherwise."""
    return float(values[0]) if single else np.asarray(values, dtype=np.float64)


def _shown(steps: np.ndarray, bad: object, single: bool) -> object:
    """How a bad step appears in a message: itself, or the array's shape and offender."""
    return int(bad) if single else f"array of shape {steps.shape} containing {int(bad)}"


def _invalid(name: str, value: object, requirement: str) -> ValueError:
    """The package's message format: ``Invalid <name>: <value> (<requirement>)``."""
    return ValueError(f"Invalid {name}: {value!r} ({requirement})")


def _rate(name: str, value: object) -> float:
    """A single finite number >= 0 (a rate or a momentum)."""
    return check.real(name, value, low=0.0)


def _real_in(
    name: str, value: object, low: float, high: float, *, low_open: bool = False,
    bound: str | None = None,
) -> float:
    """A single finite number in [low, high] (or (low, high]); ``bound`` names ``high``."""
    value = check.real(name, value)
    if bound is not None and not low <= value <= high:
        raise _invalid(name, value, f"must be in [{low:g}, {bound}] = [{low:g}, {high:g}]")
    return float(check.in_range(name, value, low, high, low_open=low_open))


def _eta_min(value: object, lr: float) -> float:
    """The floor of a cosine: a number in [0, lr]."""
    return _real_in("eta_min", value, 0.0, lr, bound="lr")


def _describe(schedule: Schedule) -> str:
    """``cosine(lr=0.1, T_max=100)`` for a partial, the function's name otherwise."""
    if isinstance(schedule, functools.partial):
        args = [repr(a) for a in schedule.args]
        args += [f"{k}={v!r}" for k, v in schedule.keywords.items()]
        return f"{_describe(schedule.func)}({', '.join(args)})"
    return getattr(schedule, "__name__", repr(schedule))

