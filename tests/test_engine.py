"""The training engine: batches, callbacks, stopping, threads, 'auto' defaults."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs
from skorch.callbacks import Callback, EarlyStopping

from sksoc import FixedRandomClassifier, MarginClassifier, SOCClassifier
from sksoc import SoftmaxClassifier as Softmax
from sksoc._batches import TensorData, as_float32_tensor
from sksoc._engine import single_torch_thread
from sksoc._fitting import resolve_batch_size, resolve_early_stopping
from sksoc._stopping import StopTraining, StopWhenNoImprovement


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=150, centers=3, n_features=4, random_state=0)


class CountsHooks(Callback):
    """Counts the batch and epoch hooks skorch calls."""

    def initialize(self):
        self.batches = 0
        self.epochs = 0
        self.threads = set()
        return self

    def on_batch_end(self, net, **kwargs):
        self.batches += 1

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1
        self.threads.add(torch.get_num_threads())


class EpochsOnly(Callback):
    def initialize(self):
        self.epochs = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1


@pytest.mark.parametrize(
    "n_samples, expected", [(10, 32), (256, 32), (800, 100), (2048, 256), (10**6, 256)]
)
def test_auto_batch_size_is_an_eighth_of_the_data_within_32_and_256(
    n_samples, expected
):
    assert resolve_batch_size("auto", n_samples) == expected
    assert resolve_batch_size(64, n_samples) == 64


def test_auto_early_stopping_holds_out_from_1000_samples():
    assert not resolve_early_stopping("auto", 999)
    assert resolve_early_stopping("auto", 1000)
    assert resolve_early_stopping(True, 10) and not resolve_early_stopping(False, 10**6)


def test_fitted_attributes_say_what_auto_chose(blobs):
    X, y = blobs
    small = Softmax(max_epochs=2, random_state=0).fit(X, y)
    assert (small.batch_size_, small.early_stopping_) == (32, False)
    assert "valid_loss" not in small.history_[-1]
    X_big, y_big = np.tile(X, (8, 1)), np.tile(y, 8)
    big = Softmax(max_epochs=2, random_state=0).fit(X_big, y_big)
    assert (big.batch_size_, big.early_stopping_) == (150, True)
    assert {"train_loss", "valid_loss", "valid_acc"} <= set(big.net_.history[-1])


def test_batch_hooks_run_only_for_callbacks_that_have_them(blobs):
    X, y = blobs
    per_batch, per_epoch = CountsHooks(), EpochsOnly()
    model = Softmax(
        max_epochs=3,
        n_iter_no_change=5,
        batch_size=32,
        callbacks=[per_batch, per_epoch],
        random_state=0,
    ).fit(X, y)
    assert per_batch.batches == 3 * 5  # ceil(150 / 32) batches a epoch
    assert per_batch.epochs == per_epoch.epochs == 3
    # No per-batch history is kept: the epoch rows hold epoch values only.
    assert all(len(row["batches"]) == 0 for row in model.net_.history)


def test_epoch_loss_is_the_mean_of_the_sample_losses(blobs):
    X, y = blobs
    model = Softmax(
        max_epochs=1, batch_size=32, random_state=0, lr=1e-12, calibration=None
    )
    model.fit(X, y)
    # With a vanishing learning rate the weights barely move, so the epoch's
    # mean training loss equals the loss of the final model on all rows.
    net = model.net_
    with torch.no_grad():
        z = net.module_(torch.as_tensor(X, dtype=torch.float32))
        expected = net.criterion_(z, torch.as_tensor(y)).item()
    assert model.history_[0]["train_loss"] == pytest.approx(expected, rel=1e-4)


class RecordsLearningRate(Callback):
    """The optimiser's learning rate at the start of each epoch."""

    def initialize(self):
        self.rates = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.rates.append(net.optimizer_.param_groups[0]["lr"])


@pytest.mark.parametrize("early_stopping", [True, False])
@pytest.mark.parametrize(
    "lr_decay, epochs, rates",
    [(0.25, 3, [0.01, 0.01, 0.0025]), (None, 2, [0.01, 0.01])],
)
def test_the_first_plateau_decays_the_learning_rate_and_the_second_stops(
    blobs, early_stopping, lr_decay, epochs, rates
):
    X, y = blobs
    recorded = RecordsLearningRate()
    # tol=10: no epoch after the first improves enough, so with
    # n_iter_no_change=1 epoch 2 ends the first plateau and epoch 3 the
    # second; without lr_decay the first plateau stops training.
    model = Softmax(
        lr=0.01,
        lr_decay=lr_decay,
        n_iter_no_change=1,
        tol=10.0,
        max_epochs=50,
        early_stopping=early_stopping,
        callbacks=[recorded],
        random_state=0,
    ).fit(X, y)
    assert model.n_iter_ == epochs
    assert recorded.rates == pytest.approx(rates)
    # The optimiser gets its rate back, for a later partial_fit.
    assert model.net_.optimizer_.param_groups[0]["lr"] == 0.01
    model.partial_fit(X, y)
    (copied,) = [
        callback
        for _, callback in model.net_.callbacks_
        if isinstance(callback, RecordsLearningRate)
    ]
    assert copied.rates[-1] == 0.01


