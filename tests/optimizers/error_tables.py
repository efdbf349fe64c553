"""Error-table rows shared by the tests of the optimizers with Adam's hyperparameters.

Each row is ``pytest.param(cls, kwargs, exception, message_regex)``: constructing ``cls``
with ``kwargs`` must raise ``exception`` with a message matching the course's one format,
"Invalid <name>: <value> (<requirement>)".
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

NON_NUMERIC = ["0.1", None, True, 1j, [[0.1], [0.1, 0.2]]]


def shown(value) -> str:
    """How a rejected scalar value appears in the message."""
    return re.escape(repr(value))


def shown_array(bad) -> str:
    """How a rejected array appears: its repr, with the offending entry in it."""
    return r".*array.*" + re.escape(repr(float(bad))) + r".*"


def row(cls, kwargs: dict, name: str, value_regex: str, exc=ValueError):
    regex = rf"^Invalid {re.escape(name)}: {value_regex} \(.+\)$"
    return pytest.param(cls, kwargs, exc, regex, id=f"{cls.__name__}-{kwargs!r}")


def adam_like_rows(classes) -> list:
    """lr, weight_decay, eps and betas out of range, non-numeric or malformed."""
    rows = []
    for cls in classes:
        for v in [-0.1, -1, math.nan, math.inf, *NON_NUMERIC]:
            rows.append(row(cls, {"lr": v}, "lr", shown(v)))
            rows.append(row(cls, {"weight_decay": v}, "weight_decay", shown(v)))
        rows.append(row(cls, {"lr": np.array([0.1, -0.5])}, "lr", shown_array(-0.5)))
        for v in [0.0, 0, -1e-8, math.nan, math.inf, None]:
            rows.append(row(cls, {"eps": v}, "eps", shown(v)))
        rows.append(row(cls, {"eps": np.array([[1e-8], [0.0]])}, "eps", shown_array(0.0)))
        for v in [1.0, 1.5, -0.1, math.nan, "0.9"]:
            rows.append(row(cls, {"betas": (v, 0.999)}, "betas[0] (beta1)", shown(v)))
            rows.append(row(cls, {"betas": (0.9, v)}, "betas[1] (beta2)", shown(v)))
        rows.append(row(cls, {"betas": (0.9, np.array([0.99, 1.0]))}, "betas[1] (beta2)",
                        shown_array(1.0)))
        for v in [0.9, (0.9,), (0.9, 0.99, 0.999), np.array([0.9, 0.999]), None]:
            rows.append(row(cls, {"betas": v}, "betas", shown(v)))
    return rows
