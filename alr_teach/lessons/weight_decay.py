r"""Weight decay in adaptive optimizers: L2 in the gradient against decoupled decay.

Two ways to pull the weights towards zero, with :math:`\lambda` = ``weight_decay``:

* **L2 in the gradient** (``Adam(weight_decay=λ)``, ``SGD(weight_decay=λ)``): the
  optimizer is given :math:`g + \lambda x`, the gradient of
  :math:`f(x) + \tfrac{\lambda}{2}\lVert x\rVert^2`;
* **decoupled decay** (``AdamW(weight_decay=λ)``): the weights are shrunk,
  :math:`x \leftarrow (1 - \eta\lambda)\,x`, outside the optimizer's update.

For plain SGD the two are the same update. For Adam they are not: the L2 term is divided
by :math:`\sqrt{\hat v}` with the rest of the gradient. This module measures what that does.

* **Two parameters, pure noise.** :func:`flip_gradients` gives each parameter a gradient
  that flips sign every step (no signal, only a scale), :func:`decay_paths` runs an
  optimizer on them, :func:`effective_decay` measures each parameter's shrink per step and
  :func:`predicted_decay` gives the derived value. :func:`decoupled_rest_point` says where
  decoupled decay comes to rest on a noisy quadratic.
* **An explorer.** :class:`DecayExplorer`: sliders for lr, weight decay and the ratio of
  the two gradient scales.
* **A network.** :func:`decay_grid` trains a whole learning-rate x weight-decay grid of
  MLPs in one vectorised run (each cell gives the same numbers as an
  :class:`~alr_teach.MLPClassifier` fit), :class:`DecayGrid` holds the result (it also
  fits :func:`~alr_teach.viz.plots.plot_sweep`) and :func:`plot_decay_grid` draws it with each
  learning rate's best weight decay marked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.optimizers.adam import Adam, AdamW
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems import mlp
from alr_teach.viz.explorers.base import Control, Explorer, LogSlider
from alr_teach.viz.plots import cell_edges, style

__all__ = [
    "flip_gradients", "decay_paths", "effective_decay", "predicted_decay", "decoupled_rest_point",
    "DecayGrid", "decay_grid", "plot_decay_grid", "RULES", "DecayExplorer",
]

# -- two parameters whose gradients are pure noise ----------------------------------------------


def flip_gradients(scales: ArrayLike, steps: int) -> np.ndarray:
    r"""Gradients :math:`g_t = s\,(-1)^t` for ``t = 1 .. steps``, shape ``(steps, d)``.

    Each parameter's gradient has a scale :math:`s_i` (so :math:`\hat v_t = s_i^2` exactly
    for Adam without decay) and no direction: it flips sign every step. Whatever pulls
    the parameter towards zero over many steps is then the weight decay alone.
    """
    scales = np.asarray(scales, dtype=float)
    if scales.ndim != 1 or scales.size == 0 or not np.all(np.isfinite(scales) & (scales > 0)):
        raise ValueError(f"Invalid scales: {scales!r} (must be a 1-D array of positive numbers)")
    steps = check.whole("steps", steps, low=1)
    signs = (-1.0) ** np.arange(1, steps + 1)
    return signs[:, None] * scales[None, :]


def decay_paths(optimizer: Optimizer, scales: ArrayLike, steps: int,
                x0: float = 1.0) -> np.ndarray:
    """Run ``optimizer`` from ``x0`` on :func:`flip_gradients`; the points, ``(steps + 1, d)``.

    ``optimizer`` is reset first, so the same instance can be run again.
    """
    grads = flip_gradients(scales, steps)
    optimizer.reset()
    x = np.full(grads.shape[1], float(x0))
    path = [x]
    for g in grads:
        x = optimizer.step(x, g)
        path.append(x)
    return np.array(path)


def effective_decay(path: ArrayLike, burn_in: int = 50, floor: float = 0.05) -> np.ndarray:
    r"""Measured shrink per step of each parameter, ``d`` with :math:`x_{t+1} \approx (1-d)\,x_t`.

    The flip-flop of the noise is averaged out by taking the mean of consecutive points,
    :math:`\bar x_t = (x_t + x_{t+1})/2`; the first ``burn_in`` steps (Adam's moments
    filling up) are skipped. Then
    :math:`d = 1 - (\bar x_b / \bar x_a)^{1/(b-a)}` with ``a = burn_in`` and ``b`` the last
    step, or the last step before :math:`\bar x` falls below ``floor`` times
    :math:`\bar x_a` (a parameter decayed to zero has no rate left to measure). NaN where
    :math:`\bar x_a \le 0` or no step is left to measure.
    """
    path = np.asarray(path, dtype=float)
    if path.ndim == 1:
        path = path[:, None]
    burn_in = check.whole("burn_in", burn_in)
    mean = (path[:-1] + path[1:]) / 2
    if burn_in >= mean.shape[0] - 1:
        raise ValueError(f"Invalid burn_in: {burn_in} (the path has only {path.shape[0] - 1} "
                         f"steps)")
    start = mean[burn_in]
    rates = np.full(path.shape[1], np.nan)
    for i in range(path.shape[1]):
        if not start[i] > 0:
            continue
        later = mean[burn_in:, i]
        low = np.flatnonzero(~(later > floor * start[i]))
        stop = (low[0] - 1) if low.size else later.size - 1
        if stop >= 1:
            rates[i] = 1.0 - (later[stop] / start[i]) ** (1.0 / stop)
    return rates


def predicted_decay(lr: float, weight_decay: float, scales: ArrayLike, *, decoupled: bool,
                    eps: float = 1e-8) -> np.ndarray:
    r"""Derived shrink per step: :math:`\eta\lambda` decoupled, :math:`\eta\lambda/(s+\epsilon)` L2.

    With L2 in the gradient, Adam's step holds :math:`\eta\,\lambda x/(\sqrt{\hat v}+\epsilon)`
    and :math:`\sqrt{\hat v} \approx s` while :math:`\lambda |x| \ll s`; beyond that (a
    parameter whose own gradients are tiny) the decay term fills :math:`\hat v` itself and
    the step tends to :math:`\eta` per step, a sign descent towards zero.
    """
    scales = np.asarray(scales, dtype=float)
    if decoupled:
        return np.full(scales.shape, lr * weight_decay)
    return lr * weight_decay / (scales + eps)


def decoupled_rest_point(decay_over_lr: ArrayLike, *, curvature: float = 1.0,
                         center: float = 1.0, noise: float = 1.0) -> np.ndarray:
    r"""Where Adam with decoupled decay comes to rest on a noisy 1-D quadratic.

    The loss is :math:`f(x) = \tfrac{a}{2}(x - c)^2` (``curvature`` a, ``center`` c > 0) and
    every gradient carries a flip-flop noise of size :math:`\sigma` (``noise``), so near
    rest :math:`\hat m \approx \bar g = a(x - c)` and :math:`\hat v \approx \bar g^2 + \sigma^2`.
    With a decay of :math:`\delta` per step and Adam rate :math:`\eta`, the mean step
    :math:`-\delta x - \eta \bar g/\sqrt{\hat v}` vanishes where

    .. math:: k\, x \sqrt{a^2 (x - c)^2 + \sigma^2} = a (c - x), \qquad k = \delta/\eta,

    which has exactly one root in :math:`(0, c)`, found by bisection. torch's AdamW
    decays by :math:`\delta = \eta\lambda`, so :math:`k = \lambda` and the rate drops out;
    the paper's decay :math:`\delta = \lambda` (constant schedule) gives :math:`k = \lambda/\eta`.
    (With L2 in the gradient the rest point is :math:`ac/(a + \lambda)`, the minimum of
    :math:`f + \tfrac{\lambda}{2}x^2`, whatever :math:`\eta` and :math:`\sigma`.)
    """
    k = np.asarray(decay_over_lr, dtype=float)
    if not (np.all(np.isfinite(k)) and np.all(k >= 0)):
        raise ValueError(f"Invalid decay_over_lr: {decay_over_lr!r} (must be >= 0)")
    a = check.real("curvature", curvature, low=0.0, low_open=True)
    c = check.real("center", center, low=0.0, low_open=True)
    sigma = check.real("noise", noise, low=0.0)
    low, high = np.zeros_like(k), np.full_like(k, c)
    for _ in range(200):  # the interval halves each time: far past float precision
        mid = (low + high) / 2
        excess = k * mid * np.sqrt(a * a * (mid - c) ** 2 + sigma * sigma) - a * (c - mid)
        low, high = np.where(excess < 0, mid, low), np.where(excess < 0, high, mid)
    return (low + high) / 2


# -- a lr x weight-decay grid of networks, trained in one vectorised run -------------------------


@dataclass
class DecayGrid:
    """Outcome of :func:`decay_grid`: one cell per (learning rate, weight decay).

    Arrays of shape ``(n_lr, n_wd)`` are indexed ``[lr index, weight-decay index]``, like a
    :class:`~alr_teach.lab.sweeps.SweepResult` (so :func:`~alr_teach.viz.plots.plot_sweep` draws
    it). ``final_loss`` is the validation loss (cross-entropy) after the last epoch,
    averaged over the seeds; NaN, and ``diverged`` True, where any seed diverged (a
    validation loss that is not finite at some epoch).
    ``steps_to_tol`` is the first epoch (1-based) at which that mean validation loss was at
    most ``tol``, -1 if never. ``validation_loss`` and ``validation_accuracy`` hold every
    seed and epoch, shape ``(n_seeds, epochs, n_lr, n_wd)``.
    """

    names: tuple[str, str]
    values: tuple[np.ndarray, np.ndarray]
    final_loss: np.ndarray
    diverged: np.ndarray
    steps_to_tol: np.ndarray
    tol: float
    validation_loss: np.ndarray
    validation_accuracy: np.ndarray
    optimizer: str
    decay_biases: bool
    lr_scaled_decay: bool

    @property
    def lrs(self) -> np.ndarray:
        return self.values[0]

    @property
    def weight_decays(self) -> np.ndarray:
        return self.values[1]

    @property
    def epochs(self) -> int:
        return int(self.validation_loss.shape[1])

    def _ranked_loss(self) -> np.ndarray:
        return np.where(np.isfinite(self.final_loss), self.final_loss, np.inf)

    def best(self) -> dict[str, float]:
        """The cell with the lowest ``final_loss`` (ties: the first): lr, weight_decay, loss."""
        loss = self._ranked_loss()
        i, j = np.unravel_index(np.argmin(loss), loss.shape)
        return {"lr": float(self.lrs[i]), "weight_decay": float(self.weight_decays[j]),
                "loss": float(loss[i, j])}

    def best_wd_index(self) -> np.ndarray:
        """For each learning rate, the index of the weight decay with the lowest loss."""
        return np.argmin(self._ranked_loss(), axis=1)

    def best_weight_decays(self) -> np.ndarray:
        """For each learning rate, the weight decay with the lowest loss."""
        return self.weight_decays[self.best_wd_index()]

    def row_best_loss(self) -> np.ndarray:
        """For each learning rate, the lowest loss over the weight decays (inf if all diverged)."""
        return self._ranked_loss().min(axis=1)

    def rows_that_train(self, factor: float = 2.0) -> np.ndarray:
        """Learning rates whose best loss is within ``factor`` times the grid's best loss."""
        rows = self.row_best_loss()
        return rows <= factor * rows.min()


