"""Checkers for the *implement it* exercises: your function, called on known cases.

Each ``check_<name>(fn)`` calls your ``fn`` on a few fixed cases (several steps each,
non-zero state, numbers from 1e-3 to 1e2, a zero gradient, large and small eps...), with
the inputs of the reference method at every step, and compares what it returns with
what ``alr_teach``'s own optimizer (or schedule) gives. It prints one line starting with
``PASS <name>:`` or ``FAIL <name>:``, plus a hint when it fails, and returns True or
False. It never raises and never hangs, whatever ``fn`` does: an exception, a wrong
return value and an endless loop (stopped after :data:`TIMEOUT` seconds) are reported.

When your results are wrong, the checker also runs a table of *known mistakes* (a sign
error, a missing bias correction, eps inside the square root...) on the same cases; if
one of them gives exactly your numbers, the hint names that mistake.

=================  ===================================================================
exercise           your function (one step, torch's conventions; arrays or numbers)
=================  ===================================================================
gd_step            ``gd_step(x, grad, lr) -> x``
momentum_step      ``momentum_step(x, grad, velocity, lr, momentum) -> (x, velocity)``
adagrad_step       ``adagrad_step(x, grad, sum_sq, lr, eps) -> (x, sum_sq)``
rmsprop_step       ``rmsprop_step(x, grad, sq_avg, lr, alpha, eps) -> (x, sq_avg)``
adam_step          ``adam_step(x, grad, m, v, t, lr, beta1, beta2, eps) -> (x, m, v)``
adadelta_step      ``adadelta_step(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0)
                   -> (x, sq_avg, acc_delta)``
adamw_step         ``adamw_step(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay)
                   -> (x, m, v)``
cosine_lr          ``cosine_lr(step, total_steps, lr_max, lr_min) -> lr``
=================  ===================================================================

The arguments are passed by position, in this order, and the new state is returned in
the order it was given. A function written for plain numbers (with the ``math`` module)
is called one element at a time.

Every result is kept: :func:`passed` tells whether the latest check of a name passed,
:func:`summary` lists them all, and :func:`check_value` checks a number you computed.

(For maintainers: an exercise is one :class:`Exercise` row in ``_exercises()``: its
signature, a reference run, its cases and its known mistakes, each with a hint; the
harness below the table is shared by all of them. tests/course/test_checks.py checks that every
known mistake is told apart from the right answer and from the mistakes before it.)

>>> def gd_step(x, grad, lr):
...     return x - lr * grad
>>> check_gd_step(gd_step)
PASS gd_step: matches alr_teach.SGD on 3 cases (3 steps each).
True
>>> check_gd_step(lambda x, grad, lr: x + lr * grad)  # doctest: +ELLIPSIS
FAIL gd_step: x differs on step 1 of case 1 (lr=0.1): x[1] expected -7.42715, got 7.43087.
  Hint: step against the gradient: ...
False
"""

from __future__ import annotations

import math
import signal
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace

import numpy as np

from alr_teach.optimizers.adadelta import AdaDelta
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.optimizers.adam import Adam, AdamW
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.optimizers.schedules import cosine
from alr_teach.optimizers.sgd import SGD

#: seconds a check may spend in your function (all its calls together) before it is stopped
TIMEOUT = 5.0
#: relative and absolute tolerance of the comparison with the reference
RTOL, ATOL = 1e-6, 1e-12

__all__ = [
    "check_gd_step", "check_momentum_step", "check_adagrad_step", "check_rmsprop_step",
    "check_adam_step", "check_adadelta_step", "check_adamw_step", "check_cosine_lr",
    "check_value", "passed", "summary", "TIMEOUT",
]


# -- what an exercise is -------------------------------------------------------------
@dataclass(frozen=True)
class Mistake:
    """A known wrong implementation (written as a learner might) and the hint it earns."""

    hint: str
    fn: Callable


@dataclass(frozen=True)
class Case:
    """One run of the reference: settings, number of checked steps, where it starts."""

    settings: dict[str, float]  # the function's arguments after the state (and t)
    steps: int = 8  # steps checked
    warmup: int = 0  # steps the reference takes before the first checked one
    seed: int = 0
    extra: dict[str, float] = field(default_factory=dict)  # reference-only settings


@dataclass(frozen=True)
class Call:
    """One call of the learner's function and what it must return."""

    args: tuple
    expected: tuple[np.ndarray, ...]
    case: int  # counted from 1
    step: int  # the step t (the step argument for a schedule)
    settings: str  # "lr=0.1, momentum=0.9"

    @property
    def where(self) -> str:
        return f"on step {self.step} of case {self.case} ({self.settings})"


@dataclass(frozen=True)
class Exercise:
    """Everything a checker needs: signature, reference, cases and known mistakes."""

    name: str
    args: tuple[str, ...]  # argument names, in call order
    outputs: tuple[str, ...]  # returned values, in order
    reference: str  # "alr_teach.Adam", for the PASS message
    rule: str  # the update written out, for the generic hint
    calls: Callable[[], list[Call]]
    mistakes: tuple[Mistake, ...]
    elementwise: bool = True  # arrays in: a function for numbers is called per element

    @property
    def signature(self) -> str:
        returns = self.outputs[0] if len(self.outputs) == 1 else f"({', '.join(self.outputs)})"
        return f"{self.name}({', '.join(self.args)}) -> {returns}"


# -- the reference runs ------------------------------------------------------------------
def _mixed(rng: np.random.Generator, n: int) -> np.ndarray:
    """n numbers of random sign whose sizes spread from 1e-3 to 1e2."""
    return rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-3, 2, n)


def _gradients(rng: np.random.Generator, n: int, steps: int) -> list[np.ndarray]:
    """Mixed gradients; coordinate 0 never gets one, the last gets none every third step."""
    grads = []
    for t in range(1, steps + 1):
        g = _mixed(rng, n)
        g[0] = 0.0
        if t % 3 == 0:
            g[-1] = 0.0
        grads.append(g)
    return grads


def _optimizer_calls(
    make: Callable[..., Optimizer], args: tuple[str, ...], cases: list[Case], size: int = 6
) -> list[Call]:
    """Run the reference optimizer on each case; one call per checked step.

    Call k gets the reference's x and state before step t and expects them after it, so
    a mistake shows at the step where it happens instead of spreading to later steps.
    """
    calls = []
    for number, case in enumerate(cases, 1):
        rng = np.random.default_rng(case.seed)
        x = _mixed(rng, size)
        opt = make(**case.settings, **case.extra)
        state = opt.init_state(x, SimpleNamespace(**opt.hyperparameters))
        for t, g in enumerate(_gradients(rng, size, case.warmup + case.steps), 1):
            new_x = opt.step(x, g)
            if t > case.warmup:
                given = {"x": x, "grad": g, "t": t, **state, **case.settings}
                expected = (new_x, *(opt.state[name] for name in state))
                calls.append(Call(tuple(given[a] for a in args), expected, number, t,
                                  _settings(case.settings)))
            x, state = new_x, opt.state
    return calls


