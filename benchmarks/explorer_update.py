"""How quickly does the 2-D explorer respond to a slider? (issue: toolkit, section 6)

One explorer update = rerun 6 optimizers x 300 steps on Rosenbrock, move their lines, and
redraw the figure with the Agg backend (what the widget does before it sends the PNG).
Target: at most 100 ms median. Also prints the two halves (running vs drawing) and the
PNG encoding the widget adds, so a slow machine can be told from a slow explorer.

    python benchmarks/explorer_update.py [--updates 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from alr_teach.viz.widgets import OptimizerExplorer  # noqa: E402


def median_ms(fn, count: int) -> float:
    times = []
    for i in range(count):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=30)
    args = parser.parse_args()

    explorer = OptimizerExplorer(landscape="rosenbrock", steps=300)
    rates = np.logspace(-2.5, -0.5, args.updates)  # a learner dragging Adam's lr slider

    def full(i):
        explorer.update(lr_Adam=float(rates[i]))
        explorer.fig.canvas.draw()

    full(0)  # warm-up
    total = median_ms(full, args.updates)
    running = median_ms(lambda i: explorer.runs(), args.updates)
    drawing = median_ms(lambda i: explorer.fig.canvas.draw(), args.updates)
    encoding = median_ms(lambda i: explorer.png(), args.updates)
    racers = ", ".join(explorer.settings["racers"])
    print(f"explorer update: {racers} x {explorer.settings['steps']} steps on rosenbrock")
    print(f"  update + Agg redraw  {total:7.1f} ms median of {args.updates} (target <= 100 ms)")
    print(f"    of which runs      {running:7.1f} ms")
    print(f"    of which drawing   {drawing:7.1f} ms")
    print(f"  PNG for the widget   {encoding:7.1f} ms (extra, in the browser path)")


if __name__ == "__main__":
    main()
