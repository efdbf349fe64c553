"""Budgeted searches: optimizers as search values, the halving plan against scikit-learn's
own search, the fold-epochs a search spent, its candidate records and its figure."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingRandomSearchCV,
    ParameterSampler,
    RandomizedSearchCV,
)

from alr_teach import SGD, Adam, MLPClassifier
from alr_teach.lab.budgeted_search import (
    LogUniformOptimizer,
    candidates,
    epochs_spent,
    halving_plan,
    optimizer_grid,
    quiet_training,
)
from alr_teach.viz.budgeted_search_plots import plot_search


class Counting(ClassifierMixin, BaseEstimator):
    """A stand-in network: ``max_iter`` epochs that each add 1 to a class counter, and a
    score that grows with the optimizer's rate (so halving keeps the large rates)."""

    epochs_trained = 0

    def __init__(self, optimizer=None, max_iter=4, alpha=0.0):
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.alpha = alpha

    def fit(self, X, y):
        Counting.epochs_trained += self.max_iter
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return float(np.log(self.optimizer.lr)) + 1e-3 * self.max_iter


def _data(n=60):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 2)), np.arange(n) % 2


# -- optimizers as search values --------------------------------------------------------------
def test_optimizer_grid_builds_one_optimizer_per_rate():
    grid = optimizer_grid(lambda lr: SGD(lr=lr, momentum=0.9), np.logspace(-3, -1, 3))
    assert [type(o) for o in grid] == [SGD] * 3
    assert [o.lr for o in grid] == pytest.approx([1e-3, 1e-2, 1e-1])
    assert all(o.momentum == 0.9 for o in grid)
    with pytest.raises(ValueError, match=re.escape("Invalid lrs")):
        optimizer_grid(lambda lr: SGD(lr=lr), [1e-3, 0.0])


def test_log_uniform_optimizer_draws_log_uniform_rates_reproducibly():
    rates = LogUniformOptimizer(lambda lr: Adam(lr=lr), 1e-4, 1.0)
    rng = np.random.RandomState(0)
    lrs = np.array([rates.rvs(random_state=rng).lr for _ in range(4000)])
    assert lrs.min() >= 1e-4 and lrs.max() <= 1.0
    counts = np.histogram(np.log10(lrs), bins=4, range=(-4, 0))[0]
    assert counts.min() > 900 and counts.max() < 1100         # 1000 per decade expected
    assert rates.rvs(random_state=3).lr == rates.rvs(random_state=3).lr
    assert repr(rates) == "LogUniformOptimizer(low=0.0001, high=1)"


@pytest.mark.parametrize("low, high, message", [
    (0.0, 1.0, "Invalid low"), (1e-2, 1e-3, "Invalid high"), (1e-3, float("inf"), "Invalid high"),
])
def test_log_uniform_optimizer_rejects_bad_bounds(low, high, message):
    with pytest.raises(ValueError, match=message):
        LogUniformOptimizer(lambda lr: Adam(lr=lr), low, high)


def test_log_uniform_optimizer_draws_one_at_a_time():
    with pytest.raises(ValueError, match="Invalid size"):
        LogUniformOptimizer(lambda lr: Adam(lr=lr), 1e-3, 1.0).rvs(size=3)


def test_parameter_sampler_draws_optimizers_from_it():
    space = {"optimizer": LogUniformOptimizer(lambda lr: Adam(lr=lr), 1e-4, 1.0),
             "alpha": [0.0, 1.0]}
    drawn = list(ParameterSampler(space, n_iter=5, random_state=0))
    assert all(isinstance(p["optimizer"], Adam) for p in drawn)
    assert len({p["optimizer"].lr for p in drawn}) == 5


# -- the halving plan and the budget ---------------------------------------------------------
@pytest.mark.parametrize("n, low, high, factor", [
    (27, 1, 9, 3), (18, 1, 9, 3), (10, 2, 16, 2), (30, 1, 4, 3), (5, 3, 30, 3), (2, 1, 9, 3),
])
def test_halving_plan_is_what_scikit_learn_runs(n, low, high, factor):
    space = {"optimizer": LogUniformOptimizer(lambda lr: SGD(lr=lr), 1e-3, 1.0)}
    search = HalvingRandomSearchCV(
        Counting(), space, n_candidates=n, resource="max_iter", min_resources=low,
        max_resources=high, factor=factor, cv=2, random_state=0, n_jobs=1)
    X, y = _data()
    Counting.epochs_trained = 0
    search.fit(X, y)
    plan = halving_plan(n, min_resources=low, max_resources=high, factor=factor)
    assert plan == list(zip(search.n_candidates_, search.n_resources_))
    refit = search.best_params_["max_iter"]                       # refit=True trains once more
    assert epochs_spent(search) == Counting.epochs_trained - refit
    assert epochs_spent(search) == 2 * sum(c * r for c, r in plan)


