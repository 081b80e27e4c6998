"""Specification of the top-label calibration metrics in sksoc.metrics."""

import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from sksoc.metrics import reliability_curve, top_label_calibration_error

# Four binary samples, one row each: (P(0), P(1)), true class.
# Confidence 0.9: predicts 0, right.    Confidence 0.7: predicts 1, right.
# Confidence 0.6: predicts 0, wrong.    Confidence 0.55: predicts 1, wrong.
BINARY_PROB = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.45, 0.55]])
BINARY_TRUE = np.array([0, 1, 1, 0])

# Three classes: confidences 0.7 (right), 0.4 (wrong), 0.8 (right), 0.5 (right).
THREE_PROB = np.array(
    [[0.2, 0.7, 0.1], [0.4, 0.3, 0.3], [0.1, 0.1, 0.8], [0.5, 0.2, 0.3]]
)
THREE_TRUE = np.array(["b", "b", "c", "a"])


def calibrated_probabilities(n_samples, n_classes, seed):
    """Probabilities from a Dirichlet, and true classes drawn from them."""
    rng = np.random.default_rng(seed)
    y_prob = rng.dirichlet(np.ones(n_classes), size=n_samples)
    cumulative = y_prob.cumsum(axis=1)
    draws = rng.random((n_samples, 1))
    y_true = np.minimum((draws > cumulative).sum(axis=1), n_classes - 1)
    return y_true, y_prob


# -- hand-computed values -------------------------------------------------------


def test_binary_error_by_hand():
    # Four bins: [0, .25], (.25, .5], (.5, .75], (.75, 1].
    # Bin (.5, .75]: 0.7 right, 0.6 and 0.55 wrong -> accuracy 1/3,
    #   mean confidence (0.7 + 0.6 + 0.55) / 3 = 0.61667, gap 0.28333.
    # Bin (.75, 1]: 0.9 right -> accuracy 1, confidence 0.9, gap 0.1.
    # ECE = 3/4 * 0.28333 + 1/4 * 0.1 = 0.2375; MCE = 0.28333.
    gap = 1.85 / 3 - 1 / 3
    ece = top_label_calibration_error(BINARY_TRUE, BINARY_PROB, n_bins=4)
    mce = top_label_calibration_error(BINARY_TRUE, BINARY_PROB, n_bins=4, norm="max")
    assert ece == pytest.approx(3 / 4 * gap + 1 / 4 * 0.1, abs=1e-12)
    assert ece == pytest.approx(0.2375, abs=1e-12)
    assert mce == pytest.approx(gap, abs=1e-12)


def test_binary_reliability_curve_by_hand():
    accuracy, confidence, counts = reliability_curve(BINARY_TRUE, BINARY_PROB, n_bins=4)
    np.testing.assert_allclose(accuracy, [1 / 3, 1.0])
    np.testing.assert_allclose(confidence, [1.85 / 3, 0.9])
    np.testing.assert_array_equal(counts, [3, 1])
    assert counts.dtype.kind == "i"


def test_three_class_error_by_hand_with_a_confidence_on_an_edge():
    # Two bins, [0, .5] and (.5, 1]: 0.5 lies on the edge and joins the first.
    # First: 0.4 wrong, 0.5 right -> accuracy 0.5, confidence 0.45, gap 0.05.
    # Second: 0.7, 0.8 right -> accuracy 1, confidence 0.75, gap 0.25.
    # ECE = 2/4 * 0.05 + 2/4 * 0.25 = 0.15.
    accuracy, confidence, counts = reliability_curve(THREE_TRUE, THREE_PROB, n_bins=2)
    np.testing.assert_allclose(accuracy, [0.5, 1.0])
    np.testing.assert_allclose(confidence, [0.45, 0.75])
    np.testing.assert_array_equal(counts, [2, 2])
    ece = top_label_calibration_error(THREE_TRUE, THREE_PROB, n_bins=2)
    assert ece == pytest.approx(0.15, abs=1e-12)


