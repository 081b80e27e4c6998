"""How classes sit in an embedding: compactness, separation and confusions.

These are the measures of Shalev et al., "Redesigning the Classification Layer
by Randomizing the Class Representation Vectors" (2020).
"""

from itertools import pairwise

import numpy as np
from sklearn.utils import check_consistent_length, column_or_1d

from .._compat import spearman_correlation
from .._geometry import (
    check_class_embeddings,
    class_cosine_similarity,
    class_directions,
    fitted_class_embeddings,
    required_attribute,
    unit_rows,
)
from .._labels import encode_as, encode_labels
from ._metric_inputs import (
    check_at_least_two_classes,
    check_embeddings_and_labels,
    check_option,
)


def intra_class_compactness(X, labels, *, class_embeddings=None):
    """Mean cosine similarity between each sample and its class centre.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Embeddings, one row per sample.

    labels : array-like of shape (n_samples,)
        Class of each sample.

    class_embeddings : array-like of shape (n_classes, n_features) or \
            (n_classes, n_subcenters, n_features), default=None
        The class embeddings of a fitted estimator (its
        ``class_embeddings_``, against which [1]_ measures compactness), or
        any centre per class; one row per class, in the order of
        ``np.unique(labels)``. With sub-centres, a sample's similarity to its
        class is the largest over the class's sub-centres. ``None`` uses each
        class's centroid (the mean of its samples).

    Returns
    -------
    compactness : float
        In [-1, 1]; higher means samples point closer to their class centre.

    Raises
    ------
    ValueError
        If there are fewer than 2 classes, or if ``class_embeddings`` is None and a
        class has a single sample: a sample is its own centroid, so its
        similarity would be 1 by construction.

    See Also
    --------
    inter_class_separability : Angles between class centres.
    silhouette_score : Compactness and separation from pairwise distances.

    Notes
    -----
    The cosine similarity involving a zero vector (a sample, a centre or a
    centroid) is taken as 0.

    References
    ----------
    .. [1] G. Shalev, G.-L. Shalev and J. Keshet, "Redesigning the
       Classification Layer by Randomizing the Class Representation
       Vectors", arXiv:2011.08704, 2020.

    Examples
    --------
    Class "a" has centroid (1, 1), at 45 degrees from both of its samples;
    class "b" points along its centroid:

    >>> from sksoc.metrics import intra_class_compactness
    >>> X = [[2.0, 0.0], [0.0, 2.0], [-1.0, 0.0], [-3.0, 0.0]]
    >>> labels = ["a", "a", "b", "b"]
    >>> intra_class_compactness(X, labels)
    0.8535...
    >>> (2 * 0.5**0.5 + 2 * 1.0) / 4
    0.8535...

    Against given class embeddings instead, (0, 2) is orthogonal to its own:

    >>> intra_class_compactness(X, labels, class_embeddings=[[1.0, 0.0], [-1.0, 0.0]])
    0.75
    """
    X, labels = check_embeddings_and_labels(X, labels)
    classes, codes = encode_labels(labels)
    check_at_least_two_classes(len(classes), "intra_class_compactness")
    if class_embeddings is None:
        check_no_single_sample_class(codes, classes, "intra_class_compactness")
    class_embeddings = class_embeddings_or_centroids(
        X, codes, classes, class_embeddings
    )
    return float(np.mean(own_class_cosines(X, codes, class_embeddings)))


