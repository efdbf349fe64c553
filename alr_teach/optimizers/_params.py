"""Parameter structures: the one place that knows what ``params`` may look like.

An optimizer is given either **one array** (any shape) or **a list or tuple of arrays**
(one per layer, say). It works on a flat list of float arrays and hands back the same
structure it was given. Everything about that round trip lives here, so the optimizers
never see the difference.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Params", "Structure", "flatten", "unflatten"]

Params = np.ndarray | list | tuple
"""One ndarray, or a list/tuple of ndarrays (a Python list is *always* a list of arrays)."""


class Structure(NamedTuple):
    """What a params structure looks like: its container and the shape of each array."""

    container: type | None  # None for a single array, else list or tuple
    shapes: tuple[tuple[int, ...], ...]

    def describe(self) -> str:
        """A phrase for error messages, e.g. ``a list of 2 arrays with shapes [(3,), (2, 2)]``."""
        if self.container is None:
            return f"a single array of shape {self.shapes[0]}"
        name = self.container.__name__
        return f"a {name} of {len(self.shapes)} arrays with shapes {list(self.shapes)}"


def _as_float_array(value: ArrayLike, where: str) -> np.ndarray:
    """Return ``value`` as a real floating-point array; integers become float64."""
    array = np.asarray(value)
    if array.dtype.kind in "iu":
        return array.astype(np.float64)
    if array.dtype.kind != "f":
        raise TypeError(
            f"{where} must be a real numeric array, got dtype {array.dtype} "
            f"({type(value).__name__})"
        )
    return array


def flatten(tree: Params, what: str) -> tuple[list[np.ndarray], Structure]:
    """Split ``tree`` into a list of float arrays and its :class:`Structure`.

    ``what`` names the argument (``"params"`` or ``"grads"``) in error messages.
    The arrays are the caller's own when already float (never written to), or fresh
    float64 copies of integer input.
    """
    if type(tree) is np.ndarray and tree.dtype.kind == "f":  # the common case, fast
        return [tree], Structure(None, (tree.shape,))
    if isinstance(tree, (list, tuple)):
        if len(tree) == 0:
            raise ValueError(f"{what} is an empty {type(tree).__name__}: nothing to optimize")
        arrays = [_as_float_array(a, f"{what}[{i}]") for i, a in enumerate(tree)]
        container: type | None = type(tree) if type(tree) in (list, tuple) else list
    else:
        arrays = [_as_float_array(tree, what)]
        container = None
    return arrays, Structure(container, tuple(a.shape for a in arrays))


def unflatten(arrays: list[np.ndarray], structure: Structure) -> Params:
    """Inverse of :func:`flatten`: rebuild the structure from a flat list of arrays."""
    if structure.container is None:
        return arrays[0]
    return structure.container(arrays)
