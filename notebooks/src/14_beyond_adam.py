# %% [markdown]
# # 14 · Beyond Adam: RAdam, AMSGrad, NAdam, Adamax, LAMB, NovoGrad, Lookahead and Ranger
#
# Adam is the default adaptive optimizer, and a family of successors each claims to fix
# one of its weak points: its first steps rest on a second moment estimated from almost
# no gradients (RAdam); a gap in its convergence proof hides simple problems on which it
# settles at the wrong point (AMSGrad); its momentum could look ahead (NAdam) or its
# denominator could be a maximum (Adamax); one global rate does not suit every layer when
# batches get large (LAMB, NovoGrad); and a second, slow copy of the weights might steady
# any optimizer (Lookahead, and Ranger, which wraps RAdam). This notebook derives each
# fix, writes it in a few lines of numpy, checks it against `alr_teach`, and tests the
# claim behind it with an experiment. It says plainly which claims our small experiments
# support and which they do not.
#
# **Learning objectives.** By the end of this notebook you can
# - *derive* RAdam's $\rho_t$ and rectifier $r_t$ from the variance of Adam's adaptive
#   rate, and *predict* when RAdam switches from momentum steps to adaptive ones;
# - *construct* the online problem on which Adam converges to the wrong end of $[-1, 1]$,
#   and *explain* how AMSGrad's running maximum prevents it;
# - *implement* LAMB's trust ratio, NovoGrad's per-layer second moment and Lookahead's
#   slow weights in numpy, and check them against the package;
# - *compare* Adam, LAMB and NovoGrad as the batch grows, each at a tuned rate, and read
#   the per-layer trust ratios of a real network;
# - *judge* which of the "beyond Adam" claims a small experiment supports.
#
# **Prerequisites:** [05 · Adam](05_adam.ipynb), [09 · Schedules](09_schedules.ipynb)
# (warm-up) and [10 · Real data](10_real_data.ipynb) (the fair-comparison protocol reused
# here). **Time:** about 60 minutes. Notation: [docs/notation.md](../docs/notation.md).

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from alr_teach import (
    LAMB,
    SGD,
    Adam,
    Adamax,
    Lookahead,
    MLPClassifier,
    NAdam,
    NovoGrad,
    RAdam,
    Ranger,
)
from alr_teach.course.claims import claim, paired
from alr_teach.lab import arena
from alr_teach.lab.benchmarking import Spread
from alr_teach.lab.mlp_sweeps import sweep_mlp
from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers.schedules import linear_warmup
from alr_teach.problems import mlp
from alr_teach.problems.datasets import load_split
from alr_teach.problems.landscapes import Beale, Himmelblau, Quadratic, Rosenbrock
from alr_teach.viz.explorers.layer_step import LayerStepExplorer
from alr_teach.viz.mlp_sweeps_plots import plot_layer_steps, plot_rate_curves
from alr_teach.viz.plots import style
from alr_teach.viz.surface_plots import contour, plot_trajectories

rng = np.random.default_rng(14)  # seeded: every number below is reproducible
started = time.perf_counter()  # for the total run time, printed at the end

# %% [markdown]
# ## 1. Adam's first steps rest on very few gradients
#
# Adam divides its momentum by $\sqrt{\hat v_t}$, where $\hat v_t$ is the bias-corrected
# average of squared gradients. Call $l_t = 1/\sqrt{\hat v_t}$ the **adaptive rate** (the
# step per unit of momentum, before $\eta$). After one step $\hat v_1 = g_1^2$ exactly, so
# $l_1 = 1/|g_1|$: if the first gradient happens to be small, the first step is huge. An
# average of squares needs many gradients before it is a steady estimate of their scale.
#
# **Experiment.** Feed 10 000 independent runs with pure-noise gradients,
# $g_t \sim \mathcal N(0, 1)$ (so the true scale is $\sigma = 1$ and an ideal adaptive rate
# is $1/\sigma = 1$), and look at how $l_t$ spreads across the runs, with
# $\beta_2 = 0.999$ and $\epsilon = 0$ (`N_RUNS`, `HORIZON`, `BETA2`):

# %%
N_RUNS, HORIZON, BETA2 = 10_000, 300, 0.999
t = np.arange(1, HORIZON + 1)
noise = rng.standard_normal((HORIZON, N_RUNS))  # g_t ~ N(0, 1) in every run
v = np.zeros(N_RUNS)
adaptive = np.empty((HORIZON, N_RUNS))  # l_t = 1 / sqrt(v_hat_t) in every run
for k in range(HORIZON):
    v = BETA2 * v + (1 - BETA2) * noise[k] ** 2
    adaptive[k] = 1 / np.sqrt(v / (1 - BETA2 ** t[k]))
low, median, high = np.percentile(adaptive, [5, 50, 95], axis=1)
spread_90 = high / low  # 95th / 5th percentile at every step
for step in (1, 6, HORIZON):
    print(f"step {step:3d}: l_t between {low[step - 1]:.2f} and {high[step - 1]:.2f} "
          f"in 90 % of the runs (95th / 5th percentile = {spread_90[step - 1]:.1f})")
claim(spread_90[0] > 25 and spread_90[5] < 3 and spread_90[-1] < 1.2,
      f"the middle 90 % of l_t spreads over a factor above 25 at step 1, below 3 at step 6 "
      f"and below 1.2 at step {HORIZON}",
      measured=f"{spread_90[0]:.1f}, {spread_90[5]:.1f} and {spread_90[-1]:.2f}")

# %%
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
ax.fill_between(t, low, high, color=style(0)["color"], alpha=0.25, linewidth=0,
                label="5th to 95th percentile over the runs")
ax.plot(t, median, markevery=30, markersize=4, label="median", **style(0))
ax.axhline(1.0, color="black", linestyle=":", label="1 / σ (the ideal adaptive rate)")
ax.set(xscale="log", yscale="log", xlabel="step t (log scale)",
       ylabel="adaptive rate l_t = 1 / √v̂_t (log scale)",
       title="Adam's adaptive rate on pure noise: wild at first, steady later")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# At step 1 the middle 90 % of the runs spread over a factor of more than 25; by step 6
# the factor is under 3, and after 300 steps under 1.2. This is why practitioners *warm
# up* Adam: they start with a tiny learning rate and raise it over the first hundreds or
# thousands of steps, so that the erratic early steps are small
# ([notebook 09](09_schedules.ipynb)).
# RAdam asks how long the warm-up must be, and builds the answer into the update.
#
# ## 2. RAdam: count the gradients in $v$, then rectify
#
# **How many gradients does $v_t$ hold?** $\hat v_t$ is a weighted average of
# $g_1^2, \dots, g_t^2$ with weights $(1-\beta_2)\beta_2^{t-i}/(1-\beta_2^t)$. Liu et al.
# replace it by a *simple* average of the last $\rho_t$ squares whose weights sit, on
# average, as far in the past. The exponential weights' mean age is
# $\sum_i (t-i)(1-\beta_2)\beta_2^{t-i}/(1-\beta_2^t) = \beta_2/(1-\beta_2) -
# t\beta_2^t/(1-\beta_2^t)$, a simple average of $\rho$ terms has mean age $(\rho-1)/2$,
# and equating the two gives
#
# $$\rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t}, \qquad
#   \rho_\infty = \frac{2}{1-\beta_2} - 1 .$$
#
# $\rho_1 = 1$ (one gradient), and $\rho_t$ grows by about one per step until $t$
# approaches $1/(1-\beta_2)$, then levels off at $\rho_\infty$.
#
# **How noisy is $l_t$?** If the $g_i$ are $\mathcal N(0, \sigma^2)$, a simple average of
# $\rho$ squares is $\sigma^2\chi^2_\rho/\rho$, so $l_t = 1/\sqrt{\hat v_t}$ follows a
# scaled inverse-$\chi$ law. Its variance is infinite for $\rho \le 2$ and, to first
# order in $1/\rho$,
#
# $$\mathrm{Var}[l_t] \approx \frac{\rho_t}{2(\rho_t-2)(\rho_t-4)\,\sigma^2}
#   \qquad (\rho_t > 4).$$
#
# **The rectifier** scales the adaptive rate so that its variance is the one it will
# have in the long run, $\mathrm{Var}[r_t l_t] = \mathrm{Var}[l_\infty]$:
#
# $$r_t = \sqrt{\frac{\mathrm{Var}[l_\infty]}{\mathrm{Var}[l_t]}}
#   = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}} .$$
#
# While $\rho_t$ is too small for $r_t$ to exist, RAdam does not adapt at all: it takes
# a momentum step $\eta\,\hat m_t$. The rule (torch's threshold, $\rho_t > 5$):
#
# $$x_t = \begin{cases} x_{t-1} - \eta\, r_t\, \hat m_t\, \dfrac{\sqrt{1-\beta_2^t}}{\sqrt{v_t}
#   + \epsilon} & \rho_t > 5,\\[1ex] x_{t-1} - \eta\, \hat m_t & \text{otherwise.}\end{cases}$$
#
# In numpy, then checked against `alr_teach.RAdam` for 60 steps on Rosenbrock (across
# the switch):

# %%
def rho(t, beta2):
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2**t / (1 - beta2**t)


def rectifier(t, beta2):
    """r_t where rho_t > 5, NaN before (RAdam takes momentum steps there)."""
    rho_inf, rho_t = 2 / (1 - beta2) - 1, rho(t, beta2)
    with np.errstate(invalid="ignore"):
        r = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    return np.where(rho_t > 5, r, np.nan)


