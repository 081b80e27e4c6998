"""Batched inference of a fitted estimator: one helper for every prediction.

``predict``, ``predict_proba``, ``decision_function``, ``transform``,
``score_samples``, the calibration's held-out logits and ``add_classes``'
embeddings all compute one function of each batch of rows through
:func:`map_rows`, which runs the engine's fixed-size batches
(:meth:`sksoc._engine.EmbeddingNet.map_rows`) and refuses non-finite values
with one message; the functions of points of the embedding space
(``logits_at`` and the like) go through it by :func:`map_points`, which
checks the points first.
"""

import numpy as np
import scipy.sparse as sp
import torch

from ._geometry import check_embedding_points
from ._input import prediction_input
from ._validation import check_float32_range


def map_rows(
    estimator, X, fn, *, width=None, dtype=np.float64, logits=True, encode=True
):
    """``fn`` of each batch of X's rows of a fitted estimator, into one ndarray.

    Parameters
    ----------
    estimator : fitted sksoc estimator
    X : ndarray or scipy.sparse.csr_matrix of shape (n_rows, n_inputs)
        Rows already validated: the network's input or, with
        ``encode=False``, checked points of the embedding space.
    fn : callable
        Maps a batch's logits (float64, with ``logits``) or embeddings
        (without) to a tensor of ``width`` columns.
    width : int, default=None
        Columns of the result; None for one per class.
    dtype : numpy dtype, default=np.float64
        The result's dtype.
    logits : bool, default=True
        Whether ``fn`` takes the head's prediction logits (no margin) rather
        than the embeddings.
    encode : bool, default=True
        Whether the rows go through the encoder; False when they are points
        of the embedding space already.

    Returns
    -------
    values : ndarray of shape (n_rows, width)

    Raises
    ------
    ValueError
        If X drives the network to infinite or NaN values.
    """
    net = estimator.net_
    name = type(estimator).__name__

    def finite(values):
        return _check_finite(values, X, name)

    apply = fn
    if logits:
        head_logits = net.criterion_.logits

        def apply(z):
            return fn(finite(head_logits(z).double()))

        width = len(estimator.classes_) if width is None else width
    return net.map_rows(
        X, apply, width, dtype, check=finite if encode else None, encode=encode
    )


def map_points(estimator, Z, fn, *, width=None, method):
    """:func:`map_rows` of ``fn(logits)`` at points ``Z`` of the embedding space.

    ``Z`` is checked first to hold finite points of the fitted embedding
    space; errors name the estimator's ``method``.
    """
    caller = f"{type(estimator).__name__}.{method}"
    Z = check_embedding_points(Z, estimator.embedding_dim_, caller)
    check_float32_range(Z)
    return map_rows(estimator, Z, fn, width=width, encode=False)


def _check_finite(values, X, name):
    """``values``, or a clear error when X drove the network to inf or NaN."""
    if not torch.isfinite(values).all():
        data = X.data if sp.issparse(X) else X
        largest = max(abs(float(data.max())), abs(float(data.min())), 0.0)
        raise ValueError(
            f"{name} computed non-finite values for X, whose largest magnitude "
            f"is {largest:.3g}: X lies far outside the range the network was "
            "trained on. Scale X as at fit (for example with the same "
            "StandardScaler)."
        )
    return values


def largest_cosine(estimator, X, factor):
    """``factor * max_c cos(z, w_c)`` of each row: the cosine heads' ``score_samples``.

    Parameters
    ----------
    estimator : fitted sksoc estimator
        Its head has a ``cosines(z)`` method (the fixed-vector and margin
        heads), over every sub-centre where it has them.
    X : array-like or DataFrame
        Rows as the estimator takes them; validated here.
    factor : float
        The scale of the logits (one for dot-product logits).

    Returns
    -------
    score : ndarray of shape (n_rows,)
    """
    head = estimator.net_.criterion_

    def scaled_largest_cosine(z):
        return factor * head.cosines(z).double().amax(1, keepdim=True)

    X = prediction_input(estimator, X)
    return map_rows(estimator, X, scaled_largest_cosine, width=1, logits=False)[:, 0]
