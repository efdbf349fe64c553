# %% [markdown]
# # Exercises 01 · A fixed learning rate
#
# **Goal.** Gradient descent multiplies the gradient by one number, the learning rate
# $\eta$, and steps. In these exercises you write that step yourself, predict from the
# curvatures $\lambda_i$ of a quadratic which rates converge and how fast, watch one rate
# per parameter solve an axis-aligned valley and fail on a tilted one, and end by writing
# a rule that learns a rate per parameter from the gradients alone: the idea the rest of
# the course builds on.
#
# Course notebook: [01 · A fixed learning rate](../notebooks/01_fixed_learning_rate.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 40 minutes.

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, Optimizer, checks
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep
from alr_teach.problems.landscapes import Quadratic, Rosenbrock
from alr_teach.viz.explorers.eigen import eigen_errors
from alr_teach.viz.surface_plots import contour, label_for, plot_losses, plot_trajectories

rng = np.random.default_rng(101)  # seeded: every number below is reproducible


def steps_to(trajectory, tol=1e-6):
    """First step at which the loss is at most tol (None if never)."""
    hit = np.flatnonzero(trajectory.losses <= tol)
    return int(hit[0]) if hit.size else None


# %% [markdown]
# ## 1. Implement it: one step of gradient descent
#
# Write `gd_step(x, grad, lr)`: given the parameters $x_{t-1}$, the gradient $g_t$ and the
# learning rate $\eta$, return $x_t = x_{t-1} - \eta\, g_t$. It must work for numpy arrays
# and for plain numbers, and must not change `x` in place.

# %%
def gd_step(x, grad, lr):
    """One gradient-descent step: the new parameters x - lr * grad."""
    ### BEGIN SOLUTION
    return x - lr * grad
    ### END SOLUTION


# %%
checks.check_gd_step(gd_step)

# %% [markdown]
# ## 2. Implement it: a run, step by step
#
# The valley of the course notebook: curvatures 1 and 25, turned by 30°. Starting at
# `valley.start`, apply your `gd_step` 100 times with $\eta = 0.07$ and the gradient
# `valley.grad(x)`, and keep every point: `my_points` should be an array of shape
# (101, 2), the start first. The checker compares it with `alr_teach.SGD` run by the
# course's runner.

# %%
valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
my_points = None  # replace None with your 101 points
### BEGIN SOLUTION
x = valley.start
my_points = [x]
for _ in range(100):
    x = gd_step(x, valley.grad(x), lr=0.07)
    my_points.append(x)
my_points = np.array(my_points)
### END SOLUTION

# %%
reference = run(SGD(lr=0.07), valley, steps=100)
checks.check_value("gd_loop", my_points, reference.points, rtol=1e-12,
                   hint="start from valley.start, append the point after every step, and "
                        "use valley.grad at the current point")

# %% [markdown]
# ## 3. Predict, then run: the largest stable rate
#
# Make the valley steeper across: curvatures 1 and **50** (same angle and start). Above
# which learning rate does gradient descent diverge? Write your prediction as a number
# *before* running the sweep below.

# %%
predicted_critical_lr = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
predicted_critical_lr = 2 / 50  # eta < 2 / lambda_max: the steepest direction sets the limit
### END SOLUTION

# %% [markdown]
# The experiment: 20 rates in one vectorised sweep, 500 steps each, and three runs drawn
# on the contours: one rate well inside the stable range, one just below the boundary
# the sweep finds, one just above it.

# %%
steep = Quadratic(curvatures=[1.0, 50.0], angle=np.pi / 6, start=[1.5, 1.0])
lrs = np.linspace(0.0025, 0.0595, 20)
result = sweep(SGD, steep, {"lr": lrs}, steps=500)
largest_stable, smallest_unstable = lrs[~result.diverged].max(), lrs[result.diverged].min()
print(f"sweep: largest stable rate {largest_stable:.4f}, smallest unstable {smallest_unstable:.4f}")
assert largest_stable < steep.critical_lr < smallest_unstable

