"""The ``sksoc`` command: the class heads side by side on real data.

``sksoc compare`` trains every head on the same encoder and data and prints a
table of test accuracy, log loss and the geometry of the test embedding;
``sksoc sweep`` shows how the accuracy of SOC depends on the size of the
embedding, with softmax for reference. ``sksoc --help`` lists the options and
the user guide page :ref:`cli` explains the outputs.

The command is a thin layer over the public API, doing what a script would:
split the data 70/30 by class, standardise it on the training part, fit the
estimators at their defaults, score them with :mod:`sksoc.metrics` and draw
them with :mod:`sksoc.plotting`. Results go to stdout; the progress bar and
notes go to stderr. A user's mistake (a missing file, an unknown name) ends
with one line on stderr, ``sksoc: error: ...``, and exit status 2, never a
traceback.
"""

import argparse
import contextlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn import datasets
from sklearn.base import clone
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import type_of_target
from tqdm import tqdm

from . import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
    __version__,
)
from .exceptions import TrainingDivergedError
from .metrics import (
    inter_class_separability,
    intra_class_compactness,
    silhouette_score,
)

__all__ = ["main"]

PROG = "sksoc"
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2  # argparse's status for a command it cannot run
EXIT_INTERRUPTED = 130  # the shell's 128 + SIGINT

HEADS = {
    "softmax": SoftmaxClassifier,
    "soc": SOCClassifier,
    "fixed": FixedRandomClassifier,
    "margin": MarginClassifier,
}
_SKLEARN_LOADERS = {
    "digits": datasets.load_digits,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "iris": datasets.load_iris,
}
DATASETS = (*_SKLEARN_LOADERS, "mnist1d")
TEST_SIZE = 0.3
HIDDEN_LAYER_SIZES = (128,)
DEFAULT_EMBEDDING_DIM = 16
DEFAULT_DIMS = (1, 2, 3, 5, 10, 16)
# The similarity matrix writes its values in the cells up to this many classes.
_MAX_CLASSES_WITH_VALUES = 12
_PNG_DPI = 120
_SCORE_COLUMNS = ("accuracy", "log_loss", "silhouette", "compactness", "separability")
_SWEEP_COLUMNS = ("accuracy", "log_loss", "epochs", "fit_seconds")
_CELL_FORMATS = {
    **dict.fromkeys(_SCORE_COLUMNS, "{:.4f}".format),
    "fit_seconds": "{:.1f}".format,
}

METRICS_LEGEND = """\
accuracy, log_loss: on the test set. silhouette: of the test embedding, euclidean.
compactness: mean cosine of the test embeddings to their class vector.
separability: mean angle between the class vectors, in radians (1.571 = orthogonal)."""


