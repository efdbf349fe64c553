"""How long ``import alr_teach`` takes in a fresh interpreter, against an older tree.

Each run is a new ``python -c "import alr_teach"`` process, so nothing is cached in memory
(the operating system's file cache is warm after the first run, for both trees alike). The
trees take turns -- current, baseline, current, baseline... -- so a burst of load on the
machine hits both. Prints the median wall time of each, their ratio (target: at most 1.0,
"no slower than today"), and the costliest imports of the current tree from
``python -X importtime`` (cumulative microseconds, the package's own modules and
third-party ones alike).

The baseline is any checkout of the repository, e.g. the pre-refactor main::

    git worktree add /tmp/alr-old a215da2
    python benchmarks/import_time.py --baseline /tmp/alr-old [--runs 15] [--top 12]

Without ``--baseline`` only the current tree is timed. Each tree is imported from its own
folder (it is first on ``sys.path``, before an editable install); the script checks that the
module really came from that folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = "import alr_teach, sys; sys.stdout.write(alr_teach.__file__)"


def _environment(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env.pop("PYTHONSTARTUP", None)
    return env


def check_tree(tree: Path) -> None:
    """Fail loudly unless ``import alr_teach`` run in ``tree`` imports ``tree``'s package."""
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tree, env=_environment(tree),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"import alr_teach fails in {tree}:\n{done.stderr}")
    found = Path(done.stdout).resolve()
    if tree.resolve() not in found.parents:
        raise SystemExit(f"in {tree}, alr_teach was imported from {found} instead")


def one_import(tree: Path) -> float:
    """Wall time in seconds of one fresh ``python -c "import alr_teach"`` in ``tree``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import alr_teach"], cwd=tree,
                   env=_environment(tree), check=True)
    return time.perf_counter() - start


def bare_interpreter() -> float:
    """Wall time of ``python -c pass``: the part of every run that is not the import."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def top_imports(tree: Path, top: int) -> list[tuple[int, int, str]]:
    """``(cumulative us, self us, module)`` of the costliest imports, from ``-X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import alr_teach"],
                          cwd=tree, env=_environment(tree), capture_output=True, text=True,
                          check=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        rows.append((int(cumulative), int(own), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout of the repository")
    parser.add_argument("--runs", type=int, default=15, help="imports per tree (median kept)")
    parser.add_argument("--top", type=int, default=12, help="rows of the -X importtime table")
    args = parser.parse_args()
    if args.runs < 1:
        raise SystemExit(f"Invalid runs: {args.runs} (need a whole number >= 1)")

    trees = {"current": ROOT}
    if args.baseline is not None:
        trees["baseline"] = args.baseline
    for tree in trees.values():
        check_tree(tree)
        one_import(tree)  # warm the file cache and the bytecode caches of both trees alike

    times: dict[str, list[float]] = {name: [] for name in trees}
    times["python -c pass"] = []
    for _ in range(args.runs):
        for name, tree in trees.items():
            times[name].append(one_import(tree))
        times["python -c pass"].append(bare_interpreter())

    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"median wall time of a fresh `python -c \"import alr_teach\"` over {args.runs} "
          "alternating runs:")
    for name, tree in trees.items():
        print(f"  {name:<14} {median[name] * 1e3:7.1f} ms   ({tree})")
    bare = median["python -c pass"]
    print(f"  {'python -c pass':<14} {bare * 1e3:7.1f} ms   (the interpreter alone)")
    if "baseline" in trees:
        ratio = median["current"] / median["baseline"]
        without = (median["current"] - bare) / max(median["baseline"] - bare, 1e-9)
        print(f"ratio current / baseline: {ratio:.2f} (import alone, interpreter start "
              f"subtracted: {without:.2f}); target <= 1.0")

    print(f"\ncostliest imports of the current tree (python -X importtime), top {args.top}:")
    print(f"  {'cumulative us':>13} {'self us':>8}  module")
    rows = top_imports(ROOT, 10**6)
    for cumulative, own, name in rows[: args.top]:
        print(f"  {cumulative:>13} {own:>8}  {name}")
    ours = sorted(((own, name) for _, own, name in rows if name.startswith("alr_teach")),
                  reverse=True)
    print(f"the package's own modules: {len(ours)}, {sum(o for o, _ in ours)} us of their own "
          "code; the costliest: " + ", ".join(f"{name} {own} us" for own, name in ours[:4]))


if __name__ == "__main__":
    main()