def radam_step(x, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    if rho(t, beta2) > 5:  # enough gradients in v: a rectified adaptive step
        l_t = np.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
        return x - lr * rectifier(t, beta2) * m_hat * l_t, m, v
    return x - lr * m_hat, m, v  # too few: a momentum step, nothing adaptive


CHECK_LR, CHECK_STEPS = 0.01, 60

banana = Rosenbrock()
x, m, v = banana.start.astype(float), np.zeros(2), np.zeros(2)
by_hand = [x]
for step in range(1, CHECK_STEPS + 1):
    x, m, v = radam_step(x, banana.grad(x), m, v, step, lr=CHECK_LR)
    by_hand.append(x)
package = run(RAdam(lr=CHECK_LR), banana, steps=CHECK_STEPS)
difference = np.abs(np.array(by_hand) - package.points).max()
print(f"largest difference over {CHECK_STEPS} steps: {difference:.1e}")
claim(difference < 1e-12, "the numpy RAdam repeats alr_teach.RAdam (to 1e-12)",
      measured=f"{difference:.1e}")

# %%
print(f"beta2 = {BETA2}: rho_5 = {rho(5, BETA2):.4f}, rho_6 = {rho(6, BETA2):.4f}, "
      f"r_6 = {float(rectifier(6, BETA2)):.4f}")
first_adaptive = int(np.argmax(rho(t, BETA2) > 5)) + 1
r_first = float(rectifier(first_adaptive, BETA2))
claim(first_adaptive == 6 and r_first < 0.03,
      f"with β2 = {BETA2} the first adaptive step is step 6, scaled by r_t below 3 %",
      measured=f"step {first_adaptive}, r = {r_first:.4f}")

# %% [markdown]
# With $\beta_2 = 0.999$, the first five steps are momentum steps and the sixth is the
# first adaptive one, scaled down to under 3 % of Adam's step. How long does the
# rectifier keep the step small? For three values of $\beta_2$:

# %%
BETA2S_SHOWN = [0.99, 0.999, 0.9999]  # each one more 9 than the last

long_t = np.arange(1, 100_001)
shown = np.unique(np.geomspace(1, long_t[-1], 400).astype(int))  # steps drawn (log axis)
fig, (ax_rho, ax_r) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
half_way = {}
for i, b2 in enumerate(BETA2S_SHOWN):
    half_way[b2] = int(long_t[np.nan_to_num(rectifier(long_t, b2)) >= 0.5][0])
    ax_rho.plot(shown, rho(shown, b2), label=f"β2 = {b2}", markevery=0.1, markersize=4,
                **style(i))
    ax_r.plot(shown, rectifier(shown, b2), label=f"β2 = {b2}: r_t ≥ 0.5 from step "
              f"{half_way[b2]}", markevery=0.1, markersize=4, **style(i))
ax_rho.set(xscale="log", yscale="log", xlabel="step t (log scale)",
           ylabel="ρ_t (log scale)", title="How many gradients v_t holds: ρ_t")
ax_r.set(xscale="log", xlabel="step t (log scale)", ylabel="rectifier r_t",
         title="RAdam's rectifier: an automatic warm-up")
for ax in (ax_rho, ax_r):
    ax.legend(fontsize=8)
plt.show()
ratios = [half_way[b] / half_way[a] for a, b in zip(BETA2S_SHOWN, BETA2S_SHOWN[1:])]
print(f"steps until r_t >= 0.5: {half_way}; ratios "
      + ", ".join(f"{q:.1f}" for q in ratios))
claim(all(9 < q < 10.5 for q in ratios) and half_way.get(0.999, 0) > 500,
      "each extra 9 in β2 makes r_t reach 0.5 between 9 and 10.5 times later, and with "
      "β2 = 0.999 only after step 500", measured=f"{half_way}")

# %% [markdown]
# $r_t$ rises like a warm-up schedule whose length is proportional to $1/(1-\beta_2)$:
# each extra 9 in $\beta_2$ makes it about ten times longer. With the default
# $\beta_2 = 0.999$ the rectified step is still below half of Adam's after 500 steps.
# (In the limit, $\rho_\infty = 2/(1-\beta_2) - 1$, which is 1999 for $\beta_2 = 0.999$.)
#
# **Does the rectifier do what it was derived for?** Back to the 10 000 noise runs:
# the measured variance of $l_t$ against the formula, and the variance of $r_t l_t$
# against the long-run value $\mathrm{Var}[l_\infty]$:

# %%
measured = adaptive.var(axis=1)
rho_t = rho(t, BETA2)
with np.errstate(divide="ignore", invalid="ignore"):
    formula = np.where(rho_t > 4, rho_t / (2 * (rho_t - 2) * (rho_t - 4)), np.nan)
rectified = (rectifier(t, BETA2)[:, None] * adaptive).var(axis=1)
rho_inf = 2 / (1 - BETA2) - 1
long_run = rho_inf / (2 * (rho_inf - 2) * (rho_inf - 4))
later = rho_t >= 20
early = (rho_t > 5) & ~later
print(f"rho_inf = {rho_inf:.0f}")
print(f"Var[l_t] / formula where rho_t >= 20: {np.min(measured[later] / formula[later]):.2f} "
      f"to {np.max(measured[later] / formula[later]):.2f}")
print(f"Var[l_t] from step 6 to step {HORIZON} falls {measured[5] / measured[-1]:.0f}-fold; "
      f"Var[r_t l_t] / Var[l_inf] stays between {np.min(rectified[5:] / long_run):.2f} "
      f"and {np.max(rectified[5:] / long_run):.2f}")
claim(np.all(np.abs(measured[later] / formula[later] - 1) < 0.15)
      and np.all(measured[early] < formula[early]),
      "the formula is within 15 % of the measured variance once ρ_t ≥ 20, and too high below",
      measured=f"ratio {np.min(measured[later] / formula[later]):.2f} to "
               f"{np.max(measured[later] / formula[later]):.2f} from ρ_t = 20; "
               f"{np.sum(measured[early] >= formula[early])} early steps not below")
claim(measured[5] / measured[-1] > 50
      and np.all((rectified[5:] > 0.4 * long_run) & (rectified[5:] < long_run)),
      f"Adam's Var[l_t] falls over 50-fold from step 6 to step {HORIZON}, while Var[r_t l_t] "
      "stays between 0.4 and 1 times Var[l_∞]",
      measured=f"{measured[5] / measured[-1]:.0f}-fold; {np.min(rectified[5:] / long_run):.2f} "
               f"to {np.max(rectified[5:] / long_run):.2f}")

# %%
fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
ax.plot(t, measured, label="Var[l_t], measured (Adam)", markevery=30, markersize=4, **style(0))
ax.plot(t, formula, label="ρ_t / (2(ρ_t − 2)(ρ_t − 4)), the first-order formula",
        markevery=30, markersize=4, **style(1))
ax.plot(t, rectified, label="Var[r_t l_t], measured (RAdam)", markevery=30, markersize=4,
        **style(2))
ax.axhline(long_run, color="black", linestyle=":", label="Var[l_∞] (ρ = ρ_∞)")
ax.set(xscale="log", yscale="log", ylim=(1e-5, 1e3), xlabel="step t (log scale)",
       ylabel=f"variance over {N_RUNS:,} runs (log scale)".replace(",", " "),
       title="The rectifier holds the adaptive rate's variance near its long-run value")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The formula is a good description once $\rho_t \ge 20$ (within 15 %); below that it
# overestimates the variance, so the rectified variance dips to about half the long-run
# value in the first steps instead of matching it: the rectifier errs on the side of
# small steps. Adam's own variance falls over fifty-fold between steps 6 and 300.
#
# ## 3. RAdam against Adam, with and without warm-up, on real data
#
# Does the rectifier help a real network? The network and data are those of
# [notebook 10](10_real_data.ipynb): scikit-learn's 8 × 8 digits (bundled, nothing
# downloaded), split 60/20/20 into training, validation and test parts, and an MLP with
# one hidden layer of 32 ReLU units. **Protocol**, held fixed for every method in this
# notebook: batches of 64, 8 epochs (136 steps), the rate grid
# $\eta \in \{0.0032, 0.01, 0.032, 0.1, 0.32\}$, seeds 0 to 4 at every rate; each
# method's rate is chosen by the lowest mean validation loss after the last epoch, and
# the test part, which did not pick the rate, judges. Two methods are compared **seed by
# seed** at their chosen rates (`paired` from `alr_teach.course.claims`: run *i* of A against
# run *i* of B, same seed, same data): A is *ahead* if its test accuracy is higher on at
# least 4 of the 5 seeds by more than 2 test images (of 360; smaller differences count as
# ties), and otherwise the two *cannot be told apart* (`SEEDS`, `ACC_TIE`, `WINS_NEEDED`).
#
# `alr_teach.lab.mlp_sweeps.sweep_mlp` trains all 25 (rate, seed) runs of a method as *one*
# vectorised run: each parameter array gets a leading run axis and the optimizer an
# `lr` of shape (25,). Every run is exactly the fit `MLPClassifier` would make with that
# rate and `random_state` (checked in section 6). The methods: Adam; Adam with a linear
# warm-up over the first two epochs (the rate at step $t$ is
# $\eta \min(1, t/34)$); and RAdam.

# %%
digits = load_split("digits")
rates = np.logspace(-2.5, -0.5, 5)
SEEDS = (0, 1, 2, 3, 4)
protocol = {"seeds": SEEDS, "batch_size": 64, "epochs": 8}
WARMUP_EPOCHS = 2
HIGH_RATE = 0.1  # the large rate looked at epoch by epoch
ACC_TIE = 2  # test images: paired differences of at most this many count as ties
LOSS_TIE = 0.01  # validation loss: paired differences of at most this count as ties
WINS_NEEDED = len(SEEDS) - 1  # "A is ahead": better on all seeds but one, or more

steps_per_epoch = -(-len(digits.y_train) // protocol["batch_size"])  # 17 batches of 64
warmup_steps = WARMUP_EPOCHS * steps_per_epoch


def warm_up(k, length=warmup_steps):  # k = steps taken so far; the factor for step k + 1
    return linear_warmup(k + 1, lr=1.0, warmup_steps=length, start_factor=0.0)


warm = {
    "Adam": sweep_mlp(Adam, digits, rates, **protocol),
    "Adam + warm-up": sweep_mlp(Adam, digits, rates, lr_factor=warm_up,
                                method="Adam + warm-up", **protocol),
    "RAdam": sweep_mlp(RAdam, digits, rates, **protocol),
}


acc_tie = (ACC_TIE + 0.5) / len(digits.y_test)  # half an image more: whole images only


def at_best(sweep, quantity="accuracy", epoch=None):
    """One value per seed at the chosen rate: test accuracy, or validation loss after `epoch`."""
    i = sweep.best_index()
    if quantity == "accuracy":
        return sweep.test_accuracy[i]
    return sweep.val_loss[(epoch or sweep.val_loss.shape[0]) - 1, i]


def versus(a, b, quantity="accuracy", epoch=None):
    """Sweep a against sweep b, seed by seed, at their chosen rates."""
    if quantity == "accuracy":
        return paired(at_best(a), at_best(b), better="higher", tie=acc_tie)
    return paired(at_best(a, "loss", epoch), at_best(b, "loss", epoch), tie=LOSS_TIE)


def verdict(p, a, b):
    if p.wins >= WINS_NEEDED:
        return f"{a} ahead"
    if p.losses >= WINS_NEEDED:
        return f"{b} ahead"
    return "cannot be told apart"


def report(sweeps):
    """Chosen rate, validation loss and test accuracy at it (mean [range] over seeds)."""
    rows = {}
    for name, sweep in sweeps.items():
        i = sweep.best_index()
        rows[name] = (sweep.best_lr, Spread.of(sweep.val_loss[-1, i]),
                      Spread.of(sweep.test_accuracy[i]))
        print(f"{name:16s} η = {sweep.best_lr:.3g}: validation loss "
              f"{rows[name][1].show()}, test accuracy {rows[name][2].show()}")
    return rows


warm_rows = report(warm)

# %%
fig, (ax_rates, ax_early) = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained")
plot_rate_curves(ax_rates, list(warm.values()))
ax_rates.set_title("The rate search (ring = chosen rate)")
high_rate = int(np.argmin(np.abs(rates - HIGH_RATE)))
epochs = np.arange(1, protocol["epochs"] + 1)
for i, sweep in enumerate(warm.values()):
    curve = np.where(np.isfinite(sweep.val_loss[:, high_rate]), sweep.val_loss[:, high_rate],
                     np.nan)
    ax_early.plot(epochs, curve.mean(axis=1), label=sweep.method, markersize=5, **style(i))
ax_early.set(yscale="log", xlabel="epoch", ylabel="validation loss (mean over seeds)",
             title=f"At the large rate η = {rates[high_rate]:.2g}, epoch by epoch")
ax_early.legend(fontsize=8)
plt.show()

# %%
best = {name: row[0] for name, row in warm_rows.items()}
radam_loss = warm_rows["RAdam"][1]
at_high = {name: sweep.final_val_loss()[high_rate] for name, sweep in warm.items()}
print(f"RAdam's chosen rate is {best['RAdam'] / best['Adam']:.0f}x Adam's")
print(f"at η = {rates[high_rate]:.2g}, last validation loss: "
      + ", ".join(f"{name} {loss:.2f}" for name, loss in at_high.items()))
names = list(warm)
pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
warm_pairs = {(a, b): versus(warm[a], warm[b]) for a, b in pairs}
for (a, b), p in warm_pairs.items():
    print(f"test accuracy, {a} (A) vs {b} (B): {p}: {verdict(p, a, b)}")
if {"Adam", "Adam + warm-up", "RAdam"} <= set(names):  # the comparisons the text draws
    claim(verdict(warm_pairs["Adam", "RAdam"], "Adam", "RAdam") == "cannot be told apart"
          and warm_pairs["Adam", "Adam + warm-up"].wins >= WINS_NEEDED
          and warm_pairs["Adam + warm-up", "RAdam"].losses >= WINS_NEEDED,
          f"at their tuned rates Adam and RAdam cannot be told apart, and each is ahead of "
          f"Adam + warm-up (higher test accuracy on at least {WINS_NEEDED} of {len(SEEDS)} "
          f"seeds, by more than {ACC_TIE} images)",
          measured="; ".join(f"{a} vs {b}: {p}" for (a, b), p in warm_pairs.items()))
claim(np.isclose(best["RAdam"] / best["Adam"], 10.0, rtol=0.01)
      and at_high["Adam"] > 1 and at_high["Adam + warm-up"] > 1 and at_high["RAdam"] < 0.5,
      f"RAdam's chosen rate is ten times Adam's, and at η = {rates[high_rate]:.2g} Adam's "
      "validation loss ends above 1 with or without warm-up while RAdam's ends below 0.5",
      measured=f"ratio {best['RAdam'] / best['Adam']:.3g}; "
               + ", ".join(f"{name} {loss:.2f}" for name, loss in at_high.items()))

# %% [markdown]
# What the runs say:
#
# - **At a tuned rate RAdam and Adam cannot be told apart**: seed by seed, their test
#   accuracies differ by at most 2 images. The rectifier did not make RAdam better than
#   Adam here.
# - **The two-epoch warm-up made Adam slightly worse**, not better: plain Adam and RAdam
#   were each ahead of it on at least 4 of the 5 seeds, by more than 2 test images. (With
#   three seeds and overlapping ranges, an earlier version of this notebook called all
#   three a tie; five paired seeds separate the warm-up.) In a run of 136 steps, a warm-up
#   over the first 34 leaves less training at the full rate.
# - **The rates that work move.** At $\eta = 0.1$ Adam's validation loss blows up (above
#   1 after 8 epochs), a two-epoch warm-up does not save it, and RAdam trains well. RAdam's
#   chosen rate is ten times Adam's.
#
# The second point is the rectifier at work. In this 136-step run $r_t$ never exceeds
# 0.3 (section 2: it reaches 0.5 only after 556 steps), so RAdam is close to *Adam with
# its rate multiplied by $r_t$*, a warm-up that lasts the whole run. That is a checkable
# statement: train Adam with the schedule $\eta\, r_t$ (and no step at all while
# $\rho_t \le 5$) at RAdam's chosen rate, and compare.

# %%
def rectified_schedule(k):  # k = steps taken so far; RAdam's r_t for step k + 1, 0 before
    return float(np.nan_to_num(rectifier(k + 1, RAdam().beta2)))


run_steps = warm["RAdam"].steps
r_max = float(np.nanmax(rectifier(np.arange(1, run_steps + 1), RAdam().beta2)))
adam_times_r = sweep_mlp(Adam, digits, [best["RAdam"]], lr_factor=rectified_schedule,
                         method="Adam × r_t", **protocol)
radam_at_best = warm["RAdam"].val_loss[:, warm["RAdam"].best_index()]
gaps = np.abs(adam_times_r.val_loss[:, 0] - radam_at_best).max(axis=1)  # per epoch
spread = radam_loss.high - radam_loss.low
last = protocol["epochs"]
print(f"largest r_t in {run_steps} steps: {r_max:.3f}")
print(f"RAdam vs Adam × r_t at η = {best['RAdam']:.2g}, largest validation-loss difference "
      f"over the seeds:\nepoch 1 {gaps[0]:.3f}, epoch {last} {gaps[-1]:.3f} "
      f"(RAdam's own range over the seeds at epoch {last}: {spread:.3f})")
claim(r_max < 0.3, f"r_t stays below 0.3 in these {run_steps} steps", measured=f"{r_max:.3f}")
claim(gaps[0] > spread and gaps[-1] < 0.5 * spread,
      f"RAdam and Adam × r_t differ after epoch 1 by more than RAdam's range over the seeds, "
      f"and after epoch {last} by less than half of it",
      measured=f"{gaps[0]:.3f} and {gaps[-1]:.3f} against a range of {spread:.3f}")

# %% [markdown]
# They differ in the first epoch, where RAdam's five momentum steps ($\eta \hat m_t$ with
# $\eta = 0.1$) move the weights and Adam $\times\, r_t$ stands still, and then they
# converge: after 8 epochs they agree more closely than RAdam agrees with itself across
# seeds. So on this problem RAdam *is* a warm-up, one whose length is fixed by $\beta_2$ rather
# than chosen by hand, and its benefit is the benefit of warming up: larger rates become
# usable. Whether that helps depends on the run being long enough for the warm-up to
# end. The paper's stronger claims (faster convergence and better accuracy than Adam with
# a tuned warm-up, on language and image models) are about longer runs than ours, which
# this experiment neither confirms nor refutes.
#
# ## 4. AMSGrad: an online problem on which Adam converges to the wrong point
#
# Reddi, Kale and Kumar (2018) found a gap in Adam's convergence proof and a problem that
# falls through it. It is an *online* problem: at each step $t$ the learner picks
# $x_t$ in the feasible set $\mathcal F = [-1, 1]$, then pays $f_t(x_t)$, with
#
# $$f_t(x) = \begin{cases} C\,x & t \bmod 3 = 1,\\ -x & \text{otherwise,}\end{cases}
#   \qquad C > 2 .$$
#
# Over each period of three steps the losses add up to $(C - 2)\,x$, so the best fixed
# point is $x^\star = -1$. The gradients are $C, -1, -1, C, -1, -1, \dots$: one large
# push towards $-1$ and two small pushes towards $+1$. A step can leave $\mathcal F$, so
# every update is followed by a **projection** back onto it,
# $\Pi_{\mathcal F}(x) = \min(1, \max(-1, x))$.
#
# **Why Adam drifts the wrong way.** Take $\beta_1 = 0$ (no momentum, as in the paper's
# theorem) and a small $\beta_2$, e.g. $1/(1 + C^2)$. Right after the large gradient,
# $v_t$ is large and the step towards $-1$ is divided by it; two steps later $v_t$ has
# already forgotten $C^2$, and the small gradients are divided by a small $\sqrt{v_t}$:
# each period, the two steps towards $+1$ add up to more than the one step towards $-1$.
# **AMSGrad** divides by the running maximum $\hat v^{\max}_t$ instead, which remembers
# $C^2$: every step is divided by about the same number, and the drift is the average
# gradient's, towards $-1$.
#
# Written out, with the step size $\alpha/\sqrt t$ of the theorem and the projection after
# every step (the settings: `C`, `ALPHA`, `BETA1` and the number of steps):

# %%
C, ALPHA, BETA1, ONLINE_STEPS = 3.0, 0.5, 0.0, 3000


def gradient(t):  # f_t(x) = C x on steps 1, 4, 7, ... and -x on the others
    return C if t % 3 == 1 else -1.0


def project(x):  # onto the feasible set F = [-1, 1]
    return np.clip(x, -1.0, 1.0)


def online(steps, beta2, amsgrad, beta1=BETA1, eps=1e-8):
    """Adam or AMSGrad on the online problem; the projected iterates x_t."""
    x, m, v, v_max, xs = 0.0, 0.0, 0.0, 0.0, []
    for t in range(1, steps + 1):
        g = gradient(t)
        m = beta1 * m + (1 - beta1) * g  # with beta1 = 0 (the theorem's), m is g itself
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        x = project(x - ALPHA / np.sqrt(t) * (m / (1 - beta1**t)) / (np.sqrt(v_hat) + eps))
        xs.append(x)
    return np.array(xs)


steps, beta2_theorem = ONLINE_STEPS, 1 / (1 + C**2)
paths = {"Adam": online(steps, beta2_theorem, False),
         "AMSGrad": online(steps, beta2_theorem, True)}

# %% [markdown]
# The same runs with the package's `Adam(amsgrad=...)`, projecting after each step. One
# batched run per method covers a whole range of $\beta_2$ at once (`betas=(BETA1, beta2s)`
# with an array of $\beta_2$'s, one row of `x` per value); the row with
# $\beta_2 = 1/(1+C^2) = 0.1$ must repeat the numpy runs:

# %%
beta2s = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 0.999])
batched, differences = {}, {}
for name, amsgrad in [("Adam", False), ("AMSGrad", True)]:
    opt = Adam(lr=ALPHA, betas=(BETA1, beta2s), amsgrad=amsgrad)
    x, xs = np.zeros((beta2s.size, 1)), []
    for step in range(1, steps + 1):
        opt.lr = ALPHA / np.sqrt(step)
        x = project(opt.step(x, np.full_like(x, gradient(step))))
        xs.append(x[:, 0])
    batched[name] = np.array(xs)  # (steps, n_beta2)
    differences[name] = np.abs(batched[name][:, beta2s == beta2_theorem][:, 0]
                               - paths[name]).max()
    print(f"{name}: largest difference from the numpy version {differences[name]:.1e}")
