"""Hand-written oracles: the first step(s) of every optimizer, worked out from the papers.

Each expected value is computed here, in the test, from the update rule as published
(with torch's conventions where the package documents that it follows them), never by
calling alr_teach. Inputs mix signs, scales and an exact zero gradient.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, AdaDelta, AdaGrad, Adam, AdamW, RMSProp

RTOL = 1e-13

X0 = np.array([1.0, -2.0, 0.5, 3.0])
G1 = np.array([0.5, 4.0, -1.0, 0.0])  # the last coordinate has a zero gradient
G2 = np.array([-0.25, 3.0, 2.0, 0.0])


@pytest.fixture(params=["small", "large"])
def xg(request):
    """(x0, g1, g2): the small example, or the same values tiled into a large array
    (about 330,000 elements: the rules give the same numbers at any size)."""
    if request.param == "small":
        return X0, G1, G2
    reps = 5 * 2**17 // 8 + 3
    return np.tile(X0, reps), np.tile(G1, reps), np.tile(G2, reps)


# -- SGD ------------------------------------------------------------------------------
def test_sgd_plain_step_literal():
    """Plain SGD is x - lr*g (numbers worked out by hand)."""
    new = SGD(lr=0.1).step(X0, G1)
    assert_allclose(new, [0.95, -2.4, 0.6, 3.0], rtol=RTOL)


def test_sgd_weight_decay_is_added_to_gradient():
    """Coupled L2 decay: the step uses g + weight_decay * x."""
    new = SGD(lr=0.1, weight_decay=0.1).step(X0, G1)
    # g + 0.1 x = [0.6, 3.8, -0.95, 0.3]
    assert_allclose(new, [0.94, -2.38, 0.595, 2.97], rtol=RTOL)


def test_sgd_momentum_two_steps_with_dampening(xg):
    """b_1 = g_1 (undamped), b_2 = mu b_1 + (1 - tau) g_2, x <- x - lr b."""
    X0, G1, G2 = xg
    lr, mu, tau = 0.1, 0.9, 0.3
    opt = SGD(lr=lr, momentum=mu, dampening=tau)
    x1 = opt.step(X0, G1)
    assert_allclose(x1, X0 - lr * G1, rtol=RTOL)
    assert_allclose(opt.state["velocity"], G1, rtol=RTOL)
    x2 = opt.step(x1, G2)
    b2 = mu * G1 + (1 - tau) * G2
    assert_allclose(opt.state["velocity"], b2, rtol=RTOL)
    assert_allclose(x2, X0 - lr * G1 - lr * b2, rtol=RTOL)


def test_sgd_nesterov_two_steps(xg):
    """Nesterov (torch form): d = g + mu * b, with b_1 = g_1 and b_2 = mu b_1 + g_2."""
    X0, G1, G2 = xg
    lr, mu = 0.05, 0.8
    opt = SGD(lr=lr, momentum=mu, nesterov=True)
    x1 = opt.step(X0, G1)
    assert_allclose(x1, X0 - lr * (G1 + mu * G1), rtol=RTOL)
    x2 = opt.step(x1, G2)
    b2 = mu * G1 + G2
    assert_allclose(x2, x1 - lr * (G2 + mu * b2), rtol=RTOL)


# -- AdaGrad --------------------------------------------------------------------------
def test_adagrad_first_step_is_lr_times_sign():
    """With G_0 = 0 the first step is lr * g / (|g| + eps): about lr * sign(g), 0 where g = 0."""
    lr = 0.3
    new = AdaGrad(lr=lr).step(X0, G1)
    assert_allclose(new, X0 - lr * np.sign(G1), rtol=1e-9)
    assert new[3] == X0[3]


def test_adagrad_two_steps_with_accumulator_and_lr_decay(xg):
    """G_t = G_0 + sum g^2, eta_t = lr / (1 + (t-1) lr_decay), eps outside the root."""
    X0, G1, G2 = xg
    lr, decay, g0, eps = 0.5, 0.2, 0.1, 1e-3
    opt = AdaGrad(lr=lr, lr_decay=decay, initial_accumulator_value=g0, eps=eps)
    x1 = opt.step(X0, G1)
    s1 = g0 + G1**2
    assert_allclose(opt.state["sum_sq"], s1, rtol=RTOL)
    assert_allclose(x1, X0 - lr * G1 / (np.sqrt(s1) + eps), rtol=RTOL)
    x2 = opt.step(x1, G2)
    s2 = s1 + G2**2
    assert_allclose(x2, x1 - lr / (1 + decay) * G2 / (np.sqrt(s2) + eps), rtol=RTOL)


def test_adagrad_weight_decay_enters_accumulator():
    """L2 decay is folded into g before it is squared and summed."""
    lr, wd = 0.1, 0.5
    opt = AdaGrad(lr=lr, weight_decay=wd, eps=1e-10)
    x1 = opt.step(X0, G1)
    g = G1 + wd * X0
    assert_allclose(opt.state["sum_sq"], g**2, rtol=RTOL)
    assert_allclose(x1, X0 - lr * g / (np.abs(g) + 1e-10), rtol=RTOL)


# -- RMSProp --------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.0, 0.9, 0.99])
def test_rmsprop_first_step(alpha):
    """E[g^2]_1 = (1 - alpha) g^2; x <- x - lr g / (sqrt(E[g^2]) + eps)."""
    lr, eps = 0.01, 1e-8
    opt = RMSProp(lr=lr, alpha=alpha, eps=eps)
    x1 = opt.step(X0, G1)
    sq = (1 - alpha) * G1**2
    assert_allclose(opt.state["sq_avg"], sq, rtol=RTOL)
    assert_allclose(x1, X0 - lr * G1 / (np.sqrt(1 - alpha) * np.abs(G1) + eps), rtol=1e-12)


def test_rmsprop_two_steps_plain(xg):
    """Second step of plain RMSProp with alpha = 0.9."""
    X0, G1, G2 = xg
    lr, a, eps = 0.01, 0.9, 1e-6
    opt = RMSProp(lr=lr, alpha=a, eps=eps)
    x1 = opt.step(X0, G1)
    x2 = opt.step(x1, G2)
    sq2 = a * (1 - a) * G1**2 + (1 - a) * G2**2
    assert_allclose(x2, x1 - lr * G2 / (np.sqrt(sq2) + eps), rtol=1e-12)


def test_rmsprop_centered_first_step(xg):
    """Centered: r = sqrt(E[g^2] - gbar^2) = sqrt(alpha (1 - alpha)) |g| on step 1."""
    X0, G1, G2 = xg
    lr, a, eps = 0.01, 0.9, 1e-8
    opt = RMSProp(lr=lr, alpha=a, eps=eps, centered=True)
    x1 = opt.step(X0, G1)
    r = np.sqrt(a * (1 - a)) * np.abs(G1)
    assert_allclose(x1, X0 - lr * G1 / (r + eps), rtol=1e-12)
    assert_allclose(opt.state["grad_avg"], (1 - a) * G1, rtol=RTOL)
    assert_allclose(opt.state["sq_avg"], (1 - a) * G1**2, rtol=RTOL)


def test_rmsprop_momentum_two_steps(xg):
    """torch form: b = mu b + g / (r + eps), x <- x - lr b."""
    X0, G1, G2 = xg
    lr, a, mu, eps = 0.01, 0.5, 0.9, 1e-8
    opt = RMSProp(lr=lr, alpha=a, momentum=mu, eps=eps)
    x1 = opt.step(X0, G1)
    b1 = G1 / (np.sqrt((1 - a) * G1**2) + eps)
    assert_allclose(x1, X0 - lr * b1, rtol=1e-12)
    x2 = opt.step(x1, G2)
    sq2 = a * (1 - a) * G1**2 + (1 - a) * G2**2
    b2 = mu * b1 + G2 / (np.sqrt(sq2) + eps)
    assert_allclose(opt.state["velocity"], b2, rtol=1e-12)
    assert_allclose(x2, x1 - lr * b2, rtol=1e-12)


# -- Adam / AdamW ---------------------------------------------------------------------
def test_adam_first_step_moves_by_lr_sign_g():
    """Bias correction makes step 1 equal lr * g / (|g| + eps): lr*sign(g), 0 for g = 0."""
    lr = 0.01
    x1 = Adam(lr=lr).step(X0, G1)
    moved = X0 - x1
    nz = G1 != 0
    assert_allclose(moved[nz], lr * np.sign(G1[nz]), rtol=1e-7)
    assert moved[3] == 0.0


def test_adam_two_steps_exact(xg):
    """m, v moving averages, m_hat = m/(1-b1^t), v_hat = v/(1-b2^t), eps outside the root."""
    X0, G1, G2 = xg
    lr, b1, b2, eps = 0.1, 0.8, 0.95, 1e-3
    opt = Adam(lr=lr, betas=(b1, b2), eps=eps)
    x1 = opt.step(X0, G1)
    m1, v1 = (1 - b1) * G1, (1 - b2) * G1**2
    assert_allclose(opt.state["m"], m1, rtol=RTOL)
    assert_allclose(opt.state["v"], v1, rtol=RTOL)
    assert_allclose(x1, X0 - lr * G1 / (np.abs(G1) + eps), rtol=RTOL)
    x2 = opt.step(x1, G2)
    m2 = b1 * m1 + (1 - b1) * G2
    v2 = b2 * v1 + (1 - b2) * G2**2
    m_hat, v_hat = m2 / (1 - b1**2), v2 / (1 - b2**2)
    assert_allclose(opt.state["m"], m2, rtol=RTOL)
    assert_allclose(opt.state["v"], v2, rtol=RTOL)
    assert_allclose(x2, x1 - lr * m_hat / (np.sqrt(v_hat) + eps), rtol=1e-12)
    assert opt.t == 2


def test_adam_coupled_weight_decay():
    """Adam's weight_decay is added to the gradient, then normalised like any gradient."""
    lr, wd = 0.1, 0.5
    x1 = Adam(lr=lr, weight_decay=wd, eps=1e-8).step(X0, G1)
    g = G1 + wd * X0
    assert_allclose(x1, X0 - lr * g / (np.abs(g) + 1e-8), rtol=1e-12)


