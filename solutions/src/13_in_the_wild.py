# %% [markdown]
# # Exercises 13 · In the wild: reinforcement learning and games
#
# **Goal.** Two of the course's tiny workloads are small enough to rebuild by hand: the
# policy-gradient agent on a drifting bandit and the bilinear game $f(x, y) = xy$. In
# these exercises you write the REINFORCE gradient, see what its baseline does to the
# estimate, predict what the entropy bonus is worth, predict how fast gradient
# descent-ascent spirals out, write one step of optimistic gradient descent and find its
# best rate, and end by making plain gradient descent-ascent converge with a wrapper
# from earlier in the course.
#
# Course notebook: [13 · In the wild](../notebooks/13_in_the_wild.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 50 minutes.

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, Adam, checks
from alr_teach.lessons.in_the_wild.bandits import (
    DriftingBandit,
    policy,
    reinforce_gradient,
    sample_arms,
    train_policy,
)
from alr_teach.lessons.in_the_wild.gans import (
    BilinearGame,
    GameRun,
    growth_factor,
    play,
    play_method,
    plot_game,
)
from alr_teach.optimizers.lookahead import Lookahead
from alr_teach.optimizers.optimistic import OptimisticGD

rng = np.random.default_rng(113)  # seeded: every number below is reproducible


# %% [markdown]
# ## 1. Implement it: the REINFORCE gradient
#
# A softmax policy $\pi = \mathrm{softmax}(x)$ pulls $n$ arms $a_1, \dots, a_n$ and sees
# advantages $A_i = r_i - \bar r$. The optimizer minimises, so it is given
#
# $$g = -\frac1n \sum_{i=1}^n A_i\,(e_{a_i} - \pi),$$
#
# with $e_a$ the one-hot vector of arm $a$. Write `reinforce_grad(pi, arms, advantages)`
# for any leading (batch) axes: `pi` has shape (..., K), `arms` (integers) and
# `advantages` shape (..., n); return shape (..., K). No loops needed: compare
# `arms[..., None]` with `np.arange(K)`.

# %%
def reinforce_grad(pi, arms, advantages):
    """The policy gradient to minimise, -mean_i A_i (e_{a_i} - pi), for a batch of policies."""
    ### BEGIN SOLUTION
    one_hot = arms[..., None] == np.arange(pi.shape[-1])        # (..., n, K)
    score = one_hot - pi[..., None, :]                           # grad of log pi(a_i)
    return -np.mean(advantages[..., None] * score, axis=-2)
    ### END SOLUTION


# %% [markdown]
# The check compares your gradient with the package's `reinforce_gradient` on four
# cases: one pull of a fair coin, eight pulls of a four-armed policy, sixteen such
# policies at once, and a batch of shape (2, 3) of five-armed policies.

# %%
pi4 = policy(rng.normal(size=4))
pi16, pi23 = policy(rng.normal(size=(16, 4))), policy(rng.normal(size=(2, 3, 5)))
grad_cases = [(np.array([0.5, 0.5]), np.array([0]), np.array([2.0])),
              (pi4, sample_arms(pi4, 8, rng), rng.normal(size=8)),
              (pi16, sample_arms(pi16, 8, rng), rng.normal(size=(16, 8))),
              (pi23, sample_arms(pi23, 6, rng), rng.normal(size=(2, 3, 6)))]
checks.check_value("reinforce_grad", checks.outputs(reinforce_grad, grad_cases),
                   np.concatenate([reinforce_gradient(*case).ravel() for case in grad_cases]),
                   rtol=1e-10, atol=1e-14,
                   hint="score = (arms[..., None] == np.arange(K)) - pi[..., None, :], then minus "
                        "the mean over the pulls (axis -2) of advantages[..., None] * score")

