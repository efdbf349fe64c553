# %% [markdown]
# # Exercises 14 · Beyond Adam
#
# **Goal.** Each of Adam's successors changes one ingredient, and each change fits in a
# few lines. In these exercises you write RAdam's $\rho_t$ and rectifier $r_t$, predict
# for which $\beta_2$ RAdam never adapts at all, write one LAMB step for one parameter
# array and predict what its trust ratio does to a fresh bias, write Lookahead's sync
# and find out why the number of fast steps $k$ should be odd on a zig-zag, predict
# whether momentum saves Adam on the AMSGrad problem, and end by building an online
# problem that still defeats Adam with momentum.
#
# Course notebook: [14 · Beyond Adam](../notebooks/14_beyond_adam.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 60 minutes.

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import LAMB, SGD, Adam, Lookahead, RAdam, checks
from alr_teach.lab.runner import run
from alr_teach.problems import mlp
from alr_teach.problems.datasets import load_split
from alr_teach.problems.landscapes import Quadratic, Rosenbrock
from alr_teach.viz.plots import style

rng = np.random.default_rng(114)  # seeded: every number below is reproducible


# %% [markdown]
# ## 1. Implement it: RAdam's $\rho_t$ and rectifier $r_t$
#
# RAdam counts how many squared gradients $v_t$ effectively holds,
#
# $$\rho_\infty = \frac{2}{1-\beta_2} - 1, \qquad
#   \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t},$$
#
# and, once $\rho_t > 5$ (torch's threshold), multiplies its adaptive step by
#
# $$r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\,\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\,\rho_t}};$$
#
# before that it takes momentum steps, and $r_t$ does not exist. Write
# `rectifier(t, beta2)` for one step $t \ge 1$, returning `(rho_t, r_t)`, with
# `r_t = np.nan` where $\rho_t \le 5$.

# %%
def rectifier(t, beta2):
    """RAdam's (rho_t, r_t) at step t; r_t is NaN while rho_t <= 5 (momentum steps)."""
    ### BEGIN SOLUTION
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t <= 5:
        return rho_t, np.nan
    r_t = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
    return rho_t, r_t
    ### END SOLUTION


# %% [markdown]
# The check reads $r_t$ off the steps `alr_teach.RAdam` takes: with a constant gradient
# of 1 and a step taken from $x = 0$ each time, the step is $-\eta\,\hat m_t$ before the
# switch and $-\eta\, r_t\, \hat m_t\, l_t$ after it, with $\hat m_t$ and
# $l_t = \sqrt{1-\beta_2^t}/(\sqrt{v_t} + \epsilon)$ known from its state. It then solves
# the formula for $r_t$ backwards to get $\rho_t$ (on the adaptive steps), and compares
# both with yours for $t = 1, \dots, 60$ and $\beta_2 = 0.9, 0.99, 0.999$.

# %%
def radam_terms(beta2, steps=60):
    """(rho_t, r_t) read off alr_teach.RAdam's steps; NaN on its momentum steps."""
    opt, r = RAdam(lr=1.0, betas=(0.9, beta2)), []
    for t in range(1, steps + 1):
        step = opt.step(np.zeros(1), np.ones(1))[0]          # from x = 0: the step itself
        m_hat = opt.state["m"][0] / (1 - 0.9**t)
        l_t = np.sqrt(1 - beta2**t) / (np.sqrt(opt.state["v"][0]) + opt.eps)
        r.append(np.nan if step == -m_hat else -step / (m_hat * l_t))
    rho_inf, r = 2 / (1 - beta2) - 1, np.array(r)
    k = r**2 * (rho_inf - 4) * (rho_inf - 2) / rho_inf      # (rho - 4)(rho - 2) = k rho
    return (6 + k + np.sqrt((6 + k) ** 2 - 32)) / 2, r        # its root above 4


def your_terms(beta2, steps=60):
    rho_t, r_t = np.array([rectifier(t, beta2) for t in range(1, steps + 1)], dtype=float).T
    return np.where(np.isnan(r_t), np.nan, rho_t), r_t       # rho_t compared where r_t exists


