"""Accuracy, calibration and fit time on raw tabular data, against HGB and an MLP.

On every set of ``_tabular_sets.py`` (raw DataFrames: numeric, boolean and
text columns, missing values as NaN) and for each seed, a stratified 75/25
split (``random_state=seed``); each model is fitted on the training part and
scored on the test part. The models, by the names of the result rows:

the sksoc heads
    ``SOCClassifier``, ``SoftmaxClassifier``, ``FixedRandomClassifier`` and
    ``MarginClassifier``, each ``Cls(random_state=seed)``, fitted directly
    on the raw DataFrame: no preprocessing of ours.
``HGB``
    scikit-learn's ``HistGradientBoostingClassifier(random_state=seed,
    categorical_features="from_dtype")`` after :class:`TextAsCategory`,
    which gives the text (and object) columns pandas' ``category`` dtype,
    with the training split's levels, as an HGB user does. HGB refuses
    categorical columns of more than 255 levels (its ``max_bins``): such a
    column (the zip code of ``high_cardinality``) becomes the integer codes
    of its sorted levels instead, a numeric column. Booleans and numbers
    stay as they are; NaN is HGB's own missing value.
``MLP``
    ``make_pipeline(preprocessor, MLPClassifier(early_stopping=True,
    random_state=seed))`` with the preprocessor of
    :func:`tabular_preprocessor`: median imputation and standard scaling of
    the numeric columns, most-frequent imputation and one-hot encoding
    (unknown levels ignored, sparse output) of the text and boolean ones.
``SOC (previous default)``
    :func:`previous_default`: that preprocessor in front of
    ``SOCClassifier(random_state=seed)``.

Two anchors are not fitted here but read from ``--anchors`` (a CSV with the
columns ``set, seed, model, accuracy, balanced_accuracy, log_loss, ece,
fit_seconds``, one row per set, seed and model: ``RealMLP_TD`` and
``TabM_D``), restricted to the sets and seeds of the run, and shown beside
the others. Without the file they are left out, with a note.

Metrics, by :func:`score_probabilities` on ``predict_proba``'s output:
accuracy and balanced accuracy of the most probable class, log loss (with
the training classes as labels) and the top-label expected calibration error
(15 uniform bins, :func:`sksoc.metrics.top_label_calibration_error`); and the
wall-clock seconds of ``fit`` alone. Threads are left to each library (torch,
OpenMP, BLAS at their defaults): every model shares the machine's cores the
same way, so fit times compare models on one machine, not machines. Other
work on the machine slows HGB's OpenMP threads most: they spin while they
wait for each other, and on a busy machine an HGB fit of a second now and
then takes a minute. Time on a quiet machine with OpenMP's defaults, as the
docs' tables are: ``OMP_WAIT_POLICY=PASSIVE`` keeps a busy machine's HGB
fits from stalling, but on a quiet one it makes HGB's many short parallel
loops wait to be woken, and HGB several times slower on a two-core
machine, which flatters every ratio to it. The load average is printed
before and after the run. Each model is fitted
once on a small frame before the timings, which then pay no start-up.

Printed: a line per fit, then a table of each set's mean accuracy per model
(over the seeds), a summary per model (mean accuracy, mean balanced
accuracy, geometric-mean log loss, mean ECE, and the ratio of its fit time
to HGB's on the same set and seed, as a geometric and an arithmetic mean),
and the targets of each sksoc head, each as ``met:`` or ``NOT met:``:
(i) mean accuracy at least HGB's minus 0.5 points, (ii) mean accuracy at
least RealMLP_TD's (when the anchors are there), (iii) geometric-mean fit
time at most HGB's, (iv) mean ECE at most 0.03, (v) geometric-mean log loss
at most HGB's. The comparisons with another model use the sets and seeds
both have; one without any such run is printed as ``skipped:``.

    python benchmarks/tabular.py [--sets chile hdma ...] [--seeds 0 1 2]
        [--models HGB MLP ...] [--out results.csv [--update]]
        [--anchors benchmarks/data/tabular_anchors.csv]
    python benchmarks/tabular.py --summarize results.csv

``--out`` writes the result rows as they come (after each set and seed);
with ``--update`` the file keeps its rows of the models, sets and seeds not
run, so a change to one model is measured without refitting the others (the
tables then compare fit times taken in two runs);
``--summarize CSV`` prints the tables and targets of such a file, and the
anchors, without fitting anything.
"""

import argparse
import math
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import torch
from _tabular_sets import TABULAR_SETS, tabular_split
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, balanced_accuracy_score, log_loss
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

import sksoc
from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)
from sksoc.metrics import top_label_calibration_error

ROOT = Path(__file__).resolve().parent
DEFAULT_ANCHORS = ROOT / "data" / "tabular_anchors.csv"
DEFAULT_SEEDS = (0, 1, 2)
ECE_BINS = 15
# HGB's largest number of categories per column (its default max_bins).
HGB_MAX_CATEGORIES = 255

SKSOC_HEADS = (
    SOCClassifier,
    SoftmaxClassifier,
    FixedRandomClassifier,
    MarginClassifier,
)
HEAD_NAMES = tuple(Head.__name__ for Head in SKSOC_HEADS)
HGB = "HGB"
MLP = "MLP"
PREVIOUS_DEFAULT = "SOC (previous default)"
MODELS = (*HEAD_NAMES, HGB, MLP, PREVIOUS_DEFAULT)
REALMLP = "RealMLP_TD"
ANCHORS = (REALMLP, "TabM_D")
# Column headers of the per-set table.
SHORT_NAMES = {
    "SOCClassifier": "SOC",
    "SoftmaxClassifier": "Softmax",
    "FixedRandomClassifier": "FixedRand",
    "MarginClassifier": "Margin",
    PREVIOUS_DEFAULT: "SOC prev",
    REALMLP: "RealMLP",
    "TabM_D": "TabM",
}

ACCURACY_TOLERANCE_POINTS = 0.5
ECE_TARGET = 0.03
KEY = ["set", "seed"]


# -- the metrics --------------------------------------------------------------


def score_probabilities(y_test, proba, classes):
    """The metrics of predicted probabilities, as every row of the benchmark.

    Parameters
    ----------
    y_test : array-like of shape (n_samples,)
        True labels.
    proba : array-like of shape (n_samples, n_classes)
        Predicted probabilities, one column per class of ``classes``. Rows
        are renormalised to sum to one in float64 (saved probabilities are
        rounded, float32 ones off by an ulp or so).
    classes : array-like of shape (n_classes,)
        The class of each column: the classes of the training split.

    Returns
    -------
    scores : dict
        ``accuracy`` and ``balanced_accuracy`` of the most probable class
        (the first on ties), ``log_loss`` (``labels=classes``) and ``ece``,
        the top-label expected calibration error over 15 uniform bins.
    """
    y_test = np.asarray(y_test)
    classes = np.asarray(classes)
    proba = np.asarray(proba, dtype=np.float64)
    proba = proba / proba.sum(axis=1, keepdims=True)
    predicted = classes[np.argmax(proba, axis=1)]
    return {
        "accuracy": float(accuracy_score(y_test, predicted)),
        "balanced_accuracy": float(balanced_accuracy_score(y_test, predicted)),
        "log_loss": float(log_loss(y_test, proba, labels=classes)),
        "ece": float(
            top_label_calibration_error(y_test, proba, labels=classes, n_bins=ECE_BINS)
        ),
    }


# -- the models ---------------------------------------------------------------


def is_text(column):
    """Whether a column is text (or anything but numbers and booleans)."""
    return not (
        pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
    )


class TextAsCategory(TransformerMixin, BaseEstimator):
    """Text columns as pandas categories, for HGB's categories "from_dtype".

    Each text (or object) column gets the ``category`` dtype with the levels
    seen in training, sorted; a level unseen in training becomes NaN. A
    column with more than ``max_categories`` levels becomes instead the
    integer code of its level among the sorted training levels (NaN if
    missing or unseen), a numeric column: HGB accepts no more categories
    than its ``max_bins``.

    Parameters
    ----------
    max_categories : int, default=255
        The most levels a column may have and stay categorical.

    Attributes
    ----------
    levels_ : dict of str to pandas.Index
        The sorted training levels of each text column.
    ordinal_ : list of str
        The text columns turned into codes.
    """

    def __init__(self, max_categories=HGB_MAX_CATEGORIES):
        self.max_categories = max_categories

    def fit(self, X, y=None):
        self.levels_ = {
            column: pd.Index(sorted(X[column].dropna().unique(), key=str))
            for column in X.columns
            if is_text(X[column])
        }
        self.ordinal_ = [
            column
            for column, levels in self.levels_.items()
            if len(levels) > self.max_categories
        ]
        return self

    def transform(self, X):
        X = X.copy()
        for column, levels in self.levels_.items():
            # -1 for a missing value or a level unseen in training.
            codes = levels.get_indexer(X[column])
            if column in self.ordinal_:
                X[column] = np.where(codes < 0, np.nan, codes)
            else:
                X[column] = pd.Categorical.from_codes(codes, categories=levels)
        return X


