"""Silhouette coefficient from per-class distance sums, without an n x n matrix."""

import numbers
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import numpy as np
from sklearn.utils import check_random_state, check_scalar
from threadpoolctl import threadpool_info, threadpool_limits

from .._geometry import unit_rows
from .._labels import encode_labels
from ._metric_inputs import (
    check_embeddings_and_labels,
    check_option,
    rescaled,
)

# Euclidean distances are computed in square tiles of this many rows and
# columns: 512 x 512 float64 is 2 MiB, small enough to stay in cache.
_TILE_SIZE = 512
# Mean cosine distances below this are rounding noise, taken as 0.
_COSINE_ATOL = 1e-12


def silhouette_score(
    X, labels, *, metric="euclidean", sample_size=None, random_state=None
):
    """Mean Silhouette Coefficient of all samples.

    For each sample, ``a`` is its mean distance to the other members of its
    class and ``b`` its mean distance to the members of the nearest other
    class; its coefficient is ``(b - a) / max(a, b)``. A sample that is alone
    in its class scores 0. The result is the same as
    :func:`sklearn.metrics.silhouette_score` for the same input (up to
    floating point rounding), computed faster and without building the
    ``n_samples x n_samples`` distance matrix.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Embeddings, one row per sample.

    labels : array-like of shape (n_samples,)
        Class of each sample; any sortable type (strings, integers).

    metric : {"euclidean", "cosine"}, default="euclidean"
        Distance between samples. The cosine distance is ``1 - cos(x, y)``;
        a zero vector is at distance 1 from every other sample, as in
        :func:`sklearn.metrics.pairwise.cosine_distances`.

    sample_size : int, default=None
        Compute the score on a random subset of this many samples; ``None``
        uses all of them. The subset is the one scikit-learn draws for the
        same ``random_state``, so both give the same value.

    random_state : int, RandomState instance or None, default=None
        Seed of the subset drawn when ``sample_size`` is not None.

    Returns
    -------
    score : float
        Mean Silhouette Coefficient, in [-1, 1]; higher means tighter and
        better separated classes.

    Raises
    ------
    ValueError
        Unless ``2 <= n_labels <= n_samples - 1`` (after sampling), where the
        score is defined.

    See Also
    --------
    sklearn.metrics.silhouette_score : The reference implementation.
    intra_class_compactness : Cosine similarity of samples to their class.
    inter_class_separability : Angles between class centres.

    Notes
    -----
    Only the sum of distances from each sample to each class is kept, an
    ``(n_samples, n_classes)`` array. For the cosine distance these sums
    follow from the per-class sums of unit vectors. For the euclidean
    distance the pairwise distances are computed in small tiles, each used
    for both of the samples' sides (distances are symmetric), in float64, by
    as many threads as BLAS is allowed to use (BLAS itself runs on one
    thread meanwhile).

    Mean cosine distances below 1e-12 are rounding noise and taken as 0, as
    between identical vectors.

    References
    ----------
    .. [1] P. J. Rousseeuw, "Silhouettes: a graphical aid to the
       interpretation and validation of cluster analysis", Journal of
       Computational and Applied Mathematics 20, pp. 53-65, 1987.

    Examples
    --------
    Two classes on a line. The first sample is at distance 1 from its class
    mate and at 4 and 5 from the other class, so its coefficient is
    ``(4.5 - 1) / 4.5 = 7/9``; the others score ``5/7``, ``5/7`` and ``7/9``:

    >>> from sksoc.metrics import silhouette_score
    >>> X = [[0.0], [1.0], [4.0], [5.0]]
    >>> silhouette_score(X, ["a", "a", "b", "b"])
    0.7460...
    >>> (7 / 9 + 5 / 7) / 2
    0.7460...
    """
    check_option(metric, "metric", {"euclidean", "cosine"}, "silhouette_score")
    X, labels = check_embeddings_and_labels(X, labels)
    if sample_size is not None:
        check_scalar(sample_size, "sample_size", numbers.Integral, min_val=1)
        # Same draw as scikit-learn, so that a random_state gives its value.
        indices = check_random_state(random_state).permutation(X.shape[0])
        indices = indices[:sample_size]
        X, labels = X[indices], labels[indices]
    return float(np.mean(silhouette_samples(X, labels, metric=metric)))


def silhouette_samples(X, labels, *, metric="euclidean"):
    """Silhouette Coefficient of each sample, from validated input."""
    # The coefficients are scale-free; rescaling keeps squared distances in range.
    X = rescaled(X)
    classes, codes = encode_labels(labels)
    n_samples, n_classes = len(codes), len(classes)
    if not 1 < n_classes < n_samples:
        raise ValueError(
            f"Number of labels is {n_classes}. Valid values are 2 to "
            "n_samples - 1 (inclusive)"
        )
    # Sorted by class, each class is a run of consecutive rows.
    order = np.argsort(codes, kind="stable")
    X, codes = X[order], codes[order]
    counts = np.bincount(codes, minlength=n_classes)
    if metric == "cosine":
        sums = _cosine_distance_sums(X, codes, counts)
    else:
        sums = _euclidean_distance_sums(X, codes, counts)

    rows = np.arange(n_samples)
    own_counts = counts[codes]
    a = sums[rows, codes] / np.maximum(own_counts - 1, 1)
    sums[rows, codes] = np.inf
    sums /= counts
    b = sums.min(axis=1)
    scale = np.maximum(a, b)
    defined = (own_counts > 1) & (scale > 0)
    scores = np.zeros(n_samples)
    scores[order[defined]] = (b[defined] - a[defined]) / scale[defined]
    return scores


