# %% [markdown]
# # Exercises 11 · A practical guide: reading loss curves
#
# **Goal.** A loss curve is often all you have when training goes wrong. The course's
# diagnostic tool reads a curve through a trend (a running median) and five statistics,
# then asks six questions in a fixed order. In these exercises you write the trend and the
# decision rule yourself, predict what a single spike and a larger batch do to the
# diagnosis, find out how much scatter the tool tolerates, and end by fooling the tool
# with a curve it calls *healthy*, then teaching it to see that curve.
#
# Course notebook: [11 · A practical guide](../notebooks/11_practical_guide.ipynb).
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

from alr_teach import Adam, checks
from alr_teach.lab import loss_curves
from alr_teach.lab.loss_curves import (
    LABELS,
    Thresholds,
    curve_stats,
    diagnose,
    synthetic_curve,
    train_mlp,
)
from alr_teach.problems.datasets import load_split
from alr_teach.viz.loss_curves_plots import plot_curve

rng = np.random.default_rng(111)  # seeded: every number below is reproducible
digits = load_split("digits")
X, y = digits.X_train, digits.y_train  # the 1077 training images of the course notebook



def label_numbers(labels):
    """Labels (one, or a list) as their positions in LABELS, for the checker (-1: unknown)."""
    if labels is None:
        return None
    labels = [labels] if isinstance(labels, str) else labels
    return [LABELS.index(label) if label in LABELS else -1 for label in labels]


# %% [markdown]
# ## 1. Implement it: the trend
#
# The trend $T_t$ is the median of the losses $L_s$ with $|s - t| \le h$, $t = 0, \dots,
# n$, the window cut short at both ends: $T_0$ is the median of $L_0, \dots, L_h$ alone
# (nothing is padded, nothing wraps around). Write `running_median(losses, half_width)`,
# returning an array of the same length as `losses`. It must also work for
# `half_width = 0` (the curve itself) and for a half-width longer than the curve.

# %%
def running_median(losses, half_width):
    """T_t: the median of the losses within half_width steps of t (cut short at the ends)."""
    ### BEGIN SOLUTION
    L = np.asarray(losses, dtype=float)
    return np.array([np.median(L[max(0, t - half_width):t + half_width + 1])
                     for t in range(L.size)])
    ### END SOLUTION


# %% [markdown]
# The check compares your trend with the package's `loss_curves.trend` on six curves:
# four textbook curves of 61 points with half-widths 1, 3, 0 and 7, and two short ones.

# %%
trend_cases = [(synthetic_curve(label, steps=60, seed=3), h)
               for label, h in (("healthy", 1), ("too large", 3), ("diverging", 0),
                                ("plateau", 7))]
trend_cases += [(np.array([3.0, 1.0, 9.0, 1.0, 1.0]), 1), (np.array([5.0, 1.0, 2.0, 8.0]), 5)]
checks.check_value("running_median", checks.outputs(running_median, trend_cases),
                   np.concatenate([loss_curves.trend(c, h) for c, h in trend_cases]),
                   rtol=1e-12, hint="near the ends the window is shorter: L[max(0, t - h):t + h "
                                    "+ 1], and np.median of an even count averages the middle "
                                    "two")

# %% [markdown]
# ## 2. Implement it: the decision rule
#
# `curve_stats(losses)` returns a `CurveStats` with the fields `finite`, `end`, `rebound`,
# `noise`, `flat` and `late_share`; a `Thresholds` holds `end`, `rebound`, `too_large`,
# `noise`, `flat` and `late_share`. Write `label_of(stats, th)`, which returns the label
# of the course's table (section 3), testing in this order and stopping at the first
# that fires:
#
# 1. "diverging": the curve is not finite, or `end` is **above** `th.end`;
# 2. "oscillating": `rebound` at least `th.rebound`;
# 3. "too large": `noise` at least `th.too_large`;
# 4. "noisy": `noise` at least `th.noise`;
# 5. "plateau": `flat` at least `th.flat`;
# 6. "too small": `late_share` at least `th.late_share`;
# 7. otherwise "healthy".