# %% [markdown]
# ## 2. Explore and explain: what the baseline buys
#
# One policy over the course's four arms (means 0, 0.25, 0.5, 1; reward noise 0.5).
# The exact gradient of $-E[r]$ is $-\pi \odot (\mu - \pi^\top\mu)$. With your
# `reinforce_grad`: 20 000 one-pull estimates, with the advantage $r - b$ for five
# baselines $b$, including the policy's mean reward $\pi^\top\mu$. For each: how far the
# mean of the estimates is from the exact gradient, and the total variance of one
# estimate.

# %%
if checks.passed("reinforce_grad"):
    mu, N = np.array([0.0, 0.25, 0.5, 1.0]), 20_000
    pi = policy(np.array([0.5, 0.0, -0.5, 0.2]))
    exact = -pi * (mu - pi @ mu)
    draws = np.random.default_rng(0)  # its own generator: the cells below do not depend on it
    pis = np.broadcast_to(pi, (N, 4))
    pulled = sample_arms(pis, 1, draws)
    rewards = mu[pulled] + 0.5 * draws.standard_normal((N, 1))
    variance = {}
    for b in (-1.0, 0.0, pi @ mu, 1.0, 2.0):
        estimates = reinforce_grad(pis, pulled, rewards - b)
        bias = np.abs(estimates.mean(axis=0) - exact).max()
        standard_error = np.sqrt(estimates.var(axis=0).max() / N)
        variance[b] = estimates.var(axis=0).sum()
        print(f"b = {b:5.2f}: largest gap to the exact gradient {bias:.4f} "
              f"({bias / standard_error:.1f} standard errors); variance {variance[b]:.3f}")
        assert bias < 4 * standard_error
    assert min(variance, key=variance.get) == pi @ mu
else:
    print("Finish exercise 1 first: reinforce_grad must pass its check.")

# %% [markdown]
# **Explain** why every baseline gives the same mean, and why the mean reward is a good
# choice.
#
# ### BEGIN SOLUTION
# The baseline's contribution to the gradient is $-b\,E[e_a - \pi] = -b(\pi - \pi) = 0$:
# the expected score $E[\nabla \log\pi(a)]$ is zero for any policy, so a constant $b$
# cannot shift the mean (every gap above is within a few standard errors of zero). It
# changes the variance: each estimate is $-(r - b)(e_a - \pi)$, and when $b$ is far from
# the typical reward, every pull pushes its own arm hard up (or down) whether it was good
# or bad, and only the average of many such pushes says which arms are better. With $b$
# near the mean reward $\pi^\top\mu$, the sign of $r - b$ says whether the pull was
# better than usual, and the estimate is quieter: here a seventh of the variance at
# $b = -1$ or $b = 2$, and two thirds of the variance at $b = 0$. (The best constant
# weights the rewards by $\lVert e_a - \pi \rVert^2$; the mean reward is close to it.)
# The course's agent uses a moving average of past rewards as $b$, an estimate of
# $\pi^\top\mu$ that follows the drift.
# ### END SOLUTION

# %% [markdown]
# ## 3. Predict, then run: the entropy bonus
#
# The course's agent maximises $E[r] + c\,H(\pi)$ with $c = 0.1$. Sixteen drifting
# bandits (means reshuffled every 125 steps, 500 steps), Adam at $\eta$ = 0.03, 0.1 and
# 0.3: does the score (expected reward over the best arm's, averaged over all steps)
# rise or fall without the bonus ($c = 0$)? Predict +1 (rises) or -1 (falls).

# %%
predicted_bonus_sign = None  # replace None with +1 or -1
### BEGIN SOLUTION
# without the bonus the policy commits to one arm; e_a - pi -> 0 for that arm, so after a
# reshuffle there is almost no gradient to leave it: the score falls
predicted_bonus_sign = -1
### END SOLUTION

# %%
bandit = DriftingBandit(period=125, steps=500, n_envs=16, seed=0)
rates = np.array([0.03, 0.1, 0.3])
bonus_runs = {c: train_policy(Adam(lr=rates), bandit, batch_shape=(3,), entropy_bonus=c, seed=0)
              for c in (0.1, 0.0)}
