"""Write reference trajectories from torch.optim into tests/data/ (a dev-time tool).

The course and its tests never need torch: this script is run by a developer, once,
whenever the list of configurations changes, and its output is committed::

    pip install torch==2.13.0
    python tools/make_torch_fixtures.py

For every configuration in CONFIGS it runs torch's single-tensor path (``foreach=False``)
in float64 for STEPS steps on two parameter arrays whose gradients mix scales (1e-3 to
1e3) and contain exact zeros, and records the parameters after every step, the gradients
torch saw, and torch's state at the end. tests/optimizers/test_torch_parity.py feeds the same
gradients to alr_teach and compares.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import torch

STEPS = 60
OUT = Path(__file__).resolve().parents[1] / "tests" / "data"

# (alr_teach class name, torch class name, keyword arguments shared by both)
CONFIGS = [
    ("SGD", "SGD", {"lr": 0.05}),
    ("SGD", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", "SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    ("SGD", "SGD", {"lr": 0.02, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("AdaGrad", "Adagrad", {}),
    ("AdaGrad", "Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("AdaGrad", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}),
    ("AdaGrad", "Adagrad", {"lr": 0.1, "weight_decay": 0.1, "eps": 1e-6}),
    ("RMSProp", "RMSprop", {}),
    ("RMSProp", "RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSProp", "RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSProp", "RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5,
                            "weight_decay": 0.1}),
    ("Adam", "Adam", {}),
    ("Adam", "Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", "Adam", {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-6, "weight_decay": 0.05,
                      "amsgrad": True}),
    ("AdamW", "AdamW", {}),
    ("AdamW", "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", "AdamW", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("AdaDelta", "Adadelta", {}),
    ("AdaDelta", "Adadelta", {"rho": 0.95}),
    ("AdaDelta", "Adadelta", {"lr": 0.5, "eps": 1e-4, "weight_decay": 0.1}),
    # new configurations go at the end: a configuration's seed is 1000 + its position
    ("Adamax", "Adamax", {}),
    ("Adamax", "Adamax", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adamax", "Adamax", {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-3}),
    ("NAdam", "NAdam", {}),
    ("NAdam", "NAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("NAdam", "NAdam", {"lr": 0.01, "momentum_decay": 0.1}),
    ("NAdam", "NAdam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "momentum_decay": 0.0}),
    # RAdam with beta2 = 0.999 or 0.95 switches from momentum steps to rectified ones at
    # step 6, with beta2 = 0.7 at step 10; with beta2 = 0.6 (rho_inf = 4) it never does
    ("RAdam", "RAdam", {}),
    ("RAdam", "RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": False}),
    ("RAdam", "RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", "RAdam", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6}),
    ("RAdam", "RAdam", {"lr": 0.01, "betas": (0.9, 0.7), "weight_decay": 0.05,
                        "decoupled_weight_decay": True}),
    ("RAdam", "RAdam", {"lr": 0.01, "betas": (0.9, 0.6)}),
]

# torch's state names -> the names alr_teach (and the notebooks) use
STATE_NAMES = {
    "momentum_buffer": "velocity",
    "sum": "sum_sq",
    "square_avg": "sq_avg",
    "grad_avg": "grad_avg",
    "exp_avg": "m",
    "exp_avg_sq": "v",
    "max_exp_avg_sq": "v_max",
    "acc_delta": "acc_delta",
    "exp_inf": "u",
    "mu_product": "mu_product",
}


def make_problem(seed: int):
    """Two parameter arrays and a gradient function with mixed scales and exact zeros."""
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (5,)]
    x0 = [rng.normal(size=s) for s in shapes]
    scales = [10.0 ** rng.integers(-3, 4, size=s) for s in shapes]   # 1e-3 ... 1e3
    targets = [rng.normal(size=s) for s in shapes]
    always_zero = [rng.random(size=s) < 0.15 for s in shapes]         # coordinates never touched
    noise = [rng.normal(size=(STEPS,) + s) for s in shapes]

    def grad(t: int, xs: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for x, scale, target, zero, eps in zip(xs, scales, targets, always_zero, noise):
            g = scale * (x - target + 0.3 * eps[t - 1])
            g[zero] = 0.0
            if t % 3 == 0:                                            # sparse steps
                g.flat[::2] = 0.0
            out.append(g)
        return out

    return x0, grad


def run(torch_name: str, kwargs: dict, seed: int) -> dict[str, np.ndarray]:
    x0, grad = make_problem(seed)
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in x0]
    opt = getattr(torch.optim, torch_name)(params, foreach=False, **kwargs)
    record: dict[str, np.ndarray] = {}
    xs_hist = [[x.copy() for x in x0]]
    gs_hist = []
    for t in range(1, STEPS + 1):
        gs = grad(t, [p.detach().numpy().copy() for p in params])
        for p, g in zip(params, gs):
            p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        gs_hist.append(gs)
        xs_hist.append([p.detach().numpy().copy() for p in params])
    for j in range(len(params)):
        record[f"x{j}"] = np.stack([xs[j] for xs in xs_hist])        # (STEPS + 1, *shape)
        record[f"g{j}"] = np.stack([gs[j] for gs in gs_hist])        # (STEPS, *shape)
        for torch_key, ours in STATE_NAMES.items():
            value = opt.state[params[j]].get(torch_key)
            if value is not None:
                record[f"state{j}/{ours}"] = value.detach().numpy().copy()
    return record


def main() -> None:
    torch.set_default_dtype(torch.float64)
    OUT.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    meta = []
    for i, (ours, theirs, kwargs) in enumerate(CONFIGS):
        for key, value in run(theirs, kwargs, seed=1000 + i).items():
            arrays[f"c{i}/{key}"] = value
        as_json = {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
        meta.append({"id": i, "alr_teach": ours, "torch": theirs, "kwargs": as_json})
    np.savez_compressed(OUT / "torch_parity.npz", **arrays)
    info = {
        "generated_by": "tools/make_torch_fixtures.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "path": "single-tensor (foreach=False), float64",
        "steps": STEPS,
        "configs": meta,
    }
    (OUT / "torch_parity.json").write_text(json.dumps(info, indent=1) + "\n")
    print(f"wrote {len(meta)} configurations x {STEPS} steps to {OUT}")


if __name__ == "__main__":
    main()
