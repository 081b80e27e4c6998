"""Open-set recognition: are samples of unseen classes told from known ones?

A model gives each sample a familiarity score, higher for samples like its
training data (an SOC classifier's ``score_samples``, the log-density of the
embedding, or the largest class probability of any classifier). These
metrics measure how well the scores of samples of the known classes stand
above those of samples from elsewhere, the *unknown* rows.
"""

import math
import numbers

import numpy as np
from scipy.special import logsumexp
from sklearn.metrics import roc_auc_score
from sklearn.utils import assert_all_finite, check_scalar

from .._compat import column_or_1d
from .._geometry import required_attribute
from ._metric_inputs import check_option

# The true-positive rate at which the "fpr" scorer reads the false-positive rate.
_SCORER_TPR = 0.95
# tpr * n_known is rounded to this many decimals before its ceiling is taken,
# so that 0.9 * 10 is 9 known rows, not 10 (1 - 0.9 is 0.09999999999999998).
_COUNT_DECIMALS = 9


def open_set_auroc(known_scores, unknown_scores):
    """Area under the ROC curve of known against unknown samples.

    Known samples are the positive class: the area is the probability that
    a random known sample scores higher than a random unknown one.

    Parameters
    ----------
    known_scores : array-like of shape (n_known,)
        Familiarity scores of samples of the known classes; higher means
        more familiar.

    unknown_scores : array-like of shape (n_unknown,)
        Scores of samples of other classes (or of no class at all).

    Returns
    -------
    auroc : float
        In [0, 1]: 1 when every known sample scores above every unknown one,
        0.5 for scores that do not tell them apart, 0 when every unknown
        sample scores above every known one.

    Raises
    ------
    ValueError
        If either array is empty or holds NaN or infinity.

    See Also
    --------
    fpr_at_tpr : The share of unknown samples accepted along with most of
        the known ones.
    make_open_set_scorer : Either metric as a scorer for model selection.
    sklearn.metrics.roc_auc_score : The area, computed here by it.

    Notes
    -----
    A known and an unknown sample with equal scores count half, as in the
    Mann-Whitney U statistic.

    Examples
    --------
    Of the 2 x 3 known-unknown pairs, the known 0.9 beats every unknown;
    the known 0.5 beats 0.1, ties 0.5 (half) and loses to 0.7, so the area
    is ``(3 + 1.5) / 6 = 0.75``:

    >>> from sksoc.metrics import open_set_auroc
    >>> open_set_auroc([0.9, 0.5], [0.1, 0.5, 0.7])
    0.75
    """
    known, unknown = _check_scores(known_scores, unknown_scores)
    y_true = np.r_[np.ones(len(known)), np.zeros(len(unknown))]
    return float(roc_auc_score(y_true, np.r_[known, unknown]))


def fpr_at_tpr(known_scores, unknown_scores, tpr=0.95):
    """Share of unknown samples accepted by a threshold that accepts most known.

    A sample is accepted when its score is at least the threshold. The
    threshold is the highest one that accepts at least a share ``tpr`` of
    the known samples: the ``m``-th highest known score, with
    ``m = ceil(tpr * n_known)``, an empirical ``1 - tpr`` quantile of the
    known scores that is always one of them.

    Parameters
    ----------
    known_scores : array-like of shape (n_known,)
        Familiarity scores of samples of the known classes; higher means
        more familiar.

    unknown_scores : array-like of shape (n_unknown,)
        Scores of samples of other classes (or of no class at all).

    tpr : float, default=0.95
        Share of the known samples to accept (true-positive rate), in
        (0, 1].

    Returns
    -------
    fpr : float
        Share of the unknown samples accepted (false-positive rate), in
        [0, 1]; lower is better.

    Raises
    ------
    ValueError
        If either array is empty or holds NaN or infinity, or if ``tpr`` is
        not in (0, 1].

    See Also
    --------
    open_set_auroc : How well the scores separate the two, at every
        threshold.
    make_open_set_scorer : Either metric as a scorer for model selection.

    Notes
    -----
    Ties are accepted: the known samples scoring exactly the threshold are
    all accepted, so the share of them accepted may exceed ``tpr``, and so
    are the unknown samples scoring exactly the threshold, which count as
    false positives. This is the point of the ROC curve of
    :func:`sklearn.metrics.roc_curve` with the first true-positive rate of
    at least ``tpr``.

    Examples
    --------
    With ten known scores 1, ..., 10, accepting 90% of them (9 samples)
    needs the threshold 2. Of the unknown scores, 2 (a tie) and 5 are
    accepted:

    >>> from sksoc.metrics import fpr_at_tpr
    >>> known = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    >>> fpr_at_tpr(known, [0, 1, 2, 5], tpr=0.9)
    0.5
    """
    check_scalar(
        tpr,
        "tpr",
        numbers.Real,
        min_val=0.0,
        max_val=1.0,
        include_boundaries="right",
    )
    known, unknown = _check_scores(known_scores, unknown_scores)
    n_accepted = max(1, math.ceil(round(tpr * len(known), _COUNT_DECIMALS)))
    threshold = np.sort(known)[len(known) - n_accepted]
    return float(np.mean(unknown >= threshold))


