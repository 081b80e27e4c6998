"""product_of_marginals, and the training step's contrast rows."""

import math

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn

from sksoc import SOCClassifier
from sksoc._engine import _running_stats_kept
from sksoc.heads import LinearHead, SOCHead, product_of_marginals
from sksoc.heads._soc_head import CONTRAST_ROWS_PER_ROW


def test_each_column_is_drawn_from_the_same_column():
    X = torch.arange(12.0).reshape(4, 3)  # column j holds j, j + 3, j + 6, j + 9
    torch.manual_seed(0)
    rows = product_of_marginals(X, 50)
    assert rows.shape == (50, 3) and rows.dtype == X.dtype
    for j in range(3):
        assert set(rows[:, j].tolist()) <= set(X[:, j].tolist())
    assert product_of_marginals(X).shape == X.shape


def test_columns_become_independent():
    torch.manual_seed(0)
    first = torch.randn(2000)
    X = torch.stack([first, first, -first], dim=1)  # correlations 1 and -1
    rows = product_of_marginals(X).numpy()
    correlation = np.corrcoef(rows, rowvar=False)
    np.testing.assert_allclose(correlation, np.eye(3), atol=0.1)
    # Each column's distribution is kept: the same mean and spread.
    np.testing.assert_allclose(rows.mean(0), X.numpy().mean(0), atol=0.1)
    np.testing.assert_allclose(rows.std(0), X.numpy().std(0), rtol=0.1)


@pytest.mark.parametrize("bad", [torch.zeros(0, 3), torch.zeros(3)])
def test_bad_rows_are_refused(bad):
    with pytest.raises(ValueError, match="non-empty 2-d tensor"):
        product_of_marginals(bad)
    with pytest.raises(ValueError, match="n_rows must be a positive integer"):
        product_of_marginals(torch.zeros(2, 2), 0)


class CountingEncoder(nn.Module):
    """A linear encoder that records the rows of every training forward."""

    def __init__(self, n_features_in, embedding_dim):
        super().__init__()
        self.linear = nn.Linear(n_features_in, embedding_dim)
        self.rows = []

    def forward(self, X):
        if self.training:
            self.rows.append(len(X))
        return self.linear(X)


class BatchNormEncoder(CountingEncoder):
    """CountingEncoder with batch normalisation after the linear layer."""

    def __init__(self, n_features_in, embedding_dim):
        super().__init__(n_features_in, embedding_dim)
        self.norm = nn.BatchNorm1d(embedding_dim)

    def forward(self, X):
        return self.norm(super().forward(X))


def one_epoch_of_three_steps(module, contrast_weight):
    """SOCClassifier(module=module) trained one epoch of three batches of 100."""
    X, y = load_digits(return_X_y=True)
    return SOCClassifier(
        module=module,
        contrast_weight=contrast_weight,
        batch_size=100,
        max_epochs=1,
        early_stopping=False,
        calibration=None,
        random_state=0,
    ).fit(X[:300] / 16, y[:300])


@pytest.mark.parametrize("contrast_weight", [0.3, 0.0])
def test_each_step_encodes_half_a_batch_of_contrast_rows(contrast_weight):
    # In the batch's own forward pass: one pass of 100 + 50 rows a step.
    model = one_epoch_of_three_steps(CountingEncoder, contrast_weight)
    assert model.net_.criterion_.contrast_weight == contrast_weight
    rows = model.net_.module_.rows
    if contrast_weight:
        contrast = math.ceil(CONTRAST_ROWS_PER_ROW * 100)
        assert rows == [100 + contrast] * 3
    else:
        assert rows == [100] * 3


def test_batch_norm_encoders_encode_contrast_rows_apart():
    # A batch-norm layer would normalise the batch by the contrast rows'
    # statistics too; such an encoder gets a second pass for them.
    model = one_epoch_of_three_steps(BatchNormEncoder, 0.3)
    contrast = math.ceil(CONTRAST_ROWS_PER_ROW * 100)
    assert model.net_.module_.rows == [100, contrast] * 3
    # Three steps of data rows alone moved the running statistics.
    assert model.net_.module_.norm.num_batches_tracked.item() == 3


