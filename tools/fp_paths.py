"""Run strict nbval on other floating-point paths than this machine's own.

A learner's laptop computes ``exp``, sums and matrix products with other instructions than
the machine that executed the committed notebooks (AVX-512 or only SSE on x86-64, NEON on
Apple silicon, MKL under conda), so the last bits of a result differ. Every claim and
every printed number must survive that. This script re-runs the notebooks on two other
paths that any x86-64 machine can take:

``avx2``
    numpy's SIMD loops limited to AVX2 (every group above X86_V3 disabled) and OpenBLAS's
    Haswell kernels;
``baseline``
    numpy at its X86_V2 baseline (no AVX at all), OpenBLAS's oldest x86-64 kernels
    (Prescott) on one thread.

``make test-portable`` runs both on ``notebooks/`` and ``solutions/``;
``python tools/fp_paths.py --path baseline notebooks/05_adam.ipynb`` runs one notebook on
one path. Every other argument goes to pytest (``-p no:xdist``, ``-q``, notebooks). On a
machine that is not x86-64 the paths do not exist and the script says so and exits 0 (the
native run in ``make test`` still counts).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: environment of each path (numpy ignores groups the CPU lacks)
PATHS: dict[str, dict[str, str]] = {
    "avx2": {
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
        "OPENBLAS_CORETYPE": "Haswell",
    },
    "baseline": {
        "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
        "OPENBLAS_CORETYPE": "Prescott",
        "OPENBLAS_NUM_THREADS": "1",
    },
}
NBVAL = ["--nbval", "--nbval-sanitize-with", "nbval_sanitize.cfg", "--nbval-cell-timeout=300"]


def is_x86_64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def run(path: str, targets: list[str], pytest_args: list[str]) -> int:
    env = {**os.environ, **PATHS[path]}
    command = [sys.executable, "-m", "pytest", *NBVAL, *pytest_args, *targets]
    print(f"== floating-point path {path!r}: "
          + " ".join(f"{k}={v!r}" for k, v in PATHS[path].items()), flush=True)
    return subprocess.call(command, cwd=ROOT, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--path", choices=[*PATHS, "all"], default="all")
    args, rest = parser.parse_known_args(argv)
    # everything else goes to pytest as given; with no notebook or folder among it, run both
    named = [a for a in rest if not a.startswith("-") and (ROOT / a).exists()]
    targets = [] if named else ["notebooks", "solutions"]
    if not is_x86_64():
        print(f"The alternative floating-point paths exist on x86-64 only; this machine is "
              f"{platform.machine()}: nothing to run.")
        return 0
    chosen = list(PATHS) if args.path == "all" else [args.path]
    codes = [run(path, targets, rest) for path in chosen]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
