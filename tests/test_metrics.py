"""Specification of the embedding metrics in sksoc.metrics."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import metrics as sklearn_metrics
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sksoc.metrics import (
    _silhouette,
    embedding_report,
    inter_class_separability,
    intra_class_compactness,
    silhouette_score,
    similarity_confusion_correlation,
)

SQRT2 = np.sqrt(2.0)


class ToyClassifier(ClassifierMixin, TransformerMixin, BaseEstimator):
    """A classifier whose class vectors, embedding and mistakes we choose.

    ``X`` holds row numbers: ``transform`` and ``predict`` look them up in
    ``embedding`` and ``predictions``; ``fit`` only copies the class vectors.
    """

    def __init__(self, classes, class_embeddings, embedding, predictions):
        self.classes = classes
        self.class_embeddings = class_embeddings
        self.embedding = embedding
        self.predictions = predictions

    def fit(self, X, y=None):
        self.classes_ = np.asarray(self.classes)
        self.class_embeddings_ = np.asarray(self.class_embeddings, dtype=float)
        return self

    def transform(self, X):
        return np.asarray(self.embedding, dtype=float)[np.ravel(X).astype(int)]

    def predict(self, X):
        return np.asarray(self.predictions)[np.ravel(X).astype(int)]


def rows(n):
    return np.arange(n).reshape(-1, 1)


# Silhouette: hand-computed values


def test_silhouette_euclidean_by_hand():
    # On a line: 0 and 1 form one class, 4 and 5 the other. Each a = 1.
    # x=0: b = (4 + 5) / 2 = 4.5, s = 3.5 / 4.5 = 7/9; x=1: b = 3.5, s = 5/7;
    # symmetrically 5/7 and 7/9 for the other class.
    X = [[0.0], [1.0], [4.0], [5.0]]
    expected = (7 / 9 + 5 / 7 + 5 / 7 + 7 / 9) / 4
    assert silhouette_score(X, [0, 0, 1, 1]) == pytest.approx(expected, abs=1e-12)


def test_silhouette_cosine_by_hand():
    # Cosine distances, r = 1/sqrt(2): d01 = 1 - r, d02 = 1, d03 = 2,
    # d12 = 1 - r, d13 = 1 + r, d23 = 1.
    # s0: a = 1 - r, b = (1 + 2) / 2            -> (b - a) / b
    # s1: a = 1 - r, b = (1 - r + 1 + r) / 2 = 1 -> (b - a) / b = r
    # s2: a = 1,     b = (1 + 1 - r) / 2        -> (b - a) / a
    # s3: a = 1,     b = (2 + 1 + r) / 2        -> (b - a) / b
    r = 1 / SQRT2
    s0 = (1.5 - (1 - r)) / 1.5
    s1 = r
    s2 = (1 - r / 2) - 1
    s3 = ((3 + r) / 2 - 1) / ((3 + r) / 2)
    X = [[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-1.0, 0.0]]
    assert silhouette_score(X, [0, 0, 1, 1], metric="cosine") == pytest.approx(
        (s0 + s1 + s2 + s3) / 4, abs=1e-12
    )


def test_silhouette_singleton_class_scores_zero():
    # x=0: a = 1, b = 5, s = 4/5; x=1: a = 1, b = 4, s = 3/4; x=5 is alone: 0.
    X = [[0.0], [1.0], [5.0]]
    expected = (4 / 5 + 3 / 4 + 0) / 3
    assert silhouette_score(X, ["a", "a", "b"]) == pytest.approx(expected, abs=1e-12)


def test_silhouette_cosine_zero_vector():
    # The zero vector is at cosine distance 1 from everyone, 0 from itself.
    # x0=(1,0): a = 0 (x1 is parallel), b = (1 + 1) / 2 = 1        -> s = 1
    # x1=(2,0): same                                                -> s = 1
    # x2=(0,0): a = 1 (to x3), b = (1 + 1) / 2 = 1                  -> s = 0
    # x3=(0,1): a = 1, b = (1 + 1) / 2 = 1                          -> s = 0
    X = [[1.0, 0.0], [2.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    labels = [0, 0, 1, 1]
    assert silhouette_score(X, labels, metric="cosine") == pytest.approx(0.5)
    assert silhouette_score(X, labels, metric="cosine") == pytest.approx(
        sklearn_metrics.silhouette_score(X, labels, metric="cosine"), abs=1e-12
    )


# Silhouette: agreement with scikit-learn


def blobs(n_samples, n_classes, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(n_classes, size=n_samples)
    centres = rng.normal(scale=2.0, size=(n_classes, n_features))
    return centres[labels] + rng.normal(size=(n_samples, n_features)), labels


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize(
    "relabel",
    [
        pytest.param(lambda y: y, id="contiguous-int"),
        pytest.param(lambda y: np.array([-5, 3, 100, 7])[y], id="non-contiguous-int"),
        pytest.param(lambda y: np.array(["cat", "dog", "eel", "ant"])[y], id="str"),
    ],
)
def test_silhouette_matches_sklearn(metric, relabel):
    X, y = blobs(700, 4)
    labels = relabel(y)
    assert silhouette_score(X, labels, metric=metric) == pytest.approx(
        sklearn_metrics.silhouette_score(X, labels, metric=metric), abs=1e-5
    )


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_silhouette_matches_sklearn_across_tiles_and_threads(metric, monkeypatch):
    # Small tiles put class boundaries inside tiles and across them; several
    # threads each accumulate their own share.
    monkeypatch.setattr(_silhouette, "_TILE_SIZE", 7)
    monkeypatch.setattr(_silhouette, "_n_workers", lambda n_tiles: 3)
    X, y = blobs(120, 5, seed=1)
    assert silhouette_score(X, y, metric=metric) == pytest.approx(
        sklearn_metrics.silhouette_score(X, y, metric=metric), abs=1e-5
    )


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
@pytest.mark.parametrize(
    "make_random_state",
    [lambda: 0, lambda: 42, lambda: np.random.RandomState(3)],
    ids=["0", "42", "RandomState(3)"],
)
def test_silhouette_sample_size_draws_as_sklearn(metric, make_random_state):
    X, y = blobs(300, 3, seed=2)
    expected = sklearn_metrics.silhouette_score(
        X, y, metric=metric, sample_size=40, random_state=make_random_state()
    )
    got = silhouette_score(
        X, y, metric=metric, sample_size=40, random_state=make_random_state()
    )
    assert got == pytest.approx(expected, abs=1e-5)
    # The subset is not the first 40 samples.
    assert got != pytest.approx(silhouette_score(X[:40], y[:40], metric=metric))


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_silhouette_matches_sklearn_with_singleton_and_zero_rows(metric):
    X, y = blobs(60, 3, seed=3)
    X[:5] = 0.0
    y[10] = 7  # a class of one sample
    assert silhouette_score(X, y, metric=metric) == pytest.approx(
        sklearn_metrics.silhouette_score(X, y, metric=metric), abs=1e-5
    )


def test_silhouette_float32_input_matches_sklearn():
    X, y = blobs(200, 3, seed=4)
    X32 = X.astype(np.float32)
    assert silhouette_score(X32, y) == pytest.approx(
        sklearn_metrics.silhouette_score(X32, y), abs=1e-5
    )


def one_row_per_direction(X):
    """Integer rows divided by their entries' gcd: parallel rows become equal."""
    gcd = np.gcd.reduce(np.abs(X).astype(int), axis=1)
    return X / np.maximum(gcd, 1)[:, np.newaxis]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    X=arrays(
        np.float64,
        st.tuples(st.integers(3, 25), st.integers(1, 3)),
        elements=st.integers(-3, 3),
    ),
    metric=st.sampled_from(["euclidean", "cosine"]),
    data=st.data(),
)
def test_silhouette_matches_sklearn_on_small_integer_grids(X, metric, data):
    # Integer coordinates, duplicates and zero vectors included. Were a point
    # (for the cosine, a direction) in two classes, a and b could both be
    # rounding noise, and the noise would decide scikit-learn's value: each
    # point (direction) gets a single class.
    points = one_row_per_direction(X) if metric == "cosine" else X
    _, point_index = np.unique(points, axis=0, return_inverse=True)
    point_index = point_index.ravel()
    n_points = int(point_index.max()) + 1
    point_labels = data.draw(
        st.lists(st.integers(0, 4), min_size=n_points, max_size=n_points)
    )
    labels = np.asarray(point_labels)[point_index]
    assume(2 <= len(np.unique(labels)) <= len(labels) - 1)
    assert silhouette_score(X, labels, metric=metric) == pytest.approx(
        sklearn_metrics.silhouette_score(X, labels, metric=metric), abs=1e-5
    )


