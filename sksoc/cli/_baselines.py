"""The reference rows of ``sksoc compare``: scikit-learn's own classifiers.

Two models a user would compare the heads against, on the same split:
gradient-boosted trees (``hgb``) and a plain multi-layer perceptron
(``mlp``). They are scored on the table's accuracy, log loss and
calibration; they have no embedding, so the embedding columns stay empty.
"""

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, log_loss
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .._labels import encode_labels
from ..metrics import top_label_calibration_error
from ._data import feature_kinds

REFERENCES = {
    "hgb": "HistGradientBoostingClassifier",
    "mlp": "MLPClassifier",
}
# HistGradientBoostingClassifier takes a categorical column of at most
# max_bins (255) levels.
_MAX_HGB_LEVELS = 255


def build_references(split, seed):
    """The reference models for ``split``'s data, seeded with ``seed``.

    ``hgb`` is :class:`~sklearn.ensemble.HistGradientBoostingClassifier`,
    with a table's text and boolean columns as pandas categories
    (``categorical_features="from_dtype"``); a column of more levels than it
    takes (255) becomes ordinal codes. ``mlp`` is
    :class:`~sklearn.neural_network.MLPClassifier` with ``early_stopping``,
    behind a standard scaling: for a table, numbers imputed by the median
    and standardised, the other columns imputed by the most frequent level
    and one-hot encoded (levels unseen in ``fit`` ignored). An array (a
    built-in dataset) is taken as it is.

    Returns
    -------
    references : list of (str, estimator)
        Keyed as :data:`REFERENCES`.
    """
    hgb = HistGradientBoostingClassifier(random_state=seed)
    mlp = MLPClassifier(early_stopping=True, random_state=seed)
    if not split.is_table:
        return [("hgb", hgb), ("mlp", make_pipeline(StandardScaler(), mlp))]
    numeric, categorical = feature_kinds(split.X_train)
    hgb.set_params(categorical_features="from_dtype")
    encode = []
    if numeric:
        numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
        encode.append(("numbers", numbers, numeric))
    if categorical:
        levels = make_pipeline(
            SimpleImputer(strategy="most_frequent"),
            OneHotEncoder(handle_unknown="ignore"),
        )
        encode.append(("categories", levels, categorical))
    return [
        ("hgb", make_pipeline(CategoricalColumns(categorical, as_category=True), hgb)),
        (
            "mlp",
            make_pipeline(
                CategoricalColumns(categorical), ColumnTransformer(encode), mlp
            ),
        ),
    ]


class CategoricalColumns(TransformerMixin, BaseEstimator):
    """A table's categorical columns as text, or as pandas categories.

    Booleans and text alike become strings, missing values NaN: the uniform
    input scikit-learn's imputers and encoders take.

    Parameters
    ----------
    columns : list of str
        The categorical columns; the others pass unchanged.
    as_category : bool, default=False
        Return the columns as pandas categories of the levels seen in
        ``fit`` (unseen levels become missing), for
        ``HistGradientBoostingClassifier(categorical_features="from_dtype")``;
        a column of more than 255 levels becomes its ordinal codes instead,
        a number (NaN where missing or unseen).
    """

    def __init__(self, columns=(), *, as_category=False):
        self.columns = columns
        self.as_category = as_category

    def fit(self, X, y=None):
        self.levels_ = {
            name: np.sort(pd.unique(_as_text(X[name]).dropna()).astype(str))
            for name in self.columns
        }
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = X.copy()
        for name, levels in self.levels_.items():
            text = _as_text(X[name])
            if not self.as_category:
                X[name] = text
                continue
            # Levels unseen in fit become missing values first.
            text = text.where(text.isin(levels))
            values = pd.Categorical(text, categories=levels)
            if len(levels) > _MAX_HGB_LEVELS:
                codes = values.codes.astype(np.float64)
                codes[codes < 0] = np.nan
                X[name] = codes
            else:
                X[name] = values
        return X


def _as_text(column):
    """A column's values as strings (an object Series), NaN where missing."""
    missing = column.isna()
    text = column.astype(object).map(str).astype(object)
    text[missing] = np.nan
    return text


def fit_and_score_reference(name, model, split):
    """Fit a reference model on the training part and score it on the test part.

    The fit runs on one thread, as the heads do; a fit that fails is
    reported, not raised.

    Returns
    -------
    row : dict or None
        ``accuracy``, ``log_loss``, ``ece`` and ``fit_seconds``; None if
        the model could not be trained.
    notes : list of str
        A failure, or a fit that stopped before it converged.
    """
    notes = []
    with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        # Integer codes for the labels: scikit-learn 1.6.0's MLPClassifier
        # with early stopping fails on string labels (fixed in 1.6.1).
        classes, codes = encode_labels(split.y_train)
        try:
            model.fit(split.X_train, codes)
        except ValueError as exc:
            message = " ".join(str(exc).split())
            return None, [f"reference {name} left out: it failed to train: {message}"]
        seconds = time.perf_counter() - start
        proba = model.predict_proba(split.X_test)
        predicted = classes[model.predict(split.X_test)]
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            notes.append(f"reference {name}: {' '.join(str(warning.message).split())}")
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    row = {
        "accuracy": accuracy_score(split.y_test, predicted),
        "log_loss": log_loss(split.y_test, proba, labels=classes),
        "ece": top_label_calibration_error(
            split.y_test, proba, labels=classes, n_bins=15
        ),
        "fit_seconds": seconds,
    }
    return row, notes
