"""Fits in several threads run at once and give the models they give one at a time.

Every draw of a fit of sksoc's own modules comes from generators of that fit
(sksoc._generators), so no lock is held while training; a user's encoder may
draw from torch's global generators, and its fits are seeded under a lock.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs
from skorch.callbacks import Callback
from torch import nn

from sksoc import FixedRandomClassifier, SOCClassifier
from sksoc._generators import Dropout, linear
from sksoc.encoders import MLPEncoder, TabularEncoder
from sksoc.heads import (
    ArcFaceHead,
    ClassVectorHead,
    LinearHead,
    SOCHead,
    product_of_marginals,
)


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(n_samples=120, centers=3, n_features=4, random_state=0)


class MeetsTheOtherFit(Callback):
    """Times the training epochs; after the first, waits for the other fit's.

    Both fits must be training at once to pass the barrier: fits that ran
    one at a time would break it (a timeout) and fail.
    """

    def __init__(self, barrier):
        self.barrier = barrier

    def initialize(self):
        self.began = self.ended = None
        return self

    def on_epoch_begin(self, net, **kwargs):
        if self.began is None:
            self.began = time.monotonic()

    def on_epoch_end(self, net, **kwargs):
        if self.ended is None:
            self.barrier.wait(timeout=20)
        self.ended = time.monotonic()


# Dropout, contrast rows and sampled classes draw while training.
FITS = (
    lambda **kwargs: SOCClassifier(
        max_epochs=3,
        module__dropout=0.2,
        contrast_weight=0.3,
        class_loss_sample_size=2,
        random_state=0,
        **kwargs,
    ),
    lambda **kwargs: FixedRandomClassifier(
        max_epochs=3,
        module__dropout=0.2,
        module__batch_norm=True,
        random_state=1,
        **kwargs,
    ),
)


def test_two_fits_in_threads_overlap_and_equal_serial_fits(blobs):
    X, y = blobs
    serial = [make().fit(X, y).predict_proba(X) for make in FITS]

    start = threading.Barrier(2)
    meet = threading.Barrier(2)

    def fit(make):
        timer = MeetsTheOtherFit(meet)
        model = make(callbacks=[timer])
        start.wait(timeout=20)
        model.fit(X, y)
        return model.predict_proba(X), (timer.began, timer.ended)

    with ThreadPoolExecutor(max_workers=2) as pool:
        (one, (began_1, ended_1)), (other, (began_2, ended_2)) = pool.map(fit, FITS)
    # Each trained while the other did.
    assert began_1 < ended_2 and began_2 < ended_1
    np.testing.assert_array_equal(one, serial[0])
    np.testing.assert_array_equal(other, serial[1])


class UserEncoder(nn.Module):
    """A user's encoder whose dropout draws from torch's global generator."""

    def __init__(self, n_features_in, embedding_dim):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features_in, 16), nn.ReLU(), nn.Dropout(0.3)
        )
        self.out = nn.Linear(16, embedding_dim)

    def forward(self, X):
        return self.out(self.layers(X))


def test_user_encoders_drawing_from_torch_fit_in_threads_as_serially(blobs):
    X, y = blobs

    def fit(seed):
        model = SOCClassifier(max_epochs=3, module=UserEncoder, random_state=seed)
        return model.fit(X, y).predict_proba(X)

    serial = [fit(seed) for seed in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = list(pool.map(fit, range(3)))
    for one, other in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(one, other)


def test_a_fit_leaves_torchs_global_generator_alone(blobs):
    X, y = blobs
    torch.manual_seed(7)
    state = torch.get_rng_state()
    first = FITS[0]().fit(X, y).predict_proba(X)
    assert torch.equal(torch.get_rng_state(), state)
    # Nor does it depend on it.
    torch.manual_seed(8)
    np.testing.assert_array_equal(FITS[0]().fit(X, y).predict_proba(X), first)


# A generator seeded with s gives what torch's global generator gives after
# torch.manual_seed(s): sksoc's modules draw the same numbers from either.
MODULES = {
    "linear": lambda **g: linear(5, 3, **g),
    "mlp": lambda **g: MLPEncoder(6, 2, hidden_layer_sizes=(8, 4), **g),
    "tabular": lambda **g: TabularEncoder(6, 2, n_numeric=3, **g),
    "linear head": lambda **g: LinearHead(4, 3, **g),
    "soc head": lambda **g: SOCHead(4, 3, **g),
    "class vector head": lambda **g: ClassVectorHead(4, 3, init="simplex", **g),
    "arcface head": lambda **g: ArcFaceHead(4, 3, sub_centers=2, **g),
}


@pytest.mark.parametrize("build", MODULES.values(), ids=MODULES)
def test_initial_weights_from_a_generator_equal_torchs_after_seeding(build):
    torch.manual_seed(3)
    expected = build().state_dict()
    state = torch.get_rng_state()
    drawn = build(generator=torch.Generator().manual_seed(3)).state_dict()
    assert torch.equal(torch.get_rng_state(), state)
    assert drawn.keys() == expected.keys()
    assert all(torch.equal(drawn[name], expected[name]) for name in expected)


def test_dropout_from_a_generator_equals_torchs_after_seeding():
    X = torch.randn(64, 32)
    torch.manual_seed(4)
    expected = nn.Dropout(0.3)(X)
    dropout = Dropout(0.3)
    dropout.training_generator = torch.Generator().manual_seed(4)
    torch.manual_seed(5)
    assert torch.equal(dropout(X), expected)
    assert repr(dropout) == repr(nn.Dropout(0.3))


def test_contrast_rows_from_a_generator_equal_torchs_after_seeding():
    X = torch.randn(10, 4)
    torch.manual_seed(6)
    expected = product_of_marginals(X, 7)
    generator = torch.Generator().manual_seed(6)
    assert torch.equal(product_of_marginals(X, 7, generator=generator), expected)


def test_adding_classes_and_loading_take_no_lock(blobs, tmp_path):
    # Both used to hold the seeded block; with it held by another thread
    # here, each must still finish (the modules draw from their own
    # generators), and leave torch's global generator as it was.
    from sksoc import load_model, save_model
    from sksoc._engine import _SEEDED_BLOCK

    X, y = blobs
    old = y < 2
    model = SOCClassifier(max_epochs=3, random_state=0).fit(X[old], y[old])
    path = tmp_path / "soc.sksoc"
    save_model(model, path)
    state = torch.get_rng_state()
    holder_ready, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with _SEEDED_BLOCK:
            holder_ready.set()
            release.wait(timeout=60)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holder_ready.wait(timeout=10)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            grown = pool.submit(model.add_classes, X[~old], y[~old])
            loaded = pool.submit(load_model, path)
            grown.result(timeout=30)
            reloaded = loaded.result(timeout=30)
    finally:
        release.set()
        holder.join()
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    np.testing.assert_array_equal(reloaded.classes_, [0, 1])
    assert torch.equal(torch.get_rng_state(), state)