claim(max(differences.values()) < 1e-12,
      "the package's Adam and AMSGrad repeat the numpy runs at β2 = 1/(1 + C²) (to 1e-12)",
      measured=", ".join(f"{n} {d:.1e}" for n, d in differences.items()))

# %% [markdown]
# The *regret* measures what the learner lost against the best fixed point in hindsight:
# $R_T = \sum_{t \le T} f_t(x_t) - \min_{x \in \mathcal F} \sum_{t \le T} f_t(x)$. An
# algorithm that learns has average regret $R_T/T \to 0$.

# %%
g_seq = np.array([gradient(step) for step in range(1, steps + 1)])
T = np.arange(1, steps + 1)
fig, (ax_x, ax_regret) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
drawn = np.unique(np.geomspace(1, steps, 300).astype(int)) - 1  # indices drawn (log axis)
LAST = 300  # x_t is averaged over the last 300 steps
outcome = {}
for i, (name, xs) in enumerate(paths.items()):
    regret = np.cumsum(g_seq * xs) + np.abs(np.cumsum(g_seq))  # min over F of sum g x = -|sum g|
    ax_x.plot(T[drawn], xs[drawn], label=name, markevery=0.1, markersize=4, **style(i))
    ax_regret.plot(T[drawn], (regret / T)[drawn], label=name, markevery=0.1, markersize=4,
                   **style(i))
    outcome[name] = (xs[-LAST:].mean(), regret[-1] / steps)
    print(f"{name:8s} mean x over the last {LAST} steps {outcome[name][0]:+.3f}, "
          f"average regret R_T / T at T = {steps}: {outcome[name][1]:.3f}")