your_rectifier = checks.outputs(your_terms, [(0.9,), (0.99,), (0.999,)], "rectifier")
checks.check_value("rectifier", your_rectifier,
                   np.concatenate([np.ravel(radam_terms(b)) for b in (0.9, 0.99, 0.999)]),
                   rtol=1e-9, hint="rho_inf = 2 / (1 - beta2) - 1; r_t is NaN while rho_t <= 5 "
                                   "(a strict > 5 switches to adaptive steps)")

# %% [markdown]
# ## 2. Predict, then run: when does RAdam never adapt?
#
# $\rho_t$ grows towards $\rho_\infty$ but never reaches it. So for a small enough $\beta_2$
# RAdam takes momentum steps forever and never uses $v$ at all. What is the largest
# $\beta_2$ for which that happens? Predict the number.

# %%
predicted_never = None  # replace None with a value of beta2
### BEGIN SOLUTION
# never adaptive iff rho_t <= 5 for every t iff rho_inf <= 5 (rho_t -> rho_inf from below):
# 2 / (1 - beta2) - 1 <= 5  <=>  1 - beta2 >= 1/3  <=>  beta2 <= 2/3
predicted_never = 2 / 3
### END SOLUTION

# %% [markdown]
# The run: one batched `RAdam` with 151 values of $\beta_2$ from 0.600 to 0.750 (one row
# of `x` each), 200 steps of a constant gradient, recording the first step on which each
# row did not take a plain momentum step.

# %%
beta2_grid = np.round(np.linspace(0.6, 0.75, 151), 3)
sweep_opt = RAdam(lr=1.0, betas=(0.9, beta2_grid))
first_adaptive = np.zeros(beta2_grid.size, dtype=int)                # 0: not yet
for t in range(1, 201):
    step = sweep_opt.step(np.zeros((beta2_grid.size, 1)), np.ones((beta2_grid.size, 1)))
    adaptive = step[:, 0] != -sweep_opt.state["m"][:, 0] / (1 - 0.9**t)
    first_adaptive = np.where((first_adaptive == 0) & adaptive, t, first_adaptive)
switches = first_adaptive > 0
for b2 in (0.65, 0.666, 0.667, 0.68, 0.7, 0.75):
    i = int(np.argmin(np.abs(beta2_grid - b2)))
    shown = f"first adaptive step {first_adaptive[i]}" if switches[i] else "never adaptive"
    print(f"β2 = {b2}: {shown}")
largest_never = beta2_grid[~switches].max()
assert np.all(~switches[beta2_grid <= largest_never])
assert np.all(switches[beta2_grid > largest_never])
checks.check_value("never_adaptive", predicted_never, largest_never, rtol=2e-3,
                   hint="rho_t rises towards rho_inf without reaching it: when is rho_inf <= 5?")

# %% [markdown]
# **Explain** why the rows just above the boundary switch late (after about 20 steps at
# $\beta_2 = 0.667$, against 6 at 0.999), and what RAdam is with $\beta_2 = 0.6$.
#
# ### BEGIN SOLUTION
# Just above $\beta_2 = 2/3$, $\rho_\infty$ is barely above 5 ($\approx 5.006$ at
# $0.667$), and $\rho_t$ only creeps past 5 once the term
# $2t\beta_2^t/(1-\beta_2^t)$ has shrunk below $\rho_\infty - 5 \approx 0.006$, which
# takes about 20 steps. With $\beta_2 = 0.999$, $\rho_\infty = 1999$, but $\rho_t$ starts at 1 and
# grows by about one per step, so it passes 5 on step 6. With $\beta_2 = 0.6$,
# $\rho_\infty = 4$: RAdam is SGD with bias-corrected momentum, $x_t = x_{t-1} - \eta\hat
# m_t$, for ever, with the gradient's units (no scale invariance), however long it runs.
# ### END SOLUTION