shown = [0.02, largest_stable, smallest_unstable]
runs = [run(SGD(lr=lr), steep, steps=60) for lr in shown]
labels = [label_for(SGD(lr=round(lr, 4))) for lr in shown]
fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
contour(ax_map, steep)
plot_trajectories(ax_map, steep, runs, labels)
plot_losses(ax_loss, runs, labels)
ax_loss.set_title("Just below the limit the zig-zag barely shrinks; just above, it grows")
plt.show()

# %%
checks.check_value("critical_lr", predicted_critical_lr, steep.critical_lr, rtol=1e-3,
                   hint="along eigendirection i the error is multiplied by 1 - lr * lambda_i "
                        "each step; when does that exceed 1 in size?")

# %% [markdown]
# **Explain** in two or three sentences why the limit depends on the steep curvature only.
#
# ### BEGIN SOLUTION
# In the eigenvector axes every direction evolves on its own: its error is multiplied by
# $1 - \eta\lambda_i$ per step. It shrinks only if $|1 - \eta\lambda_i| < 1$, i.e.
# $\eta < 2/\lambda_i$, and the smallest of these bounds belongs to the largest curvature:
# $\eta < 2/\lambda_{\max} = 0.04$. The flat direction would tolerate a rate 50 times
# larger, but one shared rate must satisfy the steepest direction. Just below the limit
# the steep direction's factor is close to $-1$: it flips sign and hardly shrinks, the
# zig-zag in the figure.
# ### END SOLUTION

# %% [markdown]
# ## 4. Predict, then run: how fast at the best rate?
#
# The best single rate for this valley is $\eta^* = 2/(\lambda_{\min} + \lambda_{\max})$.
# At that rate, by what factor does the error along the **flat** eigendirection shrink at
# each step? Predict it as a number from the curvatures (a formula of the course
# notebook, section 2), then run.

# %%
predicted_flat_factor = None  # replace None with your prediction (a number below 1)
### BEGIN SOLUTION
kappa = 50.0
predicted_flat_factor = (kappa - 1) / (kappa + 1)  # = 1 - eta* lambda_min = 49/51
### END SOLUTION

# %%
best = run(SGD(lr=steep.best_lr), steep, steps=400)
errors = eigen_errors(steep, best.points)          # (steps + 1, 2): error per eigendirection
measured_factor = float(np.median(errors[1:21, 0] / errors[:20, 0]))
print(f"best rate {steep.best_lr:.4f}: flat-direction error shrinks by {measured_factor:.4f} "
      f"per step; loss 1e-8 reached after {steps_to(best, 1e-8)} steps")
checks.check_value("flat_factor", predicted_flat_factor, measured_factor, rtol=1e-3,
                   hint="at eta* the factors are 1 - eta* lambda_min and 1 - eta* lambda_max; "
                        "write them with the condition number kappa = 50")

# %% [markdown]
# ## 5. Explore and explain: one rate per parameter
#
# Now the valley is aligned with the axes: parameter 1 has curvature 1, parameter 2 has
# 100. `alr_teach` optimizers accept an array of rates, one per coordinate. Choose
# `per_parameter_lr` (two numbers) so that `SGD(lr=per_parameter_lr)` reaches a loss of
# at most $10^{-6}$ within **5 steps**, where the best single rate needs over 400.

# %%
aligned = Quadratic(curvatures=[1.0, 100.0], start=[1.5, 1.0])
per_parameter_lr = None  # replace None with an array of two rates
### BEGIN SOLUTION
per_parameter_lr = 1 / aligned.curvatures  # eta_i = 1 / lambda_i: each coordinate in one step
### END SOLUTION

# %%
single = steps_to(run(SGD(lr=aligned.best_lr), aligned, steps=1000))
print(f"best single rate {aligned.best_lr:.4f}: loss 1e-6 after {single} steps")
if per_parameter_lr is None:
    loss_after_5 = None
    print("Set per_parameter_lr in the cell above first.")
else:
    loss_after_5 = float(run(SGD(lr=np.asarray(per_parameter_lr)), aligned, steps=5).final_loss)
    print(f"your rates: loss after 5 steps {loss_after_5:.2e}")