for c, r in bonus_runs.items():
    final = policy(r.params)
    entropy = -np.sum(final * np.log(np.maximum(final, 1e-300)), axis=-1).mean(axis=-1)
    print(f"c = {c}: score {np.array2string(r.score(), precision=3)} at η = {rates}; entropy "
          f"of the final policies {np.array2string(entropy, precision=2)} (uniform: "
          f"{np.log(4):.2f})")
bonus_effect = bonus_runs[0.0].score() - bonus_runs[0.1].score()
assert np.all(bonus_effect < 0)
checks.check_value("bonus_sign", predicted_bonus_sign, np.sign(bonus_effect).mean(), rtol=0,
                   hint="what is e_a - pi once the policy puts almost all its mass on arm a, and "
                        "what happens when that arm stops being the best one?")

# %% [markdown]
# ## 4. Predict, then run: how fast does the spiral grow?
#
# Simultaneous gradient descent-ascent (GDA) on $f(x, y) = xy$ from $(1, 1)$ with
# $\eta = 0.1$. Predict the distance to the equilibrium $(0, 0)$ after 200 steps.

# %%
predicted_distance = None  # replace None with a number
### BEGIN SOLUTION
# each step multiplies the distance by sqrt(1 + eta^2): sqrt(2) * 1.01 ** 100
predicted_distance = np.sqrt(2) * (1 + 0.1**2) ** (200 / 2)
### END SOLUTION

# %%
gda = play(lambda: SGD(lr=0.1), BilinearGame(), start=[1.0, 1.0], steps=200)
alternating = play(lambda: SGD(lr=0.1), BilinearGame(), start=[1.0, 1.0], steps=200,
                   alternating=True)
print(f"after 200 steps: simultaneous {gda.distance[-1]:.4f}, alternating "
      f"{alternating.distance[-1]:.4f} (start {gda.distance[0]:.4f}); growth factor per step "
      f"{growth_factor(0.1):.6f}")
checks.check_value("gda_distance", predicted_distance, gda.distance[-1], rtol=1e-6,
                   hint="the squared distance grows by the factor 1 + eta**2 at every step")

# %% [markdown]
# ## 5. Implement it: one step of optimistic gradient descent
#
# Optimistic gradient descent steps by $x_t = x_{t-1} - \eta\,(2 g_t - g_{t-1})$: the
# usual step plus an extrapolation of how the gradient changed. Write
# `optimistic_step(x, grad, prev_grad, lr)`, returning the new `x` and the gradient to
# remember for the next step. On the first step the caller passes `prev_grad = grad`
# (plain gradient descent). It is elementwise, so both players can take it at once, on
# $z = (x, y)$ with the gradients $(y, -x)$ of `BilinearGame.grads`.

# %%
def optimistic_step(x, grad, prev_grad, lr):
    """One optimistic step; returns (new x, the gradient to pass as prev_grad next time)."""
    ### BEGIN SOLUTION
    return x - lr * (2 * grad - prev_grad), grad
    ### END SOLUTION


# %% [markdown]
# The check plays 200 steps of simultaneous play with your step, from three starts at
# once, at $\eta = 0.2$ and 0.5, and compares every point with the package's `play` with
# two `OptimisticGD` players.

# %%
def optimistic_path(lr, starts, steps):
    """Simultaneous play with optimistic_step: points of shape (steps + 1, *starts.shape)."""
    game, z = BilinearGame(), np.array(starts, dtype=float)
    prev, points = game.grads(z), [z]
    for _ in range(steps):
        z, prev = optimistic_step(z, game.grads(z), prev, lr)
        points.append(z)
    return np.array(points)


game_starts = np.array([[1.0, 1.0], [-2.0, 0.5], [0.3, -0.1]])
checks.check_value("optimistic_step",
                   checks.outputs(optimistic_path, [(lr, game_starts, 200) for lr in (0.2, 0.5)],
                           name="optimistic_step"),
                   np.concatenate([play(lambda lr=lr: OptimisticGD(lr=lr), BilinearGame(),
                                        game_starts, 200).points.ravel() for lr in (0.2, 0.5)]),
                   rtol=1e-9, atol=1e-12,
                   hint="x - lr * (2 * grad - prev_grad), and return grad itself as the next "
                        "prev_grad")