class _History(list):
    """Just enough of skorch's history for the stopping rule."""

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return list.__getitem__(self, key[0])[key[1]]
        return list.__getitem__(self, key)


def test_the_learning_rate_decays_once_and_is_not_reset_by_an_improvement():
    group = {"lr": 0.01}
    net = SimpleNamespace(
        history=_History(),
        verbose=0,
        optimizer_=SimpleNamespace(param_groups=[group]),
    )
    rule = StopWhenNoImprovement("valid_loss", patience=2, tol=0.0, lr_decay=0.5)
    rule.on_train_begin(net)
    rates = []
    # Epochs 2-3 are the first plateau (decay); epoch 4 improves, which
    # restarts the count but not the rate; epochs 5-6 are the second plateau.
    losses = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1]
    with pytest.raises(StopTraining):
        for epoch, loss in enumerate(losses, start=1):
            rates.append(group["lr"])
            net.history.append({"epoch": epoch, "valid_loss": loss})
            rule.on_epoch_end(net)
    assert epoch == 6
    assert rates == [0.01, 0.01, 0.01, 0.005, 0.005, 0.005]
    rule.on_train_end(net)
    assert group["lr"] == 0.01


def test_skorch_early_stopping_callback_ends_training_normally(blobs):
    X, y = blobs
    model = Softmax(
        max_epochs=100,
        n_iter_no_change=100,
        callbacks=[EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)],
        random_state=0,
    ).fit(X, y)
    # skorch's EarlyStopping raises KeyboardInterrupt; the engine reads it
    # as "stop", where a real interrupt propagates.
    assert model.n_iter_ < 100
    assert model.score(X, y) > 0.5


@pytest.mark.parametrize("Estimator", [Softmax, SOCClassifier, MarginClassifier])
def test_small_models_train_on_one_thread_and_restore_the_count(Estimator, blobs):
    X, y = blobs
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        hooks = CountsHooks()
        Estimator(max_epochs=2, callbacks=[hooks], random_state=0).fit(X, y)
        assert hooks.threads == {1}
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_single_torch_thread_nests_and_restores():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with single_torch_thread():
            with single_torch_thread():
                assert torch.get_num_threads() == 1
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_dense_float32_rows_are_used_in_place_and_never_written():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert as_float32_tensor(X).data_ptr() == X.ctypes.data
    read_only = X.copy()
    read_only.flags.writeable = False
    assert as_float32_tensor(read_only).data_ptr() != read_only.ctypes.data
    X64 = X.astype(np.float64)
    np.testing.assert_array_equal(as_float32_tensor(X64).numpy(), X)


def test_tensor_data_batches_gather_rows_with_their_targets_and_weights():
    X = np.arange(10, dtype=np.float64).reshape(5, 2)
    data = TensorData(X, np.array([0, 1, 0, 1, 2]), np.array([1.0, 2, 3, 4, 5]))
    rows, (target, weight) = data.rows(torch.tensor([4, 0]))
    np.testing.assert_array_equal(rows.numpy(), [[8, 9], [0, 1]])
    np.testing.assert_array_equal(target.numpy(), [2, 0])
    np.testing.assert_array_equal(weight.numpy(), [5, 1])
    subset = data.subset(np.array([1, 3]))
    assert len(subset) == 2 and subset.weight_sum() == 6.0


def test_add_classes_trains_with_the_estimators_optimizer(blobs):
    X, y = blobs
    calls = []

    def recording_sgd(params, **kwargs):
        calls.append(kwargs)
        return torch.optim.SGD(params, **kwargs)

    model = FixedRandomClassifier(
        fixed=False, optimizer=recording_sgd, max_epochs=5, random_state=0
    )
    model.fit(X[y < 2], y[y < 2])
    n_fit = len(calls)
    model.add_classes(X[y == 2], y[y == 2])
    # One optimiser for the new rows, one re-initialised for the grown model,
    # both built with the estimator's lr and weight decay.
    assert len(calls) == n_fit + 2
    assert all(c["lr"] == model.lr for c in calls)
    assert all(c["weight_decay"] == model.weight_decay for c in calls)
