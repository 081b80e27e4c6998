"""Specification of the open-set metrics and scorer in sksoc.metrics."""

import pickle
from itertools import product

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_curve
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sksoc.metrics import fpr_at_tpr, make_open_set_scorer, open_set_auroc


class NearOrigin(BaseEstimator):
    """Familiarity is closeness to the origin along one chosen feature.

    ``score_samples(X) = -|X[:, feature]|``; ``fit`` learns nothing.
    """

    def __init__(self, feature=0):
        self.feature = feature

    def fit(self, X, y=None):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def score_samples(self, X):
        return -np.abs(np.asarray(X, dtype=float)[:, self.feature])


class Constant(BaseEstimator):
    """Scores every sample with ``value``, NaN included."""

    def __init__(self, value=0.0):
        self.value = value

    def fit(self, X, y=None):
        return self

    def score_samples(self, X):
        return np.full(len(X), self.value)


def near_and_far(seed=0):
    """Known rows near the origin in feature 0, unknown rows far from it.

    Feature 1 is the same noise for both: it tells them apart no better than
    chance.
    """
    rng = np.random.default_rng(seed)
    X_known = np.column_stack([rng.normal(0, 1, 60), rng.normal(0, 1, 60)])
    X_unknown = np.column_stack([rng.normal(10, 1, 30), rng.normal(0, 1, 30)])
    return X_known, X_unknown


def mann_whitney_auroc(known, unknown):
    """Share of (known, unknown) pairs in which known scores higher; ties half."""
    wins = [
        1.0 if k > u else 0.5 if k == u else 0.0 for k, u in product(known, unknown)
    ]
    return float(np.mean(wins))


# -- the metrics ------------------------------------------------------------------


def test_perfect_separation():
    known, unknown = [5.0, 6.0, 7.0], [1.0, 2.0]
    assert open_set_auroc(known, unknown) == 1.0
    assert fpr_at_tpr(known, unknown) == 0.0
    assert fpr_at_tpr(known, unknown, tpr=1.0) == 0.0


def test_reversed_separation():
    known, unknown = [1.0, 2.0], [5.0, 6.0, 7.0]
    assert open_set_auroc(known, unknown) == 0.0
    assert fpr_at_tpr(known, unknown) == 1.0
    # Accepting one known of two needs the threshold 2: still every unknown.
    assert fpr_at_tpr(known, unknown, tpr=0.5) == 1.0


def test_auroc_with_ties_by_hand():
    # Pairs: 0.9 beats 0.1, 0.5, 0.7 (3); 0.5 beats 0.1 (1), ties 0.5 (1/2),
    # loses to 0.7. (3 + 1.5) / 6 = 0.75.
    assert open_set_auroc([0.9, 0.5], [0.1, 0.5, 0.7]) == 0.75


def test_auroc_is_the_mann_whitney_statistic():
    rng = np.random.default_rng(0)
    known = rng.integers(0, 6, size=40)
    unknown = rng.integers(0, 4, size=25)
    assert open_set_auroc(known, unknown) == pytest.approx(
        mann_whitney_auroc(known, unknown), abs=1e-12
    )


def test_fpr_with_ties_by_hand():
    # Known scores sorted: 1, 2, 2, 2, 3. Accepting 60% (3 of 5) needs the
    # threshold 2, which accepts 4 of 5 known rows, all of the tie. Of the
    # unknown rows, 2 (a tie) and 2.5 are accepted, 1.5 is not: 2/3.
    known, unknown = [3.0, 2.0, 1.0, 2.0, 2.0], [2.0, 1.5, 2.5]
    assert fpr_at_tpr(known, unknown, tpr=0.6) == pytest.approx(2 / 3)
    # 100% needs the threshold 1: every unknown row is accepted.
    assert fpr_at_tpr(known, unknown, tpr=1.0) == 1.0
    # 20% (one row) needs the threshold 3: none.
    assert fpr_at_tpr(known, unknown, tpr=0.2) == 0.0


def test_fpr_counts_the_share_of_known_rows_exactly():
    # 90% of 10 rows is 9 rows, although 1 - 0.9 < 0.1 in floating point:
    # the threshold is the second-lowest known score, 2.
    known = np.arange(1.0, 11.0)
    assert fpr_at_tpr(known, [1.0, 1.5, 2.0, 3.0], tpr=0.9) == 0.5
    # 95% of 20 rows is 19 rows: the threshold is 2 again.
    known = np.arange(1.0, 21.0)
    assert fpr_at_tpr(known, [1.0, 2.0], tpr=0.95) == 0.5
    # 95% of 10 rows is 9.5, so 10 rows: the threshold is the lowest, 1.
    known = np.arange(1.0, 11.0)
    assert fpr_at_tpr(known, [1.0, 2.0], tpr=0.95) == 1.0


