"""The shared estimator core, checked on every sksoc estimator.

What a user relies on whichever head they pick: labels of any type come back
as given, DataFrames are matrices with preprocessor=None, fits are
reproducible without touching the global torch state, bad input gets a clear
error, and a failed or
interrupted fit never damages a fitted model.
"""

import pickle
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from sksoc import SOCClassifier
from sksoc._compat import InvalidParameterError
from sksoc.exceptions import TrainingDivergedError
from sksoc.utils import all_estimators
from tests.helpers import Width

ESTIMATORS = [Estimator for _, Estimator in all_estimators()]
FAST = {"max_epochs": 15, "random_state": 0}


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=120, centers=3, n_features=4, random_state=0)
    return X, y


def make(Estimator, **params):
    return Estimator(**{**FAST, **params})


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "labels",
    [
        np.array(["cat", "dog", "eel"]),
        np.array([10, 20, 30]),
        np.array([-1.0, 0.0, 2.0]),
        np.array([True, False]),
    ],
    ids=["strings", "non-contiguous-ints", "integral-floats", "bools"],
)
def test_predict_returns_the_original_labels(Estimator, labels, blobs):
    X, y = blobs
    y = labels[y % len(labels)]
    model = make(Estimator, max_epochs=40).fit(X, y)
    assert_array_equal = np.testing.assert_array_equal
    assert_array_equal(model.classes_, np.unique(labels))
    predicted = model.predict(X)
    assert predicted.dtype == y.dtype
    assert set(predicted) <= set(labels)
    assert np.mean(predicted == y) > 0.8


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_outputs_have_documented_shapes_and_agree(Estimator, blobs):
    X, y = blobs
    model = make(Estimator, embedding_dim=3).fit(X, y)
    scores = model.decision_function(X)
    proba = model.predict_proba(X)
    assert scores.shape == (len(X), 3)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.log(proba), model.predict_log_proba(X), rtol=1e-10)
    np.testing.assert_array_equal(
        model.predict(X), model.classes_[scores.argmax(axis=1)]
    )
    assert model.transform(X).shape == (len(X), 3)
    assert model.class_embeddings_.shape[0] == 3
    assert model.embedding_dim_ == 3
    assert model.n_iter_ == len(model.history_) == 15
    assert {"epoch", "train_loss", "dur"} <= set(model.history_[0])
    np.testing.assert_allclose(model.class_count_, np.bincount(y))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_binary_decision_function_follows_sklearn_convention(Estimator, blobs):
    X, y = blobs
    keep = y < 2
    model = make(Estimator).fit(X[keep], y[keep])
    scores = model.decision_function(X)
    # The logits at the embeddings, up to float32 rounding (cosine heads
    # normalise the embedding transform returns once more).
    logits = model.logits_at(model.transform(X))
    assert scores.shape == (len(X),)
    np.testing.assert_allclose(scores, logits[:, 1] - logits[:, 0], atol=1e-5)
    np.testing.assert_array_equal(model.predict(X), (scores > 0).astype(int))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_dataframe_without_preprocessor_is_a_numeric_matrix(Estimator, blobs):
    X, y = blobs
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = make(Estimator, preprocessor=None).fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, ["a", "b", "c", "d"])
    np.testing.assert_array_equal(
        model.predict_proba(frame),
        make(Estimator, preprocessor=None).fit(X, y).predict_proba(X),
    )
    embedding = model.set_output(transform="pandas").transform(frame)
    assert isinstance(embedding, pd.DataFrame)
    prefix = Estimator.__name__.lower()
    assert list(embedding.columns) == [
        f"{prefix}{i}" for i in range(model.embedding_dim_)
    ]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_float32_and_float64_input_agree(Estimator, blobs):
    X, y = blobs
    model = make(Estimator).fit(X, y)
    assert model.transform(X).dtype == np.float64
    assert model.transform(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_array_equal(
        model.predict_proba(X.astype(np.float32)), model.predict_proba(X)
    )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sparse_input_is_supported(Estimator, blobs):
    X, y = blobs
    X = np.where(np.abs(X) > 2, X, 0.0)
    dense = make(Estimator).fit(X, y)
    sparse = make(Estimator).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csc_matrix(X)), dense.predict_proba(X), rtol=1e-6
    )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_random_state_makes_fits_reproducible(Estimator, blobs):
    X, y = blobs
    first = make(Estimator, random_state=7).fit(X, y).predict_proba(X)
    again = make(Estimator, random_state=7).fit(X, y).predict_proba(X)
    other = make(Estimator, random_state=8).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_fit_leaves_the_global_torch_random_state_alone(Estimator, blobs):
    X, y = blobs
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    make(Estimator, module__dropout=0.2).fit(X, y)
    make(Estimator, random_state=None).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_clone_and_pickle_round_trip(Estimator, blobs):
    X, y = blobs
    model = make(Estimator, module=Width, module__width=5)
    cloned = clone(model)
    assert cloned.get_params()["module__width"] == 5
    model.fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(restored.class_embeddings_, model.class_embeddings_)
    restored.partial_fit(X, y)
    assert restored.n_iter_ == model.n_iter_ + 1


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_user_module_hyper_parameters_are_tunable(Estimator, blobs):
    X, y = blobs
    search = GridSearchCV(
        make(Estimator, module=Width), {"module__width": [2, 16]}, cv=2
    ).fit(X, y)
    assert search.best_params_["module__width"] in (2, 16)
    encoder = search.best_estimator_.net_.module_
    assert encoder.layers[0].out_features == search.best_params_["module__width"]


