"""How long from releasing a slider to the new figure, in a real browser? (issue: section 4)

Runs the end-to-end browser test (tests/browser/test_sliders_in_jupyterlab.py): JupyterLab
on a free loopback port, each notebook with an explorer opened in headless Chromium, its
cells run (up to its last explorer; every cell with --all-cells), the first slider of each
explorer dragged a few times. The test measures, in the page, the time from the mouse
button's release to the moment the figure's <img> gets its new source, and writes every
drag to build/browser/latency.json. This script then prints the median and the maximum
per notebook and overall. Target: at most 300 ms median.

    python benchmarks/slider_latency.py [--drags 5] [--all-cells] [--notebook 02_momentum ...]
    python benchmarks/slider_latency.py --report-only   # just summarise latency.json

Needs Chromium (`apt install chromium`, or set ALR_TEACH_CHROMIUM to its path) and the
`playwright` package (in the dev extra); Playwright's own browser download is not used.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "build" / "browser" / "latency.json"
TARGET_MS = 300.0


def summarise(drags_ms: dict[str, list[float]]) -> dict:
    """Median, maximum and count of the latencies of each notebook and of all of them.

    >>> s = summarise({"a": [100.0, 300.0, 200.0], "b": [50.0]})
    >>> s["notebooks"]["a"], s["overall"]["median_ms"], s["overall"]["max_ms"]
    ({'median_ms': 200.0, 'max_ms': 300.0, 'drags': 3}, 150.0, 300.0)
    """

    def stats(values: list[float]) -> dict:
        if not values:
            return {"median_ms": None, "max_ms": None, "drags": 0}
        return {"median_ms": round(statistics.median(values), 1),
                "max_ms": round(max(values), 1), "drags": len(values)}

    every = [ms for values in drags_ms.values() for ms in values]
    return {"target_ms": TARGET_MS,
            "notebooks": {name: stats(values) for name, values in drags_ms.items()},
            "overall": stats(every)}


def report(summary: dict, kernel: dict | None = None) -> str:
    """The summary as a table, one line per notebook, with the verdict against the target;
    ``kernel`` (the summary of the kernel's share of each drag) adds its median.

    >>> print(report(summarise({"a": [250.0]}), kernel=summarise({"a": [200.0]})))
    ... # doctest: +NORMALIZE_WHITESPACE
      notebook  median  max  drags  kernel (ms: mouse release -> new figure; kernel: its share)
      a            250  250      1     200
      all notebooks 250 250      1     200
      median 250 ms: within the target of 300 ms
    """

    def show(ms) -> str:
        return "     -" if ms is None else f"{ms:6.0f}"

    def line(name: str, s: dict, k: dict | None) -> str:
        share = "" if k is None else f"  {show(k['median_ms'])}"
        return f"  {name:28s} {show(s['median_ms'])} {show(s['max_ms'])}  {s['drags']:5d}{share}"

    kernel_rows = kernel["notebooks"] if kernel else {}
    lines = [f"  {'notebook':28s} {'median':>6s} {'max':>6s}  drags"
             + ("  kernel" if kernel else "")
             + "  (ms: mouse release -> new figure" + ("; kernel: its share)" if kernel else ")")]
    for name, s in summary["notebooks"].items():
        lines.append(line(name, s, kernel_rows.get(name)))
    lines.append(line("all notebooks", summary["overall"], kernel and kernel["overall"]))
    overall = summary["overall"]
    if overall["median_ms"] is not None:
        verdict = "within" if overall["median_ms"] <= summary["target_ms"] else "OVER"
        lines.append(f"  median {overall['median_ms']:.0f} ms: {verdict} the target of "
                     f"{summary['target_ms']:.0f} ms")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drags", type=int, default=5, help="drags per explorer")
    parser.add_argument("--notebook", action="append", default=[],
                        help="a notebook's name (stem); repeat for several; default: all")
    parser.add_argument("--all-cells", action="store_true",
                        help="run every cell of each notebook, not just up to its last explorer")
    parser.add_argument("--report-only", action="store_true",
                        help=f"summarise the last run's {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()

    if not args.report_only:
        env = {**os.environ, "ALR_TEACH_REQUIRE_BROWSER": "1",
               "ALR_TEACH_SLIDER_DRAGS": str(args.drags),
               "ALR_TEACH_BROWSER_ALL_CELLS": "1" if args.all_cells else "0"}
        command = [sys.executable, "-m", "pytest", "-q", "tests/browser"]
        if args.notebook:
            command += ["-k", " or ".join(args.notebook)]
        status = subprocess.run(command, cwd=ROOT, env=env).returncode
        if status != 0:
            sys.exit(f"the browser test failed (exit status {status}); see its output above")
    if not RESULTS.exists():
        sys.exit(f"no results: {RESULTS} does not exist (run without --report-only)")
    results = json.loads(RESULTS.read_text())
    print(f"slider-to-figure latency, {results['chromium']}, {results['drags_per_explorer']} "
          f"drags per explorer, measured {results['measured']}")
    print(report(results["summary"], results.get("kernel_summary")))


if __name__ == "__main__":
    main()
