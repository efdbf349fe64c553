# %% [markdown]
# # 00 · Start here: what "ALR" means, and why the learning rate matters
#
# You have trained a model, the loss did something strange, and someone said "use an
# adaptive learning rate". This course shows what that means, from the first equation to
# training real networks, with experiments you can run and change.
#
# **Learning objectives.** By the end of this notebook you can
# - *explain* what "ALR" stands for in machine learning, and what the learning rate does;
# - *predict* whether gradient descent on a quadratic crawls, converges, zig-zags or
#   diverges, from the learning rate and the curvature alone;
# - *use* the course's sliders, static figures and exercises;
# - *describe* why one learning rate cannot suit every parameter (the problem the rest of
#   the course solves).
#
# **Prerequisites:** Python and a little numpy; derivatives of a one-variable function.
# **Time:** about 20 minutes.
#
# **Notation** is the same in every notebook: see [docs/notation.md](../docs/notation.md).

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD
from alr_teach.landscapes import Quadratic
from alr_teach.plots import plot_descent_1d
from alr_teach.runner import run
from alr_teach.widgets import LearningRateExplorer

rng = np.random.default_rng(0)  # every random draw in the course is seeded

# %% [markdown]
# ## 1. What "ALR" means
#
# Search for "ALR" and you will find automated licence-plate recognition, average lease
# rates and more. In machine learning, **ALR** almost always means **adaptive learning
# rate**: optimizers such as AdaGrad, RMSProp, Adam and AdaDelta that give *each parameter
# its own step size* and adjust it from the history of that parameter's gradients.
#
# To see why anyone would want that, start with the thing being adapted.
#
# ## 2. The learning rate sets how far the weights move
#
# Gradient descent updates the parameters $x$ against the gradient $g = \nabla f(x)$:
#
# $$x_{t} = x_{t-1} - \eta\, g_t$$
#
# The learning rate $\eta$ ("lr" in code) scales every step: the distance moved is
# $\eta\,\lVert g_t \rVert$. The course's optimizers all work the same way:
# `new_params = optimizer.step(params, grads)`.

# %%
x = np.array([2.0, -1.0])
g = np.array([0.5, 0.25])  # a gradient, from somewhere
for lr in [0.1, 1.0]:
    x_new = SGD(lr=lr).step(x, g)
    distance = np.linalg.norm(x_new - x)
    print(f"lr = {lr:4.1f}: new x = {np.array2string(x_new, precision=3)}, moved {distance:.4f}")
    assert np.isclose(distance, lr * np.linalg.norm(g))  # distance = lr * |g|

# %% [markdown]
# ## 3. A first experiment: one parameter, four learning rates
#
# **Intuition.** Walking downhill in fog, you choose a stride. Tiny strides are safe but
# slow; huge strides jump across the valley and can land higher than you started.
#
# **Math.** Take the simplest loss there is, $f(x) = \tfrac{a}{2} x^2$ with curvature
# $a > 0$. Its gradient is $a x$, so one step of gradient descent is
#
# $$x_t = x_{t-1} - \eta\, a\, x_{t-1} = (1 - \eta a)\, x_{t-1}
# \quad\Longrightarrow\quad x_t = (1 - \eta a)^t\, x_0 .$$
#
# Everything depends on the factor $1 - \eta a$:
#
# | learning rate | factor $1-\eta a$ | what happens |
# |---|---|---|
# | $\eta \ll 1/a$ | just below 1 | converges, **slowly** |
# | $\eta$ near $1/a$ | near 0 | converges fast |
# | $1/a < \eta < 2/a$ | in $(-1, 0)$ | **zig-zags** across the minimum, converging |
# | $\eta > 2/a$ | below $-1$ | **diverges**, zig-zagging ever wider |
#
# **Code.** We use $a = 4$ (so $2/a = 0.5$) and run all four rates *in one call*: an
# `alr_teach` optimizer accepts an array of learning rates, one per independent problem.