def _settings(settings: dict[str, float]) -> str:
    return ", ".join(f"{name}={value:g}" for name, value in settings.items())


# -- the exercises: signature, reference, cases, known mistakes -------------------------------
SIGN = "step against the gradient: subtract the update from x, do not add it."
NO_LR = "multiply the step by the learning rate lr."
EPS_OUTSIDE = "eps goes outside the square root: ... / (sqrt(...) + eps), not sqrt(... + eps)."
SQUARE = "accumulate the *squared* gradient, grad**2, not grad itself."
NO_SQRT = "divide by the square root of the accumulator, sqrt(...) + eps."


def _gd_mistakes() -> tuple[Mistake, ...]:
    return (
        Mistake(SIGN + " x = x - lr * grad.", lambda x, grad, lr: x + lr * grad),
        Mistake(NO_LR, lambda x, grad, lr: x - grad),
        Mistake("return the new x, x - lr * grad, not the step.", lambda x, grad, lr: -lr * grad),
        Mistake("multiply the gradient by lr, do not divide by it.",
                lambda x, grad, lr: x - grad / lr),
    )


def _momentum_mistakes() -> tuple[Mistake, ...]:
    def rule(velocity, x, lr):  # the right x-update, given the velocity a mutant computed
        return x - lr * velocity, velocity

    lr_outside = ("keep lr out of the velocity (torch's convention): velocity = momentum * "
                  "velocity + grad, then x = x - lr * velocity.")
    return (
        Mistake(SIGN + " x = x - lr * velocity.",
                lambda x, g, b, lr, mu: (x + lr * (mu * b + g), mu * b + g)),
        Mistake(NO_LR + " x = x - lr * velocity.",
                lambda x, g, b, lr, mu: (x - (mu * b + g), mu * b + g)),
        Mistake(lr_outside, lambda x, g, b, lr, mu: (x + (mu * b - lr * g), mu * b - lr * g)),
        Mistake(lr_outside, lambda x, g, b, lr, mu: (x - (mu * b + lr * g), mu * b + lr * g)),
        Mistake("no (1 - momentum) factor on grad (that is dampening, a moving average): "
                "velocity = momentum * velocity + grad.",
                lambda x, g, b, lr, mu: rule(mu * b + (1 - mu) * g, x, lr)),
        Mistake("update the velocity first, then step with the new velocity.",
                lambda x, g, b, lr, mu: (x - lr * b, mu * b + g)),
        Mistake("the velocity must remember past gradients: velocity = momentum * velocity "
                "+ grad.", lambda x, g, b, lr, mu: rule(g, x, lr)),
        Mistake("momentum multiplies the old velocity, not the gradient: velocity = momentum "
                "* velocity + grad.", lambda x, g, b, lr, mu: rule(b + mu * g, x, lr)),
        Mistake("that is Nesterov's look-ahead; plain momentum steps x = x - lr * velocity.",
                lambda x, g, b, lr, mu: (x - lr * (g + mu * (mu * b + g)), mu * b + g)),
    )


def _adagrad_mistakes() -> tuple[Mistake, ...]:
    def step(x, g, s, lr, eps):  # the right step from the accumulator a mutant computed
        return x - lr * g / (np.sqrt(s) + eps), s

    average = ("AdaGrad *sums* the squared gradients, sum_sq = sum_sq + grad**2; a moving "
               "average is RMSProp.")
    return (
        Mistake(SIGN, lambda x, g, s, lr, eps: (2 * x - step(x, g, s + g * g, lr, eps)[0],
                                                s + g * g)),
        Mistake(NO_LR, lambda x, g, s, lr, eps: step(x, g, s + g * g, 1.0, eps)),
        Mistake(SQUARE, lambda x, g, s, lr, eps: step(x, g, s + g, lr, eps)),
        Mistake(SQUARE, lambda x, g, s, lr, eps: step(x, g, s + abs(g), lr, eps)),
        Mistake(EPS_OUTSIDE, lambda x, g, s, lr, eps: (x - lr * g / np.sqrt(s + g * g + eps),
                                                       s + g * g)),
        Mistake(average, lambda x, g, s, lr, eps: step(x, g, 0.9 * s + 0.1 * g * g, lr, eps)),
        Mistake(average, lambda x, g, s, lr, eps: step(x, g, 0.99 * s + 0.01 * g * g, lr, eps)),
        Mistake("add grad**2 to sum_sq first, then divide by the new sqrt(sum_sq) + eps.",
                lambda x, g, s, lr, eps: (step(x, g, s, lr, eps)[0], s + g * g)),
        Mistake(NO_SQRT, lambda x, g, s, lr, eps: (x - lr * g / (s + g * g + eps), s + g * g)),
    )


def _rmsprop_mistakes() -> tuple[Mistake, ...]:
    def step(x, g, s, lr, eps):
        return x - lr * g / (np.sqrt(s) + eps), s

    def avg(s, g, alpha):
        return alpha * s + (1 - alpha) * g * g

    return (
        Mistake(SIGN, lambda x, g, s, lr, a, eps: (2 * x - step(x, g, avg(s, g, a), lr, eps)[0],
                                                   avg(s, g, a))),
        Mistake(NO_LR, lambda x, g, s, lr, a, eps: step(x, g, avg(s, g, a), 1.0, eps)),
        Mistake("RMSProp keeps a moving average, sq_avg = alpha * sq_avg + (1 - alpha) * "
                "grad**2, not a sum (that is AdaGrad).",
                lambda x, g, s, lr, a, eps: step(x, g, s + g * g, lr, eps)),
        Mistake("alpha weights the old average: sq_avg = alpha * sq_avg + (1 - alpha) * "
                "grad**2 (alpha and 1 - alpha look swapped).",
                lambda x, g, s, lr, a, eps: step(x, g, avg(s, g, 1 - a), lr, eps)),
        Mistake("weight the new squared gradient by (1 - alpha): sq_avg = alpha * sq_avg + "
                "(1 - alpha) * grad**2.",
                lambda x, g, s, lr, a, eps: step(x, g, a * s + g * g, lr, eps)),
        Mistake(SQUARE, lambda x, g, s, lr, a, eps: step(x, g, a * s + (1 - a) * g, lr, eps)),
        Mistake(EPS_OUTSIDE, lambda x, g, s, lr, a, eps: (
            x - lr * g / np.sqrt(avg(s, g, a) + eps), avg(s, g, a))),
        Mistake("update sq_avg first, then divide by the new sqrt(sq_avg) + eps.",
                lambda x, g, s, lr, a, eps: (step(x, g, s, lr, eps)[0], avg(s, g, a))),
        Mistake(NO_SQRT, lambda x, g, s, lr, a, eps: (x - lr * g / (avg(s, g, a) + eps),
                                                      avg(s, g, a))),
    )


