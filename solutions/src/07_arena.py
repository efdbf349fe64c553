# %% [markdown]
# # Exercises 07 · The arena
#
# **Goal.** A comparison of optimizers means something only with shared start points, a
# shared budget, a shared rate grid and one selection rule fixed in advance. In these
# exercises you write the arena's selection rule yourself, predict how the methods rank on
# a landscape the course did not race them on, see what a stricter rule changes, and end
# by entering the arena with an update rule of your own that beats Adam at its tuned rate.
#
# Course notebook: [07 · The arena](../notebooks/07_arena.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 45 minutes.

# %%
import numpy as np

from alr_teach import Optimizer, checks
from alr_teach.lab.arena import METHODS, rank, start_points, tune
from alr_teach.problems.landscapes import Noisy, Quadratic, get

SEED = 7
rng = np.random.default_rng(SEED)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Implement it: the selection rule
#
# `tune(method, landscape)` runs one method at every rate of its grid (11 rates) from
# every start point (5), and returns a `Tuning` whose arrays `final_gap` and
# `steps_to_tol` have shape `(11, 5)`: a gap of `inf` means the run diverged, steps of
# `-1` mean the tolerance was never reached. Write `choose_rate` for the arena's rule:
#
# - floor every gap at the tolerance `tol` (every rate that solves the problem ties) and
#   count a NaN gap as infinite;
# - per rate, reduce over the start points with `reduce` (the median by default) both the
#   floored gaps and the steps, counting "never" (-1) as infinitely many;
# - choose the rate with the lowest reduced gap; break ties by the lowest reduced steps,
#   then by the smaller rate (the lower index). Return that index as an `int`.
#
# (`np.lexsort` sorts by several keys at once, the *last* key first.)

# %%
def choose_rate(final_gap, steps_to_tol, tol, reduce=np.median):
    """Index of the rate the arena's rule chooses, from (n_rates, n_starts) arrays."""
    ### BEGIN SOLUTION
    gap = np.maximum(np.where(np.isnan(final_gap), np.inf, final_gap), tol)
    steps = np.where(steps_to_tol < 0, np.inf, steps_to_tol.astype(float))
    gap_key, steps_key = reduce(gap, axis=1), reduce(steps, axis=1)
    return int(np.lexsort((np.arange(gap_key.size), steps_key, gap_key))[0])
    ### END SOLUTION


# %% [markdown]
# The check: the seven methods of the course on the plateau cliff, five seeded starts,
# 300 steps; your choice of rate against the arena's (`Tuning.best`).

# %%
cliff = get("plateau cliff")
cliff_starts = start_points(cliff, 5, seed=SEED)
cliff_tunings = {m: tune(m, cliff, starts=cliff_starts) for m in METHODS}
arena_choice = [t.best for t in cliff_tunings.values()]
try:
    my_choice = [choose_rate(t.final_gap, t.steps_to_tol, t.tol) for t in cliff_tunings.values()]
except NotImplementedError:
    my_choice = None
    print("Write choose_rate in the cell above first.")
checks.check_value("choose_rate", my_choice, arena_choice,
                   hint="floor the gaps at tol before the median, count steps of -1 as inf, "
                        "and sort by (gap, steps, index): np.lexsort((index, steps, gap))")

# %% [markdown]
# ## 2. Predict, then run: the ill-conditioned bowl, turned by 45°
#
# The course raced the methods on the ill-conditioned quadratic (curvatures 1 and 50)
# aligned with the axes, and turned by 30°. Now turn it by **45°**, the worst angle for a
# per-coordinate method (each coordinate then mixes the two curvatures equally). Same
# arena rules: five seeded starts, 300 steps, each method at its own tuned rate. Predict
# the **rank** (1 = best, 7 = worst) of three methods: `[Nesterov, AdaGrad, Adam]`.

# %%
predicted_ranks = None  # replace None with [rank of Nesterov, rank of AdaGrad, rank of Adam]
### BEGIN SOLUTION
# momentum does not care about the angle (it was fastest on the 30° bowl); per-coordinate
# rates cannot undo a rotation, and AdaGrad's ever-shrinking rates make it the slowest of
# the adaptive methods; Adam's momentum keeps it ahead of AdaGrad and RMSProp.
predicted_ranks = [1, 6, 3]
### END SOLUTION

# %%
turned = Quadratic([1.0, 50.0], angle=np.pi / 4)
turned_tunings = {m: tune(m, turned, starts=start_points(turned, 5, seed=SEED)) for m in METHODS}
turned_ranks = rank(turned_tunings)
for m, t in turned_tunings.items():
    gap, steps = t.key
    print(f"{m:9s} rank {turned_ranks[m]}  lr {t.best_lr:7.3g}  median steps to 1e-6 "
          + (f"{steps:4.0f}" if np.isfinite(steps) else f"   — (median gap {gap:.1e})"))