def hgb(seed):
    """HGB on text columns made categories: what an HGB user fits on raw data."""
    return make_pipeline(
        TextAsCategory(),
        HistGradientBoostingClassifier(
            random_state=seed, categorical_features="from_dtype"
        ),
    )


def as_object(X):
    """``X`` with object columns: SimpleImputer refuses an all-boolean array."""
    return X.astype(object)


def tabular_preprocessor():
    """Impute and scale the numeric columns; impute and one-hot the others.

    Numeric columns (booleans excluded): median imputation, then standard
    scaling. Text and boolean columns: most-frequent imputation, then
    one-hot encoding that ignores levels unseen in training. The output is
    sparse when one-hot columns make it mostly zeros (a column of thousands
    of levels), dense otherwise.

    Returns
    -------
    preprocessor : sklearn.compose.ColumnTransformer
        Unfitted; it picks its columns by dtype, so it fits every set.
    """
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        FunctionTransformer(as_object),
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, make_column_selector(dtype_include="number")),
            ("categorical", categorical, make_column_selector(dtype_exclude="number")),
        ]
    )


def mlp(seed):
    """scikit-learn's MLPClassifier with early stopping, after the preprocessor."""
    return make_pipeline(
        tabular_preprocessor(), MLPClassifier(early_stopping=True, random_state=seed)
    )


def previous_default(seed):
    """sksoc's encoder before the tabular work: preprocessor, then SOCClassifier.

    What a user of sksoc had to write before the estimators took raw
    DataFrames: :func:`tabular_preprocessor` (impute, scale, one-hot) in
    front of ``SOCClassifier`` at its defaults.

    Parameters
    ----------
    seed : int
        ``random_state`` of the classifier.

    Returns
    -------
    model : sklearn.pipeline.Pipeline
        Unfitted.
    """
    return make_pipeline(tabular_preprocessor(), SOCClassifier(random_state=seed))


def _head(Head):
    def build(seed):
        return Head(random_state=seed)

    build.__doc__ = f"``{Head.__name__}(random_state=seed)``, on the raw frame."
    return build


FACTORIES = {
    **{Head.__name__: _head(Head) for Head in SKSOC_HEADS},
    HGB: hgb,
    MLP: mlp,
    PREVIOUS_DEFAULT: previous_default,
}


# -- the runs -----------------------------------------------------------------


def fit_and_score(model, X_train, X_test, y_train, y_test):
    """Fit ``model`` in place, timing ``fit``; its scores and ``fit_seconds``.

    The scores are :func:`score_probabilities`' of ``predict_proba`` on the
    test rows. Every benchmark of tables times and scores its fits this way.
    """
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    proba = model.predict_proba(X_test)
    return {
        **score_probabilities(y_test, proba, model.classes_),
        "fit_seconds": fit_seconds,
    }


def run_one(model_name, seed, X_train, X_test, y_train, y_test):
    """Fit one model, time its ``fit``, score its probabilities: one result row."""
    model = FACTORIES[model_name](seed)
    return {
        "model": model_name,
        **fit_and_score(model, X_train, X_test, y_train, y_test),
    }


def warm_up(models):
    """One fit of each model on 200 small raw rows: no timing pays a start-up."""
    rng = np.random.default_rng(0)
    n = 200
    X = pd.DataFrame(
        {
            "number": rng.normal(size=n),
            "text": pd.Series(rng.choice(["a", "b", "c"], size=n), dtype="str"),
            "flag": rng.random(n) < 0.5,
        }
    )
    X.loc[::10, "number"] = np.nan
    y = np.where(X["number"].fillna(0.0) > 0, "yes", "no")
    for model_name in models:
        FACTORIES[model_name](0).fit(X, y)


