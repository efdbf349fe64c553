# %% [markdown]
# # 05 · Adam: momentum plus RMSProp, with bias correction
#
# Momentum (notebook 02) remembers which way the gradients have been pointing. RMSProp
# (notebook 04) remembers how large they have been. Adam keeps both memories and divides
# one by the other. But both memories start empty, at zero, and an average that starts at
# zero is too small for a while. Adam's answer is *bias correction*. This notebook derives
# it, measures what goes wrong without it, and takes Adam's defaults apart, including
# $\epsilon$, which matters more than its size suggests. Then it tests two popular claims:
# that Adam beats RMSProp, and that it is robust to its hyperparameters.
#
# **Learning objectives.** By the end of this notebook you can
# - *derive* $E[m_t] = (1-\beta_1^t)\,E[g]$, the bias correction that follows from it, and
#   the first step $\eta(1-\beta_1)/\sqrt{1-\beta_2}$ of Adam without the correction;
# - *implement* Adam (and AMSGrad) in a few lines of numpy and check it against
#   `alr_teach.Adam`;
# - *predict* when $\epsilon$ matters and what Adam turns into when $\epsilon$ is large;
# - *compare* Adam with RMSProp on clean and noisy landscapes, each at its own tuned rate;
# - *choose* $\eta$, $\beta_1$, $\beta_2$ and $\epsilon$, knowing what each one controls.
#
# **Prerequisites:** [04 · RMSProp](04_rmsprop.ipynb) and
# [02 · Momentum](02_momentum.ipynb) (section 9, momentum inside Adam). **Time:** about
# 50 minutes. Notation: [docs/notation.md](../docs/notation.md).

# %%
import dataclasses
import inspect

import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, Adam, RMSProp
from alr_teach.course.claims import claim, count, paired
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep, sweep_learning_rates
from alr_teach.optimizers.adam_variants import UncorrectedAdam
from alr_teach.problems.landscapes import Beale, Noisy, Quadratic, Rosenbrock, get
from alr_teach.viz.explorers.memory import effective_memory, half_life
from alr_teach.viz.explorers.moment import MomentExplorer, uncorrected_step_size
from alr_teach.viz.plots import plot_lr_sweeps, plot_sweep, style
from alr_teach.viz.surface_plots import (
    contour,
    label_for,
    plot_losses,
    plot_moments,
    plot_trajectories,
)

rng = np.random.default_rng(5)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Each memory alone, and both together
#
# Beale's function has flat plains next to steep walls: the size of the gradient changes
# by orders of magnitude along the way to the minimum. Three optimizers, each with
# **its own best learning rate** from the same sweep: 49 rates from $10^{-5}$ to $10$
# on a log grid, 300 steps from the same start, each rate judged by the mean loss above
# the minimum over the last 50 steps (a run that diverged counts as worst). The
# learning-rate comparisons of sections 5 and 8 use the same grid and the same rule.
#
# - **Momentum** (SGD with $\mu = 0.9$): remembers the direction, one rate for all.
# - **RMSProp** (torch's defaults, $\alpha = 0.99$): one rate per coordinate, no momentum.
# - **Adam** (its defaults apart from the rate): both.

# %%
lrs = np.logspace(-5, 1, 49)  # the learning-rate grid every method gets
BEALE_STEPS, TAIL = 300, 50   # steps per run; the last TAIL of them judge a rate
SOLVED = 1e-12                # a loss this close to the minimum counts as solved


def judged_by_tail(result, landscape, last=TAIL):
    """The sweep with final_loss replaced by the mean loss above the minimum over the last
    `last` steps (NaN where a run diverged), so that .best() and the plots use that rule."""
    gap = np.mean(result.trajectory.losses[-last:], axis=0) - landscape.min_value
    return dataclasses.replace(result, final_loss=np.where(result.diverged, np.nan, gap))


beale = Beale()
three = {"Momentum": (SGD, {"momentum": 0.9}), "RMSProp": RMSProp, "Adam": Adam}
beale_sweeps = {name: judged_by_tail(result, beale) for name, result
                in sweep_learning_rates(three, beale, lrs, steps=BEALE_STEPS).items()}
best_lr = {name: result.best()["lr"] for name, result in beale_sweeps.items()}
tuned = [SGD(lr=best_lr["Momentum"], momentum=0.9), RMSProp(lr=best_lr["RMSProp"]),
         Adam(lr=best_lr["Adam"])]
beale_runs = [run(opt, beale, steps=BEALE_STEPS, record_state=False) for opt in tuned]
beale_labels = [label_for(opt) for opt in tuned]

# %%
fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
contour(ax_map, beale)
plot_trajectories(ax_map, beale, beale_runs, beale_labels, legend_loc="lower left")
plot_losses(ax_loss, beale_runs, beale_labels)
ax_loss.set_title(f"Each at its own best rate, {BEALE_STEPS} steps")
plt.show()

# %%
tail = {name: float(np.nanmin(result.final_loss)) for name, result in beale_sweeps.items()}
for name in three:
    print(f"{name:8s} best lr {best_lr[name]:8.2e}: mean loss over the last {TAIL} steps "
          f"{tail[name]:.1e}")
claim(all(lrs[0] < lr < lrs[-1] for lr in best_lr.values()),
      "every method's best rate lies inside the grid, not at its edge", measured=best_lr)
others = min(tail["Momentum"], tail["RMSProp"])
claim(tail["Adam"] < 1e-4 * others,
      "Adam ends more than four orders of magnitude lower than momentum and RMSProp",
      measured=f"Adam {tail['Adam']:.1e}, the better of the other two {others:.1e}")

# %% [markdown]
# Each half alone ends within about $10^{-5}$ of the minimum (printed above): momentum
# has one rate for coordinates whose gradients differ by orders of magnitude, and
# RMSProp's steps stay about $\eta$ long near the minimum (notebook 04, section 7). Adam
# at its best rate ends more than four orders of magnitude lower than either. One
# landscape is not a verdict (section 8 runs more); it is a reason to look inside.
#
# ## 2. Two memories in one update
#
# **Intuition.** Keep two running averages per coordinate: of the gradient (which way,
# lately?) and of the squared gradient (how large, lately?). Step along the first,
# divided by the root of the second. The ratio has no units: multiply the loss by 1000
# and both the numerator and the root of the denominator grow by 1000, so the step stays
# the same. On a steady slope the ratio is 1 and every coordinate moves by $\eta$.
#
# **Math.** With $m_0 = v_0 = 0$, at step $t$:
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad
#   v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2,$$
#
# $$\hat m_t = \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}, \qquad
#   x_t = x_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# - $m_t$ is **momentum**: notebook 02 showed that $m_t = (1-\beta_1)\, b_t$, the
#   heavy-ball velocity with $\mu = \beta_1$, scaled to a weighted *average*
#   ([02 · Momentum](02_momentum.ipynb), section 9).
# - $v_t$ is **RMSProp's** $E[g^2]_t$ with $\alpha = \beta_2$: the weight of a gradient $k$
#   steps back is $(1-\beta_2)\beta_2^k$, its memory about $1/(1-\beta_2)$ steps
#   ([04 · RMSProp](04_rmsprop.ipynb), section 2).
# - The hats are the **bias correction**, derived in section 4.
#
# **Extremes.** $\beta_1 = 0$: no momentum, $\hat m_t = g_t$, and Adam is RMSProp with
# $\alpha = \beta_2$ plus bias correction. $\beta_1 = \beta_2 = 0$: the step is
# $\eta\, g_t/(|g_t| + \epsilon) \approx \eta\,\mathrm{sign}(g_t)$, sign descent.
#
# ## 3. Implementation in the open
#
# The whole rule, with two switches: `amsgrad` (below) and `correct`, which leaves the
# bias correction out (section 5 needs that variant).

# %%
def adam_step(x, g, state, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False,
              correct=True):
    state["m"] = beta1 * state["m"] + (1 - beta1) * g
    state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
    v = state["v"]
    if amsgrad:
        state["v_max"] = np.maximum(state["v_max"], v)
        v = state["v_max"]
    if correct:
        m_hat, v_hat = state["m"] / (1 - beta1**t), v / (1 - beta2**t)
    else:
        m_hat, v_hat = state["m"], v                       # no bias correction
    return x - lr * m_hat / (np.sqrt(v_hat) + eps)


def adam_path(landscape, steps, **settings):
    """Run adam_step from the landscape's start; return the points and the final state."""
    x = landscape.start.copy()
    state = {"m": np.zeros_like(x), "v": np.zeros_like(x), "v_max": np.zeros_like(x)}
    path = [x]
    for t in range(1, steps + 1):
        x = adam_step(x, landscape.grad(x), state, t, **settings)
        path.append(x)
    return np.array(path), state


# %%
banana = Rosenbrock()
variants = [{"lr": 0.05}, {"lr": 0.05, "beta1": 0.5, "beta2": 0.99},
            {"lr": 0.05, "eps": 1e-3}, {"lr": 0.05, "amsgrad": True}]
