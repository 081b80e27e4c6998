"""Scorers that judge a transformer by how well its embedding separates classes.

Each is a callable ``scorer(estimator, X, y)`` that embeds ``X`` with
``estimator.transform`` and returns a value where greater is better, as
:class:`~sklearn.model_selection.GridSearchCV` expects.
"""

from ._class_geometry import inter_class_separability, intra_class_compactness
from ._metric_inputs import embed
from ._silhouette import silhouette_score


def silhouette_scorer(estimator, X, y):
    """Euclidean silhouette score of ``estimator.transform(X)`` with labels ``y``.

    Parameters
    ----------
    estimator : object
        A fitted transformer, or a Pipeline ending in one.

    X : array-like
        Input of ``estimator.transform``.

    y : array-like of shape (n_samples,)
        True labels.

    Returns
    -------
    score : float
        :func:`silhouette_score` of the embedding, in [-1, 1].

    See Also
    --------
    get_embedding_scorer : This scorer by its name, ``"silhouette"``.
    silhouette_score : The metric, with the cosine distance too.

    References
    ----------
    .. [1] P. J. Rousseeuw, "Silhouettes: a graphical aid to the
       interpretation and validation of cluster analysis", Journal of
       Computational and Applied Mathematics 20, pp. 53-65, 1987.

    Examples
    --------
    >>> from sklearn.decomposition import PCA
    >>> from sksoc.metrics import silhouette_scorer
    >>> X = [[0.0, 0.0], [1.0, 0.0], [4.0, 0.0], [5.0, 0.0]]
    >>> y = ["a", "a", "b", "b"]
    >>> silhouette_scorer(PCA(n_components=1).fit(X), X, y)
    0.7460...
    """
    return silhouette_score(embed(estimator, X, "silhouette_scorer"), y)


def compactness_scorer(estimator, X, y):
    """Intra-class compactness of ``estimator.transform(X)`` around class centroids.

    Parameters
    ----------
    estimator : object
        A fitted transformer, or a Pipeline ending in one.

    X : array-like
        Input of ``estimator.transform``.

    y : array-like of shape (n_samples,)
        True labels; every class needs at least 2 samples.

    Returns
    -------
    score : float
        :func:`intra_class_compactness` of the embedding with the class
        centroids as centres, in [-1, 1].

    See Also
    --------
    get_embedding_scorer : This scorer by its name, ``"compactness"``.
    intra_class_compactness : The metric, against given class embeddings too.

    References
    ----------
    .. [1] G. Shalev, G.-L. Shalev and J. Keshet, "Redesigning the
       Classification Layer by Randomizing the Class Representation
       Vectors", arXiv:2011.08704, 2020.

    Examples
    --------
    >>> from sklearn.decomposition import PCA
    >>> from sksoc.metrics import compactness_scorer
    >>> X = [[0.0, 0.0], [1.0, 0.0], [4.0, 0.0], [5.0, 0.0]]
    >>> y = ["a", "a", "b", "b"]
    >>> compactness_scorer(PCA(n_components=1).fit(X), X, y)
    1.0
    """
    return intra_class_compactness(embed(estimator, X, "compactness_scorer"), y)


def separability_scorer(estimator, X, y):
    """Mean angle between the class centroids of ``estimator.transform(X)``.

    Parameters
    ----------
    estimator : object
        A fitted transformer, or a Pipeline ending in one.

    X : array-like
        Input of ``estimator.transform``.

    y : array-like of shape (n_samples,)
        True labels.

    Returns
    -------
    score : float
        :func:`inter_class_separability` of the embedding with the class
        centroids as centres: a mean angle in radians, in [0, pi].

    See Also
    --------
    get_embedding_scorer : This scorer by its name, ``"separability"``.
    inter_class_separability : The metric, against given class embeddings too.

    References
    ----------
    .. [1] G. Shalev, G.-L. Shalev and J. Keshet, "Redesigning the
       Classification Layer by Randomizing the Class Representation
       Vectors", arXiv:2011.08704, 2020.

    Examples
    --------
    >>> from sklearn.decomposition import PCA
    >>> from sksoc.metrics import separability_scorer
    >>> X = [[0.0, 0.0], [1.0, 0.0], [4.0, 0.0], [5.0, 0.0]]
    >>> y = ["a", "a", "b", "b"]
    >>> separability_scorer(PCA(n_components=1).fit(X), X, y)
    3.1415...
    """
    return inter_class_separability(embed(estimator, X, "separability_scorer"), y)


_SCORERS = {
    "compactness": compactness_scorer,
    "separability": separability_scorer,
    "silhouette": silhouette_scorer,
}


def get_embedding_scorer(name):
    """The embedding scorer called ``name``.

    Parameters
    ----------
    name : {"silhouette", "compactness", "separability"}
        Name of the scorer.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``, greater is better.

    Raises
    ------
    ValueError
        If ``name`` is none of the three.

    See Also
    --------
    silhouette_scorer, compactness_scorer, separability_scorer :
        The scorers.
    sklearn.metrics.get_scorer : scikit-learn's scorers, by name; it does not
        know these names.

    Examples
    --------
    >>> from sksoc.metrics import get_embedding_scorer
    >>> get_embedding_scorer("silhouette")
    <function silhouette_scorer at ...>
    """
    try:
        return _SCORERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"{name!r} is not a valid scoring value. Valid options are "
            f"{sorted(_SCORERS)}."
        ) from None