measured_ranks = [turned_ranks[m] for m in ("Nesterov", "AdaGrad", "Adam")]
checks.check_value("turned_ranks", predicted_ranks, measured_ranks, rtol=0, atol=1,
                   hint="within one place counts; think about which methods notice a "
                        "rotation of the axes and which do not")

# %% [markdown]
# **Explain** the ranking: why do the two momentum methods lead, and why is being
# adaptive per coordinate no help here?
#
# ### BEGIN SOLUTION
# Gradient descent with momentum treats every direction alike: its behaviour on a
# quadratic depends only on the eigenvalues of the Hessian, not on how the eigenvectors
# sit relative to the axes, so it needs exactly the steps it needed on the aligned bowl
# (the course found the same at 30°). Momentum is the textbook cure for ill-conditioning
# ($\kappa = 50$ here): with a tuned rate, Nesterov and heavy ball are first and second.
# A per-coordinate rate rescales the *axes*, and at 45° each coordinate feels both
# curvatures in equal parts, so the gradient sizes of the two coordinates are alike and
# the rescaling cannot make the bowl round: RMSProp and AdaGrad need 183 and 273 steps,
# the range of plain gradient descent's 215 (AdaGrad's rates also keep shrinking, which
# makes it the slowest of the three). Adam comes third thanks
# to its momentum $m_t$, not to its division by $\sqrt{\hat v_t}$. AdaDelta, at its
# $\epsilon$-limited pace, does not reach the tolerance in 300 steps.
# ### END SOLUTION

# %% [markdown]
# ## 3. Explore and explain: a stricter rule
#
# The arena reduces over the five starts with the median, so a rate that fails from one
# or two starts can still be chosen. Rerun the choice on Rosenbrock's banana valley (five
# seeded starts, 300 steps) with the **worst** start instead (`reduce=np.max` in your
# `choose_rate`), and compare the rates the two rules choose: at each, how many starts
# diverge, and the median final gap (to one significant digit).

# %%
banana = get("rosenbrock")
banana_tunings = {m: tune(m, banana, starts=start_points(banana, 5, seed=SEED)) for m in METHODS}


def describe(t, i):
    diverged = int(np.sum(~np.isfinite(t.final_gap[i])))
    return (f"lr {t.lrs[i]:7.3g} ({diverged} of {t.final_gap.shape[1]} diverge, median gap "
            f"{np.median(t.final_gap[i]):.1g})")


if checks.passed("choose_rate"):
    for m, t in banana_tunings.items():
        median_pick = choose_rate(t.final_gap, t.steps_to_tol, t.tol)
        worst_pick = choose_rate(t.final_gap, t.steps_to_tol, t.tol, reduce=np.max)
        print(f"{m:9s} median rule: {describe(t, median_pick)}   "
              f"worst-start rule: {describe(t, worst_pick)}")
else:
    print("Finish exercise 1 first: choose_rate must pass its check.")

# %% [markdown]
# **Explain** what changed: for which methods does the stricter rule choose another rate,
# in which direction, and what does that cost?
#
# ### BEGIN SOLUTION
# For three methods (Nesterov, AdaGrad and RMSProp) the worst-start rule picks a
# *smaller* rate, one grid step (half a decade) down; SGD, heavy ball, Adam and AdaDelta
# keep theirs. The median rule rewards the rate that is best from a typical start, even
# if it fails from one or two: Nesterov's $10^{-3}$ brings three starts to within about
# 0.02 of the minimum and lets the other two diverge. The worst-start rule rewards the
# rate whose worst start is least bad, and pays for it everywhere else: at
# $10^{-3.5}$ no Nesterov start diverges, but the median gap grows to about 3, more than
# a hundred times worse. For AdaGrad and RMSProp the trade is the same without any
# divergence: the smaller rate improves the worst start a little and makes the typical
# start far worse (median gap about 1 becomes about 5 and 4). Neither rule is right; what
# matters is choosing one *before* looking at the results, and saying which.
# ### END SOLUTION

# %%
### BEGIN HIDDEN TESTS
stricter = {m for m, t in banana_tunings.items()
            if choose_rate(t.final_gap, t.steps_to_tol, t.tol, reduce=np.max) != t.best}
assert stricter == {"Nesterov", "AdaGrad", "RMSProp"}
assert all(choose_rate(t.final_gap, t.steps_to_tol, t.tol, reduce=np.max) == t.best - 1
           for m, t in banana_tunings.items() if m in stricter)
