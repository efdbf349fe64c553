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
from alr_teach.course.claims import claim, count
from alr_teach.lab.runner import run
from alr_teach.problems.landscapes import Rosenbrock
from alr_teach.viz.explorers.memory import (
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
from alr_teach.viz.plots import style
from alr_teach.viz.surface_plots import label_for, plot_effective_lr

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
VELOCITY = 0.01                 # the minimum moves this far per step, in each coordinate
CURVATURE_BEFORE, CURVATURE_AFTER = 1.0, 0.01   # the curvature before and after the switch
STEPS = 600                     # the switch comes halfway
LRS = np.logspace(-3, 1, 41)    # the learning-rate grid every method gets

target = switching_target(velocity=VELOCITY, before=CURVATURE_BEFORE, after=CURVATURE_AFTER,
                          horizon=STEPS)
T = target.landscape.switch_at
adagrad_sweep = sweep_tracking(AdaGrad, target, LRS, steps=STEPS)
adagrad_run = run(AdaGrad(lr=adagrad_sweep.best_lr), target, steps=STEPS)
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
claim(LRS[0] < adagrad_sweep.best_lr < LRS[-1],
      f"AdaGrad's best rate lies inside the grid, between {LRS[0]:g} and {LRS[-1]:g}",
      measured=f"best rate {adagrad_sweep.best_lr:.3g}")
claim(after > 50 * before, "after the switch AdaGrad's mean tracking error is more than 50 "
      "times its error before", measured=f"{after / before:.0f} times")
claim(np.all(np.diff(adagrad_run.state["sum_sq"], axis=0) >= 0),
      "AdaGrad's sum G_t never decreases, so its effective rate η/(√G_t + ε) never grows")
print(f"AdaGrad, best rate {adagrad_sweep.best_lr:.3g}: mean tracking error {before:.4f} "
      f"before the switch, {after:.4f} after ({after / before:.0f}x)")

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
ALPHAS = (0.9, 0.99)         # the decay rates compared in this section
KICK_AT, KICK = 20, 3.0      # the step of the large gradient, and its size (1 otherwise)
HISTORY = 200                # steps of the run with g = 1
SOURCES = {0.9: "Hinton's lecture, Keras", 0.99: "torch"}   # where each common value comes from

alphas = np.array(ALPHAS)
names = [f"α = {a:g}" + (f" ({SOURCES[a]})" if a in SOURCES else "") for a in ALPHAS]


def sq_avg_history(grads):
    """RMSProp's E[g^2] after each step, for every alpha at once (one per coordinate)."""
    opt, x, history = RMSProp(lr=0.0, alpha=alphas), np.zeros(alphas.size), []
    for g in grads:
        x = opt.step(x, g)
        history.append(opt.state["sq_avg"])
    return np.array(history)


steady = np.ones((HISTORY, alphas.size))
kicked = steady.copy()
kicked[KICK_AT - 1] = KICK                        # g at step KICK_AT is KICK instead of 1
influence = sq_avg_history(kicked) - sq_avg_history(steady)
k = np.arange(HISTORY - KICK_AT + 1)
derived = (1 - alphas) * (KICK**2 - 1.0**2) * alphas ** k[:, None]

# %%
fig, (ax_w, ax_kick) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
plot_memory_weights(ax_w, alphas, int(max(250, 3 * half_life(alphas.max()))), labels=names)
for i, name in enumerate(names):
    ax_kick.semilogy(k, influence[KICK_AT - 1:, i], label=f"measured, {name}", markevery=15,
                     **style(i))
    ax_kick.semilogy(k, derived[:, i], color="black", linestyle=":", linewidth=1)
ax_kick.plot([], [], color="black", linestyle=":",
             label=rf"derived $(1-\alpha)({KICK:g}^2-1)\alpha^k$")
ax_kick.set(xlabel="steps since the large gradient", ylabel="extra E[g²] (log scale)",
            title="One large gradient's influence on sq_avg fades as derived")
ax_kick.legend(fontsize=8)
plt.show()

# %%
claim(np.allclose(influence[KICK_AT - 1:], derived, rtol=1e-9, atol=1e-13)
      and np.all(influence[:KICK_AT - 1] == 0),
      "the large gradient's measured influence on sq_avg is (1 − α)(KICK² − 1)α^k, to a "
      "relative 1e-9, and zero before it happened",
      measured=f"largest gap {np.abs(influence[KICK_AT - 1:] - derived).max():.1e}")
memory = {}  # alpha -> (half-life, 1/(1 - alpha), mean age, share of the last 1/(1 - alpha))
for alpha in alphas:
    h, n = half_life(alpha), effective_memory(alpha)
    weights = memory_weights(alpha, 100_000)
    mean_age = np.sum((np.arange(weights.size) + 1) * weights)
    memory[alpha] = (h, n, mean_age, memory_weights(alpha, int(round(n))).sum())
claim(all(np.isclose(a**h, 0.5) and np.isclose(age, n) for a, (h, n, age, _) in memory.items()),
      "a weight halves after log 0.5/log α steps, and the mean age of the averaged gradients "
      "is 1/(1 − α) steps, for every α",
      measured=", ".join(f"α^h = {a**h:.4f}, mean age {age:.2f} for α = {a:g}"
                         for a, (h, n, age, _) in memory.items()))
claim(all(0.63 < share < 0.66 for *_, share in memory.values()),
      "for every α the most recent 1/(1 − α) steps carry between 63 % and 66 % of the weight",
      measured=", ".join(f"{share:.1%}" for *_, share in memory.values()))
for alpha, (h, n, mean_age, share) in memory.items():
    print(f"α = {alpha:g}: half-life {h:5.1f} steps, memory 1/(1−α) = {n:5.1f} steps "
          f"(mean age {mean_age:5.1f}); the last {n:.0f} steps carry {share:.1%} of the weight")

# %% [markdown]
# With $\alpha = 0.9$ a gradient's weight halves in under 7 steps; with torch's 0.99 it
# takes about 69. The measured influence of the large gradient on `sq_avg` lies on the
# derived line for both. Whatever $\alpha$, the most recent $1/(1-\alpha)$ steps carry
# between 63 and 66 % of the weight (for $\alpha \to 1$ it tends to $1 - 1/e$).
#
# The unrolled sum is not just a formula on paper: on random gradients it gives
# RMSProp's state to rounding error. And the $\alpha \to 1$ limit really is AdaGrad with
# a rescaled rate: over 30 steps on Rosenbrock the two paths agree to within 0.1 % of the
# distance travelled.

# %%
RANDOM_STEPS = 50                       # random gradients for the unrolled sum
ALPHA_NEAR_ONE, LR_ADAGRAD, NEAR_ONE_STEPS = 0.9999, 0.01, 30

grads = rng.standard_normal((RANDOM_STEPS, alphas.size))
unrolled = [np.sum(memory_weights(a, RANDOM_STEPS) * grads[::-1, i] ** 2)
            for i, a in enumerate(alphas)]
unroll_gap = np.max(np.abs(sq_avg_history(grads)[-1] / unrolled - 1))
claim(unroll_gap < 1e-12, f"the unrolled sum gives RMSProp's state after {RANDOM_STEPS} random "
      "gradients to a relative 1e-12", measured=f"relative gap {unroll_gap:.1e}")

rmsprop_slow = run(RMSProp(lr=LR_ADAGRAD * np.sqrt(1 - ALPHA_NEAR_ONE), alpha=ALPHA_NEAR_ONE),
                   Rosenbrock(), steps=NEAR_ONE_STEPS)
adagrad_same = run(AdaGrad(lr=LR_ADAGRAD), Rosenbrock(), steps=NEAR_ONE_STEPS)
gap = np.abs(rmsprop_slow.points - adagrad_same.points).max()
moved = np.abs(adagrad_same.points[-1] - adagrad_same.points[0]).max()
claim(gap < 1e-3 * moved, f"over {NEAR_ONE_STEPS} steps RMSProp(α = {ALPHA_NEAR_ONE:g}) and "
      "AdaGrad with the rescaled rate stay within 0.1 % of the distance travelled",
      measured=f"largest gap {gap:.1e} after moving {moved:.3f}")
print(f"RMSProp(α = {ALPHA_NEAR_ONE:g}, lr = {LR_ADAGRAD:g}·√(1−α)) vs "
      f"AdaGrad(lr = {LR_ADAGRAD:g}): largest gap {gap:.1e} after moving {moved:.3f}")

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
VARIANTS = [{}, {"centered": True}, {"momentum": 0.9}, {"centered": True, "momentum": 0.5}]
LR, ALPHA, PARITY_STEPS = 1e-3, 0.9, 300

banana = Rosenbrock()
differences, names_parity = [], []
for settings in VARIANTS:
    x = banana.start.copy()
    state = {"sq_avg": np.zeros(2), "grad_avg": np.zeros(2), "velocity": np.zeros(2)}
    path = [x]
    for _ in range(PARITY_STEPS):
        x = rmsprop_step(x, banana.grad(x), state, lr=LR, alpha=ALPHA, **settings)
        path.append(x)
    reference = run(RMSProp(lr=LR, alpha=ALPHA, **settings), banana, steps=PARITY_STEPS)
    differences.append(np.abs(np.array(path) - reference.points).max())
    names_parity.append(label_for(RMSProp(lr=LR, alpha=ALPHA, **settings)))
claim(max(differences) <= 1e-12, f"all {len(VARIANTS)} variants follow the package's "
      f"RMSProp to 1e-12 over {PARITY_STEPS} steps", measured=f"{max(differences):.1e}")
for name, difference in zip(names_parity, differences):
    print(f"{name:48s} largest difference {difference:.1e}")

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
G_TINY, ALPHA = 1e-4, 0.9
EPS_TORCH, EPS_KERAS = 1e-8, 1e-7           # each library's default epsilon

first_sq_avg = (1 - ALPHA) * G_TINY**2
torch_step = G_TINY / (np.sqrt(first_sq_avg) + EPS_TORCH)    # in units of lr
keras_step = G_TINY / np.sqrt(first_sq_avg + EPS_KERAS)
package_step = -RMSProp(lr=1.0, alpha=ALPHA, eps=EPS_TORCH).step(np.zeros(1),
                                                                 np.array([G_TINY]))[0]
claim(np.isclose(package_step, torch_step, rtol=1e-12),
      "alr_teach.RMSProp takes the torch-convention step (to a relative 1e-12)",
      measured=f"package {package_step:.6g}, torch convention {torch_step:.6g}")
claim(torch_step / keras_step > 9, "for this tiny gradient the torch-convention step is more "
      "than 9 times the Keras one", measured=f"{torch_step / keras_step:.1f} times")
print(f"first step / lr: torch convention {torch_step:.3f}, Keras convention {keras_step:.3f}")

# %% [markdown]
# A tenfold difference: porting a model between the two libraries with "the same"
# hyperparameters is not the same optimizer when gradients are small.
#
# ## 4. Watch it forget
#
# Back to the target of section 1. RMSProp with $\alpha = 0.9$ and with $\alpha = 0.99$,
# each at its own best rate from the same sweep as AdaGrad:

# %%
SHORT, LONG = 0.9, 0.99          # the short and the long memory, here and in sections 5-7
FAST, SLOW = f"RMSProp α={SHORT:g}", f"RMSProp α={LONG:g}"

sweeps = {FAST: sweep_tracking(RMSProp, target, LRS, steps=STEPS, alpha=SHORT),
          SLOW: sweep_tracking(RMSProp, target, LRS, steps=STEPS, alpha=LONG),
          "AdaGrad": adagrad_sweep}
optimizers = {FAST: RMSProp(lr=sweeps[FAST].best_lr, alpha=SHORT),
              SLOW: RMSProp(lr=sweeps[SLOW].best_lr, alpha=LONG),
              "AdaGrad": AdaGrad(lr=adagrad_sweep.best_lr)}
runs = {name: run(opt, target, steps=STEPS) for name, opt in optimizers.items()}
rates = {name: r.effective_lr[:, 0] for name, r in runs.items()}  # coordinate x
labels = [f"{name}, lr={opt.lr:.3g}" for name, opt in optimizers.items()]

fig, (ax_error, ax_rate) = plt.subplots(1, 2, figsize=(12, 4.4), layout="constrained")
plot_tracking_errors(ax_error, [tracking_error(r, target) for r in runs.values()], labels,
                     switch_at=T)
for i, (label, rate) in enumerate(zip(labels, rates.values())):
    ax_rate.semilogy(np.arange(1, STEPS + 1), rate, label=label, markevery=50, **style(i))
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
RECOVERY = 100                          # steps after the switch at which we read the rate
k = np.arange(1, STEPS - T + 1)         # steps since the switch
growth = {name: rates[name][T - 1 + k] / rates[name][T - 1] for name in rates}
bound = {FAST: SHORT ** (-k / 2), SLOW: LONG ** (-k / 2)}
claim(all(np.all(growth[n] <= bound[n] * (1 + 1e-6)) for n in bound),
      "neither RMSProp's rate grows faster than the derived bound α^(−k/2)",
      measured=", ".join(f"{n}: largest growth / bound {np.max(growth[n] / bound[n]):.3f}"
                         for n in bound))
claim(growth[FAST][RECOVERY - 1] > 50,
      f"with α = {SHORT:g} the rate grows more than 50-fold in {RECOVERY} steps",
      measured=f"{growth[FAST][RECOVERY - 1]:.1f}x")
claim(growth[SLOW][RECOVERY - 1] > 0.9 * bound[SLOW][RECOVERY - 1] and growth[SLOW][-1] < 5,
      f"with α = {LONG:g} the rate grows within 10 % of the bound in {RECOVERY} steps, and "
      f"less than 5-fold in {k[-1]}",
      measured=f"{growth[SLOW][RECOVERY - 1]:.2f}x in {RECOVERY}, {growth[SLOW][-1]:.1f}x "
               f"in {k[-1]}")
claim(growth["AdaGrad"][RECOVERY - 1] <= 1.0, f"AdaGrad's rate does not grow in {RECOVERY} "
      "steps", measured=f"{growth['AdaGrad'][RECOVERY - 1]:.3f}x")
for name in bound:
    print(f"{name:15s} rate after {RECOVERY} steps: {growth[name][RECOVERY - 1]:6.1f}x "
          f"(bound {bound[name][RECOVERY - 1]:6.1f}x); after {k[-1]}: {growth[name][-1]:6.1f}x")
print(f"{'AdaGrad':15s} rate after {RECOVERY} steps: {growth['AdaGrad'][RECOVERY - 1]:6.3f}x")

# %% [markdown]
# With $\alpha = 0.9$ the rate grows by a factor of about 80 within 100 steps, close to the
# hundredfold drop in the gradients, and the tracking error comes back down. With
# $\alpha = 0.99$ the rate grows almost exactly as fast as the bound allows, which is
# slow: the memory of the large gradients lasts. The same average that lets RMSProp
# forget also sets how *fast* it can forget.
#
# **Explore.** The sliders set $\alpha$ (0 to 0.999), RMSProp's rate (log scale) and the
# number of steps (the switch is always halfway); AdaGrad is shown at its best rate of the
# same sweep for reference. Things to try: $\alpha = 0$ (sign descent: it keeps up but
# jitters); $\alpha = 0.99$ and $0.999$ (a long memory: slow to recover); a rate ten times
# larger or smaller than the default.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = MemoryExplorer(alpha=SHORT, lr=sweeps[FAST].best_lr, steps=STEPS, velocity=VELOCITY,
                          before=CURVATURE_BEFORE, after=CURVATURE_AFTER)