def test_the_equal_budget_of_the_notebook():
    """27 candidates for 1, 9 for 3 and 3 for 9 epochs cost what 9 candidates cost at 9."""
    plan = halving_plan(27, min_resources=1, max_resources=9, factor=3)
    assert plan == [(27, 1), (9, 3), (3, 9)]
    assert sum(c * r for c, r in plan) == 9 * 9


@pytest.mark.parametrize("kwargs, message", [
    ({"n_candidates": 0}, "Invalid n_candidates"), ({"min_resources": 0}, "Invalid min_resources"),
    ({"max_resources": 0}, "Invalid max_resources"), ({"factor": 1}, "Invalid factor"),
])
def test_halving_plan_rejects_bad_arguments(kwargs, message):
    arguments = {"n_candidates": 9, "min_resources": 1, "max_resources": 9, **kwargs}
    with pytest.raises(ValueError, match=message):
        halving_plan(**arguments)


def test_epochs_spent_by_grid_and_random_searches():
    X, y = _data()
    grid = GridSearchCV(Counting(max_iter=4), {"optimizer": optimizer_grid(
        lambda lr: SGD(lr=lr), [0.1, 0.2, 0.3])}, cv=3, refit=False, n_jobs=1)
    Counting.epochs_trained = 0
    grid.fit(X, y)
    assert epochs_spent(grid) == 3 * 3 * 4 == Counting.epochs_trained
    searched = RandomizedSearchCV(
        Counting(), {"optimizer": LogUniformOptimizer(lambda lr: SGD(lr=lr), 1e-3, 1.0),
                     "max_iter": [2, 5]}, n_iter=6, cv=2, refit=False, random_state=0, n_jobs=1)
    Counting.epochs_trained = 0
    searched.fit(X, y)
    assert epochs_spent(searched) == Counting.epochs_trained
    assert epochs_spent(searched) == 2 * sum(p["max_iter"] for p in searched.cv_results_["params"])


def test_epochs_are_counted_only_for_the_max_iter_resource():
    X, y = _data(90)
    search = HalvingRandomSearchCV(
        Counting(), {"optimizer": optimizer_grid(lambda lr: SGD(lr=lr), [0.1, 0.2, 0.3, 0.4])},
        n_candidates=4, min_resources=30, cv=2, random_state=0, n_jobs=1, refit=False)
    search.fit(X, y)
    with pytest.raises(ValueError, match="Invalid resource: 'n_samples'"):
        epochs_spent(search)


# -- what a search tried ---------------------------------------------------------------------
def test_candidates_lists_every_evaluation_and_marks_the_choice():
    space = {"optimizer": LogUniformOptimizer(lambda lr: SGD(lr=lr), 1e-3, 1.0),
             "alpha": [0.0, 0.5]}
    search = HalvingRandomSearchCV(
        Counting(), space, n_candidates=9, resource="max_iter", min_resources=1,
        max_resources=9, factor=3, cv=2, random_state=0, n_jobs=1)
    search.fit(*_data())
    rows = candidates(search)
    assert len(rows) == 9 + 3 + 1
    assert [r["epochs"] for r in rows] == [1] * 9 + [3] * 3 + [9]
    assert sum(r["chosen"] for r in rows) == 1
    chosen = next(r for r in rows if r["chosen"])
    assert chosen["lr"] == max(r["lr"] for r in rows)            # the stand-in likes large rates
    assert chosen["lr"] == search.best_params_["optimizer"].lr
    assert set(rows[0]) == {"alpha", "lr", "max_iter", "epochs", "score", "chosen"}


def test_candidates_of_a_real_network_grid():
    X, y = _data()
    grid = GridSearchCV(MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
                        {"optimizer": optimizer_grid(lambda lr: Adam(lr=lr), [1e-3, 1e-1]),
                         "alpha": [0.0]}, cv=2, n_jobs=1)
    grid.fit(X, y)
    rows = candidates(grid)
    assert [r["lr"] for r in rows] == [1e-3, 1e-1] and {r["epochs"] for r in rows} == {2}
    assert [r["score"] for r in rows] == pytest.approx(list(grid.cv_results_["mean_test_score"]))