# %%
def label_of(stats, th):
    """The diagnosis of a curve from its statistics and the thresholds: one of LABELS."""
    ### BEGIN SOLUTION
    if not stats.finite or stats.end > th.end:
        return "diverging"
    tests = [("oscillating", stats.rebound, th.rebound), ("too large", stats.noise, th.too_large),
             ("noisy", stats.noise, th.noise), ("plateau", stats.flat, th.flat),
             ("too small", stats.late_share, th.late_share)]
    for label, value, threshold in tests:
        if value >= threshold:
            return label
    return "healthy"
    ### END SOLUTION


# %% [markdown]
# The check: three textbook curves of every label with the default thresholds, a curve
# that overflowed, and a few cases where a threshold is set *exactly* at a curve's
# statistic (is it `>` or `>=`?) or where two labels compete (which comes first?). The
# expected labels come from the package's `diagnose(losses, thresholds)`.

# %%
healthy, noisy = synthetic_curve("healthy", seed=0), synthetic_curve("noisy", seed=0)
overflowed = healthy.copy()
overflowed[250:] = np.nan
s_h, s_n = curve_stats(healthy), curve_stats(noisy)
rule_cases = [(synthetic_curve(label, seed=seed), Thresholds()) for label in LABELS
              for seed in range(3)]
rule_cases += [(overflowed, Thresholds()), (healthy, Thresholds(end=s_h.end)),
               (healthy, Thresholds(late_share=s_h.late_share)),
               (healthy, Thresholds(noise=s_h.noise)), (healthy, Thresholds(flat=s_h.flat)),
               (noisy, Thresholds(too_large=s_n.noise)), (noisy, Thresholds(rebound=s_n.rebound))]


def label_number(curve, th):
    return LABELS.index(label_of(curve_stats(curve), th))


checks.check_value("label_of", checks.outputs(label_number, rule_cases, name="label_of"),
                   [LABELS.index(diagnose(c, th).label) for c, th in rule_cases], rtol=0,
                   hint="'diverging' fires only when end is strictly above th.end (or the curve "
                        "is not finite); every other test fires at equality; test in the order "
                        "of the list and return at the first that fires")

# %% [markdown]
# ## 3. Predict, then run: one spike
#
# Take the textbook *healthy* curve (300 steps) and multiply the loss of a single step by
# 10, once at step 100 and once at step 200. The trend is a median over 15 steps. Which
# label does `diagnose` give each curve? Predict both, as a list of two labels. (The
# checker compares labels by their position in `LABELS`; a misspelt label shows as -1.)

# %%
predicted_spike_labels = None  # replace None with [label for step 100, label for step 200]
### BEGIN SOLUTION
# the median ignores a single spike, so the trend (and rebound) do not change; but noise
# is a mean of |L_t - T_t| / T_t over the second half only (t >= 150): a relative
# distance of 9 at one of its 151 steps adds 9 / 151 = 0.06 > 0.05
predicted_spike_labels = ["healthy", "noisy"]
### END SOLUTION

# %%
spiked = {}
for step in (100, 200):
    spiked[step] = healthy.copy()
    spiked[step][step] *= 10
    d = diagnose(spiked[step])
    print(f"spike at step {step}: {d.label} ({d.reason}); noise {d.stats.noise:.4f}, "
          f"rebound {d.stats.rebound:.4f}")
fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
for i, (step, curve) in enumerate(spiked.items()):
    plot_curve(ax, curve, i=i, label=f"spike at step {step}")
ax.legend(fontsize=8)
ax.set_title("The textbook healthy curve with one spike (thick: trend)")
plt.show()
checks.check_value("spike_labels", label_numbers(predicted_spike_labels),
                   label_numbers([diagnose(spiked[step]).label for step in (100, 200)]),
                   rtol=0, hint="the trend is a median (what does one spike do to it?), and the "
                                "noise statistic is a mean over the second half of the run only")

# %% [markdown]
# ## 4. Predict, then run: run B with larger batches
#
# Run B of the course notebook, Adam at $\eta = 0.1$ with batches of 64, was diagnosed
# *too large* (noise about 0.4). Train it again with batches of 512, everything else the
# same (300 steps, seed 0). Which label? Predict it before running (the course's remark
# on "too large" and "noisy" in section 3 helps).

# %%
predicted_large_batch = None  # replace None with a label from LABELS
### BEGIN SOLUTION
# at batch 512 each gradient averages 8 times more images: the step is far less random,
# and the scatter that made B "too large" is gone; Adam at 0.1 is then fast and steady
predicted_large_batch = "healthy"
### END SOLUTION

