# %% [markdown]
# # 07 · The arena: a fair comparison on every landscape
#
# Notebooks 01-06 met the methods one at a time, each on the landscapes that show it at
# its best or its worst. So which one is best? "Adam vs RMSProp", "RMSProp vs AdaGrad",
# "the best learning rate": these questions have an answer only for a stated problem, a
# stated budget and a stated way of tuning. This notebook builds that setting: seven
# methods, thirteen landscapes, the same start points and budget for everyone, and every
# learning rate chosen by one disclosed rule. Then it reads the result, fills in the
# course's comparison table from measurements, and shows why a ranking on 2-D pictures
# should not choose your optimizer.
#
# **Learning objectives.** By the end of this notebook you can
# - *set up* a fair optimizer comparison: shared start points, budget and rate grid, and
#   a selection rule fixed before looking at the results;
# - *compare* seven methods on thirteen landscapes from a rank heatmap and a results table;
# - *measure* how wide each method's range of good learning rates is;
# - *answer* "Adam vs RMSProp" and "RMSProp vs AdaGrad" with numbers, and fill in the
#   comparison table (core idea, strengths, weaknesses) from them;
# - *explain* why a ranking on 2-D landscapes need not carry over to a real task.
#
# **Prerequisites:** [06 · AdaDelta](06_adadelta.ipynb) and the notebooks before it
# ([01](01_fixed_learning_rate.ipynb)-[04](04_rmsprop.ipynb), 05 · Adam).
# **Time:** about 45 minutes. Notation: [docs/notation.md](../docs/notation.md).

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from alr_teach import SGD, Adam
from alr_teach.course.claims import claim, count, paired
from alr_teach.lab.arena import (
    ADADELTA_GRID,
    LR_GRID,
    METHODS,
    arena,
    format_rates,
    format_results,
    rank,
    start_points,
    tune,
    tune_logistic,
    tuned_run,
)
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep_learning_rates
from alr_teach.optimizers import registry
from alr_teach.problems.landscapes import LANDSCAPES, Noisy, Rosenbrock, get
from alr_teach.problems.sparse_data import make_sparse_classification
from alr_teach.viz.arena_plots import plot_rank_shift, plot_ranks, plot_scores, plot_table
from alr_teach.viz.plots import plot_lr_sweeps
from alr_teach.viz.surface_plots import contour, plot_losses, plot_trajectories
from alr_teach.viz.widgets import OptimizerExplorer

SEED = 7
rng = np.random.default_rng(SEED)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. An unfair race
#
# Rosenbrock's banana valley, 300 steps from its usual start, and the seven methods of the
# course: SGD, SGD with momentum $\mu = 0.9$ (heavy ball), Nesterov ($\mu = 0.9$),
# AdaGrad, RMSProp, Adam and AdaDelta, every other setting at torch's default. A common
# shortcut gives them all the same learning rate, `SHARED_LR` $= 10^{-2}$ (AdaDelta, whose
# $\eta$ is only a multiplier, at its paper's `SHARED_ADADELTA` $= 1$).
# `sweep_learning_rates` runs each method over a whole grid of rates instead, in one
# vectorised call per method (AdaDelta over its own grid, `ADADELTA_LRS`, section 2):

# %%
STEPS = 300                                # the budget of every run in this notebook
SHARED_LR, SHARED_ADADELTA = 1e-2, 1.0     # the shortcut: one rate for all
ADADELTA_LRS = ADADELTA_GRID               # AdaDelta's rate grid (the others: LR_GRID)

banana = Rosenbrock()
six = [name for name in METHODS if name != "AdaDelta"]
banana_sweeps = sweep_learning_rates(six, banana, LR_GRID, steps=STEPS)
banana_sweeps |= sweep_learning_rates(["AdaDelta"], banana, ADADELTA_LRS, steps=STEPS)

fig, ax = plt.subplots(figsize=(9, 4.8), layout="constrained")
plot_lr_sweeps(ax, banana_sweeps, min_value=banana.min_value)
ax.axvline(SHARED_LR, color="black", linestyle=":", linewidth=1.2)
ax.annotate(f"one shared rate, {SHARED_LR:g}", (SHARED_LR, 0.03), xytext=(4, 0),
            textcoords="offset points", xycoords=("data", "axes fraction"), fontsize=8)
ax.set_title(f"Rosenbrock, {STEPS} steps: final loss over each method's rate grid")
plt.show()

# %% [markdown]
# Each method's final gap $f(x_T) - f^\star$ at the shared rate and at the best rate of
# its own grid. A gap below `NEAR` $= 0.1$ means the run ended in the bottom of the
# banana's valley. Printed to one significant digit, or as
# "< 0.1": a run of 300 steps near the edge of divergence changes in its later digits from
# one machine to another (see section 11), so the text reads only what one digit shows.

# %%
NEAR = 0.1  # a final gap below this: the run reached the bottom of the valley


def at_rate(result, lr):
    """Final loss − minimum at the grid rate nearest to lr (inf if that run diverged)."""
    i = int(np.argmin(np.abs(np.log(result.values[0] / lr))))
    loss = result.final_loss[i] - banana.min_value
    return np.inf if np.isnan(loss) else float(loss)


def show(gaps):
    """Each gap to one significant digit; "< NEAR" in the valley, "diverged" if it did."""
    return ", ".join(f"{m} " + ("diverged" if gap == np.inf else f"< {NEAR:g}" if gap < NEAR
                                else f"{gap:.1g}") for m, gap in gaps.items())


shared = {name: at_rate(r, SHARED_ADADELTA if name == "AdaDelta" else SHARED_LR)
          for name, r in banana_sweeps.items()}
tuned = {name: at_rate(r, r.best()["lr"]) for name, r in banana_sweeps.items()}
print(f"one shared rate:  {show(shared)}")
print(f"each at its best: {show(tuned)}")
diverged_at_shared = sorted(name for name, loss in shared.items() if loss == np.inf)
winner_shared = min(shared, key=shared.get)
near_tuned = sorted(name for name, gap in tuned.items() if gap < NEAR)
print(f"at the shared rate: {', '.join(diverged_at_shared)} diverged, {winner_shared} came "
      f"closest; at each method's best rate, within {NEAR:g} of the minimum: "
      f"{', '.join(near_tuned)}")
claim(diverged_at_shared == ["Momentum", "Nesterov", "SGD"] and winner_shared == "RMSProp",
      "at the shared rate SGD and both momentum methods diverge, and RMSProp ends closest "
      "to the minimum", measured=f"diverged {diverged_at_shared}, closest {winner_shared}")
others = [gap for m, gap in shared.items() if m != winner_shared]
claim(shared[winner_shared] < 0.8 * min(others),
      "RMSProp's gap at the shared rate is at least 20 % below every other method's",
      measured=show(shared))
stuck = [tuned[m] for m in ("AdaGrad", "RMSProp", "AdaDelta")]
claim(near_tuned == ["Adam", "Momentum", "Nesterov"] and all(0.5 < gap < 2 for gap in stuck),
      f"each at its best rate, exactly Adam, heavy ball and Nesterov end within {NEAR:g} of "
      "the minimum, while AdaGrad, RMSProp and AdaDelta end between 0.5 and 2 above it",
      measured=show(tuned))