def run(args, kept=()):
    """Every model on every set and seed; the result rows, written as they come.

    ``kept`` are earlier rows written before the new ones (``--update``).
    """
    warm_up(args.models)
    kept = list(kept)
    rows = []
    start = time.perf_counter()
    for name in args.sets:
        set_start = time.perf_counter()
        for seed in args.seeds:
            X_train, X_test, y_train, y_test = tabular_split(name, seed)
            facts = {
                "set": name,
                "seed": seed,
                "n_train": len(y_train),
                "n_test": len(y_test),
                "n_columns": X_train.shape[1],
                "n_classes": len(np.unique(y_train)),
            }
            for model_name in args.models:
                row = {
                    **facts,
                    **run_one(model_name, seed, X_train, X_test, y_train, y_test),
                }
                rows.append(row)
                print(
                    f"  {name:17} seed {seed}  {model_name:22} accuracy "
                    f"{row['accuracy']:.4f}  log loss {row['log_loss']:.4f}  ECE "
                    f"{row['ece']:.4f}  fit {row['fit_seconds']:7.2f} s",
                    flush=True,
                )
            if args.out is not None:
                write_rows(kept + rows, args.out)
        print(
            f"{name}: {time.perf_counter() - set_start:.1f} s for "
            f"{len(args.seeds)} seed(s)",
            flush=True,
        )
    print(f"\nTotal time {time.perf_counter() - start:.0f} s")
    return pd.DataFrame(kept + rows)


def rows_kept(path, args):
    """The rows of ``path`` that this run does not redo (``--update``)."""
    earlier = pd.read_csv(path)
    redone = (
        earlier["model"].isin(args.models)
        & earlier["set"].isin(args.sets)
        & earlier["seed"].isin(args.seeds)
    )
    return earlier[~redone].to_dict("records")


CSV_FORMAT = {"index": False, "float_format": "%.6g"}


def write_rows(rows, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, **CSV_FORMAT)


def read_anchors(path, results):
    """The anchors' rows on the sets and seeds of ``results``; None without a file.

    Rows of a (set, seed, model) that ``results`` has already are left out.
    """
    path = Path(path)
    if not path.exists():
        print(f"\nNo anchors: {path} does not exist; {' and '.join(ANCHORS)} left out.")
        return None
    anchors = pd.read_csv(path)
    on_sets = anchors.set_index(KEY).index.isin(results.set_index(KEY).index)
    anchors = anchors[on_sets]
    known = results.set_index([*KEY, "model"]).index
    anchors = anchors[~anchors.set_index([*KEY, "model"]).index.isin(known)]
    print(
        f"\nAnchors: {len(anchors)} row(s) of {path} on these sets and seeds "
        f"({', '.join(anchors['model'].unique()) or 'none'})."
    )
    return anchors


# -- the tables ---------------------------------------------------------------


def geometric_mean(values):
    values = np.maximum(np.asarray(values, dtype=float), 1e-15)
    return float(math.exp(np.mean(np.log(values))))


def model_order(frame):
    """The models of ``frame``: the fitted ones, the anchors, then any others."""
    present = list(dict.fromkeys(frame["model"]))
    known = (*MODELS, *ANCHORS)
    return [m for m in known if m in present] + [m for m in present if m not in known]


def set_order(frame):
    present = list(dict.fromkeys(frame["set"]))
    return [s for s in TABULAR_SETS if s in present] + [
        s for s in present if s not in TABULAR_SETS
    ]


def per_set_table(frame):
    """Mean accuracy over the seeds, a row per set and a column per model."""
    table = frame.pivot_table(
        index="set", columns="model", values="accuracy", aggfunc="mean"
    )
    return table.reindex(index=set_order(frame), columns=model_order(frame))


def fit_ratios(frame):
    """Each row's fit time over HGB's on the same set and seed (NaN without HGB)."""
    hgb_seconds = frame.loc[frame["model"] == HGB, [*KEY, "fit_seconds"]]
    merged = frame.merge(
        hgb_seconds.rename(columns={"fit_seconds": "hgb_seconds"}), on=KEY, how="left"
    )
    return merged["fit_seconds"].to_numpy() / merged["hgb_seconds"].to_numpy()