def _adam(x, g, m, v, t, lr, beta1, beta2, eps):
    """Adam's step, right (torch's form): the base the AdamW mistakes start from."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_from(m, v, x, t, lr, beta1, beta2, eps, c1=None, c2=None, inside=False):
    """The step from moments a mutant computed; c1, c2: its bias corrections."""
    c1 = 1 - beta1**t if c1 is None else c1
    c2 = 1 - beta2**t if c2 is None else c2
    root = np.sqrt(v / c2 + eps) if inside else np.sqrt(v / c2) + eps
    return x - lr * (m / c1) / root, m, v


def _adam_mistakes() -> tuple[Mistake, ...]:
    def moments(g, m, v, b1, b2):
        return b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g

    def with_moments(**how):  # the right moments, then a step with a mistake in it
        def step(x, g, m, v, t, lr, b1, b2, eps):
            return _adam_from(*moments(g, m, v, b1, b2), x, t, lr, b1, b2, eps,
                              **{k: f(t, b1, b2) for k, f in how.items()})
        return step

    def keras_eps(x, g, m, v, t, lr, b1, b2, eps):
        m, v = moments(g, m, v, b1, b2)
        rate = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        return x - rate * m / (np.sqrt(v) + eps), m, v

    def returns_hats(x, g, m, v, t, lr, b1, b2, eps):
        x, m, v = _adam(x, g, m, v, t, lr, b1, b2, eps)
        return x, m / (1 - b1**t), v / (1 - b2**t)

    def old_moments(x, g, m, v, t, lr, b1, b2, eps):
        step = _adam_from(m, v, x, t, lr, b1, b2, eps)[0]
        return (step, *moments(g, m, v, b1, b2))

    def sign(x, g, m, v, t, lr, b1, b2, eps):
        new_x, m, v = _adam(x, g, m, v, t, lr, b1, b2, eps)
        return 2 * x - new_x, m, v

    bias = "bias-correct {}: {}."
    m_hat, v_hat = "m_hat = m / (1 - beta1**t)", "v_hat = v / (1 - beta2**t)"
    return (
        Mistake(SIGN, sign),
        Mistake(NO_LR, lambda x, g, m, v, t, lr, b1, b2, eps: _adam(x, g, m, v, t, 1.0, b1, b2,
                                                                      eps)),
        Mistake(bias.format("m and v", f"{m_hat}, {v_hat}"),
                with_moments(c1=lambda t, b1, b2: 1.0, c2=lambda t, b1, b2: 1.0)),
        Mistake(bias.format("v too", v_hat), with_moments(c2=lambda t, b1, b2: 1.0)),
        Mistake(bias.format("m too", m_hat), with_moments(c1=lambda t, b1, b2: 1.0)),
        Mistake("the bias correction is off by one: use the t you are given (1 on the first "
                "step): 1 - beta1**t, not 1 - beta1**(t + 1).",
                with_moments(c1=lambda t, b1, b2: 1 - b1 ** (t + 1),
                             c2=lambda t, b1, b2: 1 - b2 ** (t + 1))),
        Mistake("the bias correction is off by one: use the t you are given (1 on the first "
                "step): 1 - beta1**t, not 1 - beta1**(t - 1).",
                with_moments(c1=lambda t, b1, b2: 1 - b1 ** (t - 1),
                             c2=lambda t, b1, b2: 1 - b2 ** (t - 1))),
        Mistake("the bias correction is 1 - beta1**t (a power of beta), not (1 - beta1)**t.",
                with_moments(c1=lambda t, b1, b2: (1 - b1) ** t,
                             c2=lambda t, b1, b2: (1 - b2) ** t)),
        Mistake("beta1 goes with m (the gradient), beta2 with v (the squared gradient); "
                "they look swapped.",
                lambda x, g, m, v, t, lr, b1, b2, eps: _adam(x, g, m, v, t, lr, b2, b1, eps)),
        Mistake("v averages the *squared* gradient: v = beta2 * v + (1 - beta2) * grad**2.",
                lambda x, g, m, v, t, lr, b1, b2, eps: _adam_from(
                    b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g, x, t, lr, b1, b2, eps)),
        Mistake(EPS_OUTSIDE + " In Adam: m_hat / (sqrt(v_hat) + eps).",
                lambda x, g, m, v, t, lr, b1, b2, eps: _adam_from(
                    *moments(g, m, v, b1, b2), x, t, lr, b1, b2, eps, inside=True)),
        Mistake("add eps to sqrt(v_hat), after the bias correction, not to sqrt(v) before it.",
                keras_eps),
        Mistake("return the raw moments m and v as the new state, not m_hat and v_hat.",
                returns_hats),
        Mistake("m and v are moving averages: m = beta1 * m + (1 - beta1) * grad (and the "
                "same for v), not beta1 * m + grad.",
                lambda x, g, m, v, t, lr, b1, b2, eps: _adam_from(
                    b1 * m + g, b2 * v + g * g, x, t, lr, b1, b2, eps)),
        Mistake("update m and v first, then step with the new values.", old_moments),
    )


def _adamw_mistakes() -> tuple[Mistake, ...]:
    def decayed_first(adam_step):  # the right decay, then Adam's step with a mistake in it
        def step(x, g, m, v, t, lr, b1, b2, eps, wd):
            return adam_step(x * (1 - lr * wd), g, m, v, t, lr, b1, b2, eps)
        return step

    decay = "x = x * (1 - lr * weight_decay)"
    return (
        Mistake(f"AdamW shrinks the weights directly, {decay}, before the Adam step; adding "
                "weight_decay * x to the gradient is L2 decay (Adam's weight_decay).",
                lambda x, g, m, v, t, lr, b1, b2, eps, wd: _adam(x, g + wd * x, m, v, t, lr,
                                                                   b1, b2, eps)),
        Mistake(f"scale the decay by the learning rate: {decay}.",
                lambda x, g, m, v, t, lr, b1, b2, eps, wd: _adam(x * (1 - wd), g, m, v, t, lr,
                                                                   b1, b2, eps)),
        Mistake(f"shrink the weights first: {decay}, then take Adam's step.",
                lambda x, g, m, v, t, lr, b1, b2, eps, wd: _adam(x, g, m, v, t, lr, b1, b2,
                                                                   eps)),
        Mistake(f"decay x *before* the Adam step (torch's order): {decay}, then the update.",
                lambda x, g, m, v, t, lr, b1, b2, eps, wd: (
                    _adam(x, g, m, v, t, lr, b1, b2, eps)[0] * (1 - lr * wd),
                    *_adam(x, g, m, v, t, lr, b1, b2, eps)[1:])),
        Mistake(f"the decay shrinks x: {decay}, with a minus sign.",
                lambda x, g, m, v, t, lr, b1, b2, eps, wd: _adam(x * (1 + lr * wd), g, m, v, t,
                                                                   lr, b1, b2, eps)),
        *(Mistake(m.hint, decayed_first(m.fn)) for m in _adam_mistakes()),
    )


def _adadelta_mistakes() -> tuple[Mistake, ...]:
    def avg(a, q, rho):
        return rho * a + (1 - rho) * q

    def rule(x, g, s, d, rho, eps, lr, *, s_new=None, dx=None, d_new=None):
        """The right step, except for the pieces a mutant gives."""
        s_new = avg(s, g * g, rho) if s_new is None else s_new
        dx = np.sqrt(d + eps) / np.sqrt(s_new + eps) * g if dx is None else dx
        d_new = avg(d, dx * dx, rho) if d_new is None else d_new
        return x - lr * dx, s_new, d_new

    def flipped(x, g, s, d, rho, eps, lr):
        x_new, s_new, _ = rule(x, g, s, d, rho, eps, lr)
        return 2 * x - x_new, s_new, rule(x, g, s, d, rho, eps, lr)[2]

    def acc_first(x, g, s, d, rho, eps, lr):  # acc_delta updated (from grad) before delta
        s_new, d_new = avg(s, g * g, rho), avg(d, g * g, rho)
        return rule(x, g, s, d, rho, eps, lr, dx=np.sqrt(d_new + eps) / np.sqrt(s_new + eps) * g,
                    d_new=d_new)

    def sq_avg_after(x, g, s, d, rho, eps, lr):  # delta from the old sq_avg
        dx = np.sqrt(d + eps) / np.sqrt(s + eps) * g
        return rule(x, g, s, d, rho, eps, lr, dx=dx)

    def scaled_acc(x, g, s, d, rho, eps, lr):  # acc_delta from lr * delta
        x_new, s_new, _ = rule(x, g, s, d, rho, eps, lr)
        return x_new, s_new, avg(d, (x - x_new) ** 2, rho)

    def eps_outside(x, g, s, d, rho, eps, lr):
        s_new = avg(s, g * g, rho)
        return rule(x, g, s, d, rho, eps, lr, dx=(np.sqrt(d) + eps) / (np.sqrt(s_new) + eps) * g)

    def inverted(x, g, s, d, rho, eps, lr):
        s_new = avg(s, g * g, rho)
        return rule(x, g, s, d, rho, eps, lr, dx=np.sqrt(s_new + eps) / np.sqrt(d + eps) * g)

    def sums(x, g, s, d, rho, eps, lr):
        s_new = s + g * g
        dx = np.sqrt(d + eps) / np.sqrt(s_new + eps) * g
        return rule(x, g, s, d, rho, eps, lr, s_new=s_new, dx=dx, d_new=d + dx * dx)

    return (
        Mistake(SIGN + " x = x - lr * delta.", flipped),
        Mistake("multiply the step by lr at the end: x = x - lr * delta (lr is not always 1).",
                lambda x, g, s, d, rho, eps, lr: rule(x, g, s, d, rho, eps, 1.0)),
        Mistake(SQUARE + " sq_avg = rho * sq_avg + (1 - rho) * grad**2.",
                lambda x, g, s, d, rho, eps, lr: rule(x, g, s, d, rho, eps, lr,
                                                      s_new=avg(s, g, rho))),
        Mistake("rho weights the old average: sq_avg = rho * sq_avg + (1 - rho) * grad**2 "
                "(rho and 1 - rho look swapped).",
                lambda x, g, s, d, rho, eps, lr: rule(x, g, s, d, 1 - rho, eps, lr)),
        Mistake("sq_avg and acc_delta are moving averages (rho * old + (1 - rho) * new), "
                "not sums.", sums),
        Mistake("eps goes inside both square roots: sqrt(acc_delta + eps) / sqrt(sq_avg + eps).",
                eps_outside),
        Mistake("the ratio is RMS of past steps over RMS of gradients: sqrt(acc_delta + eps) / "
                "sqrt(sq_avg + eps), not the other way round.", inverted),
        Mistake("update sq_avg with grad**2 *before* computing delta.", sq_avg_after),
        Mistake("acc_delta averages the squared step, delta**2, not grad**2.",
                lambda x, g, s, d, rho, eps, lr: rule(x, g, s, d, rho, eps, lr,
                                                      d_new=avg(d, g * g, rho))),
        Mistake("compute delta with the *old* acc_delta, and only then update acc_delta with "
                "delta**2.", acc_first),
        Mistake("acc_delta averages delta**2 (before lr scales it), not (lr * delta)**2.",
                scaled_acc),
    )


def _cosine_mistakes() -> tuple[Mistake, ...]:
    def anneal(step, total, hi, lo, *, phase=math.pi, total_offset=0, step_offset=0):
        c = math.cos(phase * (step + step_offset) / (total + total_offset))
        return lo + (hi - lo) * (1 + c) / 2

    return (
        Mistake("the rate must start at lr_max and end at lr_min: lr_min + (lr_max - lr_min) * "
                "(1 + cos(pi * step / total_steps)) / 2.",
                lambda s, n, hi, lo: anneal(s, n, lo, hi)),
        Mistake("half a cosine wave over the run: cos(pi * step / total_steps), not 2 * pi.",
                lambda s, n, hi, lo: anneal(s, n, hi, lo, phase=2 * math.pi)),
        Mistake("cos takes radians: cos(pi * step / total_steps).",
                lambda s, n, hi, lo: anneal(s, n, hi, lo, phase=1.0)),
        Mistake("off by one: divide by total_steps (the rate reaches lr_min at step == "
                "total_steps), not total_steps - 1.",
                lambda s, n, hi, lo: anneal(s, n, hi, lo, total_offset=-1)),
        Mistake("off by one: divide by total_steps, not total_steps + 1.",
                lambda s, n, hi, lo: anneal(s, n, hi, lo, total_offset=1)),
        Mistake("off by one: step 0 gives lr_max, so use step itself, not step + 1.",
                lambda s, n, hi, lo: anneal(s, n, hi, lo, step_offset=1)),
        Mistake("off by one: step 0 gives lr_max, so use step itself, not step - 1.",
                lambda s, n, hi, lo: anneal(s, n, hi, lo, step_offset=-1)),
        Mistake("(1 + cos(...)) runs from 2 down to 0: halve it.",
                lambda s, n, hi, lo: lo + (hi - lo) * (1 + math.cos(math.pi * s / n))),
        Mistake("the curve ends at lr_min: lr_min + (lr_max - lr_min) * (1 + cos(...)) / 2.",
                lambda s, n, hi, lo: anneal(s, n, hi, 0.0)),
        Mistake("scale the cosine by (lr_max - lr_min), so that step 0 gives exactly lr_max.",
                lambda s, n, hi, lo: lo + anneal(s, n, hi, 0.0)),
        Mistake("that is a straight line; the schedule follows half a cosine wave.",
                lambda s, n, hi, lo: hi - (hi - lo) * s / n),
    )


def _cosine_calls() -> list[Call]:
    cases = [
        (10, 0.1, 0.0, range(11)),
        (7, 1.0, 0.05, range(8)),
        (100, 3e-3, 1e-4, (0, 1, 2, 25, 49, 50, 51, 75, 98, 99, 100)),
    ]
    calls = []
    for number, (total, hi, lo, steps) in enumerate(cases, 1):
        settings = {"total_steps": total, "lr_max": hi, "lr_min": lo}
        for step in steps:
            expected = np.asarray(cosine(step, lr=hi, T_max=total, eta_min=lo))
            calls.append(Call((step, total, hi, lo), (expected,), number, step,
                              _settings(settings)))
    return calls


def _adam_cases(weight_decay: tuple[float, ...] = ()) -> list[Case]:
    """Adam's cases; AdamW's add a weight decay to each."""
    cases = [
        Case({"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, steps=12, seed=1),
        Case({"lr": 0.01, "beta1": 0.8, "beta2": 0.95, "eps": 0.1}, steps=10, seed=2),
        Case({"lr": 0.3, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3}, steps=6, warmup=6, seed=3),
        Case({"lr": 2e-3, "beta1": 0.95, "beta2": 0.99, "eps": 1e-8}, steps=4, warmup=20,
             seed=4),
    ]
    if not weight_decay:
        return cases
    return [Case({**c.settings, "weight_decay": wd}, c.steps, c.warmup, c.seed)
            for c, wd in zip(cases, weight_decay)]


def _exercises() -> dict[str, Exercise]:
    adam_args = ("x", "grad", "m", "v", "t", "lr", "beta1", "beta2", "eps")
    adam_rule = ("m = beta1*m + (1-beta1)*grad; v = beta2*v + (1-beta2)*grad**2; "
                 "x = x - lr * m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - beta1**t), "
                 "v_hat = v / (1 - beta2**t)")

    def runs(make, args, cases):
        return lambda: _optimizer_calls(make, args, cases)

    table = [
        Exercise(
            "gd_step", ("x", "grad", "lr"), ("x",), "alr_teach.SGD", "x = x - lr * grad",
            runs(SGD, ("x", "grad", "lr"),
                 [Case({"lr": 0.1}, 3, seed=5), Case({"lr": 0.003}, 3, seed=6),
                  Case({"lr": 2.5}, 3, seed=7)]),
            _gd_mistakes()),
        Exercise(
            "momentum_step", ("x", "grad", "velocity", "lr", "momentum"), ("x", "velocity"),
            "alr_teach.SGD", "velocity = momentum * velocity + grad; x = x - lr * velocity",
            runs(SGD, ("x", "grad", "velocity", "lr", "momentum"),
                 [Case({"lr": 0.1, "momentum": 0.9}, 10, seed=8),
                  Case({"lr": 0.01, "momentum": 0.5}, 8, warmup=3, seed=9),
                  Case({"lr": 0.3, "momentum": 0.99}, 6, warmup=5, seed=10)]),
            _momentum_mistakes()),
        Exercise(
            "adagrad_step", ("x", "grad", "sum_sq", "lr", "eps"), ("x", "sum_sq"),
            "alr_teach.AdaGrad", "sum_sq = sum_sq + grad**2; x = x - lr * grad / "
            "(sqrt(sum_sq) + eps)",
            runs(AdaGrad, ("x", "grad", "sum_sq", "lr", "eps"),
                 [Case({"lr": 0.1, "eps": 1e-10}, 10, seed=11),
                  Case({"lr": 0.5, "eps": 0.1}, 8, seed=12,
                       extra={"initial_accumulator_value": 0.1}),
                  Case({"lr": 0.01, "eps": 1e-8}, 6, warmup=4, seed=13)]),
            _adagrad_mistakes()),
        Exercise(
            "rmsprop_step", ("x", "grad", "sq_avg", "lr", "alpha", "eps"), ("x", "sq_avg"),
            "alr_teach.RMSProp", "sq_avg = alpha * sq_avg + (1 - alpha) * grad**2; "
            "x = x - lr * grad / (sqrt(sq_avg) + eps)",
            runs(RMSProp, ("x", "grad", "sq_avg", "lr", "alpha", "eps"),
                 [Case({"lr": 0.01, "alpha": 0.99, "eps": 1e-8}, 12, seed=14),
                  Case({"lr": 0.1, "alpha": 0.9, "eps": 0.1}, 8, seed=15),
                  Case({"lr": 0.003, "alpha": 0.7, "eps": 1e-6}, 6, warmup=5, seed=16)]),
            _rmsprop_mistakes()),
        Exercise(
            "adam_step", adam_args, ("x", "m", "v"), "alr_teach.Adam", adam_rule,
            runs(lambda lr, beta1, beta2, eps: Adam(lr, (beta1, beta2), eps), adam_args,
                 _adam_cases()),
            _adam_mistakes()),
        Exercise(
            "adadelta_step", ("x", "grad", "sq_avg", "acc_delta", "rho", "eps", "lr"),
            ("x", "sq_avg", "acc_delta"), "alr_teach.AdaDelta",
            "sq_avg = rho*sq_avg + (1-rho)*grad**2; delta = sqrt(acc_delta + eps) / "
            "sqrt(sq_avg + eps) * grad; acc_delta = rho*acc_delta + (1-rho)*delta**2; "
            "x = x - lr * delta",
            runs(AdaDelta, ("x", "grad", "sq_avg", "acc_delta", "rho", "eps", "lr"),
                 [Case({"rho": 0.9, "eps": 1e-6, "lr": 1.0}, 12, seed=17),
                  Case({"rho": 0.95, "eps": 0.1, "lr": 0.5}, 8, seed=18),
                  Case({"rho": 0.7, "eps": 1e-3, "lr": 2.0}, 6, warmup=4, seed=19)]),
            _adadelta_mistakes()),
        Exercise(
            "adamw_step", (*adam_args, "weight_decay"), ("x", "m", "v"), "alr_teach.AdamW",
            "x = x * (1 - lr * weight_decay) first, then Adam's step: " + adam_rule,
            runs(lambda lr, beta1, beta2, eps, weight_decay:
                 AdamW(lr, (beta1, beta2), eps, weight_decay),
                 (*adam_args, "weight_decay"), _adam_cases(weight_decay=(0.1, 0.5, 0.3, 2.0))),
            _adamw_mistakes()),
        Exercise(
            "cosine_lr", ("step", "total_steps", "lr_max", "lr_min"), ("lr",),
            "alr_teach.optimizers.schedules.cosine",
            "lr = lr_min + (lr_max - lr_min) * (1 + cos(pi * step / total_steps)) / 2",
            _cosine_calls, _cosine_mistakes(), elementwise=False),
    ]
    return {exercise.name: exercise for exercise in table}


_EXERCISES = _exercises()


@cache
def _reference(name: str) -> list[Call]:
    """The calls of an exercise and their expected results (computed on first use)."""
    return _EXERCISES[name].calls()


@cache
def _mistake_results(name: str) -> list[list[tuple[np.ndarray, ...]] | None]:
    """What each known mistake returns on the exercise's calls (None if it cannot run)."""
    exercise, calls = _EXERCISES[name], _reference(name)
    results = []
    for mistake in exercise.mistakes:
        try:
            results.append(_outputs(mistake.fn, exercise, calls))
        except _Failed:
            results.append(None)
    return results


