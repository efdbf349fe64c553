"""Every step of a 60-step run equals torch.optim 2.13 (single-tensor path, float64).

The reference trajectories were written by tools/make_torch_fixtures.py; torch is not
needed here. Gradients mix scales from 1e-3 to 1e3 and contain exact zeros.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import alr_teach

DATA = Path(__file__).parents[1] / "data"
INFO = json.loads((DATA / "torch_parity.json").read_text())
ARRAYS = np.load(DATA / "torch_parity.npz")
RTOL = 1e-7


def _kwargs(config: dict) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in config["kwargs"].items()}


def _optimizer_class(name: str) -> type:
    return getattr(alr_teach, name)


def _close(ours: np.ndarray, ref: np.ndarray) -> bool:
    """Relative agreement; exact zeros in the reference must be matched exactly."""
    return bool(np.all(np.abs(ours - ref) <= RTOL * np.abs(ref)))


@pytest.mark.parametrize(
    "config", INFO["configs"], ids=[f"{c['alr_teach']}-{c['id']}" for c in INFO["configs"]]
)
def test_every_step_matches_torch(config):
    prefix = f"c{config['id']}/"
    xs = [ARRAYS[prefix + "x0"], ARRAYS[prefix + "x1"]]
    gs = [ARRAYS[prefix + "g0"], ARRAYS[prefix + "g1"]]
    opt = _optimizer_class(config["alr_teach"])(**_kwargs(config))
    params = [xs[0][0], xs[1][0]]
    for t in range(1, INFO["steps"] + 1):
        params = opt.step(params, [gs[0][t - 1], gs[1][t - 1]])
        for j in range(2):
            assert _close(params[j], xs[j][t]), (
                f"step {t}, array {j}: max relative error "
                f"{np.max(np.abs(params[j] - xs[j][t]) / np.maximum(np.abs(xs[j][t]), 1e-300)):.3e}"
            )
    state = opt.state
    names = {key.split("/")[2] for key in ARRAYS.files if key.startswith(prefix + "state0/")}
    assert names == set(state), f"state names {sorted(state)} differ from torch's {sorted(names)}"
    for name in names:
        for j in range(2):
            assert _close(state[name][j], ARRAYS[f"{prefix}state{j}/{name}"]), name
