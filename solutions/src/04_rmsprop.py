# %% [markdown]
# # Exercises 04 · RMSProp
#
# **Goal.** RMSProp replaces AdaGrad's ever-growing sum by a moving average,
# $E[g^2]_t = \alpha E[g^2]_{t-1} + (1-\alpha) g_t^2$, so old gradients fade and the
# per-coordinate rates can grow again. In these exercises you write that step yourself,
# unroll the average into its weights, predict its half-life and its first step, turn
# the knob $\alpha$ on a target that changes under the optimizer, and end by finding a
# problem on which forgetting is the wrong thing to do.
#
# Course notebook: [04 · RMSProp](../notebooks/04_rmsprop.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 45 minutes.

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import AdaGrad, RMSProp, checks
from alr_teach.lab.sweeps import sweep_learning_rates
from alr_teach.problems.landscapes import Noisy, Quadratic
from alr_teach.viz.explorers.memory import (
    memory_weights,
    plot_tracking_errors,
    sweep_tracking,
    switching_target,
)

rng = np.random.default_rng(104)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Implement it: one RMSProp step
#
# Write `rmsprop_step(x, grad, sq_avg, lr, alpha, eps)` in torch's convention: first the
# average $E[g^2]_t = \alpha E[g^2]_{t-1} + (1-\alpha) g_t^2$, then the step
# $x_t = x_{t-1} - \eta\, g_t / (\sqrt{E[g^2]_t} + \epsilon)$, with $\epsilon$ *outside* the
# root. Return the pair `(x, sq_avg)`. The caller starts with `sq_avg = 0`. Arrays and
# plain numbers must both work; do not change the arguments in place.

# %%
def rmsprop_step(x, grad, sq_avg, lr, alpha, eps):
    """One RMSProp step: returns the new parameters and the new average of squared gradients."""
    ### BEGIN SOLUTION
    sq_avg = alpha * sq_avg + (1 - alpha) * grad * grad
    return x - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg
    ### END SOLUTION


# %%
checks.check_rmsprop_step(rmsprop_step)

# %% [markdown]
# ## 2. Implement it: the weights of the average
#
# Unrolled from $E[g^2]_0 = 0$, the average is a weighted sum of past squared gradients,
# $E[g^2]_t = \sum_{k=0}^{t-1} w_k\, g_{t-k}^2$. With numpy, compute `my_weights`: the
# weights $w_0, \dots, w_{49}$ for $\alpha = 0.9$ ($w_0$ belongs to the newest gradient).

# %%
my_weights = None  # replace None with an array of 50 weights
### BEGIN SOLUTION
alpha = 0.9
my_weights = (1 - alpha) * alpha ** np.arange(50)
### END SOLUTION

# %%
checks.check_value("memory_weights", my_weights, memory_weights(0.9, 50), rtol=1e-12,
                   hint="each step multiplies every old weight by alpha; the newest gradient "
                        "enters with weight 1 - alpha")

# %% [markdown]
# If your `rmsprop_step` passes, the next cell feeds it 50 random gradients and compares
# its `sq_avg` with the weighted sum, using the library's weights.

# %%
grads = rng.standard_normal((50, 3))
if checks.passed("rmsprop_step"):
    x, sq_avg = np.zeros(3), np.zeros(3)
    for g in grads:
        x, sq_avg = rmsprop_step(x, g, sq_avg, lr=0.01, alpha=0.9, eps=1e-8)
    unrolled = np.sum(memory_weights(0.9, 50)[:, None] * grads[::-1] ** 2, axis=0)
    print(f"your sq_avg after 50 steps {np.array2string(sq_avg, precision=6)}; "
          f"weighted sum {np.array2string(unrolled, precision=6)}")
    assert np.allclose(sq_avg, unrolled, rtol=1e-10)
else:
    print("Finish exercise 1 first: rmsprop_step must pass its check.")

# %% [markdown]
# ## 3. Predict, then run: the half-life of a gradient
#
# With torch's default $\alpha = 0.99$ a gradient's weight halves in about 69 steps. With
# $\alpha = 0.999$, after how many steps has it halved? Predict the number, then run:
# one unusually large gradient ($g = 3$ instead of 1, at step 20) in a long run of
# `RMSProp(alpha=0.999)`, and how its extra contribution to `sq_avg` fades.

# %%
predicted_half_life = None  # replace None with your prediction (a number of steps)
### BEGIN SOLUTION
predicted_half_life = np.log(0.5) / np.log(0.999)  # alpha^h = 1/2, about 693 steps
### END SOLUTION


