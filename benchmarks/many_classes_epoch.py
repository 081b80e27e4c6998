"""One training epoch of every estimator at 100,000 classes, against softmax's.

Run ``python benchmarks/many_classes_epoch.py --out DIR`` with ``DIR``
``docs/user_guide/_generated/many_classes`` for the table of the user guide
(:ref:`many_classes`), ``epoch_100k.csv``.

Each estimator trains one epoch at ``embedding_dim=32``, batch 512, on rows
of 20 Gaussian features whose labels run through the 100,000 classes. The
epoch is a first ``partial_fit`` given every class in ``classes``: it builds
the model ``fit`` builds and takes the same steps with the same optimiser,
and holds out no rows and fits no calibration, so the time is the epoch's
alone (skorch's ``dur``). ``--rows`` sets the epoch's length (a step costs
the same whatever the rows; 100,000 by default, one row per class). The
estimators run round-robin ``--repeats`` times, so that load from other
processes hits them alike; the table has each one's fastest epoch (the least
disturbed by other load, as in ``heads.py``) and its ratio to
``SoftmaxClassifier``'s fastest.

One more row, ``FixedRandomClassifier, one thread``, is the fixed head
trained on one torch thread, as it was before the engine counted a fixed
head's class embeddings in a step's work: its class embeddings are a buffer,
not a parameter, so the step looked small (the encoder's weights alone) and
ran on one thread while the other heads ran on torch's.

    python benchmarks/many_classes_epoch.py [--rows 100000] [--repeats 3] [--out DIR]
"""

import argparse
import csv
import pathlib

import numpy as np

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)
from sksoc._engine import single_torch_thread

N_CLASSES = 100_000
TARGET = 1.2
ESTIMATORS = {
    "SoftmaxClassifier": SoftmaxClassifier,
    "SOCClassifier": SOCClassifier,
    "FixedRandomClassifier": FixedRandomClassifier,
    "MarginClassifier": MarginClassifier,
}
ONE_THREAD = "FixedRandomClassifier, one thread"
PARAMETERS = dict(
    embedding_dim=32,
    batch_size=512,
    max_epochs=1,
    early_stopping=False,
    calibration=None,
    random_state=0,
)


def data(n_rows, n_classes=N_CLASSES, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, 20)).astype(np.float32)
    y = rng.permutation(np.arange(max(n_rows, n_classes)) % n_classes)[:n_rows]
    return X, y


def epoch_seconds(name, X, y, classes):
    model = ESTIMATORS[name.split(",")[0]](**PARAMETERS)
    if name == ONE_THREAD:
        with single_torch_thread():
            model.partial_fit(X, y, classes=classes)
    else:
        model.partial_fit(X, y, classes=classes)
    return model.net_.history[-1, "dur"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=N_CLASSES)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()

    X, y = data(args.rows)
    classes = np.arange(N_CLASSES)
    names = [*ESTIMATORS, ONE_THREAD]
    # Torch's first kernels and lazy imports are nobody's epoch.
    warm_X, warm_y = data(512, n_classes=10)
    for name in names:
        ESTIMATORS[name.split(",")[0]](**PARAMETERS).fit(warm_X, warm_y)
    seconds = {name: [] for name in names}
    for repeat in range(args.repeats):
        for name in names:
            seconds[name].append(epoch_seconds(name, X, y, classes))
            print(f"repeat {repeat}: {name} {seconds[name][-1]:.2f} s", flush=True)

    softmax = min(seconds["SoftmaxClassifier"])
    rows = []
    for name in names:
        fastest = min(seconds[name])
        rows.append(
            {
                "estimator": name,
                "rows": args.rows,
                "epoch (s)": f"{fastest:.2f}",
                "ratio to softmax": f"{fastest / softmax:.2f}",
            }
        )
        print(f"{name:36s} {fastest:8.2f} s  {fastest / softmax:.2f}x softmax")
    met = all(
        float(row["ratio to softmax"]) <= TARGET for row in rows[: len(ESTIMATORS)]
    )
    print(
        f"every head within {TARGET}x of SoftmaxClassifier's epoch: "
        + ("met" if met else "NOT met")
    )
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        with open(args.out / "epoch_100k.csv", "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
