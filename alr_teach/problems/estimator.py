"""A scikit-learn classifier whose network is trained by the course's own optimizers.

:class:`MLPClassifier` wraps the numpy network of :mod:`alr_teach.problems.mlp` in the
scikit-learn API (``fit``, ``partial_fit``, ``predict``, ``predict_proba``, ``score``),
so it works with pipelines, cross-validation and grid searches, while every weight update
is an ``optimizer.step`` of an :mod:`alr_teach` optimizer. ``training_problem(X, y, steps)``
hands out what a short experiment on the network needs (weights, batch losses, optimizer),
leaving the estimator as it was: :func:`alr_teach.lab.range_test.estimator_range_test` runs
the learning-rate range test on it.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted, check_X_y

from alr_teach import _validation as check
from alr_teach.optimizers.adam import Adam
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems import mlp

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - older scikit-learn

    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)


__all__ = ["MLPClassifier", "TrainingProblem"]


class TrainingProblem(NamedTuple):
    """A throw-away training run of an estimator's network, ready to be stepped.

    ``params`` are the starting weights (``optimizer.step``'s list), ``loss_and_grad(params,
    k)`` the loss (L2 penalty included) and gradients of the ``k``-th mini-batch, and
    ``optimizer`` a fresh copy of the estimator's optimizer.
    """

    params: list[np.ndarray]
    loss_and_grad: Callable[[list[np.ndarray], int], tuple[float, list[np.ndarray]]]
    optimizer: Optimizer


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """A ReLU network with a softmax output, trained by an ``alr_teach`` optimizer.

    Each hidden layer is ``relu(a W + b)`` (with ``batch_norm``, ``relu(gamma * BN(a W) + b)``),
    the output layer gives one logit per class, and training minimises the mean
    cross-entropy (plus the optional L2 penalty) over mini-batches: for each batch,
    :func:`alr_teach.problems.mlp.loss_and_gradients` gives the gradients and
    ``optimizer.step(params, grads)`` the new weights. Binary problems use two softmax
    outputs; labels may be of any type (ints, strings...).

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(64,)
        Units of each hidden layer; ``()`` gives multinomial logistic regression.
    optimizer : alr_teach Optimizer instance or None, default=None
        How the weights are updated; ``None`` means ``Adam(lr=1e-3)``. It is never
        modified: ``fit`` trains a fresh copy (``optimizer_``) with reset state. For a
        learning-rate schedule pass a scheduled optimizer,
        ``Scheduled(Adam(), lr=partial(cosine, lr=1e-3, T_max=...))``: its ``t`` counts
        steps (batches), not epochs, on across ``partial_fit`` calls; with ``n`` samples
        an epoch has ``ceil(n / batch_size)`` steps.
    batch_size : int, default=64
        Samples per step (clipped to the number of samples). The last batch of an epoch
        holds the remainder, as in scikit-learn.
    max_iter : int, default=200
        Epochs (passes over the data) in ``fit``.
    batch_norm : bool, default=False
        Batch normalisation in every hidden layer, before the ReLU: training uses each
        batch's mean and (biased) variance, prediction the running averages
        (``running_means_``, ``running_vars_``, momentum 0.1 and eps 1e-5 as in torch).
        Its scale ``gamma`` (``gammas_``) and shift (``intercepts_``, which plays the part
        of beta) are trained by the optimizer like the weights.
    alpha : float, default=0.0
        L2 penalty, with scikit-learn's scaling: ``alpha / (2 B) * sum ||W||^2`` is added
        to the mean loss of a batch of ``B`` samples (so ``alpha / B * W`` to the weight
        gradients); weights only, not intercepts or gammas. Values carry over from
        :class:`sklearn.neural_network.MLPClassifier`.
    shuffle : bool, default=True
        Shuffle the samples before each epoch.
    tol : float or None, default=None
        Early stopping, off by default (every fit runs ``max_iter`` epochs). When set,
        training stops once the monitored loss (the validation loss if ``validation_data``
        is given, else the training loss) has not improved on its best value by at least
        ``tol`` for ``n_iter_no_change`` consecutive epochs; reaching ``max_iter`` first
        gives a ``ConvergenceWarning``, as in scikit-learn.
    n_iter_no_change : int, default=10
        See ``tol``.
    verbose : bool, default=False
        Print the losses after each epoch.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the He initialisation and the shuffling: an int gives the same fit every
        time; it is turned into a ``numpy.random.Generator`` in ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    coefs_ : list of ndarray
        Weight matrix of each layer, ``coefs_[l]`` of shape ``(n_in, n_out)``.
    intercepts_ : list of ndarray
        Intercept (bias) of each layer; batch norm's beta in batch-normalised layers.
    gammas_ : list of ndarray
        Batch norm's scale of each hidden layer (``[]`` without batch norm).
    running_means_, running_vars_ : list of ndarray
        Batch norm's running averages used by ``predict`` (``[]`` without batch norm).
    optimizer_ : Optimizer
        The trained copy of ``optimizer``: ``optimizer_.t`` steps taken, ``optimizer_.state``.
    loss_ : float
        The last entry of ``loss_curve_``.
    loss_curve_ : list of float
        Per epoch, the mean training loss (with the penalty) of the epoch's batches,
        each computed before its step (as scikit-learn reports it).
    validation_loss_curve_, validation_score_curve_ : list of float
        Per epoch when ``validation_data`` was given (else empty): cross-entropy (without
        the penalty) and accuracy on it, after the epoch, in prediction mode.
    n_iter_ : int
        Epochs run (``fit`` starts at 0; each ``partial_fit`` adds one).
    t_ : int
        Training samples seen by the optimizer (scikit-learn's meaning of ``t_``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    n_layers_ : int
        Layers including input and output (``len(hidden_layer_sizes) + 2``).
    n_outputs_ : int
        Output units (one per class).

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from alr_teach import SGD
    >>> X, y = make_blobs(n_samples=200, centers=3, random_state=0)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), optimizer=SGD(lr=0.05, momentum=0.9),
    ...                     max_iter=20, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9, len(clf.loss_curve_)
    (True, 20)
    """

    def __init__(
        self,
        hidden_layer_sizes=(64,),
        optimizer=None,
        batch_size=64,
        max_iter=200,
        batch_norm=False,
        alpha=0.0,
        shuffle=True,
        tol=None,
        n_iter_no_change=10,
        verbose=False,
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.batch_norm = batch_norm
        self.alpha = alpha
        self.shuffle = shuffle
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose
        self.random_state = random_state

    # -- training ----------------------------------------------------------------------
    def fit(self, X, y, validation_data=None):
        """Train from scratch for ``max_iter`` epochs (fewer with early stopping).

        ``validation_data=(X_val, y_val)`` fills ``validation_loss_curve_`` and
        ``validation_score_curve_`` after every epoch. Returns ``self``.
        """
        hidden = self._check_params()
        X, y = _validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_ = unique_labels(y)
        y_index = self._encode(y, "y")
        validation = self._check_validation_data(validation_data)
        self._initialize(hidden)

        best, bad_epochs, stopped = np.inf, 0, False
        for _ in range(self.max_iter):
            self._epoch(X, y_index, validation)
            if not np.isfinite(self.loss_):
                warnings.warn(
                    f"Training diverged at epoch {self.n_iter_} (loss = {self.loss_}): "
                    f"try a smaller learning rate.",
                    RuntimeWarning,
                    stacklevel=2,
                )
                break
            if self.tol is not None:
                watched = (self.validation_loss_curve_ or self.loss_curve_)[-1]
                bad_epochs = bad_epochs + 1 if watched > best - self.tol else 0
                best = min(best, watched)
                if bad_epochs >= self.n_iter_no_change:
                    stopped = True
                    if self.verbose:
                        print(f"No improvement by tol={self.tol} for {bad_epochs} epochs: stop.")
                    break
        if self.tol is not None and not stopped and np.isfinite(self.loss_):
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached and the "
                f"optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def partial_fit(self, X, y, classes=None, validation_data=None):
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer.

        On the first call (before any ``fit``) ``classes`` must list every label that
        will ever be seen, as in scikit-learn; the network is then initialised from
        ``random_state``. Returns ``self``.
        """
        first_call = not hasattr(self, "coefs_")
        if first_call and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        hidden = self._check_params()
        X, y = _validate_data(self, X, y, dtype=np.float64, reset=first_call)
        check_classification_targets(y)
        if first_call:
            self.classes_ = unique_labels(classes)
        elif classes is not None and not np.array_equal(self.classes_, unique_labels(classes)):
            raise ValueError(
                f"classes={classes!r} is not the same as on the first call to partial_fit "
                f"or fit, which was {self.classes_!r}"
            )
        y_index = self._encode(y, "y")
        validation = self._check_validation_data(validation_data)
        if first_call:
            self._initialize(hidden)
        self._epoch(X, y_index, validation)
        return self

    def training_problem(self, X, y, steps: int) -> TrainingProblem:
        """The network, ``steps`` mini-batches of ``(X, y)`` and the optimizer, for an experiment.

        What :func:`alr_teach.lab.range_test.estimator_range_test` needs to train a
        throw-away copy. The weights are the current ones when the estimator is fitted,
        and otherwise the initial weights ``fit`` would draw (from ``random_state``). The
        batches, ``batch_size`` samples each (reshuffled every pass when ``shuffle``), are
        drawn from a generator seeded by ``random_state`` as in ``fit``; the optimizer is
        a deep copy of ``optimizer`` (``Adam(lr=1e-3)`` when None) with its state reset;
        a :class:`~alr_teach.optimizers.schedules.Scheduled` one keeps its schedule (a
        range test, which sets the rate itself, wants its ``.optimizer``); ``alpha`` is
        included in the loss. Nothing of the
        estimator is changed: not its weights, ``optimizer_``, ``t_``, curves or other
        attributes, nor a generator given as ``random_state``.
        """
        hidden = self._check_params()
        fitted = hasattr(self, "coefs_")
        if fitted:
            X, y = _validate_data(self, X, y, dtype=np.float64, reset=False)
            check_classification_targets(y)
            y_index = self._encode(y, "y")
        else:
            X, y = check_X_y(X, y, dtype=np.float64)
            check_classification_targets(y)
            classes = unique_labels(y)
            y_index = np.searchsorted(classes, y)
        rng = _generator(copy.deepcopy(self.random_state))  # the caller's generator stays put
        if fitted:
            net = self._network()
        else:
            sizes = [X.shape[1], *hidden, len(classes)]
            net = mlp.init_network(sizes, rng, batch_norm=bool(self.batch_norm))

        n = X.shape[0]
        batch_size = min(self.batch_size, n)
        per_epoch = -(-n // batch_size)
        batches = []
        for _ in range(-(-check.whole("steps", steps, low=1) // per_epoch)):
            order = rng.permutation(n) if self.shuffle else np.arange(n)
            batches += [order[start : start + batch_size] for start in range(0, n, batch_size)]
        alpha = float(self.alpha)

        def loss_and_grad(params, k):
            batch = batches[k]
            loss, grads, _ = mlp.loss_and_gradients(
                net.with_params(params), X[batch], y_index[batch], alpha
            )
            return loss, grads.params()

        optimizer = copy.deepcopy(Adam(lr=1e-3) if self.optimizer is None else self.optimizer)
        optimizer.reset()
        return TrainingProblem(net.params(), loss_and_grad, optimizer)

    def _initialize(self, hidden: tuple[int, ...]) -> None:
        """Fresh weights, optimizer copy, curves and counters (fit, or a first partial_fit)."""
        self._rng = _generator(self.random_state)
        sizes = [self.n_features_in_, *hidden, len(self.classes_)]
        net = mlp.init_network(sizes, self._rng, batch_norm=bool(self.batch_norm))
        self._store(net, mlp.init_running_stats(net))
        optimizer = Adam(lr=1e-3) if self.optimizer is None else self.optimizer
        self.optimizer_ = copy.deepcopy(optimizer)  # the user's instance is never stepped
        self.optimizer_.reset()
        self.n_layers_ = len(sizes)
        self.n_outputs_ = len(self.classes_)
        self.loss_curve_ = []
        self.validation_loss_curve_ = []
        self.validation_score_curve_ = []
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_ = np.nan

    def _epoch(self, X, y, validation) -> None:
        """One pass over the data in mini-batches, then the per-epoch bookkeeping."""
        n = X.shape[0]
        batch_size = min(self.batch_size, n)
        if self.shuffle:
            order = self._rng.permutation(n)
            X, y = X[order], y[order]  # one copy per epoch; the batches are then views
        net, running = self._network(), self._running_stats()
        optimizer, alpha = self.optimizer_, float(self.alpha)
        total = 0.0
        for start in range(0, n, batch_size):
            X_batch, y_batch = X[start : start + batch_size], y[start : start + batch_size]
            loss, grads, batch_stats = mlp.loss_and_gradients(net, X_batch, y_batch, alpha)
            net = net.with_params(optimizer.step(net.params(), grads.params()))
            if net.batch_norm:
                running = mlp.update_running_stats(running, batch_stats)
            total += loss * len(y_batch)
        self._store(net, running)
        self.n_iter_ += 1
        self.t_ += n
        self.loss_ = total / n
        self.loss_curve_.append(self.loss_)
        message = f"Epoch {self.n_iter_}: loss = {self.loss_:.6f}"
        if validation is not None:
            X_val, y_val = validation
            log_probs = mlp.log_softmax(self._logits(X_val))
            self.validation_loss_curve_.append(mlp.cross_entropy(log_probs, y_val))
            self.validation_score_curve_.append(mlp.accuracy(log_probs, y_val))
            message += (
                f", validation loss = {self.validation_loss_curve_[-1]:.6f}"
                f", validation accuracy = {self.validation_score_curve_[-1]:.4f}"
            )
        if self.verbose:
            print(message)

    # -- prediction --------------------------------------------------------------------
    def predict_proba(self, X):
        """Class probabilities, shape ``(n_samples, n_classes)``, columns as ``classes_``."""
        return mlp.softmax(self._logits(self._check_X(X)))

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`, computed stably from the logits."""
        return mlp.log_softmax(self._logits(self._check_X(X)))

    def predict(self, X):
        """The most probable class of each sample."""
        X = self._check_X(X)
        return self.classes_[self._logits(X).argmax(axis=1)]

    def _check_X(self, X):
        check_is_fitted(self)
        return _validate_data(self, X, dtype=np.float64, reset=False)

    def _logits(self, X):
        """Prediction-mode logits (batch norm with its running averages): rows independent."""
        logits, _ = mlp.forward(self._network(), X, running=self._running_stats())
        return logits

    # -- plumbing ----------------------------------------------------------------------
    def _network(self) -> mlp.Network:
        return mlp.Network(self.coefs_, self.intercepts_, self.gammas_)

    def _running_stats(self) -> mlp.RunningStats:
        return mlp.RunningStats(self.running_means_, self.running_vars_)

    def _store(self, net: mlp.Network, running: mlp.RunningStats) -> None:
        self.coefs_, self.intercepts_, self.gammas_ = net.coefs, net.intercepts, net.gammas
        self.running_means_, self.running_vars_ = running.means, running.variances

    def _encode(self, y, what: str) -> np.ndarray:
        """Labels -> indices into ``classes_``; unknown labels are an error."""
        y = np.asarray(y)
        index = np.searchsorted(self.classes_, y)
        known = (index < len(self.classes_)) & (
            self.classes_[np.minimum(index, len(self.classes_) - 1)] == y
        )
        if not np.all(known):
            unknown = unique_labels(y[~known])
            raise ValueError(
                f"{what} contains labels not in classes_ {self.classes_!r}: {unknown!r}"
            )
        return index

    def _check_validation_data(self, validation_data):
        if validation_data is None:
            return None
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError(
                f"validation_data must be a pair (X_val, y_val), got "
                f"{type(validation_data).__name__}"
            )
        X_val, y_val = validation_data
        X_val, y_val = _validate_data(self, X_val, y_val, dtype=np.float64, reset=False)
        return X_val, self._encode(y_val, "y_val")

    def _check_params(self) -> tuple[int, ...]:
        """Check the constructor arguments (in fit, as scikit-learn does); hidden sizes."""
        sizes = self.hidden_layer_sizes
        sizes = tuple(sizes) if isinstance(sizes, Iterable) else (sizes,)
        if not all(check.is_whole(s) and s > 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}"
            )
        optimizer = self.optimizer
        if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be an alr_teach Optimizer instance, got the class "
                f"{optimizer.__name__}: pass an instance, e.g. {optimizer.__name__}(lr=...)"
            )
        if optimizer is not None and not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be an alr_teach Optimizer instance (e.g. Adam(lr=1e-3)) or "
                f"None, got {optimizer!r} of type {type(optimizer).__name__} (for a "
                f"learning-rate schedule, pass Scheduled(optimizer, lr=schedule))"
            )
        for name in ("batch_size", "max_iter", "n_iter_no_change"):
            value = getattr(self, name)
            if not (check.is_whole(value) and value >= 1):
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if not (_is_real(self.alpha) and 0 <= self.alpha < np.inf):
            raise ValueError(f"alpha must be a finite number >= 0, got {self.alpha!r}")
        if self.tol is not None and not (_is_real(self.tol) and 0 <= self.tol < np.inf):
            raise ValueError(f"tol must be None or a finite number >= 0, got {self.tol!r}")
        return tuple(int(s) for s in sizes)


# -- helpers --------------------------------------------------------------------------
def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _generator(random_state) -> np.random.Generator:
    """``random_state`` as a numpy Generator: ints seed it, a RandomState is drawn from once."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or check.is_whole(random_state):
        return np.random.default_rng(random_state)
    return np.random.default_rng(check_random_state(random_state).randint(2**32, dtype=np.int64))