# Compactness and separability: hand-computed values

# Class "a" has centroid (1, 1), at 45 degrees from both its samples; class
# "b" lies along its centroid (-2, 0).
EMBEDDING = np.array([[2.0, 0.0], [0.0, 2.0], [-1.0, 0.0], [-3.0, 0.0]])
LABELS = np.array(["a", "a", "b", "b"])


def test_compactness_to_centroids_by_hand():
    # cos = 1/sqrt(2) for both "a" samples, 1 for both "b" samples.
    expected = (2 / SQRT2 + 2 * 1.0) / 4
    assert intra_class_compactness(EMBEDDING, LABELS) == pytest.approx(expected)


def test_compactness_to_given_class_embeddings_by_hand():
    # (2, 0) and (0, 2) against (1, 0): cos 1 and 0; "b" against (-1, 0): 1, 1.
    W = [[1.0, 0.0], [-1.0, 0.0]]
    got = intra_class_compactness(EMBEDDING, LABELS, class_embeddings=W)
    assert got == pytest.approx((1 + 0 + 1 + 1) / 4)


def test_compactness_takes_the_best_sub_center():
    # With sub-centres (1, 0) and (0, 1), both "a" samples have cosine 1.
    W = [[[1.0, 0.0], [0.0, 1.0]], [[-1.0, 0.0], [0.0, -1.0]]]
    got = intra_class_compactness(EMBEDDING, LABELS, class_embeddings=W)
    assert got == pytest.approx(1.0)