def test_amsgrad_uses_running_max_of_v():
    """When v drops (a small g after a large one) AMSGrad divides by the old, larger v."""
    lr, b1, b2, eps = 0.1, 0.9, 0.5, 1e-8
    g1 = np.array([10.0, -4.0])
    g2 = np.array([0.1, -0.1])
    x0 = np.array([1.0, 1.0])
    opt = Adam(lr=lr, betas=(b1, b2), eps=eps, amsgrad=True)
    x1 = opt.step(x0, g1)
    x2 = opt.step(x1, g2)
    v1 = (1 - b2) * g1**2
    v2 = b2 * v1 + (1 - b2) * g2**2
    assert np.all(v2 < v1)  # the case where the maximum matters
    m2 = b1 * (1 - b1) * g1 + (1 - b1) * g2
    expected = x1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v1 / (1 - b2**2)) + eps)
    assert_allclose(x2, expected, rtol=1e-12)
    assert_allclose(opt.state["v_max"], v1, rtol=RTOL)
    assert_allclose(opt.state["v"], v2, rtol=RTOL)


def test_adamw_decoupled_weight_decay_first_step(xg):
    """AdamW: x <- x (1 - lr wd) - lr m_hat / (sqrt(v_hat) + eps); g itself is not decayed."""
    X0, G1, G2 = xg
    lr, wd, eps = 0.1, 0.5, 1e-8
    opt = AdamW(lr=lr, weight_decay=wd, eps=eps)
    x1 = opt.step(X0, G1)
    assert_allclose(x1, X0 * (1 - lr * wd) - lr * G1 / (np.abs(G1) + eps), rtol=1e-12)
    assert_allclose(opt.state["m"], 0.1 * G1, rtol=RTOL)  # undecayed gradient in m
    assert x1[3] == X0[3] * (1 - lr * wd)  # zero gradient: decay only