# -- running the learner's function safely ----------------------------------------------
class _TimedOut(BaseException):
    """Raised inside the learner's code when the time is up (a BaseException, so that an
    ``except Exception`` in that code does not swallow it)."""


class _Failed(Exception):
    """The learner's function could not give a usable result on some call."""

    def __init__(self, message: str, error: BaseException | None = None) -> None:
        super().__init__(message)
        self.message, self.error = message, error


def _outputs(fn: Callable, exercise: Exercise, calls: list[Call], *, one_by_one: bool = False
             ) -> list[tuple[np.ndarray, ...]]:
    """``fn``'s results on every call, as float arrays; raises _Failed on the first problem.

    Each call gets fresh copies of the inputs, so a function that works in place cannot
    change the reference. ``one_by_one`` calls ``fn`` on each element separately, with
    Python floats: for a function written with the ``math`` module.
    """
    results = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for call in calls:
            if not one_by_one:
                results.append(_one_call(fn, exercise, call, call.args))
                continue
            shape = call.expected[0].shape
            parts = [_one_call(fn, exercise, call, _element(call.args, i),
                               shapes=[()] * len(exercise.outputs))
                     for i in range(int(np.prod(shape)))]
            results.append(tuple(np.array([p[k] for p in parts]).reshape(e.shape)
                                 for k, e in enumerate(call.expected)))
    return results


