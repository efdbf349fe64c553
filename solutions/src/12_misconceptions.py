# %% [markdown]
# # Exercises 12 · Six misconceptions, tested
#
# **Goal.** The course notebook gave six pieces of folklore a fair test each. In these
# exercises you rebuild the tools behind three verdicts and probe the others: you write
# the random-probe estimate of sharpness and the solution gradient descent finds on
# the memorisation task, predict which basin gradient descent and Adam end in at a
# large rate, what batch normalisation does to the first step and how high Adam's
# noise floor is, and end by making Adam find the flat basin at its default rate.
#
# Course notebook: [12 · Six misconceptions](../notebooks/12_misconceptions.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 60 minutes.

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, Adam, RMSProp, Scheduled, checks
from alr_teach.lab.runner import run
from alr_teach.lessons.misconceptions import (
    SharpFlat,
    accuracy,
    fit_least_squares,
    memorisation_task,
    settle,
)
from alr_teach.optimizers.schedules import cosine
from alr_teach.problems import mlp
from alr_teach.problems.landscapes import Noisy, Quadratic
from alr_teach.viz.plots import style

rng = np.random.default_rng(112)  # seeded: every number below is reproducible
loss = SharpFlat()  # the sharp basin near x = -1, the flat one near x = 1 (course §6)


# %% [markdown]
# ## 1. Implement it: sharpness from random probes
#
# Section 6 measured sharpness as the mean curvature $\mathrm{tr}(H)/n$ without ever
# forming the Hessian $H$. For a vector $r$ of random $\pm 1$ entries,
# $E[r^\top H r] = \mathrm{tr}(H)$ (Hutchinson's estimator), and $Hr$ is a difference of
# two gradients: $Hr \approx \big(\nabla f(x + hr) - \nabla f(x - hr)\big)/(2h)$. Write
# `trace_estimate(grad, x, probes, h)`: `grad` maps a point of shape (n,) to its gradient,
# `probes` has shape (k, n); return the mean over the $k$ probes of
# $r^\top\big(\nabla f(x + hr) - \nabla f(x - hr)\big)/(2h)$, one number.

# %%
def trace_estimate(grad, x, probes, h):
    """Hutchinson's estimate of tr(H) at x from the probes (k, n), by central differences."""
    ### BEGIN SOLUTION
    total = 0.0
    for r in probes:
        total += np.dot(r, grad(x + h * r) - grad(x - h * r)) / (2 * h)
    return total / len(probes)
    ### END SOLUTION


# %% [markdown]
# The check: a tilted valley (curvatures 1 and 25, turned by 30°) with 8 probes, and a
# random 6-dimensional bowl with 5 probes, where the expected value is the mean of
# $r^\top H r$ over the same probes; and the two minima of the sharp/flat loss, where in
# one dimension the probes $\pm 1$ give the curvature itself.

# %%
valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
M = rng.standard_normal((6, 6))
M = M + M.T  # a symmetric "Hessian"
probes2, probes6 = rng.choice([-1.0, 1.0], size=(8, 2)), rng.choice([-1.0, 1.0], size=(5, 6))
trace_cases = [(valley.grad, valley.start, probes2, 1e-4),
               (lambda v: v @ M, np.ones(6), probes6, 1e-4),
               (loss.grad, loss.local_minima[0], np.array([[1.0], [-1.0]]), 1e-4),
               (loss.grad, loss.local_minima[1], np.array([[1.0]]), 1e-4)]
expected_traces = [np.mean(np.einsum("ki,ij,kj->k", probes2, valley.A, probes2)),
                   np.mean(np.einsum("ki,ij,kj->k", probes6, M, probes6)), *loss.curvatures]
checks.check_value("trace_estimate", checks.outputs(trace_estimate, trace_cases), expected_traces,
                   rtol=1e-6, hint="for each probe r: r @ (grad(x + h*r) - grad(x - h*r)) / (2*h);"
                                   " then the mean over the probes (not the sum)")

# %% [markdown]
# If it passes: how precise is one estimate? On a random 50-dimensional bowl, 20
# independent estimates for each number of probes $k$: their spread against the theory
# for $\pm 1$ probes, $\mathrm{sd} = \sqrt{2\sum_{i \ne j} H_{ij}^2 / k}$ (the diagonal
# contributes nothing, since $r_i^2 = 1$ always).

