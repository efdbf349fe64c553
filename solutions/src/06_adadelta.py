# %% [markdown]
# # Exercises 06 · AdaDelta
#
# **Goal.** AdaDelta divides a running size of its own past steps by a running size of
# the gradients, so that its step has the units of the parameters and no global rate is
# needed. In these exercises you predict its first step and the two regimes of its step
# size from $\rho$ and $\epsilon$ alone, write one step yourself, find the largest
# multiplier `lr` with which it settles on a bowl, and end by finding a problem on which
# it fails, and the fix that the units argument suggests.
#
# Course notebook: [06 · AdaDelta](../notebooks/06_adadelta.ipynb).
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

from alr_teach import SGD, AdaDelta, checks
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Quadratic
from alr_teach.viz.explorers.units import steps_to_tol
from alr_teach.viz.plots import style

rng = np.random.default_rng(106)  # seeded: every number below is reproducible


# %% [markdown]
# ## 1. Predict, then run: the first step
#
# At $t = 1$ nothing has been stepped yet, $E[\Delta x^2]_0 = 0$, so the numerator of
# AdaDelta's ratio is $\sqrt{\epsilon}$ alone. With $\rho = 0.95$ and $\epsilon = 10^{-8}$,
# how long is the first step $|\Delta x_1|$ on a gradient $g_1 = 1$? Write a number.

# %%
predicted_first_step = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
rho, eps = 0.95, 1e-8
# E[g^2]_1 = (1 - rho) g^2, so |dx_1| = sqrt(eps) / sqrt((1 - rho) + eps) ~ sqrt(eps / (1 - rho))
predicted_first_step = np.sqrt(eps / (1 - rho))
### END SOLUTION

# %%
first_step = -AdaDelta(rho=0.95, eps=1e-8).step(np.zeros(1), np.ones(1))[0]
print(f"AdaDelta(rho=0.95, eps=1e-8), gradient 1: first step {first_step:.4e}")
checks.check_value("first_step", predicted_first_step, first_step, rtol=1e-3,
                   hint="E[g^2]_1 = (1 - rho) g_1^2 and E[dx^2]_0 = 0; put both in "
                        "sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g")

# %% [markdown]
# ## 2. Implement it: one AdaDelta step
#
# Write `adadelta_step(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0)` in torch's form,
# returning `(x, sq_avg, acc_delta)`:
#
# $$E[g^2]_t = \rho\,E[g^2]_{t-1} + (1-\rho)\,g_t^2, \qquad
#   \Delta x_t = \frac{\sqrt{E[\Delta x^2]_{t-1} + \epsilon}}{\sqrt{E[g^2]_t + \epsilon}}\,g_t,$$
#
# $$E[\Delta x^2]_t = \rho\,E[\Delta x^2]_{t-1} + (1-\rho)\,\Delta x_t^2, \qquad
#   x_t = x_{t-1} - \eta\,\Delta x_t .$$
#
# `sq_avg` is $E[g^2]$, `acc_delta` is $E[\Delta x^2]$. Mind the order: the numerator
# uses the steps up to $t-1$. Work element-wise; do not change the arguments in place.

# %%
def adadelta_step(x, grad, sq_avg, acc_delta, rho, eps, lr=1.0):
    """One AdaDelta step (torch's form); returns the new (x, sq_avg, acc_delta)."""
    ### BEGIN SOLUTION
    sq_avg = rho * sq_avg + (1 - rho) * grad * grad
    delta = np.sqrt(acc_delta + eps) / np.sqrt(sq_avg + eps) * grad
    acc_delta = rho * acc_delta + (1 - rho) * delta * delta
    return x - lr * delta, sq_avg, acc_delta
    ### END SOLUTION


# %%
checks.check_adadelta_step(adadelta_step)

# %% [markdown]
# ## 3. Predict, then run: a ramp, and a ceiling
#
# Feed AdaDelta (torch's defaults, $\rho = 0.9$, $\epsilon = 10^{-6}$) a constant gradient
# for 3000 steps, once $g = 1$ (a steep slope) and once $g = 10^{-3}$ (a gentle one). How
# long is the **last** step in each case? The course notebook (section 4) derived two
# laws: a ramp set by $\rho$ and $\epsilon$ alone, and a ceiling set by $g$. Decide which
# one applies to each slope and write two numbers, `[step for g = 1, step for g = 1e-3]`.

# %%
predicted_last_steps = None  # replace None with [step for g = 1, step for g = 1e-3]
### BEGIN SOLUTION
t = 3000
ramp = np.sqrt((1 - 0.9) * 1e-6 * t)   # ~0.017: still far below the ceiling |g| = 1
ceiling = 1e-3                         # the ramp passed |g| = 1e-3 long ago: capped at |g|
predicted_last_steps = [ramp, ceiling]
### END SOLUTION

# %%
slopes = np.array([1.0, 1e-3])
opt, x, sizes = AdaDelta(), np.zeros(2), []
for _ in range(3000):
    x_new = opt.step(x, slopes)
    sizes.append(x - x_new)
    x = x_new
