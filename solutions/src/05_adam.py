# %% [markdown]
# # Exercises 05 · Adam
#
# **Goal.** Adam keeps two moving averages per coordinate, of the gradient ($m_t$, the
# direction) and of the squared gradient ($v_t$, the scale), corrects both for starting at
# zero, and steps by $\eta\, \hat m_t/(\sqrt{\hat v_t} + \epsilon)$. In these exercises you
# write that step yourself, predict what goes wrong without the bias correction, rebuild
# Adam's steps from its recorded moments, test its scale invariance and the one place
# where $\epsilon$ breaks it, turn the knob $\beta_1$, and finally try to beat Adam with a
# rule of your own.
#
# Course notebook: [05 · Adam](../notebooks/05_adam.ipynb).
# Notation: [docs/notation.md](../docs/notation.md).
#
# **How to work.** Write code where a cell says `# YOUR CODE HERE` (inside a function,
# delete the `raise NotImplementedError()` line too) and answers where a cell says
# YOUR ANSWER HERE. After each *implement it* task, the next cell runs a checker: it prints
# PASS, or FAIL with a hint, and never stops the notebook. For *predict, then run*, write
# your prediction **before** you run the experiment; the checker compares it afterwards.
# The last cell lists every check. **Time:** about 50 minutes.

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, Adam, Optimizer, checks
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep, sweep_learning_rates
from alr_teach.optimizers.adam_variants import UncorrectedAdam
from alr_teach.problems.landscapes import Beale, Noisy, Quadratic, Rosenbrock, get
from alr_teach.viz.surface_plots import contour, plot_trajectories

rng = np.random.default_rng(105)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Implement it: one Adam step
#
# Write `adam_step(x, grad, m, v, t, lr, beta1, beta2, eps)` in torch's convention, with
# $t = 1$ on the first step and $m = v = 0$ before it:
#
# $$m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,
# \quad \hat m_t = \frac{m_t}{1-\beta_1^t}, \quad \hat v_t = \frac{v_t}{1-\beta_2^t},$$
#
# $$x_t = x_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}.$$
#
# Return `(x, m, v)`: the new parameters and the new **raw** moments (not the corrected
# ones). Arrays and plain numbers must both work; do not change the arguments in place.

# %%
def adam_step(x, grad, m, v, t, lr, beta1, beta2, eps):
    """One Adam step: returns the new parameters and the new (uncorrected) moments m, v."""
    ### BEGIN SOLUTION
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return x - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ### END SOLUTION


# %%
checks.check_adam_step(adam_step)

# %% [markdown]
# If your `adam_step` passes, the next cell runs it for 200 steps on Beale's function
# ($\eta = 0.05$) and draws its path over the one `alr_teach.Adam` takes.

# %%
beale = Beale()
if checks.passed("adam_step"):
    x, m, v, path = beale.start.copy(), np.zeros(2), np.zeros(2), [beale.start.copy()]
    for t in range(1, 201):
        x, m, v = adam_step(x, beale.grad(x), m, v, t, 0.05, 0.9, 0.999, 1e-8)
        path.append(x)
    reference = run(Adam(lr=0.05), beale, steps=200)
    gap = np.abs(np.array(path) - reference.points).max()
    print(f"largest distance between your path and alr_teach.Adam's: {gap:.1e}")
    fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
    contour(ax, beale)
    plot_trajectories(ax, beale, [reference], ["alr_teach.Adam(lr=0.05)"])
    ax.plot(*np.array(path).T, color="black", linestyle=":", linewidth=2, label="your adam_step")
    ax.legend(fontsize=8)
    plt.show()
else:
    print("Finish exercise 1 first: adam_step must pass its check.")

# %% [markdown]
# ## 2. Predict, then run: the first step without bias correction
#
# Leave out the hats: step by $\eta\, m_t/(\sqrt{v_t} + \epsilon)$. With $\beta_1 = 0.5$ and
# $\beta_2 = 0.99$, how long is the first step, in units of $\eta$, for gradients of
# ordinary size? Too long or too short, and by what factor? Predict the number.

# %%
predicted_uncorrected = None  # replace None with your prediction (step / lr, a number)
### BEGIN SOLUTION
predicted_uncorrected = (1 - 0.5) / np.sqrt(1 - 0.99)  # m_1 = (1-b1) g, sqrt(v_1) = sqrt(1-b2)|g|
### END SOLUTION