explorer.widget()

# %% [markdown]
# The explorer's default view, as a static figure (what the saved notebook and the
# handouts show):

# %%
explorer.static_figure()
plt.show()
summary = explorer.summary
claim(summary["rmsprop_error"] < summary["adagrad_error"] / 10,
      "over the last quarter RMSProp tracks at least 10 times closer than AdaGrad",
      measured=f"RMSProp {summary['rmsprop_error']:.4f}, AdaGrad {summary['adagrad_error']:.4f}")
print(f"mean tracking error over the last quarter: RMSProp {summary['rmsprop_error']:.4f}, "
      f"AdaGrad {summary['adagrad_error']:.4f}")

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
SPEEDS = [0.003, 0.01, 0.03]            # how far the minimum moves per step
CURVATURES_AFTER = [1.0, 0.1, 0.01]     # the curvature from step T on (it is 1.0 before)
LAST = 100                              # the final window of section 7
methods = {FAST: (RMSProp, {"alpha": SHORT}), SLOW: (RMSProp, {"alpha": LONG}),
           "AdaGrad": (AdaGrad, {})}
results = {}  # (v, after) -> method -> (best lr, mean error after the switch, last LAST steps)
inside = []   # is each best rate inside the grid?
for v in SPEEDS:
    for after in CURVATURES_AFTER:
        scenario = switching_target(velocity=v, before=CURVATURE_BEFORE, after=after,
                                    horizon=STEPS)
        results[v, after] = {}
        for name, (cls, fixed) in methods.items():
            best = sweep_tracking(cls, scenario, LRS, steps=STEPS, **fixed)
            inside.append(LRS[0] < best.best_lr < LRS[-1])
            errors = best.best_errors
            results[v, after][name] = (best.best_lr, errors[T + 1:].mean(),
                                       errors[-LAST:].mean())