differences = []
for settings in variants:
    path, state = adam_path(banana, 300, **settings)
    betas = (settings.get("beta1", 0.9), settings.get("beta2", 0.999))
    opt = Adam(lr=settings["lr"], betas=betas, eps=settings.get("eps", 1e-8),
               amsgrad=settings.get("amsgrad", False))
    reference = run(opt, banana, steps=300)
    difference = np.abs(path - reference.points).max()
    print(f"{label_for(opt):40s} largest difference {difference:.1e}")
    differences.append(difference)

path, _ = adam_path(banana, 300, lr=0.05, correct=False)
uncorrected = run(UncorrectedAdam(lr=0.05), banana, steps=300)
differences.append(np.abs(path - uncorrected.points).max())   # the variant used below
claim(max(differences) <= 1e-12, "adam_step gives the same points as alr_teach.Adam (four "
      "variants) and as UncorrectedAdam (correct=False), to 1e-12",
      measured=f"largest difference {max(differences):.1e}")

# %% [markdown]
# Four variants, 300 steps each, the same numbers as `alr_teach.Adam` to $10^{-12}$; the
# version without correction matches `alr_teach.viz.explorers.moment.UncorrectedAdam`, which
# the explorer of section 10 uses.
#
# The extremes of section 2, checked on random gradients: with $\beta_1 = \beta_2 = 0$
# every step is $\eta\, g/(|g|+\epsilon)$, and with $\beta_1 = 0$ the first moment is just
# the gradient.

# %%
eta, eps = 0.1, 1e-8
grads = rng.standard_normal((20, 3))
sign_like, x = Adam(lr=eta, betas=(0.0, 0.0), eps=eps), np.zeros(3)
no_momentum = Adam(lr=eta, betas=(0.0, 0.999), eps=eps)
sign_gap = m_gap = 0.0
for g in grads:
    x_new = sign_like.step(x, g)
    sign_gap = max(sign_gap, np.max(np.abs((x - x_new) / (eta * g / (np.abs(g) + eps)) - 1)))
    x = x_new
    no_momentum.step(np.zeros(3), g)
    m_gap = max(m_gap, np.max(np.abs(no_momentum.state["m"] - g)))
claim(sign_gap < 1e-12, "with β1 = β2 = 0 every step is η g/(|g| + ε), to 1e-12",
      measured=f"largest relative gap {sign_gap:.1e}")
claim(m_gap == 0, "with β1 = 0 the first moment is the gradient itself",
      measured=f"largest gap {m_gap:.1e}")

# %% [markdown]
# **AMSGrad** (Reddi et al., 2018). Adam's $v$ forgets: when a stretch of large gradients
# drops out of its memory, $v$ shrinks and the effective rate $\eta/\sqrt{\hat v}$ grows
# again. Reddi et al. built simple convex problems on which this makes Adam converge to a
# wrong point. AMSGrad divides by the running maximum $\hat v^{\max}_t$ of $v$ instead, so
# the denominator cannot shrink (apart from the bias correction, which torch and
# `alr_teach` apply to the maximum). On Rosenbrock, 300 steps:

# %%
ams = run(Adam(lr=0.05, amsgrad=True), banana, steps=300)
v, v_max = ams.state["v"], ams.state["v_max"]
falls = np.mean(np.diff(v, axis=0) < 0)
print(f"steps at which v fell: {falls:.0%}; at which v_max fell: "
      f"{np.mean(np.diff(v_max, axis=0) < 0):.0%}; final v / v_max, coordinate x: "
      f"{v[-1, 0] / v_max[-1, 0]:.1e}")
claim(bool(np.all(np.diff(v_max, axis=0) >= 0) and np.all(v_max >= v)),
      "v_max never falls and never lies below v")
claim(falls > 0.5, "v falls on more than half of the steps", measured=f"{falls:.0%}")

# %% [markdown]
# $v$ fell on most steps; AMSGrad's maximum never did, so its denominator only reflects
# the largest gradients seen. Whether that helps is problem-dependent; the experiments
# below use plain Adam, as the defaults of torch and Keras do.

# %% [markdown]
# ## 4. Moments that start at zero: the bias, derived
#
# **Intuition.** An average that starts at 0 and mixes in only $1-\beta$ of each new
# value needs many steps to fill up. On its first step $m_1 = (1-\beta_1) g_1$: a tenth
# of the gradient for $\beta_1 = 0.9$. For $v$ with $\beta_2 = 0.999$ it is a
# thousandth.
#
# **Math.** Unroll the recursion as in notebook 04:
#
# $$m_t = (1-\beta_1)\sum_{s=1}^{t} \beta_1^{\,t-s}\, g_s .$$
#
# Suppose the gradients are **stationary**: every $g_s$ has the same mean,
# $E[g_s] = E[g]$. Expectation is linear, so
#
# $$E[m_t] = (1-\beta_1)\sum_{k=0}^{t-1} \beta_1^{\,k}\; E[g]
#   = (1-\beta_1)\,\frac{1-\beta_1^t}{1-\beta_1}\; E[g] = (1-\beta_1^t)\, E[g],$$
#
# a geometric series. The same steps with $g_s^2$ give $E[v_t] = (1-\beta_2^t)\,E[g^2]$.
# The estimates are too small by exactly the factors $1-\beta_1^t$ and $1-\beta_2^t$, so
# dividing by them removes the bias at every step:
#
# $$E[\hat m_t] = E\!\left[\frac{m_t}{1-\beta_1^t}\right] = E[g], \qquad
#   E[\hat v_t] = E[g^2].$$
#
# The factor tends to 1, so the correction fades: for $\beta_1 = 0.9$ it is negligible
# after a few dozen steps, but $1 - 0.999^t$ reaches $\tfrac12$ only at $t = 693$ (the
# half-life of notebook 04) and $0.9$ only at $t = 2302$.

# %%
reach = {f: int(np.argmax(1 - 0.999 ** np.arange(1, 5000) >= f)) + 1 for f in (0.5, 0.9)}
print(f"1 − 0.999^t reaches 0.5 at t = {reach[0.5]} and 0.9 at t = {reach[0.9]}; 1 − 0.9^t "
      f"reaches 0.99 at t = {int(np.argmax(1 - 0.9 ** np.arange(1, 100) >= 0.99)) + 1}")
claim(reach == {0.5: 693, 0.9: 2302} and reach[0.5] == np.ceil(half_life(0.999)),
      "1 − 0.999^t reaches 1/2 at t = 693 (the half-life 692.8, rounded up) and 0.9 at "
      "t = 2302", measured=reach)

# %% [markdown]
# **Check 1: a constant gradient.** No expectation needed: $m_t = (1-\beta_1^t)\, g$
# exactly, so $\hat m_t = g$ and $\hat v_t = g^2$ at every step. `alr_teach.Adam` with
# `lr=0` only updates its state, which makes it a convenient moment calculator:

# %%
g_const = np.array([0.5, -2.0, 1e-3])
calculator, t = Adam(lr=0.0), np.arange(1, 51)
history = []
for _ in t:
    calculator.step(np.zeros(3), g_const)
    history.append((calculator.state["m"], calculator.state["v"]))
m_const, v_const = (np.array(h) for h in zip(*history))
m_gap = np.max(np.abs(m_const / ((1 - 0.9 ** t[:, None]) * g_const) - 1))
v_gap = np.max(np.abs(v_const / ((1 - 0.999 ** t[:, None]) * g_const**2) - 1))
claim(max(m_gap, v_gap) < 1e-12, "m_t = (1 − β1^t) g and v_t = (1 − β2^t) g² at every "
      "step, to 1e-12", measured=f"largest relative gaps {m_gap:.1e} and {v_gap:.1e}")
print(f"m_1 / g = {m_const[0, 0] / g_const[0]:.3f}, v_1 / g² = {v_const[0, 0] / 0.25:.4f}; "
      "after correction both are 1 at every step (to 1e-12)")

# %% [markdown]
# **Check 2: a noisy stationary gradient.** Now $g_t = \mu + \sigma z_t$ with $\mu = 0.5$,
# $\sigma = 1$ and $z_t$ standard normal: $E[g] = 0.5$ and $E[g^2] = \mu^2 + \sigma^2 =
# 1.25$. We run 20 000 independent sequences (one per coordinate of one `Adam`) for 50
# steps and average $m_t$, $\hat m_t$, $v_t$, $\hat v_t$ over
# them. The derivation predicts the means; the spread of the averages is their standard
# error, and we require every prediction to lie within 4 standard errors.

# %%
n, mu, sigma = 20_000, 0.5, 1.0
noisy_grads = mu + sigma * rng.standard_normal((50, n))
calculator, history = Adam(lr=0.0), []
for g in noisy_grads:
    calculator.step(np.zeros(n), g)
    history.append((calculator.state["m"], calculator.state["v"]))
m_all, v_all = (np.array(h) for h in zip(*history))            # (steps, sequences)
c1, c2 = 1 - 0.9 ** t[:, None], 1 - 0.999 ** t[:, None]
estimates = {"m": (m_all, c1 * mu), "m_hat": (m_all / c1, mu),
             "v": (v_all, c2 * (mu**2 + sigma**2)), "v_hat": (v_all / c2, mu**2 + sigma**2)}
