"""The optimizer base class: everything an update rule should not have to think about.

A concrete optimizer gives only two things:

* ``init_state(x, h)``: the state it keeps for one parameter array ``x`` (a dict of
  arrays named after the paper's symbols, e.g. ``{"m": ..., "v": ...}``);
* ``update(x, g, s, h, t)``: the new value of one parameter array, given its gradient
  ``g``, its state ``s`` (attributes you may rebind: ``s.m = ...``), its hyperparameters
  ``h`` (``h.lr``, ``h.beta1``...) and the step number ``t`` (1 on the first step).

:class:`Optimizer` does the rest: it accepts one array or a list of arrays, checks that
params and grads match, shapes hyperparameter arrays so that one call runs a whole
sweep, commits the new state only when every array was updated (a step that raises
leaves the optimizer exactly as it was), and never writes to the caller's arrays.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ._params import Params, Structure, flatten, unflatten
from ._validation import Hyper


class Optimizer:
    """Base class for all optimizers in ``alr_teach``.

    Use ``new_params = opt.step(params, grads)``: ``params`` is one ndarray or a
    list/tuple of ndarrays, ``grads`` the same structure. The result has that structure
    too; the arguments are never modified.

    **Hyperparameters** live in ``opt.hyperparameters`` and read as attributes
    (``opt.lr``). Any of them may be an array whose axes *lead* the parameter's axes:
    with ``params`` of shape ``(64, 2)`` (64 independent 2-D problems), ``lr`` of
    shape ``(64,)`` or ``(64, 1)`` gives each problem its own rate. A hyperparameter
    must broadcast to every parameter array's shape.

    **State** is ``opt.t`` (steps taken) and ``opt.state``: a dict from the names the
    notebooks use (``"m"``, ``"v"``, ``"sum_sq"``...) to arrays shaped like ``params``
    (a list of arrays for list params). ``opt.state`` returns copies, so keeping them
    in a history list is safe. ``opt.reset()`` starts over.

    **Writing your own optimizer**: subclass, pass the hyperparameters to
    ``super().__init__`` and give ``init_state`` and ``update``. Rebind state entries
    (``s.m = beta * s.m + g``) rather than modifying them in place (``s.m *= beta``):
    the arrays you receive are the committed state.

    >>> import numpy as np
    >>> class SignSGD(Optimizer):
    ...     '''x <- x - lr * sign(g): the step ignores the gradient's size.'''
    ...     def __init__(self, lr=0.1):
    ...         super().__init__(lr=lr)
    ...     def init_state(self, x, h):
    ...         return {}
    ...     def update(self, x, g, s, h, t):
    ...         return x - h.lr * np.sign(g)
    >>> opt = SignSGD(lr=0.5)
    >>> x = np.array([3.0, -0.2])
    >>> for _ in range(2):
    ...     x = opt.step(x, 2 * x)          # gradient of ||x||^2
    ...     print(np.round(x, 4))           # the small coordinate overshoots by a full step
    [2.5 0.3]
    [ 2.  -0.2]
    """

    #: True when ``update`` treats every element independently (no norms, sums or sorting
    #: across the array). Such rules are applied to large arrays slice by slice, which
    #: gives the same numbers faster; a rule that mixes elements must leave this False.
    elementwise: bool = False
    #: elements per slice for element-wise rules (8 arrays of this size fit in L2 cache)
    chunk_size: int = 2**14

    def __init__(self, **hyperparameters: Hyper) -> None:
        self.hyperparameters: dict[str, Hyper] = dict(hyperparameters)
        self.reset()

    # -- the two methods a concrete optimizer provides ------------------------------
    def init_state(self, x: np.ndarray, h: SimpleNamespace) -> dict[str, np.ndarray]:
        """State for one parameter array before the first step (override)."""
        raise NotImplementedError(f"{type(self).__name__} must define init_state(x, h)")

    def update(
        self, x: np.ndarray, g: np.ndarray, s: SimpleNamespace, h: SimpleNamespace, t: int
    ) -> np.ndarray:
        """New value of one parameter array; rebind entries of ``s`` (override)."""
        raise NotImplementedError(f"{type(self).__name__} must define update(x, g, s, h, t)")

    # -- the machinery ----------------------------------------------------------------
    def reset(self) -> None:
        """Forget all state: the next ``step`` is step 1 again, with any params structure."""
        self.t = 0
        self._states: list[dict[str, np.ndarray]] = []
        self._structure: Structure | None = None

    def __getattr__(self, name: str) -> Hyper:
        hyperparameters = self.__dict__.get("hyperparameters", {})
        if name in hyperparameters:
            return hyperparameters[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def state(self) -> dict[str, Params]:
        """A copy of the state, by name, each entry shaped like ``params`` ({} before step 1)."""
        if not self._states:
            return {}
        return {
            name: unflatten([s[name].copy() for s in self._states], self._structure)
            for name in self._states[0]
        }

    def step(self, params: Params, grads: Params) -> Params:
        """Take one optimization step and return the new params (same structure)."""
        xs, structure = flatten(params, "params")
        gs, grad_structure = flatten(grads, "grads")
        if grad_structure != structure:
            raise ValueError(
                f"grads do not match params: params is {structure.describe()}, "
                f"grads is {grad_structure.describe()}"
            )
        if self._structure is not None and structure != self._structure:
            raise ValueError(
                f"params changed between steps: earlier steps were given "
                f"{self._structure.describe()}, this one {structure.describe()} "
                f"(call reset() to start over with new params)"
            )
        names = (
            ["params"] if structure.container is None
            else [f"params[{i}]" for i in range(len(xs))]
        )
        hs = [self._hyperparameters_for(x, name) for x, name in zip(xs, names)]
        states = self._states or [self.init_state(x, h) for x, h in zip(xs, hs)]
        t = self.t + 1

        new_xs, new_states = [], []
        with np.errstate(all="ignore"):  # divergence is shown by the runner, not raised here
            for x, g, h, state, name in zip(xs, gs, hs, states, names):
                if self._can_chunk(x, h):
                    x_new, new_state = self._update_in_chunks(x, g, state, h, t)
                else:
                    s = SimpleNamespace(**state)
                    x_new, new_state = np.asarray(self.update(x, g, s, h, t)), vars(s)
                if x_new.shape != x.shape:
                    raise ValueError(
                        f"{type(self).__name__}.update returned shape {x_new.shape} "
                        f"for {name} of shape {x.shape}"
                    )
                new_xs.append(x_new)
                new_states.append(new_state)

        self._states, self._structure, self.t = new_states, structure, t
        return unflatten(new_xs, structure)

    def _can_chunk(self, x: np.ndarray, h: SimpleNamespace) -> bool:
        """Large arrays of an element-wise rule with scalar hyperparameters go in chunks."""
        return (
            self.elementwise
            and x.size >= 2 * self.chunk_size
            and not any(isinstance(v, np.ndarray) for v in vars(h).values())
        )

    def _update_in_chunks(self, x, g, state, h, t):
        """Apply an element-wise ``update`` to consecutive slices of the flattened arrays.

        Same numbers as one call on the whole array (each element sees the same
        operations), but the temporaries of a slice fit in the CPU cache, so a step
        reads and writes each large array about once instead of once per operation.
        The results go into fresh arrays: the committed state is never written to.
        """
        n = x.size
        x_flat, g_flat = x.reshape(-1), g.reshape(-1)
        state_flat = {k: v.reshape(-1) for k, v in state.items()}
        x_out, state_out = None, {}
        for start in range(0, n, self.chunk_size):
            part = slice(start, start + self.chunk_size)
            s = SimpleNamespace(**{k: v[part] for k, v in state_flat.items()})
            x_part = np.asarray(self.update(x_flat[part], g_flat[part], s, h, t))
            if x_out is None:  # dtypes are known once the first slice is computed
                x_out = np.empty(n, dtype=x_part.dtype)
                state_out = {k: np.empty(n, dtype=np.asarray(v).dtype) for k, v in vars(s).items()}
            x_out[part] = x_part
            for k, v in vars(s).items():
                state_out[k][part] = v
        return x_out.reshape(x.shape), {k: v.reshape(x.shape) for k, v in state_out.items()}

    def _hyperparameters_for(self, x: np.ndarray, name: str) -> SimpleNamespace:
        """Hyperparameters as seen by one array: arrays padded with trailing unit axes."""
        shaped = {}
        for key, value in self.hyperparameters.items():
            if isinstance(value, np.ndarray):
                padded = value.reshape(value.shape + (1,) * (x.ndim - value.ndim))
                if value.ndim > x.ndim or np.broadcast_shapes(padded.shape, x.shape) != x.shape:
                    raise ValueError(
                        f"{key} has shape {value.shape}, which does not fit {name} of shape "
                        f"{x.shape}: a hyperparameter's axes lead the parameter's axes "
                        f"(e.g. lr of shape (n,) or (n, 1) with params of shape (n, 2))"
                    )
                value = padded
            shaped[key] = value
        return SimpleNamespace(**shaped)

    def __repr__(self) -> str:
        def show(value: Hyper) -> str:
            return f"array(shape={value.shape})" if isinstance(value, np.ndarray) else f"{value:g}"

        parts = [f"{k}={show(v)}" for k, v in self.hyperparameters.items()]
        parts += [f"{k}={v}" for k, v in vars(self).items() if isinstance(v, bool)]
        return f"{type(self).__name__}({', '.join(parts)})"


def add_weight_decay(g: np.ndarray, x: np.ndarray, weight_decay: Hyper) -> np.ndarray:
    """Coupled (L2) weight decay: the gradient of ``loss + weight_decay/2 * ||x||^2``.

    Returns ``g + weight_decay * x``; skipped when ``weight_decay`` is 0, as torch does
    (so a diverged ``x = inf`` does not turn a zero-decay step into NaN).
    """
    if np.any(weight_decay != 0):
        return g + weight_decay * x
    return g

