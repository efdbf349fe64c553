# %% [markdown]
# # Exercises 08 · Weight decay done right
#
# **Goal.** L2 in the gradient and decoupled weight decay are one update for plain
# gradient descent and two different ones for Adam. In these exercises you predict from
# the gradient scales how fast Adam + L2 decays each weight, write one AdamW step
# yourself, predict where each rule comes to rest under noise, find out whether momentum
# keeps L2 and decoupled decay the same, and end by designing weights that the two rules
# treat in opposite ways.
#
# Course notebook: [08 · Weight decay](../notebooks/08_weight_decay.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 40 minutes.

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, Adam, AdamW, checks
from alr_teach.lessons.weight_decay import decay_paths, effective_decay, flip_gradients
from alr_teach.viz.plots import style

rng = np.random.default_rng(108)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Predict, then run: how much faster does L2 decay a quiet weight?
#
# Two parameters start at $x = 1$; their gradients are pure flip-flop noise, of size
# $s_1 = 1$ and $s_2 = 1/5$ (`flip_gradients`), so only the weight decay pulls them
# towards 0. With `Adam(lr=0.01, weight_decay=1e-3)` (L2 in the gradient), parameter 2
# shrinks faster than parameter 1. By what factor, $d_2/d_1$, where $d_i$ is the shrink
# per step? Write a number.

# %%
predicted_l2_ratio = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
# the decay term lambda * x is divided by sqrt(v_hat) ~ s_i: d_i = lr * lambda / s_i
predicted_l2_ratio = 1.0 / (1 / 5)
### END SOLUTION

# %%
scales = np.array([1.0, 1 / 5])
l2_path = decay_paths(Adam(lr=0.01, weight_decay=1e-3), scales, 2000)
l2_decay = effective_decay(l2_path)
print(f"Adam + L2: shrink per step {l2_decay[0]:.3e} and {l2_decay[1]:.3e}, "
      f"ratio {l2_decay[1] / l2_decay[0]:.3f}")
checks.check_value("l2_ratio", predicted_l2_ratio, l2_decay[1] / l2_decay[0], rtol=0.02,
                   hint="with L2, Adam divides the decay term lambda * x by sqrt(v_hat), "
                        "about the size s_i of the parameter's own gradients")

# %% [markdown]
# ## 2. Implement it: one AdamW step
#
# Write `adamw_step(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay)` in torch's
# form, returning `(x, m, v)`: first shrink the weights,
# $x \leftarrow (1 - \eta\lambda)\,x$, then take Adam's step computed from $g_t$ alone:
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2,
#   \quad x_t = x - \eta\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}.$$
#
# $t$ is 1 on the first step. The decay must not enter $m$ or $v$.