gaps = {}
for name, (samples, predicted) in estimates.items():
    mean, standard_error = samples.mean(axis=1), samples.std(axis=1) / np.sqrt(n)
    worst = np.max(np.abs(mean - np.ravel(predicted * np.ones_like(c1))) / standard_error)
    print(f"{name:6s} mean at t = 1: {mean[0]:.4f}, at t = 50: {mean[-1]:.4f}; "
          f"largest gap to the prediction: {worst:.1f} standard errors")
    gaps[name] = worst
claim(max(gaps.values()) < 4, "every predicted mean lies within 4 standard errors of the "
      "average over the sequences", measured=f"largest gap {max(gaps.values()):.1f}")

# %% [markdown]
# The raw averages sit where $(1-\beta^t)$ puts them (for $v$, at $t = 1$, a thousandth
# of 1.25); the corrected ones sit on $E[g] = 0.5$ and $E[g^2] = 1.25$ from the first step.

# %%
fig, (ax_m, ax_v) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
for ax, raw, corrected, c, target, symbol in [(ax_m, "m", "m_hat", c1, mu, "m"),
                                              (ax_v, "v", "v_hat", c2, mu**2 + sigma**2, "v")]:
    ax.plot(t, estimates[raw][0].mean(axis=1), label=f"mean of ${symbol}_t$ (raw)",
            markevery=5, **style(0))
    ax.plot(t, estimates[corrected][0].mean(axis=1), markevery=5,
            label=rf"mean of $\hat {symbol}_t$ (corrected)", **style(1))
    ax.plot(t, c[:, 0] * target, color="black", linestyle=":",
            label=r"derived $(1-\beta^t)\,E[\cdot]$")
    ax.axhline(target, color="0.5", linewidth=1, label=f"target {target:g}")
    ax.set(xlabel="step t", ylabel=f"average over {n:,} sequences".replace(",", " "))
    ax.legend(fontsize=8)
ax_v.set_yscale("log")
ax_m.set_title("First moment: the raw average catches up within a few dozen steps")
ax_v.set_title(f"Second moment: the raw average is still filling after {t.size} steps")
plt.show()

# %% [markdown]
# **One caveat, checked.** $\hat v_t$ is unbiased for $E[g^2]$, but Adam divides by
# $\sqrt{\hat v_t}$, and the root of an unbiased estimate is biased low (Jensen's
# inequality). At $t = 1$, $\sqrt{\hat v_1} = |g_1|$, whose mean is below
# $\sqrt{E[g^2]}$:

# %%
root_mean = np.sqrt(v_all[0] / c2[0]).mean()
root_error = np.sqrt(v_all[0] / c2[0]).std() / np.sqrt(n)
print(f"mean of √v̂_1 = {root_mean:.4f}, √E[g²] = {np.sqrt(mu**2 + sigma**2):.4f}")
claim(np.sqrt(mu**2 + sigma**2) - root_mean > 10 * root_error,
      "the mean of √v̂_1 lies more than 10 standard errors below √E[g²]",
      measured=f"{(np.sqrt(mu**2 + sigma**2) - root_mean) / root_error:.0f} standard errors")

# %% [markdown]
# Bias correction makes the *moments* unbiased, not the step. It is still the right
# scale: without it the first step would be off by a factor of 3 (next section).
#
# **The picture for one run.** `plot_moments` shows one coordinate of an actual run (a
# noisy version of notebook 01's tilted valley, Adam's defaults apart from the rate): the
# squared gradients (grey), $v_t$ starting a thousand times too low and filling slowly,
# $\hat v_t$ on the scale of $g_t^2$ from the first step; likewise $|m_t|$ and
# $|\hat m_t|$.

# %%
valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
noisy_valley = Noisy(valley, sigma=0.5, seed=0)
moments_run = run(Adam(lr=0.01), noisy_valley, steps=100)
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
plot_moments(ax, moments_run, beta1=0.9, beta2=0.999, coordinate=0, steps=100)
plt.show()
g1, v1 = moments_run.grads[0, 0], moments_run.state["v"][0, 0]
claim(bool(np.isclose(v1, (1 - 0.999) * g1**2, rtol=1e-12)),
      "v_1 = (1 − β2) g_1²: a thousand times too small, and v̂_1 = g_1²",
      measured=f"v_1 / g_1² = {v1 / g1**2:.6f}")

# %% [markdown]
# ## 5. What goes wrong without the correction
#
# **The first step, derived.** With $m_0 = v_0 = 0$: $m_1 = (1-\beta_1)\,g_1$ and
# $v_1 = (1-\beta_2)\,g_1^2$. With the correction, $\hat m_1 = g_1$, $\hat v_1 = g_1^2$
# and the first step is $\eta\, g_1/(|g_1| + \epsilon) \approx \eta\,\mathrm{sign}(g_1)$.
# Without it the step is
#
# $$\eta\,\frac{(1-\beta_1)\, g_1}{\sqrt{1-\beta_2}\,|g_1| + \epsilon}
#   \approx \eta\,\frac{1-\beta_1}{\sqrt{1-\beta_2}}\,\mathrm{sign}(g_1)
#   \qquad (|g_1| \gg \epsilon).$$
#
# So the corrected first step is $\sqrt{1-\beta_2}/(1-\beta_1)$ times the uncorrected one,
# whatever the gradient. The two memories are filled at different speeds, and which one is
# faster decides the direction of the error: with the defaults the numerator is a tenth,
# the root of the denominator about a thirtieth, so the uncorrected step is **too large**; with
# $\beta_1 = 0.99$ and $\beta_2 = 0.999$ it is **too small**. On a steady slope the
# uncorrected step at step $t$ is $\eta(1-\beta_1^t)/\sqrt{1-\beta_2^t}$; Adam's is $\eta$.

# %%
pairs = [(0.9, 0.999), (0.99, 0.999), (0.9, 0.9999), (0.9, 0.99)]
g_first = np.array([1e-2, 1.0, 1e2])                 # three scales of gradient
ratio_gap = corrected_gap = 0.0
for beta1, beta2 in pairs:
    steps = {}
    for correct in (True, False):
        state = {"m": np.zeros(3), "v": np.zeros(3)}
        steps[correct] = -adam_step(np.zeros(3), g_first, state, 1, lr=1.0, beta1=beta1,
                                    beta2=beta2, correct=correct)
    ratio = steps[True] / steps[False]
    print(f"β1={beta1:<4} β2={beta2:<6}: uncorrected step {steps[False][1]:6.3f} lr; "
          f"corrected / uncorrected {ratio[1]:.4f} "
          f"(formula {np.sqrt(1 - beta2) / (1 - beta1):.4f})")
    ratio_gap = max(ratio_gap, np.max(np.abs(ratio / (np.sqrt(1 - beta2) / (1 - beta1)) - 1)))
    corrected_gap = max(corrected_gap, np.max(np.abs(steps[True] - 1.0)))
claim(ratio_gap < 1e-3, "corrected / uncorrected first step = √(1−β2)/(1−β1) for every "
      "pair and gradient scale, to 0.1 %", measured=f"largest relative gap {ratio_gap:.1e}")
claim(corrected_gap < 1e-5, "the corrected first step is the rate, to 1e-5",
      measured=f"largest gap {corrected_gap:.1e}")

# %% [markdown]
# The measured steps on a steady slope (a constant gradient, many steps) against the
# formula, for the same pairs:

# %%
t_long = np.arange(1, 3001)
beta1s, beta2s = (np.array(b) for b in zip(*pairs))
opt = UncorrectedAdam(lr=1.0, betas=(beta1s, beta2s))  # all four pairs at once (one row each)
x, taken = np.zeros((4, 1)), []
for _ in t_long:
    x_new = opt.step(x, np.full((4, 1), 2.0))        # a constant gradient of 2
    taken.append(x[:, 0] - x_new[:, 0])
    x = x_new
fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
formula_gap = 0.0
for i, (beta1, beta2) in enumerate(pairs):
    measured = np.array(taken)[:, i]
    formula = uncorrected_step_size(beta1, beta2, t_long)
    formula_gap = max(formula_gap, np.max(np.abs(measured / formula - 1)))
    ax.semilogx(t_long, measured, label=f"without correction, β1={beta1}, β2={beta2}",
                markevery=0.1, **style(i))
ax.axhline(1.0, color="black", linewidth=2, label="Adam (with correction): exactly lr")
ax.set(xlabel="step t (log scale)", ylabel="step taken / lr",
       title="On a steady slope: the uncorrected step, measured (lines) = formula")
ax.legend(fontsize=8)
plt.show()
claim(formula_gap < 1e-6, "the measured uncorrected steps follow η(1−β1^t)/√(1−β2^t), "
      "to 1e-6", measured=f"largest relative gap {formula_gap:.1e}")

# %%
default_curve = uncorrected_step_size(0.9, 0.999, t_long)
peak = int(np.argmax(default_curve)) + 1
print(f"defaults, no correction: step {default_curve[0]:.2f} lr at t = 1, peak "
      f"{default_curve.max():.2f} lr at t = {peak}, {default_curve[999]:.2f} lr at t = 1000")
claim(peak == 12 and default_curve.max() > 6 and 1.25 < default_curve[999] < 1.27,
      "with the defaults the uncorrected step peaks above 6 η at t = 12 and is still about "
      "26 % too long at t = 1000", measured=f"peak {default_curve.max():.2f} at t = {peak}, "
      f"{default_curve[999]:.3f} at t = 1000")
