"""Tables as they come, turned into the numbers a network trains on.

:class:`TabularPreprocessor` takes a pandas DataFrame with numeric, boolean,
category and text columns and missing values (or a numeric array with NaN)
and returns one dense float32 matrix, in this order of columns:

1. every numeric column, scaled by scikit-learn's :class:`~sklearn.preprocessing.
   RobustScaler` (the median and the quartile range; half the range where the
   quartiles coincide, as RealMLP does) and clipped smoothly into about
   ``[-clip, clip]``; a missing value becomes 0, the median;
2. one indicator per numeric column that had missing values in ``fit``:
   1 where the value is missing, so the network is told, not misled;
3. one-hot codes of every categorical column: a slot for each of the
   ``max_categories`` most frequent levels, one for a missing value (when
   ``fit`` saw one) and one for every other level, rare or unseen in ``fit``.

A categorical column of more than ``max_categories`` levels (a zip code, an
identifier) is target encoded instead when ``fit`` is given y: each level
becomes the smoothed frequency of each class among its rows (scikit-learn's
:class:`~sklearn.preprocessing.TargetEncoder`), which joins the numbers of
item 1. The rows ``fit_transform`` encodes are cross-fitted, each from the
other rows' frequencies, so that a network trained on them does not learn
the labels through their own level.

The estimators of sksoc fit one in ``fit`` (their ``preprocessor``
parameter) and keep it, so a raw DataFrame needs no ``ColumnTransformer``
in front; it is also an ordinary scikit-learn transformer for a
``Pipeline``. Its fitted state is arrays and lists, which a model file
stores as data.
"""

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import RobustScaler, TargetEncoder
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from ._compat import Interval, StrOptions, fit_context, param_names
from ._labels import encode_labels

__all__ = ["TabularPreprocessor", "smooth_clip"]

# numpy dtype kinds read as numbers; "b" (bool) is a category of two levels.
_NUMERIC_KINDS = "iuf"
# Folds of the cross-fitted target encoding of the training rows, and the
# seed of their (fixed) assignment, which no ordering of the rows can bias.
_TARGET_FOLDS = 5
_TARGET_FOLD_SEED = 0


def smooth_clip(values, bound):
    """``x / sqrt(1 + (x / bound)**2)``: the identity near 0, ``±bound`` far out.

    Parameters
    ----------
    values : ndarray
    bound : float

    Returns
    -------
    clipped : ndarray of the shape of ``values``

    Examples
    --------
    >>> import numpy as np
    >>> smooth_clip(np.array([0.0, 1.0, 1e6]), 3.0).round(3)
    array([0.   , 0.949, 3.   ])
    """
    # hypot(1, t) is sqrt(1 + t**2) without overflow for huge t; an infinite
    # value (a finite one scaled past float64) goes to the bound.
    with np.errstate(over="ignore", invalid="ignore"):
        clipped = values / np.hypot(1.0, values / bound)
    return np.where(np.isinf(values), np.copysign(bound, values), clipped)


