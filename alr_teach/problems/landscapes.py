"""Loss landscapes: small test functions with analytic gradients, vectorised over points.

Every landscape takes points of shape ``(..., dim)`` (any leading batch axes) and returns
values of shape ``(...)`` and gradients of shape ``(..., dim)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from alr_teach import _validation as check

__all__ = [
    "Landscape", "Quadratic", "Rosenbrock", "Beale", "Himmelblau", "Rastrigin", "Booth", "Saddle",
    "MonkeySaddle", "PlateauCliff", "Noisy", "Drifting", "LANDSCAPES", "get",
]


class Landscape:
    """Base class: a function with value, gradient, known minima and a default start.

    A subclass sets ``name``, ``dim``, ``note``, ``minima``, ``start`` and ``domain`` and
    gives ``value`` and ``grad``. Both take points of shape ``(..., dim)`` and work on a
    whole batch at once (no Python loop over points).

    Time-dependent landscapes (noisy gradients, a moving minimum) also give
    ``value_at(x, t)`` and ``grad_at(x, t)``: the runner asks for the gradient at step
    ``t`` (1 on the first step) with ``grad_at(x, t)`` and for the loss after step ``t``
    with ``value_at(x, t)`` (``value_at(x, 0)`` at the start). For an ordinary landscape
    both ignore ``t``.
    """

    name: str = "landscape"
    dim: int = 2
    note: str = ""
    #: True when ``grad_at`` returns a noisy estimate rather than the exact gradient
    stochastic: bool = False
    #: True when the loss itself changes with the step (``value_at`` uses ``t``)
    time_dependent: bool = False
    #: True when values span several decades over the domain, so contour plots should
    #: use logarithmic levels (of ``value - min_value``)
    log_scale: bool = False

    def value(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def value_at(self, x: np.ndarray, t: int) -> np.ndarray:
        """The loss at step ``t``; the same as ``value(x)`` unless the landscape changes."""
        return self.value(x)

    def grad_at(self, x: np.ndarray, t: int) -> np.ndarray:
        """The gradient the optimizer sees at step ``t``; ``grad(x)`` unless overridden."""
        return self.grad(x)

    #: points of the global minima, shape (k, dim); k = 0 when there is no minimum
    minima: np.ndarray
    #: where an optimizer starts unless told otherwise, shape (dim,)
    start: np.ndarray
    #: ((low, high),) * dim: the region worth plotting
    domain: tuple[tuple[float, float], ...]

    @property
    def min_value(self) -> float:
        """The function's value at its global minimum (-inf when it is unbounded below)."""
        if len(self.minima) == 0:
            return -np.inf
        return float(self.value(self.minima[0]))

    def _points(self, x: ArrayLike) -> np.ndarray:
        """``x`` as a float array whose last axis has length ``dim`` (else ValueError)."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(
                f"Invalid x: shape {x.shape} (the landscape is {self.dim}-D, so the last "
                f"axis must have length {self.dim})"
            )
        return x

    def __call__(self, x: ArrayLike) -> np.ndarray:
        return self.value(np.asarray(x, dtype=float))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Quadratic(Landscape):
    r"""A quadratic bowl :math:`f(x) = \tfrac12 (x - x^*)^\top A (x - x^*)`.

    ``curvatures`` are the eigenvalues of :math:`A` (one per dimension). In 2-D,
    ``angle`` (radians) rotates the eigenvectors away from the axes: axis-aligned
    ill-conditioning is what per-coordinate methods can fix, rotated ill-conditioning
    is not. Gradient descent with rate :math:`\eta` converges iff
    :math:`\eta < 2 / \lambda_{max}`; the best fixed rate is
    :math:`2 / (\lambda_{min} + \lambda_{max})`.
    """

    def __init__(
        self,
        curvatures: ArrayLike = (1.0, 1.0),
        angle: float = 0.0,
        center: ArrayLike | None = None,
        start: ArrayLike | None = None,
    ) -> None:
        self.curvatures = np.asarray(check.in_range("curvatures", curvatures, 0.0, low_open=True),
                                     dtype=float).reshape(-1)
        self.dim = self.curvatures.size
        self.angle = check.real("angle", angle)
        if self.angle and self.dim != 2:
            raise ValueError(f"Invalid angle: {angle!r} (rotation is for 2-D bowls only)")
        c, s = np.cos(self.angle), np.sin(self.angle)
        rotation = np.array([[c, -s], [s, c]]) if self.dim == 2 else np.eye(self.dim)
        self.A = rotation @ np.diag(self.curvatures) @ rotation.T
        self.minima = self._point("center", np.zeros(self.dim) if center is None else center)[None]
        self.start = self._point("start", np.ones(self.dim) if start is None else start)
        half = 1.5 * float(np.max(np.abs(self.start - self.minima[0])) or 1.0)
        self.domain = tuple((m - half, m + half) for m in self.minima[0])
        if self.dim == 1:
            self.name = "quadratic"
        else:
            turned = f", rotated {np.degrees(self.angle):.0f}°" if self.angle else ""
            self.name = f"quadratic (condition number {self.condition_number:g}{turned})"
        self.note = "Curvature differs by direction; one learning rate must suit the steepest."

    def _point(self, name: str, value: ArrayLike) -> np.ndarray:
        point = np.asarray(value, dtype=float)
        if point.shape != (self.dim,) or not np.all(np.isfinite(point)):
            raise ValueError(f"Invalid {name}: {value!r} (must be {self.dim} finite numbers)")
        return point

    @property
    def condition_number(self) -> float:
        return float(self.curvatures.max() / self.curvatures.min())

    @property
    def critical_lr(self) -> float:
        """Gradient descent diverges for learning rates above 2 / largest curvature."""
        return float(2.0 / self.curvatures.max())

    @property
    def best_lr(self) -> float:
        """The fixed learning rate with the fastest worst-direction convergence."""
        return float(2.0 / (self.curvatures.max() + self.curvatures.min()))

    # Written as explicit sums over the (few) dimensions rather than einsum or matmul, so a
    # point gives bit-for-bit the same numbers alone and inside a batch (BLAS may sum a
    # batch in another order), and a sweep equals its configurations run one by one.
    def value(self, x: np.ndarray) -> np.ndarray:
        d, g = self._points(x) - self.minima[0], self.grad(x)
        return 0.5 * sum(d[..., i] * g[..., i] for i in range(self.dim))

    def grad(self, x: np.ndarray) -> np.ndarray:
        d = self._points(x) - self.minima[0]
        return _vector(
            *[sum(self.A[i, j] * d[..., j] for j in range(self.dim)) for i in range(self.dim)]
        )


# -- helpers -----------------------------------------------------------------------------
def _vector(*components: np.ndarray) -> np.ndarray:
    """Stack per-coordinate arrays along a new last axis (``np.stack``, minus its overhead)."""
    shape: tuple[int, ...] = ()
    for component in components:  # the largest shape (a component may be a scalar)
        if isinstance(component, np.ndarray) and component.ndim > len(shape):
            shape = component.shape
    out = np.empty(shape + (len(components),))
    for i, component in enumerate(components):
        out[..., i] = component
    return out


def _box(*points: ArrayLike, margin: float = 0.0) -> tuple[tuple[float, float], ...]:
    """The smallest axis-aligned box around ``points`` (rows), widened by ``margin``."""
    stacked = np.concatenate([np.atleast_2d(np.asarray(p, dtype=float)) for p in points])
    return tuple(
        (float(lo - margin), float(hi + margin))
        for lo, hi in zip(stacked.min(axis=0), stacked.max(axis=0))
    )


# -- classic 2-D test functions -----------------------------------------------------------
class Rosenbrock(Landscape):
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    One global minimum at :math:`(a, a^2)` with value 0. The valley floor
    :math:`y = x^2` is curved; across it the curvature is about :math:`2b(1 + 4x^2)`,
    along it about 2, so the condition number near the minimum is roughly ``b``.
    """

    log_scale = True

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self.a = check.real("a", a)
        self.b = check.real("b", b, low=0.0, low_open=True)
        self.dim = 2
        self.minima = np.array([[self.a, self.a**2]])
        self.start = np.array([-1.5, 2.0])
        low, high = min(self.start[0], self.a), max(self.start[0], self.a)
        bottom, top = min(self.start[1], self.a**2), max(self.start[1], self.a**2)
        self.domain = ((low - 0.5, high + 1.0), (bottom - 2.0, top + 1.0))
        default = self.a == 1.0 and self.b == 100.0
        self.name = "rosenbrock" if default else f"rosenbrock (a={self.a:g}, b={self.b:g})"
        self.note = (
            "Finding the valley is easy, following it is hard: it is steep across and "
            "nearly flat along its curved floor, so one learning rate either zigzags "
            "across the valley or crawls along it."
        )

    def value(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u * u) ** 2

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        r = v - u * u
        return _vector(-2.0 * (self.a - u) - 4.0 * self.b * u * r, 2.0 * self.b * r)