# %%
g_first = np.array([1e-2, 1.0, 1e2])
uncorrected = -UncorrectedAdam(lr=1.0, betas=(0.5, 0.99)).step(np.zeros(3), g_first)
corrected = -Adam(lr=1.0, betas=(0.5, 0.99)).step(np.zeros(3), g_first)
print(f"first step / lr for gradients 0.01, 1, 100: without correction "
      f"{np.array2string(uncorrected, precision=4)}, "
      f"with {np.array2string(corrected, precision=4)}")
checks.check_value("uncorrected_first_step", predicted_uncorrected, uncorrected[1], rtol=1e-6,
                   hint="after one step m_1 = (1 - beta1) g_1 and v_1 = (1 - beta2) g_1^2")

# %% [markdown]
# ## 3. Implement it: Adam's steps from its moments
#
# A run of `Adam(lr=0.01)` (other settings default) on a noisy version of the course
# valley records its raw moments after every step: `moments_run.state["m"]` and
# `["v"]`, each of shape (100, 2). With numpy, and without calling any optimizer, rebuild
# the 100 steps it took: `my_steps[t - 1]` $= x_t - x_{t-1}$ (shape (100, 2), negative
# where $x$ decreased). The checker compares them with the differences of the recorded
# points.

# %%
valley = Quadratic(curvatures=[1.0, 25.0], angle=np.pi / 6, start=[1.5, 1.0])
moments_run = run(Adam(lr=0.01), Noisy(valley, sigma=0.5, seed=0), steps=100)
my_steps = None  # replace None with an array of shape (100, 2)
### BEGIN SOLUTION
t = np.arange(1, 101)[:, None]                       # step numbers, one row per step
m_hat = moments_run.state["m"] / (1 - 0.9**t)
v_hat = moments_run.state["v"] / (1 - 0.999**t)
my_steps = -0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
### END SOLUTION

# %%
checks.check_value("steps_from_moments", my_steps, np.diff(moments_run.points, axis=0),
                   rtol=1e-9, hint="row t-1 belongs to step t = 1, 2, ...: correct each row "
                                   "with 1 - beta**t for its own t")

# %% [markdown]
# ## 4. Predict, then run: scale the loss by 1000
#
# Multiply the valley's loss by 1000 (curvatures 1000 and 25 000): every gradient is 1000
# times larger. Run Adam ($\eta = 0.01$) for 200 steps on both. What is the largest
# distance between the two paths? Predict a number (a rough one is fine: the check allows
# $10^{-6}$).

# %%
predicted_gap = None  # replace None with your prediction (a distance)
### BEGIN SOLUTION
predicted_gap = 0.0  # m_hat and sqrt(v_hat) both grow by 1000: the ratio does not change
### END SOLUTION

# %%
steeper = Quadratic(curvatures=[1000.0, 25000.0], angle=np.pi / 6, start=[1.5, 1.0])
paths = [run(Adam(lr=0.01), landscape, steps=200).points for landscape in (valley, steeper)]
measured_gap = float(np.abs(paths[0] - paths[1]).max())
sgd_gap = np.abs(run(SGD(lr=1e-5), valley, steps=5).points
                 - run(SGD(lr=1e-5), steeper, steps=5).points).max()
print(f"Adam: the paths differ by at most {measured_gap:.1e}; gradient descent (lr = 1e-5) "
      f"is {sgd_gap:.2f} apart after 5 steps")
assert sgd_gap > 0.1
checks.check_value("scale_gap", predicted_gap, measured_gap, atol=1e-6,
                   hint="multiply every g by c: what happens to m_hat, to sqrt(v_hat), and to "
                        "their ratio?")

# %% [markdown]
# ## 5. Predict, then run: when $\epsilon$ takes over
#
# Now the opposite: the valley's loss times $10^{-6}$, so the gradients are about
# $10^{-7}$ to $3 \cdot 10^{-6}$. Take Adam without momentum ($\beta_1 = 0$) and
# $\eta = 0.01$. Which $\epsilon$ makes it behave almost like plain `SGD(lr=100)`? Predict
# it, then compare the paths (200 steps) for three values of $\epsilon$.

# %%
predicted_eps = None  # replace None with your prediction (a number)
### BEGIN SOLUTION
predicted_eps = 0.01 / 100  # sqrt(v_hat) << eps: the step is (eta / eps) g, so eps = eta / 100
### END SOLUTION

