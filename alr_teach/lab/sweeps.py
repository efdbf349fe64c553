"""Hyperparameter sweeps: a whole grid of configurations as one vectorised run.

Every ``alr_teach`` optimizer accepts arrays as hyperparameters (sweep axes leading the
parameter axes), so a 64 x 64 grid of (lr, beta1) for Adam on a 2-D landscape is a single
optimizer stepping params of shape (64, 64, 2): no Python loop over configurations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from alr_teach.lab.runner import Trajectory, run
from alr_teach.optimizers import registry
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.registry import class_defaults
from alr_teach.problems.landscapes import Landscape

__all__ = ["SweepResult", "sweep", "sweep_learning_rates"]


@dataclass
class SweepResult:
    """Per-cell outcome of a sweep; every array has one axis per swept hyperparameter.

    ``final_loss`` (NaN where the run diverged), ``steps_to_tol`` (first step at which
    ``loss - min_value <= tol``, -1 if never), ``diverged``, ``diverged_at`` (-1 if not),
    and the full ``trajectory`` of the batch (losses of shape (steps + 1, *grid)).
    """

    names: tuple[str, ...]
    values: tuple[np.ndarray, ...]
    final_loss: np.ndarray
    steps_to_tol: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    tol: float
    trajectory: Trajectory

    def best(self) -> dict[str, float]:
        """The hyperparameters of the cell with the lowest final loss (ties: first)."""
        loss = np.where(np.isnan(self.final_loss), np.inf, self.final_loss)
        index = np.unravel_index(np.argmin(loss), loss.shape)
        return {name: float(v[i]) for name, v, i in zip(self.names, self.values, index)}


def _constructor_names(optimizer_class: type[Optimizer]) -> dict[str, object]:
    """Sweepable keyword names of a class and their defaults (betas split in two).

    The defaults are the registry's (:func:`~alr_teach.optimizers.registry.class_defaults`);
    ``lr``, which some classes require (no default), is always sweepable.

    >>> from alr_teach.optimizers.sgd import SGD
    >>> sorted(_constructor_names(SGD))
    ['dampening', 'lr', 'momentum', 'nesterov', 'weight_decay']
    """
    defaults = class_defaults(optimizer_class)
    names: dict[str, object] = {"lr": defaults.pop("lr", None)}
    for name, default in defaults.items():
        if name == "betas":
            names["beta1"], names["beta2"] = default
        else:
            names[name] = default
    return names


def sweep(
    optimizer_class: type[Optimizer],
    landscape: Landscape,
    grid: dict[str, ArrayLike],
    *,
    steps: int = 300,
    x0: ArrayLike | None = None,
    tol: float = 1e-6,
    **fixed: object,
) -> SweepResult:
    """Run ``optimizer_class`` on ``landscape`` for every combination of the ``grid`` values.

    ``grid`` maps one or two hyperparameter names to 1-D arrays of values, e.g.
    ``{"lr": np.logspace(-4, 0, 64), "beta1": np.linspace(0, 0.99, 64)}``; ``beta1`` and
    ``beta2`` address the entries of ``betas``. Other keyword arguments are passed to
    the optimizer unchanged (``eps=1e-6``). All runs start from ``x0`` (default: the
    landscape's start). Equivalent to running each configuration on its own, but done as
    one batched run.
    """
    names = _constructor_names(optimizer_class)
    if not isinstance(grid, dict) or not 1 <= len(grid) <= 2:
        raise ValueError(f"Invalid grid: {grid!r} (must map one or two hyperparameter names "
                         f"to arrays of values)")
    axes = []
    for name, values in grid.items():
        if name not in names:
            raise ValueError(f"Invalid grid name: {name!r} ({optimizer_class.__name__} takes "
                             f"{', '.join(sorted(names))})")
        array = np.asarray(values, dtype=float)
        if array.ndim != 1 or array.size == 0:
            raise ValueError(f"Invalid grid values for {name}: shape {array.shape} "
                             f"(must be a non-empty 1-D array)")
        axes.append(array)
    clash = set(grid) & set(fixed)
    if clash:
        raise ValueError(f"Invalid arguments: {sorted(clash)} given both in grid and as fixed")

    shape = tuple(a.size for a in axes)
    kwargs = dict(fixed)
    for axis, (name, array) in enumerate(zip(grid, axes)):
        kwargs[name] = array.reshape((1,) * axis + (-1,) + (1,) * (len(axes) - 1 - axis))
    if "beta1" in kwargs or "beta2" in kwargs:
        kwargs["betas"] = (kwargs.pop("beta1", names.get("beta1")),
                           kwargs.pop("beta2", names.get("beta2")))
    optimizer = optimizer_class(**kwargs)

    start = np.asarray(landscape.start if x0 is None else x0, dtype=float)
    if start.shape != (landscape.dim,):
        raise ValueError(f"Invalid x0: shape {start.shape} (one point of the {landscape.dim}-D "
                         f"landscape; every cell starts there)")
    trajectory = run(optimizer, landscape, np.broadcast_to(start, shape + start.shape),
                     steps, record_state=False)

    with np.errstate(invalid="ignore"):  # no minimum (a saddle): -inf - (-inf) is NaN
        gap = trajectory.losses - landscape.min_value
    reached = gap <= tol                                      # NaN (diverged) compares False
    steps_to_tol = np.where(reached.any(axis=0), reached.argmax(axis=0), -1)
    return SweepResult(
        names=tuple(grid), values=tuple(axes), final_loss=trajectory.final_loss,
        steps_to_tol=steps_to_tol, diverged=trajectory.diverged,
        diverged_at=trajectory.diverged_at, tol=tol, trajectory=trajectory,
    )


def sweep_learning_rates(
    optimizers: Mapping[str, type[Optimizer] | tuple[type[Optimizer], dict]] | Iterable[str],
    landscape: Landscape,
    lrs: ArrayLike,
    *,
    steps: int = 300,
    x0: ArrayLike | None = None,
    tol: float = 1e-6,
) -> dict[str, SweepResult]:
    """The same learning-rate grid for several optimizers: one vectorised sweep each.

    ``optimizers`` maps a display name to a class, or to ``(class, fixed keyword
    arguments)``, e.g. ``{"Heavy ball": (SGD, {"momentum": 0.9}), "Adam": Adam}``; or it
    lists :mod:`~alr_teach.optimizers.registry` names, e.g. ``["Momentum", "Adam"]``. Giving
    every method the same grid, start and budget, then comparing each at its own best
    rate, is the fair way to compare optimizers (see ``SweepResult.best``).
    """
    if not isinstance(optimizers, Mapping):
        optimizers = {name: (registry.entry(name).cls, dict(registry.entry(name).fixed))
                      for name in optimizers}
    results = {}
    for name, spec in optimizers.items():
        cls, fixed = spec if isinstance(spec, tuple) else (spec, {})
        results[name] = sweep(cls, landscape, {"lr": lrs}, steps=steps, x0=x0, tol=tol, **fixed)
    return results