def test_candidates_of_a_search_with_two_metrics_read_the_refit_metric():
    X, y = _data()
    grid = GridSearchCV(MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
                        {"optimizer": optimizer_grid(lambda lr: Adam(lr=lr), [1e-3, 1e-1])},
                        scoring={"accuracy": "accuracy", "log_loss": "neg_log_loss"},
                        refit="log_loss", cv=2, n_jobs=1)
    grid.fit(X, y)
    results = grid.cv_results_
    assert [r["score"] for r in candidates(grid)] == pytest.approx(
        list(results["mean_test_log_loss"]))
    assert [r["score"] for r in candidates(grid, "mean_test_accuracy")] == pytest.approx(
        list(results["mean_test_accuracy"]))


def test_plot_search_draws_every_evaluation_and_circles_the_choice():
    import matplotlib.pyplot as plt

    space = {"optimizer": LogUniformOptimizer(lambda lr: SGD(lr=lr), 1e-3, 1.0),
             "alpha": [1e-3, 1e-1]}
    search = HalvingRandomSearchCV(
        Counting(), space, n_candidates=9, resource="max_iter", min_resources=1,
        max_resources=9, factor=3, cv=2, random_state=0, n_jobs=1)
    search.fit(*_data())
    fig, ax = plt.subplots()
    plot_search(ax, search, title="halving")
    points, circle = ax.collections
    assert len(points.get_offsets()) == 13 and len(circle.get_offsets()) == 1
    sizes = points.get_sizes()
    assert sizes.max() > sizes.min()                              # area grows with epochs
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_title() == "halving"
    plt.close(fig)


def test_quiet_training_silences_divergence_but_not_other_warnings():
    import warnings

    X, y = _data()
    too_large = MLPClassifier(hidden_layer_sizes=(4,), optimizer=SGD(lr=1e300), max_iter=3,
                              random_state=0)
    with pytest.warns(RuntimeWarning, match="Training diverged"), np.errstate(all="ignore"):
        too_large.fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_training():
            too_large.fit(X, y)
            warnings.warn("something else", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["something else"]
    assert not np.isfinite(too_large.loss_)


class Fixed(ClassifierMixin, BaseEstimator):
    """Predicts fixed probabilities for every sample (class 0 with probability p0)."""

    def __init__(self, p0=0.9):
        self.p0 = p0

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.tile([self.p0, 1 - self.p0], (len(X), 1))


def test_tie_broken_accuracy_keeps_the_accuracy_and_breaks_ties_by_the_log_loss():
    from alr_teach.lab.budgeted_search import TIE_WEIGHT, accuracy_ties_by_log_loss

    X, y = np.zeros((10, 1)), np.array([0] * 7 + [1] * 3)
    sure, unsure = Fixed(0.9).fit(X, y), Fixed(0.6).fit(X, y)   # both 70 % right
    a, b = accuracy_ties_by_log_loss(sure, X, y), accuracy_ties_by_log_loss(unsure, X, y)
    assert 0.7 - 1e-7 < a < 0.7 and 0.7 - 1e-7 < b < 0.7
    assert a != b and (a > b) == (_log_loss(sure, X, y) < _log_loss(unsure, X, y))
    assert abs((0.7 - a) / TIE_WEIGHT - _log_loss(sure, X, y)) < 1e-6
    worse = Fixed(0.4).fit(X, y)                                  # 30 % right
    assert accuracy_ties_by_log_loss(worse, X, y) < min(a, b) - 0.3


def test_tie_broken_accuracy_of_a_diverged_network_is_finite():
    from alr_teach.lab.budgeted_search import TIE_CAP, TIE_WEIGHT, accuracy_ties_by_log_loss

    X, y = np.zeros((4, 1)), np.array([0, 0, 1, 1])
    score = accuracy_ties_by_log_loss(Fixed(1.0).fit(X, y), X, y)   # p = 0 for class 1
    assert score == pytest.approx(0.5 - TIE_WEIGHT * TIE_CAP, abs=1e-15)


def _log_loss(clf, X, y):
    from sklearn.metrics import log_loss

    return log_loss(y, clf.predict_proba(X), labels=clf.classes_)
