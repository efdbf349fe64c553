"""The real data sets of the course: small scikit-learn sets, split and standardised.

:func:`load_split` cuts a data set bundled with scikit-learn (:data:`DATASETS`) into
stratified train, validation and test parts (fixed ``random_state``) and standardises
every feature with the mean and standard deviation of the *training* part, so nothing
about the validation or test samples leaks into training. A :class:`Split` holds the
six arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from alr_teach import _validation as check

__all__ = ["DATASETS", "Split", "load_split"]


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