def summary_table(frame):
    """One row per model: its means over all its sets and seeds."""
    frame = frame.assign(ratio=fit_ratios(frame))
    rows = []
    for model in model_order(frame):
        rows_of = frame[frame["model"] == model]
        # The anchors' fit seconds come from another machine (a GPU).
        ratios = rows_of["ratio"].dropna() if model not in ANCHORS else rows_of[:0]
        rows.append(
            {
                "model": model,
                "runs": len(rows_of),
                "accuracy": rows_of["accuracy"].mean(),
                "balanced_accuracy": rows_of["balanced_accuracy"].mean(),
                "geomean_log_loss": geometric_mean(rows_of["log_loss"]),
                "ece": rows_of["ece"].mean(),
                "geomean_fit_ratio": geometric_mean(ratios) if len(ratios) else np.nan,
                "mean_fit_ratio": ratios.mean() if len(ratios) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def paired(frame, model, other):
    """The rows of ``model`` and ``other`` on the sets and seeds both have."""
    mine = frame[frame["model"] == model].set_index(KEY)
    theirs = frame[frame["model"] == other].set_index(KEY)
    common = mine.index.intersection(theirs.index)
    return mine.loc[common], theirs.loc[common]


def verdict(condition):
    return "met:" if condition else "NOT met:"


def head_targets(frame, head):
    """The target lines of one sksoc head."""
    lines = []
    mine, hgb_rows = paired(frame, head, HGB)
    if len(mine):
        mean, hgb_mean = mine["accuracy"].mean(), hgb_rows["accuracy"].mean()
        bound = hgb_mean - ACCURACY_TOLERANCE_POINTS / 100
        lines.append(
            f"{verdict(mean >= bound)} {head} mean accuracy {mean:.4f} >= HGB's "
            f"{hgb_mean:.4f} - {ACCURACY_TOLERANCE_POINTS} points = {bound:.4f} "
            f"({len(mine)} runs)"
        )
    else:
        lines.append(f"skipped: {head} accuracy against HGB: no runs in common")

    realmlp, anchor = paired(frame, head, REALMLP)
    if len(realmlp):
        mean, anchor_mean = realmlp["accuracy"].mean(), anchor["accuracy"].mean()
        lines.append(
            f"{verdict(mean >= anchor_mean)} {head} mean accuracy {mean:.4f} >= "
            f"{REALMLP}'s {anchor_mean:.4f} ({len(realmlp)} runs)"
        )
    else:
        lines.append(f"skipped: {head} accuracy against {REALMLP}: no anchor runs")

    if len(mine):
        seconds = geometric_mean(mine["fit_seconds"])
        hgb_seconds = geometric_mean(hgb_rows["fit_seconds"])
        lines.append(
            f"{verdict(seconds <= hgb_seconds)} {head} geometric-mean fit time "
            f"{seconds:.2f} s <= HGB's {hgb_seconds:.2f} s (ratio "
            f"{seconds / hgb_seconds:.2f}x, {len(mine)} runs)"
        )
    else:
        lines.append(f"skipped: {head} fit time against HGB: no runs in common")

    ece = frame.loc[frame["model"] == head, "ece"].mean()
    lines.append(
        f"{verdict(ece <= ECE_TARGET)} {head} mean ECE {ece:.4f} <= {ECE_TARGET}"
    )

    if len(mine):
        loss = geometric_mean(mine["log_loss"])
        hgb_loss = geometric_mean(hgb_rows["log_loss"])
        lines.append(
            f"{verdict(loss <= hgb_loss)} {head} geometric-mean log loss {loss:.4f} "
            f"<= HGB's {hgb_loss:.4f} ({len(mine)} runs)"
        )
    else:
        lines.append(f"skipped: {head} log loss against HGB: no runs in common")
    return lines


def targets(frame):
    """The target lines of every sksoc head in ``frame``."""
    heads = [head for head in HEAD_NAMES if head in set(frame["model"])]
    lines = []
    for head in heads:
        lines += head_targets(frame, head)
    return lines


def print_tables(results, anchors):
    """The per-set table, the summary and the targets of ``results`` and anchors."""
    frame = results if anchors is None else pd.concat([results, anchors])
    frame = frame.reset_index(drop=True)
    seeds = sorted(frame["seed"].unique())
    table = per_set_table(frame)
    print(
        f"\nMean accuracy over seed(s) {', '.join(map(str, seeds))}, per set and model:"
    )
    names = [SHORT_NAMES.get(model, model) for model in table.columns]
    print(f"  {'set':17}" + "".join(f" {name:>10}" for name in names))
    for name, row in table.iterrows():
        cells = "".join(
            f" {'':>10}" if np.isnan(value) else f" {value:10.4f}" for value in row
        )
        print(f"  {name:17}{cells}")
    legend = [
        f"{SHORT_NAMES[model]} = {model}"
        for model in table.columns
        if model in SHORT_NAMES
    ]
    if legend:
        print(f"  ({'; '.join(legend)})")

    summary = summary_table(frame)
    print(
        "\nSummary per model, over its runs (sets x seeds); fit ratio = fit time "
        "/ HGB's on the same set and seed:"
    )
    print(
        f"  {'model':22} {'runs':>4} {'accuracy':>8} {'balanced':>8} "
        f"{'log loss':>8} {'ECE':>7} {'ratio gm':>8} {'ratio am':>8}"
    )
    for _, row in summary.iterrows():
        print(
            f"  {row['model']:22} {row['runs']:4d} {row['accuracy']:8.4f} "
            f"{row['balanced_accuracy']:8.4f} {row['geomean_log_loss']:8.4f} "
            f"{row['ece']:7.4f} {row['geomean_fit_ratio']:7.2f}x "
            f"{row['mean_fit_ratio']:7.2f}x"
        )
    print("  (log loss: geometric mean; ratio gm / am: geometric / arithmetic mean)")

    lines = targets(frame)
    print("\nTargets:")
    if not lines:
        print("  none: no sksoc head among the models")
    for line in lines:
        print(f"  {line}")
    return table, summary, lines


# -- the command --------------------------------------------------------------


def load_average():
    """The machine's load averages: how much else ran beside the fits."""
    if not hasattr(os, "getloadavg"):
        return "load average unknown"
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=TABULAR_SETS,
        default=list(TABULAR_SETS),
        help="data sets (default: all)",
    )
    parser.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=list(DEFAULT_SEEDS),
        help="seeds of the splits and the models (default: 0 1 2)",
    )
    parser.add_argument(
        "--models",
        nargs="+",
        choices=MODELS,
        default=list(MODELS),
        help="models to fit (default: all)",
    )
    parser.add_argument("--out", type=Path, help="CSV file for the result rows")
    parser.add_argument(
        "--update",
        action="store_true",
        help="keep the rows of --out's file that this run does not redo (the "
        "other models, sets and seeds): rerun some models after a change to "
        "them. Their times are compared with rows timed in another run",
    )
    parser.add_argument(
        "--anchors",
        type=Path,
        default=DEFAULT_ANCHORS,
        help="CSV of the anchors' rows (default: benchmarks/data/tabular_anchors.csv)",
    )
    parser.add_argument(
        "--tables",
        type=Path,
        metavar="DIR",
        help="write the per-set table, the summary and the targets into DIR "
        "(per_set.csv, summary.csv, targets.txt), for the docs",
    )
    parser.add_argument(
        "--summarize",
        type=Path,
        metavar="CSV",
        help="print the tables and targets of a results CSV, fitting nothing",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.summarize is not None:
        results = pd.read_csv(args.summarize)
        print(f"Results of {args.summarize}: {len(results)} row(s).")
    else:
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        print(
            f"sksoc {sksoc.__version__}, torch {torch.__version__} "
            f"({torch.get_num_threads()} thread(s)), scikit-learn "
            f"{sklearn.__version__}; {os.cpu_count()} CPU core(s), shared by "
            f"every model; seeds {' '.join(map(str, args.seeds))}; {load_average()}"
        )
        if args.update and args.out is None:
            raise SystemExit("--update needs --out, the file to update.")
        kept = rows_kept(args.out, args) if args.update else ()
        results = run(args, kept)
        print(f"After the run: {load_average()}")
        if args.out is not None:
            print(f"Wrote {len(results)} row(s) to {args.out}")
    anchors = read_anchors(args.anchors, results)
    table, summary, lines = print_tables(results, anchors)
    if args.tables is not None:
        write_tables(args.tables, table, summary, lines)


def write_tables(directory, table, summary, lines):
    """The docs' files: per-set accuracy, the summary, the target lines."""
    directory.mkdir(parents=True, exist_ok=True)
    names = {model: SHORT_NAMES.get(model, model) for model in table.columns}
    table.rename(columns=names).round(4).to_csv(directory / "per_set.csv")
    summary.round(4).to_csv(directory / "summary.csv", index=False)
    (directory / "targets.txt").write_text("\n".join(lines) + "\n")
    print(f"Wrote per_set.csv, summary.csv and targets.txt to {directory}")


if __name__ == "__main__":
    main()
