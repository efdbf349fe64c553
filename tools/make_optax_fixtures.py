"""Write reference trajectories for LAMB, NovoGrad, Lookahead and Ranger into tests/data/.

A dev-time tool, like tools/make_torch_fixtures.py: the course and its tests never need
jax, optax or pytorch-optimizer. Install them in a separate environment, run the script
once whenever the configurations change, and commit its output::

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install jax jaxlib optax pytorch-optimizer torch==2.13.0
    PYTHONPATH=. /tmp/refvenv/bin/python tools/make_optax_fixtures.py

Every run is in float64 (jax with ``jax_enable_x64``) for STEPS steps on four parameter
arrays: a matrix and a vector (norm above 10) with gradients that mix scales from 1e-3
to 1e3, a matrix that starts at zero (LAMB's trust ratio is 1 on step 1) and a vector
that stays at zero with zero gradients (both norms 0 throughout). Every third step
zeroes half of the gradient entries. For each configuration the script records the
reference's parameters after every step, the gradients it was given (computed at its
own parameters) and its final state; tests/optimizers/test_layerwise.py and
tests/optimizers/test_lookahead.py feed the same gradients to alr_teach and compare.

References:

* optax: ``lamb``, ``novograd``, ``lookahead`` (from ``LookaheadParams.init_synced``);
* pytorch-optimizer: ``NovoGrad`` and ``Lookahead`` (same rules as ours, stored for the
  tests) and ``Ranger`` with ``use_gc=False, degenerated_to_sgd=True`` (same rule).

Where pytorch-optimizer differs (``Lamb``; ``Ranger``'s defaults; ``NovoGrad`` with
``grad_averaging=True``), the script checks the difference it documents against a numpy
transcription of the rule claimed in alr_teach's docstrings, and writes what it verified,
with the largest relative errors, to the JSON file under ``"verified"``.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytorch_optimizer
import torch

from alr_teach import SGD, Adam
from alr_teach.optimizers.layerwise import LAMB, NovoGrad
from alr_teach.optimizers.lookahead import Lookahead, Ranger

jax.config.update("jax_enable_x64", True)
torch.set_default_dtype(torch.float64)

STEPS = 60
OUT = Path(__file__).resolve().parents[1] / "tests" / "data"
SHAPES = [(4, 3), (5,), (3, 2), (4,)]
Arrays = list[np.ndarray]


# -- the problem ------------------------------------------------------------------------
def make_problem(seed: int, max_scale: int = 3):
    """Start points and a gradient function (see the module docstring)."""
    rng = np.random.default_rng(seed)
    x0 = [rng.normal(size=SHAPES[0]), 10.0 * rng.normal(size=SHAPES[1]),
          np.zeros(SHAPES[2]), np.zeros(SHAPES[3])]
    scales = [10.0 ** rng.integers(-3, max_scale + 1, size=s) for s in SHAPES]
    targets = [rng.normal(size=s) for s in SHAPES]
    noise = [rng.normal(size=(STEPS,) + s) for s in SHAPES]

    def grad(t: int, xs: Arrays) -> Arrays:
        out = []
        for j, (x, scale, target, eps) in enumerate(zip(xs, scales, targets, noise)):
            g = np.zeros_like(x) if j == 3 else scale * (x - target + 0.3 * eps[t - 1])
            if t % 3 == 0:
                g.flat[::2] = 0.0
            out.append(g)
        return out

    return x0, grad


def relative_error(ours: Arrays, ref: Arrays) -> float:
    """The largest |ours - ref| / |ref| (exact zeros must match exactly)."""
    worst = 0.0
    for a, b in zip(ours, ref):
        diff = np.abs(a - b)
        if np.any(diff[b == 0] != 0):
            return np.inf
        nonzero = b != 0
        if np.any(nonzero):
            worst = max(worst, float(np.max(diff[nonzero] / np.abs(b[nonzero]))))
    return worst


# -- running the references -------------------------------------------------------------
def run_optax(tx, seed: int, lookahead: bool = False, max_scale: int = 3) -> dict:
    x0, grad = make_problem(seed, max_scale)
    params = [jnp.asarray(x) for x in x0]
    if lookahead:
        params = optax.LookaheadParams.init_synced(params)
    state = tx.init(params)
    xs, slows, gs = [x0], [x0], []
    for t in range(1, STEPS + 1):
        fast = params.fast if lookahead else params
        gs.append(grad(t, [np.asarray(p) for p in fast]))
        g = [jnp.asarray(a) for a in gs[-1]]  # lookahead too: the gradient at the fast params
        updates, state = tx.update(g, state, params)
        params = optax.apply_updates(params, updates)
        fast = params.fast if lookahead else params
        xs.append([np.asarray(p) for p in fast])
        if lookahead:
            slows.append([np.asarray(p) for p in params.slow])
    return {"xs": xs, "gs": gs, "slows": slows if lookahead else None, "state": state}


def run_torch(make: Callable[[list[torch.Tensor]], torch.optim.Optimizer], seed: int,
              max_scale: int = 3) -> dict:
    x0, grad = make_problem(seed, max_scale)
    params = [torch.tensor(x, requires_grad=True) for x in x0]
    opt = make(params)
    xs, gs = [x0], []
    for t in range(1, STEPS + 1):
        gs.append(grad(t, [p.detach().numpy().copy() for p in params]))
        for p, g in zip(params, gs[-1]):
            p.grad = torch.tensor(g)
        opt.step()
        xs.append([p.detach().numpy().copy() for p in params])
    return {"xs": xs, "gs": gs, "opt": opt, "params": params}


def replay(opt, run: dict) -> Arrays:
    """alr_teach's trajectory on the reference's gradients (list of params per step)."""
    params, out = run["xs"][0], [run["xs"][0]]
    for g in run["gs"]:
        params = opt.step(params, g)
        out.append(params)
    return out


def worst_over_steps(ours: list[Arrays], ref: list[Arrays]) -> float:
    return max(relative_error(a, b) for a, b in zip(ours, ref))


# -- configurations stored for the tests -----------------------------------------------
# (alr_teach spec, reference name, a function that runs the reference, problem options)
# An alr_teach spec is {"class": name, "kwargs": {...}} with "inner" for a Lookahead.
def _lamb(lr, b1=0.9, b2=0.999, eps=1e-6, wd=0.0):
    spec = {"class": "LAMB", "kwargs": {"lr": lr, "betas": [b1, b2], "eps": eps,
                                        "weight_decay": wd}}
    return spec, "optax.lamb", lambda seed: run_optax(
        optax.lamb(lr, b1=b1, b2=b2, eps=eps, weight_decay=wd), seed)


def _novograd(lr, b1=0.95, b2=0.98, eps=1e-8, wd=0.0):
    spec = {"class": "NovoGrad", "kwargs": {"lr": lr, "betas": [b1, b2], "eps": eps,
                                            "weight_decay": wd}}
    return spec, "optax.novograd", lambda seed: run_optax(
        optax.novograd(lr, b1=b1, b2=b2, eps=eps, weight_decay=wd), seed)


def _optax_lookahead(inner_spec, inner_tx, k, alpha, max_scale=3):
    spec = {"class": "Lookahead", "inner": inner_spec, "kwargs": {"k": k, "alpha": alpha}}
    return spec, "optax.lookahead", lambda seed: run_optax(
        optax.lookahead(inner_tx, sync_period=k, slow_step_size=alpha), seed,
        lookahead=True, max_scale=max_scale)


def _torch_run(spec, name, make, max_scale=3):
    return spec, name, lambda seed: run_torch(make, seed, max_scale)


CONFIGS = [
    _lamb(1e-3),
    _lamb(0.01, wd=0.1),
    _lamb(0.05, b1=0.5, b2=0.9, eps=1e-8, wd=0.01),
    _novograd(1e-3),
    _novograd(0.01, wd=0.1),
    _novograd(0.05, b1=0.8, b2=0.5, eps=1e-6),
    _optax_lookahead({"class": "Adam", "kwargs": {"lr": 0.01}}, optax.adam(0.01), 5, 0.5),
    _optax_lookahead({"class": "SGD", "kwargs": {"lr": 1e-4, "momentum": 0.9}},
                     optax.sgd(1e-4, momentum=0.9), 3, 0.8),
    _optax_lookahead({"class": "LAMB", "kwargs": {"lr": 0.01, "weight_decay": 0.01}},
                     optax.lamb(0.01, weight_decay=0.01), 4, 0.3),
    _torch_run({"class": "NovoGrad", "kwargs": {"lr": 0.01}}, "pytorch_optimizer.NovoGrad",
               lambda p: pytorch_optimizer.NovoGrad(p, lr=0.01)),
    _torch_run({"class": "NovoGrad", "kwargs": {"lr": 0.01, "weight_decay": 0.1}},
               "pytorch_optimizer.NovoGrad",
               lambda p: pytorch_optimizer.NovoGrad(p, lr=0.01, weight_decay=0.1)),
    _torch_run({"class": "Lookahead", "inner": {"class": "Adam", "kwargs": {"lr": 0.01}},
                "kwargs": {"k": 5, "alpha": 0.5}},
               "pytorch_optimizer.Lookahead(torch.optim.Adam)",
               lambda p: pytorch_optimizer.Lookahead(
                   torch.optim.Adam(p, lr=0.01, foreach=False), k=5, alpha=0.5)),
    _torch_run({"class": "Ranger", "kwargs": {"lr": 0.01, "weight_decay": 0.1}},
               "pytorch_optimizer.Ranger(use_gc=False, degenerated_to_sgd=True)",
               lambda p: pytorch_optimizer.Ranger(p, lr=0.01, weight_decay=0.1, use_gc=False,
                                                  degenerated_to_sgd=True)),
    _torch_run({"class": "Ranger", "kwargs": {"lr": 0.02, "betas": [0.9, 0.99], "eps": 1e-8,
                                              "k": 4, "alpha": 0.7}},
               "pytorch_optimizer.Ranger(use_gc=False, degenerated_to_sgd=True)",
               lambda p: pytorch_optimizer.Ranger(p, lr=0.02, betas=(0.9, 0.99), eps=1e-8,
                                                  k=4, alpha=0.7, use_gc=False,
                                                  degenerated_to_sgd=True)),
]

CLASSES = {"LAMB": LAMB, "NovoGrad": NovoGrad, "Lookahead": Lookahead, "Ranger": Ranger,
           "Adam": Adam, "SGD": SGD}


def build(spec: dict):
    """The alr_teach optimizer a spec describes (the tests have the same function)."""
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in spec["kwargs"].items()}
    if "inner" in spec:
        return CLASSES[spec["class"]](build(spec["inner"]), **kwargs)
    return CLASSES[spec["class"]](**kwargs)


def final_state(name: str, run: dict) -> dict[str, Arrays]:
    """The reference's state at the end, under alr_teach's names."""
    if name in ("optax.lamb", "optax.novograd"):
        adam_like = run["state"][0]
        return {"m": [np.asarray(a) for a in adam_like.mu],
                "v": [np.asarray(a) for a in adam_like.nu]}
    if name == "optax.lookahead":
        return {"slow_weights": run["slows"][-1]}
    opt, params = run["opt"], run["params"]
    if name.startswith("pytorch_optimizer.NovoGrad"):
        return {"m": [opt.state[p]["moments"].numpy() for p in params],
                "v": [opt.state[p]["grads_ema"].numpy() for p in params]}
    if name.startswith("pytorch_optimizer.Lookahead"):
        return {"slow_weights": [opt.state[p]["slow_params"].numpy() for p in params]}
    return {"slow_weights": [opt.state[p]["slow_buffer"].numpy() for p in params],
            "m": [opt.state[p]["exp_avg"].numpy() for p in params],
            "v": [opt.state[p]["exp_avg_sq"].numpy() for p in params]}


# -- differences from pytorch-optimizer, checked against transcriptions -----------------
def pytorch_optimizer_lamb(lr, b1, b2, eps, wd):
    """pytorch-optimizer 4.1.0's Lamb with its defaults, as the LAMB docstring states it."""

    def transcription(run: dict) -> list[Arrays]:
        xs = [x.copy() for x in run["xs"][0]]
        m = [np.zeros_like(x) for x in xs]
        v = [np.zeros_like(x) for x in xs]
        out = [[x.copy() for x in xs]]
        for t, gs in enumerate(run["gs"], start=1):
            new = []
            for j, (x, g) in enumerate(zip(xs, gs)):
                x = x * (1 - lr * wd)                              # decoupled decay first
                m[j] = b1 * m[j] + (1 - b1) * g
                v[j] = b2 * v[j] + (1 - b2) * g * g                # never bias-corrected
                u = m[j] / (np.sqrt(v[j]) + eps)
                x_norm, u_norm = min(np.linalg.norm(x), 10.0), np.linalg.norm(u)  # clamp 10
                ratio = 1.0 if x_norm == 0 or u_norm == 0 else x_norm / (u_norm + eps)
                new.append(x - lr / (1 - b1**t) * ratio * u)       # m's correction on the step
            xs = new
            out.append([x.copy() for x in xs])
        return out

    return transcription


