"""score_samples on every estimator: one meaning, higher is more familiar.

Each formula is checked against a hand computation from the estimator's
public outputs (``decision_function``, ``transform``, ``class_embeddings_``).
"""

import math

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)

ESTIMATORS = [SOCClassifier, FixedRandomClassifier, MarginClassifier, SoftmaxClassifier]
FAST = {"max_epochs": 15, "random_state": 0}


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=120, centers=4, n_features=5, random_state=2)


def unit_rows(a):
    a = np.asarray(a, dtype=np.float64)
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def test_softmax_score_is_the_log_sum_exp_of_the_logits(blobs):
    X, y = blobs
    model = SoftmaxClassifier(**FAST).fit(X, y)
    logits = model.decision_function(X)
    largest = logits.max(axis=1)
    expected = largest + np.log(np.exp(logits - largest[:, None]).sum(axis=1))
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-6)


def test_softmax_score_uses_both_logits_with_two_classes(blobs):
    # decision_function is a single margin then; the energy needs both logits.
    X, y = blobs
    model = SoftmaxClassifier(**FAST).fit(X, y % 2)
    z = model.transform(X).astype(np.float64)
    head = model.net_.criterion_
    weight = head.class_embeddings.detach().double().numpy()
    logits = z @ weight.T + head.bias.detach().numpy()
    expected = np.log(np.exp(logits).sum(axis=1))
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-5)


@pytest.mark.parametrize(
    ("params", "factor"),
    [
        ({"scale": 2.5}, 2.5),
        ({"scale": 2.5, "similarity": "dot", "bias": True}, 1.0),
        ({"fixed": False, "init": "simplex"}, 8.0),  # the default scale
    ],
)
def test_fixed_score_is_the_largest_cosine_times_the_scale(blobs, params, factor):
    X, y = blobs
    model = FixedRandomClassifier(**params, **FAST).fit(X, y)
    cosines = unit_rows(model.transform(X)) @ unit_rows(model.class_embeddings_).T
    expected = factor * cosines.max(axis=1)
    np.testing.assert_allclose(model.score_samples(X), expected, atol=1e-5)
    assert np.all(np.abs(model.score_samples(X)) <= factor + 1e-6)


@pytest.mark.parametrize(
    "params",
    [{"margin_type": "arcface"}, {"margin_type": "cosface", "sub_centers": 3}],
)
def test_margin_score_is_the_largest_cosine_times_the_scale(blobs, params):
    X, y = blobs
    model = MarginClassifier(**params, **FAST).fit(X, y)
    vectors = unit_rows(model.class_embeddings_)
    z = unit_rows(model.transform(X))
    # (n, classes) or (n, classes, sub_centers): the maximum over all of them.
    cosines = np.einsum("nd,...d->n...", z, vectors).reshape(len(X), -1)
    expected = model.scale_ * cosines.max(axis=1)
    np.testing.assert_allclose(model.score_samples(X), expected, atol=1e-4)
    # With no margin at prediction, it is also the largest logit.
    np.testing.assert_allclose(
        model.score_samples(X), model.decision_function(X).max(axis=1), atol=1e-4
    )


def test_soc_score_is_the_mixture_log_density(blobs):
    X, y = blobs
    keep = (y != 3) | (np.arange(len(y)) % 3 == 0)  # unequal class priors
    X, y = X[keep], y[keep]
    model = SOCClassifier(embedding_dim=3, **FAST).fit(X, y)
    z = model.transform(X).astype(np.float64)
    mu = model.class_embeddings_.astype(np.float64)
    prior = np.bincount(y) / len(y)
    density = (
        np.exp(-0.5 * ((z[:, None] - mu[None]) ** 2).sum(axis=2))
        / (2 * math.pi) ** 1.5
        * prior
    ).sum(axis=1)
    np.testing.assert_allclose(model.score_samples(X), np.log(density), rtol=1e-5)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_score_samples_is_one_float_per_row(Estimator, blobs):
    X, y = blobs
    model = Estimator(**FAST).fit(X, y)
    scores = model.score_samples(X[:7])
    assert scores.shape == (7,)
    assert scores.dtype == np.float64
    assert np.isfinite(scores).all()


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_score_samples_on_overflowing_rows_is_the_prediction_error(Estimator, blobs):
    X, y = blobs
    model = Estimator(**FAST).fit(X, y)
    huge = np.full((2, X.shape[1]), 3e38)
    with pytest.raises(ValueError, match="non-finite values") as predicting:
        model.predict(huge)
    with pytest.raises(ValueError, match="non-finite values") as scoring:
        model.score_samples(huge)
    assert str(scoring.value) == str(predicting.value)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_score_samples_needs_a_fitted_model(Estimator, blobs):
    X, _ = blobs
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Estimator().score_samples(X)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_far_rows_score_lower_than_training_rows(Estimator, blobs):
    # Rows of a blob the model never saw, between and beyond the known ones.
    X, y = make_blobs(n_samples=300, centers=6, n_features=5, random_state=7)
    model = Estimator(max_epochs=40, random_state=0).fit(X[y < 4], y[y < 4])
    known = model.score_samples(X[y < 4])
    unknown = model.score_samples(X[y >= 4])
    assert np.median(unknown) < np.median(known)
