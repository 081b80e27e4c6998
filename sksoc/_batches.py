"""Training rows as tensors, and the batches the engine draws from them.

A :class:`TensorData` holds a fit's rows once, on the training device; a
:class:`Batches` iterates over them in fixed-size batches, shuffled by a
generator the engine owns when training. Prediction and validation batches
are sized by :func:`inference_batch_size`.
"""

import math

import numpy as np
import scipy.sparse as sp
import torch

# Prediction and validation work in batches whose logits stay under about 64 MB.
_MAX_INFERENCE_ELEMENTS = 2**24
_MAX_INFERENCE_BATCH = 4096


class TensorData(torch.utils.data.Dataset):
    """Training rows as tensors: features, class indices and sample weights.

    Dense features become one float32 tensor on the training device, once;
    a CSR matrix stays sparse and each batch is densified on its own.

    Parameters
    ----------
    X : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), int
    sample_weight : ndarray of shape (n_samples,) or None
    device : str or torch.device, default="cpu"
    """

    def __init__(self, X, y, sample_weight=None, device="cpu"):
        self.device = torch.device(device)
        self.X = X if sp.issparse(X) else as_float32_tensor(X, self.device)
        self.y = torch.as_tensor(y, dtype=torch.int64, device=self.device)
        self.sample_weight = (
            None
            if sample_weight is None
            else torch.as_tensor(sample_weight, dtype=torch.float32, device=self.device)
        )

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.rows(torch.as_tensor(np.atleast_1d(index)))

    def rows(self, index):
        """The rows at ``index`` (a slice or an int64 tensor) as ``(X, (y, w))``."""
        if sp.issparse(self.X):
            positions = index if isinstance(index, slice) else index.cpu().numpy()
            X = as_float32_tensor(self.X[positions].toarray(), self.device)
        else:
            X = self.X[index]
        weight = None if self.sample_weight is None else self.sample_weight[index]
        return X, (self.y[index], weight)

    def weight_sum(self):
        """The sum of the sample weights (the number of rows without weights)."""
        if self.sample_weight is None:
            return len(self)
        return float(self.sample_weight.sum())

    def subset(self, index):
        """A :class:`TensorData` of the rows at ``index`` (an ndarray of ints)."""
        subset = TensorData.__new__(TensorData)
        subset.device = self.device
        subset.X = self.X[index]
        rows = torch.as_tensor(index, device=self.device)
        subset.y = self.y[rows]
        subset.sample_weight = (
            None if self.sample_weight is None else self.sample_weight[rows]
        )
        return subset


def as_float32_tensor(X, device="cpu"):
    """Dense ``X`` as a float32 tensor on ``device``, never sharing a writeable view.

    A float32, C-contiguous, writeable array is used in place (torch only
    reads it); anything else is converted, a copy.
    """
    X = np.asarray(X)
    if X.dtype != np.float32 or not X.flags.c_contiguous or not X.flags.writeable:
        X = np.ascontiguousarray(X, dtype=np.float32)
        if not X.flags.writeable:
            X = X.copy()
    return torch.from_numpy(X).to(device)


class Batches:
    """Batches of a :class:`TensorData`, shuffled by ``generator`` when given."""

    def __init__(self, data, batch_size, generator=None):
        self.data = data
        self.batch_size = batch_size
        self.generator = generator

    def __len__(self):
        return math.ceil(len(self.data) / self.batch_size)

    def __iter__(self):
        n_samples, size = len(self.data), self.batch_size
        if self.generator is None:
            for start in range(0, n_samples, size):
                yield self.data.rows(slice(start, start + size))
            return
        order = torch.randperm(n_samples, generator=self.generator)
        order = order.to(self.data.device)
        for start in range(0, n_samples, size):
            yield self.data.rows(order[start : start + size])


def inference_batch_size(n_classes):
    """Rows per prediction batch: logits of at most about 64 MB."""
    return max(1, min(_MAX_INFERENCE_BATCH, _MAX_INFERENCE_ELEMENTS // n_classes))
