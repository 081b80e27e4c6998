"""The contract every class head follows."""

import torch
from torch import nn


class ClassHead(nn.Module):
    """Base class of the class heads: embedding in, class logits out.

    A head owns its class embeddings, what it compares an embedding with,
    stored as its attribute ``class_embeddings``. Used as a loss module,
    ``head(z, y)`` returns the training loss of the embeddings ``z`` against
    the class indices ``y``; :meth:`logits` gives the plain logits used for
    prediction (no margin, every constant kept).

    Training logits are linear in a transformed embedding,
    ``inputs @ weight.T + bias``, with optionally the target class's logit
    replaced; subclasses return them as a :class:`LinearLogits` from
    :meth:`training_terms`, and the loss is one matrix product and a
    cross-entropy, or a chunked cross-entropy that never holds all the
    logits (``chunk_size``).
    Subclasses also implement :meth:`logits` and store
    :attr:`class_embeddings`, and override :meth:`embed` when they compare a
    transformed embedding (an l2-normalised one, say).

    Parameters
    ----------
    n_classes : int
        Number of classes.
    embedding_dim : int
        Dimension of the embeddings the head receives.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy, in [0, 1).
    chunk_size : int, default=None
        Compute the training cross-entropy over chunks of this many classes
        (see :func:`linear_cross_entropy`); None computes all at once.

    Attributes
    ----------
    class_embeddings : torch.Tensor
        Set by each subclass: the class embeddings, a
        :class:`torch.nn.Parameter` (or a buffer where they are fixed) whose
        first axis is the class, so that state-dict keys name them alike in
        every head.
    training_generator : torch.Generator or None
        What the head's training draws (the SOC head's contrast rows and
        sampled classes) come from; torch's global generator when None. A
        fit's training loop sets it for the length of one training call.
    """

    training_generator = None

    def __init__(
        self, n_classes, embedding_dim, *, label_smoothing=0.0, chunk_size=None
    ):
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
        if chunk_size is not None and chunk_size < 1:
            raise ValueError(
                f"chunk_size must be a positive integer; got {chunk_size}."
            )
        self.n_classes = n_classes
        self.embedding_dim = embedding_dim
        self.label_smoothing = label_smoothing
        self.chunk_size = chunk_size

    def embed(self, z):
        """The embedding the head compares with its classes (``z`` itself here)."""
        return z

    def logits(self, z):
        """Prediction logits of shape (n_samples, n_classes)."""
        raise NotImplementedError

    def training_terms(self, z, target):
        """The training logits as a :class:`LinearLogits`.

        They may differ from :meth:`logits` by a per-sample constant (which
        cancels in the softmax), and carry the training margin where there
        is one.
        """
        raise NotImplementedError

    def training_logits(self, z, target):
        """The logits the training cross-entropy sees, as one matrix."""
        return self.training_terms(z, target).materialize(target)

    def extra_training_rows(self, X):
        """Rows that a training step encodes with its batch; None here (none).

        A head whose loss needs the encoder on rows other than the batch's
        (the SOC head's contrast rows) overrides it and
        :meth:`extra_training_loss`: a training loop encodes these rows with
        the batch's and gives their embeddings to :meth:`extra_training_loss`,
        so it knows no head by name. Rows it draws come from
        :attr:`training_generator`.

        Parameters
        ----------
        X : torch.Tensor of shape (n_samples, n_features)
            The batch's input rows, in their shuffled order.

        Returns
        -------
        rows : torch.Tensor of shape (n_rows, n_features) or None
            Input rows to encode, of ``X``'s dtype and device; None for no
            term.
        """
        return None

    def extra_training_loss(self, z_extra, z, target):
        """The training term on the embeddings of :meth:`extra_training_rows`.

        A training loop adds it to each step's ``head(z, target)`` when
        :meth:`extra_training_rows` gave rows; None here (no term).

        Parameters
        ----------
        z_extra : torch.Tensor of shape (n_rows, embedding_dim)
            The embeddings of the rows :meth:`extra_training_rows` returned,
            through the encoder being trained, with gradients.
        z : torch.Tensor of shape (n_samples, embedding_dim)
            The batch's embeddings.
        target : torch.Tensor of shape (n_samples,)
            The batch's class indices.

        Returns
        -------
        loss : torch.Tensor or None
            A scalar to add to the step's loss, weight included; None for no
            term.
        """
        return None

    def forward(self, z, target, sample_weight=None):
        """Training loss of embeddings ``z`` against class indices ``target``."""
        return self.training_terms(z, target).cross_entropy(
            target,
            sample_weight=sample_weight,
            label_smoothing=self.label_smoothing,
            chunk_size=self.chunk_size,
        )

    def insert_classes(self, positions, **rows):
        """Grow the head by new classes, keeping every existing class as it is.

        Parameters
        ----------
        positions : array-like of int
            Where the new classes go in the grown class list (of
            ``n_classes + len(positions)`` classes); the existing classes fill
            the other positions in their order.
        **rows
            For each class-indexed tensor (as named in the subclass's
            :meth:`_class_tensors`), the new classes' rows; unnamed ones get
            the subclass's default.

        Returns
        -------
        mask : torch.Tensor of bool, shape (n_classes,)
            True at the new classes (the head's new ``n_classes``).
        """
        n_total = self.n_classes + len(positions)
        is_new = torch.zeros(n_total, dtype=torch.bool)
        is_new[torch.as_tensor(positions, dtype=torch.long)] = True
        for name, default in self._class_tensors().items():
            old = getattr(self, name)
            if old is None:
                continue
            new_rows = rows.get(name)
            if new_rows is None:
                new_rows = default(len(positions))
            grown = old.detach().new_empty((n_total, *old.shape[1:]))
            grown[~is_new.to(old.device)] = old.detach()
            grown[is_new.to(old.device)] = new_rows.to(old)
            if isinstance(old, nn.Parameter):
                setattr(
                    self, name, nn.Parameter(grown, requires_grad=old.requires_grad)
                )
            else:
                setattr(self, name, grown)
        self.n_classes = n_total
        return is_new

    def _class_tensors(self):
        """Class-indexed parameters and buffers: ``{attribute: default(n_new)}``."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support adding classes."
        )

    def extra_repr(self):
        text = f"n_classes={self.n_classes}, embedding_dim={self.embedding_dim}"
        if self.chunk_size is not None:
            text += f", chunk_size={self.chunk_size}"
        return text