# %% [markdown]
# ## 3. Implement it: one LAMB step for one parameter array
#
# LAMB takes Adam's direction for one array $x$ (a layer's weights, or its biases) and
# rescales it to a fixed fraction of the array's norm:
#
# $$u_t = \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, \qquad
#   x_t = x_{t-1} - \eta\, \frac{\lVert x_{t-1}\rVert}{\lVert u_t\rVert}\, u_t ,$$
#
# with $\hat m_t, \hat v_t$ Adam's bias-corrected moments (no weight decay here). The
# norm is over the whole array; the trust ratio $\lVert x\rVert/\lVert u\rVert$ is 1 when
# either norm is 0. Write `lamb_step(x, grad, m, v, t, lr, beta1, beta2, eps)`, returning
# `(x, m, v)`.

# %%
def lamb_step(x, grad, m, v, t, lr, beta1, beta2, eps):
    """One LAMB step for one parameter array: the new x and the new (raw) moments m, v."""
    ### BEGIN SOLUTION
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    u = (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    x_norm, u_norm = np.linalg.norm(x), np.linalg.norm(u)
    ratio = x_norm / u_norm if x_norm > 0 and u_norm > 0 else 1.0
    return x - lr * ratio * u, m, v
    ### END SOLUTION


# %% [markdown]
# The check steps a list of four arrays, shaped like a small network's
# `[W1, W2, b1, b2]` with both biases starting at zero, for 8 steps of random gradients
# whose sizes differ from array to array (and one array whose first gradient is all
# zero), calling your `lamb_step` on each array; it compares every array after every step
# with `alr_teach.LAMB` stepping the whole list, for two settings.

# %%
layer_shapes = [(6, 4), (4, 3), (4,), (3,)]
start_arrays = [rng.normal(size=(6, 4)), 0.1 * rng.normal(size=(4, 3)), np.zeros(4), np.zeros(3)]
grad_sizes = [1e-3, 1.0, 10.0, 0.1]
lamb_grads = [[size * rng.normal(size=shape) for size, shape in zip(grad_sizes, layer_shapes)]
              for _ in range(8)]
lamb_grads[0][3] = np.zeros(3)                                 # no gradient at all, at first
lamb_settings = [dict(lr=0.02, beta1=0.9, beta2=0.999, eps=1e-6),
                 dict(lr=0.1, beta1=0.5, beta2=0.9, eps=1e-3)]


def lamb_path(settings, step_fn=None):
    """Every array after every step: your lamb_step on each array, or alr_teach.LAMB."""
    xs, path = [a.copy() for a in start_arrays], []
    state = [(np.zeros_like(a), np.zeros_like(a)) for a in xs]
    opt = LAMB(lr=settings["lr"], betas=(settings["beta1"], settings["beta2"]),
               eps=settings["eps"])
    for t, gs in enumerate(lamb_grads, start=1):
        if step_fn is None:
            xs = opt.step(xs, gs)
        else:
            out = [step_fn(x, g, m, v, t, **settings) for x, g, (m, v) in zip(xs, gs, state)]
            xs, state = [o[0] for o in out], [(o[1], o[2]) for o in out]
        path.append(np.concatenate([np.ravel(x) for x in xs]))
    return np.array(path)


checks.check_value("lamb_step",
                   checks.outputs(lambda s: lamb_path(s, lamb_step), [(s,) for s in lamb_settings],
                           "lamb_step"),
                   np.concatenate([np.ravel(lamb_path(s)) for s in lamb_settings]),
                   rtol=1e-9, atol=1e-15,
                   hint="one norm per array (np.linalg.norm of the whole array), Adam's "
                        "bias-corrected direction u, and ratio 1 when ||x|| or ||u|| is 0")

# %% [markdown]
# ## 4. Predict, then run: a fresh bias on LAMB's first step
#
# A layer with weights $W$ (shape (8, 10), random) and a bias $b$ of 10 zeros. LAMB with
# $\eta = 0.02$ takes its first step, every gradient entry non-zero. Predict two numbers:
# the relative step of the weights, $\lVert \Delta W\rVert / \lVert W\rVert$, and how far the
# bias moves, $\lVert \Delta b\rVert$.

# %%
predicted_first_step = None  # replace None with [relative step of W, distance b moves]
### BEGIN SOLUTION
# W: the trust ratio makes every step eta * ||W||, so 0.02. b: ||b|| = 0, ratio 1, Adam's
# first step, whose direction is m_hat / sqrt(v_hat) = g / |g| = +-1 per entry: eta * sqrt(10)
predicted_first_step = [0.02, 0.02 * np.sqrt(10)]
### END SOLUTION

# %%
W, b = rng.normal(size=(8, 10)), np.zeros(10)
g_W, g_b = rng.normal(size=(8, 10)), rng.uniform(0.1, 1.0, 10) * rng.choice([-1, 1], 10)
W_1, b_1 = LAMB(lr=0.02).step([W, b], [g_W, g_b])
first_step = [np.linalg.norm(W_1 - W) / np.linalg.norm(W), np.linalg.norm(b_1 - b)]
print(f"relative step of W {first_step[0]:.6f}; the bias moved {first_step[1]:.6f}")
checks.check_value("lamb_first_step", predicted_first_step, first_step, rtol=1e-4,
                   hint="a zero-norm array gets ratio 1: Adam's own first step, and Adam's "
                        "first step is lr * g / |g| per entry")

# %% [markdown]
# If your `lamb_step` passes, the next cell trains the course's digits network (one hidden
# layer of 32, one fixed batch of 256 images) for 40 steps with it, and with
# `alr_teach.Adam`, and draws each array's relative step
# $\lVert \Delta x_l\rVert / \lVert x_l\rVert$.

# %%
if checks.passed("lamb_step"):
    digits = load_split("digits")
    images, labels = digits.X_train[:256], digits.y_train[:256]
    net = mlp.init_network([64, 32, 10], np.random.default_rng(0))
    names = ["W1", "W2", "b1", "b2"]
    relative = {}
    for method in ("your lamb_step", "Adam"):
        params, adam = net.params(), Adam(lr=0.02)
        moments, rows = [(np.zeros_like(p), np.zeros_like(p)) for p in params], []
        for t in range(1, 41):
            _, grads, _ = mlp.loss_and_gradients(net.with_params(params), images, labels)
            if method == "Adam":
                new = adam.step(params, grads.params())
            else:
                out = [lamb_step(p, g, m, v, t, 0.02, 0.9, 0.999, 1e-6)
                       for p, g, (m, v) in zip(params, grads.params(), moments)]
                new, moments = [o[0] for o in out], [(o[1], o[2]) for o in out]
            with np.errstate(divide="ignore", invalid="ignore"):      # b1, b2 start at 0
                rows.append([np.linalg.norm(a - p) / np.linalg.norm(p)
                             for a, p in zip(new, params)])
            params = new
        relative[method] = np.array(rows)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True, layout="constrained")
    for ax, (method, rows) in zip(axes, relative.items()):
        for i, name in enumerate(names):                        # from step 2: ||b|| > 0
            ax.semilogy(np.arange(2, 41), rows[1:, i], label=name, markevery=5, markersize=4,
                        **style(i))
        ax.set(xlabel="step t", ylabel="relative step ||Δx|| / ||x|| (log scale)",
               title=f"{method}, η = 0.02")
        ax.legend(fontsize=8)
    plt.show()
    print("from step 2 on, largest / smallest relative step over the four arrays: "
          + ", ".join(f"{m} {np.median(r[1:].max(axis=1) / r[1:].min(axis=1)):.2f} (median)"
                      for m, r in relative.items()))