@pytest.mark.parametrize("tpr", [0.05, 0.3, 0.5, 0.8, 0.9, 0.95, 1.0])
def test_fpr_is_the_roc_point_with_the_first_tpr_reaching_the_target(tpr):
    rng = np.random.default_rng(1)
    known = rng.integers(0, 30, size=200).astype(float)
    unknown = rng.integers(-10, 20, size=150).astype(float)
    y_true = np.r_[np.ones(200), np.zeros(150)]
    roc_fpr, roc_tpr, _ = roc_curve(
        y_true, np.r_[known, unknown], drop_intermediate=False
    )
    first = np.flatnonzero(roc_tpr >= tpr - 1e-12)[0]
    assert fpr_at_tpr(known, unknown, tpr=tpr) == pytest.approx(roc_fpr[first])


def test_fpr_accepts_at_least_the_share_of_known_rows():
    rng = np.random.default_rng(2)
    known = rng.normal(size=97)
    for tpr in np.linspace(0.01, 1.0, 50):
        # The known rows as unknown: the accepted share is the known TPR.
        accepted = fpr_at_tpr(known, known, tpr=tpr)
        assert accepted >= tpr - 1e-12
        assert accepted < tpr + 1 / len(known)


@pytest.mark.parametrize("metric", [open_set_auroc, fpr_at_tpr])
@pytest.mark.parametrize(
    "known, unknown, message",
    [
        ([], [1.0], "known_scores is empty"),
        ([1.0], [], "unknown_scores is empty"),
        ([1.0, np.nan], [1.0], "Input known_scores contains NaN"),
        ([1.0], [np.inf], "Input unknown_scores contains infinity"),
        ([1.0], [-np.inf], "Input unknown_scores contains infinity"),
        ([[1.0, 2.0], [3.0, 4.0]], [1.0], "y should be a 1d array"),
    ],
)
def test_bad_scores(metric, known, unknown, message):
    with pytest.raises(ValueError, match=message):
        metric(known, unknown)


@pytest.mark.parametrize(
    "tpr, error, message",
    [
        (0.0, ValueError, "tpr == 0.0, must be > 0.0"),
        (1.5, ValueError, "tpr == 1.5, must be <= 1.0"),
        ("high", TypeError, "tpr must be an instance of float"),
    ],
)
def test_bad_tpr(tpr, error, message):
    with pytest.raises(error, match=message):
        fpr_at_tpr([1.0, 2.0], [0.0], tpr=tpr)


# -- the scorer -------------------------------------------------------------------


def test_scorer_compares_held_out_rows_with_the_unknown_rows():
    X_known, X_unknown = near_and_far()
    model = NearOrigin().fit(X_known)
    known = model.score_samples(X_known)
    unknown = model.score_samples(X_unknown)
    auroc = make_open_set_scorer(X_unknown)
    assert auroc(model, X_known) == 1.0
    assert auroc(model, X_known, y=np.zeros(60)) == 1.0
    neg_fpr = make_open_set_scorer(X_unknown, metric="fpr")
    # Negative, as scikit-learn's neg_* scorers: greater is better.
    assert neg_fpr(model, X_known) == 0.0
    noise = NearOrigin(feature=1).fit(X_known)
    assert auroc(noise, X_known) == open_set_auroc(
        noise.score_samples(X_known), noise.score_samples(X_unknown)
    )
    assert neg_fpr(noise, X_known) == -fpr_at_tpr(
        noise.score_samples(X_known), noise.score_samples(X_unknown), tpr=0.95
    )
    assert neg_fpr(noise, X_known) < 0
    assert open_set_auroc(known, unknown) == 1.0


def test_scorer_selects_the_informative_feature_in_grid_search():
    X_known, X_unknown = near_and_far()
    for metric in ["auroc", "fpr"]:
        search = GridSearchCV(
            NearOrigin(),
            {"feature": [1, 0]},
            scoring=make_open_set_scorer(X_unknown, metric=metric),
            cv=KFold(3),
        ).fit(X_known)
        assert search.best_params_ == {"feature": 0}
        assert search.best_score_ == (1.0 if metric == "auroc" else 0.0)


def test_scorer_applies_the_pipeline_preprocessing_to_both_sets():
    # Raw known rows sit at 100 in feature 0 and unknown rows at 0; the
    # pipeline shifts by -100 first. Scored through the pipeline the known
    # rows are the familiar ones; scored by the last step on raw rows, the
    # unknown ones would be.
    offset = np.array([100.0, 0.0])
    rng = np.random.default_rng(3)
    X_known = rng.normal(0, 1, (40, 2)) + offset
    X_unknown = rng.normal(0, 1, (20, 2))
    pipeline = make_pipeline(
        FunctionTransformer(lambda X: X - offset), NearOrigin()
    ).fit(X_known)
    scorer = make_open_set_scorer(X_unknown)
    assert scorer(pipeline, X_known) == 1.0
    assert scorer(pipeline[-1], X_known) == 0.0

    search = GridSearchCV(
        pipeline,
        {"nearorigin__feature": [1, 0]},
        scoring=scorer,
        cv=KFold(4),
    ).fit(X_known)
    assert search.best_params_ == {"nearorigin__feature": 0}
    assert search.best_score_ == 1.0


