r"""Fine-tuning: reuse a network trained on some classes to learn new ones from few examples.

The vision workflow in miniature, on scikit-learn's bundled digits:

1. :func:`make_transfer_task` cuts a :class:`~alr_teach.problems.datasets.Split` by class:
   the *old* classes (default 0-4) keep all their training images; of the *new* classes
   (5-9) only ``shots`` training images per class are labelled. Labels are renumbered
   ``0 .. k - 1`` within each half.
2. :func:`pretrain` trains a network on the old classes (the "pre-trained model").
3. :func:`with_new_head` keeps its hidden layers (the *body*, the learned features) and
   replaces the output layer by a freshly initialised one with a unit per new class.
4. :func:`fine_tune` trains every weight on the few labelled new images: full-batch
   steps of any ``alr_teach`` optimizer on the mean cross-entropy.

:func:`accuracy` scores a network on images; :func:`with_head` puts an old output layer
back on a fine-tuned body, which measures how much of the old task the body still
supports (how far fine-tuning moved the features).

>>> import numpy as np
>>> from alr_teach.problems.mlp import init_network
>>> net = init_network([64, 32, 5], np.random.default_rng(0))
>>> head = with_new_head(net, 3, np.random.default_rng(1))
>>> [W.shape for W in head.coefs], head.coefs[0] is net.coefs[0]
([(64, 32), (32, 3)], True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems import mlp

__all__ = [
    "TransferTask", "make_transfer_task", "pretrain", "with_new_head", "with_head", "fine_tune",
    "accuracy",
]


@dataclass(frozen=True)
class TransferTask:
    """Old classes with all their training images; new classes with ``shots`` each.

    ``*_old`` arrays hold images of the old classes (labels ``0 .. len(old) - 1``), ``*_new``
    of the new classes (labels ``0 .. len(new) - 1``); ``X_few, y_few`` are the few
    labelled training images of the new classes.
    """

    old_classes: tuple[int, ...]
    new_classes: tuple[int, ...]
    X_train_old: np.ndarray
    y_train_old: np.ndarray
    X_test_old: np.ndarray
    y_test_old: np.ndarray
    X_few: np.ndarray
    y_few: np.ndarray
    X_val_new: np.ndarray
    y_val_new: np.ndarray
    X_test_new: np.ndarray
    y_test_new: np.ndarray
    shots: int
    seed: int


def _part(X: np.ndarray, y: np.ndarray, classes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``classes``, labels renumbered by their place in ``classes``."""
    keep = np.isin(y, classes)
    renumber = {c: i for i, c in enumerate(classes)}
    return X[keep], np.array([renumber[int(c)] for c in y[keep]], dtype=np.intp)


def make_transfer_task(
    split,
    old_classes: Sequence[int] = (0, 1, 2, 3, 4),
    shots: int = 10,
    seed: int = 0,
) -> TransferTask:
    """Cut ``split`` (e.g. ``load_split("digits")``) into an old task and a few-shot new one.

    The new classes are every class of ``split`` not in ``old_classes``; ``shots``
    training images of each are drawn at random with ``seed`` (the rest of their training
    images are not used). Validation and test images of each half are kept whole.
    """
    shots = check.whole("shots", shots, low=1)
    classes = [int(c) for c in np.unique(split.y_train)]
    old = tuple(int(c) for c in old_classes)
    if not old or not set(old) < set(classes):
        raise ValueError(f"Invalid old_classes: {old_classes!r} (a non-empty proper subset of "
                         f"the classes {classes})")
    new = tuple(c for c in classes if c not in old)
    rng = np.random.default_rng(seed)
    chosen = []
    for c in new:
        rows = np.flatnonzero(split.y_train == c)
        if rows.size < shots:
            raise ValueError(f"Invalid shots: {shots} (class {c} has {rows.size} training images)")
        chosen.append(rng.choice(rows, size=shots, replace=False))
    few = np.concatenate(chosen)
    X_few, y_few = _part(split.X_train[few], split.y_train[few], new)
    return TransferTask(old, new, *_part(split.X_train, split.y_train, old),
                        *_part(split.X_test, split.y_test, old), X_few, y_few,
                        *_part(split.X_val, split.y_val, new),
                        *_part(split.X_test, split.y_test, new), shots, int(seed))


def pretrain(task: TransferTask, optimizer: Optimizer, *, hidden: int = 32, epochs: int = 20,
             batch_size: int = 64, seed: int = 0) -> mlp.Network:
    """A network trained on the old classes (``MLPClassifier``, mini-batches), as a Network."""
    from alr_teach.problems.estimator import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(hidden,), optimizer=optimizer,
                        batch_size=batch_size, max_iter=epochs, random_state=seed)
    with mlp.one_thread():
        clf.fit(task.X_train_old, task.y_train_old)
    return mlp.Network(list(clf.coefs_), list(clf.intercepts_), [])


def with_new_head(net: mlp.Network, n_classes: int, rng: np.random.Generator) -> mlp.Network:
    """``net``'s hidden layers (shared, not copied) and a new He-initialised output layer."""
    n_classes = check.whole("n_classes", n_classes, low=1)
    fresh = mlp.init_network([net.coefs[-1].shape[0], n_classes], rng)
    return mlp.Network([*net.coefs[:-1], *fresh.coefs], [*net.intercepts[:-1],
                                                          *fresh.intercepts], [])


def with_head(body: mlp.Network, head: mlp.Network) -> mlp.Network:
    """``body``'s hidden layers with ``head``'s output layer (same hidden width)."""
    return mlp.Network([*body.coefs[:-1], head.coefs[-1]],
                       [*body.intercepts[:-1], head.intercepts[-1]], [])


def fine_tune(net: mlp.Network, X: np.ndarray, y: np.ndarray, optimizer: Optimizer,
              steps: int) -> tuple[mlp.Network, np.ndarray]:
    """``steps`` full-batch steps of ``optimizer`` on every weight of ``net``.

    Returns the trained network and the loss before each step. The optimizer is reset
    first; ``net`` itself is not modified.
    """
    steps = check.whole("steps", steps)
    optimizer.reset()
    losses = np.empty(steps)
    params = net.params()
    with np.errstate(all="ignore"):  # a too-large rate may overflow: its loss shows it
        for t in range(steps):
            losses[t], grads, _ = mlp.loss_and_gradients(net.with_params(params), X, y)
            params = optimizer.step(params, grads.params())
    return net.with_params(params), losses


def accuracy(net: mlp.Network, X: np.ndarray, y: np.ndarray) -> float:
    """Share of the images whose largest logit is their label's (0 if the net blew up)."""
    with np.errstate(all="ignore"):
        logits, _ = mlp.forward(net, X)
    if not np.all(np.isfinite(logits)):
        return 0.0
    return float(mlp.accuracy(logits, y))
