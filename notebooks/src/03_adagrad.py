# %% [markdown]
# # 03 · AdaGrad: a learning rate per parameter, learned from the gradients
#
# Notebook 01 ended with an idea: give each parameter its own learning rate, the inverse of
# its curvature, and a valley that takes gradient descent hundreds of steps is solved in
# one. But nobody hands us the curvatures. AdaGrad (Duchi, Hazan & Singer, 2011) gets
# such rates without them: it looks only at gradients, and divides each
# coordinate's step by the root of the sum of all the squared gradients that coordinate
# has seen. This notebook derives it, writes it in three lines, and tests the two things
# everyone says about it: that it shines on sparse features, and that it stops learning
# too early.
#
# **Learning objectives.** By the end of this notebook you can
# - *derive* AdaGrad's update as diagonal preconditioning and say what the sum $G_t$ does
#   to each coordinate's effective rate;
# - *implement* it in a few lines of numpy and check it against `alr_teach.AdaGrad`;
# - *predict* which parameters get large effective rates (rare features, flat directions)
#   and which get small ones (frequent features, steep directions);
# - *compare* AdaGrad with tuned SGD on sparse data and with tuned RMSProp and Adam on a
#   moving target, and explain both outcomes;
# - *choose* its settings knowing how torch and Keras differ.
#
# **Prerequisites:** [01 · A fixed learning rate](01_fixed_learning_rate.ipynb), section 3
# above all (02 · Momentum and Nesterov is not needed here). **Time:** about 45 minutes.
# Notation: [docs/notation.md](../docs/notation.md).

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, AdaGrad, Adam, RMSProp
from alr_teach.accumulator_explorer import AccumulatorExplorer
from alr_teach.landscapes import Drifting, Quadratic, Rosenbrock
from alr_teach.plots import style
from alr_teach.runner import run
from alr_teach.sparse_data import accuracy, log_loss, make_sparse_classification, train
from alr_teach.surface_plots import (
    contour,
    label_for,
    plot_effective_lr,
    plot_losses,
    plot_trajectories,
)
from alr_teach.sweeps import sweep_learning_rates

rng = np.random.default_rng(3)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Preconditioning: divide each coordinate by its own scale
#
# In notebook 01 (section 3) an axis-aligned valley with curvatures 1 and 100 forced one
# shared rate below $2/100$, and the flat coordinate crawled; the rates $\eta_i = 1/\lambda_i$
# solved it in one step. Here is why, in the language of the condition number.
#
# **Math.** *Preconditioned* gradient descent multiplies the gradient by a fixed positive
# diagonal matrix $P$ before stepping: $x_t = x_{t-1} - \eta P g_t$. Write
# $x = P^{1/2} y$. In the new variable $y$ the loss has gradient $P^{1/2} g$ and, for the
# quadratic $f(x) = \tfrac12 x^\top A x$, Hessian $P^{1/2} A P^{1/2}$. Multiply the step by
# $P^{-1/2}$:
#
# $$y_t = y_{t-1} - \eta\, P^{1/2} g_t ,$$
#
# which is *plain* gradient descent on $y$. So everything notebook 01 proved about gradient
# descent holds, with the condition number $\kappa$ of $P^{1/2} A P^{1/2}$ instead of that of
# $A$: the stable rates, and the error shrinking by $(\kappa-1)/(\kappa+1)$ per step. With
# $A$ diagonal and $P = A^{-1}$, the new Hessian is the identity and $\kappa = 1$.

# %%
aligned = Quadratic(curvatures=[1.0, 100.0], start=[1.0, 1.0])
P = np.diag(1 / np.diag(aligned.A))
preconditioned = np.sqrt(P) @ aligned.A @ np.sqrt(P)
print(f"condition number of A: {np.linalg.cond(aligned.A):.0f}; "
      f"of P^1/2 A P^1/2: {np.linalg.cond(preconditioned):.0f}")


def steps_to(trajectory, tol=1e-6):
    """First step at which the loss is at most tol (None if never)."""
    hit = np.flatnonzero(trajectory.losses <= tol)
    return int(hit[0]) if hit.size else None


plain = steps_to(run(SGD(lr=aligned.best_lr), aligned, steps=2000))
scaled = steps_to(run(SGD(lr=np.diag(P)), aligned, steps=10))  # one rate per coordinate
print(f"steps to loss 1e-6: gradient descent at its best rate {plain}, preconditioned {scaled}")
assert np.isclose(np.linalg.cond(preconditioned), 1.0) and plain > 400 and scaled == 1

