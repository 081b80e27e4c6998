"""FixedRandomClassifier's scale S, measured: the table behind its default.

Run::

    python benchmarks/fixed_scale.py --out docs/user_guide/_generated/fixed_scale

On each data set of ``_datasets.py`` (a stratified 70/30 split,
``random_state=0``), ``make_pipeline(preprocessor, FixedRandomClassifier(
scale=S, random_state=seed))`` with every other parameter at its default,
calibration included, for each S and seed. Columns, means over the seeds:
test accuracy, top-label ECE (15 bins), log loss, and intra-class
compactness (mean cosine of a test embedding with its class vector, the
fixed-vector paper's measure) on the test rows.

``--out DIR`` writes ``per_dataset.csv`` (one row per data set and S) and
``summary.csv`` (one row per S: mean accuracy, mean ECE, geometric-mean log
loss, mean compactness over the data sets).
"""

import argparse
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _datasets import DATASETS, load_dataset
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sksoc import FixedRandomClassifier
from sksoc.metrics import intra_class_compactness, top_label_calibration_error

SCALES = (1.0, 4.0, 8.0, 16.0)


def run_dataset(name, scales, seeds):
    dataset = load_dataset(name)
    X_train, X_test, y_train, y_test = train_test_split(
        dataset.X, dataset.y, test_size=0.3, stratify=dataset.y, random_state=0
    )
    rows = []
    for scale in scales:
        measured = []
        for seed in seeds:
            model = make_pipeline(
                clone(dataset.preprocessor),
                FixedRandomClassifier(scale=scale, random_state=seed),
            ).fit(X_train, y_train)
            proba = model.predict_proba(X_test)
            predicted = model.classes_[proba.argmax(1)]
            measured.append(
                (
                    np.mean(predicted == y_test),
                    top_label_calibration_error(y_test, proba, n_bins=15),
                    log_loss(y_test, proba, labels=model.classes_),
                    intra_class_compactness(
                        model.transform(X_test),
                        y_test,
                        class_embeddings=model[-1].class_embeddings_,
                    ),
                )
            )
        accuracy, ece, loss, compactness = np.mean(measured, axis=0)
        rows.append(
            {
                "dataset": name,
                "scale": scale,
                "accuracy": accuracy,
                "ece": ece,
                "log_loss": loss,
                "compactness": compactness,
            }
        )
    return rows


def summarize(results):
    return (
        results.groupby("scale")
        .agg(
            accuracy=("accuracy", "mean"),
            ece=("ece", "mean"),
            log_loss=("log_loss", lambda v: math.exp(np.log(v).mean())),
            compactness=("compactness", "mean"),
        )
        .reset_index()
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--scales", nargs="+", type=float, default=list(SCALES))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rows = []
    for name in args.datasets:
        rows.extend(run_dataset(name, args.scales, range(args.seeds)))
        print(f"done {name}", flush=True)
    results = pd.DataFrame(rows)
    summary = summarize(results)
    with pd.option_context("display.width", 200):
        print(results.round(4).to_string(index=False))
        print(summary.round(4).to_string(index=False))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        results.round(4).to_csv(args.out / "per_dataset.csv", index=False)
        summary.round(4).to_csv(args.out / "summary.csv", index=False)


if __name__ == "__main__":
    main()
