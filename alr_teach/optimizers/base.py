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

from collections.abc import Callable, Mapping
from types import MappingProxyType, SimpleNamespace
from typing import ClassVar

import numpy as np

from alr_teach import _validation as check
from alr_teach._validation import Hyper
from alr_teach.optimizers._params import Params, Structure, flatten, unflatten

__all__ = [
    "Optimizer",
    "add_weight_decay",
    "apply_weight_decay",
    "is_zero",
    "parameter_axes",
    "per_run_shape",
]


class Optimizer:
    """Base class for all optimizers in ``alr_teach``.

    Use ``new_params = opt.step(params, grads)``: ``params`` is one ndarray or a
    list/tuple of ndarrays, ``grads`` the same structure. The result has that structure
    too; the arguments are never modified.

    **Hyperparameters** live in ``opt.hyperparameters`` (numbers) and ``opt.flags``
    (switches such as ``nesterov`` or ``amsgrad``), and read as attributes (``opt.lr``,
    ``opt.amsgrad``). Change either kind between steps with ``opt.lr = 0.01`` or
    ``opt.set(lr=0.01)`` (a schedule does this): new values are checked as at
    construction, together with the others (``nesterov=True`` needs momentum), and a
    switch that needs more state (``amsgrad``'s ``v_max``) gets it on the next step.
    Any other public name is rejected: ``opt.learning_rate = 1`` raises AttributeError.

    **A batch of runs.** ``opt.batch_ndim`` (default 0) says how many leading axes of
    every parameter array index independent runs: params of shape ``(64, 2)`` with
    ``batch_ndim = 1`` are 64 runs of a 2-D problem. Rules that combine a run's elements
    (LAMB's norms, the hypergradient's dot product: :attr:`mixes_elements`) reduce over
    the other axes only, so every run is exactly what it would be on its own; element-wise
    rules (SGD, Adam...) give the same numbers whatever it is. Nothing is inferred from
    the shapes: set it before the first step (or after ``reset()``);
    :func:`alr_teach.lab.runner.run` sets it from the start points.

    A hyperparameter may be an array whose axes *lead* the parameter's axes: with
    params of shape ``(64, 2)``, ``lr`` of shape ``(64,)`` or ``(64, 1)`` gives each
    run its own rate. It must broadcast to every parameter array's shape, and for a rule
    that :attr:`mixes_elements` it may vary only along the batch axes.

    **State** is ``opt.t`` (steps taken) and ``opt.state``: a dict from the names the
    notebooks use (``"m"``, ``"v"``, ``"sum_sq"``...) to arrays shaped like ``params``
    (a list of arrays for list params). ``opt.state`` returns copies, so keeping them
    in a history list is safe. ``opt.reset()`` starts over.

    **Writing your own optimizer**: subclass, pass the hyperparameters to
    ``super().__init__`` and give ``init_state`` and ``update``. Optionally map each
    hyperparameter name to a range check in ``checks`` (by default any finite number
    is accepted), name the switches in ``flag_names`` (checked to be True or False), set
    ``mixes_elements = True`` if the rule combines elements (a norm, a sum), and declare
    any public setting of your own in the class body (``verbose: bool = False``): other
    names cannot be assigned. Rebind state entries (``s.m = beta * s.m + g``) rather than
    modifying them in place (``s.m *= beta``): the arrays you receive are the committed
    state.

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

    #: True for a rule that combines the elements of a run (a norm, a sum, a dot product):
    #: its hyperparameter arrays may then vary only along the batch axes (:attr:`batch_ndim`),
    #: which is what its reductions keep apart. False: every element is updated on its own.
    mixes_elements: ClassVar[bool] = False

    #: how each hyperparameter is checked: name -> function(name, value) returning the
    #: value to compute with, or raising ValueError. Unlisted names: any finite number.
    checks: ClassVar[dict[str, Callable[[str, object], Hyper]]] = {}

    #: the keyword arguments that are switches (True or False), not numbers
    flag_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **hyperparameters: object) -> None:
        vars(self).update(hyperparameters=MappingProxyType({}), _flags={}, _batch_ndim=0)
        self._assign(hyperparameters)
        self.reset()

    @property
    def flags(self) -> Mapping[str, bool]:
        """The switches (``nesterov``, ``amsgrad``...), read-only: change them with ``set``."""
        return MappingProxyType(vars(self).get("_flags", {}))

    @property
    def batch_ndim(self) -> int:
        """How many leading axes of every parameter array index independent runs (0: one)."""
        return vars(self).get("_batch_ndim", 0)

    @batch_ndim.setter
    def batch_ndim(self, value: int) -> None:
        value = check.whole("batch_ndim", value)
        if value != self.batch_ndim and self.t:
            raise ValueError(
                f"Invalid batch_ndim: {value} (the runs are fixed once stepping has started; "
                f"this optimizer has taken {self.t} steps with batch_ndim = "
                f"{self.batch_ndim}: call reset() first)"
            )
        vars(self).update(_batch_ndim=value, _version=vars(self).get("_version", 0) + 1)

    def set(self, **values: object) -> None:
        """Change hyperparameters or flags (checked as at construction) for the next steps."""
        self._refuse_unknown(values)
        self._assign(values)
        vars(self)["_hyperparameters_changed"] = True

    def check_combination(self, values: dict[str, Hyper | bool]) -> None:
        """Raise ValueError if these values do not go together (override; e.g. SGD's nesterov).

        ``values`` holds every hyperparameter and flag as they would be after the change.
        """

    def _refuse_unknown(self, values: Mapping[str, object]) -> None:
        """ValueError naming the first of ``values`` that is neither a hyperparameter nor a
        flag (``set`` of every optimizer and wrapper checks with this before changing any)."""
        unknown = [name for name in values if name not in self.hyperparameters
                   and name not in self.flags]
        if unknown:
            raise ValueError(f"Invalid hyperparameter: {unknown[0]!r} ({self._known_names()})")

    def _known_names(self) -> str:
        """``SGD has lr, momentum, ... and the flag nesterov``: for error messages."""
        text = f"{type(self).__name__} has {', '.join(self.hyperparameters)}"
        if self.flags:
            text += f" and the flag{'s' if len(self.flags) > 1 else ''} {', '.join(self.flags)}"
        return text

    def _assign(self, values: dict[str, object]) -> None:
        flags = {n: check.flag(n, v) for n, v in values.items() if n in self.flag_names}
        numbers = {n: self.checks.get(n, check.finite)(n, v)
                   for n, v in values.items() if n not in self.flag_names}
        hyperparameters = {**self.hyperparameters, **numbers}
        flags = {**self.flags, **flags}
        self.check_combination({**hyperparameters, **flags})
        # all or nothing, and read-only: changes go through set(), which checks them
        vars(self).update(
            hyperparameters=MappingProxyType(hyperparameters),
            _flags=flags,
            _version=vars(self).get("_version", 0) + 1,  # for cached shapes
        )

    def __getstate__(self) -> dict:  # copy.deepcopy and pickle (a mapping proxy is neither)
        return {**self.__dict__, "hyperparameters": dict(self.hyperparameters)}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, hyperparameters=MappingProxyType(state["hyperparameters"]))

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.__dict__.get("hyperparameters", {}) or name in self.flags:
            self.set(**{name: value})
        elif name.startswith("_") or name == "t" or _declared(type(self), name):
            super().__setattr__(name, value)
        else:
            raise AttributeError(
                f"Invalid attribute: {name!r} (not a hyperparameter or flag of this "
                f"optimizer: {self._known_names()})"
            )

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
        """Forget all state: the next ``step`` is step 1 again, with any params structure.

        ``batch_ndim`` and the hyperparameters are kept.
        """
        self.t = 0
        self._states: list[dict[str, np.ndarray]] = []
        self._structure: Structure | None = None
        self._hyperparameters_changed = False
        self._shaped_cache: tuple = (None, [])

    def __getattr__(self, name: str) -> Hyper | bool:
        for values in (self.__dict__.get("hyperparameters", {}), self.__dict__.get("_flags", {})):
            if name in values:
                return values[name]
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
                s = SimpleNamespace(**state)
                x_new = np.asarray(self.update(x, g, s, h, t))
                if x_new.shape != x.shape:
                    raise ValueError(
                        f"{type(self).__name__}.update returned shape {x_new.shape} "
                        f"for {_array_name(structure, i)} of shape {x.shape}"
                    )
                new_xs.append(x_new)
                new_states.append(vars(s))

        vars(self).update(  # plain attributes: set in one go, past __setattr__'s check
            _states=new_states, _structure=structure, t=t, _hyperparameters_changed=False,
        )
        return unflatten(new_xs, structure)

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
        runs = self.batch_ndim
        if x.ndim < runs:
            raise ValueError(
                f"{name} has shape {x.shape}: fewer axes than batch_ndim = {runs} (the "
                f"leading axes of every parameter array that index independent runs)"
            )
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
                if self.mixes_elements and any(n != 1 for n in padded.shape[runs:]):
                    raise ValueError(
                        f"{key} has shape {value.shape}, which varies within one run of "
                        f"{name} (shape {x.shape}, batch_ndim = {runs}): "
                        f"{type(self).__name__} combines the elements of each run, so its "
                        f"hyperparameters may vary only along the batch axes (declare a "
                        f"batch of runs with opt.batch_ndim; run() and sweep() do)"
                    )
                value = padded
            shaped[key] = value
        return SimpleNamespace(**shaped)

    def __repr__(self) -> str:
        def show(value: Hyper) -> str:
            return f"array(shape={value.shape})" if isinstance(value, np.ndarray) else f"{value:g}"

        parts = [f"{k}={show(v)}" for k, v in self.hyperparameters.items()]
        parts += [f"{k}={v}" for k, v in self.flags.items()]
        return f"{type(self).__name__}({', '.join(parts)})"

    # -- public members for wrappers (OPT-B) ------------------------------------------------
    # What an optimizer built on another one (a wrapper, or a rule that needs a pass over all
    # arrays before updating any) may use besides step, set, hyperparameters, t, state, reset.
    def hyperparameters_for(self, params: Params) -> list[SimpleNamespace]:
        """The hyperparameters as ``update`` sees them, one namespace per array of ``params``.

        Array values come aligned to each array's axes, as in a step. A value that does not
        fit raises the ValueError a step would, and nothing changes: a wrapper calls this
        before stepping anything, so that its step stays all or nothing.
        """
        xs, structure = flatten(params, "params")
        return list(self._shaped_hyperparameters(xs, structure))

    def committed_state(self) -> list[Mapping[str, np.ndarray]]:
        """The state of each array as the last step committed it ([] before step 1).

        Read-only views, not copies (``state`` gives copies): for reading the previous
        step's state at the start of the next one, as hypergradient descent does.
        """
        views = [{k: v.view() for k, v in s.items()} for s in self._states]
        for view in views:
            for v in view.values():
                v.flags.writeable = False
        return [MappingProxyType(view) for view in views]


def _declared(cls: type, name: str) -> bool:
    """Whether ``name`` may be assigned on an instance of ``cls``: a property with a setter
    (``betas``, ``batch_ndim``), or a public setting a subclass declares in its class body
    (not one of the base class's own names, such as ``checks``)."""
    attribute = getattr(cls, name, _MISSING)
    if isinstance(attribute, property):
        return attribute.fset is not None
    return attribute is not _MISSING and not hasattr(Optimizer, name) and not callable(attribute)


_MISSING = object()


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` broadcasts to exactly ``target`` (same ndim)."""
    return len(shape) == len(target) and all(n in (1, m) for n, m in zip(shape, target))


def parameter_axes(x: np.ndarray, batch_ndim: int) -> tuple[int, ...]:
    """The axes of ``x`` that belong to one run: every axis after the ``batch_ndim`` first.

    >>> parameter_axes(np.zeros((5, 3, 2)), 1)
    (1, 2)
    """
    return tuple(range(batch_ndim, x.ndim))


def per_run_shape(x: np.ndarray, batch_ndim: int) -> tuple[int, ...]:
    """The shape of one number per run: ``x``'s batch axes, then 1 for each other axis.

    >>> per_run_shape(np.zeros((5, 3, 2)), 1)
    (5, 1, 1)
    """
    return x.shape[:batch_ndim] + (1,) * (x.ndim - batch_ndim)


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