sizes = np.array(sizes)
print(f"last step after 3000 steps: g = 1: {sizes[-1, 0]:.4f}, g = 1e-3: {sizes[-1, 1]:.2e}")
checks.check_value("last_steps", predicted_last_steps, sizes[-1], rtol=0.05,
                   hint="on a steady slope E[dx^2] grows by (1 - rho) eps per step, so the "
                        "step is about sqrt((1 - rho) eps t); but it can never exceed |g|")

# %% [markdown]
# **Explain** in two or three sentences why the gentle slope's step stops growing at
# exactly $|g|$, and what that means for AdaDelta on a long, gently tilted plateau.
#
# ### BEGIN SOLUTION
# The step is $|g|$ times the ratio $\mathrm{RMS}[\Delta x]_{t-1}/\mathrm{RMS}[g]_t$. As
# long as the past steps are shorter than $|g|$, their running average stays below
# $E[g^2] = g^2$ and the ratio stays below 1 (the course proved it by induction); the
# ratio can only settle where it equals 1, i.e. at a step of exactly $|g|$. So on a
# gentle slope AdaDelta *is* gradient descent with rate 1 (times `lr`), never faster: a
# plateau tilted by $10^{-3}$ is crossed at $10^{-3}$ per step, however long it is. On
# the steep slope the ramp $\sqrt{(1-\rho)\epsilon t}$ is still far below the ceiling
# after 3000 steps, so there $\epsilon$, not the gradient, sets the speed.
# ### END SOLUTION

# %% [markdown]
# ## 4. Explore and explain: the knob $\rho$
#
# $\rho$ enters the first step, $\sqrt{\epsilon/(1-\rho)}$, which grows with $\rho$, and the
# ramp, $\sqrt{(1-\rho)\epsilon t}$, which slows with $\rho$. Three values side by side on
# the steep slope $g = 1$ (one optimizer with an array of $\rho$), and the distance each
# covers:

# %%
rhos = np.array([0.5, 0.9, 0.99])
opt, x, covered = AdaDelta(rho=rhos), np.zeros(3), []
for _ in range(3000):
    x = opt.step(x, np.ones(3))
    covered.append(-x)
covered, t = np.array(covered), np.arange(1, 3001)

fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
for i, rho in enumerate(rhos):
    ax.loglog(t, covered[:, i], label=f"ρ = {rho:g}", markevery=0.1, **style(i))
    ax.loglog(t[99:], 2 / 3 * np.sqrt((1 - rho) * 1e-6) * t[99:] ** 1.5,
              color=style(i)["color"], linestyle=":", linewidth=1)
ax.set(xlabel="step t (log)", ylabel="distance covered (log)",
       title="AdaDelta on a slope g = 1, ε = 1e-6 (dotted: (2/3)√((1−ρ)ε) t^1.5)")
ax.legend(fontsize=8)
plt.show()
for when in (10, 100, 3000):
    print(f"after {when:4d} steps: " + ", ".join(
        f"ρ = {rho:g} {covered[when - 1, i]:7.3f}" for i, rho in enumerate(rhos)))

# %% [markdown]
# **Explain** the crossing: which $\rho$ leads early, which one late, and why? Which
# setting would you choose for a problem whose minimum is 1000 units away, and what else
# could you change instead?
#
# ### BEGIN SOLUTION
# Early on $\rho = 0.99$ leads (about 1.0 against 0.4-0.5 after 100 steps): its first
# steps are $\sqrt{\epsilon/(1-\rho)}$, ten times longer than with $\rho = 0.5$, and while
# $E[g^2]$ is still filling up (memory $1/(1-\rho) = 100$ steps) the denominator is small.
# Late, the ramp takes over: $E[\Delta x^2]$ grows by only $(1-\rho)\epsilon$ per step, so
# the smallest $\rho$ ramps fastest, and after 3000 steps $\rho = 0.5$ is more than twice
# as far as $\rho = 0.99$, on the dotted law $\tfrac23\sqrt{(1-\rho)\epsilon}\,t^{3/2}$. For a
# minimum 1000 units away every setting is slow (the distance grows like $t^{3/2}$ with a
# tiny constant); lowering $\rho$ helps only by $\sqrt{1-\rho}$. Raising $\epsilon$ acts
# more strongly, since $\sqrt\epsilon$ is the length scale of the whole run (the course
# notebook, section 4): the better knob is $\epsilon$, or rescaling the parameters.
# ### END SOLUTION

# %% [markdown]
# ## 5. Predict, then run: when does AdaDelta settle?
#
# The course notebook's bowl (curvatures 1 and 10, turned by 30°) was too steep for
# AdaDelta with `lr` = 1: it reached the minimum and then left it. The multiplier `lr`
# scales every step. What is the **largest** `lr` with which AdaDelta settles on this bowl
# (the loss keeps going to 0)? Use what the course found about the rate AdaDelta's
# effective rate can settle at.

# %%
predicted_largest_lr = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
# AdaDelta's effective rate can only settle at lr (times 1), so near the minimum it acts like
# gradient descent with rate lr, which is stable iff lr * lambda_max < 2.
predicted_largest_lr = 2 / 10
### END SOLUTION