def test_confidence_of_one_is_in_the_last_bin():
    # Bins of width 0.1: 1.0 is in (0.9, 1], with 0.95.
    y_prob = [[1.0, 0.0], [0.95, 0.05], [0.0, 1.0]]
    accuracy, confidence, counts = reliability_curve([0, 1, 1], y_prob, n_bins=10)
    np.testing.assert_allclose(confidence, [(1.0 + 0.95 + 1.0) / 3])
    np.testing.assert_allclose(accuracy, [2 / 3])
    np.testing.assert_array_equal(counts, [3])


def test_ties_predict_the_first_column():
    # (0.5, 0.5) predicts class 0: right for the first sample, wrong for the
    # second. One bin: accuracy 1/2, confidence 1/2.
    y_prob = [[0.5, 0.5], [0.5, 0.5]]
    accuracy, confidence, _ = reliability_curve([0, 1], y_prob, n_bins=1)
    np.testing.assert_allclose(accuracy, [0.5])
    np.testing.assert_allclose(confidence, [0.5])
    assert top_label_calibration_error([0, 1], y_prob) == 0.0


def test_empty_bins_are_left_out():
    # Fifteen bins, two of them used; the error only counts those.
    accuracy, confidence, counts = reliability_curve(THREE_TRUE, THREE_PROB)
    assert len(accuracy) == len(confidence) == len(counts) == 4
    error = top_label_calibration_error(THREE_TRUE, THREE_PROB)
    # Each sample alone in its bin: mean of |correct - confidence|.
    expected = np.mean(np.abs(np.array([1, 0, 1, 1]) - [0.7, 0.4, 0.8, 0.5]))
    assert error == pytest.approx(expected, abs=1e-12)
    assert top_label_calibration_error(
        THREE_TRUE, THREE_PROB, norm="max"
    ) == pytest.approx(0.5, abs=1e-12)


# -- limiting cases ---------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 5])
def test_calibrated_probabilities_score_near_zero(n_classes):
    # Classes drawn from the predicted probabilities: calibrated by
    # construction. 15 bins of ~13000 samples each: sampling noise ~0.005.
    y_true, y_prob = calibrated_probabilities(200_000, n_classes, seed=0)
    assert top_label_calibration_error(y_true, y_prob) < 0.01
    accuracy, confidence, _ = reliability_curve(y_true, y_prob)
    np.testing.assert_allclose(accuracy, confidence, atol=0.03)


def test_confident_and_always_wrong_scores_one():
    y_true = [0, 1, 2, 0]
    y_prob = np.eye(3)[[1, 2, 0, 2]]
    assert top_label_calibration_error(y_true, y_prob) == 1.0
    assert top_label_calibration_error(y_true, y_prob, norm="max") == 1.0
    assert top_label_calibration_error(y_true, y_prob, strategy="quantile") == 1.0


def test_confident_and_always_right_scores_zero():
    y_true = [0, 1, 2, 0]
    assert top_label_calibration_error(y_true, np.eye(3)[y_true]) == 0.0


# -- input forms ----------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_binary_1d_input_equals_two_columns(strategy):
    y_true, y_prob = calibrated_probabilities(300, 2, seed=1)
    positive = y_prob[:, 1]
    two_columns = np.column_stack([1 - positive, positive])
    for one, two in zip(
        reliability_curve(y_true, positive, strategy=strategy, n_bins=5),
        reliability_curve(y_true, two_columns, strategy=strategy, n_bins=5),
        strict=True,
    ):
        np.testing.assert_array_equal(one, two)
    assert top_label_calibration_error(
        y_true, positive, n_bins=5, strategy=strategy
    ) == top_label_calibration_error(y_true, two_columns, n_bins=5, strategy=strategy)


