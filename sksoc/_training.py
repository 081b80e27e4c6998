"""Training on skorch: the net, the batches it reads, its callbacks and seeding.

The encoder is skorch's ``module`` and the class head its ``criterion``, so
skorch trains the head's class parameters with the encoder's (it optimises
every learnable parameter of module and criterion), moves both to the device
and keeps the per-epoch history. Three of skorch's hooks are replaced:

- ``get_iterator``: batches are gathered with one fancy-indexing per batch
  rather than one ``__getitem__`` per row, and shuffled by a generator the
  net owns, so training never touches the caller's torch random state;
- ``get_loss``: the target travels with its sample weights;
- ``partial_fit``: skorch swallows ``KeyboardInterrupt`` (its own early
  stopping raises it); here callbacks stop training with a private
  exception and a user's interrupt propagates.
"""

import contextlib
import copy
import math

import numpy as np
import scipy.sparse as sp
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from .exceptions import TrainingDivergedError


class StopTraining(Exception):
    """Raised by a callback to end training before ``max_epochs``."""


class TrainingData(torch.utils.data.Dataset):
    """Rows of a dense or CSR matrix with class indices and sample weights.

    Parameters
    ----------
    X : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,), int
    sample_weight : ndarray of shape (n_samples,) or None
    """

    def __init__(self, X, y, sample_weight=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.batch(np.atleast_1d(index))

    def batch(self, index):
        """The rows at ``index`` as ``(X, (y, sample_weight))`` tensors."""
        target = torch.as_tensor(self.y[index], dtype=torch.int64)
        weight = None
        if self.sample_weight is not None:
            weight = torch.as_tensor(self.sample_weight[index], dtype=torch.float32)
        return rows_as_tensor(self.X, index), (target, weight)

    def subset(self, index):
        weight = None if self.sample_weight is None else self.sample_weight[index]
        return TrainingData(self.X[index], self.y[index], weight)


def rows_as_tensor(X, index):
    """A float32 tensor of the rows of ``X`` (dense or sparse) at ``index``."""
    rows = X[index]
    if sp.issparse(rows):
        rows = rows.toarray()
    # torch.tensor copies, so the caller's (possibly read-only) array is never
    # shared with torch.
    return torch.tensor(rows, dtype=torch.float32)


class Batches:
    """Iterate over :class:`TrainingData` in batches, shuffled by ``generator``."""

    def __init__(self, data, batch_size, generator=None):
        self.data = data
        self.batch_size = batch_size
        self.generator = generator

    def __len__(self):
        return math.ceil(len(self.data) / self.batch_size)

    def __iter__(self):
        n_samples = len(self.data)
        if self.generator is None:
            order = np.arange(n_samples)
        else:
            order = torch.randperm(n_samples, generator=self.generator).numpy()
        for start in range(0, n_samples, self.batch_size):
            yield self.data.batch(order[start : start + self.batch_size])


class TrainingNet(NeuralNet):
    """skorch net with an encoder as module and a class head as criterion.

    Parameters
    ----------
    shuffle_generator : torch.Generator
        Shuffles the training batches; it is part of the net's state, so
        successive ``partial_fit`` calls continue its stream.
    **kwargs
        Passed to :class:`skorch.NeuralNet`.
    """

    def __init__(self, *args, shuffle_generator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shuffle_generator = shuffle_generator

    def get_iterator(self, dataset, training=False):
        generator = self.shuffle_generator if training else None
        return Batches(dataset, self.batch_size, generator)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        target, weight = y_true
        target = target.to(self.device)
        if weight is not None:
            weight = weight.to(self.device)
        return self.criterion_(y_pred, target, weight)

    def partial_fit(self, X, y=None, classes=None, epochs=None, **fit_params):
        if not self.initialized_:
            self.initialize()
        self.notify("on_train_begin", X=X, y=y)
        with contextlib.suppress(StopTraining):
            self.fit_loop(X, y, epochs=epochs, **fit_params)
        self.notify("on_train_end", X=X, y=y)
        return self


class StopOnNonFiniteLoss(Callback):
    """Stop at the first batch whose loss is NaN or infinite.

    Parameters
    ----------
    hint : str
        The likely causes, appended to the error message.
    """

    def __init__(self, hint=""):
        self.hint = hint

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        if loss is not None and not torch.isfinite(loss).item():
            phase = "training" if training else "validation"
            raise TrainingDivergedError(
                f"The {phase} loss became {loss.item()} at epoch {len(net.history)}; "
                f"training stopped. {self.hint}"
            )


class Plateau:
    """Counts the epochs whose loss did not beat the best by more than ``tol``.

    Parameters
    ----------
    patience : int
        Epochs without such an improvement after which :attr:`exhausted`.
    tol : float
        Improvement needed to reset the count.
    """

    def __init__(self, patience, tol):
        self.patience = patience
        self.tol = tol
        self.best = math.inf
        self.stalled = 0

    def update(self, loss):
        """Record an epoch's loss; True when it is the best so far."""
        self.stalled = 0 if loss < self.best - self.tol else self.stalled + 1
        if loss < self.best:
            self.best = loss
            return True
        return False

    @property
    def exhausted(self):
        return self.stalled >= self.patience


class StopWhenNoImprovement(Callback):
    """Stop when a monitored loss has not improved by ``tol`` for ``patience`` epochs.

    Parameters
    ----------
    monitor : str
        History key of the loss, such as ``"train_loss"`` or ``"valid_loss"``;
        epochs without it are ignored.
    patience : int
        Epochs without improvement before stopping.
    tol : float
        Improvement needed to reset the count.
    restore_best : bool
        At the end of training, restore the encoder and head of the best epoch.
    """

    def __init__(self, monitor, patience, tol, restore_best=False):
        self.monitor = monitor
        self.patience = patience
        self.tol = tol
        self.restore_best = restore_best

    def on_train_begin(self, net, **kwargs):
        self.plateau_ = Plateau(self.patience, self.tol)
        self.best_epoch_ = None
        self.best_state_ = None

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get(self.monitor)
        if loss is None:
            return
        if self.plateau_.update(loss):
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.restore_best:
                self.best_state_ = _module_states(net)
        if self.plateau_.exhausted:
            if net.verbose:
                print(
                    f"Stopping: {self.monitor} did not improve by more than "
                    f"tol={self.tol} for {self.patience} epochs."
                )
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None:
            module_state, criterion_state = self.best_state_
            net.module_.load_state_dict(module_state)
            net.criterion_.load_state_dict(criterion_state)
            if net.verbose:
                print(f"Restored the encoder and head of epoch {self.best_epoch_}.")
        self.best_state_ = None


def _module_states(net):
    return (
        copy.deepcopy(net.module_.state_dict()),
        copy.deepcopy(net.criterion_.state_dict()),
    )


@contextlib.contextmanager
def seeded_torch(seed, device):
    """Seed torch's generators for ``device`` inside, restore them after.

    Only the CPU generator, and the generator of ``device`` when it is a CUDA
    device, are touched; the caller's random state is the same afterwards.
    """
    device = torch.device(device)
    cuda_devices = []
    if device.type == "cuda":
        index = (
            device.index if device.index is not None else torch.cuda.current_device()
        )
        cuda_devices = [index]
    with torch.random.fork_rng(devices=cuda_devices):
        torch.random.default_generator.manual_seed(seed)
        for index in cuda_devices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield
