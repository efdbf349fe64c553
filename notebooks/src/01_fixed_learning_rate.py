# %% [markdown]
# # 01 · A fixed learning rate: why one step size fails
#
# Notebook 00 showed one parameter and one learning rate. Real losses have many parameters,
# valleys that are steep across and flat along, plateaus and cliffs. This notebook watches
# gradient descent with a single fixed rate on such surfaces, measures exactly where it
# fails, and ends with the idea that fixes it: a step size *per parameter*, learned from the
# gradients.
#
# **Learning objectives.** By the end of this notebook you can
# - *predict* the largest stable learning rate of gradient descent on a quadratic from its
#   curvatures, and check it with a sweep;
# - *explain* why parameters with very different gradient scales cannot share one rate;
# - *describe* how curvature changes across directions and places on a non-convex surface;
# - *use* the course's runner, sweeps, plots and explorer to test a claim yourself.
#
# **Prerequisites:** [00 · Start here](00_start_here.ipynb). **Time:** about 40 minutes.
# Notation: [docs/notation.md](../docs/notation.md).

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML

from alr_teach import SGD, AdaGrad, Adam, RMSProp
from alr_teach.course.claims import claim
from alr_teach.lab.runner import Trajectory, run
from alr_teach.lab.sweeps import sweep
from alr_teach.problems.landscapes import Himmelblau, PlateauCliff, Quadratic, Rosenbrock
from alr_teach.viz.plots import plot_sweep
from alr_teach.viz.surface_plots import (
    animate_race,
    contour,
    label_for,
    plot_effective_lr,
    plot_losses,
    plot_moments,
    plot_step_arrows,
    plot_trajectories,
    surface_3d,
)
from alr_teach.viz.widgets import OptimizerExplorer

rng = np.random.default_rng(1)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. A valley that is steep across and flat along
#
# Take a quadratic bowl whose curvature is 1 in one direction and 25 in the other
# (`CURVATURES`), turned by 30°: a long, narrow, tilted valley. Gradient descent with three
# fixed rates (`RATES`). Sections 2 and 6 use the same valley.

# %%
CURVATURES = (1.0, 25.0)      # λ along the flat and along the steep direction
ANGLE = np.pi / 6             # the valley turned by 30°
START = (1.5, 1.0)
RATES = (0.005, 0.07, 0.085)  # meant as: too small, good, too large
STEPS = 100

valley = Quadratic(curvatures=CURVATURES, angle=ANGLE, start=START)
runs = [run(SGD(lr=lr), valley, steps=STEPS) for lr in RATES]
labels = [label_for(SGD(lr=lr)) for lr in RATES]

fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
contour(ax_map, valley)
plot_trajectories(ax_map, valley, runs, labels)
plot_losses(ax_loss, runs, labels)
ax_loss.set_title("Loss against step: crawl, converge, diverge")
plt.show()

# %%
endings = []
for lr, trajectory in zip(RATES, runs):
    endings.append(f"diverged at step {trajectory.diverged_at}" if trajectory.diverged
                   else f"loss {trajectory.final_loss:.2e} after {STEPS} steps")
    print(f"lr = {lr:.3f}: {endings[-1]}")
small, good, large = runs
claim(small.final_loss > 0.1 and good.final_loss < 1e-5 and large.diverged,
      f"the three rates crawl (loss above 0.1 after {STEPS} steps), converge (below 1e-5) "
      "and diverge, in that order", measured="; ".join(endings))

# %% [markdown]
# Too small: after 100 steps the loss is still above 0.1. Too large: the run
# zig-zags across the valley with growing amplitude and the runner stops it. In between,
# the rate converges, but look at the path: it bounces across the steep direction while it
# creeps along the flat one.
#
# ## 2. Why: one step, two curvatures
#
# **Math.** Write the bowl in its own axes (the eigenvectors of its Hessian $A$, with
# curvatures $\lambda_1 = 1$ and $\lambda_2 = 25$). Gradient descent treats each axis
# separately: the distance to the minimum along axis $i$ is multiplied by $1 - \eta\lambda_i$
# at every step. So
#
# - it **converges** only if $|1 - \eta\lambda_i| < 1$ for every $i$, that is
#   $\eta < 2/\lambda_{\max}$ (here $2/25 = 0.08$): the steepest direction sets the limit;
# - the slowest direction decides the speed: the best single rate is
#   $\eta^* = 2/(\lambda_{\min}+\lambda_{\max})$, and even then the error shrinks only by
#   $(\kappa-1)/(\kappa+1)$ per step, with $\kappa = \lambda_{\max}/\lambda_{\min}$ the
#   condition number.
#
# **Experiment.** A sweep runs 50 learning rates (`SWEEP_LRS`) in one vectorised call and
# records, for each, whether it diverged and how many steps it needed to get within
# $10^{-8}$ (`TOL`) of the minimum.

