"""Input checks shared by the embedding metrics."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils import (
    assert_all_finite,
    check_array,
    check_consistent_length,
    column_or_1d,
)


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


def encode_labels(labels):
    """Return the sorted distinct labels and each sample's position among them."""
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:
        raise TypeError(
            "labels must all be of one sortable type (all strings or all numbers); "
            f"got {labels.dtype} values that cannot be compared: {exc}"
        ) from exc
    return classes, codes.ravel()


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


def check_centers(
    centers,
    n_classes,
    n_features=None,
    *,
    name="centers",
    order="the order of np.unique(labels)",
):
    """Validate class centres, returned with shape (n_classes, K, n_features).

    A 2-D array (one centre per class) gets ``K = 1``. ``n_features=None``
    accepts any width.
    """
    centers = check_array(
        centers, dtype=np.float64, allow_nd=True, ensure_2d=False, input_name=name
    )
    if centers.ndim not in (2, 3):
        raise ValueError(
            f"{name} must have shape (n_classes, n_features) or "
            "(n_classes, n_subcenters, n_features); got an array of shape "
            f"{centers.shape}."
        )
    if centers.shape[0] != n_classes:
        raise ValueError(
            f"{name} has {centers.shape[0]} rows but there are {n_classes} "
            f"classes; expected one row per class, in {order}."
        )
    if n_features is not None and centers.shape[-1] != n_features:
        raise ValueError(
            f"{name} has {centers.shape[-1]} features but X has {n_features} features."
        )
    if centers.ndim == 2:
        centers = centers[:, np.newaxis, :]
    return centers


def unit_rows(A):
    """Scale the last axis of ``A`` to unit length; zero vectors stay zero.

    Each row is first divided by its largest magnitude, so that rows of any
    scale (1e-200 or 1e200) keep their direction: only an exact zero vector
    counts as zero.
    """
    shape = A.shape
    rows = A.reshape(-1, shape[-1])
    largest = np.abs(rows).max(axis=1, keepdims=True)
    rows = rows / np.where(largest > 0, largest, 1.0)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).reshape(shape)


def rescaled(X):
    """``X`` divided by its largest magnitude (scale-free metrics stay exact)."""
    largest = np.abs(X).max() if X.size else 0.0
    return X / largest if largest > 0 else X


def center_directions(centers):
    """One unit direction per class from centres of shape (n_classes, K, d).

    A class with sub-centres is represented by the mean of its unit sub-centres.
    """
    return unit_rows(unit_rows(centers).mean(axis=1))


def final_step(estimator):
    """The estimator that ends a (possibly nested) Pipeline, or ``estimator``."""
    while isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    return estimator


def get_attribute(estimator, name, caller, needs):
    if not hasattr(estimator, name):
        raise AttributeError(
            f"{type(estimator).__name__} has no attribute {name!r}; {caller} needs "
            f"{needs}."
        )
    return getattr(estimator, name)


def embed(estimator, X, caller):
    """Embed ``X`` with ``estimator.transform`` and validate the result."""
    transform = get_attribute(
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


def encode_as(values, classes, what):
    """Positions of ``values`` in ``classes``; every value must be a class."""
    order = np.argsort(classes, kind="stable")
    try:
        found = np.searchsorted(classes, values, sorter=order)
    except TypeError:  # values of mixed types, or of another type than the classes
        known = set(np.asarray(classes).tolist())
        positions = None
        unseen = np.array([value not in known for value in np.asarray(values).tolist()])
    else:
        positions = order[np.minimum(found, len(classes) - 1)]
        unseen = classes[positions] != values
    if np.any(unseen):
        raise ValueError(
            f"{what} contains labels not seen by the estimator: "
            f"{list(dict.fromkeys(np.asarray(values)[unseen].tolist()))}; its "
            "classes_ are "
            f"{np.asarray(classes).tolist()}."
        )
    return positions