slow = uncorrected_step_size(0.99, 0.999, t_long)
short_for = int(np.argmax(slow >= 1.0))
claim(slow[0] < 0.32 and short_for == 10, "with β1 = 0.99 the uncorrected steps start "
      "below 0.32 η and are too short for the first 10 steps",
      measured=f"first step {slow[0]:.3f} η, too short for {short_for} steps")

# %% [markdown]
# With the defaults the uncorrected steps are over 6 times the rate near step 12 and
# still 26 % too long after 1000 steps: without the correction $\eta$ does not mean what
# it says for the first thousands of steps, and how wrong it is depends on $\beta_1$ and
# $\beta_2$.
#
# **Does it matter once the rate is tuned?** A larger early step is not always worse: it
# acts like a larger rate (try it in the explorer of section 10). The fair question is
# whether tuning the rate makes up for it. Adam and its uncorrected variant, swept as in
# section 1 (500 steps), with $\beta_2 = 0.999$ and $0.9999$:

# %%
CORRECTION_STEPS, BETA2S = 500, (0.999, 0.9999)
corrections = {f"{name}, β2={b2}": (cls, {"betas": (0.9, b2)}) for b2 in BETA2S
               for name, cls in [("Adam", Adam), ("uncorrected", UncorrectedAdam)]}
outcome = {}
for landscape in (banana, beale):
    swept = sweep_learning_rates(corrections, landscape, lrs, steps=CORRECTION_STEPS)
    outcome[landscape.name] = {k: judged_by_tail(r, landscape) for k, r in swept.items()}
fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
plot_lr_sweeps(ax, outcome["rosenbrock"])
ax.set(ylabel=f"mean loss − minimum, last {TAIL} steps (log)",
       title=f"Rosenbrock, {CORRECTION_STEPS} steps: with and without bias correction "
             "(★ best rate)")
plt.show()

# %%
def loss_text(gap):
    """A loss gap as printed: two digits, or "below 1e-12" once it is solved (the digits of
    a loss at the level of rounding errors differ from one machine to the next)."""
    return f"below {SOLVED:.0e}" if gap < SOLVED else f"{gap:.1e}"


for name, results in outcome.items():
    for label, result in results.items():
        print(f"{name:10s} {label:22s} best lr {result.best()['lr']:8.2e}, "
              f"loss {loss_text(np.nanmin(result.final_loss))}")
rosen = {k: (r.best()["lr"], np.nanmin(r.final_loss)) for k, r in outcome["rosenbrock"].items()}
for b2 in BETA2S:
    adam_lr, adam_loss = rosen[f"Adam, β2={b2}"]
    plain_lr, plain_loss = rosen[f"uncorrected, β2={b2}"]
    claim(plain_loss > 10 * adam_loss and adam_lr > 5 * plain_lr,
          f"on Rosenbrock with β2 = {b2}, the uncorrected variant's best rate is more than 5 "
          "times lower and its loss more than 10 times higher",
          measured=f"rates {adam_lr:.2g} and {plain_lr:.2g}, losses {adam_loss:.1e} and "
          f"{plain_loss:.1e}")
claim(all(np.nanmin(r.final_loss) < SOLVED for r in outcome["beale"].values()),
      f"on Beale all four reach the minimum to {SOLVED:g} at their tuned rates")

# %% [markdown]
# On Rosenbrock the uncorrected variant's best rate is several times lower (its early
# steps are too long, so the sweep picks a smaller rate), and at that rate it ends more
# than ten times higher: the rate that tames the first steps is too small later on. On
# Beale both versions reach the minimum to $10^{-12}$ at their tuned rates. So bias
# correction is not magic speed; it makes $\eta$ mean "about $\eta$ per coordinate per
# step" from the first step on, so that one rate suits the start and the rest of the run.
#
# ## 6. The defaults, and what each one controls
#
# torch, Keras and `alr_teach` share Adam's paper defaults $\eta = 10^{-3}$,
# $\beta_1 = 0.9$, $\beta_2 = 0.999$; $\epsilon$ is $10^{-8}$ in the paper, torch and
# here, $10^{-7}$ in Keras (placed differently, section 7).

# %%
signature = inspect.signature(Adam).parameters
defaults = {name: signature[name].default for name in ("lr", "betas", "eps")}
print(f"alr_teach.Adam defaults: {defaults}")
for name, beta in [("β1 (direction)", 0.9), ("β2 (scale)", 0.999)]:
    print(f"{name:15s} {beta}: memory 1/(1−β) = {effective_memory(beta):6.0f} steps, "
          f"half-life {half_life(beta):6.1f} steps")

# %% [markdown]
# - **$\eta$ is a distance.** With the correction, a steady slope gives a step of exactly
#   $\eta$ per coordinate (section 5), whatever the gradient's size. So $\eta$ is measured
#   in the units of the parameters, and $10^{-3}$ presumes that they need to move little.
#   Measured: on Rosenbrock no coordinate ever moved by more than $\eta$ in one step, at
#   three rates; and the default rate, with 2.5 units to travel in $x$, cannot arrive in
#   2000 steps.
# - **$\beta_1$** sets the memory of the *direction*: about 10 steps. Larger values smooth
#   noise and carry speed along curved valleys, as momentum does.
# - **$\beta_2$** sets the memory of the *scale*: about 1000 steps. It decides how fast
#   the per-coordinate rates follow a change in gradient size (notebook 04) and how long
#   the bias correction matters.
# - **$\epsilon$** is the gradient size below which Adam stops adapting: next section.

# %%
three_rates = np.array([1e-3, 1e-2, 1e-1])                 # one run per rate, as a batch
walks = run(Adam(lr=three_rates), banana, np.tile(banana.start, (3, 1)), steps=2000,
            record_state=False)
largest = np.abs(np.diff(walks.points, axis=0)).max(axis=(0, 2)) / three_rates
for i, lr in enumerate(three_rates):
    print(f"lr = {lr:g}: largest step of a coordinate {largest[i]:.4f} lr; after 2000 steps "
          f"x = {walks.points[-1, i, 0]:6.3f}, loss {loss_text(walks.final_loss[i])}")
claim(bool(np.all(largest <= 1 + 1e-9)), "no coordinate ever moves by more than η in one step",
      measured=f"largest step {largest.max():.6f} η")
claim(walks.points[-1, 0, 0] < -1.0 and walks.final_loss[0] > 1.0,
      f"at lr = {three_rates[0]:g} Adam is still at x < −1, with a loss above 1, after 2000 "
      "steps", measured=f"x = {walks.points[-1, 0, 0]:.3f}, loss {walks.final_loss[0]:.2g}")

# %% [markdown]
# The advice "start with Adam at $10^{-3}$" gives a first value to try, not an
# answer: here it crawls, and section 9 shows which rates work.
#
# ## 7. $\epsilon$: when the gradients are tiny
#
# **Intuition.** Section 2's scale invariance has one exception. When the gradients are
# much smaller than $\epsilon$, the denominator $\sqrt{\hat v_t} + \epsilon$ is just
# $\epsilon$, and the step becomes
#
# $$x_t = x_{t-1} - \frac{\eta}{\epsilon}\,\hat m_t \qquad (\sqrt{\hat v_t} \ll \epsilon):$$
#
# gradient descent on the averaged gradient, with learning rate $\eta/\epsilon$. With
# $\beta_1 = 0$ it is plain SGD with rate $\eta/\epsilon$. Adaptivity is gone.
#
# **Experiment.** Notebook 01's tilted valley with the loss multiplied by $10^{-6}$ (the
# same landscape, so every gradient is a million times smaller: $10^{-7}$ to
# $3\cdot 10^{-6}$ at the start). Adam with $\eta = 0.01$ and four values of $\epsilon$,
# 500 steps, against Adam on the unscaled valley. Losses are shown relative to the start.

# %%
tiny = Quadratic(curvatures=[1e-6, 25e-6], angle=np.pi / 6, start=[1.5, 1.0])
g_start = np.abs(tiny.grad(tiny.start))
print(f"gradient at the start: {np.array2string(g_start, precision=2)}")
claim(1e-7 < g_start.min() and g_start.max() < 4e-6,
      "the gradients at the start lie between 1e-7 and 4e-6", measured=g_start)
TINY_LR, TINY_STEPS = 0.01, 500
epsilons = [1e-8, 1e-6, 1e-3, 1e-1]
reference = run(Adam(lr=TINY_LR), valley, steps=TINY_STEPS, record_state=False)
eps_runs = {eps: run(Adam(lr=TINY_LR, eps=eps), tiny, steps=TINY_STEPS, record_state=False)
            for eps in epsilons}


def relative(trajectory):
    """The run with its losses divided by the starting loss."""
    return dataclasses.replace(trajectory, losses=trajectory.losses / trajectory.losses[0])


fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
labels = [f"loss × 1e-6, ε = {eps:g}" for eps in epsilons] + ["unscaled loss, ε = 1e-8"]
plot_losses(ax, [relative(r) for r in eps_runs.values()] + [relative(reference)], labels)
ax.set(ylabel="loss / starting loss (log scale)",
       title=f"Adam(lr={TINY_LR:g}) on the valley: ε decides whether tiny gradients are "
             "followed")