# %%
run_b = {batch: train_mlp(Adam(lr=0.1), X, y, batch_size=batch) for batch in (64, 512)}
found_b = {batch: diagnose(run.losses) for batch, run in run_b.items()}
for batch, d in found_b.items():
    print(f"Adam (lr 0.1), batch {batch:3d}: {d.label:9s} ({d.reason}); noise "
          f"{d.stats.noise:.1e}, ends at {d.stats.end:.1e} × the start")
fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
for i, (batch, run) in enumerate(run_b.items()):
    plot_curve(ax, run.losses, i=3 * i, label=f"batch {batch}", diagnosis=found_b[batch])
ax.legend(fontsize=8)
ax.set_title("Run B (Adam, η = 0.1) at two batch sizes")
plt.show()
assert found_b[512].stats.end < found_b[64].stats.end / 100
checks.check_value("large_batch_label", label_numbers(predicted_large_batch),
                   label_numbers(found_b[512].label), rtol=0,
                   hint="a larger batch makes each step less random: which statistic falls?")

# %% [markdown]
# **Explain** why the larger batch helps, and why the label alone would not tell you
# whether to enlarge the batch or lower the rate.
#
# ### BEGIN SOLUTION
# With batches of 64, each step follows a gradient estimated from 64 images; at
# $\eta = 0.1$ Adam's steps are about $\eta$ per weight whatever the gradient's size, so
# the random part of each step is large and the loss scatters around its trend by 40 %.
# Batches of 512 average eight times more images: the gradient's noise shrinks by about
# $\sqrt 8$, the steps follow the true gradient, and the run falls to a hundred-thousandth
# of its start with no scatter left (noise below $10^{-6}$). Both remedies shrink the same
# product, step size times gradient noise, which is why "too large" and "noisy" sit on one
# scale: the label says the steps are too random, not which factor to change. A lower rate
# costs progress per step; a larger batch costs compute per step. Here each step of
# batch 512 costs eight times as much, so compare at equal compute before choosing.
# ### END SOLUTION

# %% [markdown]
# ## 5. Explore and explain: how much scatter is "noisy"?
#
# Multiply the textbook healthy shape by $e^{\sigma \varepsilon_t}$, with
# $\varepsilon_t$ standard normal: a scatter of about $\sigma$ relative to the level.
# For each $\sigma$, five noise draws: the mean noise statistic, its ratio to $\sigma$,
# and the labels.

# %%
u = np.arange(301) / 300
shape = 2.3 * (0.02 + 0.98 * np.exp(-10 * u))
sigmas = [0.02, 0.05, 0.08, 0.15, 0.3, 0.5]
noise_found = {}
for sigma in sigmas:
    draws = [shape * np.exp(sigma * np.random.default_rng(seed).standard_normal(301))
             for seed in range(5)]
    for curve in draws:
        curve[0] = shape[0]
    found = [diagnose(curve) for curve in draws]
    noise_found[sigma] = np.mean([d.stats.noise for d in found])
    print(f"σ = {sigma:4.2f}: noise {noise_found[sigma]:.3f} ({noise_found[sigma] / sigma:.2f} σ);"
          f" labels {sorted(set(d.label for d in found))}")
ratios = np.array([noise_found[s] / s for s in sigmas])
assert np.all((0.7 < ratios) & (ratios < 0.9))

# %% [markdown]
# **Explain** the ratio, and translate the two thresholds (0.05 and 0.2) into the
# $\sigma$ at which a curve turns *noisy* and *too large*.
#
# ### BEGIN SOLUTION
# For small $\sigma$, $L_t \approx T_t (1 + \sigma\varepsilon_t)$, so the relative
# distance $|L_t - T_t|/T_t$ is about $\sigma|\varepsilon_t|$, whose mean is
# $\sigma\sqrt{2/\pi} \approx 0.80\,\sigma$. The measured ratio is a little lower (0.76
# for small $\sigma$) because the median of 15 noisy points follows the noise a little,
# and higher for large $\sigma$, where $e^{\sigma\varepsilon}$ is skewed upwards. So the
# noise statistic is about $0.76\,\sigma$: the threshold 0.05 ("noisy") corresponds to a
# scatter of about 6.5 % and 0.2 ("too large") to about 26 %. These are conventions; the
# noise statistic is relative to the level, so the same percentages apply at any loss,
# and a curve near a threshold can come out either way from one draw to the next.
# ### END SOLUTION