claim(all(inside), "every best rate lies inside the grid, never at its edge",
      measured=f"{count(inside)} inside")
print(f"{len(results)} targets, {len(methods)} methods, each tuned on {LRS.size} rates")

# %%
print(f"{'speed':>6} {'curvature':>15}   " + "   ".join(f"{n:>22s}" for n in methods))
for (v, after), row in results.items():
    change = "stays 1" if after == CURVATURE_BEFORE else f"1 -> {after:g}"
    cells = "   ".join(f"{row[n][1]:9.2e} (lr {row[n][0]:6.3f})" for n in methods)
    print(f"{v:6.3f} {change:>15}   {cells}")

# %%
def change_label(after):
    ratio = after / CURVATURE_BEFORE
    if ratio == 1:
        return "no change"
    return f"{1 / ratio:g}x drop" if ratio < 1 else f"{ratio:g}x rise"


fig, ax = plt.subplots(figsize=(11, 4), layout="constrained")
keys = list(results)
for i, name in enumerate(methods):
    ax.semilogy(np.arange(len(keys)) + 0.15 * (i - (len(methods) - 1) / 2),
                [results[key][name][1] for key in keys],
                markersize=8, label=name, **{**style(i), "linestyle": "none"})
ax.set_xticks(range(len(keys)), [f"v={v:g}\n{change_label(a)}" for v, a in keys])
ax.set(xlabel=f"target: speed v of the minimum, and the change in curvature at step {T}",
       ylabel=f"mean tracking error after step {T} (log)",
       title="Each method at its best rate: lower is better")