# %%
if checks.passed("trace_estimate"):
    draws = np.random.default_rng(1)  # its own generator: the cells below do not depend on it
    H = draws.standard_normal((50, 50)) / 10
    H = H + H.T
    theory = np.sqrt(2 * (np.sum(H**2) - np.sum(np.diag(H) ** 2)))
    for k in (4, 16, 64, 256):
        estimates = [trace_estimate(lambda v: v @ H, np.zeros(50),
                                    draws.choice([-1.0, 1.0], size=(k, 50)), 1e-3)
                     for _ in range(20)]
        spread = np.std(estimates)
        print(f"k = {k:3d} probes: mean {np.mean(estimates):6.2f} (exact tr(H) "
              f"{np.trace(H):.2f}), spread {spread:.2f}, theory {theory / np.sqrt(k):.2f}")
        assert 0.5 < spread / (theory / np.sqrt(k)) < 1.5
else:
    print("Finish exercise 1 first: trace_estimate must pass its check.")

# %% [markdown]
# ## 2. Predict, then run: which basin at $\eta = 0.2$?
#
# Forty starts spread over the sharp basin's side of the ridge (from $-2.4$ to just left
# of the ridge at $-0.64$), 800 steps at $\eta = 0.2$, once with plain gradient descent
# and once with Adam (defaults otherwise). The curvatures are about 100 (sharp) and 4
# (flat). What share of the runs ends in the **flat** basin, for each? Predict
# `[share for SGD, share for Adam]`.

# %%
predicted_flat_shares = None  # replace None with [SGD's share, Adam's share]
### BEGIN SOLUTION
# 2 / 100 = 0.02 < 0.2 < 2 / 4 = 0.5: no gradient-descent run can rest in the sharp basin,
# the flat one holds them all; Adam's step is about eta = 0.2 whatever the curvature, less
# than the 0.36 from the sharp minimum to the ridge, so it stays where it started
predicted_flat_shares = [1.0, 0.0]
### END SOLUTION

# %%
sharp_starts = np.linspace(-2.4, loss.barrier - 0.05, 40)
ends = {name: settle(opt, loss, sharp_starts[:, None], steps=800)
        for name, opt in (("SGD", SGD(lr=0.2)), ("Adam", Adam(lr=0.2)))}
for name, e in ends.items():
    print(f"{name:4s} at η = 0.2: {e.flat.mean():.0%} of the runs end in the flat basin; "
          f"largest last step {e.last_move.max():.1e}")
to_ridge = loss.barrier - loss.local_minima[0, 0]
print(f"2/λ: sharp basin {loss.stability_limits[0]:.3f}, flat basin "
      f"{loss.stability_limits[1]:.3f}; sharp minimum to ridge {to_ridge:.2f}")
checks.check_value("flat_shares", predicted_flat_shares,
                   [ends["SGD"].flat.mean(), ends["Adam"].flat.mean()], atol=0.05,
                   hint="gradient descent can rest only where η < 2/λ; Adam's step is about η "
                        "long whatever the curvature: compare η with the distance to the ridge")

# %% [markdown]
# **Explain** what Adam's largest last step says about *how* it stays in the sharp basin.
#
# ### BEGIN SOLUTION
# Adam does not come to rest: its last step is about $10^{-2}$, so it keeps bouncing
# inside the sharp well. Its normalised step stays near $\eta$ times $\hat m/\sqrt{\hat v}$,
# and in a bounce the gradient flips sign, so $\hat m$ averages towards 0 while
# $\sqrt{\hat v}$ stays large: the steps shrink to a fraction of $\eta$ but never grow
# beyond the well. Gradient descent's step is $\eta$ times the gradient, so in a well
# curved more than $2/\eta$ each bounce is larger than the last until it is thrown over
# the ridge; in the flat well ($\eta\lambda = 0.8 < 2$) it settles (last step 0). That is
# the filter of section 6: large-rate gradient descent cannot stay in sharp basins, Adam
# can.
# ### END SOLUTION

# %% [markdown]
# ## 3. Explore and explain: how large a shift?
#
# The held-out loss is the training loss shifted by $\delta$. At the bottom of a basin of
# curvature $\lambda$ a shift costs about $\lambda\delta^2/2$. For several shifts: the
# measured rise at each minimum, and its ratio to that estimate.

# %%
rise = {}
for delta in (0.01, 0.03, 0.1, 0.3, 1.0):
    rise[delta] = loss.shifted(delta).value(loss.local_minima) - loss.value(loss.local_minima)
    estimate = loss.curvatures * delta**2 / 2
    print(f"δ = {delta:4}: rise sharp {rise[delta][0]:.4f}, flat {rise[delta][1]:.4f} "
          f"(sharp / flat {rise[delta][0] / rise[delta][1]:5.1f}); measured / λδ²/2: "
          f"sharp {rise[delta][0] / estimate[0]:.2f}, flat {rise[delta][1] / estimate[1]:.2f}")