# %% [markdown]
# More than 400 steps at the best single rate; one step with the right scale per
# coordinate.
# The catch: $P = A^{-1}$ needs the curvatures. AdaGrad builds a diagonal $P_t$ from what
# it can see, the gradients, and updates it at every step.
#
# ## 2. The update, derived
#
# **The scale of a coordinate.** Keep, for every coordinate, the running sum of its
# squared gradients (all products and powers are element-wise):
#
# $$G_t = G_{t-1} + g_t^2, \qquad G_0 = 0 .$$
#
# $\sqrt{G_t}$ measures how large that coordinate's gradients have been so far. Use it as
# the scale: $P_t = \operatorname{diag}\big(1/(\sqrt{G_t} + \epsilon)\big)$, which gives
#
# $$x_t = x_{t-1} - \frac{\eta}{\sqrt{G_t} + \epsilon}\, g_t ,
# \qquad \eta_{\text{eff},t} = \frac{\eta}{\sqrt{G_t} + \epsilon}
# \;\text{(one per coordinate).}$$
#
# **Why the square root.** $g$ and $\sqrt{G}$ have the same units, so $g_t/\sqrt{G_t}$ is a
# pure number and the step has the units of $\eta$: parameter units. Multiply one
# coordinate's gradients by any $c > 0$ and $G$ grows by $c^2$, the root by $c$, and the
# step does not change (up to $\epsilon$). On an axis-aligned quadratic the gradient of
# coordinate $i$ is $\lambda_i (x_i - x_i^*)$: **the curvature cancels**, and AdaGrad takes
# the same path whatever the curvatures.
#
# **The extremes.**
# - *First step* ($G_1 = g_1^2$): $\eta\, g_1 / |g_1| = \eta \operatorname{sign}(g_1)$. Every
#   coordinate moves by $\eta$, whatever the size of its gradient.
# - *Every step*: $|g_t| \le \sqrt{G_t}$, so no coordinate ever moves more than $\eta$.
# - *A steady gradient* $g$: $G_t = t\,g^2$, the step is $\eta/\sqrt t$ and the distance
#   covered in $T$ steps is $\eta \sum_{t \le T} t^{-1/2} < 2\eta\sqrt T$. The effective
#   rate only shrinks; the reach grows like $\sqrt T$, not like $T$. This is the
#   "stops too early" of section 6.
# - $\epsilon$ only matters while $\sqrt{G_t}$ is tiny: a coordinate whose gradients have
#   all been 0 takes the step $0/(0 + \epsilon) = 0$ instead of $0/0$.
#
# ## 3. Implementation in the open
#
# The whole rule, in numpy:

# %%
def adagrad_step(x, g, G, lr, eps=1e-10):
    """One AdaGrad step: the new point and the new sum of squared gradients."""
    G = G + g * g
    return x - lr * g / (np.sqrt(G) + eps), G


# %% [markdown]
# Run it for 300 steps on Rosenbrock's banana valley and compare every point and every
# accumulator with the package's class (which `run` records in `state["sum_sq"]`):

# %%
banana = Rosenbrock()
x, G = banana.start.astype(float), np.zeros(2)
points, sums = [x], []
for _ in range(300):
    x, G = adagrad_step(x, banana.grad(x), G, lr=0.5)
    points.append(x)
    sums.append(G)
reference = run(AdaGrad(lr=0.5), banana, steps=300)
point_gap = np.max(np.abs(np.array(points) - reference.points))
sum_gap = np.max(np.abs(np.array(sums) - reference.state["sum_sq"]) / reference.state["sum_sq"])
print(f"largest difference: points {point_gap:.1e}, sum_sq (relative) {sum_gap:.1e}")
assert point_gap <= 1e-12 and sum_gap <= 1e-12

# %% [markdown]
# The same three lines check the extremes of section 2: the first step (gradient (1, 100)
# at the start of the aligned valley), the largest step over the Rosenbrock run, and a
# steady gradient held for 10 000 steps.

# %%
x1, _ = adagrad_step(aligned.start, aligned.grad(aligned.start), np.zeros(2), lr=0.5)
first_step = aligned.start - x1
largest = np.max(np.abs(np.diff(np.array(points), axis=0)))
x, G, T = np.zeros(2), np.zeros(2), 10_000
for _ in range(T):
    x, G = adagrad_step(x, np.array([3.0, 0.01]), G, lr=0.5)
