"""Changing hyperparameters between steps (what a schedule does) is checked and takes effect."""

from __future__ import annotations

import numpy as np
import pytest

from alr_teach import SGD, Adam, Optimizer, RMSProp


def test_assigning_lr_changes_the_next_step():
    opt = SGD(lr=0.1)
    x = opt.step(np.array([1.0]), np.array([1.0]))
    opt.lr = 0.5
    assert opt.hyperparameters["lr"] == 0.5
    np.testing.assert_array_equal(opt.step(x, np.array([1.0])), x - 0.5)


def test_set_checks_values_like_the_constructor_and_is_all_or_nothing():
    opt = Adam(lr=0.1)
    with pytest.raises(ValueError, match=r"Invalid lr: -1"):
        opt.lr = -1
    with pytest.raises(ValueError, match=r"Invalid eps"):
        opt.set(lr=0.2, eps=0.0)
    assert opt.lr == 0.1 and opt.eps == 1e-8  # nothing changed


def test_unknown_names_are_rejected_not_ignored():
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"Invalid hyperparameter: 'learning_rate'.*lr"):
        opt.set(learning_rate=0.5)


def test_betas_can_be_assigned_as_a_pair():
    opt = Adam()
    opt.betas = (0.5, 0.9)
    assert opt.betas == (0.5, 0.9) and opt.beta1 == 0.5
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        opt.betas = (0.5, 1.0)


def test_combinations_are_checked_on_change():
    opt = SGD(lr=0.1, momentum=0.9, nesterov=True)
    with pytest.raises(ValueError, match="nesterov"):
        opt.momentum = 0.0
    assert opt.momentum == 0.9


def test_switching_momentum_on_mid_run_adds_the_missing_state():
    opt = RMSProp(lr=0.01)
    x = opt.step(np.ones(3), np.ones(3))
    assert "velocity" not in opt.state
    opt.momentum = 0.9
    x = opt.step(x, np.ones(3))
    assert "velocity" in opt.state and np.all(np.isfinite(x))


def test_a_learners_optimizer_accepts_any_finite_hyperparameter_by_default():
    class Plain(Optimizer):
        def __init__(self, lr=0.1):
            super().__init__(lr=lr)

        def init_state(self, x, h):
            return {}

        def update(self, x, g, s, h, t):
            return x - h.lr * g

    opt = Plain(lr=-0.5)  # gradient ascent: allowed, it is the learner's rule
    np.testing.assert_array_equal(opt.step(np.zeros(1), np.ones(1)), [0.5])
    with pytest.raises(ValueError, match="Invalid lr"):
        Plain(lr=float("nan"))


def test_the_hyperparameter_mapping_is_read_only():
    """Writing into the mapping would skip the checks (and the cached shapes): refused."""
    opt = SGD(lr=0.1)
    with pytest.raises(TypeError):
        opt.hyperparameters["lr"] = -1.0
    assert opt.lr == 0.1


@pytest.mark.parametrize("cls", [SGD, Adam, RMSProp])
def test_optimizers_deep_copy_and_pickle_mid_run(cls):
    """scikit-learn's clone and joblib need copies that carry on exactly as the original."""
    import copy
    import pickle

    opt = cls(lr=0.01)
    x = opt.step(np.ones(3), np.array([1.0, -2.0, 3.0]))
    for twin in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        assert twin.hyperparameters == opt.hyperparameters and twin.t == opt.t
        np.testing.assert_array_equal(twin.step(x, np.ones(3)), opt.step(x, np.ones(3)))
        opt.reset()
        opt.step(np.ones(3), np.array([1.0, -2.0, 3.0]))
        with pytest.raises(TypeError):
            twin.hyperparameters["lr"] = 1.0  # still read-only