checks.check_value("per_parameter_lr", loss_after_5, 0.0, atol=1e-6,
                   hint="along coordinate i the error is multiplied by 1 - lr_i * lambda_i")

# %% [markdown]
# Turn a knob: tilt the same valley by a growing angle, and give each coordinate the
# "ideal" rate $1/A_{ii}$ from the diagonal of its Hessian $A$ (for the aligned valley
# these are exactly $1/\lambda_i$). Steps to a loss of $10^{-6}$, against the best single
# rate:

# %%
tilt_table = {}
for degrees in (0, 10, 20, 30, 45):
    tilted = Quadratic(curvatures=[1.0, 100.0], angle=np.radians(degrees), start=[1.5, 1.0])
    diagonal_rates = 1 / np.diag(tilted.A)
    tilt_table[degrees] = (steps_to(run(SGD(lr=diagonal_rates), tilted, steps=1000)),
                           steps_to(run(SGD(lr=tilted.best_lr), tilted, steps=1000)))
    print(f"tilted {degrees:2d}°: rates 1/A_ii = {np.array2string(diagonal_rates, precision=4)}"
          f" -> {tilt_table[degrees][0]!s:>4} steps; best single rate {tilt_table[degrees][1]}")
assert tilt_table[0][0] == 1 and tilt_table[45][0] == tilt_table[45][1]
assert all(tilt_table[a][0] < tilt_table[b][0] for a, b in [(0, 10), (10, 20), (20, 30), (30, 45)])

# %% [markdown]
# **Explain** why the per-parameter rates help less and less as the valley turns, and
# why at 45° they are no better than one shared rate.
#
# ### BEGIN SOLUTION
# A rate per coordinate rescales the *axes*. When the valley is aligned, the axes are the
# eigendirections, and $\eta_i = 1/\lambda_i$ removes the difference in curvature
# entirely: one step. When it is tilted, each coordinate mixes the steep and the flat
# direction, so no rescaling of the axes makes the bowl round; the diagonal of $A$ then
# averages the two curvatures, and the steep direction still limits the rate. At 45° both
# diagonal entries are equal, $1/A_{11} = 1/A_{22}$, so the "per-parameter" rates are one
# shared rate (here it happens to be the best single rate, $2/(\lambda_{\min} +
# \lambda_{\max})$), and the steps are the same. Per-coordinate methods (AdaGrad, RMSProp,
# Adam) share this limit.
# ### END SOLUTION

# %% [markdown]
# ## 6. Explore and explain: one rate on Rosenbrock
#
# Turn the learning rate of gradient descent on Rosenbrock's banana valley (start
# $(-1.5, 2)$, minimum $(1, 1)$), 3000 steps each, in one sweep:

# %%
banana = Rosenbrock()
banana_lrs = np.array([1e-4, 3e-4, 1e-3, 2e-3, 3e-3])
banana_sweep = sweep(SGD, banana, {"lr": banana_lrs}, steps=3000)
for lr, loss, at in zip(banana_lrs, banana_sweep.final_loss, banana_sweep.diverged_at):
    ending = f"diverged at step {at}" if at >= 0 else f"loss {loss:.2e} after 3000 steps"
    print(f"lr = {lr:.0e}: {ending}")
assert banana_sweep.diverged[-1] and not banana_sweep.diverged[:-1].any()
assert np.all(np.diff(banana_sweep.final_loss[:-1]) < 0)  # the largest stable rate does best

# %% [markdown]
# **Explain** the pattern: why does every stable rate leave the loss far from 0 except
# the largest, and why does a rate only 1.5 times larger blow up within a few steps?
#
# ### BEGIN SOLUTION
# On Rosenbrock the curvature changes from place to place and from direction to
# direction. Across the valley, and near the start, the surface is very steep: a rate
# must stay below about $2/\lambda_{\max}$ there or the first steps overshoot and grow,
# which is what happens at $3\cdot 10^{-3}$ within four steps. Along the curved floor the
# curvature is thousands of times smaller (course notebook, section 4), so a rate that is
# safe on the walls crawls along the floor: the loss keeps falling the larger the rate,
# right up to the edge of stability. The best fixed rate is therefore the largest one
# that survives, and even it is slow. One rate cannot suit both the steep and the flat
# directions: the motivation for per-parameter rates.
# ### END SOLUTION