print(f"first step {np.array2string(first_step, precision=6)} for gradient "
      f"{np.array2string(aligned.grad(aligned.start), precision=1)}")
print(f"largest step on Rosenbrock: {largest:.4f} (lr = 0.5)")
print(f"steady gradient, {T} steps: moved {np.array2string(-x, precision=2)}, "
      f"2·lr·√T = {2 * 0.5 * np.sqrt(T):.0f}")
assert np.allclose(first_step, 0.5, rtol=1e-9) and largest <= 0.5
assert np.allclose(-x, 0.5 * np.sum(1 / np.sqrt(np.arange(1, T + 1))), rtol=1e-6)
assert np.all(-x < 2 * 0.5 * np.sqrt(T))

# %% [markdown]
# Both coordinates moved the same distance, 99 units, although one gradient was 300 times
# the other: $2\eta\sqrt T = 100$ is the most they can cover. And the curvature really
# cancels: the path on the valley with curvatures 1 and 100 is the path on the round bowl.

# %%
round_bowl = Quadratic(curvatures=[1.0, 1.0], start=[1.0, 1.0])
on_valley = run(AdaGrad(lr=0.5), aligned, steps=200)
on_round = run(AdaGrad(lr=0.5), round_bowl, steps=200)
path_gap = np.max(np.abs(on_valley.points - on_round.points))
print(f"largest gap between the two paths: {path_gap:.1e}; "
      f"AdaGrad reaches loss 1e-6 on the valley in {steps_to(on_valley)} steps")
assert path_gap < 1e-9 and steps_to(on_valley) < 20

# %% [markdown]
# ## 4. Watch it move: one effective rate per parameter
#
# On the same valley, the effective rate of each coordinate (the step taken per unit of
# gradient) and the accumulators $G_t$, against the step. The steep coordinate $y$ sees
# gradients 100 times larger, so its $G_t$ is $100^2$ times larger and its rate 100 times
# smaller, at every step: AdaGrad has found the preconditioner $P = A^{-1}$ up to a
# common factor.

# %%
fig, (ax_map, ax_rate, ax_sum) = plt.subplots(1, 3, figsize=(16, 4.6), layout="constrained")
contour(ax_map, aligned)
sgd_valley = run(SGD(lr=aligned.best_lr), aligned, steps=200)
plot_trajectories(ax_map, aligned, [sgd_valley, on_valley],
                  [label_for(SGD(lr=round(aligned.best_lr, 4))), label_for(AdaGrad(lr=0.5))])
plot_effective_lr(ax_rate, on_valley, lr=0.5)
ax_rate.set_title("AdaGrad's effective rate per coordinate")
for k, name in enumerate("xy"):
    ax_sum.plot(np.arange(1, 201), on_valley.state["sum_sq"][:, k], label=f"coordinate {name}",
                markevery=20, **style(k))
ax_sum.set(yscale="log", xlabel="step t", ylabel="$G_t$ (log scale)",
           title="Sums of squared gradients: they only grow")
ax_sum.legend(fontsize=8)
plt.show()

# %%
rates = 0.5 / (np.sqrt(on_valley.state["sum_sq"]) + 1e-10)  # η / (√G_t + ε), every step
print(f"effective rates after 1 step {np.array2string(rates[0], precision=4)}, "
      f"after 200 {np.array2string(rates[-1], precision=4)}")
assert np.allclose(rates[:, 0] / rates[:, 1], 100.0, rtol=1e-6)  # the ratio of the curvatures
assert np.all(np.diff(rates, axis=0) <= 0)                         # rates only shrink

# %% [markdown]
# **Explore.** Move the sliders: the learning rate $\eta$, $\epsilon$, the accumulator's
# starting value $G_0$ and the number of steps, on an axis-aligned valley (curvatures 1
# and 50). Things to try: push $\eta$ above 1, so that the first step overshoots the
# minimum (does it still converge? why?); set $G_0 = 0.1$ (Keras' choice, section 7) and
# watch the flat coordinate's first step shrink; set $\epsilon = 1$ and see the rates stop
# being proportional to $1/\sqrt{G_t}$.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = AccumulatorExplorer(steps=100)
explorer.widget()

# %% [markdown]
# The explorer's default view, as a static figure (what the saved notebook shows):