# %%
if checks.passed("optimistic_step"):
    mine = GameRun(optimistic_path(0.2, [1.0, 1.0], 300), alternating=False)
    reference = play(lambda: SGD(lr=0.2), BilinearGame(), steps=300)
    fig, (ax_path, ax_distance) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
    plot_game(ax_path, ax_distance, [reference, mine],
              ["GDA (simultaneous), η = 0.2", "your optimistic_step, η = 0.2"])
    plt.show()
    print(f"distance after 300 steps: GDA {reference.distance[-1]:.3g}, optimistic "
          f"{mine.distance[-1]:.2e}")
else:
    print("Finish exercise 5 first: optimistic_step must pass its check.")

# %% [markdown]
# ## 6. Explore and explain: optimism's best rate
#
# For optimistic GD the distance after 500 steps, at rates from 0.05 to 0.8, next to the
# prediction $\sqrt 2\,\rho^{500}$, where $\rho$ is the largest root (in modulus) of the
# characteristic polynomial of the two-step recursion $z_t = z_{t-1} - \eta(2Jz_{t-1} -
# Jz_{t-2})$ (along an eigenvector of the game's matrix $J$, whose eigenvalues are
# $\lambda = \pm i$): $\mu^2 - (1 - 2\eta\lambda)\mu - \eta\lambda = 0$.

# %%
def spectral_radius(lr):
    return max(np.abs(np.roots([1, -(1 - 2 * lr * lam), -lr * lam])).max() for lam in (1j, -1j))


ogd_rates = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.8]
for lr in ogd_rates:
    measured = play_method("optimistic GD", lr=lr, beta=0.0, steps=500).distance[-1]
    print(f"η = {lr:4}: distance after 500 steps {measured:9.2e}; ρ = {spectral_radius(lr):.4f}, "
          f"√2 ρ^500 = {np.sqrt(2) * spectral_radius(lr) ** 500:9.2e}")
fine = np.linspace(0.01, 1.0, 991)
radii = np.array([spectral_radius(lr) for lr in fine])
print(f"fastest at η = {fine[radii.argmin()]:.2f} (ρ = {radii.min():.4f}); diverges from "
      f"η = {fine[np.argmax(radii > 1)]:.3f} (1/√3 = {1 / np.sqrt(3):.3f})")
assert np.isclose(fine[radii.argmin()], 0.5) and np.isclose(radii.min(), np.sqrt(0.5))
assert abs(fine[np.argmax(radii > 1)] - 1 / np.sqrt(3)) < 0.002

# %% [markdown]
# **Explain** the shape of this curve: why optimism is slow at small rates, where it is
# fastest, and why it fails beyond a limit.
#
# ### BEGIN SOLUTION
# Write the optimistic step as GDA plus a correction: $-\eta(2g_t - g_{t-1}) = -\eta g_t
# - \eta(g_t - g_{t-1})$. GDA rotates the point and pushes it out by a factor
# $\sqrt{1+\eta^2} \approx 1 + \eta^2/2$; the correction, $\eta$ times the change of the
# gradient over one step (itself of order $\eta$), pulls it in by about $\eta^2$. The net
# contraction per step is of order $\eta^2/2$: at $\eta = 0.05$, about $10^{-3}$ per step,
# so 500 steps only halve the distance. As $\eta$ grows the contraction grows, up to
# $\rho = 1/\sqrt 2$ at $\eta = 0.5$, where the two roots coincide. Beyond, the
# extrapolation overshoots: one root grows in modulus and crosses 1 at
# $\eta = 1/\sqrt 3 \approx 0.577$, after which optimism diverges too. The measured
# distances follow $\sqrt 2\rho^{500}$ closely, except at $\eta = 0.5$, where the double
# root adds a factor that grows like $t$. As for any method, the rate must be tuned, and
# the best rate sits close to the edge of divergence.
# ### END SOLUTION

