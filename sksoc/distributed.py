"""Data-parallel training on torch.distributed: one ``fit``, one rank per process.

Inside :func:`data_parallel`, ``fit`` of any sksoc estimator runs as one rank
of an initialised :mod:`torch.distributed` process group (as ``torchrun``
starts one): each rank passes its own shard of the rows, and every rank ends
with the same model, the model one process trains on the shards concatenated
in rank order. How, in the order ``fit`` does it:

- **Agreement first.** Each rank validates its shard; then one collective
  gathers from every rank its row count, feature count and names, labels,
  sample weights, estimator parameters and any validation error. A problem on
  any rank (an empty shard, an error, a disagreement) raises the same error
  on every rank, so that none is left waiting for the others.
- **Labels and weights are global.** Every rank holds the labels and weights
  of all rows (16 bytes a row) and computes from them what one process
  would: ``classes_``, the label encoding, ``class_weight="balanced"``, the
  "auto" batch size and early stopping, the validation split. Features stay
  in their shards.
- **Identical start.** Weights are initialised from ``random_state``, then
  rank 0's weights and seed are broadcast (a ``random_state=None`` or a
  pretrained ``module`` instance could differ between ranks).
- **The same global batches.** The shuffled order is drawn over all rows,
  as one process draws it; each rank trains on its own rows of each global
  batch (a rank may have none in a batch, and still takes part). Gradients
  of the encoder and of the head are summed across ranks weighted by each
  rank's rows in the batch, which gives the gradient of the global batch's
  loss (a weighted mean over the global batch, as one process computes it).
- **The same decisions.** Epoch losses, validation losses and accuracies
  are summed across ranks, so early stopping stops every rank at the same
  epoch; the calibration is fitted on the held-out logits gathered from every
  rank, and rank 0's result is broadcast.

Layers that compute batch statistics (``MLPEncoder(batch_norm=True)``) see
their own rank's rows of a batch, and their running statistics are rank 0's
(as with torch's DistributedDataParallel); dropout draws its masks on each
rank. With either, the model differs from one process's.
"""

import contextlib
import datetime
import re

import numpy as np
import torch
import torch.distributed as dist

from ._batches import Batches, TensorData, inference_batch_size
from ._engine import fits_as
from ._fitting import fit_on_arrays, restore_on_failure
from ._input import training_input
from ._weights import scaled_to_mean_one, validated_weights

__all__ = ["data_parallel"]

# Parameters that may differ between ranks: where each rank trains and what
# it prints.
_PER_RANK_PARAMS = ("device", "verbose", "callbacks")


@contextlib.contextmanager
def data_parallel(*, group=None, timeout=None):
    """Make ``fit`` in the block train as one rank of a torch.distributed group.

    Every rank of the group enters the block and calls ``fit`` of the same
    estimator (same parameters) on its own shard of the rows; every rank
    returns the same fitted model, the one a single process trains on the
    shards concatenated in rank order, up to float32 rounding. Save it from
    one rank (``if rank == 0: save_model(model, path)``); it loads and
    predicts anywhere, with no process group. See the user guide's
    :ref:`scaling_out` page.

    Parameters
    ----------
    group : torch.distributed.ProcessGroup, default=None
        The ranks that train together; the default group when None.
    timeout : float or datetime.timedelta, default=None
        With the gloo backend, seconds that the ranks wait for each other at
        the start of ``fit`` (``torch.distributed.monitored_barrier``): a rank
        that does not call ``fit`` in time is named in an error. Every other
        wait is bounded by the process group's own timeout (the ``timeout``
        of ``init_process_group``), and so is this one when None.

    Yields
    ------
    None

    Raises
    ------
    RuntimeError
        If no process group is initialised.

    Notes
    -----
    Only ``fit`` trains data-parallel; ``partial_fit`` inside the block is
    an error. Each shard needs at least one row. Anything fitted inside the
    block before the estimator (a ``StandardScaler`` in a ``Pipeline``) sees
    its own rank's rows only: scale with statistics of all rows instead.
    Errors found on any rank before training (an empty shard, invalid input,
    ranks with different numbers of features, label types or estimator
    parameters) are raised on every rank, as is a failure in a training step.

    Examples
    --------
    Run with ``torchrun --nproc-per-node 2 script.py``::

        import torch.distributed as dist
        from sksoc import SOCClassifier, save_model
        from sksoc.distributed import data_parallel

        dist.init_process_group("gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        shard = slice(rank * len(X) // world, (rank + 1) * len(X) // world)
        with data_parallel():
            model = SOCClassifier(random_state=0).fit(X[shard], y[shard])
        if rank == 0:
            save_model(model, "model.safetensors")
    """
    with fits_as(_Rank(group, timeout)):
        yield