# %%
explorer.update(lr=0.5, eps=1e-10, initial_accumulator_value=0.0, steps=100)
explorer.static_figure()
plt.show()
summary = explorer.summary
print(f"{summary['optimizer']}: final loss {summary['final_loss']:.1e}; final effective rates "
      f"x {summary['effective_lr'][0]:.4f}, y {summary['effective_lr'][1]:.6f}")
assert np.isclose(summary["effective_lr"][0] / summary["effective_lr"][1], 50.0, rtol=1e-6)

# %% [markdown]
# ## 5. Where it shines: sparse features
#
# AdaGrad was built for problems like text classification, where most features are rare.
# `alr_teach.sparse_data` generates such a task: 200 binary features, of which 20 are
# *frequent* (each on in 30 % of the samples, like common words) and 180 *rare* (each on in
# 1.5 %). The true weights of the frequent features are small; 40 of the rare ones carry
# weight ±3, the others 0. Labels are drawn from the logistic model, so even the true
# weights misclassify some samples. The model to fit is logistic regression.

# %%
seeds = range(8)
tasks = [make_sparse_classification(seed=s) for s in seeds]
task = tasks[0]
on = task.X_train.mean(axis=0)
print(f"seed 0: features on per sample {task.X_train.sum(axis=1).mean():.1f}; "
      f"share of samples with a feature on: frequent {on[task.frequent].mean():.3f}, "
      f"rare {on[task.rare].mean():.4f}")
in_batch = 1 - (1 - task.p) ** 20  # chance that a mini-batch of 20 contains the feature
print(f"a rare feature occurs {task.X_train[:, task.rare].sum(axis=0).mean():.0f} times per "
      f"epoch on average; a mini-batch of 20 contains a given frequent feature with "
      f"probability {in_batch[task.frequent][0]:.3f}, a given rare one with "
      f"{in_batch[task.rare][0]:.2f}")
print(f"test accuracy of the true weights, mean over seeds: "
      f"{np.mean([accuracy(t.w_true, t.X_test, t.y_test) for t in tasks]):.3f}")
assert abs(on[task.frequent].mean() - 0.3) < 0.01 and abs(on[task.rare].mean() - 0.015) < 0.002

# %% [markdown]
# **A fair comparison.** For each of 8 seeds (a new data set and a new mini-batch order
# each), SGD and AdaGrad train from zero weights with mini-batches of 20 samples, for 20
# epochs, at each of 13 learning rates on the same log grid from $10^{-2}$ to $10$ (one
# batched run per method and seed). For each method and each training budget, the rate
# with the lowest validation loss, averaged over the seeds, is chosen; only then is the
# test set used. Held fixed: data, batches, initialisation, grid, budget.

# %%
lrs = np.logspace(-2, 1, 13)
weights, val_loss, test_loss, test_acc = {}, {}, {}, {}
for name, method in [("SGD", SGD), ("AdaGrad", AdaGrad)]:
    weights[name] = np.stack([  # (seed, epoch, lr, feature)
        train(method(lr=lrs[:, None]), t.X_train, t.y_train, epochs=20, batch_size=20,
              w0=np.zeros((lrs.size, t.n_features)), seed=t.seed) for t in tasks])
    val_loss[name] = np.stack([log_loss(w, t.X_val, t.y_val)
                               for w, t in zip(weights[name], tasks)])
    test_loss[name] = np.stack([log_loss(w, t.X_test, t.y_test)
                                for w, t in zip(weights[name], tasks)])
    test_acc[name] = np.stack([accuracy(w, t.X_test, t.y_test)
                               for w, t in zip(weights[name], tasks)])


def tuned(name, epochs):
    """Index of the rate with the lowest mean validation loss after `epochs` epochs."""
    return int(np.argmin(val_loss[name][:, epochs].mean(axis=0)))

# %%
fig, (ax_sweep, ax_budget) = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
budgets = np.arange(1, 21)
for i, name in enumerate(["SGD", "AdaGrad"]):
    mean, spread = val_loss[name][:, 5].mean(axis=0), val_loss[name][:, 5].std(axis=0)
    ax_sweep.plot(lrs, mean, label=name, markersize=5, **style(i))
    ax_sweep.fill_between(lrs, mean - spread, mean + spread, color=style(i)["color"], alpha=0.2)
    best = [test_loss[name][:, e, tuned(name, e)] for e in budgets]
    ax_budget.plot(budgets, np.mean(best, axis=1), label=f"{name} (rate tuned per budget)",
                   markersize=5, **style(i))
    ax_budget.fill_between(budgets, np.mean(best, axis=1) - np.std(best, axis=1),
                           np.mean(best, axis=1) + np.std(best, axis=1),
                           color=style(i)["color"], alpha=0.2)
