# %% [markdown]
# # 08 · Weight decay done right: L2 vs decoupled decay (AdamW)
#
# "Don't use weight decay with Adam, use AdamW" is one of the most repeated pieces of
# advice about adaptive optimizers. But weight decay is just L2 regularisation, isn't it?
# For plain gradient descent it is. For Adam it is not, and this notebook shows exactly
# where the two part ways, measures what that does to each weight, and then tests on a
# real network the claim that decoupling makes the learning rate and the weight decay
# independent knobs.
#
# **Learning objectives.** By the end of this notebook you can
# - *derive* L2-in-the-gradient and decoupled weight decay, and show that they are the
#   same update for SGD but not for Adam;
# - *predict* how fast Adam + L2 and AdamW decay a weight from its gradient scale, and
#   where each comes to rest;
# - *implement* the Adam + L2 and AdamW steps in numpy and check them against
#   `alr_teach.Adam` and `alr_teach.AdamW`;
# - *test*, with an lr × weight-decay sweep on a network, whether decoupling separates
#   the two hyperparameters;
# - *choose* weight-decay settings across libraries (decay times the rate, defaults,
#   which arrays to decay).
#
# **Prerequisites:** [05 · Adam](05_adam.ipynb) (the update, $m_t$, $v_t$, bias
# correction), and the sweeps of [01 · A fixed learning rate](01_fixed_learning_rate.ipynb).
# **Time:** about 50 minutes. Notation: [docs/notation.md](../docs/notation.md).

# %%
import inspect
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from alr_teach import SGD, Adam, AdamW, MLPClassifier, Scheduled
from alr_teach.course.claims import claim, paired
from alr_teach.lab.runner import run
from alr_teach.lessons.weight_decay import (
    DecayExplorer,
    decay_grid,
    decay_paths,
    decoupled_rest_point,
    effective_decay,
    plot_decay_grid,
    predicted_decay,
)
from alr_teach.optimizers.schedules import cosine
from alr_teach.problems import mlp
from alr_teach.problems.landscapes import Rosenbrock
from alr_teach.viz.plots import style

rng = np.random.default_rng(8)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Same weight decay, very different decay
#
# Two parameters, both starting at $x = 1$. Their gradients are pure noise: each flips
# sign at every step, so the loss gives no reason to move either of them, and whatever
# pulls them towards 0 is the weight decay alone. The only difference: parameter 1's
# gradients have size 1, parameter 2's have size 1/20. Same learning rate $\eta = 0.01$,
# same weight decay $\lambda = 10^{-3}$, once with `Adam(weight_decay=λ)` and once with
# `AdamW(weight_decay=λ)`:

# %%
lr, wd, steps = 1e-2, 1e-3, 2000
RATIO = 20                                # parameter 1's gradients are RATIO times larger
scales = np.array([1.0, 1.0 / RATIO])     # the size of each parameter's gradients
paths = {"Adam(weight_decay=λ): L2 in the gradient":
         decay_paths(Adam(lr=lr, weight_decay=wd), scales, steps),
         "AdamW(weight_decay=λ): decoupled decay":
         decay_paths(AdamW(lr=lr, weight_decay=wd), scales, steps)}

fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained", sharey=True)
for ax, (title, path) in zip(axes, paths.items()):
    for p, name in enumerate(["parameter 1 (gradients of size 1)",
                              f"parameter 2 (gradients of size 1/{RATIO:g})"]):
        ax.plot(path[:, p], label=name, markevery=200, **style(p))
    ax.set(xlabel="step t", title=title, ylim=(0.6, 1.05))
    ax.legend(fontsize=8, loc="lower left")
axes[0].set_ylabel("parameter x (starts at 1)")
plt.show()

# %%
adam_end, adamw_end = (path[-1] for path in paths.values())
print(f"after {steps} steps, Adam + L2: x = {adam_end[0]:.4f} and {adam_end[1]:.4f}")
print(f"after {steps} steps, AdamW:     x = {adamw_end[0]:.4f} and {adamw_end[1]:.4f}")
claim(adam_end[1] < 0.7 and adam_end[0] > 0.99, "with Adam + L2, parameter 2 loses more "
      "than 30 % of its size and parameter 1 less than 1 %",
      measured=f"x = {adam_end[0]:.4f} and {adam_end[1]:.4f}")
claim(bool(np.isclose(adamw_end[0], adamw_end[1], rtol=1e-6)),
      "with AdamW both parameters end at the same size (to 1e-6)",
      measured=f"x = {adamw_end[0]:.4f} and {adamw_end[1]:.4f}")

