"""Self-Organizing Class embeddings: one Gaussian per class in embedding space."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._class_head import ClassHead
from ._loss import LinearLogits, gather_rows
from ._product_of_marginals import product_of_marginals

_LOG_2PI = math.log(2.0 * math.pi)
# Contrast rows drawn per training row by :meth:`SOCHead.extra_training_rows`.
CONTRAST_ROWS_PER_ROW = 0.5


class SOCHead(ClassHead):
    """Self-Organizing Class (SOC) head: a diagonal Gaussian per class.

    Class ``c`` is a Gaussian with mean ``mu_c`` (a learned embedding) and
    diagonal scale ``s_c`` (one by default). The logit of an embedding ``z``
    for class ``c`` is its log-density::

        log N(z | mu_c, s_c) = -1/2 sum_d ((z_d - mu_cd) / s_cd)^2
                               - sum_d log s_cd - D/2 log(2 pi)

    The training loss mixes two cross-entropies: the samples' logits against
    their labels, and the class means themselves classified among the class
    Gaussians (mean ``c`` should be most likely under class ``c``), plus the
    samples' negative log-likelihood under their own class::

        loss = (1 - w) * CE(logits(z), y) + w * CE(logits(mu), range(C))
               + lambda * mean(-log N(z | mu_y, s_y))

    With ``contrast_weight`` ``rho > 0``, :meth:`contrast_loss` adds the
    contrast term ``rho * mean(softplus(log p(z_con) - log p(z)))``. It
    contrasts the density of data rows with that of *contrast rows*, rows
    whose columns were shuffled independently across the batch
    (:func:`product_of_marginals` draws), in the sense of Gutmann and
    Hyvärinen's noise-contrastive estimation, so that the class mixture
    ``p`` learns to rank data above rows off the data: each contrast row's
    embedding should be less likely under ``p`` than the data row it is
    paired with. The head only sees embeddings: it draws the contrast rows
    from the batch (:meth:`extra_training_rows`), the training loop encodes
    them with the batch, and :meth:`extra_training_loss` returns the
    weighted term.

    Every logit is computed from matrix products; no
    (n_samples, n_classes, D) tensor is ever built. With unit scales the
    terms ``-1/2 |z|^2`` and the normalising constant are the same for every
    class and cancel in the softmax, so training uses the linear form
    ``z . mu_c - 1/2 |mu_c|^2``, one matrix product plus a per-class bias;
    with learned scales the log-density is linear in ``(z^2, z)``.
    :meth:`logits` keeps every term.

    The class-mean term needs a (classes x classes) matrix. With more than
    ``class_loss_sample_size`` classes, each step draws that many classes at
    random and classifies their means among themselves (a sampled softmax);
    with fewer, the term is exact.

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
        equally, as the SOC authors' code does.
    class_loss_sample_size : int, default=256
        Classes drawn per step for the class-mean term when there are more.
    likelihood_weight : float, default=0.0
        Weight of a third term, the mean negative log-likelihood of each
        sample under its own class Gaussian (constant dropped). The
        cross-entropies only ask a sample to be likelier under its class than
        under the others, which they reward by pushing samples outward, past
        their means; this term pulls them onto their means, making the
        classes real Gaussian clusters (see :meth:`likelihood_loss`).
    label_smoothing : float, default=0.1
        Label smoothing of both cross-entropies. The head's defaults are
        those of the SOC authors' code (0.1, no likelihood term);
        :class:`sksoc.SOCClassifier` defaults to ``likelihood_weight=0.1,
        label_smoothing=0`` instead, for the reasons its user guide
        measures.
    contrast_weight : float, default=0.0
        Weight ``rho`` of :meth:`contrast_loss`, which the training loop
        adds through :meth:`extra_training_rows` and
        :meth:`extra_training_loss`; ``head(z, y)`` itself never includes
        the term.
    init_std : float, default=0.05
        Standard deviation of the normal initialisation of the means.
    min_scale : float, default=1e-3
        Lower bound of the learned scales.
    chunk_size : int, default=None
        See :class:`ClassHead`.
    generator : torch.Generator, default=None
        Draws the initial means; torch's global generator when None.

    Attributes
    ----------
    class_embeddings : torch.nn.Parameter of shape (n_classes, embedding_dim)
        The class means ``mu_c``.
    raw_scales : torch.nn.Parameter of shape (n_classes, embedding_dim) or None
        Unconstrained scale parameters; None unless ``learn_scale``.

    References
    ----------
    R. Pisoni, "Decoupling Features and Classes with Self-Organizing Class
    Embeddings", 2023.

    M. Gutmann, A. Hyvärinen, "Noise-contrastive estimation: A new
    estimation principle for unnormalized statistical models", AISTATS 2010.

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
        class_loss_sample_size=256,
        likelihood_weight=0.0,
        label_smoothing=0.1,
        contrast_weight=0.0,
        init_std=0.05,
        min_scale=1e-3,
        chunk_size=None,
        generator=None,
    ):
        super().__init__(
            n_classes,
            embedding_dim,
            label_smoothing=label_smoothing,
            chunk_size=chunk_size,
        )
        if not 0.0 <= class_loss_weight <= 1.0:
            raise ValueError(
                f"class_loss_weight must be in [0, 1]; got {class_loss_weight}."
            )
        if class_loss_sample_size < 2:
            raise ValueError(
                "class_loss_sample_size must be at least 2; got "
                f"{class_loss_sample_size}."
            )
        if likelihood_weight < 0:
            raise ValueError(
                f"likelihood_weight must be non-negative; got {likelihood_weight}."
            )
        if contrast_weight < 0:
            raise ValueError(
                f"contrast_weight must be non-negative; got {contrast_weight}."
            )
        if min_scale <= 0 or min_scale >= 1:
            raise ValueError(f"min_scale must be in (0, 1); got {min_scale}.")
        self.class_loss_weight = class_loss_weight
        self.class_loss_sample_size = class_loss_sample_size
        self.likelihood_weight = likelihood_weight
        self.contrast_weight = contrast_weight
        self.min_scale = min_scale
        self.class_embeddings = nn.Parameter(
            torch.randn(n_classes, embedding_dim, generator=generator) * init_std
        )
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
    def scales(self):
        """The class scales, (n_classes, embedding_dim); None when fixed at one."""
        if self.raw_scales is None:
            return None
        return self.min_scale + F.softplus(self.raw_scales)

    def logits(self, z):
        """Log-density of each embedding under each class Gaussian."""
        return self._log_densities(z, self.class_embeddings, self.scales)

    def _log_densities(self, z, means, scales):
        """``log N(z | mu_c, s_c)`` for the given classes, every term kept."""
        d = self.embedding_dim
        if scales is None:
            sq_dist = (
                (z * z).sum(1, keepdim=True)
                - 2.0 * (z @ means.T)
                + (means * means).sum(1)
            )
            log_norm = -0.5 * d * _LOG_2PI
        else:
            precision = scales.pow(-2)
            sq_dist = (
                (z * z) @ precision.T
                - 2.0 * (z @ (means * precision).T)
                + (means * means * precision).sum(1)
            )
            log_norm = -scales.log().sum(1) - 0.5 * d * _LOG_2PI
        # The expanded square can dip below zero by rounding when z ~ mu.
        return -0.5 * sq_dist.clamp_min(0.0) + log_norm

    def mixture_log_density(self, z, classes=None):
        """``log (1/C) sum_c N(z | mu_c, s_c)``: the equal-weight class mixture.

        Parameters
        ----------
        z : torch.Tensor of shape (n_samples, embedding_dim)
        classes : torch.Tensor of shape (n_selected,), default=None
            Class indices: the mixture of those classes only. None is all.

        Returns
        -------
        log_density : torch.Tensor of shape (n_samples,)
        """
        if classes is None:
            means, scales = self.class_embeddings, self.scales
        else:
            means, scales = self._class_rows(classes)
        log_densities = self._log_densities(z, means, scales)
        return torch.logsumexp(log_densities, 1) - math.log(log_densities.shape[1])

    def _linear_terms(self, z, means, scales):
        """Log-densities of ``z`` under the given classes, up to per-row constants."""
        if scales is None:
            return LinearLogits(z, means, norm_bias=-0.5)
        precision = scales.pow(-2)
        # -1/2 sum P (z - mu)^2 - sum log s, expanded: linear in (z^2, z).
        inputs = torch.cat([z * z, z], dim=1)
        weight = torch.cat([-0.5 * precision, means * precision], dim=1)
        bias = -0.5 * (means * means * precision).sum(1) - scales.log().sum(1)
        return LinearLogits(inputs, weight, bias)

    def training_terms(self, z, target):
        return self._linear_terms(z, self.class_embeddings, self.scales)

    def _class_rows(self, classes):
        """Means and scales of the classes at index ``classes``.

        Their gradient is sparse (the touched rows only), so that sampling a
        few classes out of a million adds no (n_classes, D) temporary.
        """
        means = gather_rows(self.class_embeddings, classes)
        if self.raw_scales is None:
            return means, None
        return means, self.min_scale + F.softplus(gather_rows(self.raw_scales, classes))

    def class_loss(self):
        """Cross-entropy of the class means classified among the class Gaussians.

        Exact with at most ``class_loss_sample_size`` classes; otherwise over a
        random sample of that many classes, drawn from
        :attr:`training_generator`.
        """
        n_sampled = min(self.n_classes, self.class_loss_sample_size)
        device = self.class_embeddings.device
        if n_sampled == self.n_classes:
            means, scales = self.class_embeddings, self.scales
        else:
            classes = torch.randperm(
                self.n_classes, device=device, generator=self.training_generator
            )[:n_sampled]
            means, scales = self._class_rows(classes)
        return self._linear_terms(means, means, scales).cross_entropy(
            torch.arange(n_sampled, device=device),
            label_smoothing=self.label_smoothing,
            chunk_size=self.chunk_size,
        )

    def likelihood_loss(self, z, target, sample_weight=None):
        """Mean ``-log N(z | mu_y, s_y)`` of each sample under its own class.

        Without the constant ``D/2 log(2 pi)``; weighted like the
        cross-entropy.
        """
        means, scales = self._class_rows(target)
        difference = z - means
        if scales is None:
            losses = 0.5 * (difference * difference).sum(1)
        else:
            losses = 0.5 * ((difference / scales) ** 2).sum(1) + scales.log().sum(1)
        if sample_weight is not None:
            losses = losses * sample_weight
        return losses.mean()

    def contrast_loss(self, z, z_contrast, target=None):
        """Mean ``softplus(log p(z_con_i) - log p(z_i))`` over pairs of rows.

        ``p`` is the class mixture of :meth:`mixture_log_density`. Row ``i``
        of ``z_contrast``, the embedding of a contrast row (a row off the
        data), is paired with row ``i`` of ``z``, a data row's: the loss is
        the logistic loss of telling the two apart by their densities, and
        falls as the contrast row becomes the less likely of the two. Both
        densities carry gradients. (Held constant, the data rows' density
        let the term fall by pushing every embedding away from the classes,
        the data's with the contrast rows': where contrast rows resemble
        data, as on encoded tables, the embeddings grew without bound.) The
        term is not weighted: the class and sample weights are the
        cross-entropies' and the likelihood term's. With more than
        ``class_loss_sample_size`` classes and ``target`` given, both
        densities are over the classes in ``target`` only, so that no
        (rows x classes) matrix of every class is built.

        Parameters
        ----------
        z : torch.Tensor of shape (n_pairs, embedding_dim)
            Embeddings of data rows.
        z_contrast : torch.Tensor of shape (n_pairs, embedding_dim)
            Embeddings of contrast rows.
        target : torch.Tensor of shape (n_pairs,), default=None
            The data rows' classes; used only to select classes, as above.

        Returns
        -------
        loss : torch.Tensor
            A scalar.

        Examples
        --------
        >>> import torch
        >>> from sksoc.heads import SOCHead
        >>> head = SOCHead(n_classes=2, embedding_dim=2)
        >>> z = head.class_embeddings.detach().clone()  # data on the class means
        >>> far = z + 10.0  # contrast rows far from both classes
        >>> bool(head.contrast_loss(z, far) < head.contrast_loss(z, z))
        True
        """
        if z.shape != z_contrast.shape:
            raise ValueError(
                "z and z_contrast must have the same shape; got "
                f"{tuple(z.shape)} and {tuple(z_contrast.shape)}."
            )
        classes = None
        if target is not None and self.n_classes > self.class_loss_sample_size:
            classes = torch.unique(target)
        # Both sets of rows in one product with the class parameters.
        densities = self.mixture_log_density(torch.cat([z, z_contrast]), classes)
        data, contrast = densities[: len(z)], densities[len(z) :]
        return F.softplus(contrast - data).mean()

    def extra_training_rows(self, X):
        """``ceil(CONTRAST_ROWS_PER_ROW * len(X))`` contrast rows of the batch.

        Rows of the product of the batch's column marginals
        (:func:`product_of_marginals`), drawn from
        :attr:`training_generator`; None when ``contrast_weight`` is 0. See
        :meth:`ClassHead.extra_training_rows`.
        """
        if self.contrast_weight <= 0.0:
            return None
        # A training batch has at least one row, and so does this.
        n_rows = math.ceil(CONTRAST_ROWS_PER_ROW * len(X))
        return product_of_marginals(X, n_rows, generator=self.training_generator)

    def extra_training_loss(self, z_extra, z, target):
        """``contrast_weight`` times :meth:`contrast_loss` of the contrast rows.

        Contrast row ``i`` is paired with the batch's row ``i``, a random
        row of a shuffled batch. See :meth:`ClassHead.extra_training_loss`.
        """
        if self.contrast_weight <= 0.0:
            return None
        n_rows = len(z_extra)
        return self.contrast_weight * self.contrast_loss(
            z[:n_rows], z_extra, target[:n_rows]
        )

    def forward(self, z, target, sample_weight=None):
        loss = super().forward(z, target, sample_weight)
        if self.class_loss_weight > 0.0:
            weight = self.class_loss_weight
            loss = (1.0 - weight) * loss + weight * self.class_loss()
        if self.likelihood_weight > 0.0:
            loss = loss + self.likelihood_weight * self.likelihood_loss(
                z, target, sample_weight
            )
        return loss

    def _class_tensors(self):
        raw_one = math.log(math.expm1(1.0 - self.min_scale))
        return {
            "class_embeddings": lambda n: torch.zeros(n, self.embedding_dim),
            "raw_scales": lambda n: torch.full((n, self.embedding_dim), raw_one),
        }

    def extra_repr(self):
        return (
            f"{super().extra_repr()}, learn_scale={self.learn_scale}, "
            f"class_loss_weight={self.class_loss_weight}, "
            f"likelihood_weight={self.likelihood_weight}, "
            f"label_smoothing={self.label_smoothing}, "
            f"contrast_weight={self.contrast_weight}"
        )
