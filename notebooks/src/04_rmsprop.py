# %% [markdown]
# # 04 · RMSProp: a memory that forgets
#
# AdaGrad (notebook 03) divides each step by the root of *every* squared gradient it has
# ever seen. The sum only grows, so its steps only shrink. That is fine while the problem
# stays the same, but what if it changes under the optimizer? RMSProp keeps a *moving
# average* instead: old gradients fade away. This notebook measures exactly what that
# memory holds and how long it lasts, and tests when forgetting helps and when it does not.
#
# **Learning objectives.** By the end of this notebook you can
# - *derive* the weight $(1-\alpha)\alpha^k$ of a gradient $k$ steps back, the half-life
#   $\log 0.5/\log\alpha$ and the memory length $1/(1-\alpha)$;
# - *implement* RMSProp (plain, centered, with momentum) in a few lines of numpy and check
#   it against `alr_teach.RMSProp`;
# - *predict* how fast RMSProp's effective rate recovers when the gradients shrink, from
#   $\alpha$ alone;
# - *compare* RMSProp and AdaGrad on moving targets with fairly tuned rates, and *choose*
#   between $\alpha = 0.9$ and $0.99$.
#
# **Prerequisites:** [03 · AdaGrad](03_adagrad.ipynb) (and
# [01 · A fixed learning rate](01_fixed_learning_rate.ipynb)). **Time:** about 45 minutes.
# Notation: [docs/notation.md](../docs/notation.md).

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

from alr_teach import AdaGrad, RMSProp
from alr_teach.landscapes import Rosenbrock
from alr_teach.memory_explorer import (
    MemoryExplorer,
    effective_memory,
    half_life,
    memory_weights,
    plot_memory_weights,
    plot_tracking_errors,
    sweep_tracking,
    switching_target,
    tracking_error,
)
from alr_teach.plots import style
from alr_teach.runner import run
from alr_teach.surface_plots import label_for, plot_effective_lr

rng = np.random.default_rng(4)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. When the problem changes under AdaGrad
#
# A target that will not sit still: a round bowl whose minimum moves by 0.01 per step in
# each coordinate (along the diagonal), for 600 steps. At step 300 its curvature drops
# from 1 to 0.01, so at the same distance from the minimum the gradient becomes 100 times
# smaller. (Think of a loss whose gradients are large early in training and small later.)
# We measure the **tracking error**: the distance from the iterate to the minimum of the
# same step.
#
# AdaGrad gets its best learning rate from a sweep: 41 rates from $10^{-3}$ to $10$ on a
# log grid, each judged by its mean tracking error over the 600 steps. Every method in
# this notebook is tuned on this same grid by this same rule.

# %%
target = switching_target(velocity=0.01, before=1.0, after=0.01, horizon=600)
T = target.landscape.switch_at
lrs = np.logspace(-3, 1, 41)  # the learning-rate grid every method gets
adagrad_sweep = sweep_tracking(AdaGrad, target, lrs, steps=600)
adagrad_run = run(AdaGrad(lr=adagrad_sweep.best_lr), target, steps=600)
adagrad_error = tracking_error(adagrad_run, target)

fig, (ax_error, ax_rate) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
plot_tracking_errors(ax_error, [adagrad_error], [label_for(AdaGrad(lr=adagrad_sweep.best_lr))],
                     switch_at=T)
plot_effective_lr(ax_rate, adagrad_run, lr=adagrad_sweep.best_lr)
ax_rate.axvline(T, color="black", linestyle=":", linewidth=1.2)
ax_rate.set_title("AdaGrad's effective rate never grows back")
plt.show()

# %%
before, after = adagrad_error[1:T + 1].mean(), adagrad_error[T + 1:].mean()
print(f"AdaGrad, best rate {adagrad_sweep.best_lr:.3g}: mean tracking error {before:.4f} "
      f"before the switch, {after:.4f} after ({after / before:.0f}x)")
