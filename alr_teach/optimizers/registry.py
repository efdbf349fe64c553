"""One name per optimizer, and its settings: the list every sweep, table, widget and label uses.

An :class:`Entry` is a class plus the settings that make the method what its name says
("Momentum" is :class:`~alr_teach.optimizers.sgd.SGD` with ``momentum=0.9``). Every other
setting is the class's default, which is torch's. Build one with :func:`make`; name a built
optimizer with :func:`name_of`; read a class's constructor defaults with
:func:`class_defaults` (the one place that introspects a signature).

Every optimizer class of :mod:`alr_teach.optimizers` has an entry, except the building
blocks (:class:`~alr_teach.optimizers.base.Optimizer`, ``AdamLike``, Lookahead's
``SlowWeights``) and the **wrappers** (:class:`~alr_teach.optimizers.wrapper.Wrapper`
subclasses: :class:`~alr_teach.optimizers.lookahead.Lookahead`,
:class:`~alr_teach.optimizers.schedules.Scheduled`), which add something to any optimizer
and so are named after it: ``name_of(Lookahead(Adam()))`` is ``"Lookahead(Adam)"``. A
wrapper around one fixed optimizer that is a method in its own right gets an entry of its
own: "Ranger" is Lookahead around RAdam.

>>> make("Momentum", lr=0.01)
SGD(lr=0.01, momentum=0.9, dampening=0, weight_decay=0, nesterov=False)
>>> name_of(make("Momentum", lr=0.01))
'Momentum'
>>> defaults("Adam")["lr"]
0.001
>>> from alr_teach.optimizers.lookahead import Lookahead
>>> name_of(Lookahead(make("Nesterov", lr=0.1)))
'Lookahead(Nesterov)'
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from alr_teach.optimizers.adadelta import AdaDelta
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.optimizers.adam import Adam, AdamW
from alr_teach.optimizers.adam_variants import Adamax, NAdam, RAdam, UncorrectedAdam
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.hypergradient import SGDHD, AdamHD
from alr_teach.optimizers.layerwise import LAMB, NovoGrad
from alr_teach.optimizers.lookahead import Ranger
from alr_teach.optimizers.optimistic import OptimisticGD
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.optimizers.sgd import SGD
from alr_teach.optimizers.wrapper import Wrapper

__all__ = ["Entry", "OPTIMIZERS", "entry", "make", "defaults", "name_of", "class_defaults"]


@dataclass(frozen=True)
class Entry:
    """A named method: ``cls`` with the ``fixed`` settings that define it; ``idea`` in a line."""

    name: str
    cls: type[Optimizer]
    idea: str
    fixed: Mapping[str, object] = field(default_factory=dict)

    def defaults(self) -> dict[str, object]:
        """Every constructor argument with a default, as this entry builds it."""
        return {**class_defaults(self.cls), **self.fixed}

    def make(self, **settings: object) -> Optimizer:
        """A new optimizer of this method; ``settings`` override the defaults (e.g. ``lr``)."""
        return self.cls(**{**self.fixed, **settings})


def _entries(*entries: Entry) -> Mapping[str, Entry]:
    return MappingProxyType({e.name: e for e in entries})


#: Every method of the course, by its one name.
OPTIMIZERS: Mapping[str, Entry] = _entries(
    Entry("SGD", SGD, "one global rate: step = η g"),
    Entry("Momentum", SGD, "leaky average of gradients (μ = 0.9)", {"momentum": 0.9}),
    Entry("Nesterov", SGD, "momentum, gradient taken after the momentum step",
          {"momentum": 0.9, "nesterov": True}),
    Entry("AdaGrad", AdaGrad, "divide by the root of the sum of all g²"),
    Entry("RMSProp", RMSProp, "divide by the root of a moving average of g²"),
    Entry("AdaDelta", AdaDelta, "RMS of past steps / RMS of gradients"),
    Entry("Adam", Adam, "momentum / root of moving avg of g², bias-corrected"),
    Entry("AdamW", AdamW, "Adam plus decoupled weight decay (λ = 0.01)"),
    Entry("AMSGrad", Adam, "Adam dividing by the largest v so far", {"amsgrad": True}),
    Entry("Adamax", Adamax, "Adam with an infinity-norm second moment"),
    Entry("NAdam", NAdam, "Adam with Nesterov momentum"),
    Entry("RAdam", RAdam, "Adam whose adaptive step waits until its variance is known"),
    Entry("LAMB", LAMB, "Adam's step rescaled per layer by ||x|| / ||step||"),
    Entry("NovoGrad", NovoGrad, "one second moment per layer, gradient normalised first"),
    Entry("Ranger", Ranger, "RAdam inside Lookahead"),
    Entry("SGD-HD", SGDHD, "SGD whose rate follows the hypergradient"),
    Entry("Adam-HD", AdamHD, "Adam whose rate follows the hypergradient"),
    Entry("Adam (no bias correction)", UncorrectedAdam, "Adam without 1 - β^t: a teaching device"),
    Entry("optimistic GD", OptimisticGD, "gradient descent extrapolating the gradient's change"),
)


def entry(name: str) -> Entry:
    """The entry called ``name``; a clear error lists the names when there is none."""
    try:
        return OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Invalid optimizer name: {name!r} (choose from {', '.join(OPTIMIZERS)})"
        ) from None


def make(name: str, **settings: object) -> Optimizer:
    """``entry(name).make(**settings)``: e.g. ``make("Momentum", lr=0.01)``."""
    return entry(name).make(**settings)


def defaults(name: str) -> dict[str, object]:
    """The settings ``make(name)`` uses, every default included."""
    return entry(name).defaults()


def class_defaults(cls: type[Optimizer]) -> dict[str, object]:
    """The constructor arguments of ``cls`` that have a default, with it (``lr`` of SGD has
    none); for an entry's defaults use :func:`defaults`, which adds its fixed settings.

    >>> class_defaults(SGD)["momentum"]
    0.0
    """
    return {name: p.default for name, p in inspect.signature(cls).parameters.items()
            if p.default is not inspect.Parameter.empty}


def name_of(optimizer: Optimizer) -> str:
    """The registry name of a built optimizer: its class, and the entry whose fixed settings
    it has ("Momentum" for ``SGD(momentum=0.9)``); a wrapper without an entry of its own is
    named after what it wraps ("Scheduled(Momentum)"); else the class name."""
    best, best_fixed = type(optimizer).__name__, -1
    if isinstance(optimizer, Wrapper) and not any(type(optimizer) is e.cls
                                                  for e in OPTIMIZERS.values()):
        return f"{best}({name_of(optimizer.optimizer)})"
    for e in OPTIMIZERS.values():
        if type(optimizer) is not e.cls:
            continue
        if all(_same(getattr(optimizer, k, None), v) for k, v in e.fixed.items()):
            if len(e.fixed) > best_fixed:
                best, best_fixed = e.name, len(e.fixed)
    return best


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except ValueError:  # an array of settings (a sweep): no single name fits
        return False
