# %% [markdown]
# # 02 · Momentum and Nesterov: a memory of past gradients
#
# Notebook 01 ended with gradient descent bouncing between the walls of a narrow valley
# while it crept along the floor. Momentum changes one line of the update: instead of
# stepping along the newest gradient, step along a running sum of all of them, in which
# old gradients fade. Gradients that flip sign from step to step cancel in the sum; gradients
# that keep pointing the same way add up. How much faster is that, when does it blow up,
# and what is the best amount of memory? On a quadratic all three questions have exact
# answers: one 2 × 2 matrix per direction of curvature. This notebook derives them, checks
# them against runs, and then tests Nesterov's variant the same way.
#
# **Learning objectives.** By the end of this notebook you can
# - *derive* the velocity as a leaky sum of past gradients, and the step $\eta/(1-\mu)$
#   times the gradient that it takes on a steady slope;
# - *implement* heavy-ball and Nesterov momentum in a few lines of numpy and check them
#   against `alr_teach.SGD`;
# - *predict*, from a 2 × 2 matrix per eigendirection, whether momentum converges, how
#   fast, and which $\mu$ damps it critically;
# - *compare* gradient descent, heavy ball and Nesterov fairly, each at its own tuned rate;
# - *choose* $\eta$ and $\mu$ in practice.
#
# **Prerequisites:** [01 · A fixed learning rate](01_fixed_learning_rate.ipynb) (the
# eigenvalues of a quadratic, the stability limit $2/\lambda_{\max}$). **Time:** about 45
# minutes. Notation: [docs/notation.md](../docs/notation.md).

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, Adam
from alr_teach.course.claims import claim
from alr_teach.lab.runner import run
from alr_teach.lab.sweeps import sweep_learning_rates
from alr_teach.problems.landscapes import Quadratic, Rosenbrock, get
from alr_teach.viz.explorers.eigen import (
    EigenExplorer,
    companion_matrix,
    eigen_errors,
    eigenvectors,
    spectral_radius,
)
from alr_teach.viz.plots import plot_lr_sweeps, style
from alr_teach.viz.surface_plots import (
    contour,
    label_for,
    plot_losses,
    plot_step_arrows,
    plot_trajectories,
)

rng = np.random.default_rng(2)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. Where notebook 01 left us
#
# The valley of notebook 01: curvatures $\lambda_1 = 1$ (along the floor) and
# $\lambda_2 = 25$ (across), turned by 30°. Gradient descent at its best fixed rate,
# $\eta = 2/(\lambda_{\min}+\lambda_{\max}) = 1/13$, against heavy-ball momentum with
# $\eta = 1/9$, $\mu = 4/9$ (section 6 derives these two numbers):

# %%
CURVATURES, ANGLE, START = (1.0, 25.0), np.pi / 6, (1.5, 1.0)  # the valley of notebook 01
STEPS, TOL = 150, 1e-8                                           # run length, target loss

valley = Quadratic(curvatures=list(CURVATURES), angle=ANGLE, start=list(START))
lam_min, lam_max = min(CURVATURES), max(CURVATURES)
kappa = lam_max / lam_min
lr_star = (2 / (np.sqrt(lam_max) + np.sqrt(lam_min))) ** 2       # section 6 derives these
mu_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
optimizers = [SGD(lr=valley.best_lr), SGD(lr=lr_star, momentum=mu_star)]
runs = [run(opt, valley, steps=STEPS) for opt in optimizers]
labels = [label_for(opt) for opt in optimizers]