assert rise[0.01][0] / rise[0.01][1] > 20 and rise[1.0][0] / rise[1.0][1] < 2

# %% [markdown]
# **Explain** why the sharp basin's penalty stops growing, and what this says about
# "sharp minima generalise worse".
#
# ### BEGIN SOLUTION
# For shifts much smaller than the sharp well's width (0.1) the quadratic estimate holds
# and the sharp minimum pays about $\lambda_s/\lambda_f \approx 25$ times more than the
# flat one. Once the shift is comparable with the width the estimate fails: the point
# leaves the sharp well altogether, and the loss cannot rise by more than the well's depth
# (1), so the rise saturates while the flat well, five times wider, is still in its
# quadratic range. At $\delta = 1$ both minima pay about as much: they have both left
# their wells. "Sharp is worse" is a statement about small shifts; it says nothing about
# how large the shift between training and held-out data is, and curvature alone does
# not measure a basin's width (the depth matters too).
# ### END SOLUTION

# %% [markdown]
# ## 4. Implement it: where gradient descent ends on the memorisation task
#
# On the memorisation task $x$ has $3 + 5N$ weights and the $N = 40$ samples (the rows of
# $S$) can be fitted exactly. Gradient descent from $x = 0$ only ever adds combinations
# of the rows, so it ends at the fit in their span: the solution of $Sx = y$ with the
# smallest norm, $x = S^\top (S S^\top)^{-1} y$. Write `min_norm_fit(S, y)` with numpy;
# the checker compares it with 1000 steps of SGD with momentum (`fit_least_squares`) on
# two draws of the task.

# %%
def min_norm_fit(S, y):
    """The weights of smallest norm with S @ x = y (S has fewer rows than columns)."""
    ### BEGIN SOLUTION
    return S.T @ np.linalg.solve(S @ S.T, y)
    ### END SOLUTION


# %%
draws = [memorisation_task(seed=seed) for seed in (1, 2)]
your_fits = checks.outputs(min_norm_fit, [(d.X_train, d.y_train) for d in draws])
checks.check_value("min_norm_fit", your_fits,
                   np.concatenate([fit_least_squares(SGD(lr=0.1, momentum=0.9), d.X_train,
                                                     d.y_train, 1000) for d in draws]),
                   rtol=1e-6, atol=1e-9,
                   hint="x = S.T @ np.linalg.solve(S @ S.T, y): the solution is a combination "
                        "of the rows of S")

# %%
if checks.passed("min_norm_fit"):
    x_min = min_norm_fit(draws[0].X_train, draws[0].y_train)
    print(f"x0 = {x_min[0]:.3f}, x1 + x2 = {x_min[1] + x_min[2]:.3f}, largest own-feature "
          f"weight {np.abs(x_min[3:]).max():.3f}; test accuracy "
          f"{accuracy(x_min, draws[0].X_test, draws[0].y_test):.3f}")
else:
    print("Finish exercise 4 first: min_norm_fit must pass its check.")

# %% [markdown]
# ## 5. Predict, then run: Adam's test accuracy
#
# Now Adam ($\eta = 0.01$, 1000 steps from $x = 0$) on draw 3 of the task. Its first step
# sets $x_0 = x_1 = x_2 = \eta$ (section 2 of the course). Predict its accuracy on the 200
# test samples: a number, and you may compute it from `task3` (without training).

# %%
task3 = memorisation_task(seed=3)
predicted_adam_accuracy = None  # replace None with a number between 0 and 1
### BEGIN SOLUTION
# Adam memorises: x1 + x2 stays larger than x0, so every new sample is called positive,
# and its accuracy is the share of positive test labels
predicted_adam_accuracy = np.mean(task3.y_test > 0)
### END SOLUTION

# %%
x_adam = fit_least_squares(Adam(lr=0.01), task3.X_train, task3.y_train, 1000)
adam_accuracy = accuracy(x_adam, task3.X_test, task3.y_test)
print(f"Adam: training loss {0.5 * np.mean((task3.X_train @ x_adam - task3.y_train) ** 2):.0e}, "
      f"x0 = {x_adam[0]:.3f}, x1 + x2 = {x_adam[1] + x_adam[2]:.3f}; test accuracy "
      f"{adam_accuracy:.3f} (share of +1 labels {np.mean(task3.y_test > 0):.3f})")
checks.check_value("adam_accuracy", predicted_adam_accuracy, adam_accuracy, atol=0.01,
                   hint="a new sample has only features 0-2: sign(x0 y + x1 + x2). Which sign "
                        "does it get when x1 + x2 > x0?")