assert lrs[0] < adagrad_sweep.best_lr < lrs[-1]      # the best rate is inside the grid
assert after > 50 * before
assert np.all(np.diff(adagrad_run.state["sum_sq"], axis=0) >= 0)  # G_t never decreases

# %% [markdown]
# Before the switch AdaGrad follows the target closely. After it, the tracking error
# grows more than fifty-fold and keeps growing. The reason is in the right panel: the
# effective rate $\eta/(\sqrt{G_t}+\epsilon)$ was set by the large gradients of the first
# half, and since $G_t$ is a sum it cannot come down. With gradients 100 times smaller
# and the same effective rate, the steps are 100 times smaller, and the target runs away.
#
# ## 2. The idea: average the squared gradients, don't sum them
#
# **Intuition.** Keep a running estimate of how large this coordinate's gradients are
# *lately*. Each step, keep a fraction $\alpha$ of the old estimate and mix in
# $1-\alpha$ of the new squared gradient. Old gradients fade geometrically, so after a
# change the estimate follows the new scale.
#
# **Math.** Starting from $E[g^2]_0 = 0$,
#
# $$E[g^2]_t = \alpha\, E[g^2]_{t-1} + (1-\alpha)\, g_t^2, \qquad
#   x_t = x_{t-1} - \frac{\eta}{\sqrt{E[g^2]_t} + \epsilon}\, g_t .$$
#
# Substitute the recursion into itself:
#
# $$E[g^2]_t = (1-\alpha) g_t^2 + \alpha\big[(1-\alpha) g_{t-1}^2 + \alpha E[g^2]_{t-2}\big]
#   = \dots = \sum_{k=0}^{t-1} (1-\alpha)\,\alpha^k\, g_{t-k}^2 .$$
#
# - The gradient $k$ steps back has **weight** $w_k = (1-\alpha)\alpha^k$: each step
#   multiplies it by $\alpha$.
# - The weights add up to a geometric series, $\sum_{k=0}^{t-1} (1-\alpha)\alpha^k =
#   1-\alpha^t$. That tends to 1, so $E[g^2]_t$ is a weighted *average* of recent
#   squared gradients; early on it falls short by $\alpha^t$ because it started at 0
#   (a pitfall, section 7).
# - **Half-life**: a weight halves after $h$ steps when $\alpha^h = \tfrac12$, so
#   $h = \log 0.5 / \log\alpha$.
# - **Memory length**: an ordinary average of the last $N$ squared gradients gives the
#   newest weight $1/N$; here it gets $1-\alpha$, so the average "remembers" about
#   $N = 1/(1-\alpha)$ steps. (It is also the mean age of the averaged gradients,
#   $\sum_k (k+1) w_k$, counting the newest as 1 step old.)
#
# **Extremes.** $\alpha = 0$: $E[g^2]_t = g_t^2$ and the step is
# $\eta\, g_t/(|g_t|+\epsilon) \approx \eta\,\mathrm{sign}(g_t)$, a memoryless sign
# descent. $\alpha \to 1$: while $t \ll 1/(1-\alpha)$ every $\alpha^k \approx 1$, so
# $E[g^2]_t \approx (1-\alpha) G_t$ and RMSProp is AdaGrad with rate
# $\eta/\sqrt{1-\alpha}$.
#
# Two values of $\alpha$ are common: **0.9**, from Hinton's lecture that introduced
# RMSProp and the Keras default, and **0.99**, torch's default. Their weights (left), and
# the influence of one unusually large gradient on `alr_teach.RMSProp`'s own state
# `sq_avg` (right: a run with $g = 1$ throughout, minus the same run with $g = 3$ at
# step 20):

# %%
alphas = np.array([0.9, 0.99])
names = ["α = 0.9 (Hinton's lecture, Keras)", "α = 0.99 (torch)"]


def sq_avg_history(grads):
    """RMSProp's E[g^2] after each step, for both alphas at once (one per coordinate)."""
    opt, x, history = RMSProp(lr=0.0, alpha=alphas), np.zeros(2), []
    for g in grads:
        x = opt.step(x, g)
        history.append(opt.state["sq_avg"])
    return np.array(history)


