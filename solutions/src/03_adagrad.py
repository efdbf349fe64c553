# %% [markdown]
# # Exercises 03 · AdaGrad
#
# **Goal.** AdaGrad keeps, for every coordinate, the sum of its squared gradients
# $G_t = G_{t-1} + g_t^2$ and divides the step by its root:
# $x_t = x_{t-1} - \eta\, g_t/(\sqrt{G_t} + \epsilon)$. In these exercises you write that
# step yourself, predict its first step and how far it can travel on a steady slope,
# read its per-coordinate effective rates off a run, see what its starting value $G_0$
# and a tilted valley do to it, and finally repair its best-known weakness, rates that
# only shrink, with a rule of your own.
#
# Course notebook: [03 · AdaGrad](../notebooks/03_adagrad.ipynb).
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

from alr_teach import SGD, AdaGrad, Optimizer, checks
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep_learning_rates
from alr_teach.problems.landscapes import Drifting, Quadratic
from alr_teach.viz.plots import style

rng = np.random.default_rng(103)  # seeded: every number below is reproducible


def steps_to(trajectory, tol=1e-6):
    """First step at which the loss is at most tol (None if never)."""
    hit = np.flatnonzero(trajectory.losses <= tol)
    return int(hit[0]) if hit.size else None


# %% [markdown]
# ## 1. Implement it: one AdaGrad step
#
# Write `adagrad_step(x, grad, sum_sq, lr, eps)` in torch's convention: first add the
# squared gradient to the accumulator, $G_t = G_{t-1} + g_t^2$, then step
# $x_t = x_{t-1} - \eta\, g_t / (\sqrt{G_t} + \epsilon)$ with $\epsilon$ *outside* the root.
# Return the pair `(x, sum_sq)`. Everything is element-wise; arrays and plain numbers must
# both work, and the arguments must not be changed in place.

# %%
def adagrad_step(x, grad, sum_sq, lr, eps):
    """One AdaGrad step: returns the new parameters and the new sum of squared gradients."""
    ### BEGIN SOLUTION
    sum_sq = sum_sq + grad * grad
    return x - lr * grad / (np.sqrt(sum_sq) + eps), sum_sq
    ### END SOLUTION


# %%
checks.check_adagrad_step(adagrad_step)

# %% [markdown]
# ## 2. Predict, then run: the first step
#
# Three coordinates start at 0 with gradients $0.01$, $1$ and $100$, $G_0 = 0$, and
# $\eta = 0.5$. How far does each move on the first step? Write `predicted_first_step` as
# three numbers (the distances, positive).

# %%
predicted_first_step = None  # replace None with three numbers
### BEGIN SOLUTION
predicted_first_step = np.array([0.5, 0.5, 0.5])  # eta * |g| / |g| = eta: size is ignored
### END SOLUTION

# %%
g_first = np.array([0.01, 1.0, 100.0])
first_step = -AdaGrad(lr=0.5).step(np.zeros(3), g_first)
print(f"first step of alr_teach.AdaGrad(lr=0.5): {np.array2string(first_step, precision=6)}")
checks.check_value("first_step", predicted_first_step, first_step, rtol=1e-6,
                   hint="after one step G_1 = g_1^2, so sqrt(G_1) = |g_1|")

# %% [markdown]
# **Explain** in one or two sentences what this means for a rare feature whose gradient is
# tiny and noisy.
#
# ### BEGIN SOLUTION
# With $G_0 = 0$ the first step of every coordinate is $\eta\,\mathrm{sign}(g_1)$, whatever
# the size of $g_1$: a coordinate that has never been seen before jumps a full $\eta$ on
# its first gradient, even if that gradient is a tiny, noisy one. A positive starting value
# $G_0$ (Keras uses 0.1) softens exactly this, as section 5 shows.
# ### END SOLUTION