def decay_grid(
    optimizer_class: type[Optimizer],
    X: ArrayLike,
    y: ArrayLike,
    X_val: ArrayLike,
    y_val: ArrayLike,
    lrs: ArrayLike,
    weight_decays: ArrayLike,
    *,
    hidden_layer_sizes: Sequence[int] = (32,),
    epochs: int = 12,
    batch_size: int = 64,
    random_states: Iterable[int] = (0,),
    decay_biases: bool = True,
    lr_scaled_decay: bool = True,
    tol: float = 0.15,
    **fixed: object,
) -> DecayGrid:
    """Train an MLP for every (lr, weight decay) pair and every seed; validation curves.

    Cell ``(i, j)`` with seed ``s`` gives the same numbers as ::

        MLPClassifier(hidden_layer_sizes, optimizer=optimizer_class(lr=lrs[i],
                      weight_decay=weight_decays[j], **fixed), batch_size=batch_size,
                      max_iter=epochs, random_state=s).fit(X, y, validation_data=(X_val, y_val))

    (its ``validation_loss_curve_`` and ``validation_score_curve_``; a diverging fit stops
    early, a diverging cell goes on as NaN), but all the cells of a seed train together:
    one optimizer with array hyperparameters steps weight arrays with a leading cell axis
    (every cell starts from the same He initialisation and sees the same batches, as the
    fits with that seed would).

    ``decay_biases=False`` gives the intercepts weight decay 0, as torch users do with
    parameter groups (an optimizer's ``weight_decay`` otherwise applies to every array
    it is given; ``MLPClassifier``'s own ``alpha`` penalises the weights only).
    ``lr_scaled_decay=False`` passes ``weight_decay / lr`` to the optimizer, so that a
    decoupled decay shrinks the weights by ``weight_decay`` per step whatever the rate
    (the paper's convention with a constant schedule) instead of by ``lr * weight_decay``.
    """
    lrs = _positive_1d("lrs", lrs)
    wds = np.asarray(weight_decays, dtype=float)
    if wds.ndim != 1 or wds.size == 0 or not np.all(np.isfinite(wds) & (wds >= 0)):
        raise ValueError(f"Invalid weight_decays: {weight_decays!r} (must be a non-empty 1-D "
                         f"array of numbers >= 0)")
    hidden = tuple(hidden_layer_sizes) if isinstance(hidden_layer_sizes, Iterable) else (
        hidden_layer_sizes,)
    if not all(check.is_whole(h) and h > 0 for h in hidden):
        raise ValueError(f"Invalid hidden_layer_sizes: {hidden_layer_sizes!r} (positive "
                         f"integers)")
    epochs = check.whole("epochs", epochs, low=1)
    batch_size = check.whole("batch_size", batch_size, low=1)
    seeds = tuple(random_states)
    if not seeds or not all(check.is_whole(s) for s in seeds):
        raise ValueError(f"Invalid random_states: {random_states!r} (one or more integers)")
    X, X_val = _features(X, "X"), _features(X_val, "X_val")
    if X_val.shape[1] != X.shape[1]:
        raise ValueError(f"X_val has {X_val.shape[1]} features, X has {X.shape[1]}")
    classes, y_index = np.unique(np.asarray(y), return_inverse=True)
    y_val = np.asarray(y_val)
    if len(y_index) != X.shape[0] or len(y_val) != X_val.shape[0]:
        raise ValueError("X and y (and X_val and y_val) must have the same number of samples")
    unknown = np.setdiff1d(y_val, classes)
    if unknown.size:
        raise ValueError(f"y_val has labels not in y: {unknown[:5]!r}")
    y_val_index = np.searchsorted(classes, y_val)

    lr_cells = np.repeat(lrs, wds.size)                  # cell k = (k // n_wd, k % n_wd)
    wd_cells = np.tile(wds, lrs.size)
    if not lr_scaled_decay:
        wd_cells = wd_cells / lr_cells
    sizes = [X.shape[1], *hidden, classes.size]
    runs = []
    with mlp.one_thread():
        for seed in seeds:  # small matrices: one BLAS thread is faster, and the same numbers
            runs.append(_train_cells(optimizer_class, fixed, lr_cells, wd_cells, decay_biases,
                                     sizes, X, y_index, X_val, y_val_index, epochs,
                                     min(batch_size, X.shape[0]), seed))
    shape = (lrs.size, wds.size)
    losses = np.array([r[0] for r in runs]).reshape(len(seeds), epochs, *shape)
    accuracies = np.array([r[1] for r in runs]).reshape(len(seeds), epochs, *shape)
    diverged = ~np.all(np.isfinite(losses), axis=(0, 1))
    with np.errstate(invalid="ignore"):
        mean_curve = np.where(diverged, np.nan, losses.mean(axis=0))   # (epochs, n_lr, n_wd)
    reached = mean_curve <= tol
    steps_to_tol = np.where(reached.any(axis=0), reached.argmax(axis=0) + 1, -1)
    return DecayGrid(
        names=("lr", "weight_decay"), values=(lrs, wds), final_loss=mean_curve[-1],
        diverged=diverged, steps_to_tol=steps_to_tol, tol=float(tol), validation_loss=losses,
        validation_accuracy=accuracies, optimizer=optimizer_class.__name__,
        decay_biases=bool(decay_biases), lr_scaled_decay=bool(lr_scaled_decay),
    )


