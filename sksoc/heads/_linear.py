"""The standard linear classification layer."""

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
    linear : torch.nn.Linear
        The layer; ``linear.weight`` holds the class vectors.

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
        self.linear = linear(embedding_dim, n_classes, bias=bias, generator=generator)

    @property
    def class_embeddings(self):
        return self.linear.weight

    def logits(self, z):
        return self.linear(z)

    def training_terms(self, z, target):
        return LinearLogits(z, self.linear.weight, self.linear.bias)