# %%
SWEEP_LRS = np.linspace(0.002, 0.1, 50)
TOL, SWEEP_STEPS = 1e-8, 3000

result = sweep(SGD, valley, {"lr": SWEEP_LRS}, steps=SWEEP_STEPS, tol=TOL)
grid_step = SWEEP_LRS[1] - SWEEP_LRS[0]
stable, unstable = SWEEP_LRS[~result.diverged], SWEEP_LRS[result.diverged]
largest_stable = stable.max() if stable.size else np.nan
smallest_unstable = unstable.min() if unstable.size else np.nan
fastest = SWEEP_LRS[np.argmin(np.where(result.steps_to_tol < 0, 10**9, result.steps_to_tol))]
print(f"theory: stable below {valley.critical_lr:.3f}, fastest at {valley.best_lr:.4f}")
print(f"sweep:  largest stable {largest_stable:.3f}, smallest unstable {smallest_unstable:.3f}, "
      f"fastest {fastest:.3f}")
claim(largest_stable <= valley.critical_lr < smallest_unstable
      and abs(fastest - valley.best_lr) <= grid_step,
      f"the sweep finds the boundary at 2/λmax = {valley.critical_lr:.3f} and the fastest rate "
      f"within one grid step ({grid_step:.3f}) of 2/(λmin + λmax) = {valley.best_lr:.4f}",
      measured=f"stable up to {largest_stable:.3f}, unstable from {smallest_unstable:.3f}, "
               f"fastest {fastest:.3f}")
reached_at = result.steps_to_tol[result.steps_to_tol >= 0]
claim(reached_at.size > 0 and reached_at.min() > 100 and reached_at.max() > 1000,
      f"the fastest rate needs over 100 steps to reach loss {TOL:g}, the slowest over 1000",
      measured=f"{reached_at.min() if reached_at.size else None} to "
               f"{reached_at.max() if reached_at.size else None} steps")

# %%
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
reached = np.where(result.steps_to_tol >= 0, result.steps_to_tol, np.nan)
ax.plot(SWEEP_LRS, reached, "o-", color="#0072B2", markersize=4, label="measured (sweep)")
# the slowest direction's factor per step, max over the curvatures of |1 − ηλ|
kappa_rate = np.abs(1 - SWEEP_LRS[:, None] * valley.curvatures[None, :]).max(axis=1)
with np.errstate(divide="ignore"):
    theory = np.log(TOL / valley.value(valley.start)) / (2 * np.log(kappa_rate))
ax.plot(SWEEP_LRS, np.where(kappa_rate < 1, theory, np.nan), "--", color="#D55E00",
        label="theory: log(tol / f0) / (2 log max|1 − ηλ|)")
ax.axvline(valley.critical_lr, color="black", linestyle=":",
           label=f"2 / λmax = {valley.critical_lr:.3g} (diverges beyond)")
ax.set(xlabel="learning rate η", ylabel=f"steps to reach loss {TOL:g}", yscale="log",
       title=f"Gradient descent on the valley: one rate, curvatures "
             f"{', '.join(f'{c:g}' for c in valley.curvatures)}")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The measured counts follow the theory line and the divergence boundary sits where the
# eigenvalues say. Even at the best rate gradient descent needs over a hundred steps on
# this small problem, and over a thousand at the smallest rates; by the formula above,
# the best count grows in proportion to $\kappa$.
#
# **Picture of one step.** At a single step of the converging run, the arrows show the
# negative gradient and the step actually taken. The gradient points mostly *across* the
# valley, so most of each step is spent bouncing between the walls.