def _train_cells(optimizer_class, fixed, lr, wd, decay_biases, sizes, X, y, X_val, y_val,
                 epochs, batch_size, seed):
    """One seed, every cell: per-epoch validation loss and accuracy, each ``(epochs, cells)``.

    Shapes: ``n`` cells, ``B`` samples in a batch; ``coefs[l]`` is ``(n, n_in, n_out)`` and
    ``intercepts[l]`` ``(n, 1, n_out)``, so ``a @ W + b`` is every cell's layer at once.
    """
    n = lr.size
    rng = np.random.default_rng(seed)                 # as MLPClassifier(random_state=seed)
    net = mlp.init_network(sizes, rng)
    coefs = [np.repeat(W[None], n, axis=0) for W in net.coefs]
    intercepts = [np.repeat(b[None, None], n, axis=0) for b in net.intercepts]
    if decay_biases:
        optimizers = [optimizer_class(lr=lr, weight_decay=wd, **fixed)]
    else:
        optimizers = [optimizer_class(lr=lr, weight_decay=wd, **fixed),
                      optimizer_class(lr=lr, weight_decay=0.0, **fixed)]
    L = len(coefs)
    losses, accuracies = [], []
    with np.errstate(all="ignore"):  # a diverging cell turns to NaN without stopping the rest
        for _ in range(epochs):
            order = rng.permutation(X.shape[0])
            X_epoch, y_epoch = X[order], y[order]
            for start in range(0, X.shape[0], batch_size):
                xb, yb = X_epoch[start:start + batch_size], y_epoch[start:start + batch_size]
                cells = mlp.Network(coefs, intercepts, [])       # a stack: one net per cell
                logits, cache = mlp.forward(cells, xb)                        # (n, B, K)
                dlogits = mlp.cross_entropy_backward(mlp.softmax(logits), yb)
                grads = mlp.backward(cells, cache, dlogits)
                dcoefs, dintercepts = grads.coefs, grads.intercepts           # (n, 1, n_out)
                if decay_biases:
                    new = optimizers[0].step(coefs + intercepts, dcoefs + dintercepts)
                    coefs, intercepts = new[:L], new[L:]
                else:
                    coefs = optimizers[0].step(coefs, dcoefs)
                    intercepts = optimizers[1].step(intercepts, dintercepts)
            logits, _ = mlp.forward(mlp.Network(coefs, intercepts, []), X_val)  # (n, N_val, K)
            log_probs = mlp.log_softmax(logits)
            losses.append(mlp.cross_entropy(log_probs, y_val))
            accuracies.append(mlp.accuracy(log_probs, y_val))
    return np.array(losses), np.array(accuracies)