# %%
bowl = Quadratic(curvatures=[4.0], start=[1.0])
rates = {"too small": 0.01, "about right": 0.2, "zig-zag": 0.45, "too large": 0.7}
lrs = np.array(list(rates.values()))
x0 = np.ones((len(lrs), 1))  # four copies of the start point x0 = 1
batch = run(SGD(lr=lrs), bowl, x0, steps=25)  # losses: (26 steps, 4 runs)

print(f"{'':12s} {'lr':>5s} {'factor':>7s} {'loss after 25 steps':>22s}")
for i, (name, lr) in enumerate(rates.items()):
    final = batch.losses[-1, i]
    outcome = f"diverged at step {batch.diverged_at[i]}" if batch.diverged[i] else f"{final:.3e}"
    print(f"{name:12s} {lr:5.2f} {1 - lr * 4.0:7.2f} {outcome:>22s}")

# %% [markdown]
# The table matches the prediction. Two checks make the claims in the prose exact
# (if either fails, this cell fails):

# %%
loss0 = bowl.value(np.array([1.0]))
small, right, zigzag, large = range(4)
# Too small: after 25 steps the loss is still above 10 % of where it started (B1).
assert batch.losses[-1, small] > 0.10 * loss0
# About right: the loss is below 1e-30 (the factor is 0.2, so x shrinks 5x per step).
assert batch.losses[-1, right] < 1e-30
# Zig-zag: the sign of x alternates every step, yet the loss falls (B2, the mild case).
signs = np.sign(batch.points[:, zigzag, 0])
assert np.all(signs[1:] == -signs[:-1]) and batch.losses[-1, zigzag] < 1e-4 * loss0
# Too large: the run diverges (B2): the runner stops it and records when.
assert batch.diverged[large] and not batch.diverged[[small, right, zigzag]].any()
# The theory is exact: |x_t| / |x_{t-1}| equals |1 - lr a| at every step.
ratios = np.abs(batch.points[1:11, :3, 0] / batch.points[:10, :3, 0])
assert np.allclose(ratios, np.abs(1 - lrs[:3] * 4.0), rtol=1e-12)
print("all four regimes behave as predicted")

# %% [markdown]
# **Picture.** Left: where each run's iterates land on the loss curve. Right: the loss
# against the step, on a log scale; a cross marks the step at which the runner declared
# a run diverged.

# %%
fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
runs = [run(SGD(lr=lr), bowl, steps=25) for lr in rates.values()]
plot_descent_1d(ax_path, ax_loss, bowl, runs, [f"{n} (lr={lr})" for n, lr in rates.items()])
ax_path.legend(fontsize=8, loc="upper center")
fig.suptitle("Gradient descent on f(x) = 2x²: the learning rate decides everything")
plt.show()

# %% [markdown]
# ## 4. How to use the sliders
#
# Most notebooks have an **explorer**: sliders above a figure. Move a slider and release
# it; the figure redraws when you let go (it does not chase the mouse, so it stays
# responsive on a laptop). Learning rates use a **logarithmic** slider, because the
# interesting values span several powers of ten.
#
# Sliders need a running kernel. On GitHub or in a printed handout you see the static
# figure above instead, which shows the same thing for fixed values.
#
# **Experiment.** Find the largest learning rate that still converges. Then set the rate
# just above $2/a = 0.5$ and watch the zig-zag grow.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = LearningRateExplorer(curvature=4.0, x0=1.0, steps=25, lr=0.2)
explorer.widget()

# %% [markdown]
# ## 5. Why one learning rate is not enough
#
# Real models have many parameters, and the loss curves much more steeply in some
# directions than in others. Take two parameters with curvatures 1 and 100. The steep one
# forces $\eta < 2/100$; at that rate the flat one barely moves.

