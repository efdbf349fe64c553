"""The optimizer protocol: declared batches of runs, checked flags, no unknown attributes.

Each test here was a leak of issue 14 ("The optimizer abstraction leaks"): a batch of
start points coupled by LAMB, NovoGrad and the hypergradient methods; flags that were
plain attributes (``opt.amsgrad = True`` broke the next step, ``SGD.nesterov = True``
broke a later ``set``); and attribute typos that were silently accepted.
"""

from __future__ import annotations

import copy
import os
import pickle
import signal

import numpy as np
import pytest

from alr_teach.lab.runner import run
from alr_teach.optimizers import (
    _params,
    adadelta,
    adagrad,
    adam,
    adam_variants,
    base,
    layerwise,
    rmsprop,
    sgd,
)
from alr_teach.optimizers.adagrad import AdaGrad
from alr_teach.optimizers.adam import Adam
from alr_teach.optimizers.adam_variants import RAdam, UncorrectedAdam
from alr_teach.optimizers.hypergradient import SGDHD, AdamHD
from alr_teach.optimizers.layerwise import LAMB, NovoGrad
from alr_teach.optimizers.rmsprop import RMSProp
from alr_teach.optimizers.sgd import SGD
from alr_teach.problems.landscapes import Quadratic

BOWL = Quadratic(curvatures=(1.0, 10.0), angle=0.3)
STARTS = np.array([[1.0, 2.0], [-3.0, 0.5]])  # a batch of two 2-D starts

# rules that combine a run's elements: a norm (LAMB, NovoGrad) or a dot product (HD)
COUPLING = [
    (LAMB, {"lr": 0.01}),
    (NovoGrad, {"lr": 0.01}),
    (AdamHD, {"lr": 0.01, "beta": 1e-3}),
    (SGDHD, {"lr": 0.02, "beta": 1e-3}),
]


# -- 1. a batch of runs is declared, never guessed --------------------------------------
@pytest.mark.parametrize(("cls", "kwargs"), COUPLING, ids=lambda c: getattr(c, "__name__", ""))
def test_a_batch_of_starts_runs_as_separate_runs(cls, kwargs):
    batch = run(cls(**kwargs), BOWL, STARTS, steps=25)
    for i, start in enumerate(STARTS):
        alone = run(cls(**kwargs), BOWL, start, steps=25)
        np.testing.assert_allclose(batch.points[:, i], alone.points, rtol=1e-13, atol=0)
        for name, history in alone.state.items():
            np.testing.assert_allclose(batch.state[name][:, i], history, rtol=1e-13, atol=0)


@pytest.mark.parametrize(("cls", "kwargs"), COUPLING, ids=lambda c: getattr(c, "__name__", ""))
def test_batch_ndim_separates_the_runs_of_a_direct_step(cls, kwargs):
    batched = cls(**kwargs)
    batched.batch_ndim = 1
    singles = [cls(**kwargs) for _ in STARTS]
    x, xs = STARTS, list(STARTS)
    for _ in range(5):
        x = batched.step(x, 2 * x)
        xs = [opt.step(row, 2 * row) for opt, row in zip(singles, xs)]
    np.testing.assert_allclose(x, np.stack(xs), rtol=1e-13, atol=0)


def test_without_a_declared_batch_the_array_is_one_problem():
    x = np.array([[3.0, 4.0], [0.3, 0.4]])
    opt = LAMB(lr=0.1)
    step = opt.step(x, x) - x
    # one problem: the step is lr * ||x|| over the whole array, not per row
    assert np.linalg.norm(step) == pytest.approx(0.1 * np.linalg.norm(x))


def test_batch_ndim_is_checked_and_fixed_once_stepping_starts():
    opt = LAMB(lr=0.1)
    assert opt.batch_ndim == 0
    for bad in (-1, 1.5, True, "1"):
        with pytest.raises(ValueError, match="Invalid batch_ndim"):
            opt.batch_ndim = bad
    opt.batch_ndim = 1
    opt.step(STARTS, STARTS)
    opt.batch_ndim = 1  # the same value: fine
    with pytest.raises(ValueError, match=r"Invalid batch_ndim: 0 .*call reset\(\) first"):
        opt.batch_ndim = 0
    assert opt.batch_ndim == 1 and opt.t == 1
    opt.reset()
    assert opt.batch_ndim == 1  # a declaration survives reset()
    opt.batch_ndim = 0
    assert opt.step(STARTS, STARTS).shape == STARTS.shape


def test_params_need_the_declared_batch_axes():
    opt = Adam(lr=0.1)
    opt.batch_ndim = 2
    with pytest.raises(ValueError, match=r"params has shape \(2,\): fewer axes than batch_ndim"):
        opt.step(np.ones(2), np.ones(2))
    assert opt.t == 0


@pytest.mark.parametrize(("cls", "kwargs"), COUPLING, ids=lambda c: getattr(c, "__name__", ""))
def test_a_coupling_rule_rejects_hyperparameters_that_vary_within_a_run(cls, kwargs):
    opt = cls(**{**kwargs, "lr": np.array([0.01, 0.02])})
    with pytest.raises(ValueError, match=r"lr has shape \(2,\), which varies within one run"):
        opt.step(STARTS, STARTS)  # batch_ndim = 0: the rows are one run
    assert opt.t == 0
    opt.batch_ndim = 1
    opt.step(STARTS, STARTS)  # declared: one rate per run


def test_an_elementwise_rule_takes_hyperparameters_along_any_leading_axes():
    opt = Adam(lr=np.array([0.01, 0.02]))  # batch_ndim = 0: per-row rates are fine
    assert opt.step(STARTS, STARTS).shape == STARTS.shape


def test_the_runner_declares_the_batch_of_a_sweep():
    lrs = np.array([0.01, 0.03, 0.1])
    batch = run(LAMB(lr=lrs), BOWL, np.broadcast_to(BOWL.start, (3, 2)), steps=10)
    for i, lr in enumerate(lrs):
        alone = run(LAMB(lr=lr), BOWL, steps=10)
        np.testing.assert_allclose(batch.points[:, i], alone.points, rtol=1e-13, atol=0)


# -- 2. flags are checked hyperparameters ----------------------------------------------
def test_switching_amsgrad_on_after_a_step_adds_its_state():
    opt, x = Adam(lr=0.1), np.array([1.0, -2.0])
    x = opt.step(x, x)
    opt.amsgrad = True  # was: AttributeError 'v_max' on the next step
    x = opt.step(x, x)
    state = opt.state
    # v_max starts at 0 (as at step 1), so after this step it is max(0, v) = v
    np.testing.assert_array_equal(state["v_max"], state["v"])
    assert opt.amsgrad is True and opt.flags == {"amsgrad": True}


def test_nesterov_without_momentum_is_rejected_at_assignment():
    opt = SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"Invalid nesterov: True \(needs momentum > 0"):
        opt.nesterov = True
    assert opt.nesterov is False
    opt.set(lr=0.2)  # was: "Invalid nesterov" here, far from the mistake
    assert opt.lr == 0.2


def test_nesterov_switched_on_before_the_first_step_is_sgd_with_nesterov():
    late, fresh = SGD(lr=0.1, momentum=0.9), SGD(lr=0.1, momentum=0.9, nesterov=True)
    late.nesterov = True
    x = y = np.array([1.0, -2.0])
    for _ in range(5):
        x, y = late.step(x, x), fresh.step(y, y)
    np.testing.assert_array_equal(x, y)


def test_switching_a_flag_after_steps_works_for_every_flag():
    x = np.array([1.0, -2.0])
    for opt, name in [(RMSProp(lr=0.01), "centered"), (RAdam(lr=0.01), "decoupled_weight_decay"),
                      (SGD(lr=0.1, momentum=0.9), "nesterov"), (AdamHD(lr=0.01), "amsgrad")]:
        y = opt.step(x, x)
        setattr(opt, name, True)
        y = opt.step(y, y)
        assert getattr(opt, name) is True and np.all(np.isfinite(y)), opt