# %% [markdown]
# ## 3. Predict, then run: how far on a steady slope?
#
# One coordinate, the same gradient $g = 3$ at every step, $\eta = 0.1$, $T = 400$ steps.
# How far does AdaGrad move in total? Predict within 5 % (a formula from section 2 of the
# course notebook is enough); then run it with your `adagrad_step`.

# %%
predicted_distance = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
predicted_distance = 2 * 0.1 * np.sqrt(400)  # step t is eta/sqrt(t); the sum is about 2 eta sqrt(T)
### END SOLUTION

# %%
if checks.passed("adagrad_step"):
    x, G = 0.0, 0.0
    for _ in range(400):
        x, G = adagrad_step(x, 3.0, G, lr=0.1, eps=1e-10)
    print("run with your adagrad_step")
else:
    print("adagrad_step does not pass yet: running alr_teach.AdaGrad instead")
    opt, x = AdaGrad(lr=0.1), np.zeros(1)
    for _ in range(400):
        x = opt.step(x, np.full(1, 3.0))
    x = float(x[0])
distance = -x
exact = 0.1 * np.sum(1 / np.sqrt(np.arange(1, 401)))
print(f"moved {distance:.4f} in 400 steps (sum of eta/sqrt(t): {exact:.4f}); gradient descent "
      f"at the same rate would move {0.1 * 3 * 400:.0f}")
assert np.isclose(distance, exact, rtol=1e-9)
checks.check_value("steady_distance", predicted_distance, distance, rtol=0.05,
                   hint="G_t = t g^2, so step t is eta / sqrt(t); compare the sum of 1/sqrt(t) "
                        "with the integral of 1/sqrt(t)")

# %% [markdown]
# ## 4. Implement it: effective rates from the accumulator
#
# AdaGrad on the axis-aligned valley (curvatures 1 and 100) from $(1, 1)$, 30 steps. The
# run records the accumulators $G_t$ after every step in `trajectory.state["sum_sq"]`
# (shape (30, 2)). With numpy, compute `my_rates`, the effective rate
# $\eta/(\sqrt{G_t} + \epsilon)$ of each coordinate at each step (shape (30, 2)). The
# checker compares it with the step taken per unit of gradient, `trajectory.effective_lr`.

# %%
aligned = Quadratic(curvatures=[1.0, 100.0], start=[1.0, 1.0])
trajectory = run(AdaGrad(lr=0.5), aligned, steps=30)
my_rates = None  # replace None with an array of shape (30, 2)
### BEGIN SOLUTION
my_rates = 0.5 / (np.sqrt(trajectory.state["sum_sq"]) + 1e-10)
### END SOLUTION

# %%
checks.check_value("effective_rates", my_rates, trajectory.effective_lr, rtol=1e-9,
                   hint="eta = 0.5 and eps = 1e-10 (AdaGrad's defaults apart from lr)")
ratio = trajectory.effective_lr[:, 0] / trajectory.effective_lr[:, 1]
print(f"rate of x / rate of y: {ratio.min():.4f} to {ratio.max():.4f} over the 30 steps")
assert np.allclose(ratio, 100.0, rtol=1e-6)

# %% [markdown]
# **Explain** why the ratio of the two rates is the ratio of the curvatures, at every step.
#
# ### BEGIN SOLUTION
# On an axis-aligned quadratic coordinate $i$ has gradient $\lambda_i (x_i - x_i^*)$, so its
# squared gradients, and their sum $G_t$, carry a factor $\lambda_i^2$, and $\sqrt{G_t}$ a
# factor $\lambda_i$. The rates $\eta/\sqrt{G_t}$ are therefore in the ratio
# $\lambda_2/\lambda_1 = 100$, provided both coordinates stay at the same distance from
# their minimum. They do: the curvature cancels in $g/\sqrt{G}$, so from the same start
# $(1, 1)$ both coordinates take identical steps. (From a start such as $(1.5, 1)$ the
# ratio would also carry the ratio of the distances.) AdaGrad has found the
# preconditioner $A^{-1}$ up to a common factor, without being told the curvatures.
# ### END SOLUTION

