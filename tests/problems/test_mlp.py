"""The numpy network (alr_teach.problems.mlp) and its scikit-learn wrapper (MLPClassifier).

Backprop is checked against central finite differences; the wrapper against
scikit-learn's own estimator checks and the course's promises (the user's optimizer is
never touched, partial_fit = one epoch of fit, schedules set the rate of every step,
batch norm predicts with its running averages...).
"""

from __future__ import annotations

import copy
import functools
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from alr_teach import SGD, AdaGrad, Adam, Scheduled
from alr_teach.problems import mlp
from alr_teach.problems.estimator import MLPClassifier

RNG = np.random.default_rng(20240611)


def blobs(n=240, centers=3, seed=0):
    X, y = make_blobs(n_samples=n, centers=centers, cluster_std=1.0, random_state=seed)
    return StandardScaler().fit_transform(X), y


def xor(n=300, seed=0):
    """Two features, label = the signs agree: no linear model gets past ~50 %."""
    X = np.random.default_rng(seed).uniform(-1, 1, size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def constant_rate(t, lr):
    """A picklable schedule: functools.partial(constant_rate, lr=...)."""
    return lr


def optimizer_snapshot(opt):
    state = {k: [a.tobytes() for a in (v if isinstance(v, list) else [v])] for k, v in
             opt.state.items()}
    return repr(opt), dict(opt.hyperparameters), opt.t, state


# -- scikit-learn's estimator checks ----------------------------------------------------
# Small networks and few epochs keep them fast; check_classifiers_train still asks for
# > 83 % training accuracy on blobs, which 20 epochs of the default Adam(lr=1e-3) in batches
# of 16 reach (the second instance: a given optimizer instance, and batch norm).
@parametrize_with_checks(
    [
        MLPClassifier(hidden_layer_sizes=(16,), batch_size=16, max_iter=20, random_state=0),
        MLPClassifier(
            hidden_layer_sizes=(16,), optimizer=SGD(lr=0.05, momentum=0.9), batch_size=16,
            max_iter=5, batch_norm=True, random_state=0,
        ),
    ]
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


# -- backprop against finite differences ------------------------------------------------
def numerical_gradients(net, X, y, alpha, h=1e-6):
    """Central differences (L(p + h) - L(p - h)) / 2h of mlp.loss for every parameter."""
    params = net.params()
    grads = []
    for i, p in enumerate(params):
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            shifted = [q.copy() for q in params]
            shifted[i][idx] = p[idx] + h
            plus = mlp.loss(net.with_params(shifted), X, y, alpha)
            shifted[i][idx] = p[idx] - h
            minus = mlp.loss(net.with_params(shifted), X, y, alpha)
            g[idx] = (plus - minus) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "batch_norm"])
@pytest.mark.parametrize("alpha", [0.0, 0.7], ids=["alpha0", "alpha0.7"])
def test_backward_matches_central_finite_differences(batch_norm, alpha):
    """Every parameter array (weights, intercepts, gammas) of a 2-hidden-layer network."""
    rng = np.random.default_rng(3)
    net = mlp.init_network([4, 6, 5, 3], rng, batch_norm=batch_norm)
    # move intercepts and gammas off their initial 0 and 1 so that every term matters
    net = net.with_params([p + 0.3 * rng.standard_normal(p.shape) for p in net.params()])
    X, y = rng.standard_normal((9, 4)), rng.integers(0, 3, 9)
    value, grads, _ = mlp.loss_and_gradients(net, X, y, alpha)
    assert value == pytest.approx(mlp.loss(net, X, y, alpha), rel=1e-12)
    expected_count = 3 + 3 + (2 if batch_norm else 0)
    assert len(grads.params()) == len(net.params()) == expected_count
    for analytic, numeric, p in zip(grads.params(), numerical_gradients(net, X, y, alpha),
                                    net.params(), strict=True):
        assert analytic.shape == p.shape and analytic.dtype == np.float64
        error = np.linalg.norm(analytic - numeric) / max(
            np.linalg.norm(analytic), np.linalg.norm(numeric), 1e-12
        )
        assert error < 1e-6, (p.shape, error)