class TabularPreprocessor(TransformerMixin, BaseEstimator):
    """Encode a raw table of numbers, categories and missing values for a network.

    Numeric columns are scaled robustly and clipped smoothly, missing numbers
    are flagged by indicator columns, and categorical columns (text,
    ``category``, boolean) are one-hot encoded with a slot for missing values
    and one for rare and unseen levels. The output is a dense float32 matrix
    whose first :attr:`n_numeric_out_` columns are the scaled numbers (the
    columns a tabular encoder embeds one by one). Given y, a categorical
    column of more than ``max_categories`` levels is target encoded.

    Parameters
    ----------
    clip : float or None, default=3.0
        Scaled numbers pass through ``x / sqrt(1 + (x / clip)**2)``, which
        leaves small values nearly alone and bounds outliers by ``clip``
        (RealMLP's smooth clipping). None leaves them unbounded.
    max_categories : int, default=256
        Most levels one categorical column keeps a slot of its own: the most
        frequent ones (as HGB keeps up to 255 categories per column). The
        others share the "other" slot with levels unseen in ``fit``, so a
        column of 10,000 identifiers costs ``max_categories + 2`` columns.
        The user guide's tabular page measures 256 against 32.
    min_frequency : int, default=2
        A level seen fewer times in ``fit`` goes to the "other" slot.
    high_cardinality : {"target", "other"}, default="target"
        How a categorical column of more than ``max_categories`` levels is
        encoded. "target": by its levels' class frequencies, when ``fit``
        is given y (one column per class; one with two classes), cross-fitted
        in ``fit_transform``; missing values are a level of their own and a
        level unseen in ``fit`` gets the overall class frequencies. Without
        y, and with "other", the ``max_categories`` most frequent levels are
        one-hot encoded and the rest share the "other" slot. The user
        guide's tabular page measures both.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in ``fit``, when X was a DataFrame with string
        column names.
    numeric_columns_ : list of int
        Positions of the columns read as numbers, in output order.
    dropped_columns_ : list of int
        Positions of numeric columns that held no value at all in ``fit``;
        they are ignored.
    scaler_ : sklearn.preprocessing.RobustScaler
        The scaling of the numeric columns.
    missing_indicator_columns_ : list of int
        Positions (among ``numeric_columns_``) of the columns that had
        missing values in ``fit``, one indicator each.
    categorical_columns_ : list of int
        Positions of the one-hot encoded categorical columns.
    target_columns_ : list of int
        Positions of the target-encoded categorical columns.
    target_classes_ : ndarray
        The classes whose frequencies encode them: every class of y, or
        the second of two.
    target_levels_ : list of ndarray
        For each target-encoded column, its levels in ``fit``, as text.
    target_encodings_ : list of ndarray of shape (n_levels + 1, n_target_classes)
        For each target-encoded column, the encoding of each level of
        ``target_levels_`` and, last, of a missing value.
    target_prior_ : ndarray of shape (n_target_classes,)
        The class frequencies in ``fit``: the encoding of an unseen level.
    categories_ : list of ndarray
        For each categorical column, the levels with a slot of their own, as
        text, most frequent first.
    missing_categories_ : list of bool
        For each categorical column, whether ``fit`` saw missing values (and
        so the column has a slot for them).
    n_numeric_out_ : int
        Number of leading output columns that are scaled numbers: the numeric
        columns, then the target encodings.
    n_features_out_ : int
        Number of output columns.

    See Also
    --------
    sklearn.compose.ColumnTransformer : Assemble such an encoding by hand.
    sklearn.preprocessing.RobustScaler : The scaling of the numeric columns.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksoc.preprocessing import TabularPreprocessor
    >>> X = pd.DataFrame({"age": [23.0, np.nan, 41.0, 35.0],
    ...                   "city": ["Oslo", "Rome", None, "Oslo"]})
    >>> pre = TabularPreprocessor(min_frequency=1).fit(X)
    >>> pre.get_feature_names_out().tolist()
    ['age', 'age_missing', 'city_Oslo', 'city_Rome', 'city_missing', 'city_other']
    >>> pre.transform(pd.DataFrame({"age": [35.0], "city": ["Lima"]})).round(2)
    array([[0., 0., 0., 0., 0., 1.]], dtype=float32)
    """

    _parameter_constraints: dict = {
        "clip": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "max_categories": [Interval(numbers.Integral, 1, None, closed="left")],
        "min_frequency": [Interval(numbers.Integral, 1, None, closed="left")],
        "high_cardinality": [StrOptions({"target", "other"})],
    }

    def __init__(
        self,
        *,
        clip=3.0,
        max_categories=256,
        min_frequency=2,
        high_cardinality="target",
    ):
        self.clip = clip
        self.max_categories = max_categories
        self.min_frequency = min_frequency
        self.high_cardinality = high_cardinality

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the scaling, the missing-value columns and the levels from X.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Numbers, booleans, categories and text; missing values as NaN,
            None or ``pd.NA``.
        y : array-like of shape (n_samples,), default=None
            Class labels, for the target encoding of columns of more than
            ``max_categories`` levels; None encodes them one-hot.

        Returns
        -------
        self : object

        Raises
        ------
        ValueError
            Naming the column: an infinite value, a date or time column, or a
            column of values that are neither numbers nor text.
        """
        self._fit(X, y)
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit to X and encode it; the target encodings of X are cross-fitted.

        Each row's target encoding comes from the class frequencies of the
        rows outside its fold (one of five, fixed), so it does not hold
        the row's own label: this is what a model trains on. ``transform``
        encodes with the frequencies of every row of ``fit``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), default=None

        Returns
        -------
        X_out : ndarray of shape (n_samples, `n_features_out_`), float32
        """
        frame, target_values = self._fit(X, y)
        return self._encode(frame, target_values)

    def transform(self, X):
        """Encode X as in ``fit``: a dense float32 matrix.

        Columns of a DataFrame are matched by name, so their order may
        differ from ``fit``'s. Levels unseen in ``fit`` go to each column's
        "other" slot (or get the overall class frequencies, where target
        encoded); missing values in a numeric column without an indicator
        become its median.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, `n_features_in_`)

        Returns
        -------
        X_out : ndarray of shape (n_samples, `n_features_out_`), float32
        """
        check_is_fitted(self)
        return self._encode(self._as_frame(X, reset=False), None)

    def _fit(self, X, y):
        """Fit; X as a frame and its cross-fitted target encodings."""
        frame = self._as_frame(X, reset=True)
        if y is not None:
            y = column_or_1d(y, warn=True)
            check_consistent_length(frame, y)
        kinds = [_column_kind(frame, position) for position in range(frame.shape[1])]
        numeric = [p for p, kind in enumerate(kinds) if kind == "numeric"]
        texts = {
            p: _as_text(frame.iloc[:, p])
            for p, kind in enumerate(kinds)
            if kind == "categorical"
        }
        self.target_columns_ = (
            [
                p
                for p, (text, missing) in texts.items()
                if len(pd.unique(text[~missing])) > self.max_categories
            ]
            if y is not None and self.high_cardinality == "target"
            else []
        )
        self.categorical_columns_ = [p for p in texts if p not in self.target_columns_]
        target_values = self._fit_target_encoding(texts, y, frame.shape[0])
        values = _numbers(frame, numeric, self._column_names(frame))
        present = ~np.isnan(values)
        kept = present.any(axis=0)
        self.dropped_columns_ = [
            p for p, keep in zip(numeric, kept, strict=True) if not keep
        ]
        self.numeric_columns_ = [
            p for p, keep in zip(numeric, kept, strict=True) if keep
        ]
        values = values[:, kept]
        self.missing_indicator_columns_ = np.flatnonzero(
            ~present[:, kept].all(axis=0)
        ).tolist()
        values = np.hstack([values, target_values])
        self.scaler_ = RobustScaler().fit(values) if values.shape[1] else None
        if self.scaler_ is not None:
            _widen_zero_scales(self.scaler_, values)
        self.categories_ = []
        self.missing_categories_ = []
        for position in self.categorical_columns_:
            text, missing = texts[position]
            counts = pd.Series(text[~missing]).value_counts(sort=True)
            counts = counts[counts >= self.min_frequency]
            # Most frequent first; ties broken by the level's text, so that
            # the slots do not depend on the order of the rows.
            order = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            levels = [level for level, _ in order[: self.max_categories]]
            self.categories_.append(np.array(levels, dtype=object))
            self.missing_categories_.append(bool(missing.any()))
        self.n_numeric_out_ = values.shape[1]
        self.n_features_out_ = (
            self.n_numeric_out_
            + len(self.missing_indicator_columns_)
            + sum(
                len(levels) + 1 + missing
                for levels, missing in zip(
                    self.categories_, self.missing_categories_, strict=True
                )
            )
        )
        return frame, target_values

    def _fit_target_encoding(self, texts, y, n_rows):
        """Fit the target encodings; the training rows' ones, cross-fitted."""
        self.target_levels_ = []
        self.target_encodings_ = []
        if not self.target_columns_:
            self.target_classes_ = np.array([])
            self.target_prior_ = np.zeros(0)
            return np.zeros((n_rows, 0))
        classes, y_codes = encode_labels(y)
        # Two classes need the second's frequency only, as scikit-learn's
        # binary target encoding.
        encoded = np.arange(1, 2) if len(classes) == 2 else np.arange(len(classes))
        indicators = (y_codes[:, None] == encoded).astype(np.float64)
        self.target_classes_ = classes[encoded]
        self.target_prior_ = indicators.mean(axis=0)
        folds = (
            np.random.default_rng(_TARGET_FOLD_SEED).permutation(len(y_codes))
            % _TARGET_FOLDS
        )
        cross_fitted = []
        for position in self.target_columns_:
            levels, codes = _level_codes(*texts[position])
            self.target_levels_.append(levels)
            self.target_encodings_.append(
                _target_encodings(codes, indicators, len(levels) + 1)
            )
            cross_fitted.append(_cross_fitted_encodings(codes, indicators, folds))
        return np.hstack(cross_fitted)

    def _target_values(self, frame, names):
        """The target encodings of X's rows, from every row of ``fit``."""
        columns = [np.zeros((frame.shape[0], 0))]
        for position, levels, encodings in zip(
            self.target_columns_,
            self.target_levels_,
            self.target_encodings_,
            strict=True,
        ):
            codes, missing = _level_positions(frame, position, names, levels)
            codes[missing] = len(levels)
            # Code -1, a level unseen in fit, takes the last row: the prior.
            table = np.vstack([encodings, self.target_prior_])
            columns.append(table[codes])
        return np.hstack(columns)

    def _encode(self, frame, target_values):
        """The output matrix of ``frame``; ``target_values`` None looks them up."""
        names = self._column_names(frame)
        values = _numbers(frame, self.numeric_columns_, names)
        if target_values is None:
            target_values = self._target_values(frame, names)
        n_rows = frame.shape[0]
        out = np.zeros((n_rows, self.n_features_out_), dtype=np.float32)
        if self.n_numeric_out_:
            missing = np.isnan(values)
            with np.errstate(over="ignore"):
                scaled = self.scaler_.transform(np.hstack([values, target_values]))
            if self.clip is not None:
                scaled = smooth_clip(scaled, self.clip)
            scaled[:, : values.shape[1]][missing] = 0.0
            out[:, : self.n_numeric_out_] = scaled
            start = self.n_numeric_out_
            indicators = missing[:, self.missing_indicator_columns_]
            out[:, start : start + indicators.shape[1]] = indicators
        start = self.n_numeric_out_ + len(self.missing_indicator_columns_)
        rows = np.arange(n_rows)
        for position, levels, has_missing in zip(
            self.categorical_columns_,
            self.categories_,
            self.missing_categories_,
            strict=True,
        ):
            codes, missing = _level_positions(frame, position, names, levels)
            other = len(levels) + has_missing
            codes[codes < 0] = other
            if has_missing:
                codes[missing] = len(levels)
            else:
                codes[missing] = other
            out[rows, start + codes] = 1.0
            start += other + 1
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input column names; default ``feature_names_in_``, or ``x0``,
            ``x1``, ... when fit saw no names.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        if input_features is None:
            input_features = getattr(
                self,
                "feature_names_in_",
                [f"x{i}" for i in range(self.n_features_in_)],
            )
        numeric = [str(input_features[p]) for p in self.numeric_columns_]
        names = numeric + [
            f"{input_features[p]}_target_{label}"
            for p in self.target_columns_
            for label in self.target_classes_
        ]
        names += [f"{numeric[i]}_missing" for i in self.missing_indicator_columns_]
        for position, levels, has_missing in zip(
            self.categorical_columns_,
            self.categories_,
            self.missing_categories_,
            strict=True,
        ):
            column = str(input_features[position])
            names += [f"{column}_{level}" for level in levels]
            names += [f"{column}_missing"] * has_missing + [f"{column}_other"]
        return np.asarray(names, dtype=object)

    # -- input -------------------------------------------------------------------

    def _as_frame(self, X, *, reset):
        """X as a DataFrame with columns in ``fit``'s order, names checked."""
        if sp.issparse(X):
            raise TypeError(
                "TabularPreprocessor takes dense tables; a sparse matrix is "
                "already numeric: give it to the estimator with "
                "preprocessor=None, or densify it."
            )
        if isinstance(X, pd.DataFrame):
            if not reset:
                X = in_fitted_order(X, getattr(self, "feature_names_in_", None))
        else:
            # scikit-learn's own checks and messages: 2-d, not empty, real.
            X = check_array(
                X, dtype=None, ensure_all_finite=False, estimator=self, input_name="X"
            )
        validate_data(self, X, reset=reset, skip_check_array=True)
        if isinstance(X, pd.DataFrame):
            if X.shape[0] == 0 or X.shape[1] == 0:
                raise ValueError(
                    f"Found a DataFrame of shape {X.shape}; a table of at least "
                    "one row and one column is required."
                )
            return X
        return pd.DataFrame(X)

    # -- state as data ------------------------------------------------------------

    _FITTED = (
        "n_features_in_",
        "feature_names_in_",
        "numeric_columns_",
        "dropped_columns_",
        "missing_indicator_columns_",
        "categorical_columns_",
        "categories_",
        "missing_categories_",
        "target_columns_",
        "target_classes_",
        "target_levels_",
        "target_encodings_",
        "target_prior_",
        "n_numeric_out_",
        "n_features_out_",
    )
    # Set by fit only when X has string column names.
    _FITTED_OPTIONAL = ("feature_names_in_",)

    def get_state(self):
        """This fitted encoding as data: parameters, arrays, lists and numbers.

        :meth:`from_state` rebuilds it; a model file stores it without
        pickle.

        Returns
        -------
        state : dict
        """
        check_is_fitted(self)
        state = {"params": self.get_params(deep=False)}
        state.update(
            (name, getattr(self, name)) for name in self._FITTED if hasattr(self, name)
        )
        if self.scaler_ is not None:
            state["center"] = self.scaler_.center_
            state["scale"] = self.scaler_.scale_
        return state

    @classmethod
    def from_state(cls, state):
        """The fitted preprocessor :meth:`get_state` described.

        Parameters
        ----------
        state : dict

        Returns
        -------
        preprocessor : TabularPreprocessor
        """
        state = dict(state)
        preprocessor = cls._from_params(state.pop("params"))
        center, scale = state.pop("center", None), state.pop("scale", None)
        unknown = set(state) - set(cls._FITTED)
        if unknown:
            raise ValueError(f"unknown preprocessor attributes {sorted(unknown)}")
        missing = [
            name
            for name in cls._FITTED
            if name not in state and name not in cls._FITTED_OPTIONAL
        ]
        if missing:
            raise ValueError(f"the preprocessor's state lacks the attributes {missing}")
        for name, value in state.items():
            setattr(preprocessor, name, value)
        preprocessor.scaler_ = None
        if center is not None:
            scaler = RobustScaler()
            scaler.center_ = np.asarray(center, dtype=np.float64)
            scaler.scale_ = np.asarray(scale, dtype=np.float64)
            scaler.n_features_in_ = len(scaler.center_)
            preprocessor.scaler_ = scaler
        return preprocessor

    @classmethod
    def _from_params(cls, params):
        """An unfitted preprocessor of a state's ``params``, which name every one."""
        missing = sorted(set(param_names(cls)) - set(params))
        if missing:
            raise ValueError(f"the preprocessor's state lacks the parameters {missing}")
        return cls(**params)

    def _column_names(self, frame):
        names = getattr(self, "feature_names_in_", None)
        return list(frame.columns) if names is None else list(names)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        # The output is float32, the network's dtype, whatever the input.
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def in_fitted_order(frame, names):
    """``frame``'s columns in ``names``' order; an error naming any mismatch."""
    if names is None or list(frame.columns) == list(names):
        return frame
    columns = [str(c) for c in frame.columns]
    missing = [name for name in names if name not in columns]
    unexpected = [name for name in columns if name not in set(names)]
    if missing or unexpected or len(columns) != len(names):
        raise ValueError(
            "X's columns (feature names) differ from those seen in fit: "
            + "; ".join(
                part
                for part in (
                    f"missing {missing}" if missing else "",
                    f"not seen in fit {unexpected}" if unexpected else "",
                )
                if part
            )
            + ". Give the columns fit saw (their order may differ)."
        )
    return frame[list(names)]