nesterov = banana_tunings["Nesterov"]
assert np.sum(~np.isfinite(nesterov.final_gap[nesterov.best])) == 2
assert np.all(np.isfinite(nesterov.final_gap[nesterov.best - 1]))
assert measured_ranks == [1, 6, 3] and turned_ranks["Momentum"] == 2
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Open challenge: enter the arena
#
# Write your own optimizer, a subclass of `alr_teach.Optimizer` (read
# `help(Optimizer)`: pass the hyperparameters to `super().__init__`, give
# `init_state(x, h)` and `update(x, g, s, h, t)`). Choose a landscape and beat **Adam at
# its tuned rate** there, under the arena's rules: same five seeded starts, same 300
# steps, same grid of 11 rates for both, same selection rule. `tune` accepts your class
# through `methods={"Mine": (MyOptimizer, {})}`. Say at which rate each was chosen, and
# say honestly where your rule fails.

# %%
### BEGIN SOLUTION
class DiagonalSecant(Optimizer):
    """Newton's step per coordinate, with the curvature measured from the last two steps.

    The curvature along coordinate i is estimated by the secant (g_t - g_{t-1}) /
    (x_{t-1} - x_{t-2}); where it is positive, step by g / curvature (a Newton step, whose
    units are those of x, as notebook 06 asked of AdaDelta). On the first step, or where
    the estimate is not positive, fall back to gradient descent with rate lr.
    """

    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def init_state(self, x, h):
        return {"x_prev": np.full_like(x, np.nan), "g_prev": np.full_like(x, np.nan)}

    def update(self, x, g, s, h, t):
        with np.errstate(all="ignore"):
            curvature = (g - s.g_prev) / (x - s.x_prev)
        newton = np.isfinite(curvature) & (curvature > 0)
        step = np.where(newton, g / np.where(newton, curvature, 1.0), h.lr * g)
        s.x_prev, s.g_prev = x, g
        return x - step


entry = {"DiagonalSecant": (DiagonalSecant, {})}
arenas = {name: get(name) for name in ("beale", "ill-conditioned quadratic", "rosenbrock")}
arenas["turned 45°"] = turned
arenas["noisy ill-cond."] = Noisy(get("ill-conditioned quadratic"), sigma=1.0, seed=SEED)
challenge = {}
for name, landscape in arenas.items():
    starts = start_points(landscape, 5, seed=SEED)
    pair = {"DiagonalSecant": tune("DiagonalSecant", landscape, starts=starts, methods=entry),
            "Adam": tune("Adam", landscape, starts=starts)}
    challenge[name] = (rank(pair), pair)
    for m, t in pair.items():
        gap, steps = t.key
        print(f"{name:26s} {m:14s} lr {t.best_lr:7.3g}: median gap "
              + ("<1e-6" if gap <= 1e-6 else f"{gap:.1e}")
              + (f", median steps {steps:.0f}" if np.isfinite(steps) else ""))
ranks_beale, beale = challenge["beale"]
assert ranks_beale == {"DiagonalSecant": 1, "Adam": 2}
assert beale["DiagonalSecant"].key[1] < 0.6 * beale["Adam"].key[1]
assert challenge["ill-conditioned quadratic"][0]["DiagonalSecant"] == 1
assert challenge["turned 45°"][0]["DiagonalSecant"] == 1
for name in ("rosenbrock", "noisy ill-cond."):
    assert challenge[name][0] == {"DiagonalSecant": 2, "Adam": 1}
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: a diagonal Newton step from secants.** Newton's step divides the
# gradient by the curvature; `DiagonalSecant` measures the curvature of each coordinate
# from its last two gradients and points, and falls back to gradient descent at rate
# `lr` where the estimate is missing or not positive. On Beale, where only Adam reached
# the tolerance in the course's arena, it gets every median start within $10^{-6}$ in
# about half of Adam's steps (Adam tuned to $\eta = 1$; printed above). On the
# axis-aligned ill-conditioned quadratic it is exact Newton after one step, and needs 2
# steps where tuned Adam needs about 100, and it is far ahead on the bowl turned by 45°
# too (8 steps against Adam's 112), where task 2 saw the adaptive methods struggle.
# Where it fails: on Rosenbrock the secant mixes the curvature of the curved valley floor
# with that of its walls, the estimates are poor, and tuned Adam ends closer; and with
# noisy gradients ($\sigma = 1$ on the ill-conditioned quadratic) a difference of two
# noisy gradients is mostly noise, so its curvature estimates are random and its gap ends
# several times Adam's. Adam's averages $m_t$ and $v_t$ are built to survive exactly that
# noise. Five landscapes, five starts and 300 steps are a small arena: the entry wins on
# smooth 2-D problems, which says nothing yet about a network trained on mini-batches.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["choose_rate", "turned_ranks"])