def test_compactness_zero_vectors_count_as_orthogonal():
    # The zero sample has cosine 0 with its centre; the others 1.
    X = [[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [0.0, 1.0], [0.0, 2.0]]
    labels = [0, 0, 0, 1, 1]
    assert intra_class_compactness(X, labels) == pytest.approx(4 / 5)
    # A zero class embedding: cosine 0 for its class's samples.
    W = [[0.0, 0.0], [0.0, 1.0]]
    got = intra_class_compactness(X, labels, class_embeddings=W)
    assert got == pytest.approx(2 / 5)


def test_separability_of_centroids_by_hand():
    # Centroids (1, 1) and (-2, 0): cos = -2 / (sqrt(2) * 2) -> 135 degrees.
    got = inter_class_separability(EMBEDDING, LABELS)
    assert got == pytest.approx(3 * np.pi / 4)


def test_separability_mean_and_min_by_hand():
    # Pairs at 90, 180 and 90 degrees.
    W = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]
    X, labels = [[1.0, 1.0]] * 3, [0, 1, 2]
    got = inter_class_separability(X, labels, class_embeddings=W)
    assert got == pytest.approx((np.pi / 2 + np.pi + np.pi / 2) / 3)
    got = inter_class_separability(X, labels, class_embeddings=W, reduce="min")
    assert got == pytest.approx(np.pi / 2)


def test_separability_of_sub_centers_uses_their_mean_direction():
    # Class 0: unit sub-centres (1, 0) and (0, 1) -> direction at 45 degrees
    # (their lengths do not matter); class 1 points along (-1, 0): 135 degrees.
    W = [[[5.0, 0.0], [0.0, 1.0]], [[-1.0, 0.0], [-2.0, 0.0]]]
    got = inter_class_separability(EMBEDDING, LABELS, class_embeddings=W)
    assert got == pytest.approx(3 * np.pi / 4)


def test_separability_zero_class_embedding_is_at_right_angles():
    W = [[0.0, 0.0], [1.0, 0.0]]
    got = inter_class_separability(EMBEDDING, LABELS, class_embeddings=W)
    assert got == pytest.approx(np.pi / 2)


# Similarity-confusion correlation


def three_class_toy():
    # Cosines: w0.w1 = 0.6, w0.w2 = -1, w1.w2 = -0.6. Four samples per class.
    # Class 0 -> [0, 0, 1, 1], class 1 -> [1, 1, 0, 2], class 2 -> [2, 2, 2, 1].
    predictions = [0, 0, 1, 1, 1, 1, 0, 2, 2, 2, 2, 1]
    y = np.repeat([0, 1, 2], 4)
    toy = ToyClassifier(
        classes=[0, 1, 2],
        class_embeddings=[[1.0, 0.0], [0.6, 0.8], [-1.0, 0.0]],
        embedding=np.zeros((12, 2)),
        predictions=predictions,
    ).fit(rows(12), y)
    return toy, y