def test_the_soc_head_owns_its_contrast_term():
    # The training loop encodes the head's extra_training_rows and adds its
    # extra_training_loss of their embeddings; a head without such a term
    # asks for no rows, and the SOC head's term is its weighted
    # contrast_loss of half a batch of contrast rows.
    X = torch.randn(6, 3)
    z, target = torch.randn(6, 2), torch.tensor([0, 1, 0, 1, 0, 1])
    assert LinearHead(2, 2).extra_training_rows(X) is None
    assert SOCHead(2, 2).extra_training_rows(X) is None
    head = SOCHead(2, 2, contrast_weight=0.3)
    rows = head.extra_training_rows(X)
    assert rows.shape == (3, 3)
    z_extra = rows[:, :2]
    loss = head.extra_training_loss(z_extra, z, target)
    expected = 0.3 * head.contrast_loss(z[:3], z_extra, target[:3])
    torch.testing.assert_close(loss, expected, rtol=0, atol=0)


def test_contrast_term_stays_bounded_when_contrast_rows_look_like_data():
    # Independent columns: contrast rows are draws of the data distribution
    # itself, so nothing tells them apart. The term must not push every
    # embedding away from the classes (it once made the loss grow without
    # bound on encoded tables); the classes stay learnable.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1200, 8))
    y = (X[:, 0] > 0).astype(int) + 2 * (X[:, 1] > 0)
    model = SOCClassifier(contrast_weight=0.3, max_epochs=30, random_state=0)
    model.fit(X[:900], y[:900])
    assert all(np.isfinite(row["train_loss"]) for row in model.history_)
    assert max(row["train_loss"] for row in model.history_) < 10
    assert model.score(X[900:], y[900:]) > 0.9


def test_add_classes_encodes_no_contrast_rows():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    model = SOCClassifier(
        module=CountingEncoder, contrast_weight=0.3, max_epochs=2, random_state=0
    ).fit(X[y < 8], y[y < 8])
    before = len(model.net_.module_.rows)
    model.add_classes(X[y >= 8], y[y >= 8])
    assert len(model.net_.module_.rows) == before


def test_contrast_rows_leave_batch_norm_statistics_alone():
    encoder = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    encoder.train()
    batch_norm = encoder[1]
    encoder(torch.randn(8, 3))
    mean, var = batch_norm.running_mean.clone(), batch_norm.running_var.clone()
    tracked = batch_norm.num_batches_tracked.clone()
    with _running_stats_kept(encoder):
        out = encoder(torch.randn(8, 3) * 5 + 3)
    # Normalised by the batch's own statistics, the running ones untouched.
    torch.testing.assert_close(out.mean(0), torch.zeros(4), atol=1e-5, rtol=0)
    assert torch.equal(batch_norm.running_mean, mean)
    assert torch.equal(batch_norm.running_var, var)
    assert torch.equal(batch_norm.num_batches_tracked, tracked)
    assert batch_norm.momentum == 0.1


def test_contrast_weight_is_validated():
    X, y = load_digits(return_X_y=True)
    for bad in (-0.1, "auto", None):
        with pytest.raises(ValueError, match="contrast_weight"):
            SOCClassifier(contrast_weight=bad).fit(X[:50], y[:50])


def test_contrast_term_makes_shuffled_rows_unfamiliar():
    # The user-visible promise: rows with features shuffled within the row
    # score lower than held-out digits, much more clearly with the term.
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, _ = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    rng = np.random.default_rng(0)
    shuffled = rng.permuted(X_test, axis=1)
    labels = np.r_[np.ones(len(X_test)), np.zeros(len(shuffled))]
    auroc = {}
    for weight in (0.0, 0.3):
        model = SOCClassifier(contrast_weight=weight, random_state=0)
        model.fit(X_train, y_train)
        scores = np.r_[model.score_samples(X_test), model.score_samples(shuffled)]
        auroc[weight] = roc_auc_score(labels, scores)
    assert auroc[0.3] >= 0.99
    assert auroc[0.3] > auroc[0.0]


def test_contrast_term_is_reproducible_and_leaves_torch_state_alone():
    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16, y[:200]
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    first = SOCClassifier(contrast_weight=0.3, max_epochs=5, random_state=0)
    first.fit(X, y)
    # The contrast rows are drawn inside the seeded fit, not from the
    # caller's stream.
    assert torch.equal(torch.rand(3), expected_next)
    second = SOCClassifier(contrast_weight=0.3, max_epochs=5, random_state=0)
    np.testing.assert_array_equal(
        first.predict_proba(X), second.fit(X, y).predict_proba(X)
    )
    other_seed = SOCClassifier(contrast_weight=0.3, max_epochs=5, random_state=1)
    assert not np.array_equal(
        first.predict_proba(X), other_seed.fit(X, y).predict_proba(X)
    )