# %%
tiny = Quadratic(curvatures=[1e-6, 25e-6], angle=np.pi / 6, start=[1.5, 1.0])
plain = run(SGD(lr=100.0), tiny, steps=200).points
travelled = np.abs(plain - tiny.start).max()
eps_gap = {}
for eps in (1e-8, 1e-6, 1e-4):
    adam_tiny = run(Adam(lr=0.01, betas=(0.0, 0.999), eps=eps), tiny, steps=200).points
    eps_gap[eps] = np.abs(adam_tiny - plain).max() / travelled
    print(f"ε = {eps:.0e}: largest gap to SGD(lr=100) {eps_gap[eps]:.1%} of the distance moved")
assert eps_gap[1e-4] < 0.05 < eps_gap[1e-6] < eps_gap[1e-8]
checks.check_value("sgd_eps", predicted_eps, 0.01 / 100, rtol=1e-6,
                   hint="when sqrt(v_hat) is negligible next to eps, the step is "
                        "(lr / eps) * m_hat, and with beta1 = 0, m_hat = g")

# %% [markdown]
# **Explain** what the three runs show about $\epsilon$, and why the usual advice "raise
# $\epsilon$ from $10^{-8}$ to $10^{-6}$" changes nothing on gradients of ordinary size.
#
# ### BEGIN SOLUTION
# The denominator is $\sqrt{\hat v_t} + \epsilon$. While the gradients are much larger
# than $\epsilon$, $\epsilon$ is invisible and Adam is scale invariant (exercise 4). Once
# $\epsilon$ dominates, the denominator is a constant and Adam becomes gradient descent on
# $\hat m_t$ with rate $\eta/\epsilon$: here, with gradients around $10^{-6}$,
# $\epsilon = 10^{-4}$ already follows `SGD(lr=100)` to within a few per cent. With
# $10^{-8}$, and still with $10^{-6}$ (about the gradients' own size), the denominator
# follows the gradients, each step stays a sizeable fraction of $\eta$, and the path runs
# far ahead of SGD's. So $\epsilon$ is a gradient size: below it Adam stops adapting. On
# gradients of ordinary size, say $10^{-3}$ or more, neither $10^{-8}$ nor $10^{-6}$ is
# anywhere near $\sqrt{\hat v_t}$, and the runs are the same (course notebook, section 7);
# a lower rate is the remedy for oscillations.
# ### END SOLUTION

# %% [markdown]
# ## 6. Explore and explain: how much momentum on a curved valley?
#
# Turn $\beta_1$ on Rosenbrock: for each of four values, the best final loss after 1000
# steps over 26 rates from $10^{-4}$ to 10 (one vectorised sweep of 104 runs).

# %%
banana = Rosenbrock()
rates, beta1s = np.logspace(-4, 1, 26), np.array([0.0, 0.5, 0.9, 0.99])
grid = sweep(Adam, banana, {"lr": rates, "beta1": beta1s}, steps=1000)
loss = np.where(grid.diverged, np.inf, grid.final_loss - banana.min_value)   # (rates, beta1s)
best_loss = loss.min(axis=0)
for j, beta1 in enumerate(beta1s):
    print(f"β1 = {beta1:4}: best loss {best_loss[j]:.1e} at lr {rates[np.argmin(loss[:, j])]:.3g}")
assert np.all((0 < np.argmin(loss, axis=0)) & (np.argmin(loss, axis=0) < rates.size - 1))
assert best_loss[2] < best_loss[0] / 100 and best_loss[2] == best_loss.min()

# %% [markdown]
# **Explain** why $\beta_1 = 0.9$ ends so much lower than $\beta_1 = 0$ here, and what
# a $\beta_1$ of 0 turns Adam into.
#
# ### BEGIN SOLUTION
# With $\beta_1 = 0$, $\hat m_t = g_t$ and Adam is RMSProp (with $\alpha = \beta_2$) plus
# bias correction: each step is about $\eta$ per coordinate along the newest gradient's
# signs. On Rosenbrock's curved, narrow valley the newest gradient points mostly across the
# floor, so such steps bounce between the walls. With $\beta_1 = 0.9$ the step follows an
# average over about 10 gradients: the components across the valley, which flip sign,
# cancel, and the component along the floor, which keeps its sign, adds up (the momentum
# argument of notebook 02). That lets a large rate make progress along the floor without
# bouncing off the walls. The measured effect is many orders of magnitude; on the tilted
# bowls of the course notebook momentum mattered far less (section 8). More memory is not
# always better: with $\beta_1 = 0.99$ the average spans about 100 gradients and reacts
# too slowly to the bend of the valley, and it ends far above $\beta_1 = 0.9$.
# ### END SOLUTION

