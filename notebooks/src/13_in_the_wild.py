# %% [markdown]
# # 13 · In the wild: language, vision, reinforcement learning and games, in miniature
#
# Courses on optimizers often end with a tour of the field: language models train
# with AdamW; vision networks often train with SGD and momentum, and adaptive methods are
# used to fine-tune them; adaptive optimizers stabilise reinforcement learning; GANs
# benefit from their smoother updates. Those are statements about training runs that
# cost thousands of GPU-hours, which no notebook can repeat. What a notebook *can* do is
# build a real, tiny version of each workload, run it in seconds on a CPU, and ask what
# the tiny version says. It can refute an "always", and it can show a mechanism at work;
# it cannot confirm what happens at scale. Each section below says which of these it did.
#
# **Learning objectives.** By the end of this notebook you can
# - *build* four tiny workloads: a character-level language model, a digit classifier
#   fine-tuned from a pre-trained network, a policy-gradient agent on a bandit whose
#   rewards drift, and two minimax games (the bilinear game and a 1-D GAN);
# - *compare* optimizers on each with a disclosed protocol: tuned rates, several seeds,
#   what was held fixed;
# - *derive* why simultaneous gradient descent-ascent spirals away from the equilibrium
#   of $f(x, y) = xy$, and predict how momentum, alternation and optimism change that;
# - *explain* what an adaptive optimizer changes in each workload: invariance to the
#   reward scale, steps bounded by the rate, a leash on pre-trained weights;
# - *judge* which of these four claims of the field a tiny version supports, and
#   which it cannot test.
#
# **Prerequisites:** [05 · Adam](05_adam.ipynb), [08 · Weight decay](08_weight_decay.ipynb)
# and [10 · Real data](10_real_data.ipynb) (the fair-comparison protocol reused here).
# **Time:** about 60 minutes. Notation: [docs/notation.md](../docs/notation.md).

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, Adam, AdamW, RMSProp
from alr_teach.course.claims import claim, paired
from alr_teach.lab.benchmarking import Spread, compare_optimizers
from alr_teach.lessons.in_the_wild.bandits import (
    DriftingBandit,
    entropy_gradient,
    plot_policy_sweep,
    policy,
    reinforce_gradient,
    sample_arms,
    sweep_policy,
)
from alr_teach.lessons.in_the_wild.fine_tuning import (
    accuracy,
    fine_tune,
    make_transfer_task,
    pretrain,
    with_head,
    with_new_head,
)
from alr_teach.lessons.in_the_wild.gans import (
    BilinearGame,
    GameExplorer,
    Mixture,
    growth_factor,
    mode_shares,
    play,
    play_method,
    plot_game,
    train_gans,
)
from alr_teach.problems import mlp
from alr_teach.problems.char_model import (
    bits_per_char,
    fit_char_model,
    load_corpus,
    make_char_data,
    sample_text,
)
from alr_teach.problems.datasets import load_split
from alr_teach.viz.plots import style

rng = np.random.default_rng(13)  # seeded: every number below is reproducible
started = time.perf_counter()  # for the total run time, printed at the end

# %% [markdown]
# ## 1. Language: a character model trained on this course's own text
#
# A language model reads text and predicts what comes next. GPT-style models predict the
# next *token* (a word piece) from thousands of previous ones, with billions of weights.
# Ours predicts the next *character* from the previous six, with one hidden layer of 64
# units, and it learns from a 6 KB essay that ships with the package: an essay on walking
# down a mountain in fog, this course's metaphor.
#
# **The model.** Number the characters of the text $0, \dots, V-1$. A window of six
# characters becomes six one-hot vectors side by side, $u \in \{0, 1\}^{6V}$. The network
# is the course's MLP ([notebook 10](10_real_data.ipynb)) with the characters as classes:
#
# $$p(c \mid u) = \mathrm{softmax}\big(W_2\, \mathrm{relu}(W_1 u)\big)_c,
# \qquad f(x) = -\frac{1}{n}\sum_{i=1}^n \log p(c_i \mid u_i),$$
#
# with the biases left out of the formula (the network has them), $x$ all the weights and
# $c_i$ the character that follows window $u_i$.
#
# Because $u$ is one-hot, $W_1 u$ adds up one column of $W_1$ per (position, character):
# the first layer is a table of learned vectors, an *embedding*, and its gradient is zero
# for every (position, character) pair that does not occur in a batch. We report the
# loss in **bits per character**, $f/\ln 2$: a uniform guess over $V$ characters costs
# $\log_2 V$ bits.
#
# The windows, built inline with numpy, are exactly what the package feeds the model. The
# last 10 % of the essay is held out: the model is scored on text it never saw.

# %%
CONTEXT, VAL_FRACTION = 6, 0.1       # characters seen; share of the essay held out
text = load_corpus()
data = make_char_data(text, context=CONTEXT, val_fraction=VAL_FRACTION)
ids = data.encode(text)
windows = np.lib.stride_tricks.sliding_window_view(ids[:-1], CONTEXT)  # (n, CONTEXT)
one_hot = np.eye(data.vocab_size)[windows].reshape(len(windows), -1)   # (n, CONTEXT V)
n_train = len(data.y_train)
claim(np.array_equal(one_hot[:n_train], data.X_train)
      and np.array_equal(ids[CONTEXT:CONTEXT + n_train], data.y_train),
      "the windows and next characters built here are exactly the package's training data")

counts = np.bincount(data.y_train, minlength=data.vocab_size) + 1.0  # add-one smoothing
unigram = -np.mean(np.log2(counts[data.y_val] / counts.sum()))
print(f"{len(text)} characters, alphabet of {data.vocab_size}: {data.alphabet!r}")
print(f"{n_train} training windows, {len(data.y_val)} validation windows")
print(f"uniform guess {np.log2(data.vocab_size):.2f} bits/char; character frequencies alone "
      f"(no context) {unigram:.2f} bits/char on the held-out text")
claim(unigram < np.log2(data.vocab_size) - 0.5, "character frequencies alone beat a uniform "
      "guess by more than 0.5 bits/char on the held-out text",
      measured=f"{unigram:.2f} against {np.log2(data.vocab_size):.2f}")

# %% [markdown]
# ## 2. Adam with L2 or AdamW for the language model
#
# Large language models (BERT, GPT and their successors) are trained with **AdamW**:
# Adam with *decoupled* weight decay. [Notebook 08](08_weight_decay.ipynb) derived the
# difference: L2 inside Adam adds $\lambda x$ to the gradient, which Adam then divides by
# $\sqrt{\hat v_t}$, so a weight with large gradients is barely decayed; AdamW shrinks
# every weight by the same factor $1 - \eta\lambda$ before the Adam step:
#
# $$\text{Adam + L2:}\ g_t \leftarrow g_t + \lambda x_{t-1}, \qquad
# \text{AdamW:}\ x_t = (1-\eta\lambda)\,x_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t}
# + \epsilon}.$$
#
# Does the choice matter for our language model? **Protocol** (held fixed for both, set in
# the next cell): $\eta = 0.01$, batches of 256, 12 epochs, 64 hidden units, context 6.
# Each method's
# $\lambda$ is chosen from its own grid (L2's $\lambda$ and AdamW's $\lambda$ have
# different scales, so the grids differ; each has a worse value on both sides of the one
# it chooses) by the final validation loss with seed 0; then
# three other seeds (1-3) are trained at the chosen $\lambda$. Two results differ only if
# their ranges over the seeds do not overlap.

