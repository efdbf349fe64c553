"""Comparing optimizers fairly on real data: tune each one's rate, then train several seeds.

The protocol, every step of which a notebook can print and disclose:

1. :func:`~alr_teach.problems.datasets.load_split` cuts a data set bundled with scikit-learn
   into stratified train, validation and test parts (fixed ``random_state``) and
   standardises every feature with the mean and standard deviation of the *training* part.
2. :func:`tune_learning_rate` trains one :class:`~alr_teach.MLPClassifier` per rate of a
   log grid (:func:`learning_rate_grid`: five decades, 1e-4 .. 1 for every method but
   AdaDelta, whose grid is centred on its paper value 1) with one seed, and keeps the
   rate with the lowest validation loss after the last epoch (or another rule of
   :data:`RULES`); a run that diverged counts as infinitely bad.
3. :func:`train_seeds` trains several other seeds at that rate and measures the final
   training loss, the test accuracy and the fit time of each. Every fit runs with BLAS
   limited to one thread: for matrices this small, threads cost more to coordinate than
   they save (about three times faster on two cores).

:func:`compare_optimizers` runs all three for several methods and data sets and returns a
:class:`Comparison`: a tidy list of :class:`Run` records (one per data set, method and
seed) plus the tuning sweeps, with summaries over seeds (:class:`Spread`: mean and range),
the measured strengths and weaknesses of each method (:func:`strengths_and_weaknesses`).
Its figures are in :mod:`alr_teach.viz.benchmarking_plots`, and
:class:`~alr_teach.viz.explorers.curve.CurveExplorer` shows two methods' curves without
retraining anything.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers import registry
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems import mlp
from alr_teach.problems.datasets import Split
from alr_teach.problems.estimator import MLPClassifier
from alr_teach.problems.mlp import one_thread

__all__ = [
    "METHODS", "CORE_IDEAS", "MLP_SETTINGS", "make_optimizer", "learning_rate_grid", "Run",
    "fit_one", "RULES", "Tuning", "tune_learning_rate", "Spread", "train_seeds", "summarize",
    "CURVES", "Comparison", "compare_optimizers", "Measurement", "state_per_weight",
    "measurements", "strengths_and_weaknesses", "format_comparison_table",
]

# -- what is compared -------------------------------------------------------------------------

#: The methods compared, by their :mod:`~alr_teach.optimizers.registry` names; each is built
#: from its learning rate, every other setting is torch's default (AdamW's decoupled weight
#: decay 1e-2 included).
METHODS = ("SGD", "Momentum", "AdaGrad", "RMSProp", "Adam", "AdamW", "AdaDelta")

#: The idea of each method in one line (the first column of the comparison table).
CORE_IDEAS = {name: registry.entry(name).idea for name in METHODS}

#: The network and training budget shared by every run (``MLPClassifier`` arguments).
MLP_SETTINGS = {"hidden_layer_sizes": (32,), "batch_size": 64, "max_iter": 20, "alpha": 0.0,
                "batch_norm": False}


def make_optimizer(method: str, lr: float) -> Optimizer:
    """The optimizer called ``method`` in :data:`METHODS`, with learning rate ``lr``.

    >>> make_optimizer("Momentum", 0.1)
    SGD(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=False)
    """
    check.one_of("method", method, METHODS)
    return registry.make(method, lr=lr)


def learning_rate_grid(method: str) -> np.ndarray:
    """Five rates one decade apart: 1e-4 .. 1, and 1e-2 .. 1e2 for AdaDelta.

    AdaDelta's ``lr`` multiplies a step that already has the units of the parameters
    (the paper's method is ``lr = 1``), so its five decades are centred on 1.
    """
    make_optimizer(method, 1.0)  # checks the name
    return np.logspace(-2, 2, 5) if method == "AdaDelta" else np.logspace(-4, 0, 5)


# -- one training run -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One fit: its setting and what was measured (curves have one entry per epoch).

    ``train_loss`` is the cross-entropy on the whole training part *after* training
    (prediction mode), ``fit_time`` the wall-clock seconds of ``fit``. A run that
    diverged has ``diverged=True``, NaN scores, and curves padded with NaN.
    """

    dataset: str
    method: str
    lr: float
    seed: int
    batch_norm: bool
    train_loss: float
    test_loss: float
    test_accuracy: float
    fit_time: float
    diverged: bool
    loss_curve: np.ndarray = field(repr=False)
    val_loss_curve: np.ndarray = field(repr=False)
    val_accuracy_curve: np.ndarray = field(repr=False)

    def record(self) -> dict:
        """The scalar fields as a dict: one row of a tidy table."""
        return {k: getattr(self, k) for k in ("dataset", "method", "lr", "seed", "batch_norm",
                                              "train_loss", "test_loss", "test_accuracy",
                                              "fit_time", "diverged")}


def _cross_entropy(clf: MLPClassifier, X: np.ndarray, y: np.ndarray) -> float:
    return mlp.cross_entropy(clf.predict_log_proba(X), np.searchsorted(clf.classes_, y))


def _padded(curve: list[float], length: int) -> np.ndarray:
    out = np.full(length, np.nan)
    out[: len(curve)] = curve
    return out


def fit_one(method: str, lr: float, split: Split, seed: int, **settings) -> Run:
    """Train ``MLPClassifier(optimizer=make_optimizer(method, lr), random_state=seed)``.

    ``settings`` override :data:`MLP_SETTINGS`. The validation part is passed as
    ``validation_data``, so the curves are measured after every epoch. Divergence is
    recorded, not warned about.
    """
    options = {**MLP_SETTINGS, **settings}
    clf = MLPClassifier(optimizer=make_optimizer(method, lr), random_state=seed, **options)
    with one_thread(), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        start = time.perf_counter()
        clf.fit(split.X_train, split.y_train, validation_data=(split.X_val, split.y_val))
        fit_time = time.perf_counter() - start
        diverged = not (np.isfinite(clf.loss_) and np.isfinite(clf.validation_loss_curve_[-1]))
        if diverged:
            train_loss = test_loss = test_accuracy = np.nan
        else:
            train_loss = _cross_entropy(clf, split.X_train, split.y_train)
            test_loss = _cross_entropy(clf, split.X_test, split.y_test)
            test_accuracy = float(clf.score(split.X_test, split.y_test))
    epochs = options["max_iter"]
    return Run(split.name, method, float(lr), int(seed), bool(options["batch_norm"]),
               train_loss, test_loss, test_accuracy, fit_time, diverged,
               _padded(clf.loss_curve_, epochs), _padded(clf.validation_loss_curve_, epochs),
               _padded(clf.validation_score_curve_, epochs))


# -- step 2: tune the rate --------------------------------------------------------------------

#: How a rate is chosen from a sweep: rule name -> description (the default is the first).
RULES = {
    "val_loss": "lowest validation loss after the last epoch (diverged = infinitely bad)",
    "val_accuracy": "highest validation accuracy after the last epoch (ties: the smaller rate)",
}


@dataclass(frozen=True)
class Tuning:
    """One method's learning-rate sweep on one data set, with one seed."""

    dataset: str
    method: str
    seed: int
    lrs: np.ndarray
    runs: tuple[Run, ...] = field(repr=False)
    rule: str = "val_loss"

    def __post_init__(self) -> None:
        check.one_of("rule", self.rule, RULES)

    @property
    def val_loss(self) -> np.ndarray:
        """Final validation loss of each rate (inf for a diverged run)."""
        final = np.array([r.val_loss_curve[-1] for r in self.runs])
        return np.where(np.isfinite(final), final, np.inf)

    @property
    def val_accuracy(self) -> np.ndarray:
        """Final validation accuracy of each rate (0 for a diverged run)."""
        final = np.array([r.val_accuracy_curve[-1] for r in self.runs])
        return np.where(np.isfinite(final) & np.isfinite(self.val_loss), final, 0.0)

    def index_by(self, rule: str = "val_loss") -> int:
        """Index of the rate a rule of :data:`RULES` chooses (ties: the smaller rate)."""
        if rule == "val_loss":
            return int(np.argmin(self.val_loss))
        if rule == "val_accuracy":
            return int(np.argmax(self.val_accuracy))
        raise ValueError(f"Invalid rule: {rule!r} (choose from {', '.join(RULES)})")

    @property
    def best_index(self) -> int:
        """Index of the rate chosen by this sweep's ``rule``."""
        return self.index_by(self.rule)

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best_index])

    def lr_by(self, rule: str) -> float:
        return float(self.lrs[self.index_by(rule)])

    def good_rates(self, within: float = 0.02, ceiling: float | None = None) -> int:
        """How many rates of the grid reach the best validation accuracy minus ``within``.

        With a ``ceiling``, a rate whose final validation loss ends above it (a run that
        blew up, whatever its accuracy) does not count.
        """
        accuracy = self.val_accuracy
        good = accuracy >= accuracy.max() - within
        if ceiling is not None:
            good &= self.val_loss <= ceiling
        return int(np.sum(good))