# %% [markdown]
# With `Adam(weight_decay=λ)` the parameter with small gradients lost almost a third of
# its size while the one with large gradients lost less than 1 %. With AdamW both shrank
# exactly alike. (The small jump at the start is Adam's first few steps, taken while its
# moments are still filling up.) Why?
#
# ## 2. Two ways to write weight decay
#
# **L2 in the gradient.** Regularise the loss: minimise
# $f(x) + \frac{\lambda}{2}\lVert x\rVert^2$. Its gradient is $g_t + \lambda x_{t-1}$, and
# that is what the optimizer is given. For gradient descent,
#
# $$x_t = x_{t-1} - \eta\,(g_t + \lambda x_{t-1}) = (1 - \eta\lambda)\,x_{t-1} - \eta\,g_t .$$
#
# **Decoupled decay.** Leave the gradient alone: shrink the weights by a factor
# $1 - \eta\lambda$ and then take the optimizer's usual step, computed from $g_t$ alone:
#
# $$x_t = (1 - \eta\lambda)\,x_{t-1} - \eta\,(\text{the optimizer's step direction from } g_t).$$
#
# For gradient descent the step direction *is* $g_t$, so the two lines are the same
# update: "weight decay" and "L2 regularisation" are two names for one thing. Checked on
# 100 random gradients, against a decoupled step written by hand:

# %%
lr_sgd, wd_sgd = 0.1, 0.05
x_l2 = x_decoupled = rng.standard_normal(3)
sgd = SGD(lr=lr_sgd, weight_decay=wd_sgd)                          # L2 in the gradient
for g in rng.standard_normal((100, 3)):
    x_l2 = sgd.step(x_l2, g)
    x_decoupled = (1 - lr_sgd * wd_sgd) * x_decoupled - lr_sgd * g  # shrink, then step
gap = np.abs(x_l2 - x_decoupled).max()
print(f"SGD(weight_decay) vs decoupled SGD after 100 steps: largest difference "
      f"{'below' if gap <= 1e-12 else 'above'} 1e-12")
claim(gap <= 1e-12, "for SGD, L2 in the gradient and decoupled decay give the same points, "
      "to 1e-12", measured=f"largest difference {gap:.1e}")

# %% [markdown]
# **Adam is different.** With L2, Adam is given $g_t + \lambda x_{t-1}$, and *everything*
# it is given goes through the moments and is divided by $\sqrt{\hat v_t}$:
#
# $$x_t = x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, \qquad
#   m_t, v_t \text{ averages of } g_t + \lambda x_{t-1} \text{ and its square}.$$
#
# Call $s_i$ the typical size of parameter $i$'s own gradients. If $x$ changes slowly and
# $\lambda |x| \ll s_i$, then $\sqrt{\hat v_t} \approx s_i$ and $\hat m_t$ is the recent
# average of the gradient plus $\lambda x$, so the decay part of the step is
#
# $$\eta\,\frac{\lambda x}{s_i}: \qquad \text{a shrink of } d_i = \frac{\eta\lambda}{s_i}
#   \text{ per step, and } \frac{d_2}{d_1} = \frac{s_1}{s_2}.$$
#
# The decay is divided by the parameter's own gradient scale: weights with a history of
# large gradients are barely decayed, weights with small ones are decayed hard. AdamW
# shrinks *before* and *outside* the adaptive step, so $d_i = \eta\lambda$ for every
# parameter. Here $s_1/s_2 = 20$ (`RATIO`), so with L2 parameter 2 should decay 20 times
# faster.
#
# **Measure it.** `effective_decay` measures the shrink per step $d$ (with
# $x_{t+1} \approx (1-d)\,x_t$) from each path, averaging consecutive points to cancel the
# flip-flop and skipping the first 50 steps while Adam's moments fill up:

# %%
for name, path in paths.items():
    decoupled = name.startswith("AdamW")
    rule = "AdamW" if decoupled else "Adam + L2"
    measured = effective_decay(path)
    derived = predicted_decay(lr, wd, scales, decoupled=decoupled)
    shrink_ratio = measured[1] / measured[0]
    print(f"{rule:9s} shrink per step {measured[0]:.3e} and "
          f"{measured[1]:.3e} (derived {derived[0]:.1e} and {derived[1]:.1e}): "
          f"ratio {shrink_ratio:.2f}")
    expected = 1.0 if decoupled else float(RATIO)
    claim(bool(np.allclose(measured, derived, rtol=0.01))
          and np.isclose(shrink_ratio, expected, rtol=0.01),
          f"{rule}: the measured shrink per step is the derived one to within 1 %, and "
          f"parameter 2 shrinks {expected:g} times as fast as parameter 1",
          measured=f"ratio {shrink_ratio:.3f}")

# %% [markdown]
# Both rules do what the derivation says, to within 1 %: with L2 the ratio is 20, the
# ratio of the gradient scales; with AdamW it is 1 and both shrink by $\eta\lambda$ per
# step.
#
# **The extreme: a weight that is hardly ever updated.** Give parameter 2 gradients of
# size $10^{-4}$ (think of an embedding row of a rare word, or the weight of a feature
# that is almost always zero). Now $\lambda|x| = 10^{-3}$ is *larger* than its gradients,
# the decay term fills $\hat v$ itself, and $\hat m/\sqrt{\hat v} \approx 1$: Adam + L2
# pulls the weight towards 0 at up to $\eta$ per step: a sign descent.

# %%
rare = np.array([1.0, 1e-4])
rare_l2 = decay_paths(Adam(lr=lr, weight_decay=wd), rare, 400)
rare_w = decay_paths(AdamW(lr=lr, weight_decay=wd), rare, 400)
early_drop = (1 - rare_l2[50, 1]) / 50
print(f"parameter 2, Adam + L2: x = {rare_l2[50, 1]:.3f} after 50 steps "
      f"({early_drop:.4f} per step), {rare_l2[200, 1]:.3f} after 200")
