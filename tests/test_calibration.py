"""Calibrated probabilities and class weights, as a user sees them.

The temperature is the log-loss optimum on held-out rows, checked against
optima solved by hand; it changes ``predict_proba`` and
``predict_log_proba`` only, survives ``partial_fit`` and model files, and
gives finite probabilities whatever the held-out rows hold. ``class_weight``
is exactly a ``sample_weight`` of each row's class weight.
"""

import math

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.datasets import make_blobs
from sklearn.utils.class_weight import compute_sample_weight

from sksoc import SoftmaxClassifier
from sksoc._calibration import fit_temperature, temperature_log_loss
from sksoc._persistence import load_model, save_model
from sksoc.utils import all_estimators

ESTIMATORS = [cls for _, cls in all_estimators()]
FAST = {"max_epochs": 5, "random_state": 0}


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=120, centers=3, cluster_std=3.0, random_state=0)
    return X.astype(np.float32), y


# -- the temperature, by hand ----------------------------------------------------


def test_temperature_matches_the_hand_solved_optimum():
    # Three rows with logits (0, 2), two of class 1: the log loss is least
    # where p(class 1) = 2/3, that is 2 / T = log 2.
    logits = np.array([[0.0, 2.0]] * 3)
    y = np.array([1, 1, 0])
    temperature = fit_temperature(logits, y, pseudo_rows=0)
    assert temperature == pytest.approx(2 / math.log(2), rel=1e-4)


def test_sample_weights_count_like_repeated_rows():
    # Weights 3 and 1 on one row of each class: p(class 1) = 3/4, 2 / T = log 3.
    logits = np.array([[0.0, 2.0], [0.0, 2.0]])
    temperature = fit_temperature(
        logits, np.array([1, 0]), np.array([3.0, 1.0]), pseudo_rows=0
    )
    assert temperature == pytest.approx(2 / math.log(3), rel=1e-4)


def test_temperature_is_the_minimum_of_a_brute_force_grid():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(50, 4))
    # Labels that agree with the logits most of the time.
    y = (logits + rng.normal(scale=3.0, size=logits.shape)).argmax(1)
    grid = np.exp(np.linspace(np.log(0.05), np.log(50.0), 20001))
    losses = [temperature_log_loss(logits, y, t) for t in grid]
    best = grid[int(np.argmin(losses))]
    assert fit_temperature(logits, y, pseudo_rows=0) == pytest.approx(best, rel=1e-3)


def test_a_held_out_set_without_mistakes_keeps_the_temperature_finite():
    logits = np.array([[0.0, 3.0], [3.0, 0.0], [0.0, 4.0]])
    y = np.array([1, 0, 1])
    # The plain log loss falls without end as T -> 0, until it underflows.
    plain = fit_temperature(logits, y, pseudo_rows=0)
    assert temperature_log_loss(logits, y, plain) < 1e-30
    # One uniform pseudo-row (label smoothing 1/4) puts the optimum where
    # the mean smoothed loss is least, found here on a grid.
    grid = np.exp(np.linspace(np.log(0.01), np.log(100.0), 40001))
    losses = [temperature_log_loss(logits, y, t, smoothing=0.25) for t in grid]
    assert fit_temperature(logits, y) == pytest.approx(
        grid[int(np.argmin(losses))], rel=1e-3
    )


def test_constant_logits_give_temperature_one():
    assert fit_temperature(np.zeros((4, 3)), np.array([0, 1, 2, 0])) == 1.0
    assert fit_temperature(np.zeros((0, 3)), np.zeros(0, dtype=int)) == 1.0


def test_a_class_absent_from_the_held_out_rows_is_fine():
    logits = np.array([[2.0, 0.0, -1.0], [1.5, 0.5, 0.0], [0.0, 2.0, 1.0]])
    temperature = fit_temperature(logits, np.array([0, 0, 1]))
    assert np.isfinite(temperature) and temperature > 0


