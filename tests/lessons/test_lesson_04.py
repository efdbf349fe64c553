"""Checks moved out of notebook 04's lesson cells: implementation details, not lesson content."""

import inspect

from alr_teach import RMSProp


def test_rmsprop_defaults_are_torchs():
    """Notebook 04 prints these as torch's defaults (lr 0.01, alpha 0.99, eps 1e-8)."""
    defaults = {n: p.default for n, p in inspect.signature(RMSProp).parameters.items()}
    assert (defaults["lr"], defaults["alpha"], defaults["eps"]) == (0.01, 0.99, 1e-8)
