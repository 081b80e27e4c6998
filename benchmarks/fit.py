"""Fit time of sksoc estimators against skorch's NeuralNetClassifier.

Both train the same MLP (64 -> 128 -> 10) on the digits data for the same
number of epochs with the same optimiser and batch size; skorch uses a plain
linear output and cross-entropy. Each fit is repeated and the median is
reported, with the ratio to skorch measured in the same run.

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

from sksoc import SOCClassifier


class SkorchMLP(nn.Module):
    def __init__(self, n_features_in=64, hidden=128, n_classes=10):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features_in, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)
        )

    def forward(self, X):
        return self.layers(X)


def median_seconds(fit, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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

    def skorch_fit():
        NeuralNetClassifier(
            SkorchMLP,
            criterion=nn.CrossEntropyLoss,
            optimizer=torch.optim.Adam,
            train_split=None,
            verbose=0,
            **common,
        ).fit(X, y)

    def sksoc_fit(Estimator, **params):
        # n_iter_no_change > epochs: train exactly as many epochs as skorch.
        Estimator(
            hidden_layer_sizes=(128,),
            n_iter_no_change=args.epochs + 1,
            random_state=0,
            **params,
            **common,
        ).fit(X, y)

    candidates = {
        "SOCClassifier(embedding_dim=10)": lambda: sksoc_fit(
            SOCClassifier, embedding_dim=10
        ),
    }
    sksoc_fit(SOCClassifier, embedding_dim=10)  # warm up torch
    baseline = median_seconds(skorch_fit, args.repeats)
    print(
        f"digits, {len(X)} rows, {args.epochs} epochs, batch 64, "
        f"{args.threads} thread(s), median of {args.repeats}"
    )
    print(f"{'skorch NeuralNetClassifier (baseline)':40s} {baseline:7.3f} s   1.00x")
    for name, fit in candidates.items():
        seconds = median_seconds(fit, args.repeats)
        print(f"{name:40s} {seconds:7.3f} s   {seconds / baseline:.2f}x")


if __name__ == "__main__":
    main()