def pytorch_optimizer_novograd_averaging(lr, b1, b2, eps):
    """pytorch-optimizer's NovoGrad with grad_averaging=True: (1 - beta1) from step 2 on."""

    def transcription(run: dict) -> list[Arrays]:
        xs = [x.copy() for x in run["xs"][0]]
        m: list = [None] * len(xs)
        v: list = [None] * len(xs)
        out = [[x.copy() for x in xs]]
        for t, gs in enumerate(run["gs"], start=1):
            for j, g in enumerate(gs):
                g_sq = np.sum(g * g)
                v[j] = g_sq if t == 1 else b2 * v[j] + (1 - b2) * g_sq
                g_hat = g / (np.sqrt(v[j]) + eps)
                m[j] = g_hat if t == 1 else b1 * m[j] + (1 - b1) * g_hat
                xs[j] = xs[j] - lr * m[j]
            out.append([x.copy() for x in xs])
        return out

    return transcription


def verify_differences() -> list[dict]:
    """Each documented difference from pytorch-optimizer, checked; what was found."""
    found = []

    def record(claim: str, error: float, limit: float = 1e-10, **extra) -> None:
        print(f"  {error:9.2e}  {claim}")
        assert error <= limit, f"not verified: {claim} (error {error:.3e})"
        found.append({"claim": claim, "max_relative_error": error, **extra})

    for wd, foreach in [(0.0, None), (0.1, None), (0.1, False)]:
        kw = {"lr": 0.01, "weight_decay": wd}
        run = run_torch(lambda p, kw=kw, fe=foreach: pytorch_optimizer.Lamb(p, foreach=fe, **kw),
                        seed=7)
        ours = worst_over_steps(replay(LAMB(**kw), run), run["xs"])
        record(f"pytorch_optimizer.Lamb(lr=0.01, weight_decay={wd}, foreach={foreach}) is the "
               "rule in LAMB's docstring: v not bias-corrected, lr / (1 - beta1**t) after the "
               "ratio, ||x|| clipped at 10, eps added to ||u||, decay decoupled",
               worst_over_steps(pytorch_optimizer_lamb(0.01, 0.9, 0.999, 1e-6, wd)(run),
                                run["xs"]),
               alr_teach_LAMB_max_relative_difference=ours)

    run = run_torch(lambda p: pytorch_optimizer.NovoGrad(p, lr=0.01, grad_averaging=True), seed=8)
    record("pytorch_optimizer.NovoGrad(grad_averaging=True) multiplies the normalised gradient "
           "by (1 - beta1) from step 2 on (m_1 = g_hat_1)",
           worst_over_steps(pytorch_optimizer_novograd_averaging(0.01, 0.95, 0.98, 1e-8)(run),
                            run["xs"]))

    # Ranger's defaults: before the threshold, steps go *up* the gradient (1-D array: no GC)
    lr = 0.01
    run = run_torch(lambda p: pytorch_optimizer.Ranger(p, lr=lr), seed=9)
    x0, x1, g1 = run["xs"][0][1], run["xs"][1][1], run["gs"][0][1]
    record("pytorch_optimizer.Ranger() (degenerated_to_sgd=False): step 1 is x + lr * m_hat "
           "(m_hat_1 = g_1), where torch's RAdam takes x - lr * m_hat",
           relative_error([x1 - x0], [lr * g1]), limit=1e-7)
    ours = Ranger(lr=lr).step(run["xs"][0], run["gs"][0])
    record("alr_teach Ranger step 1 is x - lr * m_hat", relative_error([ours[1] - x0], [-lr * g1]),
           limit=1e-7)

    # ... and gradient centralisation of arrays with more than one axis
    run = run_torch(lambda p: pytorch_optimizer.Ranger(p, lr=lr, degenerated_to_sgd=True), 10)
    centred = {"gs": [[g - g.mean(axis=tuple(range(1, g.ndim)), keepdims=True) if g.ndim > 1
                       else g for g in gs] for gs in run["gs"]], "xs": run["xs"]}
    record("pytorch_optimizer.Ranger(degenerated_to_sgd=True) with its default use_gc=True "
           "equals alr_teach's Ranger given gradients with each row's mean removed (arrays "
           "with more than one axis)",
           worst_over_steps(replay(Ranger(lr=lr), centred), run["xs"]), limit=1e-7)
    return found