def inter_class_separability(X, labels, *, class_embeddings=None, reduce="mean"):
    """Angle, in radians, between class centres.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Embeddings, one row per sample.

    labels : array-like of shape (n_samples,)
        Class of each sample.

    class_embeddings : array-like of shape (n_classes, n_features) or \
            (n_classes, n_subcenters, n_features), default=None
        The class embeddings of a fitted estimator (its
        ``class_embeddings_``), or any centre per class; one row per class,
        in the order of ``np.unique(labels)``. A class with sub-centres is
        represented by the mean of its unit-normalised sub-centres. ``None``
        uses each class's centroid (the mean of its samples).

    reduce : {"mean", "min"}, default="mean"
        ``"mean"`` averages the angle over all pairs of distinct classes;
        ``"min"`` returns the angle of the closest pair.

    Returns
    -------
    separability : float
        Angle in radians, in [0, pi]; higher means better separated classes.
        Radians are the unit of the margins of the ArcFace-style heads.

    Raises
    ------
    ValueError
        If there are fewer than 2 classes.

    See Also
    --------
    intra_class_compactness : Cosine similarity of samples to their class.
    silhouette_score : Compactness and separation from pairwise distances.

    Notes
    -----
    A zero centre is taken to be at a right angle (pi / 2) to every other.

    References
    ----------
    .. [1] G. Shalev, G.-L. Shalev and J. Keshet, "Redesigning the
       Classification Layer by Randomizing the Class Representation
       Vectors", arXiv:2011.08704, 2020.

    Examples
    --------
    Three class embeddings at right angles, 180 degrees and right angles:

    >>> import numpy as np
    >>> from sksoc.metrics import inter_class_separability
    >>> W = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]
    >>> X, labels = [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]], [0, 1, 2]
    >>> inter_class_separability(X, labels, class_embeddings=W)
    2.0943...
    >>> (np.pi / 2 + np.pi + np.pi / 2) / 3
    2.0943...
    >>> inter_class_separability(X, labels, class_embeddings=W, reduce="min")
    1.5707...
    """
    check_option(reduce, "reduce", {"mean", "min"}, "inter_class_separability")
    X, labels = check_embeddings_and_labels(X, labels)
    classes, codes = encode_labels(labels)
    check_at_least_two_classes(len(classes), "inter_class_separability")
    class_embeddings = class_embeddings_or_centroids(
        X, codes, classes, class_embeddings
    )
    angles = direction_angles(class_directions(class_embeddings))
    pairs = angles[np.triu_indices(len(classes), k=1)]
    return float(pairs.mean() if reduce == "mean" else pairs.min())


def similarity_confusion_correlation(estimator, X, y):
    """Spearman correlation between class-embedding similarity and confusion.

    Over all ordered pairs of distinct classes ``(i, j)``, correlates the
    cosine similarity of the class embeddings ``w_i`` and ``w_j`` with how often
    a sample of class ``i`` is predicted as class ``j``. A positive value
    means the classifier confuses the classes whose vectors are close, as
    found for learned class embeddings (class vectors) in [1]_.

    Parameters
    ----------
    estimator : object
        A fitted classifier with ``classes_``, ``predict`` and
        ``class_embeddings_`` of shape (n_classes, n_features) or
        (n_classes, n_subcenters, n_features), rows ordered like
        ``classes_``; or a Pipeline ending in one, however nested (its
        final step gives the class embeddings, the whole pipeline
        predicts). A class with
        sub-centres is represented by the mean of its unit-normalised
        sub-centres.

    X : array-like
        Input of ``estimator.predict``.

    y : array-like of shape (n_samples,)
        True labels, all among ``estimator.classes_``.

    Returns
    -------
    correlation : float
        Spearman's rank correlation, in [-1, 1]. NaN, without a warning,
        when it is undefined: when every pair has the same similarity, or
        the same confusion rate (for instance, no mistakes at all).

    Raises
    ------
    AttributeError
        If the estimator (or a Pipeline's last step) has no
        ``class_embeddings_``, or no ``predict``.

    See Also
    --------
    inter_class_separability : Angles between class centres.
    embedding_report : All the metrics for each class.

    Notes
    -----
    The confusion of ``(i, j)`` is the fraction of the samples of class ``i``
    predicted as ``j``. On balanced classes this ranks the pairs exactly
    like the raw counts used in [1]_, and it keeps a frequent class from
    dominating otherwise. Classes absent from ``y`` are left out as ``i``.

    References
    ----------
    .. [1] G. Shalev, G.-L. Shalev and J. Keshet, "Redesigning the
       Classification Layer by Randomizing the Class Representation
       Vectors", arXiv:2011.08704, 2020.

    Examples
    --------
    Classes 0 and 1 have close vectors (cosine 0.6), class 2 is opposite to
    class 0 (cosine -1) and away from class 1 (cosine -0.6). The classifier
    mistakes half of class 0 for 1 and back, and nothing else. The two most
    similar pairs are the two confused ones; the Spearman correlation of the
    six ordered pairs is sqrt(3) / 2:

    >>> from types import SimpleNamespace
    >>> import numpy as np
    >>> from sksoc.metrics import similarity_confusion_correlation
    >>> predictions = np.array([0, 1, 1, 0, 2, 2])
    >>> clf = SimpleNamespace(
    ...     classes_=np.array([0, 1, 2]),
    ...     class_embeddings_=np.array([[1.0, 0.0], [0.6, 0.8], [-1.0, 0.0]]),
    ...     predict=lambda X: predictions[np.ravel(X)],
    ... )
    >>> X, y = np.arange(6).reshape(-1, 1), [0, 0, 1, 1, 2, 2]
    >>> similarity_confusion_correlation(clf, X, y)
    0.8660...
    """
    caller = "similarity_confusion_correlation"
    class_embeddings, classes = fitted_class_embeddings(estimator, caller)
    predict = required_attribute(estimator, "predict", caller, "a fitted classifier")
    y = column_or_1d(y, warn=True)
    check_consistent_length(X, y)
    return confusion_correlation(class_embeddings, classes, y, predict(X), caller)