# %% [markdown]
# The same seven methods, two opposite verdicts. At the shared rate, SGD and both
# momentum methods diverge and RMSProp wins; with each method at the best rate of its
# own grid, Adam, Nesterov and heavy ball all reach the bottom of the valley, while
# RMSProp, AdaGrad and AdaDelta all end about 1 above it (their gaps differ by a few per
# cent, too little to rank them on runs this close to divergence). The shared rate did
# not compare the methods; it compared how well $10^{-2}$ happens to suit each of them. **A comparison of optimizers is a comparison of tuned
# optimizers, or it is nothing.**
#
# ## 2. The rules of the arena
#
# Fixed before looking at any result:
#
# - **Landscapes:** the eleven of `alr_teach.problems.landscapes.LANDSCAPES` and two noisy
#   versions, the ill-conditioned quadratic with gradient noise $\sigma = 1$ and
#   Rosenbrock with $\sigma = 10$ (`alr_teach.problems.landscapes.Noisy` adds Gaussian noise of
#   standard deviation $\sigma$ to every gradient, as mini-batches do).
# - **Start points:** each landscape's default start and four others drawn (`SEED` = 7)
#   uniformly from a box around it, of half-width 10 % of the landscape's width in each
#   coordinate. Every method starts from the same five points.
# - **Budget:** `STEPS` = 300 steps; tolerance `TOL` = $10^{-6}$; `N_STARTS` = 5 starts.
# - **Rates:** every method gets the same grid of 11 rates, half a decade apart, from
#   $10^{-4}$ to $10$. AdaDelta's $\eta$ multiplies a step that already has the units of
#   $x$ (notebook 06), so its grid has the same size and spacing but is centred on 1,
#   from $10^{-2.5}$ to $10^{2.5}$. Every other setting stays at torch's default
#   ($\mu = 0.9$ for the two momentum methods, $\alpha = 0.99$, $\beta_1 = 0.9$,
#   $\beta_2 = 0.999$, $\rho = 0.9$, each method's own $\epsilon$). Same budget of
#   tuning for all: $11 \times 5 = 55$ runs per method and landscape.
#
# **The score.** For start point $s$ and rate $\eta$, let $x_t$ be the iterate after
# step $t$ and $f^\star$ the minimum value. The **gap** after the last step $T = 300$ and
# the **steps to tolerance** are
#
# $$\Delta_s(\eta) = f(x_T) - f^\star, \qquad
#   N_s(\eta) = \min\{t : f(x_t) - f^\star \le 10^{-6}\},$$
#
# with $\Delta_s = \infty$ for a run that diverged and $N_s = \infty$ if the tolerance
# is never reached. The two saddles have no minimum ($f^\star = -\infty$); there a run is
# scored on **escape**: the gap is $\max(f(x_t) - (-1), 0)$, zero once the loss has gone
# below $-1$ (and it stays zero).
#
# **The selection rule**, used both to choose each method's rate and to rank the
# methods at their chosen rates:
#
# $$\eta^\star = \arg\min_\eta\; \operatorname{median}_s \max\big(\Delta_s(\eta),\,
#   10^{-6}\big), \quad \text{ties broken by } \operatorname{median}_s N_s(\eta),
#   \text{ then by the smaller } \eta.$$
#
# Why each piece: the **median** over five starts is not fooled by one lucky or unlucky
# start; the **floor** at the tolerance makes every rate that solves the problem tie, so
# no method wins on the difference between $10^{-20}$ and $10^{-30}$, which is rounding;
# among the rates that solve it, the **fastest** wins.
#
# Here are the five start points on four of the landscapes (`SHOWN`):

# %%
TOL, N_STARTS = 1e-6, 5
NOISE = {"ill-conditioned quadratic": 1.0, "rosenbrock": 10.0}  # gradient noise σ
SHOWN = ["rosenbrock", "himmelblau", "saddle", "plateau cliff"]

landscapes = {name: get(name) for name in LANDSCAPES}
for name, sigma in NOISE.items():
    landscapes[f"noisy {name}"] = Noisy(get(name), sigma=sigma, seed=SEED)
short = {"rotated quadratic": "rotated quad.", "ill-conditioned quadratic": "ill-cond. quad.",
         "noisy ill-conditioned quadratic": "noisy ill-cond.", "noisy rosenbrock": "noisy rosenb."}

fig, axes = plt.subplots(1, len(SHOWN), figsize=(4 * len(SHOWN), 3.9), layout="constrained",
                         squeeze=False)
for ax, name in zip(axes[0], SHOWN):
    points = start_points(landscapes[name], N_STARTS, seed=SEED)
    contour(ax, landscapes[name], resolution=120)
    ax.plot(points[1:, 0], points[1:, 1], "o", color="#0072B2", label="seeded starts")
    ax.plot(*points[0], "s", color="#D55E00", markersize=9, label="default start")
    ax.legend(fontsize=8, loc="lower right")
plt.show()
print(f"{len(landscapes)} landscapes; start points on rosenbrock: "
      f"{np.array2string(start_points(landscapes['rosenbrock'], N_STARTS, seed=SEED), precision=2)}"
      .replace("\n", ""))

# %% [markdown]
# ## 3. The seven contestants, in the open
#
# Every update rule of notebooks 01-06 fits on one screen. In the notation of the course
# ($g$ the gradient, $t$ the step, state in `s`; products and roots element-wise):

# %%
def sgd(x, g, s, t, lr):
    return x - lr * g


def momentum(x, g, s, t, lr, mu=0.9):                    # heavy ball, torch's form
    s["b"] = g if t == 1 else mu * s["b"] + g
    return x - lr * s["b"]


def nesterov(x, g, s, t, lr, mu=0.9):                    # look ahead along the velocity
    s["b"] = g if t == 1 else mu * s["b"] + g
    return x - lr * (g + mu * s["b"])


def adagrad(x, g, s, t, lr, eps=1e-10):                   # divide by √(sum of all g²)
    s["G"] = s.get("G", 0.0) + g * g
    return x - lr * g / (np.sqrt(s["G"]) + eps)


def rmsprop(x, g, s, t, lr, alpha=0.99, eps=1e-8):        # ... by √(moving average of g²)
    s["E_g2"] = alpha * s.get("E_g2", 0.0) + (1 - alpha) * g * g
    return x - lr * g / (np.sqrt(s["E_g2"]) + eps)


def adam(x, g, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):  # momentum + RMSProp, unbiased
    s["m"] = beta1 * s.get("m", 0.0) + (1 - beta1) * g
    s["v"] = beta2 * s.get("v", 0.0) + (1 - beta2) * g * g
    m_hat, v_hat = s["m"] / (1 - beta1**t), s["v"] / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps)


def adadelta(x, g, s, t, lr, rho=0.9, eps=1e-6):          # RMS of steps / RMS of gradients
    s["E_g2"] = rho * s.get("E_g2", 0.0) + (1 - rho) * g * g
    step = np.sqrt(s.get("E_dx2", 0.0) + eps) / np.sqrt(s["E_g2"] + eps) * g
    s["E_dx2"] = rho * s.get("E_dx2", 0.0) + (1 - rho) * step * step
    return x - lr * step


rules = dict(zip(METHODS, [sgd, momentum, nesterov, adagrad, rmsprop, adam, adadelta]))

# %% [markdown]
# Each rule against its `alr_teach` class, on 50 random gradients whose three coordinates
# differ in scale by $10^3$ and $10^6$:

# %%
CHECK_STEPS, CHECK_LR, SCALES = 50, 0.01, np.array([1e-3, 1.0, 1e3])

