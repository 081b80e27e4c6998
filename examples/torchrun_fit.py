"""Train one SOCClassifier data-parallel, one process per rank.

Run it with torchrun, which starts the processes and sets the environment
that ``init_process_group`` reads::

    torchrun --standalone --nproc-per-node 2 examples/torchrun_fit.py model.safetensors

Each rank fits on its own shard of the rows (here: a contiguous block of
digits; in practice, the rows each rank reads from its own files), and rank 0
saves the model, which loads and predicts anywhere with ``load_model``. With
``--backend nccl`` each rank trains on its own GPU (``cuda:<LOCAL_RANK>``).
The test suite runs this script on two processes (``tests/test_distributed.py``)
and checks that the saved model equals one process's fit on all rows. For
that the model turns SOC's contrast term off: with it (the default), each
rank draws its contrast rows from its own part of a batch, and the model is
a sound data-parallel one but not, bit for bit, one process's.
"""

import argparse
import os
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sksoc import SOCClassifier, save_model
from sksoc.distributed import data_parallel


def load_data():
    """Digits, standardised with the statistics of all rows, as float32."""
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


def make_model(device="cpu"):
    """The estimator every rank fits (the same parameters on every rank)."""
    return SOCClassifier(
        embedding_dim=8,
        contrast_weight=0.0,
        batch_size=128,
        max_epochs=4,
        random_state=0,
        device=device,
    )


def shard(n_rows, rank, world_size):
    """Rank ``rank``'s rows: the ``rank``-th of ``world_size`` contiguous blocks."""
    return slice(rank * n_rows // world_size, (rank + 1) * n_rows // world_size)


def train(path, device="cpu"):
    """Fit on this rank's shard inside the process group; rank 0 saves to ``path``."""
    rank, world_size = dist.get_rank(), dist.get_world_size()
    X, y = load_data()
    rows = shard(len(X), rank, world_size)
    with data_parallel(timeout=60):
        model = make_model(device).fit(X[rows], y[rows])
    if rank == 0:
        save_model(model, path)
        print(f"{world_size} ranks trained {model.n_iter_} epochs; saved {path}")
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="where rank 0 saves the model")
    parser.add_argument("--backend", choices=("gloo", "nccl"), default="gloo")
    args = parser.parse_args()

    device = "cpu"
    if args.backend == "nccl":
        device = f"cuda:{os.environ.get('LOCAL_RANK', '0')}"
        torch.cuda.set_device(device)  # object collectives use the current GPU
    dist.init_process_group(args.backend, timeout=timedelta(seconds=60))
    try:
        train(args.path, device)
        # Rank 0 hosts the rendezvous: no rank leaves before all are done.
        dist.barrier()
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