ax.legend(fontsize=8)
plt.show()

# %%
drops = [(v, a) for v, a in results if a < CURVATURE_BEFORE]
steady_drift = [(v, a) for v, a in results if a == CURVATURE_BEFORE]
biggest_drop = min(CURVATURES_AFTER)   # the largest drop in gradient scale
error = {key: {name: row[1] for name, row in results[key].items()} for key in results}

rmsprop_wins = [max(error[key][FAST], error[key][SLOW]) < error[key]["AdaGrad"] / 2
                for key in drops]
claim(all(rmsprop_wins), "whenever the gradient scale drops, both RMSProps track at least "
      "twice as closely as AdaGrad", measured=f"{count(rmsprop_wins)} targets")
adagrad_wins = [error[key]["AdaGrad"] < min(error[key][FAST], error[key][SLOW])
                for key in steady_drift]
keeps_up = [(results[key]["AdaGrad"][0] / key[0]) ** 2 > STEPS for key in steady_drift]
claim(all(adagrad_wins) and all(keeps_up), "on a steady drift AdaGrad at its tuned rate tracks "
      f"best, and its rate keeps up for (η/v)² > {STEPS} steps",
      measured=f"AdaGrad best on {count(adagrad_wins)}, keeps up on {count(keeps_up)}")
