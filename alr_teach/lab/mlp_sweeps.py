r"""Many copies of the course's MLP trained at once, one per (learning rate, seed), layer by layer.

A learning-rate sweep of the network of :class:`alr_teach.MLPClassifier` is usually a loop
of fits. Here it is **one** run: every parameter array carries a leading *run* axis
(``W_l`` of shape ``(R, n_in, n_out)``, ``b_l`` of shape ``(R, n_out)``) and the
optimizer gets an ``lr`` of shape ``(R,)``, so by the course's broadcasting rule (sweep
axes lead, parameter axes trail) run ``r`` is an independent problem with its own rate.
That matters for :class:`~alr_teach.LAMB` and :class:`~alr_teach.NovoGrad`, whose norms
reduce over the parameter axes *after* the sweep axes: with an array ``lr`` each run gets
its own norms; with a scalar ``lr`` the ``R`` runs would be one problem and the norms
would mix them. :func:`sweep_mlp` always passes the rate as an array of shape ``(R,)``.

Run ``(i, j)`` (rate ``lrs[i]``, seed ``seeds[j]``) is exactly
``MLPClassifier(hidden_layer_sizes=hidden, optimizer=make_optimizer(lrs[i]),
batch_size=batch_size, max_iter=epochs, random_state=seeds[j])``: the same He
initialisation and the same shuffles (one ``numpy.random.Generator`` per seed, drawn
from in the same order), the same mini-batches (the last one of an epoch holds the
remainder), and the same numbers up to rounding (tests/test_mlp_sweeps.py).

Besides the curves, every step records each parameter array's norm and the norm of its
step, per run: the *relative step* :math:`\lVert \Delta x_l \rVert / \lVert x_l \rVert`
of each layer, and for LAMB its *trust ratio* :math:`\lVert x_l \rVert / \lVert u_l
\rVert` (:func:`lamb_trust_ratios`). :class:`LayerStepExplorer` trains one run per
setting and shows the layers' relative steps as sliders change.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.lab.benchmarking import Split, one_thread
from alr_teach.optimizers.adam import Adam
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.layerwise import LAMB, NovoGrad, trust_ratio
from alr_teach.problems import mlp
from alr_teach.viz.plots import style
from alr_teach.viz.widgets import figure_png

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


def forward(params: list[np.ndarray], X: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Logits of every run, and the layer inputs ``backward`` needs.

    ``params`` is ``[W_1 .. W_L, b_1 .. b_L]`` with the run axis first; ``X`` is
    ``(R, B, D)`` (each run its own batch) or ``(1, N, D)`` (one set of samples for all).
    The operations are those of :func:`alr_teach.problems.mlp.forward`, run by run.
    """
    n = len(params) // 2
    coefs, intercepts = params[:n], params[n:]
    activations = [X]
    a = X  # (R, B, D)
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        z = a @ W  # (R, B, H)
        z += b[:, None, :]  # (R, B, H)
        a = mlp.relu(z)  # (R, B, H)
        activations.append(a)
    logits = a @ coefs[-1]  # (R, B, K)
    logits += intercepts[-1][:, None, :]  # (R, B, K)
    return logits, activations


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """:func:`alr_teach.problems.mlp.log_softmax` of every row of every run."""
    R, B, K = logits.shape
    return mlp.log_softmax(logits.reshape(R * B, K)).reshape(R, B, K)