fig, (ax_map, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
contour(ax_map, valley)
plot_trajectories(ax_map, valley, runs, labels)
plot_losses(ax_loss, runs, labels)
ax_loss.set_title("Loss against step: the same valley, with and without momentum")
plt.show()


# %%
def steps_to(trajectory, tol=TOL):
    """First step at which the loss is at most tol (the run's length + 1 if never)."""
    hit = np.flatnonzero(trajectory.losses <= tol)
    return int(hit[0]) if hit.size else len(trajectory.losses)


gd_steps, hb_steps = (steps_to(r) for r in runs)
print(f"steps to reach loss {TOL:g}: gradient descent {gd_steps}, momentum {hb_steps} "
      f"({gd_steps / hb_steps:.1f}x fewer)")
claim(gd_steps > 3 * hb_steps,
      f"momentum reaches loss {TOL:g} in under a third of gradient descent's steps",
      measured=f"{hb_steps} steps against {gd_steps}")

# %% [markdown]
# Momentum needs under a third of the steps. Here is what it does to each failure of
# notebook 01; every point is shown further down:
#
# - **Too small is slow.** On a steady slope the velocity adds up, and the step grows
#   to $\eta/(1-\mu)$ times the gradient: ten times gradient descent's at $\mu = 0.9$
#   (section 2).
# - **Too large oscillates or diverges.** Across the valley, successive gradients point
#   in opposite directions and partly cancel in the velocity (section 7). But the
#   stability limit only moves from $2/\lambda_{\max}$ to $2(1+\mu)/\lambda_{\max}$
#   (section 5).
# - **Curvature differs by direction.** Momentum still has one rate for every
#   parameter. What it changes is the dynamics along each eigendirection: the slowest
#   direction then shrinks by $(\sqrt\kappa-1)/(\sqrt\kappa+1)$ per step instead of
#   $(\kappa-1)/(\kappa+1)$ (section 6). Rescaling each parameter is the adaptive methods'
#   job (notebooks 03-05).
#
# ## 2. A leaky average of gradients
#
# **Intuition.** A ball rolling down a slope keeps part of its speed from one moment to
# the next. Heavy-ball momentum (Polyak, 1964) gives the iterate such a velocity $b_t$:
# each step keeps a fraction $\mu$ of the previous velocity and adds the new gradient.
#
# **Math.** In torch's convention, which `alr_teach.SGD` follows,
#
# $$b_t = \mu\, b_{t-1} + g_t, \qquad x_t = x_{t-1} - \eta\, b_t, \qquad b_0 = 0,$$
#
# so the first step is plain gradient descent ($b_1 = g_1$). Unroll the recursion:
#
# $$b_t = g_t + \mu\, g_{t-1} + \mu^2 g_{t-2} + \dots + \mu^{t-1} g_1
#       = \sum_{s=1}^{t} \mu^{\,t-s}\, g_s .$$
#
# The velocity is a *leaky sum*: a gradient $k$ steps old counts with weight $\mu^k$.
# At the extremes, $\mu = 0$ is gradient descent, and $\mu \to 1$ never forgets (with
# $\mu \ge 1$ old gradients never fade and the sum grows without bound on any slope).
# (torch also has a *dampening* $\tau$ that scales $g_t$ by $1-\tau$ from step 2 on; this
# notebook keeps $\tau = 0$.)
#
# **On a steady slope** every gradient is the same $g$, and the sum is geometric:
#
# $$b_t = g\,(1 + \mu + \dots + \mu^{t-1}) = g\,\frac{1-\mu^t}{1-\mu}
#   \;\longrightarrow\; \frac{g}{1-\mu}, \qquad
#   x_t - x_{t-1} = -\frac{\eta\,(1-\mu^t)}{1-\mu}\, g .$$
#
# The effective learning rate (step taken per unit of gradient) climbs from $\eta$ to
# $\eta/(1-\mu)$: ten times $\eta$ at $\mu = 0.9$, a hundred times at $\mu = 0.99$ (measured
# at the end of section 3, once the implementation is checked).
#
# From the formulas: the weights $\mu^k$ of old gradients (left) and the effective rate on
# a steady slope (right), for three values of $\mu$:

# %%
MEMORIES = (0.5, 0.9, 0.99)  # the values of μ drawn
fig, (ax_w, ax_r) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
ago = np.arange(60)
steps = np.arange(1, 301)
for i, m in enumerate(MEMORIES):
    st = {**style(i), "markevery": 6, "markersize": 4}
    ax_w.plot(ago, m**ago, label=f"μ = {m}", **st)
    ax_r.plot(steps, (1 - m**steps) / (1 - m), **{**st, "markevery": 30},
              label=f"μ = {m}: limit 1/(1 − μ) = {1 / (1 - m):g}")
ax_w.set(xlabel="age of the gradient k (steps ago)", ylabel="weight μ^k in the velocity",
         title="How fast old gradients fade")
ax_r.set(xlabel="step t", ylabel="effective rate / η (log scale)", yscale="log",
         title="Effective rate on a steady slope: η(1 − μ^t)/(1 − μ)")
ax_w.legend(fontsize=8)
ax_r.legend(fontsize=8)
plt.show()

# %% [markdown]
# The sum of the weights is the number of steps the velocity "remembers":
# $1/(1-\mu)$, so 2 at $\mu = 0.5$, 10 at $\mu = 0.9$ and 100 at $\mu = 0.99$.
#
# ## 3. Implementation in the open
#
# Both forms of momentum in a few lines of numpy. **Nesterov's** idea (1983) is to
# evaluate the gradient where the momentum is about to carry you, not where you are.
# Sutskever et al. (2013) wrote it for deep learning; torch stores the look-ahead point
# instead of $x$, which turns the rule into
#
# $$b_t = \mu\, b_{t-1} + g_t, \qquad x_t = x_{t-1} - \eta\,(g_t + \mu\, b_t),$$
#
# the step uses the new gradient plus the velocity it is about to have. Written out,
# $g_t + \mu b_t = (1+\mu)\, g_t + \mu^2 b_{t-1}$: the newest gradient weighs $1+\mu$
# instead of 1, so Nesterov reacts sooner when the gradient changes.

# %%
def momentum_descent(landscape, x, lr, mu, steps, nesterov=False):
    """Heavy-ball (or Nesterov) momentum, torch's convention; returns every iterate."""
    b = np.zeros_like(x)                       # b_0 = 0, so b_1 = g_1
    points = [x]
    for _ in range(steps):
        g = landscape.grad(x)
        b = mu * b + g                         # b_t = mu b_{t-1} + g_t
        x = x - lr * (g + mu * b if nesterov else b)
        points.append(x)
    return np.array(points)


IMPL_LR, IMPL_MU, IMPL_STEPS = 0.05, 0.8, 100

gaps = []
for nesterov in (False, True):
    ours = momentum_descent(valley, valley.start, IMPL_LR, IMPL_MU, IMPL_STEPS, nesterov)
    package = run(SGD(lr=IMPL_LR, momentum=IMPL_MU, nesterov=nesterov), valley,
                  steps=IMPL_STEPS).points
    gaps.append(np.max(np.abs(ours - package)))
    print(f"{'Nesterov' if nesterov else 'heavy ball':10s}: largest difference from "
          f"alr_teach.SGD over {IMPL_STEPS} steps below 1e-12: {gaps[-1] <= 1e-12}")
claim(max(gaps) <= 1e-12, "both forms written here take the same steps as alr_teach.SGD "
      "(to 1e-12)", measured=f"largest difference {max(gaps):.0e}")

# %%
# Nesterov's step is (1 + mu) g_t + mu^2 b_{t-1}: check on the package's recorded state
nag = run(SGD(lr=IMPL_LR, momentum=IMPL_MU, nesterov=True), valley, steps=20)
b_prev, g_now = nag.state["velocity"][:-1], nag.grads[1:]
expected = -IMPL_LR * ((1 + IMPL_MU) * g_now + IMPL_MU**2 * b_prev)
claim(np.allclose(np.diff(nag.points, axis=0)[1:], expected, rtol=1e-12, atol=1e-15),
      "Nesterov's step equals η((1 + μ) g_t + μ² b_(t-1)) at every step (to 1e-12)")

# %% [markdown]
# **The steady slope of section 2, measured.** The same gradient at every step, and the
# effective rate (step taken per unit of gradient) after each step, against
# $\eta(1-\mu^t)/(1-\mu)$:

# %%
SLOPE_LR, SLOPE_MU, SLOPE_STEPS = 0.01, 0.9, 300
g = np.array([0.3, -1.2])  # the same gradient at every step: a steady slope
opt, x, rates = SGD(lr=SLOPE_LR, momentum=SLOPE_MU), np.zeros(2), []
for t in range(1, SLOPE_STEPS + 1):
    x_new = opt.step(x, g)
    rates.append(-(x_new - x) / g)  # effective rate per coordinate
    x = x_new
rates = np.array(rates)
t = np.arange(1, SLOPE_STEPS + 1)[:, None]
for step in (1, 10, SLOPE_STEPS):
    print(f"step {step:3d}: effective rate {rates[step - 1, 0]:.4f}")
claim(np.allclose(rates, SLOPE_LR * (1 - SLOPE_MU**t) / (1 - SLOPE_MU), rtol=1e-12, atol=0),
      "the effective rate is η(1 − μ^t)/(1 − μ) at every step (to 1e-12)")
claim(np.isclose(rates[-1, 0], SLOPE_LR / (1 - SLOPE_MU), rtol=1e-9),
      f"after {SLOPE_STEPS} steps it has reached η/(1 − μ) = {SLOPE_LR / (1 - SLOPE_MU):.4f}",
      measured=f"{rates[-1, 0]:.6f}")

# %% [markdown]
# ## 4. One eigendirection at a time
#
# **Math.** On the quadratic $f(x) = \tfrac12 (x-x^*)^\top A (x-x^*)$, let $Q$ hold the
# eigenvectors of $A$ as columns, with eigenvalues $\lambda_i$. In those axes the error is
# $e = Q^\top (x - x^*)$, and the gradient $g = A(x - x^*) = Q \Lambda e$ has component
# $\lambda_i e_i$ along eigenvector $i$. The update is linear, so it acts on each
# eigendirection separately. Writing $e$ and $b$ for the components along one
# eigenvector with eigenvalue $\lambda$:
#
# $$b_t = \mu\, b_{t-1} + \lambda\, e_{t-1}, \qquad
#   e_t = e_{t-1} - \eta\, b_t = (1 - \eta\lambda)\, e_{t-1} - \eta\mu\, b_{t-1}.$$
#
# Two numbers per direction, updated by one matrix:
#
# $$\begin{pmatrix} e_t \\ b_t \end{pmatrix} = M_\lambda
#   \begin{pmatrix} e_{t-1} \\ b_{t-1} \end{pmatrix}, \qquad
#   M_\lambda = \begin{pmatrix} 1 - \eta\lambda & -\eta\mu \\ \lambda & \mu \end{pmatrix},
#   \qquad b_0 = 0 .$$
#
# So $(e_t, b_t) = M_\lambda^t\, (e_0, 0)$. The 2-D run is two independent 2-D recurrences,
# one per eigenvalue. Checked on the valley: project the run of `SGD` onto the
# eigenvectors and compare with the powers of $M_\lambda$ (`companion_matrix`):

# %%
lr, mu, n_steps = IMPL_LR, IMPL_MU, 60
trajectory = run(SGD(lr=lr, momentum=mu), valley, steps=n_steps)
errors = eigen_errors(valley, trajectory.points)            # (n_steps + 1, 2): e_t per direction
velocity = trajectory.state["velocity"] @ eigenvectors(valley)
gaps = []
for i, lam in enumerate(valley.curvatures):
    M = companion_matrix(lr, lam, mu)
    state, predicted = np.array([errors[0, i], 0.0]), []     # (e_0, b_0 = 0)
    for _ in range(n_steps):
        state = M @ state
        predicted.append(state)
    gaps.append(np.max(np.abs(np.array(predicted) - np.c_[errors[1:, i], velocity[:, i]])))
    print(f"direction {i + 1} (λ = {lam:2.0f}): run and M^t (e0, 0) agree to 1e-12 "
          f"over {n_steps} steps: {gaps[-1] <= 1e-12}")
claim(max(gaps) <= 1e-12, f"in both directions the run follows M^t (e_0, 0) over {n_steps} "
      "steps (to 1e-12)", measured=f"largest difference {max(gaps):.0e}")

# %% [markdown]
# ## 5. Stability and speed from a 2 × 2 matrix
#
# **Math.** $M_\lambda^t$ shrinks to zero exactly when both eigenvalues (roots) $r$ of
# $M_\lambda$ have $|r| < 1$, and then the error shrinks like $|r|_{\max}^{\,t}$, where
# $|r|_{\max}$, the largest modulus of a root, is the *spectral radius* (often written
# $\rho$, a letter this course keeps for AdaDelta). The roots solve
# $r^2 - (\operatorname{tr} M)\, r + \det M = 0$ with
#
# $$\operatorname{tr} M = 1 + \mu - \eta\lambda, \qquad
#   \det M = \mu(1-\eta\lambda) + \eta\mu\lambda = \mu .$$
#
# Three consequences, each checked below:
#
# - **The product of the roots is $\mu$.** When the roots are complex they are conjugate,
#   with equal moduli, so $|r| = \sqrt\mu$ whatever $\eta$ is: the error oscillates inside
#   an envelope $\sqrt\mu^{\,t}$. They are complex when the discriminant
#   $(1+\mu-\eta\lambda)^2 - 4\mu$ is negative, that is for
#   $(1-\sqrt\mu)^2 < \eta\lambda < (1+\sqrt\mu)^2$.
# - **Stability.** A real quadratic $p(r) = r^2 - a r + d$ has both roots inside the unit
#   circle iff $|d| < 1$, $p(1) = 1 - a + d > 0$ and $p(-1) = 1 + a + d > 0$ (the Jury
#   conditions). With $a = 1+\mu-\eta\lambda$ and $d = \mu$: $p(1) = \eta\lambda > 0$ and
#   $p(-1) = 2(1+\mu) - \eta\lambda > 0$. So momentum converges iff
#
# $$0 \le \mu < 1 \quad\text{and}\quad 0 < \eta\lambda < 2(1+\mu)\ \text{ for every } \lambda .$$
#
# - **$\mu = 0$** gives $M$'s roots $1 - \eta\lambda$ and $0$: notebook 01's
#   gradient descent.
#
# The map below colours $|r|_{\max}$ over $(\eta\lambda, \mu)$, computed as the largest
# eigenvalue modulus of $M$ (`spectral_radius`), with the lines from the formulas on top.

# %%
h = np.linspace(0.005, 4.2, 421)[None, :]      # eta * lambda
mus = np.linspace(0.0, 0.99, 199)[:, None]
rho = spectral_radius(h, 1.0, mus)             # lr = h with lambda = 1: only the product counts
fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
mesh = ax.pcolormesh(h[0], mus[:, 0], np.minimum(rho, 1.2), cmap="viridis", shading="nearest")
fig.colorbar(mesh, ax=ax, label="spectral radius |r|max (factor per step; ≥ 1.2 shown as 1.2)")
m = mus[:, 0]
ax.plot(2 * (1 + m), m, color="white", linewidth=2.5, label="stability limit ηλ = 2(1 + μ)")
ax.plot((1 - np.sqrt(m)) ** 2, m, color="#E69F00", linestyle="--", linewidth=2,
        label="critical damping ηλ = (1 ∓ √μ)²")
ax.plot((1 + np.sqrt(m)) ** 2, m, color="#E69F00", linestyle="--", linewidth=2)
ax.set(xlabel="ηλ (learning rate × curvature)", ylabel="momentum μ", xlim=(0, 4.2),
       title="Heavy ball along one eigendirection: |r|max of M over (ηλ, μ)")
ax.legend(loc="lower right", fontsize=8)
plt.show()

# %%
limit = 2 * (1 + mus)
clear = np.abs(h / limit - 1) > 0.01                    # away from the line itself
stable_by_formula = np.broadcast_to(h < limit, rho.shape)
claim(np.array_equal((rho < 1)[clear], stable_by_formula[clear]),
      "on every cell of the map off the line, |r|max < 1 exactly where ηλ < 2(1 + μ)")
between = ((1 - np.sqrt(mus)) ** 2 < h) & (h < (1 + np.sqrt(mus)) ** 2)
claim(np.allclose(rho[between], np.broadcast_to(np.sqrt(mus), rho.shape)[between], rtol=1e-12),
      "between the dashed curves |r|max = √μ (to 1e-12)")
print(f"cells checked: {clear.sum()} for stability, {between.sum()} with complex roots "
      f"(|r|max = √μ there to 1e-12)")

# %% [markdown]
# Between the two dashed curves the roots are complex and $|r|_{\max} = \sqrt\mu$ (the
# colour depends on $\mu$ only); outside them the roots are real. Right of the white line
# the error grows. For a fixed $\eta\lambda$, $|r|_{\max}$ is smallest on the dashed
# curve: that is the next section.
#
# **Watch it.** The explorer runs `SGD` with momentum on the valley and draws, on the
# right, $|e_t|$ along each eigendirection on a log axis. The broad pale lines are the
# theory: slope $|r|_{\max}$ from $M_\lambda$, height set so the line sits on the measured
# peaks. The box gives $|r|_{\max}$ and the measured rate: a straight line fitted to the
# upper envelope of $\log |e_t|$ over the second half of the usable steps (an error below
# $10^{-11}$ of the whole error is rounding noise, and is left out). Things to try: $\mu$
# from 0 to 0.99 at a fixed $\eta$, watching the flat direction go from a smooth decay to
# oscillation; $\eta$ past $2(1+\mu)/\lambda_{\max}$ ($\lambda_{\max} = 25$ here),
# watching the steep direction diverge.

# %%
# NBVAL_IGNORE_OUTPUT
EXPLORER_LR, EXPLORER_MU, EXPLORER_STEPS = 0.04, 0.5, 300  # the explorer's default view
explorer = EigenExplorer(curvatures=CURVATURES, angle=ANGLE, lr=EXPLORER_LR,
                         momentum=EXPLORER_MU, steps=EXPLORER_STEPS)
explorer.widget()

# %% [markdown]
# The explorer's default view ($\eta = 0.04$, $\mu = 0.5$), as a static figure:

# %%
explorer.update(lr=EXPLORER_LR, momentum=EXPLORER_MU, nesterov=False)
explorer.static_figure()
plt.show()

# %%
summary = explorer.summary
for i, d in enumerate(summary["per_direction"]):
    print(f"direction {i + 1} (λ = {d['curvature']:2.0f}): "
          f"theory |r|max = {d['spectral_radius']:.4f}, measured {d['measured_rate']:.4f}, "
          f"{d['regime']}")
misfit = max(abs(d["measured_rate"] / d["spectral_radius"] - 1) for d in summary["per_direction"])
claim(misfit < 0.02, "measured and predicted rates agree to within 2 % in both directions",
      measured=f"largest relative gap {misfit:.1e}")
flat, steep = summary["per_direction"]
claim(flat["regime"] == "overdamped" and steep["regime"] == "underdamped"
      and np.isclose(steep["spectral_radius"], np.sqrt(EXPLORER_MU)),
      f"the flat direction has real roots, the steep one complex roots of modulus "
      f"√μ = {np.sqrt(EXPLORER_MU):.4f}",
      measured=f"{flat['regime']} and {steep['regime']}, |r|max {steep['spectral_radius']:.4f}")

# %% [markdown]
# Measured and predicted rates agree to within 2 % in both directions (here much closer).
# The steep direction has complex roots: it oscillates inside the envelope
# $\sqrt{0.5}^{\,t}$. The flat direction has real roots: a smooth decay, slower, at
# $|r|_{\max} \approx 0.911$. It decides how long the run takes, and more momentum would
# speed it up.
#
# ## 6. Critical damping: the best momentum
#
# **For one direction.** Fix $h = \eta\lambda$ in $(0, 4)$. With complex roots
# $|r|_{\max} = \sqrt\mu$, which falls as $\mu$ falls, until $\mu$ reaches the edge of the
# complex region, $\sqrt\mu = |1 - \sqrt h|$; below it the roots are real and split, and the
# larger one grows again. So the fastest $\mu$ puts the two roots together (*critical
# damping*, as for a door closer that shuts as fast as it can without swinging):
#
# $$\mu^*(h) = (1 - \sqrt h)^2, \qquad |r|_{\max}^* = |1 - \sqrt h| .$$
#
# Checked with a fine grid of $\mu$:

# %%
H_VALUES = (0.01, 0.1, 0.5, 1.0, 2.0)                    # values of ηλ checked
fine = np.linspace(0.0, 0.99, 9901)                       # steps of 1e-4
misses = []
for h_value in H_VALUES:
    radius = spectral_radius(h_value, 1.0, fine)
    best = fine[np.argmin(radius)]
    predicted = (1 - np.sqrt(h_value)) ** 2
    print(f"ηλ = {h_value:4.2f}: fastest μ on the grid {best:.4f}, formula {predicted:.4f}; "
          f"|r|max = {radius.min():.4f} (formula {abs(1 - np.sqrt(h_value)):.4f})")
    misses.append(abs(best - predicted) > 1e-4
                  or abs(radius.min() - abs(1 - np.sqrt(h_value))) > 1e-3)
claim(not any(misses), "for every ηλ the fastest μ on the grid is (1 − √ηλ)² (to the grid "
      "step 1e-4), and |r|max there is |1 − √ηλ| (to 1e-3)",
      measured=f"{sum(misses)} of {len(H_VALUES)} values off")

# %% [markdown]
# **For a whole quadratic** one $(\eta, \mu)$ must serve every eigenvalue, and the slowest
# direction sets the pace. The flat direction needs $\sqrt\mu \ge 1 - \sqrt{\eta\lambda_{\min}}$
# to be in its complex region, the steep one $\sqrt\mu \ge \sqrt{\eta\lambda_{\max}} - 1$.
# Raising $\eta$ loosens the first and tightens the second, so the best $\eta$ makes them
# equal: $1 - \sqrt{\eta\lambda_{\min}} = \sqrt{\eta\lambda_{\max}} - 1$. Solving,
#
# $$\eta^* = \left(\frac{2}{\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}}}\right)^2, \qquad
#   \mu^* = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2, \qquad
#   |r|_{\max}^* = \sqrt{\mu^*} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1},$$
#
# the classic heavy-ball result. Gradient descent's best is $(\kappa-1)/(\kappa+1)$. On the
# valley ($\kappa = 25$) that is $\eta^* = 1/9$, $\mu^* = 4/9$, and $|r|_{\max}^* = 2/3$ against
# $12/13 \approx 0.923$. A brute-force search over a grid of $(\eta, \mu)$:

# %%
# lr_star and mu_star come from the formulas above (section 1 used them)
lrs, mus = np.linspace(0.01, 0.2, 381), np.linspace(0.0, 0.99, 397)
worst = np.maximum(spectral_radius(lrs[:, None], lam_min, mus),  # slowest direction wins
                   spectral_radius(lrs[:, None], lam_max, mus))
i, j = np.unravel_index(worst.argmin(), worst.shape)
print(f"formula: η* = {lr_star:.4f}, μ* = {mu_star:.4f}, |r|max = {np.sqrt(mu_star):.4f}")
print(f"grid:    η  = {lrs[i]:.4f}, μ  = {mus[j]:.4f}, |r|max = {worst[i, j]:.4f}")
claim(abs(lrs[i] - lr_star) <= lrs[1] - lrs[0] and abs(mus[j] - mu_star) <= mus[1] - mus[0]
      and abs(worst.min() - np.sqrt(mu_star)) < 1e-3,
      f"the grid's best (η, μ) is (η*, μ*) to one grid step, with |r|max = √μ* = "
      f"{np.sqrt(mu_star):.4f} (to 1e-3)",
      measured=f"η = {lrs[i]:.4f}, μ = {mus[j]:.4f}, |r|max = {worst.min():.4f}")

# %% [markdown]
# The grid agrees with the formula. Per step the worst error shrinks by $2/3$ instead of
# $12/13$, so the rates predict $\ln(12/13)/\ln(2/3) \approx 0.20$ of the steps. In
# section 1 momentum needed about a quarter (31 steps against 119): fewer than gradient
# descent, but not the fifth the rates promise. The reason is in the explorer at
# $(\eta^*, \mu^*)$: both directions are exactly critically damped, a *repeated* root, and
# then the error is $(c_1 + c_2 t)\,|r|_{\max}^{\,t}$, not $c\,|r|_{\max}^{\,t}$. The extra
# factor $t$ costs steps.

# %%
optimum = EigenExplorer(curvatures=CURVATURES, angle=ANGLE, lr=lr_star, momentum=mu_star)
summary = optimum.summary
optimum.static_figure()
plt.show()

# %%
r_star, gd_rate = np.sqrt(mu_star), (kappa - 1) / (kappa + 1)   # 2/3 and 12/13 here
t_fit = np.arange(121)
errors = eigen_errors(valley, run(SGD(lr=lr_star, momentum=mu_star), valley, steps=120).points)
scaled = errors[:, 0] / r_star ** t_fit                    # e_t / r*^t: a straight line in t
fit = np.polyval(np.polyfit(t_fit, scaled, 1), t_fit)
straight = np.max(np.abs(scaled - fit)) < 1e-9 * np.max(np.abs(scaled))
rate_ratio = summary["per_direction"][0]["measured_rate"] / r_star
print(f"step ratio: predicted by the rates {np.log(gd_rate) / np.log(r_star):.2f}, "
      f"measured {hb_steps / gd_steps:.2f}")
print(f"measured rate {summary['per_direction'][0]['measured_rate']:.4f} (|r|max = "
      f"{r_star:.4f}); e_t / |r|max^t is a straight line in t to 1e-9: {straight}")
claim([d["regime"] for d in summary["per_direction"]] == ["critically damped"] * 2,
      "at (η*, μ*) both directions are critically damped (a repeated root)",
      measured=[d["regime"] for d in summary["per_direction"]])
claim(straight, "the flat direction's error is (c1 + c2 t)|r|max^t: e_t / |r|max^t is a "
      "straight line in t (to 1e-9)")
claim(1.0 < rate_ratio < 1.01, "the measured rate sits above |r|max, within 1 %",
      measured=f"ratio {rate_ratio:.4f}")
claim(hb_steps / gd_steps > np.log(gd_rate) / np.log(r_star),
      "momentum needs more than the fraction of steps the rates predict",
      measured=f"{hb_steps / gd_steps:.2f} against {np.log(gd_rate) / np.log(r_star):.2f}")

# %% [markdown]
# The measured rate sits just above $2/3$ (the factor $t$ again), within 1 %.
#
# ## 7. Why the zig-zag cancels: one step taken apart
#
# Gradient descent at $\eta = 0.07$ (left) zig-zags across the valley as in notebook 01.
# Add momentum $\mu = 0.5$ at the same rate (right). At step 2, the arrows show the
# negative gradient, the negative velocity and the step taken. The new gradient points
# back across the valley, the old one (inside the velocity) the other way: across the
# valley they cancel, along it they add.

# %%
ZIGZAG_LR, ZIGZAG_MU, ZIGZAG_STEPS, SHOWN_STEP = 0.07, 0.5, 200, 2
zig_opts = [SGD(lr=ZIGZAG_LR), SGD(lr=ZIGZAG_LR, momentum=ZIGZAG_MU)]
zigzag = [run(opt, valley, steps=ZIGZAG_STEPS) for opt in zig_opts]
fig, axes = plt.subplots(1, len(zig_opts), figsize=(6 * len(zig_opts), 5), layout="constrained")
for ax, trajectory, opt in zip(axes, zigzag, zig_opts):
    contour(ax, valley)
    plot_trajectories(ax, valley, [trajectory], [label_for(opt)], legend=False)
    plot_step_arrows(ax, trajectory, step=SHOWN_STEP)
    ax.set(xlim=(-0.4, 1.9), ylim=(-0.4, 1.4))
    ax.set_title(f"{label_for(opt)}: step t = {SHOWN_STEP}", fontsize=10)
plt.show()

# %%
shares = []
for trajectory in zigzag:
    step = np.diff(eigen_errors(valley, trajectory.points), axis=0)[SHOWN_STEP - 1]
    shares.append(abs(step[0]) / np.linalg.norm(step))
zig_steps = [steps_to(trajectory) for trajectory in zigzag]
print(f"share of step {SHOWN_STEP} along the valley floor: gradient descent {shares[0]:.2f}, "
      f"momentum {shares[1]:.2f}")
print(f"steps to loss {TOL:g}: gradient descent {zig_steps[0]}, momentum {zig_steps[1]}")
claim(shares[1] > 0.9 > shares[0], f"with momentum over 90 % of step {SHOWN_STEP} runs along "
      "the floor, without it under 90 %", measured=f"{shares[1]:.2f} and {shares[0]:.2f}")
claim(zig_steps[1] < zig_steps[0], "momentum reaches the target loss in fewer steps",
      measured=f"{zig_steps[1]} against {zig_steps[0]}")

# %% [markdown]
# ## 8. Nesterov's look-ahead
#
# **Math.** With torch's Nesterov step $x_t = x_{t-1} - \eta(g_t + \mu b_t)$, the same
# projection gives, along an eigendirection,
#
# $$e_t = e_{t-1} - \eta\big(\lambda e_{t-1} + \mu(\mu b_{t-1} + \lambda e_{t-1})\big)
#       = \big(1 - \eta\lambda(1+\mu)\big)\, e_{t-1} - \eta\mu^2\, b_{t-1},$$
#
# so $M^{\text{N}}_\lambda = \begin{pmatrix} 1 - \eta\lambda(1+\mu) & -\eta\mu^2 \\
# \lambda & \mu \end{pmatrix}$ with $\operatorname{tr} = (1+\mu)(1-\eta\lambda)$ and
# $\det = \mu(1-\eta\lambda)$. Two differences from heavy ball follow:
#
# - complex roots have modulus $\sqrt{\mu(1-\eta\lambda)}$, smaller than $\sqrt\mu$:
#   Nesterov damps the steep directions more;
# - the Jury conditions give a *smaller* stable range. With $h = \eta\lambda$:
#   $p(1) = 1 - (1+\mu)(1-h) + \mu(1-h) = h > 0$ and
#   $p(-1) = 1 + (1+\mu)(1-h) + \mu(1-h) = 1 + (1+2\mu)(1-h) > 0$, that is
#   $h < 1 + 1/(1+2\mu)$, and there $|\det M| = \mu|1-h| < 1$. So
#   $0 < \eta\lambda < 2(1+\mu)/(1+2\mu)$: at $\mu = 0.9$, $\eta\lambda < 1.36$ against
#   heavy ball's 3.8.
#
# First the stability limit, against the matrix itself:

# %%
MU_EXAMPLE = 0.9                                 # the μ quoted in the text
mus_col = np.linspace(0.0, 0.99, 397)[:, None]
rho_nag = spectral_radius(h, 1.0, mus_col, nesterov=True)
limit_nag = 2 * (1 + mus_col) / (1 + 2 * mus_col)
clear = np.abs(h / limit_nag - 1) > 0.01
stable_by_formula = np.broadcast_to(h < limit_nag, rho_nag.shape)
claim(np.array_equal((rho_nag < 1)[clear], stable_by_formula[clear]),
      "on every cell off the line, Nesterov's |r|max < 1 exactly where ηλ < 2(1 + μ)/(1 + 2μ)")
print(f"at μ = {MU_EXAMPLE}: Nesterov stable for ηλ < "
      f"{2 * (1 + MU_EXAMPLE) / (1 + 2 * MU_EXAMPLE):.3f}, "
      f"heavy ball for ηλ < {2 * (1 + MU_EXAMPLE):.1f}")

# %% [markdown]
# **Experiment: which is faster?** A fair test tunes each method's learning rate. Held
# fixed: the landscape's start point, the number of steps (300 on the ill-conditioned
# quadratic, $\kappa = 50$; 1000 on Rosenbrock), $\mu = 0.9$ for both momentum methods,
# and one grid of 51 learning rates from $10^{-5}$ to 1 (10 per decade) for all three
# methods. Each is then compared at its own best rate (lowest final loss).

# %%
SWEEP_MU = 0.9                                   # momentum of both momentum methods
SWEEP_LRS = np.logspace(-5, 0, 51)               # 10 per decade
SWEEP_STEPS = {"quadratic": 300, "rosenbrock": 1000}

lrs = SWEEP_LRS
hb, nag = f"heavy ball (μ = {SWEEP_MU:g})", f"Nesterov (μ = {SWEEP_MU:g})"
methods = {
    "gradient descent": SGD,
    hb: (SGD, {"momentum": SWEEP_MU}),
    nag: (SGD, {"momentum": SWEEP_MU, "nesterov": True}),
}
landscapes = {"quadratic": get("ill-conditioned quadratic"), "rosenbrock": Rosenbrock()}
quadratic = landscapes["quadratic"]
results = {name: sweep_learning_rates(methods, landscape, lrs, steps=SWEEP_STEPS[name], tol=TOL)
           for name, landscape in landscapes.items()}
fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 4.6),
                         layout="constrained")