else:
    print("Finish exercise 3 first: lamb_step must pass its check.")

# %% [markdown]
# ## 5. Implement it: Lookahead's sync
#
# After every $k$ fast steps, Lookahead moves the slow weights $\phi$ a fraction
# $\alpha$ of the way to the fast weights $\theta$, and restarts the fast weights from
# there:
#
# $$\phi \leftarrow \phi + \alpha\,(\theta - \phi), \qquad \theta \leftarrow \phi .$$
#
# Write `lookahead_sync(slow, fast, alpha)`, returning the new `(slow, fast)`.

# %%
def lookahead_sync(slow, fast, alpha):
    """Lookahead's sync: slow weights part of the way to the fast ones; fast restart there."""
    ### BEGIN SOLUTION
    slow = slow + alpha * (fast - slow)
    return slow, slow.copy()
    ### END SOLUTION


# %% [markdown]
# The check wraps three optimizers by hand (the fast weights are stepped by an
# `alr_teach` optimizer, your sync runs after every $k$-th step) and compares the fast
# and the slow weights after every step with `alr_teach.Lookahead` around the same
# optimizer: heavy ball on the course's tilted valley ($k = 5$, $\alpha = 0.5$), Adam on
# Rosenbrock ($k = 6$, $\alpha = 0.3$) and plain gradient descent on an aligned valley
# ($k = 4$, $\alpha = 0.8$).

