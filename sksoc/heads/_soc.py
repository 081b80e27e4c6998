"""Self-Organizing Class embeddings: one Gaussian per class in embedding space."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._base import ClassHead, weighted_cross_entropy

_LOG_2PI = math.log(2.0 * math.pi)


class SOCHead(ClassHead):
    """Self-Organizing Class (SOC) head: a diagonal Gaussian per class.

    Class ``c`` is a Gaussian with mean ``mu_c`` (a learned embedding) and
    diagonal scale ``s_c`` (one by default). The logit of an embedding ``z``
    for class ``c`` is its log-density::

        log N(z | mu_c, s_c) = -1/2 sum_d ((z_d - mu_cd) / s_cd)^2
                               - sum_d log s_cd - D/2 log(2 pi)

    The training loss mixes two cross-entropies: the samples' logits against
    their labels, and the class means themselves classified among all class
    Gaussians (mean ``c`` should be most likely under class ``c``)::

        loss = (1 - w) * CE(logits(z), y) + w * CE(logits(mu), range(C))

    Every logit is computed from matrix products; no
    (n_samples, n_classes, D) tensor is ever built. With unit scales the
    terms ``-1/2 |z|^2`` and the normalising constant are the same for every
    class and cancel in the softmax, so training uses the linear form
    ``z . mu_c - 1/2 |mu_c|^2``; :meth:`logits` keeps every term.

    Parameters
    ----------
    n_classes : int
        Number of classes.
    embedding_dim : int
        Dimension of the embedding space.
    learn_scale : bool, default=False
        Learn a positive diagonal scale per class, parametrised as
        ``min_scale + softplus(raw)`` and initialised to one. The seed found a
        fixed unit scale more stable.
    class_loss_weight : float, default=0.5
        Weight ``w`` of the class-mean cross-entropy; 0.5 weighs both terms
        equally, as the SOC reference does.
    label_smoothing : float, default=0.1
        Label smoothing of both cross-entropies (see
        :class:`sksoc.SOCClassifier` for why it is on by default).
    init_std : float, default=0.05
        Standard deviation of the normal initialisation of the means.
    min_scale : float, default=1e-3
        Lower bound of the learned scales.

    Attributes
    ----------
    means : torch.nn.Parameter of shape (n_classes, embedding_dim)
        The class means.
    raw_scales : torch.nn.Parameter of shape (n_classes, embedding_dim) or None
        Unconstrained scale parameters; None unless ``learn_scale``.

    References
    ----------
    R. Pisoni, "Decoupling Features and Classes with Self-Organizing Class
    Embeddings", 2023.

    Examples
    --------
    >>> import torch
    >>> from sksoc.heads import SOCHead
    >>> head = SOCHead(n_classes=3, embedding_dim=2)
    >>> z = torch.zeros(4, 2)
    >>> head.logits(z).shape
    torch.Size([4, 3])
    >>> loss = head(z, torch.tensor([0, 1, 2, 0]))
    >>> loss.ndim
    0
    """

    def __init__(
        self,
        n_classes,
        embedding_dim,
        *,
        learn_scale=False,
        class_loss_weight=0.5,
        label_smoothing=0.1,
        init_std=0.05,
        min_scale=1e-3,
    ):
        super().__init__(n_classes, embedding_dim, label_smoothing=label_smoothing)
        if not 0.0 <= class_loss_weight <= 1.0:
            raise ValueError(
                f"class_loss_weight must be in [0, 1]; got {class_loss_weight}."
            )
        if min_scale <= 0 or min_scale >= 1:
            raise ValueError(f"min_scale must be in (0, 1); got {min_scale}.")
        self.class_loss_weight = class_loss_weight
        self.min_scale = min_scale
        self.means = nn.Parameter(torch.randn(n_classes, embedding_dim) * init_std)
        if learn_scale:
            # softplus(raw) = 1 - min_scale, so every scale starts at exactly one.
            raw = math.log(math.expm1(1.0 - min_scale))
            self.raw_scales = nn.Parameter(torch.full((n_classes, embedding_dim), raw))
        else:
            self.register_parameter("raw_scales", None)

    @property
    def learn_scale(self):
        return self.raw_scales is not None

    @property
    def class_embeddings(self):
        return self.means

    @property
    def scales(self):
        """The class scales, (n_classes, embedding_dim); None when fixed at one."""
        if self.raw_scales is None:
            return None
        return self.min_scale + F.softplus(self.raw_scales)

    def logits(self, z):
        """Log-density of each embedding under each class Gaussian."""
        mu = self.means
        d = self.embedding_dim
        scales = self.scales
        if scales is None:
            sq_dist = (z * z).sum(1, keepdim=True) - 2.0 * (z @ mu.T) + (mu * mu).sum(1)
            log_norm = -0.5 * d * _LOG_2PI
        else:
            precision = scales.pow(-2)
            sq_dist = (
                (z * z) @ precision.T
                - 2.0 * (z @ (mu * precision).T)
                + (mu * mu * precision).sum(1)
            )
            log_norm = -scales.log().sum(1) - 0.5 * d * _LOG_2PI
        # The expanded square can dip below zero by rounding when z ~ mu.
        return -0.5 * sq_dist.clamp_min(0.0) + log_norm

    def training_logits(self, z, target):
        if self.raw_scales is not None:
            return self.logits(z)
        mu = self.means
        return z @ mu.T - 0.5 * (mu * mu).sum(1)

    def class_loss(self):
        """Cross-entropy of each class mean classified among all classes."""
        classes = torch.arange(self.n_classes, device=self.means.device)
        return weighted_cross_entropy(
            self.training_logits(self.means, classes),
            classes,
            label_smoothing=self.label_smoothing,
        )

    def forward(self, z, target, sample_weight=None):
        sample_loss = super().forward(z, target, sample_weight)
        if self.class_loss_weight == 0.0:
            return sample_loss
        weight = self.class_loss_weight
        return (1.0 - weight) * sample_loss + weight * self.class_loss()

    def extra_repr(self):
        return (
            f"{super().extra_repr()}, learn_scale={self.learn_scale}, "
            f"class_loss_weight={self.class_loss_weight}, "
            f"label_smoothing={self.label_smoothing}"
        )
