"""How fast is one Adam step on 10^6 float64 parameters? (issue: foundation, section 4)

Times, in the same run and interleaved so machine noise hits all alike:
  * alr_teach.Adam.step                       (readable numpy, one temporary per term)
  * torch.optim.Adam.step, default CPU path   (only if torch is installed), and its
    single-tensor path (foreach=False) for information
  * a memory-traffic bound: the bare numpy cost of reading x, g, m, v and writing
    x, m, v once each, i.e. 7 passes over 8 MB, timed as 3.5 array copies
and prints the ratios. Target: alr_teach at most 1.5x torch's time.

    python benchmarks/step_throughput.py [--n 1000000] [--threads N]

Both libraries use every core by default (torch: its intra-op threads; alr_teach: large
element-wise steps split across threads). ``--threads 1`` pins both to one thread
(ALR_TEACH_THREADS and torch.set_num_threads), for a comparison that a busy second core
cannot skew.
"""

from __future__ import annotations

import numpy as np
from _timing import interleaved, step_arguments

import alr_teach


def main() -> None:
    args = step_arguments(__doc__.splitlines()[0], repeats=10,
                          threads_help="threads for both (0: default)")
    rng = np.random.default_rng(0)
    x = rng.normal(size=args.n)
    g = rng.normal(size=args.n)

    ours = alr_teach.Adam(lr=1e-3)
    state = {"x": x}

    def ours_step():
        state["x"] = ours.step(state["x"], g)

    src, dst = rng.normal(size=args.n), np.empty(args.n)

    def traffic_bound():
        for _ in range(3):
            np.copyto(dst, src)
        dst[: args.n // 2] = src[: args.n // 2]  # the half pass: 7 streams = 3.5 copies

    candidates = {"alr_teach.Adam": ours_step, "numpy traffic bound": traffic_bound}
    try:
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)
        p = torch.nn.Parameter(torch.tensor(x))
        p.grad = torch.tensor(g)
        torch_opt = torch.optim.Adam([p], lr=1e-3)
        candidates["torch.optim.Adam"] = torch_opt.step
        q = torch.nn.Parameter(torch.tensor(x))
        q.grad = torch.tensor(g)
        candidates["torch Adam foreach=False"] = torch.optim.Adam([q], lr=1e-3, foreach=False).step
        torch_info = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        torch_info = "torch not installed: torch column skipped"

    for fn in candidates.values():  # warm-up (allocations, lazy state)
        fn()
    results = interleaved(candidates, args.rounds, args.repeats)
    medians = {name: float(np.median(ts)) for name, ts in results.items()}
    # the ratio of each round, so a burst of load on the machine cannot fake a win
    round_ratios = {
        name: np.array(results["alr_teach.Adam"]) / np.array(ts) for name, ts in results.items()
    }

    print(f"Adam step on {args.n:,} float64 parameters ({torch_info}; numpy {np.__version__})")
    for name, seconds in medians.items():
        print(f"  {name:22s} {seconds * 1e3:8.2f} ms")
    for name in medians:
        if name == "alr_teach.Adam":
            continue
        r = round_ratios[name]
        print(f"  alr_teach / {name:24s} median {np.median(r):5.2f}x "
              f"(rounds: {r.min():.2f}x to {r.max():.2f}x)")
    if "torch.optim.Adam" in medians:
        ratio = float(np.median(round_ratios["torch.optim.Adam"]))
        verdict = "meets" if ratio <= 1.5 else "misses"
        print(f"  -> {ratio:.2f}x torch's time: {verdict} the 1.5x target")


if __name__ == "__main__":
    main()