# %%
def lookahead_paths(make_inner, landscape, k, alpha, steps, sync=None):
    """Fast, then slow weights after every step: by hand with `sync`, or alr_teach.Lookahead."""
    if sync is None:
        trajectory = run(Lookahead(make_inner(), k=k, alpha=alpha), landscape, steps=steps)
        return np.concatenate([trajectory.points[1:].ravel(),
                               trajectory.state["slow_weights"].ravel()])
    inner, fast = make_inner(), landscape.start.astype(float)
    slow, fasts, slows = fast.copy(), [], []
    for t in range(1, steps + 1):
        fast = inner.step(fast, landscape.grad(fast))
        if t % k == 0:
            slow, fast = sync(slow, fast, alpha)
        fasts.append(fast)
        slows.append(slow)
    return np.concatenate([np.ravel(fasts), np.ravel(slows)])


tilted = Quadratic([1.0, 30.0], angle=np.pi / 6, start=[-2.5, 2.0])
aligned = Quadratic([1.0, 30.0], start=[1.0, 1.0])
lookahead_cases = [(lambda: SGD(lr=0.02, momentum=0.9), tilted, 5, 0.5, 80),
                   (lambda: Adam(lr=0.05), Rosenbrock(), 6, 0.3, 60),
                   (lambda: SGD(lr=0.06), aligned, 4, 0.8, 40)]
checks.check_value("lookahead_sync",
                   checks.outputs(lambda *case: lookahead_paths(*case, sync=lookahead_sync),
                           lookahead_cases, "lookahead_sync"),
                   np.concatenate([lookahead_paths(*case) for case in lookahead_cases]),
                   rtol=1e-10, atol=1e-14,
                   hint="phi + alpha * (theta - phi) (alpha weights the FAST weights), and "
                        "return that same point as the new fast weights")

# %% [markdown]
# ## 6. Predict, then explore: why the course chose an odd $k$
#
# With plain gradient descent inside, along a direction of curvature $\lambda$ each fast
# step multiplies the error by $q = 1 - \eta\lambda$, and a sync multiplies the slow
# error by $s = 1 - \alpha(1 - q^k)$. The course used $k = 5$ on the steep direction
# ($\lambda = 30$, $\eta = 0.06$, so $q = -0.8$: a zig-zag). Predict $s$ for $k = 4$,
# with $\alpha = 0.5$.

# %%
predicted_s_even = None  # replace None with a number
### BEGIN SOLUTION
# q**4 = 0.4096 > 0: the zig-zag is back on the same side after 4 steps, nothing cancels
predicted_s_even = 1 - 0.5 * (1 - (-0.8) ** 4)
### END SOLUTION