for ax, (name, result) in zip(axes, results.items()):
    plot_lr_sweeps(ax, result)
    ax.set_title(f"{name}: final loss over the same learning-rate grid", fontsize=10)
plt.show()

# %%
best = {}
for name, result in results.items():
    for method, sweep_result in result.items():
        lr_best = sweep_result.best()["lr"]
        loss = float(sweep_result.final_loss[np.flatnonzero(lrs == lr_best)[0]])
        largest = lrs[~sweep_result.diverged].max()
        best[name, method] = (lr_best, loss, largest)
        print(f"{name:10s} {method:20s} best lr {lr_best:.2e}, final loss {loss:.1e}, "
              f"stable up to {largest:.2e}")
claim(best["quadratic", nag][1] < best["quadratic", hb][1],
      "on the quadratic Nesterov reaches a lower final loss than heavy ball",
      measured=f"{best['quadratic', nag][1]:.1e} against {best['quadratic', hb][1]:.1e}")
claim(best["rosenbrock", hb][1] < best["rosenbrock", nag][1] / 10,
      "on Rosenbrock heavy ball's final loss is over ten times lower than Nesterov's",
      measured=f"{best['rosenbrock', hb][1]:.1e} against {best['rosenbrock', nag][1]:.1e}")
claim(all(best[name, nag][2] < best[name, hb][2] for name in results),
      "on both landscapes Nesterov's largest stable rate is smaller than heavy ball's")

