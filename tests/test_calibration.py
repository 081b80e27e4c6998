"""Calibrated probabilities and class weights, as a user sees them.

The temperature is the log-loss optimum on held-out rows, checked against
optima solved by hand; it changes ``predict_proba`` and
``predict_log_proba`` only, survives ``partial_fit`` and model files, and
gives finite probabilities whatever the held-out rows hold. ``class_weight``
is exactly a ``sample_weight`` of each row's class weight.
"""

import math
import pickle

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.datasets import make_blobs
from sklearn.utils.class_weight import compute_sample_weight

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)
from sksoc._calibration import (
    Calibrator,
    distance_power_logits,
    fit_distance_power,
    fit_temperature,
    temperature_log_loss,
)
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


# -- the power of the distance, by hand -----------------------------------------


def distance_power_log_loss(logits, y, scale, temperature, power):
    calibrated = distance_power_logits(logits, scale, temperature, power)
    return temperature_log_loss(calibrated, y, 1.0)


def test_distance_power_one_is_the_temperature():
    rng = np.random.default_rng(1)
    logits = 5.0 * rng.uniform(-1, 1, size=(6, 4))
    np.testing.assert_allclose(
        softmax(distance_power_logits(logits, 5.0, 0.7, 1.0), axis=1),
        softmax(logits / 0.7, axis=1),
        rtol=1e-12,
    )


def test_distance_power_keeps_each_rows_order_of_the_classes():
    rng = np.random.default_rng(2)
    logits = 8.0 * rng.uniform(-1, 1, size=(200, 7))
    for power in (0.1, 0.5, 2.0):
        calibrated = distance_power_logits(logits, 8.0, 1.3, power)
        np.testing.assert_array_equal(
            np.argsort(calibrated, axis=1), np.argsort(logits, axis=1)
        )


def test_distance_power_recovers_the_parameters_that_drew_the_labels():
    # Labels drawn from softmax(-S d^p / T) at p = 0.4, T = 2: with 20,000
    # rows the log-loss optimum lies close to the truth.
    rng = np.random.default_rng(3)
    scale = 8.0
    logits = scale * rng.uniform(-1, 1, size=(20000, 5))
    proba = softmax(distance_power_logits(logits, scale, 2.0, 0.4), axis=1)
    y = (proba.cumsum(1) > rng.uniform(size=(len(proba), 1))).argmax(1)
    temperature, power = fit_distance_power(logits, y, scale, pseudo_rows=0)
    assert power == pytest.approx(0.4, rel=0.05)
    assert temperature == pytest.approx(2.0, rel=0.05)


def test_distance_power_is_the_minimum_of_a_brute_force_grid():
    rng = np.random.default_rng(4)
    scale = 4.0
    logits = scale * np.tanh(rng.normal(size=(80, 4)))
    y = (logits + rng.normal(scale=2.0, size=logits.shape)).argmax(1)
    temperatures = np.exp(np.linspace(np.log(0.05), np.log(20.0), 301))
    powers = np.exp(np.linspace(np.log(0.1), np.log(3.0), 301))
    losses = np.array(
        [
            [distance_power_log_loss(logits, y, scale, t, p) for p in powers]
            for t in temperatures
        ]
    )
    fitted = fit_distance_power(logits, y, scale, pseudo_rows=0)
    # The fitted pair is at least as good as the grid's best point.
    assert distance_power_log_loss(logits, y, scale, *fitted) <= losses.min() + 1e-9


def test_distance_power_with_nothing_to_fit_is_one_and_one():
    assert fit_distance_power(np.zeros((3, 3)), np.array([0, 1, 2]), 5.0) == (1.0, 1.0)


# -- the estimators ----------------------------------------------------------------