# Ordered pairs (0,1) (0,2) (1,0) (1,2) (2,0) (2,1):
#   similarity  0.6  -1   0.6  -0.6  -1    -0.6  ranks 5.5 1.5 5.5 3.5 1.5 3.5
#   confusion   0.5   0   0.25  0.25  0     0.25 ranks 6   1.5 4   4   1.5 4
# Deviations from the mean rank 3.5: (2, -2, 2, 0, -2, 0) and
# (2.5, -2, 0.5, 0.5, -2, 0.5); covariance sum 14, squared sums 16 and 15.
THREE_CLASS_CORRELATION = 14 / np.sqrt(16 * 15)


def test_similarity_confusion_correlation_by_hand():
    toy, y = three_class_toy()
    got = similarity_confusion_correlation(toy, rows(12), y)
    assert got == pytest.approx(THREE_CLASS_CORRELATION)


def test_similarity_confusion_correlation_through_a_pipeline():
    toy, y = three_class_toy()
    pipe = make_pipeline(FunctionTransformer(), toy).fit(rows(12), y)
    got = similarity_confusion_correlation(pipe, rows(12), y)
    assert got == pytest.approx(THREE_CLASS_CORRELATION)


def test_similarity_confusion_correlation_with_sub_centers():
    toy, y = three_class_toy()
    # Each class vector split into two sub-centres around the same direction.
    w = toy.class_embeddings_
    rotate = np.array([[np.cos(0.1), -np.sin(0.1)], [np.sin(0.1), np.cos(0.1)]])
    toy.class_embeddings_ = np.stack([w @ rotate, w @ rotate.T], axis=1)
    got = similarity_confusion_correlation(toy, rows(12), y)
    assert got == pytest.approx(THREE_CLASS_CORRELATION)


def test_similarity_confusion_correlation_is_nan_without_mistakes():
    toy, y = three_class_toy()
    toy.predictions = y
    assert np.isnan(similarity_confusion_correlation(toy, rows(12), y))


# Embedding report


def two_class_toy():
    # The embedding and class vectors of the compactness examples above;
    # the second "a" sample is predicted as "b".
    return ToyClassifier(
        classes=["a", "b"],
        class_embeddings=[[1.0, 0.0], [-1.0, 0.0]],
        embedding=EMBEDDING,
        predictions=["a", "b", "b", "b"],
    ).fit(rows(4), LABELS)


def test_embedding_report_by_hand():
    report = embedding_report(two_class_toy(), rows(4), LABELS)

    assert list(report.index) == ["a", "b", "overall"]
    assert report["n_samples"].tolist() == [2, 2, 4]
    assert report["accuracy"].tolist() == pytest.approx([0.5, 1.0, 0.75])
    # To the class vectors: "a" has cosines 1 and 0, "b" 1 and 1.
    assert report["compactness"].tolist() == pytest.approx([0.5, 1.0, 0.75])
    # The two class vectors are opposite.
    assert report["separability"].tolist() == pytest.approx([np.pi] * 3)
    assert report.loc["overall", "separability_min"] == pytest.approx(np.pi)
    assert report.loc[["a", "b"], "separability_min"].isna().all()
    # Points (2,0), (0,2) | (-1,0), (-3,0). Distances: d01 = sqrt(8), d02 = 3,
    # d03 = 5, d12 = sqrt(5), d13 = sqrt(13), d23 = 2.
    s0 = (4 - np.sqrt(8)) / 4
    b1 = (np.sqrt(5) + np.sqrt(13)) / 2
    s1 = (b1 - np.sqrt(8)) / b1
    b2 = (3 + np.sqrt(5)) / 2
    s2 = (b2 - 2) / b2
    b3 = (5 + np.sqrt(13)) / 2
    s3 = (b3 - 2) / b3
    assert report["silhouette"].tolist() == pytest.approx(
        [(s0 + s1) / 2, (s2 + s3) / 2, (s0 + s1 + s2 + s3) / 4]
    )
    # Two classes give two pairs of equal similarity: undefined correlation.
    assert report["similarity_confusion_correlation"].isna().all()


