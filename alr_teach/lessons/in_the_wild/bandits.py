r"""Policy gradient on a bandit whose rewards drift: reinforcement learning in miniature.

**The environment.** :class:`DriftingBandit` has ``K`` arms (actions). Pulling arm
:math:`a` pays :math:`\mu_a + \text{noise}\cdot\mathcal N(0, 1)`. Every ``period`` steps
the means are shuffled among the arms, so the best arm moves and what the agent has
learned goes stale: the objective is *non-stationary*, as in reinforcement learning,
where the data depend on a policy that keeps changing. ``n_envs`` independent bandits
(each with its own shuffles) run side by side.

**The agent.** A softmax policy :math:`\pi = \text{softmax}(x)` over the arms, with
:math:`x` the parameters (one logit per arm, the course's symbol for the weights). Each
step it pulls ``samples`` arms from :math:`\pi` and follows REINFORCE (Williams, 1992):
the policy-gradient theorem gives :math:`\nabla_x \mathbb E[r] = \mathbb E[(r - \bar r)\,
\nabla_x \log \pi(a)]` for any baseline :math:`\bar r` that does not depend on the arm,
and for a softmax :math:`\nabla_x \log\pi(a) = e_a - \pi` (:math:`e_a` the one-hot vector
of the arm). The optimizer *minimises*, so it is given

.. math::

    g_t = -\frac1n \sum_{i=1}^n (r_i - \bar r_{t-1})\,(e_{a_i} - \pi),

with the baseline :math:`\bar r_{t-1}` a moving average of the rewards before step
:math:`t` (each step keeps ``baseline_decay`` of it and mixes in the rest from the mean
reward of the step's pulls), which lowers the variance and does not bias the estimate.
As in actor-critic methods (A2C, PPO), an *entropy bonus* keeps the
policy from locking onto one arm: the agent maximises :math:`\mathbb E[r] + c\,H(\pi)`
with :math:`H(\pi) = -\sum_k \pi_k \log \pi_k`, whose gradient is
:math:`\nabla_x H = -\pi \odot (\log\pi + H)`. Without it the score
:math:`e_a - \pi` vanishes once :math:`\pi` puts all its mass on one arm, and an agent
whose arm has gone bad receives almost no gradient to leave it.

**What is measured.** :class:`PolicyRun` keeps, per step, the policy's expected reward
as a fraction of the best arm's mean (1 = always the best arm), for every run of a batch
(e.g. every learning rate of a sweep, every reward scale). :func:`sweep_policy` runs a
whole learning-rate grid, at several reward scales, as one array.

>>> from alr_teach import Adam
>>> bandit = DriftingBandit(steps=300, period=100, n_envs=4, seed=0)
>>> run = train_policy(Adam(lr=0.1), bandit, seed=0)
>>> run.fraction.shape, bool(0 < run.score() <= 1)
((300, 4), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems import mlp
from alr_teach.viz.plots import style

__all__ = [
    "DriftingBandit", "policy", "sample_arms", "entropy_gradient", "reinforce_gradient",
    "PolicyRun", "train_policy", "sweep_policy", "plot_policy_sweep",
]


class DriftingBandit:
    """``n_envs`` bandits whose arm means are reshuffled every ``period`` steps.

    ``table`` has shape ``(steps, n_envs, K)``: the mean reward of each arm at each step
    (step ``t`` is row ``t - 1``). The first segment's order is drawn too, so arm 0 is
    not always the worst.
    """

    def __init__(
        self,
        means: Sequence[float] = (0.0, 0.25, 0.5, 1.0),
        period: int = 250,
        steps: int = 1000,
        noise: float = 0.5,
        n_envs: int = 32,
        seed: int = 0,
    ) -> None:
        self.means = np.asarray(check.finite("means", list(means)), dtype=float).reshape(-1)
        if self.means.size < 2 or self.means.max() <= 0:
            raise ValueError(f"Invalid means: {means!r} (at least two arms, the best paying "
                             f"more than 0: scores are fractions of its mean)")
        self.period = check.whole("period", period, low=1)
        self.steps = check.whole("steps", steps, low=1)
        self.noise = float(check.nonnegative("noise", noise))
        self.n_envs = check.whole("n_envs", n_envs, low=1)
        rng = np.random.default_rng(check.whole("seed", seed))
        segments = -(-self.steps // self.period)  # ceil
        orders = np.array([[rng.permutation(self.means) for _ in range(segments)]
                           for _ in range(self.n_envs)])  # (n_envs, segments, K)
        table = np.repeat(orders.transpose(1, 0, 2), self.period, axis=0)
        self.table = table[: self.steps]  # (steps, n_envs, K)

    @property
    def n_arms(self) -> int:
        return self.means.size

    def mean_rewards(self, t: int) -> np.ndarray:
        """The arms' means at step ``t`` (1 .. steps), shape ``(n_envs, K)``."""
        return self.table[t - 1]

    def pull(self, arms: np.ndarray, t: int, rng: np.random.Generator) -> np.ndarray:
        """Rewards for ``arms`` of shape ``(..., n_envs, n)`` at step ``t``: mean plus noise."""
        mu = np.broadcast_to(self.mean_rewards(t), arms.shape[:-1] + (self.n_arms,))
        mean = np.take_along_axis(mu, arms, axis=-1)
        return mean + self.noise * rng.standard_normal(arms.shape)