ax_x.axhline(-1, color="black", linestyle=":", label="x* = −1 (the best point)")
ax_x.set(xscale="log", xlabel="step t (log scale)", ylabel="x_t (projected onto [−1, 1])",
         title=f"C = {C:g}, β1 = {BETA1:g}, β2 = 1/(1 + C²) = {beta2_theorem:.2f}")
ax_regret.axhline(0, color="black", linestyle=":")
ax_regret.set(xscale="log", xlabel="step t (log scale)", ylabel="average regret R_t / t",
              title="Adam's regret does not vanish; AMSGrad's does")
for ax in (ax_x, ax_regret):
    ax.legend(fontsize=8)
plt.show()
claim(outcome["Adam"][0] > 0.9 and outcome["Adam"][1] > 0.5,
      f"Adam ends near +1 (mean x over the last {LAST} steps above 0.9) with an average "
      "regret above 0.5", measured="x {:+.3f}, regret {:.3f}".format(*outcome["Adam"]))
claim(outcome["AMSGrad"][0] < -0.9 and outcome["AMSGrad"][1] < 0.05,
      f"AMSGrad ends near −1 (mean x over the last {LAST} steps below −0.9) with an average "
      "regret below 0.05", measured="x {:+.3f}, regret {:.3f}".format(*outcome["AMSGrad"]))

# %% [markdown]
# Adam goes to $+1$, the *worst* point of $\mathcal F$, and pays a constant average
# regret; AMSGrad goes to $-1$ and its average regret shrinks towards 0.
#
# **How special is $\beta_2$ here?** The theorem's counterexample is built for the
# given $\beta$'s. The batched runs above tried the same problem with twelve values of
# $\beta_2$ (mean of $x_t$ over the last 300 steps):

# %%
ends = {name: xs[-LAST:].mean(axis=0) for name, xs in batched.items()}
print("β2      " + " ".join(f"{b2:>6g}" for b2 in beta2s))
for name, end in ends.items():
    print(f"{name:8s}" + " ".join(f"{value:+6.2f}" for value in end))
claim(np.all(ends["Adam"][beta2s <= 0.4] > 0.9) and np.all(ends["Adam"][beta2s >= 0.5] < -0.5),
      "Adam ends near +1 (above 0.9) for every β2 ≤ 0.4 and below −0.5 for every β2 ≥ 0.5",
      measured=np.array2string(ends["Adam"], precision=2))
claim(np.all(ends["AMSGrad"] < -0.9), "AMSGrad ends below −0.9 for every β2",
      measured=np.array2string(ends["AMSGrad"], precision=2))

# %% [markdown]
# On this problem Adam fails for $\beta_2 \le 0.4$ and converges to $-1$ for
# $\beta_2 \ge 0.5$, torch's default $0.999$ included; AMSGrad converges for every
# $\beta_2$. That does not make the default safe: Reddi et al. prove that for *any*
# $\beta_1 < \sqrt{\beta_2}$ there is such a problem (with a larger $C$ and a longer
# period, i.e. rarer and larger gradients), and show Adam failing on one with
# $\beta_1 = 0.9$, $\beta_2 = 0.99$. The lesson is the mechanism: when informative
# gradients are rare and large, an exponential average forgets them between visits, and
# AMSGrad's maximum does not. Its cost is one more state array, and a denominator that
# never shrinks (notebook 05, section 3).
#
# ## 5. NAdam and Adamax, briefly
#
# Two variants from the same years change one ingredient of Adam each.
#
# **Adamax** (Kingma & Ba, 2015, section 7.1) replaces the root mean square by a
# decaying *maximum*. Adam's $v_t$ is an average of $|g|^2$; averaging $|g|^p$ and taking
# the $p$-th root gives a family of methods, and as $p \to \infty$ the average becomes
# $u_t = \max(\beta_2 u_{t-1}, |g_t|)$ (torch adds $\epsilon$ inside the maximum). No bias
# correction is needed for $u$: a maximum is not pulled towards its zero start.
#
# $$u_t = \max(\beta_2 u_{t-1},\ |g_t| + \epsilon), \qquad
#   x_t = x_{t-1} - \eta\, \frac{\hat m_t}{u_t}.$$
#
# **NAdam** (Dozat, 2016) gives Adam Nesterov momentum: the step uses the momentum one step
# ahead, $\mu_{t+1} m_t$, plus the fresh gradient's share $(1-\mu_t)\, g_t$, each
# bias-corrected by the product of the momentum coefficients used so far; the coefficient
# follows a warm-up schedule $\mu_t = \beta_1 (1 - \tfrac12\, 0.96^{t\psi})$ with
# $\psi = 0.004$:
#
# $$\hat m_t = \frac{\mu_{t+1} m_t}{1 - \prod_{i \le t+1} \mu_i}
#   + \frac{(1 - \mu_t)\, g_t}{1 - \prod_{i \le t} \mu_i}, \qquad
#   x_t = x_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# Both in numpy, checked against the package for 50 steps on Rosenbrock:

# %%
def adamax_step(x, g, m, u, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g) + eps)  # a decaying maximum of |g|
    return x - lr * (m / (1 - beta1**t)) / u, m, u


def nadam_step(x, g, m, v, mu_product, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, psi=4e-3):
    mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    mu_product = mu_product * mu_t
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = mu_next * m / (1 - mu_product * mu_next) + (1 - mu_t) * g / (1 - mu_product)
    return x - lr * m_hat / (np.sqrt(v / (1 - beta2**t)) + eps), m, v, mu_product


x_max = x_nadam = banana.start.astype(float)
m_max, u, m_nadam, v_nadam, mu_product = np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 1.0
for step in range(1, 51):
    x_max, m_max, u = adamax_step(x_max, banana.grad(x_max), m_max, u, step, lr=0.01)
    x_nadam, m_nadam, v_nadam, mu_product = nadam_step(x_nadam, banana.grad(x_nadam), m_nadam,
                                                       v_nadam, mu_product, step, lr=0.01)
differences = {}
for name, ours, cls in [("Adamax", x_max, Adamax), ("NAdam", x_nadam, NAdam)]:
    differences[name] = np.abs(ours - run(cls(lr=0.01), banana, steps=50).points[-1]).max()
    print(f"{name}: difference from alr_teach after 50 steps {differences[name]:.1e}")
claim(max(differences.values()) < 1e-12,
      "the numpy Adamax and NAdam repeat alr_teach's after 50 steps (to 1e-12)",
      measured=", ".join(f"{n} {d:.1e}" for n, d in differences.items()))

# %% [markdown]
# **What the maximum buys.** Adam's step can be several times $\eta$ when a large
# gradient follows a long run of small ones: $v_t$ then still remembers the small ones.
# Adamax's step cannot exceed about $\eta$. One parameter, 300 gradients of $10^{-3}$,
# then a single gradient of 1 (steps in units of $\eta$; `QUIET_STEPS`, `SMALL`, `SPIKE`):

# %%
QUIET_STEPS, SMALL, SPIKE = 300, 1e-3, 1.0

spike = {}
for cls in (Adam, NAdam, Adamax):
    opt, x = cls(lr=1.0), np.zeros(1)
    for _ in range(QUIET_STEPS):
        x = opt.step(x, np.array([SMALL]))
    before = x.copy()
    x = opt.step(x, np.array([SPIKE]))
    spike[cls.__name__] = abs(float((x - before)[0]))
print("step taken on the spike, in units of η: "
      + ", ".join(f"{name} {value:.2f}" for name, value in spike.items()))
mu_spike = 0.9 * (1 - 0.5 * 0.96 ** ((QUIET_STEPS + 1) * 4e-3))
print(f"NAdam's momentum coefficient at step {QUIET_STEPS + 1}: mu = {mu_spike:.3f}")
claim(spike["Adam"] > 1.5 and spike["NAdam"] > spike["Adam"] and spike["Adamax"] < 0.11,
      "on the spike Adam steps more than 1.5 η, NAdam further still, and Adamax less than 0.11 η",
      measured=", ".join(f"{name} {value:.2f}" for name, value in spike.items()))
claim(mu_spike < 0.5, f"NAdam's momentum coefficient is still below 0.5 at step {QUIET_STEPS + 1}",
      measured=f"{mu_spike:.3f}")

# %% [markdown]
# Adam jumps by more than $1.5\,\eta$; NAdam more still, because its step contains the fresh
# gradient's share $(1-\mu_t) g_t$, and its schedule is slow: after 300 steps $\mu_t$ is
# still below $0.5$, so more than half of the new gradient enters the step at once.
# Adamax moves $0.1\,\eta$, the momentum's share of the new gradient. Is either variant a
# better default? The arena's protocol ([notebook 07](07_arena.ipynb)): 11 rates, five
# starts, 300 steps, the rate chosen by the median final gap, then the number of steps:

# %%
variants = {"Adam": (Adam, {}), "NAdam": (NAdam, {}), "Adamax": (Adamax, {})}
variant_landscapes = {"rotated valley": Quadratic([1.0, 50.0], angle=np.pi / 6),
                      "Rosenbrock": banana}
winners = {}
for title, landscape in variant_landscapes.items():
    tunings = {name: arena.tune(name, landscape, methods=variants) for name in variants}
    ranks = arena.rank(tunings)
    winners[title] = min(ranks, key=ranks.get)
    for name, tu in tunings.items():
        reached = f"in {tu.key[1]:.0f} steps" if np.isfinite(tu.key[1]) else "(never 1e-6)"
        print(f"{title:14s} {name:6s} η = {tu.best_lr:<6.3g} median gap {tu.key[0]:.1e} "
              f"{reached}")
print(f"best on each: {winners}")
claim(len(set(winners.values())) > 1, "no variant wins on every landscape at tuned rates",
      measured=winners)