# %% [markdown]
# ## 6. Predict, then run: batch normalisation and the first step
#
# A small network with batch normalisation on random data: 20 inputs, 16 hidden units
# with batch normalisation, 5 classes. Scale its first weight matrix by 3,
# $W \to 3W$: the loss does not change and the gradient becomes $\nabla f(W)/3$ (course
# §4). Take one step from $W$ and one from $3W$. Predict the ratio of the two step
# lengths, (step from $3W$) / (step from $W$), for RMSProp and for SGD with momentum 0.9:
# `[RMSProp's ratio, Momentum's ratio]`.

# %%
predicted_step_ratios = None  # replace None with [RMSProp, Momentum]
### BEGIN SOLUTION
# RMSProp divides by sqrt(v), which shrinks by 3 with the gradient: the same step; SGD's
# step is lr times the gradient (momentum's first step too), a third as long
predicted_step_ratios = [1.0, 1 / 3]
### END SOLUTION

# %%
X_rand, y_rand = rng.standard_normal((64, 20)), rng.integers(0, 5, size=64)
bn_net = mlp.init_network([20, 16, 5], np.random.default_rng(0), batch_norm=True)
W = bn_net.coefs[0]


def first_layer_grad(W1):
    net = bn_net._replace(coefs=[W1, bn_net.coefs[1]])
    return mlp.loss_and_gradients(net, X_rand, y_rand)[1].coefs[0]


step_ratio = {}
for name, make in (("RMSProp", lambda: RMSProp(lr=1e-3)),
                   ("Momentum", lambda: SGD(lr=1e-3, momentum=0.9))):
    small, large = (np.linalg.norm(make().step(V, first_layer_grad(V)) - V) for V in (W, 3 * W))
    step_ratio[name] = large / small
    print(f"{name:12s}: first step from 3W / from W = {step_ratio[name]:.4f}")
checks.check_value("bn_step_ratios", predicted_step_ratios, list(step_ratio.values()), atol=1e-3,
                   hint="the gradient at 3W is a third of the one at W: how does each method's "
                        "step depend on the gradient's size?")

# %% [markdown]
# ## 7. Predict, then run: the noise floor at $\sigma = 10$
#
# Course §5 derived Adam's noise floor, $E[\frac a2 x^2] \approx \eta\sigma/4$ per
# coordinate, whatever the curvature $a$. On the same 2-D bowl (curvatures 1 and 10,
# started at its minimum), predict the mean loss for $\sigma = 10$ and $\eta = 0.01$:
# 64 noise draws, 3000 steps, the mean over steps 1500-3000. The check allows 25 %.

# %%
predicted_floor = None  # replace None with a number
### BEGIN SOLUTION
predicted_floor = 2 * 0.01 * 10 / 4  # two coordinates, each eta * sigma / 4
### END SOLUTION

# %%
bowl = Quadratic(curvatures=[1.0, 10.0], start=[0.0, 0.0])
floor_run = run(Adam(lr=0.01), Noisy(bowl, sigma=10.0, seed=0), np.zeros((64, 2)), steps=3000,
                record_state=False)
measured_floor = floor_run.losses[1500:].mean()
print(f"mean loss over steps 1500-3000: {measured_floor:.4f}; 2ησ/4 = {2 * 0.01 * 10 / 4:.4f}")
per_coordinate = np.array([np.mean(0.5 * bowl.curvatures * floor_run.points[a:a + 500] ** 2,
                                   axis=(0, 1)) for a in range(0, 3000, 500)]) / (0.01 * 10 / 4)
for a, (flat_part, steep_part) in zip(range(0, 3000, 500), per_coordinate):
    print(f"steps {a:4d}-{a + 500:4d}: loss / (ησ/4) along curvature 1: {flat_part:.2f}, "
          f"along curvature 10: {steep_part:.2f}")
assert per_coordinate[0, 0] < 0.6 < 0.8 < per_coordinate[0, 1]
checks.check_value("noise_floor", predicted_floor, measured_floor, rtol=0.25,
                   hint="the floor is about eta * sigma / 4 per coordinate, and the bowl has two")

