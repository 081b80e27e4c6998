"""How far the confidence of a classifier's predictions is from their accuracy.

The reliability diagram of the predicted class, for any number of classes:
the confidences ``max_k p_k`` are binned, and each bin's accuracy is drawn
against its mean confidence, over the histogram of the confidences.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..metrics._calibration_error import calibration_error, top_label_bins
from ._common import axes_and_figure, check_matplotlib, estimator_name

# Width of the histogram bars when the bin edges are not known: narrow bars
# centred at each bin's mean confidence.
_NARROW_BAR_WIDTH = 0.02
# Axis limits: [0, 1] with room for the markers at 0 and 1.
_LIMITS = (-0.02, 1.02)


class ReliabilityDisplay:
    """Reliability diagram of the predicted class: accuracy against confidence.

    The top-label counterpart of
    :class:`~sklearn.calibration.CalibrationDisplay`, for any number of
    classes. Use :meth:`from_estimator` or :meth:`from_predictions` to build
    one; the constructor takes the bins already computed, such as
    :func:`~sksoc.metrics.reliability_curve`'s output. All parameters are
    stored as attributes.

    Parameters
    ----------
    accuracy : ndarray of shape (n_bins,)
        Share of correct predictions in each non-empty bin.
    confidence : ndarray of shape (n_bins,)
        Mean confidence (largest predicted probability) in each bin.
    counts : ndarray of shape (n_bins,)
        Number of samples (or their total weight) in each bin; the
        histogram shows their shares.
    bin_edges : ndarray of shape (n_bins, 2), default=None
        Lower and upper edge of each bin, the bars of the histogram span
        them. None draws narrow bars at the mean confidences.
    calibration_error : float, default=None
        The expected calibration error, written in the legend; None leaves
        it out.
    estimator_name : str, default=None
        Name of the model in the legend; None leaves it out.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The reliability curve: accuracy against mean confidence.
    hist_ : matplotlib BarContainer or None
        The histogram bars; None unless ``show_histogram``.
    hist_ax_ : matplotlib Axes or None
        The twin axes of the histogram, its y-axis on the right; None
        unless ``show_histogram``.
    ax_ : matplotlib Axes
        Axes the curve is drawn on.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    sksoc.metrics.reliability_curve : The bins drawn.
    sksoc.metrics.top_label_calibration_error : Their gaps as one number.
    sklearn.calibration.CalibrationDisplay : The calibration of the
        positive class of a binary classifier.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksoc.plotting import ReliabilityDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=1000).fit(X, y)
    >>> display = ReliabilityDisplay.from_estimator(model, X, y, n_bins=10)
    >>> display.ax_.get_legend().get_texts()[-1].get_text()
    'LogisticRegression (ECE = 0.0...)'
    """

    def __init__(
        self,
        accuracy,
        confidence,
        counts,
        *,
        bin_edges=None,
        calibration_error=None,
        estimator_name=None,
    ):
        self.accuracy = accuracy
        self.confidence = confidence
        self.counts = counts
        self.bin_edges = bin_edges
        self.calibration_error = calibration_error
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, name=None, show_histogram=True, ref_line=True, **kwargs):
        """Draw the reliability curve.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure (with constrained layout)
            and axes.
        name : str, default=None
            Name of the model in the legend; None uses ``estimator_name``.
        show_histogram : bool, default=True
            Draw the share of the samples in each bin as bars, on a twin
            y-axis on the right.
        ref_line : bool, default=True
            Draw the diagonal, where a calibrated model's points lie.
        **kwargs : dict
            Keyword arguments for :meth:`matplotlib.axes.Axes.plot` of the
            curve, such as ``color`` or ``marker``.

        Returns
        -------
        display : ReliabilityDisplay
            This display, with the artists as attributes.

        See Also
        --------
        ReliabilityDisplay.from_estimator : Compute the bins and draw them.

        Examples
        --------
        Bins computed elsewhere, such as by
        :func:`~sksoc.metrics.reliability_curve`, drawn without histogram:

        >>> from sksoc.plotting import ReliabilityDisplay
        >>> display = ReliabilityDisplay([0.5, 1.0], [0.45, 0.75], [2, 2])
        >>> display = display.plot(name="by hand", show_histogram=False)
        >>> display.line_.get_xydata().tolist()
        [[0.45, 0.5], [0.75, 1.0]]
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        accuracy, confidence, counts, edges = self._checked_bins()
        ax, fig = axes_and_figure(ax)
        name = self.estimator_name if name is None else name

        if ref_line:
            ax.plot([0, 1], [0, 1], "k:", label="Perfectly calibrated")
        line_kw = {"marker": "s", **kwargs}
        label = self._label(name)
        if label is not None:
            line_kw.setdefault("label", label)
        (self.line_,) = ax.plot(confidence, accuracy, **line_kw)

        self.hist_ = self.hist_ax_ = None
        if show_histogram:
            self.hist_ax_ = ax.twinx()
            self.hist_ = self._draw_histogram(self.hist_ax_, confidence, counts, edges)
            # The curve in front of the bars of its twin.
            ax.set_zorder(self.hist_ax_.get_zorder() + 1)
            ax.patch.set_visible(False)

        ax.set(
            xlim=_LIMITS,
            ylim=_LIMITS,
            xlabel="Confidence (largest predicted probability)",
            ylabel="Accuracy",
        )
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left")
        self.ax_ = ax
        self.figure_ = fig
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        n_bins=15,
        strategy="uniform",
        sample_weight=None,
        name=None,
        ax=None,
        show_histogram=True,
        ref_line=True,
        **kwargs,
    ):
        """Draw the reliability diagram of a fitted classifier on X.

        Only ``estimator.predict_proba`` and ``estimator.classes_`` are
        used; a Pipeline's own are, so its preprocessing applies.

        Parameters
        ----------
        estimator : estimator object
            A fitted classifier with ``predict_proba``, or a Pipeline
            ending in one.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples, such as a validation set.
        y : array-like of shape (n_samples,)
            Their true classes, all among ``estimator.classes_``.
        n_bins, strategy, sample_weight
            As in :func:`~sksoc.metrics.reliability_curve`.
        name : str, default=None
            Name of the model in the legend; None uses the estimator's class
            name.
        ax, show_histogram, ref_line, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : ReliabilityDisplay
            The drawn display.

        Raises
        ------
        AttributeError
            If the estimator has no ``predict_proba`` or no ``classes_``.

        See Also
        --------
        ReliabilityDisplay.from_predictions : The diagram of probabilities
            already predicted.
        sksoc.metrics.top_label_calibration_error : The error in the legend.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import StandardScaler
        >>> from sksoc.plotting import ReliabilityDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
        >>> display = ReliabilityDisplay.from_estimator(
        ...     model, X, y, strategy="quantile", n_bins=5, name="scaled"
        ... )
        >>> display.counts
        array([30, 30, 30, 30, 30])
        """
        caller = f"{cls.__name__}.from_estimator"
        check_matplotlib(caller)
        check_is_fitted(estimator)
        for attribute in ("predict_proba", "classes_"):
            if not hasattr(estimator, attribute):
                raise AttributeError(
                    f"{estimator_name(estimator)} has no attribute "
                    f"{attribute!r}; {caller} needs a fitted classifier with "
                    "predict_proba and classes_. Given other probabilities, "
                    "use from_predictions."
                )
        return cls.from_predictions(
            y,
            estimator.predict_proba(X),
            labels=estimator.classes_,
            n_bins=n_bins,
            strategy=strategy,
            sample_weight=sample_weight,
            name=estimator_name(estimator) if name is None else name,
            ax=ax,
            show_histogram=show_histogram,
            ref_line=ref_line,
            **kwargs,
        )

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_prob,
        *,
        labels=None,
        n_bins=15,
        strategy="uniform",
        sample_weight=None,
        name=None,
        ax=None,
        show_histogram=True,
        ref_line=True,
        **kwargs,
    ):
        """Draw the reliability diagram of predicted probabilities.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True class of each sample.
        y_prob : array-like of shape (n_samples, n_classes) or (n_samples,)
            Predicted probabilities, one column per class; a 1-D array holds
            the probability of the second (positive) class of a binary
            problem.
        labels : array-like of shape (n_classes,), default=None
            Class of each column of ``y_prob``, in order; None means
            ``np.unique(y_true)``.
        n_bins, strategy, sample_weight
            As in :func:`~sksoc.metrics.reliability_curve`.
        name : str, default=None
            Name of the model in the legend; None leaves it out.
        ax, show_histogram, ref_line, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : ReliabilityDisplay
            The drawn display; its ``calibration_error`` is
            :func:`~sksoc.metrics.top_label_calibration_error` of the same
            bins.

        See Also
        --------
        ReliabilityDisplay.from_estimator : The diagram of a fitted
            classifier's probabilities.
        sksoc.metrics.reliability_curve : The bins drawn.

        Examples
        --------
        Three samples, two bins: 0.4 (wrong) in the first, 0.7 and 0.8
        (right) in the second. The error is ``1/3 * 0.4 + 2/3 * 0.25``:

        >>> from sksoc.plotting import ReliabilityDisplay
        >>> y_prob = [[0.2, 0.7, 0.1], [0.4, 0.3, 0.3], [0.1, 0.1, 0.8]]
        >>> display = ReliabilityDisplay.from_predictions(
        ...     ["b", "b", "c"], y_prob, labels=["a", "b", "c"], n_bins=2
        ... )
        >>> display.accuracy, display.confidence, display.calibration_error
        (array([0., 1.]), array([0.4 , 0.75]), 0.3)
        """
        caller = f"{cls.__name__}.from_predictions"
        check_matplotlib(caller)
        bins = top_label_bins(
            y_true,
            y_prob,
            labels=labels,
            n_bins=n_bins,
            strategy=strategy,
            sample_weight=sample_weight,
            caller=caller,
        )
        display = cls(
            bins.accuracy,
            bins.confidence,
            bins.counts,
            bin_edges=np.column_stack([bins.lower, bins.upper]),
            calibration_error=calibration_error(bins, "l1"),
            estimator_name=name,
        )
        return display.plot(
            ax=ax, show_histogram=show_histogram, ref_line=ref_line, **kwargs
        )

    def _checked_bins(self):
        accuracy = np.asarray(self.accuracy, dtype=np.float64)
        confidence = np.asarray(self.confidence, dtype=np.float64)
        counts = np.asarray(self.counts, dtype=np.float64)
        if not (accuracy.ndim == confidence.ndim == counts.ndim == 1) or not (
            len(accuracy) == len(confidence) == len(counts)
        ):
            raise ValueError(
                "accuracy, confidence and counts must be 1-D arrays with one "
                f"entry per bin; got shapes {accuracy.shape}, {confidence.shape} "
                f"and {counts.shape}."
            )
        edges = None
        if self.bin_edges is not None:
            edges = np.asarray(self.bin_edges, dtype=np.float64)
            if edges.shape != (len(counts), 2):
                raise ValueError(
                    f"bin_edges must have shape ({len(counts)}, 2), the lower "
                    f"and upper edge of each bin; got {edges.shape}."
                )
        return accuracy, confidence, counts, edges

    def _label(self, name):
        """``"name (ECE = 0.123)"``, or whichever part is known, or None."""
        if self.calibration_error is None:
            return name
        error = f"ECE = {self.calibration_error:.3f}"
        return error if name is None else f"{name} ({error})"

    def _draw_histogram(self, hist_ax, confidence, counts, edges):
        total = counts.sum()
        shares = counts / total if total > 0 else counts
        bar_kw = {"color": "tab:gray", "alpha": 0.3, "edgecolor": "tab:gray"}
        if edges is None:
            bars = hist_ax.bar(confidence, shares, width=_NARROW_BAR_WIDTH, **bar_kw)
        else:
            bars = hist_ax.bar(
                edges[:, 0],
                shares,
                width=edges[:, 1] - edges[:, 0],
                align="edge",
                **bar_kw,
            )
        # The shares on the scale of the accuracy: 0 and 1 on the same heights.
        hist_ax.set_ylim(_LIMITS)
        hist_ax.set_ylabel("Share of samples")
        return bars