steady = np.ones((200, 2))
kicked = steady.copy()
kicked[19] = 3.0                                  # g_20 = 3 instead of 1
influence = sq_avg_history(kicked) - sq_avg_history(steady)
k = np.arange(200 - 19)
derived = (1 - alphas) * (3.0**2 - 1.0**2) * alphas ** k[:, None]

# %%
fig, (ax_w, ax_kick) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
plot_memory_weights(ax_w, alphas, 250, labels=names)
for i, name in enumerate(names):
    ax_kick.semilogy(k, influence[19:, i], label=f"measured, {name}", markevery=15, **style(i))
    ax_kick.semilogy(k, derived[:, i], color="black", linestyle=":", linewidth=1)
ax_kick.plot([], [], color="black", linestyle=":", label=r"derived $(1-\alpha)(3^2-1)\alpha^k$")
ax_kick.set(xlabel="steps since the large gradient", ylabel="extra E[g²] (log scale)",
            title="One large gradient's influence on sq_avg fades as derived")
ax_kick.legend(fontsize=8)
plt.show()

# %%
np.testing.assert_allclose(influence[19:], derived, rtol=1e-9, atol=1e-13)
assert np.all(influence[:19] == 0)                 # no influence before it happened
for alpha in alphas:
    h, n = half_life(alpha), effective_memory(alpha)
    weights = memory_weights(alpha, 100_000)
    mean_age = np.sum((np.arange(weights.size) + 1) * weights)
    share = memory_weights(alpha, int(round(n))).sum()
    print(f"α = {alpha:4.2f}: half-life {h:5.1f} steps, memory 1/(1−α) = {n:5.1f} steps "
          f"(mean age {mean_age:5.1f}); the last {n:.0f} steps carry {share:.1%} of the weight")
    for t in (1, 10, 100, 1000):
        assert np.isclose(memory_weights(alpha, t).sum(), 1 - alpha**t, rtol=1e-12)
    assert np.isclose(alpha**h, 0.5) and np.isclose(mean_age, n)
    assert 0.63 < share < 0.66

# %% [markdown]
# With $\alpha = 0.9$ a gradient's weight halves in under 7 steps; with torch's 0.99 it
# takes about 69. The measured influence of the large gradient on `sq_avg` lies on the
# derived line for both. Whatever $\alpha$, the most recent $1/(1-\alpha)$ steps carry
# about 63-65 % of the weight (for $\alpha \to 1$ it tends to $1 - 1/e$).
#
# The unrolled sum is not just a formula on paper: on random gradients it gives
# RMSProp's state to rounding error. And the $\alpha \to 1$ limit really is AdaGrad with
# a rescaled rate: over 30 steps on Rosenbrock the two paths agree to within 0.1 % of the
# distance travelled.

# %%
grads = rng.standard_normal((50, 2))
unrolled = [np.sum(memory_weights(a, 50)[:, None] * grads[::-1, [i]] ** 2) for i, a in
            enumerate(alphas)]
np.testing.assert_allclose(sq_avg_history(grads)[-1], unrolled, rtol=1e-12)

alpha_near_one = 0.9999
rmsprop_slow = run(RMSProp(lr=0.01 * np.sqrt(1 - alpha_near_one), alpha=alpha_near_one),
                   Rosenbrock(), steps=30)
adagrad_same = run(AdaGrad(lr=0.01), Rosenbrock(), steps=30)
gap = np.abs(rmsprop_slow.points - adagrad_same.points).max()
moved = np.abs(adagrad_same.points[-1] - adagrad_same.points[0]).max()
print(f"RMSProp(α = 0.9999, lr = 0.01·√(1−α)) vs AdaGrad(lr = 0.01): largest gap {gap:.1e} "
      f"after moving {moved:.3f}")
assert gap < 1e-3 * moved and moved > 0.05

