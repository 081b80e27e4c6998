"""The standard linear classification layer."""

from torch.nn import functional as F

from .._generators import linear
from ._class_head import ClassHead
from ._loss import LinearLogits


class LinearHead(ClassHead):
    """A learnable linear layer, ``logits = z W^T + b``: plain softmax regression.

    The baseline every comparison needs: one learned weight vector (and bias)
    per class, trained with cross-entropy.

    Parameters
    ----------
    n_classes : int
        Number of classes.
    embedding_dim : int
        Dimension of the embeddings.
    bias : bool, default=True
        Learn a per-class bias.
    generator : torch.Generator, default=None
        Draws the initial weights (as ``torch.nn.Linear`` draws them);
        torch's global generator when None.
    **kwargs
        ``label_smoothing`` and ``chunk_size`` of :class:`ClassHead`.

    Attributes
    ----------
    class_embeddings : torch.nn.Parameter of shape (n_classes, embedding_dim)
        The learned weight vector of each class, ``W``.
    bias : torch.nn.Parameter of shape (n_classes,) or None
        The learned bias of each class, ``b``.

    Examples
    --------
    >>> import torch
    >>> from sksoc.heads import LinearHead
    >>> LinearHead(n_classes=4, embedding_dim=3).logits(torch.zeros(2, 3)).shape
    torch.Size([2, 4])
    """

    def __init__(
        self, n_classes, embedding_dim, *, bias=True, generator=None, **kwargs
    ):
        super().__init__(n_classes, embedding_dim, **kwargs)
        # The parameters of a torch.nn.Linear, drawn as it draws them.
        layer = linear(embedding_dim, n_classes, bias=bias, generator=generator)
        self.class_embeddings = layer.weight
        self.bias = layer.bias

    def logits(self, z):
        return F.linear(z, self.class_embeddings, self.bias)

    def training_terms(self, z, target):
        return LinearLogits(z, self.class_embeddings, self.bias)