print(f"parameter 2, AdamW:     x = {rare_w[200, 1]:.3f} after 200 steps")
claim(0.8 * lr < early_drop <= lr, "over its first 50 steps Adam + L2 pulls parameter 2 "
      "towards 0 at between 0.8 η and η per step", measured=f"{early_drop / lr:.2f} η")
claim(rare_l2[200, 1] < 0.02 and rare_w[200, 1] > 0.99, "after 200 steps parameter 2 is "
      "below 0.02 with Adam + L2 and above 0.99 with AdamW",
      measured=f"{rare_l2[200, 1]:.3f} and {rare_w[200, 1]:.3f}")

# %% [markdown]
# Adam + L2 wipes the rarely-updated weight out in 200 steps; AdamW leaves it almost
# untouched, decaying it at the same $\eta\lambda$ as every other weight. Which one you
# want is a modelling choice, but only AdamW does what "weight decay $\lambda$" promises.
#
# ## 3. Implementation in the open
#
# Both rules in one function: the only difference is the `if`.

# %%
def adam_step(x, g, state, t, lr, weight_decay, decoupled, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    if decoupled:
        x = x * (1 - lr * weight_decay)           # AdamW: shrink the weights
    else:
        g = g + weight_decay * x                  # Adam + L2: change the gradient
    state["m"] = beta1 * state["m"] + (1 - beta1) * g
    state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
    m_hat = state["m"] / (1 - beta1**t)
    v_hat = state["v"] / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps)


# %%
banana = Rosenbrock()
differences = []
for cls, decoupled in [(Adam, False), (AdamW, True)]:
    x, state, path = banana.start.copy(), {"m": np.zeros(2), "v": np.zeros(2)}, [banana.start]
    for t in range(1, 301):
        x = adam_step(x, banana.grad(x), state, t, lr=0.02, weight_decay=0.1,
                      decoupled=decoupled)
        path.append(x)
    reference = run(cls(lr=0.02, weight_decay=0.1), banana, steps=300)
    difference = np.abs(np.array(path) - reference.points).max()
    print(f"{cls.__name__:5s}(lr=0.02, weight_decay=0.1), 300 steps on Rosenbrock: "
          f"largest difference {difference:.1e}")
    differences.append(difference)
claim(max(differences) <= 1e-12, "adam_step gives the same points as alr_teach.Adam and "
      "alr_teach.AdamW, to 1e-12", measured=f"largest difference {max(differences):.1e}")

# %% [markdown]
# The same numbers as `alr_teach.Adam` and `alr_teach.AdamW` to $10^{-12}$. Note that
# AdamW's $m$ and $v$ never see the decay: they hold the loss's gradients only.
#
# ## 4. Where does each rule come to rest?
#
# Now give the loss a pull of its own: $f(x) = \frac{a}{2}(x - c)^2$ with curvature
# $a = 1$ and minimum $c = 1$, plus the flip-flop noise, of size $\sigma = 10$, on every
# gradient. Decay pulls towards 0, the loss towards 1: where does each rule settle?
# Average over the flip-flop (write $\bar g = a(x-c)$, so $\hat v \approx \bar g^2 + \sigma^2$)
# and ask where the mean step is zero.
#
# - **Adam + L2**: the mean of $\hat m$ is $\bar g + \lambda x$, zero at
#   $x^* = \frac{ac}{a + \lambda}$, the minimum of $f + \frac{\lambda}{2}x^2$. Neither
#   $\eta$ nor $\sigma$ appears: the same point as SGD + L2.
# - **AdamW** (torch's form, decay $\eta\lambda$ per step): the mean step is
#   $-\eta\lambda x - \eta\,\bar g/\sqrt{\bar g^2 + \sigma^2}$, zero where
#   $\lambda x \sqrt{\bar g^2 + \sigma^2} = a(c - x)$. Again $\eta$ cancels, but $\sigma$
#   stays: for $\sigma \gg |\bar g|$, $x^* \approx \frac{ac}{a + \lambda\sigma}$, an L2
#   penalty of strength $\lambda\sigma$, the weight decay times the gradient scale.
# - **AdamW in the paper's form** (decay $\lambda$ per step, *not* multiplied by $\eta$):
#   zero where $\lambda x \sqrt{\bar g^2 + \sigma^2} = \eta\, a(c - x)$. Now the rest point
#   depends on $\lambda/\eta$.
#
# `decoupled_rest_point` solves the AdamW equation. Three learning rates for each rule,
# one batched run each (the learning rate is an array):

# %%
a, c, T = 1.0, 1.0, 4000                  # curvature and minimum of the loss; steps
SIGMA = 10.0                              # size of the flip-flop noise on every gradient
LAM, PAPER_DECAY = 0.1, 0.003             # λ (torch form); shrink per step (paper form)
rates = np.array([0.02, 0.05, 0.1])
rules = {f"Adam + L2 (λ = {LAM:g})": Adam(lr=rates, weight_decay=LAM),
         f"AdamW, torch form (λ = {LAM:g})": AdamW(lr=rates, weight_decay=LAM),
         f"AdamW, paper form (decay {PAPER_DECAY:g} per step)":
             AdamW(lr=rates, weight_decay=PAPER_DECAY / rates)}