def _column_kind(frame, position):
    """ "numeric" or "categorical"; an error naming a column that is neither."""
    column = frame.iloc[:, position]
    dtype = column.dtype
    name = frame.columns[position]
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(
        dtype, pd.CategoricalDtype
    ):
        if pd.api.types.is_complex_dtype(dtype):
            raise ValueError(f"Column {name!r} holds complex numbers; give reals.")
        return "numeric"
    _check_not_temporal(column, name)
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        if isinstance(dtype, np.dtype) and dtype.kind == "O":
            return _object_kind(column, name)
        return "categorical"
    raise ValueError(f"Column {name!r} has dtype {dtype}, neither numbers nor text.")


def _check_not_temporal(column, name):
    """A date or time column is an error naming it, at fit and at transform."""
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(
        dtype
    ):
        raise ValueError(
            f"Column {name!r} holds dates or times ({dtype}); turn it into numbers "
            "first, for example its year, day of week or seconds since a date."
        )


def _object_kind(column, name):
    """An object column: numbers if every value present is a number, else text."""
    present = column[column.notna()]
    kinds = {_value_kind(value) for value in present}
    if None in kinds:
        bad = next(value for value in present if _value_kind(value) is None)
        raise TypeError(
            f"Column {name!r} holds a {type(bad).__name__} ({bad!r}); a column "
            "may hold numbers, booleans or text."
        )
    return "numeric" if kinds == {"number"} else "categorical"


