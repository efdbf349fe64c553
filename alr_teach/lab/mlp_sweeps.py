r"""Many copies of the course's MLP trained at once, one per (learning rate, seed), layer by layer.

A learning-rate sweep of the network of :class:`alr_teach.MLPClassifier` is usually a loop
of fits. Here it is **one** run: every parameter array carries a leading *run* axis
(``W_l`` of shape ``(R, n_in, n_out)``, ``b_l`` of shape ``(R, n_out)``) and the
optimizer gets an ``lr`` of shape ``(R,)`` and ``batch_ndim = 1``, so run ``r`` is an
independent problem with its own rate. That matters for :class:`~alr_teach.LAMB` and
:class:`~alr_teach.NovoGrad`, whose norms reduce over the axes *after* the batch axis:
each run gets its own norms.

Run ``(i, j)`` (rate ``lrs[i]``, seed ``seeds[j]``) is exactly
``MLPClassifier(hidden_layer_sizes=hidden, optimizer=make_optimizer(lrs[i]),
batch_size=batch_size, max_iter=epochs, random_state=seeds[j])``: the same He
initialisation and the same shuffles (one ``numpy.random.Generator`` per seed, drawn
from in the same order), the same mini-batches (the last one of an epoch holds the
remainder), and the same numbers up to rounding (tests/lab/test_mlp_sweeps.py).

Besides the curves, every step records each parameter array's norm and the norm of its
step, per run: the *relative step* :math:`\lVert \Delta x_l \rVert / \lVert x_l \rVert`
of each layer, and for LAMB its *trust ratio* :math:`\lVert x_l \rVert / \lVert u_l
\rVert` (:func:`lamb_trust_ratios`). :mod:`alr_teach.viz.mlp_sweeps_plots` draws them,
and :class:`~alr_teach.viz.explorers.layer_step.LayerStepExplorer` trains one run per
setting and shows the layers' relative steps as sliders change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.layerwise import LAMB, trust_ratio
from alr_teach.problems import mlp
from alr_teach.problems.datasets import Split

__all__ = [
    "RULE", "layer_names", "loss_and_gradients", "norms", "lamb_trust_ratios", "MLPSweep",
    "evaluate", "sweep_mlp",
]

#: how a rate is chosen from a sweep (the same rule as :mod:`alr_teach.lab.benchmarking`)
RULE = "lowest mean validation loss over the seeds after the last epoch (diverged = worst)"


# -- the network with a run axis --------------------------------------------------------------
def layer_names(n_layers: int) -> tuple[str, ...]:
    """Names of the parameter arrays in optimizer order: ``W1 .. WL`` then ``b1 .. bL``.

    >>> layer_names(2)
    ('W1', 'W2', 'b1', 'b2')
    """
    return (*(f"W{l}" for l in range(1, n_layers + 1)),
            *(f"b{l}" for l in range(1, n_layers + 1)))


def _network(params: list[np.ndarray]) -> mlp.Network:
    """``[W_1 .. W_L, b_1 .. b_L]`` with the run axis first, as the stack of networks
    :func:`alr_teach.problems.mlp.forward` takes (each ``b_l`` seen as ``(R, 1, n_out)``)."""
    n = len(params) // 2
    return mlp.Network(params[:n], [b[:, None, :] for b in params[n:]], [])


def _params(grads: mlp.Network) -> list[np.ndarray]:
    """The inverse of :func:`_network`: a stack's arrays in optimizer order (``b_l`` as
    ``(R, n_out)``)."""
    return [*grads.coefs, *(b[:, 0] for b in grads.intercepts)]


def loss_and_gradients(params: list[np.ndarray], X: np.ndarray, y: np.ndarray
                       ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each run's mean cross-entropy ``(R,)`` and its gradients, in the order of ``params``.

    ``X`` is ``(R, B, D)`` and ``y`` ``(R, B)``: each run its own batch. The network is
    :mod:`alr_teach.problems.mlp`'s, run on a stack (no L2 penalty, no batch norm).
    """
    net = _network(params)
    logits, cache = mlp.forward(net, X)  # (R, B, K)
    log_probs = mlp.log_softmax(logits)  # (R, B, K)
    dlogits = mlp.softmax_cross_entropy_backward(log_probs, y)
    return mlp.cross_entropy(log_probs, y), _params(mlp.backward(net, cache, dlogits))