# %% [markdown]
# **Explain** why the measurement skips the first 1500 steps here, and why the flat
# direction is the slow one.
#
# ### BEGIN SOLUTION
# Near the minimum Adam is gradient descent with the effective rate $\eta/\sigma$, here
# $10^{-3}$. Started at the minimum, the spread of $x$ along a direction of curvature $a$
# grows towards its equilibrium like $1 - (1 - \eta a/\sigma)^{2t}$, with a time constant
# of $\sigma/(2\eta a)$ steps: 500 steps along the flat direction ($a = 1$), 50 along the
# steep one. So the steep coordinate is at its floor within the first window, while the
# flat one is still climbing for well over a thousand steps (0.38 and 0.54 of its floor
# in the first two windows; with 64 draws each window's value also scatters by 10-20 %,
# since the flat coordinate changes slowly). The floor's level does not depend on $a$,
# but the time to reach it does. With $\sigma = 1$ the effective rate is ten times larger,
# which is why the course's window (steps 1000-2000) was enough there. Larger noise means
# a higher floor *and* a slower approach to it, and the first-order formula, which
# ignores both the approach and Adam's averaging, is good to about 20 %.
# ### END SOLUTION

# %% [markdown]
# ## 8. Open challenge: the flat basin at Adam's default rate
#
# At $\eta = 10^{-3}$ Adam ends in whichever basin it starts in. Keep Adam and end every
# run at $\eta = 10^{-3}$, but change something else (a schedule, noise, a wrapper, your
# own optimizer) so that at least 95 % of runs from 100 random starts end in the flat
# basin, **at rest** (last step below $10^{-6}$), within 800 steps. Compare the held-out
# loss (shift 0.1) with constant-rate Adam.

# %%
### BEGIN SOLUTION
starts = rng.uniform(-2.5, 2.5, size=100)
heldout = {"test": loss.shifted(0.1)}
constant = settle(Adam(lr=1e-3), loss, starts[:, None], steps=800, heldout=heldout)
outcomes = {}
for lr_max in (0.3, 1.0, 3.0):
    decaying = Scheduled(Adam(lr=lr_max), lr=lambda k, top=lr_max: cosine(k, top, T_max=800,
                                                                          eta_min=1e-3))
    outcomes[lr_max] = settle(decaying, loss, starts[:, None], steps=800, heldout=heldout)
print(f"constant η = 1e-3: {constant.flat.mean():.0%} in the flat basin, held-out loss "
      f"{np.mean(constant.heldout['test']):.3f}")
for lr_max, o in outcomes.items():
    rest = ("every run at rest" if o.last_move.max() < 1e-6  # below that, rounding decides
            else f"largest last step {o.last_move.max():.0e}")
    print(f"cosine from η = {lr_max:g} to 1e-3: {o.flat.mean():.0%} in the flat basin, {rest}, "
          f"held-out loss {np.mean(o.heldout['test']):.3f}")
best = outcomes[1.0]
on_flat_side = loss.in_flat_basin(starts[:, None]).mean()
print(f"share of the starts on the flat side of the ridge: {on_flat_side:.0%}")
assert constant.flat.mean() == on_flat_side
assert best.flat.mean() >= 0.95 and best.last_move.max() < 1e-6
assert np.mean(best.heldout["test"]) < np.mean(constant.heldout["test"]) - 0.1
assert outcomes[0.3].flat.mean() < 0.8  # a start that is too small does not leave

fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
grid = np.linspace(-2.5, 2.5, 500)[:, None]
ax.plot(grid[:, 0], loss.value(grid), color="0.3", label="training loss")
for i, (name, o) in enumerate((("constant η = 1e-3", constant), ("cosine from η = 1", best))):
    ax.plot(o.end, o.loss, linestyle="none", marker=style(i)["marker"],
            color=style(i)["color"], markersize=7, alpha=0.6, label=f"end points, {name}")
ax.set(xlabel="x", ylabel="loss", title="Adam: where 100 runs end")
ax.legend(fontsize=8)
plt.show()
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: start large, then decay.** A cosine schedule from $\eta = 1$ (or 3)
# down to $10^{-3}$ over the 800 steps sends every run to the flat basin, at rest, and
# lowers the mean held-out loss clearly below constant-rate Adam's (which ends in the flat
# basin exactly as often as a start lies on that side, as printed). Early on the steps are
# about as long as the distance from the sharp minimum to the ridge, so no run can stay in
# the sharp well; as $\eta$ falls, the runs settle in the basin they are in, and the flat
# basin, 5 times wider, catches them. The start must be large enough: from $\eta = 0.3$, too
# short a step to leave the sharp well, most sharp-side runs stay. This is the schedule of
# notebook 09 doing the job of gradient descent's filter: large steps cannot stay in a
# narrow basin, for any optimizer, and a decay lets the run come to rest afterwards. On a
# real network the "basin width" is unknown, which is one reason large initial rates with a
# decay are popular.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["trace_estimate", "flat_shares", "min_norm_fit", "adam_accuracy",
                "bn_step_ratios", "noise_floor"])
