"""Adding classes to a fitted model with the encoder frozen."""

import copy

import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs

from sksoc import FixedRandomClassifier, SOCClassifier
from sksoc._calibration import Calibrator
from sksoc._class_addition import calibration_split
from sksoc.metrics import top_label_calibration_error


def old_and_new_accuracy(model, X_test, y_test):
    old = y_test < 8
    return model.score(X_test[old], y_test[old]), model.score(
        X_test[~old], y_test[~old]
    )


@pytest.fixture(scope="module")
def soc_with_added_classes(digits):
    """SOC at its defaults: train on 8 digits, add 8 and 9."""
    X_train, X_test, y_train, y_test = digits
    model = SOCClassifier(random_state=0)
    model.fit(X_train[y_train < 8], y_train[y_train < 8])
    before = old_and_new_accuracy(model, X_test, y_test)[0]
    state = {
        "fitted": copy.deepcopy(model),
        "class_embeddings": model.class_embeddings_.copy(),
        "encoder": {k: v.clone() for k, v in model.net_.module_.state_dict().items()},
    }
    new = y_train >= 8
    model.add_classes(X_train[new], y_train[new])
    return model, before, state


def test_new_classes_are_learned_and_old_ones_mostly_kept(
    digits, soc_with_added_classes
):
    _, X_test, _, y_test = digits
    model, before, _ = soc_with_added_classes
    np.testing.assert_array_equal(model.classes_, np.arange(10))
    old, new = old_and_new_accuracy(model, X_test, y_test)
    # Measured at the defaults (seeds 0-2): old classes lose 0.7-1.8 points,
    # the new ones reach 0.73-0.78 (chance 0.1). The target that
    # benchmarks/open_set.py prints (new >= 0.85, old drop <= 2 points) is
    # not met: with the encoder trained on 8 digits frozen, even a logistic
    # regression fitted on every class's embeddings falls short of it
    # (benchmarks/open_set.py measures that ceiling).
    assert before - old <= 0.03
    assert new >= 0.7


def test_encoder_and_existing_means_are_untouched(soc_with_added_classes):
    model, _, state = soc_with_added_classes
    np.testing.assert_array_equal(
        model.class_embeddings_[:8], state["class_embeddings"]
    )
    for name, value in model.net_.module_.state_dict().items():
        torch.testing.assert_close(value, state["encoder"][name], rtol=0, atol=0)
    assert model.class_embeddings_.shape == (10, 16)
    assert model.net_.criterion_.n_classes == 10


def test_added_model_keeps_working_like_any_model(soc_with_added_classes, digits):
    model, _, _ = soc_with_added_classes
    X_train, X_test, y_train, _ = digits
    assert model.predict_proba(X_test).shape == (len(X_test), 10)
    np.testing.assert_allclose(model.class_prior_.sum(), 1.0)
    assert model.class_count_[8] == np.sum(y_train == 8)
    model = copy.deepcopy(model)  # the fixture's model is shared
    model.partial_fit(X_train[:100], y_train[:100])  # trains all classes again
    assert model.n_iter_ > 1


