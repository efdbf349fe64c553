"""How long does each notebook take to run top to bottom? (target: under 60 s on 2 cores)

Executes every notebook in notebooks/ (or the ones named) in a fresh kernel, as
`pytest --nbval` does, and prints the wall time of each, kernel start included.

    python benchmarks/notebook_times.py [notebooks/05_adam.ipynb ...]
    python benchmarks/notebook_times.py --paths [notebooks/05_adam.ipynb ...]

With ``--paths`` each notebook runs, one after the other, natively and on the two other
floating-point paths of ``tools/fp_paths.py`` (numpy limited to AVX2; numpy's SSE
baseline with one BLAS thread), and the table gives each path's time as a ratio to the
native run measured beside it: what ``make test-portable`` costs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.fp_paths import PATHS  # noqa: E402


def seconds_to_run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def seconds_on(path: Path, fp_path: str | None) -> float:
    """One run in a fresh process whose environment selects the floating-point path."""
    env = {**os.environ, **(PATHS[fp_path] if fp_path else {})}
    out = subprocess.run([sys.executable, __file__, "--one", str(path)], env=env,
                         capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--paths", action="store_true", help="compare floating-point paths")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.one:
        print(f"{seconds_to_run(paths[0]):.3f}")
        return
    if not args.paths:
        total = 0.0
        for path in paths:
            seconds = seconds_to_run(path)
            total += seconds
            print(f"  {path.name:34s} {seconds:6.1f} s")
        print(f"  {'total':34s} {total:6.1f} s")
        return
    names = ["native", *PATHS]
    totals = dict.fromkeys(names, 0.0)
    print(f"  {'notebook':34s} {'native':>8s} " + " ".join(f"{n:>10s}" for n in PATHS))
    for path in paths:
        times = {name: seconds_on(path, None if name == "native" else name) for name in names}
        for name in names:
            totals[name] += times[name]
        ratios = " ".join(f"{times[n] / times['native']:9.2f}x" for n in PATHS)
        print(f"  {path.name:34s} {times['native']:6.1f} s {ratios}")
    ratios = " ".join(f"{totals[n] / totals['native']:9.2f}x" for n in PATHS)
    print(f"  {'total':34s} {totals['native']:6.1f} s {ratios}")


if __name__ == "__main__":
    main()
