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

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType, SimpleNamespace
from typing import ClassVar, TypeVar

import numpy as np

from alr_teach import _validation as check
from alr_teach._validation import Hyper
from alr_teach.optimizers._params import Params, Structure, flatten, unflatten

T = TypeVar("T")


class Optimizer:
    """Base class for all optimizers in ``alr_teach``.

    Use ``new_params = opt.step(params, grads)``: ``params`` is one ndarray or a
    list/tuple of ndarrays, ``grads`` the same structure. The result has that structure
    too; the arguments are never modified.

    **Hyperparameters** live in ``opt.hyperparameters`` and read as attributes
    (``opt.lr``). Change them between steps with ``opt.lr = 0.01`` or
    ``opt.set(lr=0.01)`` (a schedule does this); new values are checked as at
    construction. Any of them may be an array whose axes *lead* the parameter's axes:
    with ``params`` of shape ``(64, 2)`` (64 independent 2-D problems), ``lr`` of
    shape ``(64,)`` or ``(64, 1)`` gives each problem its own rate. A hyperparameter
    must broadcast to every parameter array's shape.

    **State** is ``opt.t`` (steps taken) and ``opt.state``: a dict from the names the
    notebooks use (``"m"``, ``"v"``, ``"sum_sq"``...) to arrays shaped like ``params``
    (a list of arrays for list params). ``opt.state`` returns copies, so keeping them
    in a history list is safe. ``opt.reset()`` starts over.

    **Writing your own optimizer**: subclass, pass the hyperparameters to
    ``super().__init__`` and give ``init_state`` and ``update``. Optionally map each
    hyperparameter name to a range check in ``checks`` (by default any finite number
    is accepted). Rebind state entries
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
    #: elements per slice for element-wise rules: large enough that the threads seldom wait
    #: for the GIL, small enough that a slice and its temporaries stay in the L3 cache
    chunk_size: int = 2**17

    #: how each hyperparameter is checked: name -> function(name, value) returning the
    #: value to compute with, or raising ValueError. Unlisted names: any finite number.
    checks: ClassVar[dict[str, Callable[[str, object], Hyper]]] = {}

    def __init__(self, **hyperparameters: object) -> None:
        self.hyperparameters: Mapping[str, Hyper] = MappingProxyType({})
        self._assign(hyperparameters)
        self.reset()

    def set(self, **values: object) -> None:
        """Change hyperparameters (checked as at construction); used from the next step on."""
        unknown = [name for name in values if name not in self.hyperparameters]
        if unknown:
            raise ValueError(
                f"Invalid hyperparameter: {unknown[0]!r} ({type(self).__name__} has "
                f"{', '.join(self.hyperparameters)})"
            )
        self._assign(values)
        self._hyperparameters_changed = True

    def check_combination(self, hyperparameters: dict[str, Hyper]) -> None:
        """Raise ValueError if these values do not go together (override; e.g. SGD's nesterov)."""

    def _assign(self, values: dict[str, object]) -> None:
        checked = {n: self.checks.get(n, check.finite)(n, v) for n, v in values.items()}
        candidate = {**self.hyperparameters, **checked}
        self.check_combination(candidate)
        # all or nothing, and read-only: changes go through set(), which checks them
        self.__dict__["hyperparameters"] = MappingProxyType(candidate)
        self.__dict__["_version"] = self.__dict__.get("_version", 0) + 1  # for cached shapes

    def __getstate__(self) -> dict:  # copy.deepcopy and pickle (a mapping proxy is neither)
        return {**self.__dict__, "hyperparameters": dict(self.hyperparameters)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, hyperparameters=MappingProxyType(state["hyperparameters"]))

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.__dict__.get("hyperparameters", {}):
            self.set(**{name: value})
        else:
            super().__setattr__(name, value)

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
        self._spares: list[dict[str, np.ndarray]] = []  # last step's state arrays, for reuse
        self._structure: Structure | None = None
        self._hyperparameters_changed = False
        self._shaped_cache: tuple = (None, [])

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
        hs = self._shaped_hyperparameters(xs, structure)
        states = self._states or [self.init_state(x, h) for x, h in zip(xs, hs)]
        if self._hyperparameters_changed:  # e.g. momentum switched on: add missing state
            states = [{**self.init_state(x, h), **s} for x, h, s in zip(xs, hs, states)]
        t = self.t + 1

        new_xs, new_states = [], []
        with np.errstate(all="ignore"):  # divergence is shown by the runner, not raised here
            for i, (x, g, h, state) in enumerate(zip(xs, gs, hs, states)):
                if self._can_chunk(x, h):
                    spare = self._spares[i] if self._spares else {}
                    x_new, new_state = self._update_in_chunks(x, g, state, h, t, spare)
                else:
                    s = SimpleNamespace(**state)
                    x_new, new_state = np.asarray(self.update(x, g, s, h, t)), vars(s)
                if x_new.shape != x.shape:
                    raise ValueError(
                        f"{type(self).__name__}.update returned shape {x_new.shape} "
                        f"for {_array_name(structure, i)} of shape {x.shape}"
                    )
                new_xs.append(x_new)
                new_states.append(new_state)

        spares = self._states if self._states and self._structure == structure else []
        vars(self).update(  # plain attributes: set in one go, past __setattr__'s check
            _spares=spares, _states=new_states, _structure=structure, t=t,
            _hyperparameters_changed=False,
        )
        return unflatten(new_xs, structure)

    def _can_chunk(self, x: np.ndarray, h: SimpleNamespace) -> bool:
        """Large arrays of an element-wise rule with scalar hyperparameters go in chunks."""
        return (
            self.elementwise
            and x.size >= 2 * self.chunk_size
            and not any(isinstance(v, np.ndarray) for v in vars(h).values())
        )

    def _update_in_chunks(self, x, g, state, h, t, spare):
        """Apply an element-wise ``update`` to consecutive slices of the flattened arrays.

        Same numbers as one call on the whole array (each element sees the same
        operations), but faster: a slice's temporaries stay in the CPU cache, and slices
        are spread over the machine's cores (numpy releases the GIL inside its loops),
        as torch's own element-wise kernels are. The new state goes into ``spare``, the
        arrays of the state before the committed one (no longer needed: ``opt.state``
        hands out copies), or fresh arrays; the committed state is never written to.
        """
        n = x.size
        x_flat, g_flat = x.reshape(-1), g.reshape(-1)
        state_flat = {k: v.reshape(-1) for k, v in state.items()}

        def compute(part):
            s = SimpleNamespace(**{k: v[part] for k, v in state_flat.items()})
            with np.errstate(all="ignore"):  # error states are per thread
                x_part = np.asarray(self.update(x_flat[part], g_flat[part], s, h, t))
            expected = x_flat[part].shape
            if x_part.shape != expected:
                raise ValueError(
                    f"{type(self).__name__}.update returned shape {x_part.shape} for a slice "
                    f"of shape {expected}: an element-wise rule must return one value per element"
                )
            return x_part, vars(s)

        x_probe, s_probe = compute(slice(0, 1))  # one element tells the result dtypes
        x_out = np.empty(n, dtype=x_probe.dtype)
        state_out = {k: spare_buffer(spare, k, n, np.asarray(v).dtype) for k, v in s_probe.items()}

        def compute_and_store(part):
            x_part, s_part = compute(part)
            x_out[part] = x_part
            for k, v in s_part.items():
                state_out[k][part] = v

        over_slices(compute_and_store, n, self.chunk_size)
        return x_out.reshape(x.shape), {k: v.reshape(x.shape) for k, v in state_out.items()}

    def _shaped_hyperparameters(self, xs, structure) -> list[SimpleNamespace]:
        """``_hyperparameters_for`` each array, cached until the values or shapes change."""
        key = (structure, self._version)
        if self._shaped_cache[0] != key:
            shaped = [self._hyperparameters_for(x, _array_name(structure, i))
                      for i, x in enumerate(xs)]
            vars(self)["_shaped_cache"] = (key, shaped)
        return self._shaped_cache[1]

    def _hyperparameters_for(self, x: np.ndarray, name: str) -> SimpleNamespace:
        """Hyperparameters as seen by one array: arrays padded with trailing unit axes."""
        shaped = {}
        for key, value in self.hyperparameters.items():
            if isinstance(value, np.ndarray):
                padded = value.reshape(value.shape + (1,) * (x.ndim - value.ndim))
                if value.ndim > x.ndim or not _broadcasts_to(padded.shape, x.shape):
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
        parts += [
            f"{k}={v}" for k, v in vars(self).items() if isinstance(v, bool) and k[0] != "_"
        ]
        return f"{type(self).__name__}({', '.join(parts)})"


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` broadcasts to exactly ``target`` (same ndim)."""
    return len(shape) == len(target) and all(n in (1, m) for n, m in zip(shape, target))


def _cores() -> int:
    """Threads for large element-wise steps: $ALR_TEACH_THREADS, else the usable cores (<= 4)."""
    wanted = os.environ.get("ALR_TEACH_THREADS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    found = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, found or 1))  # past 4, memory bandwidth rather than cores limits


_POOL: ThreadPoolExecutor | None = None


def _helper_threads() -> ThreadPoolExecutor:
    """Threads that work beside the calling one (one fewer than the cores), made on first use."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, _cores() - 1), thread_name_prefix="alr_teach")
    return _POOL


def over_slices(work: Callable[[slice], T], n: int, size: int) -> list[T]:
    """``work(part)`` for consecutive slices of ``range(n)`` of ``size`` elements, on the cores.

    Each core takes one contiguous run of slices (the calling thread the first run);
    results come back in slice order, and the first error raised in any thread reaches
    the caller. Element-wise rules use it through ``_update_in_chunks``; rules that need
    a few sums first (LAMB, NovoGrad) call it once per pass.
    """
    parts = [slice(start, start + size) for start in range(0, n, size)]
    runs = [list(r) for r in np.array_split(np.array(parts), min(_cores(), len(parts)))]

    def do_run(run: list[slice]) -> list[T]:
        with np.errstate(all="ignore"):  # error states are per thread
            return [work(part) for part in run]

    futures = [_helper_threads().submit(do_run, run) for run in runs[1:]]
    results = do_run(runs[0])
    for future in futures:
        results += future.result()  # re-raises the first error, if any
    return results


def spare_buffer(spare: dict[str, np.ndarray], name: str, n: int, dtype: np.dtype) -> np.ndarray:
    """A flat array of ``n`` elements for a new state entry: last step's spare, if it fits."""
    reuse = spare.get(name)
    if reuse is not None and reuse.size == n and reuse.dtype == dtype:
        return reuse.reshape(-1)
    return np.empty(n, dtype=dtype)


def _array_name(structure: Structure, i: int) -> str:
    return "params" if structure.container is None else f"params[{i}]"


def is_zero(value: Hyper) -> bool:
    """True when a hyperparameter (a float, or every entry of an array) is 0."""
    if isinstance(value, float):  # the common case, without numpy's overhead
        return value == 0.0
    return not np.any(value)


def add_weight_decay(g: np.ndarray, x: np.ndarray, weight_decay: Hyper) -> np.ndarray:
    """Coupled (L2) weight decay: the gradient of ``loss + weight_decay/2 * ||x||^2``.

    Returns ``g + weight_decay * x``; skipped when ``weight_decay`` is 0, as torch does
    (so a diverged ``x = inf`` does not turn a zero-decay step into NaN).
    """
    return g if is_zero(weight_decay) else g + weight_decay * x


def apply_weight_decay(
    x: np.ndarray, g: np.ndarray, lr: Hyper, weight_decay: Hyper, decoupled: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Weight decay before an update rule, in either of its two forms; returns ``(x, g)``.

    Decoupled (AdamW, Loshchilov & Hutter 2019): ``x <- x * (1 - lr * weight_decay)``, ``g``
    unchanged. Coupled (L2): ``g <- g + weight_decay * x`` (:func:`add_weight_decay`), ``x``
    unchanged. Nothing happens when ``weight_decay`` is 0.

    >>> x, g = np.array([2.0]), np.array([1.0])
    >>> [a.item() for a in apply_weight_decay(x, g, 0.1, 0.5, decoupled=True)]
    [1.9, 1.0]
    >>> [a.item() for a in apply_weight_decay(x, g, 0.1, 0.5, decoupled=False)]
    [2.0, 2.0]
    """
    if is_zero(weight_decay):
        return x, g
    if decoupled:
        return x * (1 - lr * weight_decay), g
    return x, g + weight_decay * x

