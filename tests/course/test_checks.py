"""alr_teach.course.checks: right answers pass however they are written, known mistakes fail with
their hint, and nothing a learner's function does can raise, hang or corrupt the checker.

The right answers and the mistakes below are written here, independently of the table
of mistakes inside the module (that table is tested too: each entry must be told apart
from the right answer and earn its own hint).
"""

from __future__ import annotations

import math
import signal
import sys
import threading

import numpy as np
import pytest

from alr_teach import checks

NAMES = ["gd_step", "momentum_step", "adagrad_step", "rmsprop_step", "adam_step",
         "adadelta_step", "adamw_step", "cosine_lr"]
OUTPUTS = {"gd_step": 1, "momentum_step": 2, "adagrad_step": 2, "rmsprop_step": 2,
           "adam_step": 3, "adadelta_step": 3, "adamw_step": 3, "cosine_lr": 1}


@pytest.fixture(autouse=True)
def fresh_results(monkeypatch):
    """Every test starts with no recorded checks."""
    monkeypatch.setattr(checks, "_results", {})


def run(name, fn):
    return getattr(checks, f"check_{name}")(fn)


def printed(capsys) -> str:
    return capsys.readouterr().out


# -- right answers, written in several ways -------------------------------------------------
def gd_pure(x, grad, lr):
    return x - lr * grad


def gd_in_place(x, grad, lr):
    x -= lr * grad
    return x


def gd_list(x, grad, lr):
    return [xi - lr * gi for xi, gi in zip(x, grad)]


def gd_math(x, grad, lr):
    return float(x) - lr * float(grad)