ax_sweep.set(xscale="log", xlabel="learning rate η (log scale)", ylim=(0.4, 0.8),
             ylabel="validation loss after 5 epochs",
             title="The sweep: mean over 8 seeds (band: ± one std)")
ax_budget.set(xlabel="training budget (epochs)", ylabel="test loss at the tuned rate",
              title="Test loss for each budget (mean ± std over 8 seeds)")
for ax in (ax_sweep, ax_budget):
    ax.legend(fontsize=8)
plt.show()

# %%
gaps = {}
for epochs in (5, 20):
    for name in ("SGD", "AdaGrad"):
        k = tuned(name, epochs)
        loss, acc = test_loss[name][:, epochs, k], test_acc[name][:, epochs, k]
        print(f"{epochs:2d} epochs, {name:7s} lr {lrs[k]:.3f}: test loss {loss.mean():.3f} ± "
              f"{loss.std():.3f}, accuracy {acc.mean():.3f} ± {acc.std():.3f}")
    sgd = test_loss["SGD"][:, epochs, tuned("SGD", epochs)]
    ada = test_loss["AdaGrad"][:, epochs, tuned("AdaGrad", epochs)]
    gaps[epochs] = sgd - ada
    print(f"   AdaGrad's test loss is lower on {np.sum(ada < sgd)} of 8 seeds "
          f"(mean gap {gaps[epochs].mean():.4f})")

# %%
assert np.all(gaps[5] > 0)                          # 5 epochs: AdaGrad better on every seed
assert gaps[20].mean() > 0 and gaps[20].mean() < 0.5 * gaps[5].mean()  # 20: most of it gone
acc5 = {n: test_acc[n][:, 5, tuned(n, 5)] for n in ("SGD", "AdaGrad")}
print(f"5 epochs: AdaGrad's test accuracy is higher on {np.sum(acc5['AdaGrad'] > acc5['SGD'])} "
      f"of 8 seeds")
assert acc5["AdaGrad"].mean() > acc5["SGD"].mean()
assert np.sum(acc5["AdaGrad"] > acc5["SGD"]) >= 6
assert min(acc5["SGD"].std(), acc5["AdaGrad"].std()) > acc5["AdaGrad"].mean() - acc5["SGD"].mean()

# %% [markdown]
# With the same disclosed sweep for both, AdaGrad reaches a lower test loss than SGD
# after 5 epochs on every one of the 8 seeds, and a higher mean test accuracy (higher on
# most seeds: the count is printed above). The advantage is mostly *speed*: given 20
# epochs, tuned SGD closes most of the gap (the mean gap shrinks to less than half). The
# seed-to-seed spread of the accuracy is larger than the difference between the methods,
# which is why the comparison is made seed by seed.
#
# **Why: rare features get large rates.** Retrain seed 0 at each method's rate tuned for 5
# epochs, recording AdaGrad's accumulators after every step. SGD gives every feature the
# same rate. AdaGrad's rate for a feature falls each time the feature is seen: a frequent
# feature is in almost every mini-batch, a rare one in about one batch in four (printed
# above).

# %%
k_sgd, k_ada = tuned("SGD", 5), tuned("AdaGrad", 5)
lr_ada = lrs[k_ada]
_, state = train(AdaGrad(lr=lr_ada), task.X_train, task.y_train, epochs=5, batch_size=20,
                 seed=task.seed, record_state=True)
G = state["sum_sq"]                                   # (steps, features)
rate = np.where(G > 0, lr_ada / (np.sqrt(G) + 1e-10), np.nan)  # not yet seen: no rate
steps = np.arange(1, G.shape[0] + 1)
fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
for i, (group, mask) in enumerate([("frequent features", task.frequent),
                                   ("rare features", task.rare)]):
    low, mid, high = np.nanpercentile(rate[:, mask], [10, 50, 90], axis=1)
    ax.plot(steps, mid, label=f"AdaGrad, {group} (median; band 10-90 %)", markevery=50,
            **style(i))
    ax.fill_between(steps, low, high, color=style(i)["color"], alpha=0.2)
ax.axhline(lrs[k_sgd], color="black", linestyle=":", label=f"SGD, every feature ({lrs[k_sgd]:.2f})")
ax.set(yscale="log", xlabel="step t (mini-batch)", ylabel="effective rate (log scale)",
       title="Effective rate per feature on the sparse task (seed 0, 5 epochs)")