# %%
def sq_avg_history(grads, alpha):
    """RMSProp's E[g^2] after every step (lr = 0: the state moves, the point does not)."""
    opt, x, history = RMSProp(lr=0.0, alpha=alpha), np.zeros(1), []
    for g in grads:
        x = opt.step(x, g)
        history.append(opt.state["sq_avg"][0])
    return np.array(history)


steady = np.ones((2000, 1))
kicked = steady.copy()
kicked[19] = 3.0
extra = sq_avg_history(kicked, 0.999) - sq_avg_history(steady, 0.999)
measured_half_life = int(np.argmax(extra[19:] <= extra[19] / 2))  # steps until it has halved
print(f"the extra E[g²] from the large gradient first falls to half after "
      f"{measured_half_life} steps")
checks.check_value("half_life", predicted_half_life, measured_half_life, atol=1.0,
                   hint="each step multiplies the old weight by alpha: solve alpha^h = 1/2")

# %% [markdown]
# ## 4. Predict, then run: the first step
#
# $E[g^2]$ starts at 0. With $\alpha = 0.9$, how long is RMSProp's first step, in units
# of $\eta$, for a gradient of ordinary size (say 1, or 1000)? Predict, then run.

# %%
predicted_first_step = None  # replace None with your prediction (step / lr, a number)
### BEGIN SOLUTION
predicted_first_step = 1 / np.sqrt(1 - 0.9)  # E[g^2]_1 = (1 - alpha) g^2: about 3.16 lr
### END SOLUTION

# %%
first = -RMSProp(lr=1.0, alpha=0.9).step(np.zeros(2), np.array([1.0, 1000.0]))
print(f"first step / lr for gradients 1 and 1000: {np.array2string(first, precision=4)}")
checks.check_value("first_step", predicted_first_step, first[1], rtol=1e-6,
                   hint="after one step E[g^2]_1 = (1 - alpha) g_1^2; divide g_1 by its root")

# %% [markdown]
# **Explain** in one sentence what Adam's bias correction (notebook 05) will have to fix
# here.
#
# ### BEGIN SOLUTION
# Because the average starts at 0, after one step it holds only a fraction $1-\alpha$ of
# $g_1^2$, so the first steps are $1/\sqrt{1-\alpha}$ times too long ($\approx 3.2\eta$ at
# $\alpha = 0.9$, $10\eta$ at 0.99) whatever the gradient; dividing the average by
# $1-\alpha^t$ (Adam's $\hat v_t$) restores the intended step of about $\eta$.
# ### END SOLUTION

# %% [markdown]
# ## 5. Explore and explain: how long a memory?
#
# The course notebook's target: a bowl whose minimum moves 0.01 per step along the
# diagonal, whose curvature drops from 1 to 0.01 at step 300 (gradients 100 times
# smaller). Turn the knob $\alpha$, giving each value its own best rate from the same
# 41-rate grid (by the mean tracking error over all 600 steps), and compare the mean
# tracking error before and after the switch.

# %%
drop = switching_target(velocity=0.01, before=1.0, after=0.01, horizon=600)
T = drop.landscape.switch_at
lrs = np.logspace(-3, 1, 41)
memory = {}
for a in (0.0, 0.5, 0.9, 0.99, 0.999):
    tuned = sweep_tracking(RMSProp, drop, lrs, steps=600, alpha=a)
    errors = tuned.best_errors
    memory[a] = (tuned.best_lr, errors[1:T + 1].mean(), errors[T + 1:].mean())
    print(f"α = {a:5}: best lr {memory[a][0]:.4f}; mean tracking error before the switch "
          f"{memory[a][1]:.4f}, after {memory[a][2]:.4f}")
after = [memory[a][2] for a in memory]
assert np.all(np.diff(after) > 0)                       # after the drop: shorter memory wins
assert memory[0.99][1] < memory[0.9][1] < memory[0.5][1]  # before it: longer memory wins