# %%
steep = Quadratic([30.0], start=[1.0])
slow_after = run(Lookahead(SGD(lr=0.06), k=4, alpha=0.5), steep, steps=8).state["slow_weights"]
print(f"k = 4: slow weights after syncs 1 and 2: {slow_after[3, 0]:.4f}, {slow_after[7, 0]:.4f}"
      f"; k = 5 gave s = {1 - 0.5 * (1 - (-0.8) ** 5):.4f}")
checks.check_value("s_even_k", predicted_s_even, slow_after[3, 0], rtol=1e-9,
                   hint="q = 1 - 0.06 * 30 = -0.8; what is the sign of q**4?")

# %% [markdown]
# **Explore.** Turn $k$ from 1 to 10 and $\alpha$ over three values, and compare the
# *per-step* factor $|s|^{1/k}$ (measured: the slow error after 10 syncs, to the power
# $1/(10k)$) on the steep direction ($\lambda = 30$) and on the flat one ($\lambda = 1$) of
# the aligned valley, against gradient descent alone ($|q|$ per step).

# %%
ks, alphas = np.arange(1, 11), (0.3, 0.5, 0.8)
per_step = {}                                   # alpha -> (k, [flat, steep]) per-step factors
for alpha in alphas:
    per_step[alpha] = np.array([np.abs(run(Lookahead(SGD(lr=0.06), k=int(k), alpha=alpha),
                                           aligned, steps=10 * int(k)).state["slow_weights"][-1])
                                ** (1 / (10 * k)) for k in ks])
gd_alone = np.abs(1 - 0.06 * aligned.curvatures)
print(f"gradient descent alone, per step: flat {gd_alone[0]:.3f}, steep {gd_alone[1]:.3f}")
for alpha in alphas:
    print(f"α = {alpha}: steep, per step, k = 1..10: "
          + " ".join(f"{f:.2f}" for f in per_step[alpha][:, 1]))
print("α = 0.5: flat, per step, k = 1..10:  "
      + " ".join(f"{f:.3f}" for f in per_step[0.5][:, 0]))

fig, (ax_steep, ax_flat) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
for i, alpha in enumerate(alphas):
    for ax, d in ((ax_flat, 0), (ax_steep, 1)):
        ax.plot(ks, per_step[alpha][:, d], label=f"Lookahead, α = {alpha}", markersize=5,
                **style(i))
for ax, d, name in ((ax_flat, 0, "flat (λ = 1)"), (ax_steep, 1, "steep (λ = 30)")):
    ax.axhline(gd_alone[d], color="black", linestyle=":", label="gradient descent alone")
    ax.set(xlabel="fast steps per sync k", ylabel="error factor per step",
           title=f"{name}, η = 0.06")
    ax.legend(fontsize=8)
plt.show()
steep_05 = per_step[0.5][:, 1]
assert np.all(steep_05[ks % 2 == 1][1:] < steep_05[ks % 2 == 0][1:])   # odd beats even k
assert np.all(per_step[0.5][:, 0] > gd_alone[0])                        # flat: always slower

# %% [markdown]
# **Explain** the pattern: why odd $k$ beats even $k$ on the steep direction, what
# $k = 1$ is, and why Lookahead never helps on the flat direction here.
#
# ### BEGIN SOLUTION
# On the steep direction $q = -0.8$: gradient descent overshoots and the error flips sign
# every step. After an odd number of fast steps the fast weights sit on the *other* side
# of the minimum, $q^k < 0$, and averaging them with the slow weights cancels much of
# both: $s = 1 - \alpha(1 + |q|^k)$, which for $\alpha = 0.5$ is $(1 - |q|^k)/2$. After an
# even number they are back on the *same* side, $q^k > 0$, and the sync only keeps part of
# the progress, $s = 1 - \alpha(1 - |q|^k)$: slower per step than gradient descent alone.
# So the per-step factor zig-zags with $k$, odd below even, and for large $k$ both tend to
# $(1-\alpha)^{1/k} \to 1$. An odd $k$ cancels the zig-zag completely when
# $\alpha(1 + |q|^k) = 1$: with $\alpha = 0.8$ that is $|q|^k = 0.25$, near $k = 6$, and
# $k = 3, 5, 7$ all beat gradient descent there (0.59, 0.57, 0.61 per step, against 0.8).
# $k = 1$ is plain gradient descent at the rate $\alpha\eta$ (here
# $|1 - 0.5 \cdot 0.06 \cdot 30| = 0.1$ per step, the fastest of all on this direction,
# but that is just a better rate). On the flat direction $q = 0.94 > 0$ for every $k$: the
# fast weights never overshoot, so every sync throws away a fraction $1 - \alpha$ of the
# progress, and Lookahead moves like gradient descent at the rate $\alpha\eta$ (0.970 per
# step at $k = 1$), a little slower still for larger $k$ (0.974 at $k = 10$), against 0.94
# for gradient descent at $\eta$. Lookahead's gain comes from cancelling overshoot; where
# there is none it costs speed, which is why it helped momentum methods and not plain
# gradient descent in the course's race.
# ### END SOLUTION