def test_alpha_gradient_is_the_scikit_learn_penalty():
    """d/dW of alpha/(2B) ||W||^2 is alpha/B W; intercepts are not penalised."""
    rng = np.random.default_rng(4)
    net = mlp.init_network([3, 4, 2], rng)
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    _, plain, _ = mlp.loss_and_gradients(net, X, y, 0.0)
    _, penalised, _ = mlp.loss_and_gradients(net, X, y, 2.0)
    for W, g0, g1 in zip(net.coefs, plain.coefs, penalised.coefs, strict=True):
        assert_allclose(g1 - g0, 2.0 / 5 * W, atol=1e-14)
    for g0, g1 in zip(plain.intercepts, penalised.intercepts, strict=True):
        assert_array_equal(g0, g1)


def test_softmax_and_cross_entropy_are_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    assert_allclose(mlp.softmax(z), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-300)
    log_probs = mlp.log_softmax(z)
    assert np.all(np.isfinite(log_probs))
    assert mlp.cross_entropy(log_probs, np.array([2, 0])) == pytest.approx(
        (2000 + np.log(3)) / 2
    )


def test_sigmoid_is_finite_and_symmetric_at_extremes():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    s = mlp.sigmoid(z)
    assert np.all(np.isfinite(s)) and s[2] == 0.5
    assert_allclose(s + mlp.sigmoid(-z), 1.0, rtol=1e-15)
    assert_allclose(s[1], np.exp(-30) / (1 + np.exp(-30)), rtol=1e-10)


# -- a stack of networks: a leading run axis ----------------------------------------------
def _stack(nets, intercept_shape):
    """R networks as one: coefs (R, n_in, n_out), intercepts (R, n_out) or (R, 1, n_out)."""
    coefs = [np.stack(layer) for layer in zip(*(n.coefs for n in nets))]
    intercepts = [np.stack(layer).reshape(len(nets), *intercept_shape(layer[0].size))
                  for layer in zip(*(n.intercepts for n in nets))]
    return mlp.Network(coefs, intercepts, [])


@pytest.mark.parametrize("shared_X", [False, True], ids=["own_batches", "shared_batch"])
def test_backward_of_a_stack_is_each_networks_backward(shared_X):
    """The same numbers, bit for bit, as the networks one by one; gradients keep the
    intercepts' shape (R, 1, n_out), as the optimizer needs."""
    rng = np.random.default_rng(5)
    nets = [mlp.init_network([5, 4, 3, 3], rng) for _ in range(3)]
    nets = [n.with_params([p + 0.2 * rng.standard_normal(p.shape) for p in n.params()])
            for n in nets]
    stack = _stack(nets, lambda k: (1, k))
    X = rng.standard_normal((7, 5)) if shared_X else rng.standard_normal((3, 7, 5))
    y = rng.integers(0, 3, size=7) if shared_X else rng.integers(0, 3, size=(3, 7))
    logits, cache = mlp.forward(stack, X)
    log_probs = mlp.log_softmax(logits)
    grads = mlp.backward(stack, cache, mlp.softmax_cross_entropy_backward(log_probs, y), 0.5)
    losses = mlp.cross_entropy(log_probs, y)
    assert losses.shape == (3,) and mlp.accuracy(logits, y).shape == (3,)
    for r, net in enumerate(nets):
        X_r, y_r = (X, y) if shared_X else (X[r], y[r])
        value, expected, _ = mlp.loss_and_gradients(net, X_r, y_r, 0.5)
        assert losses[r] + mlp.l2_penalty(net, 0.5, 7) == value
        assert mlp.accuracy(logits[r], y_r) == float(np.mean(logits[r].argmax(1) == y_r))
        for ours, theirs, p in zip(grads.params(), expected.params(), stack.params()):
            assert ours.shape == p.shape
            assert_array_equal(ours[r].reshape(theirs.shape), theirs)


def test_backward_to_input_is_the_input_gradient_of_a_stack():
    rng = np.random.default_rng(6)
    nets = [mlp.init_network([2, 4, 1], rng) for _ in range(2)]
    stack = _stack(nets, lambda k: (1, k))
    X = rng.standard_normal((2, 5, 2))
    logits, cache = mlp.forward(stack, X)
    dlogits = rng.standard_normal(logits.shape)
    grads, dX = mlp.backward_to_input(stack, cache, dlogits)
    for ours, theirs in zip(grads.params(), mlp.backward(stack, cache, dlogits).params()):
        assert_array_equal(ours, theirs)
    h = 1e-6
    for r, net in enumerate(nets):  # d sum(dlogits * logits) / d X[r, 3, 1]
        bump = np.zeros((5, 2))
        bump[3, 1] = h
        up, down = mlp.forward(net, X[r] + bump)[0], mlp.forward(net, X[r] - bump)[0]
        numeric = np.sum(dlogits[r] * (up - down)) / (2 * h)
        assert dX[r, 3, 1] == pytest.approx(numeric, rel=1e-6)