# -- the estimators ----------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_proba_is_the_softmax_of_the_logits_over_the_temperature(
    Estimator, blobs
):
    X, y = blobs
    model = Estimator(**FAST).fit(X, y)
    assert model.temperature_ > 0 and model.temperature_ != 1.0
    logits = model.decision_function(X)
    expected = softmax(logits / model.temperature_, axis=1)
    np.testing.assert_allclose(model.predict_proba(X), expected, atol=1e-6)
    np.testing.assert_allclose(
        model.predict_log_proba(X), np.log(expected), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(model.predict(X), model.classes_[logits.argmax(1)])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_calibration_none_keeps_temperature_one(Estimator, blobs):
    X, y = blobs
    model = Estimator(calibration=None, **FAST).fit(X, y)
    assert model.temperature_ == 1.0
    np.testing.assert_allclose(
        model.predict_proba(X), softmax(model.decision_function(X), axis=1), atol=1e-6
    )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_with_early_stopping_calibration_changes_no_prediction(Estimator, blobs):
    X, y = blobs
    params = {**FAST, "early_stopping": True}
    plain = Estimator(calibration=None, **params).fit(X, y)
    calibrated = Estimator(**params).fit(X, y)
    np.testing.assert_array_equal(calibrated.predict(X), plain.predict(X))
    np.testing.assert_array_equal(
        calibrated.decision_function(X), plain.decision_function(X)
    )
    np.testing.assert_array_equal(calibrated.score_samples(X), plain.score_samples(X))


def test_binary_with_sample_weights(blobs):
    X, y = blobs
    binary = y.clip(0, 1)
    weight = np.where(binary == 1, 2.0, 0.5)
    model = SoftmaxClassifier(**FAST).fit(X, binary, sample_weight=weight)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.isfinite(model.temperature_)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    score = model.decision_function(X)
    np.testing.assert_allclose(
        proba[:, 1], 1 / (1 + np.exp(-score / model.temperature_)), atol=1e-6
    )


def test_partial_fit_keeps_the_temperature_of_the_last_fit(blobs):
    X, y = blobs
    model = SoftmaxClassifier(**FAST).fit(X, y)
    temperature = model.temperature_
    model.partial_fit(X, y)
    assert model.temperature_ == temperature
    alone = SoftmaxClassifier(**FAST).partial_fit(X, y, classes=np.unique(y))
    assert alone.temperature_ == 1.0


def test_a_held_out_split_that_lacks_a_class_still_gives_probabilities(blobs):
    X, y = blobs
    y = y.copy()
    y[0] = 3  # one sample of class 3: it cannot be in both parts of the split
    model = SoftmaxClassifier(early_stopping=True, **FAST).fit(X, y)
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba)) and np.isfinite(model.temperature_)
    np.testing.assert_allclose(proba.sum(1), 1.0)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_the_temperature_survives_a_model_file(Estimator, blobs, tmp_path):
    X, y = blobs
    model = Estimator(**FAST).fit(X, y)
    save_model(model, tmp_path / "model.sksoc")
    loaded = load_model(tmp_path / "model.sksoc")
    assert loaded.temperature_ == model.temperature_
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_calibration_is_validated(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="calibration"):
        SoftmaxClassifier(calibration="isotonic").fit(X, y)


# -- class_weight ----------------------------------------------------------------


def test_class_weight_dict_is_a_sample_weight(blobs):
    X, y = blobs
    by_class = SoftmaxClassifier(class_weight={0: 3.0, 2: 0.5}, **FAST).fit(X, y)
    weight = np.array([3.0, 1.0, 0.5])[y]
    by_sample = SoftmaxClassifier(**FAST).fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(
        by_class.predict_proba(X), by_sample.predict_proba(X), atol=1e-5
    )


def test_balanced_is_sklearns_balanced_times_sample_weight(blobs):
    X, y = blobs
    y = np.where(np.arange(len(y)) < 80, 0, y)  # class 0 now dominates
    sample_weight = np.linspace(0.5, 1.5, len(y))
    balanced = SoftmaxClassifier(class_weight="balanced", **FAST).fit(
        X, y, sample_weight=sample_weight
    )
    weight = compute_sample_weight("balanced", y) * sample_weight
    by_sample = SoftmaxClassifier(**FAST).fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(
        balanced.predict_proba(X), by_sample.predict_proba(X), atol=1e-5
    )


@pytest.mark.parametrize(
    "class_weight, message",
    [
        ({0: 1.0, 7: 2.0, "cat": 1.0}, r"not classes of y: \[7, 'cat'\]"),
        ({1: -1.0}, r"non-negative.*\{1: -1.0\}"),
        ({1: float("inf")}, r"finite.*\{1: inf\}"),
        ({2: float("nan")}, r"finite.*\{2: nan\}"),
        ({2: "heavy"}, r"numbers.*\{2: 'heavy'\}"),
    ],
)
def test_bad_class_weight_is_an_error_naming_it(blobs, class_weight, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        SoftmaxClassifier(class_weight=class_weight, **FAST).fit(X, y)


def test_balanced_class_weight_is_refused_by_partial_fit(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="'balanced' is not supported by partial_fit"):
        SoftmaxClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_class_weight_dict_works_with_partial_fit(blobs):
    X, y = blobs
    model = SoftmaxClassifier(class_weight={0: 2.0}, **FAST)
    model.partial_fit(X, y, classes=[0, 1, 2])
    assert model.n_iter_ == 1
