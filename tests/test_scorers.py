"""Specification of the embedding scorers: model selection by class separation."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sksoc.metrics import (
    compactness_scorer,
    get_embedding_scorer,
    inter_class_separability,
    intra_class_compactness,
    separability_scorer,
    silhouette_score,
    silhouette_scorer,
)


def classes_hidden_in_a_quiet_feature(n_samples=150, seed=0):
    """Three classes told apart by feature 2 alone, which varies the least.

    Features 0 and 1 are loud noise, so the first principal component
    carries no class information and the third carries it all.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % 3
    X = rng.normal(size=(n_samples, 3)) * [20.0, 10.0, 0.3]
    X[:, 2] += 3.0 * y
    return X, y


@pytest.mark.parametrize(
    "scorer, metric",
    [
        (silhouette_scorer, silhouette_score),
        (compactness_scorer, intra_class_compactness),
        (separability_scorer, inter_class_separability),
    ],
)
@pytest.mark.parametrize(
    "estimator",
    [
        pytest.param(LinearDiscriminantAnalysis(), id="LDA"),
        pytest.param(make_pipeline(StandardScaler(), PCA(n_components=2)), id="PCA"),
    ],
)
def test_scorer_is_the_metric_of_the_embedding(scorer, metric, estimator):
    X, y = classes_hidden_in_a_quiet_feature()
    estimator.fit(X, y)
    assert scorer(estimator, X, y) == pytest.approx(metric(estimator.transform(X), y))


def test_scorers_by_hand():
    # A one-component PCA puts the classes at -2.5, -1.5 | 1.5, 2.5 (or the
    # mirror image): silhouette (7/9 + 5/7 + 5/7 + 7/9) / 4, every sample
    # along its centroid, and opposite centroids.
    X = [[0.0, 0.0], [1.0, 0.0], [4.0, 0.0], [5.0, 0.0]]
    y = ["a", "a", "b", "b"]
    pca = PCA(n_components=1).fit(X)
    assert silhouette_scorer(pca, X, y) == pytest.approx((7 / 9 + 5 / 7) / 2)
    assert compactness_scorer(pca, X, y) == pytest.approx(1.0)
    assert separability_scorer(pca, X, y) == pytest.approx(np.pi)


def test_get_embedding_scorer():
    assert get_embedding_scorer("silhouette") is silhouette_scorer
    assert get_embedding_scorer("compactness") is compactness_scorer
    assert get_embedding_scorer("separability") is separability_scorer


@pytest.mark.parametrize("name", ["accuracy", "Silhouette", None])
def test_get_embedding_scorer_unknown_name(name):
    with pytest.raises(
        ValueError,
        match=r"Valid options are \['compactness', 'separability', 'silhouette'\]",
    ):
        get_embedding_scorer(name)


def test_grid_search_refits_the_configuration_with_the_best_silhouette():
    # Reduced to one principal component, the data keeps only noise; with
    # three, LDA finds the quiet feature that separates the classes.
    X, y = classes_hidden_in_a_quiet_feature()
    pipe = Pipeline([("pca", PCA()), ("lda", LinearDiscriminantAnalysis())])
    search = GridSearchCV(
        pipe,
        {"pca__n_components": [1, 3]},
        scoring={"accuracy": "accuracy", "silhouette": silhouette_scorer},
        refit="silhouette",
        cv=3,
    ).fit(X, y)

    assert search.best_params_ == {"pca__n_components": 3}
    silhouettes = search.cv_results_["mean_test_silhouette"]
    assert silhouettes[1] > 0.5 > silhouettes[0]
    assert search.cv_results_["mean_test_accuracy"][1] > 0.9
    assert search.best_score_ == pytest.approx(silhouettes[1])


def test_grid_search_over_a_transformer_with_every_scorer_by_name():
    # Two well separated blobs along feature 0, among noise features: the
    # first principal component alone separates them best.
    rng = np.random.default_rng(1)
    y = np.arange(120) % 2
    X = rng.normal(size=(120, 5))
    X[:, 0] += 8.0 * y
    # Scaling would shrink feature 0 to the noise's variance: centre only.
    pipe = make_pipeline(StandardScaler(with_std=False), PCA())
    scoring = {
        "silhouette": get_embedding_scorer("silhouette"),
        "compactness": get_embedding_scorer("compactness"),
        "separability": get_embedding_scorer("separability"),
    }
    search = GridSearchCV(
        pipe, {"pca__n_components": [1, 2]}, scoring=scoring, refit="silhouette", cv=3
    ).fit(X, y)

    assert search.best_params_ == {"pca__n_components": 1}
    results = search.cv_results_
    assert results["mean_test_silhouette"][0] > results["mean_test_silhouette"][1]
    # One dimension: both centroids on a line, on either side of the origin.
    assert results["mean_test_compactness"][0] == pytest.approx(1.0, abs=0.05)
    assert results["mean_test_separability"][0] == pytest.approx(np.pi)


def test_scorer_needs_a_transformer():
    X, y = classes_hidden_in_a_quiet_feature(30)
    clf = LogisticRegression().fit(X, y)
    with pytest.raises(
        AttributeError, match="LogisticRegression has no attribute 'transform'"
    ):
        silhouette_scorer(clf, X, y)


def test_scorer_rejects_a_nan_embedding():
    X, y = classes_hidden_in_a_quiet_feature(30)
    broken = FunctionTransformer(lambda X: np.full_like(X, np.nan)).fit(X)
    with pytest.raises(
        ValueError,
        match=r"transform\(X\) returned an invalid embedding: Input embedding "
        "contains NaN",
    ):
        compactness_scorer(broken, X, y)


def test_sksoc_estimators_in_a_multi_metric_grid_search():
    from sklearn.datasets import make_blobs

    from sksoc import SOCClassifier
    from sksoc.metrics import embedding_report

    X, y = make_blobs(n_samples=120, centers=3, n_features=5, random_state=0)
    search = GridSearchCV(
        SOCClassifier(max_epochs=15, random_state=0),
        {"embedding_dim": [1, 4]},
        scoring={
            "accuracy": "accuracy",
            "silhouette": silhouette_scorer,
            "separability": get_embedding_scorer("separability"),
        },
        refit="silhouette",
        cv=3,
    ).fit(X, y)
    results = search.cv_results_
    assert {"mean_test_accuracy", "mean_test_silhouette", "mean_test_separability"} <= (
        set(results)
    )
    best = int(np.argmax(results["mean_test_silhouette"]))
    assert search.best_index_ == best
    report = embedding_report(search.best_estimator_, X, y)
    assert list(report.index) == [0, 1, 2, "overall"]
    assert report.loc["overall", "accuracy"] == pytest.approx(
        search.best_estimator_.score(X, y)
    )
