"""Calibration of the predicted class: does a confidence of p mean p correct?

A classifier's *confidence* in a sample is its largest predicted probability,
the one of the class it predicts. Among the samples predicted with confidence
near p, a calibrated classifier is right a share p of the time. Binning the
confidences and comparing each bin's accuracy with its mean confidence gives
the reliability curve and the top-label expected calibration error of Guo et
al., "On Calibration of Modern Neural Networks" (2017).
"""

import numbers
from typing import NamedTuple

import numpy as np
from sklearn.utils import (
    assert_all_finite,
    check_array,
    check_consistent_length,
    check_scalar,
)

from .._compat import column_or_1d
from .._labels import encode_as, encode_labels
from ._metric_inputs import check_option

# Probabilities may leave [0, 1] by this much through float rounding (a float32
# softmax); they are clipped back.
_PROBA_ATOL = 1e-6
# Rows of probabilities must sum to one within this: a float32 softmax over
# thousands of classes stays well inside, scores that are not probabilities
# do not.
_ROW_SUM_ATOL = 1e-4


def top_label_calibration_error(
    y_true,
    y_prob,
    *,
    labels=None,
    n_bins=15,
    strategy="uniform",
    sample_weight=None,
    norm="l1",
):
    """Top-label expected calibration error of predicted probabilities.

    Each sample's confidence is its largest probability, ``max_k p_k``, and
    it is correct when that class (the first one, on ties) is its true
    class. The confidences are sorted into bins; with ``n_b`` of the ``n``
    samples in bin ``b``, its accuracy ``acc_b`` and its mean confidence
    ``conf_b``, the error is ``sum_b (n_b / n) * |acc_b - conf_b|``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class of each sample.

    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, such as ``predict_proba``'s output, one
        column per class; every row sums to 1. A 1-D array holds the
        probability of the second (positive) class of a binary problem.

    labels : array-like of shape (n_classes,), default=None
        Class of each column of ``y_prob``, in order, such as the
        estimator's ``classes_``. None means ``np.unique(y_true)``, which
        must then have one label per column: pass ``labels`` when some
        class is absent from ``y_true``.

    n_bins : int, default=15
        Number of bins.

    strategy : {"uniform", "quantile"}, default="uniform"
        ``"uniform"`` splits [0, 1] into bins of equal width; ``"quantile"``
        puts the bin edges at quantiles of the confidences, so that the
        bins hold (about) equally many samples.

    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights: ``n_b``, ``acc_b`` and ``conf_b``
        become weighted sums and means. A weight of 2 counts as the sample
        twice.

    norm : {"l1", "max"}, default="l1"
        ``"l1"`` averages the bins' gaps ``|acc_b - conf_b|`` weighted by
        their share of the samples (the expected calibration error, ECE);
        ``"max"`` returns the largest gap of a non-empty bin (the maximum
        calibration error, MCE).

    Returns
    -------
    error : float
        In [0, 1]; 0 means that, bin by bin, the accuracy equals the
        confidence.

    Raises
    ------
    ValueError
        If ``y_prob`` holds values outside [0, 1], NaN or infinity, or rows
        that do not sum to 1 (within 1e-4); if its shape does not match
        ``y_true`` or ``labels``; if ``y_true`` holds a label that is not
        in ``labels``; or for a bad ``n_bins``, ``strategy``, ``norm`` or
        ``sample_weight``.

    See Also
    --------
    reliability_curve : The accuracy and confidence of each bin.
    sksoc.plotting.ReliabilityDisplay : The reliability diagram.
    sklearn.calibration.calibration_curve : The calibration of the
        positive class of a binary classifier.

    Notes
    -----
    Bins are closed on the right: with uniform bins, bin ``b`` (from 0)
    holds the confidences in ``(b / n_bins, (b + 1) / n_bins]``, and the
    first bin holds 0 too, so a confidence of exactly 1 lies in the last
    bin and one of exactly 0.5 in the first of two. Quantile edges are
    :func:`numpy.percentile` of the confidences, as in
    :func:`sklearn.calibration.calibration_curve`; the weights weigh the
    samples within the bins but do not move the edges. Empty bins (and
    bins of zero total weight) are left out.

    The top label of a binary problem has a confidence of at least 0.5, so
    this is not the calibration of the positive class that
    :func:`~sklearn.calibration.calibration_curve` measures; the two agree
    when every probability of the positive class is above 0.5.

    References
    ----------
    .. [1] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration
       of Modern Neural Networks", ICML 2017, arXiv:1706.04599.

    Examples
    --------
    Four samples, two bins. Confidences 0.4 (wrong) and 0.5 (right) fall in
    the first bin, (0, 0.5]: accuracy 0.5, mean confidence 0.45. Confidences
    0.7 and 0.8, both right, fall in the second: accuracy 1, mean
    confidence 0.75. The error is ``0.5 * 0.05 + 0.5 * 0.25 = 0.15``:

    >>> from sksoc.metrics import top_label_calibration_error
    >>> y_prob = [
    ...     [0.2, 0.7, 0.1],
    ...     [0.4, 0.3, 0.3],
    ...     [0.1, 0.1, 0.8],
    ...     [0.5, 0.2, 0.3],
    ... ]
    >>> y_true = ["b", "b", "c", "a"]
    >>> top_label_calibration_error(y_true, y_prob, n_bins=2)
    0.15
    >>> top_label_calibration_error(y_true, y_prob, n_bins=2, norm="max")
    0.25
    """
    caller = "top_label_calibration_error"
    check_option(norm, "norm", {"l1", "max"}, caller)
    bins = top_label_bins(
        y_true,
        y_prob,
        labels=labels,
        n_bins=n_bins,
        strategy=strategy,
        sample_weight=sample_weight,
        caller=caller,
    )
    return calibration_error(bins, norm)