def test_batch_norm_takes_no_run_axis():
    net = mlp.init_network([2, 3, 2], np.random.default_rng(0), batch_norm=True)
    _, cache = mlp.forward(net, np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"Invalid dlogits: shape \(2, 4, 2\)"):
        mlp.backward(net, cache, np.ones((2, 4, 2)))


# -- learning -----------------------------------------------------------------------------
def test_learns_xor_and_blobs_above_95_percent():
    X, y = xor()
    clf = MLPClassifier(hidden_layer_sizes=(32,), optimizer=Adam(lr=0.01), batch_size=32,
                        max_iter=100, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95
    X, y = blobs()
    clf = MLPClassifier(optimizer=Adam(lr=0.01), max_iter=20, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95


def test_full_batch_gradient_descent_loss_curve_decreases_every_epoch():
    """One step per epoch with a small rate: each recorded loss below the previous one."""
    X, y = blobs(n=120)
    clf = MLPClassifier(hidden_layer_sizes=(16,), optimizer=SGD(lr=0.1), batch_size=1000,
                        shuffle=False, max_iter=40, random_state=0).fit(X, y)
    curve = np.array(clf.loss_curve_)
    assert len(curve) == clf.n_iter_ == 40
    assert np.all(np.diff(curve) < 0)
    assert curve[-1] < 0.5 * curve[0]
    assert clf.loss_ == curve[-1]


def test_minibatch_adam_loss_curve_goes_down():
    X, y = blobs()
    clf = MLPClassifier(optimizer=Adam(lr=0.005), max_iter=15, random_state=0).fit(X, y)
    curve = np.array(clf.loss_curve_)
    assert curve[-1] < 0.2 * curve[0]
    assert np.mean(np.diff(curve) < 0) > 0.8


def test_binary_string_labels():
    X, y = blobs(centers=2)
    labels = np.array(["no", "yes"])[y]
    clf = MLPClassifier(optimizer=Adam(lr=0.01), max_iter=10, random_state=0).fit(X, labels)
    assert_array_equal(clf.classes_, ["no", "yes"])
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) == {"no", "yes"}
    assert clf.score(X, labels) > 0.95
    assert_allclose(clf.predict_log_proba(X), np.log(proba), atol=1e-12)


def test_attributes_after_fit():
    X, y = blobs()
    clf = MLPClassifier(hidden_layer_sizes=(7, 5), max_iter=3, random_state=0).fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(2, 7), (7, 5), (5, 3)]
    assert [b.shape for b in clf.intercepts_] == [(7,), (5,), (3,)]
    assert clf.gammas_ == [] and clf.running_means_ == [] and clf.running_vars_ == []
    assert (clf.n_features_in_, clf.n_layers_, clf.n_outputs_) == (2, 4, 3)
    assert clf.n_iter_ == 3 and clf.t_ == 3 * len(X)
    assert clf.optimizer_.t == 3 * int(np.ceil(len(X) / 64))
    assert clf.validation_loss_curve_ == [] and clf.validation_score_curve_ == []


def test_he_initialisation_is_seeded_and_scaled():
    a = mlp.init_network([200, 300, 10], np.random.default_rng(0))
    b = mlp.init_network([200, 300, 10], np.random.default_rng(0))
    assert_array_equal(a.coefs[0], b.coefs[0])
    assert a.coefs[0].std() == pytest.approx(np.sqrt(2 / 200), rel=0.02)
    assert a.coefs[1].std() == pytest.approx(np.sqrt(2 / 300), rel=0.05)
    assert not np.any(a.intercepts[0])


def test_alpha_shrinks_the_weights():
    X, y = blobs()
    norms = [
        sum(np.sum(W**2) for W in MLPClassifier(alpha=alpha, optimizer=Adam(lr=0.01),
                                                max_iter=20, random_state=0).fit(X, y).coefs_)
        for alpha in (0.0, 20.0)
    ]
    assert norms[1] < 0.8 * norms[0]


