# %% [markdown]
# # 06 · AdaDelta: a step with the right units and no global rate
#
# Every method so far has a learning rate $\eta$, and $\eta$ quietly carries units: measure
# the parameters in centimetres instead of metres and the rate that worked stops working.
# AdaDelta (Zeiler, 2012) promises two things at once: a step that has the units of the
# parameters by construction, and no global learning rate to tune. This notebook derives
# the step from Newton's method, then tests both promises: it measures the same problem in
# other units, works out what the small constant $\epsilon$ really does, and sweeps
# AdaDelta's settings against tuned Adam and RMSProp on five tasks.
#
# **Learning objectives.** By the end of this notebook you can
# - *derive* the units of the steps of gradient descent, RMSProp/Adam, Newton's method and
#   AdaDelta, and AdaDelta's update from Newton's step;
# - *implement* AdaDelta in a few lines of numpy and check it against `alr_teach.AdaDelta`;
# - *predict* AdaDelta's first step, how fast its steps grow and their ceiling, from
#   $\rho$ and $\epsilon$ alone;
# - *test* the "unit-correct" and "no learning rate" claims by rescaling the parameters and
#   by a disclosed sweep against tuned Adam and RMSProp;
# - *choose* AdaDelta's settings, and port them between torch and Keras.
#
# **Prerequisites:** [05 · Adam](05_adam.ipynb) and, before it,
# [04 · RMSProp](04_rmsprop.ipynb). **Time:** about 50 minutes.
# Notation: [docs/notation.md](../docs/notation.md).

# %%
import matplotlib.pyplot as plt
import numpy as np

from alr_teach import SGD, AdaDelta, Adam, RMSProp
from alr_teach.landscapes import Noisy, PlateauCliff, Quadratic, Rosenbrock
from alr_teach.plots import style
from alr_teach.runner import Trajectory, run
from alr_teach.sparse_data import log_loss, make_sparse_classification, train
from alr_teach.surface_plots import label_for, plot_effective_lr, plot_losses
from alr_teach.sweeps import sweep
from alr_teach.units_explorer import (
    Rescaled,
    UnitsExplorer,
    deviation,
    in_original_units,
    steps_to_tol,
)

rng = np.random.default_rng(6)  # seeded: every number below is reproducible

# %% [markdown]
# ## 1. A learning rate has units
#
# Take a tilted bowl (curvatures 1 and 10, turned by 30°, start $(1, 1)$) and measure its
# parameters in units $c$ times smaller: the loss becomes $f_c(x) = f(x/c)$, the start
# and the minimum move $c$ times further out, and nothing else changes. `Rescaled` builds
# $f_c$ (here for $c = \tfrac14, 1, 4$ at once). The same optimizers, with the same rates,
# on the same problem in three units; steps to reach loss $10^{-6}$ (-1: not within 1000):

# %%
bowl = Quadratic([1.0, 10.0], angle=np.pi / 6, start=[1.0, 1.0])
units = np.array([0.25, 1.0, 4.0])
bowls = Rescaled(bowl, units)   # one landscape per unit choice c, run as a batch
methods = {"SGD": (SGD, 0.1, 2), "RMSProp": (RMSProp, 0.01, 1), "Adam": (Adam, 0.05, 1)}
reached, runs_rmsprop, diverged = {}, {}, {}
for name, (cls, lr, power) in methods.items():
    for rescale in (False, True):
        rate = lr * units**power if rescale else lr
        trajectory = run(cls(lr=rate), bowls, steps=1000, record_state=False)
        reached[name, rescale] = steps_to_tol(trajectory, tol=1e-6)
        diverged[name, rescale] = trajectory.diverged
        if name == "RMSProp":
            runs_rmsprop[rescale] = in_original_units(trajectory, units)
for name, (_, lr, power) in methods.items():
    print(f"{name:8s} lr = {lr:<5g}: {np.array2string(reached[name, False]):17s}"
          f"lr = {lr:g}·c^{power}: {np.array2string(reached[name, True])}")
    assert len(set(reached[name, False])) > 1 and len(set(reached[name, True])) == 1
assert diverged["SGD", False].tolist() == [True, False, False] and not diverged["SGD", True].any()

# %%
def pick(trajectory, i):
    """Run i of a batched trajectory, as an unbatched one (for the plotting functions)."""
    return Trajectory(trajectory.points[:, i], trajectory.losses[:, i], trajectory.grads[:, i],
                      trajectory.diverged_at[i])


labels = [f"c = {c:g}" for c in units]
fig, axes = plt.subplots(1, 2, figsize=(12, 4), layout="constrained", sharey=True)
for ax, rescale in zip(axes, (False, True)):
    plot_losses(ax, [pick(runs_rmsprop[rescale], i) for i in range(3)], labels)
axes[0].set_title("RMSProp, lr = 0.01 in every unit: three different runs")
axes[1].set_title("RMSProp, lr = 0.01·c: one run, drawn three times")
plt.show()

