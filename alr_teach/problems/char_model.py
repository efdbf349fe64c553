r"""A character-level language model small enough to train in a second on a CPU.

The task is the one large language models are trained on, shrunk: read the last
``context`` characters of a text and predict the next one. The text is the course's own
essay ``alr_teach/data/corpus.txt`` (about 6 KB, loaded with :func:`load_corpus`).

**Features.** Each character of the alphabet (the sorted characters of the text) gets an
index ``0 .. V - 1``. A window of ``context`` indices becomes ``context`` one-hot blocks of
length ``V``, side by side: a row of length ``context * V`` with exactly ``context`` ones.
The first layer of a network on these rows is therefore a learned vector per (position,
character), the simplest form of an embedding, and its gradient is zero for every
character absent from a batch: the sparse gradients of language models in miniature.

**Model.** :class:`~alr_teach.MLPClassifier`, the course's numpy network, with the
characters as classes; its loss, the mean cross-entropy in nats, is reported here in
*bits per character* (divided by :math:`\ln 2`): 5 bits is a uniform guess over 32
characters, and lower means the model predicts the text better.

**Split.** By position, not at random: the first ``1 - val_fraction`` of the targets train
the model and the last ones (the end of the essay) validate it, so the validation text is
text the model has never seen, as in language modelling.

>>> data = make_char_data(load_corpus(), context=3)
>>> data.vocab_size, data.decode(data.encode("fog"))
(32, 'fog')
>>> int(data.X_train[0].sum()), data.X_train.shape[1] == 3 * data.vocab_size
(3, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

from alr_teach import _validation as check
from alr_teach.optimizers.base import Optimizer
from alr_teach.problems import mlp

__all__ = [
    "CORPUS", "load_corpus", "CharData", "windows_of", "one_hot_windows", "make_char_data",
    "fit_char_model", "bits_per_char", "sample_text",
]

#: the text that ships with the package (``alr_teach/data/``)
CORPUS = "corpus.txt"


def load_corpus(lower: bool = True) -> str:
    """The course's essay, read from the installed package with :mod:`importlib.resources`.

    ``lower`` folds capitals into lower case (a smaller alphabet: 32 characters).
    """
    text = resources.files("alr_teach").joinpath("data", CORPUS).read_text(encoding="utf-8")
    return text.lower() if lower else text


@dataclass(frozen=True)
class CharData:
    """A text cut into (window of ``context`` characters, next character) examples.

    ``X_*`` are the one-hot windows, shape ``(n, context * vocab_size)``; ``y_*`` the index
    of the next character, shape ``(n,)``; ``alphabet`` the characters in index order.
    """

    alphabet: str
    context: int
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray

    @property
    def vocab_size(self) -> int:
        return len(self.alphabet)

    def encode(self, text: str) -> np.ndarray:
        """Character indices of ``text`` (every character must be in the alphabet)."""
        unknown = sorted(set(text) - set(self.alphabet))
        if unknown:
            raise ValueError(f"Invalid text: contains {unknown!r} (not in the alphabet)")
        lookup = {c: i for i, c in enumerate(self.alphabet)}
        return np.array([lookup[c] for c in text], dtype=np.intp)

    def decode(self, ids: np.ndarray) -> str:
        """The characters of the indices ``ids``."""
        return "".join(self.alphabet[int(i)] for i in np.asarray(ids).reshape(-1))

    def features(self, windows: np.ndarray) -> np.ndarray:
        """One-hot rows of index windows: shape ``(..., context)`` -> ``(..., context * V)``."""
        return one_hot_windows(windows, self.vocab_size)


def windows_of(ids: np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``context`` consecutive indices and the index that follows it.

    Returns ``(windows, targets)`` of shapes ``(n - context, context)`` and
    ``(n - context,)``: ``windows[i] = ids[i : i + context]``, ``targets[i] = ids[i + context]``.
    """
    ids = np.asarray(ids)
    n = ids.size - context
    windows = np.stack([ids[k : k + n] for k in range(context)], axis=1)  # (n, context)
    return windows, ids[context:]


def one_hot_windows(windows: np.ndarray, vocab_size: int) -> np.ndarray:
    """Each window's one-hot blocks side by side: shape ``(..., context * vocab_size)``."""
    windows = np.asarray(windows)
    rows = np.eye(vocab_size)[windows]  # (..., context, V)
    return rows.reshape(windows.shape[:-1] + (windows.shape[-1] * vocab_size,))


def make_char_data(text: str, context: int = 6, val_fraction: float = 0.1) -> CharData:
    """Windows of ``text`` split by position: the last ``val_fraction`` of targets validate."""
    context = check.whole("context", context, low=1)
    val_fraction = check.in_range("val_fraction", val_fraction, 0.0, 1.0, low_open=True,
                                  high_open=True)
    if len(text) <= context + 1:
        raise ValueError(f"Invalid text: {len(text)} characters (needs more than context + 1 "
                         f"= {context + 1})")
    alphabet = "".join(sorted(set(text)))
    lookup = {c: i for i, c in enumerate(alphabet)}
    ids = np.array([lookup[c] for c in text], dtype=np.intp)
    windows, targets = windows_of(ids, context)
    cut = int(round((1 - val_fraction) * targets.size))
    X = one_hot_windows(windows, len(alphabet))
    return CharData(alphabet, context, X[:cut], targets[:cut], X[cut:], targets[cut:])


def fit_char_model(
    optimizer: Optimizer,
    data: CharData,
    *,
    hidden: int = 64,
    epochs: int = 12,
    batch_size: int = 256,
    seed: int = 0,
):
    """Train an :class:`~alr_teach.MLPClassifier` to predict the next character.

    One hidden layer of ``hidden`` ReLU units; ``optimizer`` is copied, not stepped (use
    ``Adam(weight_decay=...)`` for L2 inside Adam, ``AdamW`` for decoupled decay). The
    validation windows are scored after every epoch (``validation_loss_curve_``, nats).
    ``seed`` fixes the initial weights and the order of the batches.
    """
    from alr_teach.problems.estimator import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(hidden,), optimizer=optimizer,
                        batch_size=batch_size, max_iter=epochs, random_state=seed)
    with mlp.one_thread():
        return clf.fit(data.X_train, data.y_train, validation_data=(data.X_val, data.y_val))


def bits_per_char(nats: float | np.ndarray) -> float | np.ndarray:
    """A cross-entropy in nats, in bits per character (divided by ln 2).

    >>> round(bits_per_char(np.log(32.0)), 6)   # a uniform guess over 32 characters
    5.0
    """
    bits = np.asarray(nats, dtype=float) / np.log(2.0)
    return float(bits) if bits.ndim == 0 else bits


def sample_text(
    clf,
    data: CharData,
    prompt: str,
    length: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
) -> str:
    """Continue ``prompt`` by ``length`` characters, each drawn from the model.

    The next character is drawn from the model's probabilities raised to the power
    ``1 / temperature`` (renormalised): 1 samples the model as it is, lower values
    favour its most likely characters. ``prompt`` needs at least ``context`` characters;
    the draws come from ``rng`` (seed it for a reproducible sample).
    """
    length = check.whole("length", length)
    temperature = check.positive("temperature", temperature)
    if len(prompt) < data.context:
        raise ValueError(f"Invalid prompt: {prompt!r} (needs at least {data.context} "
                         f"characters, the model's context)")
    ids = list(data.encode(prompt))
    for _ in range(length):
        row = data.features(np.array(ids[-data.context:]))[None]  # (1, context * V)
        log_p = clf.predict_log_proba(row)[0] / temperature
        p = np.exp(log_p - log_p.max())
        ids.append(int(clf.classes_[rng.choice(p.size, p=p / p.sum())]))
    return data.decode(np.array(ids))
