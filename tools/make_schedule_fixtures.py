"""Write reference learning-rate schedules from torch.optim.lr_scheduler into tests/data/.

A dev-time tool, like tools/make_torch_fixtures.py: the course and its tests never need
torch. Run it once, whenever CONFIGS changes, and commit its output::

    pip install torch==2.13.0
    PYTHONPATH=. python tools/make_schedule_fixtures.py

For every configuration it builds the torch scheduler that is equivalent to an
``alr_teach.optimizers.schedules`` function (``torch_scheduler`` below: the module's table of
equivalents, in code), runs the torch optimizer in float64 (single-tensor path) for
``steps`` steps on a small problem, and records, in the order torch applies them:

* ``lr``: ``optimizer.param_groups[0]["lr"]`` just before each ``optimizer.step()``,
  i.e. the rate used by step t + 1 after t calls of ``scheduler.step()``;
* ``momentum``: for OneCycleLR (which cycles momentum), ``param_groups[0]["momentum"]``
  (SGD, RMSprop) or ``["betas"][0]`` (Adam, AdamW) at the same moments;
* ``x`` (steps + 1, d) and ``g`` (steps, d): the parameters after each step and the
  gradients torch saw, so the test can replay the run with ``Scheduled``.

tests/optimizers/test_schedules.py compares the schedule functions and ``Scheduled`` runs with
these. The script ends by printing how far ``alr_teach.optimizers.schedules`` is from torch.
"""

from __future__ import annotations

import inspect
import json
import platform
import warnings
from pathlib import Path

import numpy as np
import torch

from alr_teach.optimizers import schedules

OUT = Path(__file__).resolve().parents[1] / "tests" / "data"
DIM = 5

# (schedule, its keyword arguments (unlisted: the function's defaults),
#  (alr_teach optimizer, torch optimizer, keyword arguments shared by both), steps,
#  for one-cycle: keyword arguments of one_cycle_momentum besides the shared cycle)
CONFIGS = [
    ("constant", {"lr": 0.05}, ("SGD", "SGD", {"lr": 0.05}), 20, None),
    ("step_decay", {"lr": 0.1, "step_size": 7, "gamma": 0.5},
     ("SGD", "SGD", {"lr": 0.1, "momentum": 0.9}), 40, None),
    ("step_decay", {"lr": 0.5, "step_size": 10},  # gamma: the default 0.1
     ("AdaGrad", "Adagrad", {"lr": 0.5, "lr_decay": 0.01}), 35, None),
    ("exponential", {"lr": 0.01, "gamma": 0.95}, ("Adam", "Adam", {"lr": 0.01}), 60, None),
    # three periods: past T_max the rate climbs back up, in torch as here
    ("cosine", {"lr": 0.1, "T_max": 50, "eta_min": 1e-3},
     ("SGD", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}), 150, None),
    ("cosine", {"lr": 0.01, "T_max": 30},  # eta_min 0: the rate reaches exactly 0
     ("Adam", "Adam", {"lr": 0.01}), 60, None),
    ("cosine_warm_restarts", {"lr": 0.1, "T_0": 10, "T_mult": 2, "eta_min": 1e-4},
     ("SGD", "SGD", {"lr": 0.1}), 100, None),
    ("cosine_warm_restarts", {"lr": 0.05, "T_0": 15},  # T_mult 1: equal cycles
     ("AdaGrad", "Adagrad", {"lr": 0.05}), 60, None),
    ("linear_warmup", {"lr": 0.1, "warmup_steps": 10, "start_factor": 0.1},
     ("SGD", "SGD", {"lr": 0.1, "momentum": 0.9}), 30, None),
    ("linear_warmup", {"lr": 1e-3, "warmup_steps": 25},  # start_factor: torch's 1/3
     ("Adam", "Adam", {"lr": 1e-3}), 40, None),
    ("warmup_cosine", {"lr": 0.1, "warmup_steps": 10, "total_steps": 100, "eta_min": 1e-4,
                       "start_factor": 0.1},
     ("SGD", "SGD", {"lr": 0.1, "momentum": 0.9}), 100, None),
    ("warmup_cosine", {"lr": 3e-3, "warmup_steps": 5, "total_steps": 50, "start_factor": 0.01},
     ("AdamW", "AdamW", {"lr": 3e-3, "weight_decay": 0.1}), 50, None),
    ("one_cycle", {"max_lr": 0.1, "total_steps": 100},
     ("SGD", "SGD", {"lr": 0.1, "momentum": 0.9}), 100, {}),
    ("one_cycle", {"max_lr": 0.1, "total_steps": 100},
     ("Adam", "Adam", {"lr": 0.1}), 100, {}),
    ("one_cycle", {"max_lr": 0.1, "total_steps": 100, "three_phase": True, "anneal": "linear"},
     ("SGD", "SGD", {"lr": 0.1, "momentum": 0.9}), 100, {}),
    ("one_cycle", {"max_lr": 0.1, "total_steps": 100, "three_phase": True, "anneal": "linear"},
     ("Adam", "Adam", {"lr": 0.1}), 100, {}),
    ("one_cycle", {"max_lr": 0.02, "total_steps": 80, "pct_start": 0.25, "div_factor": 10.0,
                   "final_div_factor": 100.0, "three_phase": True},
     ("RMSProp", "RMSprop", {"lr": 0.01, "momentum": 0.5}), 80,
     {"base_momentum": 0.8, "max_momentum": 0.9}),
    # phase ends that fall between steps (0.3 * 37 - 1 = 10.1)
    ("one_cycle", {"max_lr": 0.01, "total_steps": 37},
     ("AdamW", "AdamW", {"lr": 0.01, "weight_decay": 0.05}), 37, {"max_momentum": 0.9}),
]

