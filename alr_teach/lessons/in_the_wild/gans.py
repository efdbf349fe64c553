r"""Two-player games: the optimizers inside a GAN, where one player descends and one ascends.

A generative adversarial network is a game: a generator minimises what a discriminator
maximises. Each player runs its own optimizer on its own objective, and the pair need not
converge even when each step is a good step for its player. This module gives the
smallest games that show it.

**The bilinear game** :math:`f(x, y) = x\,y`. Player :math:`x` minimises :math:`f`,
player :math:`y` maximises it; the only equilibrium is :math:`(0, 0)`. Each player
*descends* its own loss: :math:`x` uses :math:`\partial f/\partial x = y`, and :math:`y`
uses :math:`\partial(-f)/\partial y = -x`. :func:`play` runs two optimizers against each
other, simultaneously (both see the old point) or alternately (:math:`y` sees the new
:math:`x`), vectorised over any leading batch axes of the start points, so a whole
learning-rate sweep is one call. :class:`OptimisticGD` is gradient descent with an
optimistic correction, :math:`x_t = x_{t-1} - \eta(2 g_t - g_{t-1})`, a classical fix
for such games. :data:`GAME_METHODS` names the methods the :class:`GameExplorer` offers.

**A 1-D GAN.** :func:`train_gans` fits a generator (a small ReLU network of
:mod:`alr_teach.problems.mlp` mapping noise :math:`z \sim \mathcal N(0, 1)` to a number) to a
mixture of two Gaussians (:class:`Mixture`), against a discriminator (another small
network giving the logit of "real"). Both are updated simultaneously from gradients at
the same point, the discriminator on the logistic loss and the generator on the
non-saturating loss :math:`-\log \sigma(D(G(z)))`. Several GANs (a rate sweep, several
seeds) train as one stack of networks, as the optimizers' sweep axes allow.
:func:`wasserstein_1d` measures how far the generated samples are from the target (in
the target's units).

>>> run = play(lambda: OptimisticGD(lr=0.2), BilinearGame(), steps=200)
>>> bool(run.distance[-1] < 0.02 * run.distance[0])
True
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.optimizers.adam import Adam
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.optimistic import OptimisticGD
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.optimizers.sgd import SGD
from alr_teach.problems import mlp
from alr_teach.viz.explorers.base import Control, Explorer, IntSlider, LogSlider, Menu, Slider
from alr_teach.viz.plots import style

__all__ = [
    "BilinearGame", "GameRun", "play", "growth_factor", "GAME_METHODS", "play_method",
    "plot_game", "GameExplorer", "Mixture", "wasserstein_1d", "mode_shares", "stack_networks",
    "unstack_network", "gan_gradients", "GanRun", "train_gans",
]

# -- the bilinear game ------------------------------------------------------------------------


class BilinearGame:
    r""":math:`f(x, y) = x\,y`: :math:`x` minimises, :math:`y` maximises; equilibrium (0, 0).

    Points have shape ``(..., 2)`` (``x`` first). ``grads`` gives what each player
    descends: :math:`(\partial f/\partial x, -\partial f/\partial y) = (y, -x)`.
    """

    start = np.array([1.0, 1.0])

    def value(self, z: ArrayLike) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        return z[..., 0] * z[..., 1]

    def grads(self, z: ArrayLike) -> np.ndarray:
        """The descent direction's negative for each player: ``(y, -x)``, shape ``(..., 2)``."""
        z = np.asarray(z, dtype=float)
        return np.stack([z[..., 1], -z[..., 0]], axis=-1)


@dataclass
class GameRun:
    """A played game: ``points`` (steps + 1, ..., 2) and their ``distance`` to (0, 0)."""

    points: np.ndarray
    alternating: bool

    @property
    def distance(self) -> np.ndarray:
        return np.linalg.norm(self.points, axis=-1)


