"""Input checks of the estimators beyond scikit-learn's ``validate_data``."""

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp

MODULE_PREFIX = "module__"
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_module_param_names(estimator_name, params):
    """Extra estimator parameters must be encoder parameters, ``module__*``."""
    invalid = sorted(name for name in params if not name.startswith(MODULE_PREFIX))
    if invalid:
        raise TypeError(
            f"{estimator_name} got unexpected parameter(s) {invalid}; beyond its "
            "named parameters it takes only encoder parameters prefixed with "
            "'module__'."
        )


def check_hidden_layer_sizes(hidden_layer_sizes):
    """``hidden_layer_sizes`` as a tuple of positive ints, or a clear error."""
    sizes = np.atleast_1d(np.asarray(hidden_layer_sizes, dtype=object))
    if sizes.ndim != 1 or not all(
        isinstance(size, numbers.Integral) and not isinstance(size, bool) and size > 0
        for size in sizes
    ):
        raise ValueError(
            "hidden_layer_sizes must be a sequence of positive integers; got "
            f"{hidden_layer_sizes!r}."
        )
    return tuple(int(size) for size in sizes)


def non_numeric_columns(frame):
    """Names of the columns of a DataFrame that are neither numbers nor booleans."""
    return [
        str(name)
        for name, dtype in frame.dtypes.items()
        if not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        )
    ]


def check_dataframe_is_numeric(X):
    """A DataFrame X must hold numbers only; name the columns that do not."""
    if not isinstance(X, pd.DataFrame):
        return
    non_numeric = non_numeric_columns(X)
    if non_numeric:
        raise ValueError(
            f"X has non-numeric columns {non_numeric}; encode them first, for "
            "example with a OneHotEncoder in a ColumnTransformer."
        )


def check_float32_range(X):
    """float64 X must fit float32, in which the networks compute."""
    values = X.data if sp.issparse(X) else X
    if values.dtype == np.float64 and values.size:
        largest = max(values.max(), -values.min())
        if largest > _FLOAT32_MAX:
            raise ValueError(
                f"Input X contains values too large for float32 (largest magnitude "
                f"{largest:.3g} > {_FLOAT32_MAX:.3g}), in which sksoc computes. "
                "Rescale X, for example with a StandardScaler."
            )


def check_class_weight_dict(class_weight, classes):
    """Per-class weights, in the order of ``classes``, from a ``class_weight`` dict.

    Classes missing from the dict weigh 1, as in scikit-learn. Keys that are
    not classes, and negative or non-finite values, are a ValueError naming
    them.
    """
    known = set(classes.tolist())
    unknown = [key for key in class_weight if key not in known]
    if unknown:
        raise ValueError(
            f"class_weight has labels that are not classes of y: {unknown}; "
            f"the classes are {classes.tolist()}."
        )
    bad = {}
    for key, value in class_weight.items():
        number = value if isinstance(value, numbers.Real) else np.nan
        if isinstance(value, bool) or not np.isfinite(number) or number < 0:
            bad[key] = value
    if bad:
        raise ValueError(
            f"class_weight values must be finite, non-negative numbers; got {bad}."
        )
    return np.array([float(class_weight.get(label, 1.0)) for label in classes.tolist()])
