"""Head-specific behaviour of the estimators, and accuracy on digits at defaults."""

import math

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)
from sksoc.utils import all_estimators


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=150, centers=5, n_features=6, random_state=2)


@pytest.mark.parametrize("Estimator", [E for _, E in all_estimators()])
def test_every_estimator_reaches_95_percent_on_digits_at_defaults(Estimator, digits):
    X_train, X_test, y_train, y_test = digits
    model = Estimator(random_state=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.95


def unit_rows(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


@pytest.mark.parametrize(
    "model, normalised",
    [
        (SOCClassifier(), False),
        (SoftmaxClassifier(), False),
        (FixedRandomClassifier(similarity="dot"), False),
        (FixedRandomClassifier(), True),
        (MarginClassifier(), True),
    ],
    ids=["soc", "softmax", "fixed-dot", "fixed-cosine", "margin"],
)
def test_transform_is_the_embedding_the_head_compares(model, normalised, blobs):
    X, y = blobs
    model.set_params(max_epochs=5, random_state=0).fit(X, y)
    embedding = model.transform(X)
    norms = np.linalg.norm(embedding, axis=1)
    if normalised:
        np.testing.assert_allclose(norms, 1.0, rtol=1e-6)
    else:
        assert not np.allclose(norms, 1.0)


# -- FixedRandomClassifier -----------------------------------------------------------


@pytest.mark.parametrize("init", ["random", "orthogonal", "simplex"])
def test_fixed_vectors_do_not_move(init, blobs):
    X, y = blobs
    params = {"init": init, "random_state": 3}
    start = FixedRandomClassifier(max_epochs=1, **params).fit(X, y)
    trained = FixedRandomClassifier(max_epochs=40, weight_decay=0.1, **params)
    trained.fit(X, y)
    assert trained.n_iter_ > 1
    np.testing.assert_array_equal(trained.class_embeddings_, start.class_embeddings_)
    trained.partial_fit(X, y)
    np.testing.assert_array_equal(trained.class_embeddings_, start.class_embeddings_)
    np.testing.assert_allclose(
        np.linalg.norm(start.class_embeddings_, axis=1), 1.0, rtol=1e-6
    )


def test_learnable_vectors_move(blobs):
    X, y = blobs
    start = FixedRandomClassifier(fixed=False, max_epochs=1, random_state=3).fit(X, y)
    trained = FixedRandomClassifier(fixed=False, max_epochs=20, random_state=3)
    trained.fit(X, y)
    assert not np.array_equal(trained.class_embeddings_, start.class_embeddings_)


def test_fixed_vectors_come_from_random_state(blobs):
    X, y = blobs
    a, b, c = (
        FixedRandomClassifier(max_epochs=1, random_state=seed).fit(X, y)
        for seed in (0, 0, 1)
    )
    np.testing.assert_array_equal(a.class_embeddings_, b.class_embeddings_)
    assert not np.array_equal(a.class_embeddings_, c.class_embeddings_)


def test_simplex_and_orthogonal_geometry_in_the_fitted_model(blobs):
    X, y = blobs  # 5 classes
    simplex = FixedRandomClassifier(init="simplex", embedding_dim=4, max_epochs=1)
    vectors = simplex.fit(X, y).class_embeddings_
    gram = vectors @ vectors.T
    np.testing.assert_allclose(gram[~np.eye(5, dtype=bool)], -0.25, atol=1e-6)
    orthogonal = FixedRandomClassifier(init="orthogonal", embedding_dim=5, max_epochs=1)
    vectors = orthogonal.fit(X, y).class_embeddings_
    np.testing.assert_allclose(vectors @ vectors.T, np.eye(5), atol=1e-6)


@pytest.mark.parametrize(
    "init, dim, message",
    [
        ("orthogonal", 4, "needs n_classes <= embedding_dim; got 5 classes in 4"),
        ("simplex", 3, r"needs n_classes <= embedding_dim \+ 1; got 5 classes in 3"),
    ],
)
def test_arrangements_too_big_for_the_embedding_are_clear_errors(
    init, dim, message, blobs
):
    X, y = blobs
    model = FixedRandomClassifier(init=init, embedding_dim=dim)
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)
    assert not hasattr(model, "classes_")


def test_fixed_cosine_decision_function_is_scaled_cosine(blobs):
    X, y = blobs
    model = FixedRandomClassifier(scale=7.0, bias=True, max_epochs=5, random_state=0)
    model.fit(X, y)
    cos = unit_rows(model.transform(X)) @ unit_rows(model.class_embeddings_).T
    bias = model.net_.criterion_.bias.detach().numpy()
    np.testing.assert_allclose(model.decision_function(X), 7.0 * cos + bias, atol=1e-5)


# -- MarginClassifier ------------------------------------------------------------------


@pytest.mark.parametrize(
    "margin_type", ["arcface", "cosface", "sphereface", "combined"]
)
def test_prediction_uses_the_scaled_cosine_without_margin(margin_type, blobs):
    X, y = blobs
    model = MarginClassifier(margin_type=margin_type, max_epochs=5, random_state=0)
    model.fit(X, y)
    cos = model.transform(X) @ unit_rows(model.class_embeddings_).T
    assert model.scale_ == model.scale == 16.0
    np.testing.assert_allclose(model.decision_function(X), 16.0 * cos, atol=1e-4)
    np.testing.assert_array_equal(model.predict(X), model.classes_[cos.argmax(1)])


def test_sub_centers_shape_and_prediction(blobs):
    X, y = blobs
    model = MarginClassifier(sub_centers=3, embedding_dim=4, max_epochs=5)
    model.set_params(random_state=0).fit(X, y)
    centres = model.class_embeddings_
    assert centres.shape == (5, 3, 4)
    cos = np.einsum("nd,ckd->nck", model.transform(X), unit_rows(centres)).max(axis=2)
    np.testing.assert_allclose(model.decision_function(X), 16.0 * cos, atol=1e-4)


def test_sphereface_annealing_counts_training_steps_only(blobs):
    X, y = blobs
    model = MarginClassifier(
        margin_type="sphereface", max_epochs=4, batch_size=50, random_state=0
    ).fit(X, y)
    head = model.net_.criterion_
    assert int(head.steps) == 4 * 3  # 3 batches of 50 per epoch
    model.predict(X)
    model.predict_proba(X)
    model.score(X, y)
    assert int(head.steps) == 12
    model.partial_fit(X, y)
    assert int(model.net_.criterion_.steps) == 15


@pytest.mark.parametrize(
    "n_classes, expected", [(3, 1.0), (5, math.sqrt(2) * math.log(4))]
)
def test_auto_scale_is_the_fixed_adacos_value(n_classes, expected):
    X, y = make_blobs(n_samples=60, centers=n_classes, random_state=0)
    model = MarginClassifier(scale="auto", max_epochs=1).fit(X, y)
    # sqrt(2) ln(2) < 1 for three classes: floored at 1.
    assert model.scale_ == pytest.approx(expected)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"margin_type": "combined", "margin": 0.2}, "takes margins=.*not margin"),
        ({"margin_type": "arcface", "margins": (1, 0.2, 0)}, "is for margin_type="),
        ({"margin_type": "combined", "margins": (1, 0.2)}, "must be 3 numbers"),
        ({"margin_type": "arcface", "margin": 3.5}, "radians below pi"),
        ({"margin_type": "sphereface", "margin": 0.5}, "must be >= 1"),
        ({"margin_type": "combined", "margins": (1, 4, 0)}, "0 <= m2 < pi"),
    ],
)
def test_inconsistent_margin_settings_are_clear_errors(params, message, blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        MarginClassifier(**params).fit(X, y)


def test_margin_divergence_hint_names_the_scale():
    hint = MarginClassifier(scale=64.0)._divergence_hint()
    assert "scale=64.0" in hint