def test_binary_1d_input_is_the_second_label():
    # P("yes") = 0.8 for a "yes" sample: right, with confidence 0.8.
    accuracy, confidence, _ = reliability_curve(["no", "yes"], [0.3, 0.8], n_bins=1)
    np.testing.assert_allclose(accuracy, [1.0])
    np.testing.assert_allclose(confidence, [0.75])
    # With the labels given the other way round, "yes" is the first column.
    accuracy, _, _ = reliability_curve(
        ["no", "yes"], [0.3, 0.8], labels=["yes", "no"], n_bins=1
    )
    np.testing.assert_allclose(accuracy, [0.0])


def test_sample_weight_of_two_equals_repeating_the_row():
    weights = np.array([2.0, 1.0, 1.0, 1.0])
    repeated = [0, 0, 1, 2, 3]
    for weighted, plain in zip(
        reliability_curve(THREE_TRUE, THREE_PROB, n_bins=2, sample_weight=weights),
        reliability_curve(THREE_TRUE[repeated], THREE_PROB[repeated], n_bins=2),
        strict=True,
    ):
        np.testing.assert_allclose(weighted, plain)
    for norm in ["l1", "max"]:
        assert top_label_calibration_error(
            THREE_TRUE, THREE_PROB, n_bins=2, sample_weight=weights, norm=norm
        ) == pytest.approx(
            top_label_calibration_error(
                THREE_TRUE[repeated], THREE_PROB[repeated], n_bins=2, norm=norm
            )
        )


def test_sample_weight_by_hand_and_scale_free():
    # Weights 3, 1 in the first bin: accuracy (0 * 3 + 1 * 1) / 4 = 0.25,
    # confidence (0.4 * 3 + 0.5) / 4 = 0.425, gap 0.175, weight 4 of 6.
    # Second bin: gap 0.25, weight 2 of 6. ECE = (4 * 0.175 + 2 * 0.25) / 6.
    weights = np.array([1.0, 3.0, 1.0, 1.0])
    accuracy, confidence, counts = reliability_curve(
        THREE_TRUE, THREE_PROB, n_bins=2, sample_weight=weights
    )
    np.testing.assert_allclose(accuracy, [0.25, 1.0])
    np.testing.assert_allclose(confidence, [0.425, 0.75])
    np.testing.assert_allclose(counts, [4.0, 2.0])
    expected = (4 * 0.175 + 2 * 0.25) / 6
    for scale in [1.0, 0.001, 1000.0]:
        assert top_label_calibration_error(
            THREE_TRUE, THREE_PROB, n_bins=2, sample_weight=scale * weights
        ) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_unit_sample_weight_equals_none(strategy):
    y_true, y_prob = calibrated_probabilities(500, 4, seed=2)
    plain = reliability_curve(y_true, y_prob, strategy=strategy)
    weighted = reliability_curve(
        y_true, y_prob, strategy=strategy, sample_weight=np.ones(500)
    )
    for one, two in zip(plain, weighted, strict=True):
        np.testing.assert_allclose(one, two)


def test_zero_weight_bin_is_left_out():
    # The only sample of the first bin weighs nothing.
    weights = [1.0, 0.0, 1.0, 1.0]
    y_true, y_prob = THREE_TRUE[[0, 1, 2, 2]], THREE_PROB[[0, 1, 2, 2]]
    accuracy, confidence, counts = reliability_curve(
        y_true, y_prob, labels=["a", "b", "c"], n_bins=2, sample_weight=weights
    )
    np.testing.assert_allclose(accuracy, [1.0])
    np.testing.assert_allclose(confidence, [(0.7 + 0.8 + 0.8) / 3])
    np.testing.assert_allclose(counts, [3.0])


