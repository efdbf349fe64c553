# %% [markdown]
# # Exercises 02 · Momentum and Nesterov
#
# **Goal.** Momentum steps along a leaky sum of past gradients, the velocity
# $b_t = \mu b_{t-1} + g_t$, instead of the newest gradient alone. In these exercises you
# write that step yourself, predict how large it grows on a steady slope, compute the
# 2 × 2 matrix that decides stability and speed along each eigendirection of a quadratic,
# find the momentum that damps a direction critically, and use the theory to beat the
# popular $\mu = 0.9$ on an ill-conditioned bowl.
#
# Course notebook: [02 · Momentum and Nesterov](../notebooks/02_momentum.ipynb).
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

from alr_teach import SGD, checks
from alr_teach.lab.sweeps import sweep
from alr_teach.problems.landscapes import Quadratic, get
from alr_teach.viz.explorers.eigen import EigenExplorer, spectral_radius

rng = np.random.default_rng(102)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Implement it: one step of heavy-ball momentum
#
# Write `momentum_step(x, grad, velocity, lr, momentum)` in torch's convention (the one
# `alr_teach.SGD` follows): first the new velocity $b_t = \mu\, b_{t-1} + g_t$, then the
# step $x_t = x_{t-1} - \eta\, b_t$. Return the pair `(x, velocity)`. The caller starts
# with `velocity = 0`, so the first step is plain gradient descent. Arrays and plain
# numbers must both work; do not change the arguments in place.

# %%
def momentum_step(x, grad, velocity, lr, momentum):
    """One heavy-ball step: returns the new parameters and the new velocity."""
    ### BEGIN SOLUTION
    velocity = momentum * velocity + grad
    return x - lr * velocity, velocity
    ### END SOLUTION


# %%
checks.check_momentum_step(momentum_step)

# %% [markdown]
# ## 2. Predict, then run: the step on a steady slope
#
# Feed the same gradient $g = 1$ at every step, with $\eta = 0.01$ and $\mu = 0.95$. After
# many steps, how far does one step move $x$, per unit of gradient (the *effective rate*)?
# Predict the number, then run 500 steps.

# %%
predicted_terminal_rate = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
predicted_terminal_rate = 0.01 / (1 - 0.95)  # eta / (1 - mu): the geometric sum of mu^k
### END SOLUTION

# %%
if checks.passed("momentum_step"):
    x, velocity, rates = 0.0, 0.0, []
    for _ in range(500):
        x_new, velocity = momentum_step(x, 1.0, velocity, lr=0.01, momentum=0.95)
        rates.append(x - x_new)          # step taken per unit of gradient (g = 1)
        x = x_new
    print("measured with your momentum_step")
else:
    print("momentum_step does not pass yet: measuring with alr_teach.SGD instead")
    opt, x, rates = SGD(lr=0.01, momentum=0.95), np.zeros(1), []
    for _ in range(500):
        x_new = opt.step(x, np.ones(1))
        rates.append(float(x[0] - x_new[0]))
        x = x_new
print(f"effective rate after 1 step {rates[0]:.4f}, after 20 {rates[19]:.4f}, "
      f"after 500 {rates[-1]:.4f}")
checks.check_value("terminal_rate", predicted_terminal_rate, rates[-1], rtol=1e-6,
                   hint="unroll b_t = mu b_(t-1) + g with the same g each time: a geometric "
                        "series 1 + mu + mu^2 + ...")

# %% [markdown]
# ## 3. Implement it: the 2 × 2 matrix of one eigendirection
#
# On a quadratic, the error $e$ and the velocity $b$ along one eigendirection with
# curvature $\lambda$ evolve by
# $$\begin{pmatrix} e_t \\ b_t \end{pmatrix} = M_\lambda
#   \begin{pmatrix} e_{t-1} \\ b_{t-1} \end{pmatrix}, \qquad
#   M_\lambda = \begin{pmatrix} 1 - \eta\lambda & -\eta\mu \\ \lambda & \mu \end{pmatrix}.$$
# The error shrinks like $|r|_{\max}^{\,t}$, where $|r|_{\max}$ is the largest modulus of
# an eigenvalue of $M_\lambda$ (the spectral radius). With numpy only (`np.linalg.eigvals`),
# compute `my_radius` for $\eta = 0.05$, $\lambda = 25$, $\mu = 0.8$.

# %%
my_radius = None  # replace None with the spectral radius (a number)
### BEGIN SOLUTION
lr, lam, mu = 0.05, 25.0, 0.8
M = np.array([[1 - lr * lam, -lr * mu], [lam, mu]])
my_radius = np.abs(np.linalg.eigvals(M)).max()
### END SOLUTION

