"""Fine-tuning: the task is cut as documented, and fine_tune is the loop it claims to be."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from alr_teach import SGD, Adam, AdamW
from alr_teach.lessons.in_the_wild.fine_tuning import (
    accuracy,
    fine_tune,
    make_transfer_task,
    pretrain,
    with_head,
    with_new_head,
)
from alr_teach.problems import mlp
from alr_teach.problems.datasets import load_split


@pytest.fixture(scope="module")
def digits():
    return load_split("digits")


@pytest.fixture(scope="module")
def task(digits):
    return make_transfer_task(digits, old_classes=(0, 1, 2, 3, 4), shots=3, seed=7)


def test_the_task_holds_old_classes_whole_and_few_new_images(digits, task):
    assert task.new_classes == (5, 6, 7, 8, 9)
    assert_array_equal(np.bincount(task.y_few), [3] * 5)
    assert len(task.y_train_old) == np.isin(digits.y_train, task.old_classes).sum()
    assert len(task.y_test_new) == np.isin(digits.y_test, task.new_classes).sum()
    assert set(task.y_train_old) == set(range(5)) and set(task.y_val_new) == set(range(5))
    # every few-shot image is a training image of the class its label names
    for x, label in zip(task.X_few, task.y_few):
        rows = np.flatnonzero((digits.X_train == x).all(axis=1))
        assert rows.size and digits.y_train[rows[0]] == task.new_classes[label]


def test_the_few_shot_draw_depends_on_the_seed_only(digits, task):
    again = make_transfer_task(digits, shots=3, seed=7)
    other = make_transfer_task(digits, shots=3, seed=8)
    assert_array_equal(again.X_few, task.X_few)
    assert not np.array_equal(other.X_few, task.X_few)


@pytest.mark.parametrize("kwargs, message", [
    ({"old_classes": ()}, "Invalid old_classes"),
    ({"old_classes": tuple(range(10))}, "Invalid old_classes"),
    ({"old_classes": (0, 11)}, "Invalid old_classes"),
    ({"shots": 0}, "Invalid shots"),
    ({"shots": 10_000}, "Invalid shots"),
])
def test_bad_tasks_are_rejected(digits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_transfer_task(digits, **kwargs)


def test_a_new_head_keeps_the_body_and_replaces_the_output_layer():
    net = mlp.init_network([64, 16, 8, 5], np.random.default_rng(0))
    new = with_new_head(net, 3, np.random.default_rng(1))
    assert [W.shape for W in new.coefs] == [(64, 16), (16, 8), (8, 3)]
    assert new.coefs[0] is net.coefs[0] and new.intercepts[1] is net.intercepts[1]
    assert_array_equal(new.intercepts[-1], np.zeros(3))
    back = with_head(new, net)
    assert back.coefs[-1] is net.coefs[-1] and back.coefs[0] is net.coefs[0]


def test_fine_tune_is_full_batch_steps_of_the_optimizer(task):
    net = mlp.init_network([64, 8, 5], np.random.default_rng(2))
    tuned, losses = fine_tune(net, task.X_few, task.y_few, AdamW(lr=0.01), steps=5)
    opt, params, expected = AdamW(lr=0.01), net.params(), []
    for _ in range(5):
        loss, grads, _ = mlp.loss_and_gradients(net.with_params(params), task.X_few, task.y_few)
        expected.append(loss)
        params = opt.step(params, grads.params())
    for a, b in zip(tuned.params(), params):
        assert_allclose(a, b, rtol=1e-12, atol=0)
    assert_allclose(losses, expected, rtol=1e-12)


def test_fine_tune_resets_the_optimizer_and_leaves_the_network_alone(task):
    net = mlp.init_network([64, 8, 5], np.random.default_rng(3))
    before = [p.copy() for p in net.params()]
    opt = Adam(lr=0.01)
    first, _ = fine_tune(net, task.X_few, task.y_few, opt, steps=3)
    second, _ = fine_tune(net, task.X_few, task.y_few, opt, steps=3)
    assert opt.t == 3
    for a, b in zip(first.params(), second.params()):
        assert_array_equal(a, b)
    for p, q in zip(before, net.params()):
        assert_array_equal(p, q)


def test_fine_tuning_lowers_the_loss_on_the_few_images(task):
    net = mlp.init_network([64, 8, 5], np.random.default_rng(4))
    _, losses = fine_tune(net, task.X_few, task.y_few, SGD(lr=0.1, momentum=0.9), steps=50)
    assert losses[-1] < 0.2 * losses[0]


def test_accuracy_is_the_share_of_correct_argmax_and_zero_for_a_blown_up_net(task):
    net = mlp.init_network([64, 8, 5], np.random.default_rng(5))
    logits, _ = mlp.forward(net, task.X_test_new)
    assert accuracy(net, task.X_test_new, task.y_test_new) == pytest.approx(
        np.mean(logits.argmax(axis=1) == task.y_test_new))
    broken = net.with_params([np.full_like(p, np.inf) for p in net.params()])
    assert accuracy(broken, task.X_test_new, task.y_test_new) == 0.0


def test_pretraining_learns_the_old_classes(task):
    net = pretrain(task, Adam(lr=0.01), hidden=16, epochs=10, seed=0)
    assert [W.shape for W in net.coefs] == [(64, 16), (16, 5)]
    assert accuracy(net, task.X_test_old, task.y_test_old) > 0.9