# %%
fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
contour(ax, valley)
plot_trajectories(ax, valley, [good], [labels[1]])
plot_step_arrows(ax, good, step=3)
ax.set_title(f"Step 3 of gradient descent (lr = {RATES[1]:g})")
plt.show()

# %% [markdown]
# ## 3. Imbalanced gradients: one rate cannot suit every parameter
#
# Now align the valley with the axes: parameter 1 has curvature 1, parameter 2 has 100
# (`ALIGNED_CURVATURES`). Their gradients differ by a factor of 100 at the same distance
# from the minimum. With one rate we must stay below $2/100$ (we take 95 % of it), and
# parameter 1 crawls. With **one rate per parameter**, $\eta_i = 1/\lambda_i$, both reach
# the minimum in a single step. `alr_teach` optimizers accept an array of rates, one per
# coordinate:

# %%
ALIGNED_CURVATURES = (1.0, 100.0)
SHARED_STEPS = 100

aligned = Quadratic(curvatures=ALIGNED_CURVATURES, start=[1.0, 1.0])
shared_lr = 0.95 * aligned.critical_lr
shared = run(SGD(lr=shared_lr), aligned, steps=SHARED_STEPS)
per_parameter = run(SGD(lr=1 / aligned.curvatures), aligned, steps=1)
print(f"one rate ({shared_lr:.3g}), {SHARED_STEPS} steps: "
      f"x = {np.array2string(shared.points[-1], precision=4)}")
print(f"one rate per parameter, 1 step: loss = {per_parameter.final_loss:.1e}")
claim(shared.points[-1, 0] > 0.1,
      f"with one rate, parameter 1 is still more than 0.1 from its minimum after {SHARED_STEPS} steps",
      measured=f"x1 = {shared.points[-1, 0]:.4f}")
claim(per_parameter.final_loss < 1e-12,
      "with one rate per parameter, 1/λi, one step reaches the minimum (loss below 1e-12)",
      measured=f"loss {per_parameter.final_loss:.1e}")

# %% [markdown]
# That is the whole idea of adaptive learning rates, in its ideal form: scale each
# coordinate's step by the inverse of its curvature. In practice the curvature is unknown,
# so adaptive methods estimate a per-parameter scale from the gradients they see (notebooks
# 03-05). The *effective* rate each coordinate gets (the step taken per unit of gradient)
# makes the difference visible: one flat line for gradient descent, two lines 100× apart
# (the ratio of the curvatures) for Adam after its first steps.

# %%
ADAM_LR, EFFECTIVE_STEPS = 0.05, 60

adam_aligned = run(Adam(lr=ADAM_LR), aligned, steps=EFFECTIVE_STEPS)
fig, (ax_sgd, ax_adam) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained", sharey=True)
plot_effective_lr(ax_sgd, run(SGD(lr=shared_lr), aligned, steps=EFFECTIVE_STEPS), lr=shared_lr)
ax_sgd.set_title("Gradient descent: the same rate for both parameters")
plot_effective_lr(ax_adam, adam_aligned, lr=ADAM_LR)
ax_adam.set_title("Adam: a rate per parameter, from the gradients")
plt.show()
first = adam_aligned.effective_lr[0]
print(f"Adam's first step: effective rates {first[0]:.4f} and {first[1]:.6f} "
      f"(ratio {first[0] / first[1]:.0f})")
claim(np.isclose(first[0] / first[1], aligned.condition_number, rtol=1e-6),
      f"Adam's first effective rates differ by the ratio of the curvatures, "
      f"{aligned.condition_number:g} (to 1e-6)", measured=f"ratio {first[0] / first[1]:.7g}")

# %% [markdown]
# **What per-coordinate scaling cannot fix.** A per-parameter rate rescales the *axes*. When
# the valley is tilted (45° here), the steep and flat directions are mixtures of both
# parameters, and no rescaling of the axes straightens it: for the ideal diagonal scaling
# $\eta_i = 1/A_{ii}$ the condition number stays exactly 100. For a fair race the tilted
# valley starts at the same distances along its steep and flat directions as the aligned
# one: the aligned start $(1, 1)$ turned by 45°, which is $(0, \sqrt 2)$. Measured, for
# three adaptive methods (`RACERS`; steps to reach loss $10^{-6}$, 300 at most):

