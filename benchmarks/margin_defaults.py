"""The measurement behind MarginClassifier's default scale and ArcFace margin.

ArcFace's published setting, ``scale=64`` or ``30`` with a margin of 0.5
rad, was made for face verification: thousands of identities that a
network can pull apart. A classifier of tables and feature vectors meets
classes that overlap, where no embedding can give every training sample the
margin, and the cosine logits at a large scale make probabilities the
calibration must then undo. This script measures ArcFace's ``(scale,
margin)`` on both kinds of data the library serves:

- ``tables``: every set of ``_tabular_sets.py``, the raw frames that
  ``tabular.py`` fits (75/25 stratified split by seed);
- ``arrays``: every set of ``_datasets.py``, with its preprocessor in front
  as ``fit.py`` fits them (70/30 stratified split by seed).

Each setting is :class:`~sksoc.MarginClassifier` at its other defaults with
``random_state`` the seed, scored as ``tabular.py`` scores (accuracy, log
loss, top-label ECE of ``predict_proba``). Printed and written: one row per
collection, set, seed and setting (``--out``), and per collection and
setting the mean accuracy, geometric-mean log loss and mean ECE (the
``--summary-out`` file the margins page includes).

    python benchmarks/margin_defaults.py [--seeds 0 1] [--jobs 2]
        [--out docs/user_guide/_generated/margin_defaults.csv]
        [--summary-out docs/user_guide/_generated/margin_defaults_summary.csv]
    python benchmarks/margin_defaults.py --summarize CSV [--summary-out CSV]
"""

import argparse
import math
import warnings
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
from _datasets import DATASETS, load_dataset
from _tabular_sets import TABULAR_SETS, tabular_split
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from tabular import score_probabilities

from sksoc import MarginClassifier

# (scale, ArcFace margin in radians). The first is the setting before this
# measurement; the margins page says which one ships.
SETTINGS = ((30.0, 0.5), (20.0, 0.2), (16.0, 0.2), (16.0, 0.3))
ARRAY_TEST_SIZE = 0.3
COLLECTIONS = ("tables", "arrays")


def setting_name(scale, margin):
    return f"scale {scale:g}, margin {margin:g}"


def _split(collection, name, seed):
    """``X_train, X_test, y_train, y_test`` and the preprocessor, if any."""
    if collection == "tables":
        return (*tabular_split(name, seed), None)
    data = load_dataset(name, random_state=seed)
    split = train_test_split(
        data.X,
        data.y,
        test_size=ARRAY_TEST_SIZE,
        stratify=data.y,
        random_state=seed,
    )
    return (*split, data.preprocessor)


def run_one(collection, name, seed):
    """Every setting on one set and seed: a list of result rows."""
    warnings.filterwarnings("ignore")
    X_train, X_test, y_train, y_test, preprocessor = _split(collection, name, seed)
    rows = []
    for scale, margin in SETTINGS:
        model = MarginClassifier(scale=scale, margin=margin, random_state=seed)
        if preprocessor is not None:
            model = make_pipeline(clone(preprocessor), model)
        model.fit(X_train, y_train)
        scores = score_probabilities(
            y_test, model.predict_proba(X_test), model.classes_
        )
        rows.append(
            {
                "collection": collection,
                "set": name,
                "seed": seed,
                "setting": setting_name(scale, margin),
                "scale": scale,
                "margin": margin,
                **scores,
            }
        )
        print(
            f"{collection:7} {name:17} seed {seed} {rows[-1]['setting']:22} "
            f"accuracy {scores['accuracy']:.4f} log loss {scores['log_loss']:.4f} "
            f"ECE {scores['ece']:.4f}",
            flush=True,
        )
    return rows


def summary(frame):
    """Per collection and setting: mean accuracy, geometric-mean log loss, mean ECE."""
    rows = []
    for (collection, setting), group in frame.groupby(
        ["collection", "setting"], sort=False
    ):
        rows.append(
            {
                "collection": collection,
                "setting": setting,
                "scale": group["scale"].iloc[0],
                "margin": group["margin"].iloc[0],
                "accuracy": round(group["accuracy"].mean(), 4),
                "log_loss": round(math.exp(group["log_loss"].map(math.log).mean()), 4),
                "ece": round(group["ece"].mean(), 4),
                "n": len(group),
            }
        )
    return pd.DataFrame(rows)


def run(seeds, jobs):
    tasks = [
        (collection, name, seed)
        for seed in seeds
        for collection, names in (("tables", TABULAR_SETS), ("arrays", DATASETS))
        for name in names
    ]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(run_one, *zip(*tasks, strict=True)))
    return pd.DataFrame([row for rows in results for row in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--out", help="CSV of the result rows")
    parser.add_argument("--summarize", help="summarise such a CSV instead of running")
    parser.add_argument("--summary-out", help="CSV of the summary, for the docs")
    args = parser.parse_args(argv)
    if args.summarize:
        frame = pd.read_csv(args.summarize)
    else:
        frame = run(args.seeds, args.jobs)
        if args.out:
            frame.to_csv(args.out, index=False)
    table = summary(frame)
    print()
    print(table.to_string(index=False))
    if args.summary_out:
        table.to_csv(args.summary_out, index=False)


if __name__ == "__main__":
    main()