# %% [markdown]
# ## 7. Predict, then run: does momentum save Adam on the AMSGrad problem?
#
# The course's online problem: $f_t(x) = 3x$ on steps $1, 4, 7, \dots$ and $-x$
# otherwise, $x$ projected onto $[-1, 1]$ after every step, step size $0.5/\sqrt t$,
# $\beta_2 = 0.1$. With $\beta_1 = 0$ Adam went to $+1$, the worst point. With
# $\beta_1 = 0.9$, where does it end: predict $+1$ or $-1$.

# %%
predicted_end = None  # replace None with +1 or -1
### BEGIN SOLUTION
# m averages about 10 gradients, more than three periods: it stays near the mean gradient
# (3 - 1 - 1) / 3 > 0, so every step goes towards -1, whatever v does
predicted_end = -1
### END SOLUTION

# %%
beta1s = np.array([0.0, 0.5, 0.9])
online_opt = Adam(lr=0.5, betas=(beta1s, 0.1))               # one row of x per beta1
x, xs, ms = np.zeros((beta1s.size, 1)), [], []
for t in range(1, 3001):
    online_opt.lr = 0.5 / np.sqrt(t)
    x = np.clip(online_opt.step(x, np.full_like(x, 3.0 if t % 3 == 1 else -1.0)), -1.0, 1.0)
    xs.append(x[:, 0])
    ms.append(online_opt.state["m"][:, 0])
ends = np.array(xs)[-300:].mean(axis=0)
print("β1: " + ", ".join(f"{b1:g} ends at x = {e:+.3f}" for b1, e in zip(beta1s, ends)))
print(f"β1 = 0.9: smallest m over the last 300 steps {np.array(ms)[-300:, 2].min():+.3f}")
checks.check_value("momentum_end", predicted_end, np.sign(ends[2]), rtol=0,
                   hint="with beta1 = 0.9, over how many gradients does m average, and what "
                        "is the sign of the average gradient?")

# %% [markdown]
# ## 8. Open challenge: defeat Adam with momentum
#
# Reddi et al. prove that for any $\beta_1 < \sqrt{\beta_2}$ some online problem on
# $[-1, 1]$ sends Adam to the wrong point. Find one for $\beta_1 = 0.9$,
# $\beta_2 = 0.99$ (the setting of their experiment): losses $f_t(x) = C x$ or $-x$ in some
# pattern whose best fixed point is $-1$, step size $0.5/\sqrt t$ and the projection as
# above. Show that Adam ends near $+1$ while AMSGrad (same settings) ends near $-1$, and
# say why momentum no longer saves Adam.

# %%
### BEGIN SOLUTION
def online(C, beta1, beta2, amsgrad, steps, alpha=0.5, eps=1e-8):
    """Adam or AMSGrad on f_t = C x every C steps (t = 1, C + 1, ...), -x otherwise.

    C may be an array (one run per entry, period = C); returns x_t, shape (steps, runs).
    """
    C = np.asarray(C, dtype=float)
    x, m, v, v_max = (np.zeros_like(C) for _ in range(4))
    xs = np.empty((steps, C.size))
    for t in range(1, steps + 1):
        g = np.where(t % C.astype(int) == 1, C, -1.0)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = np.maximum(v_max, v)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        x = np.clip(x - alpha / np.sqrt(t) * (m / (1 - beta1**t)) / (np.sqrt(v_hat) + eps),
                    -1.0, 1.0)
        xs[t - 1] = x
    return xs