# %%
CHAR_LR, HIDDEN, EPOCHS, BATCH = 0.01, 64, 12, 256
TUNE_SEED, CHAR_SEEDS = 0, (1, 2, 3)     # λ chosen with seed 0, then judged on seeds 1-3


def char_run(optimizer, seed):
    clf = fit_char_model(optimizer, data, hidden=HIDDEN, epochs=EPOCHS, batch_size=BATCH,
                         seed=seed)
    return clf, bits_per_char(np.array(clf.validation_loss_curve_))


decay_grids = {
    "Adam + L2": (lambda lam: Adam(lr=CHAR_LR, weight_decay=lam), [1e-4, 3e-4, 1e-3, 3e-3]),
    "AdamW": (lambda lam: AdamW(lr=CHAR_LR, weight_decay=lam), [0.1, 0.3, 1.0]),
}
no_decay_model, no_decay_curve = char_run(Adam(lr=CHAR_LR), seed=TUNE_SEED)
tuned_decay, inside = {}, []
for name, (make, grid) in decay_grids.items():
    finals = [char_run(make(lam), seed=TUNE_SEED)[1][-1] for lam in grid]
    tuned_decay[name] = grid[int(np.argmin(finals))]
    inside.append(grid[0] < tuned_decay[name] < grid[-1])
    cells = "  ".join(f"λ={lam:g}: {bits:.3f}" for lam, bits in zip(grid, finals))
    print(f"{name:9s} {cells}   -> λ = {tuned_decay[name]:g}")
claim(all(inside), "each method's chosen λ has a worse value on both sides in its grid",
      measured=tuned_decay)
print(f"no decay  final validation {no_decay_curve[-1]:.3f} bits/char "
      f"(lowest {no_decay_curve.min():.3f}, at epoch {no_decay_curve.argmin() + 1})")

# %%
seed_runs = {name: [char_run(decay_grids[name][0](tuned_decay[name]), seed)
                    for seed in CHAR_SEEDS] for name in decay_grids}
spreads = {name: Spread.of([curve[-1] for _, curve in runs]) for name, runs in seed_runs.items()}
for name, spread in spreads.items():
    print(f"{name:9s} λ = {tuned_decay[name]:g}: final validation bits/char over seeds "
          f"{', '.join(map(str, CHAR_SEEDS))}: {spread.show()}")
curves = {name: np.array([curve for _, curve in runs]) for name, runs in seed_runs.items()}
gap = curves["Adam + L2"].mean(axis=0) - curves["AdamW"].mean(axis=0)     # per epoch
apart = curves["Adam + L2"].min(axis=0) > curves["AdamW"].max(axis=0)    # ranges separate
print("mean gap (Adam + L2 minus AdamW) per epoch:",
      np.array2string(gap, precision=3, max_line_width=120))
print(f"epochs at which the seeds' ranges do not overlap: {np.flatnonzero(apart) + 1}")
l2_spread, adamw_spread = spreads["Adam + L2"], spreads["AdamW"]
claim(np.all(gap[:4] < 0) and gap[-1] > 0, "the mean curves cross: Adam + L2 is ahead in the "
      "first four epochs, AdamW at the last", measured=f"gaps {gap[0]:.3f} ... {gap[-1]:.3f}")
claim(np.abs(gap).max() < 0.05 and l2_spread.overlaps(adamw_spread),
      "the mean gap stays under 0.05 bits/char, and the ranges overlap at the last epoch",
      measured=f"largest gap {np.abs(gap).max():.3f}")
claim(apart.sum() <= 2, "the seeds' ranges separate at two epochs at most",
      measured=f"{apart.sum()} of {EPOCHS} epochs")
claim(max(l2_spread.high, adamw_spread.high) < no_decay_curve[-1],
      "either form of decay ends below the run without decay",
      measured=f"{max(l2_spread.high, adamw_spread.high):.3f} against {no_decay_curve[-1]:.3f}")
claim(no_decay_curve[-1] > no_decay_curve.min() + 0.05, "without decay the validation loss "
      "ends more than 0.05 bits/char above its lowest: it overfits",
      measured=f"{no_decay_curve[-1] - no_decay_curve.min():.3f}")

# %%
fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
epochs = np.arange(1, EPOCHS + 1)
shown = {f"no decay (seed {TUNE_SEED})": no_decay_curve,
         **{f"{name}, λ = {tuned_decay[name]:g} (seed {CHAR_SEEDS[0]})": seed_runs[name][0][1]
            for name in decay_grids}}
for i, (label, curve) in enumerate(shown.items()):
    ax.plot(epochs, curve, label=label, markersize=4, **style(i))
ax.plot(epochs, bits_per_char(np.array(no_decay_model.loss_curve_)), color="0.5",
        linestyle=":", label="no decay: training loss (mean over the epoch)")
ax.axhline(unigram, color="black", linestyle="--", linewidth=1,
           label="character frequencies alone")
ax.set(xlabel="epoch", ylabel="bits per character", ylim=(1.5, 4.5),
       title="Character model on held-out text: validation loss per epoch")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# What the run shows:
#
# - **Weight decay matters on a small corpus.** Without it the model memorises the
#   training text: its training loss keeps falling while the validation loss turns up
#   after a few epochs. Either form of decay holds it back.
# - **Decoupled or not made little difference, and which one is ahead depends on when
#   you stop.** At their tuned $\lambda$ the two mean curves cross: Adam + L2 is ahead
#   in the first epochs, AdamW at the end, and the gap never reaches 0.05 bits per
#   character (under 2 %). The three seeds' ranges overlap at the last epoch and
#   separate at one or two epochs at most (printed above). So our tiny model does not show the
#   advantage the field's choice might suggest, and it cannot test it either: the
#   reasons given for AdamW (decay that does not depend on the gradient history;
#   $\lambda$ that can be set apart from $\eta$, [notebook 08](08_weight_decay.ipynb))
#   matter most over long training with schedules, which a 12-epoch run does not have.
#   The claim itself is a statement of practice (what the large models' papers used), not of
#   measured superiority.
#
# What has the model learned? Samples, drawn character by character from its predicted
# probabilities (seeded, so the text is the same on every run), after the prompt
# "the fog ":

# %%
for name, runs in seed_runs.items():
    model = runs[0][0]
    sample = sample_text(model, data, "the fog ", 150, np.random.default_rng(0))
    print(f"{name} (seed {CHAR_SEEDS[0]}):\n  {sample!r}")
cool = sample_text(seed_runs["AdamW"][0][0], data, "the fog ", 150, np.random.default_rng(0),
                   temperature=0.5)
print(f"AdamW, temperature 0.5 (favouring likely characters):\n  {cool!r}")