gradients = rng.standard_normal((CHECK_STEPS, SCALES.size)) * SCALES
largest = {}
for name, rule in rules.items():
    package, s = registry.make(name, lr=CHECK_LR), {}
    x, x_package = np.ones(SCALES.size), np.ones(SCALES.size)
    for t, g in enumerate(gradients, start=1):
        x, x_package = rule(x, g, s, t, CHECK_LR), package.step(x_package, g)
    largest[name] = np.abs(x - x_package).max()
agree = [name for name, gap in largest.items() if gap <= 1e-12]
print(f"{len(agree)} of {len(rules)} rules give the package's numbers to 1e-12 over "
      f"{CHECK_STEPS} steps")
claim(len(agree) == len(rules), f"every rule gives its package class's iterates to 1e-12 over "
      f"{CHECK_STEPS} steps", measured=f"largest differences {largest}")

# %% [markdown]
# The arena's `tune` runs one method for all 11 rates and all 5 starts as one batch
# (params of shape (11, 5, 2), a rate per row). The same batch through the rules above,
# on Beale's function:

# %%
beale = landscapes["beale"]
beale_starts = start_points(beale, N_STARTS, seed=SEED)
beale_tunings = {}
for name, rule in rules.items():
    reference = beale_tunings[name] = tune(name, beale, starts=beale_starts, steps=STEPS,
                                           lrs=ADADELTA_LRS if name == "AdaDelta" else None)
    lrs = reference.lrs[:, None, None]
    x, s = np.broadcast_to(beale_starts, (lrs.size, *beale_starts.shape)).copy(), {}
    with np.errstate(all="ignore"):
        for t in range(1, STEPS + 1):
            x = rule(x, beale.grad(x), s, t, lrs)
        gap = beale.value(x) - beale.min_value
    kept = np.isfinite(reference.final_gap)          # runs the runner did not stop
    difference = np.abs(gap[kept] - reference.final_gap[kept]).max()
    same = bool(difference <= 1e-12)
    print(f"{name:9s} {kept.sum():2d} of {kept.size} runs kept; all agree to 1e-12: {same}")
    claim(same, f"{name}'s rule gives the arena's final gaps on Beale to 1e-12",
          measured=f"largest difference {difference:.1e}")

# %% [markdown]
# Every kept run agrees to $10^{-12}$. (The runner stops a run whose loss exceeds $10^6$ times
# its starting loss and scores it as diverged, $\Delta = \infty$; those are left out of the
# comparison.) And the batch gives the same numbers as `sweep_learning_rates`, the
# course's one-start sweep, run from the default start and from the last seeded one:

# %%
matches = []
for k in (0, len(beale_starts) - 1):
    x0 = beale_starts[k]
    per_start = sweep_learning_rates(six, beale, LR_GRID, steps=STEPS, x0=x0)
    for name, result in per_start.items():
        batched = beale_tunings[name].final_gap[:, k]
        one_by_one = np.nan_to_num(result.final_loss - beale.min_value, nan=np.inf)
        matches.append(np.allclose(one_by_one, batched, rtol=1e-12, atol=0))
print(f"batched arena == sweep_learning_rates, start by start: {count(matches)} comparisons")
claim(all(matches), "the batched arena gives sweep_learning_rates' final gaps (to 1e-12), "
      "start by start", measured=f"{count(matches)} method-start pairs agree")

# %% [markdown]
# ## 4. The arena
#
# Seven methods, thirteen landscapes, 11 rates, 5 starts: 5005 runs of 300 steps, one
# batched call per method and landscape (AdaDelta over `ADADELTA_LRS`, section 1).

# %%
results = arena(landscapes, steps=STEPS, tol=TOL, n_starts=N_STARTS, seed=SEED,
                grids={"AdaDelta": ADADELTA_LRS})
runs = sum(t.final_gap.size for tunings in results.tunings.values() for t in tunings.values())
print(f"{len(results.landscapes)} landscapes x {len(results.methods)} methods: {runs} runs\n")
print("Chosen learning rate (* = at the edge of the method's grid)")
print(format_rates(results, short))

# %% [markdown]
# Three chosen rates sit at the edge of their grid: RMSProp's on the round quadratic (the
# largest rate, 10, is the fastest of the rates that solve it) and AdaDelta's on the
# saddle and on plateau cliff (the largest multiplier, $10^{2.5} \approx 316$). On a
# saddle a larger step always escapes sooner; on plateau cliff AdaDelta might do even
# better beyond the grid. We keep the grid as fixed in advance and say so; everywhere else
# it brackets the chosen rate.

# %%
edges = [(row.landscape, row.method) for row in results.rows() if row.at_edge]
print("chosen at the edge of the grid: " + ", ".join(f"{m} on {n}" for n, m in edges))
claim(edges == [("quadratic", "RMSProp"), ("saddle", "AdaDelta"),
                ("plateau cliff", "AdaDelta")],
      "exactly three chosen rates sit at an edge of their grid: RMSProp's on the round "
      "quadratic, AdaDelta's on the saddle and on plateau cliff", measured=edges)
bowl_gap, bowl_steps = results.tunings["quadratic"]["RMSProp"].scores
claim(bowl_steps[-1] == bowl_steps[bowl_gap <= TOL].min(),
      "on the round quadratic RMSProp's largest rate is the fastest of those that solve it",
      measured=f"median steps per rate {bowl_steps.tolist()}")

# %% [markdown]
# The results, each method at its chosen rate: **rank**, then the median final gap
# (`<1e-6` = within the tolerance), then the median steps to reach the tolerance
# (`—` if most starts never did). On the saddles the gap is the escape gap.

# %%
print("rank, median final gap, median steps to the tolerance")
print(format_results(results, short))

# %%
fig, ax = plt.subplots(figsize=(12, 4.6), layout="constrained")
plot_ranks(ax, results, short)
plt.show()

# %% [markdown]
# ## 5. Reading the results
#
# **No method wins everywhere, and every method wins somewhere.** Counting first places
# (shared ones included) and last places:

# %%
ranks = results.ranks()
methods, names = results.methods, results.landscapes
firsts = {m: [names[i] for i in np.flatnonzero(ranks[:, j] == 1)] for j, m in enumerate(methods)}
lasts = {m: int(np.sum(ranks[:, j] == ranks.max(axis=1))) for j, m in enumerate(methods)}
for m in methods:
    print(f"{m:9s} first on {len(firsts[m])}: {', '.join(short.get(n, n) for n in firsts[m]):52s}"
          f" last on {lasts[m]}")
claim(all(1 <= len(won) <= 4 for won in firsts.values()),
      f"every method is first somewhere, and none on more than 4 of {len(names)} landscapes",
      measured={m: len(won) for m, won in firsts.items()})
claim(lasts["AdaDelta"] == 8 and max(n for m, n in lasts.items() if m != "AdaDelta") <= 3,
      f"AdaDelta is last on 8 of {len(names)} landscapes, no other method on more than 3",
      measured=lasts)