# %% [markdown]
# ## 7. Open challenge: learn a rate per parameter from the gradients
#
# Section 5 needed the curvatures to set $\eta_i = 1/\lambda_i$. An optimizer only sees
# gradients. Write your own optimizer, a subclass of `alr_teach.Optimizer` (see
# `help(Optimizer)`: give `__init__`, `init_state` and `update`), that keeps a **rate per
# coordinate** and adjusts it from the gradients alone, and that reaches a loss of
# $10^{-6}$ on the aligned valley of section 5 in fewer steps than gradient descent at
# its best single rate. Then try it on the tilted (45°) valley and on Rosenbrock, and
# say honestly what happens.

# %%
### BEGIN SOLUTION
class SignAgreement(Optimizer):
    """A rate per coordinate: times `up` while the gradient keeps its sign, times `down`
    when it flips (an overshoot), unchanged when either gradient is 0."""

    def __init__(self, lr=0.01, up=1.2, down=0.5):
        super().__init__(lr=lr, up=up, down=down)

    def init_state(self, x, h):
        return {"rate": np.zeros_like(x) + h.lr, "previous": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        agree = g * s.previous
        s.rate = np.where(agree > 0, s.rate * h.up, np.where(agree < 0, s.rate * h.down, s.rate))
        s.previous = g
        return x - s.rate * g


challenge = {}
for name, landscape, lr_single in [
    ("aligned valley", aligned, aligned.best_lr),
    ("tilted 45°", Quadratic(curvatures=[1.0, 100.0], angle=np.pi / 4, start=[1.5, 1.0]),
     2 / 101),
    ("rosenbrock", banana, 2e-3),
]:
    ours = run(SignAgreement(lr=0.005), landscape, steps=1000)
    theirs = run(SGD(lr=lr_single), landscape, steps=1000)
    challenge[name] = (steps_to(ours), steps_to(theirs), ours.diverged)
    print(f"{name:14s} loss 1e-6 after: SignAgreement(lr=0.005) {steps_to(ours)!s:>4} steps, "
          f"gradient descent (lr {lr_single:.4f}) {steps_to(theirs)!s:>4} steps; final losses "
          f"{ours.final_loss:.1e} and {theirs.final_loss:.1e}")
ours_aligned, theirs_aligned, _ = challenge["aligned valley"]
assert ours_aligned < theirs_aligned / 10
ours_tilted, theirs_tilted, _ = challenge["tilted 45°"]
assert theirs_tilted / 2 < ours_tilted < theirs_tilted      # faster, but by far less
assert challenge["rosenbrock"][:2] == (None, None) and not challenge["rosenbrock"][2]
assert ours.final_loss > 10 * theirs.final_loss           # Rosenbrock (the last pair run)
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer.** `SignAgreement` grows a coordinate's rate by 20 % while its
# gradient keeps pointing the same way (the step was too timid) and halves it when the
# gradient flips sign (the step overshot the minimum along that coordinate). On the
# aligned valley the flat coordinate's rate grows and the steep one's shrinks, and it
# needs over ten times fewer steps than the best single rate. It estimates a
# per-coordinate scale from the gradients alone, like the adaptive methods to come.
#
# Honestly reported: on the 45° valley it is faster than gradient descent, but by far
# less (a sign flip in one coordinate now also comes from the other direction, so the
# per-coordinate signal is muddled); on Rosenbrock neither reaches $10^{-6}$ in 1000
# steps, and it ends more than ten times *higher* than gradient descent at its largest
# stable rate. Its relatives in the literature (delta-bar-delta, Rprop) add safeguards;
# AdaGrad, RMSProp and Adam take a steadier route and divide by a running size of the
# gradients (notebooks 03-05).
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["gd_step", "gd_loop", "critical_lr", "flat_factor", "per_parameter_lr"])
