"""X as the network's input: scikit-learn's checks, then the preprocessor.

Every training path (``fit``, ``partial_fit``, ``add_classes`` and each rank
of a data-parallel ``fit``) takes its rows through :func:`training_input`,
and every prediction through :func:`prediction_input`. Without a
preprocessor, X must be numeric and is checked by scikit-learn's
``validate_data``; with one (a :class:`~sksoc.preprocessing.TabularPreprocessor`
by default for tables), X's columns are put in fit's order and encoded.
Both record ``n_features_in_`` and ``feature_names_in_`` as scikit-learn
does, and return a float matrix whose values fit in float32.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.utils import assert_all_finite, check_consistent_length
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, validate_data

from ._compat import column_or_1d
from ._validation import check_dataframe_is_numeric, check_float32_range
from .preprocessing import TabularPreprocessor, in_fitted_order


def training_input(estimator, X, y, *, reset):
    """X as the network's float matrix, and y, checked.

    With ``reset`` (``fit``, a first ``partial_fit``) the input encoding is
    learned from these rows and kept as ``estimator.preprocessor_``.

    Returns
    -------
    X : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_inputs)
    y : ndarray of shape (n_samples,)
    """
    if reset:
        estimator.preprocessor_ = _resolved_preprocessor(estimator.preprocessor, X)
    preprocessor = estimator.preprocessor_
    if preprocessor is None:
        X, y = _numeric(estimator, X, y, reset=reset)
        check_classification_targets(y)
        return X, y
    X = _table(estimator, X, reset=reset)
    y = column_or_1d(y, warn=True)
    check_consistent_length(X, y)
    if y.dtype.kind == "f":
        assert_all_finite(y, input_name="y")
    check_classification_targets(y)
    # Fitted with y, for the target encoding of many-level columns, whose
    # training rows fit_transform cross-fits.
    if reset:
        return preprocessor.fit_transform(X, y), y
    return preprocessor.transform(X), y


def prediction_input(estimator, X):
    """X as the network's float matrix, encoded as in fit."""
    if estimator.preprocessor_ is None:
        return _numeric(estimator, X, reset=False)
    return estimator.preprocessor_.transform(_table(estimator, X, reset=False))


def _numeric(estimator, X, *y, reset):
    """X (and y, if given) as scikit-learn validates them; X within float32."""
    check_dataframe_is_numeric(X)
    checked = validate_data(
        estimator,
        X,
        *y,
        reset=reset,
        accept_sparse="csr",
        dtype=(np.float64, np.float32),
    )
    check_float32_range(checked[0] if y else checked)
    return checked


def _resolved_preprocessor(preprocessor, X):
    """A fresh, unfitted ``preprocessor_`` for X; None to use X as it is.

    "auto" encodes a DataFrame, and an array holding text or missing values,
    with a :class:`TabularPreprocessor`; a numeric array without missing
    values, or a sparse matrix, goes to the network as it is.
    """
    if preprocessor is None:
        return None
    if not isinstance(preprocessor, str):
        return clone(preprocessor)
    if isinstance(X, pd.DataFrame) or _needs_encoding(X):
        return TabularPreprocessor()
    return None


def _needs_encoding(X):
    """Whether array-like X holds text or missing values (not a sparse matrix)."""
    if sp.issparse(X):
        return False
    array = np.asarray(X)
    if array.dtype.kind not in "biuf":
        return True
    return array.dtype.kind == "f" and bool(np.isnan(array).any())


def _table(estimator, X, *, reset):
    """X with its columns in fit's order; feature names and count checked."""
    if sp.issparse(X):
        X = X.toarray()
    if isinstance(X, pd.DataFrame):
        if not reset:
            X = in_fitted_order(X, getattr(estimator, "feature_names_in_", None))
    else:
        # scikit-learn's checks and messages: 2-d, not empty, real.
        X = check_array(X, dtype=None, ensure_all_finite=False, estimator=estimator)
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    return X
