"""A multilayer perceptron in plain numpy: the maths behind :class:`alr_teach.MLPClassifier`.

Every function here is small and named after the formula it computes, so a notebook can
call them one at a time. Shapes in the comments use

* ``B``: samples in the batch, ``D``: input features, ``H``: units of a hidden layer,
  ``K``: classes (outputs);
* ``n_in, n_out``: the two sizes of one layer's weight matrix.

The network (``L`` weight matrices, so ``L - 1`` hidden layers)::

    a_0 = X                                                         (B, D)
    z_l = a_{l-1} W_l + b_l                                         (B, H)  l = 1 .. L-1
          (batch norm: z_l = gamma_l * (u - mean_B(u)) / sqrt(var_B(u) + eps) + b_l,
           u = a_{l-1} W_l: the intercept b_l plays the part of batch norm's beta)
    a_l = relu(z_l)                                                 (B, H)
    logits = a_{L-1} W_L + b_L                                      (B, K)
    loss = cross_entropy(log_softmax(logits), y)
           + alpha / (2 B) * sum_l ||W_l||^2                        (scikit-learn's L2 penalty)

:func:`forward` computes the logits and keeps what :func:`backward` needs; ``backward``
returns the gradient of ``loss`` with respect to every parameter, in the same
:class:`Network` structure, ready for ``optimizer.step(net.params(), grads.params())``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "BN_EPS", "BN_MOMENTUM", "Network", "RunningStats", "Cache", "init_network",
    "init_running_stats", "relu", "relu_backward", "sigmoid", "log_softmax", "softmax",
    "cross_entropy", "cross_entropy_backward", "softmax_cross_entropy_backward", "accuracy",
    "l2_penalty", "batch_norm_forward", "batch_norm_inference", "batch_norm_backward",
    "update_running_stats", "forward", "backward", "backward_to_input", "loss_and_gradients",
    "loss", "one_thread",
]

#: batch norm's epsilon (added to the variance) and running-average momentum (torch's values)
BN_EPS = 1e-5
BN_MOMENTUM = 0.1


class Network(NamedTuple):
    """The parameters of the network, layer by layer (lists of arrays, first layer first).

    ``coefs[l]`` has shape ``(n_in, n_out)`` and ``intercepts[l]`` shape ``(n_out,)``.
    With batch normalisation, ``gammas[l]`` (shape ``(H,)``) scales hidden layer ``l``
    and ``intercepts[l]`` is its shift (beta); without it ``gammas`` is empty.
    """

    coefs: list[np.ndarray]
    intercepts: list[np.ndarray]
    gammas: list[np.ndarray]

    @property
    def batch_norm(self) -> bool:
        return bool(self.gammas)

    def params(self) -> list[np.ndarray]:
        """All arrays in one list, the form ``optimizer.step`` takes: coefs, intercepts, gammas."""
        return [*self.coefs, *self.intercepts, *self.gammas]

    def with_params(self, params: list[np.ndarray]) -> Network:
        """A network of the same structure holding ``params`` (a list from :meth:`params`)."""
        n, g = len(self.coefs), len(self.gammas)
        return Network(list(params[:n]), list(params[n : 2 * n]), list(params[2 * n : 2 * n + g]))


class RunningStats(NamedTuple):
    """Batch norm's running averages of each hidden layer's batch mean and variance."""

    means: list[np.ndarray]
    variances: list[np.ndarray]


class Cache(NamedTuple):
    """What :func:`forward` keeps for :func:`backward` (one entry per layer)."""

    activations: list[np.ndarray]  # a_0 = X, a_1 .. a_{L-1}: the input of each layer
    batch_norms: list[tuple]  # per hidden layer: batch_norm_forward's cache ([] without)
    batch_stats: RunningStats  # per hidden layer: this batch's mean and variance


def init_network(
    layer_sizes: list[int], rng: np.random.Generator, batch_norm: bool = False
) -> Network:
    """He initialisation: ``W ~ N(0, 2 / n_in)``, ``b = 0``, ``gamma = 1``.

    ``layer_sizes`` is ``[D, H_1, ..., H_{L-1}, K]``. He et al. (2015) chose the variance
    ``2 / n_in`` so that ReLU layers keep the scale of their input from layer to layer.
    """
    pairs = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    coefs = [rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in) for n_in, n_out in pairs]
    intercepts = [np.zeros(n_out) for _, n_out in pairs]
    gammas = [np.ones(n_out) for _, n_out in pairs[:-1]] if batch_norm else []
    return Network(coefs, intercepts, gammas)


def init_running_stats(net: Network) -> RunningStats:
    """Running mean 0 and variance 1 for each batch-normalised layer (as torch starts)."""
    return RunningStats(
        [np.zeros_like(g) for g in net.gammas], [np.ones_like(g) for g in net.gammas]
    )


# -- the pieces -----------------------------------------------------------------------
def relu(z: np.ndarray) -> np.ndarray:
    """``max(z, 0)``, element-wise."""
    return np.maximum(z, 0.0)


def relu_backward(da: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Gradient through ``a = relu(z)``: ``da`` where the unit was active (``a > 0``), else 0."""
    return da * (a > 0)  # (B, H)