def test_string_labels_in_the_given_column_order():
    # Columns "dog", "emu", "cat" (not sorted). Row 0 predicts "cat", row 1
    # "emu", row 2 "dog": all right.
    y_prob = np.array([[0.1, 0.1, 0.8], [0.2, 0.6, 0.2], [0.9, 0.05, 0.05]])
    y_true = ["cat", "emu", "dog"]
    labels = ["dog", "emu", "cat"]
    accuracy, _, _ = reliability_curve(y_true, y_prob, labels=labels, n_bins=1)
    np.testing.assert_allclose(accuracy, [1.0])
    # The same columns in sorted order give the same curve without labels.
    sorted_prob = y_prob[:, np.argsort(labels)]
    assert top_label_calibration_error(y_true, y_prob, labels=labels) == pytest.approx(
        top_label_calibration_error(y_true, sorted_prob)
    )
    # Read in the wrong (sorted) order, every prediction is wrong.
    accuracy, _, _ = reliability_curve(y_true, y_prob, labels=sorted(labels), n_bins=1)
    np.testing.assert_allclose(accuracy, [0.0])


def test_labels_cover_classes_absent_from_y_true():
    # y_true holds two of the three columns' classes.
    y_prob = [[0.2, 0.7, 0.1], [0.1, 0.1, 0.8]]
    error = top_label_calibration_error([1, 2], y_prob, labels=[0, 1, 2], n_bins=2)
    assert error == pytest.approx((0.3 + 0.2) / 2)


def test_float32_softmax_rows_are_accepted():
    # Rows off from 1 by float32 rounding, and values just above 1.
    logits = np.random.default_rng(3).normal(size=(50, 7)).astype(np.float32)
    y_prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y_prob[0] = [1 + 5e-7, 0, 0, 0, 0, 0, 0]
    y_true = np.arange(50) % 7
    error = top_label_calibration_error(y_true, y_prob)
    assert 0 <= error <= 1


# -- the quantile strategy --------------------------------------------------------


def test_quantile_bins_by_hand():
    # Confidences 0.6, 0.7, 0.8, 0.9: two quantile bins split at the median
    # 0.75. First bin: 0.6 right, 0.7 wrong -> accuracy 0.5, confidence 0.65.
    # Second: 0.8, 0.9 right -> accuracy 1, confidence 0.85.
    # ECE = 1/2 * 0.15 + 1/2 * 0.15 = 0.15.
    y_prob = np.array([[0.6, 0.4], [0.3, 0.7], [0.8, 0.2], [0.1, 0.9]])
    y_true = [0, 0, 0, 1]
    accuracy, confidence, counts = reliability_curve(
        y_true, y_prob, n_bins=2, strategy="quantile"
    )
    np.testing.assert_allclose(accuracy, [0.5, 1.0])
    np.testing.assert_allclose(confidence, [0.65, 0.85])
    np.testing.assert_array_equal(counts, [2, 2])
    assert top_label_calibration_error(
        y_true, y_prob, n_bins=2, strategy="quantile"
    ) == pytest.approx(0.15)
    # Uniform bins would put all four in (0.5, 1].
    accuracy, _, counts = reliability_curve(y_true, y_prob, n_bins=2)
    np.testing.assert_array_equal(counts, [4])


def test_sample_weight_does_not_move_quantile_edges():
    # The edges of test_quantile_bins_by_hand, whatever the weights: the
    # first bin (0.6 right, weight 10; 0.7 wrong) weighs 11.
    y_prob = np.array([[0.6, 0.4], [0.3, 0.7], [0.8, 0.2], [0.1, 0.9]])
    accuracy, confidence, counts = reliability_curve(
        [0, 0, 0, 1],
        y_prob,
        n_bins=2,
        strategy="quantile",
        sample_weight=[10.0, 1.0, 1.0, 1.0],
    )
    np.testing.assert_allclose(accuracy, [10 / 11, 1.0])
    np.testing.assert_allclose(confidence, [(6.0 + 0.7) / 11, 0.85])
    np.testing.assert_allclose(counts, [11.0, 2.0])


def test_quantile_bins_hold_equally_many_samples():
    y_true, y_prob = calibrated_probabilities(1000, 3, seed=4)
    _, _, counts = reliability_curve(y_true, y_prob, n_bins=10, strategy="quantile")
    np.testing.assert_array_equal(counts, np.full(10, 100))