def _positive_1d(name: str, values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0 or not np.all(np.isfinite(array) & (array > 0)):
        raise ValueError(f"Invalid {name}: {values!r} (must be a non-empty 1-D array of "
                         f"positive numbers)")
    return array


def _features(X: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(X, dtype=float)
    if array.ndim != 2 or array.shape[0] == 0 or not np.all(np.isfinite(array)):
        raise ValueError(f"Invalid {name}: must be a finite 2-D array (samples, features)")
    return array


def plot_decay_grid(ax: Axes, grid: DecayGrid, *, title: str | None = None,
                    limits: tuple[float, float] | None = None, annotate: bool = True):
    """Heatmap of a :class:`DecayGrid`: validation loss over lr (x) and weight decay (y).

    In the style of :func:`~alr_teach.viz.plots.plot_sweep` (log axes, log colour scale with a
    colour bar, diverged cells grey and hatched), with every cell's loss written in it
    (``annotate``), each learning rate's best weight decay outlined in white and the best
    cell starred. ``limits`` fixes the colour scale, to compare two grids. The axes are
    logarithmic (linear for weight decays that include 0); ticks sit on the grid values.
    Returns the mesh.
    """
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Patch, Rectangle

    lrs, wds = grid.lrs, grid.weight_decays
    ylog = bool(np.all(wds > 0))
    x_edges, y_edges = cell_edges(lrs, True), cell_edges(wds, ylog)
    loss = np.where(grid.diverged, np.nan, grid.final_loss)
    norm = LogNorm(*limits) if limits is not None else LogNorm()
    mesh = ax.pcolormesh(x_edges, y_edges, loss.T, norm=norm, cmap="viridis")
    handles = []
    if grid.diverged.any():
        ax.pcolormesh(x_edges, y_edges, np.where(grid.diverged.T, 1.0, np.nan), cmap="Greys",
                      vmin=0, vmax=3, hatch="//")
        handles.append(Patch(facecolor="0.85", hatch="//", label="diverged"))
    colorbar = ax.figure.colorbar(mesh, ax=ax)
    colorbar.set_label(f"validation loss after {grid.epochs} epochs (log scale, mean of "
                       f"{grid.validation_loss.shape[0]} seeds)")
    best = grid.best()
    for i, j in enumerate(grid.best_wd_index()):
        if not grid.diverged[i, j]:
            ax.add_patch(Rectangle((x_edges[i], y_edges[j]), x_edges[i + 1] - x_edges[i],
                                   y_edges[j + 1] - y_edges[j], fill=False, edgecolor="white",
                                   linewidth=2.5))
    handles.append(Patch(facecolor="#440154", edgecolor="white", linewidth=2.5,
                         label="best λ for this η"))
    if annotate:
        for (i, j), value in np.ndenumerate(loss):
            if not np.isfinite(value):
                continue
            starred = lrs[i] == best["lr"] and wds[j] == best["weight_decay"]
            dark = mesh.norm(value) < 0.6
            ax.text(lrs[i], wds[j], ("★" if starred else "") + f"{value:.3f}", ha="center",
                    va="center", fontsize=8, color="white" if dark else "black",
                    fontweight="bold" if starred else "normal")
    ax.set_xscale("log")
    if ylog:
        ax.set_yscale("log")
    ax.set_xticks(lrs, [f"{v:.3g}" for v in lrs])
    ax.set_yticks(wds, [f"{v:.3g}" for v in wds])
    ax.minorticks_off()
    ax.set(xlim=(x_edges[0], x_edges[-1]), ylim=(y_edges[0], y_edges[-1]),
           xlabel="learning rate η (log scale)",
           ylabel="weight decay λ" + (" (log scale)" if ylog else ""),
           title=title or f"{grid.optimizer}: validation loss over η × λ (★ best cell)")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
              fontsize=8, frameon=False)
    return mesh


# -- the explorer -------------------------------------------------------------------------------

#: the two runs the explorer compares: (label, class)
RULES = (("Adam + L2", Adam), ("AdamW", AdamW))


class DecayExplorer(Explorer):
    r"""Two parameters, pure-noise gradients of scales 1 and 1/``ratio``: how fast does each decay?

    Left: both parameters under ``Adam(lr, weight_decay)`` (L2 in the gradient) and under
    ``AdamW(lr, weight_decay)`` (decoupled), from :math:`x_0 = 1`. Right: the measured
    shrink per step of each (:func:`effective_decay`) beside the derived one
    (:func:`predicted_decay`). With L2, parameter 2 decays ``ratio`` times faster than
    parameter 1 while :math:`\lambda|x|` stays well below its gradient scale; with AdamW
    both decay at :math:`\eta\lambda`.

    Settings: ``lr``, ``weight_decay``, ``ratio`` and ``steps``; log sliders for the
    first three. The summary holds the settings and, per rule (``adam_l2``, ``adamw``),
    the measured and derived decay of each parameter, their ratio and the final weights.
    """

    DEFAULTS = {"lr": 1e-2, "weight_decay": 1e-3, "ratio": 20.0, "steps": 2000}
    FIGSIZE = (11, 4.2)
    STATIC_FIGSIZE = (12, 4.4)
    BURN_IN = 50
    DECAY_LIMITS = (1e-9, 1.0)

    def check(self, settings: dict) -> dict:
        check.real("lr", settings["lr"], low=0.0, low_open=True)
        check.real("weight_decay", settings["weight_decay"], low=0.0)
        check.real("ratio", settings["ratio"], low=1.0)
        check.whole("steps", settings["steps"], low=2 * self.BURN_IN)
        return settings

    @property
    def scales(self) -> np.ndarray:
        return np.array([1.0, 1.0 / self.settings["ratio"]])

    def compute(self) -> dict:
        """Paths, measured and predicted decay per step, for each rule (keyed by label)."""
        s = self.settings
        out = {}
        for label, cls in RULES:
            path = decay_paths(cls(lr=s["lr"], weight_decay=s["weight_decay"]), self.scales,
                               s["steps"])
            out[label] = {
                "path": path,
                "measured": effective_decay(path, burn_in=self.BURN_IN),
                "predicted": predicted_decay(s["lr"], s["weight_decay"], self.scales,
                                             decoupled=cls is AdamW),
            }
        return out

    def summarise(self, data: dict) -> dict:
        s = self.settings
        summary = {k: float(v) for k, v in s.items()}
        summary["steps"] = int(s["steps"])
        for label, _ in RULES:
            key = "adam_l2" if label.startswith("Adam +") else "adamw"
            measured, predicted = data[label]["measured"], data[label]["predicted"]
            summary[f"{key}_decay"] = tuple(float(v) for v in measured)
            summary[f"{key}_predicted"] = tuple(float(v) for v in predicted)
            summary[f"{key}_ratio"] = float(measured[1] / measured[0])
            summary[f"{key}_final"] = tuple(float(v) for v in data[label]["path"][-1])
        return summary

    def draw(self, fig: Figure) -> dict:
        """The two axes (``paths``, ``rates``) and their empty artists; ``show`` fills them."""
        ax_paths, ax_rates = fig.subplots(1, 2)
        view = {"paths": ax_paths, "rates": ax_rates}
        for r, (label, _) in enumerate(RULES):
            for p, name in enumerate(("large gradients", "small gradients")):
                st = style(2 * r + p)
                (view[f"path {r} {p}"],) = ax_paths.plot(
                    [], [], color=st["color"], linestyle=st["linestyle"], linewidth=1.6,
                    label=f"{label}, parameter {p + 1} ({name})")
        ax_paths.axhline(0.0, color="0.6", linewidth=0.8)
        ax_paths.set(ylim=(-0.1, 1.1), xlabel="step t", ylabel="parameter x (starts at 1)")
        ax_paths.legend(fontsize=8, loc="lower left")
        for r, (label, _) in enumerate(RULES):
            st = style(2 * r)
            offset = -0.08 if r == 0 else 0.08
            (view[f"measured {r}"],) = ax_rates.plot(
                np.array([0, 1]) + offset, [np.nan, np.nan], color=st["color"],
                marker=st["marker"], markersize=10, linestyle="none", label=f"{label}: measured")
            (view[f"predicted {r}"],) = ax_rates.plot(
                np.array([0, 1]) + offset, [np.nan, np.nan], color=st["color"], marker="_",
                markersize=26, markeredgewidth=2.5, linestyle="none",
                label=f"{label}: derived, {'ηλ' if r else 'ηλ / s'}")
        ax_rates.set(yscale="log", ylim=self.DECAY_LIMITS, xlim=(-0.5, 1.5),
                     ylabel="shrink per step d (log scale)")
        ax_rates.set_xticks([0, 1], ["parameter 1\n(gradient scale 1)",
                                     "parameter 2\n(gradient scale 1/ratio)"])
        ax_rates.legend(fontsize=8, loc="upper left")
        return view

    def show(self, view: dict, data: dict) -> None:
        s = self.settings
        steps = np.arange(s["steps"] + 1)
        for r, (label, _) in enumerate(RULES):
            path = data[label]["path"]
            for p in range(2):
                view[f"path {r} {p}"].set_data(steps, path[:, p])
            measured = data[label]["measured"]
            view[f"measured {r}"].set_ydata(np.where(measured > 0, measured, np.nan))
            view[f"predicted {r}"].set_ydata(data[label]["predicted"])
        view["paths"].set_xlim(0, s["steps"])
        view["paths"].set_title(f"η = {s['lr']:.3g}, λ = {s['weight_decay']:.3g}, gradient "
                                f"scales 1 and 1/{s['ratio']:.3g}", fontsize=10)
        ratios = [data[label]["measured"][1] / data[label]["measured"][0] for label, _ in RULES]
        shown = ["n/a" if not np.isfinite(q) else f"{q:.3g}×" for q in ratios]
        view["rates"].set_title(f"parameter 2 decays {shown[0]} as fast as parameter 1 with "
                                f"L2, {shown[1]} with AdamW", fontsize=10)

    def summary_html(self) -> str:
        s = self.summary

        def rates(key):
            return " and ".join(f"{v:.2e}" for v in s[f"{key}_decay"])

        return (f"<p>Shrink per step (parameters 1 and 2): Adam + L2 {rates('adam_l2')} "
                f"(ratio {s['adam_l2_ratio']:.3g}); AdamW {rates('adamw')} "
                f"(ratio {s['adamw_ratio']:.3g}).</p>")

    def control_specs(self) -> dict[str, Control]:
        """Log sliders (released to apply) for lr, weight decay and the gradient-scale ratio."""
        return {
            "lr": LogSlider(-4, -1, 0.1, "lr η"),
            "weight_decay": LogSlider(-5, -1, 0.1, "decay λ"),
            "ratio": LogSlider(0, 4, 0.1, "scale ratio", ".3g"),
        }