# %% [markdown]
# AdaDelta is last on 8 of the 13 landscapes, and its one outright first place is plateau
# cliff (section 6). A few patterns, each visible in the table:
#
# - **Curvature along the axes vs turned away from them.** On the axis-aligned
#   ill-conditioned quadratic ($\kappa = 50$), AdaGrad and RMSProp need 6 and 5 steps,
#   SGD 205: a per-coordinate rate is exactly the right fix (notebook 01, section 3).
#   Turn the same bowl by 30° and they need 222 and 165; heavy ball and Nesterov do not
#   notice the rotation at all.
# - **The banana and Beale's plains** (gradients whose size changes by orders of
#   magnitude) go to Adam; only Adam brings Beale within the tolerance.
# - **The round bowl, Himmelblau and Booth** go to plain SGD: with a well-chosen rate a
#   mildly conditioned problem needs nothing more (one step on the round bowl, where
#   $\eta = 1/\lambda$ jumps straight to the minimum).
# - **The saddles do not separate tuned methods**: everyone escapes within 3 steps,
#   because a saddle only punishes a *small* rate, and the tuning picks a large one.
# - **Nobody reaches the tolerance** on Rosenbrock (in 300 steps), on Rastrigin (every
#   method settles in a local minimum) or on the noisy landscapes, where the noise sets a
#   floor; there the ranks rest on small differences (the medians on the noisy
#   ill-conditioned quadratic lie within a factor of 6).

# %%
def steps(landscape, method):
    return results.row(landscape, method).median_steps


ill, rot = "ill-conditioned quadratic", "rotated quadratic"
kappa = landscapes[ill].condition_number
axis_steps = (steps(ill, "AdaGrad"), steps(ill, "RMSProp"), steps(ill, "SGD"))
turned_steps = (steps(rot, "AdaGrad"), steps(rot, "RMSProp"))
claim(kappa == 50 and axis_steps == (6, 5, 205) and turned_steps == (222, 165),
      "on the axis-aligned quadratic (κ = 50) AdaGrad, RMSProp and SGD need 6, 5 and 205 "
      "steps; turned by 30°, AdaGrad and RMSProp need 222 and 165",
      measured=f"κ = {kappa:g}; {axis_steps}; turned {turned_steps}")
claim(all(steps(rot, m) == steps(ill, m) for m in ("Momentum", "Nesterov")),
      "heavy ball and Nesterov need the same steps on the turned bowl as on the aligned one",
      measured={m: (steps(ill, m), steps(rot, m)) for m in ("Momentum", "Nesterov")})
within_on_beale = [m for m in methods if results.row("beale", m).median_gap <= TOL]
claim(firsts["Adam"][:2] == ["rosenbrock", "beale"] and within_on_beale == ["Adam"],
      "Adam is first on Rosenbrock and Beale, and the only method within the tolerance on "
      "Beale", measured=f"Adam first on {firsts['Adam']}; within on Beale: {within_on_beale}")
bowl = landscapes["quadratic"]
claim(firsts["SGD"][:3] == ["quadratic", "himmelblau", "booth"]
      and steps("quadratic", "SGD") == 1
      and np.isclose(results.row("quadratic", "SGD").lr, 1 / bowl.curvatures.max()),
      "SGD is first on the round bowl, Himmelblau and Booth, and solves the round bowl in one "
      "step at η = 1/λ", measured=f"first on {firsts['SGD']}, "
      f"{steps('quadratic', 'SGD'):.0f} step(s) at lr {results.row('quadratic', 'SGD').lr:g}")
saddles = ("saddle", "monkey saddle")
escape = max(steps(n, m) for n in saddles for m in methods)
claim(escape <= 3, "on both saddles every tuned method escapes within 3 steps",
      measured=f"at most {escape:.0f} steps")
unsolved = [n for n in names if results.best_gap(n) > TOL]
claim(unsolved == ["rosenbrock", "rastrigin", "noisy ill-conditioned quadratic",
                   "noisy rosenbrock"],
      "nobody reaches the tolerance on Rosenbrock, Rastrigin and the two noisy landscapes, "
      "and somebody does on every other", measured=unsolved)
noisy_gaps = [results.row("noisy ill-conditioned quadratic", m).median_gap for m in methods]
claim(max(noisy_gaps) / min(noisy_gaps) < 6,
      "on the noisy ill-conditioned quadratic the tuned medians lie within a factor of 6",
      measured=f"a factor of {max(noisy_gaps) / min(noisy_gaps):.1f}")

# %% [markdown]
# **Adam vs RMSProp, RMSProp vs AdaGrad.** Head to head over the thirteen landscapes:

# %%
def head_to_head(a, b):
    ra, rb = ranks[:, methods.index(a)], ranks[:, methods.index(b)]
    return int(np.sum(ra < rb)), int(np.sum(ra > rb)), int(np.sum(ra == rb))


for a, b in [("Adam", "RMSProp"), ("RMSProp", "AdaGrad")]:
    wins, losses, ties = head_to_head(a, b)
    print(f"{a} vs {b}: {a} ahead on {wins}, {b} ahead on {losses}, tied on {ties}")
    for first, second in ((a, b), (b, a)):
        ahead = [short.get(n, n) for i, n in enumerate(names)
                 if ranks[i, methods.index(first)] < ranks[i, methods.index(second)]]
        print(f"    {first} ahead on: {', '.join(ahead)}")
for a, b in [("Adam", "RMSProp"), ("RMSProp", "AdaGrad")]:
    claim(head_to_head(a, b) == (6, 5, 2), f"{a} vs {b}: 6 to 5 with 2 ties",
          measured=head_to_head(a, b))

# %% [markdown]
# Six to five with two ties, both times: on static 2-D landscapes, neither pair has a
# clear winner. Adam is ahead in the curved valleys (Rosenbrock, Beale), on plateau cliff
# and on both noisy landscapes; RMSProp on most of the bowls and on Himmelblau and
# Rastrigin. What separates RMSProp from AdaGrad is not in these pictures at all: it is
# *change*. When the gradient scale drops, RMSProp's rates recover and AdaGrad's cannot
# (notebook 04, sections 4-5); on the sparse task of section 9, AdaGrad comes first.
# Section 10 collects the answers.
#
# ## 6. The hiker, revisited (plateau cliff)
#
# In [notebook 01, section 5](01_fixed_learning_rate.ipynb), a hand-picked SGD rate
# crawled on the plateau and was flung away at the cliff, while Adam kept a steady pace
# (the hiker who remembers which slopes were steep). Was that a fair fight? Here is
# every method at its *tuned* rate, from the default start:

# %%
cliff = landscapes["plateau cliff"]
cliff_tunings = results.tunings["plateau cliff"]
cliff_runs = [tuned_run(tuning, cliff) for tuning in cliff_tunings.values()]
cliff_labels = [f"{m} (lr = {t.best_lr:.2g})" for m, t in cliff_tunings.items()]

fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(14, 4.8), layout="constrained")
contour(ax_map, cliff)
plot_trajectories(ax_map, cliff, cliff_runs, cliff_labels, legend_loc="upper right")
ax_map.set_title("Plateau cliff: each method at its tuned rate")
plot_losses(ax_loss, cliff_runs, cliff_labels, min_value=cliff.min_value)
plt.show()

# %% [markdown]
# A run *reaches the valley* if its final gap is below `VALLEY` $= 10^{-3}$ (the plateau
# lies about 1 above the valley floor). For each method, at how many of its 11 rates do
# most of the five starts (3 or more, the median the rule looks at) reach it? We count
# rates, not single runs: a run flung off the cliff lands where the last bits of its
# arithmetic send it, and a count of runs changes from one machine to another.

