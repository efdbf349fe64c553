# %% [markdown]
# # Exercises 15 · Learning rates tuned by machine
#
# **Goal.** A tuner spends a budget you count, on a space you choose, judged by a metric
# you name; hypergradient descent moves the rate during training, at a rate $\beta$ of
# its own. In these exercises you write successive halving's rung plan yourself and use
# it to predict what a cross-validated search costs, write one step of SGD-HD and
# predict the rate it takes from $\eta_0 = 0$, measure how the "best" rate depends on
# the training budget, and end by giving the hypergradient a $\beta$ without units.
#
# Course notebook: [15 · Learning rates tuned by machine](../notebooks/15_tuned_by_machine.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 45 minutes.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401 (enables the import below)
from sklearn.model_selection import GridSearchCV, HalvingRandomSearchCV

from alr_teach import Adam, MLPClassifier, Optimizer, checks
from alr_teach.lab.budgeted_search import (
    LogUniformOptimizer,
    epochs_spent,
    halving_plan,
    optimizer_grid,
    quiet_training,
)
from alr_teach.lab.runner import run
from alr_teach.optimizers.hypergradient import SGDHD
from alr_teach.problems.datasets import load_split
from alr_teach.problems.landscapes import Quadratic, get
from alr_teach.viz.plots import style

rng = np.random.default_rng(115)  # seeded: every number below is reproducible
split = load_split("digits")      # the course's digits, 60/20/20, standardised


# %% [markdown]
# ## 1. Implement it: successive halving's rungs
#
# scikit-learn's halving searches (without `aggressive_elimination`) plan their rungs
# before they train anything. With $n$ candidates, a factor $f$ and resources (here:
# epochs) from $r_{\min}$ to $r_{\max}$, the search runs
#
# $$R = \min\Big(1 + \big\lfloor \log_f n \big\rfloor,\;
#   1 + \big\lfloor \log_f \lfloor r_{\max} / r_{\min} \rfloor \big\rfloor\Big)$$
#
# rungs: as many as the candidates allow (until fewer than $f$ would be left) and as the
# resources allow (until the next rung would need more than $r_{\max}$). Rung $i$
# ($i = 0, 1, \dots$) trains $n_i$ candidates with $r_{\min} f^i$ epochs each, where
# $n_0 = n$ and $n_{i+1} = \lceil n_i / f \rceil$ (the best third, rounded up, for
# $f = 3$). Write `halving_rungs(n_candidates, min_resources, max_resources, factor)`,
# returning the list of `(candidates, epochs)` pairs, one per rung.

