"""Adding classes to a fitted model with the encoder frozen."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs

from sksoc import FixedRandomClassifier, SOCClassifier


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

    weighted = grown({"a": 1.0, "b": 3.0}, None)
    by_hand = grown(None, np.where(labels[new] == "b", 3.0, 1.0))
    np.testing.assert_allclose(
        weighted.class_embeddings_, by_hand.class_embeddings_, rtol=1e-5, atol=1e-6
    )
    balanced = grown("balanced", None)
    counts = np.unique(labels[new], return_counts=True)[1]
    by_hand = grown(None, (len(labels[new]) / (3 * counts))[y[new] - 1])
    np.testing.assert_allclose(
        balanced.class_embeddings_, by_hand.class_embeddings_, rtol=1e-5, atol=1e-6
    )


def test_add_classes_keeps_the_calibration_of_the_last_fit(digits):
    X_train, _, y_train, _ = digits
    model = FixedRandomClassifier(max_epochs=5, random_state=0)
    model.fit(X_train[y_train < 5], y_train[y_train < 5])
    fitted = (model.calibration_, model.temperature_, model.distance_power_)
    model.add_classes(X_train[y_train >= 5], y_train[y_train >= 5])
    assert (model.calibration_, model.temperature_, model.distance_power_) == fitted
    proba = model.predict_proba(X_train)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert proba.shape == (len(X_train), 10)