def reliability_curve(
    y_true, y_prob, *, labels=None, n_bins=15, strategy="uniform", sample_weight=None
):
    """Accuracy and mean confidence of each bin of top-label confidences.

    The bins are those of :func:`top_label_calibration_error`; a calibrated
    classifier's points lie on the diagonal.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class of each sample.

    y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, one column per class; every row sums to 1.
        A 1-D array holds the probability of the second (positive) class of
        a binary problem.

    labels : array-like of shape (n_classes,), default=None
        Class of each column of ``y_prob``, in order, such as the
        estimator's ``classes_``. None means ``np.unique(y_true)``, which
        must then have one label per column.

    n_bins : int, default=15
        Number of bins.

    strategy : {"uniform", "quantile"}, default="uniform"
        Bins of equal width on [0, 1], or with edges at quantiles of the
        confidences.

    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.

    Returns
    -------
    accuracy : ndarray of shape (n_nonempty_bins,)
        Share of the samples of each bin whose predicted class is right.

    confidence : ndarray of shape (n_nonempty_bins,)
        Mean confidence of each bin, increasing.

    counts : ndarray of shape (n_nonempty_bins,)
        Number of samples in each bin (int), or their total weight (float)
        with ``sample_weight``.

    Raises
    ------
    ValueError
        As :func:`top_label_calibration_error`.

    See Also
    --------
    top_label_calibration_error : The gaps of these bins as one number.
    sksoc.plotting.ReliabilityDisplay : These bins, drawn.
    sklearn.calibration.calibration_curve : The binary, positive-class
        counterpart.

    Notes
    -----
    Bins are closed on the right, ``(lower, upper]``, and empty bins are
    left out; see :func:`top_label_calibration_error`.

    Examples
    --------
    The four samples of :func:`top_label_calibration_error`'s example:

    >>> from sksoc.metrics import reliability_curve
    >>> y_prob = [
    ...     [0.2, 0.7, 0.1],
    ...     [0.4, 0.3, 0.3],
    ...     [0.1, 0.1, 0.8],
    ...     [0.5, 0.2, 0.3],
    ... ]
    >>> accuracy, confidence, counts = reliability_curve(
    ...     ["b", "b", "c", "a"], y_prob, n_bins=2
    ... )
    >>> accuracy, confidence, counts
    (array([0.5, 1. ]), array([0.45, 0.75]), array([2, 2]))
    """
    bins = top_label_bins(
        y_true,
        y_prob,
        labels=labels,
        n_bins=n_bins,
        strategy=strategy,
        sample_weight=sample_weight,
        caller="reliability_curve",
    )
    return bins.accuracy, bins.confidence, bins.counts


class TopLabelBins(NamedTuple):
    """The non-empty bins of top-label confidences, in increasing order."""

    accuracy: np.ndarray
    confidence: np.ndarray
    counts: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def top_label_bins(y_true, y_prob, *, labels, n_bins, strategy, sample_weight, caller):
    """Bin the top-label confidences: the one binning every caller shares."""
    if isinstance(n_bins, bool):
        raise TypeError(f"n_bins must be an instance of int, not {n_bins!r}.")
    check_scalar(n_bins, "n_bins", numbers.Integral, min_val=1)
    check_option(strategy, "strategy", {"uniform", "quantile"}, caller)
    confidence, correct = top_label_confidence(y_true, y_prob, labels)
    sample_weight = _check_sample_weight(sample_weight, len(confidence))

    quantiles = np.linspace(0.0, 1.0, n_bins + 1)
    if strategy == "uniform":
        edges = quantiles
    else:
        # The edges of calibration_curve: the same bins for the same values.
        edges = np.percentile(confidence, quantiles * 100)
    # Closed on the right: a confidence equal to an edge joins the lower bin.
    bin_ids = np.searchsorted(edges[1:-1], confidence)

    weight = np.ones_like(confidence) if sample_weight is None else sample_weight
    counts = np.bincount(bin_ids, weights=sample_weight, minlength=n_bins)
    totals = np.bincount(bin_ids, weights=weight, minlength=n_bins)
    hits = np.bincount(bin_ids, weights=weight * correct, minlength=n_bins)
    sums = np.bincount(bin_ids, weights=weight * confidence, minlength=n_bins)
    kept = totals > 0
    return TopLabelBins(
        accuracy=hits[kept] / totals[kept],
        confidence=sums[kept] / totals[kept],
        counts=counts[kept],
        lower=edges[:-1][kept],
        upper=edges[1:][kept],
    )