def play(
    make_optimizer: Callable[[], Optimizer],
    game: BilinearGame,
    start: ArrayLike | None = None,
    steps: int = 200,
    *,
    alternating: bool = False,
) -> GameRun:
    """Each player descends its own loss with its own ``make_optimizer()``, for ``steps``.

    Simultaneous play (default) gives both players the gradients at the old point;
    alternating play moves ``x`` first and gives ``y`` the gradient at the new ``x``.
    ``start`` has shape ``(2,)`` or ``(..., 2)`` for a batch of games (default
    ``game.start``); hyperparameter arrays broadcast with its leading axes.
    """
    steps = check.whole("steps", steps)
    z = np.array(game.start if start is None else start, dtype=float)
    if z.ndim == 0 or z.shape[-1] != 2:
        raise ValueError(f"Invalid start: shape {z.shape} (the last axis must hold (x, y))")
    x_player, y_player = make_optimizer(), make_optimizer()
    points = np.empty((steps + 1,) + z.shape)
    points[0] = z
    x, y = z[..., :1], z[..., 1:]
    with np.errstate(all="ignore"):  # a spiral out may overflow: the distance shows it
        for t in range(1, steps + 1):
            g = game.grads(np.concatenate([x, y], axis=-1))
            x_new = x_player.step(x, g[..., :1])
            if alternating:
                g = game.grads(np.concatenate([x_new, y], axis=-1))
            y = y_player.step(y, g[..., 1:])
            x = x_new
            points[t, ..., :1], points[t, ..., 1:] = x, y
    return GameRun(points, alternating)


def growth_factor(lr: float) -> float:
    r"""Simultaneous gradient descent-ascent multiplies the distance by :math:`\sqrt{1+\eta^2}`."""
    return float(np.sqrt(1.0 + check.nonnegative("lr", lr) ** 2))


#: The explorer's methods: name -> (optimizer from (lr, beta), alternating?). ``beta`` is
#: the momentum coefficient, Adam's beta1 or RMSProp's alpha; the others ignore it.
GAME_METHODS: dict[str, tuple[Callable[[float, float], Optimizer], bool]] = {
    "GDA (simultaneous)": (lambda lr, beta: SGD(lr=lr), False),
    "GDA (alternating)": (lambda lr, beta: SGD(lr=lr), True),
    "momentum": (lambda lr, beta: SGD(lr=lr, momentum=beta), False),
    "Adam": (lambda lr, beta: Adam(lr=lr, betas=(beta, 0.999)), False),
    "RMSProp": (lambda lr, beta: RMSProp(lr=lr, alpha=beta), False),
    "optimistic GD": (lambda lr, beta: OptimisticGD(lr=lr), False),
}


def play_method(name: str, lr: float, beta: float, steps: int = 200,
                start: ArrayLike | None = None) -> GameRun:
    """The bilinear game played by both players with the method ``name`` of GAME_METHODS."""
    check.one_of("method", name, GAME_METHODS)
    make, alternating = GAME_METHODS[name]
    make(lr, beta)  # checks lr and beta before playing
    return play(lambda: make(lr, beta), BilinearGame(), start, steps, alternating=alternating)


def plot_game(ax_path: Axes, ax_distance: Axes, runs: Sequence[GameRun],
              labels: Sequence[str], *, limit: float = 4.0) -> list:
    """Paths in the (x, y) plane (left) and distance to the equilibrium per step (right).

    Paths are clipped to the square of half-width ``limit``; a run that leaves it shows
    where it went on the distance plot (log scale). Returns the two lines of each run.
    """
    lines = []
    for i, (run, label) in enumerate(zip(runs, labels)):
        st = style(i)
        path = run.points.reshape(run.points.shape[0], -1)[:, :2]
        (a,) = ax_path.plot(path[:, 0], path[:, 1], color=st["color"],
                            linestyle=st["linestyle"], linewidth=1.2, label=label)
        steps = np.arange(run.points.shape[0])
        (b,) = ax_distance.semilogy(steps, run.distance.reshape(steps.size, -1)[:, 0],
                                    label=label, markevery=max(1, steps.size // 8),
                                    markersize=4, **st)
        lines.append((a, b))
    ax_path.plot(0, 0, "*", color="black", markersize=12, label="equilibrium (0, 0)")
    ax_path.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal",
                xlabel="x (minimises x·y)", ylabel="y (maximises x·y)",
                title="Paths in the bilinear game")
    ax_distance.set(xlabel="step t", ylabel="distance to (0, 0) (log scale)",
                    title="Distance to the equilibrium")
    ax_path.legend(fontsize=7, loc="upper left")
    return lines