# %%
VALLEY = 1e-3          # a final gap below this: the run is in the valley
adaptive = ("AdaGrad", "RMSProp", "Adam", "AdaDelta")

in_valley = {m: (t.final_gap < VALLEY).sum(axis=1) for m, t in cliff_tunings.items()}
good_cliff = {m: int(np.sum(n > N_STARTS / 2)) for m, n in in_valley.items()}
for m, t in cliff_tunings.items():
    chosen_ok = "yes" if in_valley[m][t.best] > N_STARTS / 2 else "no"
    print(f"{m:9s} lr {t.best_lr:7.3g}: most starts reach the valley at the chosen rate: "
          f"{chosen_ok:3s}; at {good_cliff[m]} of {t.lrs.size} rates")
claim(good_cliff["SGD"] == good_cliff["Momentum"] == 0 and good_cliff["Nesterov"] <= 1,
      "at no rate do most starts of SGD or heavy ball reach the valley, and Nesterov's do "
      "at one rate at most", measured=good_cliff)
claim(all(3 <= good_cliff[m] <= 5 and in_valley[m][cliff_tunings[m].best] > N_STARTS / 2
          for m in adaptive),
      "every adaptive method brings most starts into the valley at its chosen rate, and at "
      "3 to 5 of its 11 rates", measured=good_cliff)
cliff_rank = dict(zip(methods, ranks[names.index("plateau cliff")]))
claim(cliff_rank["AdaDelta"] == 1 and max(cliff_rank[m] for m in adaptive) == 4,
      "on plateau cliff AdaDelta ranks first and the four adaptive methods take the first "
      "four places", measured=cliff_rank)

# %% [markdown]
# Tuning does not rescue gradient descent here: at no rate do most of SGD's starts, or
# heavy ball's, reach the valley. What the rule chose for SGD is revealing:

# %%
cliff_starts = start_points(cliff, N_STARTS, seed=SEED)
sgd_chosen, sgd_next = cliff_tunings["SGD"].best_lr, LR_GRID[-1]
furthest, final = {}, {}
for lr in (sgd_chosen, sgd_next):
    sgd_runs = run(SGD(lr=lr), cliff, cliff_starts, steps=STEPS)
    furthest[lr] = np.nanmax(sgd_runs.points[..., 0], axis=0)
    final[lr] = sgd_runs.points[-1, :, 0]
    print(f"SGD, lr {lr:4.3g}: furthest x {np.array2string(furthest[lr], precision=1)}, "
          f"final x {np.array2string(final[lr], precision=1)}")
claim(np.all(furthest[sgd_chosen] < cliff.plateau_end),
      f"at its chosen rate {sgd_chosen:.2g}, SGD never reaches the cliff (x = "
      f"{cliff.plateau_end:g}) from any start", measured=furthest[sgd_chosen])
claim(np.all(furthest[sgd_next] > cliff.plateau_end) and np.sum(final[sgd_next] < -5) >= 3,
      f"at lr {sgd_next:g} SGD reaches the cliff from every start, and most starts end far "
      "back on the plateau (x < -5)", measured=final[sgd_next])

# %% [markdown]
# Its chosen rate, 3.2, is one with which it *never reaches the cliff*: 300 steps of
# about $3.2 \times 10^{-3}$ leave it on the plateau, and the plateau's tilt is all it
# gains. At the next rate of the grid, 10, it reaches the cliff from every start and is
# flung, most runs far back onto the plateau (where a flung run lands is down to luck).
# For gradient descent, the best you can do here is not to arrive.
#
# Heavy ball never gets most starts there at any rate; Nesterov's look-ahead does at a
# single rate. Every adaptive method reaches the valley from most starts, at 3 to 5 of its
# 11 rates: dividing by the recent gradient size is what lets one rate walk the plateau
# *and* survive the cliff. The claim of notebook 01 survives a fair fight; AdaDelta, whose
# step is built from the size of its own past steps, is the fastest.
#
# ## 7. How wide is the range of good rates?
#
# A method that works only at one rate must be tuned carefully; one that works over a
# wide range forgives a rough guess. Call a rate **good** on a landscape if its median
# final gap is within 10× of the best median gap *any* method reached there (a method
# that fails at every rate then has no good rate, rather than eleven equally bad ones).

# %%
good = results.good_rates()
fig, (ax_table, ax_scores) = plt.subplots(1, 2, figsize=(16, 4.8), layout="constrained",
                                          width_ratios=[1.3, 1])
plot_table(ax_table, good, methods, [short.get(n, n) for n in names], reverse=True,
           label="good rates (of 11)", title="Good rates per landscape (dark = many)")
plot_scores(ax_scores, results.tunings["ill-conditioned quadratic"], factor=10)
ax_scores.set_title("Ill-conditioned quadratic: the band holds the good rates")
plt.show()

# %%
median_good = dict(zip(methods, np.median(good, axis=0)))
print(f"median number of good rates over the {len(names)} landscapes: "
      + ", ".join(f"{m} {n:.0f}" for m, n in median_good.items()))
widest = max(median_good.values())
claim(median_good["Adam"] == median_good["RMSProp"] == widest == 5,
      "Adam and RMSProp have the widest ranges, a median of 5 good rates of 11",
      measured=median_good)
claim(median_good["SGD"] == 1 and median_good["AdaDelta"] == 0
      and all(median_good[m] >= 3 for m in ("AdaGrad", "Momentum")),
      "SGD has a median of 1 good rate, AdaDelta 0, AdaGrad and heavy ball 3 or more",
      measured=median_good)

# %% [markdown]
# Adam and RMSProp have the widest ranges: on half of the landscapes or more they have
# at least 5 good rates out of 11, SGD at least 1. That supports the usual
# claim that adaptive methods are more forgiving about the rate, with two caveats.
# AdaGrad and heavy ball come next, close together. And AdaDelta, the method sold as
# needing no rate, has the *narrowest*: within 300 steps it is rarely competitive at any
# multiplier.

# %% [markdown]
# ## 8. Explore
#
# The explorer races six of the methods (it has no Nesterov) on a landscape of your
# choice. It opens on Beale's function with every rate preset to the arena's choice for
# Beale. AdaGrad, RMSProp and Adam share one $\epsilon$ slider, preset here to
# $10^{-6}$ (for them it changes little on Beale); AdaDelta has its own, at its default
# $10^{-6}$, which sets its first steps (notebook 06). Without sliders, call
# `explorer.update(...)` with the same names (`lr_Adam=0.3`, `landscape="plateau cliff"`).
# Things to try: move Adam's rate by a factor of 3 either way and watch it stay good
# (section 7), then do the same to SGD's; switch to "plateau cliff" and find a momentum
# rate that survives the cliff; set every method to $\eta = 10^{-2}$ and see section 1
# again.

# %%
# NBVAL_IGNORE_OUTPUT
EXPLORER_EPS = 1e-6   # AdaGrad's, RMSProp's and Adam's ε in the explorer
beale_rates = {f"lr_{m}": t.best_lr for m, t in results.tunings["beale"].items()
               if m != "Nesterov"}
explorer = OptimizerExplorer(landscape="beale", eps=EXPLORER_EPS, steps=STEPS, **beale_rates)
explorer.widget()

# %% [markdown]
# The explorer's default view, as a static figure (what the saved notebook and the
# handouts show), and its runs next to the arena's runs from the same start:

# %%
explorer.static_figure()
plt.show()
same_runs = {}
for m, summary in explorer.summary.items():
    arena_run = tuned_run(results.tunings["beale"][m], beale)
    same_runs[m] = bool(np.isclose(summary["final_loss"], arena_run.final_loss, rtol=1e-3,
                                   atol=1e-12))
    print(f"{m:9s} lr {beale_rates[f'lr_{m}']:7.3g}: explorer {summary['final_loss']:.1e}, "
          f"arena {float(arena_run.final_loss):.1e}")
claim(all(same_runs.values()), "the explorer's runs end where the arena's runs from the same "
      "start end (to 0.1 %)", measured=same_runs)

# %% [markdown]
# ## 9. Warning: do not choose an optimizer from 2-D pictures
#
# Everything so far happened on 2-D surfaces we can draw. Does the ranking carry over
# to a real task? The test: logistic regression on the sparse classification task of
# notebook 03 (2000 training samples, 200 binary features, most of them rare), trained
# with mini-batches of 20 for 3 epochs: **300 steps, as in the arena**. Same seven
# methods, same grids, same rule (the lowest median final training loss over 5 seeds of
# the batch order, from zero weights).

# %%
BATCH_SIZE, BATCH_SEEDS = 20, range(5)

task = make_sparse_classification(seed=SEED)
EPOCHS = STEPS * BATCH_SIZE // task.X_train.shape[0]  # as many steps as in the arena
real = {m: tune_logistic(m, task, epochs=EPOCHS, batch_size=BATCH_SIZE, seeds=BATCH_SEEDS,
                         lrs=ADADELTA_LRS if m == "AdaDelta" else None)
        for m in METHODS}
real_rank = rank(real)
mean_2d = dict(zip(methods, ranks.mean(axis=0)))
for m in methods:
    losses = real[m].final_gap[real[m].best]
    print(f"{m:9s} 2-D mean rank {mean_2d[m]:.2f} | sparse task: rank {real_rank[m]}, "
          f"lr {real[m].best_lr:6.3g}, training loss {np.median(losses):.4f} "
          f"(seeds {losses.min():.4f}-{losses.max():.4f})")


def ranked(values):
    """Ranks 1..n, ties sharing their average rank (for Spearman's correlation)."""
    values = np.asarray(values, dtype=float)
    return np.array([np.sum(values < v) + (np.sum(values == v) + 1) / 2 for v in values])


rho = np.corrcoef(ranked(list(mean_2d.values())), ranked([real_rank[m] for m in methods]))[0, 1]
print(f"Spearman rank correlation between the two orders: {rho:.2f}")

# %%
fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
plot_rank_shift(ax, mean_2d, real_rank, (f"{len(names)} landscapes (mean rank)",
                                         "sparse logistic regression"))
plt.show()

# %%
per_seed = {m: real[m].final_gap[real[m].best] for m in methods}
order_2d = sorted(mean_2d, key=mean_2d.get)
claim(task.X_train.shape == (2000, 200) and set(np.round(task.p, 3)) == {0.3, 0.015}
      and all(t.steps == STEPS for t in real.values()),
      f"the task has 2000 samples of 200 features, seen in 30 % or 1.5 % of the samples, and "
      f"each run takes {STEPS} steps", measured=f"{task.X_train.shape}, "
      f"{sorted(set(np.round(task.p, 3)))}, {sorted({t.steps for t in real.values()})} steps")
claim(order_2d[0] == "Nesterov" and real_rank["Nesterov"] == 5
      and order_2d[-1] == "AdaDelta" and real_rank["AdaDelta"] == 4
      and order_2d.index("AdaGrad") == 3 and real_rank["AdaGrad"] == 1,
      "Nesterov, first on the landscapes, is fifth on the task; AdaDelta, last, is fourth; "
      "AdaGrad, fourth, is first", measured=f"landscapes {order_2d}, task {real_rank}")
p_delta = paired(per_seed["AdaDelta"], per_seed["Nesterov"])
print(f"AdaDelta vs Nesterov, training loss: {p_delta}")
claim(p_delta.all_better, "AdaDelta ends lower than Nesterov on every seed", measured=p_delta)
p_adagrad = {m: paired(per_seed["AdaGrad"], per_seed[m]) for m in methods if m != "AdaGrad"}
print("AdaGrad vs each other method: " + "; ".join(f"{m} {p.wins} of {p.n}"
                                                   for m, p in p_adagrad.items()))
claim(all(p.all_better for p in p_adagrad.values()),
      "AdaGrad ends lower than every other method on every seed",
      measured={m: str(p) for m, p in p_adagrad.items()})
claim(rho < 0.5, "the rank correlation between the two orders is weak (below 0.5)",
      measured=f"{rho:.2f}")

# %% [markdown]
# **The rankings differ.** Nesterov, the best method on the landscapes by mean rank, is
# fifth on the real task; AdaDelta, the worst on the landscapes, is fourth and beats
# Nesterov on every one of the five seeds; AdaGrad, fourth on the landscapes, beats every
# other method on every seed. The rank correlation between the two orders is weak.
# Why the pictures mislead:
#
# - **Two coordinates are not two hundred.** The sparse task has features seen in 30 %
#   of the samples and features seen in 1.5 %: two hundred gradient scales at once, and
#   rare features whose gradients are mostly zero. No 2-D landscape has that structure,
#   and it is exactly what per-coordinate methods are for (notebook 03).
# - **The landscapes were chosen to teach**, each to show one failure. Averaging ranks
#   over them weighs a cliff, a saddle and a banana equally; a real problem is one
#   problem, with its own mixture.
# - **What was measured** is training loss within a fixed budget. Test accuracy,
#   longer training and larger models can rank the methods differently again (notebook
#   10 races them on real data sets, and adds generalisation).
#
# And this real task is only one task, built to favour per-coordinate methods: it does
# not show that AdaGrad is the best optimizer either. The lesson is the protocol, not the
# winner: **tune each candidate's rate on your problem, or one close to it, and compare
# them there.**
#
# ## 10. The comparison table, from measurements
#
# The course's comparison of the seven methods. Every strength and weakness cites a
# number measured in this notebook (checked in the cell below the table) or in an
# earlier notebook, named.

# %%
def row(landscape, method):
    return results.row(landscape, method)


