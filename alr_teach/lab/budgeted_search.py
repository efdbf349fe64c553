"""Learning-rate searches with scikit-learn's tools, charged on one counted budget.

``GridSearchCV``, ``RandomizedSearchCV`` and ``HalvingRandomSearchCV`` tune the parameters
of any scikit-learn estimator. :class:`~alr_teach.MLPClassifier` keeps its learning rate
inside its ``optimizer`` parameter, so a search over rates is a search over optimizers:
:func:`optimizer_grid` builds the list a grid needs, and :class:`LogUniformOptimizer` is
a distribution the random searches can draw optimizers from.

**The budget** is counted in *fold-epochs*: one pass of one candidate network over one
training fold of the cross-validation. A grid or random search of ``n`` candidates with
``k`` folds and ``E`` epochs each spends ``n k E``; successive halving spends, over its
rungs, the candidates of the rung times the epochs they get (the resource), times ``k``.
:func:`halving_plan` predicts the rungs before a search runs, :func:`epochs_spent`
counts what a fitted search trained, and
:func:`alr_teach.viz.budgeted_search_plots.plot_search` shows where it went.
:func:`quiet_training` is the context to train in.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from math import ceil, floor, log

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils import check_random_state

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems.mlp import one_thread

__all__ = [
    "optimizer_grid", "LogUniformOptimizer", "halving_plan", "TIE_WEIGHT", "TIE_CAP",
    "accuracy_ties_by_log_loss", "epochs_spent", "candidates", "quiet_training",
]


def optimizer_grid(make: Callable[[float], Optimizer], lrs: ArrayLike) -> list[Optimizer]:
    """One optimizer per rate, ``make(lr)`` for each of ``lrs``: the values of a grid.

    >>> from alr_teach import Adam
    >>> [opt.lr for opt in optimizer_grid(lambda lr: Adam(lr=lr), [1e-3, 1e-2])]
    [0.001, 0.01]
    """
    rates = np.asarray(check.positive("lrs", lrs), dtype=float).reshape(-1)
    return [make(float(lr)) for lr in rates]


class LogUniformOptimizer:
    """A distribution of optimizers whose rate is log-uniform on ``[low, high]``.

    ``rvs(random_state)`` draws :math:`\\log \\eta` uniformly between :math:`\\log`
    ``low`` and :math:`\\log` ``high`` and returns ``make(lr)``: give it as a value of
    ``param_distributions`` (``{"optimizer": LogUniformOptimizer(...)}``) and
    ``RandomizedSearchCV`` or ``HalvingRandomSearchCV`` draws from it with its own
    ``random_state``, as it does from a scipy distribution.

    >>> from alr_teach import Adam
    >>> rates = LogUniformOptimizer(lambda lr: Adam(lr=lr), 1e-4, 1.0)
    >>> f"{rates.rvs(random_state=0).lr:.2e}"
    '1.57e-02'
    """

    def __init__(self, make: Callable[[float], Optimizer], low: float, high: float) -> None:
        self.make = make
        self.low = check.real("low", low, low=0.0, low_open=True)
        self.high = check.real("high", high, low=self.low, low_open=True)

    def rvs(self, size: None = None, random_state=None) -> Optimizer:
        """One optimizer; ``random_state`` is an int, a ``RandomState`` or None."""
        if size is not None:
            raise ValueError(f"Invalid size: {size!r} (one optimizer per draw: size=None)")
        rng = check_random_state(random_state)
        return self.make(float(np.exp(rng.uniform(np.log(self.low), np.log(self.high)))))

    def __repr__(self) -> str:
        return f"LogUniformOptimizer(low={self.low:g}, high={self.high:g})"


def halving_plan(
    n_candidates: int, *, min_resources: int, max_resources: int, factor: int = 3
) -> list[tuple[int, int]]:
    """``(candidates, resources)`` of each rung of a successive-halving search.

    The rule of scikit-learn's halving searches (without ``aggressive_elimination``):
    the first rung trains all ``n_candidates`` with ``min_resources``; each next rung
    keeps the best ``ceil(candidates / factor)`` and multiplies the resources by
    ``factor``; it stops after the rung that leaves fewer than ``factor`` candidates, or
    when the next rung would exceed ``max_resources``, whichever comes first.

    >>> halving_plan(27, min_resources=1, max_resources=9)
    [(27, 1), (9, 3), (3, 9)]
    """
    n = check.whole("n_candidates", n_candidates, low=1)
    low = check.whole("min_resources", min_resources, low=1)
    high = check.whole("max_resources", max_resources, low=low)
    factor = check.whole("factor", factor, low=2)
    required = 1 + floor(log(n, factor))
    possible = 1 + floor(log(high // low, factor))
    plan = []
    for rung in range(min(required, possible)):
        plan.append((n, min(low * factor**rung, high)))
        n = ceil(n / factor)
    return plan


#: weight of the log-loss in :func:`accuracy_ties_by_log_loss`: small enough never to
#: reorder two accuracies (steps of 1/n_samples, n_samples < 10**6 / TIE_CAP), large enough
#: to stand far above rounding
TIE_WEIGHT = 1e-9
#: the log-loss is capped here (a diverged network's is inf or nan)
TIE_CAP = 100.0


def accuracy_ties_by_log_loss(estimator, X, y) -> float:
    """A scorer: the accuracy, with ties broken by the log-loss (lower wins).

    Accuracy moves in steps of ``1 / len(y)``, so candidates often tie. scikit-learn's
    halving search keeps the best of a rung with ``np.argsort``, whose order among equal
    scores depends on the CPU's sorting instructions: tied candidates would advance on one
    machine and not on another. Subtracting ``TIE_WEIGHT`` times the log-loss (capped at
    ``TIE_CAP``) orders ties the same way everywhere, and changes the accuracy by less
    than 1e-7. Give it as ``scoring=`` to any search.

    >>> from sklearn.dummy import DummyClassifier
    >>> X, y = np.zeros((4, 1)), np.array([0, 0, 0, 1])
    >>> score = accuracy_ties_by_log_loss(DummyClassifier().fit(X, y), X, y)
    >>> 0.75 - 1e-7 < score < 0.75
    True
    """
    proba = np.asarray(estimator.predict_proba(X), dtype=float)
    classes = np.asarray(estimator.classes_)
    accuracy = float(np.mean(classes[np.argmax(proba, axis=1)] == np.asarray(y)))
    column = np.searchsorted(classes, np.asarray(y))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_loss = float(-np.mean(np.log(np.clip(proba[np.arange(len(column)), column],
                                                 1e-300, 1.0))))
    if not np.isfinite(log_loss):
        log_loss = TIE_CAP
    return accuracy - TIE_WEIGHT * min(log_loss, TIE_CAP)


def epochs_spent(search) -> int:
    """Fold-epochs a fitted search trained: candidates x folds x epochs, over all rungs.

    A halving search reports its rungs (``n_candidates_``, ``n_resources_``: epochs when
    ``resource="max_iter"``); a grid or random search trains every candidate for its
    ``max_iter`` (the candidate's own if searched, else the estimator's). The final refit
    on all the data (``refit=True``) is not counted.
    """
    folds = int(search.n_splits_)
    if hasattr(search, "n_resources_"):
        if search.resource != "max_iter":
            raise ValueError(f"Invalid resource: {search.resource!r} (epochs are counted for "
                             f"resource='max_iter')")
        return folds * sum(int(n) * int(r)
                           for n, r in zip(search.n_candidates_, search.n_resources_))
    default = search.estimator.get_params()["max_iter"]
    return folds * sum(int(params.get("max_iter", default))
                       for params in search.cv_results_["params"])


def candidates(search, score: str | None = None) -> list[dict]:
    """One record per candidate evaluation of a fitted search.

    Keys: ``lr`` (the optimizer's), every other searched parameter by name, ``epochs``
    (the resource of the rung for halving, else ``max_iter``), ``score`` (the
    ``cv_results_`` column ``score``; by default ``mean_test_score``, or with several
    metrics that of the metric the search refits with) and ``chosen`` (True for
    ``best_index_``).
    """
    results = search.cv_results_
    if score is None:
        score = ("mean_test_score" if "mean_test_score" in results
                 else f"mean_test_{search.refit}")
    default = search.estimator.get_params()["max_iter"]
    best = getattr(search, "best_index_", None)
    rows = []
    for i, params in enumerate(results["params"]):
        row = {name: value for name, value in params.items() if name != "optimizer"}
        row["lr"] = float(params["optimizer"].lr) if "optimizer" in params else np.nan
        row["epochs"] = int(results["n_resources"][i] if "n_resources" in results
                            else params.get("max_iter", default))
        row["score"] = float(results[score][i])
        row["chosen"] = i == best
        rows.append(row)
    return rows


@contextmanager
def quiet_training() -> Iterator[None]:
    """The context to run searches and fits in: BLAS on one thread, divergence unannounced.

    One BLAS thread is faster for matrices this small, and gives the same numbers (see
    :func:`alr_teach.problems.mlp.one_thread`). A search tries too-large rates on purpose:
    the warnings that such a run diverged, or that its score is not finite, are silenced
    (its score still counts, as the worst), and so are numpy's overflow warnings.
    """
    with one_thread(), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.filterwarnings("ignore", message="Training diverged", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message=".*test scores are non-finite",
                                category=UserWarning)
        yield