def sigmoid(z: ArrayLike) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-z))``, without overflow or cancellation for large |z|.

    >>> sigmoid([-800.0, 0.0, 800.0])
    array([0. , 0.5, 1. ])
    """
    z = np.asarray(z, dtype=float)
    return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))


# Classes lie along the last axis. Any axes before (B, K) are run axes (see ``forward``).
def log_softmax(z: np.ndarray) -> np.ndarray:
    """``log softmax(z)`` row by row, computed stably as ``z - max - log(sum(exp(z - max)))``."""
    shifted = z - z.max(axis=-1, keepdims=True)  # (..., B, K)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))  # (..., B, K)


def softmax(z: np.ndarray) -> np.ndarray:
    """Class probabilities ``exp(z_k) / sum_j exp(z_j)``, row by row."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # (..., B, K)
    return e / e.sum(axis=-1, keepdims=True)  # (..., B, K)


def _label_entries(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``scores[..., i, y_i]``: each sample's entry for its label; ``y`` is ``(B,)`` or
    ``(..., B)`` (one set of labels for all runs, or each run its own)."""
    y = np.broadcast_to(y, scores.shape[:-1])[..., None]  # (..., B, 1)
    return np.take_along_axis(scores, y, axis=-1)[..., 0]  # (..., B)


def cross_entropy(log_probs: np.ndarray, y: np.ndarray) -> float | np.ndarray:
    """Mean of ``-log p(y_i | x_i)``; ``y`` holds class indices ``0 .. K-1``.

    A float for ``(B, K)`` log-probabilities; with run axes ``(..., B, K)``, one mean per run.

    >>> log_probs = np.log([[0.5, 0.5], [0.25, 0.75]])           # two samples, two classes
    >>> round(cross_entropy(log_probs, np.array([0, 1])), 6)     # -(log 0.5 + log 0.75) / 2
    0.490415
    >>> cross_entropy(np.stack([log_probs, log_probs[::-1]]), np.array([0, 1])).round(6)
    array([0.490415, 1.039721])
    """
    value = -_label_entries(log_probs, y).mean(axis=-1)
    return float(value) if value.ndim == 0 else value


def accuracy(logits: np.ndarray, y: np.ndarray) -> float | np.ndarray:
    """Share of the samples whose largest logit is their label's (per run with run axes).

    >>> accuracy(np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), np.array([0, 1, 1]))
    0.6666666666666666
    """
    value = np.mean(logits.argmax(axis=-1) == y, axis=-1)
    return float(value) if value.ndim == 0 else value


def l2_penalty(net: Network, alpha: float, batch_size: int) -> float:
    """``alpha / (2 B) * sum_l ||W_l||^2`` (weights only), scikit-learn's MLP penalty."""
    if alpha == 0:
        return 0.0
    return alpha / (2 * batch_size) * sum(float(np.vdot(W, W)) for W in net.coefs)


def batch_norm_forward(
    u: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = BN_EPS
) -> tuple[np.ndarray, tuple, np.ndarray, np.ndarray]:
    """Training mode: normalise each unit with the batch's own mean and variance.

    Returns ``(out, cache, mean, var)``: ``out = gamma * u_hat + beta`` with
    ``u_hat = (u - mean) / sqrt(var + eps)``; ``var`` is the biased (1/B) batch variance.
    """
    mean = u.mean(axis=0)  # (H,)
    centred = u - mean  # (B, H)
    var = np.mean(centred * centred, axis=0)  # (H,)
    inv_std = 1.0 / np.sqrt(var + eps)  # (H,)
    u_hat = centred * inv_std  # (B, H)
    out = u_hat * gamma + beta  # (B, H)
    return out, (u_hat, inv_std, gamma), mean, var