def test_embedding_report_agrees_with_the_functions():
    toy, y = three_class_toy()
    toy.embedding = blobs(12, 1, n_features=2, seed=5)[0]
    report = embedding_report(toy, rows(12), y, metric="cosine")
    overall = report.loc["overall"]
    embedding = toy.transform(rows(12))
    assert overall["silhouette"] == pytest.approx(
        silhouette_score(embedding, y, metric="cosine")
    )
    assert overall["compactness"] == pytest.approx(
        intra_class_compactness(embedding, y, class_embeddings=toy.class_embeddings_)
    )
    assert overall["separability"] == pytest.approx(
        inter_class_separability(embedding, y, class_embeddings=toy.class_embeddings_)
    )
    assert overall["separability_min"] == pytest.approx(
        report.loc[[0, 1, 2], "separability"].min()
    )
    assert overall["similarity_confusion_correlation"] == pytest.approx(
        THREE_CLASS_CORRELATION
    )
    # 2, 2 and 3 of the 4 samples of each class are right.
    assert overall["accuracy"] == pytest.approx((2 + 2 + 3) / 12)
    assert report["accuracy"].tolist()[:3] == pytest.approx([2 / 4, 2 / 4, 3 / 4])


def test_embedding_report_of_a_plain_transformer_uses_centroids():
    X, y = blobs(90, 3, seed=6)
    lda = LinearDiscriminantAnalysis().fit(X, y)
    report = embedding_report(lda, X, y)
    embedding = lda.transform(X)
    assert report.loc["overall", "compactness"] == pytest.approx(
        intra_class_compactness(embedding, y)
    )
    assert report.loc["overall", "accuracy"] == pytest.approx(lda.score(X, y))
    assert np.isnan(report.loc["overall", "similarity_confusion_correlation"])


def test_embedding_report_selects_class_vectors_of_the_classes_present():
    # y only holds class "b" and "c" of an estimator that knows "a", "b", "c".
    toy = ToyClassifier(
        classes=["a", "b", "c"],
        class_embeddings=[[1.0, 0.0], [0.0, 1.0], [0.0, -1.0]],
        embedding=[[0.0, 1.0], [1.0, 1.0], [0.0, -1.0], [1.0, -1.0]],
        predictions=["b", "b", "c", "c"],
    ).fit(rows(4), ["b", "b", "c", "c"])
    report = embedding_report(toy, rows(4), ["b", "b", "c", "c"])
    assert list(report.index) == ["b", "c", "overall"]
    # Cosines 1 and 1/sqrt(2) in each class.
    assert report.loc["overall", "compactness"] == pytest.approx((1 + 1 / SQRT2) / 2)


# Bad input


@pytest.mark.parametrize(
    "metric_call",
    [
        pytest.param(lambda X, y: silhouette_score(X, y), id="silhouette"),
        pytest.param(lambda X, y: intra_class_compactness(X, y), id="compactness"),
        pytest.param(lambda X, y: inter_class_separability(X, y), id="separability"),
    ],
)
class TestBadEmbeddingInput:
    def test_nan(self, metric_call):
        with pytest.raises(ValueError, match="Input X contains NaN"):
            metric_call([[0.0], [np.nan], [1.0], [2.0]], [0, 0, 1, 1])

    def test_inf(self, metric_call):
        with pytest.raises(ValueError, match="Input X contains infinity"):
            metric_call([[0.0], [np.inf], [1.0], [2.0]], [0, 0, 1, 1])

    def test_inconsistent_lengths(self, metric_call):
        with pytest.raises(
            ValueError, match=r"inconsistent numbers of samples: \[4, 3\]"
        ):
            metric_call([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1])

    def test_one_class(self, metric_call):
        with pytest.raises(ValueError, match="Number of labels is 1"):
            metric_call([[0.0], [1.0], [2.0], [3.0]], [0, 0, 0, 0])

    def test_nan_label(self, metric_call):
        with pytest.raises(ValueError, match="Input labels contains NaN"):
            metric_call([[0.0], [1.0], [2.0], [3.0]], [0.0, 0.0, np.nan, 1.0])

    def test_mixed_label_types(self, metric_call):
        labels = np.array([0, "a", 0, "a"], dtype=object)
        with pytest.raises(TypeError, match="one sortable type"):
            metric_call([[0.0], [1.0], [2.0], [3.0]], labels)