# %% [markdown]
# The answer depends on the landscape. On the quadratic Nesterov wins; on Rosenbrock heavy
# ball wins, by a wide margin. Nesterov's largest stable rate is smaller on both, as the
# stability analysis predicts. On the quadratic the theory says more, and it can be checked:
# the largest stable rate of each method should sit between the grid points around
# $\eta\lambda_{\max} = 2(1+\mu)$ (heavy ball) and $2(1+\mu)/(1+2\mu)$ (Nesterov), and the
# winner should be the method whose slowest direction shrinks faster at its best rate:

# %%
quad_max, slowest, bracketed = quadratic.curvatures.max(), {}, []
bounds = {hb: 2 * (1 + SWEEP_MU), nag: 2 * (1 + SWEEP_MU) / (1 + 2 * SWEEP_MU)}  # on ηλmax
for method, nesterov in [(hb, False), (nag, True)]:
    lr_best, _, largest = best["quadratic", method]
    above = lrs[min(np.flatnonzero(lrs == largest)[0] + 1, len(lrs) - 1)]
    worst_rho = spectral_radius(lr_best, quadratic.curvatures, SWEEP_MU, nesterov).max()
    slowest[method] = worst_rho
    bound = bounds[method] / quad_max
    print(f"{method:20s} limit {bound:.4f}, grid brackets it ({largest:.4f}, "
          f"{above:.4f}); worst |r|max at best lr {worst_rho:.4f}")
    bracketed.append(largest < bound < above)
