"""Checks that left notebook 08 (weight decay): implementation details the lesson relies on."""

import inspect

from alr_teach import AdamW


def test_adamw_default_weight_decay_is_torchs():
    assert inspect.signature(AdamW).parameters["weight_decay"].default == 1e-2