ax.legend(fontsize=8)
plt.show()

# %%
median_rare = np.nanmedian(rate[:, task.rare], axis=1)
median_frequent = np.nanmedian(rate[:, task.frequent], axis=1)
print(f"after 5 epochs: every rare feature's rate ≥ {np.min(rate[-1, task.rare]):.2f}, every "
      f"frequent feature's ≤ {np.max(rate[-1, task.frequent]):.2f}")
ratio = median_rare / median_frequent
print(f"median rate, rare / frequent: at least {ratio[9:].min():.1f}× from step 10 on, "
      f"{ratio[-1]:.1f}× at the end")
assert np.min(rate[-1, task.rare]) > np.max(rate[-1, task.frequent])
assert np.all(ratio[9:] > 4)
assert np.all(median_rare[9:100] > lrs[k_sgd]) and np.all(median_frequent[9:] < lrs[k_sgd])

# %% [markdown]
# After 5 epochs every rare feature has a larger effective rate than every frequent one,
# and the median rare rate stays more than 4 times the median frequent rate from step 10
# on. Compared with SGD's single tuned rate, AdaGrad gives the frequent features *less*
# at every step from the 10th (they are in almost every batch, so large steps would
# follow each batch's noise) and, during the first epoch, gives the rare features *more*.
# SGD has one rate for both kinds, and its sweep settles on a compromise.
#
# Does that show in the learned weights? On the informative rare features (true weight
# ±3), the average of $w_i \cdot \operatorname{sign}(w^*_i)$ after 5 epochs, for every seed:

# %%
signed = {}
for name, k in [("SGD", k_sgd), ("AdaGrad", k_ada)]:
    signed[name] = np.array([np.mean(w[5, k, t.informative] * np.sign(t.w_true[t.informative]))
                             for w, t in zip(weights[name], tasks)])
    print(f"{name:7s} {np.array2string(signed[name], precision=2)}")
assert np.all(signed["AdaGrad"] > signed["SGD"]) and np.all(signed["AdaGrad"] < 3)

# %% [markdown]
# On every seed AdaGrad has moved the decisive rare weights further towards their true
# values (all still short of 3: each rare feature occurs only about 30 times per epoch,
# and the labels are noisy).
#
# ## 6. Where it stops too early: a target that moves
#
# The flip side of a sum that only grows: the effective rate only shrinks. On a problem
# that keeps changing (the data drift, or the loss is non-stationary as in recurrent nets
# and reinforcement learning), old gradients describe a landscape that is gone, yet
# AdaGrad keeps paying for them. `Drifting` moves the minimum of the round bowl
# $\tfrac12\lVert x\rVert^2$ by 0.1 per step along $x$, for 2000 steps. Each method gets
# its learning rate from the same log grid (17 values, $10^{-3}$ to $10$), chosen for the
# lowest loss averaged over the whole run.

# %%
drift = Drifting(velocity=(0.1, 0.0), horizon=2000)
grid = np.logspace(-3, 1, 17)
methods = {"AdaGrad": AdaGrad, "RMSProp": RMSProp, "Adam": Adam}
drift_sweeps = sweep_learning_rates(methods, drift, grid, steps=2000)
chasers, chase = {}, {}
for name, result in drift_sweeps.items():
    mean_loss = np.where(result.diverged, np.inf, np.nanmean(result.trajectory.losses, axis=0))
    lr = grid[np.argmin(mean_loss)]
    chasers[name] = methods[name](lr=lr)
    chase[name] = run(chasers[name], drift, steps=2000)
    quarters = [chase[name].losses[q * 500] for q in (1, 2, 3, 4)]
    print(f"{name:7s} lr {lr:.3g}: mean loss {mean_loss.min():.1e}; loss at t = 500, 1000, "
          f"1500, 2000: {', '.join(f'{v:.1e}' for v in quarters)}")

# %%
loss_at = {name: trajectory.losses[[500, 1000, 1500, 2000]] for name, trajectory in chase.items()}
growth = {name: losses[-1] / losses[1] for name, losses in loss_at.items()}
print("loss at t = 2000 / loss at t = 1000: "
      + ", ".join(f"{name} {value:.2f}" for name, value in growth.items()))