def _value_kind(value):
    """ "number" or "text" (a boolean is a level); None for any other object."""
    if isinstance(value, (bool, np.bool_, str)):
        return "text"
    if isinstance(value, (numbers.Real, np.number)):
        return "number"
    return None


def _numbers(frame, positions, names):
    """The columns at ``positions`` as float64, NaN where missing."""
    values = np.empty((frame.shape[0], len(positions)), dtype=np.float64)
    for index, position in enumerate(positions):
        column = frame.iloc[:, position]
        _check_not_temporal(column, names[position])
        try:
            values[:, index] = pd.to_numeric(column, errors="raise").astype("float64")
        except (TypeError, ValueError):
            raise ValueError(
                f"Column {names[position]!r} held numbers in fit but holds values "
                f"that are not numbers now, such as {_first_non_number(column)!r}."
            ) from None
        if np.isinf(values[:, index]).any():
            raise ValueError(
                f"Column {names[position]!r} holds infinite values; replace them "
                "(by NaN for missing, or by a large finite number)."
            )
    return values


def _first_non_number(column):
    for value in column:
        if _value_kind(value) != "number" and not pd.isna(value):
            return value
    return None


def _as_text(column):
    """A column's values as text (an object array) and a mask of missing ones."""
    missing = column.isna().to_numpy(dtype=bool)
    text = column.astype(object).to_numpy().copy()
    text[missing] = ""
    text = np.array([str(value) for value in text], dtype=object)
    return text, missing