def tune_learning_rate(
    method: str, split: Split, lrs: Sequence[float] | None = None, seed: int = 0,
    rule: str = "val_loss", **settings
) -> Tuning:
    """Train one network per rate of ``lrs`` (default :func:`learning_rate_grid`).

    ``rule`` (a key of :data:`RULES`) decides which rate ``best_lr`` is.
    """
    check.one_of("rule", rule, RULES)
    lrs = learning_rate_grid(method) if lrs is None else np.asarray(lrs, dtype=float)
    runs = tuple(fit_one(method, lr, split, seed, **settings) for lr in lrs)
    return Tuning(split.name, method, int(seed), lrs, runs, rule)


# -- step 3: several seeds, summarised --------------------------------------------------------


class Spread(NamedTuple):
    """Mean and range (lowest, highest) of one measurement over seeds."""

    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        v = np.asarray(values, dtype=float)
        return cls(float(np.mean(v)), float(np.min(v)), float(np.max(v)))

    def overlaps(self, other: Spread) -> bool:
        """True when the two ranges share a value: the seeds cannot tell them apart."""
        return self.low <= other.high and other.low <= self.high

    def show(self, fmt: str = ".3f") -> str:
        return f"{self.mean:{fmt}} ({self.low:{fmt}}–{self.high:{fmt}})"


def train_seeds(method: str, lr: float, split: Split, seeds: Sequence[int], **settings
                ) -> list[Run]:
    """One :func:`fit_one` per seed, all at the same rate."""
    return [fit_one(method, lr, split, seed, **settings) for seed in seeds]


def summarize(runs: Sequence[Run]) -> dict:
    """Mean and range over ``runs`` of every scalar measurement (a :class:`Spread` each)."""
    if not runs:
        raise ValueError("Invalid runs: empty (nothing to summarize)")
    summary = {"dataset": runs[0].dataset, "method": runs[0].method, "lr": runs[0].lr,
               "seeds": len(runs), "diverged": sum(r.diverged for r in runs)}
    for key in ("train_loss", "test_loss", "test_accuracy", "fit_time"):
        summary[key] = Spread.of([getattr(r, key) for r in runs])
    return summary


# -- the whole protocol -----------------------------------------------------------------------

#: The curves a comparison keeps, by name: (label, attribute of :class:`Run`).
CURVES = {
    "val_accuracy": ("validation accuracy", "val_accuracy_curve"),
    "val_loss": ("validation loss", "val_loss_curve"),
    "train_loss": ("training loss (mean over the epoch)", "loss_curve"),
}


@dataclass
class Comparison:
    """What :func:`compare_optimizers` measured: tunings and the runs at the chosen rates."""

    tunings: dict[tuple[str, str], Tuning]
    runs: list[Run]
    seeds: tuple[int, ...]
    settings: dict
    total_time: float = 0.0

    @property
    def datasets(self) -> list[str]:
        return list(dict.fromkeys(r.dataset for r in self.runs))

    @property
    def methods(self) -> list[str]:
        return list(dict.fromkeys(r.method for r in self.runs))

    def select(self, dataset: str, method: str) -> list[Run]:
        """The runs of one method on one data set, in seed order."""
        chosen = [r for r in self.runs if r.dataset == dataset and r.method == method]
        if not chosen:
            raise ValueError(f"Invalid selection: no runs of {method!r} on {dataset!r} "
                             f"(methods: {', '.join(self.methods)}; datasets: "
                             f"{', '.join(self.datasets)})")
        return chosen

    def summary(self, dataset: str, method: str) -> dict:
        return summarize(self.select(dataset, method))

    def records(self) -> list[dict]:
        """The tidy table: one dict per run."""
        return [r.record() for r in self.runs]

    def curves(self, dataset: str, method: str, curve: str = "val_accuracy") -> np.ndarray:
        """One curve per seed, shape (seeds, epochs); ``curve`` is a key of :data:`CURVES`."""
        check.one_of("curve", curve, CURVES)
        return np.array([getattr(r, CURVES[curve][1]) for r in self.select(dataset, method)])

    def format_table(self, dataset: str) -> str:
        """Chosen rate, final train loss and test accuracy (mean, range) per method."""
        lines = [f"{dataset}: {len(self.seeds)} seeds at the tuned rate, mean (lowest–highest)",
                 f"{'method':13s} {'lr':>7s}  {'final train loss':26s} {'test accuracy':22s}"]
        for method in self.methods:
            s = self.summary(dataset, method)
            lines.append(f"{method:13s} {s['lr']:7.0e}  {s['train_loss'].show('.4f'):26s} "
                         f"{s['test_accuracy'].show('.3f'):22s}")
        return "\n".join(lines)

    def format_tuning(self, dataset: str, *, ceiling: float | None = None,
                      fmt: str = ".3f") -> str:
        """The validation loss of every rate of every method's grid; * marks the choice.

        Losses are printed with ``fmt``; with a ``ceiling``, a loss above it is printed as
        ``> ceiling`` (a run that blew up: its exact loss depends on rounding).
        """
        first = next(iter(self.tunings.values()))
        lines = [f"{dataset}: final validation loss per rate (seed {first.seed}), "
                 f"* = chosen by {first.rule.replace('_', '. ')}"]
        for method in self.methods:
            tuning = self.tunings[dataset, method]
            cells = [f"{lr:7.0e}:{_short(loss, ceiling, fmt):>7s}"
                     f"{'*' if i == tuning.best_index else ' '}"
                     for i, (lr, loss) in enumerate(zip(tuning.lrs, tuning.val_loss))]
            lines.append(f"{method:13s}" + " ".join(cells))
        return "\n".join(lines)

    def format_times(self) -> str:
        """Fit time per method and data set (mean and range, seconds): varies between runs."""
        lines = [f"{'method':13s} " + "".join(f"{d:>24s}" for d in self.datasets)]
        for method in self.methods:
            cells = [self.summary(d, method)["fit_time"].show(".2f") for d in self.datasets]
            lines.append(f"{method:13s} " + "".join(f"{c:>24s}" for c in cells))
        return "\n".join(lines)


def _short(value: float, ceiling: float | None = None, fmt: str = ".3f") -> str:
    if not np.isfinite(value):
        return "inf"
    if ceiling is not None and value > ceiling:
        return f"> {ceiling:g}"
    return f"{value:{fmt}}" if value < 100 else f"{value:.0e}"


def compare_optimizers(
    splits: Sequence[Split],
    methods: Sequence[str] = METHODS,
    *,
    seeds: Sequence[int] = (1, 2, 3),
    tuning_seed: int = 0,
    grids: dict[str, Sequence[float]] | None = None,
    rule: str = "val_loss",
    **settings,
) -> Comparison:
    """Tune every method's rate on every split with ``tuning_seed``, then train ``seeds``.

    ``rule`` (a key of :data:`RULES`) picks the rate from each sweep; ``grids`` maps a
    method to its own rates (default :func:`learning_rate_grid`);
    ``settings`` override :data:`MLP_SETTINGS` for every run. The tuning seed should not
    be one of ``seeds``, so the reported runs are not the ones the rate was picked on.
    """
    if tuning_seed in seeds:
        raise ValueError(f"Invalid tuning_seed: {tuning_seed!r} (must not be one of the "
                         f"evaluation seeds {tuple(seeds)!r})")
    grids = grids or {}
    start = time.perf_counter()
    tunings, runs = {}, []
    for split in splits:
        for method in methods:
            tuning = tune_learning_rate(method, split, grids.get(method), tuning_seed, rule,
                                        **settings)
            tunings[split.name, method] = tuning
            runs.extend(train_seeds(method, tuning.best_lr, split, seeds, **settings))
    return Comparison(tunings, runs, tuple(int(s) for s in seeds),
                      {**MLP_SETTINGS, **settings}, time.perf_counter() - start)


# -- the comparison table: what each method measurably does well and badly ---------------------


@dataclass(frozen=True)
class Measurement:
    """One row of evidence for the comparison table: a value per method, and its noise.

    ``noise`` is the unit a difference is judged in: the typical (median over methods)
    range of the value over seeds, or 1 for counts. ``log`` compares values on a log10
    scale (losses that span decades).
    """

    name: str
    values: dict[str, float]
    noise: float
    higher_is_better: bool = True
    log: bool = False
    fmt: str = ".3f"

    def scores(self) -> dict[str, float]:
        """(value − median over methods) / noise, signed so that larger is better."""
        names = list(self.values)
        v = np.array([self.values[m] for m in names], dtype=float)
        if self.log:
            v = np.log10(np.maximum(v, 1e-12))
        z = (v - np.median(v)) / self.noise if self.noise > 0 else np.zeros_like(v)
        signed = z if self.higher_is_better else -z
        return {m: float(v) for m, v in zip(names, signed)}

    def describe(self, method: str) -> str:
        median = float(np.median(list(self.values.values())))
        if self.log:
            median = float(10 ** np.median(np.log10(np.maximum(list(self.values.values()),
                                                                1e-12))))
        return f"{self.name} {self.values[method]:{self.fmt}} (median {median:{self.fmt}})"