# %% [markdown]
# **Explain** the trade-off the table shows, and why $\alpha = 0$ does so well after the
# switch on *this* target.
#
# ### BEGIN SOLUTION
# - **After the drop, a shorter memory recovers faster.** The rate can grow by at most
#   $\alpha^{-k/2}$ in $k$ steps (course notebook, section 4): with $\alpha = 0.999$ the
#   large gradients of the first half dominate the average for hundreds of steps, the steps
#   are 100 times too small, and the target runs away.
# - **Before the drop, a longer memory tracks better** (0.99 better than 0.9 better than
#   0.5): averaging over more gradients gives a steadier denominator, so the steps do not
#   jitter with each gradient. (0.999 does a little worse than 0.99: within 300 steps its
#   average is still filling up from zero.)
# - **$\alpha = 0$ is sign descent**: every coordinate moves exactly $\eta$ per step
#   (course notebook, section 2). This target moves exactly 0.01 per step in each
#   coordinate, and the grid contains $\eta = 0.01$, so sign descent at that rate keeps
#   pace with it perfectly whatever the curvature. A special fit, not a general lesson:
#   with noisy gradients or a target moving at another speed it would jitter by $\eta$.
# ### END SOLUTION

# %% [markdown]
# ## 6. Predict, then run: when the gradients *grow*
#
# Same target, but at step 300 the curvature **rises** from 1 to 100 (gradients 100 times
# larger). Which tracks better after the switch, AdaGrad or RMSProp with $\alpha = 0.9$,
# each at its best rate? Write your prediction and a one-line reason before running.
#
# ### BEGIN SOLUTION
# **Prediction: AdaGrad.** Forgetting only helps when the gradients *shrink*: then a sum
# remembers the old, large gradients for ever. When they grow, the new squared gradients
# dominate AdaGrad's sum within a step or two, its rates fall at once, and its habit of
# damping the steps (rates that only shrink) is what a steeper bowl needs.
# ### END SOLUTION

# %%
rise = switching_target(velocity=0.01, before=1.0, after=100.0, horizon=600)
contest = {"AdaGrad": sweep_tracking(AdaGrad, rise, lrs, steps=600),
           "RMSProp α=0.9": sweep_tracking(RMSProp, rise, lrs, steps=600, alpha=0.9)}
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
plot_tracking_errors(ax, [s.best_errors for s in contest.values()],
                     [f"{name}, lr={s.best_lr:.3g}" for name, s in contest.items()], switch_at=T)
ax.set_title("Curvature rises 100-fold at step 300: each method at its best rate")
plt.show()
after_rise = {name: s.best_errors[T + 1:].mean() for name, s in contest.items()}
for name, value in after_rise.items():
    print(f"{name:14s} mean tracking error after the switch {value:.4f}")
assert after_rise["AdaGrad"] < after_rise["RMSProp α=0.9"] / 2

# %% [markdown]
# ## 7. Open challenge: where forgetting hurts
#
# Find a problem on which AdaGrad, at its tuned rate, ends **lower** than RMSProp at its
# tuned rate (both from the same grid of rates, same start, same number of steps), and
# show it on more than one random seed. Explain why.

# %%
### BEGIN SOLUTION
bowl = Quadratic(curvatures=[1.0, 10.0], start=[1.0, 1.0])
grid = np.logspace(-4, 0, 25)
pair = {"AdaGrad": AdaGrad, "RMSProp": RMSProp}
ends = {name: [] for name in pair}                  # mean loss over the last 100 steps
for seed in range(3):
    noisy = Noisy(bowl, sigma=1.0, seed=seed)       # mini-batch-like noise, fixed minimum
    for name, result in sweep_learning_rates(pair, noisy, grid, steps=1000).items():
        tail = np.where(result.diverged, np.inf, result.trajectory.losses[-100:].mean(axis=0))
        best = int(np.argmin(tail))
        assert 0 < best < grid.size - 1             # the best rate is inside the grid
        ends[name].append(tail[best])
ratio = np.array(ends["RMSProp"]) / np.array(ends["AdaGrad"])
print(f"noisy bowl (σ = 1), tuned rates, 1000 steps: RMSProp / AdaGrad final loss per seed "
      f"{np.array2string(ratio, precision=2)}")
assert np.all(ratio > 1.5)
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: a fixed minimum with noisy gradients.** The bowl does not move; only
# the gradients are noisy (as mini-batches make them). AdaGrad's rate shrinks like
# $1/\sqrt t$, an automatic decay schedule: late steps are small, so the noise averages out
# and the iterate settles close to the minimum. RMSProp's average forgets, so its rate
# stops shrinking and its steps stay of order $\eta$; near the minimum it keeps jittering at
# a level set by $\eta$ and the noise (course notebook, section 7). On every seed tuned
# AdaGrad ended lower, by the factors printed above. Forgetting pays when the *problem*
# changes; when only the noise changes, remembering everything is an advantage. In
# practice RMSProp and Adam get the same effect from a learning-rate schedule.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["rmsprop_step", "memory_weights", "half_life", "first_step"])
