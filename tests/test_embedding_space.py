"""The estimators evaluated at points of their embedding space: what a picture
of the embedding needs, through public methods only.

``logits_at(Z)`` is the head's prediction logits at a point ``Z`` of the space
``transform`` maps to; an SOC classifier's class log-densities and mixture
log-density are its ``class_log_densities_at(Z)`` and ``log_density_at(Z)``.
"""

import math

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)

MODELS = {
    "soc": SOCClassifier(),
    "soc-learn-scale": SOCClassifier(learn_scale=True),
    "softmax": SoftmaxClassifier(),
    "fixed-cosine": FixedRandomClassifier(),
    "fixed-dot": FixedRandomClassifier(similarity="dot"),
    "margin": MarginClassifier(),
    "margin-sub-centres": MarginClassifier(sub_centers=3),
}


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=120, centers=4, n_features=5, random_state=3)


@pytest.fixture(scope="module", params=list(MODELS))
def fitted(request, blobs):
    X, y = blobs
    model = MODELS[request.param]
    return model.set_params(embedding_dim=3, max_epochs=5, random_state=0).fit(X, y)


def test_logits_at_the_embedding_of_X_are_its_decision_function(fitted, blobs):
    X, _ = blobs
    logits = fitted.logits_at(fitted.transform(X))

    assert logits.shape == (len(X), 4)
    assert logits.dtype == np.float64
    np.testing.assert_allclose(logits, fitted.decision_function(X), atol=1e-5)
    np.testing.assert_array_equal(
        fitted.classes_[logits.argmax(axis=1)], fitted.predict(X)
    )


def test_logits_at_keep_both_columns_with_two_classes(blobs):
    X, y = blobs
    keep = y < 2
    model = SOCClassifier(embedding_dim=2, max_epochs=5, random_state=0)
    model.fit(X[keep], y[keep])

    logits = model.logits_at(model.transform(X[keep]))

    assert logits.shape == (keep.sum(), 2)
    np.testing.assert_allclose(
        logits[:, 1] - logits[:, 0], model.decision_function(X[keep]), atol=1e-5
    )


def test_logits_at_a_point_of_a_cosine_head_are_its_scaled_cosines(blobs):
    X, y = blobs
    model = MarginClassifier(embedding_dim=3, max_epochs=5, random_state=0).fit(X, y)
    Z = np.array([[1.0, 0.0, 0.0], [0.0, -2.0, 0.5]])

    vectors = model.class_embeddings_
    cosines = (Z / np.linalg.norm(Z, axis=1, keepdims=True)) @ (
        vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    ).T
    np.testing.assert_allclose(model.logits_at(Z), model.scale * cosines, rtol=1e-5)


def test_soc_class_log_densities_are_the_unit_gaussians_at_each_point(blobs):
    X, y = blobs
    model = SOCClassifier(embedding_dim=2, max_epochs=5, random_state=0).fit(X, y)
    Z = np.array([[0.0, 0.0], [1.5, -0.5], [-3.0, 2.0]])

    means = model.class_embeddings_
    squared = ((Z[:, None, :] - means[None]) ** 2).sum(-1)
    expected = -0.5 * squared - math.log(2 * math.pi)
    np.testing.assert_allclose(model.class_log_densities_at(Z), expected, atol=1e-5)
    np.testing.assert_allclose(model.logits_at(Z), expected, atol=1e-5)


def test_soc_log_density_at_is_the_prior_weighted_mixture(blobs):
    X, y = blobs
    model = SOCClassifier(embedding_dim=2, max_epochs=5, random_state=0).fit(X, y)
    Z = np.array([[0.0, 0.0], [1.5, -0.5]])

    expected = logsumexp(
        model.class_log_densities_at(Z) + np.log(model.class_prior_), axis=1
    )
    np.testing.assert_allclose(model.log_density_at(Z), expected, rtol=1e-6)
    embedding = model.transform(X)
    np.testing.assert_allclose(
        model.log_density_at(embedding), model.score_samples(X), rtol=1e-6
    )


@pytest.mark.parametrize(
    "method", ["logits_at", "class_log_densities_at", "log_density_at"]
)
def test_points_are_checked_before_use(method, blobs):
    X, y = blobs
    with pytest.raises(NotFittedError):
        getattr(SOCClassifier(), method)(np.zeros((2, 3)))
    model = SOCClassifier(embedding_dim=3, max_epochs=2, random_state=0).fit(X, y)
    evaluate = getattr(model, method)
    with pytest.raises(ValueError, match=r"Z has 5 columns, but .*embedding_dim_=3"):
        evaluate(X)
    with pytest.raises(ValueError, match="NaN"):
        evaluate([[0.0, np.nan, 0.0]])
    with pytest.raises(ValueError, match="Expected 2D array"):
        evaluate([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="too large for float32"):
        evaluate([[0.0, 1e300, 0.0]])


def test_non_soc_estimators_have_no_densities():
    for model in MODELS.values():
        has = hasattr(model, "class_log_densities_at")
        assert has == isinstance(model, SOCClassifier)
        assert hasattr(model, "log_density_at") == has