@pytest.mark.parametrize("fixed", [True, False])
def test_fixed_random_vectors_learn_new_directions_and_stay_frozen(fixed):
    X, y = make_blobs(n_samples=200, centers=4, n_features=6, random_state=3)
    labels = np.array(["a", "b", "c", "d"])[y]
    # At scale 1 (the paper's): at the default 8, the refined learnable vector
    # of "d", trained on "d" samples alone, also claims the look-alike "b".
    model = FixedRandomClassifier(fixed=fixed, scale=1.0, max_epochs=40, random_state=0)
    model.fit(X[y < 3], labels[y < 3])
    vectors = model.class_embeddings_.copy()
    model.add_classes(X[y == 3], labels[y == 3])
    np.testing.assert_array_equal(model.classes_, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(model.class_embeddings_[:3], vectors)
    head = model.net_.criterion_
    assert ("class_embeddings" in dict(head.named_buffers())) is fixed
    predicted = model.predict(X)
    assert np.mean(predicted[y == 3] == "d") > 0.9
    if not fixed:
        assert np.mean(predicted == labels) > 0.9
    # With fixed=True at scale 1 the frozen encoder maps "b" and "d" to
    # nearly one direction (cosines 0.84 and 0.79 with b's vector), and "d"'s
    # new vector claims the "b" samples: the limitation the docs describe.


def test_new_labels_are_inserted_in_sorted_order():
    X, y = make_blobs(n_samples=160, centers=4, n_features=5, random_state=4)
    labels = np.array([10, 20, 30, 40])[y]
    model = SOCClassifier(max_epochs=40, random_state=0)
    known = np.isin(labels, [10, 40])
    model.fit(X[known], labels[known])
    means = model.class_embeddings_.copy()
    model.add_classes(X[~known], labels[~known])
    np.testing.assert_array_equal(model.classes_, [10, 20, 30, 40])
    np.testing.assert_array_equal(model.class_embeddings_[[0, 3]], means)
    assert set(model.predict(X)) <= {10, 20, 30, 40}


def test_add_classes_errors_leave_the_model_as_it_was(digits):
    X_train, _, y_train, _ = digits
    model = SOCClassifier(max_epochs=5, random_state=0).fit(
        X_train[:300], y_train[:300] % 3
    )
    expected = model.predict_proba(X_train[:50])
    with pytest.raises(ValueError, match="no class outside classes_"):
        model.add_classes(X_train[:10], y_train[:10] % 3)
    with pytest.raises(ValueError, match="X has 5 features"):
        model.add_classes(X_train[:10, :5], np.full(10, 7))
    np.testing.assert_array_equal(model.predict_proba(X_train[:50]), expected)
    with pytest.raises(Exception, match="not fitted"):
        SOCClassifier().add_classes(X_train[:10], y_train[:10])


@pytest.mark.parametrize("Estimator", [SOCClassifier, FixedRandomClassifier])
def test_add_classes_multiplies_class_weight_into_sample_weight(Estimator):
    # class_weight={"a": 3} on the new data is exactly sample_weight 3 on
    # the "a" rows, as in fit; "balanced" is computed on the y given.
    X, y = make_blobs(n_samples=240, centers=4, n_features=6, random_state=5)
    labels = np.array(["a", "b", "c", "d"])[y]
    old, new = y < 2, y >= 1  # the "b" rows go along with the new classes
    params = {"fixed": False} if Estimator is FixedRandomClassifier else {}
    params.update(max_epochs=20, random_state=0)

    def grown(class_weight, sample_weight):
        model = Estimator(**params).fit(X[old], labels[old])
        model.set_params(class_weight=class_weight)
        return model.add_classes(X[new], labels[new], sample_weight=sample_weight)

    def assert_same(model, other):
        np.testing.assert_allclose(
            model.class_embeddings_, other.class_embeddings_, rtol=1e-5, atol=1e-6
        )
        # The held-out rows SOC's calibration is refitted on are weighted too.
        for name in ("temperature_", "distance_power_"):
            np.testing.assert_allclose(
                getattr(model, name), getattr(other, name), rtol=1e-4
            )

    weighted = grown({"a": 1.0, "b": 3.0}, None)
    assert_same(weighted, grown(None, np.where(labels[new] == "b", 3.0, 1.0)))
    balanced = grown("balanced", None)
    counts = np.unique(labels[new], return_counts=True)[1]
    assert_same(balanced, grown(None, (len(labels[new]) / (3 * counts))[y[new] - 1]))
    unweighted = grown(None, None)
    assert not np.allclose(weighted.class_embeddings_, unweighted.class_embeddings_)
    if Estimator is SOCClassifier:
        assert weighted.temperature_ != unweighted.temperature_


def test_calibration_is_refitted_on_held_out_rows(digits, soc_with_added_classes):
    # Fitted with a calibration, the grown model holds out validation_fraction
    # of each class given (from the fit's seed), trains the new means on the
    # rest and refits the temperature on the held-out rows' logits (those of
    # decision_function, which are not calibrated).
    X_train, _, y_train, _ = digits
    model, _, state = soc_with_added_classes
    fitted = state["fitted"]
    X_new, y_new = X_train[y_train >= 8], y_train[y_train >= 8]
    train, held_out = calibration_split(
        y_new, np.array([8, 9]), fitted.validation_fraction, fitted._seed
    )
    assert held_out is not None
    assert np.isclose(len(held_out), 0.1 * len(y_new), atol=1)
    assert set(y_new[held_out]) == {8, 9}
    assert model.calibration_ == "temperature"
    assert model.temperature_ != fitted.temperature_
    logits = model.decision_function(X_new[held_out])
    expected = Calibrator("temperature", None).fit(logits, y_new[held_out])
    np.testing.assert_allclose(model.temperature_, expected.temperature, rtol=1e-6)
    # The new means are those learned from the training rows alone.
    uncalibrated = copy.deepcopy(fitted)
    uncalibrated.calibrator_ = Calibrator(None, None)
    uncalibrated.add_classes(X_new[train], y_new[train])
    np.testing.assert_array_equal(
        model.class_embeddings_, uncalibrated.class_embeddings_
    )
    # class_count_ counts every row given, held out or not.
    assert model.class_count_[9] == np.sum(y_new == 9)


def test_refitted_calibration_is_better_on_the_new_classes(
    digits, soc_with_added_classes
):
    # Digits 0-7, then 8 and 9 added: on the test rows of 8 and 9, the
    # refitted temperature has a lower ECE than the fit's. Measured at seed
    # 0: temperature 0.940 -> 0.665, ECE on 8 and 9 0.264 -> 0.162, on 0-7
    # 0.092 -> 0.040, on all 0.117 -> 0.054.
    _, X_test, _, y_test = digits
    model, _, state = soc_with_added_classes
    kept = copy.deepcopy(model)
    kept.calibrator_ = state["fitted"].calibrator_
    new = y_test >= 8
    refitted, old_temperature = (
        top_label_calibration_error(
            y_test[new], m.predict_proba(X_test[new]), labels=model.classes_
        )
        for m in (model, kept)
    )
    assert refitted < old_temperature
    np.testing.assert_allclose(model.predict_proba(X_test).sum(1), 1.0)


def test_add_classes_is_reproducible(digits, soc_with_added_classes):
    X_train, X_test, y_train, _ = digits
    model, _, state = soc_with_added_classes
    again = copy.deepcopy(state["fitted"])
    again.add_classes(X_train[y_train >= 8], y_train[y_train >= 8])
    np.testing.assert_array_equal(
        again.predict_proba(X_test), model.predict_proba(X_test)
    )
    assert again.temperature_ == model.temperature_


@pytest.mark.parametrize("Estimator", [SOCClassifier, FixedRandomClassifier])
def test_too_few_rows_keep_the_calibration(digits, Estimator):
    # One row per new class: none can be held out, and a calibration fitted
    # on a class's only row would overfit it; both rows train the new
    # classes and the fitted calibration is kept.
    X_train, _, y_train, _ = digits
    model = Estimator(max_epochs=5, random_state=0)
    model.fit(X_train[y_train < 5], y_train[y_train < 5])
    fitted = copy.deepcopy(model.calibrator_)
    rows = [np.flatnonzero(y_train == label)[0] for label in (5, 6)]
    model.add_classes(X_train[rows], y_train[rows])
    np.testing.assert_array_equal(model.classes_, np.arange(7))
    np.testing.assert_array_equal(model.predict(X_train[rows]), [5, 6])
    assert model.calibration_ == fitted.method
    assert model.temperature_ == fitted.temperature
    assert model.distance_power_ == fitted.distance_power


def test_one_new_class_alone_is_calibrated_on_all_its_rows(digits):
    # Held-out rows of one class say little about the others' calibration:
    # every row trains and the temperature is refitted on them all.
    X_train, _, y_train, _ = digits
    model = SOCClassifier(max_epochs=5, random_state=0)
    model.fit(X_train[y_train < 5], y_train[y_train < 5])
    fitted = copy.deepcopy(model.calibrator_)
    new = y_train == 5
    model.add_classes(X_train[new], y_train[new])
    expected = copy.copy(fitted).fit(
        model.decision_function(X_train[new]), y_train[new]
    )
    assert model.temperature_ != fitted.temperature
    np.testing.assert_allclose(model.temperature_, expected.temperature, rtol=1e-5)


def test_the_fixed_head_keeps_its_calibration(digits):
    # A refitted calibration flattens the known classes' probabilities when
    # the new classes are poorly separated (FixedRandomClassifier.add_classes'
    # Notes); the fixed head keeps the one fitted with the model.
    X_train, _, y_train, _ = digits
    model = FixedRandomClassifier(max_epochs=5, random_state=0)
    model.fit(X_train[y_train < 8], y_train[y_train < 8])
    fitted = copy.deepcopy(model.calibrator_)
    kept = copy.deepcopy(model)
    kept.calibrator_ = Calibrator(None, None)
    model.add_classes(X_train[y_train >= 8], y_train[y_train >= 8])
    assert model.temperature_ == fitted.temperature
    assert model.distance_power_ == fitted.distance_power
    # Every row of the new classes trains them: as uncalibrated, every row.
    kept.add_classes(X_train[y_train >= 8], y_train[y_train >= 8])
    np.testing.assert_array_equal(model.class_embeddings_, kept.class_embeddings_)


@pytest.mark.parametrize(
    ("y", "held"),
    [
        ([8, 8, 9], None),  # a new class of one row: keep the calibration
        ([8, 8, 8, 8], "all"),  # one class: calibrate on every row
        ([1, 8, 8, 9, 9], "split"),  # the known class's single row trains
    ],
)
def test_calibration_split_holds_out_rows_of_every_class_that_has_two(y, held):
    y = np.array(y)
    train, held_out = calibration_split(y, np.array([8, 9]), 0.1, seed=0)
    if held != "split":
        np.testing.assert_array_equal(train, np.arange(len(y)))
        if held is None:
            assert held_out is None
        else:
            np.testing.assert_array_equal(held_out, np.arange(len(y)))
        return
    assert sorted(y[held_out]) == [8, 9]
    np.testing.assert_array_equal(np.sort(np.r_[train, held_out]), np.arange(len(y)))


def test_a_model_without_calibration_stays_uncalibrated(digits):
    X_train, _, y_train, _ = digits
    old, new = y_train < 5, (y_train >= 5) & (y_train < 7)
    fitted = SOCClassifier(calibration=None, max_epochs=5, random_state=0)
    fitted.fit(X_train[old], y_train[old])
    built = SOCClassifier(random_state=0)
    built.partial_fit(X_train[old], y_train[old], classes=np.arange(5))
    for model in (fitted, built):
        model.add_classes(X_train[new], y_train[new])
        assert model.calibration_ is None
        assert model.temperature_ == 1.0
        assert model.predict_proba(X_train[:5]).shape == (5, 7)


def test_a_failing_add_classes_keeps_the_calibration(digits, monkeypatch):
    X_train, _, y_train, _ = digits
    model = SOCClassifier(max_epochs=5, random_state=0)
    model.fit(X_train[y_train < 5], y_train[y_train < 5])
    calibrator, temperature = model.calibrator_, model.temperature_
    expected = model.predict_proba(X_train[:50])

    def fit_then_fail(self, logits, y, sample_weight=None):
        self.temperature = 123.0
        raise RuntimeError("calibration failed")

    monkeypatch.setattr(Calibrator, "fit", fit_then_fail)
    with pytest.raises(RuntimeError, match="calibration failed"):
        model.add_classes(X_train[y_train >= 5], y_train[y_train >= 5])
    assert model.calibrator_ is calibrator
    assert model.temperature_ == temperature
    np.testing.assert_array_equal(model.classes_, np.arange(5))
    np.testing.assert_array_equal(model.predict_proba(X_train[:50]), expected)


def test_balanced_class_weight_raises_a_rare_new_class_recall(digits):
    # Digits 0-7, then every row of 8 and eight of 9: unweighted, the new
    # mean of 9 claims few test 9s; "balanced" weighs each 9 15.25 times
    # each 8 and the recall of 9 rises (measured: 0.04 -> 0.65).
    X_train, X_test, y_train, y_test = digits
    model = SOCClassifier(random_state=0)
    model.fit(X_train[y_train < 8], y_train[y_train < 8])
    rows = np.r_[np.flatnonzero(y_train == 8), np.flatnonzero(y_train == 9)[:8]]

    def recall_of_9(class_weight):
        grown = copy.deepcopy(model).set_params(class_weight=class_weight)
        grown.add_classes(X_train[rows], y_train[rows])
        return np.mean(grown.predict(X_test[y_test == 9]) == 9)

    assert recall_of_9("balanced") > recall_of_9(None)