def confusion_correlation(class_embeddings, classes, y, y_pred, caller):
    """Spearman correlation of class-embedding similarity and confusion rate.

    ``class_embeddings`` has shape (n_classes, K, d), rows ordered like
    ``classes``.
    """
    n_classes = len(classes)
    check_at_least_two_classes(n_classes, caller)
    true = encode_as(y, classes, "y")
    predicted = encode_as(column_or_1d(y_pred), classes, "The prediction")
    counts = np.bincount(
        true * n_classes + predicted, minlength=n_classes * n_classes
    ).reshape(n_classes, n_classes)
    support = counts.sum(axis=1, keepdims=True)
    rates = counts / np.maximum(support, 1)
    similarities = class_cosine_similarity(class_embeddings)

    pairs = ~np.eye(n_classes, dtype=bool) & (support > 0)
    similarities, rates = similarities[pairs], rates[pairs]
    if similarities.size < 2 or np.ptp(similarities) == 0 or np.ptp(rates) == 0:
        return float("nan")
    return float(spearman_correlation(similarities, rates))


def class_embeddings_or_centroids(X, codes, classes, class_embeddings):
    """Validated class embeddings of shape (n_classes, K, d), or the centroids.

    ``None`` gives the class centroids of ``X``, with ``K = 1``.
    """
    if class_embeddings is not None:
        return check_class_embeddings(
            class_embeddings,
            len(classes),
            X.shape[1],
            name="class_embeddings",
            order="the order of np.unique(labels)",
        )
    return class_centroids(X, codes, len(classes))[:, np.newaxis, :]


def check_no_single_sample_class(codes, classes, caller):
    """A sample is its own centroid: its similarity to it says nothing."""
    counts = np.bincount(codes, minlength=len(classes))
    if np.any(counts < 2):
        label = classes.tolist()[np.flatnonzero(counts < 2)[0]]
        raise ValueError(
            f"Class {label!r} has a single sample, which is its own centroid; "
            f"{caller} needs at least 2 samples in every class to measure "
            "compactness around class centroids."
        )


def class_centroids(X, codes, n_classes):
    sums = np.zeros((n_classes, X.shape[1]))
    np.add.at(sums, codes, X)
    return sums / np.bincount(codes, minlength=n_classes)[:, np.newaxis]


def own_class_cosines(X, codes, class_embeddings):
    """Cosine of each sample with its class's embedding, the best of its sub-centres.

    ``class_embeddings`` has shape (n_classes, K, d).
    """
    unit_samples = unit_rows(X)
    unit_embeddings = unit_rows(class_embeddings)
    cosines = np.empty(len(codes))
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate(
        [[0], np.cumsum(np.bincount(codes, minlength=len(class_embeddings)))]
    )
    for label, (begin, end) in enumerate(pairwise(bounds)):
        members = order[begin:end]
        similarities = unit_samples[members] @ unit_embeddings[label].T
        cosines[members] = similarities.max(axis=1)
    return cosines


def direction_angles(directions):
    """Angles in radians between unit (or zero) class directions."""
    cosines = np.clip(directions @ directions.T, -1.0, 1.0)
    return np.arccos(cosines)
