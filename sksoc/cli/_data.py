"""The data of a command: a built-in dataset or a user's CSV file, split.

Every dataset ends as a :class:`Split`: 70% of each class for training and
30% for testing. A built-in dataset is a numeric array, standardised on the
training part; a CSV file is a table (numbers, text, booleans, missing
values) that goes to the estimators as it is, for their ``preprocessor`` to
encode.
"""

import contextlib
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import type_of_target

from ._errors import CommandError, quoted

_SKLEARN_LOADERS = {
    "digits": datasets.load_digits,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "iris": datasets.load_iris,
}
DATASETS = (*_SKLEARN_LOADERS, "mnist1d")
TEST_SIZE = 0.3


@dataclass
class Split:
    """A labelled dataset split by class into train and test parts.

    ``X_train`` and ``X_test`` are standardised arrays for a built-in
    dataset, and DataFrames as read for a CSV file.
    """

    name: str
    X_train: np.ndarray | pd.DataFrame
    X_test: np.ndarray | pd.DataFrame
    y_train: np.ndarray
    y_test: np.ndarray
    notes: list = field(default_factory=list)

    @property
    def is_table(self):
        """Whether X is a DataFrame, which the estimators encode themselves."""
        return isinstance(self.X_train, pd.DataFrame)

    @property
    def n_features(self):
        return self.X_train.shape[1]

    @property
    def categorical_features(self):
        """Names of the columns the estimators read as categories (none for arrays)."""
        if not self.is_table:
            return []
        return feature_kinds(self.X_train)[1]

    @property
    def n_classes(self):
        return len(np.unique(self.y_train))

    def describe(self):
        """One line: the sizes of the parts, the features and the classes.

        The features are counted by kind when some are categorical:
        ``9 features (6 numeric, 3 categorical)``.
        """
        features = _count(self.n_features, "feature")
        n_categorical = len(self.categorical_features)
        if n_categorical:
            n_numeric = self.n_features - n_categorical
            features += f" ({n_numeric} numeric, {n_categorical} categorical)"
        return (
            f"{len(self.y_train)} train / {len(self.y_test)} test samples, "
            f"{features}, {_count(self.n_classes, 'class')}"
        )

    def metadata(self):
        return {
            "dataset": self.name,
            "n_train": len(self.y_train),
            "n_test": len(self.y_test),
            "n_features": self.n_features,
            "categorical_features": self.categorical_features,
            "n_classes": self.n_classes,
        }


def feature_kinds(frame):
    """The names of a table's numeric and categorical columns.

    As :class:`~sksoc.preprocessing.TabularPreprocessor` reads the columns
    of a CSV file: numbers are numeric; text, booleans and categories are
    categorical.

    Returns
    -------
    numeric, categorical : list of str
    """
    numeric, categorical = [], []
    for name, dtype in frame.dtypes.items():
        is_number = pd.api.types.is_numeric_dtype(dtype) and not (
            pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)
        )
        (numeric if is_number else categorical).append(str(name))
    return numeric, categorical


def load_split(args):
    """Load the dataset chosen on the command line and split it.

    Parameters
    ----------
    args : argparse.Namespace
        With ``dataset``, ``csv``, ``target``, ``dropna`` and ``seed``.

    Returns
    -------
    split : Split
        70% of each class for training and 30% for testing, drawn with
        ``args.seed``. For a built-in dataset, a StandardScaler fitted on
        the training part scales both; a CSV file's table is left as read.

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
    if not isinstance(X, pd.DataFrame):
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


def load_mnist1d(n_samples=None, seed=None):
    """Generate MNIST-1D (5000 signals of length 40, ten classes) locally.

    ``mnist1d.data.make_dataset`` builds the data from its templates with
    the package's default arguments and fixed seed; ``get_dataset`` would
    download a pickle and write it to the working directory instead. Its own
    80/20 split is undone, so that the data are split like any other.

    Parameters
    ----------
    n_samples : int, default=None
        Number of signals; None keeps the package's 5000.
    seed : int, default=None
        Seed of the package's generator; None keeps its own.

    Returns
    -------
    X : ndarray of shape (n_samples, 40)
    y : ndarray of shape (n_samples,)

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
    args = get_dataset_args()
    if n_samples is not None:
        args.num_samples = n_samples
    if seed is not None:
        args.seed = seed
    with _global_random_state_kept():
        data = make_dataset(args)
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
    """Read a CSV file of features and one column of class labels.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV file with a header row.
    target : str
        The column of class labels, of any type; every other column is a
        feature: numbers, text or booleans, with missing values or not.
    dropna : bool, default=False
        Drop the rows with a missing value, label or feature. Otherwise a
        missing label is an error, and missing features are kept for the
        estimators to encode.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_features)
        The feature columns as read.
    y : ndarray of shape (n_samples,)
    notes : list of str
        What was done to the data, such as rows dropped.

    Raises
    ------
    CommandError
        If the file cannot be read, the target column is missing or holds
        continuous numbers, labels are missing without ``dropna``, or a
        numeric column holds infinite values.
    """
    path = Path(path)
    frame = _read_csv(path)
    if target not in frame.columns:
        raise CommandError(
            f"no column {target!r} in {path}; its columns are {quoted(frame.columns)}"
        )
    if frame.columns.drop(target).empty:
        raise CommandError(f"{path} has no feature columns besides {target!r}")
    notes = []
    incomplete = frame.isna().any(axis=1)
    n_rows = int(incomplete.sum())
    columns = quoted(frame.columns[frame.isna().any(axis=0)])
    if dropna and n_rows:
        frame = frame[~incomplete]
        notes.append(f"dropped {n_rows} rows with missing values (in {columns})")
    elif n_rows:
        unlabelled = int(frame[target].isna().sum())
        if unlabelled:
            raise CommandError(
                f"{unlabelled} rows of {path} have no label in {target!r}; "
                "fill them in, or pass --dropna to drop the rows with missing values"
            )
        notes.append(
            f"kept {n_rows} rows with missing values (in {columns}), which the "
            "models handle; --dropna drops them"
        )
    X = frame.drop(columns=target)
    numeric = X[feature_kinds(X)[0]]
    infinite = numeric.columns[np.isinf(numeric.to_numpy(dtype=np.float64)).any(axis=0)]
    if len(infinite):
        raise CommandError(
            f"infinite values in {quoted(infinite)}; replace them by numbers, "
            "or leave the cells empty for missing values"
        )
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