class CommandError(Exception):
    """A failure the user can act on, reported in one line without a traceback.

    Mostly a mistake in the command or its input (exit status 2); also a
    training run whose loss diverged (exit status 1).

    Parameters
    ----------
    message : str
        What went wrong and, where it helps, how to fix it.
    exit_code : int, default=2
        Exit status of the command.
    """

    def __init__(self, message, exit_code=EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code


# -- data ------------------------------------------------------------------------


@dataclass
class Split:
    """A labelled dataset split by class into standardised train and test parts."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    notes: list = field(default_factory=list)

    @property
    def n_features(self):
        return self.X_train.shape[1]

    @property
    def n_classes(self):
        return len(np.unique(self.y_train))

    def describe(self):
        """One line: the sizes of the parts, the features and the classes."""
        return (
            f"{len(self.y_train)} train / {len(self.y_test)} test samples, "
            f"{_count(self.n_features, 'feature')}, {_count(self.n_classes, 'class')}"
        )

    def metadata(self):
        return {
            "dataset": self.name,
            "n_train": len(self.y_train),
            "n_test": len(self.y_test),
            "n_features": self.n_features,
            "n_classes": self.n_classes,
        }


def load_split(args):
    """Load the dataset chosen on the command line, split it and scale it.

    Parameters
    ----------
    args : argparse.Namespace
        With ``dataset``, ``csv``, ``target``, ``dropna`` and ``seed``.

    Returns
    -------
    split : Split
        70% of each class for training and 30% for testing, drawn with
        ``args.seed``; a StandardScaler fitted on the training part scales
        both.

    Raises
    ------
    CommandError
        If the data cannot be read or used, with the reason.
    """
    notes = []
    if args.csv is not None:
        if args.target is None:
            raise CommandError(
                "--csv needs --target COLUMN, the column that holds the class labels"
            )
        X, y, notes = load_csv(args.csv, args.target, dropna=args.dropna)
        name = str(args.csv)
    else:
        if args.target is not None:
            raise CommandError("--target goes with --csv PATH, for your own data")
        name = args.dataset
        X, y = load_builtin(name)
    check_labels(y)
    X_train, X_test, y_train, y_test = split_by_class(X, y, seed=args.seed)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return Split(name, X_train, X_test, y_train, y_test, notes)


def load_builtin(name):
    """Features and labels of a built-in dataset.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS`. The scikit-learn datasets ship with it;
        ``"mnist1d"`` is generated by the ``mnist1d`` package.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Class names where the dataset has them (``"setosa"``, ...).
    """
    if name == "mnist1d":
        return load_mnist1d()
    bunch = _SKLEARN_LOADERS[name]()
    return bunch.data, np.asarray(bunch.target_names)[bunch.target]


def load_mnist1d():
    """Generate MNIST-1D (5000 signals of length 40, ten classes) locally.

    ``mnist1d.data.make_dataset`` builds the data from its templates with
    the package's default arguments and fixed seed; ``get_dataset`` would
    download a pickle and write it to the working directory instead. Its own
    80/20 split is undone, so that the data are split like any other.

    Returns
    -------
    X : ndarray of shape (5000, 40)
    y : ndarray of shape (5000,)

    Raises
    ------
    CommandError
        If the ``mnist1d`` package is not installed, or fails to import.
    """
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as exc:
        if (exc.name or "").split(".")[0] == "mnist1d":
            raise CommandError(
                "dataset 'mnist1d' needs the mnist1d package: pip install mnist1d"
            ) from None
        raise CommandError(
            f"dataset 'mnist1d': the mnist1d package failed to import: {exc}"
        ) from None
    # make_dataset reseeds Python's and NumPy's global generators.
    with _global_random_state_kept():
        data = make_dataset(get_dataset_args())
    X = np.concatenate([data["x"], data["x_test"]])
    y = np.concatenate([data["y"], data["y_test"]])
    return X, y


@contextlib.contextmanager
def _global_random_state_kept():
    # The legacy global generator is what mnist1d reseeds, so it is the one kept.
    python_state = random.getstate()
    numpy_state = np.random.get_state()  # noqa: NPY002
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)  # noqa: NPY002


def load_csv(path, target, *, dropna=False):
    """Read a CSV file of numeric features and one column of class labels.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV file with a header row.
    target : str
        The column of class labels, of any type; every other column is a
        feature and must be numeric (or boolean).
    dropna : bool, default=False
        Drop the rows with a missing value; otherwise such rows are an error.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    notes : list of str
        What was done to the data, such as rows dropped.

    Raises
    ------
    CommandError
        If the file cannot be read, the target column is missing, a feature
        column is not numeric, or values are missing without ``dropna``.
    """
    path = Path(path)
    frame = _read_csv(path)
    if target not in frame.columns:
        raise CommandError(
            f"no column {target!r} in {path}; its columns are {_quoted(frame.columns)}"
        )
    features = frame.drop(columns=target)
    if features.shape[1] == 0:
        raise CommandError(f"{path} has no feature columns besides {target!r}")
    non_numeric = [
        name
        for name, dtype in features.dtypes.items()
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        )
    ]
    if non_numeric:
        raise CommandError(
            f"non-numeric feature columns: {_quoted(non_numeric)}; "
            "encode them as numbers first"
        )
    notes = []
    incomplete = frame.isna().any(axis=1)
    if incomplete.any():
        n_rows = int(incomplete.sum())
        columns = _quoted(frame.columns[frame.isna().any(axis=0)])
        if not dropna:
            raise CommandError(
                f"{n_rows} rows of {path} have missing values (in {columns}); "
                "fill them in, or pass --dropna to drop those rows"
            )
        frame, features = frame[~incomplete], features[~incomplete]
        notes.append(f"dropped {n_rows} rows with missing values (in {columns})")
    X = features.to_numpy(dtype=np.float64)
    y = frame[target].to_numpy()
    if type_of_target(y) == "continuous":
        raise CommandError(
            f"column {target!r} holds continuous numbers, not class labels; "
            "sksoc classifies: choose a column of labels"
        )
    return X, y, notes


def _read_csv(path):
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise CommandError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a directory, not a CSV file") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandError(f"cannot read {path}: it is not UTF-8 text") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CommandError(f"cannot read {path} as CSV: {exc}") from None


def check_labels(y):
    """At least two classes, each with enough samples to be split."""
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        raise CommandError(
            f"the labels hold a single class, {classes[0]!r}; a classifier "
            "needs at least 2"
        )
    if counts.min() < 2:
        label = classes[np.argmin(counts)]
        raise CommandError(
            f"class {label!r} has a single sample; every class needs at least 2 "
            "to appear in both the training and the test set"
        )


def split_by_class(X, y, *, seed):
    """Stratified 70/30 train/test split."""
    try:
        return train_test_split(
            X, y, test_size=TEST_SIZE, stratify=y, random_state=seed
        )
    except ValueError as exc:
        raise CommandError(f"cannot split the data 70/30 by class: {exc}") from None


def _count(n, noun):
    """``"1 class"``, ``"3 classes"``."""
    plural = noun + ("es" if noun.endswith("s") else "s")
    return f"{n} {noun if n == 1 else plural}"


def _quoted(names, limit=12):
    names = [repr(str(name)) for name in names]
    if len(names) > limit:
        names = [*names[:limit], f"... ({len(names) - limit} more)"]
    return ", ".join(names)


# -- models and scores -----------------------------------------------------------


def build_model(head, *, embedding_dim, epochs, seed):
    """The estimator of ``head`` on the shared MLP encoder, otherwise at defaults.

    Parameters
    ----------
    head : str
        A key of :data:`HEADS`.
    embedding_dim : int
        Size of the embedding.
    epochs : int or None
        ``max_epochs``; None keeps the estimator's default. Training still
        stops early when the loss stalls.
    seed : int
        ``random_state``.

    Returns
    -------
    estimator : sksoc classifier
    """
    params = {
        "hidden_layer_sizes": HIDDEN_LAYER_SIZES,
        "embedding_dim": embedding_dim,
        "random_state": seed,
    }
    if epochs is not None:
        params["max_epochs"] = epochs
    return HEADS[head](**params)


def fit_timed(head, model, split):
    """Fit ``model`` on the training part; return the seconds it took."""
    start = time.perf_counter()
    try:
        model.fit(split.X_train, split.y_train)
    except TrainingDivergedError as exc:
        raise CommandError(f"training {head} failed: {exc}", EXIT_FAILURE) from None
    return time.perf_counter() - start


def evaluate(model, X_test, y_test):
    """Test accuracy, log loss and the geometry of the test embedding.

    Parameters
    ----------
    model : fitted sksoc classifier
    X_test : ndarray of shape (n_samples, n_features)
    y_test : ndarray of shape (n_samples,)

    Returns
    -------
    scores : dict
        ``accuracy``, ``log_loss``, ``silhouette`` (euclidean, of
        ``model.transform(X_test)``), ``compactness`` and ``separability``
        (radians), both measured against ``model.class_embeddings_``, and
        ``epochs`` (``n_iter_``).
    """
    embedding = model.transform(X_test)
    # class_embeddings_ has a row per entry of classes_ (sorted, like
    # np.unique(y_test)); keep the rows of the classes in the test set.
    centers = model.class_embeddings_[np.isin(model.classes_, y_test)]
    n_labels = len(np.unique(y_test))
    return {
        "accuracy": accuracy_score(y_test, model.predict(X_test)),
        "log_loss": log_loss(
            y_test, model.predict_proba(X_test), labels=model.classes_
        ),
        # The silhouette is defined for 2 <= n_labels <= n_samples - 1.
        "silhouette": (
            silhouette_score(embedding, y_test)
            if n_labels < len(y_test)
            else float("nan")
        ),
        "compactness": intra_class_compactness(embedding, y_test, centers=centers),
        "separability": inter_class_separability(embedding, y_test, centers=centers),
        "epochs": model.n_iter_,
    }


class TrainingProgress:
    """One bar on stderr over the epoch budget of all the fits, or nothing.

    Each fit owns ``max_epochs`` steps of the bar; when it ends, early or
    not, the bar moves to the end of its share. The estimators report
    nothing while they train, so the bar moves once per fit and names the
    fit in progress.

    Parameters
    ----------
    fits : list of (str, int)
        A name and ``max_epochs`` for each fit, in order.
    enabled : bool
        Draw the bar; otherwise every method does nothing.
    """

    def __init__(self, fits, enabled):
        self._fits = list(fits)
        self._done = 0
        self._bar = tqdm(
            total=sum(epochs for _, epochs in self._fits),
            desc="starting",
            file=sys.stderr,
            disable=not enabled,
            leave=False,
            dynamic_ncols=True,
            bar_format="{desc} {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]",
        )

    def start(self, index):
        """Show that fit ``index`` is training."""
        name = self._fits[index][0]
        self._bar.set_description_str(
            f"training {name} ({index + 1}/{len(self._fits)})"
        )

    def finish(self, index):
        """Move the bar to the end of fit ``index``'s share."""
        self._done += self._fits[index][1]
        self._bar.update(self._done - self._bar.n)

    def close(self):
        self._bar.close()


def progress_enabled(args):
    """A bar when asked with --progress, or when stderr is a terminal."""
    if args.quiet:
        return False
    if args.progress is not None:
        return args.progress
    return sys.stderr.isatty()


def train_and_score(fits, split, args):
    """Fit each ``(name, model)`` of ``fits`` under one progress bar and score it.

    Returns
    -------
    rows : list of dict
        Per fit: its scores (see :func:`evaluate`) and ``fit_seconds``.
    """
    progress = TrainingProgress(
        [(name, model.max_epochs) for name, model in fits], progress_enabled(args)
    )
    rows = []
    try:
        warm_up([model for _, model in fits], split.X_train, split.y_train)
        for index, (name, model) in enumerate(fits):
            progress.start(index)
            seconds = fit_timed(name, model, split)
            progress.finish(index)
            scores = evaluate(model, split.X_test, split.y_test)
            rows.append({**scores, "fit_seconds": seconds})
    finally:
        progress.close()
    return rows


def warm_up(models, X, y):
    """Train a throw-away copy of each kind of model for an epoch on a few rows.

    A process's first torch optimizer imports ``torch._dynamo``, which takes
    seconds; without this, the first head's ``fit_seconds`` would include it.
    """
    rows = [np.flatnonzero(y == label)[0] for label in np.unique(y)]
    kinds = {type(model): model for model in models}
    for model in kinds.values():
        clone(model).set_params(max_epochs=1).fit(X[rows], y[rows])


def format_table(table):
    """The results as fixed-width text, a space between columns.

    Scores to 4 decimals and seconds to 1; the ``head`` column is
    left-aligned, the numbers right-aligned.
    """
    columns = []
    for name in table.columns:
        format_cell = _CELL_FORMATS.get(name, str)
        cells = [format_cell(value) for value in table[name]]
        width = max(len(name), *(len(cell) for cell in cells))
        align = str.ljust if name == "head" else str.rjust
        columns.append([align(cell, width) for cell in [name, *cells]])
    return "\n".join(" ".join(row).rstrip() for row in zip(*columns, strict=True))


def data_line(command, split):
    """First line of the output: the command, the dataset and its sizes."""
    return f"sksoc {command} on {split.name}: {split.describe()}"


def training_line(max_epochs, seed):
    return f"max_epochs {max_epochs} (stops when the loss stalls), seed {seed}"


# -- outputs ---------------------------------------------------------------------


def prepare_out_dir(out):
    """Create ``out`` and check that figures can be drawn, before any training."""
    if out is None:
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CommandError(
            "--out needs matplotlib: pip install 'sksoc[plot]'"
        ) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(
            f"cannot create the output directory {out}: {exc.strerror or exc}"
        ) from None


def write_table(out, stem, table, metadata):
    """Write ``<stem>.csv`` and ``<stem>.json`` (metadata and records).

    Returns
    -------
    paths : list of pathlib.Path
    """
    csv_path, json_path = out / f"{stem}.csv", out / f"{stem}.json"
    table.to_csv(csv_path, index=False)
    records = [
        {key: _json_value(value) for key, value in row.items()}
        for row in table.to_dict(orient="records")
    ]
    document = {"metadata": metadata, "results": records}
    json_path.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n")
    return [csv_path, json_path]


def _json_value(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _figure(**kwargs):
    """A matplotlib Figure outside pyplot: headless, and never left open."""
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def _save(fig, path):
    fig.savefig(path, dpi=_PNG_DPI)
    return path


def draw_compare_figures(out, models, split, table, seed):
    """Per head an embedding and a class-similarity PNG; one accuracy chart.

    Returns
    -------
    paths : list of pathlib.Path
    """
    from .plotting import ClassSimilarityDisplay, EmbeddingDisplay

    paths = []
    for head, model in models.items():
        fig = _figure()
        display = EmbeddingDisplay.from_estimator(
            model, split.X_test, split.y_test, random_state=seed, ax=fig.subplots()
        )
        display.ax_.set_title(
            f"{head} on the {split.name} test set\n{display.ax_.get_title()}"
        )
        paths.append(_save(fig, out / f"embedding_{head}.png"))

        side = max(4.8, 1.0 + 0.6 * split.n_classes)  # room for a value per cell
        fig = _figure(figsize=(side + 1.6, side))
        display = ClassSimilarityDisplay.from_estimator(
            model,
            include_values=split.n_classes <= _MAX_CLASSES_WITH_VALUES,
            ax=fig.subplots(),
        )
        display.ax_.set_title(f"{head}: {display.ax_.get_title()}")
        paths.append(_save(fig, out / f"similarity_{head}.png"))

    fig = _figure(figsize=(6.0, 1.5 + 0.5 * len(table)))
    ax = fig.subplots()
    bars = ax.barh(table["head"], table["accuracy"], color="tab:blue")
    ax.bar_label(bars, fmt="%.3f", padding=3)
    ax.invert_yaxis()
    ax.set(
        xlim=(0.0, 1.1),
        xlabel="test accuracy",
        title=f"Test accuracy on {split.name}",
    )
    paths.append(_save(fig, out / "accuracy.png"))
    return paths


def draw_sweep_figure(out, table, split):
    """``sweep.png``: SOC accuracy against the dimension, softmax as a line."""
    soc = table[table["head"] == "soc"]
    softmax = table[table["head"] == "softmax"].iloc[0]
    fig = _figure()
    ax = fig.subplots()
    ax.plot(soc["embedding_dim"], soc["accuracy"], marker="o", label="SOC")
    ax.axhline(
        softmax["accuracy"],
        color="gray",
        linestyle="--",
        label=f"softmax, one feature per class ({softmax['embedding_dim']})",
    )
    ax.set_xscale("log", base=2)
    ax.set_xticks(soc["embedding_dim"], labels=[str(d) for d in soc["embedding_dim"]])
    ax.minorticks_off()
    ax.set(
        ylim=(0.0, 1.02),
        xlabel="embedding dimension",
        ylabel="test accuracy",
        title=f"Accuracy against embedding size on {split.name}",
    )
    ax.legend(loc="lower right")
    return _save(fig, out / "sweep.png")


def note(args, message):
    """Print ``message`` on stderr, unless --quiet."""
    if not args.quiet:
        print(message, file=sys.stderr)


def report_written(args, out, paths):
    names = ", ".join(path.name for path in paths)
    note(args, f"wrote {out}: {names}")


# -- the commands ----------------------------------------------------------------


def run_compare(args):
    """``sksoc compare``: every head on one dataset, one table.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    exit_code : int
    """
    prepare_out_dir(args.out)
    split = load_split(args)
    for line in split.notes:
        note(args, line)
    models = {
        head: build_model(
            head, embedding_dim=args.embedding_dim, epochs=args.epochs, seed=args.seed
        )
        for head in args.heads
    }
    max_epochs = max(model.max_epochs for model in models.values())
    rows = train_and_score(list(models.items()), split, args)
    table = pd.DataFrame(
        [{"head": head, **row} for head, row in zip(models, rows, strict=True)]
    )

    print(data_line("compare", split))
    print(
        f"MLP encoder {HIDDEN_LAYER_SIZES} -> {args.embedding_dim}-d embedding, "
        f"{training_line(max_epochs, args.seed)}"
    )
    print()
    print(format_table(table))
    print()
    print(METRICS_LEGEND)

    if args.out is not None:
        metadata = {
            "command": "compare",
            **split.metadata(),
            "embedding_dim": args.embedding_dim,
            "hidden_layer_sizes": list(HIDDEN_LAYER_SIZES),
            "max_epochs": max_epochs,
            "seed": args.seed,
            "sksoc_version": __version__,
        }
        paths = write_table(args.out, "results", table, metadata)
        paths += draw_compare_figures(args.out, models, split, table, args.seed)
        report_written(args, args.out, paths)
    return EXIT_OK


def run_sweep(args):
    """``sksoc sweep``: SOC at each embedding size, softmax at one per class.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    exit_code : int
    """
    prepare_out_dir(args.out)
    split = load_split(args)
    for line in split.notes:
        note(args, line)
    runs = [("soc", dim) for dim in args.dims] + [("softmax", split.n_classes)]
    fits = [
        (
            f"{head} dim={dim}",
            build_model(head, embedding_dim=dim, epochs=args.epochs, seed=args.seed),
        )
        for head, dim in runs
    ]
    max_epochs = max(model.max_epochs for _, model in fits)
    rows = train_and_score(fits, split, args)
    table = pd.DataFrame(
        [
            {"head": head, "embedding_dim": dim}
            | {key: row[key] for key in _SWEEP_COLUMNS}
            for (head, dim), row in zip(runs, rows, strict=True)
        ]
    )

    dims = ",".join(str(dim) for dim in args.dims)
    print(data_line("sweep", split))
    print(
        f"SOC at embedding dims {dims} vs softmax at {split.n_classes}, one per class"
    )
    print(f"MLP encoder {HIDDEN_LAYER_SIZES}, {training_line(max_epochs, args.seed)}")
    print()
    print(format_table(table))

    if args.out is not None:
        metadata = {
            "command": "sweep",
            **split.metadata(),
            "dims": list(args.dims),
            "hidden_layer_sizes": list(HIDDEN_LAYER_SIZES),
            "max_epochs": max_epochs,
            "seed": args.seed,
            "sksoc_version": __version__,
        }
        paths = write_table(args.out, "sweep", table, metadata)
        paths.append(draw_sweep_figure(args.out, table, split))
        report_written(args, args.out, paths)
    return EXIT_OK


# -- the command line ------------------------------------------------------------


class _ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one-line :class:`CommandError`."""

    def error(self, message):
        raise CommandError(f"{message} (see '{self.prog} --help')")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected 0 to 2**32 - 1, got {value}")
    return value


def _dataset_name(text):
    if text not in DATASETS:
        raise argparse.ArgumentTypeError(
            f"unknown dataset {text!r}; choose from {', '.join(DATASETS)}, "
            "or pass --csv PATH --target COLUMN"
        )
    return text


def _head_names(text):
    heads = [name.strip() for name in text.split(",") if name.strip()]
    if not heads:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list from {','.join(HEADS)}"
        )
    unknown = [name for name in heads if name not in HEADS]
    if unknown:
        noun = "head" if len(unknown) == 1 else "heads"
        raise argparse.ArgumentTypeError(
            f"unknown {noun} {_quoted(unknown)}; choose from {', '.join(HEADS)}"
        )
    return tuple(dict.fromkeys(heads))


def _dims(text):
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("expected comma-separated sizes, like 1,2,5")
    return tuple(sorted({_positive_int(part) for part in parts}))


_TOP_DESCRIPTION = """\
Classification heads that are also embeddings, on real data, in one command.

sksoc trains a small neural network (an MLP encoder) whose last layer is an
embedding of the classes, with one of four heads:

  softmax  SoftmaxClassifier: a linear layer and cross-entropy (the baseline)
  soc      SOCClassifier: each class a unit-scale Gaussian with a learned mean
  fixed    FixedRandomClassifier: frozen random class vectors, cosine logits
  margin   MarginClassifier: learned class vectors with an ArcFace margin

Start with 'sksoc compare'; 'sksoc COMMAND --help' explains each command."""

_COMPARE_DESCRIPTION = """\
Train the heads on one dataset, with the same encoder and data: softmax
(SoftmaxClassifier), soc (SOCClassifier), fixed (FixedRandomClassifier) and
margin (MarginClassifier, ArcFace). Print one row per head:

  accuracy      share of test samples classified correctly
  log_loss      cross-entropy of the predicted probabilities on the test set
  silhouette    how tight and apart the classes are in the test embedding,
                -1 to 1 (euclidean distances)
  compactness   mean cosine between each test embedding and its class vector,
                -1 to 1
  separability  mean angle between the class vectors, in radians (1.571 is a
                right angle)
  epochs        epochs trained; training stops early when the loss stalls
  fit_seconds   training time, on one CPU thread

The data are split 70/30 by class (stratified) with --seed and standardised
on the training part; every head is otherwise at its defaults."""

_COMPARE_EPILOG = """\
examples:
  sksoc compare
  sksoc compare --dataset wine --heads softmax,soc --embedding-dim 2
  sksoc compare --csv flowers.csv --target species --out results/"""

_SWEEP_DESCRIPTION = """\
Accuracy against the size of the embedding: SOC is trained once per size in
--dims; softmax is trained once, with one feature per class (embedding size =
number of classes), the usual width of a classifier's last layer, and serves
as the reference line. SOC can place many classes in fewer dimensions than
there are classes; the sweep shows how few it needs on your data.

The data are split and scaled as in 'sksoc compare'."""

_SWEEP_EPILOG = """\
examples:
  sksoc sweep
  sksoc sweep --dataset mnist1d --dims 1,2,4,8 --out sweep/"""


def _add_data_options(parser):
    """Where the data come from: a built-in dataset or a CSV file."""
    data = parser.add_argument_group("data")
    source = data.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        type=_dataset_name,
        default="digits",
        metavar="NAME",
        help=(
            "a built-in dataset: digits (default; 8x8 images of digits), wine, "
            "breast_cancer, iris, or mnist1d (needs 'pip install mnist1d')"
        ),
    )
    source.add_argument(
        "--csv",
        type=Path,
        metavar="PATH",
        help=(
            "your own data: a CSV file with a header row, numeric feature "
            "columns and a column of class labels named by --target"
        ),
    )
    data.add_argument(
        "--target",
        metavar="COLUMN",
        help="with --csv: the column of class labels, of any type",
    )
    data.add_argument(
        "--dropna",
        action="store_true",
        help="with --csv: drop rows with missing values (by default an error)",
    )


def _add_training_and_output_options(parser):
    """The training budget, the seed, and what is written where."""
    training = parser.add_argument_group("training")
    training.add_argument(
        "--epochs",
        type=_positive_int,
        metavar="N",
        help=(
            "most epochs per fit (default: the estimators' max_epochs, 200); "
            "a fit stops earlier when its loss stalls"
        ),
    )
    training.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="seed of the split and of every model (default: 0)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=(
            "also write the table as CSV and JSON, and the figures as PNG, "
            "into DIR (created if needed; needs matplotlib)"
        ),
    )
    output.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    output.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print the results only: no progress bar, no notes",
    )


def build_parser():
    """The ``sksoc`` argument parser, with its ``compare`` and ``sweep`` commands.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _ArgumentParser(
        prog=PROG, description=_TOP_DESCRIPTION, formatter_class=formatter
    )
    parser.add_argument("--version", action="version", version=f"sksoc {__version__}")
    commands = parser.add_subparsers(
        dest="command", title="commands", metavar="COMMAND"
    )

    compare = commands.add_parser(
        "compare",
        help="train every head on one dataset and print a table (the main job)",
        description=_COMPARE_DESCRIPTION,
        epilog=_COMPARE_EPILOG,
        formatter_class=formatter,
    )
    _add_data_options(compare)
    models = compare.add_argument_group("models")
    models.add_argument(
        "--heads",
        type=_head_names,
        default=tuple(HEADS),
        metavar="LIST",
        help=f"comma-separated heads to train (default: {','.join(HEADS)})",
    )
    models.add_argument(
        "--embedding-dim",
        type=_positive_int,
        default=DEFAULT_EMBEDDING_DIM,
        metavar="D",
        help=(
            "size of the embedding, the encoder's output, for every head "
            f"(default: {DEFAULT_EMBEDDING_DIM})"
        ),
    )
    _add_training_and_output_options(compare)
    compare.set_defaults(run=run_compare)

    sweep = commands.add_parser(
        "sweep",
        help="SOC accuracy against the embedding size, with softmax as reference",
        description=_SWEEP_DESCRIPTION,
        epilog=_SWEEP_EPILOG,
        formatter_class=formatter,
    )
    _add_data_options(sweep)
    sweep.add_argument_group("models").add_argument(
        "--dims",
        type=_dims,
        default=DEFAULT_DIMS,
        metavar="LIST",
        help=(
            "comma-separated embedding sizes for SOC (default: "
            f"{','.join(str(dim) for dim in DEFAULT_DIMS)})"
        ),
    )
    _add_training_and_output_options(sweep)
    sweep.set_defaults(run=run_sweep)
    return parser


@contextlib.contextmanager
def _single_torch_thread():
    """Train on one CPU thread: several times faster for these small networks."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def main(argv=None):
    """Run the ``sksoc`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; None reads ``sys.argv``.

    Returns
    -------
    exit_code : int
        0 on success; 2 for a mistake in the command or its input (with a
        one-line message on stderr); 1 when training diverges, or when the
        reader of stdout stops early; 130 when interrupted.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # after printing --help or --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except CommandError as exc:
        return _report(exc)
    try:
        if args.command is None:
            raise CommandError(
                "choose a command: compare (the main job) or sweep "
                f"(see '{PROG} --help')"
            )
        with _single_torch_thread():
            return args.run(args)
    except CommandError as exc:
        return _report(exc)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout (such as `head`) has stopped reading. Point
        # stdout at devnull, so that flushing it at exit raises nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE


def _report(error):
    """Print a CommandError as one line on stderr; return its exit code."""
    message = " ".join(str(error).split())
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return error.exit_code