# %% [markdown]
# Word-shaped fragments and real short words, spaces and full stops in sensible places,
# no grammar: what about 2.7 bits per character buys. The essay is 6 KB; a large
# language model reads more text than that by many orders of magnitude.
#
# ## 3. Vision from scratch: SGD with momentum or AdamW
#
# The first half of the vision claim: vision networks (ResNets, EfficientNets) are often trained
# with SGD and momentum. Our "vision" is scikit-learn's 8 × 8 digits, the
# network is the course's MLP, and the protocol is [notebook 10](10_real_data.ipynb)'s:
# the same splits, one rate per method chosen by validation loss with seed 0, then seeds
# 1-5 at that rate (AdamW with torch's $\lambda = 0.01$). To save time the rate grid is
# the three decades around the rates notebook 10 chose from its five, so the chosen rates
# and the seed runs are the same as there. A validation loss above 1 is shown as "> 1":
# such a run is unstable, and its exact value changes with the machine. Each seed
# trains both methods on the same data, so the two are compared seed by seed.

# %%
VISION_METHODS = ("Momentum", "AdamW")
VISION_GRID = np.logspace(-3, -1, 3)
VISION_SEEDS = (1, 2, 3, 4, 5)
TIE = 0.005                                      # accuracies closer than this count as a tie

digits = load_split("digits")
vision = compare_optimizers([digits], methods=VISION_METHODS, seeds=VISION_SEEDS,
                            grids={m: VISION_GRID for m in VISION_METHODS})
print("final validation loss per rate (seed 0), * = chosen")
for m in VISION_METHODS:
    tuning = vision.tunings["digits", m]
    cells = "  ".join(f"{lr:.0e}: {f'{loss:.3f}' if loss < 1 else '> 1':>5s}"
                      + ("*" if i == tuning.best_index else " ")
                      for i, (lr, loss) in enumerate(zip(tuning.lrs, tuning.val_loss)))
    print(f"{m:13s} {cells}")
accuracy_of = {m: np.array([r.test_accuracy for r in vision.select("digits", m)])
               for m in VISION_METHODS}
for m in VISION_METHODS:
    s = vision.summary("digits", m)
    print(f"{m:13s} lr {s['lr']:.0e}: test accuracy {s['test_accuracy'].show()}, "
          f"final train loss {s['train_loss'].mean:.1g}")
p_vision = paired(accuracy_of["AdamW"], accuracy_of["Momentum"], better="higher", tie=TIE)
print(f"test accuracy, seed by seed (tie: within {TIE}): {p_vision}")
best_rates = [vision.tunings["digits", m].best_lr for m in VISION_METHODS]
claim(all(VISION_GRID[0] < lr < VISION_GRID[-1] for lr in best_rates),
      "each method's chosen rate is inside the grid (as in notebook 10)", measured=best_rates)
claim(p_vision.wins >= 4 and p_vision.losses == 0, f"AdamW's test accuracy is higher by more "
      f"than {TIE} on at least 4 of {p_vision.n} seeds, and lower on none", measured=p_vision)
claim(min(a.min() for a in accuracy_of.values()) > 0.93, "every run scores above 0.93")

# %% [markdown]
# The ranges over five seeds just touch, but the seeds pair up: on the same data AdamW
# scored higher on four seeds and tied on the fifth; SGD with momentum was ahead on none.
# A small edge for AdamW, then, on this task and this budget. The vision practice the
# claim describes (SGD with momentum and a long schedule on ImageNet) rests on final
# accuracies after hundreds of epochs; a small MLP on 8 × 8 digits neither confirms nor
# refutes it.
#
# ## 4. Fine-tuning with a small adaptive rate
#
# In practice most vision models are not trained from scratch: a network pre-trained on
# a large data set is *fine-tuned* on a small one, usually with a small rate, often with
# an adaptive optimizer. Our version:
#
# 1. **pre-train** on the digits 0-4 (all their training images, printed below; Adam,
#    $\eta = 0.01$, 20 epochs, batches of 64);
# 2. keep its hidden layer (the *body*: 64 → 32 features) and put a fresh output layer
#    with five units on it for the digits 5-9;
# 3. **fine-tune** every weight on only **5 labelled images per new digit** (25 images),
#    100 full-batch steps.
#
# Why a *small* rate, and why does an adaptive one make that easy to set? Adam's step
# per weight is $\eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)$, and
# $|\hat m_t| / \sqrt{\hat v_t}$ is about 1 whatever the gradient's size (on the first
# step it is $|g_1|/(|g_1| + \epsilon)$). So after $T$ steps no weight has moved much
# more than $\eta T$: the rate is a **leash** on how far the pre-trained weights can
# wander, in the weights' own units. SGD's displacement is $\eta$ times the summed gradients,
# whose size nobody knows in advance.
#
# First the fine-tuning loop written out with AdamW's update in numpy, checked against
# the package's `fine_tune`:

# %%
task = make_transfer_task(digits, old_classes=(0, 1, 2, 3, 4), shots=5, seed=1)
pretrained = pretrain(task, Adam(lr=0.01), hidden=32, epochs=20, seed=0)
start = with_new_head(pretrained, 5, np.random.default_rng(1))

params, lr, lam, (beta1, beta2), eps = start.params(), 0.01, 0.01, (0.9, 0.999), 1e-8
m, v = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
for t in range(1, 11):
    _, grads, _ = mlp.loss_and_gradients(start.with_params(params), task.X_few, task.y_few)
    for i, g in enumerate(grads.params()):
        m[i] = beta1 * m[i] + (1 - beta1) * g
        v[i] = beta2 * v[i] + (1 - beta2) * g * g
        m_hat, v_hat = m[i] / (1 - beta1**t), v[i] / (1 - beta2**t)
        params[i] = (1 - lr * lam) * params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
by_package, _ = fine_tune(start, task.X_few, task.y_few, AdamW(lr=0.01), steps=10)
difference = max(np.abs(a - b).max() for a, b in zip(params, by_package.params()))
print(f"pre-trained on {len(task.y_train_old)} images of 0-4; its test accuracy on 0-4: "
      f"{accuracy(pretrained, task.X_test_old, task.y_test_old):.3f}")
print(f"fine-tuning set: {len(task.y_few)} images of 5-9; validation {len(task.y_val_new)}, "
      f"test {len(task.y_test_new)} images of 5-9")
print(f"10 AdamW fine-tuning steps, inline vs package: the same to 1e-12: {difference < 1e-12}")
claim(difference < 1e-12, "the inline AdamW loop takes the package's steps (to 1e-12)",
      measured=f"largest difference {difference:.0e}")

# %% [markdown]
# **Experiment.** Four rates one decade apart, $10^{-3}, \dots, 1$, for AdamW and for
# SGD with momentum 0.9, each run with seeds 1-5 (a seed picks the 25 images and the new
# output layer's initial weights), from the pre-trained body; and AdamW from scratch
# (a freshly initialised network) for comparison. Each method's rate is chosen by the
# mean accuracy on the new digits' validation images. (A real few-shot task has no spare
# labelled validation set larger than its training set; this luxury favours no method.)
# We measure the new digits' test accuracy, how far the body moved, and what is left of
# the old task: the *old* output layer put back on the fine-tuned body, scored on the
# old digits.

# %%
FINE_RATES = np.logspace(-3, 0, 4)
FINE_SEEDS, SHOTS, FINE_STEPS = (1, 2, 3, 4, 5), 5, 100
fine_rates = FINE_RATES
fine_methods = {"AdamW": lambda lr: AdamW(lr=lr),
                "Momentum": lambda lr: SGD(lr=lr, momentum=0.9)}
