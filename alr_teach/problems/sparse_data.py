r"""A sparse synthetic classification task, and logistic regression to learn it (numpy only).

The task imitates bag-of-words features of short texts: each sample has a handful of
binary features switched on. A few features are *frequent* (like common words: on in
a good fraction of the samples) and most are *rare* (on in about one sample in a
hundred). Some rare features carry a large weight in the true model: they are rarely
seen, but decisive when they are. That is the setting AdaGrad was designed for.

**The sparsity pattern** (what :func:`make_sparse_classification` generates, and what
``tests/problems/test_sparse_data.py`` checks):

* features ``0 .. n_frequent - 1`` are the frequent ones; each is 1 in a sample with
  probability ``p_frequent``, independently of everything else;
* features ``n_frequent .. n_features - 1`` are rare; each is 1 with probability
  ``p_rare``;
* every other entry of ``X`` is exactly 0 (``X`` is a dense float array of 0s and 1s).

**The true model**: weights of frequent features are drawn from
:math:`\mathcal N(0, \text{frequent\_scale}^2)`; ``n_informative`` rare features, chosen
at random, get weight :math:`\pm\,\text{rare\_weight}` (random sign); every other rare
feature has weight 0. Labels are drawn as
:math:`y \sim \text{Bernoulli}(\sigma(x^\top w^*))`, so even the true weights do not
classify every sample correctly.

The loss is the mean logistic loss with an optional L2 term,

.. math::

    f(w) = \frac1n \sum_i \big[\log(1 + e^{z_i}) - y_i z_i\big] + \frac{\lambda}{2}\lVert w\rVert^2,
    \qquad z_i = x_i^\top w,

and its gradient is :math:`\frac1n X^\top(\sigma(z) - y) + \lambda w`. Weights may carry
leading batch axes (shape ``(*B, d)``), so a whole learning-rate sweep trains as one
array, exactly as the optimizers' hyperparameter arrays expect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems.mlp import sigmoid

__all__ = [
    "SparseTask", "make_sparse_classification", "log_loss", "loss_and_grad", "accuracy", "train",
]


@dataclass
class SparseTask:
    """A generated data set: train/validation/test splits and the model that made them.

    ``X_*`` have shape (n, d) with entries 0 or 1; ``y_*`` shape (n,) with entries 0 or 1.
    ``w_true`` (d,) are the true weights, ``p`` (d,) each feature's probability of being
    on, ``frequent`` and ``informative`` boolean masks of shape (d,).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    w_true: np.ndarray
    p: np.ndarray
    frequent: np.ndarray
    informative: np.ndarray
    seed: int

    @property
    def rare(self) -> np.ndarray:
        """Boolean mask of the rare features (the complement of ``frequent``)."""
        return ~self.frequent

    @property
    def n_features(self) -> int:
        return self.w_true.size


def make_sparse_classification(
    n_train: int = 2000,
    n_val: int = 1000,
    n_test: int = 2000,
    n_features: int = 200,
    n_frequent: int = 20,
    p_frequent: float = 0.3,
    p_rare: float = 0.015,
    n_informative: int = 40,
    frequent_scale: float = 0.5,
    rare_weight: float = 3.0,
    seed: int = 0,
) -> SparseTask:
    """Generate the sparse task described in the module docstring (same seed, same arrays).

    All three splits come from the same distribution and the same true weights; the
    random numbers are drawn from ``np.random.default_rng(seed)`` in a fixed order.
    """
    n_train = check.whole("n_train", n_train, low=1)
    n_val = check.whole("n_val", n_val, low=1)
    n_test = check.whole("n_test", n_test, low=1)
    n_features = check.whole("n_features", n_features, low=1)
    n_frequent = check.whole("n_frequent", n_frequent, low=0)
    n_informative = check.whole("n_informative", n_informative, low=0)
    if n_frequent > n_features:
        raise ValueError(f"Invalid n_frequent: {n_frequent!r} (at most n_features = "
                         f"{n_features})")
    if n_informative > n_features - n_frequent:
        raise ValueError(f"Invalid n_informative: {n_informative!r} (at most the "
                         f"{n_features - n_frequent} rare features)")
    p_frequent = float(check.in_range("p_frequent", p_frequent, 0.0, 1.0))
    p_rare = float(check.in_range("p_rare", p_rare, 0.0, 1.0))
    frequent_scale = float(check.nonnegative("frequent_scale", frequent_scale))
    rare_weight = float(check.nonnegative("rare_weight", rare_weight))

    rng = np.random.default_rng(seed)
    frequent = np.arange(n_features) < n_frequent
    p = np.where(frequent, p_frequent, p_rare)

    w_true = np.zeros(n_features)
    w_true[frequent] = frequent_scale * rng.standard_normal(n_frequent)
    chosen = n_frequent + rng.choice(n_features - n_frequent, size=n_informative, replace=False)
    w_true[chosen] = rare_weight * rng.choice([-1.0, 1.0], size=n_informative)
    informative = np.zeros(n_features, dtype=bool)
    informative[chosen] = True

    n = n_train + n_val + n_test
    X = (rng.random((n, n_features)) < p).astype(float)
    y = (rng.random(n) < sigmoid(X @ w_true)).astype(float)
    cuts = [n_train, n_train + n_val]
    (X_train, X_val, X_test), (y_train, y_val, y_test) = np.split(X, cuts), np.split(y, cuts)
    return SparseTask(X_train, y_train, X_val, y_val, X_test, y_test, w_true, p, frequent,
                      informative, seed)


