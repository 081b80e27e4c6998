"""The geometry of class embeddings, shared by the estimators, metrics and plots.

One name per concept:

- *class embeddings*: what a head compares a sample's embedding with, one
  row per class, or ``K`` rows per class with sub-centres; a fitted sksoc
  estimator holds them as ``class_embeddings_`` (an SOC head's class means,
  the fixed or learned class vectors of the other heads). Arrays of them have
  shape (n_classes, n_dims) or (n_classes, K, n_dims).
- *class directions*: one unit vector per class, the direction of the mean of
  a class's unit-length sub-centres (of its one class embedding, without
  sub-centres).
- *unit rows*: vectors along the last axis scaled to length one; a zero
  vector stays zero.
- *final step*: the estimator that ends a Pipeline, however deeply nested.

Labels and their codes are in :mod:`sksoc._labels`.

Nothing here imports the rest of sksoc but its compatibility layer, ``_compat``,
which imports no sksoc module.
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils import check_array


def final_step(estimator):
    """The estimator that ends a (possibly nested) Pipeline, or ``estimator``.

    Parameters
    ----------
    estimator : object
        Any estimator; a Pipeline whose last step may itself be a Pipeline.

    Returns
    -------
    step : object
        The innermost last step, or ``estimator`` itself if it is no Pipeline.
    """
    while isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    return estimator


def required_attribute(estimator, name, caller, needs):
    """``estimator.name``, or an AttributeError saying what ``caller`` needs."""
    if not hasattr(estimator, name):
        raise AttributeError(
            f"{type(estimator).__name__} has no attribute {name!r}; {caller} needs "
            f"{needs}."
        )
    return getattr(estimator, name)


def unit_rows(A):
    """Scale the last axis of ``A`` to unit length; zero vectors stay zero.

    Each row is first divided by its largest magnitude, so that rows of any
    scale (1e-200 or 1e200) keep their direction: only an exact zero vector
    counts as zero.

    Parameters
    ----------
    A : ndarray of shape (..., n_dims)
        Vectors along the last axis.

    Returns
    -------
    unit : ndarray of the shape of ``A``
        Float64 rows of length one, or zero.
    """
    A = np.asarray(A, dtype=np.float64)
    shape = A.shape
    rows = A.reshape(-1, shape[-1])
    largest = np.abs(rows).max(axis=1, keepdims=True) if rows.size else rows
    rows = rows / np.where(largest > 0, largest, 1.0)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms > 0, norms, 1.0)).reshape(shape)


def check_class_embeddings(
    class_embeddings,
    n_classes=None,
    n_dims=None,
    *,
    name="class_embeddings_",
    order="the order of classes_",
):
    """Validate class embeddings, returned with shape (n_classes, K, n_dims).

    A 2-D array (one embedding per class) gets ``K = 1``. ``n_classes=None``
    and ``n_dims=None`` accept any number of rows and any width.
    """
    class_embeddings = check_array(
        class_embeddings,
        dtype=np.float64,
        allow_nd=True,
        ensure_2d=False,
        input_name=name,
    )
    if class_embeddings.ndim not in (2, 3):
        raise ValueError(
            f"{name} must have shape (n_classes, n_features) or "
            "(n_classes, n_subcenters, n_features); got an array of shape "
            f"{class_embeddings.shape}."
        )
    if n_classes is not None and class_embeddings.shape[0] != n_classes:
        raise ValueError(
            f"{name} has {class_embeddings.shape[0]} rows but there are "
            f"{n_classes} classes; expected one row per class, in {order}."
        )
    if n_dims is not None and class_embeddings.shape[-1] != n_dims:
        raise ValueError(
            f"{name} has {class_embeddings.shape[-1]} features but X has "
            f"{n_dims} features."
        )
    if class_embeddings.ndim == 2:
        class_embeddings = class_embeddings[:, np.newaxis, :]
    return class_embeddings


def class_directions(class_embeddings):
    """One unit direction per class: the mean of its unit-length sub-centres.

    Parameters
    ----------
    class_embeddings : ndarray of shape (n_classes, n_dims) or \
            (n_classes, K, n_dims)
        Class embeddings, with or without sub-centres.

    Returns
    -------
    directions : ndarray of shape (n_classes, n_dims)
        Unit vectors; zero for a class whose (mean) embedding is zero.
    """
    class_embeddings = np.asarray(class_embeddings, dtype=np.float64)
    if class_embeddings.ndim == 3:
        class_embeddings = unit_rows(class_embeddings).mean(axis=1)
    return unit_rows(class_embeddings)


def class_cosine_similarity(class_embeddings):
    """Cosine similarity of each pair of class directions.

    Parameters
    ----------
    class_embeddings : ndarray of shape (n_classes, n_dims) or \
            (n_classes, K, n_dims)
        Class embeddings; with sub-centres, see :func:`class_directions`.

    Returns
    -------
    similarity : ndarray of shape (n_classes, n_classes)
        Exactly symmetric; 0 for any pair with a zero direction, itself
        included. Rounding may leave values up to a few ulps outside [-1, 1].
    """
    directions = class_directions(class_embeddings)
    similarity = directions @ directions.T
    # Equal, not merely close, values for (i, j) and (j, i): ties stay ties.
    return (similarity + similarity.T) / 2


def has_class_embeddings(estimator):
    """Whether the final step holds ``class_embeddings_`` and ``classes_``."""
    step = final_step(estimator)
    return hasattr(step, "class_embeddings_") and hasattr(step, "classes_")


def fitted_class_embeddings(estimator, caller):
    """The final step's validated ``class_embeddings_`` and its ``classes_``.

    Returns
    -------
    class_embeddings : ndarray of shape (n_classes, K, n_dims)
    classes : ndarray of shape (n_classes,)
    """
    step = final_step(estimator)
    class_embeddings = required_attribute(
        step,
        "class_embeddings_",
        caller,
        "class embeddings, as held by a fitted sksoc classifier (or a Pipeline "
        "ending in one)",
    )
    classes = np.asarray(
        required_attribute(step, "classes_", caller, "a fitted classifier")
    )
    return check_class_embeddings(class_embeddings, len(classes)), classes


def check_embedding_points(Z, embedding_dim, caller):
    """Points of an embedding space as a finite float array (n, embedding_dim).

    float32 stays float32; any other dtype gives float64.
    """
    Z = check_array(Z, dtype=(np.float64, np.float32), input_name="Z")
    if Z.shape[1] != embedding_dim:
        raise ValueError(
            f"Z has {Z.shape[1]} columns, but {caller} takes points of the "
            f"{embedding_dim}-dimensional embedding space (embedding_dim_="
            f"{embedding_dim}), as transform returns them."
        )
    return Z