# %% [markdown]
# ## 5. Explore and explain: the starting value $G_0$
#
# A steady gradient $(3, 0.01)$ for 100 steps, $\eta = 0.5$, with four starting values of
# the accumulator (`initial_accumulator_value`; torch uses 0, Keras 0.1):

# %%
g_steady = np.array([3.0, 0.01])
moved = {}
for G0 in (0.0, 0.01, 0.1, 1.0):
    opt, x = AdaGrad(lr=0.5, initial_accumulator_value=G0), np.zeros(2)
    for _ in range(100):
        x = opt.step(x, g_steady)
    moved[G0] = -x
    print(f"G0 = {G0:4}: moved {np.array2string(moved[G0], precision=3)}")
assert np.isclose(moved[0.0][0], moved[0.0][1], rtol=1e-6)
assert moved[1.0][1] < moved[0.1][1] < moved[0.01][1] < moved[0.0][1]
assert moved[1.0][0] > 0.99 * moved[0.0][0]

# %% [markdown]
# **Explain** why $G_0$ hardly changes the first coordinate but changes the second a lot.
#
# ### BEGIN SOLUTION
# The denominator is $\sqrt{G_0 + t g^2}$. For $g = 3$ the gradients add 9 per step, so a
# $G_0$ of at most 1 is soon negligible and the first coordinate moves as with $G_0 = 0$.
# For $g = 0.01$ they add only $10^{-4}$ per step: after 100 steps $t g^2 = 0.01$, so
# $G_0 = 0.1$ or 1 dominates the sum, the root stays near $\sqrt{G_0}$, and the step is
# about $\eta g/\sqrt{G_0}$, far smaller than $\eta$. With $G_0 = 0$ both coordinates move
# the same distance whatever their gradient; with $G_0 > 0$, a coordinate whose summed
# squared gradients stay below $G_0$ is no longer rescaled up to full-size steps. $G_0$
# acts like an $\epsilon$ that keeps small, noisy gradients small.
# ### END SOLUTION

# %% [markdown]
# ## 6. Explore and explain: turn the valley
#
# AdaGrad ($\eta = 0.5$) against gradient descent at its best single rate, on the valley
# with curvatures 1 and 100 turned by a growing angle, same start $(1.5, 1)$: steps to
# reach a loss of $10^{-6}$ (600 at most).

# %%
angles = (0, 10, 20, 30, 45)
turned = {}
for degrees in angles:
    bowl = Quadratic(curvatures=[1.0, 100.0], angle=np.radians(degrees), start=[1.5, 1.0])
    turned[degrees] = (steps_to(run(AdaGrad(lr=0.5), bowl, steps=600)),
                       steps_to(run(SGD(lr=bowl.best_lr), bowl, steps=600)))
    print(f"{degrees:2d}°: AdaGrad {turned[degrees][0]:4d} steps, gradient descent "
          f"{turned[degrees][1]:4d} steps")
assert turned[0][0] < turned[0][1] / 10
assert all(turned[a][0] < turned[b][0] for a, b in zip(angles, angles[1:]))
assert turned[45][0] > turned[45][1]

# %% [markdown]
# **Explain** why AdaGrad's advantage disappears as the valley turns (at 45° it is even
# slower than gradient descent).
#
# ### BEGIN SOLUTION
# AdaGrad rescales each *coordinate*. The curvature cancels exactly only when each
# coordinate is an eigendirection (0°). When the valley is turned, both coordinates see a
# mix of the steep and the flat direction, their accumulated squared gradients are
# dominated by the steep one, and the rates AdaGrad learns no longer undo the difference
# in curvature; at 45° the two coordinates look alike, so AdaGrad gives them nearly the
# same rate and gains nothing from being per-coordinate. What remains is its shrinking
# rate ($\eta/\sqrt{G_t}$ only falls), which makes it slower than a well-chosen fixed
# rate. Diagonal preconditioning cannot straighten a tilted valley (notebook 01,
# section 3).
# ### END SOLUTION