# %% [markdown]
# ## 7. Open challenge: beat Adam
#
# Write your own optimizer, a subclass of `alr_teach.Optimizer`, and beat Adam on a
# landscape of your choice **fairly**: both methods get their best rate from the same
# grid (`np.logspace(-4, 1, 26)`), the same start and the same budget (500 steps), judged
# by one stated rule. Assert your result, and say where your rule does worse.

# %%
### BEGIN SOLUTION
class SecantRate(Optimizer):
    """A rate per coordinate from two gradients: |dx / dg| estimates 1 / curvature.

    The first step uses lr; later steps use the secant |x_t - x_(t-1)| / |g_t - g_(t-1)|
    of the last two points (capped at max_rate), where the gradient changed.
    """

    def __init__(self, lr=1e-3, max_rate=10.0):
        super().__init__(lr=lr, max_rate=max_rate)

    def init_state(self, x, h):
        return {"rate": np.zeros_like(x) + h.lr, "previous_x": np.full_like(x, np.nan),
                "previous_g": np.zeros_like(x)}

    def update(self, x, g, s, h, t):
        dx, dg = x - s.previous_x, g - s.previous_g
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = np.abs(dx / dg)
        usable = np.isfinite(secant) & (secant > 0)
        s.rate = np.where(usable, np.minimum(secant, h.max_rate), s.rate)
        s.previous_x, s.previous_g = x, g
        return x - s.rate * g


rule = "fewest steps to reach loss - minimum <= 1e-10 (500 at most), each at its best rate"
contest_lrs = np.logspace(-4, 1, 26)
contestants = {"Adam": Adam, "SecantRate": SecantRate}
fewest, swept_on = {}, {}
for name in ("rotated quadratic", "booth", "beale", "rosenbrock"):
    landscape = get(name)
    swept = sweep_learning_rates(contestants, landscape, contest_lrs, steps=500, tol=1e-10)
    swept_on[name], fewest[name] = swept, {}
    for method, result in swept.items():
        steps = np.where(result.steps_to_tol >= 0, result.steps_to_tol, np.iinfo(int).max)
        fewest[name][method] = int(steps.min()) if steps.min() < np.iinfo(int).max else None
    print(f"{name:18s} steps to 1e-10 at the best rate: Adam {fewest[name]['Adam']!s:>4}, "
          f"SecantRate {fewest[name]['SecantRate']!s:>4}")
print(f"(rule: {rule})")
for name in ("rotated quadratic", "booth"):
    assert fewest[name]["SecantRate"] < fewest[name]["Adam"] / 10
assert fewest["beale"]["SecantRate"] < fewest["beale"]["Adam"]
assert fewest["rosenbrock"] == {"Adam": None, "SecantRate": None}

rosen_best = {k: np.nanmin(r.final_loss) for k, r in swept_on["rosenbrock"].items()}
print(f"rosenbrock, best final loss after 500 steps: Adam {rosen_best['Adam']:.1e}, "
      f"SecantRate {rosen_best['SecantRate']:.1e}")
assert rosen_best["SecantRate"] > 100 * rosen_best["Adam"]
### END SOLUTION

# %% [markdown]
# ### BEGIN SOLUTION
# **One worked answer.** Notebook 01 showed that the ideal per-coordinate rate is
# $1/\lambda_i$. `SecantRate` estimates it from the last two gradients: along coordinate
# $i$, $|\Delta x_i / \Delta g_i|$ is the inverse of the curvature *along the last step*
# (a diagonal version of the Barzilai-Borwein step). On the rotated quadratic and on
# Booth's function it reaches $10^{-10}$ in more than ten times fewer steps than Adam at
# its best rate, and on Beale it is also faster. Unlike Adam it uses the *change* of the
# gradient, i.e. curvature information, which is why it can take long, well-sized steps
# on these smooth bowls.
#
# Where it does worse: it has no memory and no safeguard. Its steps are not monotone (the
# loss can jump up before it falls), it relies on exact, noise-free gradients (a noisy
# $\Delta g$ gives nonsense secants), and on Rosenbrock neither method reaches
# $10^{-10}$ within 500 steps, but Adam ends more than a hundred times lower. Beating Adam on
# hand-picked smooth landscapes is easy; beating it across many problems and on noisy
# gradients is what made Adam the default.
# ### END SOLUTION

# %% [markdown]
# ## Your checks

# %%
checks.summary(["adam_step", "uncorrected_first_step", "steps_from_moments", "scale_gap",
                "sgd_eps"])