def _check_initialised():
    if not (dist.is_available() and dist.is_initialized()):
        raise RuntimeError(
            "sksoc.distributed.data_parallel needs an initialised "
            "torch.distributed process group; none is. Call "
            "torch.distributed.init_process_group() first (torchrun sets the "
            "environment it reads), on every rank."
        )


class _Rank:
    """One process's part in a data-parallel ``fit``; the engine's hooks call it."""

    def __init__(self, group, timeout):
        _check_initialised()
        if timeout is not None and not isinstance(timeout, datetime.timedelta):
            timeout = datetime.timedelta(seconds=timeout)
        self.group = group
        self.timeout = timeout
        self.rank = dist.get_rank(group)
        self.world_size = dist.get_world_size(group)
        self.src = dist.get_global_rank(group, 0) if group is not None else 0
        self.own_rows = (0, 0)

    # -- fit ---------------------------------------------------------------------

    def fit(self, estimator, X, y, sample_weight):
        """``estimator.fit`` as this rank: validate, agree, then the one fit path."""
        _check_initialised()
        self._wait_for_every_rank()
        with restore_on_failure(estimator):
            local = {}

            def validate():
                return _validated_shard(estimator, X, y, sample_weight, local)

            shards = self.agree(validate, check=self._check_shards)
            # Every rank encodes its rows as rank 0 learned to (a shard's own
            # levels and quartiles would give the ranks different inputs).
            self.agree(
                lambda: _encode_with(
                    estimator, shards[0]["preprocessor"], local, self.rank == 0
                )
            )
            n_rows = [shard["n_rows"] for shard in shards]
            start = sum(n_rows[: self.rank])
            self.own_rows = (start, start + n_rows[self.rank])
            # From here to training, every rank computes the same from the same
            # global labels and weights: an error is raised on every rank alike.
            y = _global_labels(shards)
            sample_weight = _global_weights(shards)
            fit_on_arrays(estimator, local["X"], y, sample_weight, rank=self)
        return estimator

    def _wait_for_every_rank(self):
        if self.timeout is None or dist.get_backend(self.group) != "gloo":
            return
        try:
            dist.monitored_barrier(
                self.group, timeout=self.timeout, wait_all_ranks=True
            )
        except RuntimeError as exc:
            raise RuntimeError(
                f"Not every rank of the process group started fit within "
                f"{self.timeout.total_seconds():g} s (data_parallel's timeout): "
                f"{exc}"
            ) from exc

    def agree(self, compute, check=None):
        """``compute()`` of every rank; an error of any rank raised on all."""
        error = None
        try:
            value = compute()
        except Exception as exc:
            value, error = None, exc
        described = None if error is None else _describe(error)
        gathered = [None] * self.world_size
        dist.all_gather_object(gathered, (value, described), group=self.group)
        values = [value for value, _ in gathered]
        errors = [described for _, described in gathered]
        if check is not None:
            check(values, errors)
        for rank, described in enumerate(errors):
            if described is not None:
                kind, name, message = described
                raise kind(
                    f"rank {rank} of {self.world_size}: {name}: {message}"
                ) from (error if rank == self.rank else None)
        return values

    def _check_shards(self, shards, errors):
        """Errors about the shards together, raised alike on every rank."""
        world = self.world_size
        # A rank that failed has no shard to show.
        n_rows = [None if shard is None else shard["n_rows"] for shard in shards]
        empty = [rank for rank, n in enumerate(n_rows) if n == 0]
        if empty:
            total = sum(n or 0 for n in n_rows)
            raise ValueError(
                f"rank(s) {empty} of {world} have no rows: the world size ({world}) "
                f"is larger than the data ({total} rows), or the shards are uneven. "
                "Every rank needs at least one row."
            )
        if any(described is not None for described in errors):
            return
        for key, what in (
            ("params", "estimator parameters"),
            ("n_features", "numbers of features"),
            ("feature_names", "feature names"),
            ("label_kind", "types of labels"),
        ):
            values = [shard[key] for shard in shards]
            if key == "params":
                names = sorted(
                    {
                        name
                        for value in values
                        for name in value
                        if value.get(name) != values[0].get(name)
                    }
                )
                values = [{name: value.get(name) for name in names} for value in values]
            if any(value != values[0] for value in values):
                per_rank = "; ".join(
                    f"rank {rank}: {value}" for rank, value in enumerate(values)
                )
                raise ValueError(
                    f"The ranks disagree on their {what} ({per_rank}); every rank "
                    "must fit the same estimator on rows of the same features "
                    "and labels."
                )

    def start_from_rank_0(self, net, seed):
        """Rank 0's initial weights on every rank; rank 0's ``seed``, returned.

        The engine's shuffling starts from that seed too.
        """
        seed = self.from_rank_0([seed])[0]
        net.shuffle_generator.manual_seed(seed)
        for module in (net.module_, net.criterion_):
            for tensor in module.state_dict().values():
                dist.broadcast(tensor, src=self.src, group=self.group)
        return seed

    def from_rank_0(self, values):
        """Rank 0's list of picklable ``values``, on every rank."""
        values = list(values)
        dist.broadcast_object_list(values, src=self.src, group=self.group)
        return values

    # -- the engine's hooks ---------------------------------------------------------

    def shard(self, X, y, sample_weight, device):
        """This rank's rows ``X`` of the global labels and weights, as a dataset."""
        start, stop = self.own_rows
        weight = None if sample_weight is None else sample_weight[start:stop]
        local = TensorData(X, y[start:stop], weight, device)
        return _Shard(local, np.arange(len(y)), self.own_rows, sample_weight)

    def batches(self, dataset, training, net):
        """The engine's iterator: global batches, or this rank's validation rows."""
        if training:
            # The same shuffled global batches as one process; this rank's rows.
            return Batches(dataset, net.batch_size, net.shuffle_generator)
        return _LocalBatches(dataset, inference_batch_size(net.criterion_.n_classes))

    def step(self, net, Xi, yi, **fit_params):
        """Forward and backward on this rank's rows; gradients averaged over ranks.

        Each rank's gradient is weighted by its rows in the global batch, so
        that the result is the gradient of the global batch's mean loss. A
        failure on any rank is raised on every rank.
        """
        n_rows = len(yi[0])
        y_pred, loss, error = None, torch.zeros((), device=net.device), None
        if n_rows:
            try:
                y_pred, loss = net.forward_backward(Xi, yi, **fit_params)
            except Exception as exc:
                error = exc
        parameters = [p for _, p in net.get_all_learnable_params()]
        failed = torch.zeros(self.world_size, device=net.device)
        failed[self.rank] = error is not None
        flat = [_dense_grad(p).reshape(-1) * n_rows for p in parameters]
        has_grad = [float(p.grad is not None) for p in parameters]
        counts = torch.tensor([n_rows, *has_grad], device=net.device)
        buffer = torch.cat([*flat, counts, failed])
        dist.all_reduce(buffer, group=self.group)
        n_grads = sum(f.numel() for f in flat)
        # The counts in one read from the device.
        total_rows, *counts = buffer[n_grads:].tolist()
        has_grad, failed = counts[: len(parameters)], counts[len(parameters) :]
        failed_ranks = [rank for rank, count in enumerate(failed) if count]
        if failed_ranks:
            if error is not None:
                raise error
            raise RuntimeError(
                f"rank(s) {failed_ranks} of {self.world_size} failed in a training "
                "step (their own errors say why); every rank stops."
            )
        offset = 0
        for p, present in zip(parameters, has_grad, strict=True):
            size = p.numel()
            gradient = buffer[offset : offset + size] / total_rows
            p.grad = gradient.view_as(p) if present else None
            offset += size
        return y_pred, loss

    def epoch_sums(self, net, training, *sums):
        """The epoch's sums over every rank's rows."""
        summed = torch.stack(sums)
        dist.all_reduce(summed, group=self.group)
        if training:
            # Batch-norm statistics and other buffers of the encoder: rank 0's.
            for buffer in net.module_.buffers():
                dist.broadcast(buffer, src=self.src, group=self.group)
        return tuple(summed)

    def gather_rows(self, rows, compute):
        """``compute(local rows)`` for this rank's part of the global ``rows``.

        ``rows`` is sorted; the results of every rank are concatenated in rank
        order, which is the order of ``rows``.
        """
        start, stop = self.own_rows
        local = rows[(rows >= start) & (rows < stop)] - start
        parts = self.agree(lambda: compute(local))
        return np.concatenate(parts)