def state_per_weight(method: str) -> int:
    """Arrays of optimizer state the method keeps per parameter array (measured on a step)."""
    optimizer = make_optimizer(method, 1e-3)
    optimizer.step(np.ones(3), np.ones(3))
    return sum(np.asarray(v).size for v in optimizer.state.values()) // 3


def _seed_noise(ranges: list[tuple[float, float]], log: bool) -> float:
    widths = [np.log10(hi) - np.log10(lo) if log else hi - lo for lo, hi in ranges]
    return float(np.median(widths))


def measurements(comparison: Comparison, early_epoch: int = 5,
                 ceiling: float | None = None) -> list[Measurement]:
    """The evidence the comparison table is built from, one :class:`Measurement` each.

    For every data set: test accuracy, final training loss (log scale) and validation
    accuracy after ``early_epoch`` epochs (speed), each as a mean over seeds with the
    typical seed range as noise; then, over all data sets, how many rates of the
    tuning grid came within 2 points of the method's best validation accuracy
    (tolerance to the rate), and the optimizer's state per weight (memory); a count's
    noise is 1. With a ``ceiling``, a rate whose validation loss ended above it does not
    count as tolerated (see :meth:`Tuning.good_rates`).
    """
    methods, rows = comparison.methods, []
    for dataset in comparison.datasets:
        summaries = {m: comparison.summary(dataset, m) for m in methods}
        for key, label, log, fmt in (("test_accuracy", "test accuracy", False, ".3f"),
                                     ("train_loss", "final train loss", True, ".4f")):
            spreads = {m: summaries[m][key] for m in methods}
            rows.append(Measurement(
                f"{label} ({dataset})", {m: s.mean for m, s in spreads.items()},
                _seed_noise([(s.low, s.high) for s in spreads.values()], log),
                higher_is_better=key == "test_accuracy", log=log, fmt=fmt))
        early = {m: comparison.curves(dataset, m)[:, early_epoch - 1] for m in methods}
        rows.append(Measurement(
            f"val. accuracy at epoch {early_epoch} ({dataset})",
            {m: float(np.mean(v)) for m, v in early.items()},
            _seed_noise([(float(np.min(v)), float(np.max(v))) for v in early.values()], False)))
    rows.append(Measurement(
        "rates within 2 points of best (of "
        f"{sum(comparison.tunings[d, methods[0]].lrs.size for d in comparison.datasets)})",
        {m: float(sum(comparison.tunings[d, m].good_rates(0.02, ceiling)
                      for d in comparison.datasets))
         for m in methods}, 1.0, fmt=".0f"))
    rows.append(Measurement("state arrays per weight",
                            {m: float(state_per_weight(m)) for m in methods}, 1.0,
                            higher_is_better=False, fmt=".0f"))
    return rows


def strengths_and_weaknesses(
    rows: Sequence[Measurement], threshold: float = 1.0
) -> dict[str, tuple[str, str]]:
    """Per method, the measurement where it is furthest above, and furthest below, the median.

    A difference counts only if it is at least ``threshold`` times the measurement's
    noise (by default: beyond the typical seed-to-seed range); otherwise the entry is
    ``"none beyond the seed spread"``. Returns ``{method: (strength, weakness)}``.
    """
    methods = list(rows[0].values)
    scores = [row.scores() for row in rows]
    result = {}
    for m in methods:
        by_score = sorted(range(len(rows)), key=lambda i: scores[i][m])
        best, worst = by_score[-1], by_score[0]
        strength = (rows[best].describe(m) if scores[best][m] >= threshold
                    else "none beyond the seed spread")
        weakness = (rows[worst].describe(m) if scores[worst][m] <= -threshold
                    else "none beyond the seed spread")
        result[m] = (strength, weakness)
    return result


def format_comparison_table(rows: Sequence[Measurement], ideas: dict[str, str] = CORE_IDEAS
                            ) -> str:
    """The comparison table as text: per method its core idea, measured strength, weakness."""
    lines = []
    for method, (strength, weakness) in strengths_and_weaknesses(rows).items():
        lines += [f"{method}: {ideas.get(method, '')}", f"    + {strength}",
                  f"    − {weakness}"]
    return "\n".join(lines)