def policy(x: np.ndarray) -> np.ndarray:
    """``softmax(x)`` over the last axis (the arms), for any leading axes."""
    x = np.asarray(x, dtype=float)
    return mlp.softmax(x.reshape(-1, x.shape[-1])).reshape(x.shape)


def sample_arms(pi: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` arms drawn from each policy (last axis of ``pi``): shape ``(..., n)``.

    Inverse transform: arm ``k`` is drawn when a uniform number falls in
    ``[cumsum(pi)[k - 1], cumsum(pi)[k])``.
    """
    u = rng.random(pi.shape[:-1] + (n, 1))  # (..., n, 1)
    arms = np.sum(np.cumsum(pi, axis=-1)[..., None, :] < u, axis=-1)  # (..., n)
    return np.minimum(arms, pi.shape[-1] - 1)  # guards against rounding in the last sum


def entropy_gradient(pi: np.ndarray) -> np.ndarray:
    r"""Gradient of the entropy with respect to the logits: :math:`-\pi(\log\pi + H)`.

    >>> bool(np.allclose(entropy_gradient(np.full(4, 0.25)), 0.0))   # uniform: the maximum
    True
    """
    log_pi = np.log(np.maximum(pi, np.finfo(float).tiny))  # 0 log 0 = 0
    entropy = -np.sum(pi * log_pi, axis=-1, keepdims=True)
    return -pi * (log_pi + entropy)


def reinforce_gradient(pi: np.ndarray, arms: np.ndarray, advantages: np.ndarray) -> np.ndarray:
    r"""The gradient to *minimise*: :math:`-\frac1n\sum_i A_i (e_{a_i} - \pi)`, shape of ``pi``.

    ``pi`` (..., K), ``arms`` and ``advantages`` (..., n).

    >>> pi = np.array([0.5, 0.5])
    >>> reinforce_gradient(pi, np.array([0]), np.array([2.0]))   # arm 0 paid 2 above b
    array([-1.,  1.])
    """
    one_hot = arms[..., None] == np.arange(pi.shape[-1])  # (..., n, K)
    score = one_hot - pi[..., None, :]  # grad of log pi(a_i), (..., n, K)
    return -np.mean(advantages[..., None] * score, axis=-2)


@dataclass
class PolicyRun:
    """A training record. ``fraction`` and ``p_best``: shape ``(steps, *batch, n_envs)``.

    ``fraction`` is the policy's expected reward over the best arm's mean (before each
    step's update; 1 means all probability on the best arm), ``p_best`` the probability
    of the best arm (of the best arms, if several share the top mean); ``params`` the
    final logits.
    """

    fraction: np.ndarray
    p_best: np.ndarray
    params: np.ndarray

    def score(self, steps: slice = slice(None)) -> np.ndarray | float:
        """Mean ``fraction`` over ``steps`` and the environments: shape ``batch``."""
        value = self.fraction[steps].mean(axis=(0, -1))
        return float(value) if np.ndim(value) == 0 else value


def train_policy(
    optimizer: Optimizer,
    bandit: DriftingBandit,
    *,
    batch_shape: tuple[int, ...] = (),
    reward_scale: ArrayLike = 1.0,
    samples: int = 8,
    baseline_decay: float = 0.9,
    entropy_bonus: float = 0.1,
    seed: int = 0,
) -> PolicyRun:
    """REINFORCE with a moving-average baseline and an entropy bonus, for a batch of runs.

    The parameters have shape ``batch_shape + (n_envs, K)``, starting at 0 (the uniform
    policy); the optimizer's hyperparameter arrays broadcast with ``batch_shape`` (e.g.
    ``lr`` of shape ``(1, L)`` for ``batch_shape=(S, L)``). Rewards are multiplied by
    ``reward_scale`` (broadcast to ``batch_shape``), as if paid in other units; the
    recorded fraction is scale-free. The entropy bonus is in reward units (scaled too),
    so a new scale multiplies the whole objective. Arms and noise come from
    ``default_rng(seed)``.
    """
    samples = check.whole("samples", samples, low=1)
    baseline_decay = check.decay_factor("baseline_decay", baseline_decay)
    entropy_bonus = check.nonnegative("entropy_bonus", entropy_bonus)
    rng = np.random.default_rng(check.whole("seed", seed))
    batch_shape = tuple(batch_shape)
    scale = np.broadcast_to(np.asarray(reward_scale, dtype=float), batch_shape)[..., None, None]
    x = np.zeros(batch_shape + (bandit.n_envs, bandit.n_arms))
    baseline = np.zeros(batch_shape + (bandit.n_envs, 1))
    fraction = np.empty((bandit.steps,) + x.shape[:-1])
    p_best = np.empty_like(fraction)
    optimizer.reset()
    for t in range(1, bandit.steps + 1):
        pi = policy(x)  # (*batch, E, K)
        mu = bandit.mean_rewards(t)  # (E, K)
        best = mu.max(axis=-1, keepdims=True)  # (E, 1)
        fraction[t - 1] = np.sum(pi * mu, axis=-1) / best[:, 0]
        p_best[t - 1] = np.sum(pi * (mu == best), axis=-1)
        arms = sample_arms(pi, samples, rng)  # (*batch, E, n)
        rewards = scale * bandit.pull(arms, t, rng)  # (*batch, E, n)
        g = reinforce_gradient(pi, arms, rewards - baseline)
        if entropy_bonus:
            g = g - entropy_bonus * scale * entropy_gradient(pi)  # minimise -(r + c H)
        baseline = baseline_decay * baseline + (1 - baseline_decay) * rewards.mean(
            axis=-1, keepdims=True)
        x = optimizer.step(x, g)
    return PolicyRun(fraction, p_best, x)


def sweep_policy(
    optimizer_class: type[Optimizer],
    lrs: ArrayLike,
    bandit: DriftingBandit,
    *,
    reward_scales: Sequence[float] = (1.0,),
    seed: int = 0,
    entropy_bonus: float = 0.1,
    **fixed,
) -> PolicyRun:
    """Every rate of ``lrs`` at every reward scale as one batch, shape ``(scales, rates)``.

    ``fixed`` keyword arguments go to the optimizer (e.g. ``momentum=0.9``). Every cell
    sees the same environments and the same random numbers stream (``seed``).
    """
    lrs = np.asarray(lrs, dtype=float).reshape(-1)
    scales = np.asarray(reward_scales, dtype=float).reshape(-1, 1)
    optimizer = optimizer_class(lr=lrs[None, :], **fixed)
    return train_policy(optimizer, bandit, batch_shape=(scales.shape[0], lrs.size),
                        reward_scale=scales, entropy_bonus=entropy_bonus, seed=seed)


def plot_policy_sweep(ax: Axes, lrs: ArrayLike, scores: dict[str, np.ndarray],
                      scale_labels: Sequence[str]) -> None:
    """Mean fraction of the best reward against the rate: a line per method and scale.

    ``scores`` maps a method to an array of shape ``(scales, rates)``; the first scale is
    drawn solid, the others dashed, each method in its own colour and marker.
    """
    lrs = np.asarray(lrs, dtype=float)
    for i, (name, score) in enumerate(scores.items()):
        st = style(i)
        for j, row in enumerate(np.atleast_2d(score)):
            ax.semilogx(lrs, row, color=st["color"], marker=st["marker"], markersize=4,
                        linestyle="-" if j == 0 else "--",
                        label=f"{name}, {scale_labels[j]}")
    ax.set(xlabel="learning rate (log scale)",
           ylabel="expected reward / best arm's (mean over run)",
           title="REINFORCE on the drifting bandit: each rate, two reward scales")
    ax.legend(fontsize=7, ncol=2)