records = {}  # (method, start, rate index) -> per-seed (val, test, old, moved)
for seed in FINE_SEEDS:
    few = make_transfer_task(digits, shots=SHOTS, seed=seed)
    starts = {"pre-trained": with_new_head(pretrained, 5, np.random.default_rng(seed)),
              "scratch": mlp.init_network([64, 32, 5], np.random.default_rng(seed))}
    for method, make in fine_methods.items():
        for origin, net in starts.items():
            if method == "Momentum" and origin == "scratch":
                continue  # the question "does pre-training help" is asked with AdamW
            for k, lr in enumerate(fine_rates):
                tuned, _ = fine_tune(net, few.X_few, few.y_few, make(lr), steps=FINE_STEPS)
                records.setdefault((method, origin, k), []).append((
                    accuracy(tuned, few.X_val_new, few.y_val_new),
                    accuracy(tuned, few.X_test_new, few.y_test_new),
                    accuracy(with_head(tuned, pretrained), few.X_test_old, few.y_test_old),
                    np.abs(tuned.coefs[0] - net.coefs[0]).max()))
table = {key: np.array(rows) for key, rows in records.items()}  # (seeds, 4 measures)

# %%
chosen = {}
print(f"{'method':13s} {'start':12s} {'rate':>6s}  new digits: test accuracy, "
      f"{len(FINE_SEEDS)} seeds")
for method, origin in [("AdamW", "pre-trained"), ("AdamW", "scratch"),
                       ("Momentum", "pre-trained")]:
    k = int(np.argmax([table[method, origin, k][:, 0].mean() for k in range(len(fine_rates))]))
    chosen[method, origin] = k
    test = Spread.of(table[method, origin, k][:, 1])
    print(f"{method:13s} {origin:12s} {fine_rates[k]:6.0e}  {test.show()}")
best = {key: Spread.of(table[key[0], key[1], k][:, 1]) for key, k in chosen.items()}
claim(best["AdamW", "pre-trained"].overlaps(best["Momentum", "pre-trained"]),
      "fine-tuned with AdamW or with Momentum, the test-accuracy ranges overlap")
claim(best["AdamW", "pre-trained"].overlaps(best["AdamW", "scratch"]),
      "fine-tuned from the pre-trained body or trained from scratch, the ranges overlap")

# %%
print(f"{'rate':>6s}  {'AdamW: body moved / (η T)':>26s} {'old task kept':>14s}   "
      f"{'Momentum: moved / (η T)':>28s} {'old task kept':>14s}")
for k, lr in enumerate(fine_rates):
    cells = []
    for method in fine_methods:
        rows = table[method, "pre-trained", k]
        cells.append(f"{rows[:, 3].max() / (FINE_STEPS * lr):26.2f} {rows[:, 2].mean():14.3f}")
    print(f"{lr:6.0e}  " + "   ".join(cells))
adamw_ratio = np.array([table["AdamW", "pre-trained", k][:, 3].max() / (FINE_STEPS * lr)
                        for k, lr in enumerate(fine_rates)])
kept = {m: np.array([table[m, "pre-trained", k][:, 2].mean() for k in range(len(fine_rates))])
        for m in fine_methods}
claim(np.all(adamw_ratio < 1.5), "with AdamW no body weight moved more than 1.5 η T, at any rate",
      measured=f"largest ratio {adamw_ratio.max():.1f}")
claim(kept["AdamW"][:2].min() > 0.95 and kept["AdamW"][-1] < 0.5,
      f"AdamW at η ≤ {fine_rates[1]:g} keeps over 0.95 of the old task, at η = "
      f"{fine_rates[-1]:g} under 0.5", measured=np.round(kept["AdamW"], 2))
claim(kept["Momentum"][2] > 0.95 > kept["AdamW"][2],
      f"at η = {fine_rates[2]:g} Momentum keeps the old task (> 0.95) and AdamW does not",
      measured=f"{kept['Momentum'][2]:.2f} and {kept['AdamW'][2]:.2f}")

# %% [markdown]
# Three findings, each said as plainly as the numbers allow:
#
# - **The leash is real.** With AdamW, no body weight moved more than about $\eta T$
#   (the ratio stays below 1.5 at every rate), so choosing $\eta$ chooses how far the
#   pre-trained features may drift. At AdamW's small rates the old digits are still
#   recognised almost as well as before fine-tuning; at $\eta = 1$ most of the old task
#   is gone. That is the case for *small* adaptive rates in fine-tuning. The same
#   nominal rate means different things to the two methods: at $\eta = 0.1$ SGD with
#   momentum kept the old task and AdamW did not: SGD's steps scale with the body's
#   gradients, AdamW's do not (compare the two "moved" columns).
# - **AdamW and SGD with momentum fine-tune equally well here**: at their chosen rates
#   the ranges over five seeds overlap. Nothing here says adaptive methods fine-tune
#   *better*; they are easier to leash.
# - **Pre-training on digits 0-4 did not measurably help with digits 5-9**: the ranges
#   of fine-tuning and of training from scratch overlap. A likely reason: the pixels of
#   8 × 8 digits are already good features, and five digits teach little about five
#   others. Pre-training pays off when its data are far larger and richer than the new
#   task's, which one small data set split in two cannot imitate.
#
# ## 5. Reinforcement learning: a policy-gradient agent on a drifting bandit
#
# In reinforcement learning the data come from the agent's own behaviour, so the
# objective changes as the agent learns; on top of that, the world may change. Our
# environment: four slot machines ("arms") paying $\mu_a$ plus Gaussian noise
# (standard deviation 0.5), with means $0, 0.25, 0.5, 1$; every 250 steps the means are
# **reshuffled** among the arms, so the best arm moves. Sixteen such bandits, each with
# its own reshuffles, run side by side.
#
# **The agent** is a softmax policy $\pi = \mathrm{softmax}(x)$ over the arms; its
# parameters $x$ are one logit per arm. The policy-gradient theorem says
# $\nabla_x \mathbb E[r] = \mathbb E[(r - \bar r)\,\nabla_x \log \pi(a)]$ for any
# baseline $\bar r$ that does not depend on the arm pulled, and for a softmax
#
# $$\frac{\partial \log \pi(a)}{\partial x_k} = [a = k] - \pi_k
# \quad\Longrightarrow\quad \nabla_x \log\pi(a) = e_a - \pi ,$$
#
# with $e_a$ the one-hot vector of arm $a$. Each step the agent pulls 8 arms, and the
# optimizer, which minimises, gets
# $g_t = -\frac18 \sum_i (r_i - \bar r_{t-1})(e_{a_i} - \pi) - c\,\nabla_x H(\pi)$,
# with $\bar r_{t-1}$ a moving average of past rewards, $H(\pi) = -\sum_k \pi_k \log
# \pi_k$ the policy's entropy and $c = 0.1$ an entropy bonus (as in A2C and PPO) that
# keeps the policy exploring. Without it, $e_a - \pi \to 0$ once the policy
# commits to one arm, and an agent whose arm has gone bad gets almost no gradient to
# leave it.
#
# The gradient computed sample by sample in plain numpy, against the package's
# vectorised one:

# %%
logits = rng.normal(size=4)
pi = np.exp(logits) / np.exp(logits).sum()
arms = sample_arms(pi, 8, rng)
advantages = rng.normal(size=8)
by_hand = np.zeros(4)
for a, advantage in zip(arms, advantages):
    score = -pi.copy()
    score[a] += 1.0                                   # e_a - pi
    by_hand -= advantage * score / 8