# %%
checks.check_value("spectral_radius", my_radius, spectral_radius(0.05, 25.0, 0.8), rtol=1e-9,
                   hint="build M as a 2 x 2 array, then take the largest absolute value of "
                        "np.linalg.eigvals(M) (the eigenvalues may be complex)")

# %% [markdown]
# ## 4. Predict, then run: stability with momentum
#
# The course valley has curvatures 1 and 25 (turned by 30°). Without momentum it diverges
# above $\eta = 2/25 = 0.08$. With $\mu = 0.5$, above which rate does it diverge? Predict,
# then run the sweep.

# %%
predicted_limit = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
predicted_limit = 2 * (1 + 0.5) / 25  # eta * lambda_max < 2 (1 + mu)
### END SOLUTION

# %%
valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
lrs = np.arange(0.005, 0.2, 0.01)
result = sweep(SGD, valley, {"lr": lrs}, momentum=0.5, steps=500)
largest_stable, smallest_unstable = lrs[~result.diverged].max(), lrs[result.diverged].min()
print(f"μ = 0.5: largest stable rate {largest_stable:.3f}, smallest unstable "
      f"{smallest_unstable:.3f}")
radius = spectral_radius(lrs[:, None], valley.curvatures, 0.5).max(axis=1)
assert np.array_equal(result.diverged, radius > 1)  # the sweep agrees with the matrices
checks.check_value("momentum_limit", predicted_limit, (largest_stable + smallest_unstable) / 2,
                   rtol=0.05, hint="the Jury conditions of the course notebook, section 5: "
                                   "p(-1) = 2(1 + mu) - eta lambda must stay positive")

# %% [markdown]
# ## 5. Predict, then run: critical damping
#
# At $\eta = 0.04$ on the same valley, which momentum $\mu^*$ makes the **flat** direction
# ($\lambda = 1$) shrink fastest, and by what factor per step does it shrink then? Predict
# both numbers from the critical-damping formula of the course notebook (section 6).

# %%
predicted_mu = None      # replace None with your predicted best momentum
predicted_factor = None  # replace None with the factor per step at that momentum
### BEGIN SOLUTION
predicted_mu = (1 - np.sqrt(0.04 * 1.0)) ** 2   # mu* = (1 - sqrt(eta lambda))^2 = 0.64
predicted_factor = np.sqrt(predicted_mu)        # |r|max = sqrt(mu*) = 1 - sqrt(eta lambda)
### END SOLUTION

# %% [markdown]
# The experiment: the spectral radius of the flat direction over a fine grid of $\mu$,
# and then the explorer of the course notebook at the fastest one.

# %%
fine = np.linspace(0.0, 0.99, 9901)                       # steps of 1e-4
flat_radius = spectral_radius(0.04, 1.0, fine)
fastest_mu, fastest_factor = fine[np.argmin(flat_radius)], flat_radius.min()
explorer = EigenExplorer(curvatures=(1, 25), angle=np.pi / 6, lr=0.04, momentum=fastest_mu)
explorer.static_figure()
plt.show()
flat, steep = explorer.summary["per_direction"]
print(f"fastest μ on the grid {fastest_mu:.4f}: |r|max {fastest_factor:.4f}; flat direction "
      f"{flat['regime']}, measured rate {flat['measured_rate']:.3f}")
checks.check_value("critical_mu", predicted_mu, fastest_mu, atol=2e-4,
                   hint="the two roots of M coincide when sqrt(mu) = 1 - sqrt(eta lambda)")
checks.check_value("critical_factor", predicted_factor, fastest_factor, atol=2e-3,
                   hint="at critical damping the double root is sqrt(mu)")

# %% [markdown]
# ## 6. Explore and explain: how much momentum?
#
# Turn the knob: heavy ball on the valley at $\eta = 1/9$ for ten values of $\mu$, 600 steps,
# and the steps needed to reach a loss of $10^{-8}$, next to the slowest direction's
# $|r|_{\max}$ from the matrices.

