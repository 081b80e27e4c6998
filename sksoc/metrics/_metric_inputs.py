"""Input checks shared by the embedding metrics."""

import numpy as np
from sklearn.utils import (
    assert_all_finite,
    check_array,
    check_consistent_length,
)

from .._compat import column_or_1d
from .._geometry import required_attribute


def check_embeddings_and_labels(X, labels):
    """Validate an embedding matrix and its labels.

    Returns ``X`` as a finite 2-D float64 array and ``labels`` as a 1-D array
    of the same length.
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    labels = column_or_1d(labels, warn=True, input_name="labels")
    check_consistent_length(X, labels)
    if labels.dtype.kind in "fc":
        assert_all_finite(labels, input_name="labels")
    return X, labels


def check_at_least_two_classes(n_classes, caller):
    if n_classes < 2:
        raise ValueError(
            f"Number of labels is {n_classes}. {caller} needs at least 2 classes."
        )


def check_option(value, name, options, caller):
    """Raise scikit-learn's kind of error for a string outside ``options``."""
    if not (isinstance(value, str) and value in options):
        listed = ", ".join(repr(option) for option in sorted(options))
        raise ValueError(
            f"The {name!r} parameter of {caller} must be a str among "
            f"{{{listed}}}. Got {value!r} instead."
        )


def rescaled(X):
    """``X`` divided by its largest magnitude (scale-free metrics stay exact)."""
    largest = np.abs(X).max() if X.size else 0.0
    return X / largest if largest > 0 else X


def embed(estimator, X, caller):
    """Embed ``X`` with ``estimator.transform`` and validate the result."""
    transform = required_attribute(
        estimator,
        "transform",
        caller,
        "a transformer, or a Pipeline ending in one, to embed X",
    )
    try:
        return check_array(transform(X), dtype=np.float64, input_name="embedding")
    except ValueError as exc:
        raise ValueError(
            f"{type(estimator).__name__}.transform(X) returned an invalid "
            f"embedding: {exc}"
        ) from exc
