"""Wrappers: optimizers built around another optimizer, on its public members only.

A wrapper changes *when* or *with what* the inner optimizer steps, never how: a schedule
sets its rate before each step (:class:`~alr_teach.optimizers.schedules.Scheduled`),
Lookahead pulls its weights back every ``k`` steps
(:class:`~alr_teach.optimizers.lookahead.Lookahead`). Each is an :class:`Optimizer`, so
wrappers compose (``Lookahead(Scheduled(SGD(lr=0.1), lr=...))``) and go wherever an
optimizer goes (the runner, ``MLPClassifier(optimizer=...)``).

**The protocol.** A wrapper reads and drives its inner optimizer only through what every
optimizer offers: ``step(params, grads)``, ``set(**values)``, ``hyperparameters``, ``t``,
``state``, ``reset()`` and, before a step that must stay all or nothing,
``hyperparameters_for(params)``. :class:`Wrapper` gives a subclass the rest:

* ``opt.hyperparameters`` is the inner optimizer's with the wrapper's own (these win on a
  name clash); read and change any of them on the wrapper (``opt.lr = 0.01``,
  ``opt.set(alpha=0.8)``), each checked by its owner, all or nothing;
* ``opt.t`` and ``opt.state`` are the inner optimizer's, ``reset()`` resets it;
* copies and pickles continue exactly as the original.

A subclass passes the inner optimizer and, when it has hyperparameters of its own, an
optimizer that holds them (``own``; its ``checks`` validate them), then overrides ``step``
(and ``state`` and ``reset`` if it keeps something of its own).

>>> import numpy as np
>>> from alr_teach.optimizers.sgd import SGD
>>> class EveryOther(Wrapper):
...     '''Take the inner optimizer's step only on odd calls: a wrapper in five lines.'''
...     def __init__(self, optimizer):
...         super().__init__(optimizer)
...         self._calls = 0          # (other public names are refused, as for any optimizer)
...     def step(self, params, grads):
...         self._calls += 1
...         return self.optimizer.step(params, grads) if self._calls % 2 else params
>>> opt = EveryOther(SGD(lr=0.5))
>>> x = np.array([1.0])
>>> for _ in range(3):
...     x = opt.step(x, np.array([1.0]))
>>> print(x, opt.t, opt.lr)
[0.] 2 0.5
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, SimpleNamespace

import numpy as np

from alr_teach import _validation as check
from alr_teach._validation import Hyper
from alr_teach.optimizers._params import Params
from alr_teach.optimizers.base import Optimizer

__all__ = ["Wrapper"]


class Wrapper(Optimizer):
    """Base class of the optimizers that wrap another one (see the module docstring).

    Attributes:
        optimizer: the inner optimizer (do not step it yourself: the wrapper does).
        own: the optimizer holding the wrapper's own hyperparameters, or None.
    """

    def __init__(self, optimizer: Optimizer, own: Optimizer | None = None) -> None:
        if not isinstance(optimizer, Optimizer):
            raise check._fail("optimizer", optimizer, "must be an alr_teach optimizer "
                              "instance, e.g. Adam(lr=1e-3)")
        # plain attributes, set past __setattr__ (which reads them)
        vars(self).update(optimizer=optimizer, own=own)
        if own is not None:
            own.batch_ndim = optimizer.batch_ndim  # one batch of runs for both

    # -- hyperparameters: the wrapper's own and the inner optimizer's ----------------------
    @property
    def hyperparameters(self) -> Mapping[str, Hyper]:  # type: ignore[override]
        """The inner optimizer's hyperparameters and the wrapper's own (read-only)."""
        own = {} if self.own is None else self.own.hyperparameters
        return MappingProxyType({**self.optimizer.hyperparameters, **own})

    @property
    def flags(self) -> Mapping[str, bool]:
        """The inner optimizer's switches and the wrapper's own (read-only)."""
        own = {} if self.own is None else self.own.flags
        return MappingProxyType({**self.optimizer.flags, **own})

    @property
    def batch_ndim(self) -> int:
        """The inner optimizer's ``batch_ndim``; setting it sets the wrapper's own too."""
        return self.optimizer.batch_ndim

    @batch_ndim.setter
    def batch_ndim(self, value: int) -> None:
        self.optimizer.batch_ndim = value
        if self.own is not None:
            self.own.batch_ndim = self.optimizer.batch_ndim

    def set(self, **values: object) -> None:
        """Change hyperparameters or flags, each checked by its owner; all or nothing."""
        self._refuse_unknown(values)
        own = {} if self.own is None else {**self.own.hyperparameters, **self.own.flags}
        mine = {n: v for n, v in values.items() if n in own}
        theirs = {n: v for n, v in values.items() if n not in own}
        if mine:
            self.own.set(**mine)
        try:
            if theirs:
                self.optimizer.set(**theirs)
        except Exception:
            if mine:
                self.own.set(**{n: own[n] for n in mine})
            raise

    def __getattr__(self, name: str) -> Hyper | bool:
        if "optimizer" in vars(self):  # (not while unpickling)
            for values in (self.hyperparameters, self.flags):
                if name in values:
                    return values[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.hyperparameters or name in self.flags:
            self.set(**{name: value})
        else:  # the base class's rule: the rest must be a settable property
            super().__setattr__(name, value)

    def __getstate__(self) -> dict:  # copy.deepcopy and pickle: plain attributes only
        return dict(vars(self))

    def __setstate__(self, state: dict) -> None:
        vars(self).update(state)

    # -- steps and state: the inner optimizer's --------------------------------------------
    @property
    def t(self) -> int:  # type: ignore[override]
        """Steps taken: the inner optimizer's count."""
        return self.optimizer.t

    @property
    def state(self) -> dict[str, Params]:
        """The inner optimizer's state (copies; {} before step 1)."""
        return self.optimizer.state

    def committed_state(self) -> list[Mapping[str, np.ndarray]]:
        """The inner optimizer's committed state (read-only views)."""
        return self.optimizer.committed_state()

    def step(self, params: Params, grads: Params) -> Params:
        """The inner optimizer's step (override to add what the wrapper does)."""
        return self.optimizer.step(params, grads)

    def reset(self) -> None:
        """Reset the inner optimizer (extend to forget what the wrapper keeps)."""
        self.optimizer.reset()
        if self.own is not None:
            self.own.reset()

    def hyperparameters_for(self, params: Params) -> list[SimpleNamespace]:
        """The inner optimizer's and the wrapper's own hyperparameters as each array of
        ``params`` sees them; raises the error a step would for a misfit, changing nothing."""
        inner = self.optimizer.hyperparameters_for(params)
        if self.own is None:
            return inner
        own = self.own.hyperparameters_for(params)
        return [SimpleNamespace(**{**vars(h), **vars(o)}) for h, o in zip(inner, own)]

    def __repr__(self) -> str:
        own = "" if self.own is None else ", " + repr(self.own)[len(type(self.own).__name__) + 1:-1]
        return f"{type(self).__name__}({self.optimizer!r}{own})"