plt.show()

# %%
final = {eps: float(r.losses[-1] / r.losses[0]) for eps, r in eps_runs.items()}
for eps in epsilons:
    gap = np.abs(eps_runs[eps].points - reference.points).max()
    print(f"ε = {eps:5.0e}: final loss / start {final[eps]:.1e}; largest distance from the "
          f"unscaled run {gap:.3f}")
follows = np.abs(eps_runs[1e-8].points - reference.points).max()
claim(follows < 0.05, "with ε = 1e-8 the path stays within 0.05 of the unscaled run",
      measured=f"{follows:.3f}")
claim(final[1e-8] < 1e-9 and 1e-3 < final[1e-6] < 1e-2 and min(final[1e-3], final[1e-1]) > 0.9,
      "the loss falls below 1e-9 of its start with ε = 1e-8, to between 1e-3 and 1e-2 with "
      "ε = 1e-6, and keeps more than 90 % with ε = 1e-3 and 1e-1",
      measured={eps: f"{value:.1e}" for eps, value in final.items()})

# %% [markdown]
# With $\epsilon = 10^{-8}$ Adam barely notices the scaling: its path stays within 0.05 of
# the unscaled one (the smallest gradient at the start, about $10^{-7}$, is only ten times
# $\epsilon$). With $\epsilon = 10^{-6}$, about the gradients' size, it slows down. With
# $10^{-3}$ and $10^{-1}$ it is gradient descent with rates $\eta/\epsilon = 10$ and $0.1$
# on curvatures of at most $2.5\cdot 10^{-5}$, and it hardly moves.
#
# **The limit, checked.** With $\beta_1 = 0$, Adam with rate $\eta$ and a large
# $\epsilon$ should match `SGD(lr=η/ε)`, more closely the larger $\epsilon$ is. Keep
# $\eta/\epsilon = 10^4$ (a stable SGD rate here: $10^4 \cdot 25\cdot 10^{-6} = 0.25 < 2$)
# and grow $\epsilon$:

# %%
SGD_LR = 1e4                               # the SGD rate η/ε that Adam should turn into
LARGE_EPSILONS = (1e-4, 1e-3, 1e-2, 1e-1)
sgd_limit = run(SGD(lr=SGD_LR), tiny, steps=200, record_state=False)
moved = np.abs(sgd_limit.points - tiny.start).max()
gaps = []
for eps in LARGE_EPSILONS:
    adam_big_eps = run(Adam(lr=SGD_LR * eps, betas=(0.0, 0.999), eps=eps), tiny, steps=200,
                       record_state=False)
    gaps.append(np.abs(adam_big_eps.points - sgd_limit.points).max() / moved)
    print(f"ε = {eps:5.0e}, lr = {SGD_LR * eps:g}: largest gap to SGD(lr={SGD_LR:g}) "
          f"{gaps[-1]:.1e} of the distance moved")
claim(bool(np.all(np.diff(np.log10(gaps)) < -0.9)) and gaps[-1] < 1e-4,
      "each tenfold ε brings Adam about ten times closer to SGD(lr=η/ε), to within 1e-4 of "
      f"the distance moved at ε = {LARGE_EPSILONS[-1]:g}",
      measured=", ".join(f"{g:.1e}" for g in gaps))

# %% [markdown]
# **"Raise $\epsilon$ from $10^{-8}$ to $10^{-6}$ if the loss oscillates".** That
# only changes anything when the gradients are near $10^{-6}$ or below. Test it where the
# loss does oscillate: the tilted valley with noisy gradients ($\sigma = 1$, as
# mini-batches would give), 1000 steps, measuring how much the loss swings (its standard
# deviation) over the last 500 steps:

# %%
swinging = Noisy(valley, sigma=1.0, seed=1)
swings, paths = {}, {}
for lr, eps in [(0.1, 1e-8), (0.1, 1e-6), (0.1, 1e-1), (0.01, 1e-8)]:
    trajectory = run(Adam(lr=lr, eps=eps), swinging, steps=1000, record_state=False)
    swings[lr, eps], paths[lr, eps] = trajectory.losses[-500:].std(), trajectory.points
    print(f"lr = {lr:4}, ε = {eps:5.0e}: the loss swings by {swings[lr, eps]:.4f} "
          f"(standard deviation, last 500 steps)")
difference = np.abs(paths[0.1, 1e-8] - paths[0.1, 1e-6]).max()
print(f"ε = 1e-8 and 1e-6 at lr = 0.1: the paths differ by at most {difference:.1e}")
claim(difference < 1e-5 and np.isclose(swings[0.1, 1e-6], swings[0.1, 1e-8], rtol=1e-4),
      "ε = 1e-6 gives the same run as ε = 1e-8, to within 1e-5",
      measured=f"paths differ by {difference:.1e}")
claim(swings[0.1, 1e-1] > 0.8 * swings[0.1, 1e-8],
      "even ε = 0.1 reduces the swings by less than a fifth",
      measured=f"{swings[0.1, 1e-1]:.4f} against {swings[0.1, 1e-8]:.4f}")
claim(swings[0.01, 1e-8] < swings[0.1, 1e-8] / 5,
      "a ten times lower rate reduces the swings more than fivefold",
      measured=f"{swings[0.01, 1e-8]:.4f} against {swings[0.1, 1e-8]:.4f}")

# %% [markdown]
# Raising $\epsilon$ to $10^{-6}$ gives the same run to within $10^{-5}$, and even
# $\epsilon = 0.1$ reduces the swings by less than a fifth; a ten times lower rate
# reduces them more than fivefold. For the first remedy, lower the rate; raise
# $\epsilon$ only if the gradients really are that small.
#
# **Where $\epsilon$ goes: torch vs Keras.** The paper (Algorithm 1), torch and
# `alr_teach` add $\epsilon$ to $\sqrt{\hat v_t}$. Keras and TensorFlow use the form the
# paper mentions at the end of its section 2, with an "epsilon hat" $\hat\epsilon$ added to
# $\sqrt{v_t}$ *before* correction and the corrections folded into the rate:
#
# $$x_t = x_{t-1} - \eta\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\cdot
#   \frac{m_t}{\sqrt{v_t} + \hat\epsilon}
#   = x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \hat\epsilon/\sqrt{1-\beta_2^t}} .$$
#
# (Multiply the numerator and the denominator of the second fraction by
# $1/\sqrt{1-\beta_2^t}$.) So Keras's $\hat\epsilon$ is torch's $\epsilon$ divided by
# $\sqrt{1-\beta_2^t}$: about 31.6 times larger on the first step, tending to $\hat\epsilon$
# after a few thousand steps. Checked step by step, by giving `alr_teach.Adam` that
# time-varying $\epsilon$:

# %%
def keras_adam_step(x, g, state, t, lr=1e-3, beta1=0.9, beta2=0.999, eps_hat=1e-7):
    state["m"] = beta1 * state["m"] + (1 - beta1) * g
    state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
    lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return x - lr_t * state["m"] / (np.sqrt(state["v"]) + eps_hat)


small_grads = 1e-6 * rng.standard_normal((50, 4))         # small enough for eps to matter
x_keras = x_torch = np.zeros(4)
state, torch_form = {"m": np.zeros(4), "v": np.zeros(4)}, Adam(lr=1e-3)
form_gap = 0.0
for t, g in enumerate(small_grads, start=1):
    x_keras = keras_adam_step(x_keras, g, state, t)
    torch_form.eps = 1e-7 / np.sqrt(1 - 0.999**t)        # the equivalent torch epsilon
    x_torch = torch_form.step(x_torch, g)
    form_gap = max(form_gap, np.max(np.abs(x_keras - x_torch) / (np.abs(x_torch) + 1e-12)))
claim(form_gap < 1e-12, "the two forms give the same points at every step, to 1e-12",
      measured=f"largest relative gap {form_gap:.1e}")
print("Keras's form with ε̂ = torch's form with ε = ε̂ / √(1 − β2^t): equal for 50 steps")

# %% [markdown]
# The first step for a gradient of $10^{-6}$, each library with its own default, and then
# with the same value $10^{-8}$ for both:

# %%
g_small = np.array([1e-6])
first_steps = {}
for label, eps_torch, eps_keras in [("own defaults", 1e-8, 1e-7), ("both 1e-8", 1e-8, 1e-8)]:
    torch_first = -Adam(lr=1.0, eps=eps_torch).step(np.zeros(1), g_small)[0]
    keras_first = -keras_adam_step(np.zeros(1), g_small, {"m": 0.0, "v": 0.0}, 1, lr=1.0,
                                   eps_hat=eps_keras)[0]
    first_steps[label] = (torch_first, keras_first)
    print(f"{label:12s}: first step / lr: torch {torch_first:.3f}, Keras {keras_first:.3f}")
torch_first, keras_first = first_steps["own defaults"]
claim(bool(np.isclose(keras_first, 1e-6 / (1e-6 + 1e-7 / np.sqrt(0.001)), rtol=1e-12)
           and np.isclose(torch_first, 1 / 1.01, rtol=1e-12)),
      "the first steps are g/(g + ε) for torch and g/(g + ε̂/√(1−β2)) for Keras")
