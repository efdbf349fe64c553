"""The character model's data are what the docstring promises, and the model learns them."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from alr_teach import Adam
from alr_teach.problems.char_model import (
    bits_per_char,
    fit_char_model,
    load_corpus,
    make_char_data,
    one_hot_windows,
    sample_text,
    windows_of,
)

PATTERN = "the cat sat. " * 60  # a text a tiny model can learn almost perfectly


def test_the_corpus_ships_with_the_package_and_is_a_few_kilobytes():
    raw = load_corpus(lower=False)
    assert 4000 <= len(raw.encode("utf-8")) <= 8000
    assert raw.isascii() and any(c.isupper() for c in raw)
    assert load_corpus() == raw.lower()


def test_windows_are_consecutive_indices_and_the_next_one():
    ids = np.arange(10) * 3
    windows, targets = windows_of(ids, 4)
    assert windows.shape == (6, 4)
    for i in range(6):
        assert_array_equal(windows[i], ids[i : i + 4])
        assert targets[i] == ids[i + 4]


def test_one_hot_blocks_have_one_one_each_and_decode_back():
    windows = np.array([[2, 0, 1], [1, 1, 3]])
    rows = one_hot_windows(windows, 4)
    assert rows.shape == (2, 12)
    assert_array_equal(rows.sum(axis=1), [3, 3])
    assert_array_equal(rows.reshape(2, 3, 4).argmax(axis=-1), windows)


def test_the_split_is_by_position_and_keeps_every_target_once():
    text = load_corpus()
    data = make_char_data(text, context=5, val_fraction=0.2)
    ids = data.encode(text)
    assert_array_equal(np.concatenate([data.y_train, data.y_val]), ids[5:])
    assert len(data.y_val) == pytest.approx(0.2 * (len(text) - 5), abs=1)
    first_val_window = ids[len(data.y_train) : len(data.y_train) + 5]
    assert_array_equal(data.X_val[0].reshape(5, -1).argmax(axis=1), first_val_window)
    assert data.alphabet == "".join(sorted(set(text)))


def test_encode_decode_round_trip_and_unknown_characters():
    data = make_char_data(PATTERN, context=3)
    assert data.decode(data.encode("the cat")) == "the cat"
    with pytest.raises(ValueError, match="not in the alphabet"):
        data.encode("dog")


@pytest.mark.parametrize("kwargs, message", [
    ({"context": 0}, "Invalid context"),
    ({"val_fraction": 1.0}, "Invalid val_fraction"),
    ({"val_fraction": 0.0}, "Invalid val_fraction"),
])
def test_bad_settings_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_char_data(PATTERN, **kwargs)


def test_a_text_shorter_than_the_context_is_rejected():
    with pytest.raises(ValueError, match="Invalid text"):
        make_char_data("abc", context=3)


def test_bits_per_char_divides_by_ln_2():
    assert bits_per_char(np.log(2.0)) == pytest.approx(1.0)
    assert_array_equal(bits_per_char(np.array([0.0, np.log(4.0)])), [0.0, 2.0])


@pytest.fixture(scope="module")
def pattern_model():
    data = make_char_data(PATTERN, context=4)
    return data, fit_char_model(Adam(lr=0.05), data, hidden=16, epochs=15, batch_size=64,
                                seed=0)


def test_the_model_learns_a_repeating_text(pattern_model):
    data, clf = pattern_model
    start = bits_per_char(clf.validation_loss_curve_[0])
    end = bits_per_char(clf.validation_loss_curve_[-1])
    assert end < 0.1 < start
    assert clf.score(data.X_val, data.y_val) == 1.0


def test_fitting_is_reproducible_for_a_seed(pattern_model):
    data, clf = pattern_model
    again = fit_char_model(Adam(lr=0.05), data, hidden=16, epochs=15, batch_size=64, seed=0)
    other = fit_char_model(Adam(lr=0.05), data, hidden=16, epochs=15, batch_size=64, seed=1)
    assert_array_equal(again.coefs_[0], clf.coefs_[0])
    assert not np.array_equal(other.coefs_[0], clf.coefs_[0])


def test_samples_continue_the_pattern_and_repeat_for_a_seed(pattern_model):
    data, clf = pattern_model
    cold = sample_text(clf, data, "the ", 26, np.random.default_rng(0), temperature=0.2)
    assert cold == ("the cat sat. " * 3)[:30]
    first = sample_text(clf, data, "the ", 40, np.random.default_rng(5))
    assert sample_text(clf, data, "the ", 40, np.random.default_rng(5)) == first
    assert len(first) == 44 and first.startswith("the ")


@pytest.mark.parametrize("prompt, length, temperature, message", [
    ("th", 5, 1.0, "Invalid prompt"),
    ("the ", -1, 1.0, "Invalid length"),
    ("the ", 5, 0.0, "Invalid temperature"),
])
def test_sampling_rejects_bad_arguments(pattern_model, prompt, length, temperature, message):
    data, clf = pattern_model
    with pytest.raises(ValueError, match=message):
        sample_text(clf, data, prompt, length, np.random.default_rng(0), temperature)
