"""Range checks for hyperparameters: one place, one message format.

Every check returns the value in the form the optimizers compute with (a Python
``float`` for a scalar, a float64 ``ndarray`` for an array of values to sweep over)
or raises ``ValueError`` with a message of the form::

    Invalid <name>: <value> (<what it must be>)

Array values are checked element-wise, so a sweep over 64 learning rates is rejected
if any one of them is out of range, and the message shows the first offender.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Iterable
from typing import TypeVar

import numpy as np

__all__ = [
    "Hyper", "in_range", "finite", "nonnegative", "positive", "fraction", "decay_factor",
    "betas", "flag", "real", "is_whole", "whole", "one_of", "known_settings",
]

T = TypeVar("T")

Hyper = float | np.ndarray
"""A hyperparameter value: a float, or an array whose leading axes are sweep axes."""


def _fail(name: str, shown: object, requirement: str) -> ValueError:
    return ValueError(f"Invalid {name}: {shown!r} ({requirement})")


def _to_hyper(name: str, value: object) -> Hyper:
    """Turn ``value`` into a float or a float64 array, rejecting anything non-numeric."""
    if isinstance(value, (bool, np.bool_)):
        raise _fail(name, value, "must be a real number, not a boolean")
    if isinstance(value, numbers.Real):
        try:
            return float(value)
        except OverflowError:  # an integer too large for a float
            raise _fail(name, value, "must be finite") from None
    try:
        array = np.asarray(value)
    except Exception:  # ragged lists and the like
        array = None
    if array is None or array.dtype.kind not in "iuf" or array.size == 0:
        raise _fail(name, value, "must be a real number or a non-empty array of real numbers")
    if array.ndim == 0:
        return float(array)
    return array.astype(np.float64)


def in_range(
    name: str,
    value: object,
    low: float = 0.0,
    high: float = np.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> Hyper:
    """Check that ``value`` (or every element of it) is finite and lies in the interval.

    ``low_open``/``high_open`` exclude the bounds. NaN is always rejected, as is
    infinity, whatever the bounds.
    """
    hyper = _to_hyper(name, value)
    values = np.asarray(hyper)
    ok = np.isfinite(values)
    ok &= (values > low) if low_open else (values >= low)
    if np.isfinite(high):
        ok &= (values < high) if high_open else (values <= high)
    if not np.all(ok):
        left = "(" if low_open else "["
        right = ")" if high_open or not np.isfinite(high) else "]"
        upper = "inf" if not np.isfinite(high) else f"{high:g}"
        requirement = f"must be finite and in {left}{low:g}, {upper}{right}"
        if values.ndim == 0:
            raise _fail(name, value, requirement)
        bad = values[~ok].flat[0]
        raise _fail(name, f"array of shape {values.shape} containing {bad!r}", requirement)
    return hyper


def finite(name: str, value: object) -> Hyper:
    """Any finite real number or array of them (the default for a learner's own optimizer)."""
    return in_range(name, value, -np.inf)


def nonnegative(name: str, value: object) -> Hyper:
    """A finite value >= 0 (learning rates, weight decay, momentum, lr_decay...)."""
    return in_range(name, value, 0.0)


def positive(name: str, value: object) -> Hyper:
    """A finite value > 0 (epsilon)."""
    return in_range(name, value, 0.0, low_open=True)


def fraction(name: str, value: object) -> Hyper:
    """A finite value in [0, 1] (dampening)."""
    return in_range(name, value, 0.0, 1.0)


def decay_factor(name: str, value: object) -> Hyper:
    """A finite value in [0, 1): the averaging factors beta1, beta2, alpha, rho."""
    return in_range(name, value, 0.0, 1.0, high_open=True)


def betas(value: object) -> tuple[Hyper, Hyper]:
    """torch's ``betas=(beta1, beta2)``, each in [0, 1); either entry may be an array."""
    if isinstance(value, np.ndarray) or not isinstance(value, (tuple, list)) or len(value) != 2:
        raise _fail("betas", value, "must be a pair (beta1, beta2)")
    return decay_factor("betas[0] (beta1)", value[0]), decay_factor("betas[1] (beta2)", value[1])


def flag(name: str, value: object) -> bool:
    """A True/False switch such as ``nesterov`` or ``amsgrad``."""
    if not isinstance(value, (bool, np.bool_)):
        raise _fail(name, value, "must be True or False")
    return bool(value)


def real(name: str, value: object, *, low: float = -np.inf, low_open: bool = False) -> float:
    """A single finite real number (not an array, not a bool), optionally bounded below."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _fail(name, value, "must be a real number")
    hyper = in_range(name, value, low, low_open=low_open)
    return float(hyper)


def is_whole(value: object) -> bool:
    """Whether ``value`` is a whole number: a Python or numpy integer, not a bool.

    >>> is_whole(3), is_whole(np.int64(3)), is_whole(True), is_whole(3.0)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def whole(name: str, value: object, *, low: int = 0) -> int:
    """A whole number (Python or numpy integer, not a bool) >= ``low``."""
    if not is_whole(value) or value < low:
        raise _fail(name, value, f"must be a whole number >= {low}")
    return int(value)


def one_of(name: str, value: T, options: Collection[str]) -> T:
    """``value`` if it is one of ``options`` (a method, landscape, rule... chosen by name).

    >>> one_of("method", "Adam", ("SGD", "Adam"))
    'Adam'
    >>> one_of("method", "adam", ("SGD", "Adam"))
    Traceback (most recent call last):
    ...
    ValueError: Invalid method: 'adam' (choose from SGD, Adam)
    """
    if value not in options:
        raise _fail(name, value, f"choose from {', '.join(options)}")
    return value


def known_settings(changes: Iterable[str], known: Collection[str]) -> None:
    """Reject settings an explorer does not have, naming the first (in sorted order).

    >>> known_settings({"lr": 0.1}, ("lr", "steps"))
    >>> known_settings({"lr": 0.1, "sped": 3, "beta": 0.9}, ("lr", "steps"))
    Traceback (most recent call last):
    ...
    ValueError: Invalid setting: 'beta' (choose from lr, steps)
    """
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise _fail("setting", unknown[0], f"choose from {', '.join(known)}")