def _element(args: tuple, i: int) -> tuple:
    """The arguments of one element: arrays become their i-th entry as a Python float."""
    return tuple(float(a.flat[i]) if isinstance(a, np.ndarray) else a for a in args)


def _one_call(fn, exercise, call, args, shapes=None) -> tuple[np.ndarray, ...]:
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    where = call.where  # "on step 3 of case 2 (lr=0.1, ...)"
    try:
        out = fn(*args)
    except (KeyboardInterrupt, _TimedOut):
        raise
    except NotImplementedError as error:
        raise _Failed("not implemented yet (the function raised NotImplementedError).",
                      error) from None
    except BaseException as error:  # SystemExit too: the learner's code must not end the kernel
        extra = ""
        if isinstance(error, SystemExit):
            extra = " Do not call exit() or sys.exit() in the function."
        elif isinstance(error, TypeError):  # often a different number of arguments
            extra = f" It is called as {exercise.signature}."
        raise _Failed(f"the function raised {_error_text(error)} {where}.{extra}", error) \
            from None
    if out is None:
        raise _Failed(f"the function returned None {where}: did you forget the return statement?")
    names = exercise.outputs
    if len(names) == 1:
        values = (out,)
    else:
        wanted = f"expected a tuple ({', '.join(names)})"
        if not isinstance(out, (tuple, list)):
            raise _Failed(f"the function returned {_kind(out)} {where}; {wanted}.")
        if len(out) != len(names):
            count = f"{len(out)} value{'s' * (len(out) != 1)}"
            raise _Failed(f"the function returned {count} {where}; {wanted}.")
        values = tuple(out)
    shapes = shapes or [e.shape for e in call.expected]
    return tuple(_number_array(name, value, shape, where)
                 for name, value, shape in zip(names, values, shapes))


