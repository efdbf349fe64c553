"""alr_teach.MLPClassifier against scikit-learn's MLPClassifier on the digits data.

Setup (the issue's): ``load_digits``, a 75/25 stratified split (``random_state=seed``),
StandardScaler fit on the training part, one hidden layer of 64 ReLU units, batch 64,
30 epochs, no regularisation, every epoch run (no early stopping), and two optimizers:

  * Adam, lr 1e-3              (scikit-learn: solver='adam', learning_rate_init=1e-3)
  * SGD, momentum 0.9, lr 0.01 (scikit-learn: solver='sgd', momentum=0.9,
                                nesterovs_momentum=False, learning_rate='constant')

For each seed both libraries fit ``--repeats`` times, interleaved (ours, theirs, ours...)
so machine noise hits both alike. Prints the median fit time of each, the ratio
(target: ours at most 1.0x scikit-learn's), the test accuracy of each averaged over the
seeds (target: within 1 point), and the tracemalloc peak of a fit on all 1797 digits
(target: under 100 MB).

    python benchmarks/mlp_fit.py [--seeds 0 1 2 3 4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.preprocessing import StandardScaler

from alr_teach import SGD, Adam
from alr_teach.problems.estimator import MLPClassifier

EPOCHS = 30
COMMON = dict(hidden_layer_sizes=(64,), batch_size=64, max_iter=EPOCHS)
SETUPS = {
    "Adam lr=1e-3": (
        lambda: Adam(lr=1e-3),
        dict(solver="adam", learning_rate_init=1e-3),
    ),
    "SGD lr=0.01 momentum=0.9": (
        lambda: SGD(lr=0.01, momentum=0.9),
        dict(solver="sgd", learning_rate_init=0.01, momentum=0.9, nesterovs_momentum=False,
             learning_rate="constant"),
    ),
}


def split(seed: int):
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def ours(make_optimizer, seed: int) -> MLPClassifier:
    return MLPClassifier(**COMMON, optimizer=make_optimizer(), alpha=0.0, random_state=seed)


def theirs(options: dict, seed: int) -> SklearnMLP:
    # tol=0 and n_iter_no_change > max_iter: scikit-learn runs every epoch too
    return SklearnMLP(**COMMON, **options, alpha=0.0, tol=0.0, n_iter_no_change=EPOCHS + 1,
                      random_state=seed)


def timed_fit(model, X, y) -> float:
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def peak_mb(model, X, y) -> float:
    tracemalloc.start()
    model.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)  # scikit-learn's, at max_iter
    data = {seed: split(seed) for seed in args.seeds}
    n_train = len(data[args.seeds[0]][0])

    print(f"digits: {n_train} train / {1797 - n_train} test samples, 64 features, 10 classes;")
    print(f"(64,) ReLU, batch 64, {EPOCHS} epochs, seeds {args.seeds}, "
          f"{args.repeats} interleaved fits per seed and library\n")
    for title, (make_optimizer, options) in SETUPS.items():
        times = {"alr_teach": [], "sklearn": []}
        accuracy = {"alr_teach": [], "sklearn": []}
        for seed in args.seeds:
            X_train, X_test, y_train, y_test = data[seed]
            ours(make_optimizer, seed).fit(X_train, y_train)  # warm-up (imports, caches)
            for _ in range(args.repeats):
                for name, build in (("alr_teach", ours), ("sklearn", theirs)):
                    model = build(make_optimizer if name == "alr_teach" else options, seed)
                    times[name].append(timed_fit(model, X_train, y_train))
            # the fits are deterministic per seed: score the last one of each
            for name, build in (("alr_teach", ours), ("sklearn", theirs)):
                model = build(make_optimizer if name == "alr_teach" else options, seed)
                accuracy[name].append(model.fit(X_train, y_train).score(X_test, y_test))
        median = {name: statistics.median(t) for name, t in times.items()}
        mean_acc = {name: 100 * float(np.mean(a)) for name, a in accuracy.items()}
        ratio = median["alr_teach"] / median["sklearn"]
        gap = mean_acc["alr_teach"] - mean_acc["sklearn"]
        print(title)
        for name in times:
            per_seed = ", ".join(f"{100 * a:.2f}" for a in accuracy[name])
            print(f"  {name:<10} fit {1e3 * median[name]:7.1f} ms median   "
                  f"test accuracy {mean_acc[name]:.2f} % (seeds: {per_seed})")
        print(f"  time ratio alr_teach / sklearn: {ratio:.2f}x (target <= 1.0x)")
        print(f"  accuracy gap: {gap:+.2f} points (target within 1)\n")

    X_all, y_all = load_digits(return_X_y=True)
    X_all = StandardScaler().fit_transform(X_all)
    ours_peak = peak_mb(ours(SETUPS["Adam lr=1e-3"][0], 0), X_all, y_all)
    their_peak = peak_mb(theirs(SETUPS["Adam lr=1e-3"][1], 0), X_all, y_all)
    print(f"peak traced memory, fit on all {len(X_all)} digits (Adam): alr_teach "
          f"{ours_peak:.2f} MB (target < 100 MB), sklearn {their_peak:.2f} MB")


if __name__ == "__main__":
    main()