claim(all(bracketed), "each method's largest stable rate on the grid is the grid point just "
      "below its limit from the 2 × 2 matrix")
claim(slowest[nag] < slowest[hb], "at its best rate Nesterov's slowest direction shrinks "
      "faster than heavy ball's", measured=f"{slowest[nag]:.4f} against {slowest[hb]:.4f}")

# %% [markdown]
# Both limits land where the 2 × 2 matrices put them, and at its best rate Nesterov's
# slowest direction shrinks faster (0.939 against $\sqrt{0.9} \approx 0.949$ per step),
# which is why it wins on the quadratic. With $\mu = 0.9$ heavy ball is stuck at
# $\sqrt{0.9}$ over a wide band of rates, which is the flat stretch of its curve. Rosenbrock
# is not a quadratic, so no 2 × 2 matrix predicts the outcome there, and there heavy ball
# did better. Whether Nesterov helps is an empirical question for your problem; the sweep
# is the tool.
#
# ## 9. Momentum inside Adam
#
# Adam (notebook 05) keeps a first moment
# $m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t$: the same leaky sum, with each gradient scaled
# by $1-\beta_1$. Unrolled, $m_t = (1-\beta_1) \sum_s \beta_1^{\,t-s} g_s = (1-\beta_1)\,b_t$
# with $\mu = \beta_1$. So Adam's first moment *is* heavy-ball momentum, rescaled to a
# weighted average. After bias correction, $\hat m_t = m_t/(1-\beta_1^t)$, a steady slope
# gives $\hat m_t = g$ exactly: an average, not a sum, so Adam's first moment does not
# multiply the step by $1/(1-\beta_1)$ as heavy ball does. Both checked on the same
# random gradients:

# %%
BETA1, BETA2 = 0.9, 0.999
gradients = rng.standard_normal((50, 3))
adam, heavy = Adam(lr=1e-3, betas=(BETA1, BETA2)), SGD(lr=1e-3, momentum=BETA1)
x_adam = x_heavy = np.zeros(3)
for g in gradients:
    x_adam, x_heavy = adam.step(x_adam, g), heavy.step(x_heavy, g)
same_sum = np.allclose(adam.state["m"], (1 - BETA1) * heavy.state["velocity"], rtol=1e-12, atol=0)
steady, x, averages = Adam(lr=1e-3, betas=(BETA1, BETA2)), np.zeros(3), []
for t in range(1, 21):
    x = steady.step(x, gradients[0])
    m_hat = steady.state["m"] / (1 - BETA1**t)               # bias-corrected first moment
    averages.append(np.allclose(m_hat, gradients[0], rtol=1e-12))
print(f"Adam's m = (1 − β1) × heavy-ball velocity: {same_sum}; on a steady slope m̂ = g at "
      f"every step: {all(averages)} (both to 1e-12)")
claim(same_sum, "Adam's first moment is (1 − β1) times heavy ball's velocity (to 1e-12)")
claim(all(averages), "on a steady slope the bias-corrected m̂ equals g at every step (to 1e-12)")

