"""One table with every embedding metric, per class, for notebooks."""

import numpy as np
import pandas as pd

from .._geometry import (
    class_directions,
    fitted_class_embeddings,
    has_class_embeddings,
)
from .._labels import encode_as, encode_labels
from ._class_geometry import (
    check_no_single_sample_class,
    class_embeddings_or_centroids,
    confusion_correlation,
    direction_angles,
    own_class_cosines,
)
from ._metric_inputs import (
    check_embeddings_and_labels,
    check_option,
    embed,
)
from ._silhouette import silhouette_samples


def embedding_report(estimator, X, y, *, metric="euclidean"):
    """Accuracy and embedding metrics of each class, and overall.

    ``X`` is embedded with ``estimator.transform``. The class centres are the
    estimator's ``class_embeddings_`` when it has them (a Pipeline's last
    step counts), otherwise the class centroids of the embedding.

    Parameters
    ----------
    estimator : object
        A fitted transformer, or a Pipeline ending in one. Accuracy needs
        ``predict``; the class centres and the correlation need
        ``class_embeddings_`` and ``classes_``, as on sksoc's classifiers.

    X : array-like
        Input of ``estimator.transform``.

    y : array-like of shape (n_samples,)
        True labels.

    metric : {"euclidean", "cosine"}, default="euclidean"
        Distance used by the silhouette.

    Returns
    -------
    report : pandas.DataFrame
        One row per class present in ``y`` (in sorted order) and a last row
        ``"overall"``, with columns:

        - ``n_samples``: number of samples.
        - ``accuracy``: fraction of the class's samples predicted right (its
          recall); overall, the accuracy. NaN without ``predict``.
        - ``silhouette``: mean silhouette coefficient of the class's samples;
          overall, :func:`silhouette_score`.
        - ``compactness``: mean cosine similarity of the class's samples to
          their class centre; overall, :func:`intra_class_compactness`.
        - ``separability``: angle in radians to the nearest centre of the
          other classes in ``y``; overall, the mean angle over all pairs of classes, as
          :func:`inter_class_separability`.
        - ``separability_min``: overall only, the angle of the closest pair
          of class centres.
        - ``similarity_confusion_correlation``: overall only, see
          :func:`similarity_confusion_correlation`. NaN without
          ``class_embeddings_`` or ``predict``.

    Raises
    ------
    ValueError
        If ``y`` has fewer than 2 classes or as many as samples, or if the
        class centres are centroids and a class has a single sample.

    See Also
    --------
    silhouette_score, intra_class_compactness, inter_class_separability,
    similarity_confusion_correlation : The metrics in the table.

    References
    ----------
    .. [1] P. J. Rousseeuw, "Silhouettes: a graphical aid to the
       interpretation and validation of cluster analysis", Journal of
       Computational and Applied Mathematics 20, pp. 53-65, 1987.
    .. [2] G. Shalev, G.-L. Shalev and J. Keshet, "Redesigning the
       Classification Layer by Randomizing the Class Representation
       Vectors", arXiv:2011.08704, 2020.

    Examples
    --------
    Two classes that a PCA leaves on either side of the origin:

    >>> from sklearn.decomposition import PCA
    >>> from sksoc.metrics import embedding_report
    >>> X = [[0.0, 0.0], [1.0, 0.0], [4.0, 0.0], [5.0, 0.0]]
    >>> y = ["a", "a", "b", "b"]
    >>> report = embedding_report(PCA(n_components=1).fit(X), X, y)
    >>> report[["n_samples", "silhouette", "separability"]].round(4)
             n_samples  silhouette  separability
    class
    a                2       0.746        3.1416
    b                2       0.746        3.1416
    overall          4       0.746        3.1416
    """
    check_option(metric, "metric", {"euclidean", "cosine"}, "embedding_report")
    caller = "embedding_report"
    embedding, y = check_embeddings_and_labels(embed(estimator, X, caller), y)
    classes, codes = encode_labels(y)
    n_classes = len(classes)
    silhouettes = silhouette_samples(embedding, y, metric=metric)

    with_class_embeddings = has_class_embeddings(estimator)
    class_embeddings = None
    if with_class_embeddings:
        fitted, fitted_classes = fitted_class_embeddings(estimator, caller)
        class_embeddings = fitted[encode_as(classes, fitted_classes, "y")]
    else:
        check_no_single_sample_class(codes, classes, caller)
    class_embeddings = class_embeddings_or_centroids(
        embedding, codes, classes, class_embeddings
    )
    cosines = own_class_cosines(embedding, codes, class_embeddings)
    angles = direction_angles(class_directions(class_embeddings))
    pair_angles = angles[np.triu_indices(n_classes, k=1)]
    np.fill_diagonal(angles, np.inf)

    accuracy = np.full(n_classes + 1, np.nan)
    correlation = np.nan
    if hasattr(estimator, "predict"):
        y_pred = estimator.predict(X)
        correct = np.asarray(y_pred) == y
        accuracy[:-1] = np.bincount(codes, weights=correct) / np.bincount(codes)
        accuracy[-1] = correct.mean()
        if with_class_embeddings:
            correlation = confusion_correlation(
                fitted, fitted_classes, y, y_pred, caller
            )

    counts = np.bincount(codes)
    only_overall = np.full(n_classes, np.nan)
    report = pd.DataFrame(
        {
            "n_samples": np.append(counts, len(codes)),
            "accuracy": accuracy,
            "silhouette": np.append(
                np.bincount(codes, weights=silhouettes) / counts, silhouettes.mean()
            ),
            "compactness": np.append(
                np.bincount(codes, weights=cosines) / counts, cosines.mean()
            ),
            "separability": np.append(angles.min(axis=1), pair_angles.mean()),
            "separability_min": np.append(only_overall, pair_angles.min()),
            "similarity_confusion_correlation": np.append(only_overall, correlation),
        },
        index=pd.Index([*classes.tolist(), "overall"], name="class"),
    )
    return report