shorter = 1 - first_steps["both 1e-8"][1] / first_steps["both 1e-8"][0]
claim(torch_first / keras_first > 4 and 0.2 < shorter < 0.25,
      "with their own defaults Keras's first step is more than 4 times shorter; with equal "
      "values, between a fifth and a quarter shorter",
      measured=f"{torch_first / keras_first:.2f} times; {shorter:.0%} shorter")

# %% [markdown]
# With their own defaults, Keras's first step is about four times shorter than torch's on
# gradients of $10^{-6}$; even with equal values, the Keras form's is about a quarter
# shorter. For gradients of ordinary size ($\gg 10^{-6}$) all of these agree.
#
# ## 8. Experiment: Adam vs RMSProp
#
# **Question.** Adam is RMSProp plus momentum plus bias correction. Does that make it
# better, and where? We compare at each method's own best rate.
#
# **Fair set-up.** RMSProp with torch's defaults ($\alpha = 0.99$, $\epsilon = 10^{-8}$,
# no momentum), Adam with its defaults; the rate of each from the grid of section 1 (49
# rates, $10^{-5}$ to 10), judged by the mean loss above the minimum over the last 50 of
# 500 steps. One start can mislead (a run near the edge of stability turns on the last
# bit of a rounding error), so every landscape is raced from five starts: its usual one
# and four others, each moved from it by a seeded random step of about 0.1 per
# coordinate; each method is tuned afresh on each start. On a
# start, a method is **clearly better** when its loss is more than 10 times lower, unless
# both are below $10^{-12}$ (both solved: a tie). A landscape's verdict is a method only
# if it was clearly better on every start.
#
# **Clean landscapes** first, six of them, with a third contestant that tells the
# ingredients apart: Adam with $\beta_1 = 0$ (no momentum), on the same grid.

# %%
RACE_STEPS, CLEARLY = 500, 10      # steps per run; "clearly better" means this many times lower
N_STARTS, JITTER = 5, 0.1          # starts per landscape, and how far the extra ones lie
LANDSCAPES = ["rosenbrock", "rotated quadratic", "ill-conditioned quadratic", "beale",
              "himmelblau", "booth"]
pair = {"RMSProp": RMSProp, "Adam": Adam}
trio = {**pair, "Adam β1=0": (Adam, {"betas": (0.0, 0.999)})}    # Adam without momentum


def starts_of(landscape):
    """The landscape's own start and N_STARTS − 1 others, JITTER × a seeded normal away."""
    others = [landscape.start + JITTER * np.random.default_rng(seed).standard_normal(landscape.dim)
              for seed in range(1, N_STARTS)]
    return np.array([landscape.start, *others])


clean = {}      # landscape -> method -> best loss on each start (floored at 0)
at_edge = []    # (landscape, method, start): RMSProp or Adam best at the grid's edge, unsolved
for name in LANDSCAPES:
    landscape = get(name)
    clean[name] = {k: [] for k in trio}
    for start, x0 in enumerate(starts_of(landscape)):
        swept = sweep_learning_rates(trio, landscape, lrs, steps=RACE_STEPS, x0=x0)
        for k, r in swept.items():
            judged = judged_by_tail(r, landscape)
            clean[name][k].append(max(float(np.nanmin(judged.final_loss)), 0.0))
            inside = lrs[0] < judged.best()["lr"] < lrs[-1]
            if k in pair and not inside and clean[name][k][-1] >= SOLVED:
                at_edge.append((name, k, start))
    clean[name] = {k: np.array(v) for k, v in clean[name].items()}
claim(not at_edge, "RMSProp's and Adam's best rates lie inside the grid wherever they did "
      "not solve the landscape", measured=at_edge)


def verdict(rms, adam):
    """The landscape's verdict from the per-start losses of RMSProp and Adam."""
    both_solved = np.maximum(rms, adam) < SOLVED
    adam_clearly = ~both_solved & (adam * CLEARLY < rms)
    rms_clearly = ~both_solved & (rms * CLEARLY < adam)
    if both_solved.all():
        return "tie (both solved)", both_solved, adam_clearly, rms_clearly
    best = "Adam" if adam_clearly.all() else "RMSProp" if rms_clearly.all() else "mixed"
    return best, both_solved, adam_clearly, rms_clearly


verdicts = {}
print(f"{'on each of ' + str(N_STARTS) + ' starts':25s} {'both solved':>12s} "
      f"{'Adam ' + str(CLEARLY) + '× lower':>15s} {'RMSProp ' + str(CLEARLY) + '× lower':>18s}"
      "   verdict")
for name in LANDSCAPES:
    verdicts[name], solved, adam_won, rms_won = verdict(clean[name]["RMSProp"],
                                                        clean[name]["Adam"])
    print(f"{name:25s} {count(solved):>12s} {count(adam_won):>15s} {count(rms_won):>18s}"
          f"   {verdicts[name]}")

# %% [markdown]
# **Noisy landscapes.** Two of the four on which Adam won, the curved Rosenbrock and the
# tilted (rotated) quadratic, with Gaussian noise of $\sigma = 1$ added
# to every gradient (`Noisy`, as mini-batches would). Ten noise seeds: each method's rate
# is chosen on seeds 0-4 (the geometric mean of the loss over those seeds, per rate) and
# then judged on seeds 5-9, which played no part in the choice.

# %%
NOISE, NOISE_SEEDS, TUNING_SEEDS = 1.0, range(10), 5   # σ; all seeds; the first few tune
NOISY_LANDSCAPES = ("rosenbrock", "rotated quadratic")
noisy = {}  # base landscape -> method -> (chosen lr, losses on the held-out seeds)
for name in NOISY_LANDSCAPES:
    per_seed = {k: [] for k in pair}
    for seed in NOISE_SEEDS:
        landscape = Noisy(get(name), sigma=NOISE, seed=seed)
        for k, r in sweep_learning_rates(pair, landscape, lrs, steps=RACE_STEPS).items():
            per_seed[k].append(judged_by_tail(r, landscape).final_loss)
    noisy[name] = {}
    for k, losses in per_seed.items():
        losses = np.where(np.isnan(losses), np.inf, losses)
        tuning = np.exp(np.mean(np.log(losses[:TUNING_SEEDS]), axis=0))
        chosen = int(np.argmin(tuning))
        claim(0 < chosen < lrs.size - 1, f"{k}'s chosen rate on noisy {name} lies inside "
              "the grid", measured=f"lr {lrs[chosen]:.2g}")
        noisy[name][k] = (lrs[chosen], losses[TUNING_SEEDS:, chosen])
    ratio = noisy[name]["RMSProp"][1] / noisy[name]["Adam"][1]
    print(f"noisy {name}: chosen lr RMSProp {noisy[name]['RMSProp'][0]:.2g}, Adam "
          f"{noisy[name]['Adam'][0]:.2g}\n    RMSProp / Adam loss on the held-out seeds: "
          + ", ".join(np.format_float_positional(r, 2, fractional=False, trim="-")
                      for r in ratio))

# %%
fig, (ax_clean, ax_noisy) = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained",
                                         width_ratios=[3, 2])
spread = np.linspace(-0.05, 0.05, N_STARTS)
for i, k in enumerate(trio):
    for j, name in enumerate(LANDSCAPES):
        ax_clean.semilogy(j + 0.2 * (i - (len(trio) - 1) / 2) + spread,
                          np.maximum(clean[name][k], 1e-32), markersize=7,
                          label=k if j == 0 else None, **{**style(i), "linestyle": "none"})
for i, k in enumerate(pair):
    for j, name in enumerate(noisy):
        held_out = noisy[name][k][1]
        ax_noisy.semilogy(j + 0.12 * (2 * i - 1) + np.linspace(-0.05, 0.05, held_out.size),
                          held_out, markersize=7, label=k if j == 0 else None,
                          **{**style(i), "linestyle": "none"})
ax_clean.axhline(SOLVED, color="black", linestyle=":", linewidth=1,
                 label=f"solved ({SOLVED:g})")
ax_clean.set_xticks(range(len(LANDSCAPES)),
                    [n.replace(" quadratic", "\nquadratic") for n in LANDSCAPES])
ax_clean.set(ylabel=f"mean loss − minimum, last {TAIL} steps (log)",
             title=f"Clean gradients: each method at its best rate, {N_STARTS} starts "
                   "(floored at 1e-32)")
ax_noisy.set_xticks(range(len(noisy)), [f"noisy {n}\n(σ = {NOISE:g})" for n in noisy])
ax_noisy.set_xlim(-0.5, len(noisy) - 0.5)
ax_noisy.set(ylabel=f"mean loss − minimum, last {TAIL} steps (log)",
             title=f"Noisy gradients: {len(NOISE_SEEDS) - TUNING_SEEDS} held-out seeds each")
for ax in (ax_clean, ax_noisy):
    ax.set_xlabel("landscape")
    ax.legend(fontsize=8)
plt.show()