chosen = results.best_lrs()
adadelta_lrs = chosen[:, methods.index("AdaDelta")]
# decades between two grid rates, rounded to the grid's half-decade steps: exact on any
# machine (the ratio itself may miss 1000 in its last bit)
adadelta_decades = np.round(2 * np.log10(adadelta_lrs.max() / adadelta_lrs.min())) / 2
table = [
    ("SGD", "one rate for every parameter: $x \\leftarrow x - \\eta g$",
     f"first on the round bowl, Himmelblau and Booth (Himmelblau in "
     f"{row('himmelblau', 'SGD').median_steps:.0f} steps)",
     f"plateau cliff: most starts reach the valley at {good_cliff['SGD']} of 11 rates; "
     f"{median_good['SGD']:.0f} good rate of 11 (median)"),
    ("Momentum", "a velocity $b \\leftarrow \\mu b + g$ smooths the zig-zag",
     f"ill-conditioned quadratic in {row(ill, 'Momentum').median_steps:.0f} steps "
     f"(SGD: {row(ill, 'SGD').median_steps:.0f})",
     f"plateau cliff: at {good_cliff['Momentum']} of 11 rates; Himmelblau in "
     f"{row('himmelblau', 'Momentum').median_steps:.0f} steps (SGD: "
     f"{row('himmelblau', 'SGD').median_steps:.0f})"),
    ("Nesterov", "momentum with the gradient taken after the velocity's step",
     f"best mean rank on the landscapes ({mean_2d['Nesterov']:.2f}); rotated quadratic in "
     f"{row(rot, 'Nesterov').median_steps:.0f} steps, the fastest",
     f"{real_rank['Nesterov']}th of 7 on the sparse task; plateau cliff: most starts "
     f"reach the valley at {good_cliff['Nesterov']} rate of 11"),
    ("AdaGrad", "divide each coordinate by $\\sqrt{G_t}$, all past $g^2$",
     f"first on the sparse task, on all 5 seeds; ill-conditioned quadratic in "
     f"{row(ill, 'AdaGrad').median_steps:.0f} steps",
     f"rotated quadratic: {row(rot, 'AdaGrad').median_steps:.0f} steps (rank "
     f"{row(rot, 'AdaGrad').rank}); rates only shrink (notebook 04: > 50× tracking error "
     f"after a gradient drop)"),
    ("RMSProp", "divide by $\\sqrt{E[g^2]_t}$, a moving average that forgets",
     f"ill-conditioned quadratic in {row(ill, 'RMSProp').median_steps:.0f} steps; "
     f"{median_good['RMSProp']:.0f} good rates of 11 (median, widest with Adam)",
     f"Rosenbrock: gap {row('rosenbrock', 'RMSProp').median_gap:.1g} after {STEPS} steps "
     f"(Adam: {row('rosenbrock', 'Adam').median_gap:.1g}); never settles (notebook 04, §7)"),
    ("Adam", "momentum $m_t$ over RMSProp's $v_t$, both bias-corrected",
     f"first on Rosenbrock, Beale and noisy Rosenbrock; the only one within "
     f"$10^{{-6}}$ on Beale; {median_good['Adam']:.0f} good rates of 11 (median)",
     f"round bowl in {row('quadratic', 'Adam').median_steps:.0f} steps (SGD: "
     f"{row('quadratic', 'SGD').median_steps:.0f}); {real_rank['Adam']}rd on the sparse task"),
    ("AdaDelta", "step = RMS of past steps / RMS of gradients: units of $x$",
     f"fastest on plateau cliff ({row('plateau cliff', 'AdaDelta').median_steps:.0f} steps);"
     f" {real_rank['AdaDelta']}th on the sparse task, ahead of all three SGD methods",
     f"last on {lasts['AdaDelta']} of {len(names)} landscapes; its tuned multiplier ranges from "
     f"{adadelta_lrs.min():.1f} to {adadelta_lrs.max():.0f} ({adadelta_decades:.0f} "
     f"decades): not tuning-free"),
]
display(Markdown("| method | core idea | strength (measured) | weakness (measured) |\n"
                 "|---|---|---|---|\n"
                 + "\n".join(f"| {m} | {idea} | {plus} | {minus} |"
                             for m, idea, plus, minus in table)))

# %%
def steps_of(landscape, method):
    return row(landscape, method).median_steps


claim(steps_of(ill, "Momentum") < steps_of(ill, "SGD") / 2
      and steps_of("himmelblau", "Momentum") > 10 * steps_of("himmelblau", "SGD"),
      "heavy ball needs less than half SGD's steps on the ill-conditioned quadratic, and more "
      "than 10 times SGD's on Himmelblau",
      measured={n: (steps_of(n, "Momentum"), steps_of(n, "SGD")) for n in (ill, "himmelblau")})
claim(steps_of(rot, "Nesterov") == min(steps_of(rot, m) for m in methods)
      and row(rot, "AdaGrad").rank == 6 and steps_of(ill, "AdaGrad") < 10,
      "Nesterov is the fastest on the rotated quadratic, where AdaGrad ranks 6th; AdaGrad "
      "needs fewer than 10 steps on the aligned one",
      measured=f"rotated {[steps_of(rot, m) for m in methods]}, aligned AdaGrad "
      f"{steps_of(ill, 'AdaGrad'):.0f}")
claim(row(ill, "RMSProp").rank == 1
      and row("rosenbrock", "RMSProp").median_gap > 100 * row("rosenbrock", "Adam").median_gap,
      "RMSProp is first on the ill-conditioned quadratic, and ends more than 100 times further "
      "from Rosenbrock's minimum than Adam", measured=f"rank {row(ill, 'RMSProp').rank}, "
      f"gaps {row('rosenbrock', 'RMSProp').median_gap:.1g} and "
      f"{row('rosenbrock', 'Adam').median_gap:.1g}")
claim({"rosenbrock", "beale", "noisy rosenbrock"} <= set(firsts["Adam"])
      and steps_of("quadratic", "Adam") > 50 * steps_of("quadratic", "SGD"),
      "Adam is first on Rosenbrock, Beale and noisy Rosenbrock, and needs more than 50 times "
      "SGD's steps on the round bowl", measured=f"first on {firsts['Adam']}")
claim(real_rank["Adam"] == 3
      and real_rank["AdaDelta"] < min(real_rank[m] for m in ("SGD", "Momentum", "Nesterov")),
      "on the sparse task Adam is third, and AdaDelta ahead of all three SGD methods",
      measured=real_rank)
claim(adadelta_decades >= 3, "AdaDelta's tuned multiplier spans 3 decades or more",
      measured=f"{adadelta_decades:g} decades")

# %% [markdown]
# **Adam vs RMSProp**, in short: on these landscapes neither wins (6 to 5, 2 ties); Adam
# is ahead in curved valleys, on the cliff and under noise, RMSProp on most bowls, and
# both forgive a rough rate more than any other method here. **RMSProp vs AdaGrad**: also 6 to 5 on
# static landscapes; AdaGrad wins on sparse features (section 9, notebook 03), RMSProp
# when the gradient scale changes (notebook 04).
#
# ## 11. Pitfalls and practice
#
# **"The best learning rate" does not exist in general, and adaptive methods still need
# one**. Each method's chosen rate across the thirteen landscapes, and how often a
# common default would have been a good rate (section 7's definition):

# %%
# decades, rounded to the grid's half-decade steps (exact on any machine)
decades = dict(zip(methods, np.round(2 * np.log10(chosen.max(axis=0) / chosen.min(axis=0)))
                   / 2))
for j, m in enumerate(methods):
    print(f"{m:9s} chosen rates from {chosen[:, j].min():7.2g} to {chosen[:, j].max():5.3g} "
          f"({decades[m]:.1f} decades)")
claim(min(decades.values()) == 1.5 and max(decades.values()) == 3.5,
      "every method's chosen rate moves by 1.5 to 3.5 decades across the landscapes",
      measured=decades)


def good_at(method, lr):
    """On how many landscapes the grid rate nearest to lr is a good rate."""
    j = int(np.argmin(np.abs(np.log(results.tunings[names[0]][method].lrs / lr))))
    return sum(int(results.tunings[n][method].scores[0][j] <= 10 * results.best_gap(n))
               for n in names)


DEFAULTS = {"AdaGrad": 1e-2, "RMSProp": 1e-2, "Adam": 1e-3, "AdaDelta": 1.0}  # torch's
counts = {m: good_at(m, lr) for m, lr in DEFAULTS.items()}
print("torch's default rate is good on: "
      + ", ".join(f"{m} (lr {DEFAULTS[m]:g}) {n} of {len(names)}" for m, n in counts.items()))