# %% [markdown]
# With a fixed rate, each unit choice gives a different run: gradient descent even
# diverges at $c = \tfrac14$. The runs agree only when the rate follows the units: times
# $c^2$ for gradient descent, times $c$ for RMSProp and Adam. A learning rate is not a
# pure number. AdaDelta's promise is a step that needs no such correction.
#
# ## 2. Units, derived: from Newton's step to AdaDelta
#
# Say the loss $f$ is a pure number and the parameter $x$ has units $[x]$. Then the
# gradient $g = \partial f/\partial x$ has units $1/[x]$, and a step must have units $[x]$.
#
# - **Gradient descent**, $\Delta x = -\eta\, g$: the step has units $[x]$ only if $\eta$
#   has units $[x]^2$. Rescale $x \to c\,x$: $g \to g/c$, so $\eta$ must become $c^2\eta$.
# - **AdaGrad, RMSProp, Adam**, $\Delta x = -\eta\, g/\sqrt{E[g^2]}$: the ratio is a pure
#   number (its size is about 1), so $\eta$ has units $[x]$ and must become $c\,\eta$.
#   That is what section 1 measured.
# - **Newton's method**, $\Delta x = -H^{-1} g$ with $H = \partial^2 f/\partial x^2$
#   (units $1/[x]^2$): $H^{-1}g$ has units $[x]^2 \cdot 1/[x] = [x]$. No rate needed: on a
#   quadratic one step lands on the minimum.
#
# **Zeiler's fix.** Keep Newton's form, per coordinate: $\Delta x = -g/h$ with $h$ the
# curvature. Turn it around: $1/h = -\Delta x/g$. So a *typical step divided by a typical
# gradient* estimates the inverse curvature, and it has the right units. AdaDelta
# measures both with RMSProp's moving averages (factor $\rho$), with
# $\mathrm{RMS}[u]_t = \sqrt{E[u^2]_t + \epsilon}$:
#
# $$E[g^2]_t = \rho\,E[g^2]_{t-1} + (1-\rho)\,g_t^2, \qquad
#   \Delta x_t = -\frac{\mathrm{RMS}[\Delta x]_{t-1}}{\mathrm{RMS}[g]_t}\; g_t, \qquad
#   E[\Delta x^2]_t = \rho\,E[\Delta x^2]_{t-1} + (1-\rho)\,\Delta x_t^2,$$
#
# and $x_t = x_{t-1} + \eta\,\Delta x_t$ with $\eta = 1$ in the paper (torch keeps an
# optional multiplier `lr`). The numerator uses the steps up to $t-1$: step $t$ is not
# known before it is taken. Units: $[x] / (1/[x]) \cdot 1/[x] = [x]$.
#
# **Where $\epsilon$ sits.** Inside *both* roots. In the numerator it is added to
# $E[\Delta x^2]$ (units $[x]^2$), in the denominator to $E[g^2]$ (units $1/[x]^2$): one
# number cannot have both units, so the unit argument holds for the ratio *without*
# $\epsilon$. And $\epsilon$ is not a mere safeguard: $E[\Delta x^2]_0 = 0$, so without it
# every step would be 0 forever.
#
# **Extremes.** $\rho = 0$: both averages are just the last value, and (for
# $g_t^2 \gg \epsilon$) $|\Delta x_t|^2 \approx |\Delta x_{t-1}|^2 + \epsilon$: a sign
# descent whose step grows like $\sqrt{t\,\epsilon}$. $\rho \to 1$: $E[g^2]$ starts at 0
# and fills up ever more slowly, so the first step, $\sqrt{\epsilon/(1-\rho)}$ (section 4),
# grows without bound.
#
# ## 3. Implementation in the open
#
# The whole rule; `eps_g` lets the denominator have its own $\epsilon$ (section 5 uses it).

# %%
def adadelta_step(x, g, state, rho=0.9, eps=1e-6, eps_g=None, lr=1.0):
    eps_g = eps if eps_g is None else eps_g
    state["sq_avg"] = rho * state["sq_avg"] + (1 - rho) * g * g               # E[g^2]_t
    step = np.sqrt(state["acc_delta"] + eps) / np.sqrt(state["sq_avg"] + eps_g) * g
    state["acc_delta"] = rho * state["acc_delta"] + (1 - rho) * step * step  # E[dx^2]_t
    return x - lr * step


def adadelta_path(landscape, steps, **settings):
    """The points of adadelta_step's run from the landscape's start (a batch is fine)."""
    x = np.array(landscape.start, dtype=float)
    state = {"sq_avg": np.zeros_like(x), "acc_delta": np.zeros_like(x)}
    path = [x]
    for _ in range(steps):
        x = adadelta_step(x, landscape.grad(x), state, **settings)
        path.append(x)
    return np.array(path)


# %%
banana = Rosenbrock()
for settings in [{}, {"rho": 0.95, "eps": 1e-7, "lr": 1e-3}, {"rho": 0.5, "eps": 1e-4}]:
    reference = run(AdaDelta(**settings), banana, steps=300)
    difference = np.abs(adadelta_path(banana, 300, **settings) - reference.points).max()
    print(f"{label_for(AdaDelta(**settings)):34s} largest difference {difference:.1e}")
    assert difference <= 1e-12

# %% [markdown]
# Three settings (torch's defaults, Keras's, and a third), 300 steps on Rosenbrock each:
# the same numbers as the package to $10^{-12}$.
#
# ## 4. What $\epsilon$ really does
#
# **The first step.** At $t = 1$, $E[\Delta x^2]_0 = 0$ and $E[g^2]_1 = (1-\rho)g_1^2$, so
#
# $$|\Delta x_1| = \frac{\sqrt{\epsilon}}{\sqrt{(1-\rho)\,g_1^2 + \epsilon}}\,|g_1|
#   \;\approx\; \sqrt{\frac{\epsilon}{1-\rho}} \quad\text{when } (1-\rho)\,g_1^2 \gg \epsilon .$$
#
# The first step is a fixed *length*, $\sqrt{\epsilon/(1-\rho)}$ (0.0032 with torch's
# $\rho = 0.9$, $\epsilon = 10^{-6}$), whatever the gradient and whatever the units of $x$:
# it is $\epsilon$, not the problem, that sets the scale of the start.

# %%
g1 = np.array([1e-3, 1e-1, 1.0, 1e2])
first = -AdaDelta().step(np.zeros(4), g1)
derived = np.sqrt(1e-6) / np.sqrt(0.1 * g1**2 + 1e-6) * g1
print(f"first steps for gradients 1e-3, 0.1, 1, 100: {np.array2string(first, precision=6)}"
      f" (√(ε/(1−ρ)) = {np.sqrt(1e-6 / 0.1):.6f})")
np.testing.assert_allclose(first, derived, rtol=1e-12)
np.testing.assert_allclose(first[1:], np.sqrt(1e-6 / 0.1), rtol=1e-3)