def _number_array(name: str, value: object, shape: tuple, where: str) -> np.ndarray:
    """``value`` as a float array of the expected shape, or _Failed saying what is wrong."""
    try:
        array = np.array(value)
    except Exception:  # ragged lists and the like
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise _Failed(f"{name} is {_kind(value)}, not a number or an array of numbers {where}.")
    if array.shape != shape:
        raise _Failed(f"{name} has shape {array.shape}, expected {shape} {where}.")
    return array.astype(np.float64)


def _kind(value: object) -> str:
    """'None', 'a float', 'an ndarray'... for messages."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _error_text(error: BaseException) -> str:
    text = " ".join(str(error).split())
    text = text if len(text) <= 100 else text[:97] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _within_time_limit(task: Callable[[], object]) -> object:
    """``task()``, stopped with _TimedOut after TIMEOUT seconds.

    In the main thread (a notebook cell) a SIGALRM timer interrupts the task; elsewhere,
    or where there is no such timer, the task runs in a daemon thread that is abandoned
    when the time is up.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        try:
            return _with_alarm(task, TIMEOUT)
        except _NoAlarm:
            pass
    return _in_thread(task, TIMEOUT)


class _NoAlarm(Exception):
    """SIGALRM cannot be used here (e.g. an embedded interpreter): use a thread instead."""