def _level_positions(frame, position, names, levels):
    """Each row's position in ``levels`` (-1 if absent), and a missing mask."""
    column = frame.iloc[:, position]
    _check_not_temporal(column, names[position])
    text, missing = _as_text(column)
    return pd.Index(levels, dtype=object).get_indexer(text), missing


def _level_codes(text, missing):
    """The levels of a column seen in fit, and each row's code: missing is last."""
    codes, levels = pd.factorize(text[~missing])
    all_codes = np.full(len(text), len(levels), dtype=np.intp)
    all_codes[~missing] = codes
    return np.asarray(levels, dtype=object), all_codes


def _target_encodings(codes, indicators, n_codes):
    """Each code's encoding, one column per class, by scikit-learn's TargetEncoder.

    Each class's frequency is encoded as a continuous target, its 0/1
    indicator: the same smoothed means as the multiclass encoding, and
    defined where some class is absent from the rows. A code absent from
    ``codes`` gets the overall frequency.
    """
    table = np.tile(indicators.mean(axis=0), (n_codes, 1))
    for k in range(indicators.shape[1]):
        encoder = TargetEncoder(target_type="continuous").fit(
            codes[:, None], indicators[:, k]
        )
        table[encoder.categories_[0], k] = encoder.encodings_[0]
    return table


def _cross_fitted_encodings(codes, indicators, folds):
    """Each row's encoding from the rows of the other folds."""
    out = np.empty((len(codes), indicators.shape[1]))
    for fold in np.unique(folds):
        held_out = folds == fold
        table = _target_encodings(
            codes[~held_out], indicators[~held_out], int(codes.max()) + 1
        )
        out[held_out] = table[codes[held_out]]
    return out


def _widen_zero_scales(scaler, values):
    """Half the range where a column's quartiles coincide (RealMLP's fallback).

    RobustScaler leaves such columns unscaled (scale 1), which lets a column
    that is mostly one value and sometimes far from it reach the clip.
    """
    zero = scaler.scale_ == 1.0
    if not zero.any():
        return
    # Halved first: the range of float64 values may not be a float64.
    half_range = np.nanmax(values, axis=0) / 2.0 - np.nanmin(values, axis=0) / 2.0
    half_range = np.where(half_range > 0, half_range, 1.0)
    quartiles = np.nanquantile(values, [0.25, 0.75], axis=0)
    coincide = zero & (quartiles[1] == quartiles[0])
    scaler.scale_ = np.where(coincide, half_range, scaler.scale_)