def batch_norm_inference(
    u: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    eps: float = BN_EPS,
) -> np.ndarray:
    """Prediction mode: the same affine map with the running averages instead of the batch's.

    Each sample is then transformed on its own, so one sample can be predicted.
    """
    scale = gamma / np.sqrt(running_var + eps)  # (H,)
    return u * scale + (beta - running_mean * scale)  # (B, H)


def batch_norm_backward(
    dout: np.ndarray, cache: tuple
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients ``(du, dgamma, dbeta)`` of :func:`batch_norm_forward` (training mode).

    The batch mean and variance depend on every sample, so ``du`` has two extra terms:
    ``du = gamma / sqrt(var + eps) * (dout - mean(dout) - u_hat * mean(dout * u_hat))``.
    """
    u_hat, inv_std, gamma = cache
    dbeta = dout.sum(axis=0)  # (H,)
    dgamma = np.einsum("ij,ij->j", dout, u_hat)  # (H,)  sum over the batch of dout * u_hat
    n = dout.shape[0]
    du = (dout - (dbeta + u_hat * dgamma) / n) * (gamma * inv_std)  # (B, H)
    return du, dgamma, dbeta


def update_running_stats(
    running: RunningStats, batch: RunningStats, momentum: float = BN_MOMENTUM
) -> RunningStats:
    """``running <- (1 - momentum) * running + momentum * batch`` (new arrays; torch's rule)."""
    return RunningStats(
        [(1 - momentum) * r + momentum * b for r, b in zip(running.means, batch.means)],
        [(1 - momentum) * r + momentum * b for r, b in zip(running.variances, batch.variances)],
    )


# -- the whole network ----------------------------------------------------------------
def forward(
    net: Network, X: np.ndarray, running: RunningStats | None = None
) -> tuple[np.ndarray, Cache]:
    """Logits of the network for ``X``, and the cache :func:`backward` needs.

    ``running=None`` is training mode: batch-normalised layers use the batch's statistics
    (returned in ``cache.batch_stats``). Given ``running`` statistics, they use those
    (prediction mode; the cache is then of no use for ``backward``).

    A *stack* of ``R`` networks (no batch norm) runs unchanged: give every array a leading
    run axis, ``coefs[l]`` ``(R, n_in, n_out)`` and ``intercepts[l]`` ``(R, 1, n_out)``;
    ``X`` is ``(B, D)`` (the same samples for every run) or ``(R, B, D)``. The logits are
    then ``(R, B, K)``, and :func:`backward` gives each run its own gradients.
    """
    activations, bn_caches = [X], []
    means, variances = [], []
    a = X  # (B, D)
    *hidden, output = zip(net.coefs, net.intercepts)
    for l, (W, b) in enumerate(hidden):
        if not net.batch_norm:
            z = a @ W  # (B, H)
            z += b  # (B, H)
        elif running is None:
            z, bn_cache, mean, var = batch_norm_forward(a @ W, net.gammas[l], b)  # (B, H)
            bn_caches.append(bn_cache)
            means.append(mean)
            variances.append(var)
        else:
            z = batch_norm_inference(
                a @ W, net.gammas[l], b, running.means[l], running.variances[l]
            )  # (B, H)
        a = relu(z)  # (B, H)
        activations.append(a)
    W, b = output
    logits = a @ W  # (B, K)
    logits += b  # (B, K)
    return logits, Cache(activations, bn_caches, RunningStats(means, variances))


def backward(
    net: Network, cache: Cache, dlogits: np.ndarray, alpha: float = 0.0
) -> Network:
    """Gradients of the loss for every parameter, from ``dlogits = d loss / d logits``.

    ``alpha`` adds the L2 penalty's gradient ``alpha / B * W`` to each weight matrix.
    For a stack of networks (a leading run axis, see :func:`forward`) every gradient has
    its parameter's shape, run axis included.
    """
    return _backward(net, cache, dlogits, alpha, to_input=False)[0]


def backward_to_input(
    net: Network, cache: Cache, dlogits: np.ndarray
) -> tuple[Network, np.ndarray]:
    """:func:`backward` carried one layer further: ``(gradients, d loss / d X)``.

    What a network fed by another network needs (a GAN's generator learns through the
    discriminator's input).
    """
    return _backward(net, cache, dlogits, 0.0, to_input=True)


def _backward(
    net: Network, cache: Cache, dlogits: np.ndarray, alpha: float, to_input: bool
) -> tuple[Network, np.ndarray | None]:
    """The chain rule, last layer first; shapes ``(..., B, n)``, the ``...`` being run axes."""
    if net.batch_norm and dlogits.ndim > 2:
        raise ValueError(f"Invalid dlogits: shape {dlogits.shape} (a network with batch norm "
                         f"takes no run axis: (B, K))")
    n = dlogits.shape[-2]
    L = len(net.coefs)
    dcoefs, dintercepts, dgammas = [None] * L, [None] * L, [None] * len(net.gammas)
    dz, dX = dlogits, None  # (..., B, K)
    for l in range(L - 1, -1, -1):
        a = cache.activations[l]  # (..., B, n_in)
        W = net.coefs[l]  # (..., n_in, n_out)
        if l < L - 1 and net.batch_norm:
            du, dgammas[l], dintercepts[l] = batch_norm_backward(dz, cache.batch_norms[l])
        else:  # the intercept's gradient in its shape: (n_out,), or (R, 1, n_out) in a stack
            du = dz  # (..., B, n_out)
            dintercepts[l] = dz.sum(axis=-2, keepdims=net.intercepts[l].ndim == dz.ndim)
        dW = a.swapaxes(-1, -2) @ du  # (..., n_in, n_out)
        if alpha != 0:
            dW += (alpha / n) * W  # (..., n_in, n_out)
        dcoefs[l] = dW
        if l > 0:
            dz = relu_backward(du @ W.swapaxes(-1, -2), a)  # (..., B, n_in)
        elif to_input:
            dX = du @ W.swapaxes(-1, -2)  # (..., B, D)
    return Network(dcoefs, dintercepts, dgammas), dX


def cross_entropy_backward(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``d cross_entropy / d logits = (probs - onehot(y)) / B`` from ``probs = softmax(logits)``.

    Overwrites ``probs`` (and returns it). Run axes as for :func:`cross_entropy`.
    """
    y = np.broadcast_to(y, probs.shape[:-1])[..., None]  # (..., B, 1)
    np.put_along_axis(probs, y, np.take_along_axis(probs, y, axis=-1) - 1.0, axis=-1)
    probs /= probs.shape[-2]  # (..., B, K)
    return probs


def softmax_cross_entropy_backward(log_probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``d cross_entropy / d logits = (softmax(logits) - onehot(y)) / B`` from log-probabilities."""
    return cross_entropy_backward(np.exp(log_probs), y)  # (..., B, K)


def loss_and_gradients(
    net: Network, X: np.ndarray, y: np.ndarray, alpha: float = 0.0
) -> tuple[float, Network, RunningStats]:
    """One training-mode pass: ``(loss, gradients, batch statistics)`` for a batch.

    ``loss`` is the mean cross-entropy plus the L2 penalty; the batch statistics are what
    batch norm's running averages are updated with (empty lists without batch norm).
    """
    logits, cache = forward(net, X)  # (B, K)
    log_probs = log_softmax(logits)  # (B, K)
    value = cross_entropy(log_probs, y) + l2_penalty(net, alpha, len(y))
    grads = backward(net, cache, softmax_cross_entropy_backward(log_probs, y), alpha)
    return value, grads, cache.batch_stats


def loss(net: Network, X: np.ndarray, y: np.ndarray, alpha: float = 0.0) -> float:
    """The training-mode loss alone (what :func:`loss_and_gradients` differentiates)."""
    logits, _ = forward(net, X)
    return cross_entropy(log_softmax(logits), y) + l2_penalty(net, alpha, len(y))


def one_thread() -> AbstractContextManager:
    """A context in which BLAS uses one thread: this network's small matrices run faster
    (threads cost more to coordinate than they save), and give the same numbers.

    Without threadpoolctl (a dependency of scikit-learn) BLAS keeps its thread count.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return nullcontext()
    return threadpool_limits(1)
