"""Checks that left notebook 05 (Adam): implementation details the lesson relies on."""

import inspect

import numpy as np

from alr_teach import Adam


def test_adam_has_the_papers_defaults():
    parameters = inspect.signature(Adam).parameters
    defaults = {name: parameters[name].default for name in ("lr", "betas", "eps")}
    assert defaults == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8}


def test_adam_keeps_the_raw_first_moment_in_its_state():
    opt, g = Adam(lr=0.1, betas=(0.9, 0.999)), np.array([0.5, -2.0])
    opt.step(np.zeros(2), g)
    opt.step(np.zeros(2), g)
    assert np.allclose(opt.state["m"], (1 - 0.9**2) * g, rtol=1e-12, atol=0)