# %% [markdown]
# ## 7. Open challenge: rates that can grow again
#
# The course notebook (section 6) showed AdaGrad falling behind a minimum that moves 0.1
# per step: its sum only grows, so its rates only shrink. Write your own optimizer, a
# subclass of `alr_teach.Optimizer`, that keeps AdaGrad's idea (divide each coordinate by
# the root of its squared gradients) but can forget old gradients, and show that **at
# tuned rates** it follows the course notebook's target,
# `Drifting(velocity=(0.1, 0.0), horizon=2000)`, better than AdaGrad over 2000 steps: a
# lower mean loss, and a loss that no longer grows in the second half. Tune both with
# `sweep_learning_rates` on the same grid, `np.logspace(-3, 1, 17)`, by the mean loss.

# %%
### BEGIN SOLUTION
class LeakyAdaGrad(Optimizer):
    """AdaGrad whose sum leaks: G_t = decay * G_(t-1) + g_t^2, so old gradients fade."""

    def __init__(self, lr=0.01, decay=0.99, eps=1e-10):
        super().__init__(lr=lr, decay=decay, eps=eps)

    def init_state(self, x, h):
        return {"sum_sq": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        s.sum_sq = h.decay * s.sum_sq + g * g
        return x - h.lr * g / (np.sqrt(s.sum_sq) + h.eps)


drift = Drifting(velocity=(0.1, 0.0), horizon=2000)
grid = np.logspace(-3, 1, 17)
methods = {"AdaGrad": AdaGrad, "LeakyAdaGrad": LeakyAdaGrad}
chase = {}                                                # name -> (tuned lr, losses)
for name, result in sweep_learning_rates(methods, drift, grid, steps=2000).items():
    mean_loss = np.where(result.diverged, np.inf, np.mean(result.trajectory.losses, axis=0))
    best = int(np.argmin(mean_loss))
    assert 0 < best < grid.size - 1                       # the best rate is inside the grid
    chase[name] = (grid[best], result.trajectory.losses[:, best])
    losses = chase[name][1]
    print(f"{name:12s} best lr {grid[best]:.3g}: mean loss {mean_loss[best]:.2e}; loss at "
          f"step 1000 {losses[1000]:.2e}, at step 2000 {losses[2000]:.2e}")
mean_of = {name: np.mean(losses) for name, (_, losses) in chase.items()}
growth = {name: losses[2000] / losses[1000] for name, (_, losses) in chase.items()}
assert mean_of["LeakyAdaGrad"] < mean_of["AdaGrad"] / 2
assert growth["AdaGrad"] > 5 and growth["LeakyAdaGrad"] < 1
assert chase["LeakyAdaGrad"][1][2000] < chase["AdaGrad"][1][2000] / 5

fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
for i, (name, (lr, losses)) in enumerate(chase.items()):
    ax.semilogy(losses, label=f"{name}(lr={lr:.3g})", markevery=200, **style(i))
ax.set(xlabel="step t", ylabel="loss (log scale)",
       title="Chasing a minimum that moves 0.1 per step, each at its tuned rate")
ax.legend(fontsize=8)
plt.show()
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer.** `LeakyAdaGrad` multiplies the sum by a decay factor (0.99) before
# adding the new squared gradient, so a gradient $k$ steps old counts with weight
# $0.99^k$ and the sum stops growing at about $g^2/(1 - 0.99) = 100\,g^2$. The rate then
# levels off instead of falling like $1/\sqrt t$. At the tuned rates its mean loss is less
# than a half of AdaGrad's; between steps 1000 and 2000 AdaGrad's loss grows more than
# fivefold (it lags further and further behind) while the leaky version's does not grow,
# and ends more than five times lower. Divide the sum by $1/(1-\text{decay})$
# and it becomes an *average* of squared gradients: that is RMSProp, the next notebook,
# where the decay factor is called $\alpha$.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["adagrad_step", "first_step", "steady_distance", "effective_rates"])