def _with_alarm(task: Callable[[], object], seconds: float) -> object:
    armed = True

    def on_alarm(signum, frame):
        if armed:
            raise _TimedOut

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except (ValueError, OSError) as error:
        raise _NoAlarm from error
    started = time.monotonic()
    # repeat every 0.1 s, in case the learner's code swallows one (a bare except)
    earlier = signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        try:
            return task()
        finally:
            armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:  # again, should a late alarm have cut the block above short
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier[0] > 0:  # someone else's timer was running: give it back
            left = max(earlier[0] - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, earlier[1])


def _in_thread(task: Callable[[], object], seconds: float) -> object:
    box: dict[str, object] = {}

    def run():
        try:
            box["result"] = task()
        except BaseException as error:  # handed to the caller's thread
            box["error"] = error

    worker = threading.Thread(target=run, daemon=True, name="alr_teach-check")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _TimedOut
    if "error" in box:
        raise box["error"]
    return box["result"]


# -- judging -----------------------------------------------------------------------
_results: dict[str, tuple[bool, str]] = {}


def _check(name: str, fn: Callable) -> bool:
    """Run the exercise ``name`` on ``fn``; print, record and return the verdict."""
    try:
        ok, text = _verdict(_EXERCISES[name], fn)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # a bug in the checker must not look like the learner's
        ok, text = False, f"the checker itself failed ({_error_text(error)}); please report it."
    return _report(name, ok, text)


def _report(name: str, ok: bool, text: str) -> bool:
    message = f"{'PASS' if ok else 'FAIL'} {name}: {text}"
    _results[name] = (ok, message)
    print(message)
    return ok


def _verdict(exercise: Exercise, fn: Callable) -> tuple[bool, str]:
    if not callable(fn):
        return False, (f"expected your function, got {_kind(fn)}: pass the function itself, "
                       f"check_{exercise.name}({exercise.name}), without calling it.")
    calls = _reference(exercise.name)
    try:
        got, one_by_one = _within_time_limit(lambda: _learner_outputs(fn, exercise, calls))
    except _TimedOut:
        return False, (f"no result within {TIMEOUT:g} s, so the check was stopped: "
                       "is there an endless loop?")
    except _Failed as failure:
        return False, failure.message
    bad = next((i for i, (g, call) in enumerate(zip(got, calls))
                if not _same(g, call.expected, equal_nan=False)), None)
    if bad is None:
        steps = _count_steps(calls)
        how = ("" if not one_by_one else
               " Your function works on numbers, not arrays, so it was called per element.")
        return True, f"matches {exercise.reference} on {steps}.{how}"
    return False, _difference(exercise, calls[bad], got[bad]) + "\n  Hint: " + _diagnose(
        exercise, got, bad)


def _learner_outputs(fn, exercise, calls):
    """The learner's results and whether they were computed one element at a time."""
    try:
        return _outputs(fn, exercise, calls), False
    except _Failed as failure:
        if not exercise.elementwise or failure.error is None or isinstance(
                failure.error, (NotImplementedError, SystemExit)):
            raise
        try:  # a function for numbers (math.sqrt...) fails on arrays: try it per element
            return _outputs(fn, exercise, calls, one_by_one=True), True
        except _Failed as per_element:
            # arrays given to math functions raise TypeError: the per-element error is the news
            raise per_element if isinstance(failure.error, TypeError) else failure from None


def _same(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...], equal_nan: bool = True) -> bool:
    return all(np.allclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=equal_nan) for x, y in zip(a, b))


def _count_steps(calls: list[Call]) -> str:
    per_case: dict[int, int] = {}
    for call in calls:
        per_case[call.case] = per_case.get(call.case, 0) + 1
    counts = set(per_case.values())
    each = f"{counts.pop()} steps each" if len(counts) == 1 else f"up to {max(counts)} steps each"
    return f"{len(per_case)} cases ({each})"


def _difference(exercise: Exercise, call: Call, got: tuple[np.ndarray, ...]) -> str:
    """'x differs on step 3 of case 2 (lr=0.1): x[1] expected 0.25, got 0.5; m is right.'"""
    wrong = [k for k, (g, e) in enumerate(zip(got, call.expected))
             if not np.allclose(g, e, rtol=RTOL, atol=ATOL, equal_nan=False)]
    names = [exercise.outputs[k] for k in wrong]
    right = [n for n in exercise.outputs if n not in names]
    first = wrong[0]
    g, e = got[first], call.expected[first]
    close = np.isclose(g, e, rtol=RTOL, atol=ATOL, equal_nan=False)
    index = np.unravel_index(int(np.argmin(close)), e.shape) if e.shape else ()
    label = exercise.outputs[first] + (f"[{', '.join(map(str, index))}]" if index else "")
    shown = _pair(float(e[index]), float(g[index]))
    text = (f"{_join(names)} {'differs' if len(names) == 1 else 'differ'} {call.where}: "
            f"{label} expected {shown[0]}, got {shown[1]}")
    if right:
        text += f"; {_join(right)} {'is' if len(right) == 1 else 'are'} right"
    return text + "."


def _pair(expected: float, got: float) -> tuple[str, str]:
    """Both numbers with 6 significant digits, or more if needed to tell them apart."""
    for digits in range(6, 17):
        shown = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if shown[0] != shown[1]:
            break
    return shown


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _diagnose(exercise: Exercise, got: list, bad: int) -> str:
    """The hint of the known mistake that gives the learner's numbers, else a general one.

    First a mistake that matches on every call; then one that matches on the first wrong
    call (the learner may have made it together with another one).
    """
    table = [(m, r) for m, r in zip(exercise.mistakes, _mistake_results(exercise.name))
             if r is not None]
    for mistake, results in table:
        if all(_same(g, r) for g, r in zip(got, results)):
            return mistake.hint
    for mistake, results in table:
        if _same(got[bad], results[bad]):
            return mistake.hint
    if any(np.isnan(g).any() for g in got[bad]):
        return ("a NaN comes from the square root of a negative number or from 0/0; "
                f"check each line against the rule: {exercise.rule}.")
    return f"check each line against the rule: {exercise.rule}."