def test_quantile_bins_of_equal_confidences_merge():
    # Every confidence is 0.8: all edges coincide, one bin remains.
    y_prob = np.tile([0.8, 0.2], (6, 1))
    accuracy, confidence, counts = reliability_curve(
        [0, 0, 0, 1, 1, 1], y_prob, n_bins=4, strategy="quantile"
    )
    np.testing.assert_allclose(accuracy, [0.5])
    np.testing.assert_allclose(confidence, [0.8])
    np.testing.assert_array_equal(counts, [6])


# -- agreement with scikit-learn's positive-class calibration curve -------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_matches_sklearn_calibration_curve_when_the_positive_class_is_predicted(
    strategy,
):
    # With P(1) > 0.5 everywhere the top label is class 1 and its confidence
    # is P(1): top-label and positive-class calibration are the same thing.
    rng = np.random.default_rng(5)
    positive = rng.uniform(0.5 + 1e-9, 1.0, size=400)
    y_true = (rng.random(400) < positive**2).astype(int)
    prob_true, prob_pred = calibration_curve(
        y_true, positive, n_bins=10, strategy=strategy
    )
    accuracy, confidence, _ = reliability_curve(
        y_true, positive, n_bins=10, strategy=strategy
    )
    np.testing.assert_allclose(accuracy, prob_true, rtol=1e-12)
    np.testing.assert_allclose(confidence, prob_pred, rtol=1e-12)


def test_matches_sklearn_calibration_curve_of_class_zero_when_it_is_predicted():
    # With P(1) < 0.5 everywhere the top label is class 0, confidence 1 - P(1):
    # the calibration curve of class 0 as the positive class.
    rng = np.random.default_rng(6)
    positive = rng.uniform(0.0, 0.5 - 1e-9, size=400)
    y_true = (rng.random(400) < positive).astype(int)
    prob_true, prob_pred = calibration_curve(
        y_true, 1 - positive, n_bins=10, pos_label=0
    )
    accuracy, confidence, _ = reliability_curve(y_true, positive, n_bins=10)
    np.testing.assert_allclose(accuracy, prob_true, rtol=1e-12)
    np.testing.assert_allclose(confidence, prob_pred, rtol=1e-12)


def test_top_label_differs_from_the_positive_class_curve():
    # P(1) = 0.1 and 0.9, both predictions right: the positive-class curve
    # has two points (0.1, 0) and (0.9, 1); the top label has confidence 0.9
    # twice, both right.
    prob_true, prob_pred = calibration_curve([0, 1], [0.1, 0.9], n_bins=10)
    np.testing.assert_allclose(prob_true, [0.0, 1.0])
    np.testing.assert_allclose(prob_pred, [0.1, 0.9])
    accuracy, confidence, counts = reliability_curve([0, 1], [0.1, 0.9], n_bins=10)
    np.testing.assert_allclose(accuracy, [1.0])
    np.testing.assert_allclose(confidence, [0.9])
    np.testing.assert_array_equal(counts, [2])


# -- input errors -------------------------------------------------------------------


@pytest.fixture(params=[top_label_calibration_error, reliability_curve])
def metric(request):
    return request.param


@pytest.mark.parametrize(
    "y_prob, message",
    [
        ([[0.5, np.nan], [0.5, 0.5]], "Input y_prob contains NaN"),
        ([[0.5, np.inf], [0.5, 0.5]], "Input y_prob contains infinity"),
        ([[1.5, -0.5], [0.5, 0.5]], r"y_prob has values outside \[0, 1\]"),
        ([0.5, 1.2], r"y_prob has values outside \[0, 1\]"),
        ([[0.5, 0.4], [0.5, 0.5]], r"rows of y_prob must sum to 1 .*row 0 sums to 0.9"),
        ([[0.5, 0.5], [0.6, 0.4002]], r"within 0.0001.*row 1 sums to 1.0002"),
        ([[0.5], [0.5]], "y_prob has a single column"),
        (np.full((2, 2, 1), 0.5), "Found array with dim 3"),
        (np.empty((0, 2)), r"Found array with 0 sample\(s\)"),
    ],
)
def test_bad_probabilities(metric, y_prob, message):
    with pytest.raises(ValueError, match=message):
        metric([0, 1][: len(y_prob)], y_prob)