def norms(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """The 2-norm of each array of each run, over its parameter axes: shape ``(R, n_arrays)``.

    >>> W = np.array([[[3.0, 4.0]], [[0.0, 1.0]]])     # two runs of a (1, 2) matrix
    >>> b = np.array([[0.0], [2.0]])                    # two runs of a bias of length 1
    >>> norms([W, b])
    array([[5., 0.],
           [1., 2.]])
    """
    return np.stack([np.sqrt(np.sum(a * a, axis=tuple(range(1, a.ndim)))) for a in arrays],
                    axis=-1)


def _per_run(value, ndim: int):
    """A hyperparameter as seen by an array of ``ndim`` axes: ``(R,)`` gets trailing 1s."""
    if isinstance(value, np.ndarray):
        return value.reshape(value.shape + (1,) * (ndim - value.ndim))
    return value


def lamb_trust_ratios(optimizer: LAMB, before: Sequence[np.ndarray]) -> np.ndarray:
    r"""The trust ratio :math:`\lVert x_{t-1}\rVert / \lVert u_t\rVert` LAMB just applied.

    Computed from the optimizer's state after step ``t`` (:math:`m_t, v_t`) and the
    weights ``before`` the step, per run and per array: shape ``(R, n_arrays)``; 1 where
    either norm is 0, as in :func:`alr_teach.optimizers.layerwise.trust_ratio`.
    """
    state, t = optimizer.state, optimizer.t
    directions = []
    for x, m, v in zip(before, state["m"], state["v"]):
        h = {k: _per_run(getattr(optimizer, k), x.ndim)
             for k in ("beta1", "beta2", "eps", "weight_decay")}
        m_hat, v_hat = m / (1 - h["beta1"] ** t), v / (1 - h["beta2"] ** t)
        directions.append(m_hat / (np.sqrt(v_hat) + h["eps"]) + h["weight_decay"] * x)
    return trust_ratio(norms(before), norms(directions))


# -- the sweep --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MLPSweep:
    r"""What :func:`sweep_mlp` measured; the run axes are ``(n_lr, n_seeds)``.

    Curves have one entry per epoch, layer records one per step (``steps`` in all):
    ``loss_curve`` (the mean training loss of the epoch's batches, each before its step,
    as ``MLPClassifier.loss_curve_``), ``val_loss`` and ``val_accuracy`` (after each
    epoch) of shape ``(epochs, n_lr, n_seeds)``; ``test_accuracy`` ``(n_lr, n_seeds)``
    after the last epoch; ``weight_norms`` (:math:`\lVert x_{t-1}\rVert`) and
    ``step_norms`` (:math:`\lVert x_t - x_{t-1}\rVert`) of shape
    ``(steps, n_lr, n_seeds, n_arrays)``, arrays in the order of ``names``;
    ``trust_ratios`` the same shape for LAMB (else None). ``params`` are the final
    weights, each with the run axes in front.
    """

    method: str
    lrs: np.ndarray
    seeds: np.ndarray
    batch_size: int
    names: tuple[str, ...]
    loss_curve: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    test_accuracy: np.ndarray
    weight_norms: np.ndarray
    step_norms: np.ndarray
    trust_ratios: np.ndarray | None
    params: list[np.ndarray]

    @property
    def steps(self) -> int:
        return self.step_norms.shape[0]

    @property
    def diverged(self) -> np.ndarray:
        """``(n_lr, n_seeds)``: the last validation loss is not finite."""
        return ~np.isfinite(self.val_loss[-1])

    @property
    def relative_steps(self) -> np.ndarray:
        """:math:`\\lVert \\Delta x_l\\rVert / \\lVert x_l\\rVert` per step, run and array
        (NaN where the weights were all 0, e.g. a bias at step 1)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.weight_norms > 0, self.step_norms / self.weight_norms, np.nan)

    def final_val_loss(self) -> np.ndarray:
        """Mean over the seeds of the last validation loss, per rate (inf if any diverged)."""
        last = np.where(np.isfinite(self.val_loss[-1]), self.val_loss[-1], np.inf)
        return last.mean(axis=1)

    def best_index(self) -> int:
        """The rate chosen by :data:`RULE` (ties: the smaller rate)."""
        return int(np.argmin(self.final_val_loss()))

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best_index()])


def evaluate(params: list[np.ndarray], X: np.ndarray, y: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Cross-entropy and accuracy of every run on the samples ``(X, y)``: two ``(R,)`` arrays."""
    log_probs = mlp.log_softmax(mlp.forward(_network(params), X)[0])  # (R, N, K)
    return mlp.cross_entropy(log_probs, y), mlp.accuracy(log_probs, y)


def sweep_mlp(
    make_optimizer: Callable[[np.ndarray], Optimizer],
    split: Split,
    lrs: ArrayLike,
    seeds: Sequence[int] = (0,),
    *,
    hidden: Sequence[int] = (32,),
    batch_size: int = 64,
    epochs: int = 10,
    lr_factor: Callable[[int], float] | None = None,
    method: str | None = None,
) -> MLPSweep:
    """Train one MLP per (rate, seed) on ``split`` as a single vectorised run.

    ``make_optimizer(lr)`` builds the optimizer from an array of rates of shape ``(R,)``
    (``R = len(lrs) * len(seeds)``, each rate repeated for every seed), e.g. ``LAMB`` or
    ``lambda lr: Lookahead(Adam(lr=lr))``: pass the class or a function, not a built
    optimizer. ``lr_factor(k)``, if given, multiplies every rate before step ``k + 1``
    (``k`` steps taken so far, as for a ``Scheduled`` optimizer): a warm-up, say.
    ``method`` labels the result (default: the optimizer's class name). The validation
    part is evaluated after every epoch, the test part once at the end.
    """
    lrs = np.atleast_1d(np.asarray(lrs, dtype=float))
    if lrs.ndim != 1:
        raise ValueError(f"Invalid lrs: array of shape {lrs.shape} (must be 1-D)")
    seeds = np.array([check.whole("seed", s) for s in seeds], dtype=int)
    if seeds.size == 0:
        raise ValueError("Invalid seeds: () (must name at least one seed)")
    batch_size = check.whole("batch_size", batch_size, low=1)
    epochs = check.whole("epochs", epochs, low=1)
    hidden = tuple(check.whole("hidden", h, low=1) for h in hidden)
    if isinstance(make_optimizer, Optimizer) or not callable(make_optimizer):
        raise ValueError(f"Invalid make_optimizer: {make_optimizer!r} (must be a class or a "
                         f"function lr -> optimizer, e.g. LAMB)")
    n_lr, n_seeds = lrs.size, seeds.size
    base_lr = np.repeat(lrs, n_seeds)  # (R,): run r = i * n_seeds + j has lrs[i], seeds[j]
    optimizer = make_optimizer(base_lr)
    optimizer.batch_ndim = 1  # the leading axis of every array indexes the runs

    X, y = split.X_train, split.y_train
    n, sizes = len(y), [X.shape[1], *hidden, split.n_classes]
    batch_size = min(batch_size, n)
    generators = [np.random.default_rng(int(s)) for s in seeds]  # as MLPClassifier's, per seed
    nets = [mlp.init_network(sizes, g) for g in generators]
    params = [np.tile(np.stack(arrays), (n_lr,) + (1,) * arrays[0].ndim)  # (R, *shape)
              for arrays in zip(*(net.params() for net in nets))]
    names = layer_names(len(sizes) - 1)
    steps = epochs * -(-n // batch_size)
    weight_norms = np.full((steps, n_lr * n_seeds, len(names)), np.nan)
    step_norms = np.full_like(weight_norms, np.nan)
    ratios = np.full_like(weight_norms, np.nan) if isinstance(optimizer, LAMB) else None
    loss_curve, val_loss, val_accuracy = (np.full((epochs, n_lr * n_seeds), np.nan)
                                          for _ in range(3))

    with mlp.one_thread(), np.errstate(all="ignore"):  # a diverging run only turns to inf/NaN
        for epoch in range(epochs):
            order = np.tile(np.stack([g.permutation(n) for g in generators]), (n_lr, 1))
            X_epoch, y_epoch = X[order], y[order]  # (R, n, D), (R, n): each run's shuffle
            total = np.zeros(n_lr * n_seeds)
            for start in range(0, n, batch_size):
                k = optimizer.t
                X_batch = X_epoch[:, start:start + batch_size]  # (R, B, D)
                y_batch = y_epoch[:, start:start + batch_size]  # (R, B)
                losses, grads = loss_and_gradients(params, X_batch, y_batch)
                total += losses * y_batch.shape[1]
                if lr_factor is not None:
                    optimizer.set(lr=base_lr * lr_factor(k))
                new = optimizer.step(params, grads)
                weight_norms[k] = norms(params)
                step_norms[k] = norms([after - before for before, after in zip(params, new)])
                if ratios is not None:
                    ratios[k] = lamb_trust_ratios(optimizer, params)
                params = new
            loss_curve[epoch] = total / n
            val_loss[epoch], val_accuracy[epoch] = evaluate(params, split.X_val, split.y_val)
        _, test_accuracy = evaluate(params, split.X_test, split.y_test)

    def by_run(a: np.ndarray, axis: int) -> np.ndarray:
        """Split the run axis ``axis`` (length R) into ``(n_lr, n_seeds)``."""
        return a.reshape(a.shape[:axis] + (n_lr, n_seeds) + a.shape[axis + 1:])

    return MLPSweep(
        method=type(optimizer).__name__ if method is None else method, lrs=lrs, seeds=seeds,
        batch_size=batch_size, names=names, loss_curve=by_run(loss_curve, 1),
        val_loss=by_run(val_loss, 1), val_accuracy=by_run(val_accuracy, 1),
        test_accuracy=by_run(test_accuracy, 0), weight_norms=by_run(weight_norms, 1),
        step_norms=by_run(step_norms, 1),
        trust_ratios=None if ratios is None else by_run(ratios, 1),
        params=[by_run(p, 0) for p in params],
    )
