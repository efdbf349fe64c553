"""How much does one step of each optimizer beyond Adam cost, next to Adam's? (issue: Beyond Adam)

Times ``opt.step`` on 10^6 float64 parameters for alr_teach.Adam and for Adamax, NAdam and
RAdam (alr_teach.optimizers.adam_variants), LAMB and NovoGrad
(alr_teach.optimizers.layerwise), and Lookahead
(around Adam) and Ranger (alr_teach.optimizers.lookahead). The candidates are timed in interleaved
rounds (each round: the best of a few calls of every optimizer in turn, so a burst of load
on the machine hits all alike); the figures are the median over rounds, and each
optimizer's ratio to Adam is the median of its per-round ratios. Target: every optimizer at
most 2x Adam's time.

    python benchmarks/beyond_adam_step.py [--n 1000000] [--rounds 15]

Every optimizer takes 8 warm-up steps first, so RAdam is timed in its rectified regime
(from step 6 on with beta2 = 0.999), the costlier one. Every step runs on one thread
(numpy's element-wise loops).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from _timing import interleaved, step_arguments

from alr_teach import LAMB, Adam, Adamax, Lookahead, NAdam, NovoGrad, RAdam, Ranger

TARGET = 2.0
WARM_UP_STEPS = 8


def candidates() -> dict[str, object]:
    """The optimizers to time, Adam first, each with torch's defaults (Lookahead wraps Adam)."""
    return {"Adam": Adam(), "Adamax": Adamax(), "NAdam": NAdam(), "RAdam": RAdam(),
            "LAMB": LAMB(), "NovoGrad": NovoGrad(), "Lookahead": Lookahead(Adam()),
            "Ranger": Ranger()}


def main() -> None:
    args = step_arguments(__doc__.splitlines()[0], repeats=5)
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=args.n)
    g = rng.normal(size=args.n) * 10.0 ** rng.integers(-3, 4, size=args.n)
    opts = candidates()

    def stepper(opt) -> Callable[[], None]:
        params = {"x": x0}

        def step() -> None:
            params["x"] = opt.step(params["x"], g)

        return step

    steps = {name: stepper(opt) for name, opt in opts.items()}
    for step in steps.values():
        for _ in range(WARM_UP_STEPS):
            step()
    results = interleaved(steps, args.rounds, args.repeats)
    adam = np.array(results["Adam"])

    print(f"one step on {args.n:,} float64 parameters (one thread, "
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
    verdict = f"misses it: {', '.join(misses)}" if misses else "all meet it"
    print(f"  -> target <= {TARGET:g}x Adam: {verdict}")


if __name__ == "__main__":
    main()