# %%
RACERS = {"AdaGrad": (AdaGrad, 0.5), "RMSProp": (RMSProp, 0.01), "Adam": (Adam, ADAM_LR)}
RACE_STEPS, RACE_TOL = 300, 1e-6

tilted = Quadratic(curvatures=ALIGNED_CURVATURES, angle=np.pi / 4, start=[0.0, np.sqrt(2.0)])
scaled = np.diag(1 / np.sqrt(np.diag(tilted.A))) @ tilted.A @ np.diag(1 / np.sqrt(np.diag(tilted.A)))
eigenvalues = np.linalg.eigvalsh(scaled)
scaled_condition = eigenvalues.max() / eigenvalues.min()
print(f"tilted valley after ideal diagonal scaling: condition number {scaled_condition:.1f}")
claim(np.isclose(scaled_condition, tilted.condition_number),
      f"ideal diagonal scaling leaves the tilted valley's condition number at "
      f"{tilted.condition_number:g}", measured=f"{scaled_condition:.6g}")
_, directions = np.linalg.eigh(tilted.A)  # columns: the flat and the steep direction
distances = np.abs(directions.T @ tilted.start)
claim(np.allclose(distances, aligned.start),
      "the tilted start lies at the aligned start's distances along the flat and steep "
      f"directions, {aligned.start}", measured=np.array2string(distances, precision=6))


def steps_to(trajectory, tol=RACE_TOL):
    hit = np.flatnonzero(trajectory.losses <= tol)
    return int(hit[0]) if hit.size else None


table = {}
for name, (method, lr) in RACERS.items():
    table[name] = (steps_to(run(method(lr=lr), aligned, steps=RACE_STEPS)),
                   steps_to(run(method(lr=lr), tilted, steps=RACE_STEPS)))
    print(f"{name:8s} aligned: {table[name][0]!s:>5} steps   tilted: {table[name][1]!s:>5} steps")
claim(all(aligned_steps is not None and tilted_steps is None
          for aligned_steps, tilted_steps in table.values()),
      f"every method reaches loss {RACE_TOL:g} on the aligned valley within {RACE_STEPS} steps "
      "and none does on the tilted one", measured=table)

# %% [markdown]
# All three reach the tolerance on the aligned valley and none does on the tilted one, as
# the argument predicts. The start matters for such a race: from $(1, 1)$ the tilted
# valley's error lies entirely along its *flat* direction, the steep one has nothing to
# correct, and the tilted valley looks easy:

# %%
on_flat_direction = Quadratic(curvatures=ALIGNED_CURVATURES, angle=np.pi / 4, start=[1.0, 1.0])
easy = steps_to(run(Adam(lr=ADAM_LR), on_flat_direction, steps=RACE_STEPS))
print(f"Adam from (1, 1) on the tilted valley: {easy} steps (aligned: {table['Adam'][0]})")
claim(easy is not None and table["Adam"][0] is not None and easy < table["Adam"][0],
      "from (1, 1) Adam solves the tilted valley in fewer steps than the aligned one",
      measured=f"{easy} against {table['Adam'][0]}")

# %% [markdown]
# So test a claim about geometry from more than one start: that is what the rest of the
# course does.
#
# ## 4. Real surfaces are not bowls
#
# Away from quadratics, the curvature changes from place to place, not just from direction
# to direction. On Rosenbrock's banana valley, the ratio of the largest to the smallest
# curvature (from the Hessian, by finite differences of the exact gradient):

# %%
banana = Rosenbrock()


def hessian(landscape, point, h=1e-5):
    columns = []
    for i in range(landscape.dim):
        e = np.zeros(landscape.dim)
        e[i] = h
        columns.append((landscape.grad(point + e) - landscape.grad(point - e)) / (2 * h))
    return np.array(columns).T


conditions = {}
for name, point in [("start (-1.5, 2)", banana.start), ("origin (0, 0)", np.zeros(2)),
                    ("minimum (1, 1)", banana.minima[0])]:
    curvatures = np.linalg.eigvalsh(hessian(banana, point))
    conditions[name] = curvatures.max() / curvatures.min()
    print(f"at the {name:16s} curvatures {curvatures[0]:8.2f} and {curvatures[1]:8.1f}: "
          f"condition number {conditions[name]:6.0f}")
