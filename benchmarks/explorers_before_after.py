"""Did moving the explorers onto one base slow them down? Each explorer, this tree vs another.

For every explorer that exists in both trees, one *refresh* is what a slider event costs:
``update()`` (validate, compute the runs, move the artists, summarise) and then ``png()``
(the Agg redraw and the PNG the widget shows). Each tree runs in its own interpreter; the
trees take turns, round after round, so load on the machine hits both alike. Prints the
median refresh per explorer for each tree and their ratio (after / before).

    git worktree add /tmp/alr-old a215da2      # the pre-refactor main
    python benchmarks/explorers_before_after.py --baseline /tmp/alr-old [--rounds 5] [--updates 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: explorer -> (module before the layers, module after); built with their defaults
EXPLORERS = {
    "OptimizerExplorer": ("alr_teach.widgets", "alr_teach.viz.widgets"),
    "AccumulatorExplorer": (
        "alr_teach.accumulator_explorer", "alr_teach.viz.explorers.accumulator"
    ),
    "EigenExplorer": ("alr_teach.eigen_explorer", "alr_teach.viz.explorers.eigen"),
    "MemoryExplorer": ("alr_teach.memory_explorer", "alr_teach.viz.explorers.memory"),
    "MomentExplorer": ("alr_teach.moment_explorer", "alr_teach.viz.explorers.moment"),
    "ScheduleExplorer": ("alr_teach.schedule_explorer", "alr_teach.viz.explorers.schedule"),
    "UnitsExplorer": ("alr_teach.units_explorer", "alr_teach.viz.explorers.units"),
    "HypergradientExplorer": ("alr_teach.hypergradient", "alr_teach.viz.explorers.hypergradient"),
}

_PROBE = """
import importlib, json, statistics, sys, time
import matplotlib
matplotlib.use("Agg")
explorers, updates = json.loads(sys.argv[1]), int(sys.argv[2])
out = {}
for name, modules in explorers.items():
    for module in modules:
        try:
            cls = getattr(importlib.import_module(module), name)
            break
        except ImportError:
            continue
    explorer = cls()
    explorer.update(); explorer.png()  # warm-up
    times = []
    for _ in range(updates):
        start = time.perf_counter()
        explorer.update()
        explorer.png()
        times.append(time.perf_counter() - start)
    out[name] = statistics.median(times) * 1e3
print(json.dumps(out))
"""


def _measure(tree: Path, updates: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(EXPLORERS), str(updates)],
        cwd=tree, env={"PYTHONPATH": str(tree), "PATH": ""}, capture_output=True, text=True,
        check=True,
    )
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--updates", type=int, default=5, help="refreshes per explorer a round")
    args = parser.parse_args()

    after: dict[str, list[float]] = {name: [] for name in EXPLORERS}
    before: dict[str, list[float]] = {name: [] for name in EXPLORERS}
    for _ in range(args.rounds):
        for tree, into in ((ROOT, after), (args.baseline.resolve(), before)):
            for name, ms in _measure(tree, args.updates).items():
                into[name].append(ms)

    print(f"median refresh (update + png), {args.rounds} rounds x {args.updates} updates")
    print(f"{'explorer':24s} {'before':>9s} {'after':>9s}  after/before")
    for name in EXPLORERS:
        b, a = statistics.median(before[name]), statistics.median(after[name])
        print(f"{name:24s} {b:7.1f}ms {a:7.1f}ms  {a / b:5.2f}")


if __name__ == "__main__":
    main()