# %%
def adamw_step(x, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """One AdamW step (torch's form); returns the new (x, m, v)."""
    ### BEGIN SOLUTION
    x = x * (1 - lr * weight_decay)              # decoupled: shrink, outside the moments
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ### END SOLUTION


# %%
checks.check_adamw_step(adamw_step)

# %% [markdown]
# ## 3. Predict, then run: where do they come to rest?
#
# The course's noisy quadratic, $f(x) = \tfrac{a}{2}(x - c)^2$ with $a = c = 1$ and a
# flip-flop noise of size $\sigma$ on every gradient, with $\lambda = 0.1$ and
# $\eta = 0.05$. At $\sigma = 10$ the course measured rest points 0.91 for Adam + L2
# and 0.50 for AdamW. Now the noise is **ten times smaller**, $\sigma = 1$. Predict both
# rest points: `[Adam + L2, AdamW]`.

# %%
predicted_rest = None  # replace None with [rest point of Adam + L2, rest point of AdamW]
### BEGIN SOLUTION
a, c, lam, sigma = 1.0, 1.0, 0.1, 1.0
l2_rest = a * c / (a + lam)            # the minimum of f + lambda/2 x^2: no sigma in it
adamw_rest = a * c / (a + lam * sigma)  # AdamW acts like an L2 of strength lambda * sigma
predicted_rest = [l2_rest, adamw_rest]
### END SOLUTION

# %%
steps, lr, lam, sigma = 4000, 0.05, 0.1, 1.0
flip = sigma * (-1.0) ** np.arange(1, steps + 1)
rules = {"Adam + L2": Adam(lr=lr, weight_decay=lam), "AdamW": AdamW(lr=lr, weight_decay=lam)}
rest_paths = {}
for name, opt in rules.items():
    x, path = np.zeros(1), []
    for t in range(steps):
        x = opt.step(x, (x - 1.0) + flip[t])       # a = c = 1
        path.append(x[0])
    rest_paths[name] = np.array(path)
measured_rest = [path[-1000:].mean() for path in rest_paths.values()]
print("rest points at sigma = 1: " + ", ".join(
    f"{name} {value:.4f}" for name, value in zip(rules, measured_rest)))
checks.check_value("rest_points", predicted_rest, measured_rest, rtol=0.01,
                   hint="Adam + L2 rests at the minimum of f + lambda/2 x^2; for AdamW, "
                        "sqrt(v_hat) ~ sigma multiplies the decay: an L2 of strength "
                        "lambda * sigma")

# %% [markdown]
# **Explain** which rest point moved when $\sigma$ went from 10 to 1, which did not, and
# what that says about choosing $\lambda$ for AdamW.
#
# ### BEGIN SOLUTION
# Adam + L2 rests where the mean of what it is given, $\bar g + \lambda x$, is zero: at
# the minimum of $f + \tfrac{\lambda}{2}x^2$, $x^* = 1/1.1 \approx 0.909$, whatever
# $\sigma$ (and $\eta$). AdamW's decay $\eta\lambda x$ is applied outside the adaptive
# step, while the loss's pull is divided by $\sqrt{\hat v} \approx \sigma$; balancing the
# two gives $\lambda x\sigma \approx a(c - x)$, an L2 of strength $\lambda\sigma$. So its
# rest point moved, from 0.50 at $\sigma = 10$ to 0.909 at $\sigma = 1$, where
# $\lambda\sigma = \lambda$ and the two rules happen to agree. AdamW's $\lambda$ therefore
# has no fixed meaning as a penalty: its strength scales with the size of the
# gradients, which changes with the data, the batch size and the stage of training. It
# must be tuned on the problem, not carried over from an L2 coefficient.
# ### END SOLUTION

# %% [markdown]
# ## 4. Predict, then run: does momentum keep SGD's two decays equal?
#
# For plain gradient descent, L2 in the gradient and a decoupled shrink by
# $1 - \eta\lambda$ are the same update (course, section 2). Now add heavy-ball momentum,
# $\mu = 0.9$ (torch's form, $b \leftarrow \mu b + g$, $x \leftarrow x - \eta b$).
# `SGD(lr, momentum=0.9, weight_decay=λ)` puts $\lambda x$ into the gradient, so into the
# velocity; the decoupled version shrinks $x$ by $1 - \eta\lambda$ and then takes the
# momentum step. On flip-flop noise, what is the ratio of their shrink rates,
# $d_{\text{L2}}/d_{\text{decoupled}}$? Write a number.

# %%
predicted_momentum_ratio = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
# a steady pull lambda * x builds up in the velocity to lambda * x / (1 - mu): the L2 shrink
# per step is lr * lambda / (1 - mu), the decoupled one stays lr * lambda
predicted_momentum_ratio = 1 / (1 - 0.9)
### END SOLUTION

# %%
lr_sgd, wd_sgd, mu = 0.01, 0.01, 0.9
noise = np.array([1.0, 0.05])
coupled = decay_paths(SGD(lr=lr_sgd, momentum=mu, weight_decay=wd_sgd), noise, 2000)
heavy_ball, x, decoupled = SGD(lr=lr_sgd, momentum=mu), np.ones(2), [np.ones(2)]
for g in flip_gradients(noise, 2000):
    x = heavy_ball.step(x * (1 - lr_sgd * wd_sgd), g)   # shrink, then the momentum step
    decoupled.append(x)
decoupled = np.array(decoupled)
ratio = effective_decay(coupled) / effective_decay(decoupled)
print(f"SGD with momentum 0.9: L2 shrinks {np.array2string(ratio, precision=2)} times faster "
      f"than decoupled decay (gradient scales 1 and 0.05)")
checks.check_value("momentum_ratio", predicted_momentum_ratio, ratio.mean(), rtol=0.05,
                   hint="with L2 the decay term lambda * x goes into the velocity b = mu * b "
                        "+ g; what does a constant input c build up to in b?")

# %% [markdown]
# **Explain**: does the gradient scale matter here, as it did for Adam? Is this a reason
# to prefer one form for SGD with momentum?
#
# ### BEGIN SOLUTION
# The ratio is the same, about 10, for both gradient scales: momentum has no division by
# a gradient size, so the L2 term is not rescaled per weight. It is only amplified, by
# the velocity's sum of a geometric series, $1 + \mu + \mu^2 + \dots = 1/(1-\mu)$, exactly
# as a steady gradient is. So for SGD with momentum the two forms differ by a constant
# factor on every weight: `weight_decay` $= \lambda$ with L2 acts like a decoupled decay
# of $\lambda/(1-\mu)$, ten times the number written. That is a matter of how $\lambda$ is
# counted (translate it when you port settings between the forms), not a reason to
# prefer one; the real difference, weights decayed at different rates, appears only
# with a per-coordinate division such as Adam's.
# ### END SOLUTION

# %% [markdown]
# ## 5. Open challenge: opposite verdicts
#
# With the same $\eta = 0.01$ and $\lambda = 0.01$ for `Adam(weight_decay=λ)` and
# `AdamW(weight_decay=λ)`, choose the gradient scales of two flip-flop parameters so that
# **AdamW** decays parameter 1 at least 10 times faster than Adam + L2 does, while
# **Adam + L2** decays parameter 2 at least 10 times faster than AdamW does. Show it with
# `decay_paths` and `effective_decay`, draw the four paths, and explain.

# %%
### BEGIN SOLUTION
lr_c, wd_c, steps_c = 0.01, 0.01, 2000
opposite = np.array([20.0, 0.05])      # a loud weight and a quiet one
paths = {"Adam + L2": decay_paths(Adam(lr=lr_c, weight_decay=wd_c), opposite, steps_c),
         "AdamW": decay_paths(AdamW(lr=lr_c, weight_decay=wd_c), opposite, steps_c)}
rates = {name: effective_decay(path) for name, path in paths.items()}
faster_w = rates["AdamW"][0] / rates["Adam + L2"][0]
faster_l2 = rates["Adam + L2"][1] / rates["AdamW"][1]
print(f"parameter 1 (scale 20): AdamW shrinks {faster_w:.1f}x faster than Adam + L2")
print(f"parameter 2 (scale 0.05): Adam + L2 shrinks {faster_l2:.1f}x faster than AdamW")
assert faster_w >= 10 and faster_l2 >= 10

fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
for i, (name, path) in enumerate(paths.items()):
    for p, label in enumerate(["scale 20", "scale 0.05"]):
        ax.plot(path[:, p], label=f"{name}, {label}", markevery=200, **style(2 * i + p))
ax.set(xlabel="step t", ylabel="parameter x (starts at 1)", ylim=(0, 1.05),
       title="Same η and λ: each rule decays a different weight hard")
ax.legend(fontsize=8)
plt.show()
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer: scales 20 and 0.05.** AdamW shrinks every weight by
# $\eta\lambda = 10^{-4}$ per step, whatever its gradients. Adam + L2 shrinks weight $i$
# by about $\eta\lambda/s_i$: for $s_1 = 20$ that is 20 times *less* than AdamW, for
# $s_2 = 0.05$ it is 20 times *more* (measured: about 20 both ways). Any $s_1 \ge 10$ and
# $s_2 \le 0.1$ works; for much smaller $s_2$ the decay term $\lambda|x|$ outgrows the
# gradients, Adam + L2 turns into a sign descent at up to $\eta$ per step, and the gap
# grows further. The lesson: with L2, *which* weights a given $\lambda$ regularises
# depends on their gradient history (loud weights are spared, quiet ones wiped out);
# with AdamW, $\lambda$ means the same shrink for every weight.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["l2_ratio", "adamw_step", "rest_points", "momentum_ratio"])