# %% [markdown]
# **How the steps grow on a steady slope.** Feed a constant gradient $g$ with
# $g^2 \gg \epsilon$. After a few memory lengths $1/(1-\rho)$, $E[g^2] \approx g^2$, so
# $\Delta x_t^2 \approx E[\Delta x^2]_{t-1} + \epsilon$ and
#
# $$E[\Delta x^2]_t = \rho\,E[\Delta x^2]_{t-1} + (1-\rho)\big(E[\Delta x^2]_{t-1} +
#   \epsilon\big) = E[\Delta x^2]_{t-1} + (1-\rho)\,\epsilon .$$
#
# The average grows by $(1-\rho)\epsilon$ per step: $|\Delta x_t| \approx
# \sqrt{(1-\rho)\,\epsilon\,t}$ for large $t$, and the distance covered is about
# $\tfrac23\sqrt{(1-\rho)\,\epsilon}\;t^{3/2}$. Independent of $g$: a ramp set by
# $\epsilon$ and $\rho$ alone.
#
# **The ceiling.** Keep $\epsilon$ in the denominator. $\Delta x_t^2 < g^2$ exactly when
# $E[\Delta x^2]_{t-1} < E[g^2]_t$; that holds at $t = 1$ ($0 < (1-\rho)g^2$), and if it
# holds at $t$, then $E[\Delta x^2]_t = \rho E[\Delta x^2]_{t-1} + (1-\rho)\Delta x_t^2 <
# \rho E[g^2]_t + (1-\rho) g^2 = E[g^2]_{t+1}$. So on a constant slope **every step is
# shorter than $|g|$**: AdaDelta is never faster than gradient descent with rate
# $\eta = 1$ (times `lr`). More generally, if its effective rate $r$ settles,
# $E[\Delta x^2] = r^2 E[g^2]$ and $r^2 = (r^2 E[g^2] + \epsilon)/(E[g^2] + \epsilon)$, so
# $r = 1$: the only rate AdaDelta can settle at is 1.
#
# Three constant gradients, $g = 1$, $10^{-2}$ and $10^{-3}$, 3000 steps (and $\rho = 0$
# for the extreme of section 2):

# %%
slopes = np.array([1.0, 1e-2, 1e-3])
opt, x, sizes, acc = AdaDelta(), np.zeros(3), [], []
for _ in range(3000):
    x_new = opt.step(x, slopes)
    sizes.append(x - x_new)
    acc.append(opt.state["acc_delta"])
    x = x_new
sizes, acc, t = np.array(sizes), np.array(acc), np.arange(1, 3001)
ramp = np.sqrt(0.1 * 1e-6 * t)
growth = (acc[-1, 0] - acc[-2, 0]) / (0.1 * 1e-6)
print(f"g = 1: E[Δx²] grows by {growth:.4f}·(1−ρ)ε per step at t = 3000; step / ramp = "
      f"{sizes[-1, 0] / ramp[-1]:.3f}; distance / (2/3)√((1−ρ)ε)t^1.5 = "
      f"{x[0] / -(2 / 3 * np.sqrt(1e-7) * 3000**1.5):.3f}")
print(f"largest step / |g|: {np.array2string(np.max(sizes / slopes, axis=0), precision=4)}")
assert abs(growth - 1) < 0.01 and abs(sizes[-1, 0] / ramp[-1] - 1) < 0.05
assert np.all(sizes <= slopes * (1 + 1e-12))
assert np.allclose(sizes[-1, 1:], slopes[1:], rtol=0.03)

sign_descent, y = AdaDelta(rho=0.0), np.zeros(1)
for _ in range(100):
    y = sign_descent.step(y, np.ones(1))
assert np.isclose(y[0] - sign_descent.step(y, np.ones(1))[0], np.sqrt(101e-6), rtol=1e-3)

# %%
fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
for i, g in enumerate(slopes):
    ax.loglog(t, sizes[:, i], label=f"step, g = {g:g}", markevery=0.1, **style(i))
    ax.axhline(g, color=style(i)["color"], linestyle=":", linewidth=1)