derived_rest = dict(zip(rules, [np.full(rates.size, a * c / (a + LAM)),
                                decoupled_rest_point(np.full(rates.size, LAM), noise=SIGMA),
                                decoupled_rest_point(PAPER_DECAY / rates, noise=SIGMA)]))
flip = SIGMA * (-1.0) ** np.arange(1, T + 1)
rest_paths = {}
for name, opt in rules.items():
    x, path = np.zeros(rates.size), [np.zeros(rates.size)]
    for t in range(T):
        x = opt.step(x, a * (x - c) + flip[t])
        path.append(x)
    rest_paths[name] = np.array(path)

# %%
fig, axes = plt.subplots(1, len(rules), figsize=(5 * len(rules), 4), layout="constrained",
                         sharey=True)
for ax, (name, path) in zip(axes, rest_paths.items()):
    for i, rate in enumerate(rates):
        ax.plot(path[:, i], label=f"η = {rate:g}", markevery=500, **style(i))
        ax.axhline(derived_rest[name][i], color="black", linestyle=":", linewidth=1)
    ax.set(xlabel="step t", title=name, ylim=(0, 1))
    ax.legend(fontsize=8, loc="lower right", title="dotted: derived rest point",
              title_fontsize=8)
axes[0].set_ylabel("x (the loss's minimum is at 1)")
plt.show()

# %%
for name, path in rest_paths.items():
    measured = path[-1000:].mean(axis=0)
    print(f"{name:42s} rests at {np.array2string(measured, precision=3)} "
          f"(derived {np.array2string(derived_rest[name], precision=3)})")
    claim(bool(np.allclose(measured, derived_rest[name], rtol=0.005)),
          f"{name}: every run rests on its derived point, to within 0.5 %",
          measured=np.array2string(measured, precision=4))
l2_rest, torch_rest, paper_rest = (path[-1000:].mean(axis=0) for path in rest_paths.values())
claim(np.ptp(l2_rest) < 0.005 and np.ptp(torch_rest) < 0.005, "for Adam + L2 and torch's "
      "AdamW the rate changes the rest point by less than 0.005",
      measured=f"spreads {np.ptp(l2_rest):.4f} and {np.ptp(torch_rest):.4f}")
claim(np.ptp(paper_rest) > 0.3, "in the paper's form the rate moves the rest point by more "
      "than 0.3", measured=f"spread {np.ptp(paper_rest):.3f}")

# %% [markdown]
# Every run settles on its derived point to within 0.5 %. For Adam + L2 and for torch's
# AdamW the learning rate changes how *fast* $x$ gets there, not *where*; in the paper's
# form it changes where. And AdamW's rest point (0.50) is much closer to 0 than Adam + L2's
# (0.91) for the same $\lambda$, because its decay is not divided by $\sigma = 10$.
#
# **A prediction for networks.** If a network behaved like this toy, the best $\lambda$
# would not depend on $\eta$ for Adam + L2 *nor* for torch's AdamW, while the best
# paper-style decay would move with $\eta$. Section 6 tests the first half on a network
# (the second is exercise 4).
#
# ## 5. Explore
#
# The two-parameter experiment of sections 1 and 2 with sliders: the learning rate, the
# weight decay and the ratio $s_1/s_2$ of the gradient scales (all on log scales). Left:
# the four paths; right: the measured shrink per step of each parameter (dots) and the
# derived one (bars). Things to try: ratio 1 (both rules agree); ratio $10^3$ or more
# (parameter 2 falls off a cliff with L2, and the formula $\eta\lambda/s$ stops holding);
# a large $\lambda$ with a small ratio.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = DecayExplorer(lr=1e-2, weight_decay=1e-3, ratio=20.0)
explorer.widget()

# %% [markdown]
# The explorer's default view, as a static figure (what the saved notebook and the
# handouts show):

# %%
explorer.static_figure()
plt.show()
summary = explorer.summary
print(f"shrink per step, Adam + L2: {summary['adam_l2_decay'][0]:.2e} and "
      f"{summary['adam_l2_decay'][1]:.2e}; AdamW: {summary['adamw_decay'][0]:.2e} and "
      f"{summary['adamw_decay'][1]:.2e}")
claim(bool(np.isclose(summary["adam_l2_ratio"], explorer.settings["ratio"], rtol=0.01)),
      "with Adam + L2 parameter 2 shrinks `ratio` times as fast as parameter 1, to within 1 %",
      measured=f"{summary['adam_l2_ratio']:.2f} against ratio {explorer.settings['ratio']:g}")