short_wins = [error[v, biggest_drop][FAST] < error[v, biggest_drop][SLOW] for v in SPEEDS]
claim(all(short_wins), f"after the largest drop ({change_label(biggest_drop)}) the short memory "
      f"(α = {SHORT:g}) beats the long one (α = {LONG:g}) at every speed",
      measured=f"{count(short_wins)} speeds")
print(f"checked on all {len(results)} targets")

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
#   rate large enough for that to exceed the 600-step horizon (checked above). AdaGrad
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
    return np.median([results[v, after][name][1] for v in SPEEDS])


rows = [
    ("divides the step by", "√(sum of all g²)", "√(moving average of g²)"),
    ("memory", "every step", f"~{effective_memory(SHORT):.0f} steps (α = {SHORT:g})"),
    (f"rate {RECOVERY} steps after a {change_label(CURVATURE_AFTER)}",
     f"{growth['AdaGrad'][RECOVERY - 1]:.3f}x", f"{growth[FAST][RECOVERY - 1]:.0f}x"),
    ("tracking error, steady drift", f"{median_error('AdaGrad', CURVATURE_BEFORE):.2e}",
     f"{median_error(FAST, CURVATURE_BEFORE):.2e}"),
    (f"tracking error after a {change_label(biggest_drop)}",
     f"{median_error('AdaGrad', biggest_drop):.2e}", f"{median_error(FAST, biggest_drop):.2e}"),
]
print(f"{'':34s} {'AdaGrad':>18s}   {f'RMSProp (α = {SHORT:g})':>24s}")
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
FIRST_GRADIENTS = np.array([1e-3, 1.0, 1e3])
first = {alpha: -RMSProp(lr=1.0, alpha=alpha).step(np.zeros(FIRST_GRADIENTS.size),
                                                   FIRST_GRADIENTS) for alpha in (SHORT, LONG)}