# %% [markdown]
# Neither variant wins everywhere: each landscape has its own winner at tuned rates. Both
# are sound members of the family, and torch, Keras and optax ship them; neither changes
# the picture of notebooks 05-07.
#
# ## 6. Large batches: one step size per layer (LAMB and NovoGrad)
#
# **Why large batches need something new.** A mini-batch gradient is an average over the
# batch, so a larger batch gives a less noisy gradient and allows a larger step: a common
# rule raises the rate with the batch, linearly for SGD, by the square root for Adam-like
# methods. Fewer, larger steps mean fewer sequential updates, which is what makes
# training on many accelerators fast. But one global rate, scaled up, is not equally
# good for every layer: You et al. observed that the ratio of a layer's weight norm to
# its update norm differs a lot from layer to layer (and between weights and biases), so
# a rate that suits one layer can be far too large for another.
#
# **LAMB** (You et al., 2020) takes Adam's direction for each parameter array $x$ (a
# layer's weights, or its biases) and rescales it to a fixed fraction of that array's
# norm, with the **trust ratio** $\lVert x \rVert / \lVert u \rVert$:
#
# $$r_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, \quad u_t = r_t + \lambda x_{t-1},
#   \quad x_t = x_{t-1} - \eta\, \frac{\lVert x_{t-1}\rVert}{\lVert u_t\rVert}\, u_t
#   \quad\Rightarrow\quad \lVert x_t - x_{t-1}\rVert = \eta\, \lVert x_{t-1}\rVert .$$
#
# So $\eta$ becomes a *relative* step, the same for every layer (an array of zeros, such
# as a fresh bias, gets ratio 1 and Adam's step).
#
# **NovoGrad** (Ginsburg et al., 2019) keeps Adam's idea of dividing by a root mean
# square, but of the whole array's gradient norm: one second moment per layer instead
# of one per weight, and momentum on the normalised gradient:
#
# $$v_t = \beta_2 v_{t-1} + (1-\beta_2)\lVert g_t \rVert^2 \ (v_1 = \lVert g_1\rVert^2),
#   \quad \hat g_t = \frac{g_t}{\sqrt{v_t} + \epsilon} + \lambda x_{t-1},
#   \quad m_t = \beta_1 m_{t-1} + \hat g_t \ (m_1 = \hat g_1), \quad x_t = x_{t-1} - \eta\, m_t .$$
#
# Both need the parameters *as arrays*: norms are taken per array, so the list
# `[W1, W2, b1, b2]` of the MLP is four problems of scale, not one. In numpy, then checked
# against the package on 10 steps of the digits network (a fixed batch of 128 images):

# %%
def lamb_step(xs, gs, ms, vs, t, lr, beta1=0.9, beta2=0.999, eps=1e-6):
    new = []
    for i, (x, g) in enumerate(zip(xs, gs)):  # one array (a layer's W or b) at a time
        ms[i] = beta1 * ms[i] + (1 - beta1) * g
        vs[i] = beta2 * vs[i] + (1 - beta2) * g * g
        u = (ms[i] / (1 - beta1**t)) / (np.sqrt(vs[i] / (1 - beta2**t)) + eps)
        x_norm, u_norm = np.sqrt(np.sum(x * x)), np.sqrt(np.sum(u * u))
        ratio = x_norm / u_norm if x_norm > 0 and u_norm > 0 else 1.0  # the trust ratio
        new.append(x - lr * ratio * u)
    return new


def novograd_step(xs, gs, ms, vs, t, lr, beta1=0.95, beta2=0.98, eps=1e-8):
    new = []
    for i, (x, g) in enumerate(zip(xs, gs)):
        g_sq = np.sum(g * g)  # one number per array
        vs[i] = g_sq if t == 1 else beta2 * vs[i] + (1 - beta2) * g_sq
        g_hat = g / (np.sqrt(vs[i]) + eps)
        ms[i] = g_hat if t == 1 else beta1 * ms[i] + g_hat
        new.append(x - lr * ms[i])
    return new


net = mlp.init_network([64, 32, 10], np.random.default_rng(0))
images, labels = digits.X_train[:128], digits.y_train[:128]
differences = {}
for name, by_hand_step, package_opt in [("LAMB", lamb_step, LAMB(lr=0.02)),
                                        ("NovoGrad", novograd_step, NovoGrad(lr=0.02))]:
    ours = theirs = net.params()
    ms, vs = [np.zeros_like(p) for p in ours], [np.zeros_like(p) for p in ours]
    for step in range(1, 11):
        _, grads, _ = mlp.loss_and_gradients(net.with_params(ours), images, labels)
        ours = by_hand_step(ours, grads.params(), ms, vs, step, lr=0.02)
        _, grads, _ = mlp.loss_and_gradients(net.with_params(theirs), images, labels)
        theirs = package_opt.step(theirs, grads.params())
    differences[name] = max(np.abs(a - b).max() for a, b in zip(ours, theirs))
    print(f"{name}: largest weight difference after 10 steps {differences[name]:.1e}")
claim(max(differences.values()) < 1e-12,
      "the numpy LAMB and NovoGrad repeat alr_teach's on 10 steps of the network (to 1e-12)",
      measured=", ".join(f"{n} {d:.1e}" for n, d in differences.items()))

# %% [markdown]
# **A trap when batching runs.** `alr_teach` runs many problems at once by giving the
# parameters leading *batch* axes, and it knows which axes index runs only because it is
# told: `opt.batch_ndim` (the runner and the sweeps set it). For an element-wise rule such
# as Adam that makes no difference. For LAMB and NovoGrad it decides what "the norm of the
# array" means. Three independent two-weight problems stacked as a `(3, 2)` array, with
# nothing declared, are one problem of six weights, and their norms get mixed; declare
# the run axis and they are three problems, exactly as three separate runs:

# %%
three = np.array([[3.0, 4.0], [0.3, 0.4], [30.0, 40.0]])  # norms 5, 0.5 and 50
separately = np.stack([LAMB(lr=0.1).step(row, row) for row in three])
undeclared = LAMB(lr=0.1).step(three, three)  # ONE problem: the norm covers all six
per_run = LAMB(lr=0.1)
per_run.batch_ndim = 1                                     # axis 0 indexes three runs
declared = per_run.step(three, three)
for name, result in [("separately", separately), ("undeclared", undeclared),
                     ("declared", declared)]:
    step_norms = np.linalg.norm(result - three, axis=1)
    print(f"{name:11s} step norms {np.array2string(step_norms, precision=3)}")
claim(np.abs(declared - separately).max() < 1e-12,
      "with the run axis declared, the stack steps exactly as three separate runs (to 1e-12)",
      measured=f"{np.abs(declared - separately).max():.1e}")
mixed = np.linalg.norm(undeclared - three, axis=1)
second_norm = np.linalg.norm(three[1])
claim(np.allclose(mixed, mixed[0]) and mixed[0] > 5 * second_norm,
      f"undeclared, every row moves the same distance, more than five times the second "
      f"problem's norm ({second_norm:g})", measured=np.array2string(mixed, precision=3))

# %% [markdown]
# Separately, every problem moves $\eta$ times its own norm (0.5, 0.05 and 5). With the
# batch undeclared the trust ratio is computed from the norm of the whole stack, and every row
# moves by the same distance, 2.9: more than five times the norm of the second problem.
# The sweeps below always declare
# the run axis. And one of them, run for two epochs with two rates and two
# seeds, must reproduce four separate `MLPClassifier` fits:

# %%
check = sweep_mlp(LAMB, digits, [0.01, 0.1], (0, 1), batch_size=256, epochs=2)
worst = 0.0
for i, lr in enumerate(check.lrs):
    for j, seed in enumerate(check.seeds):
        clf = MLPClassifier(hidden_layer_sizes=(32,), optimizer=LAMB(lr=lr), batch_size=256,
                            max_iter=2, random_state=int(seed)).fit(digits.X_train,
                                                                    digits.y_train)
        worst = max([worst] + [np.abs(a - b[i, j]).max()
                               for a, b in zip(clf.coefs_ + clf.intercepts_, check.params)])
print(f"one batched LAMB sweep vs four MLPClassifier fits: largest difference {worst:.1e}")
claim(worst < 1e-12, "one batched LAMB sweep repeats four separate MLPClassifier fits (to 1e-12)",
      measured=f"{worst:.1e}")

# %% [markdown]
# **Experiment: does a per-layer step size help as the batch grows?** The protocol of
# section 3 (same rate grid, seeds, 8 epochs, rate chosen by validation loss), now with
# batches of 64, 256 and 1077 (the whole training part). A fixed number of epochs means
# the same number of gradient evaluations per sample: larger batches take fewer steps
# (136, 40 and 8), which is the large-batch setting of the LAMB paper. Every method's
# rate is tuned again at every batch size: that is how "scale the rate with the batch"
# is tested, without assuming a rule. The settings: `LARGE_METHODS`, `BATCH_SIZES` and
# `LARGE_EPOCHS` (8, as in section 3).

# %%
LARGE_METHODS = {"Adam": Adam, "LAMB": LAMB, "NovoGrad": NovoGrad}
BATCH_SIZES = [64, 256, len(digits.y_train)]  # the last: the whole training part
LARGE_EPOCHS = 8

batch_sizes, methods = BATCH_SIZES, list(LARGE_METHODS)
large_protocol = {**protocol, "epochs": LARGE_EPOCHS}
large = {}
if large_protocol == protocol and "Adam" in LARGE_METHODS:
    large["Adam", protocol["batch_size"]] = warm["Adam"]  # section 3's runs: the same protocol
for name, cls in LARGE_METHODS.items():
    for b in batch_sizes:
        if (name, b) not in large:
            large[name, b] = sweep_mlp(cls, digits, rates, **{**large_protocol, "batch_size": b})
large = {(name, b): large[name, b] for name in methods for b in batch_sizes}
for (name, b), sweep in large.items():
    i = sweep.best_index()
    print(f"{name:8s} batch {b:4d} ({sweep.steps:3d} steps): η = {sweep.best_lr:<6.3g} "
          f"validation loss {Spread.of(sweep.val_loss[-1, i]).show()}, "
          f"test accuracy {Spread.of(sweep.test_accuracy[i]).show()}")

# %%
fig, (ax_acc, ax_lr) = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained")
for i, name in enumerate(methods):
    chosen = [large[name, b] for b in batch_sizes]
    accuracy = [Spread.of(s.test_accuracy[s.best_index()]) for s in chosen]
    means = np.array([a.mean for a in accuracy])
    errors = np.array([[a.mean - a.low for a in accuracy], [a.high - a.mean for a in accuracy]])
    shift = 1 + 0.04 * (i - (len(methods) - 1) / 2)  # side by side: bars do not hide each other
    ax_acc.errorbar(np.array(batch_sizes) * shift, means, yerr=errors, capsize=4, label=name,
                    markersize=6, **style(i))
    ax_lr.plot(batch_sizes, [s.best_lr for s in chosen], label=name, markersize=7, **style(i))
b0 = batch_sizes[0]
ratio = np.array(batch_sizes) / b0
ax_lr.plot(batch_sizes, 0.01 * np.sqrt(ratio), color="0.5", linestyle="--",
           label=f"0.01 × √(B / {b0}): square-root rule")
ax_lr.plot(batch_sizes, 0.01 * ratio, color="0.5", linestyle=":",
           label=f"0.01 × B / {b0}: linear rule")
ax_acc.set(xscale="log", xlabel="batch size B (log scale)",
           ylabel="test accuracy at the chosen rate\n(mean, bar = range over seeds)",
           title=f"A fixed budget of {LARGE_EPOCHS} epochs: larger batches, fewer steps")
