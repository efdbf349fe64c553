"""How much does one step of each optimizer beyond Adam cost, next to Adam's? (issue: Beyond Adam)

Times ``opt.step`` on 10^6 float64 parameters for alr_teach.Adam and for Adamax, NAdam and
RAdam (alr_teach.adam_variants), plus LAMB and NovoGrad (alr_teach.layerwise) and Lookahead
and Ranger (alr_teach.lookahead) when those modules exist; a missing module or class is
reported and skipped. The candidates are timed in interleaved rounds (each round: the best
of a few calls of every optimizer in turn, so a burst of load on the machine hits all
alike); the figures are the median over rounds, and each optimizer's ratio to Adam is the
median of its per-round ratios. Target: every optimizer at most 2x Adam's time.

    python benchmarks/beyond_adam_step.py [--n 1000000] [--rounds 15] [--threads N]

Every optimizer takes 8 warm-up steps first, so RAdam is timed in its rectified regime
(from step 6 on with beta2 = 0.999), the costlier one. ``--threads 1`` sets
ALR_TEACH_THREADS=1 (one thread for the element-wise rules' slices).
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
from collections.abc import Callable

import numpy as np

TARGET = 2.0
WARM_UP_STEPS = 8


def best_time(fn: Callable[[], None], repeats: int) -> float:
    """The fastest of ``repeats`` calls: the least disturbed by other work on the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def optional(module: str, builders: dict[str, Callable]) -> tuple[dict, list[str]]:
    """Optimizers from ``alr_teach.<module>`` if it exists: name -> optimizer, and notes."""
    try:
        found = importlib.import_module(f"alr_teach.{module}")
    except ImportError as error:
        return {}, [f"alr_teach.{module} not importable ({error}): {', '.join(builders)} skipped"]
    made, notes = {}, []
    for name, build in builders.items():
        cls = getattr(found, name, None)
        if cls is None:
            notes.append(f"alr_teach.{module} has no {name}: skipped")
            continue
        try:
            made[name] = build(cls)
        except (TypeError, ValueError) as error:
            notes.append(f"{name} could not be built with {build.__doc__} ({error}): skipped")
    return made, notes


def candidates() -> tuple[dict[str, object], list[str]]:
    """The optimizers to time, Adam first, each with torch's defaults."""
    from alr_teach import Adam
    from alr_teach.adam_variants import Adamax, NAdam, RAdam

    opts: dict[str, object] = {"Adam": Adam(), "Adamax": Adamax(), "NAdam": NAdam(),
                               "RAdam": RAdam()}

    def default(cls):
        """its defaults"""
        return cls()

    def wrapping_adam(cls):
        """an Adam() inside"""
        return cls(Adam())

    notes = []
    for module, builders in [("layerwise", {"LAMB": default, "NovoGrad": default}),
                             ("lookahead", {"Lookahead": wrapping_adam, "Ranger": default})]:
        made, more = optional(module, builders)
        opts.update(made)
        notes += more
    return opts, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5, help="calls per round (best kept)")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (median kept)")
    parser.add_argument("--threads", type=int, default=0, help="ALR_TEACH_THREADS (0: default)")
    args = parser.parse_args()
    if args.threads:
        os.environ["ALR_TEACH_THREADS"] = str(args.threads)

    rng = np.random.default_rng(0)
    x0 = rng.normal(size=args.n)
    g = rng.normal(size=args.n) * 10.0 ** rng.integers(-3, 4, size=args.n)
    opts, notes = candidates()

    def stepper(opt) -> Callable[[], None]:
        params = {"x": x0}

        def step() -> None:
            params["x"] = opt.step(params["x"], g)

        return step

    steps = {name: stepper(opt) for name, opt in opts.items()}
    for step in steps.values():
        for _ in range(WARM_UP_STEPS):
            step()
    results: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(args.rounds):
        for name, step in steps.items():
            results[name].append(best_time(step, args.repeats))
    adam = np.array(results["Adam"])

    threads = os.environ.get("ALR_TEACH_THREADS", "default")
    print(f"one step on {args.n:,} float64 parameters (ALR_TEACH_THREADS={threads}, "
          f"numpy {np.__version__}; median of {args.rounds} rounds, best of {args.repeats})")
    misses = []
    for name, seconds in results.items():
        line = f"  {name:10s} {np.median(seconds) * 1e3:8.2f} ms"
        if name != "Adam":
            ratios = np.array(seconds) / adam
            ratio = float(np.median(ratios))
            line += f"   {ratio:5.2f}x Adam (rounds: {ratios.min():.2f}x to {ratios.max():.2f}x)"
            if ratio > TARGET:
                misses.append(name)
        print(line)
    for note in notes:
        print(f"  note: {note}")
    verdict = f"misses it: {', '.join(misses)}" if misses else "all meet it"
    print(f"  -> target <= {TARGET:g}x Adam: {verdict}")


if __name__ == "__main__":
    main()