# %% [markdown]
# ## 6. Experiment: does decoupling separate the learning rate from the weight decay?
#
# **The claim.** Loshchilov and Hutter (2019) report that with decoupled decay the best
# weight decay depends much less on the learning rate than with L2, so the two can be
# tuned one at a time (their CIFAR-10 experiments: a 26 2x64d ResNet with batch
# normalisation, 100 epochs). Section 4 predicts something else for a problem like our
# toy. We measure.
#
# **Set-up.** Handwritten digits (scikit-learn's `load_digits`: 1797 images of 8 × 8
# pixels, 10 classes), standardised; a stratified 70/30 train/validation split with
# `random_state=0`. An MLP with one hidden layer of 32 ReLU units, batches of 64,
# 12 epochs (a small budget, so that the whole grid runs in seconds). A 6 × 6 grid:
# six learning rates from $10^{-3}$ to $10^{-1}$ for both methods, and six weight decays
# half a decade apart for each. The two $\lambda$ are different quantities (an L2
# coefficient; a shrink per step divided by $\eta$), so each method gets its own range,
# placed so that its best cell lies inside it (checked below). Everything else is
# torch's default. Each cell is the validation loss (cross-entropy) after the last
# epoch, averaged over five seeds (the initial weights and the batch order).

# %%
SPLIT_SEED = 0                       # the train/validation split
SEEDS = (0, 1, 2, 3, 4)              # initial weights and batch order, one run per seed
EPOCHS, BATCH, HIDDEN = 12, 64, (32,)
lrs = np.logspace(-3, -1, 6)
WEIGHT_DECAYS = {"Adam + L2": np.logspace(-4, -1.5, 6), "AdamW": np.logspace(-2, 0.5, 6)}
X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, stratify=y,
                                                  random_state=SPLIT_SEED)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
data = (X_train, y_train, X_val, y_val)
setup = {"hidden_layer_sizes": HIDDEN, "epochs": EPOCHS, "batch_size": BATCH,
         "random_states": SEEDS}
grids = {name: decay_grid(cls, *data, lrs, WEIGHT_DECAYS[name], **setup)
         for name, cls in [("Adam + L2", Adam), ("AdamW", AdamW)]}

# %% [markdown]
# `decay_grid` trains all 36 cells of a seed at once (one optimizer with an array of
# learning rates and weight decays), but each cell is an ordinary fit. Checked for one
# cell against `MLPClassifier`:

# %%
i_lr, i_wd = 2, 2                                          # the cell checked, second seed
clf = MLPClassifier(hidden_layer_sizes=HIDDEN, batch_size=BATCH, max_iter=EPOCHS,
                    optimizer=AdamW(lr=lrs[i_lr], weight_decay=WEIGHT_DECAYS["AdamW"][i_wd]),
                    random_state=SEEDS[1])
clf.fit(X_train, y_train, validation_data=(X_val, y_val))
cell = grids["AdamW"].validation_loss[1, :, i_lr, i_wd]
claim(bool(np.allclose(clf.validation_loss_curve_, cell, rtol=1e-9, atol=0)),
      f"MLPClassifier gives the grid cell's validation loss at all {EPOCHS} epochs, to 1e-9")
print(f"MLPClassifier and the grid's cell: the same validation loss at all {EPOCHS} epochs "
      f"(to 1e-9), final {cell[-1]:.4f}")

# %% [markdown]
# The two grids, on one colour scale. Each cell shows its validation loss; the white
# outline marks, for each learning rate (column), the weight decay with the lowest loss.
# If the two hyperparameters were separable, the outlines would form a horizontal row.

# %%
finite = np.concatenate([g.final_loss[np.isfinite(g.final_loss)] for g in grids.values()])
fig, axes = plt.subplots(1, 2, figsize=(14, 5), layout="constrained")
for ax, (name, grid) in zip(axes, grids.items()):
    plot_decay_grid(ax, grid, limits=(finite.min(), finite.max()),
                    title=f"{name}: validation loss over η × λ (★ best cell)")
plt.show()

# %%
adam_grid, adamw_grid = grids.values()
print(f"{'lr':>8s}   {'Adam + L2: best λ':>18s} {'loss':>6s}   {'AdamW: best λ':>14s} {'loss':>6s}")
for i, rate in enumerate(lrs):
    print(f"{rate:8.4f}   {adam_grid.best_weight_decays()[i]:18.5f} "
          f"{adam_grid.row_best_loss()[i]:6.3f}   {adamw_grid.best_weight_decays()[i]:14.4f} "
          f"{adamw_grid.row_best_loss()[i]:6.3f}")
for name, grid in grids.items():
    best_index = grid.best_wd_index()[np.argmin(grid.row_best_loss())]
    inside = 0 < best_index < grid.weight_decays.size - 1
    claim(inside and not grid.diverged.any(), f"{name}: the best cell's λ lies inside the grid, "
          "and no cell diverged", measured=grid.best())

# %% [markdown]
# **Quantify.** For each method: the best-$\lambda$ index of each learning rate (grid
# steps are half a decade), its spread (largest minus smallest index) over all six
# rates and over the rates that *train* (best loss within twice the grid's best), and
# the correlation between $\log\eta$ and $\log\lambda^*$.