def cross_entropy(log_probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean ``-log p(y_i | x_i)`` of each run: shape ``(R,)``; ``y`` is ``(R, B)`` or ``(B,)``."""
    y = np.broadcast_to(y, log_probs.shape[:2])
    return -np.take_along_axis(log_probs, y[..., None], axis=-1)[..., 0].mean(axis=1)


def backward(params: list[np.ndarray], activations: list[np.ndarray], log_probs: np.ndarray,
             y: np.ndarray) -> list[np.ndarray]:
    """Gradients of each run's mean cross-entropy, in the order of ``params``.

    ``d loss / d logits = (softmax - onehot(y)) / B``, then back through the layers as
    :func:`alr_teach.problems.mlp.backward` does (no L2 penalty, no batch norm).
    """
    n = len(params) // 2
    coefs = params[:n]
    dz = np.exp(log_probs)  # (R, B, K)  softmax
    np.put_along_axis(dz, y[..., None], np.take_along_axis(dz, y[..., None], -1) - 1.0, -1)
    dz /= y.shape[-1]  # (R, B, K)
    dcoefs, dintercepts = [None] * n, [None] * n
    for l in range(n - 1, -1, -1):
        a = activations[l]  # (R, B, n_in)
        dcoefs[l] = a.swapaxes(-1, -2) @ dz  # (R, n_in, n_out)
        dintercepts[l] = dz.sum(axis=1)  # (R, n_out)
        if l > 0:
            dz = mlp.relu_backward(dz @ coefs[l].swapaxes(-1, -2), a)  # (R, B, n_in)
    return [*dcoefs, *dintercepts]


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
    log_probs = log_softmax(forward(params, X[None])[0])  # (R, N, K)
    return cross_entropy(log_probs, y), np.mean(log_probs.argmax(axis=-1) == y, axis=1)


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
    (``k`` steps taken so far, as for ``MLPClassifier``'s ``schedule``): a warm-up, say.
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

    with one_thread(), np.errstate(all="ignore"):  # a diverging run only turns to inf/NaN
        for epoch in range(epochs):
            order = np.tile(np.stack([g.permutation(n) for g in generators]), (n_lr, 1))
            X_epoch, y_epoch = X[order], y[order]  # (R, n, D), (R, n): each run's shuffle
            total = np.zeros(n_lr * n_seeds)
            for start in range(0, n, batch_size):
                k = optimizer.t
                X_batch = X_epoch[:, start:start + batch_size]  # (R, B, D)
                y_batch = y_epoch[:, start:start + batch_size]  # (R, B)
                logits, activations = forward(params, X_batch)
                log_probs = log_softmax(logits)
                total += cross_entropy(log_probs, y_batch) * y_batch.shape[1]
                grads = backward(params, activations, log_probs, y_batch)
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


# -- figures ----------------------------------------------------------------------------------
def _mean_and_range(values: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """Mean, min and max over ``axis``, ignoring NaN (all-NaN slices give NaN quietly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return (np.nanmean(values, axis), np.nanmin(values, axis), np.nanmax(values, axis))


def plot_rate_curves(ax: Axes, sweeps: Sequence[MLPSweep], labels: Sequence[str] | None = None,
                     *, ceiling: float = 10.0) -> list:
    """Last validation loss against the rate: mean over seeds (line), range (band), ring = chosen.

    One styled line per sweep (``style(i)`` for the i-th); the loss axis stops at
    ``ceiling``, so a line that leaves the top blew up. Returns the lines.
    """
    labels = [s.method for s in sweeps] if labels is None else list(labels)
    lines = []
    for i, (sweep, label) in enumerate(zip(sweeps, labels)):
        st = style(i)
        last = np.where(np.isfinite(sweep.val_loss[-1]), sweep.val_loss[-1], np.nan)
        mean, low, high = _mean_and_range(last, 1)
        (line,) = ax.plot(sweep.lrs, mean, label=label, markersize=5, **st)
        ax.fill_between(sweep.lrs, low, high, color=st["color"], alpha=0.15, linewidth=0)
        best = sweep.best_index()
        ax.plot(sweep.lrs[best], mean[best], "o", markersize=13, markerfacecolor="none",
                markeredgecolor=st["color"], markeredgewidth=1.5)
        lines.append(line)
    ax.set(xscale="log", yscale="log", xlabel="learning rate η (log scale)",
           ylabel="validation loss after the last epoch\n(mean over seeds, band = range)")
    ax.set_ylim(top=ceiling)
    ax.legend(fontsize=8)
    return lines


#: what :func:`plot_layer_steps` can draw: attribute of :class:`MLPSweep` -> axis label
LAYER_QUANTITIES = {
    "relative_steps": "relative step ‖Δx_l‖ / ‖x_l‖ (log scale)",
    "trust_ratios": "LAMB's trust ratio ‖x_l‖ / ‖u_l‖ (log scale)",
}


def plot_layer_steps(ax: Axes, sweep: MLPSweep, quantity: str = "relative_steps",
                     lr_index: int | None = None, seed_index: int = 0) -> list:
    """One line per parameter array: ``quantity`` at every step of one run, against epochs.

    The run is (``lr_index``, ``seed_index``); ``lr_index`` defaults to the chosen rate.
    The x axis counts epochs (step / steps per epoch), so runs with different batch sizes
    share it. Returns the lines, in the order of ``sweep.names``.
    """
    check.one_of("quantity", quantity, LAYER_QUANTITIES)
    values = getattr(sweep, quantity)
    if values is None:
        raise ValueError(f"Invalid quantity: {quantity!r} (recorded for LAMB only, "
                         f"this sweep is {sweep.method})")
    i = sweep.best_index() if lr_index is None else lr_index
    epochs = sweep.val_loss.shape[0]
    x = np.arange(1, sweep.steps + 1) * epochs / sweep.steps
    lines = []
    for a, name in enumerate(sweep.names):
        (line,) = ax.plot(x, values[:, i, seed_index, a], label=name, markersize=4,
                          markevery=max(1, sweep.steps // 8), **style(a))
        lines.append(line)
    ax.set(yscale="log", xlabel="epoch", ylabel=LAYER_QUANTITIES[quantity],
           title=f"{sweep.method}, batch {sweep.batch_size}, η = {sweep.lrs[i]:.3g}")
    ax.legend(fontsize=8, ncol=2)
    return lines


# -- the explorer -----------------------------------------------------------------------------
#: the methods the explorer offers
EXPLORER_METHODS: dict[str, type[Optimizer]] = {"Adam": Adam, "LAMB": LAMB,
                                                 "NovoGrad": NovoGrad}
#: the batch sizes its slider offers, besides the whole training part
EXPLORER_BATCHES = (16, 32, 64, 128, 256, 512)


class LayerStepExplorer:
    """Train one MLP with Adam, LAMB or NovoGrad and see each layer's relative step.

    ``update(**changes)`` takes any of ``method`` (a key of :data:`EXPLORER_METHODS`),
    ``batch_size``, ``lr``, ``epochs`` and ``seed``; it trains one run with
    :func:`sweep_mlp`, moves the lines (relative step of each parameter array; validation
    accuracy per epoch) and returns a summary: the settings, the steps taken, the final
    validation accuracy, and each array's median relative step.
    """

    def __init__(self, split: Split, method: str = "LAMB", batch_size: int = 256,
                 lr: float = 0.01, epochs: int = 10, seed: int = 0,
                 hidden: Sequence[int] = (32,)) -> None:
        self.split, self.hidden = split, tuple(hidden)
        self.settings = {"method": method, "batch_size": batch_size, "lr": lr,
                         "epochs": epochs, "seed": seed}
        self._check(self.settings)
        self.fig = Figure(figsize=(11, 4.0), dpi=80, layout="constrained")
        FigureCanvasAgg(self.fig)  # drawn off screen; the widget shows it as a PNG
        self.ax_steps, self.ax_accuracy = self.fig.subplots(1, 2, width_ratios=[1.4, 1])
        names = layer_names(len(self.hidden) + 1)
        self.step_lines = [self.ax_steps.plot([], [], label=n, markersize=4, **style(a))[0]
                           for a, n in enumerate(names)]
        (self.accuracy_line,) = self.ax_accuracy.plot([], [], markersize=5, **style(0))
        self.ax_steps.set(yscale="log", xlabel="epoch",
                          ylabel=LAYER_QUANTITIES["relative_steps"])
        self.ax_steps.legend(fontsize=8, ncol=2, loc="upper right")
        self.ax_accuracy.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1.02),
                             title="Validation accuracy after each epoch")
        self.summary = self.update()

    def _check(self, changes: dict) -> None:
        allowed = {"method", "batch_size", "lr", "epochs", "seed"}
        check.known_settings(changes, sorted(allowed))
        if "method" in changes:
            check.one_of("method", changes["method"], EXPLORER_METHODS)
        if "lr" in changes:
            check.positive("lr", changes["lr"])
        for name in ("batch_size", "epochs"):
            if name in changes:
                check.whole(name, changes[name], low=1)
        if "seed" in changes:
            check.whole("seed", changes["seed"])

    def update(self, **changes) -> dict:
        """Apply ``changes``, train the run, redraw; return the summary."""
        self._check(changes)
        self.settings.update(changes)
        s = self.settings
        self.sweep = sweep_mlp(EXPLORER_METHODS[s["method"]], self.split, [s["lr"]],
                               [s["seed"]], hidden=self.hidden, batch_size=s["batch_size"],
                               epochs=s["epochs"])
        sweep = self.sweep
        relative = sweep.relative_steps[:, 0, 0]  # (steps, n_arrays)
        x = np.arange(1, sweep.steps + 1) * s["epochs"] / sweep.steps
        for line, values in zip(self.step_lines, relative.T):
            line.set_data(x, values)
            line.set_markevery(max(1, sweep.steps // 8))
        accuracy = sweep.val_accuracy[:, 0, 0]
        self.accuracy_line.set_data(np.arange(1, s["epochs"] + 1), accuracy)
        shown = relative[np.isfinite(relative) & (relative > 0)]
        low, high = (shown.min(), shown.max()) if shown.size else (1e-4, 1.0)
        self.ax_steps.set(xlim=(0, s["epochs"]), ylim=(low / 1.5, high * 1.5))
        self.ax_accuracy.set_xlim(0.5, s["epochs"] + 0.5)
        final = float(accuracy[-1])
        self.ax_steps.set_title(f"{s['method']}, batch {sweep.batch_size}, η = {s['lr']:.3g}: "
                                f"{sweep.steps} steps, validation accuracy {final:.3f}",
                                fontsize=10)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a bias that stayed at 0
            medians = np.nanmedian(relative, axis=0)
        self.summary = {**s, "batch_size": sweep.batch_size, "steps": sweep.steps,
                        "val_accuracy": final,
                        "median_relative_step": dict(zip(sweep.names, medians.tolist()))}
        return self.summary

    def static_figure(self):
        """The current view as an ordinary pyplot figure; end the cell with ``plt.show()``."""
        import matplotlib.pyplot as plt

        fig, (ax_steps, ax_accuracy) = plt.subplots(1, 2, figsize=(12, 4.2),
                                                    width_ratios=[1.4, 1],
                                                    layout="constrained")
        plot_layer_steps(ax_steps, self.sweep)
        ax_steps.set(xlim=self.ax_steps.get_xlim(), ylim=self.ax_steps.get_ylim())
        ax_steps.set_title(self.ax_steps.get_title(), fontsize=10)
        ax_accuracy.plot(*self.accuracy_line.get_data(), markersize=5, **style(0))
        ax_accuracy.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1.02),
                        xlim=self.ax_accuracy.get_xlim(),
                        title="Validation accuracy after each epoch")
        return fig

    def png(self) -> bytes:
        """The figure as PNG bytes (what the widget shows)."""
        return figure_png(self.fig)

    def widget(self):
        """A method menu, batch-size, rate, epochs and seed sliders (applied on release)."""
        import ipywidgets as widgets

        from alr_teach.viz.widgets import explorer_box

        s = self.settings
        common = {"continuous_update": False, "style": {"description_width": "initial"}}
        n = len(self.split.y_train)  # the largest batch: the whole training part
        batch = min(s["batch_size"], n)
        batches = sorted({b for b in EXPLORER_BATCHES if b < n} | {n, batch})
        controls = {
            "method": widgets.Dropdown(options=list(EXPLORER_METHODS), value=s["method"],
                                       description="method"),
            "batch_size": widgets.SelectionSlider(options=batches, value=batch,
                                                  description="batch size", **common),
            "lr": widgets.FloatLogSlider(value=s["lr"], base=10, min=-4, max=0, step=0.25,
                                         description="learning rate η", readout_format=".1e",
                                         **common),
            "epochs": widgets.IntSlider(value=s["epochs"], min=1, max=30,
                                        description="epochs", **common),
            "seed": widgets.IntSlider(value=s["seed"], min=0, max=9, description="seed",
                                      **common),
        }
        self.controls = controls
        names = list(controls)
        return explorer_box(self, [names[:3], names[3:]], summary=False)