# %% [markdown]
# ## 3. Implementation in the open
#
# The whole rule, with the two variants `alr_teach.RMSProp` offers: **centered**
# (Graves, 2013) divides by an estimate of the gradient's standard deviation,
# $\sqrt{E[g^2]_t - \bar g_t^2}$ with $\bar g_t$ a moving average of the gradients, and
# **momentum** $\mu$ accumulates the normalised steps in a velocity $b_t$ (torch's form):

# %%
def rmsprop_step(x, g, state, lr, alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
    state["sq_avg"] = alpha * state["sq_avg"] + (1 - alpha) * g * g
    mean_sq = state["sq_avg"]
    if centered:
        state["grad_avg"] = alpha * state["grad_avg"] + (1 - alpha) * g
        mean_sq = mean_sq - state["grad_avg"] ** 2
    step = g / (np.sqrt(mean_sq) + eps)
    if momentum:
        state["velocity"] = momentum * state["velocity"] + step
        step = state["velocity"]
    return x - lr * step


# %%
banana = Rosenbrock()
variants = [{}, {"centered": True}, {"momentum": 0.9}, {"centered": True, "momentum": 0.5}]
for settings in variants:
    x = banana.start.copy()
    state = {"sq_avg": np.zeros(2), "grad_avg": np.zeros(2), "velocity": np.zeros(2)}
    path = [x]
    for _ in range(300):
        x = rmsprop_step(x, banana.grad(x), state, lr=1e-3, alpha=0.9, **settings)
        path.append(x)
    reference = run(RMSProp(lr=1e-3, alpha=0.9, **settings), banana, steps=300)
    difference = np.abs(np.array(path) - reference.points).max()
    print(f"{label_for(RMSProp(lr=1e-3, alpha=0.9, **settings)):48s} "
          f"largest difference {difference:.1e}")
    assert difference <= 1e-12

# %% [markdown]
# Four variants, 300 steps each, the same numbers as the package to $10^{-12}$.
#
# **Conventions differ between libraries** (see `help(RMSProp)`, section *Conventions*):
# torch, which `alr_teach` follows, adds $\epsilon$ *outside* the root,
# $g/(\sqrt{E[g^2]}+\epsilon)$ with $\epsilon = 10^{-8}$; Keras adds it *inside*,
# $g/\sqrt{E[g^2]+\epsilon}$ with $\epsilon = 10^{-7}$, and puts the learning rate inside
# its momentum buffer. For ordinary gradients the two agree, but for tiny ones they do
# not: the first step (with $\alpha = 0.9$) for a gradient of $10^{-4}$:

# %%
g_tiny, alpha = 1e-4, 0.9
first_sq_avg = (1 - alpha) * g_tiny**2
torch_step = g_tiny / (np.sqrt(first_sq_avg) + 1e-8)    # in units of lr
keras_step = g_tiny / np.sqrt(first_sq_avg + 1e-7)
package_step = -RMSProp(lr=1.0, alpha=alpha).step(np.zeros(1), np.array([g_tiny]))[0]
print(f"first step / lr: torch convention {torch_step:.3f}, Keras convention {keras_step:.3f}")
assert np.isclose(package_step, torch_step, rtol=1e-12)
assert torch_step / keras_step > 9

# %% [markdown]
# A tenfold difference: porting a model between the two libraries with "the same"
# hyperparameters is not the same optimizer when gradients are small.
#
# ## 4. Watch it forget
#
# Back to the target of section 1. RMSProp with $\alpha = 0.9$ and with $\alpha = 0.99$,
# each at its own best rate from the same sweep as AdaGrad:

# %%
sweeps = {"RMSProp α=0.9": sweep_tracking(RMSProp, target, lrs, steps=600, alpha=0.9),
          "RMSProp α=0.99": sweep_tracking(RMSProp, target, lrs, steps=600, alpha=0.99),
          "AdaGrad": adagrad_sweep}
optimizers = {"RMSProp α=0.9": RMSProp(lr=sweeps["RMSProp α=0.9"].best_lr, alpha=0.9),
              "RMSProp α=0.99": RMSProp(lr=sweeps["RMSProp α=0.99"].best_lr, alpha=0.99),
              "AdaGrad": AdaGrad(lr=adagrad_sweep.best_lr)}
runs = {name: run(opt, target, steps=600) for name, opt in optimizers.items()}
rates = {name: r.effective_lr[:, 0] for name, r in runs.items()}  # coordinate x
labels = [f"{name}, lr={opt.lr:.3g}" for name, opt in optimizers.items()]

fig, (ax_error, ax_rate) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
plot_tracking_errors(ax_error, [tracking_error(r, target) for r in runs.values()], labels,
                     switch_at=T)
for i, (label, rate) in enumerate(zip(labels, rates.values())):
    ax_rate.semilogy(np.arange(1, 601), rate, label=label, markevery=50, **style(i))
ax_rate.axvline(T, color="black", linestyle=":", linewidth=1.2)
ax_rate.set(xlabel="step t", ylabel="effective rate of coordinate x (log scale)",
            title="After the switch, RMSProp's rate grows back")
ax_rate.legend(fontsize=8)
plt.show()

# %% [markdown]
# **Predict the recovery from $\alpha$.** Every term of the average is non-negative, so
# $k$ steps after the switch $E[g^2]_{T+k} \ge \alpha^k E[g^2]_T$: the old gradients
# still hold at least their fading weight. Hence the effective rate can grow at most by
# $\alpha^{-k/2}$ in $k$ steps (ignoring $\epsilon$): 100 steps give at most
# $0.9^{-50} \approx 194\times$, but only $0.99^{-50} \approx 1.65\times$. AdaGrad's rate
# cannot grow at all.

# %%
k = np.arange(1, 301)
for name, alpha in [("RMSProp α=0.9", 0.9), ("RMSProp α=0.99", 0.99)]:
    growth = rates[name][T - 1 + k] / rates[name][T - 1]
    assert np.all(growth <= alpha ** (-k / 2) * (1 + 1e-6))    # never faster than derived
    print(f"{name:15s} rate after 100 steps: {growth[99]:6.1f}x "
          f"(bound {alpha ** -50:6.1f}x); after 300: {growth[299]:6.1f}x")
adagrad_growth = rates["AdaGrad"][T + 99] / rates["AdaGrad"][T - 1]
print(f"AdaGrad         rate after 100 steps: {adagrad_growth:6.3f}x")
assert rates["RMSProp α=0.9"][T + 99] > 50 * rates["RMSProp α=0.9"][T - 1]
slow = rates["RMSProp α=0.99"]
assert 0.9 < (slow[T + 99] / slow[T - 1]) / 0.99**-50 and slow[T + 299] < 5 * slow[T - 1]
assert adagrad_growth <= 1.0

# %% [markdown]
# With $\alpha = 0.9$ the rate grows by a factor of about 80 within 100 steps, close to the
# hundredfold drop in the gradients, and the tracking error comes back down. With
# $\alpha = 0.99$ the rate grows almost exactly as fast as the bound allows, which is
# slow: the memory of the large gradients lasts. The same average that lets RMSProp
# forget also sets how *fast* it can forget.
#
# **Explore.** The sliders set $\alpha$ (0 to 0.999), RMSProp's rate (log scale) and the
# number of steps (the switch is always halfway); AdaGrad is shown at its best rate of the
# same sweep for reference. Try $\alpha = 0$ (sign descent: it keeps up but jitters),
# $\alpha = 0.99$ and $0.999$ (a long memory: slow to recover), and a rate ten times
# larger or smaller than the default.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = MemoryExplorer(alpha=0.9, lr=sweeps["RMSProp α=0.9"].best_lr, steps=600)
explorer.widget()

# %% [markdown]
# The explorer's default view, as a static figure (what the saved notebook and the
# handouts show):

# %%
explorer.static_figure()
plt.show()
summary = explorer.summary
print(f"mean tracking error over the last quarter: RMSProp {summary['rmsprop_error']:.4f}, "
      f"AdaGrad {summary['adagrad_error']:.4f}")
assert summary["rmsprop_error"] < summary["adagrad_error"] / 10

# %% [markdown]
# ## 5. Experiment: when does forgetting help?
#
# **Question.** Is RMSProp better than AdaGrad at following a changing objective, and
# which $\alpha$ is better? The folklore says RMSProp "keeps adapting" and suits
# non-stationary objectives. We test two kinds of change, over several settings:
#
# - the minimum **drifts** at speed $v \in \{0.003, 0.01, 0.03\}$ per step per coordinate;
# - at step 300 the **gradient scale** drops: curvature from 1 to 1 (no drop), 0.1 or 0.01.
#
# **Fair set-up.** Nine targets, 600 steps each, the same start $(0.5, 0.5)$. Each method
# (RMSProp with $\alpha = 0.9$, with $\alpha = 0.99$, AdaGrad; other settings torch's
# defaults) gets its best learning rate on each target from the same 41-rate grid, judged
# by mean tracking error over all 600 steps. We report the mean tracking error after step
# 300.

# %%
methods = {"RMSProp α=0.9": (RMSProp, {"alpha": 0.9}),
           "RMSProp α=0.99": (RMSProp, {"alpha": 0.99}), "AdaGrad": (AdaGrad, {})}
speeds, curvatures_after = [0.003, 0.01, 0.03], [1.0, 0.1, 0.01]
results = {}  # (v, after) -> method -> (best lr, mean error after the switch, last 100 steps)
for v in speeds:
    for after in curvatures_after:
        scenario = switching_target(velocity=v, before=1.0, after=after, horizon=600)
        results[v, after] = {}
        for name, (cls, fixed) in methods.items():
            best = sweep_tracking(cls, scenario, lrs, steps=600, **fixed)
            assert lrs[0] < best.best_lr < lrs[-1]              # never at the grid's edge
            errors = best.best_errors
            results[v, after][name] = (best.best_lr, errors[T + 1:].mean(), errors[-100:].mean())

# %%
print(f"{'speed':>6} {'curvature':>15}   " + "   ".join(f"{n:>22s}" for n in methods))
for (v, after), row in results.items():
    change = "stays 1" if after == 1.0 else f"1 -> {after:g}"
    cells = "   ".join(f"{row[n][1]:9.2e} (lr {row[n][0]:6.3f})" for n in methods)
    print(f"{v:6.3f} {change:>15}   {cells}")

# %%
fig, ax = plt.subplots(figsize=(11, 4), layout="constrained")
keys = list(results)
for i, name in enumerate(methods):
    ax.semilogy(np.arange(len(keys)) + 0.15 * (i - 1), [results[key][name][1] for key in keys],
                markersize=8, label=name, **{**style(i), "linestyle": "none"})
ax.set_xticks(range(len(keys)),
              [f"v={v:g}\n{'no drop' if a == 1 else f'drop {1 / a:.0f}x'}" for v, a in keys])
ax.set(xlabel="target: speed v of the minimum, and the drop in curvature at step 300",
       ylabel="mean tracking error after step 300 (log)",
       title="Each method at its best rate: lower is better")
ax.legend(fontsize=8)
plt.show()

# %%
drops = [(v, a) for v, a in results if a < 1]
steady_drift = [(v, a) for v, a in results if a == 1]
for key in drops:                      # the gradient scale drops: RMSProp wins, both alphas
    for name in ("RMSProp α=0.9", "RMSProp α=0.99"):
        assert results[key][name][1] < results[key]["AdaGrad"][1] / 2
for key in steady_drift:               # a steady drift: AdaGrad wins
    assert results[key]["AdaGrad"][1] < min(results[key][n][1] for n in methods if n != "AdaGrad")
    v, lr_ada = key[0], results[key]["AdaGrad"][0]
    assert (lr_ada / v) ** 2 > 600     # its tuned rate keeps up for longer than the horizon
for v in speeds:                       # a 100x drop: the short memory recovers better
    assert results[v, 0.01]["RMSProp α=0.9"][1] < results[v, 0.01]["RMSProp α=0.99"][1]
print("asserted on all 9 targets")

# %% [markdown]
# **Result.** Whenever the gradient scale drops (six targets), both RMSProps track at
# least twice as closely as AdaGrad. After a hundredfold drop the short memory
# ($\alpha = 0.9$) beats the long one at every speed; after a tenfold drop the outcome
# depends on the speed.
#
# **The folklore is only half right.** For a *steady drift* with no change of scale
# (three targets), AdaGrad at its tuned rate tracks best of all three. Two reasons, both
# visible in the explorer:
#
# - AdaGrad's step in a steady gradient shrinks like $\eta/\sqrt t$, so it keeps up with
#   a target moving $v$ per step for about $(\eta/v)^2$ steps. The sweep simply picks a
#   rate large enough for that to exceed the 600-step horizon (asserted above). AdaGrad
#   falls behind when its rate is not tuned for the horizon, not at its best rate.
# - RMSProp normalises its steps to about $\eta$ per coordinate *even at the target*, so
#   it jitters around the moving minimum instead of settling on it (section 7).
#
# What forgetting buys is adaptation to a **change in gradient scale**. That is the kind
# of non-stationarity the usual advice about recurrent networks has in mind; we have not
# trained a recurrent network here, only tested this mechanism.
#
# ## 6. RMSProp vs AdaGrad
#
# The question as often searched, answered from this notebook's measurements (medians
# over the three speeds of section 5; the rates after the switch from section 4):

# %%
def median_error(name, after):
    return np.median([results[v, after][name][1] for v in speeds])


rows = [
    ("divides the step by", "√(sum of all g²)", "√(moving average of g²)"),
    ("memory", "every step", f"~{effective_memory(0.9):.0f} steps (α = 0.9)"),
    ("rate 100 steps after a 100x drop",
     f"{rates['AdaGrad'][T + 99] / rates['AdaGrad'][T - 1]:.3f}x",
     f"{rates['RMSProp α=0.9'][T + 99] / rates['RMSProp α=0.9'][T - 1]:.0f}x"),
    ("tracking error, steady drift", f"{median_error('AdaGrad', 1.0):.2e}",
     f"{median_error('RMSProp α=0.9', 1.0):.2e}"),
    ("tracking error after a 100x drop", f"{median_error('AdaGrad', 0.01):.2e}",
     f"{median_error('RMSProp α=0.9', 0.01):.2e}"),
]
print(f"{'':34s} {'AdaGrad':>18s}   {'RMSProp (α = 0.9)':>24s}")
for what, adagrad_cell, rmsprop_cell in rows:
    print(f"{what:34s} {adagrad_cell:>18s}   {rmsprop_cell:>24s}")

# %% [markdown]
# **In one sentence:** AdaGrad remembers everything, so its rates only fall: good when
# the gradients' scale is stable (and for rare features, notebook 03); RMSProp forgets
# after about $1/(1-\alpha)$ steps, so its rates can rise again: good when the scale
# changes, at the price of never settling down with a fixed rate.
#
# ## 7. Pitfalls and practice
#
# **The first steps are large.** $E[g^2]$ starts at 0, so after one step it is only
# $(1-\alpha) g_1^2$ and the first step is $\eta/\sqrt{1-\alpha}$ per coordinate,
# whatever the gradient: 10 times the rate for torch's default. (Adam's bias correction,
# notebook 05, removes this.)

# %%
for alpha in (0.9, 0.99):
    first = -RMSProp(lr=1.0, alpha=alpha).step(np.zeros(3), np.array([1e-3, 1.0, 1e3]))
    print(f"α = {alpha}: first step / lr = {np.array2string(first, precision=3)} "
          f"for gradients 1e-3, 1, 1e3 (1/√(1−α) = {1 / np.sqrt(1 - alpha):.3f})")
    assert np.allclose(first, 1 / np.sqrt(1 - alpha), rtol=1e-4)

# %% [markdown]
# **It does not settle with a constant rate.** Near a minimum the gradient shrinks, but
# so does $\sqrt{E[g^2]}$: steps stay of order $\eta$. On the steadily drifting targets of
# section 5, RMSProp's ($\alpha = 0.9$) error over the last 100 steps stays between 0.3
# and 1 times its learning rate:

# %%
for v in speeds:
    lr_rms, _, last = results[v, 1.0]["RMSProp α=0.9"]
    print(f"v = {v:.3f}: lr {lr_rms:.4f}, tracking error over the last 100 steps {last:.4f} "
          f"({last / lr_rms:.2f} lr)")
    assert 0.3 * lr_rms < last < lr_rms

# %% [markdown]
# Lower the rate over time (a schedule, in the practice notebooks) if you need to settle.
#
# **Choosing the hyperparameters.**
# - Tune the learning rate first, with a sweep as above; it matters most. torch's defaults
#   are checked below; Keras uses $\alpha = 0.9$ and $\epsilon = 10^{-7}$ inside the root
#   (the docstring's *Conventions*).
# - $\alpha$ sets how fast the rates can follow a change: after a hundredfold drop in the
#   gradients, $0.9$'s rate grew by more than 50 times in 100 steps, $0.99$'s by less than
#   5 times in 300 (section 4). A longer memory
#   gives steadier rates when nothing changes (in section 5, $\alpha = 0.99$ tracked a
#   steady drift better than $0.9$ at all three speeds).
# - $\alpha = 0$ is sign descent: every step has size $\eta$.
# - When porting between torch and Keras, mind where $\epsilon$ goes (section 3).

# %%
defaults = {n: p.default for n, p in inspect.signature(RMSProp).parameters.items()}
print(f"alr_teach / torch defaults: lr {defaults['lr']}, α {defaults['alpha']}, "
      f"ε {defaults['eps']}")
assert (defaults["lr"], defaults["alpha"], defaults["eps"]) == (0.01, 0.99, 1e-8)
assert all(results[v, 1.0]["RMSProp α=0.99"][1] < results[v, 1.0]["RMSProp α=0.9"][1]
           for v in speeds)

# %% [markdown]
# ## Summary
#
# - RMSProp divides by $\sqrt{E[g^2]_t}$, a moving average in which the gradient $k$
#   steps back weighs $(1-\alpha)\alpha^k$: half-life $\log 0.5/\log\alpha$, memory about
#   $1/(1-\alpha)$ steps (7 and 10 steps for $\alpha = 0.9$; 69 and 100 for $0.99$).
# - Its effective rate can grow again, at most by $\alpha^{-k/2}$ in $k$ steps; AdaGrad's
#   never grows.
# - When the gradient scale drops, RMSProp tracks a moving target far better than AdaGrad;
#   for a steady drift, a well-tuned AdaGrad did better over our horizons.
# - Its first steps are $\eta/\sqrt{1-\alpha}$, it jitters at a scale of $\eta$ instead of
#   settling, and libraries disagree on where $\epsilon$ goes.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
# **Predict, then run:**
# 1. With $\alpha = 0.999$, after how many steps has a gradient's weight halved? Predict
#    with the formula, then check with `half_life(0.999)`.
# 2. In section 5, make the curvature *rise* at step 300 (`after=100.0`) instead of
#    drop. Which method tracks better now? Predict, then change `curvatures_after`.
#
# **Previous:** [03 · AdaGrad](03_adagrad.ipynb). **Next:** 05 · Adam.
#
# **Further reading:** Tieleman & Hinton, *Lecture 6.5: rmsprop*, COURSERA: Neural
# Networks for Machine Learning (2012), where RMSProp was introduced (it has no paper);
# Graves, *Generating Sequences With Recurrent Neural Networks* (2013), for the centered
# form; Duchi, Hazan & Singer, *Adaptive Subgradient Methods*, JMLR (2011), for AdaGrad.