# %%
stats = {}
for name, grid in grids.items():
    index, trains = grid.best_wd_index(), grid.rows_that_train()
    stats[name] = {"spread": int(np.ptp(index)), "spread_training": int(np.ptp(index[trains])),
                   "correlation": np.corrcoef(np.log(lrs), np.log(grid.best_weight_decays()))[0, 1]}
    print(f"{name:9s} best-λ index per lr {index}, rows that train {trains.astype(int)}: "
          f"spread {stats[name]['spread']} (all), {stats[name]['spread_training']} "
          f"(training rows); corr(log η, log λ*) = {stats[name]['correlation']:.2f}")
adam_stats, adamw_stats = stats.values()
claim(all(g.rows_that_train().sum() >= 3 and stats[n]["spread_training"] <= 1
          for n, g in grids.items()), "for both methods at least three rates train, and "
      "over those rates the best λ moves by at most one grid step", measured=stats)
claim(adamw_stats["spread"] > adam_stats["spread"]
      and adamw_stats["correlation"] > adam_stats["correlation"] > 0.3,
      "over all six rates AdamW's best λ moves more than Adam + L2's (a larger spread and "
      "a larger correlation with η, both above 0.3)", measured=stats)
claim(all(np.ptp(g.final_loss[0, :3]) < 0.005 and g.best_wd_index()[0] <= 1
          and g.best_wd_index()[-1] == g.weight_decays.size - 2 and g.final_loss[-1, 0] > 1
          for g in grids.values()),
      "at the smallest rate the three smallest λ lie within 0.005 and one of the two "
      "smallest is best; at the largest rate the second largest λ is best and the smallest "
      "ends above 1", measured={n: g.best_wd_index().tolist() for n, g in grids.items()})

# %% [markdown]
# **Result.** Where training works, both methods' best $\lambda$ stays within one grid
# step (half a decade) as $\eta$ changes: *both* are already nearly separable, as
# section 4 predicted for the rest points. At the edges of the grid the best $\lambda$
# moves for both, and in the same direction. The smallest rate is still under-fitted
# after 12 epochs: there the three smallest $\lambda$ give losses within 0.005 of each
# other and the best is one of the two smallest. The largest rate prefers the second
# largest $\lambda$: with the smallest $\lambda$ its runs end with a loss above 1, and a
# strong decay keeps them in check. Over all six
# rates AdamW's best $\lambda$ is *not* more stable than Adam + L2's (larger spread and
# correlation, printed above). **On this network we do not see the separation the paper
# reports**. A batch-normalised ResNet trained for 100 epochs is a different regime,
# and section 4 shows that which form of decay is "separable" depends on how $\lambda$ is
# scaled with $\eta$. What we do see is below.

# %%
best_cells = {}   # method -> (mean loss, mean accuracy, per-seed loss at that cell,
                  #            each seed's own best loss over the grid)
for name, grid in grids.items():
    i, j = np.unravel_index(np.argmin(np.where(grid.diverged, np.inf, grid.final_loss)),
                            grid.final_loss.shape)
    own_best = grid.validation_loss[:, -1].reshape(len(SEEDS), -1).min(axis=1)
    best_cells[name] = (grid.best()["loss"], grid.validation_accuracy[:, -1, i, j].mean(),
                        grid.validation_loss[:, -1, i, j], own_best)
    print(f"{name:9s} best cell: validation loss {best_cells[name][0]:.3f}, accuracy "
          f"{best_cells[name][1]:.1%}")
adam_best, adamw_best = best_cells.values()
at_cells = paired(adamw_best[2], adam_best[2])
own = paired(adamw_best[3], adam_best[3])
print(f"at the two best cells, AdamW against Adam + L2: {at_cells}\n"
      f"each seed's own best cell, AdamW against Adam + L2: {own}")
claim(adamw_best[0] < adam_best[0] - 0.01, "averaged over the seeds, AdamW's best cell has a "
      "validation loss lower by more than 0.01",
      measured=f"{adamw_best[0]:.4f} against {adam_best[0]:.4f}")
claim(at_cells.wins >= len(SEEDS) - 1 and own.undecided, "at the two best cells AdamW is "
      "lower on all seeds but at most one; taking each seed's own best cell, neither method "
      "is lower on every seed", measured=f"{at_cells}; {own}")
claim(abs(adamw_best[1] - adam_best[1]) < 0.005, "the two best cells' accuracies lie within "
      "half a percentage point", measured=f"{adamw_best[1]:.2%} and {adam_best[1]:.2%}")

# %% [markdown]
# Averaged over the five seeds, AdamW's best cell has a validation loss lower by more
# than 0.01 than Adam + L2's, and at those two cells AdamW is lower on four seeds of five.
# But let each seed pick its own best cell and the lead is not consistent (three seeds
# of five, printed above), and the two best cells' accuracies are within half a
# percentage point of each other. One dataset, one split, a small network: a hint in
# favour of AdamW as the adaptive choice, not a proof.
#
# ## 7. Pitfalls and practice
#
# **1. Adam(weight_decay=...) is L2.** In `alr_teach` and in `torch.optim.Adam`,
# `weight_decay` is added to the gradient (sections 1-2): the rarely-updated weights are
# decayed hardest and the frequently-updated ones hardly at all. If you want weight decay,
# use AdamW.
#
# **2. torch and Keras multiply the decay by the learning rate.** Their AdamW shrinks by
# $1 - \eta_t\lambda$ at step $t$: the full rate times $\lambda$. So a schedule on
# $\eta$ schedules the decay too (a cosine schedule gives about half the total decay of a
# constant rate), and changing the base rate $\eta_0$ changes the decay in proportion.
# The paper multiplies $\lambda$ by the schedule's multiplier $\eta_t/\eta_0$ only: the
# decay follows the schedule's shape but stays put when you change $\eta_0$. To get the
# paper's form in torch (or here), pass `weight_decay` $= \lambda/\eta_0$. With zero
# gradients, so that only the decay acts, over a 500-step cosine schedule:

# %%
T_cos, lam_torch, lam_paper = 500, 0.1, 2e-4
multiplier = cosine(np.arange(T_cos), lr=1.0, T_max=T_cos)        # η_t / η_0


def untouched(opt):
    """What is left of a weight of size 1 after T_cos steps with no gradient."""
    x = np.ones(1)
    for _ in range(T_cos):
        x = opt.step(x, np.zeros(1))
    return x[0]


kept = {}
for base_lr in (1e-3, 1e-2):
    schedule = partial(cosine, lr=base_lr, T_max=T_cos)
    kept[base_lr] = {
        "torch form, constant rate": untouched(AdamW(lr=base_lr, weight_decay=lam_torch)),
        "torch form, cosine": untouched(Scheduled(AdamW(lr=base_lr, weight_decay=lam_torch),
                                                  lr=schedule)),
        "paper form, cosine": untouched(Scheduled(AdamW(lr=base_lr,
                                                        weight_decay=lam_paper / base_lr),
                                                  lr=schedule)),
    }
    print(f"η_0 = {base_lr:g}: " + ", ".join(f"{k} {v:.4f}" for k, v in kept[base_lr].items()))

# %%
low, high = kept[1e-3], kept[1e-2]
claim(bool(np.isclose(low["torch form, cosine"],
                      np.prod(1 - 1e-3 * multiplier * lam_torch), rtol=1e-12)),
      "in torch's form the weight keeps the product of 1 − η_t λ over the steps")
halved = np.log(low["torch form, cosine"]) / np.log(low["torch form, constant rate"])
claim(bool(np.isclose(halved, 0.5, rtol=0.01)), "the cosine schedule halves the total decay "
      "of a constant rate (to 1 %)", measured=f"{halved:.3f}")
tenfold = np.log(high["torch form, cosine"]) / np.log(low["torch form, cosine"])
claim(bool(np.isclose(tenfold, 10, rtol=0.01)), "in torch's form ten times the base rate "
      "gives ten times the decay (to 1 %)", measured=f"{tenfold:.3f}")
paper_kept = np.prod(1 - multiplier * lam_paper)
claim(all(np.isclose(both["paper form, cosine"], paper_kept, rtol=1e-12) for both in (low, high)),
      "in the paper's form the weight keeps the same share whatever the base rate",
      measured=[f"{both['paper form, cosine']:.6f}" for both in (low, high)])

# %% [markdown]
# A tenfold base rate means a tenfold decay in torch's form (printed above: the weight
# keeps 0.78 instead of 0.98 under the cosine schedule), and no change in the paper's
# form. Whichever form a
# paper or a codebase uses, $\lambda$ values carry over only within that form.
#
# %% [markdown]
# **3. The defaults differ.** torch's AdamW (and `alr_teach.AdamW`) defaults to
# $\lambda = 10^{-2}$, Keras's to $0.004$. Both are multiplied by $\eta$, so at the usual
# $\eta = 10^{-3}$ the decay is tiny:

# %%
torch_default = inspect.signature(AdamW).parameters["weight_decay"].default
for name, default in [("torch / alr_teach", torch_default), ("Keras", 0.004)]:
    kept = (1 - 1e-3 * default) ** 10_000
    print(f"{name:17s} λ = {default:g}: at η = 1e-3, 10 000 steps leave an untouched weight "
          f"at {kept:.3f}")
print(f"best λ on the digits MLP (section 6): {adamw_grid.best()['weight_decay']:.2f}")
claim(adamw_grid.best()["weight_decay"] >= 10 * torch_default, "the best AdamW λ on the MLP "
      "is at least ten times torch's default", measured=adamw_grid.best()["weight_decay"])

# %% [markdown]
# On our MLP the best AdamW $\lambda$ was at least ten times torch's default: treat the
# default as a starting point for a sweep, not as a tuned value.
#
# **4. Which arrays to decay.** `MLPClassifier`'s own `alpha` (scikit-learn's L2 penalty)
# penalises the weight matrices only, with scikit-learn's scaling: `alpha / B` times $W$
# is added to the weight gradients of a batch of $B$ samples, so `alpha` $= \lambda B$
# matches L2 $\lambda$ on full batches. An optimizer's `weight_decay` applies to *every*
# array it is given: weights, biases and batch-norm scales alike (torch users exclude
# biases and norms with parameter groups). Checked, then measured: AdamW rerun at
# $\eta = 0.016$ (a rate at which it trains well, section 6) with the 42 biases left
# undecayed, same seeds and cells.