# %%
mus = np.array([0.0, 0.2, 0.4, 4 / 9, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
knob = sweep(SGD, valley, {"momentum": mus}, lr=1 / 9, steps=600, tol=1e-8)
worst = spectral_radius(1 / 9, valley.curvatures[None, :], mus[:, None]).max(axis=1)
for mu, steps, r in zip(mus, knob.steps_to_tol, worst):
    outcome = f"{steps:4d} steps" if steps >= 0 else "diverged  "
    print(f"μ = {mu:.3f}: {outcome}   slowest |r|max = {r:.3f}")
reached = knob.steps_to_tol >= 0
assert np.array_equal(~reached, worst > 1)
assert knob.steps_to_tol[reached].min() < knob.steps_to_tol[-1] / 5

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
ax.plot(mus[reached], knob.steps_to_tol[reached], "o-", color="#0072B2",
        label="measured: steps to loss 1e-8")
ax.axvline(4 / 9, color="#D55E00", linestyle="--", label="μ* = 4/9 (critical damping)")
ax.axvspan(0, 25 / 18 - 1, color="0.85", label="diverges: ηλmax > 2(1 + μ)")
ax.set(xlabel="momentum μ", ylabel="steps (log scale)", yscale="log", xlim=(0, 1),
       title="Heavy ball on the valley at η = 1/9")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# **Explain** the three regimes you see: why small $\mu$ diverges at this rate, why the
# count is lowest near $\mu = 4/9$, and why large $\mu$ is slow again.
#
# ### BEGIN SOLUTION
# - **Small $\mu$ diverges.** At $\eta = 1/9$ the steep direction has $\eta\lambda_{\max}
#   = 25/9 \approx 2.78$, beyond gradient descent's limit of 2. Momentum moves the limit to
#   $2(1+\mu)$, so the run is stable only for $\mu > 25/18 - 1 \approx 0.39$: momentum
#   *allows* a rate that plain gradient descent cannot use.
# - **Near $\mu^* = 4/9$ it is fastest.** There both directions are critically damped
#   (the rate and momentum of the course notebook, section 6) and $|r|_{\max} = 2/3$, the
#   smallest any $(\eta, \mu)$ can give on this valley. (The neighbouring $\mu = 0.5$ even
#   needs a few steps fewer: at a repeated root the error carries an extra factor $t$.)
# - **Large $\mu$ is slow.** Above $\mu^*$ the roots are complex with modulus $\sqrt\mu$,
#   whatever the rate: the error oscillates inside an envelope that shrinks only by
#   $\sqrt{0.95} \approx 0.975$ per step at $\mu = 0.95$. Too much memory keeps the iterate
#   swinging.
# ### END SOLUTION

# %% [markdown]
# ## 7. Open challenge: beat $\mu = 0.9$ with the theory
#
# The library's "ill-conditioned quadratic" (`get("ill-conditioned quadratic")`,
# curvatures 1 and 50) is a classic test. Give heavy-ball momentum with the usual
# $\mu = 0.9$ its best rate from a sweep over 61 rates from $10^{-3}$ to 1 (log grid),
# counted in steps to reach loss $10^{-8}$. Then find an $(\eta, \mu)$ pair that gets
# there in **fewer than half** of its steps, without a sweep of your own: use what the
# course notebook derived. Assert that it does.

# %%
### BEGIN SOLUTION
bowl = get("ill-conditioned quadratic")
lam_min, lam_max = bowl.curvatures.min(), bowl.curvatures.max()
kappa = bowl.condition_number
lr_star = (2 / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2        # both directions critical
mu_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2

grid = np.logspace(-3, 0, 61)
usual = sweep(SGD, bowl, {"lr": grid}, momentum=0.9, steps=2000, tol=1e-8)
usual_steps = np.where(usual.steps_to_tol >= 0, usual.steps_to_tol, np.iinfo(int).max)
usual_best = int(np.argmin(usual_steps))
ours = sweep(SGD, bowl, {"lr": np.array([lr_star])}, momentum=mu_star, steps=2000, tol=1e-8)
print(f"μ = 0.9 at its best rate {grid[usual_best]:.4f}: {usual_steps[usual_best]} steps")
print(f"theory: η* = {lr_star:.4f}, μ* = {mu_star:.4f} (|r|max = {np.sqrt(mu_star):.3f}): "
      f"{ours.steps_to_tol[0]} steps")
assert 0 < ours.steps_to_tol[0] < usual_steps[usual_best] / 2
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer.** Critical damping for the whole quadratic: choose $\eta$ so that
# the flat and the steep direction sit on the edges of their complex regions at the same
# time, $\eta^* = \big(2/(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})\big)^2$, and then
# $\mu^* = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2 \approx 0.57$ for $\kappa = 50$.
# Every direction then shrinks by $\sqrt{\mu^*} \approx 0.75$ per step. With $\mu = 0.9$ no
# rate does better than $\sqrt{0.9} \approx 0.95$ per step (the two roots multiply to
# $\mu$, so the larger has modulus at least $\sqrt\mu$), and the tuned $\mu = 0.9$ run
# needs almost three times as many steps. The lesson of
# the course notebook's pitfalls: $\mu = 0.9$ is the best choice only for a condition
# number near 1400; match $\mu$ to the conditioning when you can estimate it.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["momentum_step", "terminal_rate", "spectral_radius", "momentum_limit",
                "critical_mu", "critical_factor"])