# %% [markdown]
# ## 7. Open challenge: make gradient descent-ascent converge without optimism
#
# Each player may only see its own gradient, and plain simultaneous GDA spirals out.
# Find a way to make the pair converge to $(0, 0)$ from $(1, 1)$ (distance below
# $10^{-6}$ after 1000 steps) at every rate $\eta \in \{0.05, 0.1, 0.2, 0.5\}$, using any
# optimizer or wrapper of `alr_teach` or a subclass of `Optimizer` of your own, but not
# optimism. Explain why it works, and show a setting where it fails.

# %%
### BEGIN SOLUTION
def half_turn(lr):
    """Steps for simultaneous GDA to turn by half a circle: each step turns by atan(lr)."""
    return int(round(np.pi / np.arctan(lr)))


challenge = {}
for lr in (0.05, 0.1, 0.2, 0.5):
    k = half_turn(lr)
    runs = {turn: play(lambda k=k * turn, lr=lr: Lookahead(SGD(lr=lr), k=k, alpha=0.5),
                       BilinearGame(), steps=1000)
            for turn in (1, 2)}  # half a turn, and a whole turn, between syncs
    challenge[lr] = {turn: r.distance[-1] for turn, r in runs.items()}
    print(f"η = {lr:4}: Lookahead(SGD, α = 0.5), k = {k:2d} (half a turn): distance after 1000 "
          f"steps {challenge[lr][1]:.1e}; k = {2 * k:3d} (a whole turn): {challenge[lr][2]:.1e}")
assert all(d[1] < 1e-6 for d in challenge.values())
assert all(d[2] > np.sqrt(2) for d in challenge.values())

lr = 0.1
shown = [play(lambda: SGD(lr=lr), BilinearGame(), steps=300),
         play(lambda: Lookahead(SGD(lr=lr), k=half_turn(lr), alpha=0.5), BilinearGame(),
              steps=300)]
fig, (ax_path, ax_distance) = plt.subplots(1, 2, figsize=(11, 4.4), layout="constrained")
plot_game(ax_path, ax_distance, shown,
          ["GDA, η = 0.1", f"Lookahead(GDA), k = {half_turn(lr)}, α = 0.5"])
plt.show()
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: Lookahead with half a turn.** Simultaneous GDA maps $z$ to $Mz$,
# where $M$ rotates by $\theta = \arctan\eta$ and scales by $\rho = \sqrt{1+\eta^2}$. After
# $k$ fast steps Lookahead moves the slow weights a fraction $\alpha$ of the way to the
# fast ones and restarts from there:
# $\phi \leftarrow (1-\alpha)\phi + \alpha M^k\phi$. In complex form that multiplies
# the distance by $|(1-\alpha) + \alpha\rho^k e^{ik\theta}|$ per sync. Choose $k$ so that
# $k\theta \approx \pi$: the fast weights end up on the opposite side of the
# equilibrium, and averaging them with the start cancels most of both:
# $|(1-\alpha) - \alpha\rho^k|$, which is 0.04 at $\eta = 0.05$ ($\rho^{63} \approx 1.08$)
# and also small at the other rates. With $k\theta \approx 2\pi$ (a whole turn) the
# fast weights come back to the same side, a little farther out, and the average moves
# *outwards*: $(1-\alpha) + \alpha\rho^k > 1$, so the game diverges. Each player runs
# its own Lookahead and sees only its own gradient; since both sync at the same steps,
# together they act as one Lookahead on $z$. The catch: $k$ is tuned to the game's
# rotation, which here we know exactly. In a real GAN the rotation is unknown and
# changes, and Lookahead with a fixed $k$ helps only on average (Chavdarova et al.,
# *Taming GANs with Lookahead-Minmax*, ICLR 2021).
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["reinforce_grad", "bonus_sign", "gda_distance", "optimistic_step"])