ax_lr.set(xscale="log", yscale="log", xlabel="batch size B (log scale)",
          ylabel="chosen rate η (log scale)", title="The tuned rate grows with the batch")
for ax in (ax_acc, ax_lr):
    ax.legend(fontsize=8)
plt.show()

# %%
small, full = batch_sizes[0], batch_sizes[-1]
growth = {name: large[name, full].best_lr / large[name, small].best_lr for name in methods}
print(f"chosen rate at the full batch / at batch {small}: "
      + ", ".join(f"{name} {value:.0f}x" for name, value in growth.items()))
print(f"(square-root rule {np.sqrt(full / small):.1f}x, linear rule {full / small:.1f}x)")
shrink = {name: versus(large[name, small], large[name, full]) for name in methods}
claim(all(shrink[name].all_better and growth[name] >= 3 for name in methods),
      f"for every method the test accuracy at batch {small} is higher than at the full batch on "
      f"every seed (by more than {ACC_TIE} images), and the chosen rate grows at least 3-fold",
      measured="; ".join(f"{name}: {shrink[name]}, {growth[name]:.0f}x" for name in methods))
rules = {"square-root": np.sqrt(full / small), "linear": full / small}
closest = {name: min(rules, key=lambda rule: abs(np.log(growth[name] / rules[rule])))
           for name in methods}
