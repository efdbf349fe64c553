"""How long does each notebook take to run top to bottom? (target: under 60 s on 2 cores)

Executes every notebook in notebooks/ (or the ones named) in a fresh kernel, as
`pytest --nbval` does, and prints the wall time of each, kernel start included.

    python benchmarks/notebook_times.py [notebooks/05_adam.ipynb ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    total = 0.0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - start
        total += seconds
        print(f"  {path.name:34s} {seconds:6.1f} s")
    print(f"  {'total':34s} {total:6.1f} s")


if __name__ == "__main__":
    main()
