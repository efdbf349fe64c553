"""How fast and how lean is a 64 x 64 hyperparameter sweep? (issue: toolkit, section 6)

A sweep of 4,096 Adam configurations (lr x beta1) x 300 steps on Rosenbrock, run by
``alr_teach.lab.sweeps.sweep`` as one vectorised batch. Prints, from one run:
  * its time (best of a few; target at most 0.5 s);
  * its peak memory above the start, traced with tracemalloc (target under 200 MB);
  * when torch is installed: the time per configuration of the obvious alternative, a fresh
    ``torch.optim.Adam`` per configuration stepping a 2-element tensor 300 times, measured
    on a sample of configurations in the same run, and the speed-up (target at least 100x).

    python benchmarks/sweep_throughput.py [--grid 64] [--steps 300] [--torch-sample 32]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from alr_teach import Adam
from alr_teach.lab.sweeps import sweep
from alr_teach.problems.landscapes import Rosenbrock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=64)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--torch-sample", type=int, default=32)
    args = parser.parse_args()

    landscape = Rosenbrock()
    grid = {"lr": np.logspace(-4, 0, args.grid), "beta1": np.linspace(0.0, 0.99, args.grid)}

    def ours():
        return sweep(Adam, landscape, grid, steps=args.steps)

    ours()  # warm-up
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        result = ours()
        times.append(time.perf_counter() - start)
    best = min(times)

    tracemalloc.start()
    ours()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    cells = args.grid**2
    print(f"sweep: {cells:,} Adam configurations x {args.steps} steps on {landscape.name}")
    print(f"  alr_teach sweep      {best:8.3f} s (best of {args.repeats}; target <= 0.5 s)")
    print(f"  peak memory          {peak / 2**20:8.1f} MB (tracemalloc; target < 200 MB)")
    print(f"  diverged cells       {int(result.diverged.sum()):8d} of {cells}")

    try:
        import torch
    except ImportError:
        print("  torch not installed: speed-up over a torch loop skipped")
        return
    rng = np.random.default_rng(0)
    picks = rng.choice(cells, size=min(args.torch_sample, cells), replace=False)
    a, b = landscape.a, landscape.b
    start = time.perf_counter()
    for index in picks:
        i, j = np.unravel_index(index, (args.grid, args.grid))
        xy = torch.tensor(landscape.start, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([xy], lr=float(grid["lr"][i]),
                               betas=(float(grid["beta1"][j]), 0.999))
        for _ in range(args.steps):
            opt.zero_grad()
            loss = (a - xy[0]) ** 2 + b * (xy[1] - xy[0] ** 2) ** 2
            loss.backward()
            opt.step()
    per_config = (time.perf_counter() - start) / len(picks)
    loop_total = per_config * cells
    print(f"  torch loop           {per_config * 1e3:8.2f} ms per configuration "
          f"(sample of {len(picks)}), {loop_total:.1f} s for all {cells:,}")
    print(f"  speed-up             {loop_total / best:8.0f}x (target >= 100x)")


if __name__ == "__main__":
    main()
