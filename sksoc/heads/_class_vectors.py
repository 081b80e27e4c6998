"""Class vectors compared with the embedding by cosine or dot product."""

import torch
from torch import nn
from torch.nn import functional as F

from ._class_head import ClassHead
from ._init import initial_class_embeddings
from ._loss import LinearLogits

SIMILARITIES = ("cosine", "dot")


class ClassVectorHead(ClassHead):
    """Logits from the similarity of the embedding with one vector per class.

    ``logit_c = S * cos(z, w_c) [+ b_c]`` (``similarity="cosine"``) or
    ``logit_c = z . w_c [+ b_c]`` (``similarity="dot"``). The vectors start
    unit-norm (see :func:`initial_class_embeddings`). With ``fixed=True`` they are a
    buffer, never trained: frozen random vectors cannot encode which classes
    look alike, which raises inter-class separability; with ``fixed=False``
    they are learned, as in a standard (or NormFace) classification layer.

    Parameters
    ----------
    n_classes : int
        Number of classes.
    embedding_dim : int
        Dimension of the embeddings.
    similarity : {"cosine", "dot"}, default="cosine"
        Compare directions only, or the plain dot product.
    scale : float, default=1.0
        The factor S of the cosine logits (unused for "dot"). The paper
        trains fixed cosine models with S = 1.
    fixed : bool, default=True
        Freeze the class vectors at their initial values.
    bias : bool, default=False
        Learn a per-class bias (also when the vectors are fixed).
    init : {"random", "orthogonal", "simplex"}, default="random"
        Initial (for ``fixed``: permanent) class embeddings; see
        :func:`initial_class_embeddings`.
    generator : torch.Generator, default=None
        Draws them; torch's global generator when None.
    **kwargs
        ``label_smoothing`` and ``chunk_size`` of :class:`ClassHead`.

    Attributes
    ----------
    class_embeddings : torch.Tensor of shape (n_classes, embedding_dim)
        The class vectors: a buffer when ``fixed``, otherwise a parameter.
    bias : torch.nn.Parameter of shape (n_classes,) or None

    References
    ----------
    "Redesigning the Classification Layer by Randomizing the Class
    Representation Vectors", 2021.

    Examples
    --------
    >>> import torch
    >>> from sksoc.heads import ClassVectorHead
    >>> head = ClassVectorHead(n_classes=5, embedding_dim=3)
    >>> [name for name, _ in head.named_parameters()]  # nothing to train
    []
    >>> head.logits(torch.randn(2, 3)).abs().max() <= 1.0
    tensor(True)
    """

    def __init__(
        self,
        n_classes,
        embedding_dim,
        *,
        similarity="cosine",
        scale=1.0,
        fixed=True,
        bias=False,
        init="random",
        generator=None,
        **kwargs,
    ):
        super().__init__(n_classes, embedding_dim, **kwargs)
        if similarity not in SIMILARITIES:
            raise ValueError(
                f"similarity must be one of {SIMILARITIES}; got {similarity!r}."
            )
        if scale <= 0:
            raise ValueError(f"scale must be positive; got {scale}.")
        self.similarity = similarity
        self.scale = float(scale)
        self.fixed = fixed
        vectors = initial_class_embeddings(n_classes, embedding_dim, init, generator)
        if fixed:
            self.register_buffer("class_embeddings", vectors)
        else:
            self.class_embeddings = nn.Parameter(vectors)
        self.bias = nn.Parameter(torch.zeros(n_classes)) if bias else None

    def embed(self, z):
        if self.similarity == "cosine":
            return F.normalize(z, dim=1)
        return z

    def cosines(self, z):
        """Cosine of each embedding with each class vector."""
        return F.normalize(z, dim=1) @ F.normalize(self.class_embeddings, dim=1).T

    def logits(self, z):
        return self.training_terms(z, None).materialize()

    def training_terms(self, z, target):
        if self.similarity == "cosine":
            # The scale goes on the (n_samples, D) side, the cheap one.
            inputs = self.scale * self.embed(z)
            return LinearLogits(
                inputs, F.normalize(self.class_embeddings, dim=1), self.bias
            )
        return LinearLogits(z, self.class_embeddings, self.bias)

    def _class_tensors(self):
        return {
            "class_embeddings": lambda n: initial_class_embeddings(
                n, self.embedding_dim
            ),
            "bias": lambda n: torch.zeros(n),
        }

    def extra_repr(self):
        return (
            f"{super().extra_repr()}, similarity={self.similarity!r}, "
            f"scale={self.scale}, fixed={self.fixed}, bias={self.bias is not None}"
        )