def test_silhouette_needs_fewer_labels_than_samples():
    with pytest.raises(ValueError, match=r"Number of labels is 3\. Valid values are 2"):
        silhouette_score([[0.0], [1.0], [2.0]], [0, 1, 2])


def test_silhouette_rejects_unknown_metric():
    with pytest.raises(ValueError, match="'metric' parameter of silhouette_score"):
        silhouette_score(EMBEDDING, LABELS, metric="manhattan")


def test_silhouette_rejects_bad_sample_size():
    with pytest.raises(ValueError, match="sample_size == 0, must be >= 1"):
        silhouette_score(EMBEDDING, LABELS, sample_size=0)


def test_compactness_to_centroids_needs_two_samples_per_class():
    with pytest.raises(ValueError, match="Class 'c' has a single sample"):
        intra_class_compactness([[0.0], [1.0], [2.0], [3.0], [4.0]], list("aabbc"))


def test_separability_accepts_a_single_sample_class():
    # Centroids 0.5, 2.5 and -4: all on one line, pairs at 0, pi and pi.
    X, labels = [[0.0], [1.0], [2.0], [3.0], [-4.0]], list("aabbc")
    got = inter_class_separability(X, labels)
    assert got == pytest.approx((0 + np.pi + np.pi) / 3)


def test_compactness_to_given_class_embeddings_accepts_a_single_sample_class():
    W = [[1.0], [1.0], [-1.0]]
    got = intra_class_compactness(
        [[1.0], [1.0], [2.0], [3.0], [-4.0]], list("aabbc"), class_embeddings=W
    )
    assert got == pytest.approx(1.0)


@pytest.mark.parametrize(
    "W, message",
    [
        ([[1.0, 0.0]], "class_embeddings has 1 rows but there are 2 classes"),
        (
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            "class_embeddings has 3 features but X has 2",
        ),
        ([1.0, 0.0], r"class_embeddings must have shape \(n_classes, n_features\)"),
        ([[1.0, np.nan], [0.0, 1.0]], "Input class_embeddings contains NaN"),
    ],
)
def test_bad_class_embeddings(W, message):
    with pytest.raises(ValueError, match=message):
        intra_class_compactness(EMBEDDING, LABELS, class_embeddings=W)
    with pytest.raises(ValueError, match=message):
        inter_class_separability(EMBEDDING, LABELS, class_embeddings=W)


def test_separability_rejects_unknown_reduce():
    with pytest.raises(ValueError, match="'reduce' parameter of inter_class_sep"):
        inter_class_separability(EMBEDDING, LABELS, reduce="max")


def test_correlation_needs_class_embeddings():
    X, y = blobs(30, 3, seed=7)
    lda = LinearDiscriminantAnalysis().fit(X, y)
    with pytest.raises(
        AttributeError,
        match="LinearDiscriminantAnalysis has no attribute 'class_embeddings_'",
    ):
        similarity_confusion_correlation(lda, X, y)


def test_correlation_rejects_unknown_labels():
    toy, y = three_class_toy()
    with pytest.raises(ValueError, match=r"y contains labels not in classes_: \[9\]"):
        similarity_confusion_correlation(toy, rows(12), np.r_[y[:-1], 9])


def test_correlation_rejects_inconsistent_lengths():
    toy, y = three_class_toy()
    with pytest.raises(
        ValueError, match=r"inconsistent numbers of samples: \[12, 11\]"
    ):
        similarity_confusion_correlation(toy, rows(12), y[:-1])


def test_correlation_rejects_labels_of_another_type():
    toy, _ = three_class_toy()
    with pytest.raises(ValueError, match=r"y contains labels not in classes_: \['a'\]"):
        similarity_confusion_correlation(toy, rows(12), ["a"] * 12)


def test_correlation_rejects_class_embeddings_that_do_not_match_classes():
    toy, y = three_class_toy()
    toy.class_embeddings_ = toy.class_embeddings_[:2]
    with pytest.raises(
        ValueError, match="class_embeddings_ has 2 rows but there are 3 classes"
    ):
        similarity_confusion_correlation(toy, rows(12), y)


def test_report_with_centroids_needs_two_samples_per_class():
    X = [[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [3.0, 1.0], [9.0, 1.0]]
    identity = FunctionTransformer().fit(X)
    with pytest.raises(ValueError, match="Class 2 has a single sample"):
        embedding_report(identity, X, [0, 0, 1, 1, 2])
