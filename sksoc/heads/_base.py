"""The contract every class head follows, and the loss they share."""

from torch import nn
from torch.nn import functional as F


def weighted_cross_entropy(logits, target, sample_weight=None, label_smoothing=0.0):
    """Mean cross-entropy of ``logits`` against integer ``target``.

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
        Unnormalised log-probabilities.
    target : torch.Tensor of shape (n_samples,)
        Class indices, int64.
    sample_weight : torch.Tensor of shape (n_samples,), default=None
        Per-sample weights. The result is ``mean(w * loss)``, so weights that
        average to one (as the estimators pass them) keep the loss on the scale
        of the unweighted one, and a batch whose weights are all zero gives 0
        rather than NaN.
    label_smoothing : float, default=0.0
        As in :func:`torch.nn.functional.cross_entropy`.

    Returns
    -------
    loss : torch.Tensor
        A scalar.

    Examples
    --------
    >>> import torch
    >>> logits = torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    >>> loss = weighted_cross_entropy(logits, torch.tensor([0, 1]))
    >>> round(loss.item(), 4)  # log(2)
    0.6931
    """
    losses = F.cross_entropy(
        logits, target, reduction="none", label_smoothing=label_smoothing
    )
    if sample_weight is None:
        return losses.mean()
    return (losses * sample_weight).mean()


class ClassHead(nn.Module):
    """Base class of the class heads: embedding in, class logits out.

    A head owns its class representations (means, vectors or weights). Used
    as a loss module, ``head(z, y)`` returns the training loss of the
    embeddings ``z`` against the class indices ``y``; :meth:`logits` gives
    the plain logits used for prediction (no margin, every constant kept).

    Subclasses implement :meth:`logits` and :attr:`class_embeddings`; they
    override :meth:`training_logits` when training uses another form of the
    logits (a margin on the target class, or terms that cancel in the
    softmax), :meth:`embed` when they compare a transformed embedding (an
    l2-normalised one, say), and :meth:`forward` when the loss has more
    terms than one cross-entropy.

    Parameters
    ----------
    n_classes : int
        Number of classes.
    embedding_dim : int
        Dimension of the embeddings the head receives.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy, in [0, 1).
    """

    def __init__(self, n_classes, embedding_dim, *, label_smoothing=0.0):
        super().__init__()
        if n_classes < 1 or embedding_dim < 1:
            raise ValueError(
                "n_classes and embedding_dim must be positive; got "
                f"n_classes={n_classes}, embedding_dim={embedding_dim}."
            )
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(
                f"label_smoothing must be in [0, 1); got {label_smoothing}."
            )
        self.n_classes = n_classes
        self.embedding_dim = embedding_dim
        self.label_smoothing = label_smoothing

    @property
    def class_embeddings(self):
        """The class representations, a tensor whose first axis is the class."""
        raise NotImplementedError

    def embed(self, z):
        """The embedding the head compares with its classes (``z`` itself here)."""
        return z

    def logits(self, z):
        """Prediction logits of shape (n_samples, n_classes)."""
        raise NotImplementedError

    def training_logits(self, z, target):
        """Logits the training cross-entropy uses; :meth:`logits` by default."""
        return self.logits(z)

    def forward(self, z, target, sample_weight=None):
        """Training loss of embeddings ``z`` against class indices ``target``."""
        return weighted_cross_entropy(
            self.training_logits(z, target),
            target,
            sample_weight,
            label_smoothing=self.label_smoothing,
        )

    def extra_repr(self):
        return f"n_classes={self.n_classes}, embedding_dim={self.embedding_dim}"