# %%
valley = Quadratic(curvatures=[1.0, 100.0], start=[1.0, 1.0])
lr = 0.95 * valley.critical_lr  # as large as the steep direction allows
two_d = run(SGD(lr=lr), valley, steps=100)
flat_left, steep_left = np.abs(two_d.points[-1])
print(f"lr = {lr:.4f} (the limit is 2/100 = {valley.critical_lr:.4f})")
print(f"after 100 steps: flat coordinate at {flat_left:.3f}, steep coordinate at {steep_left:.1e}")
assert flat_left > 0.1 and steep_left < 1e-3  # the flat direction is still far from 0

# %% [markdown]
# After 100 steps the steep coordinate has converged while the flat one is still more than
# a tenth of the way from the start. A *fixed* rate is limited by the steepest direction.
# The fix the rest of the course develops: **give each parameter its own rate**, large on
# flat ground and small near steep drops, and *learn* those rates from the gradients seen
# so far. That is what "adaptive learning rate" means.
#
# ## 6. The map of the course
#
# | notebook | question it answers |
# |---|---|
# | **00 Start here** (you are here) | what ALR means; what the learning rate does |
# | [01 A fixed learning rate](01_fixed_learning_rate.ipynb) | why one rate fails: too small, too large, imbalanced, curved |
# | [02 Momentum and Nesterov](02_momentum.ipynb) | how a leaky average of gradients speeds up descent |
# | [03 AdaGrad](03_adagrad.ipynb) | per-parameter rates from summed squared gradients |
# | [04 RMSProp](04_rmsprop.ipynb) | a memory that forgets, for objectives that change |
# | [05 Adam](05_adam.ipynb) | momentum plus RMSProp, with bias correction |
# | [06 AdaDelta](06_adadelta.ipynb) | a step with the right units and no global rate |
# | [07 The arena](07_arena.ipynb) | a fair comparison of all of them |
# | [08 Weight decay](08_weight_decay.ipynb) | L2 in the gradient vs decoupled decay (AdamW) |
# | [09 Schedules](09_schedules.ipynb) | schedules on adaptive methods; choosing a rate |
# | [10 Real data](10_real_data.ipynb) | seven optimizers on two real data sets, fairly tuned |
# | [11 A practical guide](11_practical_guide.ipynb) | reading loss curves; when ε matters; sparse data |
# | [12 Misconceptions](12_misconceptions.ipynb) | six popular claims about ALR, each tested |
# | [13 In the wild](13_in_the_wild.ipynb) | language, vision, RL and games, in miniature |
# | [14 Beyond Adam](14_beyond_adam.ipynb) | RAdam, AMSGrad, NAdam, Adamax, LAMB, NovoGrad, Lookahead, Ranger |
# | [15 Tuned by machine](15_tuned_by_machine.ipynb) | grid, random and halving search; a rate that learns itself |
#
# ## 7. How the exercises work
#
# Each notebook has an exercise notebook in [`../exercises/`](../exercises/) with the same
# number: you implement an update rule and a checker tells you at once whether it is right,
# and if not, what is wrong (for example "your bias correction is off by one step").
# Instructors find worked solutions in [`../solutions/`](../solutions/).
#
# **Predict, then run.** Before moving the slider: with $a = 4$, what happens at
# $\eta = 0.25$? (Hint: compute $1 - \eta a$.) And at exactly $\eta = 0.5$?
#
# ## Summary
#
# - In machine learning, ALR means **adaptive learning rate**: per-parameter step sizes
#   learned from gradient history.
# - The learning rate scales every step: the distance moved is $\eta\,\lVert g\rVert$.
# - On $f(x) = \tfrac a2 x^2$, gradient descent multiplies $x$ by $1-\eta a$ per step:
#   slow for small $\eta$, zig-zagging above $1/a$, divergent above $2/a$.
# - With several directions, the steepest one caps the rate and the flat ones crawl.
#
# **Next:** [01 · A fixed learning rate](01_fixed_learning_rate.ipynb), where we watch
# this failure on 2-D surfaces and measure it.
#
# **Further reading:** Goodfellow, Bengio & Courville, *Deep Learning* (2016), section
# 4.3 (gradient-based optimization) and chapter 8.