@pytest.mark.parametrize("bad", [1, 0, "yes", None, np.array([True])])
def test_a_flag_must_be_true_or_false(bad):
    opt = Adam()
    with pytest.raises(ValueError, match=r"Invalid amsgrad: .* \(must be True or False\)"):
        opt.amsgrad = bad
    with pytest.raises(ValueError, match="Invalid amsgrad"):
        opt.set(amsgrad=bad)
    with pytest.raises(ValueError, match="Invalid amsgrad"):
        Adam(amsgrad=bad)
    assert opt.amsgrad is False


def test_flags_are_read_only_and_survive_copies():
    opt = RMSProp(lr=0.01, centered=True)
    opt.batch_ndim = 1
    with pytest.raises(TypeError):
        opt.flags["centered"] = False  # type: ignore[index]
    for twin in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        assert twin.flags == {"centered": True} and twin.batch_ndim == 1
        twin.centered = False
    assert opt.centered is True


def test_a_rule_without_a_switch_has_no_such_flag():
    with pytest.raises(AttributeError, match="'amsgrad'"):
        UncorrectedAdam().amsgrad = True
    with pytest.raises(AttributeError, match="'decoupled_weight_decay'"):
        Adam().decoupled_weight_decay = True  # AdamW is its own class


def test_every_hyperparameter_a_rule_accepts_takes_effect():
    """UncorrectedAdam once accepted a weight_decay and ignored it; it is L2, as Adam's."""
    x, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    plain = UncorrectedAdam(lr=0.1).step(x, g + 0.1 * x)
    np.testing.assert_array_equal(UncorrectedAdam(lr=0.1, weight_decay=0.1).step(x, g), plain)


# -- 3. unknown attributes are rejected ------------------------------------------------
def test_an_unknown_attribute_is_rejected_naming_the_valid_ones():
    opt = SGD(lr=0.1)
    with pytest.raises(AttributeError, match=r"'learning_rate' .*SGD has lr, momentum, "
                                             r"dampening, weight_decay and the flag nesterov"):
        opt.learning_rate = 1
    assert not hasattr(opt, "learning_rate") and opt.lr == 0.1
    with pytest.raises(AttributeError, match="'hyperparameters'"):
        opt.hyperparameters = {}
    with pytest.raises(ValueError, match=r"Invalid hyperparameter: 'learning_rate' \(SGD has lr"):
        opt.set(learning_rate=1)


def test_internal_attributes_and_setters_still_work():
    opt = Adam(lr=0.1)
    opt._note = "mine"
    opt.t = 0
    opt.betas = (0.5, 0.9)
    assert opt._note == "mine" and opt.beta1 == 0.5 and opt.beta2 == 0.9
    with pytest.raises(AttributeError):
        SGD(lr=0.1).uses_momentum = True  # a read-only property
    for machinery in ("checks", "flag_names", "mixes_elements", "step"):
        with pytest.raises(AttributeError, match="Invalid attribute"):
            setattr(opt, machinery, None)


class Verbose(SGD):
    """A learner's subclass with a setting of its own, declared in the class body."""

    verbose: bool = False


def test_a_subclass_may_assign_the_settings_it_declares():
    opt = Verbose(lr=0.1)
    opt.verbose = True
    assert opt.verbose is True and Verbose.verbose is False
    with pytest.raises(AttributeError, match="'verbos'"):
        opt.verbos = True


def test_every_module_lists_its_public_names():
    modules = [base, _params, sgd, adagrad, rmsprop, adam, adam_variants, adadelta, layerwise]
    for module in modules:
        assert module.__all__, module.__name__
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert not hasattr(base, "over_slices")  # the threaded slice step is gone
    assert AdaGrad(lr=0.1).step(np.ones((3, 4)), np.ones((3, 4))).shape == (3, 4)


# -- 4. no thread pool: a forked child steps like its parent -------------------------------
@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX-only")
def test_a_forked_child_steps_a_large_array_like_its_parent():
    """With the old slice threads, the child of a fork inherited a dead pool and hung here."""
    opt, x = Adam(lr=0.1), np.linspace(-1.0, 1.0, 300_000)
    x = opt.step(x, x)  # the parent steps a large array first
    expected = copy.deepcopy(opt).step(x, x)
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if its step finishes and matches the parent's
        signal.alarm(30)  # a hang ends the child with SIGALRM instead of the test run
        try:
            os._exit(0 if np.array_equal(opt.step(x, x), expected) else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