claim(np.allclose(reinforce_gradient(policy(logits), arms, advantages), by_hand,
                  rtol=0, atol=1e-12),
      "the sample-by-sample gradient equals the package's vectorised one (to 1e-12)")


def entropy_of(z):
    p = np.exp(z) / np.exp(z).sum()
    return -np.sum(p * np.log(p))


h = 1e-6  # the entropy's gradient, by central differences
numeric = np.array([(entropy_of(logits + h * e) - entropy_of(logits - h * e)) / (2 * h)
                    for e in np.eye(4)])
claim(np.allclose(entropy_gradient(pi), numeric, rtol=0, atol=1e-8),
      "the entropy's gradient matches central differences (to 1e-8)")
print("arms pulled:", arms, " gradient:", np.array2string(by_hand, precision=4))

# %% [markdown]
# **Experiment.** Nine rates, half a decade apart from $10^{-3}$ to $10$, for SGD,
# RMSProp and Adam (torch's defaults otherwise), 1000 steps; every method sees the same
# sixteen bandits and the same stream of random numbers. The score is the policy's
# expected reward as a fraction of the best arm's, averaged over all steps and bandits
# (1 would mean always on the best arm, from the first step and right after every
# reshuffle).
# Each rate is run twice: with the rewards as they are, and with **every reward
# multiplied by 100** (`REWARD_SCALES`), as if paid in cents instead of euros (the entropy
# bonus, in reward units, is scaled too). Nothing about the task changes: only the units.

# %%
REWARD_SCALES = (1.0, 100.0)                  # the rewards as they are, then rescaled
RL_RATES = np.logspace(-3, 1, 9)              # half a decade apart
bandit = DriftingBandit(means=(0.0, 0.25, 0.5, 1.0), period=250, steps=1000, noise=0.5,
                        n_envs=16, seed=0)
rl_rates, rescaled = RL_RATES, REWARD_SCALES[1]
rl_methods = {"SGD": SGD, "RMSProp": RMSProp, "Adam": Adam}
rl_runs = {name: sweep_policy(cls, rl_rates, bandit, reward_scales=REWARD_SCALES, seed=0)
           for name, cls in rl_methods.items()}
rl_scores = {name: r.score() for name, r in rl_runs.items()}  # (scales, rates)

fig, ax = plt.subplots(figsize=(9, 4.6), layout="constrained")
plot_policy_sweep(ax, rl_rates, rl_scores, [f"rewards × {s:g}" for s in REWARD_SCALES])
ax.axhline(bandit.means.mean() / bandit.means.max(), color="black", linestyle=":",
           label="uniform policy")
ax.legend(fontsize=7, ncol=2)
plt.show()

# %%
tuned_rl = {}
print(f"{'method':8s} {'best rate':>9s} {'score':>6s} "
      f"{f'same rate, rewards × {rescaled:g}':>25s} {f'best rate at × {rescaled:g}':>19s}")
for name, score in rl_scores.items():
    k1, k100 = int(np.argmax(score[0])), int(np.argmax(score[1]))
    tuned_rl[name] = k1
    print(f"{name:8s} {rl_rates[k1]:9.3g} {score[0, k1]:6.3f} {score[1, k1]:25.3f} "
          f"{rl_rates[k100]:19.3g}")
best_scores = {name: rl_scores[name][0, k] for name, k in tuned_rl.items()}
per_bandit = {name: rl_runs[name].fraction[:, 0, k].mean(axis=0) for name, k in tuned_rl.items()}
p_rl = paired(per_bandit["SGD"], per_bandit["Adam"], better="higher")   # bandit by bandit
print(f"at the tuned rates, SGD scores above Adam on {p_rl.wins} of {p_rl.n} bandits, "
      f"below on {p_rl.losses}")
sgd_score = rl_scores["SGD"]
moved = rl_rates[tuned_rl["SGD"]] / rl_rates[np.argmax(sgd_score[1])]
claim(abs(np.log10(moved) - np.log10(rescaled)) <= 0.5,
      f"SGD's best rate moves by the reward factor {rescaled:g} (to half a decade, one grid step)",
      measured=f"it moved by {moved:.3g}")
claim(sgd_score[1, tuned_rl["SGD"]] < sgd_score[0, tuned_rl["SGD"]] - 0.2,
      "at its old best rate, SGD's score drops by more than 0.2 with the rescaled rewards",
      measured=f"{sgd_score[0, tuned_rl['SGD']]:.2f} to {sgd_score[1, tuned_rl['SGD']]:.2f}")
invariant = [abs(rl_scores[n][1, tuned_rl[n]] - rl_scores[n][0, tuned_rl[n]]) < 0.03
             and np.argmax(rl_scores[n][1]) == tuned_rl[n] for n in ("RMSProp", "Adam")]
claim(all(invariant), "for RMSProp and Adam the best rate stays the same and the score moves "
      "by under 0.03 with the rescaled rewards")
claim(best_scores["RMSProp"] > best_scores["SGD"] > best_scores["Adam"] and p_rl.wins >= 10,
      f"at tuned rates RMSProp scores highest, and SGD above Adam on at least 10 of "
      f"{bandit.n_envs} bandits", measured=f"SGD above Adam on {p_rl.wins} bandits")

# %% [markdown]
# ## 6. What "stabilise" means here
#
# Two answers, one for and one against:
#
# - **Against "adaptive methods learn a drifting task better"**: at their tuned rates
#   RMSProp scored highest, but tuned plain SGD scored above Adam, on most of the
#   sixteen bandits. Being adaptive did not by itself make an agent follow the drift
#   better; Adam's momentum, which averages gradients from before a reshuffle, may be
#   one reason it trails RMSProp here.
# - **For "adaptive methods are stable"**: multiply the rewards by 100 and SGD's gradient
#   is 100 times larger, so its tuned rate becomes a hundred-fold too large and its score
#   collapses; its best rate moves two decades down. RMSProp and Adam divide the gradient by
#   the root of its own running average of squares, so a constant factor cancels: the
#   same rate is still the best, and the score moves by less than 0.03 (the two runs
#   draw different random numbers). In real RL the scale of returns and advantages
#   changes *during* training (rewards grow as the agent improves; value targets move),
#   which is one reason adaptive optimizers suit it: DQN was trained with RMSProp, PPO
#   with Adam.
#
# Over time, at each method's tuned rate: every reshuffle knocks the score down, and the
# agent climbs back.

# %%
fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
steps_axis = np.arange(1, bandit.steps + 1)
for i, (name, run_) in enumerate(rl_runs.items()):
    curve = run_.fraction[:, 0, tuned_rl[name]].mean(axis=-1)            # (steps,)
    smooth = np.convolve(curve, np.ones(20) / 20, mode="same")
    ax.plot(steps_axis, smooth, label=f"{name}, lr = {rl_rates[tuned_rl[name]]:.3g}",
            markevery=100, markersize=4, **style(i))
for switch in range(bandit.period, bandit.steps, bandit.period):
    ax.axvline(switch, color="black", linestyle=":", linewidth=1)
ax.set(xlabel="step t", ylabel="expected reward / best arm's (mean of 16 bandits)",
       ylim=(0.3, 1.02), title="Each reshuffle (dotted) knocks the agents back; they recover")
ax.legend(fontsize=8, loc="lower right")
plt.show()