def calibration_error(bins, norm):
    """The ``"l1"`` (expected) or ``"max"`` calibration error of the bins."""
    gaps = np.abs(bins.accuracy - bins.confidence)
    if norm == "max":
        return float(gaps.max())
    return float(np.sum(bins.counts * gaps) / np.sum(bins.counts))


def top_label_confidence(y_true, y_prob, labels):
    """Each sample's largest probability, and whether its class is the true one."""
    y_prob = _check_probabilities(y_prob)
    y_true = column_or_1d(y_true, warn=True, input_name="y_true")
    check_consistent_length(y_true, y_prob)
    if y_true.dtype.kind in "fc":
        assert_all_finite(y_true, input_name="y_true")
    n_columns = y_prob.shape[1]
    columns = f"{n_columns} columns"
    if n_columns == 2:
        columns += " (a 1-D y_prob counts as two, of a binary problem)"
    if labels is None:
        classes, true_column = encode_labels(y_true)
        if len(classes) != n_columns:
            raise ValueError(
                f"y_true has {len(classes)} distinct labels but y_prob has "
                f"{columns}; pass labels, the class of each column of y_prob "
                "in order (such as the estimator's classes_)."
            )
    else:
        classes = column_or_1d(labels, input_name="labels")
        if len(classes) != n_columns:
            raise ValueError(
                f"labels has {len(classes)} entries but y_prob has {columns}; "
                "pass one label per column of y_prob, in order."
            )
        true_column = _column_of(y_true, classes)
    confidence = y_prob.max(axis=1)
    correct = y_prob.argmax(axis=1) == true_column
    return confidence, correct


def _check_probabilities(y_prob):
    """``y_prob`` as an (n_samples, n_classes) float64 array of probabilities."""
    y_prob = check_array(y_prob, ensure_2d=False, dtype=np.float64, input_name="y_prob")
    if y_prob.ndim == 2 and y_prob.shape[1] < 2:
        raise ValueError(
            "y_prob has a single column; pass one column per class, or a 1-D "
            "array of the positive class's probability for a binary problem."
        )
    smallest, largest = y_prob.min(), y_prob.max()
    if smallest < -_PROBA_ATOL or largest > 1 + _PROBA_ATOL:
        raise ValueError(
            f"y_prob has values outside [0, 1] (from {smallest} to {largest}); "
            "pass probabilities, such as predict_proba's output."
        )
    y_prob = np.clip(y_prob, 0.0, 1.0)
    if y_prob.ndim == 1:
        return np.column_stack([1.0 - y_prob, y_prob])
    deviation = np.abs(y_prob.sum(axis=1) - 1.0)
    if np.any(deviation > _ROW_SUM_ATOL):
        row = int(np.argmax(deviation))
        raise ValueError(
            f"The rows of y_prob must sum to 1 (within {_ROW_SUM_ATOL}), as "
            f"probabilities over all classes do; row {row} sums to "
            f"{y_prob[row].sum()}."
        )
    return y_prob


def _column_of(y_true, classes):
    """Position of each true label in ``classes``, the column order of y_prob."""
    try:
        distinct = np.unique(classes)
    except TypeError as exc:
        raise TypeError(
            "labels and y_true must all be of one sortable type (all strings "
            f"or all numbers): {exc}"
        ) from exc
    if len(distinct) != len(classes):
        raise ValueError(
            f"labels must be distinct; got {np.asarray(classes).tolist()}."
        )
    return encode_as(y_true, classes, "y_true", classes_name="labels")


def _check_sample_weight(sample_weight, n_samples):
    """Finite, non-negative weights of positive sum, or None."""
    if sample_weight is None:
        return None
    sample_weight = column_or_1d(
        sample_weight, dtype=np.float64, input_name="sample_weight"
    )
    assert_all_finite(sample_weight, input_name="sample_weight")
    if len(sample_weight) != n_samples:
        raise ValueError(
            f"sample_weight has {len(sample_weight)} entries for {n_samples} samples."
        )
    if np.any(sample_weight < 0):
        raise ValueError(
            f"sample_weight must be non-negative; got {sample_weight.min()}."
        )
    if not sample_weight.sum() > 0:
        raise ValueError("sample_weight sums to 0; some sample needs a weight.")
    return sample_weight