class _Shard(torch.utils.data.Dataset):
    """This rank's rows of a data set that every rank holds a part of.

    Its length and positions are global: position ``p`` is global row
    ``index[p]``; :meth:`rows` returns this rank's rows among the positions
    asked for, in their order (possibly none).

    Parameters
    ----------
    local : TensorData
        This rank's rows, global rows ``start`` to ``stop``.
    index : ndarray of int
        The global row of each position.
    rows : tuple of int
        ``(start, stop)``.
    sample_weight : ndarray or None
        The global sample weights.
    """

    def __init__(self, local, index, rows, sample_weight):
        self.local = local
        self.device = local.device
        self.index = index
        self.bounds = rows
        self.sample_weight = sample_weight
        start, stop = rows
        mine = (index >= start) & (index < stop)
        lookup = np.full(len(index), -1, dtype=np.int64)
        lookup[mine] = index[mine] - start
        self.lookup = torch.as_tensor(lookup, device=self.device)

    def __len__(self):
        return len(self.index)

    def __getitem__(self, index):
        return self.rows(torch.as_tensor(np.atleast_1d(index)))

    def rows(self, index):
        local = self.lookup[index]
        return self.local.rows(local[local >= 0])

    def local_rows(self):
        """This rank's positions' local rows, in position order."""
        return self.lookup[self.lookup >= 0]

    def weight_sum(self):
        if self.sample_weight is None:
            return len(self)
        return float(self.sample_weight[self.index].sum())

    def subset(self, index):
        return _Shard(self.local, self.index[index], self.bounds, self.sample_weight)


