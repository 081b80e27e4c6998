"""One rank of the data-parallel test session (tests/test_distributed.py).

Run as ``python tests/distributed_worker.py RANK WORLD_SIZE INIT_FILE OUT_DIR``
on every rank: it joins a gloo process group through ``file://INIT_FILE``,
runs every case of :data:`CASES` in order, and pickles what each returned or
raised to ``OUT_DIR/rank<RANK>.pkl``. The bad-input cases come first, so the
successful fits after them also show that the group survives an agreed error.
The parent test computes the one-process fits from the same functions.
"""

import importlib.util
import os
import pickle
import sys
import time
from datetime import timedelta

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
import torch.distributed as dist
from torch import nn

from sksoc import MarginClassifier, SOCClassifier, save_model
from sksoc.distributed import data_parallel

EXAMPLE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "examples",
    "torchrun_fit.py",
)
N_ROWS = 240
# Rank 0 holds 150 rows, rank 1 the other 90: uneven shards.
SPLIT = 150


def dataset():
    """Three string classes in 5 features; class "c" only in rank 1's rows."""
    rng = np.random.default_rng(0)
    y = np.array(["a", "b"] * (N_ROWS // 2), dtype=object)
    y[SPLIT:][::3] = "c"
    centres = {"a": 0.0, "b": 1.5, "c": -1.5}
    X = (
        rng.normal(size=(N_ROWS, 5))
        + np.array([centres[label] for label in y])[:, None]
    )
    # Rank 1's weights are larger: a mean of local means would be wrong.
    sample_weight = np.where(np.arange(N_ROWS) < SPLIT, 1.0, 3.0)
    sample_weight[::7] = 0.5
    return X.astype(np.float32), y, sample_weight


def models():
    """The estimators each rank fits, by name."""
    common = {"batch_size": 32, "max_epochs": 5, "random_state": 0}
    # contrast_weight=0 where the fit must be one process's, bit for bit:
    # the contrast term draws each rank's rows from its own part of a batch.
    return {
        # Early stopping and a temperature on its validation split.
        "soc": SOCClassifier(
            embedding_dim=4,
            contrast_weight=0.0,
            early_stopping=True,
            class_weight="balanced",
            **common,
        ),
        # No early stopping: a calibration split of its own, a distance power.
        "margin": MarginClassifier(embedding_dim=4, early_stopping=False, **common),
        # A CSR matrix in each shard (see features()).
        "sparse": SOCClassifier(embedding_dim=4, contrast_weight=0.0, **common),
        # The contrast term: each rank draws its rows from its own part of
        # a batch, so this is not the one-process fit.
        "contrast": SOCClassifier(embedding_dim=8, contrast_weight=0.3, **common),
    }


def features(name, X):
    """The X that model ``name`` is given: a CSR matrix for "sparse"."""
    return sp.csr_matrix(X) if name == "sparse" else X


def example():
    """The module examples/torchrun_fit.py, imported from its file."""
    spec = importlib.util.spec_from_file_location("torchrun_fit", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shard(rank, *arrays):
    rows = slice(0, SPLIT) if rank == 0 else slice(SPLIT, None)
    return [array[rows] for array in arrays]


class FailsOnRank1(nn.Module):
    """An encoder whose forward pass raises on rank 1 only."""

    def __init__(self, n_features_in, embedding_dim):
        super().__init__()
        self.linear = nn.Linear(n_features_in, embedding_dim)

    def forward(self, X):
        if self.training and dist.get_rank() == 1:
            raise ValueError("this encoder fails on rank 1")
        return self.linear(X)


def bad_inputs(rank):
    """``{case: (X, y, estimator)}``, each wrong on rank 1 (or on both)."""
    X, y, _ = dataset()
    X, y = shard(rank, X, y)
    on_1 = rank == 1
    model = SOCClassifier(max_epochs=2, random_state=0)
    return {
        "empty_shard": (X[:0] if on_1 else X, y[:0] if on_1 else y, model),
        "feature_counts": (X[:, :4] if on_1 else X, y, model),
        "label_types": (X, np.arange(len(y)) % 2 if on_1 else y, model),
        "feature_names": (
            pd.DataFrame(X, columns=[f"{'g' if on_1 else 'f'}{i}" for i in range(5)]),
            y,
            model,
        ),
        "nan_on_rank_1": (np.where(on_1, np.nan, X), y, model),
        "parameters": (X, y, SOCClassifier(max_epochs=2, lr=0.1 if on_1 else 0.01)),
        "training_step": (
            X,
            y,
            SOCClassifier(module=FailsOnRank1, max_epochs=2, random_state=0),
        ),
        "diverges": (X * 1e4, y, SOCClassifier(lr=1e6, max_epochs=5, random_state=0)),
    }


def run(rank, world_size, init_file, out_dir):
    url = f"file://{init_file}?rank={rank}&world_size={world_size}"
    dist.init_process_group("gloo", init_method=url, timeout=timedelta(seconds=30))
    results = {}
    for case, (X, y, model) in bad_inputs(rank).items():
        try:
            with data_parallel():
                model.fit(X, y)
            results[case] = None
        except Exception as exc:
            results[case] = (type(exc).__name__, str(exc))
    X, y, sample_weight = dataset()
    X, y, sample_weight = shard(rank, X, y, sample_weight)
    try:
        with data_parallel():
            SOCClassifier().partial_fit(X, y, classes=["a", "b", "c"])
    except ValueError as exc:
        results["partial_fit"] = str(exc)
    for name, model in models().items():
        with data_parallel():
            results[name] = model.fit(features(name, X), y, sample_weight=sample_weight)
    with data_parallel():
        # random_state=None: every rank starts from rank 0's weights and seed.
        results["unseeded"] = SOCClassifier(max_epochs=2).fit(X, y)
    if rank == 0:
        save_model(results["soc"], os.path.join(out_dir, "soc.safetensors"))
    # The user guide's script, in this group rather than torchrun's.
    example().train(os.path.join(out_dir, "example.safetensors"))
    # Last: rank 1 never calls fit, and rank 0 must name it without waiting
    # for it to leave. Rank 1 stays alive, in no collective, until rank 0 has
    # raised (or returned) and says so in a file: were rank 0's error only
    # rank 1's exit, rank 1 would never see the file and the launch would
    # time out.
    gave_up = os.path.join(out_dir, "rank0_gave_up")
    if rank == 0:
        results["missing_rank"] = None
        try:
            with data_parallel(timeout=0.5):
                SOCClassifier().fit(X, y)
        except RuntimeError as exc:
            results["missing_rank"] = str(exc)
        finally:
            open(gave_up, "w").close()
    else:
        while not os.path.exists(gave_up):
            time.sleep(0.05)
        results["alive_when_rank_0_gave_up"] = True
    with open(os.path.join(out_dir, f"rank{rank}.pkl"), "wb") as file:
        pickle.dump(results, file)
    # After the missing-rank case the group is not usable: exit without a
    # collective goodbye.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    torch.set_num_threads(1)
    rank, world_size = int(sys.argv[1]), int(sys.argv[2])
    run(rank, world_size, sys.argv[3], sys.argv[4])