def test_default_encoder_takes_module_parameters(blobs):
    X, y = blobs
    Estimator = ESTIMATORS[0]
    model = make(Estimator, hidden_layer_sizes=(7, 5), module__dropout=0.25).fit(X, y)
    layers = list(model.net_.module_.layers)
    assert [m.out_features for m in layers if isinstance(m, nn.Linear)] == [7, 5, 16]
    assert sum(isinstance(m, nn.Dropout) for m in layers) == 2


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_module_instance_is_copied_not_trained_in_place(Estimator, blobs):
    X, y = blobs
    encoder = nn.Linear(4, 6)
    before = encoder.weight.detach().clone()
    model = make(Estimator, module=encoder).fit(X, y)
    assert model.embedding_dim_ == 6
    torch.testing.assert_close(encoder.weight.detach(), before)
    assert model.get_params()["module"] is encoder


def test_pipeline_grid_search_with_string_labels_in_parallel(blobs):
    X, y = blobs
    frame = pd.DataFrame(X, columns=list("abcd"))
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    pipeline = make_pipeline(StandardScaler(), make(SOCClassifier))
    search = GridSearchCV(
        pipeline, {"socclassifier__embedding_dim": [2, 4]}, cv=3, n_jobs=2
    ).fit(frame, labels)
    assert search.best_score_ > 0.9
    assert set(search.predict(frame)) <= set(labels)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_trains_one_epoch_per_call(Estimator, blobs):
    X, y = blobs
    labels = np.array(["a", "b", "c"])[y]
    model = make(Estimator)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        model.partial_fit(X, labels)
    model.partial_fit(X[:60], labels[:60], classes=["a", "b", "c"])
    for _ in range(30):
        model.partial_fit(X, labels)
    assert model.n_iter_ == 31
    assert model.score(X, labels) > 0.9
    np.testing.assert_allclose(model.class_count_.sum(), 60 + 30 * len(X))
    with pytest.raises(ValueError, match=re.escape("labels not in classes_: ['z']")):
        model.partial_fit(X[:2], ["a", "z"])
    with pytest.raises(ValueError, match="X has 3 features"):
        model.partial_fit(X[:, :3], labels)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_early_stopping_monitors_a_held_out_split(Estimator, blobs):
    X, y = blobs
    model = make(
        Estimator, early_stopping=True, max_epochs=500, n_iter_no_change=3, tol=0.01
    ).fit(X, y)
    assert model.n_iter_ < 500
    assert all("valid_loss" in row for row in model.history_)
    assert model.net_.train_split is None  # no validation rows kept


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_verbose_controls_printing(Estimator, blobs, capsys):
    X, y = blobs
    make(Estimator, verbose=0).fit(X, y)
    assert capsys.readouterr().out == ""
    make(Estimator, verbose=1, max_epochs=3).fit(X, y)
    printed = capsys.readouterr().out
    assert "train_loss" in printed
    assert all(f"\n{epoch:7d}" in printed for epoch in (1, 2, 3))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sample_weight_is_used(Estimator, blobs):
    X, y = blobs
    ones = make(Estimator).fit(X, y, sample_weight=np.ones(len(y)))
    none = make(Estimator).fit(X, y)
    np.testing.assert_allclose(ones.predict_proba(X), none.predict_proba(X), rtol=1e-5)
    heavy = np.where(y == 0, 100.0, 1.0)
    weighted = make(Estimator).fit(X, y, sample_weight=heavy)
    assert not np.allclose(weighted.predict_proba(X), none.predict_proba(X))
    with pytest.raises(ValueError, match="at least 2 classes with positive"):
        make(Estimator).fit(X, y, sample_weight=(y == 0).astype(float))


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "X_bad, y_bad, message",
    [
        (np.array([[np.nan, 1.0]] * 4), [0, 1, 0, 1], "Input X contains NaN"),
        (np.array([[np.inf, 1.0]] * 4), [0, 1, 0, 1], "Input X contains infinity"),
        (np.empty((0, 2)), [], "0 sample"),
        (np.ones((4, 2)), [1, 1, 1, 1], "at least 2 classes; got 1 class"),
        (np.ones((4, 2)), np.ones((4, 2)), "y should be a 1d array"),
        (np.ones((4, 2)) + 1j, [0, 1, 0, 1], "Complex data not supported"),
        (np.array([["a", "b"]] * 4), [0, 1, 0, 1], "could not convert string"),
        (np.full((4, 2), 1e300), [0, 1, 0, 1], "too large for float32"),
        (np.ones((4, 2)), [0.1, 0.2, 0.3, 0.4], "Unknown label type"),
    ],
    ids=[
        "nan",
        "inf",
        "empty",
        "single-class",
        "2d-y",
        "complex",
        "strings",
        "float32-overflow",
        "continuous-y",
    ],
)
def test_bad_training_input_gets_a_clear_error(Estimator, X_bad, y_bad, message):
    # preprocessor=None: X is the network's matrix (the default encodes text
    # and missing values; tests/test_tabular_input.py checks that path).
    with pytest.raises(ValueError, match=message):
        make(Estimator, preprocessor=None).fit(X_bad, y_bad)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_non_numeric_dataframe_columns_are_named_without_preprocessor(Estimator):
    frame = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0], "colour": list("rgbr")})
    with pytest.raises(ValueError, match=re.escape("non-numeric columns ['colour']")):
        make(Estimator, preprocessor=None).fit(frame, [0, 1, 0, 1])


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_bad_prediction_input_gets_a_clear_error(Estimator, blobs):
    X, y = blobs
    model = make(Estimator).fit(X, y)
    with pytest.raises(ValueError, match=r"X has 3 features, but .* is expecting 4"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict_proba(np.full((2, 4), np.nan))


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "params",
    [
        {"lr": -1.0},
        {"max_epochs": 0},
        {"embedding_dim": 0},
        {"optimizer": "adagrad"},
        {"validation_fraction": 1.0},
        {"device": 3},
        {"lr_decay": 0.0},
        {"lr_decay": 1.5},
    ],
)
def test_invalid_parameters_raise_at_fit(Estimator, params, blobs):
    X, y = blobs
    model = make(Estimator, **params)  # construction never validates
    with pytest.raises(InvalidParameterError):
        model.fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"hidden_layer_sizes": (4, -1)}, ValueError, "positive integers"),
        ({"module__colour": "red"}, TypeError, "Invalid module__ parameter"),
        ({"modul_width": 3}, TypeError, "unexpected parameter"),
        ({"device": "tpu"}, ValueError, "Invalid device 'tpu'"),
        ({"module": nn.Linear(4, 2), "module__bias": False}, ValueError, "a class"),
        ({"module": nn.Conv2d}, TypeError, "Could not build the encoder Conv2d"),
        (
            {
                "module": nn.Conv2d,
                "module__in_channels": 4,
                "module__out_channels": 2,
                "module__kernel_size": 1,
            },
            ValueError,
            "encoder Conv2d failed on input of shape",
        ),
        ({"module": nn.Flatten, "module__start_dim": 0}, ValueError, "returned"),
    ],
)
def test_invalid_encoder_settings_get_a_clear_error(
    Estimator, params, error, message, blobs
):
    X, y = blobs
    model = make(Estimator, **params)
    with pytest.raises(error, match=message):
        model.fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_without_a_gpu_is_a_clear_error(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="CUDA is not available"):
        make(ESTIMATORS[0], device="cuda").fit(X, y)


