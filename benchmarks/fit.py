"""Fit time and prediction latency of sksoc against skorch's NeuralNetClassifier.

skorch trains an MLP 64 -> 128 -> 16 -> 10 (a hidden layer, a 16-wide layer
and a linear output) with cross-entropy; ``SoftmaxClassifier`` trains the same
network (its default encoder with ``embedding_dim=16`` and its linear head)
with the same optimiser, learning rate, batch size and number of epochs, on
the digits data. SOCClassifier is timed too, for reference (another head).
Fits are repeated round-robin and the median is reported, with the ratio to
skorch measured in the same run; then the latency of ``predict_proba`` on a
single row.

    python benchmarks/fit.py [--epochs 50] [--repeats 5] [--threads 1]
"""

import argparse
import statistics
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier
from torch import nn

from sksoc import SOCClassifier, SoftmaxClassifier


class SkorchMLP(nn.Module):
    """The network SoftmaxClassifier builds: MLP encoder, then a linear layer."""

    def __init__(self, n_features_in=64, hidden=128, embedding=16, n_classes=10):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features_in, hidden),
            nn.ReLU(),
            nn.Linear(hidden, embedding),
            nn.Linear(embedding, n_classes),
        )

    def forward(self, X):
        return self.layers(X)


def seconds_per_call(calls, repeats):
    """Median seconds of each callable, timed round-robin ``repeats`` times."""
    times = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    common = {"max_epochs": args.epochs, "batch_size": 64, "lr": 1e-3}

    def skorch_net():
        return NeuralNetClassifier(
            SkorchMLP,
            criterion=nn.CrossEntropyLoss,
            optimizer=torch.optim.Adam,
            train_split=None,
            verbose=0,
            **common,
        )

    def sksoc_model(Estimator, **params):
        # n_iter_no_change > epochs: train exactly as many epochs as skorch.
        return Estimator(
            hidden_layer_sizes=(128,),
            n_iter_no_change=args.epochs + 1,
            random_state=0,
            **params,
            **common,
        )

    fits = {
        "skorch NeuralNetClassifier (baseline)": lambda: skorch_net().fit(X, y),
        "SoftmaxClassifier(embedding_dim=16)": lambda: sksoc_model(
            SoftmaxClassifier, embedding_dim=16
        ).fit(X, y),
        "SOCClassifier(embedding_dim=10)": lambda: sksoc_model(
            SOCClassifier, embedding_dim=10
        ).fit(X, y),
    }
    for fit in fits.values():  # warm up torch and both code paths
        fit()
    seconds = seconds_per_call(fits, args.repeats)
    baseline = seconds["skorch NeuralNetClassifier (baseline)"]
    print(
        f"fit: digits, {len(X)} rows, {args.epochs} epochs, batch 64, "
        f"{args.threads} thread(s), median of {args.repeats}"
    )
    for name, value in seconds.items():
        print(f"  {name:40s} {value:7.3f} s   {value / baseline:.2f}x")

    net = skorch_net().fit(X, y)
    model = sksoc_model(SoftmaxClassifier, embedding_dim=16).fit(X, y)
    row = X[:1]
    calls = 2000
    latency = seconds_per_call(
        {
            "skorch predict_proba (baseline)": lambda: net.predict_proba(row),
            "SoftmaxClassifier predict_proba": lambda: model.predict_proba(row),
        },
        calls,
    )
    baseline = latency["skorch predict_proba (baseline)"]
    print(f"predict_proba of one row, median of {calls} calls")
    for name, value in latency.items():
        print(f"  {name:40s} {value * 1e6:7.1f} us  {value / baseline:.2f}x")


if __name__ == "__main__":
    main()