def _check_shapes(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> None:
    if X.ndim != 2 or w.ndim < 1 or w.shape[-1] != X.shape[1] or y.shape != X.shape[:1]:
        raise ValueError(f"Invalid shapes: w {w.shape}, X {X.shape}, y {y.shape} "
                         f"(need w (..., d), X (n, d), y (n,))")


def log_loss(w: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float = 0.0) -> np.ndarray:
    """The loss of :func:`loss_and_grad` alone (cheaper when no gradient is needed); shape (*B)."""
    w, X, y = (np.asarray(a, dtype=float) for a in (w, X, y))
    _check_shapes(w, X, y)
    z = w.reshape(-1, w.shape[-1]) @ X.T                       # (B, n): one 2-D product
    loss = np.mean(np.logaddexp(0.0, z) - y * z, axis=-1).reshape(w.shape[:-1])
    return loss + 0.5 * l2 * np.sum(w * w, axis=-1) if l2 else loss


def loss_and_grad(
    w: ArrayLike, X_batch: ArrayLike, y_batch: ArrayLike, l2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Mean logistic loss (plus ``l2 / 2 * ||w||^2``) and its gradient with respect to ``w``.

    ``w`` has shape (d,) or (*B, d) for a batch of weight vectors; ``X_batch`` (n, d),
    ``y_batch`` (n,) with labels 0 or 1. Returns the loss (shape (*B)) and the gradient
    (shape of ``w``).
    """
    w, X, y = (np.asarray(a, dtype=float) for a in (w, X_batch, y_batch))
    _check_shapes(w, X, y)
    flat = w.reshape(-1, w.shape[-1])                          # (B, d): one 2-D product
    z = flat @ X.T                                             # (B, n)
    loss = np.mean(np.logaddexp(0.0, z) - y * z, axis=-1).reshape(w.shape[:-1])
    grad = ((sigmoid(z) - y) @ X / X.shape[0]).reshape(w.shape)
    if l2:
        loss = loss + 0.5 * l2 * np.sum(w * w, axis=-1)
        grad = grad + l2 * w
    return loss, grad


def accuracy(w: ArrayLike, X: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Fraction of samples whose predicted class (``x^T w > 0``) equals ``y``; shape (*B)."""
    w, X, y = (np.asarray(a, dtype=float) for a in (w, X, y))
    _check_shapes(w, X, y)
    predicted = (w.reshape(-1, w.shape[-1]) @ X.T) > 0
    correct = np.mean(predicted == (y > 0.5), axis=-1)
    return correct.reshape(w.shape[:-1])


def train(
    optimizer: Optimizer,
    X: ArrayLike,
    y: ArrayLike,
    *,
    epochs: int = 5,
    batch_size: int = 20,
    w0: ArrayLike | None = None,
    l2: float = 0.0,
    seed: int = 0,
    record_state: bool = False,
) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray]]:
    """Mini-batch training of logistic regression with ``optimizer``; the weights per epoch.

    Each epoch visits the samples in a new random order (from
    ``np.random.default_rng(seed)``) in batches of ``batch_size`` (the last one may be
    smaller), one optimizer step per batch. ``w0`` (default zeros of shape (d,)) may have
    leading batch axes, e.g. (n_lr, d) with an optimizer whose ``lr`` has shape
    (n_lr, 1): every row then sees the same batches. The optimizer is reset first and
    keeps its final state (``optimizer.state``). Returns the weights at the start and
    after each epoch, shape (epochs + 1, *B, d); pass them to :func:`log_loss` or
    :func:`accuracy` to evaluate every epoch at once. With ``record_state`` it returns
    ``(weights, state)`` where ``state[name]`` holds the optimizer's state after every
    step, shape (steps, *B, d) (e.g. AdaGrad's ``"sum_sq"``).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    epochs = check.whole("epochs", epochs, low=1)
    batch_size = check.whole("batch_size", batch_size, low=1)
    w = np.zeros(X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    _check_shapes(w, X, y)
    rng = np.random.default_rng(seed)
    optimizer.reset()
    history = [w]
    states: dict[str, list[np.ndarray]] = {}
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        X_epoch, y_epoch = X[order], y[order]  # one shuffled copy; batches are then views
        for start in range(0, X.shape[0], batch_size):
            X_b, y_b = X_epoch[start:start + batch_size], y_epoch[start:start + batch_size]
            grad = (sigmoid(w @ X_b.T) - y_b) @ X_b / X_b.shape[0]
            w = optimizer.step(w, grad + l2 * w if l2 else grad)
            if record_state:
                for name, value in optimizer.state.items():
                    states.setdefault(name, []).append(value)
        history.append(w)
    if record_state:
        return np.stack(history), {name: np.stack(v) for name, v in states.items()}
    return np.stack(history)