# %% [markdown]
# ## 7. Games: gradient descent-ascent on $f(x, y) = xy$
#
# A GAN is a game: the generator minimises what the discriminator maximises. The
# smallest such game is $f(x, y) = xy$, player $x$ minimising and player $y$ maximising.
# Its only equilibrium is $(0, 0)$: there, neither player can do better by moving alone.
# Each player descends its own loss: $x$ follows $-\partial f/\partial x = -y$ and $y$
# follows $+\partial f/\partial y = x$. Taken together the two steps point *around* the
# equilibrium, never towards it.
#
# **Derivation.** Simultaneous gradient descent-ascent (GDA) with rate $\eta$:
#
# $$\begin{pmatrix} x_t \\ y_t \end{pmatrix} =
# \begin{pmatrix} x_{t-1} - \eta y_{t-1} \\ y_{t-1} + \eta x_{t-1} \end{pmatrix}
# \quad\Longrightarrow\quad
# x_t^2 + y_t^2 = x_{t-1}^2 + y_{t-1}^2 + \eta^2 (x_{t-1}^2 + y_{t-1}^2),$$
#
# since the cross terms $-2\eta x y$ and $+2\eta x y$ cancel. So the distance to the
# equilibrium is multiplied by exactly $\sqrt{1 + \eta^2} > 1$ at every step: GDA
# spirals *out*, for every rate. Alternating play ($y$ sees the new $x$) gives the matrix
# $\begin{pmatrix} 1 & -\eta \\ \eta & 1 - \eta^2 \end{pmatrix}$, of determinant 1: it
# circles for ever (for $\eta < 2$), neither in nor out.
#
# GDA in three lines of numpy, against the package's `play` with two `SGD` players:

# %%
lr, steps, start = 0.1, 500, (1.0, 1.0)
z = np.array(start)
path = [z]
for _ in range(steps):
    x, y = z
    z = np.array([x - lr * y, y + lr * x])            # both players see the old point
    path.append(z)
path = np.array(path)
gda = play(lambda: SGD(lr=lr), BilinearGame(), start=list(start), steps=steps)
claim(np.allclose(gda.points, path, rtol=1e-12, atol=0),
      "the three-line GDA takes the package's steps (to 1e-12)")
predicted = np.hypot(*start) * growth_factor(lr) ** np.arange(steps + 1)
claim(np.allclose(gda.distance, predicted, rtol=1e-12),
      "the distance grows by exactly √(1 + η²) per step (to 1e-12)")
print(f"distance after {steps} steps: {gda.distance[-1]:.4f}, predicted "
      f"√2 · (1 + η²)^(t/2) = {predicted[-1]:.4f}")

# %% [markdown]
# **Experiment.** Six ways of playing, all at $\eta = 0.1$ from $(1, 1)$ for 1000 steps
# (`GAME_LR`, `GAME_STEPS`):
# simultaneous and alternating GDA, heavy-ball momentum ($\mu = 0.5$), Adam and RMSProp
# (torch's defaults otherwise), and *optimistic* gradient descent,
# $x_t = x_{t-1} - \eta(2 g_t - g_{t-1})$, which extrapolates the other player's last move
# ([Daskalakis et al., 2018](https://arxiv.org/abs/1711.00141)).

# %%
GAME_LR, GAME_STEPS = 0.1, 1000
game_settings = {"GDA (simultaneous)": 0.0, "GDA (alternating)": 0.0, "momentum": 0.5,
                 "Adam": 0.9, "RMSProp": 0.99, "optimistic GD": 0.0}   # method: its beta
games = {name: play_method(name, lr=GAME_LR, beta=beta, steps=GAME_STEPS)
         for name, beta in game_settings.items()}
half, largest_step = GAME_STEPS // 2, {}
for name, game in games.items():
    step_sizes = np.linalg.norm(np.diff(game.points, axis=0), axis=-1)
    largest_step[name] = step_sizes.max()
    print(f"{name:19s} distance after {half} steps {game.distance[half]:10.3g}, after "
          f"{GAME_STEPS} {game.distance[GAME_STEPS]:10.3g}; largest step "
          f"{largest_step[name]:.3g}")
d = {name: game.distance for name, game in games.items()}
d0 = d["GDA (simultaneous)"][0]                  # the start's distance, √2
overtakes = int(np.flatnonzero(d["GDA (simultaneous)"] <= d["Adam"])[-1]) + 1
print(f"simultaneous GDA is farther out than Adam from step {overtakes} on")
claim(np.isclose(d["GDA (simultaneous)"][-1], d0 * growth_factor(GAME_LR) ** GAME_STEPS,
                 rtol=1e-9), "simultaneous GDA leaves at exactly √(1 + η²) per step")
claim(d["GDA (alternating)"].max() < 1.01 * d0 and d["GDA (alternating)"].min() > 0.9 * d0,
      "alternating GDA circles: its distance stays within 10 % of the start's",
      measured=f"{d['GDA (alternating)'].min():.3g} to {d['GDA (alternating)'].max():.3g}")
claim(d["momentum"][-1] > 1e6 * d["GDA (simultaneous)"][-1],
      "momentum ends over a million times farther out than GDA")