def calibrated_by_hand(model, logits):
    """The calibrated logits, from the fitted attributes and the formulas."""
    if model.calibration_ == "temperature":
        return logits / model.temperature_
    scale = getattr(model, "scale_", None) or model.scale
    distance = np.clip(1.0 - logits / scale, 0.0, 2.0)
    return -scale * distance**model.distance_power_ / model.temperature_


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_predict_proba_is_the_softmax_of_the_calibrated_logits(Estimator, blobs):
    X, y = blobs
    model = Estimator(**FAST).fit(X, y)
    assert model.temperature_ > 0 and model.temperature_ != 1.0
    logits = model.decision_function(X)
    expected = softmax(calibrated_by_hand(model, logits), axis=1)
    np.testing.assert_allclose(model.predict_proba(X), expected, atol=1e-6)
    np.testing.assert_allclose(
        model.predict_log_proba(X), np.log(expected), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(model.predict(X), model.classes_[logits.argmax(1)])


@pytest.mark.parametrize(
    ("Estimator", "params", "binary", "chosen"),
    [
        (SoftmaxClassifier, {}, False, "temperature"),
        (SOCClassifier, {}, False, "temperature"),
        (FixedRandomClassifier, {}, False, "distance_power"),
        (FixedRandomClassifier, {}, True, "temperature"),
        (FixedRandomClassifier, {"bias": True}, False, "temperature"),
        (FixedRandomClassifier, {"similarity": "dot"}, False, "temperature"),
        (MarginClassifier, {}, False, "distance_power"),
        (MarginClassifier, {}, True, "temperature"),
    ],
)
def test_auto_calibration(Estimator, params, binary, chosen, blobs):
    X, y = blobs
    model = Estimator(**params, **FAST).fit(X, y.clip(0, 1) if binary else y)
    assert model.calibration_ == chosen
    assert (model.distance_power_ != 1.0) is (chosen == "distance_power")


@pytest.mark.parametrize("params", [{"bias": True}, {"similarity": "dot"}])
def test_distance_power_needs_cosine_logits(params, blobs):
    X, y = blobs
    model = FixedRandomClassifier(calibration="distance_power", **params, **FAST)
    with pytest.raises(ValueError, match="needs logits that are a scale times a cos"):
        model.fit(X, y)


def test_distance_power_can_be_asked_for_with_two_classes(blobs):
    X, y = blobs
    model = MarginClassifier(calibration="distance_power", **FAST).fit(X, y.clip(0, 1))
    assert model.calibration_ == "distance_power"
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(
        model.predict(X), model.classes_[(model.decision_function(X) > 0).astype(int)]
    )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_calibration_none_keeps_temperature_one(Estimator, blobs):
    X, y = blobs
    model = Estimator(calibration=None, **FAST).fit(X, y)
    assert model.calibration_ is None
    assert model.temperature_ == 1.0 and model.distance_power_ == 1.0
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


def test_with_many_classes_a_seeded_subset_of_the_held_out_rows_calibrates(
    blobs, monkeypatch
):
    # The held-out logits are rows x classes in float64; past the budget the
    # calibration takes a seeded subset of the rows (here a budget of 15
    # logits: 5 rows of 3 classes, out of the 12 held out).
    import sksoc._calibration

    X, y = blobs
    seen = []

    def recording_fit_temperature(logits, y_held_out, weight=None):
        seen.append((logits.shape, y_held_out.copy()))
        return fit_temperature(logits, y_held_out, weight)

    monkeypatch.setattr(
        sksoc._calibration, "fit_temperature", recording_fit_temperature
    )
    params = {**FAST, "early_stopping": True}
    SOCClassifier(**params).fit(X, y)
    monkeypatch.setattr(sksoc._calibration, "CALIBRATION_MAX_LOGITS", 15)
    first = SOCClassifier(**params).fit(X, y)
    second = SOCClassifier(**params).fit(X, y)
    (all_rows, _), (subset, labels), (again, labels_again) = seen
    assert all_rows == (12, 3)
    assert subset == again == (5, 3)
    np.testing.assert_array_equal(labels, labels_again)
    assert first.temperature_ == second.temperature_
    assert np.isfinite(first.predict_proba(X)).all()


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
    alone = MarginClassifier(**FAST).partial_fit(X, y, classes=np.unique(y))
    assert alone.temperature_ == 1.0 and alone.distance_power_ == 1.0
    np.testing.assert_allclose(
        alone.predict_proba(X), softmax(alone.decision_function(X), axis=1)
    )


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
    assert loaded.calibration_ == model.calibration_
    assert loaded.temperature_ == model.temperature_
    assert loaded.distance_power_ == model.distance_power_
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


def test_the_calibrator_on_the_model_is_what_predict_proba_applies(blobs):
    X, y = blobs
    model = FixedRandomClassifier(**FAST).fit(X, y)
    calibrator = model.calibrator_
    assert (calibrator.method, calibrator.scale) == ("distance_power", 8.0)
    assert (model.temperature_, model.distance_power_) == (
        calibrator.temperature,
        calibrator.distance_power,
    )
    logits = model.logits_at(model.transform(X))
    expected = distance_power_logits(
        logits, 8.0, calibrator.temperature, calibrator.distance_power
    )
    np.testing.assert_allclose(model.predict_proba(X), softmax(expected, 1), atol=1e-6)


@pytest.mark.parametrize(
    ("scale", "n_classes", "chosen"),
    [(None, 3, "temperature"), (8.0, 2, "temperature"), (8.0, 3, "distance_power")],
)
def test_auto_chooses_the_power_for_cosine_logits_of_more_than_two_classes(
    scale, n_classes, chosen
):
    assert Calibrator.chosen("auto", scale, n_classes, "Model").method == chosen


def test_a_temperature_divides_the_logits():
    logits = np.array([[2.0, -1.0, 0.5]])
    calibrator = Calibrator("temperature", None, temperature=2.0)
    np.testing.assert_array_equal(calibrator.calibrated_logits(logits), logits / 2)
    with pytest.raises(ValueError, match="this Model's are not"):
        Calibrator.chosen("distance_power", None, 3, "Model")


def test_a_copy_of_the_calibrator_reads_as_the_original(blobs):
    # Dask-ML tokenizes an estimator by the text of its fitted attributes.
    X, y = blobs
    model = SoftmaxClassifier(**FAST).fit(X, y)
    copied = pickle.loads(pickle.dumps(model))
    assert repr(copied.calibrator_) == repr(model.calibrator_)