at_minimum, at_origin = conditions["minimum (1, 1)"], conditions["origin (0, 0)"]
claim(2000 < at_minimum < 3000 and at_minimum > 10 * at_origin,
      "the condition number at the minimum lies between 2000 and 3000, over 10 times the "
      "origin's", measured=f"{at_minimum:.0f} at the minimum, {at_origin:.0f} at the origin")

# %%
BANANA_OPTIMIZERS = [SGD(lr=1e-3), Adam(lr=ADAM_LR)]
BANANA_STEPS = 300

banana_runs = [run(opt, banana, steps=BANANA_STEPS) for opt in BANANA_OPTIMIZERS]
banana_labels = [label_for(opt) for opt in BANANA_OPTIMIZERS]
fig = plt.figure(figsize=(12, 5), layout="constrained")
ax3d = fig.add_subplot(1, 2, 1, projection="3d")
surface_3d(ax3d, banana, trajectories=banana_runs, labels=banana_labels)
ax_map = fig.add_subplot(1, 2, 2)
contour(ax_map, banana)
plot_trajectories(ax_map, banana, banana_runs, banana_labels)
plt.show()

# %% [markdown]
# A fixed rate that is safe on the steep walls is far too small along the floor: at the
# minimum the flat direction's curvature is about 2500 times smaller than the steep one's.
#
# Non-convex surfaces also have several minima. Which one gradient descent finds depends on
# where it starts. Twenty-five start points (a 5 × 5 grid, `GRID_SIDE`) over Himmelblau's
# function, run as one batch:

# %%
GRID_SIDE, HIMMELBLAU_LR, HIMMELBLAU_STEPS = 5, 0.01, 500

himmelblau = Himmelblau()
side = np.linspace(-4, 4, GRID_SIDE)
grid = np.stack(np.meshgrid(side, side), axis=-1)
batch = run(SGD(lr=HIMMELBLAU_LR), himmelblau, grid.reshape(-1, 2), steps=HIMMELBLAU_STEPS)
ends = batch.points[-1]
nearest = np.linalg.norm(ends[:, None, :] - himmelblau.minima[None], axis=-1).argmin(axis=1)
counts = np.bincount(nearest, minlength=len(himmelblau.minima))
for minimum, count in zip(himmelblau.minima, counts):
    print(f"minimum at ({minimum[0]:6.3f}, {minimum[1]:6.3f}): reached from {count} starts")
end_losses = himmelblau.value(ends)
claim(np.all(counts > 0) and np.all(np.abs(end_losses) < 1e-12),
      f"every one of the {len(counts)} minima is reached from some start, and every run ends "
      "at a minimum (loss below 1e-12)",
      measured=f"starts per minimum {counts.tolist()}, largest final loss {np.nanmax(end_losses):.1e}")

# %% [markdown]
# ## 5. The hiker: long strides on flat ground, small steps near the drop
#
# A surface with a nearly flat plateau (slope 0.001) that ends in a steep cliff, then a
# bowl. A hiker who uses one stride length must choose: a stride that crosses the plateau in
# reasonable time is dangerous at the edge. Gradient descent's stride *is* proportional to
# the slope, which is the worst of both: tiny on the plateau, huge at the cliff.

# %%
HIKER_SGD_LR, HIKER_ADAM_LR, HIKER_STEPS = 5.0, 0.05, 400
PLATEAU_STEPS = 200  # gradient descent is still on the plateau for these first steps

cliff = PlateauCliff()
hikers = [SGD(lr=HIKER_SGD_LR), Adam(lr=HIKER_ADAM_LR)]
hiker_runs = [run(opt, cliff, steps=HIKER_STEPS) for opt in hikers]
hiker_labels = [label_for(opt) for opt in hikers]
sgd_run, adam_run = hiker_runs
sgd_steps = np.abs(np.diff(sgd_run.points[:, 0]))
adam_steps = np.linalg.norm(np.diff(adam_run.points, axis=0), axis=-1)
crawl = HIKER_SGD_LR * cliff.slope  # lr × slope
print(f"gradient descent: plateau steps {sgd_steps[:PLATEAU_STEPS].mean():.4f}, "
      f"largest step {np.nanmax(sgd_steps):.1f} (at step {np.nanargmax(sgd_steps) + 1}), "
      f"final loss {sgd_run.final_loss:.3f} (started at {sgd_run.losses[0]:.3f})")
print(f"Adam:             plateau steps {adam_steps[:10].mean():.4f}, "
      f"largest step {np.nanmax(adam_steps):.3f}, "
      f"final loss − minimum {adam_run.final_loss - cliff.min_value:.1e}")
claim(np.allclose(sgd_steps[:PLATEAU_STEPS], crawl, rtol=0.05)
      and np.nanmax(sgd_steps) > 10 and sgd_run.final_loss > sgd_run.losses[0],
      f"gradient descent crawls at lr × slope = {crawl:g} per step (within 5 %) for "
      f"{PLATEAU_STEPS} steps, then a step longer than 10 flings it above its starting loss",
      measured=f"plateau steps {sgd_steps[:PLATEAU_STEPS].min():.4f} to "
               f"{sgd_steps[:PLATEAU_STEPS].max():.4f}, largest {np.nanmax(sgd_steps):.1f}, "
               f"final loss {sgd_run.final_loss:.3f}")
claim(np.nanmax(adam_steps) < 1.5 * HIKER_ADAM_LR
      and adam_run.final_loss - cliff.min_value < 1e-4,
      f"Adam's steps stay below 1.5 η = {1.5 * HIKER_ADAM_LR:g} and it ends within 1e-4 of "
      "the minimum", measured=f"largest step {np.nanmax(adam_steps):.3f}, "
                              f"final loss − minimum {adam_run.final_loss - cliff.min_value:.1e}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained")
contour(axes[0], cliff)
plot_trajectories(axes[0], cliff, hiker_runs, hiker_labels, legend_loc="lower left")
along_x = Trajectory(adam_run.points[..., :1], adam_run.losses, adam_run.grads[..., :1],
                     adam_run.diverged_at)  # the x coordinate only: the one that meets the cliff
plot_effective_lr(axes[1], along_x, names=("x",), lr=HIKER_ADAM_LR)
axes[1].set_title("Adam's effective rate: large on the plateau, small at the cliff")
plot_moments(axes[2], adam_run, coordinate=0, steps=HIKER_STEPS)
axes[2].set_title("Adam's memory of the slope (v) jumps at the cliff")
plt.show()

# %% [markdown]
# Adam keeps a running average of squared gradients, $v$: its memory of how steep the
# ground has been. On the plateau $v$ is tiny, so the effective rate $\eta/\sqrt{v}$ is
# large (about $0.05 / 0.001 = 50$, ten times gradient descent's 5); at the cliff $v$
# jumps and the stride shrinks. The step stays close to $\eta$ everywhere. That is the
# hiker who remembers which slopes were steep.

# %%
effective = np.nanmedian(adam_run.effective_lr[:20, 0])  # its first 20 steps
expected = HIKER_ADAM_LR / cliff.slope
print(f"Adam's effective rate on the plateau: {effective:.1f}")
claim(abs(effective - expected) < 0.1 * expected,
      f"Adam's effective rate on the plateau is η / slope = {expected:g}, to 10 %",
      measured=f"{effective:.1f}")

# %% [markdown]
# ## 6. Two hyperparameters at once: a sweep heatmap
#
# Momentum (notebook 02) changes the stability limit. For gradient descent with heavy-ball
# momentum $\mu$ on a quadratic, the theory says it converges if and only if
# $\eta\lambda_{\max} < 2(1+\mu)$. On the valley of section 1, a 48 × 40 sweep of
# (learning rate, momentum), 1920 runs in one vectorised call, with that line on top:

# %%
HEATMAP_LRS = np.logspace(-3, np.log10(0.5), 48)
HEATMAP_MOMENTA = np.linspace(0.0, 0.95, 40)
HEATMAP_STEPS = 300
MARGIN = 0.02  # judge only the cells more than 2 % away from the theory line

lambda_max = valley.curvatures.max()
grid_result = sweep(SGD, valley, {"lr": HEATMAP_LRS, "momentum": HEATMAP_MOMENTA},
                    steps=HEATMAP_STEPS)
fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
plot_sweep(ax, grid_result)
momenta = grid_result.values[1]
ax.plot(2 * (1 + momenta) / lambda_max, momenta, color="#D55E00", linestyle="--", linewidth=2,
        label=f"theory: η = 2(1 + μ) / λmax, λmax = {lambda_max:g}")
ax.legend(loc="lower left", fontsize=8)
plt.show()

# %%
lr_axis, mu_axis = grid_result.values
limit = 2 * (1 + mu_axis[None, :]) / lambda_max
unstable_by_theory = lr_axis[:, None] > limit * (1 + MARGIN)
stable_by_theory = lr_axis[:, None] < limit * (1 - MARGIN)
agree = (grid_result.diverged == unstable_by_theory)[unstable_by_theory | stable_by_theory]
print(f"{agree.size} cells away from the theory line; the sweep agrees with it on "
      f"{agree.mean():.1%}")
claim(agree.all(), f"every cell more than {MARGIN:.0%} away from the theory line diverges "
      "exactly when the theory says", measured=f"{(~agree).sum()} of {agree.size} disagree")

# %% [markdown]
# Every cell more than 2 % away from the line behaves as the theory says.
#
# ## 7. Explore
#
# The explorer races six optimizers on a landscape of your choice. Each learning rate has
# its own slider (log scale), and the shared settings ($\mu$, $\alpha$, $\beta_1$,
# $\beta_2$, $\rho$, $\epsilon$, steps) apply to the methods that use them; without the
# sliders, `explorer.update(...)` in a new cell does the same. Things to try: find the
# largest SGD rate that survives Rosenbrock (raise `lr_SGD` from 1e-3: 2e-3, 3e-3, ...);
# switch to "plateau cliff" (`landscape="plateau cliff"`) and compare SGD with Adam; on
# "ill-conditioned quadratic", set every method's rate so it converges in under 100 steps
# (`steps=100`, then one `lr_<name>` per method).

# %%
# NBVAL_IGNORE_OUTPUT
explorer = OptimizerExplorer(landscape="rosenbrock", steps=300)
explorer.widget()

# %% [markdown]
# The static version of the explorer's default view (what the saved notebook and the
# handouts show):

# %%
explorer.static_figure()
plt.show()
explorer_runs = explorer.runs()
explorer_labels = [label_for(opt) for opt in explorer.optimizers.values()]
for name, trajectory in explorer_runs.items():
    ending = (f"diverged at step {trajectory.diverged_at}" if trajectory.diverged
              else f"loss after {explorer.settings['steps']} steps: {trajectory.final_loss:.3e}")
    print(f"{name:9s} {ending}")

# %% [markdown]
# And the race as an animation (it plays in the HTML handout too):

# %%
# NBVAL_IGNORE_OUTPUT
# (the animation's HTML carries random element ids, so its text differs on every run)
race = animate_race(explorer.landscape, list(explorer_runs.values()), explorer_labels,
                    frames=16, dpi=55)
with plt.rc_context({"animation.frame_format": "jpeg"}):  # JPEG frames: a small notebook
    race_html = race.to_jshtml()
HTML(race_html)

# %% [markdown]
# ## Summary
#
# - Gradient descent on a quadratic converges only for $\eta < 2/\lambda_{\max}$; the flat
#   directions then shrink by at most $(\kappa-1)/(\kappa+1)$ per step.
# - Parameters with different gradient scales need different rates; one rate per
#   parameter, $1/\lambda_i$, solves an axis-aligned valley in one step, but no
#   per-parameter scaling straightens a tilted one.
# - Curvature changes across a non-convex surface, and the minimum you reach depends on
#   where you start.
# - Adaptive methods estimate a per-parameter scale from the gradients: long strides on
#   flat ground, short ones at the cliff.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
# **Predict, then run:** on the valley of section 1, what is the largest stable rate
# if the steep curvature is 50 instead of 25? Set `CURVATURES = (1.0, 50.0)` at the top of
# section 1, rerun the notebook and read the sweep of section 2.
#
# **Previous:** [00 · Start here](00_start_here.ipynb).
# **Next:** [02 · Momentum and Nesterov](02_momentum.ipynb).
#
# **Further reading:** Goh, *Why Momentum Really Works*, Distill (2017), for the quadratic
# analysis; Nocedal & Wright, *Numerical Optimization* (2006), chapter 3.
