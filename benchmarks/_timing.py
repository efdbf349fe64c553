"""What the step benchmarks share: their options, and timing in interleaved rounds.

Run from the repository root as ``python benchmarks/<script>.py``; the scripts import this
file as a sibling (``from _timing import ...``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable


def step_arguments(
    description: str, repeats: int, threads_help: str | None = None
) -> argparse.Namespace:
    """Parse ``--n --repeats --rounds`` and, given ``threads_help``, ``--threads``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=repeats, help="calls per round (best kept)")
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (median kept)")
    if threads_help is not None:
        parser.add_argument("--threads", type=int, default=0, help=threads_help)
    return parser.parse_args()


def best_time(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of ``repeats`` calls: the least disturbed by other work on the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def interleaved(
    candidates: dict[str, Callable[[], object]], rounds: int, repeats: int
) -> dict[str, list[float]]:
    """Each candidate's best time per round, the candidates taking turns within a round.

    A burst of load on the machine then hits every candidate alike, so the ratios of one
    round stay comparable even when the absolute times do not.
    """
    results: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            results[name].append(best_time(fn, repeats))
    return results
