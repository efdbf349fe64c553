"""Loss landscapes: small test functions with analytic gradients, vectorised over points.

Every landscape takes points of shape ``(..., dim)`` (any leading batch axes) and returns
values of shape ``(...)`` and gradients of shape ``(..., dim)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


class Landscape:
    """Base class: a function with value, gradient, known minimum and a default start."""

    name: str = "landscape"
    dim: int = 2
    note: str = ""

    def value(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    #: points of the global minima, shape (k, dim)
    minima: np.ndarray
    #: where an optimizer starts unless told otherwise, shape (dim,)
    start: np.ndarray
    #: ((low, high),) * dim: the region worth plotting
    domain: tuple[tuple[float, float], ...]

    @property
    def min_value(self) -> float:
        """The function's value at its global minimum."""
        return float(self.value(self.minima[0]))

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
        self.curvatures = np.asarray(curvatures, dtype=float).reshape(-1)
        if self.curvatures.size == 0 or not np.all(self.curvatures > 0):
            raise ValueError(f"Invalid curvatures: {curvatures!r} (must be positive)")
        self.dim = self.curvatures.size
        if angle and self.dim != 2:
            raise ValueError(f"Invalid angle: {angle!r} (rotation is for 2-D bowls only)")
        c, s = np.cos(angle), np.sin(angle)
        rotation = np.array([[c, -s], [s, c]]) if self.dim == 2 else np.eye(self.dim)
        self.A = rotation @ np.diag(self.curvatures) @ rotation.T
        self.angle = float(angle)
        center = np.zeros(self.dim) if center is None else center
        self.minima = np.asarray(center, dtype=float).reshape(1, self.dim)
        start = np.ones(self.dim) if start is None else start
        self.start = np.asarray(start, dtype=float).reshape(self.dim)
        half = 1.5 * float(np.max(np.abs(self.start - self.minima[0])) or 1.0)
        self.domain = tuple((m - half, m + half) for m in self.minima[0])
        kappa = self.curvatures.max() / self.curvatures.min()
        self.name = f"quadratic (condition number {kappa:g})" if self.dim > 1 else "quadratic"
        self.note = "Curvature differs by direction; one learning rate must suit the steepest."

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

    def value(self, x: np.ndarray) -> np.ndarray:
        d = np.asarray(x, dtype=float) - self.minima[0]
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.A, d)

    def grad(self, x: np.ndarray) -> np.ndarray:
        d = np.asarray(x, dtype=float) - self.minima[0]
        return d @ self.A.T