claim(overtakes < GAME_STEPS and d["Adam"][overtakes // 2] > d["GDA (simultaneous)"][overtakes // 2]
      and d0 < d["Adam"][-1] < 0.2 * d["GDA (simultaneous)"][-1],
      "Adam is farther out than GDA early, then GDA overtakes it for good and ends over five "
      "times farther out", measured=f"GDA overtakes at step {overtakes}")
claim(largest_step["Adam"] < 2.5 * GAME_LR, "Adam's steps stay under 2.5 η",
      measured=f"largest {largest_step['Adam']:.3g}")
first_rmsprop = GAME_LR / np.sqrt(1 - game_settings["RMSProp"]) * np.sqrt(2)  # 2 coordinates
claim(np.isclose(largest_step["RMSProp"], first_rmsprop, rtol=1e-6)
      and d["RMSProp"][-1] < 1.05 * d["RMSProp"][half],
      "RMSProp's largest step is its first, η/√(1 − α) per coordinate, and then it stalls "
      f"(under 5 % farther out between step {half} and {GAME_STEPS})",
      measured=f"largest step {largest_step['RMSProp']:.3g}")
claim(d["optimistic GD"][-1] < 0.01 * d0, "optimistic GD ends within 1 % of the start's "
      "distance from the equilibrium", measured=f"{d['optimistic GD'][-1] / d0:.2g}")

# %%
fig, (ax_path, ax_distance) = plt.subplots(1, 2, figsize=(12, 5), layout="constrained")
plot_game(ax_path, ax_distance, list(games.values()), list(games), limit=4.0)
ax_distance.set_ylim(1e-3, 1e6)
ax_distance.legend(fontsize=7, loc="upper left")
plt.show()

# %% [markdown]
# - Plain GDA leaves the equilibrium at exactly the derived rate, and **momentum makes it
#   far worse**: it adds the previous step, which points along the spiral.
# - **Adam behaves differently but does not converge**: its steps stay near $\eta$ in
#   length whatever the gradient (the largest is under $2.5\eta$), so its distance grows
#   by at most a step's length per step, instead of by a fixed *factor*. Early on that is
#   *faster* than GDA (whose steps, $\eta$ times a small distance, are short at first);
#   the multiplicative spiral overtakes it (printed above) and by step 1000 is more than
#   five times farther out. RMSProp, with no momentum, stops moving outwards after an
#   early jump (its first steps are $\eta/\sqrt{1-\alpha} = 10\eta$ long). Bounded
#   steps, then, but no convergence.
# - What does converge is a change to the *game dynamics*, not to the step size:
#   optimism (or extragradient) uses the other player's last move. Alternation alone
#   stops the growth but still circles.
#
# ## 8. Explore the game
#
# Pick a method, its rate and its $\beta$ (momentum's $\mu$, Adam's $\beta_1$,
# RMSProp's $\alpha$; ignored by the others), with the widget or with
# `game_explorer.update(method=..., lr=..., beta=...)`. The grey reference is simultaneous
# GDA at the same rate. Things to try: Adam with $\beta_1 = 0$ (no momentum) and with
# $\beta_1 = 0.9$; momentum with $\mu = 0.9$; optimistic GD at $\eta = 0.5$; RMSProp as
# $\alpha$ goes from 0.5 to 0.99.

# %%
# NBVAL_IGNORE_OUTPUT
EXPLORER_VIEW = {"method": "Adam", "lr": 0.1, "beta": 0.9, "steps": 300}  # the default view
game_explorer = GameExplorer(**EXPLORER_VIEW)
game_explorer.widget()

# %% [markdown]
# The explorer's default view, as a static figure:

# %%
summary = game_explorer.update(**EXPLORER_VIEW)
game_explorer.static_figure()
plt.show()
print(f"{summary['method']}: distance {summary['ratio']:.2f} × the start's after "
      f"{summary['steps']} steps (simultaneous GDA: {summary['reference_ratio']:.2f} ×)")
claim(summary["ratio"] > summary["reference_ratio"] > 1, f"after {summary['steps']} steps "
      "Adam is farther out than simultaneous GDA, and both have left the start",
      measured=f"{summary['ratio']:.2f} and {summary['reference_ratio']:.2f}")

# %% [markdown]
# ## 9. A 1-D GAN fitting a mixture
#
# Now a real (tiny) GAN. The target is a mixture of two Gaussians with centres $-2$ and
# $2$ and standard deviation 0.3. The generator maps noise $z \sim \mathcal N(0, 1)$
# through a network 1 → 32 → 1 (ReLU) to a number; the discriminator, another 1 → 32 → 1
# network, outputs the logit of "real". Both step *simultaneously* from gradients at the
# same point, the discriminator on the logistic loss, the generator on the non-saturating
# loss $-\log\sigma(D(G(z)))$. Fitting a two-humped target from one Gaussian forces the
# generator to fold its input; the classic failure is **mode collapse**, all samples on
# one hump.
#
# The score is the earth mover's distance $W_1$ between 1000 generated samples and 1000
# target samples (in 1-D, the mean gap between the sorted samples), averaged over the
# last four evaluations (steps 425-500, as a GAN's distance wobbles): about 2 for a
# generator stuck on one hump, 0 for a perfect fit. A run *covers both humps* when more
# than 30 % of its samples lie within 1 of each centre (a perfect fit puts about half
# on each).
#
# **Protocol.** Three optimizers (`gan_methods`), each used by both players: GDA (plain
# SGD), RMSProp, and Adam with $\beta_1 = 0.5$ (the GAN practitioners' setting since
# DCGAN). Rates $10^{-3}, \dots, 1$ (four decades), seeds 0-4 each (a seed fixes both
# networks' initial weights and every batch), 500 steps, batches of 64. Each method's rate
# is the one with the lowest *median* $W_1$ over its five seeds, and those same five runs
# are reported: the selection flatters every method a little, equally. All twenty runs of
# a method train as one stack of networks.
#
# A GAN at too large a rate is chaotic: the last bits of a machine's arithmetic decide
# where it ends. So the tables print $W_1$ to one decimal, show a median above 1.5 (a
# generator on one hump, or worse) as "> 1.5" and a run that blew up as "inf", and
# compare two methods seed by seed (seed *i* of one against seed *i* of the other).

# %%
gan_methods = {"GDA": lambda lr: SGD(lr=lr),
               "RMSProp": lambda lr: RMSProp(lr=lr),
               "Adam (β1 = 0.5)": lambda lr: Adam(lr=lr, betas=(0.5, 0.999)),
               }
GAN_RATES = np.array([1e-3, 1e-2, 1e-1, 1.0])
GAN_SEEDS = (0, 1, 2, 3, 4)
GAN_STEPS, GAN_BATCH, GAN_HIDDEN, W1_WINDOW = 500, 64, 32, 4
COLLAPSED = 1.5                  # a median W1 above this: one hump, or worse
gan_rates, n_seeds = GAN_RATES, len(GAN_SEEDS)
target = Mixture(means=(-2.0, 2.0), sd=0.3)


def show_w1(value):
    """W1 at a precision no machine changes: one decimal, "> 1.5" or "inf"."""
    return "inf" if not np.isfinite(value) else f"> {COLLAPSED:g}" if value > COLLAPSED \
        else f"{value:.1f}"


gan_runs, gan_chosen = {}, {}
for name, make in gan_methods.items():
    gan_runs[name] = train_gans(make(np.repeat(gan_rates, n_seeds)),
                                seeds=list(GAN_SEEDS) * len(gan_rates), target=target,
                                steps=GAN_STEPS, batch_size=GAN_BATCH, hidden=GAN_HIDDEN)
    w1 = gan_runs[name].final_w1(window=W1_WINDOW).reshape(len(gan_rates), n_seeds)
    gan_chosen[name] = int(np.argmin(np.median(w1, axis=1)))   # (an inf counts as worst)
    cells = "  ".join(f"{r:g}: {show_w1(np.median(w)):>5s}" for r, w in zip(gan_rates, w1))
    print(f"{name:16s} median W1 per rate  {cells}  -> lr = {gan_rates[gan_chosen[name]]:g}")

# %%
HUMP_SHARE = 0.3                 # a run covers both humps: this share of samples near each
print(f"{'method':16s} {'lr':>6s}  {'median W1':>9s}  {'lower W1 than GDA, seed by seed':32s} "
      f"{'runs covering both humps':>24s}")
gan_w1, gan_both, gan_vs_gda = {}, {}, {}
for name, run_ in gan_runs.items():
    cols = slice(n_seeds * gan_chosen[name], n_seeds * (gan_chosen[name] + 1))
    gan_w1[name] = run_.final_w1(window=W1_WINDOW)[cols]
    shares = mode_shares(run_.samples[cols], target).min(axis=-1)
    gan_both[name] = int(np.sum(shares > HUMP_SHARE))
for name in gan_runs:
    gan_vs_gda[name] = paired(gan_w1[name], gan_w1["GDA"])
    versus = "-" if name == "GDA" else f"{gan_vs_gda[name].wins} of {n_seeds}"
    print(f"{name:16s} {gan_rates[gan_chosen[name]]:6g}  {show_w1(np.median(gan_w1[name])):>9s}"
          f"  {versus:32s} {gan_both[name]:>19d} / {n_seeds}")
for name in ("RMSProp", "Adam (β1 = 0.5)"):
    claim(gan_vs_gda[name].all_better and gan_both[name] == n_seeds,
          f"{name} at its chosen rate has a lower W1 than GDA on every seed, and covers both "
          f"humps in every run", measured=f"{gan_vs_gda[name]}; {gan_both[name]} of {n_seeds}")
gda_at = gan_runs["GDA"].final_w1(window=W1_WINDOW).reshape(len(gan_rates), n_seeds)
claim(gan_both["GDA"] == 0, "GDA covers both humps in none of its runs",
      measured=f"{gan_both['GDA']} of {n_seeds}")
claim(gan_chosen["GDA"] < len(gan_rates) - 1 and not np.isfinite(np.median(gda_at[-1])),
      f"GDA blows up at η = {gan_rates[-1]:g} (median W1 infinite) and chose a smaller rate",
      measured=f"median {np.median(gda_at[-1]):.2g}")

# %%
n_panels = len(gan_runs) + 1                     # one histogram per method, then W1
fig, axes = plt.subplots(1, n_panels, figsize=(4 * n_panels, 3.6), layout="constrained")
grid = np.linspace(-4, 4, 400)
density = sum(np.exp(-0.5 * ((grid - c) / target.sd) ** 2) for c in target.means)
density /= len(target.means) * target.sd * np.sqrt(2 * np.pi)
for i, (ax, (name, run_)) in enumerate(zip(axes, gan_runs.items())):
    k = n_seeds * gan_chosen[name]             # the first seed at the chosen rate
    ax.hist(run_.samples[k], bins=60, range=(-4, 4), density=True, color=style(i)["color"],
            alpha=0.7, label=f"generated (seed {GAN_SEEDS[0]})")
    ax.plot(grid, density, color="black", linewidth=1, label="target")
    ax.set(title=f"{name}, lr = {gan_rates[gan_chosen[name]]:g}", xlabel="x", xlim=(-4, 4),
           ylabel="density")
    ax.legend(fontsize=7)
ax = axes[-1]
for i, (name, run_) in enumerate(gan_runs.items()):
    cols = slice(n_seeds * gan_chosen[name], n_seeds * (gan_chosen[name] + 1))
    ax.plot(run_.eval_steps, run_.w1[:, cols].mean(axis=1), label=name, markersize=3,
            markevery=4, **style(i))
ax.set(xlabel="step", ylabel=f"W1 to the target (mean of {n_seeds} seeds)", yscale="log",
       title="Distance to the target", ylim=(0.1, 5))
ax.legend(fontsize=7)
plt.show()

# %% [markdown]
# On this tiny GAN the claim holds: at their chosen rates both adaptive methods put
# samples on both humps in every run, and each ends closer to the target than GDA on
# every one of the five seeds; GDA covered both humps in none. Plain GDA does best at the
# largest rate it survives (at $\eta = 1$ it blows up, $W_1 = \infty$ above) and still
# does not fold the noise into two humps in 500 steps. This is one small game: it
# supports the claim for it, while the bilinear game above is the warning that no step-size
# rule alone can be trusted to settle a game.
#
# ## 10. What the tiny versions say
#
# | claim | our tiny version | verdict |
# |---|---|---|
# | language models train with AdamW | character model on a 6 KB essay, tuned $\lambda$, 3 seeds | weight decay helps; AdamW and L2-in-Adam stay within 0.05 bits/char and swap the lead: *not supported, not refuted* |
# | vision: Momentum; adaptive for fine-tuning | digits from scratch (5 seeds); fine-tuning 0-4 → 5-9 with 25 images | from scratch AdamW slightly ahead (4 of 5 seeds, one tie), not Momentum; adaptive rate is a leash on the pre-trained weights (supported), but it fine-tunes no better than Momentum |
# | adaptive optimizers stabilise RL | REINFORCE on a drifting bandit, two reward scales | invariance to the reward scale (supported); no better tracking of the drift at tuned rates (not supported) |
# | GANs benefit from smoother adaptive updates | bilinear game; 1-D GAN, tuned rates, 5 seeds | bilinear: only optimism converges, Adam's steps stay bounded; 1-D GAN: adaptive clearly better (supported) |
#
# ## Pitfalls and practice
#
# - **Copying a recipe without its rate.** Every comparison above tuned each method's rate
#   on its own grid; at a shared rate any ranking measures the rate ([notebook
#   10](10_real_data.ipynb)).
# - **Reading "the field uses X" as "X is better".** Practice follows what worked at
#   scale, with schedules, warm-up and budgets we did not reproduce. A tiny version can
#   show a mechanism (the leash, the scale invariance, the spiral) and refute an
#   "always"; it cannot confirm a claim about scale.
# - **Fine-tuning with a large adaptive rate** erases what pre-training learned: with
#   Adam-type methods each weight moves about $\eta$ per step, so $\eta T$ is the
#   distance budget you give the pre-trained weights.
# - **In RL, normalise or use an adaptive optimizer** when the reward scale is unknown or
#   changes: SGD's rate is tied to it. An entropy bonus (or another form of exploration)
#   matters as much as the optimizer when the world drifts.
# - **In games, momentum can hurt** ($\beta_1 = 0.5$ rather than 0.9 is the GAN custom);
#   no step-size rule makes a rotating game converge, while optimism or extragradient can.
#
# ## Summary
#
# - Weight decay mattered for the tiny language model; decoupling it changed the
#   validation loss by under 2 %, one way early and the other way late.
# - An adaptive rate is a leash in the weights' units: it keeps fine-tuning near the
#   pre-trained weights; SGD with momentum fine-tuned just as well at its own rate.
# - Adaptive optimizers made the RL agent immune to the reward scale, not better at
#   following a drifting world.
# - Simultaneous GDA spirals out of $xy$ by $\sqrt{1+\eta^2}$ per step; momentum is
#   worse, Adam grows slowly, optimism converges; on a 1-D GAN the adaptive methods won.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
# **Predict, then run:** (1) in the GAN of section 9, will Adam with the default
# $\beta_1 = 0.9$ do as well as with 0.5? Predict, then add the line
# `"Adam (β1 = 0.9)": lambda lr: Adam(lr=lr, betas=(0.9, 0.999)),` to `gan_methods` (the
# figure gets a panel for it). (2) In section 5, set `REWARD_SCALES = (1.0, 0.01)`
# (rewards × 0.01 instead of × 100): which method's best rate moves, and which way?
#
# **Previous:** [12 · Six misconceptions, tested](12_misconceptions.ipynb).
# **Next:** [14 · Beyond Adam](14_beyond_adam.ipynb).
#
# **Further reading:** I. Loshchilov & F. Hutter, *Decoupled Weight Decay
# Regularization*, ICLR (2019); A. Radford, L. Metz & S. Chintala, *Unsupervised
# Representation Learning with Deep Convolutional GANs* (DCGAN: Adam, $\beta_1 = 0.5$),
# ICLR (2016); R. J. Williams, *Simple statistical gradient-following algorithms for
# connectionist reinforcement learning*, Machine Learning (1992); C. Daskalakis,
# A. Ilyas, V. Syrgkanis & H. Zeng, *Training GANs with Optimism*, ICLR (2018);
# G. Gidel et al., *Negative Momentum for Improved Game Dynamics*, AISTATS (2019).

# %%
# NBVAL_IGNORE_OUTPUT
print(f"this notebook ran in {time.perf_counter() - started:.1f} s")