CYCLE = ("total_steps", "pct_start", "anneal", "three_phase")  # shared by lr and momentum


def full_kwargs(schedule: str, kwargs: dict) -> dict:
    """The schedule's keyword arguments with its defaults filled in (t left out)."""
    parameters = inspect.signature(getattr(schedules, schedule)).parameters
    defaults = {n: p.default for n, p in parameters.items()
                if n != "t" and p.default is not inspect.Parameter.empty}
    merged = {**defaults, **kwargs}
    return {n: merged[n] for n in parameters if n in merged}  # in the signature's order


def torch_scheduler(opt: torch.optim.Optimizer, schedule: str, kw: dict, momentum_kw: dict):
    """The torch scheduler equivalent to ``schedule(t, **kw)``, and how it was called."""
    lrs = torch.optim.lr_scheduler
    if schedule == "constant":
        return lrs.LambdaLR(opt, lambda t: 1.0), "LambdaLR(lambda t: 1.0)"
    if schedule == "step_decay":
        args = {"step_size": kw["step_size"], "gamma": kw["gamma"]}
        return lrs.StepLR(opt, **args), f"StepLR({_show(args)})"
    if schedule == "exponential":
        return lrs.ExponentialLR(opt, gamma=kw["gamma"]), f"ExponentialLR(gamma={kw['gamma']})"
    if schedule == "cosine":
        args = {"T_max": kw["T_max"], "eta_min": kw["eta_min"]}
        return lrs.CosineAnnealingLR(opt, **args), f"CosineAnnealingLR({_show(args)})"
    if schedule == "cosine_warm_restarts":
        args = {"T_0": kw["T_0"], "T_mult": kw["T_mult"], "eta_min": kw["eta_min"]}
        return lrs.CosineAnnealingWarmRestarts(opt, **args), \
            f"CosineAnnealingWarmRestarts({_show(args)})"
    if schedule == "linear_warmup":
        args = {"start_factor": kw["start_factor"], "end_factor": 1.0,
                "total_iters": kw["warmup_steps"]}
        return lrs.LinearLR(opt, **args), f"LinearLR({_show(args)})"
    if schedule == "warmup_cosine":
        w = kw["warmup_steps"]
        warm = {"start_factor": kw["start_factor"], "total_iters": w}
        cool = {"T_max": kw["total_steps"] - w, "eta_min": kw["eta_min"]}
        scheduler = lrs.SequentialLR(
            opt, [lrs.LinearLR(opt, **warm), lrs.CosineAnnealingLR(opt, **cool)], milestones=[w]
        )
        return scheduler, (f"SequentialLR([LinearLR({_show(warm)}), "
                           f"CosineAnnealingLR({_show(cool)})], milestones=[{w}])")
    if schedule == "one_cycle":
        args = {
            "max_lr": kw["max_lr"], "total_steps": kw["total_steps"],
            "pct_start": float(kw["pct_start"]), "anneal_strategy": kw["anneal"],
            "div_factor": kw["div_factor"], "final_div_factor": kw["final_div_factor"],
            "three_phase": kw["three_phase"], "cycle_momentum": True,
            "base_momentum": momentum_kw["base_momentum"],
            "max_momentum": momentum_kw["max_momentum"],
        }
        return lrs.OneCycleLR(opt, **args), f"OneCycleLR({_show(args)})"
    raise ValueError(f"no torch equivalent known for {schedule!r}")


