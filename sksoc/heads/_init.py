"""Initial class embeddings: random directions, orthonormal vectors, a simplex."""

import torch
from torch.nn import functional as F

CLASS_VECTOR_INITS = ("random", "orthogonal", "simplex")


def initial_class_embeddings(n_classes, embedding_dim, init="random", generator=None):
    """Unit-norm class embeddings to start from, one row per class.

    The fixed heads keep them for good; the learned ones start from them.

    Parameters
    ----------
    n_classes : int
        Number of vectors.
    embedding_dim : int
        Their dimension.
    init : {"random", "orthogonal", "simplex"}, default="random"
        - "random": isotropic Gaussian draws, l2-normalised (uniform on the
          sphere, as the fixed-class-vector paper draws them);
        - "orthogonal": orthonormal vectors, a random rotation of the first
          ``n_classes`` axes; needs ``n_classes <= embedding_dim``;
        - "simplex": the vertices of a regular simplex centred at the
          origin, randomly rotated: every pairwise cosine is
          ``-1 / (n_classes - 1)``, the most separated arrangement possible;
          needs ``n_classes <= embedding_dim + 1``.
    generator : torch.Generator, default=None
        Source of randomness; torch's global generator when None.

    Returns
    -------
    vectors : torch.Tensor of shape (n_classes, embedding_dim)

    Examples
    --------
    >>> import torch
    >>> from sksoc.heads import initial_class_embeddings
    >>> generator = torch.Generator().manual_seed(0)
    >>> v = initial_class_embeddings(4, 3, init="simplex", generator=generator)
    >>> (v @ v.T).round(decimals=4)
    tensor([[ 1.0000, -0.3333, -0.3333, -0.3333],
            [-0.3333,  1.0000, -0.3333, -0.3333],
            [-0.3333, -0.3333,  1.0000, -0.3333],
            [-0.3333, -0.3333, -0.3333,  1.0000]])
    """
    if init == "random":
        draws = torch.randn(n_classes, embedding_dim, generator=generator)
        return F.normalize(draws, dim=1)
    if init == "orthogonal":
        if n_classes > embedding_dim:
            raise ValueError(
                f"init='orthogonal' needs n_classes <= embedding_dim; got "
                f"{n_classes} classes in {embedding_dim} dimensions. Use "
                "init='simplex' (up to embedding_dim + 1 classes) or 'random', "
                "or a larger embedding_dim."
            )
        return _random_orthonormal_rows(n_classes, embedding_dim, generator)
    if init == "simplex":
        if n_classes > embedding_dim + 1:
            raise ValueError(
                f"init='simplex' needs n_classes <= embedding_dim + 1; got "
                f"{n_classes} classes in {embedding_dim} dimensions. Use "
                "init='random' or a larger embedding_dim."
            )
        if n_classes == 1:
            return _random_orthonormal_rows(1, embedding_dim, generator)
        # The standard basis of R^C, centred, spans a (C-1)-dimensional
        # subspace; express the vertices in an orthonormal basis of it, then
        # rotate that basis randomly into the embedding space.
        centred = torch.eye(n_classes, dtype=torch.float64) - 1.0 / n_classes
        basis = torch.linalg.svd(centred).Vh[: n_classes - 1].T
        vertices = F.normalize(centred @ basis, dim=1)
        rotation = _random_orthonormal_rows(
            n_classes - 1, embedding_dim, generator, dtype=torch.float64
        )
        return (vertices @ rotation).float()
    raise ValueError(f"init must be one of {CLASS_VECTOR_INITS}; got {init!r}.")


def _random_orthonormal_rows(n_rows, dim, generator, dtype=torch.float32):
    """``n_rows <= dim`` orthonormal rows of a random rotation."""
    gaussian = torch.randn(dim, n_rows, generator=generator, dtype=torch.float64)
    q, r = torch.linalg.qr(gaussian)
    # Fixing the signs by R's diagonal makes the rotation uniformly distributed.
    q = q * torch.sign(torch.diagonal(r))
    return q.T.to(dtype)