def _cosine_distance_sums(X, codes, counts):
    """Sum of cosine distances from each sample to each class."""
    unit = unit_rows(X)
    class_sums = np.zeros((len(counts), X.shape[1]))
    np.add.at(class_sums, codes, unit)
    sums = counts - unit @ class_sums.T
    # The sum over the own class included the sample itself at distance
    # 1 - |u|^2, which is 1 for a zero vector; a sample is at distance 0 from
    # itself.
    sums[np.arange(len(codes)), codes] -= 1.0 - np.einsum("ij,ij->i", unit, unit)
    # n - u.S cancels to rounding noise when the class's vectors are parallel
    # to u; a noise-level mean distance is one of exactly 0, as between
    # identical vectors, so that noise cannot decide the sign of b - a.
    sums[sums < _COSINE_ATOL * counts] = 0.0
    return sums


def _euclidean_distance_sums(X, codes, counts):
    """Sum of euclidean distances from each sample to each class.

    The rows of ``X`` are sorted by class ``codes``.
    """
    n_samples, n_classes = len(codes), len(counts)
    # Centring changes no distance but shrinks the norms whose cancellation
    # limits the accuracy of |x|^2 + |y|^2 - 2 x.y.
    X = X - X.mean(axis=0)
    squared_norms = np.einsum("ij,ij->i", X, X)[:, np.newaxis]
    ones = np.ones((n_samples, 1))
    # One product of these gives |x|^2 + |y|^2 - 2 x.y for a whole tile.
    left = np.hstack([-2.0 * X, ones, squared_norms])
    right = np.hstack([X, squared_norms, ones])
    # A tile's rows hold the consecutive classes of its class slice, in runs
    # delimited by its bounds.
    tiles = []
    for start in range(0, n_samples, _TILE_SIZE):
        tile_codes = codes[start : start + _TILE_SIZE]
        run_starts = np.flatnonzero(np.diff(tile_codes, prepend=-1))
        tiles.append(
            (
                slice(start, start + len(tile_codes)),
                slice(tile_codes[0], tile_codes[-1] + 1),
                np.append(run_starts, len(tile_codes)),
            )
        )

    sums = np.zeros((n_samples, n_classes))
    locks = [threading.Lock() for _ in tiles]

    def add_tile_rows(tile_rows):
        distances = np.empty((_TILE_SIZE, _TILE_SIZE))
        column_sums = np.empty((_TILE_SIZE, _TILE_SIZE))
        for i in tile_rows:
            rows_i, classes_i, bounds_i = tiles[i]
            for j in range(i, len(tiles)):
                rows_j, classes_j, bounds_j = tiles[j]
                D = distances[: bounds_i[-1], : bounds_j[-1]]
                np.matmul(left[rows_i], right[rows_j].T, out=D)
                np.maximum(D, 0.0, out=D)
                if i == j:
                    np.fill_diagonal(D, 0.0)
                np.sqrt(D, out=D)
                # Tile i's distances to each class of tile j, then (but for the
                # diagonal tile) tile j's to each class of tile i: the same
                # distances seen from the other side.
                row_sums = np.add.reduceat(D, bounds_j[:-1], axis=1)
                with locks[i]:
                    sums[rows_i, classes_j] += row_sums
                if i != j:
                    by_class = column_sums[: len(bounds_i) - 1, : bounds_j[-1]]
                    for run, (begin, end) in enumerate(pairwise(bounds_i)):
                        np.sum(D[begin:end], axis=0, out=by_class[run])
                    with locks[j]:
                        sums[rows_j, classes_i] += by_class.T

    if len(tiles) == 1:
        add_tile_rows([0])
        return sums
    n_workers = _n_workers(len(tiles))
    # Tile row i holds len(tiles) - i tiles: deal the rows out back and forth
    # (0, 1, 1, 0, 0, 1, ...) so that the workers get equal shares.
    shares = [[] for _ in range(n_workers)]
    for i in range(len(tiles)):
        turn = i % (2 * n_workers)
        shares[min(turn, 2 * n_workers - 1 - turn)].append(i)
    # The workers run numpy code that releases the GIL. They take the cores
    # that BLAS would, so BLAS gets one thread: its own threads only compete
    # with them (and with other processes) on these small products.
    with (
        threadpool_limits(limits=1, user_api="blas"),
        ThreadPoolExecutor(n_workers) as executor,
    ):
        list(executor.map(add_tile_rows, shares))
    return sums


def _n_workers(n_tiles):
    """As many threads as BLAS may use, at most one per tile row."""
    blas_threads = max(
        (
            info["num_threads"]
            for info in threadpool_info()
            if info["user_api"] == "blas"
        ),
        default=1,
    )
    return max(1, min(blas_threads, n_tiles))
