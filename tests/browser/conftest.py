"""Collects the slider-to-figure latencies of the browser test and reports them.

The test appends one record per drag to the ``latency_log`` fixture; at the end of the
session the records and their summaries (median and maximum per notebook and overall, of
the whole latency and of the kernel's share, by benchmarks/slider_latency.py's
``summarise``) go to build/browser/latency.json and the table is printed after the test
results. Nothing here asserts a time.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest

from benchmarks.slider_latency import RESULTS, report, summarise

REPORT = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def latency_log(request):
    """Per notebook: the run-all time, the browser used and one record per slider drag."""
    log: dict = {"chromium": None, "drags_per_explorer": None, "notebooks": {},
                 "load_average_before": _load_average()}
    yield log
    log["load_average_after"] = _load_average()
    drags = {name: [d["figure_ms"] for d in nb["drags"]] for name, nb in log["notebooks"].items()}
    if not any(drags.values()):
        return
    kernel = {name: [d["kernel_ms"] for d in nb["drags"] if d["kernel_ms"] is not None]
              for name, nb in log["notebooks"].items()}
    summary, kernel_summary = summarise(drags), summarise(kernel)
    results = {**log, "measured": datetime.datetime.now().isoformat(timespec="seconds"),
               "summary": summary, "kernel_summary": kernel_summary}
    Path(RESULTS).parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    request.config.stash[REPORT] = report(summary, kernel_summary)


def _load_average() -> list[float] | None:
    """The machine's 1, 5 and 15 minute load averages (how busy it was), where known."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def pytest_terminal_summary(terminalreporter, config):
    text = config.stash.get(REPORT, None)
    if text:
        terminalreporter.section("slider-to-figure latency (build/browser/latency.json)")
        terminalreporter.write_line(text)
