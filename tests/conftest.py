"""Fixtures shared by the test modules."""

import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@pytest.fixture(scope="session")
def digits_scaler():
    """The StandardScaler fitted on the training part of :func:`digits`."""
    return _digits_split()[0]


@pytest.fixture(scope="session")
def digits():
    """Digits, stratified 70/30, standardised on the training part.

    ``(X_train, X_test, y_train, y_test)``, as the issues specify the
    accuracy tests.
    """
    return _digits_split()[1:]


def _digits_split():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    return scaler, scaler.transform(X_train), scaler.transform(X_test), y_train, y_test