def test_scorer_in_cross_validate_with_both_metrics():
    X_known, X_unknown = near_and_far()
    results = cross_validate(
        NearOrigin(),
        X_known,
        cv=KFold(3),
        scoring={
            "auroc": make_open_set_scorer(X_unknown),
            "neg_fpr": make_open_set_scorer(X_unknown, metric="fpr"),
        },
    )
    np.testing.assert_array_equal(results["test_auroc"], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(results["test_neg_fpr"], [0.0, 0.0, 0.0])


def blobs_and_boundary(n_classes, seed=0):
    """Classes around points on a circle; unknown rows near the centre."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centers = 4 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.arange(30 * n_classes) % n_classes
    X = centers[y] + rng.normal(0, 0.7, (len(y), 2))
    X_unknown = rng.normal(0, 0.3, (20, 2))
    return X, y, X_unknown


def test_max_proba_score_method():
    X, y, X_unknown = blobs_and_boundary(2)
    model = LogisticRegression().fit(X, y)
    scorer = make_open_set_scorer(X_unknown, score_method="max_proba")
    expected = open_set_auroc(
        model.predict_proba(X).max(axis=1), model.predict_proba(X_unknown).max(axis=1)
    )
    assert scorer(model, X) == expected
    assert expected > 0.9


def test_energy_score_method():
    X, y, X_unknown = blobs_and_boundary(3)
    model = LogisticRegression().fit(X, y)
    scorer = make_open_set_scorer(X_unknown, metric="fpr", score_method="energy")
    known = logsumexp(model.decision_function(X), axis=1)
    unknown = logsumexp(model.decision_function(X_unknown), axis=1)
    assert scorer(model, X) == -fpr_at_tpr(known, unknown, tpr=0.95)


def test_energy_of_a_binary_estimator_is_refused():
    X, y, X_unknown = blobs_and_boundary(2)
    model = LogisticRegression().fit(X, y)
    scorer = make_open_set_scorer(X_unknown, score_method="energy")
    with pytest.raises(
        ValueError,
        match=r"energy score needs one decision_function column per class.*"
        r"shape \(60,\).*score_method='max_proba'",
    ):
        scorer(model, X)


def test_scorer_is_picklable_and_says_what_it_is():
    X_known, X_unknown = near_and_far()
    scorer = make_open_set_scorer(X_unknown, metric="fpr", score_method="max_proba")
    assert repr(scorer) == (
        "make_open_set_scorer(<ndarray of shape (30, 2)>, metric='fpr', "
        "score_method='max_proba')"
    )
    restored = pickle.loads(pickle.dumps(make_open_set_scorer(X_unknown)))
    assert restored(NearOrigin().fit(X_known), X_known) == 1.0


@pytest.mark.parametrize(
    "keyword, value, message",
    [
        ("metric", "accuracy", "'metric' parameter of make_open_set_scorer"),
        ("score_method", "predict", "'score_method' parameter of make_open_set"),
    ],
)
def test_scorer_rejects_unknown_options(keyword, value, message):
    with pytest.raises(ValueError, match=message):
        make_open_set_scorer(np.zeros((2, 2)), **{keyword: value})


@pytest.mark.parametrize(
    "score_method, method",
    [
        ("score_samples", "score_samples"),
        ("max_proba", "predict_proba"),
        ("energy", "decision_function"),
    ],
)
def test_scorer_needs_the_estimators_method(score_method, method):
    X_known, X_unknown = near_and_far()
    scorer = make_open_set_scorer(X_unknown, score_method=score_method)
    estimator = FunctionTransformer().fit(X_known)
    with pytest.raises(
        AttributeError,
        match=f"FunctionTransformer has no attribute '{method}'; "
        "make_open_set_scorer needs",
    ):
        scorer(estimator, X_known)


def test_scorer_on_a_pipeline_without_score_samples():
    X, y, X_unknown = blobs_and_boundary(2)
    pipeline = make_pipeline(FunctionTransformer(), LogisticRegression()).fit(X, y)
    with pytest.raises(
        AttributeError, match="Pipeline has no attribute 'score_samples'"
    ):
        make_open_set_scorer(X_unknown)(pipeline, X)


def test_scorer_rejects_non_finite_scores():
    X_known, X_unknown = near_and_far()
    with pytest.raises(ValueError, match="Input known_scores contains NaN"):
        make_open_set_scorer(X_unknown)(Constant(np.nan).fit(X_known), X_known)