# %%
net = mlp.init_network([64, 32, 10], rng)
batch = X_train[:64], y_train[:64]
_, plain, _ = mlp.loss_and_gradients(net, *batch)
_, with_alpha, _ = mlp.loss_and_gradients(net, *batch, alpha=1e-3 * 64)
claim(all(np.allclose(gw, gp + 1e-3 * W, rtol=1e-12, atol=1e-15)
          for gw, gp, W in zip(with_alpha.coefs, plain.coefs, net.coefs))
      and all(np.array_equal(a, b) for a, b in zip(with_alpha.intercepts, plain.intercepts)),
      "alpha = λB adds λW to the weights' gradients of a batch of B samples and leaves the "
      "biases' gradients alone")

row = 3                                                     # η = lrs[3] ≈ 0.016
weights_only = decay_grid(AdamW, *data, lrs[[row]], adamw_grid.weight_decays,
                          decay_biases=False, **setup)
bias_effect = weights_only.final_loss[0] - adamw_grid.final_loss[row]
for wd_value, effect in zip(adamw_grid.weight_decays, bias_effect):
    print(f"λ = {wd_value:6.4f}: loss(biases not decayed) − loss(all decayed) = {effect:+.4f}")

# %%
at_best = adamw_grid.best_wd_index()[row]
claim(bool(np.all(np.abs(bias_effect[:at_best + 1]) < 0.005)), "up to the best λ of that "
      "rate, sparing the biases changes the validation loss by less than 0.005",
      measured=f"largest change {np.abs(bias_effect[:at_best + 1]).max():.4f}")
claim(bias_effect[-1] < 0, "at the strongest decay, sparing the biases lowers the loss",
      measured=f"{bias_effect[-1]:+.4f}")

# %% [markdown]
# Here it hardly matters: up to the best $\lambda$ of that rate, decaying the 42 biases or
# not changes the validation loss by less than 0.005. Only at the strongest decay does
# sparing the biases help a little. In a network with batch normalisation, decaying its
# scales is a bigger decision (they set the size of a whole layer's output); measure it
# there.
#
# **Practice.**
# - Use AdamW, not Adam with `weight_decay`, when you want weight decay.
# - Tune $\lambda$ with a sweep, as for $\eta$; in torch's form, the best $\lambda$ here
#   held across the learning rates that trained well.
# - When you change the schedule, remember that the decay follows it; when you port
#   between libraries or from a paper, check whether $\lambda$ is multiplied by $\eta$.
#
# ## Summary
#
# - For SGD, L2 in the gradient and decoupled weight decay are the same update; for Adam
#   they are not, because the L2 term is divided by $\sqrt{\hat v}$.
# - Adam + L2 shrinks weight $i$ by about $\eta\lambda/s_i$ per step (20 times faster for
#   gradients 20 times smaller, and a sign descent to 0 for weights that hardly get any
#   gradient); AdamW shrinks every weight by $\eta\lambda$.
# - At rest, Adam + L2 sits at the minimum of $f + \frac{\lambda}{2}\lVert x\rVert^2$ and
#   AdamW acts like an L2 of strength $\lambda \times$ (gradient scale); in both, $\eta$
#   drops out, but not in the paper's per-step form.
# - On the digits MLP the best $\lambda$ hardly moved with $\eta$ for *either* method;
#   AdamW's best cell was better on average over five seeds, though not on every seed.
# - torch and Keras multiply the decay by $\eta$ (a schedule schedules it), their defaults
#   differ, and an optimizer decays every array it is given.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
# **Predict, then run:**
# 1. In the explorer, set the ratio to 1. What ratio of shrink rates do you expect for
#    Adam + L2? Then set it to $10^4$: what happens to parameter 2, and why does the
#    formula $\eta\lambda/s$ fail?
# 2. In section 4, lower the noise to $\sigma = 1$ (`SIGMA = 1.0`). Which rest points move,
#    and which rule's rest point stays exactly where it was?
# 3. Rerun the sweep with other seeds, `SEEDS = (5, 6, 7, 8, 9)`, or with another split,
#    `SPLIT_SEED = 1`. Does AdamW's best cell stay ahead?
# 4. Run the AdamW grid in the paper's form, where λ is the shrink per step: in a new cell
#    after section 6's grids, `paper = decay_grid(AdamW, *data, lrs, np.logspace(-5, -1, 9),
#    lr_scaled_decay=False, **setup)`, then print `paper.best_weight_decays()`. Section 4
#    predicts that the best λ grows with η. Does it?
#
# **Previous:** [07 · The arena](07_arena.ipynb).
# **Next:** [09 · Schedules](09_schedules.ipynb).
#
# **Further reading:** Loshchilov & Hutter, *Decoupled Weight Decay Regularization*,
# ICLR (2019), the AdamW paper; Krogh & Hertz, *A Simple Weight Decay Can Improve
# Generalization*, NIPS 4 (1992); Zhang, Wang, Xu & Grosse, *Three Mechanisms of Weight
# Decay Regularization*, ICLR (2019), on why decay matters with batch normalisation.