# %%
def halving_rungs(n_candidates, min_resources, max_resources, factor):
    """(candidates, epochs) of each rung of a successive-halving search."""
    ### BEGIN SOLUTION
    by_candidates = 1 + math.floor(math.log(n_candidates, factor))
    by_resources = 1 + math.floor(math.log(max_resources // min_resources, factor))
    rungs, n = [], n_candidates
    for i in range(min(by_candidates, by_resources)):
        rungs.append((n, min_resources * factor**i))
        n = math.ceil(n / factor)
    return rungs
    ### END SOLUTION


# %% [markdown]
# The check compares your plans with `alr_teach.lab.budgeted_search.halving_plan` (which
# reproduces scikit-learn's rule) on eight settings, among them the course's
# (27 candidates, 1 to 9 epochs, $f = 3$), one stopped by the candidates and one by
# the resources.

# %%
rung_cases = [(27, 1, 9, 3), (20, 1, 9, 3), (40, 1, 9, 2), (100, 2, 50, 3), (5, 1, 81, 3),
              (81, 1, 1000, 3), (64, 1, 1000, 4), (1000, 1, 100, 10)]
checks.check_value("halving_rungs", checks.outputs(halving_rungs, rung_cases),
                   np.concatenate([np.ravel(halving_plan(n, min_resources=lo, max_resources=hi,
                                                         factor=f))
                                   for n, lo, hi, f in rung_cases]),
                   rtol=0, hint="a wrong number of values means a wrong number of rungs: take "
                                "the smaller of the two limits; keep ceil(n / factor) each rung")

# %% [markdown]
# ## 2. Predict, then run: what cross-validation costs
#
# Two small searches over Adam's rate on digits, both with 3-fold cross-validation
# (`cv=3`: each candidate is trained three times, on two thirds of the data each):
#
# - a **grid** of 6 rates, each trained for 3 epochs;
# - **successive halving** of 9 random rates, $f = 3$, from 1 to 3 epochs.
#
# How many fold-epochs does each spend (one fold-epoch: one network, one pass over its
# training folds)? Predict `[grid, halving]`; your `halving_rungs` may help.

# %%
predicted_fold_epochs = None  # replace None with [grid, halving]
### BEGIN SOLUTION
# grid: 6 candidates x 3 epochs x 3 folds; halving: rungs (9, 1), (3, 3), i.e. 9 + 9
# epochs, times 3 folds. Folds multiply both searches alike: equal budgets stay equal.
predicted_fold_epochs = [6 * 3 * 3, (9 * 1 + 3 * 3) * 3]
### END SOLUTION

# %%
X_dev, y_dev = np.vstack([split.X_train, split.X_val]), np.concatenate([split.y_train,
                                                                        split.y_val])
small_net = MLPClassifier(hidden_layer_sizes=(32,), batch_size=128, max_iter=3, random_state=0)
small_searches = {
    "grid": GridSearchCV(small_net, {"optimizer": optimizer_grid(lambda lr: Adam(lr=lr),
                                                                  np.logspace(-3, 0, 6))}, cv=3),
    "halving": HalvingRandomSearchCV(small_net,
                                     {"optimizer": LogUniformOptimizer(lambda lr: Adam(lr=lr),
                                                                       1e-3, 1.0)},
                                     n_candidates=9, factor=3, resource="max_iter",
                                     min_resources=1, max_resources=3, cv=3, random_state=0),
}
spent = {}
for name, search in small_searches.items():
    with quiet_training():
        search.fit(X_dev, y_dev)
    spent[name] = epochs_spent(search)
    fits = len(search.cv_results_["params"]) * search.n_splits_
    print(f"{name:7s}: {spent[name]} fold-epochs in {fits} fits; chosen η "
          f"{search.best_params_['optimizer'].lr:.3g}")
checks.check_value("fold_epochs", predicted_fold_epochs, [spent["grid"], spent["halving"]],
                   rtol=0, hint="candidates x epochs x folds, summed over the rungs for "
                                "halving; the rungs here are (9, 1) and (3, 3)")

# %% [markdown]
# ## 3. Implement it: one step of SGD-HD
#
# SGD-HD keeps the rate $\eta$ and the last step's direction $u$ ($u_0 = 0$). At step $t$,
# with the gradient $g_t$:
#
# $$h_t = g_t \cdot u_{t-1}, \qquad \eta_t = \eta_{t-1} - \beta\, h_t, \qquad
#   u_t = -g_t, \qquad x_t = x_{t-1} + \eta_t\, u_t .$$
#
# The dot product runs over every coordinate (one rate for all). Write
# `sgdhd_step(x, grad, direction, lr, beta)`, returning the new `(x, lr, direction)`.

# %%
def sgdhd_step(x, grad, direction, lr, beta):
    """One SGD-HD step: returns the new parameters, rate eta_t and direction u_t."""
    ### BEGIN SOLUTION
    lr = lr - beta * np.sum(grad * direction)     # eta_t = eta_{t-1} - beta g_t . u_{t-1}
    direction = -grad                             # u_t
    return x + lr * direction, lr, direction
    ### END SOLUTION


# %% [markdown]
# The check runs your step from $u_0 = 0$ on four problems and compares every point and
# every rate with `alr_teach.SGDHD` run by the package's runner: the 1-D bowl of the
# course ($a = 4$), the tilted valley from two starting rates (one of them 0), and
# Rosenbrock.

# %%
def hd_path(landscape, lr, beta, steps):
    """Your sgdhd_step for `steps` steps from the landscape's start: points, then rates."""
    x, direction, points, rates = landscape.start.copy(), np.zeros(landscape.dim), [], []
    for _ in range(steps):
        x, lr, direction = sgdhd_step(x, landscape.grad(x), direction, lr, beta)
        points.append(x)
        rates.append(lr)
    return np.concatenate([np.ravel(points), np.ravel(rates)])


def package_path(landscape, lr, beta, steps):
    trajectory = run(SGDHD(lr=lr, beta=beta), landscape, steps=steps)
    return np.concatenate([np.ravel(trajectory.points[1:]), trajectory.state["lr_t"][:, 0]])


valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
hd_cases = [(Quadratic(curvatures=[4.0], start=[1.0]), 0.01, 0.01, 30),
            (valley, 1e-3, 1e-3, 100), (valley, 0.0, 1e-3, 100),
            (get("rosenbrock"), 1e-4, 1e-8, 50)]
checks.check_value("sgdhd_step", checks.outputs(hd_path, hd_cases, name="sgdhd_step"),
                   np.concatenate([package_path(*case) for case in hd_cases]),
                   rtol=1e-9, atol=1e-14,
                   hint="update the rate first with the OLD direction, h = sum(grad * direction); "
                        "then the new direction is -grad and x moves by lr * direction")

# %% [markdown]
# ## 4. Predict, then run: starting from $\eta_0 = 0$
#
# The course claimed that SGD-HD works even from $\eta_0 = 0$. On the valley above, from
# its start $x_0 = (1.5, 1)$, with $\eta_0 = 0$ and $\beta = 10^{-3}$: what is the rate
# $\eta_2$ of the second step? Predict the number (you may call `valley.grad`).

# %%
predicted_eta_2 = None  # replace None with a number
### BEGIN SOLUTION
# step 1: h_1 = g_1 . u_0 = 0, so eta_1 = 0 and x_1 = x_0 (no move), u_1 = -g_1;
# step 2: g_2 = g_1, h_2 = -||g_1||^2, so eta_2 = beta ||g_1||^2
g_1 = valley.grad(valley.start)
predicted_eta_2 = 1e-3 * g_1 @ g_1
### END SOLUTION

# %%
from_zero = run(SGDHD(lr=0.0, beta=1e-3), valley, steps=200)
rates_from_zero = from_zero.state["lr_t"][:, 0]
print("η at steps 1 to 4:", np.array2string(rates_from_zero[:4], precision=5),
      f"; at step 200 {rates_from_zero[-1]:.4f} (best constant rate {valley.best_lr:.4f}); "
      f"loss {from_zero.final_loss:.1e}")
checks.check_value("eta_2", predicted_eta_2, rates_from_zero[1], rtol=1e-6,
                   hint="on step 1 there is no previous direction (u_0 = 0): does x move? "
                        "Then g_2 = g_1 and u_1 = -g_1")

# %% [markdown]
# If your `sgdhd_step` passes, the next cell runs it from $\eta_0 = 0$ for three values
# of $\beta$ and draws the rate it learns and the loss, next to the best constant rate
# and the stability limit.

# %%
if checks.passed("sgdhd_step"):
    fig, (ax_rate, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    for i, beta in enumerate((1e-4, 3e-4, 1e-3)):
        x, lr, direction, rates, losses = valley.start, 0.0, np.zeros(2), [], []
        for _ in range(200):
            x, lr, direction = sgdhd_step(x, valley.grad(x), direction, lr, beta)
            rates.append(lr)
            losses.append(valley.value(x))
        ax_rate.plot(rates, label=f"β = {beta:g}", markevery=20, markersize=4, **style(i))
        ax_loss.semilogy(losses, label=f"β = {beta:g}", markevery=20, markersize=4, **style(i))
        print(f"β = {beta:g}: η after 200 steps {lr:.4f}, loss {losses[-1]:.1e}")
    ax_rate.axhline(valley.best_lr, color="black", linestyle=":", label="best constant rate")
    ax_rate.axhline(valley.critical_lr, color="0.5", linestyle="--", label="stability limit")
    ax_rate.set(xlabel="step t", ylabel="learning rate η_t", ylim=(-0.005, 0.125),
                title="Your SGD-HD from η0 = 0")
    ax_loss.set(xlabel="step t", ylabel="loss (log scale)", title="Loss against step")
    ax_rate.legend(fontsize=8, ncol=2, loc="upper center")
    ax_loss.legend(fontsize=8)
    plt.show()
else:
    print("Finish exercise 3 first: sgdhd_step must pass its check.")

# %% [markdown]
# ## 5. Explore and explain: the best rate depends on the budget
#
# Seven rates for Adam, half a decade apart from $10^{-3}$ to 1, each trained once for
# 27 epochs on the course's network (seed 0) with the validation loss recorded after
# every epoch. Each epoch count $E$ is a budget: which rate would a search that trains
# for $E$ epochs choose? Turn the knob `budgets`, or switch `by` to accuracy.

# %%
horizon_rates = np.logspace(-3, 0, 7)
with quiet_training():
    horizon_runs = [MLPClassifier(hidden_layer_sizes=(32,), batch_size=128, max_iter=27,
                                  optimizer=Adam(lr=lr), random_state=0)
                    .fit(split.X_train, split.y_train, validation_data=(split.X_val, split.y_val))
                    for lr in horizon_rates]
curves = {"loss": np.array([c.validation_loss_curve_ for c in horizon_runs]),     # (rates, 27)
          "accuracy": -np.array([c.validation_score_curve_ for c in horizon_runs])}
budgets, by = [1, 3, 9, 27], "loss"
score = np.where(np.isfinite(curves[by]), curves[by], np.inf)      # lower is better
best_at = {E: horizon_rates[np.argmin(score[:, E - 1])] for E in budgets}
for E in budgets:
    print(f"budget {E:2d} epochs: best rate by validation {by} {best_at[E]:.4f}; validation "
          f"loss there {curves['loss'][:, E - 1].min():.3f}")

fig, ax = plt.subplots(figsize=(7.5, 4), layout="constrained")
for i, E in enumerate(budgets):
    ax.loglog(horizon_rates, curves["loss"][:, E - 1], markersize=5,
              label=f"after {E} epoch{'s' * (E > 1)}", **style(i))
ax.set(xlabel="learning rate η (Adam)", ylabel="validation loss (log scale)",
       title="The best rate for a budget of E epochs")
ax.legend(fontsize=8)
plt.show()
chosen_by_loss = [best_at[E] for E in budgets]
assert all(a >= b for a, b in zip(chosen_by_loss, chosen_by_loss[1:]))
assert chosen_by_loss[0] >= 10 * chosen_by_loss[-1]

# %% [markdown]
# **Explain** why the best rate falls as the budget grows, and what that means for
# successive halving's first rung and for a rate tuned on short runs.
#
# ### BEGIN SOLUTION
# After one epoch the question is "who got furthest fastest": a large rate takes long
# steps and lowers the loss most in the few steps there are, even if it later stalls in
# a noise floor or over-fits. With more epochs a smaller rate catches up, gets closer
# to the bottom, and wins. Here the validation loss chooses $\eta \approx 0.03$ after
# 1 and 3 epochs, 0.01 after 9, and 0.003 after 27: a tenfold drop over the budgets
# (by accuracy the drop is smaller, 0.1 to 0.03: the metric matters too). Successive
# halving's first rung judges its candidates after $r_{\min}$ epochs, so it keeps the
# fast starters and can discard the rate that would have been best at full length: the
# course's halving searches chose larger rates than random search in every seed. And a
# rate tuned on short runs, then used for a long training, is too large. Remedies: tune
# at the length you will train, give the first rung more epochs (a larger
# $r_{\min}$), or decay the rate (a schedule) so that a large early rate stops mattering.
# ### END SOLUTION

# %% [markdown]
# ## 6. Open challenge: a hyper-rate without units
#
# SGD-HD's $\beta$ has the units of $\eta / g^2$: a $\beta$ tuned on one loss is wrong for
# the same loss multiplied by 100. Make three copies of the valley, with its loss times
# 0.01, 1 and 100 (curvatures $(1, 25)$ times the factor). Write an optimizer (a subclass
# of `alr_teach.Optimizer`) that learns its rate as SGD-HD does, and with **one** setting
# reaches $f(x)/f(x_0) < 10^{-10}$ within 300 steps from $\eta_0 = 10^{-4}$ on all three.
# Show that SGD-HD cannot, with any $\beta$ from $10^{-12}$ to 1, and where your rule
# fails.

# %%
### BEGIN SOLUTION
class CosineHD(Optimizer):
    """SGD whose rate is multiplied by 1 + beta * cos(g_t, g_(t-1)) at every step.

    The cosine of the angle between successive gradients is the hypergradient
    g_t . u_(t-1) divided by both norms: it has no units, and a multiplicative change
    keeps the rate positive (for beta < 1). One parameter array, one rate.
    """

    def __init__(self, lr=1e-4, beta=0.3):
        super().__init__(lr=lr, beta=beta)

    def init_state(self, x, h):
        return {"lr_t": np.zeros(1) + h.lr, "previous_g": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        norms = np.linalg.norm(g) * np.linalg.norm(s.previous_g)
        cosine = np.sum(g * s.previous_g) / norms if norms > 0 else 0.0
        s.lr_t = s.lr_t * (1 + h.beta * cosine)
        s.previous_g = g
        return x - s.lr_t[0] * g


def reaches(trajectory, landscape):
    """Per run: not diverged, and the loss fell below 1e-10 of its start."""
    final = np.nan_to_num(trajectory.final_loss, nan=np.inf)
    return ~trajectory.diverged & (final < 1e-10 * landscape.value(landscape.start))


factors = (0.01, 1.0, 100.0)
scaled = {c: Quadratic(curvatures=[c, 25.0 * c], angle=np.pi / 6, start=[1.5, 1.0])
          for c in factors}
hd_betas = np.logspace(-12, 0, 25)
works = {}                                      # factor -> which betas of SGD-HD reach
for c, landscape in scaled.items():
    starts = np.tile(landscape.start, (hd_betas.size, 1))           # one run per beta
    works[c] = reaches(run(SGDHD(lr=1e-4, beta=hd_betas), landscape, starts, steps=300,
                           record_state=False), landscape)
    shown = ", ".join(f"{b:.0e}" for b in hd_betas[works[c]]) or "none"
    print(f"loss x {c:g}: SGD-HD reaches 1e-10 with β = {shown}")
assert not np.any(works[0.01] & works[1.0]) and not np.any(works[1.0] & works[100.0])
assert not np.any(works[0.01] & works[100.0])

cosine_runs = {(c, beta): run(CosineHD(lr=1e-4, beta=beta), landscape, steps=300)
               for c, landscape in scaled.items() for beta in (0.1, 0.3, 0.5)}
peak = {}                                       # (factor, beta) -> highest f(x_t) / f(x_0)
for beta in (0.1, 0.3, 0.5):
    verdict = [bool(reaches(cosine_runs[c, beta], scaled[c])) for c in factors]
    for c in factors:
        peak[c, beta] = np.nanmax(cosine_runs[c, beta].losses) / cosine_runs[c, beta].losses[0]
    # the peaks are printed as orders of magnitude: the wild runs (β = 0.1) are chaotic,
    # and their digits change from one machine to another
    print(f"CosineHD, β = {beta}: reaches 1e-10 at loss x 0.01, 1, 100: {verdict}; highest "
          f"loss on the way / start, order of magnitude: "
          + ", ".join(f"1e{int(np.floor(np.log10(peak[c, beta])))}" for c in factors))
assert all(reaches(cosine_runs[c, beta], scaled[c]) for c in factors for beta in (0.3, 0.5))
assert not any(reaches(cosine_runs[c, 0.1], scaled[c]) for c in factors)
assert all(peak[c, 0.5] < 100 < peak[c, 0.3] for c in factors)

fig, (ax_rate, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
for i, c in enumerate(factors):
    r = cosine_runs[c, 0.5]
    ax_rate.semilogy(r.state["lr_t"][:, 0] / scaled[c].best_lr, label=f"loss x {c:g}",
                     markevery=30, markersize=4, **style(i))
    ax_loss.semilogy(r.losses / r.losses[0], label=f"loss x {c:g}", markevery=30,
                     markersize=4, **style(i))
ax_rate.axhline(1.0, color="black", linestyle=":", label="best constant rate")
ax_rate.set(xlabel="step t", ylabel="η_t / best constant rate (log scale)",
            title="CosineHD (β = 0.5) from η0 = 1e-4")
ax_loss.set(xlabel="step t", ylabel="f(x_t) / f(x_0) (log scale)", title="Loss against step")
ax_rate.legend(fontsize=8)
ax_loss.legend(fontsize=8)
plt.show()
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: a multiplicative, normalised hypergradient.** Divide $h_t$ by
# $\lVert g_t\rVert\,\lVert u_{t-1}\rVert$: what is left is the cosine of the angle
# between successive gradients, a number in $[-1, 1]$ whatever the loss's scale. Use it
# to *multiply* the rate, $\eta_t = \eta_{t-1}\,(1 + \beta\cos_t)$: agreeing gradients
# raise $\eta$ by up to a factor $1 + \beta$ per step, a zig-zag lowers it, and the rate
# can never turn negative. Scaling the loss by $c$ scales every gradient by $c$ and
# leaves the cosines alone, so the rate climbs at the same relative speed towards
# whatever the right rate is (the best constant rates are $7.7$, $0.077$ and
# $7.7\cdot10^{-4}$ here): with $\beta = 0.3$ or $0.5$ all three valleys reach
# $10^{-10}$. The figure shows how: the rate climbs geometrically, then cycles around
# the stability limit, between about half and five times the best constant rate. Each
# pass above the limit makes the steep direction zig-zag and grow, the cosines turn
# negative and cut the rate, and the steps below the limit more than repay the bump.
# The first bump is the price: the loss rises to 30-90 times its start with
# $\beta = 0.5$, and to $10^3$-$10^4$ times with $\beta = 0.3$, which reacts more slowly.
# SGD-HD cannot do this with one $\beta$: $\beta h_t$ must be a rate, so $\beta$ scales
# like $\eta / g^2 \propto c^{-3}$, and its working values moved from $10^{-3}$ (scale 1)
# to $10^{-9}$ (scale 100); scale 0.01 would need about $10^{3}$, beyond the grid.
#
# **Where it fails: a small $\beta$.** With $\beta = 0.1$ every valley diverges. The rate
# climbs slowly while the slow direction dominates the gradient; by the time it nears the
# stability limit, the steep direction has decayed to almost nothing and no longer shows
# in the cosines, so the rate keeps climbing past the limit. The steep direction then
# grows back, by a factor $|1 - \eta\lambda_{\max}| > 1$ per step, faster than a
# 10 % cut per step can bring the rate down. The rule is still greedy, one step ahead,
# like SGD-HD; it only moved the tuning from "the scale of $\beta$" to "fast enough to
# react".
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["halving_rungs", "fold_epochs", "sgdhd_step", "eta_2"])