ax.loglog(t, ramp, color="black", linestyle="--", label="ramp √((1−ρ)εt)")
ax.axhline(np.sqrt(1e-6 / 0.1), color="0.5", linewidth=1, label="first step √(ε/(1−ρ))")
ax.set(xlabel="step t (log)", ylabel="step size |Δx_t| (log)",
       title="AdaDelta on constant slopes (ρ = 0.9, ε = 1e-6): a ramp, capped at |g| (dotted)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# On the steep slope ($g = 1$) the step follows the ramp: after 3000 steps it is still
# only about 0.018, nowhere near the ceiling of 1. On the gentle ones it hits the ceiling $|g|$
# and stays there: from then on AdaDelta *is* gradient descent with rate 1.
#
# **$\sqrt\epsilon$ is a length.** Rescale both the parameters ($x \to c\,x$) and the
# loss (by $c^2$): $f_c(x) = c^2 f(x/c)$, so $g \to c\,g$. Put it in the update:
# $\mathrm{RMS}[\Delta x] = \sqrt{c^2E[\Delta x^2] + \epsilon} =
# c\sqrt{E[\Delta x^2] + \epsilon/c^2}$ and likewise
# $\mathrm{RMS}[g] = c\sqrt{E[g^2] + \epsilon/c^2}$. Every $c$ cancels except in
# $\epsilon$:
#
# $$\text{AdaDelta}(\epsilon) \text{ on } c^2 f(x/c) \;=\; c \times
#   \text{AdaDelta}(\epsilon/c^2) \text{ on } f .$$
#
# Changing the units of $x$ is the same as changing $\epsilon$. We check it with powers of
# two for $c$, so that the rescaling itself is exact in floating point:

# %%
powers = np.array([1 / 8, 8.0, 64.0])   # three unit choices, run as one batch
scaled = run(AdaDelta(eps=1e-6), Rescaled(bowl, powers, loss_scale=powers**2), steps=1000)
plain = run(AdaDelta(eps=1e-6 / powers[:, None] ** 2), bowl, np.broadcast_to(bowl.start, (3, 2)),
            steps=1000)
gaps = np.abs(scaled.points / powers[:, None] - plain.points).max(axis=(0, 2))
print(f"c = 1/8, 8, 64: largest differences {np.array2string(gaps, precision=1)} over 1000 steps")
assert np.all(gaps <= 1e-12)

# %% [markdown]
# ## 5. Testing the units claim
#
# **Predictions.** If the ratio is unit-correct and $\epsilon$ alone breaks it, then
# (i) giving the numerator and the denominator their own $\epsilon$, rescaled with the
# units ($c^2\epsilon$ and $\epsilon/c^2$), makes the path follow the units *exactly*;
# (ii) with one fixed $\epsilon$, running on $f(x/c)$ is (when $\epsilon$ is negligible in
# the denominator) like running on $f$ with $\epsilon/c^2$: by the ramp of section 4, the
# steps needed to travel a distance grow like $(c/\sqrt\epsilon)^{2/3}$, so the path does
# *not* follow the units, though the number of steps grows more slowly than a fixed
# rate's ($\propto c$ once the distance dominates).
#
# **Test.** The bowl, measured in units $c = 2^{-6}, \dots, 2^{6}$ (thirteen at once),
# 2000 steps. For each method, the *deviation*: the largest distance between the path in
# units $1/c$ (converted back) and the path at $c = 1$, divided by the start's distance
# to the minimum. 0 means the method followed the change of units.

# %%
scales = 2.0 ** np.arange(-6, 7)
family = Rescaled(bowl, scales)
setups = {  # name: (optimizer on f_c, the same method at c = 1)
    "AdaDelta (ε fixed)": (AdaDelta(), AdaDelta()),
    "RMSProp (lr fixed)": (RMSProp(lr=0.01), RMSProp(lr=0.01)),
    "RMSProp (lr·c)": (RMSProp(lr=0.01 * scales), RMSProp(lr=0.01)),
    "Adam (lr fixed)": (Adam(lr=0.05), Adam(lr=0.05)),
    "Adam (lr·c)": (Adam(lr=0.05 * scales), Adam(lr=0.05)),
}
off, to_tol = {}, {}
for name, (scaled_opt, plain_opt) in setups.items():
    trajectory = run(scaled_opt, family, steps=2000, record_state=False)
    reference = run(plain_opt, bowl, steps=2000, record_state=False)
    off[name] = deviation(in_original_units(trajectory, scales), reference, bowl)
    to_tol[name] = steps_to_tol(trajectory, tol=1e-6)
split = adadelta_path(family, 2000, eps=1e-6 * scales[:, None] ** 2,
                      eps_g=1e-6 / scales[:, None] ** 2)
off["AdaDelta (ε per unit)"] = deviation(split / scales[:, None], adadelta_path(bowl, 2000),
                                         bowl)

# %%
shown = {0: "c = 1/64", 3: "c = 1/8", 9: "c = 8", 12: "c = 64"}
print(f"{'deviation from the c = 1 path':30s}" + "".join(f"{c:>12s}" for c in shown.values()))
for name, values in off.items():
    print(f"{name:30s}" + "".join(f"{values[i]:12.2g}" for i in shown))
assert np.all(off["AdaDelta (ε per unit)"] == 0)
assert np.all(off["Adam (lr·c)"] < 1e-5) and np.all(off["RMSProp (lr·c)"] < 0.1)
for name in ("AdaDelta (ε fixed)", "RMSProp (lr fixed)", "Adam (lr fixed)"):
    assert np.all(off[name][[0, 12]] > 0.5)

# %% [markdown]
# **Result.** With an $\epsilon$ per unit, AdaDelta follows the change of units exactly
# (deviation 0): the ratio $\mathrm{RMS}[\Delta x]/\mathrm{RMS}[g]$ *is* unit-correct.
# Adam and RMSProp follow it too, but only when their rate is multiplied by $c$ (their
# $\epsilon$, which is not rescaled, leaves a gap: below 0.1 for RMSProp, below $10^{-5}$
# for Adam). **AdaDelta as it is run, with one fixed $\epsilon$, does not**: at
# $c = 1/64$ and $c = 64$ its path strays from the $c = 1$ path by more than half the
# start's distance to the minimum, like Adam's and RMSProp's with a fixed rate. The
# popular "unit-correct" description is true of the formula on paper, not of the
# algorithm. What AdaDelta does gain is a milder dependence on the units, as prediction
# (ii) says (the reference lines pass through AdaDelta's and RMSProp's counts at c = 1):

# %%
fixed = {name: to_tol[name] for name in ("AdaDelta (ε fixed)", "RMSProp (lr fixed)",
                                         "Adam (lr fixed)")}
fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
for i, (name, count) in enumerate(fixed.items()):
    ax.loglog(scales[count > 0], count[count > 0], label=name, markersize=5, **style(i))
at_one = {name: count[6] for name, count in fixed.items()}   # scales[6] = 1
ax.loglog(scales[1:10], at_one["AdaDelta (ε fixed)"] * scales[1:10] ** (2 / 3), color="black",
          linestyle=":", label="slope 2/3 (AdaDelta's ramp)")
ax.loglog(scales[6:12], at_one["RMSProp (lr fixed)"] * scales[6:12], color="0.5",
          linestyle="--", label="slope 1 (a fixed rate, far from the minimum)")
ax.set(xlabel="unit factor c (log)", ylabel="steps to reach loss 1e-6 (log)",
       title="The same bowl in other units: steps needed (missing: not within 2000)")
ax.legend(fontsize=8)
plt.show()


def slope(counts, lo, hi):
    """Fitted exponent of steps-to-tolerance against c over scales[lo:hi]."""
    return np.polyfit(np.log(scales[lo:hi]), np.log(counts[lo:hi]), 1)[0]


exponents = {name: slope(count, 6, 10) for name, count in fixed.items()}  # c = 1 ... 8
print("exponent for c = 1 ... 8: " + ", ".join(f"{n} {e:.2f}" for n, e in exponents.items()))
print(f"AdaDelta for c = 1/32 ... 8: {slope(fixed['AdaDelta (ε fixed)'], 1, 10):.2f}")
assert np.all(fixed["AdaDelta (ε fixed)"][1:10] > 0) and fixed["AdaDelta (ε fixed)"][0] == -1
assert abs(slope(fixed["AdaDelta (ε fixed)"], 1, 10) - 2 / 3) < 0.05
assert exponents["RMSProp (lr fixed)"] > 0.8 and exponents["Adam (lr fixed)"] > 0.6
assert exponents["AdaDelta (ε fixed)"] < min(exponents["RMSProp (lr fixed)"],
                                             exponents["Adam (lr fixed)"])
assert np.all(fixed["AdaDelta (ε fixed)"][6:10] > fixed["RMSProp (lr fixed)"][6:10])

# %% [markdown]
# From $c = 1/32$ to $8$, AdaDelta's steps grow like $c^{0.66}$, close to the $2/3$ its
# ramp predicts. From $c = 1$ to 8 the fixed rates' counts grow faster (exponents 0.91
# for RMSProp and 0.79 for Adam, steepening towards 1), yet AdaDelta still needs more
# steps than either over that whole range: a milder dependence on the units, not a
# faster method. For small $c$ the fixed rates are long strides and converge in few
# steps; at $c = 1/64$ AdaDelta never gets there (section 6 shows why).
#
# The same law in $\epsilon$: on the original bowl, steps to tolerance against $\epsilon$
# should go like $\epsilon^{-1/3}$.

# %%
epsilons = np.logspace(-8, -2, 13)
counts = sweep(AdaDelta, bowl, {"eps": epsilons}, steps=1000, tol=1e-6).steps_to_tol
ok = counts > 0
fitted = np.polyfit(np.log(epsilons[ok]), np.log(counts[ok]), 1)[0]
print(f"ε from {epsilons[ok][0]:.0e} to {epsilons[ok][-1]:.0e}: steps "
      f"{np.array2string(counts[ok])}, fitted exponent {fitted:.3f}")
assert abs(fitted + 1 / 3) < 0.03 and ok.sum() >= 9

# %% [markdown]
# $\epsilon$ sets the speed like a learning rate does, with exponent $-1/3$ as derived.
#
# ## 6. Watch it move: the rate drifts to 1
#
# Section 4 found that the only rate AdaDelta can settle at is 1. On our bowl the
# steep curvature is 10, and gradient descent with rate 1 is unstable there (it needs
# $\eta < 2/10$). So what happens near the minimum? Three values of $\epsilon$, 3000
# steps, and the effective rate per coordinate for $\epsilon = 10^{-6}$:

# %%
eps_values = np.array([1e-8, 1e-6, 1e-4])
starts = np.broadcast_to(bowl.start, (3, 2))
drift = run(AdaDelta(eps=eps_values[:, None]), bowl, starts, steps=3000)
fig, (ax_loss, ax_rate) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
plot_losses(ax_loss, [pick(drift, i) for i in range(3)], [f"ε = {e:g}" for e in eps_values])
ax_loss.set_title("AdaDelta on the bowl: it reaches the minimum, then leaves it")
plot_effective_lr(ax_rate, pick(drift, 1), lr=1.0)
ax_rate.set_title("Effective rate (ε = 1e-6): drifting up, then stuck")
plt.show()

# %%
for i, eps in enumerate(eps_values):
    state = {k: v[-1, i] for k, v in drift.state.items()}
    rate = np.sqrt(state["acc_delta"] + eps) / np.sqrt(state["sq_avg"] + eps)
    root = np.sqrt(rate)[:, None] * bowl.A * np.sqrt(rate)[None, :]
    edge = np.linalg.eigvalsh(root).max()
    losses = drift.losses[:, i]
    print(f"ε = {eps:.0e}: lowest loss {losses.min():.1e} (step {losses.argmin()}), "
          f"loss at 3000 {losses[-1]:.1e} = {losses[-1] / (eps * 3000):.2f}·ε·t; "
          f"largest eigenvalue of P^½AP^½: {edge:.4f}")
    assert losses.min() < 1e-15 and losses[-1] > 1e6 * losses.min()
    if eps >= 1e-6:
        assert abs(edge - 2) < 0.01 and 1 < losses[-1] / (eps * 3000) < 3

# %% [markdown]
# Every run gets within $10^{-15}$ of the minimum and then *leaves* it. The effective
# rates $r_i$ climb towards 1 until the preconditioned bowl $P^{1/2}AP^{1/2}$ (with
# $P = \mathrm{diag}(r)$) has largest eigenvalue 2: the edge of stability for gradient
# descent. There the run oscillates, both averages grow, and the loss rises: for
# $\epsilon = 10^{-6}$ and $10^{-4}$ it stands at about $2\epsilon t$ after $t = 3000$
# steps (measured, not derived). AdaDelta does not settle on a bowl whose curvature
# exceeds 2 *in the units of $x$* (with `lr` = 1). Units again: at $c = 1/64$ in section 5
# the curvatures are 4096 times larger, and the run never reached the tolerance.
#
# **Explore.** The sliders set $\rho$, $\epsilon$ (log) and the unit factor $c$ (log): the
# landscape is measured in units $c$ times smaller and every panel converts back, so at
# $c = 1$ the solid and dashed paths coincide. RMSProp (lr = 0.01, fixed) is there for
# comparison. Things to try: $c = 100$ with the default $\epsilon$, then $\epsilon$ 10⁴
# times larger (does AdaDelta come back?); the plateau cliff with any $\epsilon$; $\rho =
# 0$ and $0.99$.

# %%
# NBVAL_IGNORE_OUTPUT
explorer = UnitsExplorer(steps=500)
explorer.widget()

# %% [markdown]
# The explorer's default view, as a static figure (what the saved notebook and the
# handouts show): at $c = 1$ each pair of paths is one path.

# %%
explorer.static_figure()
plt.show()
summary = explorer.summary
print(f"{summary['adadelta']}: first step {summary['first_step']:.5f} "
      f"(√(ε/(1−ρ)) = {summary['first_step_bound']:.5f}); steps to 1e-6: "
      + ", ".join(f"{n} {s}" for n, s in summary["steps_to_tol"].items()))
assert set(summary["deviation"].values()) == {0.0}

# %% [markdown]
# ## 7. Experiment: is it really learning-rate free?
#
# **Question.** Zeiler's abstract promises no manual tuning of a learning rate, and the
# practice claim E4 says: to avoid tuning the rate, use AdaDelta, at the cost of more
# iterations. We test both halves.
#
# **Fair set-up.** Five tasks, 1000 steps each: the bowl; Rosenbrock; the plateau cliff;
# the bowl with gradient noise ($\sigma = 1$, seed 0); and logistic regression on the
# sparse task of notebook 03 (`make_sparse_classification(seed=0)`, 10 epochs of batches
# of 20, i.e. 1000 steps). Disclosed grids: AdaDelta gets 36 settings, $\epsilon \in
# \{10^{-10}, \dots, 10^{-2}\}$ (9, log-spaced) times $\rho \in \{0.5, 0.9, 0.95,
# 0.99\}$, with `lr` = 1; Adam ($\beta$s 0.9, 0.999) and RMSProp ($\alpha$ = 0.99) get 17
# rates from $10^{-4}$ to 1 (log-spaced). So AdaDelta gets *more* tuning, not less.
# Measure: the mean of loss − minimum over the last 100 steps (values below $10^{-16}$
# count as $10^{-16}$), and for logistic regression the final training loss.

# %%
tasks = {"bowl": bowl, "Rosenbrock": banana, "plateau cliff": PlateauCliff(),
         "noisy bowl": Noisy(bowl, sigma=1.0, seed=0)}
epss, rhos, lrs = np.logspace(-10, -2, 9), np.array([0.5, 0.9, 0.95, 0.99]), np.logspace(-4, 0, 17)
grids = {"AdaDelta": (AdaDelta, {"eps": epss, "rho": rhos}), "Adam": (Adam, {"lr": lrs}),
         "RMSProp": (RMSProp, {"lr": lrs})}


def final_gap(losses, landscape):
    gap = np.mean(losses[-100:], axis=0) - landscape.min_value   # NaN if it diverged
    return np.where(np.isfinite(gap), np.maximum(gap, 1e-16), np.inf)


results, adam_runs = {}, {}
for task, landscape in tasks.items():
    results[task] = {}
    for method, (cls, grid) in grids.items():
        result = sweep(cls, landscape, grid, steps=1000)
        results[task][method] = final_gap(result.trajectory.losses, landscape)
        if method == "Adam":
            adam_runs[task] = result.trajectory.losses - landscape.min_value
        if (task, method) == ("plateau cliff", "AdaDelta"):
            plateau_points = result.trajectory.points          # (1001, 9, 4, 2)

# %%
sparse = make_sparse_classification(seed=0)


def train_losses(optimizer, batch_shape):
    """Training loss after each epoch, for a batch of settings trained side by side."""
    w0 = np.zeros(batch_shape + (sparse.X_train.shape[1],))
    weights = train(optimizer, sparse.X_train, sparse.y_train, epochs=10, batch_size=20, w0=w0)
    return log_loss(weights, sparse.X_train, sparse.y_train)     # (11, *batch_shape)


adam_runs["logistic"] = train_losses(Adam(lr=lrs[:, None]), (17,))
results["logistic"] = {
    "AdaDelta": train_losses(AdaDelta(eps=epss[:, None, None], rho=rhos[None, :, None]),
                             (9, 4))[-1],
    "Adam": adam_runs["logistic"][-1],
    "RMSProp": train_losses(RMSProp(lr=lrs[:, None]), (17,))[-1],
}

# %% [markdown]
# One row per task: AdaDelta at torch's defaults ($\rho = 0.9$, $\epsilon = 10^{-6}$) and
# at its best grid setting; Adam at its default rate $10^{-3}$ and at its best; RMSProp at
# its best.

# %%
DEFAULT = (4, 1)   # epss[4] = 1e-6, rhos[1] = 0.9: torch's defaults
best = {}
print(f"{'task':14s}{'AdaDelta default':>17s}{'AdaDelta best (ε, ρ)':>29s}{'Adam 1e-3':>11s}"
      f"{'Adam best (lr)':>21s}{'RMSProp best (lr)':>21s}")
for task, r in results.items():
    i, j = np.unravel_index(np.argmin(r["AdaDelta"]), r["AdaDelta"].shape)
    k, m = np.argmin(r["Adam"]), np.argmin(r["RMSProp"])
    best[task] = {"AdaDelta": r["AdaDelta"][i, j], "eps": epss[i], "Adam": r["Adam"][k],
                  "lr": lrs[k], "default": r["AdaDelta"][DEFAULT], "adam 1e-3": r["Adam"][4]}
    print(f"{task:14s}{r['AdaDelta'][DEFAULT]:17.2e}{r['AdaDelta'][i, j]:12.2e} "
          f"({epss[i]:.0e}, {rhos[j]:4.2f}){r['Adam'][4]:11.2e}{r['Adam'][k]:12.2e} "
          f"({lrs[k]:.1e}){r['RMSProp'][m]:12.2e} ({lrs[m]:.1e})")

# %% [markdown]
# How much each knob matters: every setting's final result divided by the best result
# of the same method on the same task (1 = its best setting), for AdaDelta at
# $\rho = 0.9$ against $\sqrt\epsilon$ and for Adam against its rate (a missing point
# diverged):

# %%
fig, (ax_eps, ax_lr) = plt.subplots(1, 2, figsize=(13, 4.6), layout="constrained", sharey=True)
for i, (task, r) in enumerate(results.items()):
    column = r["AdaDelta"][:, 1]
    ax_eps.loglog(np.sqrt(epss), column / column.min(), label=task, markersize=5, **style(i))
    ax_lr.loglog(lrs, r["Adam"] / r["Adam"].min(), label=task, markersize=5, **style(i))
ax_eps.set(xlabel="√ε (log)", ylabel="final result / the method's best on the task (log)",
           title="AdaDelta (ρ = 0.9, lr = 1) against √ε")
ax_lr.set(xlabel="learning rate (log)", title="Adam against its learning rate")
ax_eps.legend(fontsize=8)
plt.show()

# %%
for task in ("bowl", "Rosenbrock", "noisy bowl", "logistic"):   # AdaDelta's defaults vs Adam's
    assert best[task]["default"] < best[task]["adam 1e-3"]
for task in ("bowl", "Rosenbrock", "plateau cliff", "logistic"):  # tuned Adam wins
    assert best[task]["Adam"] < best[task]["AdaDelta"]
assert abs(best["noisy bowl"]["AdaDelta"] / best["noisy bowl"]["Adam"] - 1) < 0.25
plateau = results["plateau cliff"]
assert np.all(plateau["AdaDelta"] > 0.5) and plateau["Adam"][4] > 0.5   # both stuck...
assert max(plateau["Adam"].min(), plateau["RMSProp"].min()) < 1e-5      # ...tuned rates not
x_steps = np.abs(np.diff(plateau_points[..., 0], axis=0))
print(f"AdaDelta on the plateau, all 36 settings: largest step in x {x_steps.max():.2e}, "
      f"furthest x reached {plateau_points[..., 0].max():.2f} (the cliff is at 0)")
assert x_steps.max() < 1.5e-3 and plateau_points[..., 0].max() < -0.3


# %%
def spread(values):
    """Worst over best final result (diverged settings left out)."""
    values = values[np.isfinite(values)]
    return values.max() / values.min()


for task in ("bowl", "Rosenbrock", "noisy bowl", "logistic"):   # ε matters (at ρ = 0.9)
    eps_spread = spread(results[task]["AdaDelta"][:, 1])
    assert eps_spread > {"bowl": 1e5, "logistic": 1.5}.get(task, 100)
    if task in ("bowl", "Rosenbrock"):
        assert spread(results[task]["Adam"]) > eps_spread
best_eps = {best[task]["eps"] for task in results if task != "plateau cliff"}
assert max(best_eps) / min(best_eps) >= 100
for task in ("Rosenbrock", "noisy bowl", "logistic"):            # ρ matters less than ε...
    grid = results[task]["AdaDelta"]
    assert spread(grid[DEFAULT[0], :]) < spread(grid[:, DEFAULT[1]])
assert np.unravel_index(np.argmin(results["bowl"]["AdaDelta"]), (9, 4))[1] == 3  # ...ρ = 0.99

# %% [markdown]
# How many more iterations? For each task where AdaDelta's defaults made progress, the
# step at which Adam at its tuned rate first did as well as AdaDelta's defaults after
# 1000 steps (for logistic regression, counted in whole epochs of 100 steps):

# %%
matched = {}
for task in ("bowl", "Rosenbrock", "logistic"):
    curve = adam_runs[task][:, np.argmin(results[task]["Adam"])]
    hit = int(np.flatnonzero(curve <= best[task]["default"])[0])
    matched[task] = hit * 100 if task == "logistic" else hit
    print(f"{task:11s} tuned Adam matched AdaDelta's 1000 default steps after {matched[task]}")
assert all(steps <= 250 for steps in matched.values())

# %% [markdown]
# **Result.**
#
# - **Against Adam's default rate, AdaDelta's defaults win** on four tasks (all but the
#   plateau cliff, where both are stuck): if you truly cannot tune, they are a better
#   blind guess here than Adam at $10^{-3}$, on problems like these whose parameters are
#   of order 1.
# - **Against a tuned rate, they lose**: tuned Adam beats even AdaDelta's *best* setting on
#   four tasks (on the noisy bowl the two are within 25 %), and it matched AdaDelta's
#   1000 default steps within 250 steps on the bowl, Rosenbrock and logistic regression.
#   That is E4's "cost of more iterations", and it is at least fourfold here.
# - **On the plateau cliff no setting moves AdaDelta off the plateau in 1000 steps**: on a
#   nearly constant slope of about $10^{-3}$ its steps in $x$ were at most about $10^{-3}$
#   (printed above: the ceiling of section 4), and no setting got past $x = -0.5$, with
#   the cliff at 0; tuned Adam and RMSProp are down in the valley.
# - **$\epsilon$ is a knob of the same kind as a learning rate**: AdaDelta's result varies
#   with $\sqrt\epsilon$ (a length per step, like a rate) by a factor of over $10^5$ on the
#   bowl and over 100 on Rosenbrock and the noisy bowl, and its best value moves from task
#   to task by two orders of magnitude or more. Adam's result varies with its rate by even
#   larger factors on the bowl and Rosenbrock, because at its best rate it gets much
#   further. $\rho$ (at $\epsilon = 10^{-6}$) matters less than
#   $\epsilon$ (at $\rho = 0.9$) on Rosenbrock, the noisy bowl and logistic regression, but
#   not on the bowl, where $\rho = 0.99$ is best by far.
#
# **Verdict on E4**: the cost in iterations is real; "avoid tuning the rate" is only true
# in name. AdaDelta swaps the rate for $\epsilon$, whose square root is a length just like
# a rate, and its `lr` multiplier is still needed on steep bowls (section 9).
#
# ## 8. torch's defaults vs Keras's
#
# The two libraries ship different defaults: torch `Adadelta(lr=1.0, rho=0.9, eps=1e-6)`
# (the paper's method, plus torch's $\rho$) and Keras
# `Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)`. The state does not depend on
# `lr` (it multiplies the step after the averages are updated), so on a steady slope a run
# with `lr` = 0.001 is *exactly* 1000 times shorter than the same run with `lr` = 1; with
# Keras's $\rho$ and $\epsilon$ the first step is another $\sqrt5$ times shorter
# ($\sqrt{10^{-7}/0.05}$ against $\sqrt{10^{-6}/0.1}$).

# %%
keras = {"lr": 1e-3, "rho": 0.95, "eps": 1e-7}
# three runs side by side: torch's defaults, Keras's, and Keras's ρ and ε with lr = 1
side_by_side = AdaDelta(lr=np.array([1.0, 1e-3, 1.0]), rho=np.array([0.9, 0.95, 0.95]),
                        eps=np.array([1e-6, 1e-7, 1e-7]))
z, paths = np.zeros(3), []
for _ in range(1000):
    z = side_by_side.step(z, np.ones(3))
    paths.append(-z)
paths = np.array(paths)
print(f"first step: torch {paths[0, 0]:.3e}, Keras {paths[0, 1]:.3e} "
      f"(ratio {paths[0, 0] / paths[0, 1]:.0f}); after 1000 steps on a slope: torch moved "
      f"{paths[-1, 0]:.3f}, Keras {paths[-1, 1]:.2e}")
first_of = [np.sqrt(e / ((1 - r) + e)) * lr for lr, r, e in [(1, 0.9, 1e-6), (1e-3, 0.95, 1e-7)]]
np.testing.assert_allclose(paths[0, :2], first_of, rtol=1e-12)   # section 4's formula, g = 1
assert np.isclose(paths[0, 0] / paths[0, 1], 1000 * np.sqrt(5), rtol=1e-4)
np.testing.assert_allclose(paths[:, 2] / paths[:, 1], 1000, rtol=1e-9)

keras_loss = train_losses(AdaDelta(**keras), ())
torch_loss = train_losses(AdaDelta(), ())
print(f"logistic regression, 10 epochs: loss {keras_loss[0]:.4f} -> {keras_loss[-1]:.4f} "
      f"(Keras defaults), -> {torch_loss[-1]:.4f} (torch defaults)")
assert keras_loss[0] - keras_loss[-1] < 0.01 * (torch_loss[0] - torch_loss[-1])

# %% [markdown]
# At the start Keras's defaults step about 2236 times shorter than torch's (1000 from the
# rate, $\sqrt5$ from $\rho$ and $\epsilon$); on logistic regression, 10 epochs with them
# barely move the loss, less than 1 % of what torch's defaults achieve. A model ported
# from torch to Keras "with AdaDelta's defaults" is not the same optimizer: set
# `learning_rate=1.0` in Keras to get the paper's method.
#
# ## 9. Pitfalls and practice
#
# - **"No learning rate" means a rate of 1, in the units of $x$.** The effective rate can
#   only settle at `lr` (section 4); on a bowl steeper than $2/\eta$ in those units it
#   hovers at the edge of stability and the loss creeps up (section 6). The `lr`
#   multiplier fixes it, and is a learning rate by another name: on the bowl,

# %%
multipliers = np.array([1.0, 0.3, 0.1])
losses = run(AdaDelta(lr=multipliers[:, None]), bowl, np.broadcast_to(bowl.start, (3, 2)),
             steps=4000, record_state=False).losses
for i, lr in enumerate(multipliers):
    print(f"lr = {lr}: loss {losses[1000, i]:.1e} at step 1000, {losses[-1, i]:.1e} at step 4000")
    assert (losses[-1, i] < 1e-100) == (lr * 10 < 2)   # settles only if lr · λmax < 2

# %% [markdown]
# - **The start is slow, and $\epsilon$ sets how slow.** The first step is
#   $\sqrt{\epsilon/(1-\rho)}$ per coordinate (0.0032 with torch's defaults) and grows only
#   like $\sqrt{(1-\rho)\epsilon t}$; steps to a tolerance scale like $\epsilon^{-1/3}$
#   (section 5). Changing the units of $x$ by $c$ acts like dividing $\epsilon$ by $c^2$
#   (section 4): if your parameters are of order 100 rather than 1, raise $\epsilon$ by
#   about $100^2$; if of order 0.01, lower it.
# - **On gentle slopes it is gradient descent with rate 1**, never faster (the ceiling):
#   plateaus are crossed at $|g|$ per step (section 7, plateau cliff).
# - **Library defaults differ by a factor of about 2200** at the start (section 8).
# - **Practice (E4).** If you cannot tune at all, AdaDelta's defaults were a better blind
#   guess than Adam's default rate on four of our five tasks. If you can tune, tune Adam's
#   rate and expect several times fewer iterations; tuning AdaDelta's $\epsilon$ is the
#   same job, and did not catch up with tuned Adam on four of the five tasks (section 7).
#
# ## Summary
#
# - AdaDelta steps by $\mathrm{RMS}[\Delta x]_{t-1}/\mathrm{RMS}[g]_t \cdot g_t$, a
#   diagonal Newton-like ratio whose units are those of $x$, without $\epsilon$.
# - $\epsilon$ is a hidden length: the first step is $\sqrt{\epsilon/(1-\rho)}$, steps grow
#   like $\sqrt{(1-\rho)\epsilon t}$, and changing the units of $x$ is changing $\epsilon$
#   (exactly, if the loss is rescaled too); with a fixed $\epsilon$ the path does not
#   follow the units.
# - Its effective rate can only settle at `lr` = 1: never faster than gradient descent
#   with rate 1 on a steady slope, and it does not settle on a bowl whose curvature
#   exceeds 2 in the units of $x$.
# - It has no global rate in name only: $\epsilon$ needs tuning like a rate; at its
#   defaults it beat Adam's default rate on four of five tasks but needed over four times
#   the iterations of a tuned Adam.
# - torch (lr 1, $\rho$ 0.9, $\epsilon$ 1e-6) and Keras (lr 0.001, $\rho$ 0.95,
#   $\epsilon$ 1e-7) start about 2236 times apart.
#
# **Exercises:** the exercise notebooks live in [`../exercises/`](../exercises/).
# **Predict, then run:**
# 1. With $\rho = 0.95$ and $\epsilon = 10^{-8}$, how long is AdaDelta's first step on a
#    gradient of 1? Predict with $\sqrt{\epsilon/(1-\rho)}$, then run
#    `AdaDelta(rho=0.95, eps=1e-8).step(np.zeros(1), np.ones(1))`.
# 2. With `lr = 0.15` on the bowl of section 9, does AdaDelta settle? And on a bowl with
#    curvatures 0.1 and 1 at `lr = 1`? Predict from $\eta\lambda_{\max}$ and the rate
#    AdaDelta settles at, then run.
#
# **Previous:** [05 · Adam](05_adam.ipynb). **Next:** [07 · The arena](07_arena.ipynb).
#
# **Further reading:** M. D. Zeiler, *ADADELTA: An Adaptive Learning Rate Method*,
# arXiv:1212.5701 (2012), the original paper; T. Schaul, S. Zhang & Y. LeCun, *No More
# Pesky Learning Rates*, ICML (2013), another way to set rates from curvature estimates;
# Goodfellow, Bengio & Courville, *Deep Learning* (2016), section 8.5, for the adaptive
# methods side by side.