# %% [markdown]
# The experiment: 21 multipliers from 0.10 to 0.30, 4000 steps each, one batched run. A
# run *settles* if its final loss is below $10^{-20}$.

# %%
bowl = Quadratic([1.0, 10.0], angle=np.pi / 6, start=[1.0, 1.0])
multipliers = np.round(np.linspace(0.10, 0.30, 21), 2)
finals = run(AdaDelta(lr=multipliers[:, None]), bowl,
             np.broadcast_to(bowl.start, (multipliers.size, 2)), steps=4000,
             record_state=False).final_loss
settles = finals < 1e-20
largest_settling = multipliers[settles].max()
print(f"settles for lr <= {largest_settling:.2f}; final loss at lr = 0.21: "
      f"{finals[multipliers == 0.21][0]:.1e}, at 0.30: {finals[-1]:.1e}")
assert np.all(settles[multipliers <= largest_settling]) and not settles[multipliers > 0.2].any()
checks.check_value("largest_settling_lr", predicted_largest_lr, largest_settling, rtol=0.03,
                   hint="the only rate AdaDelta's effective rate can settle at is lr; gradient "
                        "descent with rate lr is stable iff lr * lambda_max < 2")

# %% [markdown]
# ## 6. Open challenge: make AdaDelta fail
#
# Find a landscape, or a start point, on which AdaDelta at torch's defaults (`lr` = 1,
# $\rho = 0.9$, $\epsilon = 10^{-6}$) fails badly within 1000 steps, while plain gradient
# descent at a sensible rate solves it. Show it with a run, explain *why* from the course's
# laws, and, if you can, fix AdaDelta without touching `lr`.

# %%
### BEGIN SOLUTION
far = Quadratic([1.0, 1.0], start=[100.0, 100.0])    # a round bowl, minimum 141 away
near = Quadratic([1.0, 1.0], start=[1.0, 1.0])        # the same bowl, start 100x closer
adadelta_far = run(AdaDelta(), far, steps=1000)
sgd_far = run(SGD(lr=0.5), far, steps=1000)
moved = far.start - adadelta_far.points[-1]
ramp_law = 2 / 3 * np.sqrt(0.1 * 1e-6) * 1000**1.5
print(f"AdaDelta, defaults: loss {adadelta_far.losses[0]:.0f} -> {adadelta_far.final_loss:.0f} "
      f"after 1000 steps; each coordinate moved {moved[0]:.2f} of 100 (ramp law {ramp_law:.2f})")
print(f"SGD(lr=0.5): loss below 1e-6 after {steps_to_tol(sgd_far)} steps")
assert adadelta_far.final_loss > 0.8 * adadelta_far.losses[0] and steps_to_tol(adadelta_far) == -1
assert 0 < steps_to_tol(sgd_far) < 30 and abs(moved[0] / ramp_law - 1) < 0.15

# the fix: the minimum is c = 100 times further away, so raise eps by c^2 (units, section 4)
fixed = run(AdaDelta(eps=1e-6 * 100**2), far, steps=1000)
reference = run(AdaDelta(eps=1e-6), near, steps=1000)
np.testing.assert_allclose(fixed.points, 100 * reference.points, rtol=1e-9, atol=1e-300)
print(f"AdaDelta(eps=1e-2) from (100, 100): loss below 1e-6 after {steps_to_tol(fixed)} steps, "
      f"its path = 100 x the default run's from (1, 1)")
assert 0 < steps_to_tol(fixed) < 500
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: start far away.** A round bowl is as easy as a problem gets, yet
# from $(100, 100)$ AdaDelta at its defaults moves each coordinate only about 7.4 in 1000
# steps and the loss barely drops (printed above), while gradient descent with
# $\eta = 0.5$ is done in under 30 steps. The course's ramp explains it: on a steep
# slope AdaDelta's steps grow like $\sqrt{(1-\rho)\epsilon\,t}$, whatever the gradient,
# so in $t$ steps it travels about $\tfrac23\sqrt{(1-\rho)\epsilon}\,t^{3/2} \approx 6.7$:
# the scale of the run is $\sqrt\epsilon$, a *length* of about $10^{-3}$, which suits
# parameters of order 1, not 100. The fix follows from the units: this bowl is
# $c^2 f(x/c)$ with $c = 100$ for the bowl $f$ started at $(1, 1)$, and AdaDelta($\epsilon$)
# on $c^2 f(x/c)$ is $c$ times AdaDelta($\epsilon/c^2$) on $f$. So $\epsilon = 10^{-6}
# \cdot 100^2$ makes the far run exactly 100 times the default run from $(1, 1)$
# (asserted), and it converges in a few hundred steps. Other answers work too: the
# plateau cliff (steps capped at $|g| \approx 10^{-3}$), or a bowl whose curvature is
# above 2, where the rate drifts to 1 and the run leaves the minimum.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["first_step", "adadelta_step", "last_steps", "largest_settling_lr"])