def test_inconsistent_lengths(metric):
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 2\]"):
        metric([0, 1, 1], [[0.5, 0.5], [0.5, 0.5]])


def test_labels_needed_when_a_class_is_missing_from_y_true(metric):
    with pytest.raises(
        ValueError,
        match=r"y_true has 2 distinct labels but y_prob has 3 columns; pass labels",
    ):
        metric([0, 1], [[0.2, 0.7, 0.1], [0.1, 0.1, 0.8]])
    with pytest.raises(
        ValueError, match=r"y_true has 1 distinct labels but y_prob has 2 columns"
    ):
        metric([1, 1], [0.3, 0.8])


@pytest.mark.parametrize(
    "labels, y_true, error, message",
    [
        (["a", "b"], ["a", "b"], ValueError, "labels has 2 entries but y_prob has 3"),
        (["a", "b", "a"], ["a", "b"], ValueError, "labels must be distinct"),
        (
            ["a", "b", "c"],
            ["a", "z"],
            ValueError,
            r"y_true contains labels not in labels: \['z'\]; labels holds",
        ),
        (
            [0, 1, 2],
            ["a", "b"],
            ValueError,
            r"y_true contains labels not in labels: \['a', 'b'\]; labels holds",
        ),
        (
            np.array([0, "a", 1], dtype=object),
            [0, 1],
            TypeError,
            "one sortable type",
        ),
    ],
)
def test_bad_labels(metric, labels, y_true, error, message):
    y_prob = [[0.2, 0.7, 0.1], [0.1, 0.1, 0.8]]
    with pytest.raises(error, match=message):
        metric(y_true, y_prob, labels=labels)


def test_nan_in_y_true(metric):
    with pytest.raises(ValueError, match="Input y_true contains NaN"):
        metric([0.0, np.nan], [0.3, 0.8], labels=[0.0, 1.0])


@pytest.mark.parametrize(
    "n_bins, error, message",
    [
        (0, ValueError, "n_bins == 0, must be >= 1"),
        (2.5, TypeError, "n_bins must be an instance of int"),
        (True, TypeError, "n_bins must be an instance of int"),
    ],
)
def test_bad_n_bins(metric, n_bins, error, message):
    with pytest.raises(error, match=message):
        metric(BINARY_TRUE, BINARY_PROB, n_bins=n_bins)


def test_bad_strategy(metric):
    with pytest.raises(ValueError, match="'strategy' parameter of"):
        metric(BINARY_TRUE, BINARY_PROB, strategy="kmeans")


def test_bad_norm():
    with pytest.raises(
        ValueError, match="'norm' parameter of top_label_calibration_error"
    ):
        top_label_calibration_error(BINARY_TRUE, BINARY_PROB, norm="l2")


@pytest.mark.parametrize(
    "sample_weight, message",
    [
        ([1.0, 1.0, 1.0], "sample_weight has 3 entries for 4 samples"),
        ([1.0, -1.0, 1.0, 1.0], "sample_weight must be non-negative; got -1.0"),
        ([0.0, 0.0, 0.0, 0.0], "sample_weight sums to 0"),
        ([1.0, np.nan, 1.0, 1.0], "Input sample_weight contains NaN"),
        ([[1.0, 1.0], [1.0, 1.0]], "y should be a 1d array"),
    ],
)
def test_bad_sample_weight(metric, sample_weight, message):
    with pytest.raises(ValueError, match=message):
        metric(BINARY_TRUE, BINARY_PROB, sample_weight=sample_weight)