# -- failures never damage a fitted model ---------------------------------------------


class FailsAfter(nn.Module):
    """An encoder that raises ``error`` on its ``calls``-th training forward."""

    def __init__(self, n_features_in, embedding_dim, calls=5, error="nan"):
        super().__init__()
        self.linear = nn.Linear(n_features_in, embedding_dim)
        self.calls = calls
        self.error = error
        self.seen = 0

    def forward(self, X):
        out = self.linear(X)
        if self.training:
            self.seen += 1
            if self.seen >= self.calls:
                if self.error == "interrupt":
                    raise KeyboardInterrupt
                return out * float("nan")
        return out


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_diverging_loss_stops_with_epoch_and_cause(Estimator, blobs):
    X, y = blobs
    model = make(Estimator, module=FailsAfter, module__calls=5, batch_size=40)
    # 3 batches per epoch: the 5th training forward is in epoch 2.
    with pytest.raises(TrainingDivergedError, match=r"nan at epoch 2.*learning rate"):
        model.fit(X, y)
    assert not hasattr(model, "classes_")
    assert not hasattr(model, "net_")


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("error", ["nan", "interrupt"])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_failed_refit_keeps_the_fitted_model(Estimator, error, method, blobs):
    X, y = blobs
    model = make(Estimator, module=FailsAfter, module__calls=10**9).fit(X, y)
    expected = model.predict_proba(X)
    n_iter = model.n_iter_
    fitted_encoder = model.net_.module_
    seen = fitted_encoder.seen
    if method == "fit":
        model.set_params(module__calls=1, module__error=error)
    else:
        # The fitted encoder's next training forward fails.
        fitted_encoder.calls, fitted_encoder.error = seen + 1, error
    raised = KeyboardInterrupt if error == "interrupt" else TrainingDivergedError
    with pytest.raises(raised):
        getattr(model, method)(X, y)
    assert model.net_.module_ is fitted_encoder
    assert fitted_encoder.seen == seen  # partial_fit trained a copy
    assert model.n_iter_ == n_iter
    np.testing.assert_array_equal(model.predict_proba(X), expected)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_user_callbacks_run_every_epoch(Estimator, blobs):
    from skorch.callbacks import Callback

    class CountEpochs(Callback):
        def initialize(self):
            self.epochs = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    counter = CountEpochs()
    model = make(Estimator, max_epochs=4, callbacks=[("count", counter)]).fit(
        X=blobs[0], y=blobs[1]
    )
    assert counter.epochs == model.n_iter_ == 4
    with pytest.raises(TypeError, match="callbacks must be skorch callbacks"):
        make(Estimator, callbacks=[print]).fit(*blobs)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_all_zero_sample_weight_is_a_clear_error_and_keeps_the_model(method, blobs):
    X, y = blobs
    model = SOCClassifier(max_epochs=2, random_state=0).fit(X, y)
    expected = model.predict_proba(X)
    with pytest.raises(ValueError, match="non-zero|sums to zero"):
        getattr(model, method)(X, y, sample_weight=np.zeros(len(y)))
    np.testing.assert_array_equal(model.predict_proba(X), expected)
    # ... and the next partial_fit trains normally.
    model.partial_fit(X, y)
    assert np.isfinite(model.predict_proba(X)).all()
