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
from alr_teach.course.claims import claim
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Quadratic
from alr_teach.viz.plots import plot_descent_1d
from alr_teach.viz.widgets import LearningRateExplorer

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
X = np.array([2.0, -1.0])
G = np.array([0.5, 0.25])  # a gradient, from somewhere
LRS = [0.1, 1.0]
for lr in LRS:
    x_new = SGD(lr=lr).step(X, G)
    distance = np.linalg.norm(x_new - X)
    print(f"lr = {lr:4.1f}: new x = {np.array2string(x_new, precision=3)}, moved {distance:.4f}")
    claim(np.isclose(distance, lr * np.linalg.norm(G)),
          f"at lr = {lr:g} the step moves lr·|g| = {lr * np.linalg.norm(G):.4f}",
          measured=f"moved {distance:.4f}")

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
# **Code.** The settings sit in named variables: curvature $a$ = `CURVATURE` $= 4$ (so
# $2/a = 0.5$), the start $x_0$ = `X0`, the number of steps `STEPS` and the four rates
# `RATES`. We run all four rates *in one call*: an `alr_teach` optimizer accepts an array
# of learning rates, one per independent problem.

# %%
CURVATURE, X0, STEPS = 4.0, 1.0, 25
RATES = {"too small": 0.01, "about right": 0.2, "zig-zag": 0.45, "too large": 0.7}

bowl = Quadratic(curvatures=[CURVATURE], start=[X0])
lrs = np.array(list(RATES.values()))
factors = 1 - lrs * CURVATURE  # the theory: x_t = factor**t * x0
x0 = np.full((len(lrs), 1), X0)  # one copy of the start point per rate
batch = run(SGD(lr=lrs), bowl, x0, steps=STEPS)  # losses: (STEPS + 1, one column per rate)

print(f"{'':12s} {'lr':>5s} {'factor':>7s} {f'loss after {STEPS} steps':>22s}")
for i, (name, lr) in enumerate(RATES.items()):
    final = batch.losses[-1, i]
    outcome = f"diverged at step {batch.diverged_at[i]}" if batch.diverged[i] else f"{final:.3e}"
    print(f"{name:12s} {lr:5.2f} {factors[i]:7.2f} {outcome:>22s}")

# %% [markdown]
# The table matches the prediction. The checks below state what it shows; if you change
# the settings and one no longer holds, it prints a note instead of the silence of a check
# that holds.

# %%
loss0 = bowl.value(np.array([X0]))
final = dict(zip(RATES, batch.losses[-1]))
col = {name: i for i, name in enumerate(RATES)}
lr_of = {name: f"lr = {lr:g}" for name, lr in RATES.items()}
# Too small: the loss is still above 10 % of where it started.
claim(final["too small"] > 0.10 * loss0,
      f"at {lr_of['too small']} the loss after {STEPS} steps is still above 10 % of its start",
      measured=f"{final['too small'] / loss0:.1%} of the start")
# About right: the factor is close to 0, so x shrinks fast and the loss drops below 1e-30.
claim(final["about right"] < 1e-30, f"at {lr_of['about right']} the loss falls below 1e-30",
      measured=f"{final['about right']:.1e}")
# Zig-zag: the sign of x alternates every step, yet the loss falls (mildly too large).
signs = np.sign(batch.points[:, col["zig-zag"], 0])
claim(np.all(signs[1:] == -signs[:-1]) and final["zig-zag"] < 1e-4 * loss0,
      f"at {lr_of['zig-zag']} x changes sign at every step and the loss falls below 1e-4 "
      "of its start", measured=f"{final['zig-zag'] / loss0:.1e} of the start")
# Too large: the run diverges: the runner stops it and records when; no other does.
others = [col[name] for name in RATES if name != "too large"]
claim(batch.diverged[col["too large"]] and not batch.diverged[others].any(),
      f"only the run at {lr_of['too large']} diverges",
      measured=f"diverged: {[name for name in RATES if batch.diverged[col[name]]]}")
# The theory is exact: |x_t| / |x_{t-1}| equals |1 - lr a| at every step, in every run
# that has not diverged.
kept = ~batch.diverged
with np.errstate(divide="ignore", invalid="ignore"):  # a factor of exactly 0 leaves x = 0
    ratios = np.abs(batch.points[1:11, kept, 0] / batch.points[:10, kept, 0])
claim(np.allclose(ratios, np.abs(factors[kept]), rtol=1e-12),
      "|x_t| / |x_{t-1}| equals |1 - lr a| at each of the first 10 steps, to 1e-12",
      measured=f"largest relative gap {np.nanmax(np.abs(ratios / np.abs(factors[kept]) - 1)):.0e}")
print("the checks are done")

# %% [markdown]
# **Picture.** Left: where each run's iterates land on the loss curve. Right: the loss
# against the step, on a log scale; a cross marks the step at which the runner declared
# a run diverged.

# %%
fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
runs = [run(SGD(lr=lr), bowl, steps=STEPS) for lr in RATES.values()]
plot_descent_1d(ax_path, ax_loss, bowl, runs, [f"{n} (lr={lr})" for n, lr in RATES.items()])
ax_path.legend(fontsize=8, loc="upper center")
fig.suptitle(f"Gradient descent on f(x) = {CURVATURE / 2:g}x²: the learning rate decides "
             "everything")
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
explorer = LearningRateExplorer(curvature=CURVATURE, x0=X0, steps=STEPS, lr=0.2)
explorer.widget()

# %% [markdown]
# ## 5. Why one learning rate is not enough
#
# Real models have many parameters, and the loss curves much more steeply in some
# directions than in others. Take two parameters with curvatures `CURVATURES = (1.0,
# 100.0)`. The steep one forces $\eta < 2/100$; at that rate the flat one barely moves.

# %%
CURVATURES, START_2D, STEPS_2D = (1.0, 100.0), (1.0, 1.0), 100
SAFETY = 0.95  # the rate, as a fraction of the largest one the steepest direction allows

valley = Quadratic(curvatures=list(CURVATURES), start=list(START_2D))
lr = SAFETY * valley.critical_lr  # as large as the steep direction allows
two_d = run(SGD(lr=lr), valley, steps=STEPS_2D)
flat_left, steep_left = np.abs(two_d.points[-1])
print(f"lr = {lr:.4f} (the limit is 2/{max(CURVATURES):g} = {valley.critical_lr:.4f})")
print(f"after {STEPS_2D} steps: flat coordinate at {flat_left:.3f}, "
      f"steep coordinate at {steep_left:.1e}")
claim(flat_left > 0.1 * abs(START_2D[0]) and steep_left < 1e-3,
      f"after {STEPS_2D} steps the flat coordinate is still more than a tenth of its start "
      "away from 0, while the steep one is within 1e-3 of it",
      measured=f"flat {flat_left:.3f}, steep {steep_left:.1e}")

# %% [markdown]
# After 100 steps the steep coordinate has converged while the flat one is still more than
# a tenth of its start away from the minimum. A *fixed* rate is limited by the steepest direction.
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
# $\eta = 0.25$? (Hint: compute $1 - \eta a$.) And at exactly $\eta = 0.5$? Then set the
# slider to each, or run `explorer.update(0.25)` and `explorer.update(0.5)` in a new cell
# below the explorer: each returns the factor and a verdict.
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
