"""Comparing optimizers fairly on real data: tune each one's rate, then train several seeds.

The protocol, every step of which a notebook can print and disclose:

1. :func:`load_split` cuts a data set bundled with scikit-learn into stratified train,
   validation and test parts (fixed ``random_state``) and standardises every feature with
   the mean and standard deviation of the *training* part.
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
the measured strengths and weaknesses of each method (:func:`strengths_and_weaknesses`),
plots (:func:`plot_curves`, :func:`plot_tuning`) and :class:`CurveExplorer`, a widget
that shows two methods' curves without retraining anything.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from alr_teach import _validation as check
from alr_teach.optimizers.adadelta import AdaDelta
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.optimizers.adam import Adam, AdamW
from alr_teach.optimizers.base import Optimizer
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.optimizers.sgd import SGD
from alr_teach.problems.estimator import MLPClassifier
from alr_teach.viz.plots import style
from alr_teach.viz.widgets import figure_png

try:  # a dependency of scikit-learn; without it BLAS keeps its own thread count
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

# -- what is compared -------------------------------------------------------------------------

#: The methods, each built from its learning rate; every other setting is torch's default
#: (AdamW's decoupled weight decay 1e-2 included).
METHODS: dict[str, Callable[[float], Optimizer]] = {
    "SGD": lambda lr: SGD(lr=lr),
    "SGD+momentum": lambda lr: SGD(lr=lr, momentum=0.9),
    "AdaGrad": lambda lr: AdaGrad(lr=lr),
    "RMSProp": lambda lr: RMSProp(lr=lr),
    "Adam": lambda lr: Adam(lr=lr),
    "AdamW": lambda lr: AdamW(lr=lr),
    "AdaDelta": lambda lr: AdaDelta(lr=lr),
}

#: The idea of each method in one line (the first column of the comparison table).
CORE_IDEAS = {
    "SGD": "one global rate: step = η g",
    "SGD+momentum": "leaky average of gradients (μ = 0.9)",
    "AdaGrad": "divide by the root of the sum of all g²",
    "RMSProp": "divide by the root of a moving average of g²",
    "Adam": "momentum / root of moving avg of g², bias-corrected",
    "AdamW": "Adam plus decoupled weight decay (λ = 0.01)",
    "AdaDelta": "RMS of past steps / RMS of gradients",
}

#: The network and training budget shared by every run (``MLPClassifier`` arguments).
MLP_SETTINGS = {"hidden_layer_sizes": (32,), "batch_size": 64, "max_iter": 20, "alpha": 0.0,
                "batch_norm": False}


def make_optimizer(method: str, lr: float) -> Optimizer:
    """The optimizer called ``method`` in :data:`METHODS`, with learning rate ``lr``."""
    check.one_of("method", method, METHODS)
    return METHODS[method](lr)


def learning_rate_grid(method: str) -> np.ndarray:
    """Five rates one decade apart: 1e-4 .. 1, and 1e-2 .. 1e2 for AdaDelta.

    AdaDelta's ``lr`` multiplies a step that already has the units of the parameters
    (the paper's method is ``lr = 1``), so its five decades are centred on 1.
    """
    make_optimizer(method, 1.0)  # checks the name
    return np.logspace(-2, 2, 5) if method == "AdaDelta" else np.logspace(-4, 0, 5)


# -- the data ---------------------------------------------------------------------------------


def _loaders() -> dict[str, Callable]:
    from sklearn.datasets import load_breast_cancer, load_digits, load_wine

    return {"digits": load_digits, "breast cancer": load_breast_cancer, "wine": load_wine}


DATASETS = ("digits", "breast cancer", "wine")


@dataclass(frozen=True)
class Split:
    """A data set cut into standardised train, validation and test parts."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def sizes(self) -> tuple[int, int, int]:
        return len(self.y_train), len(self.y_val), len(self.y_test)

    @property
    def n_classes(self) -> int:
        return int(np.unique(self.y_train).size)


def load_split(
    name: str, *, val_size: float = 0.2, test_size: float = 0.2, random_state: int = 0
) -> Split:
    """A bundled scikit-learn data set (``"digits"``, ``"breast cancer"``, ``"wine"``), split.

    Stratified: every part keeps the class proportions. ``test_size`` and ``val_size`` are
    fractions of the whole data set; the rest is the training part. The features are
    standardised with the training part's mean and standard deviation only, so nothing
    about the validation or test samples leaks into training.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    loaders = _loaders()
    check.one_of("dataset", name, loaders)
    X, y = loaders[name](return_X_y=True)
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=random_state)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=val_size / (1 - test_size), stratify=y_rest,
        random_state=random_state)
    scaler = StandardScaler().fit(X_train)
    return Split(name, scaler.transform(X_train), y_train, scaler.transform(X_val), y_val,
                 scaler.transform(X_test), y_test)


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
    log_probs = clf.predict_log_proba(X)
    return -float(log_probs[np.arange(len(y)), np.searchsorted(clf.classes_, y)].mean())


def _padded(curve: list[float], length: int) -> np.ndarray:
    out = np.full(length, np.nan)
    out[: len(curve)] = curve
    return out


def one_thread():
    """A context in which BLAS uses one thread: small matrices run faster, and the same."""
    return threadpool_limits(1) if threadpool_limits is not None else nullcontext()


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
    methods: Sequence[str] = tuple(METHODS),
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


# -- plots ------------------------------------------------------------------------------------


def _band_vertices(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    ok = np.isfinite(low) & np.isfinite(high)
    x, low, high = x[ok], low[ok], high[ok]
    return np.column_stack([np.r_[x, x[::-1]], np.r_[low, high[::-1]]])


def _mean_and_range(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns after divergence
        return np.nanmean(curves, 0), np.nanmin(curves, 0), np.nanmax(curves, 0)


def plot_curves(
    ax: Axes,
    comparison: Comparison,
    dataset: str,
    methods: Sequence[str] | None = None,
    curve: str = "val_accuracy",
    *,
    legend: bool = True,
) -> dict[str, tuple]:
    """Mean curve over seeds (line) and its range (band) for each method, per epoch.

    Colours and line styles follow the method's place in :data:`METHODS`, so a method
    looks the same in every figure. Returns ``{method: (line, band)}``.
    """
    methods = comparison.methods if methods is None else list(methods)
    artists = {}
    for method in methods:
        data = comparison.curves(dataset, method, curve)
        mean, low, high = _mean_and_range(data)
        epochs = np.arange(1, data.shape[1] + 1)
        st = style(list(METHODS).index(method) if method in METHODS else len(artists))
        lr = comparison.select(dataset, method)[0].lr
        (line,) = ax.plot(epochs, mean, label=f"{method} (lr={lr:g})", markersize=4,
                          markevery=max(1, len(epochs) // 8), **st)
        band = ax.fill_between(epochs, low, high, color=st["color"], alpha=0.15, linewidth=0)
        artists[method] = (line, band)
    label = CURVES[curve][0]
    ax.set(xlabel="epoch", ylabel=f"{label} (mean, band = range over seeds)",
           title=f"{dataset}: {label}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if curve != "val_accuracy":
        ax.set_yscale("log")
    if legend:
        ax.legend(fontsize=8)
    return artists


def plot_tuning(ax: Axes, comparison: Comparison, dataset: str, ceiling: float = 30.0) -> None:
    """Final validation loss against learning rate, one line per method; rings mark choices.

    The loss axis stops at ``ceiling``: a line that leaves the top blew up (or diverged,
    which leaves a gap). AdaDelta's rates are multipliers of a step without a global
    rate; its line sits on the same axis for compactness.
    """
    for method in comparison.methods:
        tuning = comparison.tunings[dataset, method]
        st = style(list(METHODS).index(method) if method in METHODS else 0)
        shown = np.where(np.isfinite(tuning.val_loss), tuning.val_loss, np.nan)
        ax.plot(tuning.lrs, shown, label=method, markersize=5, **st)
        ax.plot(tuning.best_lr, tuning.val_loss[tuning.best_index], "o", markersize=12,
                markerfacecolor="none", markeredgecolor=st["color"], markeredgewidth=1.5)
    ax.set(xscale="log", yscale="log", xlabel="learning rate η (AdaDelta: its multiplier)",
           ylabel="validation loss after the last epoch",
           title=f"{dataset}: the rate search (one seed; ring = chosen)")
    ax.set_ylim(top=ceiling)
    ax.legend(fontsize=8)


# -- the explorer -----------------------------------------------------------------------------


class CurveExplorer:
    """Two methods' curves on one data set, from runs already made (no training here).

    ``update(**changes)`` takes any of ``first``, ``second`` (method names), ``dataset``,
    ``curve`` (a key of :data:`CURVES`) and ``epochs`` (a pair: the first and last epoch
    shown); it moves the two lines and bands and returns a summary: each method's rate,
    its curve's mean and range at the last epoch shown, its test accuracy, and whether
    the seeds tell the two apart (their ranges do not overlap).
    """

    def __init__(self, comparison: Comparison, first: str = "Adam",
                 second: str = "SGD+momentum", dataset: str | None = None,
                 curve: str = "val_accuracy") -> None:
        self.comparison = comparison
        n_epochs = comparison.curves(comparison.datasets[0], comparison.methods[0]).shape[1]
        self.n_epochs = n_epochs
        initial = {"first": first, "second": second,
                   "dataset": dataset or comparison.datasets[0], "curve": curve}
        self._check(initial)
        self.settings = {**initial, "epochs": (1, n_epochs)}
        self.fig = Figure(figsize=(8, 4.2), dpi=80, layout="constrained")
        FigureCanvasAgg(self.fig)  # drawn off screen; the widget shows it as a PNG
        self.ax = self.fig.subplots()
        self.lines, self.bands = [], []
        for i in range(2):
            (line,) = self.ax.plot([], [], markersize=4, **style(i))
            self.lines.append(line)
            self.bands.append(self.ax.fill_between([0, 1], [0, 0], [0, 0], alpha=0.15,
                                                   linewidth=0))
        self.ax.set_xlabel("epoch")
        self.ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.summary = self.update()

    def _check(self, changes: dict) -> None:
        allowed = {"first", "second", "dataset", "curve", "epochs"}
        check.known_settings(changes, sorted(allowed))
        for key in ("first", "second"):
            if key in changes:
                check.one_of(key, changes[key], self.comparison.methods)
        if "dataset" in changes:
            check.one_of("dataset", changes["dataset"], self.comparison.datasets)
        if "curve" in changes:
            check.one_of("curve", changes["curve"], CURVES)
        if "epochs" in changes:
            lo, hi = changes["epochs"]
            if not (1 <= lo <= hi <= self.n_epochs):
                raise ValueError(f"Invalid epochs: {changes['epochs']!r} (need "
                                 f"1 <= first <= last <= {self.n_epochs})")

    def update(self, **changes) -> dict:
        """Apply ``changes``, move the lines and bands, and return the summary."""
        self._check(changes)
        self.settings.update(changes)
        s = self.settings
        lo, hi = (int(e) for e in s["epochs"])
        names = [s["first"], s["second"]]
        summary = {"dataset": s["dataset"], "curve": s["curve"], "epochs": (lo, hi),
                   "methods": {}}
        spreads, low_y, high_y = [], [], []
        for i, (name, line, band) in enumerate(zip(names, self.lines, self.bands)):
            data = self.comparison.curves(s["dataset"], name, s["curve"])[:, lo - 1: hi]
            mean, low, high = _mean_and_range(data)
            epochs = np.arange(lo, hi + 1)
            st = style(list(METHODS).index(name) if name in METHODS else i)
            lr = self.comparison.select(s["dataset"], name)[0].lr
            line.set_data(epochs, mean)
            line.set(color=st["color"], linestyle=st["linestyle"], marker=st["marker"],
                     label=f"{name} (lr={lr:g})")
            band.set_verts([_band_vertices(epochs.astype(float), low, high)])
            band.set_facecolor(st["color"])
            final = Spread.of(data[:, -1])
            spreads.append(final)
            low_y.append(np.nanmin(low))
            high_y.append(np.nanmax(high))
            summary["methods"][name] = {
                "lr": lr, "final": final,
                "test_accuracy": self.comparison.summary(s["dataset"], name)["test_accuracy"]}
        apart = not spreads[0].overlaps(spreads[1])
        higher_is_better = s["curve"] == "val_accuracy"
        better = max if higher_is_better else min
        ahead = better(names, key=lambda n: summary["methods"][n]["final"].mean) if apart \
            else None
        summary.update(separated=apart, ahead=ahead)
        label = CURVES[s["curve"]][0]
        self.ax.set_xlim(lo - 0.5, hi + 0.5)
        bottom, top = float(min(low_y)), float(max(high_y))
        if s["curve"] == "val_accuracy":
            pad = 0.05 * max(top - bottom, 1e-3)
            self.ax.set_yscale("linear")
            self.ax.set_ylim(bottom - pad, min(top + pad, 1.005))
        else:
            self.ax.set_yscale("log")
            self.ax.set_ylim(max(bottom, 1e-6) / 1.3, top * 1.3)
        self.ax.set_ylabel(f"{label} (band = range over seeds)")
        verdict = (f"{ahead} ahead at epoch {hi}: ranges do not overlap" if apart
                   else f"at epoch {hi} the seeds cannot tell them apart")
        self.ax.set_title(f"{s['dataset']}: {names[0]} vs {names[1]}: {verdict}", fontsize=10)
        self.ax.legend(handles=self.lines, fontsize=8, loc="best")
        self.summary = summary
        return summary

    def static_figure(self):
        """The current view as an ordinary pyplot figure (for saved notebooks and handouts).

        Same curves, limits and title as the widget; end the cell with ``plt.show()``.
        """
        import matplotlib.pyplot as plt

        s = self.settings
        fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
        plot_curves(ax, self.comparison, s["dataset"], [s["first"], s["second"]], s["curve"])
        ax.set_yscale(self.ax.get_yscale())
        ax.set_xlim(self.ax.get_xlim())
        ax.set_ylim(self.ax.get_ylim())
        ax.set_title(self.ax.get_title(), fontsize=10)
        return fig

    def png(self) -> bytes:
        """The figure as PNG bytes (what the widget shows)."""
        return figure_png(self.fig)

    def summary_text(self) -> str:
        """The summary as one line per method."""
        s = self.summary
        rows = [f"{name} (lr={m['lr']:g}): {CURVES[s['curve']][0]} at epoch {s['epochs'][1]} "
                f"{m['final'].show('.3f')}, test accuracy {m['test_accuracy'].show('.3f')}"
                for name, m in s["methods"].items()]
        return "\n".join(rows)

    def widget(self):
        """Menus for the two methods, the data set and the curve; an epoch-range slider."""
        import ipywidgets as widgets

        s = self.settings
        methods, datasets = self.comparison.methods, self.comparison.datasets
        controls = {
            "first": widgets.Dropdown(options=methods, value=s["first"], description="first"),
            "second": widgets.Dropdown(options=methods, value=s["second"],
                                       description="second"),
            "dataset": widgets.Dropdown(options=datasets, value=s["dataset"],
                                        description="data set"),
            "curve": widgets.Dropdown(options=[(CURVES[k][0], k) for k in CURVES],
                                      value=s["curve"], description="curve"),
            "epochs": widgets.IntRangeSlider(value=s["epochs"], min=1, max=self.n_epochs,
                                             step=1, description="epochs",
                                             continuous_update=False),
        }
        image = widgets.Image(value=self.png(), format="png")
        text = widgets.HTML(f"<pre>{self.summary_text()}</pre>")

        def on_change(change):
            name = next(k for k, c in controls.items() if c is change["owner"])
            value = tuple(change["new"]) if name == "epochs" else change["new"]
            self.update(**{name: value})
            image.value = self.png()
            text.value = f"<pre>{self.summary_text()}</pre>"

        for control in controls.values():
            control.observe(on_change, names="value")
        self.controls, self.image, self.text = controls, image, text
        menus = widgets.HBox([controls["first"], controls["second"]])
        rest = widgets.HBox([controls["dataset"], controls["curve"], controls["epochs"]])
        return widgets.VBox([menus, rest, image, text])