# -- partial_fit ----------------------------------------------------------------------------
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_partial_fit_equals_one_epoch_of_fit(shuffle, batch_norm):
    X, y = blobs()
    options = dict(optimizer=Adam(lr=0.01), shuffle=shuffle, batch_norm=batch_norm,
                   batch_size=50, random_state=7)
    fitted = MLPClassifier(max_iter=1, **options).fit(X, y)
    partial = MLPClassifier(max_iter=99, **options).partial_fit(X, y, classes=[0, 1, 2])
    for name in ("coefs_", "intercepts_", "gammas_", "running_means_", "running_vars_"):
        for a, b in zip(getattr(fitted, name), getattr(partial, name), strict=True):
            assert_array_equal(a, b)
    assert fitted.loss_curve_ == partial.loss_curve_
    assert fitted.n_iter_ == partial.n_iter_ == 1
    assert fitted.optimizer_.t == partial.optimizer_.t == 5


def test_partial_fit_continues_and_checks_classes():
    X, y = blobs()
    clf = MLPClassifier(optimizer=Adam(lr=0.01), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y < 2], y[y < 2], classes=np.array([2, 0, 1]))  # class 2 comes later
    assert_array_equal(clf.classes_, [0, 1, 2])
    steps = clf.optimizer_.t
    clf.partial_fit(X, y)
    assert clf.optimizer_.t > steps and clf.n_iter_ == 2 and len(clf.loss_curve_) == 2
    with pytest.raises(ValueError, match="not the same as on the first call"):
        clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels not in classes_.*\[7\]"):
        clf.partial_fit(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.partial_fit(np.ones((4, 3)), [0, 1, 0, 1])


# -- the user's optimizer ---------------------------------------------------------------------
def test_users_optimizer_instance_is_never_modified():
    """Not by fit, partial_fit, a schedule, clone, pickling or a grid search."""
    X, y = blobs()
    opt = SGD(lr=0.05, momentum=0.9)
    opt.step([np.ones(2)], [np.ones(2)])  # the user's optimizer has state of its own
    before = optimizer_snapshot(opt)
    scheduled = Scheduled(opt, lr=functools.partial(constant_rate, lr=0.01))
    clf = MLPClassifier(optimizer=scheduled, max_iter=2, random_state=0)
    clf.fit(X, y)
    clf.partial_fit(X, y)
    assert clf.optimizer is scheduled and scheduled.optimizer is opt and scheduled.history == []
    assert clf.optimizer_ is not opt
    assert clf.optimizer_.t == 3 * 4 and clf.optimizer_.lr == 0.01
    copy.deepcopy(clf)
    pickle.loads(pickle.dumps(clf))
    GridSearchCV(clf, {"alpha": [0.0, 1.0]}, cv=2).fit(X, y)
    assert optimizer_snapshot(opt) == before
    other = Adam(lr=0.01)
    search = GridSearchCV(MLPClassifier(max_iter=2), {"optimizer": [opt, other]}, cv=2).fit(X, y)
    assert optimizer_snapshot(opt) == before and other.t == 0
    assert search.best_estimator_.optimizer_.t == 2 * 4


def test_fit_starts_from_a_fresh_optimizer_copy():
    """A stepped user optimizer does not leak its state into fit (optimizer_.t counts ours)."""
    X, y = blobs()
    used = Adam(lr=0.01)
    for _ in range(5):
        used.step([np.zeros(3)], [np.ones(3)])
    a = MLPClassifier(optimizer=used, max_iter=2, random_state=0).fit(X, y)
    b = MLPClassifier(optimizer=Adam(lr=0.01), max_iter=2, random_state=0).fit(X, y)
    assert a.optimizer_.t == b.optimizer_.t == 8
    for wa, wb in zip(a.coefs_, b.coefs_, strict=True):
        assert_array_equal(wa, wb)


def test_pickled_estimator_predicts_the_same():
    X, y = blobs()
    clf = MLPClassifier(optimizer=AdaGrad(lr=0.1), batch_norm=True, max_iter=3,
                        random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert repr(again.optimizer_) == repr(clf.optimizer_) and again.optimizer_.t == 12
    again.partial_fit(X, y)  # the unpickled optimizer still steps
    assert again.optimizer_.t == 16


# -- batch norm ---------------------------------------------------------------------------------
def test_batch_norm_trains_and_predicts_one_sample_with_running_stats():
    X, y = blobs()
    clf = MLPClassifier(hidden_layer_sizes=(16, 16), batch_norm=True, optimizer=Adam(lr=0.01),
                        max_iter=20, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95
    assert [g.shape for g in clf.gammas_] == [(16,), (16,)]
    assert not np.allclose(clf.gammas_[0], 1.0)  # trained by the optimizer
    assert not np.allclose(clf.running_means_[0], 0.0)
    single = clf.predict_proba(X[:1])
    assert single.shape == (1, 3)
    assert_allclose(single, clf.predict_proba(X)[:1], rtol=1e-12)  # independent of the batch
    assert clf.predict(X[5:6])[0] == clf.predict(X)[5]
    # predictions come from the running averages: changing them changes the output
    clf.running_means_[0] = clf.running_means_[0] + 3.0
    assert not np.allclose(clf.predict_proba(X[:1]), single)


def test_running_stats_are_momentum_averages_of_batch_statistics():
    """One full-batch step with lr 0: running = 0.9 * (0 or 1) + 0.1 * batch statistic."""
    X, y = blobs(n=90)
    clf = MLPClassifier(hidden_layer_sizes=(5,), batch_norm=True, optimizer=SGD(lr=0.0),
                        batch_size=1000, shuffle=False, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    u = X @ clf.coefs_[0]  # lr 0: the weights are still the ones the batch saw
    assert_allclose(clf.running_means_[0], 0.1 * u.mean(axis=0), rtol=1e-12)
    assert_allclose(clf.running_vars_[0], 0.9 + 0.1 * u.var(axis=0), rtol=1e-12)


def test_batch_norm_inference_equals_training_mode_with_the_same_statistics():
    rng = np.random.default_rng(5)
    u, gamma, beta = rng.standard_normal((8, 4)), rng.standard_normal(4), rng.standard_normal(4)
    train, _, mean, var = mlp.batch_norm_forward(u, gamma, beta)
    assert_allclose(mlp.batch_norm_inference(u, gamma, beta, mean, var), train, atol=1e-12)
    assert_allclose(train.mean(axis=0), beta, atol=1e-12)


# -- validation curves, schedules, early stopping, verbose --------------------------------------
def test_validation_curves_have_one_entry_per_epoch():
    X, y = blobs(n=300)
    X_val, y_val = X[200:], y[200:]
    clf = MLPClassifier(optimizer=Adam(lr=0.01), max_iter=6, random_state=0)
    clf.fit(X[:200], y[:200], validation_data=(X_val, y_val))
    assert len(clf.validation_loss_curve_) == len(clf.validation_score_curve_) == 6
    assert clf.validation_score_curve_[-1] == clf.score(X_val, y_val)
    expected_loss = -np.mean(np.log(clf.predict_proba(X_val)[np.arange(100), y_val]))
    assert clf.validation_loss_curve_[-1] == pytest.approx(expected_loss, rel=1e-10)
    assert clf.validation_loss_curve_[-1] < clf.validation_loss_curve_[0]
    clf.partial_fit(X[:200], y[:200], validation_data=(X_val, y_val))
    assert len(clf.validation_loss_curve_) == len(clf.loss_curve_) == 7
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        clf.fit(X, y, validation_data=X_val)
    with pytest.raises(ValueError, match="y_val contains labels not in classes_"):
        clf.fit(X, y, validation_data=(X_val, y_val + 10))
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.fit(X, y, validation_data=(np.ones((2, 3)), [0, 1]))


def test_a_scheduled_optimizer_gets_the_step_count_and_sets_the_rate():
    X, y = blobs(n=100)
    calls = []

    def schedule(t):
        calls.append(t)
        return 0.05 / (1 + t)

    scheduled = Scheduled(SGD(lr=99.0), lr=schedule)
    assert calls == [0]  # a first call checks the schedule
    calls.clear()
    clf = MLPClassifier(optimizer=scheduled, batch_size=30, max_iter=3, random_state=0).fit(X, y)
    assert calls == list(range(12))  # 0-based steps: 3 epochs x 4 batches
    assert clf.optimizer_.lr == 0.05 / 12
    clf.partial_fit(X, y)
    assert calls == list(range(16))  # counts on across partial_fit calls

    # the rate of each step is the schedule's, whatever the optimizer was built with
    constant = MLPClassifier(optimizer=Scheduled(SGD(lr=99.0), lr=lambda t: 0.05), max_iter=2,
                             random_state=0).fit(X, y)
    plain = MLPClassifier(optimizer=SGD(lr=0.05), max_iter=2, random_state=0).fit(X, y)
    frozen = MLPClassifier(optimizer=Scheduled(SGD(lr=0.05), lr=lambda t: 0.0), max_iter=2,
                           random_state=0).fit(X, y)
    initial = MLPClassifier(optimizer=SGD(lr=0.0), max_iter=1, random_state=0).fit(X, y)
    for c, p, f, i in zip(constant.coefs_, plain.coefs_, frozen.coefs_, initial.coefs_,
                          strict=True):
        assert_array_equal(c, p)
        assert_array_equal(f, i)
        assert not np.array_equal(p, i)


def test_early_stopping_with_tol():
    X, y = blobs()
    clf = MLPClassifier(optimizer=Adam(lr=0.05), tol=0.1, n_iter_no_change=3, max_iter=200,
                        random_state=0).fit(X, y)
    assert clf.n_iter_ < 200 and len(clf.loss_curve_) == clf.n_iter_
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        MLPClassifier(tol=0.0, n_iter_no_change=50, max_iter=2, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # default tol=None: no early stopping, no warning
        clf = MLPClassifier(max_iter=2, random_state=0).fit(X, y)
    assert clf.n_iter_ == 2


def test_early_stopping_watches_the_validation_loss_when_given():
    """Wrong validation labels: their loss rises from epoch 1 while the training loss falls."""
    X, y = blobs()
    options = dict(optimizer=Adam(lr=0.01), tol=0.0, n_iter_no_change=3, max_iter=15,
                   random_state=0)
    stopped = MLPClassifier(**options).fit(X, y, validation_data=(X, (y + 1) % 3))
    assert stopped.n_iter_ == 4  # the best epoch, then 3 without improvement
    with pytest.warns(ConvergenceWarning):
        full = MLPClassifier(**options).fit(X, y)
    assert full.n_iter_ == 15


def test_divergence_stops_training_with_a_warning():
    X, y = blobs()
    with pytest.warns(RuntimeWarning, match="diverged at epoch 1"):
        with np.errstate(all="ignore"):
            clf = MLPClassifier(optimizer=SGD(lr=1e200), max_iter=5, random_state=0).fit(X, y)
    assert clf.n_iter_ == 1


def test_verbose_prints_one_line_per_epoch(capsys):
    X, y = blobs()
    MLPClassifier(max_iter=3, verbose=True, random_state=0).fit(X, y, validation_data=(X, y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Epoch 1: loss = ") and "validation accuracy" in lines[0]


# -- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        (dict(optimizer="adam"), TypeError, "optimizer must be an alr_teach Optimizer.*'adam'"),
        (dict(optimizer=Adam), TypeError, "got the class Adam: pass an instance"),
        (dict(optimizer=object()), TypeError, "optimizer must be an alr_teach Optimizer"),
        (dict(hidden_layer_sizes=(0,)), ValueError, r"hidden_layer_sizes .*\(0,\)"),
        (dict(hidden_layer_sizes=(64, -3)), ValueError, r"hidden_layer_sizes .*\(64, -3\)"),
        (dict(hidden_layer_sizes=-1), ValueError, "hidden_layer_sizes must be positive"),
        (dict(hidden_layer_sizes=(2.5,)), ValueError, "hidden_layer_sizes must be positive"),
        (dict(batch_size=0), ValueError, "batch_size must be an integer >= 1, got 0"),
        (dict(max_iter=1.5), ValueError, "max_iter must be an integer >= 1"),
        (dict(alpha=-1.0), ValueError, "alpha must be a finite number >= 0"),
        (dict(tol=-1.0), ValueError, "tol must be None or a finite number >= 0"),
        (dict(optimizer=lambda t: 0.01), TypeError, r"pass Scheduled\(optimizer, lr=schedule\)"),
        (dict(optimizer=Scheduled(SGD(lr=0.1), lr=lambda t: -1.0)), ValueError,
         "Invalid lr: -1.0"),
    ],
)
def test_bad_parameters_raise_clear_errors_in_fit(params, error, match):
    X, y = blobs(n=30)
    params = {"max_iter": 1, **params}
    clf = MLPClassifier(**params)  # __init__ only stores them
    with pytest.raises(error, match=match):
        clf.fit(X, y)
    with pytest.raises(error, match=match):
        MLPClassifier(**params).partial_fit(X, y, classes=[0, 1, 2])


def test_bad_data_raises():
    X, y = blobs(n=30)
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier(max_iter=1).fit(X, y + 0.5)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        MLPClassifier(max_iter=1).fit(np.where(X > 1, np.nan, X), y)
    clf = MLPClassifier(max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 2"):
        clf.predict(np.ones((2, 3)))


def test_no_hidden_layer_is_softmax_regression():
    X, y = blobs()
    clf = MLPClassifier(hidden_layer_sizes=(), optimizer=Adam(lr=0.05), max_iter=10,
                        batch_norm=True, random_state=0).fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(2, 3)] and clf.gammas_ == []
    assert clf.score(X, y) > 0.9