# %% [markdown]
# ## 10. Pitfalls and practice
#
# - **$\mu = 0.9$ is the usual starting value.** torch's `SGD` has no momentum unless you
#   ask (`momentum=0` by default; `alr_teach.SGD` copies that).
# - **The effective rate grows.** On a steady slope the step is $\eta/(1-\mu)$ times the
#   gradient: ten times larger at $\mu = 0.9$ (section 2).
# - **So lower the rate when you add momentum, and sweep again.** In the sweeps of
#   section 8, heavy ball's best rate was several times lower than gradient descent's on
#   the quadratic. On Rosenbrock it was the same, because there every method's best rate
#   is its largest stable one, and the first few steps from the start decide stability
#   (the first momentum step is a plain gradient step). Not a fixed "divide by 10" rule,
#   then: a reason to re-tune.

# %%
ratio = {name: best[name, "gradient descent"][0] / best[name, hb][0]  # best lr: GD / heavy ball
         for name in results}
print(f"best lr without / with momentum 0.9: quadratic {ratio['quadratic']:.1f}x, "
      f"rosenbrock {ratio['rosenbrock']:.1f}x")
claim(ratio["quadratic"] > 2 and ratio["rosenbrock"] == 1, "adding momentum lowered the best "
      "rate more than twofold on the quadratic, and left it unchanged on Rosenbrock",
      measured=f"{ratio['quadratic']:.1f}x and {ratio['rosenbrock']:.1f}x")