# %% [markdown]
# ## 6. Open challenge: fool the diagnosis, then fix it
#
# Build a curve that any practitioner would call a sick run but that `diagnose` calls
# *healthy*. Then write `diagnose_more(losses)`: `diagnose` plus one more test of your
# own, tested last (so it can only relabel curves that are otherwise healthy), that
# catches your curve. Assert that it still calls the textbook healthy curve healthy (20
# noise draws) and the course's healthy real runs: Adam at its default rate (run G) and
# run B with batches of 512.

# %%
### BEGIN SOLUTION
burst = {length: healthy.copy() for length in (7, 8)}
for length, curve in burst.items():
    curve[100:100 + length] = 5 * curve[0]  # the loss jumps to 5 × its start, then recovers
    print(f"a burst of {length} steps at 5 × the start: {diagnose(curve).label}")
assert diagnose(burst[7]).label == "healthy" and diagnose(burst[8]).label == "oscillating"


def spike_size(losses):
    """Largest distance above the trend, relative to its level, after the first tenth."""
    L = np.asarray(losses, dtype=float)
    T, S = loss_curves.trend(L), L[0]
    late = slice(L.size // 10, None)  # the fast fall at the start is not a spike
    return float(np.max((L[late] - T[late]) / np.maximum(T[late], 0.01 * S)))


def diagnose_more(losses, spike=2.0):
    """diagnose, then one more test: a loss above 3 × its trend (after the first tenth)."""
    d = diagnose(losses)
    if d.label == "healthy" and spike_size(losses) >= spike:
        return "spiky"
    return d.label


run_g = train_mlp(Adam(lr=1e-3), X, y)
quiet = [synthetic_curve("healthy", seed=seed) for seed in range(20)]
print(f"spike size: burst {spike_size(burst[7]):.1f}; textbook healthy at most "
      f"{max(spike_size(c) for c in quiet):.2f}; run G {spike_size(run_g.losses):.2f}; "
      f"run B at batch 512 {spike_size(run_b[512].losses):.2f}")
assert diagnose_more(burst[7]) == "spiky" and spike_size(burst[7]) > 50
assert max(spike_size(c) for c in quiet + [run_g.losses, run_b[512].losses]) < 0.2
assert all(diagnose_more(c) == "healthy" for c in quiet)
assert diagnose_more(run_g.losses) == diagnose_more(run_b[512].losses) == "healthy"
assert all(diagnose_more(synthetic_curve(label, seed=0)) == label for label in LABELS)

fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
plot_curve(ax, burst[7], i=1, label="burst of 7 steps (diagnose)")
ax.legend(fontsize=8)
ax.set_title(f"diagnose: healthy; diagnose_more: {diagnose_more(burst[7])}")
plt.show()
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: a burst.** The loss jumps to five times its *starting* value for
# 7 steps at step 100, then returns to where it was. A real run like that has had a
# serious instability (Adam's loss spikes in large models look like this), yet
# `diagnose` calls it healthy: the trend is a median over 15 steps, so a burst of up to
# 7 steps never reaches it, and the rebound statistic, computed on the trend, stays 0;
# the noise statistic looks only at the second half. One step longer and the median
# follows the burst: the rebound is about 5 and the curve is *oscillating*.
#
# The extra test compares the raw curve with the trend after the first tenth of the run
# (at the start the loss falls faster than a median can follow, and run B at batch 512
# would count as a spike of 5 at step 0): a loss more than three times its trend's
# level, with the course's floor of 1 % of the start, is a *spike*. After the first
# tenth, the textbook healthy curves reach at most 0.03 (a loss 3 % above its trend), the
# real healthy runs at most 0.11, the burst 89: a wide margin on both sides of 2. Tested
# last, it cannot change any other label. Its limits: a spike in the first tenth goes
# unseen, a burst longer than 7 steps is already *oscillating*, and the threshold was
# chosen, like the course's, by looking at a few curves.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["running_median", "label_of", "spike_labels", "large_batch_label"])