def make_open_set_scorer(X_unknown, *, metric="auroc", score_method="score_samples"):
    """A scorer of how well a model tells its held-out data from unknown rows.

    The scorer ``scorer(estimator, X, y=None)`` scores the held-out rows
    ``X`` of the known classes and the fixed rows ``X_unknown`` with the
    fitted estimator, then compares the two sets of scores, so that
    :class:`~sklearn.model_selection.GridSearchCV` can pick the model that
    best rejects samples of classes it has never seen.

    Parameters
    ----------
    X_unknown : array-like
        Samples of no known class, in any form the estimator accepts.

    metric : {"auroc", "fpr"}, default="auroc"
        ``"auroc"``: :func:`open_set_auroc`. ``"fpr"``: the *negative* of
        :func:`fpr_at_tpr` at a true-positive rate of 0.95, so that greater
        is better, as for scikit-learn's ``neg_*`` scorers; it lies in
        [-1, 0].

    score_method : {"score_samples", "max_proba", "energy"}, \
            default="score_samples"
        The familiarity score of a sample: ``"score_samples"`` calls
        ``estimator.score_samples`` (for an SOC classifier, the
        log-density of the embedding); ``"max_proba"`` is the largest
        probability of ``predict_proba``; ``"energy"`` is the log-sum-exp of
        ``decision_function`` over the classes (the negative free energy
        of Liu et al., 2020), which needs one score per class, so more than
        2 classes with a scikit-learn estimator.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)`` returning a float, greater is
        better. ``y`` is ignored: every row of ``X`` counts as known.

    Raises
    ------
    ValueError
        If ``metric`` or ``score_method`` is not one of the above. The
        scorer raises AttributeError when the estimator lacks the method it
        needs, and ValueError when the scores are NaN or infinite or the
        decision function has a single column.

    See Also
    --------
    open_set_auroc, fpr_at_tpr : The metrics.
    get_embedding_scorer : The scorers of embedding quality.

    Notes
    -----
    The methods are called on the estimator itself, so a Pipeline applies
    its preprocessing to ``X`` and ``X_unknown`` alike.

    References
    ----------
    .. [1] W. Liu, X. Wang, J. Owens and Y. Li, "Energy-based
       Out-of-distribution Detection", NeurIPS 2020, arXiv:2010.03759.

    Examples
    --------
    A density model of two known blobs judges far-away rows unfamiliar:

    >>> import numpy as np
    >>> from sklearn.mixture import GaussianMixture
    >>> from sksoc.metrics import make_open_set_scorer
    >>> rng = np.random.default_rng(0)
    >>> X_known = np.r_[rng.normal(0, 1, (50, 2)), rng.normal(5, 1, (50, 2))]
    >>> X_unknown = rng.normal(-8, 1, (20, 2))
    >>> model = GaussianMixture(n_components=2, random_state=0).fit(X_known)
    >>> scorer = make_open_set_scorer(X_unknown)
    >>> scorer(model, X_known)
    1.0
    >>> make_open_set_scorer(X_unknown, metric="fpr")(model, X_known)
    0.0
    """
    caller = "make_open_set_scorer"
    check_option(metric, "metric", set(_METRICS), caller)
    check_option(score_method, "score_method", set(_SCORE_METHODS), caller)
    return _OpenSetScorer(X_unknown, metric, score_method)


def _max_proba(estimator, X):
    return np.max(_method(estimator, "predict_proba")(X), axis=1)


def _energy(estimator, X):
    scores = np.asarray(_method(estimator, "decision_function")(X), dtype=np.float64)
    if scores.ndim != 2 or scores.shape[1] < 2:
        raise ValueError(
            f"The energy score needs one decision_function column per class, "
            f"but {type(estimator).__name__}.decision_function returned shape "
            f"{scores.shape}; a binary estimator returns a single margin. Use "
            "score_method='max_proba' instead."
        )
    return logsumexp(scores, axis=1)


def _score_samples(estimator, X):
    return _method(estimator, "score_samples")(X)


_SCORE_METHODS = {
    "energy": _energy,
    "max_proba": _max_proba,
    "score_samples": _score_samples,
}


def _neg_fpr(known_scores, unknown_scores):
    # 0.0 - fpr, not -fpr: a perfect score is 0.0, not -0.0.
    return 0.0 - fpr_at_tpr(known_scores, unknown_scores, tpr=_SCORER_TPR)


_METRICS = {"auroc": open_set_auroc, "fpr": _neg_fpr}


class _OpenSetScorer:
    """``scorer(estimator, X, y=None)``: X's scores against X_unknown's."""

    def __init__(self, X_unknown, metric, score_method):
        self.X_unknown = X_unknown
        self.metric = metric
        self.score_method = score_method

    def __call__(self, estimator, X, y=None):
        familiarity = _SCORE_METHODS[self.score_method]
        known = familiarity(estimator, X)
        unknown = familiarity(estimator, self.X_unknown)
        return float(_METRICS[self.metric](known, unknown))

    def __repr__(self):
        return (
            f"make_open_set_scorer(<{_describe(self.X_unknown)}>, "
            f"metric={self.metric!r}, score_method={self.score_method!r})"
        )


def _method(estimator, name):
    return required_attribute(
        estimator,
        name,
        "make_open_set_scorer",
        f"an estimator with {name} (or a Pipeline ending in one) for its score_method",
    )


def _describe(X):
    shape = getattr(X, "shape", None)
    if shape is not None:
        return f"{type(X).__name__} of shape {tuple(shape)}"
    return type(X).__name__


def _check_scores(known_scores, unknown_scores):
    """Both score arrays as non-empty, finite, 1-D float64 arrays."""
    checked = []
    for name, scores in [
        ("known_scores", known_scores),
        ("unknown_scores", unknown_scores),
    ]:
        scores = column_or_1d(scores, dtype=np.float64, input_name=name)
        if scores.size == 0:
            raise ValueError(
                f"{name} is empty; open-set metrics need at least one known "
                "and one unknown score."
            )
        assert_all_finite(scores, input_name=name)
        checked.append(scores)
    return checked