# %%
counts = {v: list(verdicts.values()).count(v) for v in sorted(set(verdicts.values()))}
print(f"clean landscapes: {counts}")
claim(verdicts == {"rosenbrock": "Adam", "rotated quadratic": "Adam", "beale": "Adam",
                   "booth": "Adam", "ill-conditioned quadratic": "tie (both solved)",
                   "himmelblau": "tie (both solved)"},
      "Adam is clearly better on Rosenbrock, the rotated quadratic, Beale and Booth, on "
      "every start, and both solve the other two", measured=verdicts)
rosen_p = paired(noisy["rosenbrock"]["Adam"][1] * CLEARLY, noisy["rosenbrock"]["RMSProp"][1])
print(f"noisy rosenbrock, Adam's loss × {CLEARLY} against RMSProp's: {rosen_p}")
claim(rosen_p.all_better, f"on noisy Rosenbrock Adam ends more than {CLEARLY} times lower on "
      "every held-out seed", measured=rosen_p)
quad_p = paired(noisy["rotated quadratic"]["Adam"][1], noisy["rotated quadratic"]["RMSProp"][1])
quad_ratio = noisy["rotated quadratic"]["RMSProp"][1] / noisy["rotated quadratic"]["Adam"][1]
print(f"noisy rotated quadratic, Adam against RMSProp: {quad_p}")
claim(quad_p.undecided and bool(np.all((quad_ratio > 0.2) & (quad_ratio < 5))),
      "on the noisy rotated quadratic each method is ahead on some held-out seeds, all within "
      "a factor of 5", measured=quad_p)
momentum_wins = [paired(clean[n]["Adam"] * CLEARLY, clean[n]["Adam β1=0"])
                 for n in ("rosenbrock", "beale")]
claim(all(p.all_better for p in momentum_wins), f"on Rosenbrock and Beale, β1 = 0.9 ends more "
      f"than {CLEARLY} times lower than β1 = 0 on every start", measured=momentum_wins)
memory_wins = [paired(clean[n]["Adam β1=0"] * CLEARLY, clean[n]["RMSProp"])
               for n in ("rotated quadratic", "booth")]
claim(all(p.all_better for p in memory_wins), "on the rotated quadratic and Booth, Adam with "
      f"β1 = 0 ends more than {CLEARLY} times lower than RMSProp on every start",
      measured=memory_wins)

# %% [markdown]
# **Result.** On clean gradients Adam was clearly better, on every start, on four
# landscapes (Rosenbrock, the rotated quadratic, Beale, Booth) and tied on the other two,
# where both reached the minimum from every start (the axis-aligned quadratic, where a
# per-coordinate rate is all one needs, and Himmelblau).
#
# **Which ingredient did it?** The third contestant, Adam with $\beta_1 = 0$, has no
# momentum: it is RMSProp with $\alpha = 0.999$ plus bias correction. On the rotated
# quadratic and Booth it already ends more than ten times lower than torch's RMSProp on
# every start, so there the gain came from the longer memory of the denominator (0.999
# against 0.99), not from momentum. On Rosenbrock's curved valley and on Beale,
# $\beta_1 = 0.9$ ends more than ten times lower than $\beta_1 = 0$ on every start
# (on Beale by many orders of magnitude; on Rosenbrock by a factor that changes from one
# start to the next, because $\beta_1 = 0$ is erratic there: its best runs are lucky
# bounces at the largest rates, once at the top of the grid): there momentum is what
# helps.
#
# With noisy gradients the picture splits. On noisy Rosenbrock Adam ended more than ten
# times lower on every held-out seed. On the noisy tilted bowl neither method won
# consistently: each was ahead on some seeds, all within a factor of 5.
#
# **Adam vs RMSProp, in one sentence:** at tuned rates Adam was never worse here and often
# far better, through momentum on curved valleys and through its longer second-moment
# memory on tilted bowls; on a noisy easy bowl we measured no consistent difference.
#
# ## 9. Robust to its hyperparameters?
#
# Adam is often called "fairly robust to hyperparameters". Compared with what? We
# sweep Adam's rate $\eta$ against $\beta_1$, and momentum SGD's rate against $\mu$ (its
# counterpart), on the **same grid**: 37 rates from $10^{-5}$ to 10 (log) by 34 values
# from 0 to 0.99; Rosenbrock, 1500 steps. A cell **converges** when its loss ends within
# $10^{-4}$ of the minimum. Because the rates are evenly spaced on a log axis and the
# $\beta_1$ / $\mu$ values evenly on a linear one, the fraction of cells is the fraction of
# the area in the (log rate, $\beta_1$) plane. Many cells of the grid sit near the edge
# of stability, where whether a run ends within $10^{-4}$ turns on rounding errors, so
# the grid is run from the five starts of section 8 and the numbers below are over all
# five (the heatmaps show the usual start).

# %%
GRID_LRS, GRID_BETAS = np.logspace(-5, 1, 37), np.linspace(0.0, 0.99, 34)
GRID_STEPS, CONVERGED = 1500, 1e-4   # steps per cell; a cell converges within this of the min
DEFAULT_CELL = (1e-3, 0.9)           # (lr, β1 or μ): Adam's defaults
grids = {"Adam": [], "SGD momentum": []}   # method -> one sweep per start
for x0 in starts_of(banana):
    grids["Adam"].append(sweep(Adam, banana, {"lr": GRID_LRS, "beta1": GRID_BETAS},
                               steps=GRID_STEPS, tol=CONVERGED, x0=x0))
    grids["SGD momentum"].append(sweep(SGD, banana, {"lr": GRID_LRS, "momentum": GRID_BETAS},
                                       steps=GRID_STEPS, tol=CONVERGED, x0=x0))
fig, axes = plt.subplots(1, len(grids), figsize=(7 * len(grids), 5), layout="constrained")
for ax, (name, results) in zip(axes, grids.items()):
    plot_sweep(ax, results[0])
    ax.contour(GRID_LRS, GRID_BETAS,
               (results[0].final_loss - banana.min_value < CONVERGED).T * 1.0,
               levels=[0.5], colors="white", linewidths=2, linestyles="--")
    ax.plot(*DEFAULT_CELL, marker="*", markersize=16, color="white", markeredgecolor="black",
            linestyle="none")
    ax.set_title(f"{name}: lr × {'β1' if name == 'Adam' else 'μ'} (the usual start)")
fig.suptitle(f"Rosenbrock, {GRID_STEPS} steps. White dashed line: around the cells that end "
             f"within {CONVERGED:g} of the minimum; ★: lr = {DEFAULT_CELL[0]:g} with "
             f"{DEFAULT_CELL[1]:g}")
plt.show()

# %%
i_default = (np.argmin(np.abs(GRID_LRS - DEFAULT_CELL[0])),
             np.argmin(np.abs(GRID_BETAS - DEFAULT_CELL[1])))
converged = {name: np.array([r.final_loss - banana.min_value < CONVERGED for r in results])
             for name, results in grids.items()}        # (start, lr, β); NaN (diverged): False
diverged = {name: np.array([r.diverged for r in results]) for name, results in grids.items()}
area = {name: c.mean(axis=(1, 2)) for name, c in converged.items()}      # one per start
spans = {}
for name, c in converged.items():
    at_09 = [GRID_LRS[ok] for ok in c[:, :, i_default[1]]]
    spans[name] = np.array([np.log10(r.max() / r.min()) if r.size else 0.0 for r in at_09])
diverge_line = {"Adam": 0.1, "SGD momentum": 0.5}
for name in grids:
    share = diverged[name].mean()
    print(f"{name:13s} converges in {area[name].mean():.0%} of the grid (mean over "
          f"{N_STARTS} starts), diverges in {'under' if share < diverge_line[name] else 'over'}"
          f" {diverge_line[name]:.0%};\n    at β1 = μ = {DEFAULT_CELL[1]:g} its converging "
          f"rates span {np.median(spans[name]):.1f} decades (median over the starts)")

# %%
area_p = paired(area["Adam"], area["SGD momentum"], better="higher")
area_ratio = area["Adam"].mean() / area["SGD momentum"].mean()
print(f"Adam's converging area against momentum SGD's: "
      f"{str(area_p).replace('seeds', 'starts')}; on average {area_ratio:.0f} times as large")
claim(area_p.all_better and 2 < area_ratio < 4 and area["Adam"].mean() < 0.1,
      "Adam converges on more of the grid than momentum SGD from every start, about three "
      "times as much on average (between 2 and 4), and still on under 10 %",
      measured=f"{area_p}; ratio {area_ratio:.2f}; Adam {area['Adam'].mean():.1%}")
claim(bool(np.all(diverged["SGD momentum"].mean(axis=(1, 2)) > diverge_line["SGD momentum"])
           and np.all(diverged["Adam"].mean(axis=(1, 2)) < diverge_line["Adam"])),
      "momentum SGD diverges in more than half of the grid and Adam in under a tenth, from "
      "every start")
claim(np.median(spans["Adam"]) > 2 and np.median(spans["SGD momentum"]) <= 0.5 + 1e-9,
      f"at {DEFAULT_CELL[1]:g}, Adam's converging rates span more than two decades and "
      "momentum SGD's at most half a decade (medians over the starts)",
      measured={name: np.round(s, 2).tolist() for name, s in spans.items()})