at_edge = []
for method, sweep_result in results["rosenbrock"].items():
    unstable = np.flatnonzero(sweep_result.diverged)
    if unstable.size == 0:
        print(f"rosenbrock, {method:20s}: no rate of the grid diverges")
        at_edge.append(False)
        continue
    at = sweep_result.diverged_at[unstable[0]]
    print(f"rosenbrock, {method:20s}: lr {lrs[unstable[0]]:.2e} diverges at step {at}")
    at_edge.append(best["rosenbrock", method][0] == lrs[unstable[0] - 1] and at <= 10)
claim(all(at_edge), "on Rosenbrock every method's best rate is its largest stable one, and the "
      "next rate diverges within 10 steps", measured=f"{sum(at_edge)} of {len(at_edge)} methods")

# %% [markdown]
# - **Momentum is not free on an easy problem.** With complex roots $|r|_{\max} = \sqrt\mu$,
#   however well $\eta$ is chosen. On the valley ($\kappa = 25$), $\mu = 0.9$ cannot beat
#   tuned gradient descent at any rate.
# - **Match $\mu$ to the conditioning.** On a quadratic the best momentum is
#   $((\sqrt\kappa-1)/(\sqrt\kappa+1))^2$; solving for $\kappa$, the familiar
#   $\mu = 0.9$ is the best choice only for a condition number near 1400, and 0.99 for one
#   near 160 000. Large values of $\mu$ pay off on badly conditioned problems only.

# %%
USUAL_MUS = (0.9, 0.99)                          # the popular values of μ
fine_lrs = np.linspace(1e-4, 0.2, 2000)[:, None]
hb_rate = spectral_radius(fine_lrs, valley.curvatures, USUAL_MUS[0]).max(axis=1).min()
print(f"valley: best possible |r|max with μ = {USUAL_MUS[0]} is {hb_rate:.4f}; gradient "
      f"descent's best {gd_rate:.4f}")
claim(hb_rate >= np.sqrt(USUAL_MUS[0]) - 1e-9 and hb_rate > gd_rate,
      f"on the valley no rate gives μ = {USUAL_MUS[0]} a |r|max below √μ, nor below tuned "
      "gradient descent's", measured=f"{hb_rate:.4f} against {gd_rate:.4f}")
kappa_for = {m: ((1 + np.sqrt(m)) / (1 - np.sqrt(m))) ** 2 for m in USUAL_MUS}  # inverts μ*
for m, kappa_m in kappa_for.items():
    print(f"μ = {m}: the best momentum for κ = {kappa_m:,.0f}")
inverse = all(np.isclose(((np.sqrt(k) - 1) / (np.sqrt(k) + 1)) ** 2, m)
              for m, k in kappa_for.items())
claim(inverse and 1400 < kappa_for[0.9] < 1500 and 155_000 < kappa_for[0.99] < 165_000,
      "μ = 0.9 is the best momentum for κ between 1400 and 1500, μ = 0.99 for κ between "
      "155 000 and 165 000", measured=", ".join(f"{k:,.0f}" for k in kappa_for.values()))

# %% [markdown]
# - **Nesterov has a narrower stable range** ($\eta\lambda < 2(1+\mu)/(1+2\mu)$); it damps
#   steep directions more and won on the quadratic, lost on Rosenbrock. Tune it separately.
# - **Compare methods at their own tuned rates**, as in section 8; one shared rate favours
#   whichever method it happens to suit.
#
# ## Summary
#
# - Momentum steps along a leaky sum of gradients, $b_t = \mu b_{t-1} + g_t$; on a steady
#   slope the step grows to $\eta/(1-\mu)$ times the gradient.
# - On a quadratic each eigendirection follows its own 2 × 2 matrix; the error shrinks like
#   $|r|_{\max}^{\,t}$, and the runs match it.
# - Heavy ball converges iff $0 \le \mu < 1$ and $\eta\lambda < 2(1+\mu)$; with complex roots
#   $|r|_{\max} = \sqrt\mu$; critical damping gives the best $\mu$, and at best
#   $|r|_{\max} = (\sqrt\kappa-1)/(\sqrt\kappa+1)$.
# - Nesterov damps steep directions more but has a narrower stable range; it won on a
#   quadratic and lost on Rosenbrock at tuned rates.
# - Adam's first moment is heavy-ball momentum, averaged instead of summed.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
#
# **Predict, then run.**
# 1. At $\eta = 0.04$ on the valley, which $\mu$ makes the flat direction ($\lambda = 1$)
#    critically damped, and what is its rate then? Predict with
#    $\mu^* = (1-\sqrt{\eta\lambda})^2$, then set the explorer's sliders (or call
#    `explorer.update(lr=0.04, momentum=...)`).
# 2. Set `SWEEP_MU = 0.5` at the top of the section 8 sweeps (both momentum methods use
#    it) and run the notebook again. Does Nesterov still win on the quadratic? Predict from
#    the two matrices before you run it.
#
# **Previous:** [01 · A fixed learning rate](01_fixed_learning_rate.ipynb).
# **Next:** [03 · AdaGrad](03_adagrad.ipynb).
#
# **Further reading:** Polyak, *Some methods of speeding up the convergence of iteration
# methods*, USSR Computational Mathematics and Mathematical Physics (1964), the heavy-ball
# method; Nesterov, *A method of solving a convex programming problem with convergence rate
# O(1/k²)*, Soviet Mathematics Doklady (1983); Sutskever, Martens, Dahl & Hinton, *On the
# importance of initialization and momentum in deep learning*, ICML (2013), the form torch
# uses; Goh, *Why Momentum Really Works*, Distill (2017).