def _show(args: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in args.items())


def make_problem(seed: int):
    """A start point and a gradient with coordinates of very different scales, plus noise."""
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=DIM)
    scale = 10.0 ** rng.integers(-2, 3, size=DIM)  # 1e-2 ... 1e2
    target = rng.normal(size=DIM)
    noise = rng.normal(size=(200, DIM))

    def grad(t: int, x: np.ndarray) -> np.ndarray:
        return scale * (x - target + 0.3 * noise[t])

    return x0, grad


def run(config: tuple, seed: int) -> tuple[dict[str, np.ndarray], str, dict, dict | None]:
    schedule, kwargs, (_, torch_name, opt_kwargs), steps, momentum = config
    kw = full_kwargs(schedule, kwargs)
    momentum_kw = None
    if momentum is not None:
        momentum_kw = full_kwargs("one_cycle_momentum", {**momentum,
                                                         **{k: kw[k] for k in CYCLE}})
    elif schedule != "one_cycle":
        assert opt_kwargs["lr"] == kw["lr"], "torch's base rate is the optimizer's lr"
    x0, grad = make_problem(seed)
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, torch_name)([p], foreach=False, **opt_kwargs)
    scheduler, call = torch_scheduler(opt, schedule, kw, momentum_kw)
    group = opt.param_groups[0]
    lr, mom, xs, gs = [], [], [x0.copy()], []
    for t in range(steps):
        lr.append(group["lr"])
        if momentum_kw is not None:
            mom.append(group["betas"][0] if "betas" in group else group["momentum"])
        g = grad(t, p.detach().numpy().copy())
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        scheduler.step()
        gs.append(g)
        xs.append(p.detach().numpy().copy())
    record = {"lr": np.array(lr), "x": np.stack(xs), "g": np.stack(gs)}
    if momentum_kw is not None:
        record["momentum"] = np.array(mom)
    return record, call, kw, momentum_kw


def main() -> None:
    torch.set_default_dtype(torch.float64)
    OUT.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    meta = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a torch warning here would mean a misuse
        for i, config in enumerate(CONFIGS):
            record, call, kw, momentum_kw = run(config, seed=2000 + i)
            for key, value in record.items():
                arrays[f"c{i}/{key}"] = value
            ours, theirs, opt_kwargs = config[2]
            meta.append({
                "id": i, "schedule": config[0], "kwargs": kw, "momentum_kwargs": momentum_kw,
                "torch_scheduler": call, "optimizer": ours, "torch_optimizer": theirs,
                "optimizer_kwargs": opt_kwargs, "steps": config[3],
            })
            report(i, config[0], kw, momentum_kw, record)
    np.savez_compressed(OUT / "schedule_parity.npz", **arrays)
    info = {
        "generated_by": "tools/make_schedule_fixtures.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "path": "single-tensor (foreach=False), float64",
        "recorded": "lr (and momentum / betas[0] for OneCycleLR) before each optimizer.step(), "
                    "x after each step (x[0]: start), g the gradient of each step",
        "configs": meta,
    }
    (OUT / "schedule_parity.json").write_text(json.dumps(info, indent=1) + "\n")
    print(f"wrote {len(meta)} configurations to {OUT}")


def report(i: int, schedule: str, kw: dict, momentum_kw: dict | None, record: dict) -> None:
    """Print the largest relative difference between alr_teach.optimizers.schedules and torch."""
    t = np.arange(len(record["lr"]))
    pairs = [("lr", getattr(schedules, schedule)(t, **kw))]
    if momentum_kw is not None:
        pairs.append(("momentum", schedules.one_cycle_momentum(t, **momentum_kw)))
    errors = []
    for name, ours in pairs:
        ref = record[name]
        scale = np.where(ref == 0, 1.0, np.abs(ref))
        errors.append(f"{name} {np.max(np.abs(ours - ref) / scale):.1e}")
    print(f"c{i:<3}{schedule:<22}max relative difference: {', '.join(errors)}")


if __name__ == "__main__":
    main()
