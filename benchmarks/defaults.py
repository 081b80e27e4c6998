"""The measurements behind the training defaults: one step at a time.

For every data set of ``benchmarks/_datasets.py`` and every sksoc estimator,
fit seconds, test accuracy and epochs of a sequence of settings, each
changing one thing on the way from sksoc 0.1's defaults to today's:

1. ``0.1``: ``batch_size=64``, ``early_stopping=False``, ``weight_decay=0``,
   ``lr=3e-3`` (the heads' own parameters are today's throughout);
2. ``+ batch 256``;
3. ``+ early stopping`` (a 10% stratified validation split, best epoch
   restored);
4. ``+ weight decay 1e-3``;
5. ``defaults``: the estimator as it ships (``batch_size="auto"``,
   ``early_stopping="auto"``, ``weight_decay=1e-3``; SOC's ``lr=6e-3``; the
   plateau schedule ``n_iter_no_change=3, lr_decay=0.1`` where the rows
   above stop after 10 epochs without improvement at a constant rate);

and ``defaults, previous schedule``: the defaults but the schedule, a
constant rate stopped after 10 epochs without improvement; and, for
:class:`~sksoc.MarginClassifier`, early stopping on the validation loss
instead of the validation accuracy it monitors. The reference is
``MLPClassifier(early_stopping=True)`` on the same split, timed in the same
run. One torch thread. The user guide's "Training defaults" page includes
the table this writes.

    python benchmarks/defaults.py [--datasets a,b] [--out FILE.csv]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd
import torch
from _datasets import DATASETS, load_dataset
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)

ESTIMATORS = (SoftmaxClassifier, SOCClassifier, FixedRandomClassifier, MarginClassifier)
STEPS = {
    "0.1": {"batch_size": 64, "early_stopping": False, "weight_decay": 0.0},
    "+ batch 256": {"batch_size": 256, "early_stopping": False, "weight_decay": 0.0},
    "+ early stopping": {
        "batch_size": 256,
        "early_stopping": True,
        "weight_decay": 0.0,
    },
    "+ weight decay 1e-3": {
        "batch_size": 256,
        "early_stopping": True,
        "weight_decay": 1e-3,
    },
    "defaults": {},
}
# sksoc 0.1 trained every head at lr 3e-3 and stopped after 10 epochs without
# improvement at a constant rate; SOC's 6e-3 and the plateau schedule
# (n_iter_no_change=3, lr_decay=0.1; schedule_defaults.py) come in with
# "defaults".
for _params in list(STEPS.values())[:-1]:
    _params.update(lr=3e-3, n_iter_no_change=10, lr_decay=None)
BASELINE = "MLPClassifier(early_stopping=True)"
# The defaults with the schedule they replaced: what the plateau schedule
# changes on these sets.
PREVIOUS_SCHEDULE = "defaults, previous schedule"


class MonitoringLoss(MarginClassifier):
    """MarginClassifier stopping early on the validation loss, for comparison."""

    _early_stopping_monitor = "valid_loss"


def fit_and_score(model, X_train, y_train, X_test, y_test):
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return seconds, model.score(X_test, y_test), getattr(model, "n_iter_", None)


def measure(name):
    data = load_dataset(name)
    X_train, X_test, y_train, y_test = train_test_split(
        data.X, data.y, test_size=0.3, stratify=data.y, random_state=0
    )
    preprocessor = clone(data.preprocessor).fit(X_train)
    X_train = preprocessor.transform(X_train).astype(np.float32)
    X_test = preprocessor.transform(X_test).astype(np.float32)
    rows = []

    def record(model_name, setting, model):
        seconds, accuracy, epochs = fit_and_score(
            model, X_train, y_train, X_test, y_test
        )
        rows.append(
            {
                "data set": name,
                "model": model_name,
                "setting": setting,
                "seconds": seconds,
                "accuracy": accuracy,
                "epochs": epochs,
            }
        )
        print(
            f"{name:18} {model_name:24} {setting:22} {seconds:6.2f} s "
            f"accuracy {accuracy:.4f} epochs {epochs}",
            flush=True,
        )

    record(BASELINE, "", MLPClassifier(early_stopping=True, random_state=0))
    for Estimator in ESTIMATORS:
        for setting, params in STEPS.items():
            record(Estimator.__name__, setting, Estimator(random_state=0, **params))
        record(
            Estimator.__name__,
            PREVIOUS_SCHEDULE,
            Estimator(random_state=0, n_iter_no_change=10, lr_decay=None),
        )
    record(
        MarginClassifier.__name__, "monitor valid_loss", MonitoringLoss(random_state=0)
    )
    return rows


def summarise(rows):
    """Per model and setting: mean accuracy and geometric-mean time ratio."""
    frame = pd.DataFrame(rows)
    baseline = frame[frame["model"] == BASELINE].set_index("data set")
    frame["ratio"] = frame["seconds"] / frame["data set"].map(baseline["seconds"])
    summary = []
    for (model, setting), group in frame.groupby(["model", "setting"], sort=False):
        summary.append(
            {
                "model": model,
                "setting": setting or "(reference)",
                "mean accuracy": group["accuracy"].mean(),
                "time ratio (geometric mean)": float(
                    np.exp(np.log(group["ratio"]).mean())
                ),
                "median epochs": statistics.median(group["epochs"]),
            }
        )
    return pd.DataFrame(summary)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--out", help="write the summary table as CSV here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.simplefilter("ignore", ConvergenceWarning)
    SoftmaxClassifier(max_epochs=1).fit(np.eye(4), [0, 1, 0, 1])  # warm up torch
    rows = []
    for name in args.datasets.split(","):
        rows.extend(measure(name))
    summary = summarise(rows)
    print(f"\nOver {len(args.datasets.split(','))} data sets:")
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if args.out:
        summary.to_csv(args.out, index=False, float_format="%.4f")
        pd.DataFrame(rows).to_csv(
            args.out.replace(".csv", "_per_set.csv"), index=False, float_format="%.4f"
        )


if __name__ == "__main__":
    main()
