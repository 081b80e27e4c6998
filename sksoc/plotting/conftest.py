"""Doctests of the displays: skipped without matplotlib, drawn off-screen."""

import pytest


@pytest.fixture(autouse=True)
def _draw_off_screen():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