default_ok = {name: c[:, i_default[0], i_default[1]] for name, c in converged.items()}
claim(not default_ok["Adam"].any() and default_ok["SGD momentum"].all(),
      "the default cell never converges for Adam and always does for momentum SGD",
      measured={name: count(ok) for name, ok in default_ok.items()})
adam_converged = converged["Adam"]
slowest = GRID_LRS[adam_converged.any(axis=(0, 2))].min()
claim(slowest >= 1e-2 * (1 - 1e-9), "no Adam cell with a rate below 0.01 converges, from any "
      "start", measured=f"smallest converging rate {slowest:.2g}")

# %% [markdown]
# **Result.** Adam converges on about three times the area of momentum SGD (more from
# every start), and the difference is mostly in the rate: at $\beta_1 = 0.9$ the
# converging rates span about two decades, while momentum SGD at $\mu = 0.9$ needs its
# rate within half a decade, and it diverges in more than half of the grid (Adam in
# under a tenth). That is what "fairly robust" means here.
#
# But "robust" is relative: within 1500 steps Adam converged in under 10 % of this grid,
# and its default cell ($\eta = 10^{-3}$, $\beta_1 = 0.9$) is never among them, while it
# is for momentum SGD. Adaptive methods do not remove tuning: they widen the target.
#
# ## 10. Explore
#
# The explorer runs Adam and its uncorrected twin on a landscape of your choice, and shows
# for one coordinate the raw moments $m$, $v$ and the corrected $\hat m$, $\hat v$ (right
# panel). The sliders set $\eta$ and $\epsilon$ (log scale), $\beta_1$, $\beta_2$ and the
# number of steps; two menus choose the landscape and the coordinate. Things to try:
#
# - $\beta_2 = 0.9999$: the uncorrected first step is 10 times the rate (the summary
#   below the figure prints it), and $v$ stays far below $\hat v$ for the whole run;
# - $\beta_1 = 0.99$ with $\beta_2 = 0.999$: now the uncorrected steps start too *short*;
# - the "plateau cliff" landscape (a slope of $10^{-3}$, then a cliff): with the default
#   $\epsilon$ Adam walks the plateau at about $\eta$ per step; with $\epsilon = 1$ it is
#   gradient descent with rate $\eta/\epsilon$ there, and crawls. What do the moments of
#   $x$ do at the cliff?

# %%
# NBVAL_IGNORE_OUTPUT
explorer = MomentExplorer()
explorer.widget()

# %% [markdown]
# The explorer's default view as a static figure (what the saved notebook and the
# handouts show): Rosenbrock, $\eta = 0.05$, the default $\beta_1$, $\beta_2$,
# $\epsilon$, 300 steps.

# %%
explorer.static_figure()
plt.show()
summary = explorer.summary
print(f"final loss − minimum: Adam {summary['final_loss']:.3f}, without correction "
      f"{summary['uncorrected_final_loss']:.3f}\nfirst step of x / lr: Adam "
      f"{summary['first_step']:.3f}, without correction {summary['uncorrected_first_step']:.3f}")
predicted = summary["predicted_uncorrected_first_step"]
claim(bool(np.isclose(summary["uncorrected_first_step"], predicted, rtol=1e-6)),
      f"the uncorrected first step is (1−β1)/√(1−β2) = {predicted:.3f} times the rate",
      measured=f"{summary['uncorrected_first_step']:.3f}")
claim(summary["uncorrected_final_loss"] < summary["final_loss"],
      "at this rate the uncorrected run ends lower than Adam",
      measured=f"{summary['uncorrected_final_loss']:.3f} against {summary['final_loss']:.3f}")

# %% [markdown]
# At this (untuned) rate the uncorrected run ends *lower*: its longer early steps act
# like a larger rate on a problem where $\eta = 0.05$ is too small. It is section 5's
# lesson again: compare methods at tuned rates, not at one shared rate.
#
# ## 11. Pitfalls and practice
#
# - **Writing Adam by hand? Keep the correction.** Without it the first step is
#   $(1-\beta_1)/\sqrt{1-\beta_2}$ times the rate (3.16 with the defaults), its size
#   depends on $\beta_1$ and $\beta_2$ for thousands of steps, and on Rosenbrock the tuned
#   uncorrected run ended more than ten times higher (section 5).
# - **$\eta$ is a step length in parameter units.** $10^{-3}$ is a first guess, not a
#   law: on Rosenbrock the default rate was still far from the minimum after 2000 steps,
#   and no rate below $10^{-2}$ converged, from any of five starts (sections 6 and 9).
#   Sweep it, over decades (notebook 01, and the practice notebooks later in the
#   course). If Adam oscillates or diverges, lowering the rate is the first remedy.
# - **$\epsilon$ matters only near the gradients' scale.** Raising it from $10^{-8}$ to
#   $10^{-6}$ changed nothing on ordinary gradients (section 7); on tiny gradients it
#   slows Adam down, and a large $\epsilon$ turns Adam into SGD with rate $\eta/\epsilon$.
#   If your loss is scaled very small, check $\epsilon$ against $\sqrt{\hat v}$.
# - **Porting between torch and Keras,** $\epsilon$ sits in a different place: Keras's
#   $\hat\epsilon$ is $\epsilon/\sqrt{1-\beta_2^t}$ in torch's terms, 31.6 times larger on
#   the first step (section 7).
# - **`weight_decay` in `Adam` is an L2 term added to the gradient**, and so divided by
#   $\sqrt{\hat v}$ like any gradient (see `help(Adam)`); decoupled weight decay (AdamW)
#   comes later in the course.
# - **Betas are hyperparameters too.** $\beta_1$ trades noise smoothing against reaction
#   time (about 10 steps at 0.9); $\beta_2$ sets how fast the rates follow a change in
#   gradient size (about 1000 steps at 0.999, 693 to halve a gradient's weight). In the
#   grids of section 9, cells with $\beta_1$ below 0.45 almost never converged (under
#   2 % of the converging cells, over the five starts), and at every rate more than a
#   third of the $\beta_1$ values failed, from every start:

# %%
LOW_BETA1, RARE, FAILING = 0.45, 0.02, 1 / 3
low_share = adam_converged[:, :, GRID_BETAS < LOW_BETA1].sum() / adam_converged.sum()
failing = 1 - adam_converged.mean(axis=2).max()     # the smallest share failing, any rate
print(f"converging cells with β1 below {LOW_BETA1:g}: "
      f"{'under' if low_share < RARE else 'over'} {RARE:.0%} of all converging cells;\n"
      f"at every rate, from every start, {'more' if failing > FAILING else 'less'} than a "
      "third of the β1 values fail")
claim(low_share < RARE, f"under {RARE:.0%} of the converging cells have β1 below {LOW_BETA1:g}",
      measured=f"{low_share:.1%}")
claim(failing > FAILING, "at every rate, from every start, more than a third of the β1 values "
      "fail", measured=f"at least {failing:.0%} fail")

# %% [markdown]
# ## Summary
#
# - Adam divides a momentum average $m$ (direction, ~$1/(1-\beta_1)$ steps) by the root of
#   an RMSProp average $v$ (scale, ~$1/(1-\beta_2)$ steps); on a steady slope each
#   coordinate moves exactly $\eta$.
# - Both averages start at 0, so $E[m_t] = (1-\beta_1^t)E[g]$ and
#   $E[v_t] = (1-\beta_2^t)E[g^2]$; dividing by those factors removes the bias.
#   Without it the first step is $\eta(1-\beta_1)/\sqrt{1-\beta_2}$.
# - $\epsilon$ is the gradient size below which Adam stops adapting (large $\epsilon$:
#   SGD with rate $\eta/\epsilon$); torch and Keras put it in different places.
# - At tuned rates Adam was never worse than RMSProp here and often far better (momentum
#   on curved valleys, a longer memory on tilted bowls); on Rosenbrock it converged on
#   about three times the (rate, $\beta_1$) area of momentum SGD, but still needed tuning.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
# **Predict, then run:**
# 1. With $\beta_1 = 0.5$ and $\beta_2 = 0.99$, is the uncorrected first step too long or
#    too short, and by what factor? Predict with $(1-\beta_1)/\sqrt{1-\beta_2}$, then check
#    with `uncorrected_step_size(0.5, 0.99, 1)` or with `explorer.update(beta1=0.5,
#    beta2=0.99)`, which prints the summary.
# 2. In section 7's limit, set `SGD_LR = 100`: the rate is then $100\,\epsilon$. For which
#    $\epsilon$ is it $\eta = 0.01$, and how close does that Adam stay to `SGD(lr=100)`?
#    Predict, then run and read the gaps.
#
# **Previous:** [04 · RMSProp](04_rmsprop.ipynb). **Next:**
# [06 · AdaDelta](06_adadelta.ipynb).
#
# **Further reading:** Kingma & Ba, *Adam: A Method for Stochastic Optimization*, ICLR
# (2015), where Adam, its bias correction (section 3) and the $\hat\epsilon$ form
# (end of section 2) come from; Reddi, Kale & Kumar, *On the Convergence of Adam and
# Beyond*, ICLR (2018), for AMSGrad and the cases where Adam fails to converge.