def momentum_pure(x, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return x - lr * velocity, velocity


def momentum_in_place(x, grad, velocity, lr, momentum):
    velocity *= momentum
    velocity += grad
    x -= lr * velocity
    return [x, velocity]


def momentum_math(x, grad, velocity, lr, momentum):
    v = momentum * float(velocity) + float(grad)
    return float(x) - lr * v, v


def adagrad_pure(x, grad, sum_sq, lr, eps):
    sum_sq = sum_sq + grad**2
    return x - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq


def adagrad_in_place(x, grad, sum_sq, lr, eps):
    sum_sq += grad * grad
    x -= lr * grad / (np.sqrt(sum_sq) + eps)
    return x, sum_sq


def adagrad_math(x, grad, sum_sq, lr, eps):
    sum_sq += grad * grad
    return x - lr * grad / (math.sqrt(sum_sq) + eps), sum_sq


def rmsprop_pure(x, grad, sq_avg, lr, alpha, eps):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return x - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def rmsprop_in_place(x, grad, sq_avg, lr, alpha, eps):
    np.multiply(sq_avg, alpha, out=sq_avg)
    sq_avg += (1 - alpha) * np.square(grad)
    np.subtract(x, lr * grad / (np.sqrt(sq_avg) + eps), out=x)
    return x, sq_avg


def rmsprop_math(x, grad, sq_avg, lr, alpha, eps):
    sq_avg = sq_avg + (1 - alpha) * (grad * grad - sq_avg)  # the same average, rearranged
    return x - lr * grad / (math.sqrt(sq_avg) + eps), sq_avg


def adam_pure(x, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_in_place(x, grad, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    x -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return x, m, v


def adam_folded(x, grad, m, v, t, lr, beta1, beta2, eps):
    """Bias corrections folded into the rate and eps (torch's own arithmetic)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    root_c2 = math.sqrt(1 - beta2**t)
    step_size = lr / (1 - beta1**t)
    return x - step_size * m / (np.sqrt(v) / root_c2 + eps), m, v


def adam_math(x, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    return x - lr * (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + eps), m, v


def adadelta_pure(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = rho * sq_avg + (1 - rho) * grad**2
    delta = np.sqrt(acc_delta + eps) / np.sqrt(sq_avg + eps) * grad
    acc_delta = rho * acc_delta + (1 - rho) * delta**2
    return x - lr * delta, sq_avg, acc_delta


def adadelta_in_place(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg *= rho
    sq_avg += (1 - rho) * grad * grad
    delta = np.sqrt((acc_delta + eps) / (sq_avg + eps)) * grad
    acc_delta *= rho
    acc_delta += (1 - rho) * delta * delta
    x -= lr * delta
    return x, sq_avg, acc_delta


def adadelta_math(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = rho * sq_avg + (1 - rho) * grad**2
    delta = math.sqrt(acc_delta + eps) / math.sqrt(sq_avg + eps) * grad
    return x - lr * delta, sq_avg, rho * acc_delta + (1 - rho) * delta**2


def adamw_pure(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_pure(x * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


def adamw_in_place(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    x *= 1 - lr * weight_decay
    return adam_in_place(x, grad, m, v, t, lr, beta1, beta2, eps)


def adamw_as_one_step(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """x - lr * (adam direction + weight_decay * x): the same numbers, written at once."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    direction = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return x - lr * (direction + weight_decay * x), m, v


def adamw_math(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_math(x * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


def cosine_math(step, total_steps, lr_max, lr_min):
    return lr_min + (lr_max - lr_min) * (1 + math.cos(math.pi * step / total_steps)) / 2


def cosine_numpy(step, total_steps, lr_max, lr_min):
    c = np.cos(np.pi * np.asarray(step, dtype=float) / total_steps)
    return lr_max * (1 + c) / 2 + lr_min * (1 - c) / 2


def cosine_sin(step, total_steps, lr_max, lr_min):
    return lr_min + (lr_max - lr_min) * math.cos(math.pi * step / (2 * total_steps)) ** 2


RIGHT = [
    ("gd_step", gd_pure), ("gd_step", gd_in_place), ("gd_step", gd_list), ("gd_step", gd_math),
    ("momentum_step", momentum_pure), ("momentum_step", momentum_in_place),
    ("momentum_step", momentum_math),
    ("adagrad_step", adagrad_pure), ("adagrad_step", adagrad_in_place),
    ("adagrad_step", adagrad_math),
    ("rmsprop_step", rmsprop_pure), ("rmsprop_step", rmsprop_in_place),
    ("rmsprop_step", rmsprop_math),
    ("adam_step", adam_pure), ("adam_step", adam_in_place), ("adam_step", adam_folded),
    ("adam_step", adam_math),
    ("adadelta_step", adadelta_pure), ("adadelta_step", adadelta_in_place),
    ("adadelta_step", adadelta_math),
    ("adamw_step", adamw_pure), ("adamw_step", adamw_in_place),
    ("adamw_step", adamw_as_one_step), ("adamw_step", adamw_math),
    ("cosine_lr", cosine_math), ("cosine_lr", cosine_numpy), ("cosine_lr", cosine_sin),
]


@pytest.mark.parametrize("name, fn", RIGHT, ids=[fn.__name__ for _, fn in RIGHT])
def test_a_right_answer_passes_however_it_is_written(name, fn, capsys):
    assert run(name, fn) is True
    out = printed(capsys)
    assert out.startswith(f"PASS {name}: matches alr_teach.")
    assert out.count("\n") == 1
    assert checks.passed(name)


def test_a_function_for_numbers_is_called_per_element_and_told_so(capsys):
    assert run("adam_step", adam_math)
    assert "called per element" in printed(capsys)
    assert run("adam_step", adam_pure)
    assert "called per element" not in printed(capsys)


def test_the_pass_message_names_the_reference_and_the_cases(capsys):
    run("adam_step", adam_pure)
    assert printed(capsys) == ("PASS adam_step: matches alr_teach.Adam on 4 cases "
                               "(up to 12 steps each).\n")


@pytest.mark.parametrize("name", NAMES)
def test_a_stub_is_not_implemented_yet(name, capsys):
    def stub(*args):
        # YOUR CODE HERE
        raise NotImplementedError()

    assert run(name, stub) is False
    assert printed(capsys) == (f"FAIL {name}: not implemented yet (the function raised "
                               "NotImplementedError).\n")


# -- mistakes, each with the hint it must earn (None: only that it fails) -----------------------
def _adam_parts(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad**2


def adam_no_bias(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    return x - lr * m / (np.sqrt(v) + eps), m, v


def adam_t_plus_one(x, grad, m, v, t, lr, beta1, beta2, eps):
    return adam_pure(x, grad, m, v, t + 1, lr, beta1, beta2, eps)[0], *_adam_parts(
        grad, m, v, beta1, beta2)


def adam_t_minus_one(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** (t - 1)), v / (1 - beta2 ** (t - 1))
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_only_m_corrected(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    return x - lr * m / (1 - beta1**t) / (np.sqrt(v) + eps), m, v


def adam_only_v_corrected(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    return x - lr * m / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_swapped_betas(x, grad, m, v, t, lr, beta1, beta2, eps):
    return adam_pure(x, grad, m, v, t, lr, beta2, beta1, eps)


def adam_g_not_squared(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad
    return x - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_eps_inside(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    return x - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def adam_eps_hat(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
    return x - lr_t * m / (np.sqrt(v) + eps), m, v


def adam_returns_hats(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * m / (np.sqrt(v) + eps), m, v


def adam_sums(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = beta1 * m + grad, beta2 * v + grad**2
    return x - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_power_of_difference(x, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    return x - lr * (m / (1 - beta1) ** t) / (np.sqrt(v / (1 - beta2) ** t) + eps), m, v


def adam_sign(x, grad, m, v, t, lr, beta1, beta2, eps):
    new_x, m, v = adam_pure(x, grad, m, v, t, lr, beta1, beta2, eps)
    return x + (x - new_x), m, v


def adam_old_moments(x, grad, m, v, t, lr, beta1, beta2, eps):
    new_x = x - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return new_x, *_adam_parts(grad, m, v, beta1, beta2)


def adam_no_lr(x, grad, m, v, t, lr, beta1, beta2, eps):
    return adam_pure(x, grad, m, v, t, 1.0, beta1, beta2, eps)


def adam_two_mistakes(x, grad, m, v, t, lr, beta1, beta2, eps):
    """No bias correction and eps inside the root: no single known mistake matches."""
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    return x - lr * m / np.sqrt(v + eps), m, v


def adamw_l2(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_pure(x, grad + weight_decay * x, m, v, t, lr, beta1, beta2, eps)


def adamw_decay_not_scaled(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_pure(x - weight_decay * x, grad, m, v, t, lr, beta1, beta2, eps)


def adamw_no_decay(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_pure(x, grad, m, v, t, lr, beta1, beta2, eps)


def adamw_decay_after(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    x, m, v = adam_pure(x, grad, m, v, t, lr, beta1, beta2, eps)
    return x - lr * weight_decay * x, m, v


def adamw_decay_grows(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_pure(x + lr * weight_decay * x, grad, m, v, t, lr, beta1, beta2, eps)


def adamw_no_bias(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_no_bias(x * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


def adamw_eps_inside(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return adam_eps_inside(x * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


def _adadelta_delta(acc_delta, sq_avg, grad, eps):
    return np.sqrt(acc_delta + eps) / np.sqrt(sq_avg + eps) * grad


def adadelta_acc_first(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = rho * sq_avg + (1 - rho) * grad**2
    acc_delta = rho * acc_delta + (1 - rho) * grad**2
    delta = _adadelta_delta(acc_delta, sq_avg, grad, eps)
    return x - lr * delta, sq_avg, acc_delta


def adadelta_acc_from_grad(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = rho * sq_avg + (1 - rho) * grad**2
    delta = _adadelta_delta(acc_delta, sq_avg, grad, eps)
    return x - lr * delta, sq_avg, rho * acc_delta + (1 - rho) * grad**2


def adadelta_acc_from_step(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = rho * sq_avg + (1 - rho) * grad**2
    step = lr * _adadelta_delta(acc_delta, sq_avg, grad, eps)
    return x - step, sq_avg, rho * acc_delta + (1 - rho) * step**2


def adadelta_eps_outside(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = rho * sq_avg + (1 - rho) * grad**2
    delta = (np.sqrt(acc_delta) + eps) / (np.sqrt(sq_avg) + eps) * grad
    return x - lr * delta, sq_avg, rho * acc_delta + (1 - rho) * delta**2


def adadelta_inverted(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = rho * sq_avg + (1 - rho) * grad**2
    delta = np.sqrt(sq_avg + eps) / np.sqrt(acc_delta + eps) * grad
    return x - lr * delta, sq_avg, rho * acc_delta + (1 - rho) * delta**2


def adadelta_sq_after(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    delta = _adadelta_delta(acc_delta, sq_avg, grad, eps)
    sq_avg = rho * sq_avg + (1 - rho) * grad**2
    return x - lr * delta, sq_avg, rho * acc_delta + (1 - rho) * delta**2


def adadelta_no_lr(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    return adadelta_pure(x, grad, sq_avg, acc_delta, rho, eps)


def adadelta_swapped_rho(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    return adadelta_pure(x, grad, sq_avg, acc_delta, 1 - rho, eps, lr)


def adadelta_g_not_squared(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = rho * sq_avg + (1 - rho) * grad
    delta = _adadelta_delta(acc_delta, sq_avg, grad, eps)
    return x - lr * delta, sq_avg, rho * acc_delta + (1 - rho) * delta**2


def adadelta_sums(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    sq_avg = sq_avg + grad**2
    delta = _adadelta_delta(acc_delta, sq_avg, grad, eps)
    return x - lr * delta, sq_avg, acc_delta + delta**2


def adadelta_sign(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    new_x, sq_avg, acc_delta = adadelta_pure(x, grad, sq_avg, acc_delta, rho, eps, lr)
    return 2 * x - new_x, sq_avg, acc_delta


def _with_cos(c, lr_max, lr_min):
    return lr_min + (lr_max - lr_min) * (1 + c) / 2


MISTAKES = [
    # gd_step
    ("gd_step", lambda x, grad, lr: x + lr * grad, "step against the gradient"),
    ("gd_step", lambda x, grad, lr: x - grad, "multiply the step by the learning rate"),
    ("gd_step", lambda x, grad, lr: -lr * grad, "return the new x"),
    ("gd_step", lambda x, grad, lr: x - grad / lr, "do not divide"),
    ("gd_step", lambda x, grad, lr: x - lr * lr * grad, None),
    # momentum_step
    ("momentum_step", lambda x, g, b, lr, mu: (x + lr * (mu * b + g), mu * b + g),
     "step against the gradient"),
    ("momentum_step", lambda x, g, b, lr, mu: (x - (mu * b + g), mu * b + g), "learning rate"),
    ("momentum_step", lambda x, g, b, lr, mu: (x + mu * b - lr * g, mu * b - lr * g),
     "keep lr out of the velocity"),
    ("momentum_step", lambda x, g, b, lr, mu: (x - mu * b - lr * g, mu * b + lr * g),
     "keep lr out of the velocity"),
    ("momentum_step", lambda x, g, b, lr, mu: (x - lr * (mu * b + (1 - mu) * g),
                                               mu * b + (1 - mu) * g), "dampening"),
    ("momentum_step", lambda x, g, b, lr, mu: (x - lr * b, mu * b + g),
     "update the velocity first"),
    ("momentum_step", lambda x, g, b, lr, mu: (x - lr * g, g), "remember past gradients"),
    ("momentum_step", lambda x, g, b, lr, mu: (x - lr * (b + mu * g), b + mu * g),
     "momentum multiplies the old velocity"),
    ("momentum_step", lambda x, g, b, lr, mu: (x - lr * (g + mu * (mu * b + g)), mu * b + g),
     "Nesterov"),
    # adagrad_step
    ("adagrad_step", lambda x, g, s, lr, eps: (x + lr * g / (np.sqrt(s + g * g) + eps),
                                               s + g * g), "step against the gradient"),
    ("adagrad_step", lambda x, g, s, lr, eps: (x - g / (np.sqrt(s + g * g) + eps), s + g * g),
     "learning rate"),
    ("adagrad_step", lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(s + g) + eps), s + g),
     "*squared* gradient"),
    ("adagrad_step", lambda x, g, s, lr, eps: (x - lr * g / np.sqrt(s + g * g + eps), s + g * g),
     "eps goes outside the square root"),
    ("adagrad_step", lambda x, g, s, lr, eps: (
        x - lr * g / (np.sqrt(0.9 * s + 0.1 * g * g) + eps), 0.9 * s + 0.1 * g * g),
     "AdaGrad *sums*"),
    ("adagrad_step", lambda x, g, s, lr, eps: (x - lr * g / (np.sqrt(s) + eps), s + g * g),
     "add grad**2 to sum_sq first"),
    ("adagrad_step", lambda x, g, s, lr, eps: (x - lr * g / (s + g * g + eps), s + g * g),
     "divide by the square root"),
    # rmsprop_step
    ("rmsprop_step", lambda x, g, s, lr, a, eps: (x - lr * g / (np.sqrt(s + g * g) + eps),
                                                  s + g * g), "not a sum"),
    ("rmsprop_step", lambda x, g, s, lr, a, eps: rmsprop_pure(x, g, s, lr, 1 - a, eps),
     "look swapped"),
    ("rmsprop_step", lambda x, g, s, lr, a, eps: (  # two mistakes: a sum, eps inside
        x - lr * g / np.sqrt(s + g * g + eps), s + g * g), None),
    ("rmsprop_step", lambda x, g, s, lr, a, eps: (
        x - lr * g / np.sqrt(a * s + (1 - a) * g * g + eps), a * s + (1 - a) * g * g),
     "eps goes outside the square root"),
    ("rmsprop_step", lambda x, g, s, lr, a, eps: (
        x - lr * g / (np.sqrt(a * s + (1 - a) * g) + eps), a * s + (1 - a) * g),
     "*squared* gradient"),
    ("rmsprop_step", lambda x, g, s, lr, a, eps: (
        x - lr * g / (np.sqrt(s) + eps), a * s + (1 - a) * g * g), "update sq_avg first"),
    ("rmsprop_step", lambda x, g, s, lr, a, eps: (
        x - lr * g / (np.sqrt(a * s + g * g) + eps), a * s + g * g), "(1 - alpha)"),
    ("rmsprop_step", lambda x, g, s, lr, a, eps: rmsprop_pure(x, g, s, 1.0, a, eps),
     "learning rate"),
    # adam_step
    ("adam_step", adam_no_bias, "bias-correct m and v"),
    ("adam_step", adam_t_plus_one, "not 1 - beta1**(t + 1)"),
    ("adam_step", adam_t_minus_one, "not 1 - beta1**(t - 1)"),
    ("adam_step", adam_only_m_corrected, "bias-correct v too"),
    ("adam_step", adam_only_v_corrected, "bias-correct m too"),
    ("adam_step", adam_swapped_betas, "look swapped"),
    ("adam_step", adam_g_not_squared, "*squared* gradient"),
    ("adam_step", adam_eps_inside, "eps goes outside the square root"),
    ("adam_step", adam_eps_hat, "after the bias correction"),
    ("adam_step", adam_returns_hats, "raw moments"),
    ("adam_step", adam_sums, "moving averages"),
    ("adam_step", adam_power_of_difference, "not (1 - beta1)**t"),
    ("adam_step", adam_sign, "step against the gradient"),
    ("adam_step", adam_old_moments, "update m and v first"),
    ("adam_step", adam_no_lr, "learning rate"),
    ("adam_step", adam_two_mistakes, "check each line against the rule"),
    # adamw_step
    ("adamw_step", adamw_l2, "L2"),
    ("adamw_step", adamw_decay_not_scaled, "scale the decay by the learning rate"),
    ("adamw_step", adamw_no_decay, "shrink the weights first"),
    ("adamw_step", adamw_decay_after, "*before* the Adam step"),
    ("adamw_step", adamw_decay_grows, "the decay shrinks x"),
    ("adamw_step", adamw_no_bias, "bias-correct m and v"),
    ("adamw_step", adamw_eps_inside, "eps goes outside the square root"),
    # adadelta_step
    ("adadelta_step", adadelta_acc_first, "compute delta with the *old* acc_delta"),
    ("adadelta_step", adadelta_acc_from_grad, "delta**2, not grad**2"),
    ("adadelta_step", adadelta_acc_from_step, "not (lr * delta)**2"),
    ("adadelta_step", adadelta_eps_outside, "eps goes inside both square roots"),
    ("adadelta_step", adadelta_inverted, "not the other way round"),
    ("adadelta_step", adadelta_sq_after, "update sq_avg with grad**2 *before*"),
    ("adadelta_step", adadelta_no_lr, "multiply the step by lr at the end"),
    ("adadelta_step", adadelta_swapped_rho, "look swapped"),
    ("adadelta_step", adadelta_g_not_squared, "*squared* gradient"),
    ("adadelta_step", adadelta_sums, "not sums"),
    ("adadelta_step", adadelta_sign, "step against the gradient"),
    # two mistakes; case 1 has lr = 1, where only the sign error shows: named from there
    ("adadelta_step", lambda x, g, s, d, rho, eps, lr: adadelta_sign(x, g, s, d, rho, eps),
     "step against the gradient"),
    # cosine_lr
    ("cosine_lr", lambda s, n, hi, lo: _with_cos(-math.cos(math.pi * s / n), hi, lo),
     "must start at lr_max"),
    ("cosine_lr", lambda s, n, hi, lo: _with_cos(math.cos(2 * math.pi * s / n), hi, lo),
     "half a cosine wave"),
    ("cosine_lr", lambda s, n, hi, lo: _with_cos(math.cos(math.pi * s / (n - 1)), hi, lo),
     "not total_steps - 1"),
    ("cosine_lr", lambda s, n, hi, lo: _with_cos(math.cos(math.pi * (s + 1) / n), hi, lo),
     "not step + 1"),
    ("cosine_lr", lambda s, n, hi, lo: lo + (hi - lo) * (1 + math.cos(math.pi * s / n)),
     "halve it"),
    ("cosine_lr", lambda s, n, hi, lo: hi * (1 + math.cos(math.pi * s / n)) / 2,
     "the curve ends at lr_min"),
    ("cosine_lr", lambda s, n, hi, lo: lo + hi * (1 + math.cos(math.pi * s / n)) / 2,
     "scale the cosine"),
    ("cosine_lr", lambda s, n, hi, lo: _with_cos(math.cos(s / n * 180), hi, lo), None),
    ("cosine_lr", lambda s, n, hi, lo: _with_cos(math.cos(s / n), hi, lo), "radians"),
    ("cosine_lr", lambda s, n, hi, lo: hi + (lo - hi) * s / n, "straight line"),
]


@pytest.mark.parametrize("name, fn, hint", MISTAKES,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(MISTAKES)])
def test_a_mistake_fails_with_its_hint(name, fn, hint, capsys):
    assert run(name, fn) is False
    out = printed(capsys)
    lines = out.splitlines()
    assert lines[0].startswith(f"FAIL {name}: ")
    assert " expected " in lines[0] and ", got " in lines[0]
    assert len(lines) == 2 and lines[1].startswith("  Hint: ")
    if hint is not None:
        assert hint in lines[1]
    assert not checks.passed(name)


def test_there_are_enough_mistakes_for_every_checker():
    counts = {name: sum(n == name for n, _, _ in MISTAKES) for name in NAMES}
    assert sum(counts.values()) >= 40
    assert min(counts.values()) >= 4


KNOWN = [(name, i) for name in NAMES for i in range(len(checks._EXERCISES[name].mistakes))]


@pytest.mark.parametrize("name, i", KNOWN, ids=[f"{n}-{i}" for n, i in KNOWN])
def test_each_known_mistake_in_the_module_is_told_apart(name, i, capsys):
    """The cases must separate every mistake from the right answer and from the mistakes
    listed before it (else a hint would be shadowed)."""
    mistake = checks._EXERCISES[name].mistakes[i]
    assert run(name, mistake.fn) is False
    assert printed(capsys).splitlines()[1] == f"  Hint: {mistake.hint}"


def test_the_message_says_which_output_is_wrong_and_which_are_right(capsys):
    run("adam_step", adam_returns_hats)
    first = printed(capsys).splitlines()[0]
    assert first.startswith("FAIL adam_step: m and v differ on step 1 of case 1 (lr=0.1, "
                            "beta1=0.9, beta2=0.999, eps=1e-08): m[1] expected ")
    assert first.endswith("; x is right.")


def test_the_first_wrong_step_is_reported_with_the_step_t(capsys):
    # right on t = 1 (where 1 - beta**t = 1 - beta), wrong from t = 2 on
    run("adam_step", adam_power_of_difference)
    assert "x differs on step 2 of case 1 " in printed(capsys)


def test_the_tolerance_is_tight_enough_for_subtle_mistakes(capsys):
    assert run("gd_step", lambda x, grad, lr: x - lr * grad * (1 + 1e-9))
    assert not run("gd_step", lambda x, grad, lr: x - lr * grad * (1 + 1e-4))
    assert "Hint: check each line against the rule: x = x - lr * grad." in printed(capsys)


def test_numbers_are_shown_with_enough_digits_to_differ():
    assert checks._pair(1.0, 1.0 + 1e-9) == ("1", "1.000000001")
    assert checks._pair(0.25, float("nan")) == ("0.25", "nan")


def test_messages_are_reproducible(capsys):
    run("adadelta_step", adadelta_acc_first)
    first = printed(capsys)
    run("adadelta_step", adadelta_acc_first)
    assert printed(capsys) == first


# -- functions that misbehave -------------------------------------------------------------
def _shape_of(args):
    return np.shape(args[0])


def returns_none(*args):
    return None


def raises_value_error(*args):
    raise ValueError("boom")


def _all(name, make):
    """A function returning ``make(shape)`` for each of the exercise's outputs."""
    def fn(*args):
        values = [make(_shape_of(args)) for _ in range(OUTPUTS[name])]
        return values[0] if OUTPUTS[name] == 1 else tuple(values)
    return fn


@pytest.mark.parametrize("name", NAMES)
def test_none_is_reported(name, capsys):
    assert run(name, returns_none) is False
    out = printed(capsys)
    assert out.startswith(f"FAIL {name}: the function returned None on step ")
    assert out.endswith(": did you forget the return statement?\n")


@pytest.mark.parametrize("name", NAMES)
def test_an_exception_is_named(name, capsys):
    assert run(name, raises_value_error) is False
    assert f"FAIL {name}: the function raised ValueError: boom on step " in printed(capsys)


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_shape_is_reported(name, capsys):
    assert run(name, _all(name, lambda shape: np.zeros(7))) is False
    assert "has shape (7,), expected " in printed(capsys)


@pytest.mark.parametrize("name", NAMES)
def test_nan_is_a_wrong_value(name, capsys):
    assert run(name, _all(name, lambda shape: np.full(shape, np.nan))) is False
    out = printed(capsys)
    assert ", got nan" in out and "Hint: a NaN comes from" in out


@pytest.mark.parametrize("name", [n for n in NAMES if OUTPUTS[n] > 1])
def test_a_wrong_number_of_values_is_reported(name, capsys):
    too_many = _all(name, lambda shape: np.zeros(shape))
    assert run(name, lambda *args: (*too_many(*args), 0.0)) is False
    assert f"returned {OUTPUTS[name] + 1} values on step 1" in printed(capsys)
    assert run(name, lambda *args: args[0]) is False  # only x
    assert "expected a tuple (x, " in printed(capsys)


@pytest.mark.parametrize("name", NAMES)
def test_an_endless_loop_is_stopped(name, capsys, monkeypatch):
    monkeypatch.setattr(checks, "TIMEOUT", 0.2)

    def endless(*args):
        while True:
            pass

    assert run(name, endless) is False
    assert printed(capsys) == (f"FAIL {name}: no result within 0.2 s, so the check was "
                               "stopped: is there an endless loop?\n")


def test_an_endless_loop_is_stopped_outside_the_main_thread(capsys, monkeypatch):
    monkeypatch.setattr(checks, "TIMEOUT", 0.2)
    stop, verdict = threading.Event(), []

    def endless(*args):
        while not stop.is_set():
            pass

    worker = threading.Thread(target=lambda: verdict.append(run("gd_step", endless)))
    try:
        worker.start()
        worker.join(10)
    finally:
        stop.set()  # let the abandoned call end
    assert verdict == [False]
    assert "no result within 0.2 s" in printed(capsys)


def test_the_alarm_handler_is_put_back(monkeypatch):
    monkeypatch.setattr(checks, "TIMEOUT", 0.2)
    before = signal.getsignal(signal.SIGALRM)
    run("gd_step", gd_pure)
    run("gd_step", lambda *args: exec("while True: pass"))
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("name", NAMES)
def test_sys_exit_does_not_end_the_session(name, capsys):
    assert run(name, lambda *args: sys.exit(1)) is False
    assert "raised SystemExit: 1" in printed(capsys)


def test_keyboard_interrupt_still_interrupts():
    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run("gd_step", interrupted)


def test_a_wrong_signature_shows_how_the_function_is_called(capsys):
    assert run("adadelta_step", lambda x, grad, sq_avg, acc_delta, rho: x) is False
    out = printed(capsys)
    assert "raised TypeError" in out
    assert "It is called as adadelta_step(x, grad, sq_avg, acc_delta, rho, eps, lr)" in out


@pytest.mark.parametrize("value", [None, 3, adam_pure(1.0, 1.0, 0.0, 0.0, 1, 0.1, 0.9, 0.9,
                                                       1e-8)])
def test_something_that_is_not_a_function_is_reported(value, capsys):
    assert run("adam_step", value) is False
    assert "pass the function itself, check_adam_step(adam_step)" in printed(capsys)


def test_non_numbers_are_reported(capsys):
    assert run("momentum_step", lambda x, g, b, lr, mu: ("x", b)) is False
    assert "x is a str, not a number" in printed(capsys)
    assert run("momentum_step", lambda x, g, b, lr, mu: (x - lr * g, None)) is False
    assert "velocity is None, not a number" in printed(capsys)


def test_changing_the_inputs_in_place_does_not_touch_the_reference(capsys):
    def vandal(x, grad, m, v, t, lr, beta1, beta2, eps):
        result = adam_pure(x, grad, m, v, t, lr, beta1, beta2, eps)
        for array in (x, grad, m, v):
            array[:] = 1e6
        return result

    assert run("adam_step", vandal)
    assert run("adam_step", adam_in_place)
    assert run("adam_step", adam_pure)


def test_a_bug_in_the_checker_is_reported_not_raised(monkeypatch, capsys):
    def broken(name):
        raise RuntimeError("oops")

    monkeypatch.setattr(checks, "_reference", broken)
    assert run("gd_step", gd_pure) is False
    assert "the checker itself failed (RuntimeError: oops)" in printed(capsys)


# -- check_value, passed, summary -----------------------------------------------------
@pytest.mark.parametrize("got, expected, kwargs, ok", [
    (0.5, 0.5, {}, True),
    (0.5 + 1e-9, 0.5, {}, True),
    (0.51, 0.5, {}, False),
    (0.51, 0.5, {"rtol": 0.1}, True),
    (1e-9, 0.0, {}, False),
    (1e-9, 0.0, {"atol": 1e-8}, True),
    ([1, 2, 3], np.array([1.0, 2.0, 3.0]), {}, True),
    ([1, 2, 4], [1, 2, 3], {}, False),
    (True, True, {}, True),
    (float("nan"), 1.0, {}, False),
    ([1.0, float("nan")], [1.0, float("nan")], {}, True),  # e.g. a rate where grad == 0
    ([1.0, 2.0], [1.0, float("nan")], {}, False),
])
def test_check_value_compares_numbers(got, expected, kwargs, ok, capsys):
    assert checks.check_value("answer", got, expected, **kwargs) is ok
    assert printed(capsys).startswith(f"{'PASS' if ok else 'FAIL'} answer: ")
    assert checks.passed("answer") is ok


@pytest.mark.parametrize("got, text", [
    (None, "got None, expected a number."),
    ("0.5", "got a str, expected a number."),
    ([1.0, 2.0], "got shape (2,), expected shape ()."),
    ({"a": 1}, "got a dict, expected a number or an array of numbers."),
    ([[1.0], [1.0, 2.0]], "got a list, expected a number or an array of numbers."),
])
def test_check_value_never_raises(got, text, capsys):
    assert checks.check_value("answer", got, 0.5) is False
    assert printed(capsys) == f"FAIL answer: {text}\n"


def test_check_value_shows_the_first_difference_and_the_hint(capsys):
    assert not checks.check_value("curve", [1.0, 2.0, 3.5], [1.0, 2.0, 3.0], hint="count again")
    assert printed(capsys) == "FAIL curve: [2] expected 3, got 3.5.\n  Hint: count again\n"
    assert checks.check_value("curve", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], hint="count again")
    assert printed(capsys) == "PASS curve: all 3 values, as expected.\n"


def test_check_value_with_a_bad_expected_value_fails_politely(capsys):
    assert checks.check_value("answer", 1.0, "one") is False
    assert "the expected value is a str" in printed(capsys)


def test_passed_follows_the_latest_check():
    assert not checks.passed("gd_step")
    assert run("gd_step", gd_pure)
    assert checks.passed("gd_step")
    assert not run("gd_step", returns_none)
    assert not checks.passed("gd_step")


def test_summary_lists_the_latest_results(capsys):
    assert checks.summary() is False
    assert printed(capsys) == "No checks have run yet.\n"
    run("gd_step", returns_none)
    run("cosine_lr", cosine_math)
    run("gd_step", gd_pure)
    checks.check_value("answer", 1, 2, hint="not shown in the summary")
    printed(capsys)
    assert checks.summary() is False
    assert printed(capsys).splitlines() == [
        "PASS gd_step: matches alr_teach.SGD on 3 cases (3 steps each).",
        "PASS cosine_lr: matches alr_teach.optimizers.schedules.cosine on 3 cases"
        " (up to 11 steps each).",
        "FAIL answer: expected 2, got 1.",
        "2 of 3 checks pass",
    ]
    assert checks.summary(["gd_step", "cosine_lr"]) is True
    assert printed(capsys).splitlines()[-1] == "2 of 2 checks pass"
    assert checks.summary(["gd_step", "adam_step"]) is False
    assert printed(capsys).splitlines()[1:] == ["---- adam_step: not run yet", "1 of 2 checks pass"]


def test_outputs_flattens_results_and_reports_failures_without_raising(capsys, monkeypatch):
    from alr_teach import checks

    got = checks.outputs(lambda a: (a, 2 * a), [(1.0,), (np.array([2.0, 3.0]),)])
    assert got.tolist() == [1.0, 2.0, 2.0, 3.0, 4.0, 6.0]

    def broken(a):
        raise ValueError("no")

    def endless(a):
        while True:
            pass

    monkeypatch.setattr(checks, "TIMEOUT", 0.2)
    assert checks.outputs(broken, [(1,)]) is None
    assert checks.outputs(endless, [(1,)]) is None
    assert checks.outputs(lambda a: None, [(1,)], name="mine") is None
    out = capsys.readouterr().out
    assert "broken raised ValueError: no" in out and "did not finish within 0.2 s" in out
    assert "mine returned None: did you forget the return statement?" in out