class GameExplorer(Explorer):
    """One method on the bilinear game: pick it, its rate and its beta; see path and distance.

    Settings: ``method`` (a name from :data:`GAME_METHODS`), ``lr``, ``beta`` and
    ``steps``. Each update replays the game beside a reference, simultaneous gradient
    descent-ascent at the same rate, and returns a summary: the settings, the final
    distance to the equilibrium, its ratio to the start's, and the reference's ratio.
    """

    DEFAULTS = {"method": "Adam", "lr": 0.1, "beta": 0.9, "steps": 300}
    FIGSIZE = (10, 4.2)
    STATIC_FIGSIZE = (11, 4.6)
    LIMIT = 4.0

    def check(self, settings: dict) -> dict:
        check.one_of("method", settings["method"], GAME_METHODS)
        check.in_range("lr", settings["lr"], 0.0, low_open=True)
        check.decay_factor("beta", settings["beta"])
        check.whole("steps", settings["steps"], low=1)
        return settings

    def runs(self) -> tuple[GameRun, GameRun]:
        """The chosen method's run and the simultaneous-GDA reference at the same rate."""
        s = self.settings
        return (play_method(s["method"], s["lr"], s["beta"], s["steps"]),
                play_method("GDA (simultaneous)", s["lr"], s["beta"], s["steps"]))

    def compute(self) -> tuple[GameRun, GameRun]:
        return self.runs()

    def summarise(self, runs: tuple[GameRun, GameRun]) -> dict:
        run, reference = runs
        final, first = float(run.distance[-1]), float(run.distance[0])
        return {**self.settings, "final_distance": final, "ratio": final / first,
                "reference_ratio": float(reference.distance[-1] / first)}

    def draw(self, fig: Figure) -> dict:
        """The two axes (``path``, ``distance``) and the two (empty) lines of each run."""
        ax_path, ax_distance = fig.subplots(1, 2)
        empty = GameRun(np.full((1, 2), np.nan), False)
        lines = plot_game(ax_path, ax_distance, [empty, empty],
                          [self.settings["method"], "GDA (simultaneous), same lr"],
                          limit=self.LIMIT)
        ax_distance.set(ylim=(1e-4, 1e4), xlim=(0, self.settings["steps"]))
        ax_distance.legend(fontsize=7, loc="lower left")
        return {"path": ax_path, "distance": ax_distance, "lines": lines}

    def show(self, view: dict, runs: tuple[GameRun, GameRun]) -> None:
        """Both runs' paths and distances, the method's name and the outcome in the titles."""
        s = self.settings
        steps = np.arange(s["steps"] + 1)
        for (path, distance), r in zip(view["lines"], runs):
            path.set_data(r.points[:, 0], r.points[:, 1])
            distance.set_data(steps, r.distance)
            distance.set_markevery(max(1, steps.size // 8))
        view["lines"][0][0].set_label(s["method"])
        final, first = float(runs[0].distance[-1]), float(runs[0].distance[0])
        view["path"].set_title(f"{s['method']}, lr = {s['lr']:.3g}, β = {s['beta']:.2f}",
                               fontsize=9)
        view["distance"].set_title(f"after {s['steps']} steps: distance {final:.3g} "
                                   f"({final / first:.3g} × the start's)", fontsize=9)
        view["distance"].set_xlim(0, s["steps"])
        view["path"].legend(fontsize=7, loc="upper left")

    def control_specs(self) -> dict[str, Control]:
        """A method menu and sliders for lr (log), beta and steps (applied on release)."""
        return {
            "method": Menu(tuple(GAME_METHODS), "method"),
            "lr": LogSlider(-3, 0, 0.05, "lr", ".3f"),
            "beta": Slider(0.0, 0.99, 0.01, "β (μ, β1, α)", ".2f"),
            "steps": IntSlider(50, 1000, 50, "steps"),
        }


# -- a 1-D GAN --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mixture:
    """Equal-weight mixture of Gaussians with centres ``means`` and common spread ``sd``."""

    means: tuple[float, ...] = (-2.0, 2.0)
    sd: float = 0.3

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws, shape ``(n,)``."""
        centres = np.asarray(self.means)[rng.integers(0, len(self.means), n)]
        return centres + self.sd * rng.standard_normal(n)


def wasserstein_1d(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Earth mover's distance between samples of equal size: mean |sorted a - sorted b|.

    Samples lie along the last axis; leading axes are separate pairs (a batch of runs).

    >>> float(wasserstein_1d([0.0, 1.0], [3.0, 2.0]))
    2.0
    """
    a, b = np.sort(np.asarray(a, dtype=float), axis=-1), np.sort(np.asarray(b, dtype=float),
                                                                axis=-1)
    if a.shape[-1] != b.shape[-1] or a.shape[-1] == 0:
        raise ValueError(f"Invalid samples: sizes {a.shape[-1]} and {b.shape[-1]} (must be "
                         f"equal, > 0)")
    return np.mean(np.abs(a - b), axis=-1)


def mode_shares(samples: ArrayLike, target: Mixture, radius: float = 1.0) -> np.ndarray:
    """Share of ``samples`` (last axis) within ``radius`` of each of the target's centres.

    Shape ``(..., len(target.means))``.
    """
    x = np.asarray(samples, dtype=float)[..., None]
    return np.mean(np.abs(x - np.asarray(target.means)) <= radius, axis=-2)


# A stack of R independent networks, as one Network whose arrays carry a leading run axis:
# coefs (R, n_in, n_out) and intercepts (R, 1, n_out). mlp.forward and mlp.backward take
# such a stack as it is; mlp.backward_to_input carries the chain rule on to the input,
# which a generator needs.


def stack_networks(nets: Sequence[mlp.Network]) -> mlp.Network:
    """R networks of the same shape (no batch norm) as one stacked Network."""
    coefs = [np.stack(layer) for layer in zip(*(n.coefs for n in nets))]
    intercepts = [np.stack(layer)[:, None, :] for layer in zip(*(n.intercepts for n in nets))]
    return mlp.Network(coefs, intercepts, [])


def unstack_network(stack: mlp.Network, r: int) -> mlp.Network:
    """Network ``r`` of a stack, in :mod:`alr_teach.problems.mlp`'s own shapes."""
    return mlp.Network([W[r] for W in stack.coefs], [b[r, 0] for b in stack.intercepts], [])


def gan_gradients(
    generator: mlp.Network, discriminator: mlp.Network, z: np.ndarray, real: np.ndarray
) -> tuple[mlp.Network, mlp.Network, np.ndarray, np.ndarray]:
    r"""Both players' gradients at the same point, and their losses, for a stack of R games.

    Discriminator: :math:`L_D = \text{mean}\,\log(1 + e^{-D(x)}) + \text{mean}\,
    \log(1 + e^{D(G(z))})` (real called 1, fake 0). Generator (non-saturating):
    :math:`L_G = \text{mean}\,\log(1 + e^{-D(G(z))})`. ``z`` and ``real`` have shape
    ``(R, B, 1)``. Returns ``(grad_G, grad_D, L_G, L_D)``, the losses of shape ``(R,)``.
    """
    n = real.shape[-2]
    fake, g_cache = mlp.forward(generator, z)  # (R, B, 1)
    logits, d_cache = mlp.forward(discriminator, np.concatenate([real, fake], axis=-2))
    p = mlp.sigmoid(logits)  # (R, 2B, 1)
    dlogits = p.copy()
    dlogits[:, :n] -= 1.0  # real: d log(1 + e^-l) / dl = sigmoid(l) - 1; fake: sigmoid(l)
    grad_D = mlp.backward(discriminator, d_cache, dlogits / n)
    to_fake = np.zeros_like(logits)
    to_fake[:, n:] = (p[:, n:] - 1.0) / n  # d L_G / d D(G(z))
    _, d_input = mlp.backward_to_input(discriminator, d_cache, to_fake)
    grad_G = mlp.backward(generator, g_cache, d_input[:, n:])
    real_logits, fake_logits = logits[:, :n, 0], logits[:, n:, 0]
    loss_D = (np.mean(np.logaddexp(0, -real_logits), axis=-1)
              + np.mean(np.logaddexp(0, fake_logits), axis=-1))
    loss_G = np.mean(np.logaddexp(0, -fake_logits), axis=-1)
    return grad_G, grad_D, loss_G, loss_D


@dataclass
class GanRun:
    """R GANs' training record: W1 to the target every ``eval_every`` steps, final samples.

    ``w1`` has shape (evaluations, R) (inf where a run blew up), ``samples`` (R, n_eval).
    """

    eval_steps: np.ndarray
    w1: np.ndarray
    samples: np.ndarray
    generator: mlp.Network
    discriminator: mlp.Network

    def final_w1(self, window: int = 1) -> np.ndarray:
        """Each run's W1 averaged over the last ``window`` evaluations (shape (R,)).

        A GAN's distance wobbles from one evaluation to the next; a short average is a
        steadier score than the last value alone.
        """
        window = check.whole("window", window, low=1)
        return self.w1[-window:].mean(axis=0)


def train_gans(
    optimizer: Optimizer,
    seeds: Sequence[int],
    *,
    target: Mixture = Mixture(),
    steps: int = 500,
    batch_size: int = 64,
    hidden: int = 32,
    eval_every: int = 25,
    n_eval: int = 1000,
) -> GanRun:
    """Train one 1-D GAN per entry of ``seeds``, all at once: 1 -> hidden -> 1 networks.

    Each player gets its own copy of ``optimizer`` (same class and settings, own state);
    both step simultaneously from :func:`gan_gradients`. Hyperparameter arrays of shape
    ``(R,)`` (R = ``len(seeds)``) give each run its own value, e.g. a rate sweep. Run
    ``r``'s initial weights (generator first) and then all its batches (the noise of
    every step, then the data) come from ``default_rng(seeds[r])`` alone, so a run gives
    the same numbers in any stack. The distance to the target is measured on
    a fixed evaluation set (``n_eval`` noise draws and target samples, the same for every
    run).
    """
    steps = check.whole("steps", steps, low=1)
    eval_every = check.whole("eval_every", eval_every, low=1)
    seeds = [check.whole("seed", s) for s in seeds]
    if not seeds:
        raise ValueError("Invalid seeds: [] (at least one run)")
    rngs = [np.random.default_rng(s) for s in seeds]
    pairs = [(mlp.init_network([1, hidden, 1], r), mlp.init_network([1, hidden, 1], r))
             for r in rngs]
    # every batch drawn up front, run by run: noise (R, steps, B, 1), then data
    noise = np.stack([r.standard_normal((steps, batch_size, 1)) for r in rngs])
    data = np.stack([target.sample(r, steps * batch_size).reshape(steps, batch_size, 1)
                     for r in rngs])
    generator = stack_networks([g for g, _ in pairs])
    discriminator = stack_networks([d for _, d in pairs])
    g_opt, d_opt = copy.deepcopy(optimizer), copy.deepcopy(optimizer)
    g_opt.reset()
    d_opt.reset()
    fixed = np.random.default_rng(2**31 - 1)
    z_eval = np.broadcast_to(fixed.standard_normal((1, n_eval, 1)), (len(seeds), n_eval, 1))
    real_eval = target.sample(fixed, n_eval)
    eval_steps, w1 = [], []
    with np.errstate(all="ignore"):  # a run that blows up shows it as W1 = inf
        for t in range(1, steps + 1):
            grad_G, grad_D, _, _ = gan_gradients(generator, discriminator, noise[:, t - 1],
                                                 data[:, t - 1])
            generator = generator.with_params(g_opt.step(generator.params(), grad_G.params()))
            discriminator = discriminator.with_params(
                d_opt.step(discriminator.params(), grad_D.params()))
            if t % eval_every == 0 or t == steps:
                samples = mlp.forward(generator, z_eval)[0][..., 0]  # (R, n_eval)
                distance = wasserstein_1d(samples, real_eval)
                eval_steps.append(t)
                w1.append(np.where(np.all(np.isfinite(samples), axis=-1), distance, np.inf))
    return GanRun(np.array(eval_steps), np.array(w1), samples, generator, discriminator)
