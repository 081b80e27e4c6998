"""Contrast rows: samples of the product of the data's column marginals.

Drawing every column of a row from a different data row keeps each column's
distribution and destroys the dependence between columns. Telling data rows
from such rows is how Hastie, Tibshirani and Friedman turn density
estimation into classification (*The Elements of Statistical Learning*,
2nd ed., section 14.2.4, "Unsupervised as supervised learning"); the SOC head
uses them as the rows its density should rank below the data, the noise of
its noise-contrastive term (:meth:`sksoc.heads.SOCHead.contrast_loss`).
"""

import torch


def product_of_marginals(X, n_rows=None, *, generator=None):
    """Rows whose every column is drawn from the same column of ``X``.

    Entry ``(i, j)`` of the result is ``X[r_ij, j]`` for a row ``r_ij`` drawn
    uniformly at random, independently for every entry, from ``generator``.
    Each column keeps its distribution in ``X``; the columns are independent.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_features)
        Dense rows, at least one.
    n_rows : int, default=None
        Rows to draw; None draws ``n_samples``.
    generator : torch.Generator, default=None
        A generator of ``X``'s device; torch's global one when None.

    Returns
    -------
    rows : torch.Tensor of shape (n_rows, n_features)
        Same dtype and device as ``X``.

    Examples
    --------
    >>> import torch
    >>> from sksoc.heads import product_of_marginals
    >>> X = torch.tensor([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0]])
    >>> rows = product_of_marginals(X, 5)
    >>> rows.shape
    torch.Size([5, 2])
    >>> [bool(torch.isin(rows[:, j], X[:, j]).all()) for j in range(2)]
    [True, True]
    """
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(
            f"X must be a non-empty 2-d tensor; got shape {tuple(X.shape)}."
        )
    n_rows = X.shape[0] if n_rows is None else n_rows
    if n_rows < 1:
        raise ValueError(f"n_rows must be a positive integer; got {n_rows}.")
    index = torch.randint(
        X.shape[0], (n_rows, X.shape[1]), device=X.device, generator=generator
    )
    return torch.gather(X, 0, index)