ada_loss = loss_at["AdaGrad"]
assert np.all(np.diff(ada_loss) > 0) and ada_loss[-1] > 5 * ada_loss[0]  # grows and grows
assert growth["AdaGrad"] > 5 and growth["RMSProp"] < 1.5 and growth["Adam"] < 1.5
for name in ("RMSProp", "Adam"):
    assert loss_at[name][-1] < loss_at["AdaGrad"][-1] / 3       # well below AdaGrad's
mean_of = {n: np.mean(t.losses) for n, t in chase.items()}
assert mean_of["AdaGrad"] > max(mean_of["RMSProp"], mean_of["Adam"])

# %%
fig, (ax_loss, ax_rate) = plt.subplots(1, 2, figsize=(13, 4.5), layout="constrained")
plot_losses(ax_loss, list(chase.values()), [label_for(opt) for opt in chasers.values()])
ax_loss.set_title("Loss = ½ (distance to the moving minimum)², tuned rates")
plot_effective_lr(ax_rate, chase["AdaGrad"], names=("x (drift direction)", "y"))
t = np.arange(1, 2001)
rate_x = chase["AdaGrad"].effective_lr[:, 0]
ax_rate.plot(t, rate_x[499] * np.sqrt(500 / t), color="black", linestyle=":",
             label=r"reference $\propto 1/\sqrt{t}$")
ax_rate.legend(fontsize=8)
ax_rate.set(xscale="log", xlabel="step t (log scale)",
            title="AdaGrad's effective rate keeps falling (log-log)")
plt.show()

# %%
late = slice(499, 2000)
slope = np.polyfit(np.log(t[late]), np.log(rate_x[late]), 1)[0]
lag_steps = np.linalg.norm(np.diff(chase["AdaGrad"].points, axis=0), axis=1)[late].mean()
print(f"AdaGrad, steps 500-2000: effective rate ∝ t^{slope:.2f}; mean step {lag_steps:.3f} "
      f"(the minimum moves 0.1 per step)")
assert -0.7 < slope < -0.45 and abs(lag_steps - 0.1) < 0.005

# %% [markdown]
# All three methods keep up with the minimum on average (AdaGrad's mean step is still
# about 0.1), but look at what it costs AdaGrad. Its effective rate along the drift falls
# roughly like $1/\sqrt t$ (the fitted exponent is a little steeper than $-1/2$: the
# gradients it sees grow as it falls behind), so to keep stepping 0.1 per step it needs a
# larger and larger gradient, which on a bowl means a larger and larger distance from the
# minimum. Its loss grows at every checkpoint, to more than 5 times its value at step
# 500, and more than 5-fold between steps 1000 and 2000 alone; over the same stretch
# RMSProp's loss does not grow and Adam's grows by less than half. Their averages forget
# old gradients (notebooks 04 and 05); AdaGrad's sum does not.
#
# **How long is too long?** It depends on the run's length compared with the drift.
# Repeat the tuned comparison on the slow drift that `Drifting` uses by default (0.01 per
# step) over 1000 steps:

# %%
slow = Drifting(velocity=(0.01, 0.0), horizon=1000)
slow_sweeps = sweep_learning_rates({"AdaGrad": AdaGrad, "RMSProp": RMSProp}, slow, grid,
                                   steps=1000)
slow_best = {name: np.nanmin(np.where(r.diverged, np.nan, np.nanmean(r.trajectory.losses, axis=0)))
             for name, r in slow_sweeps.items()}
print(", ".join(f"{name}: best mean loss {value:.1e}" for name, value in slow_best.items()))
assert slow_best["AdaGrad"] < slow_best["RMSProp"]

# %% [markdown]
# Here tuned AdaGrad follows *better* than tuned RMSProp: within this horizon its shrinking
# rate has not yet run out. From section 2, a steady pull lets it cover only about
# $2\eta\sqrt T$ in $T$ steps, while the minimum covers $vT$; to keep up, AdaGrad must be
# pulled harder and harder, that is, lag further and further behind. So "AdaGrad stops
# learning too early" holds for *long* runs on *changing* problems (the faster the change
# and the longer the run, the worse), not for every run: test it on your horizon.
#
# ## 7. Pitfalls and practice
#
# **Two conventions.** torch (and `alr_teach`) start the accumulator at $G_0 = 0$ and add
# $\epsilon = 10^{-10}$ *outside* the root; Keras starts at $G_0 = 0.1$ and adds
# $\epsilon = 10^{-7}$ *inside*, $\sqrt{G_t + \epsilon}$. The defaults for $\eta$ differ
# too (0.01 in torch, 0.001 in Keras). With the same $\eta$, the first steps for gradients
# of three sizes:

# %%
g = np.array([0.01, 1.0, 100.0])
torch_step = -AdaGrad(lr=0.01).step(np.zeros(3), g)
keras_step = 0.01 * g / np.sqrt(0.1 + g * g + 1e-7)            # Keras' rule, written out
emulated = -AdaGrad(lr=0.01, initial_accumulator_value=0.1, eps=1e-12).step(np.zeros(3), g)
print(f"torch convention: {np.array2string(torch_step, precision=5)}")
print(f"Keras convention: {np.array2string(keras_step, precision=5)}")
assert np.allclose(torch_step, 0.01) and keras_step[0] < 0.05 * torch_step[0]
assert np.allclose(emulated, keras_step, rtol=1e-6)

# %% [markdown]
# With $G_0 = 0$ every coordinate's first step is a full $\eta$, even for a gradient of
# 0.01; with $G_0 = 0.1$ a small gradient gets a small first step (here about 3 % of
# $\eta$). Porting a model between the two libraries changes the early steps, and the
# Keras rule can be reproduced here with `initial_accumulator_value=0.1` and a tiny `eps`
# (last assert).
#
# **Pitfalls, with the evidence above.**
# - *Library defaults are not tuned rates.* On the sparse task the sweep chose rates far
#   above torch's default 0.01 (next cell), and on the drifting bowl 3.16. Sweep $\eta$ on
#   a log grid, as in sections 5 and 6.
# - *A rare coordinate's first step is a full $\eta$* whatever the size of its gradient
#   (section 3). A noisy rare feature seen once jumps as far as a frequent one; $G_0 > 0$
#   softens this.
# - *The rate never comes back.* After a long run AdaGrad's effective rates are small and
#   stay small; on a changing problem it then lags further and further behind (section
#   6). For long or non-stationary training use RMSProp or Adam, or start the accumulator
#   afresh (`opt.reset()`) when the task changes.

# %%
worst = val_loss["AdaGrad"][:, 5].mean(axis=0)
print(f"AdaGrad, 5 epochs: mean validation loss {worst[0]:.3f} at lr = 0.01, "
      f"{worst[k_ada]:.3f} at the tuned lr = {lrs[k_ada]:.3f}")
assert lrs[k_ada] >= 10 * 0.01 and worst[0] > worst[k_ada] + 0.1

# %% [markdown]
# ## Summary
#
# - AdaGrad divides each coordinate's step by $\sqrt{G_t}$, the root of its summed squared
#   gradients: diagonal preconditioning learned from the gradients. On an axis-aligned
#   valley the curvatures cancel exactly.
# - Every step is at most $\eta$ per coordinate, the first is $\eta \operatorname{sign}(g)$,
#   and the effective rate only shrinks.
# - On sparse data rare features keep large rates and frequent ones small: with tuned
#   rates it beat SGD on every seed after 5 epochs; with 4 times the budget SGD closed
#   most of the gap.
# - On long runs over a changing problem its rate decays like $1/\sqrt t$ and it falls
#   behind, where RMSProp and Adam keep up.
# - Comparison table (notebook 07): *core idea* per-coordinate sum of squared gradients;
#   *strength* sparse features, per-coordinate scale for free; *weakness* rates that
#   only shrink.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
#
# **Predict, then run.**
# 1. In section 3, the steady gradient $(3, 0.01)$ moved both coordinates by the same
#    distance. What happens with $G_0 = 0.1$? Predict which coordinate moves less, then
#    start that loop's accumulator at `G = np.full(2, 0.1)` and rerun.
# 2. In section 6, double the drift to 0.2 per step. Will AdaGrad's tuned rate go up or
#    down, and will its loss still grow at every checkpoint?
#
# **Previous:** [02 · Momentum and Nesterov](02_momentum.ipynb); before it,
# [01 · A fixed learning rate](01_fixed_learning_rate.ipynb).
# **Next:** [04 · RMSProp](04_rmsprop.ipynb).
#
# **Further reading:** J. Duchi, E. Hazan & Y. Singer, *Adaptive Subgradient Methods for
# Online Learning and Stochastic Optimization*, JMLR 12 (2011), the original paper;
# H. B. McMahan & M. Streeter, *Adaptive Bound Optimization for Online Convex
# Optimization*, COLT (2010), the same idea found at the same time; Goodfellow, Bengio &
# Courville, *Deep Learning* (2016), section 8.5.1.