periods = np.array([10, 30, 100, 300])       # C = period: per period C - (C - 1) = 1 > 0
for amsgrad in (False, True):                # 600 steps with the package's Adam: the same
    package_opt, x = Adam(lr=0.5, betas=(0.9, 0.99), amsgrad=amsgrad), np.zeros((4, 1))
    for t in range(1, 601):
        package_opt.lr = 0.5 / np.sqrt(t)
        g = np.where(t % periods == 1, periods, -1.0).reshape(4, 1)
        x = np.clip(package_opt.step(x, g), -1.0, 1.0)
    assert np.abs(x[:, 0] - online(periods, 0.9, 0.99, amsgrad, 600)[-1]).max() < 1e-12

steps = 12_000
adam_xs = online(periods, 0.9, 0.99, False, steps)
amsgrad_xs = online(periods, 0.9, 0.99, True, steps)
adam_end, amsgrad_end = adam_xs[-1200:].mean(axis=0), amsgrad_xs[-1200:].mean(axis=0)
for C, a, b in zip(periods, adam_end, amsgrad_end):
    print(f"C = period = {C:3d}: mean x over the last 1200 steps: Adam {a:+.3f}, "
          f"AMSGrad {b:+.3f}")
assert np.all(adam_end[periods >= 100] > 0.9) and np.all(adam_end[periods <= 30] < -0.8)
assert np.all(amsgrad_end < -0.8)

fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
for i, (name, xs) in enumerate((("Adam", adam_xs), ("AMSGrad", amsgrad_xs))):
    ax.plot(np.arange(1, steps + 1), xs[:, 2], label=f"{name}, C = period = 100",
            markevery=1000, markersize=4, **style(i))
ax.axhline(-1, color="black", linestyle=":", label="x* = −1 (the best point)")
ax.set(xlabel="step t", ylabel="x_t (projected onto [−1, 1])",
       title="β1 = 0.9, β2 = 0.99: rare large gradients still fool Adam")
ax.legend(fontsize=8)
plt.show()
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: make the large gradient rarer.** Keep the pattern, but with a
# period $P$ and the large gradient $C = P$: per period the losses add up to
# $C - (P - 1) = 1 > 0$, so $x^\star = -1$ still. In exercise 7 momentum saved Adam
# because $m$ averages about $1/(1-\beta_1) = 10$ gradients, more than three periods of
# the course's problem, and so kept the sign of the *mean* gradient. With a period of 100,
# $m$ forgets the large gradient within about 20 steps ($0.1 \cdot 100 \cdot 0.9^k$ falls
# below 1) and then follows the small ones again, which push towards $+1$; meanwhile $v$,
# with its memory of about $1/(1-\beta_2) = 100$ steps, has shrunk, so those small steps
# are divided by a small $\sqrt{\hat v_t}$ and add up. The one large gradient, however
# large, yields a normalised step of bounded size, and the projection clips it at $-1$
# anyway. Measured: with periods of 10 and 30 Adam still ends near $-1$ ($-1.00$ and
# $-0.90$), with 100 and 300 it ends above $+0.9$. AMSGrad's $\hat v^{\max}$ remembers
# $C^2$ for ever, so the small steps stay small and it ends below $-0.8$ on all four (the
# longer the period, the farther from $-1$: about $-0.84$ at 300). This matches the
# theorem's recipe: for $\beta$'s closer to 1, choose rarer and larger gradients.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["rectifier", "never_adaptive", "lamb_step", "lamb_first_step", "lookahead_sync",
                "s_even_k", "momentum_end"])