# -- writing -----------------------------------------------------------------------------
def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    meta = []
    print("alr_teach vs the references (largest relative error over all steps):")
    for i, (spec, name, reference) in enumerate(CONFIGS):
        run = reference(2000 + i)
        for j in range(len(SHAPES)):
            arrays[f"c{i}/x{j}"] = np.stack([xs[j] for xs in run["xs"]])     # (STEPS + 1, *shape)
            arrays[f"c{i}/g{j}"] = np.stack([gs[j] for gs in run["gs"]])     # (STEPS, *shape)
            for state_name, values in final_state(name, run).items():
                arrays[f"c{i}/state{j}/{state_name}"] = np.asarray(values[j])
        error = worst_over_steps(replay(build(spec), run), run["xs"])
        print(f"  {error:9.2e}  c{i}: {spec['class']} vs {name}")
        meta.append({"id": i, "alr_teach": spec, "reference": name,
                     "alr_teach_max_relative_error": error})
    print("documented differences from pytorch-optimizer:")
    verified = verify_differences()
    np.savez_compressed(OUT / "optax_parity.npz", **arrays)
    info = {
        "generated_by": "tools/make_optax_fixtures.py",
        "jax": jax.__version__,
        "optax": optax.__version__,
        "pytorch_optimizer": version("pytorch_optimizer"),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "dtype": "float64",
        "steps": STEPS,
        "shapes": [list(s) for s in SHAPES],
        "configs": meta,
        "verified": verified,
    }
    (OUT / "optax_parity.json").write_text(json.dumps(info, indent=1) + "\n")
    print(f"wrote {len(meta)} configurations x {STEPS} steps to {OUT}")


if __name__ == "__main__":
    main()
