"""The reliability diagram draws the bins of sksoc.metrics.reliability_curve.

Every test renders to an off-screen (Agg) canvas and reads back the artists.
"""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from sksoc import SOCClassifier
from sksoc.metrics import reliability_curve, top_label_calibration_error
from sksoc.plotting import ReliabilityDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def iris():
    """Iris with string labels, whose sorted order is not the column order."""
    data = load_iris()
    names = np.array(["virginica", "setosa", "versicolor"])[data.target]
    return data.data, names


@pytest.fixture(scope="module")
def logistic(iris):
    X, y = iris
    return LogisticRegression(C=0.05, max_iter=1000).fit(X, y)


def random_probabilities(n_samples=300, n_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    y_prob = rng.dirichlet(np.full(n_classes, 0.5), size=n_samples)
    return rng.integers(0, n_classes, size=n_samples), y_prob


def legend_texts(display):
    return [text.get_text() for text in display.ax_.get_legend().get_texts()]


def bins_of(display):
    return display.accuracy, display.confidence, display.counts


# -- what is drawn ---------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_points_are_the_reliability_curve(strategy):
    y_true, y_prob = random_probabilities()
    accuracy, confidence, counts = reliability_curve(
        y_true, y_prob, n_bins=8, strategy=strategy
    )
    display = ReliabilityDisplay.from_predictions(
        y_true, y_prob, n_bins=8, strategy=strategy
    )
    np.testing.assert_array_equal(display.line_.get_xdata(), confidence)
    np.testing.assert_array_equal(display.line_.get_ydata(), accuracy)
    np.testing.assert_array_equal(display.counts, counts)
    assert display.calibration_error == top_label_calibration_error(
        y_true, y_prob, n_bins=8, strategy=strategy
    )


def test_histogram_bars_span_the_bins_with_their_share_of_samples():
    # Bins of width 0.25. Confidences 0.4, 0.45 (bin (.25, .5]), 0.7 (bin
    # (.5, .75]) and 0.9 (bin (.75, 1]): shares 1/2, 1/4 and 1/4.
    y_prob = [[0.4, 0.3, 0.3], [0.45, 0.35, 0.2], [0.7, 0.2, 0.1], [0.05, 0.05, 0.9]]
    display = ReliabilityDisplay.from_predictions([0, 1, 2, 2], y_prob, n_bins=4)
    bars = list(display.hist_)
    np.testing.assert_allclose([bar.get_x() for bar in bars], [0.25, 0.5, 0.75])
    np.testing.assert_allclose([bar.get_width() for bar in bars], [0.25] * 3)
    np.testing.assert_allclose([bar.get_height() for bar in bars], [0.5, 0.25, 0.25])
    np.testing.assert_allclose(
        display.bin_edges, [[0.25, 0.5], [0.5, 0.75], [0.75, 1.0]]
    )
    assert display.hist_ax_ is not display.ax_
    assert display.hist_ax_.get_ylim() == display.ax_.get_ylim()
    assert display.hist_ax_.get_ylabel() == "Share of samples"


def test_histogram_uses_weighted_shares():
    # Weights 3 and 1: the first bin holds 3/4 of the weight.
    y_prob = [[0.4, 0.3, 0.3], [0.1, 0.1, 0.8]]
    display = ReliabilityDisplay.from_predictions(
        [0, 2], y_prob, labels=[0, 1, 2], n_bins=2, sample_weight=[3.0, 1.0]
    )
    heights = [bar.get_height() for bar in display.hist_]
    np.testing.assert_allclose(heights, [0.75, 0.25])


def test_diagonal_and_legend_with_the_error():
    y_true, y_prob = random_probabilities(seed=1)
    display = ReliabilityDisplay.from_predictions(
        y_true, y_prob, name="my model", color="tab:red"
    )
    error = top_label_calibration_error(y_true, y_prob)
    assert legend_texts(display) == [
        "Perfectly calibrated",
        f"my model (ECE = {error:.3f})",
    ]
    diagonal = display.ax_.get_lines()[0]
    np.testing.assert_array_equal(diagonal.get_xdata(), [0, 1])
    np.testing.assert_array_equal(diagonal.get_ydata(), [0, 1])
    assert matplotlib.colors.same_color(display.line_.get_color(), "tab:red")
    assert display.ax_.get_xlabel() == "Confidence (largest predicted probability)"
    assert display.ax_.get_ylabel() == "Accuracy"


def test_options_leave_out_the_histogram_and_the_diagonal():
    y_true, y_prob = random_probabilities(seed=2)
    fig, ax = plt.subplots()
    display = ReliabilityDisplay.from_predictions(
        y_true, y_prob, ax=ax, show_histogram=False, ref_line=False
    )
    assert display.ax_ is ax
    assert display.figure_ is fig
    assert display.hist_ is None and display.hist_ax_ is None
    assert fig.axes == [ax]
    assert ax.get_lines() == [display.line_]
    assert legend_texts(display) == [
        f"ECE = {top_label_calibration_error(y_true, y_prob):.3f}"
    ]


def test_constructor_replots_bins_given_by_hand():
    display = ReliabilityDisplay([0.5, 1.0], [0.45, 0.75], [2, 6])
    display.plot()
    np.testing.assert_array_equal(display.line_.get_xdata(), [0.45, 0.75])
    np.testing.assert_array_equal(display.line_.get_ydata(), [0.5, 1.0])
    # Without bin edges: narrow bars centred at the mean confidences.
    bars = list(display.hist_)
    centres = [bar.get_x() + bar.get_width() / 2 for bar in bars]
    np.testing.assert_allclose(centres, [0.45, 0.75])
    np.testing.assert_allclose([bar.get_height() for bar in bars], [0.25, 0.75])
    # Neither name nor error: only the diagonal is in the legend.
    assert legend_texts(display) == ["Perfectly calibrated"]
    display.plot(name="by hand")
    assert legend_texts(display) == ["Perfectly calibrated", "by hand"]


def test_constructor_arrays_are_checked():
    with pytest.raises(ValueError, match="one entry per bin; got shapes"):
        ReliabilityDisplay([0.5, 1.0], [0.45], [2, 2]).plot()
    with pytest.raises(ValueError, match=r"bin_edges must have shape \(2, 2\)"):
        ReliabilityDisplay([0.5, 1.0], [0.45, 0.75], [2, 2], bin_edges=[0, 1]).plot()


# -- from an estimator -----------------------------------------------------------


def test_from_estimator_equals_from_predictions(logistic, iris):
    X, y = iris
    from_estimator = ReliabilityDisplay.from_estimator(logistic, X, y, n_bins=10)
    from_predictions = ReliabilityDisplay.from_predictions(
        y, logistic.predict_proba(X), labels=logistic.classes_, n_bins=10
    )
    for one, two in zip(
        bins_of(from_estimator), bins_of(from_predictions), strict=True
    ):
        np.testing.assert_array_equal(one, two)
    assert from_estimator.calibration_error == from_predictions.calibration_error
    assert from_estimator.estimator_name == "LogisticRegression"
    assert legend_texts(from_estimator)[-1] == (
        f"LogisticRegression (ECE = {from_estimator.calibration_error:.3f})"
    )
    # Strongly regularised (C=0.05), the fit is under-confident.
    assert from_estimator.calibration_error > 0.05


def test_from_estimator_uses_the_estimators_class_order(logistic, iris):
    # The columns follow classes_ (sorted): read in another order, the
    # predictions would be wrong.
    X, y = iris
    display = ReliabilityDisplay.from_estimator(logistic, X, y, n_bins=1)
    assert display.accuracy[0] == pytest.approx(logistic.score(X, y))


def test_from_estimator_on_a_pipeline(iris):
    X, y = iris
    pipeline = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    display = ReliabilityDisplay.from_estimator(
        pipeline, X, y, strategy="quantile", n_bins=5, name="scaled"
    )
    accuracy, confidence, counts = reliability_curve(
        y,
        pipeline.predict_proba(X),
        labels=pipeline.classes_,
        strategy="quantile",
        n_bins=5,
    )
    np.testing.assert_array_equal(display.accuracy, accuracy)
    np.testing.assert_array_equal(display.confidence, confidence)
    np.testing.assert_array_equal(display.counts, counts)
    assert legend_texts(display)[-1].startswith("scaled (ECE = ")


def test_from_estimator_with_an_sksoc_classifier(iris):
    X, y = iris
    model = SOCClassifier(embedding_dim=2, max_epochs=3, random_state=0).fit(X, y)
    display = ReliabilityDisplay.from_estimator(model, X, y)
    error = top_label_calibration_error(
        y, model.predict_proba(X), labels=model.classes_
    )
    assert display.calibration_error == pytest.approx(error)
    assert legend_texts(display)[-1] == f"SOCClassifier (ECE = {error:.3f})"


def test_from_estimator_needs_predict_proba(iris):
    X, y = iris
    svc = LinearSVC().fit(X, y)
    with pytest.raises(
        AttributeError,
        match="LinearSVC has no attribute 'predict_proba'; "
        "ReliabilityDisplay.from_estimator needs",
    ):
        ReliabilityDisplay.from_estimator(svc, X, y)
    pipeline = make_pipeline(StandardScaler(), LinearSVC()).fit(X, y)
    with pytest.raises(AttributeError, match="Pipeline ending in LinearSVC has no"):
        ReliabilityDisplay.from_estimator(pipeline, X, y)


def test_from_estimator_needs_a_fitted_estimator(iris):
    X, y = iris
    with pytest.raises(NotFittedError):
        ReliabilityDisplay.from_estimator(LogisticRegression(), X, y)


def test_from_predictions_reports_bad_input_by_the_metric_checks():
    with pytest.raises(ValueError, match="rows of y_prob must sum to 1"):
        ReliabilityDisplay.from_predictions([0, 1], [[0.5, 0.4], [0.5, 0.5]])
    with pytest.raises(
        ValueError, match="'strategy' parameter of ReliabilityDisplay.from_pred"
    ):
        ReliabilityDisplay.from_predictions([0, 1], [0.2, 0.7], strategy="kmeans")


# -- without matplotlib -------------------------------------------------------


def test_missing_matplotlib_is_named_with_the_install_command(monkeypatch, iris):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    message = r"requires matplotlib; install it with pip install 'sksoc\[plot\]'"
    with pytest.raises(ImportError, match="ReliabilityDisplay.plot " + message):
        ReliabilityDisplay([1.0], [0.9], [1]).plot()
    with pytest.raises(
        ImportError, match="ReliabilityDisplay.from_predictions " + message
    ):
        ReliabilityDisplay.from_predictions([0, 1], [0.2, 0.7])
    X, y = iris
    with pytest.raises(ImportError, match="ReliabilityDisplay.from_estimator "):
        ReliabilityDisplay.from_estimator(LogisticRegression(), X, y)