# -- the public checkers -----------------------------------------------------------------
def check_gd_step(fn: Callable) -> bool:
    """Check ``gd_step(x, grad, lr) -> x`` against :class:`alr_teach.SGD`."""
    return _check("gd_step", fn)


def check_momentum_step(fn: Callable) -> bool:
    """Check ``momentum_step(x, grad, velocity, lr, momentum) -> (x, velocity)`` against
    :class:`alr_teach.SGD` with momentum (torch's convention: lr outside the velocity)."""
    return _check("momentum_step", fn)


def check_adagrad_step(fn: Callable) -> bool:
    """Check ``adagrad_step(x, grad, sum_sq, lr, eps) -> (x, sum_sq)`` against
    :class:`alr_teach.AdaGrad`."""
    return _check("adagrad_step", fn)


def check_rmsprop_step(fn: Callable) -> bool:
    """Check ``rmsprop_step(x, grad, sq_avg, lr, alpha, eps) -> (x, sq_avg)`` against
    :class:`alr_teach.RMSProp`."""
    return _check("rmsprop_step", fn)


def check_adam_step(fn: Callable) -> bool:
    """Check ``adam_step(x, grad, m, v, t, lr, beta1, beta2, eps) -> (x, m, v)`` against
    :class:`alr_teach.Adam` (t = 1 on the first step; eps outside the root of v_hat)."""
    return _check("adam_step", fn)


def check_adadelta_step(fn: Callable) -> bool:
    """Check ``adadelta_step(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0)
    -> (x, sq_avg, acc_delta)`` against :class:`alr_teach.AdaDelta`."""
    return _check("adadelta_step", fn)


def check_adamw_step(fn: Callable) -> bool:
    """Check ``adamw_step(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay)
    -> (x, m, v)`` against :class:`alr_teach.AdamW` (decay first, scaled by lr)."""
    return _check("adamw_step", fn)


def check_cosine_lr(fn: Callable) -> bool:
    """Check ``cosine_lr(step, total_steps, lr_max, lr_min) -> lr`` against
    :func:`alr_teach.optimizers.schedules.cosine` (lr_max at step 0, lr_min at step total_steps)."""
    return _check("cosine_lr", fn)


def check_value(name: str, got: object, expected: object, *, rtol: float = 1e-6,
                atol: float = 0.0, hint: str = "") -> bool:
    """Check a number (or array) you computed against the expected one; recorded as ``name``.

    Prints ``PASS <name>: ...`` or ``FAIL <name>: ...`` (with ``hint`` on a second line)
    and returns True or False; never raises.

    >>> check_value("half", 0.5, 1 / 2)
    PASS half: 0.5, as expected.
    True
    """
    try:
        ok, text = _compare_values(got, expected, rtol, atol)
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        ok, text = False, f"could not compare the values ({_error_text(error)})."
    if not ok and hint:
        text += f"\n  Hint: {hint}"
    return _report(name, ok, text)


def _compare_values(got, expected, rtol, atol) -> tuple[bool, str]:
    want = np.asarray(expected)
    if want.dtype.kind not in "biuf":
        return False, f"the expected value is {_kind(expected)}, not a number (a bug here)."
    if got is None or isinstance(got, (str, bytes)):
        return False, f"got {_kind(got)}, expected {'a number' if not want.shape else 'numbers'}."
    try:
        have = np.asarray(got)
    except Exception:
        have = None
    if have is None or have.dtype.kind not in "biuf":
        return False, f"got {_kind(got)}, expected a number or an array of numbers."
    if have.shape != want.shape:
        return False, f"got shape {have.shape}, expected shape {want.shape}."
    have, want = have.astype(np.float64), want.astype(np.float64)
    close = np.isclose(have, want, rtol=rtol, atol=atol, equal_nan=True)  # NaN where NaN is due
    if close.all():
        shown = f"{float(have):.6g}" if not have.shape else f"all {have.size} values"
        return True, f"{shown}, as expected."
    index = np.unravel_index(int(np.argmin(close)), want.shape) if want.shape else ()
    label = f"[{', '.join(map(str, index))}] " if index else ""
    shown = _pair(float(want[index]), float(have[index]))
    return False, f"{label}expected {shown[0]}, got {shown[1]}."


def outputs(fn: Callable, cases: list[tuple], name: str | None = None) -> np.ndarray | None:
    """Your ``fn`` called on each case, the results flattened into one float array.

    For exercises whose answer is a function without a checker of its own: compare the
    result with :func:`check_value`. Never raises and never hangs (the same time limit
    as the checkers): if ``fn`` fails, it prints why and returns None, which
    :func:`check_value` then reports as a FAIL.

    >>> outputs(lambda a, b: a * b, [(2, 3), (4, 5)])
    array([ 6., 20.])
    >>> def unfinished(a):
    ...     raise NotImplementedError
    >>> outputs(unfinished, [(1,)]) is None
    unfinished is not written yet (it raises NotImplementedError).
    True
    """
    name = name or getattr(fn, "__name__", "your function")

    def flattened(result):
        if result is None:
            raise _Failed(f"{name} returned None: did you forget the return statement?")
        return np.ravel(np.asarray(result, dtype=float))

    try:
        return _within_time_limit(lambda: np.concatenate([flattened(fn(*c)) for c in cases]))
    except KeyboardInterrupt:
        raise
    except _Failed as failure:
        print(failure)
    except NotImplementedError:
        print(f"{name} is not written yet (it raises NotImplementedError).")
    except _TimedOut:
        print(f"{name} did not finish within {TIMEOUT:g} s (an endless loop?).")
    except BaseException as error:  # the learner's error is reported, never raised
        print(f"{name} raised {_error_text(error)}")
    return None


def passed(name: str) -> bool:
    """True if the latest check called ``name`` passed; False if it failed or never ran."""
    return _results.get(name, (False, ""))[0]


def summary(names: list[str] | None = None) -> bool:
    """Print the latest result of each check (or of each of ``names``); True if all pass.

    One line per check, then ``k of n checks pass``. A name in ``names`` that has not
    been checked yet shows as ``not run yet`` and counts as not passing.
    """
    if isinstance(names, str):  # summary("adam_step"): one name, not its letters
        names = [names]
    shown = list(_results) if names is None else list(names)
    if not shown:
        print("No checks have run yet.")
        return False
    for name in shown:
        if name in _results:
            print(_results[name][1].splitlines()[0])
        else:
            print(f"---- {name}: not run yet")
    passing = sum(passed(name) for name in shown)
    print(f"{passing} of {len(shown)} checks pass")
    return passing == len(shown)