first_ok = [np.allclose(step, 1 / np.sqrt(1 - alpha), rtol=1e-4) for alpha, step in first.items()]
claim(all(first_ok), "the first step is lr/√(1 − α) per coordinate (to a relative 1e-4), "
      "whatever the gradient", measured=f"{count(first_ok)} values of α")
for alpha, step in first.items():
    print(f"α = {alpha}: first step / lr = {np.array2string(step, precision=3)} for gradients "
          f"{', '.join(f'{g:g}' for g in FIRST_GRADIENTS)} (1/√(1−α) = "
          f"{1 / np.sqrt(1 - alpha):.3f})")

# %% [markdown]
# **It does not settle with a constant rate.** Near a minimum the gradient shrinks, but
# so does $\sqrt{E[g^2]}$: steps stay of order $\eta$. On the steadily drifting targets of
# section 5, RMSProp's ($\alpha = 0.9$) error over the last 100 steps stays between 0.3
# and 1 times its learning rate:

# %%
jitter = {v: results[v, CURVATURE_BEFORE][FAST] for v in SPEEDS}  # (lr, _, last error)
claim(all(0.3 * lr_rms < last < lr_rms for lr_rms, _, last in jitter.values()),
      f"on a steady drift RMSProp (α = {SHORT:g}) stays between 0.3 and 1 times its rate from "
      f"the target over the last {LAST} steps",
      measured=", ".join(f"{last / lr_rms:.2f} lr" for lr_rms, _, last in jitter.values()))
for v, (lr_rms, _, last) in jitter.items():
    print(f"v = {v:.3f}: lr {lr_rms:.4f}, tracking error over the last {LAST} steps {last:.4f} "
          f"({last / lr_rms:.2f} lr)")

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
long_steadier = [error[v, CURVATURE_BEFORE][SLOW] < error[v, CURVATURE_BEFORE][FAST]
                 for v in SPEEDS]
claim(all(long_steadier), f"on a steady drift α = {LONG:g} tracks better than α = {SHORT:g} "
      "at every speed", measured=f"{count(long_steadier)} speeds")
print(f"alr_teach / torch defaults: lr {defaults['lr']}, α {defaults['alpha']}, "
      f"ε {defaults['eps']}")

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
#    with the formula, then add it to section 2's settings (`ALPHAS = (0.9, 0.99, 0.999)`)
#    and read its half-life in the printed lines and the figure.
# 2. In section 5, make the curvature *rise* at step 300 as well: add `100.0` to
#    `CURVATURES_AFTER`. Which method tracks better after a rise? Predict, then read the
#    new rows of the table and the new points of the figure.
#
# **Previous:** [03 · AdaGrad](03_adagrad.ipynb). **Next:** 05 · Adam.
#
# **Further reading:** Tieleman & Hinton, *Lecture 6.5: rmsprop*, COURSERA: Neural
# Networks for Machine Learning (2012), where RMSProp was introduced (it has no paper);
# Graves, *Generating Sequences With Recurrent Neural Networks* (2013), for the centered
# form; Duchi, Hazan & Singer, *Adaptive Subgradient Methods*, JMLR (2011), for AdaGrad.