class Beale(Landscape):
    r"""Beale's function :math:`f(x, y) = \sum_{i=1}^{3} (c_i - x + x y^i)^2`.

    With :math:`c = (1.5, 2.25, 2.625)`; one global minimum at :math:`(3, 0.5)` with value
    0. Values range from 0 to about :math:`1.8 \times 10^5` over :math:`[-4.5, 4.5]^2`.
    """

    log_scale = True
    _c = (1.5, 2.25, 2.625)

    def __init__(self) -> None:
        self.dim = 2
        self.minima = np.array([[3.0, 0.5]])
        self.start = np.array([1.0, 1.5])
        self.domain = ((-4.5, 4.5), (-4.5, 4.5))
        self.name = "beale"
        self.note = (
            "Flat plains and steep walls side by side: the gradient's size changes by "
            "orders of magnitude, so a fixed step stalls in one place and explodes in "
            "another, while adaptive rates even the pace out."
        )

    def value(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        return sum((c - u + u * v**i) ** 2 for i, c in enumerate(self._c, start=1))

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        gu = np.zeros_like(u)
        gv = np.zeros_like(v)
        for i, c in enumerate(self._c, start=1):
            r = c - u + u * v**i
            gu = gu + 2.0 * r * (v**i - 1.0)
            gv = gv + 2.0 * r * i * u * v ** (i - 1)
        return _vector(gu, gv)


class Himmelblau(Landscape):
    r"""Himmelblau's function :math:`f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2`.

    Four global minima, all with value 0: :math:`(3, 2)` exactly, and approximately
    :math:`(-2.805118, 3.131313)`, :math:`(-3.779310, -3.283186)`,
    :math:`(3.584428, -1.848126)` (refined here by Newton's method to full precision).
    A local maximum sits near :math:`(-0.270845, -0.923039)`. From the default start
    :math:`(-1, -0.5)` gradient descent (``lr = 0.01``) ends in :math:`(-3.78, -3.28)`,
    while Adam, RMSProp and AdaGrad, whose first steps move every coordinate by about
    ``lr`` whatever its slope, head elsewhere and end in :math:`(-2.81, 3.13)`.
    """

    log_scale = True

    def __init__(self) -> None:
        self.dim = 2
        guesses = np.array(
            [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
        )
        self.minima = self._newton(guesses)
        self.start = np.array([-1.0, -0.5])
        self.domain = ((-5.0, 5.0), (-5.0, 5.0))
        self.name = "himmelblau"
        self.note = (
            "Four equally low minima: which one a run ends in depends on where it starts "
            "and on the optimizer's path, not on which minimum is best."
        )

    def _newton(self, x: np.ndarray, steps: int = 8) -> np.ndarray:
        """Newton's method on the gradient, all points at once (a loop over steps only)."""
        for _ in range(steps):
            u, v = x[..., 0], x[..., 1]
            huu = 12.0 * u * u + 4.0 * v - 42.0
            huv = 4.0 * (u + v)
            hvv = 12.0 * v * v + 4.0 * u - 26.0
            hessian = np.stack([np.stack([huu, huv], -1), np.stack([huv, hvv], -1)], -2)
            x = x - np.linalg.solve(hessian, self.grad(x)[..., None])[..., 0]
        return x

    def value(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        return (u * u + v - 11.0) ** 2 + (u + v * v - 7.0) ** 2

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        a = u * u + v - 11.0
        b = u + v * v - 7.0
        return _vector(4.0 * u * a + 2.0 * b, 2.0 * a + 4.0 * v * b)


class Rastrigin(Landscape):
    r"""Rastrigin's function :math:`f(x) = A n + \sum_i \left(x_i^2 - A\cos(2\pi x_i)\right)`.

    In any dimension ``dim`` = :math:`n`; global minimum at the origin with value 0, and
    a local minimum near every point with integer coordinates.
    """

    def __init__(self, dim: int = 2, A: float = 10.0) -> None:
        self.dim = check.whole("dim", dim, low=1)
        self.A = check.real("A", A, low=0.0)
        self.minima = np.zeros((1, self.dim))
        self.start = np.resize(np.array([3.2, -2.7]), self.dim).astype(float)
        self.domain = ((-5.12, 5.12),) * self.dim
        self.name = "rastrigin" if self.dim == 2 else f"rastrigin ({self.dim}-D)"
        self.note = (
            "A bowl covered in regularly spaced dips: gradient methods settle in the "
            "nearest local minimum, and no choice of learning rate makes a local method "
            "reliably find the global one."
        )

    def value(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        return self.A * self.dim + np.sum(x * x - self.A * np.cos(2.0 * np.pi * x), axis=-1)

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        return 2.0 * x + 2.0 * np.pi * self.A * np.sin(2.0 * np.pi * x)


class Booth(Landscape):
    r"""Booth's function :math:`f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2`.

    A quadratic with Hessian :math:`\begin{pmatrix}10 & 8\\ 8 & 10\end{pmatrix}`
    (curvatures 18 along :math:`(1, 1)` and 2 along :math:`(1, -1)`); one global minimum
    at :math:`(1, 3)` with value 0.
    """

    def __init__(self) -> None:
        self.dim = 2
        self.minima = np.array([[1.0, 3.0]])
        self.start = np.array([8.0, -2.0])
        self.domain = ((-10.0, 10.0), (-10.0, 10.0))
        self.name = "booth"
        self.note = (
            "A bowl whose long axis runs diagonally: the ill-conditioning is not along "
            "the coordinate axes, so per-coordinate learning rates cannot remove it."
        )

    def value(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        return (u + 2.0 * v - 7.0) ** 2 + (2.0 * u + v - 5.0) ** 2

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        p, q = u + 2.0 * v - 7.0, 2.0 * u + v - 5.0
        return _vector(2.0 * p + 4.0 * q, 4.0 * p + 2.0 * q)


class Saddle(Landscape):
    r"""The saddle :math:`f(x, y) = x^2 - y^2`: a critical point at the origin, no minimum.

    Unbounded below, so ``minima`` is empty (shape ``(0, 2)``) and ``min_value`` is
    ``-inf``. Gradient descent with rate :math:`\eta` multiplies :math:`y` by
    :math:`1 + 2\eta` each step, so a start with a tiny :math:`y` lingers near the origin
    for about :math:`\log(1/|y_0|) / \log(1 + 2\eta)` steps before it escapes.
    """

    def __init__(self) -> None:
        self.dim = 2
        self.minima = np.empty((0, 2))
        self.start = np.array([1.0, 1e-3])
        self.domain = ((-1.5, 1.5), (-1.5, 1.5))
        self.name = "saddle"
        self.note = (
            "A run that starts just off the ridge first slides towards the flat point "
            "and then leaves it: the tiny offset grows by a constant factor per step, "
            "so the smaller it is, the longer the optimizer wastes near the saddle."
        )

    def value(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        return x[..., 0] ** 2 - x[..., 1] ** 2

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        return _vector(2.0 * x[..., 0], -2.0 * x[..., 1])


class MonkeySaddle(Landscape):
    r"""The monkey saddle :math:`f(x, y) = x^3 - 3 x y^2`: three valleys, no minimum.

    At the origin the gradient *and* the Hessian vanish (the function is cubic there),
    so near it the gradient shrinks like the squared distance. In polar coordinates
    :math:`f = r^3 \cos 3\theta`: the valleys run along :math:`\theta = 60°, 180°, 300°`.
    Unbounded below: ``minima`` is empty and ``min_value`` is ``-inf``.
    """

    def __init__(self) -> None:
        self.dim = 2
        self.minima = np.empty((0, 2))
        self.start = np.array([1.0, 1e-3])
        self.domain = ((-1.5, 1.5), (-1.5, 1.5))
        self.name = "monkey saddle"
        self.note = (
            "A flat saddle: near the origin the gradient vanishes quadratically, so "
            "plain gradient descent slows to a crawl and lingers far longer than at an "
            "ordinary saddle; methods that divide by the gradient's recent size keep "
            "their pace."
        )

    def value(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        return u**3 - 3.0 * u * v * v

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        return _vector(3.0 * (u * u - v * v), -6.0 * u * v)


# -- a landscape built for one lesson -----------------------------------------------------
class PlateauCliff(Landscape):
    r"""The hiker's walk: a gently tilted plateau, a cliff, a narrow valley and its far wall.

    .. math::

        f(x, y) = -\varepsilon x + \frac{H}{2}\left(1 - \tanh\frac{x}{w}\right)
                  + \frac{k}{2}\left(s \,\mathrm{softplus}\frac{x - L}{s}\right)^2
                  + \frac{q}{2} y^2

    with ``slope`` :math:`\varepsilon = 10^{-3}`, ``height`` :math:`H = 1`, ``width``
    :math:`w = 0.05`, valley length :math:`L = 0.5`, wall curvature :math:`k = 1`, wall
    softness :math:`s = 0.05` and :math:`q = 5 \times 10^{-3}` across (the defaults;
    :math:`\mathrm{softplus}(z) = \log(1 + e^z)`, a smooth :math:`\max(z, 0)`).

    * **Plateau** (:math:`x \le -6w`): the ground falls by :math:`\varepsilon` per unit
      of :math:`x`; there :math:`|\partial f / \partial x| < 1.3\,\varepsilon` and
      :math:`|\nabla f| < 10^{-2}` for :math:`|y| \le 1`.
    * **Cliff** (around :math:`x = 0`): a drop of :math:`H` over a few :math:`w`; the
      slope peaks at :math:`H / (2w) = 10`, ten thousand times the plateau's.
    * **Valley** (:math:`0 < x < L`) ending in a **wall**, a one-sided quadratic of
      curvature :math:`k` beyond :math:`x = L`.

    The global minimum lies on :math:`y = 0` in the valley, where the cliff's tail, the
    tilt and the wall balance; it has no closed form and is found by bisection on
    :math:`\partial f / \partial x` (which increases for :math:`x > 0` and is negative for
    :math:`x \le 0`, so the minimum is unique). With the defaults it is at about
    :math:`(0.40781, 0)`, value about :math:`-3.8 \times 10^{-4}`.

    The lesson, from the default start :math:`(-1.5, 0.5)`: plain gradient descent's step
    is ``lr`` times the slope, so even with a rate that crosses the plateau in a few
    hundred steps (``lr = 5``: 0.005 per step) it crawls; at the cliff the same rate
    gives a step of tens of units, far past the valley, and the far wall throws it back
    onto the plateau, further out and higher than where it started. Adam's step is about
    ``lr`` per coordinate wherever the slope is steady (it divides by each coordinate's
    recent gradient size) and stays near ``lr`` at the cliff, so with ``lr = 0.05`` it
    walks the plateau at a steady pace and settles in the valley.
    """

    #: valley length L, wall curvature k, wall softness s, curvature across q
    valley, wall, softness, across = 0.5, 1.0, 0.05, 5e-3

    def __init__(self, slope: float = 1e-3, height: float = 1.0, width: float = 0.05) -> None:
        self.slope = check.real("slope", slope, low=0.0, low_open=True)
        self.height = check.real("height", height, low=0.0, low_open=True)
        self.width = check.real("width", width, low=0.0, low_open=True)
        self.dim = 2
        self.minima = np.array([[self._minimum_x(), 0.0]])
        self.start = np.array([-1.5, 0.5])
        self.domain = ((-2.0, 1.5), (-1.0, 1.0))
        self.name = "plateau cliff"
        self.note = (
            "Flat ground, then a cliff: a fixed learning rate that walks the plateau is "
            "flung far away at the cliff, and one that is safe at the cliff crawls on the "
            "plateau; steps scaled by each coordinate's recent gradient size keep a "
            "steady pace on both."
        )

    @property
    def plateau_end(self) -> float:
        """The plateau is the region ``x <= plateau_end`` (six cliff widths before the edge)."""
        return -6.0 * self.width

    def _dx(self, u: np.ndarray) -> np.ndarray:
        """The x-derivative of the profile along x."""
        z = (u - self.valley) / self.softness
        # the logistic function (d softplus / dz), in the tanh form of the cliff term: notebook
        # 07's arena picks AdaDelta's rate here from runs chaotic enough that the exp form,
        # rounded differently in the last bits, moves the pick
        wall = self.wall * self.softness * np.logaddexp(0.0, z) * (0.5 * (1.0 + np.tanh(0.5 * z)))
        cliff = 0.5 * self.height / self.width * (1.0 - np.tanh(u / self.width) ** 2)
        return -self.slope - cliff + wall

    def _minimum_x(self) -> float:
        """Bisection on the x-derivative: negative for x <= 0, increasing for x > 0."""
        low, high = 0.0, self.valley + 1.0
        while self._dx(high) <= 0:
            high = 2.0 * high
        while True:
            mid = 0.5 * (low + high)
            if mid in (low, high):
                break
            if self._dx(mid) > 0:
                high = mid
            else:
                low = mid
        return low if abs(self._dx(low)) <= abs(self._dx(high)) else high

    def value(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        u, v = x[..., 0], x[..., 1]
        z = (u - self.valley) / self.softness
        wall = 0.5 * self.wall * (self.softness * np.logaddexp(0.0, z)) ** 2
        cliff = 0.5 * self.height * (1.0 - np.tanh(u / self.width))
        return -self.slope * u + cliff + wall + 0.5 * self.across * v * v

    def grad(self, x: ArrayLike) -> np.ndarray:
        x = self._points(x)
        return _vector(self._dx(x[..., 0]), self.across * x[..., 1])


# -- wrappers: noisy gradients and a moving minimum ---------------------------------------
def _step_number(t: object) -> int:
    """A step number: a whole number >= 0."""
    return check.whole("t", t, low=0)


class Noisy(Landscape):
    r"""Another landscape with noisy gradients: what an optimizer sees with mini-batches.

    ``value`` and ``value_at`` give the true loss of the wrapped landscape, ``grad`` its
    exact gradient. ``grad_at(x, t)`` adds Gaussian noise:

    .. math::

        \tilde g_t(x) = \nabla f(x) + \sigma\, z_t, \qquad z_t \sim \mathcal N(0, I)

    (with ``relative=True`` the noise is :math:`\sigma \lVert\nabla f(x)\rVert z_t`, per
    point). The noise is a fixed function of ``(seed, t)`` and of the point's position in
    the batch: ``np.random.default_rng([seed, t]).standard_normal(x.shape)``. Asking
    twice for step ``t`` gives the same gradient, runs are reproducible, and every point
    of a batch gets its own independent noise.

    ``minima``, ``start``, ``domain``, ``dim`` and ``log_scale`` are the wrapped
    landscape's; other attributes (``critical_lr``, ``minimum_at``...) are looked up on it.
    """

    stochastic = True

    def __init__(
        self, landscape: Landscape, sigma: float = 0.1, seed: int = 0, relative: bool = False
    ) -> None:
        if not isinstance(landscape, Landscape):
            raise ValueError(f"Invalid landscape: {landscape!r} (must be a Landscape)")
        if not isinstance(relative, (bool, np.bool_)):
            raise ValueError(f"Invalid relative: {relative!r} (must be True or False)")
        self.landscape = landscape
        self.time_dependent = landscape.time_dependent
        self.sigma = check.real("sigma", sigma, low=0.0)
        self.seed = check.whole("seed", seed, low=0)
        self.relative = bool(relative)
        self.dim = landscape.dim
        self.minima = landscape.minima
        self.start = landscape.start
        self.domain = landscape.domain
        self.log_scale = landscape.log_scale
        kind = "relative sigma" if self.relative else "sigma"
        self.name = f"noisy {landscape.name} ({kind}={self.sigma:g})"
        self.note = (
            f"{landscape.note} Here every gradient carries random noise, as with "
            "mini-batches: a constant learning rate ends up jittering around the minimum "
            "instead of settling in it."
        ).strip()

    def __getattr__(self, name: str):
        # only called when normal lookup fails: forward to the wrapped landscape
        landscape = self.__dict__.get("landscape")
        if landscape is None or name.startswith("__"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(landscape, name)

    @property
    def min_value(self) -> float:
        return self.landscape.min_value

    def value(self, x: ArrayLike) -> np.ndarray:
        return self.landscape.value(x)

    def grad(self, x: ArrayLike) -> np.ndarray:
        """The exact gradient (no noise); ``grad_at`` is what a stochastic run sees."""
        return self.landscape.grad(x)

    def value_at(self, x: ArrayLike, t: int) -> np.ndarray:
        return self.landscape.value_at(x, t)

    def noise(self, shape: tuple[int, ...], t: int) -> np.ndarray:
        """The standard normal draws ``z_t`` of step ``t`` for an array of ``shape``."""
        return np.random.default_rng([self.seed, _step_number(t)]).standard_normal(shape)

    def grad_at(self, x: ArrayLike, t: int) -> np.ndarray:
        g = np.asarray(self.landscape.grad_at(x, t), dtype=float)
        scale = self.sigma
        if self.relative:
            scale = self.sigma * np.linalg.norm(g, axis=-1, keepdims=True)
        return g + scale * self.noise(g.shape, t)


class Drifting(Landscape):
    r"""A landscape whose minimum moves in a straight line at constant velocity.

    .. math::

        f_t(x) = f(x - v\,t), \qquad c(t) = c_0 + v\,t

    where :math:`f` is the wrapped landscape (default: the round bowl
    ``Quadratic((1, 1), start=(0.5, 0.5))``, i.e. :math:`\tfrac12 \lVert x \rVert^2`),
    :math:`v` is ``velocity`` (default :math:`(0.01, 0)`, units per step) and
    :math:`c_0` its minima. ``value_at(x, t)`` and ``grad_at(x, t)`` use the landscape at
    time ``t`` (the wrapped one's ``value_at``/``grad_at`` at the shifted point, so a
    noisy or drifting landscape can be wrapped too); ``value``/``grad`` are those at
    ``t = 0``, ``minima`` the minima at ``t = 0`` and :meth:`minimum_at` those at ``t``.
    ``domain`` covers the wrapped domain at ``t = 0`` and at ``t = horizon``.

    Why AdaGrad can fall behind: with a steady gradient its step in a coordinate is about
    ``lr / sqrt(t)``, so it keeps up with a minimum moving :math:`|v_i|` per step only for
    about :math:`(\mathrm{lr} / |v_i|)^2` steps. RMSProp's average forgets, so its steps
    stay near ``lr``: it keeps up, jittering around the target. A large enough AdaGrad
    rate pushes that horizon past the end of the run (notebook 04 measures both).
    """

    time_dependent = True

    def __init__(
        self,
        landscape: Landscape | None = None,
        velocity: ArrayLike = (0.01, 0.0),
        horizon: int = 300,
    ) -> None:
        if landscape is None:
            landscape = Quadratic((1.0, 1.0), start=(0.5, 0.5))
        if not isinstance(landscape, Landscape):
            raise ValueError(f"Invalid landscape: {landscape!r} (must be a Landscape or None)")
        try:
            v = np.broadcast_to(np.asarray(velocity, dtype=float), (landscape.dim,)).copy()
        except (TypeError, ValueError):
            v = None
        if v is None or not np.all(np.isfinite(v)):
            raise ValueError(
                f"Invalid velocity: {velocity!r} (must be {landscape.dim} finite numbers, "
                f"one per coordinate of the {landscape.dim}-D landscape)"
            )
        self.landscape = landscape
        self.velocity = v
        self.horizon = check.whole("horizon", horizon, low=0)
        self.dim = landscape.dim
        self.minima = landscape.minima
        self.start = landscape.start
        self.stochastic = landscape.stochastic
        self.log_scale = landscape.log_scale
        corners = np.array(landscape.domain).T  # (2, dim): lows, highs
        self.domain = _box(corners, corners + self.horizon * v)
        shown = ", ".join(f"{c:g}" for c in v)
        self.name = f"drifting {landscape.name} (velocity=({shown}))"
        self.note = (
            "The minimum keeps moving, so old gradients describe a landscape that is gone: "
            "methods that forget them (RMSProp, Adam) keep their step size, while "
            "AdaGrad's ever-growing sum shrinks its steps, so it falls behind unless its "
            "rate is large enough for the whole run."
        )

    @property
    def min_value(self) -> float:
        return self.landscape.min_value

    def shift(self, t: float) -> np.ndarray:
        """How far the landscape has moved by time ``t``: ``velocity * t``, shape (dim,)."""
        return self.velocity * t

    def minimum_at(self, t: float) -> np.ndarray:
        """The global minima at time ``t``, shape (k, dim): ``minima + velocity * t``."""
        return self.minima + self.shift(t)

    def value(self, x: ArrayLike) -> np.ndarray:
        return self.value_at(x, 0)

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self.grad_at(x, 0)

    def value_at(self, x: ArrayLike, t: float) -> np.ndarray:
        return self.landscape.value_at(self._points(x) - self.shift(t), t)

    def grad_at(self, x: ArrayLike, t: float) -> np.ndarray:
        return self.landscape.grad_at(self._points(x) - self.shift(t), t)


# -- the registry ---------------------------------------------------------------------------
LANDSCAPES: dict[str, Callable[[], Landscape]] = {
    "quadratic": Quadratic,
    "rotated quadratic": lambda: Quadratic([1.0, 50.0], angle=np.pi / 6),
    "ill-conditioned quadratic": lambda: Quadratic([1.0, 50.0]),
    "rosenbrock": Rosenbrock,
    "beale": Beale,
    "himmelblau": Himmelblau,
    "rastrigin": Rastrigin,
    "booth": Booth,
    "saddle": Saddle,
    "monkey saddle": MonkeySaddle,
    "plateau cliff": PlateauCliff,
}
"""Short names of the ready-made landscapes, each mapped to a function that builds one."""


def get(name: str) -> Landscape:
    """A new instance of the landscape called ``name`` (see :data:`LANDSCAPES`).

    Case, surrounding spaces and ``_`` for a space do not matter: ``get("Monkey_Saddle")``
    works. An unknown name raises ``ValueError`` listing the valid ones.
    """
    key = name.strip().lower().replace("_", " ") if isinstance(name, str) else None
    if key not in LANDSCAPES:
        valid = ", ".join(repr(k) for k in LANDSCAPES)
        raise ValueError(f"Unknown landscape: {name!r} (valid names: {valid})")
    return LANDSCAPES[key]()