class _LocalBatches:
    """Batches of a shard's own rows, in order: validation needs no global order."""

    def __init__(self, data, batch_size):
        self.data = data
        self.batch_size = batch_size

    def __iter__(self):
        rows = self.data.local_rows()
        for start in range(0, len(rows), self.batch_size):
            yield self.data.local.rows(rows[start : start + self.batch_size])

    def __len__(self):
        return -(-len(self.data.local_rows()) // self.batch_size)


def _validated_shard(estimator, X, y, sample_weight, local):
    """This rank's shard, validated into ``local``; what the other ranks check."""
    # Counted before validation, which refuses an empty X less clearly.
    n_rows = len(y)
    if n_rows == 0:
        return {"n_rows": 0}
    local["X"], local["y"] = X, y
    X, y = training_input(estimator, X, y, reset=True)
    # Rank 0's rows as its preprocessor encoded them while learning from them
    # (target encodings cross-fitted), which its transform would not repeat.
    local["encoded"] = X
    if sample_weight is not None:
        sample_weight = validated_weights(sample_weight, X)
    return {
        "n_rows": n_rows,
        "n_features": estimator.n_features_in_,
        "preprocessor": estimator.preprocessor_,
        "feature_names": _names(getattr(estimator, "feature_names_in_", None)),
        "label_kind": "numbers" if y.dtype.kind in "biuf" else "strings or objects",
        "params": _fingerprint(estimator),
        "y": y,
        "sample_weight": sample_weight,
    }


def _encode_with(estimator, preprocessor, local, learned_here):
    """Encode this rank's X (``local["X"]``, in place) by ``preprocessor``.

    ``learned_here``: this rank fitted ``preprocessor`` on its X, which is
    then already encoded (``local["encoded"]``).
    """
    estimator.preprocessor_ = preprocessor
    if learned_here and "encoded" in local:
        local["X"] = local["encoded"]
        return
    local["X"], _ = training_input(estimator, local["X"], local["y"], reset=False)


def _names(feature_names):
    return None if feature_names is None else list(feature_names)


def _fingerprint(estimator):
    """The estimator's parameters as text that is equal on ranks given equal ones."""
    params = estimator.get_params(deep=False)
    return {"estimator": type(estimator).__qualname__} | {
        name: re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))
        for name, value in sorted(params.items())
        if name not in _PER_RANK_PARAMS
    }


def _global_labels(shards):
    labels = [shard["y"] for shard in shards]
    try:
        return np.concatenate(labels)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The ranks' labels cannot be put together: {exc}") from exc


def _global_weights(shards):
    """Every row's sample weight scaled to mean one, or None without any."""
    weights = [shard["sample_weight"] for shard in shards]
    if all(weight is None for weight in weights):
        return None
    return scaled_to_mean_one(
        np.concatenate(
            [
                np.ones(shard["n_rows"]) if weight is None else weight
                for shard, weight in zip(shards, weights, strict=True)
            ]
        )
    )


def _dense_grad(parameter):
    grad = parameter.grad
    if grad is None:
        return torch.zeros_like(parameter)
    return grad.to_dense() if grad.is_sparse else grad


def _describe(error):
    """``(exception type to raise, name, message)`` of a rank's error."""
    for kind in (ValueError, TypeError):
        if isinstance(error, kind):
            return kind, type(error).__name__, str(error)
    return RuntimeError, type(error).__name__, str(error)
