"""Fixtures shared by the test modules, and the set-up of the package's doctests.

The doctests of :mod:`sksoc.plotting` draw figures: they are skipped without
matplotlib, drawn off-screen and closed after each. No conftest ships inside
the package for that: this file registers the set-up as a plugin, which
reaches every collected item. Pytest loads this file whenever ``tests`` is
among the paths it starts from, as with ``python -m pytest`` (through
``testpaths``); to run the plotting doctests alone, name both:
``python -m pytest sksoc/plotting tests/conftest.py``.
"""

import sys
from pathlib import Path

import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

PLOTTING = Path(__file__).resolve().parents[1] / "sksoc" / "plotting"


class PlottingDoctests:
    """Skip the plotting doctests without matplotlib; draw them off-screen."""

    @staticmethod
    def draws(item):
        """Whether ``item`` is a doctest of sksoc.plotting (it holds no others)."""
        return PLOTTING in item.path.parents

    def pytest_collection_modifyitems(self, items):
        try:
            import matplotlib
        except ImportError:
            skip = pytest.mark.skip(reason="the displays need matplotlib")
            for item in filter(self.draws, items):
                item.add_marker(skip)
        else:
            matplotlib.use("Agg")

    def pytest_runtest_teardown(self, item):
        pyplot = sys.modules.get("matplotlib.pyplot")  # None if nothing drew
        if pyplot is not None and self.draws(item):
            pyplot.close("all")


def pytest_configure(config):
    config.pluginmanager.register(PlottingDoctests(), "sksoc-plotting-doctests")


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