def test_adamw_default_weight_decay_is_torch_default():
    """AdamW() decays by 1e-2 (torch's default), Adam() by 0."""
    assert AdamW().weight_decay == 0.01
    assert Adam().weight_decay == 0.0


# -- AdaDelta -------------------------------------------------------------------------
def test_adadelta_two_steps(xg):
    """Zeiler's rule: dx = sqrt(E[dx^2]_{t-1} + eps) / sqrt(E[g^2]_t + eps) * g."""
    X0, G1, G2 = xg
    lr, rho, eps = 1.0, 0.9, 1e-6
    opt = AdaDelta(lr=lr, rho=rho, eps=eps)
    x1 = opt.step(X0, G1)
    sq1 = (1 - rho) * G1**2
    d1 = np.sqrt(eps) / np.sqrt(sq1 + eps) * G1
    acc1 = (1 - rho) * d1**2
    assert_allclose(x1, X0 - lr * d1, rtol=RTOL)
    assert_allclose(opt.state["sq_avg"], sq1, rtol=RTOL)
    assert_allclose(opt.state["acc_delta"], acc1, rtol=RTOL)
    x2 = opt.step(x1, G2)
    sq2 = rho * sq1 + (1 - rho) * G2**2
    d2 = np.sqrt(acc1 + eps) / np.sqrt(sq2 + eps) * G2
    assert_allclose(x2, x1 - lr * d2, rtol=1e-12)
    assert_allclose(opt.state["acc_delta"], rho * acc1 + (1 - rho) * d2**2, rtol=1e-12)


def test_adadelta_first_step_size_is_set_by_eps():
    """At the start E[dx^2] = 0, so |dx_1| ~ sqrt(eps / (1 - rho)) for |g| >> sqrt(eps)."""
    rho, eps = 0.95, 1e-6
    x1 = AdaDelta(rho=rho, eps=eps, lr=0.5).step(X0, G1)
    nz = G1 != 0
    assert_allclose((X0 - x1)[nz], 0.5 * np.sqrt(eps / (1 - rho)) * np.sign(G1[nz]), rtol=1e-4)
    assert_array_equal(x1[~nz], X0[~nz])


def test_adadelta_weight_decay_is_coupled():
    """weight_decay adds wd * x to g before the averages."""
    rho, eps, wd = 0.9, 1e-6, 0.1
    x1 = AdaDelta(rho=rho, eps=eps, weight_decay=wd).step(X0, G1)
    g = G1 + wd * X0
    d = np.sqrt(eps) / np.sqrt((1 - rho) * g**2 + eps) * g
    assert_allclose(x1, X0 - d, rtol=RTOL)