claim(counts == {"AdaGrad": 1, "RMSProp": 6, "Adam": 1, "AdaDelta": 3},
      "torch's default rate is a good rate on 1 landscape for AdaGrad and Adam, 6 for RMSProp "
      "and 3 for AdaDelta", measured=counts)
adam_lowest = chosen[:, methods.index("Adam")].min()
claim(adam_lowest > 10 ** -2.25, "Adam's chosen rate is never below 1e-2 (the grid rate "
      "10^-2 or above)", measured=f"lowest {adam_lowest:.2g}")

# %%
moved, distance = {}, {}
for name in LANDSCAPES:
    default_adam = run(Adam(lr=DEFAULTS["Adam"]), landscapes[name], steps=STEPS)
    moved[name] = np.abs(default_adam.points[-1] - default_adam.points[0]).max()
    if len(landscapes[name].minima):
        distance[name] = np.linalg.norm(landscapes[name].minima - landscapes[name].start,
                                        axis=1).min()
print(f"Adam at lr {DEFAULTS['Adam']:g}, {STEPS} steps: largest move of a coordinate "
      f"{max(moved.values()):.2f}; distance from the start to the nearest minimum: "
      f"{min(distance.values()):.1f} to {max(distance.values()):.1f}")
claim(max(moved.values()) < 0.5 and 1.4 < min(distance.values()) and max(distance.values()) < 9,
      "at Adam's default rate no coordinate moves even 0.5, while the minima lie 1.4 to 9 "
      "away from the start", measured=f"largest move {max(moved.values()):.2f}, distances "
      f"{min(distance.values()):.1f} to {max(distance.values()):.1f}")

# %% [markdown]
# Every method's best rate moves by at least 1.5 decades from one landscape to another,
# AdaDelta's multiplier by 3. Adam's famous $10^{-3}$ is a good rate on one
# landscape of thirteen, and its chosen rate is never below $10^{-2}$ here. The reason is
# scale, not a flaw: Adam moves each coordinate by roughly $\eta$ per step, so in 300
# steps at $10^{-3}$ no coordinate moved even 0.5, while these landscapes put their
# minima 1.4 to 8.6 away from the start.
# A network's weights are small and need small moves, which is where $10^{-3}$ comes
# from. The practical answer to "what learning rate?" is a sweep like this one (or a
# range test, in the practice notebooks) on your own problem.
#
# **Other pitfalls, each met above:**
# - *One shared rate* compares the rate, not the methods (section 1).
# - *One start point* can be lucky: the median over five starts is the least you should
#   use. Even then the rule can choose a rate that fails from some starts. On Rosenbrock
#   it chose Nesterov's $10^{-3}$, at which 2 of the 5 starts diverge, over
#   $10^{-3.5}$, at which none does but every start ends more than 1 above the minimum. A
#   stricter rule (the worst start) chooses the smaller rate: decide which you want
#   *before* looking.
# - *A rate at the edge of chaos* gives a different answer on another machine. On plateau
#   cliff the rule chose AdaDelta's largest multiplier, 316; runs at that rate are flung
#   about at the cliff, and how many of the five starts land in the valley changes with
#   the last bits of the arithmetic (numpy's AVX2 and SSE code paths disagree here). The
#   median still lands there, and that is all the arena uses; a count of single runs at
#   such a rate is not a result.
# - *A grid that is too narrow* hides the best rate: check the edges (section 4).
# - *Ties are ties*: on the saddles every method escapes in at most 3 steps; ranking
#   them there would be noise.

# %%
PITFALL = ("rosenbrock", "Nesterov")  # a tuning whose chosen rate fails from some starts

tuning = results.tunings[PITFALL[0]][PITFALL[1]]
diverged = np.sum(~np.isfinite(tuning.final_gap), axis=1)          # per rate
worst_start = np.max(np.maximum(tuning.final_gap, tuning.tol), axis=1)
median_pick, worst_pick = tuning.best, int(np.argmin(worst_start))
for label, i in (("median rule", median_pick), ("worst-start rule", worst_pick)):
    print(f"{PITFALL[1]} on {PITFALL[0]}, {label}: lr {tuning.lrs[i]:.1e}, {diverged[i]} of "
          f"{N_STARTS} starts diverge, worst final gap "
          + ("inf" if worst_start[i] == np.inf else f"{worst_start[i]:.0f}"))
claim(diverged[median_pick] == 2 and worst_pick < median_pick and diverged[worst_pick] == 0
      and np.min(tuning.final_gap[worst_pick]) > 1,
      f"for {PITFALL[1]} on {PITFALL[0]} the median rule chooses a rate at which 2 starts "
      "diverge; the worst-start rule chooses a smaller one, at which none does and every "
      "start ends more than 1 above the minimum",
      measured=f"diverged per rate {diverged.tolist()}, picks {median_pick} and {worst_pick}")
adadelta_cliff = cliff_tunings["AdaDelta"]
claim(adadelta_cliff.at_edge and in_valley["AdaDelta"][adadelta_cliff.best] > N_STARTS / 2,
      "on plateau cliff AdaDelta's chosen multiplier is the largest of its grid, and most "
      "starts reach the valley there", measured=in_valley["AdaDelta"].tolist())

# %% [markdown]
# ## Summary
#
# - A fair comparison fixes the start points, the budget, the rate grid and the selection
#   rule in advance, and compares tuned methods; at one shared rate the Rosenbrock
#   ranking was a different one altogether.
# - No method wins everywhere and every method wins somewhere: per-coordinate methods on
#   axis-aligned curvature, momentum on rotated valleys, Adam in curved valleys and on
#   noisy Rosenbrock, plain SGD on mild bowls, the adaptive methods on plateau cliff.
# - Adam and RMSProp forgive a rough rate best; SGD and, against its reputation,
#   AdaDelta least. No method is tuning-free: best rates move by 1.5 to 3.5 decades.
# - Adam vs RMSProp and RMSProp vs AdaGrad are both 6 to 5 on 2-D landscapes; what
#   decides them is the problem's structure (change, sparsity).
# - A ranking on 2-D pictures did not carry over to a real task (rank correlation 0.34):
#   compare tuned candidates on your problem.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
# **Predict, then run:**
# 1. Give the arena 1000 steps instead of 300: set `STEPS = 1000` in the first code cell
#    of section 1 (about three times slower). Will AdaDelta still be last on most
#    landscapes?
# 2. Give AdaDelta the common grid: set `ADADELTA_LRS = LR_GRID` in the same cell. On
#    which landscapes does its result change, and why?
#
# **Previous:** [06 · AdaDelta](06_adadelta.ipynb).
# **Next:** [08 · Weight decay](08_weight_decay.ipynb).
#
# **Further reading:** Choi, Shallue, Nado, Lee, Maddison & Dahl, *On Empirical
# Comparisons of Optimizers for Deep Learning* (2019), on how the tuning protocol decides
# the ranking; Schmidt, Schneider & Hennig, *Descending through a Crowded Valley:
# Benchmarking Deep Learning Optimizers*, ICML (2021), a large tuned benchmark with no
# overall winner; the methods' own papers: Polyak (1964), Sutskever et al. (2013), Duchi,
# Hazan & Singer (2011), Tieleman & Hinton (2012), Kingma & Ba (2015), Zeiler (2012).
