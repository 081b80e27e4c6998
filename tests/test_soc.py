"""SOCClassifier: its outputs as formulas, and what it reaches on digits."""

import math

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import make_blobs

from sksoc import SOCClassifier


@pytest.fixture(scope="module")
def digits_model(digits):
    X_train, _, y_train, _ = digits
    return SOCClassifier(embedding_dim=10, random_state=0).fit(X_train, y_train)


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=150, centers=4, n_features=3, random_state=1)


def test_digits_accuracy_with_ten_dimensions(digits, digits_model):
    _, X_test, _, y_test = digits
    assert digits_model.score(X_test, y_test) >= 0.95


def test_digits_with_one_dimension_is_well_above_chance(digits):
    X_train, X_test, y_train, y_test = digits
    # No contrast term: one dimension leaves no room to send its rows away.
    model = SOCClassifier(embedding_dim=1, contrast_weight=0.0, random_state=0)
    model.fit(X_train, y_train)
    assert model.class_embeddings_.shape == (10, 1)
    assert model.score(X_test, y_test) >= 0.5  # chance is 0.1


def test_score_samples_is_lower_on_noise_than_on_held_out_digits(
    digits, digits_scaler, digits_model
):
    _, X_test, _, _ = digits
    scaler = digits_scaler
    rng = np.random.default_rng(0)
    noise = scaler.transform(rng.uniform(0, 16, size=X_test.shape))
    held_out = digits_model.score_samples(X_test)
    on_noise = digits_model.score_samples(noise)
    assert np.mean(on_noise < held_out) >= 0.95
    # Stronger: nearly every noise row is below the digits' 5th percentile.
    assert np.mean(on_noise < np.percentile(held_out, 5)) >= 0.95


def test_decision_function_is_the_gaussian_log_density(blobs):
    X, y = blobs
    model = SOCClassifier(
        embedding_dim=3, max_epochs=20, random_state=0, calibration=None
    ).fit(X, y)
    z = model.transform(X)
    mu = model.class_embeddings_.astype(np.float64)
    sq_dist = ((z[:, None, :] - mu[None, :, :]) ** 2).sum(axis=2)
    expected = -0.5 * sq_dist - 1.5 * math.log(2 * math.pi)
    np.testing.assert_allclose(model.decision_function(X), expected, atol=1e-4)
    np.testing.assert_allclose(
        model.predict_proba(X),
        np.exp(expected - logsumexp(expected, axis=1, keepdims=True)),
        atol=1e-5,
    )
    prior = np.bincount(y) / len(y)
    np.testing.assert_allclose(model.class_prior_, prior)
    np.testing.assert_allclose(
        model.score_samples(X), logsumexp(expected + np.log(prior), axis=1), atol=1e-4
    )
    assert model.class_scales_ is None


def test_learned_scales_enter_the_log_density(blobs):
    X, y = blobs
    model = SOCClassifier(
        embedding_dim=2, learn_scale=True, max_epochs=30, random_state=0
    ).fit(X, y)
    scales = model.class_scales_.astype(np.float64)
    assert scales.shape == (4, 2)
    assert np.all(scales > 0)
    assert not np.allclose(scales, 1.0)  # they were trained
    z = model.transform(X)
    mu = model.class_embeddings_.astype(np.float64)
    standardised = (z[:, None, :] - mu[None]) / scales[None]
    expected = (
        -0.5 * (standardised**2).sum(axis=2)
        - np.log(scales).sum(axis=1)
        - math.log(2 * math.pi)
    )
    np.testing.assert_allclose(model.decision_function(X), expected, atol=1e-3)


def test_class_loss_weight_zero_trains_on_samples_only(blobs):
    X, y = blobs
    model = SOCClassifier(class_loss_weight=0.0, max_epochs=30, random_state=0)
    assert model.fit(X, y).score(X, y) > 0.9


def test_label_smoothing_keeps_the_means_at_a_finite_distance(blobs):
    X, y = blobs
    spread, epochs = {}, {}
    for smoothing in (0.0, 0.1):
        model = SOCClassifier(
            embedding_dim=2,
            label_smoothing=smoothing,
            likelihood_weight=0.0,
            contrast_weight=0.0,
            weight_decay=0.0,
            max_epochs=600,
            tol=0.0,
            random_state=0,
        ).fit(X, y)
        mu = model.class_embeddings_
        spread[smoothing] = np.linalg.norm(mu[:, None] - mu[None], axis=2).max()
        epochs[smoothing] = model.n_iter_
    # Without smoothing the loss keeps falling as the means drift apart; with
    # it, training settles (the loss stops improving) at a smaller spread.
    assert epochs[0.0] == 600
    assert epochs[0.1] < 600
    assert spread[0.0] > 1.3 * spread[0.1]