if {"Adam", "LAMB", "NovoGrad"} <= set(methods):  # the comparisons the text draws
    claim(closest["Adam"] == "square-root" and growth["NovoGrad"] > rules["linear"],
          "Adam's rate grows closest to the square-root rule, NovoGrad's by more than the "
          "linear rule", measured=f"{growth}, closest rules {closest}")
    vs_adam = {(name, b): versus(large[name, b], large["Adam", b])
               for name in ("LAMB", "NovoGrad") for b in batch_sizes}
    for (name, b), p in vs_adam.items():
        print(f"test accuracy at batch {b:4d}, {name} (A) vs Adam (B): {p}: "
              f"{verdict(p, name, 'Adam')}")
    middle = batch_sizes[len(batch_sizes) // 2]
    claim(vs_adam["LAMB", middle].wins >= WINS_NEEDED
          and all(vs_adam["LAMB", b].wins == 0 for b in (small, full)),
          f"LAMB is ahead of Adam at batch {middle} (higher test accuracy on at least "
          f"{WINS_NEEDED} of {len(SEEDS)} seeds, by more than {ACC_TIE} images), and at batch "
          f"{small} and the full batch higher on no seed",
          measured="; ".join(f"batch {b}: {vs_adam['LAMB', b]}" for b in batch_sizes))
    claim(all(vs_adam["NovoGrad", b].losses >= WINS_NEEDED for b in batch_sizes),
          f"Adam is ahead of NovoGrad at every batch size (higher test accuracy on at least "
          f"{WINS_NEEDED} of {len(SEEDS)} seeds, by more than {ACC_TIE} images)",
          measured="; ".join(f"batch {b}: {vs_adam['NovoGrad', b]}" for b in batch_sizes))

# %% [markdown]
# What the runs say, honestly:
#
# - **Larger batches cost every method accuracy** at a fixed budget of epochs: for Adam,
#   LAMB and NovoGrad alike, the test accuracy at batch 64 beats the full batch's on every
#   one of the 5 seeds. Eight full-batch steps are too few, whatever the step rule.
# - **The tuned rate grows with the batch** for every method, by a factor of at least 3
#   from batch 64 to the full batch (the grid's spacing is a factor of 3.2, so this is
#   coarse). Adam's growth is closest to the square-root rule; NovoGrad's is larger than
#   the linear rule's.
# - **LAMB beats Adam only at batch 256.** Seed by seed, LAMB's test accuracy is higher
#   than Adam's on at least 4 of the 5 seeds at batch 256, but at batch 64 and at the full
#   batch it is higher on none (by more than 2 images), so the advantage does not grow
#   with the batch. **NovoGrad is behind Adam at every batch size** (Adam higher on at
#   least 4 of 5 seeds each time). With three seeds and overlapping ranges, an earlier
#   version of this notebook found NovoGrad behind by a hair at batch 64 only and LAMB
#   never ahead; five paired seeds give the verdicts above. Either way, on this small
#   network and data set the claim that layer-wise rates make large batches work better
#   is *not supported*: the one win is at a middle batch, not the largest. The LAMB
#   paper's evidence is at a very
#   different scale (BERT and ResNet-50 with batches of tens of thousands, many layers,
#   long warm-ups); two layers and 1077 images cannot test it, and our result does not
#   refute it there.
#
# **What the trust ratio does, layer by layer.** LAMB's ratio
# $\lVert x_l \rVert / \lVert u_l \rVert$ for each array, at the chosen rate (seed 0),
# against the epoch; above 1, LAMB steps further than Adam's direction would; below 1,
# less far:

# %%
fig, axes = plt.subplots(1, len(batch_sizes), figsize=(5 * len(batch_sizes), 4), sharey=True,
                         layout="constrained", squeeze=False)
for ax, b in zip(axes.flat, batch_sizes):
    plot_layer_steps(ax, large["LAMB", b], "trust_ratios")
    ax.axhline(1.0, color="black", linestyle=":", linewidth=1)
    ax.label_outer()
plt.show()

# %%
lamb_64 = large["LAMB", small]
ratios_64 = lamb_64.trust_ratios[:, lamb_64.best_index(), 0]  # (steps, [W1, W2, b1, b2])
print(f"batch {small}: trust ratios (W1, W2, b1, b2) at step 1: "
      f"{np.array2string(ratios_64[0], precision=3)}, after {lamb_64.steps} steps: "
      f"{np.array2string(ratios_64[-1], precision=3)}")
claim(np.all(ratios_64[0, :2] < 1) and np.all(ratios_64[0, 2:] == 1.0)
      and ratios_64[-1, :2].min() > 3 * ratios_64[-1, 2:].max(),
      "at step 1 the weight matrices get trust ratios below 1 and the biases exactly 1; at "
      "the end the weights' ratios are over 3 times the biases'",
      measured=f"{np.array2string(ratios_64[0], precision=3)} → "
               f"{np.array2string(ratios_64[-1], precision=3)}")

# %% [markdown]
# At step 1 the weight matrices get ratios below 1 and the biases, which start at zero,
# ratio 1 (Adam's step). As training proceeds, Adam's direction $u$ shrinks relative to
# the weights and the ratios of the two weight matrices grow to several times those of
# the biases: LAMB keeps every array moving by the same fraction $\eta$ of its norm,
# where Adam's step would shrink. The same quantity for all three methods, the **relative
# step** $\lVert \Delta x_l \rVert / \lVert x_l \rVert$, at batch 256:

# %%
MIDDLE_BATCH = 256
fig, axes = plt.subplots(1, len(methods), figsize=(5 * len(methods), 4), sharey=True,
                         layout="constrained", squeeze=False)
relative = {}
for ax, name in zip(axes.flat, methods):
    sweep = large[name, MIDDLE_BATCH]
    plot_layer_steps(ax, sweep, "relative_steps")
    ax.label_outer()
    relative[name] = sweep.relative_steps[1:, sweep.best_index(), 0]  # from step 2 on
plt.show()
for name, steps_taken in relative.items():
    spread_over_layers = np.median(steps_taken.max(axis=1) / steps_taken.min(axis=1))
    print(f"{name:8s} largest / smallest relative step of the four arrays, median over "
          f"steps: {spread_over_layers:.2f}")
imbalance = {name: np.median(steps_taken.max(axis=1) / steps_taken.min(axis=1))
             for name, steps_taken in relative.items()}
if "LAMB" in relative:
    lamb_lr = large["LAMB", MIDDLE_BATCH].best_lr
    claim(np.allclose(relative["LAMB"], lamb_lr, rtol=1e-9),
          f"LAMB's relative step is η = {lamb_lr:.3g} for every array at every step (to 1e-9)",
          measured=f"{relative['LAMB'].min():.6g} to {relative['LAMB'].max():.6g}")
others = [name for name in relative if name != "LAMB"]
claim(all(imbalance[name] > 2 for name in others),
      f"{' and '.join(others)}'s relative steps differ between arrays by a factor above 2 at a "
      "typical step", measured=", ".join(f"{n} {imbalance[n]:.2f}" for n in others))

# %% [markdown]
# LAMB's four lines lie on top of each other at $\eta$, by construction. Adam's and
# NovoGrad's relative steps differ between arrays by a factor of more than 2 at a typical
# step, and the biases, small at first, take the largest relative steps. That is the
# imbalance LAMB removes; on this network removing it did not improve the result.
#
# ## 7. Explore: each layer's step as the batch and the rate change
#
# The explorer trains one network (seed 0) with Adam, LAMB or NovoGrad and draws the
# relative step of every parameter array, with the validation accuracy after each epoch.
# Without the sliders, `explorer.update(...)` in a new cell does the same.
# Things to try: with LAMB, raise $\eta$ until the accuracy collapses (`lr=0.3`, then 1
# and 3), and watch the four lines stay together; with Adam at batch 1077
# (`method="Adam", batch_size=1077`), find the rate that reaches 90 % validation accuracy
# in 8 epochs; compare how far apart Adam's and NovoGrad's lines are at batch 16 and at
# batch 1077 (`batch_size=16`, then each `method`).

# %%
# NBVAL_IGNORE_OUTPUT
explorer = LayerStepExplorer(digits, method="LAMB", batch_size=MIDDLE_BATCH,
                             lr=large["LAMB", MIDDLE_BATCH].best_lr, epochs=LARGE_EPOCHS)
explorer.widget()

# %% [markdown]
# The explorer's default view, as a static figure (what the saved notebook shows):

# %%
explorer.static_figure()
plt.show()
summary = explorer.summary
print(f"{summary['method']}, batch {summary['batch_size']}, η = {summary['lr']:.3g}: "
      f"{summary['steps']} steps, validation accuracy {summary['val_accuracy']:.3f}")

# %% [markdown]
# ## 8. Lookahead: $k$ steps forward, one step back
#
# Lookahead (Zhang et al., 2019) wraps any optimizer. It keeps two copies of the weights:
# the **fast** weights $\theta$, which the wrapped optimizer moves as usual, and the
# **slow** weights $\phi$. After every $k$ fast steps the slow weights move a fraction
# $\alpha$ of the way towards the fast ones, and the fast weights restart from there:
#
# $$\phi_j = \phi_{j-1} + \alpha\,(\theta_{jk} - \phi_{j-1}), \qquad
#   \theta_{jk} \leftarrow \phi_j \qquad (j = 1, 2, \dots).$$
#
# The fast weights explore; the slow weights keep a fraction $\alpha$ of what the
# exploration gained. With SGD and momentum inside (torch's heavy ball), in numpy, and
# checked against `Lookahead(SGD(...))` (its state `slow_weights` is $\phi$):

# %%
def lookahead_momentum(landscape, steps, lr, momentum, k, alpha):
    fast = landscape.start.astype(float)
    slow, b = fast.copy(), np.zeros_like(fast)
    fasts, slows = [], []
    for t_step in range(1, steps + 1):
        b = momentum * b + landscape.grad(fast)  # the wrapped optimizer: heavy ball
        fast = fast - lr * b
        if t_step % k == 0:  # sync: the slow weights move part of the way...
            slow = slow + alpha * (fast - slow)
            fast = slow.copy()  # ...and the fast weights restart from them
        fasts.append(fast)
        slows.append(slow)
    return np.array(fasts), np.array(slows)


LA_CURVATURES, LA_LR, LA_MOMENTUM, LA_STEPS = (1.0, 30.0), 0.02, 0.9, 80

valley = Quadratic(LA_CURVATURES, angle=np.pi / 6, start=[-2.5, 2.0])
fasts, slows = lookahead_momentum(valley, LA_STEPS, lr=LA_LR, momentum=LA_MOMENTUM, k=5,
                                  alpha=0.5)
package = run(Lookahead(SGD(lr=LA_LR, momentum=LA_MOMENTUM), k=5, alpha=0.5), valley,
              steps=LA_STEPS)
difference = max(np.abs(fasts - package.points[1:]).max(),
                 np.abs(slows - package.state["slow_weights"]).max())
print(f"largest difference from alr_teach (fast and slow weights, {LA_STEPS} steps): "
      f"{difference:.1e}")
claim(difference < 1e-12, "the numpy Lookahead repeats alr_teach's Lookahead(SGD) (to 1e-12)",
      measured=f"{difference:.1e}")

# %% [markdown]
# **Slow and fast weights on a landscape.** A narrow valley turned by 30° (curvatures 1
# and 30), SGD with momentum 0.9 at $\eta = 0.02$ inside. Momentum overshoots: the fast
# weights (solid line) swing across and along the valley, and after each sync they
# restart from the slow weights (dashed, one marker per sync), which move in a steadier
# line. Top row: $k = 2, 5, 10$ at $\alpha = 0.5$; bottom row: $\alpha = 0.2, 0.5, 1$ at
# $k = 5$ ($\alpha = 1$ is the wrapped optimizer alone):

# %%
LA_SETTINGS = [(2, 0.5), (5, 0.5), (10, 0.5), (5, 0.2), (5, 0.5), (5, 1.0)]  # (k, α)


def slow_and_fast(k, alpha, steps=LA_STEPS):
    trajectory = run(Lookahead(SGD(lr=LA_LR, momentum=LA_MOMENTUM), k=k, alpha=alpha), valley,
                     steps=steps)
    synced = np.vstack([valley.start, trajectory.state["slow_weights"][k - 1::k]])
    slow = Trajectory(synced, valley.value(synced), np.zeros((len(synced) - 1, 2)),
                      np.array(-1))
    return trajectory, slow


n_cols = 3
n_rows = -(-len(LA_SETTINGS) // n_cols)
fig, axes = plt.subplots(n_rows, n_cols, figsize=(15, 4.2 * n_rows), layout="constrained",
                         squeeze=False)
slow_losses = {}
for ax in axes.flat[len(LA_SETTINGS):]:
    ax.set_visible(False)
for n, (ax, (k, a)) in enumerate(zip(axes.flat, LA_SETTINGS)):
    fast, slow = slow_and_fast(k, a)
    contour(ax, valley, resolution=60)
    plot_trajectories(ax, valley, [fast, slow], ["fast weights θ", "slow weights φ (syncs)"],
                      legend=n == 0, legend_loc="lower right")
    slow_losses[k, a] = float(slow.losses[-1])
    ax.set_title(f"k = {k}, α = {a}: loss at φ after {LA_STEPS} steps {slow.losses[-1]:.1e}",
                 fontsize=10)
plt.show()
if (5, 0.5) in slow_losses and (5, 1.0) in slow_losses:
    claim(slow_losses[5, 0.5] < 0.01 * slow_losses[5, 1.0],
          "with k = 5, α = 0.5 the slow weights end with a loss over 100 times lower than the "
          "momentum method alone (α = 1)",
          measured=f"{slow_losses[5, 0.5]:.1e} against {slow_losses[5, 1.0]:.1e}")

# %% [markdown]
# Here Lookahead with $k = 5$, $\alpha = 0.5$ ends with a loss more than a hundred times
# lower than the momentum method alone: the syncs cut the momentum's overshoot.
# That is not a general law. **On a quadratic with plain gradient descent inside**, it can
# be derived: along an eigendirection with curvature $\lambda$, a gradient step multiplies
# the error by $q = 1 - \eta\lambda$, so $k$ fast steps multiply it by $q^k$, and a sync
# leaves the slow error multiplied by
#
# $$s = 1 - \alpha\,(1 - q^k).$$
#
# Along a flat direction ($\eta\lambda \ll 1$), $q^k \approx 1 - k\eta\lambda$ and
# $s \approx 1 - \alpha k \eta\lambda \approx (1 - \alpha\eta\lambda)^k$: Lookahead
# travels like gradient descent **at the smaller rate $\alpha\eta$**. Along a steep
# direction where gradient descent zig-zags ($q \approx -1$), an odd $k$ gives
# $s \approx 1 - 2\alpha$, which is 0 for $\alpha = 0.5$: the zig-zag is cancelled. The
# formula against a run (aligned valley, so each coordinate is an eigendirection):

# %%
k, a, lr, syncs = 5, 0.5, 0.06, 10

aligned = Quadratic(LA_CURVATURES, start=[1.0, 1.0])
lookahead_gd = run(Lookahead(SGD(lr=lr), k=k, alpha=a), aligned, steps=k * syncs)
measured = lookahead_gd.state["slow_weights"][k - 1::k]  # after syncs 1 .. 10
q = 1 - lr * aligned.curvatures
predicted = (1 - a * (1 - q**k)) ** np.arange(1, syncs + 1)[:, None]
difference = np.abs(measured - predicted).max()
print(f"per-sync factor s: predicted {np.array2string(1 - a * (1 - q**k), precision=4)}, "
      f"largest difference over {syncs} syncs {difference:.1e}")
claim(difference < 1e-12, f"the slow weights follow s^j for all {syncs} syncs (to 1e-12)",
      measured=f"{difference:.1e}")

# %% [markdown]
# **Experiment: does Lookahead converge faster?** The arena's protocol
# ([notebook 07](07_arena.ipynb)): 11 rates half a decade apart, five starts, 300 steps,
# each method's rate chosen by the median final gap and then the steps to reach
# $10^{-6}$. Three optimizers alone and inside `Lookahead(k=5, alpha=0.5)`, on four
# landscapes:

# %%
wrapped = {"GD": (SGD, {}), "Momentum": (SGD, {"momentum": 0.9}), "Adam": (Adam, {})}
la_landscapes = {"rotated valley": valley, "Rosenbrock": banana, "Beale": Beale(),
                 "Himmelblau": Himmelblau()}
racers = {}
for name, (cls, fixed) in wrapped.items():
    racers[name] = (cls, fixed)
    racers[f"LA({name})"] = (lambda lr, cls=cls, fixed=fixed: Lookahead(cls(lr=lr, **fixed)),
                             {})
lookahead_wins = {name: 0 for name in wrapped}
for title, landscape in la_landscapes.items():
    tunings = {name: arena.tune(name, landscape, methods=racers) for name in racers}
    cells = []
    for name in wrapped:
        alone, inside = tunings[name].key, tunings[f"LA({name})"].key
        lookahead_wins[name] += inside < alone
        cells.append(f"{name} {'LA' if inside < alone else 'alone'}")
    print(f"{title:14s} better: " + ", ".join(cells))
n_landscapes = len(la_landscapes)
print(f"landscapes (of {n_landscapes}) where Lookahead beat the optimizer alone: "
      f"{lookahead_wins}")
claim(lookahead_wins.get("GD") == 0 and lookahead_wins.get("Momentum", 0) >= 3
      and lookahead_wins.get("Adam", 0) >= 3,
      f"Lookahead never beat plain gradient descent, and beat Momentum and Adam on at least 3 "
      f"of {n_landscapes} landscapes", measured=lookahead_wins)

# %% [markdown]
# At tuned rates, Lookahead never helped plain gradient descent (it slows it to the rate
# $\alpha\eta$ along the flat directions, as derived), and it helped both methods with
# momentum on three landscapes of four, Rosenbrock being the exception for both. So the
# claim of **faster convergence** holds here for optimizers whose own steps overshoot,
# and not in general.
#
# ## 9. Ranger, and Lookahead on real data
#
# **Ranger** (Wright, 2019) is Lookahead around RAdam: RAdam's rectified steps as the
# fast weights, synced every $k = 6$ steps with $\alpha = 0.5$, with its authors'
# defaults $\beta_1 = 0.95$ and $\epsilon = 10^{-5}$ (`alr_teach.Ranger` is exactly
# `Lookahead(RAdam(..., decoupled_weight_decay=True), k, alpha)`). The claim made for both
# is faster convergence and better generalisation. Section 3's protocol, for Ranger and for
# Lookahead around Adam ($k = 5$, $\alpha = 0.5$); the model is evaluated at the fast
# weights, as `MLPClassifier` does:

# %%
h3 = {
    "Adam": warm["Adam"],
    "Lookahead(Adam)": sweep_mlp(lambda lr: Lookahead(Adam(lr=lr), k=5, alpha=0.5), digits,
                                 rates, method="Lookahead(Adam)", **protocol),
    "RAdam": warm["RAdam"],
    "Ranger": sweep_mlp(Ranger, digits, rates, **protocol),
}
h3_rows = report(h3)

# %%
fig, (ax_rates, ax_curves) = plt.subplots(1, 2, figsize=(13, 4.4), layout="constrained")
plot_rate_curves(ax_rates, list(h3.values()))
ax_rates.set_title("The rate search (ring = chosen rate)")
for i, (name, sweep) in enumerate(h3.items()):
    curves = sweep.val_loss[:, sweep.best_index()]  # (epochs, seeds)
    ax_curves.plot(epochs, curves.mean(axis=1), label=f"{name} (η = {sweep.best_lr:.2g})",
                   markersize=5, **style(i))
    ax_curves.fill_between(epochs, curves.min(axis=1), curves.max(axis=1),
                           color=style(i)["color"], alpha=0.15, linewidth=0)
ax_curves.set(yscale="log", xlabel="epoch",
              ylabel="validation loss at the chosen rate\n(mean, band = range over seeds)",
              title="Epoch by epoch, each at its chosen rate")
ax_curves.legend(fontsize=8)
plt.show()

# %%
EARLY_EPOCHS = (1, 2)  # the epochs where the wrappers' start is judged
wrapped_pairs = [("Lookahead(Adam)", "Adam"), ("Ranger", "RAdam")]
last = protocol["epochs"]
by_epoch = {(w, e): versus(h3[w], h3[i], "loss", epoch=e)
            for w, i in wrapped_pairs for e in (*EARLY_EPOCHS, last)}
final_accuracy = {w: versus(h3[w], h3[i]) for w, i in wrapped_pairs}
for wrapper, inner in wrapped_pairs:
    for e in (*EARLY_EPOCHS, last):
        p = by_epoch[wrapper, e]
        print(f"validation loss after epoch {e}, {wrapper} (A) vs {inner} (B): {p}: "
              f"{verdict(p, wrapper, inner)}")
    p = final_accuracy[wrapper]
    print(f"test accuracy, {wrapper} (A) vs {inner} (B): {p}: {verdict(p, wrapper, inner)}")
claim(all(by_epoch["Lookahead(Adam)", e].wins >= WINS_NEEDED
          and by_epoch["Ranger", e].losses >= WINS_NEEDED for e in EARLY_EPOCHS),
      f"after epochs {EARLY_EPOCHS} Lookahead(Adam)'s validation loss is lower than Adam's, and "
      f"Ranger's higher than RAdam's, on at least {WINS_NEEDED} of {len(SEEDS)} seeds (by more "
      f"than {LOSS_TIE})",
      measured="; ".join(f"epoch {e}: {by_epoch[w, e]}" for w, _ in wrapped_pairs
                         for e in EARLY_EPOCHS))
claim(all(verdict(by_epoch[w, last], w, i) == "cannot be told apart"
          and verdict(final_accuracy[w], w, i) == "cannot be told apart"
          for w, i in wrapped_pairs),
      f"after epoch {last} neither wrapper can be told apart from its inner optimizer, by "
      "validation loss or by test accuracy",
      measured="; ".join(f"{w}: loss {by_epoch[w, last]}, accuracy {final_accuracy[w]}"
                         for w, _ in wrapped_pairs))

# %% [markdown]
# - **Convergence:** after each of the first two epochs, Lookahead around Adam has a lower
#   validation loss than Adam on at least 4 of the 5 seeds (by more than 0.01), and Ranger
#   a *higher* one than RAdam. After 8 epochs neither pair can be told apart.
# - **Generalisation:** seed by seed, the test accuracies at the chosen rates cannot be
#   told apart for either pair: no sign of better generalisation from the slow weights on
#   this problem.
#
# So the claim gets a split verdict from our experiments: Lookahead sped up optimizers with
# momentum on three of four landscapes and sped up Adam's first epoch on digits, but it
# slowed plain gradient descent, lost on Rosenbrock, slowed RAdam's start inside Ranger,
# and did not change the final accuracy. The paper's evidence (ImageNet, CIFAR, language
# models, with tuned inner optimizers) is at a scale we do not test.
#
# ## 10. The libraries disagree: what we checked
#
# The same name does not mean the same numbers. `alr_teach`'s classes were checked step
# by step against reference libraries (tests/optimizers/test_torch_parity.py, test_layerwise.py and
# test_lookahead.py replay recorded trajectories; the fixtures record the versions:
# torch 2.13, optax 0.2.8, pytorch-optimizer 4.1.0). The differences found, as the
# docstrings' *Conventions* sections state them:
#
# | method | same numbers as | what differs elsewhere (details below) |
# |---|---|---|
# | RAdam | torch `RAdam` | the threshold; what happens below it; where $\epsilon$ goes |
# | LAMB | optax `lamb` (the paper's Algorithm 2) | pytorch-optimizer `Lamb`: four changes |
# | NovoGrad | optax `novograd`, pytorch-optimizer `NovoGrad` | optax's defaults; one flag |
# | Lookahead | optax `lookahead` (synced start), pytorch-optimizer | optax's unsynced start |
# | Ranger | pytorch-optimizer `Ranger` with two flags set | its defaults: it steps **up** |
#
# - **RAdam**: torch adapts when $\rho_t > 5$ and below takes $x - \eta\,\hat m_t$, with
#   $\epsilon$ added to $\sqrt{v_t}$ before bias correction. The paper's Algorithm 2 says
#   $\rho_t > 4$ (with $\beta_2 = 0.999$: step 5 instead of 6); the authors' code and optax
#   use $\rho_t \ge 5$; the authors' code by default does not move at all below the
#   threshold; optax adds $\epsilon$ to $\sqrt{\hat v_t}$, as Adam does.
# - **LAMB**, pytorch-optimizer 4.1.0: $v$ is not bias-corrected and $m$'s correction
#   divides the step after the ratio; $\lVert x \rVert$ is clipped at 10; $\epsilon$ is
#   added to $\lVert u \rVert$; weight decay is decoupled by default.
# - **NovoGrad**: optax's defaults are $\beta = (0.9, 0.25)$ and $\epsilon = 10^{-6}$
#   (ours and pytorch-optimizer's: $(0.95, 0.98)$ and $10^{-8}$); pytorch-optimizer's
#   `grad_averaging=True` multiplies the normalised gradient by $1 - \beta_1$ from step 2.
# - **Lookahead**: the slow weights start at the first params and the first sync follows
#   step $k$; the inner optimizer's state carries on across syncs. optax started
#   *unsynced* begins its slow weights elsewhere.
# - **Ranger**: pytorch-optimizer's defaults centralise the gradient of every matrix
#   (`use_gc=True`) and, before RAdam's threshold (`degenerated_to_sgd=False`), step by
#   $+\eta\,\hat m_t$: up the gradient. With `use_gc=False, degenerated_to_sgd=True` it
#   gives our numbers.
#
# Three of these are easy to see with the package itself:

# %%
torch_first = int(np.argmax(rho(t, 0.999) > 5)) + 1
paper_first = int(np.argmax(rho(t, 0.999) > 4)) + 1
print(f"RAdam, β2 = 0.999: first adaptive step with ρ_t > 5 (torch): {torch_first}; "
      f"with ρ_t > 4 (paper): {paper_first}")
novograd_defaults = (NovoGrad().beta1, NovoGrad().beta2, NovoGrad().eps)
print(f"NovoGrad defaults (beta1, beta2, eps): {novograd_defaults}")
x_start, g_start, ranger_lr = np.array([1.0]), np.array([2.0]), 0.1
first = Ranger(lr=ranger_lr).step(x_start, g_start)  # step 1: a momentum step
print(f"Ranger's first step from x = 1 with gradient 2: x = {first[0]:.2f} (down the gradient)")
claim(torch_first == 6 and paper_first == 5,
      "with β2 = 0.999 RAdam first adapts at step 6 with torch's threshold and step 5 with the "
      "paper's", measured=f"steps {torch_first} and {paper_first}")
claim(np.isclose(first[0], x_start[0] - ranger_lr * g_start[0], rtol=0, atol=1e-12),
      "Ranger's first step is x − η g, down the gradient", measured=f"x = {first[0]:.6g}")

# %% [markdown]
# ## 11. Pitfalls and practice
#
# - **Batching LAMB or NovoGrad runs with scalar hyperparameters** mixes their norms
#   across the runs (section 6): give a hyperparameter the run axis
#   (`lr=np.full(n_runs, ...)`) and check one batched run against a single run.
# - **RAdam's rate is not Adam's rate.** In a run much shorter than $1/(1-\beta_2)$ steps
#   the rectifier keeps the step at a fraction of $\eta$, so RAdam's best rate was ten
#   times Adam's (section 3). Tune it on its own grid; do not copy Adam's.
# - **A warm-up for Adam should last longer when $\beta_2$ is closer to 1**: $r_t$
#   reaches one half after a number of steps proportional to $1/(1-\beta_2)$
#   (section 2).
# - **Lookahead at the inner optimizer's rate is a slower optimizer**: along flat
#   directions it moves like the rate $\alpha\eta$ (section 8). Compare it at tuned
#   rates, and read the model at the slow weights if you follow the paper.
# - **Library defaults differ** (section 10): pytorch-optimizer's `Ranger` steps *up* the
#   gradient in its first steps unless `degenerated_to_sgd=True`, and optax's NovoGrad
#   uses $\beta_2 = 0.25$. Name the library and its settings when you report a result.
# - **Large batches at a fixed number of epochs take fewer steps.** No step rule made 8
#   full-batch steps as good as 136 small ones (section 6); retune the rate for every
#   batch size.
#
# ## Summary
#
# - RAdam rescales Adam's adaptive rate by $r_t$ so that its variance matches the long
#   run: an automatic warm-up whose length grows like $1/(1-\beta_2)$. On digits it
#   behaved as Adam $\times\, r_t$, tied Adam at tuned rates (5 seeds, seed by seed), and
#   moved the best rate up tenfold; a two-epoch warm-up left Adam slightly behind both.
# - Adam can settle at the worst point of an online problem when large gradients are rare
#   and $\beta_2$ forgets them; AMSGrad's running maximum prevents it.
# - NAdam and Adamax change one ingredient each; neither won on every landscape.
# - LAMB makes every array's step $\eta\lVert x_l\rVert$, NovoGrad normalises each layer's
#   gradient; on digits (5 seeds, compared seed by seed) LAMB beat Adam only at batch 256
#   and NovoGrad trailed Adam at every batch size (the large-batch claim: not supported here).
# - Lookahead helped optimizers with momentum and slowed plain gradient descent; Ranger
#   tied RAdam after 8 epochs (a split verdict).
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
# **Predict, then run:** (1) In section 4, with $\beta_1 = 0.9$ instead of 0 and
# $\beta_2 = 0.1$, will Adam still end at $+1$? Predict, then set `BETA1 = 0.9` at the top
# of section 4 and rerun.
# (2) In section 6, with 30 epochs instead of 8, will LAMB overtake Adam at the full
# batch? Predict, then set `LARGE_EPOCHS = 30` in section 6 (its sweeps take about four
# times as long).
#
# **Previous:** [13 · In the wild](13_in_the_wild.ipynb). **Next:** [15 · Learning rates
# tuned by machine](15_tuned_by_machine.ipynb).
#
# **Further reading:** L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao & J. Han, *On the
# Variance of the Adaptive Learning Rate and Beyond*, ICLR (2020) (RAdam); S. J. Reddi,
# S. Kale & S. Kumar, *On the Convergence of Adam and Beyond*, ICLR (2018) (AMSGrad);
# T. Dozat, *Incorporating Nesterov Momentum into Adam*, ICLR Workshop (2016) (NAdam);
# D. P. Kingma & J. Ba, *Adam*, ICLR (2015), section 7.1 (Adamax); Y. You et al., *Large
# Batch Optimization for Deep Learning: Training BERT in 76 Minutes*, ICLR (2020)
# (LAMB); B. Ginsburg et al., *Stochastic Gradient Methods with Layer-wise Adaptive
# Moments for Training of Deep Networks*, arXiv:1905.11286 (2019) (NovoGrad);
# M. R. Zhang, J. Lucas, G. Hinton & J. Ba, *Lookahead Optimizer: k steps forward, 1 step
# back*, NeurIPS (2019); J. Ma & D. Yarats, *On the Adequacy of Untuned Warmup for
# Adaptive Optimization*, AAAI (2021), for RAdam as a warm-up.

# %%
# NBVAL_IGNORE_OUTPUT
print(f"this notebook ran in {time.perf_counter() - started:.1f} s")
