"""Additive and multiplicative angular margins: ArcFace, CosFace, SphereFace.

All margin heads share one computation: cosine similarities between the
normalised embedding and normalised class vectors, scaled by ``s``. In
training, the target class's cosine is replaced by a smaller value, so a
sample must beat the other classes by a margin; this is the one hook,
:meth:`MarginHead.target_cosine`, that each variant implements. The combined
form ``cos(m1 * theta + m2) - m3`` covers SphereFace (m1), ArcFace (m2) and
CosFace (m3). Prediction uses the scaled cosine without margin.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._class_head import ClassHead
from ._init import initial_class_embeddings
from ._loss import LinearLogits, gather_rows, weighted_cross_entropy


def _angle(cos_theta):
    """``acos`` with a finite gradient: cosines are kept one ulp inside +-1."""
    eps = torch.finfo(cos_theta.dtype).eps
    return torch.acos(cos_theta.clamp(-1.0 + eps, 1.0 - eps))


class MarginHead(ClassHead):
    """Base class of the margin heads.

    Parameters
    ----------
    n_classes : int
        Number of classes.
    embedding_dim : int
        Dimension of the embeddings.
    scale : float, default=30.0
        The factor ``s`` of the cosine logits.
    sub_centers : int, default=1
        Vectors per class; a class's cosine is the largest over its
        sub-centres (sub-center ArcFace), which tolerates noisy or
        multi-modal classes.
    easy_margin : bool, default=False
        Apply the margin only where the target cosine is positive.
    generator : torch.Generator, default=None
        Draws the initial class vectors; torch's global generator when None.
    **kwargs
        ``label_smoothing`` and ``chunk_size`` of :class:`ClassHead`; chunks
        need ``sub_centers=1``.

    Attributes
    ----------
    class_embeddings : torch.nn.Parameter of shape (n_classes, embedding_dim) \
or (n_classes, sub_centers, embedding_dim)
        The learned class vectors; with sub-centres, ``class_embeddings[c]``
        holds the ``sub_centers`` vectors of class ``c``.
    """

    def __init__(
        self,
        n_classes,
        embedding_dim,
        *,
        scale=30.0,
        sub_centers=1,
        easy_margin=False,
        generator=None,
        **kwargs,
    ):
        super().__init__(n_classes, embedding_dim, **kwargs)
        if scale <= 0:
            raise ValueError(f"scale must be positive; got {scale}.")
        if sub_centers < 1:
            raise ValueError(f"sub_centers must be at least 1; got {sub_centers}.")
        if sub_centers > 1 and self.chunk_size is not None:
            raise ValueError(
                "chunk_size needs sub_centers=1: a class's logit is the largest "
                "over its sub-centres, which a chunked cross-entropy cannot see."
            )
        self.scale = float(scale)
        self.sub_centers = int(sub_centers)
        self.easy_margin = easy_margin
        vectors = initial_class_embeddings(
            n_classes * self.sub_centers, embedding_dim, generator=generator
        )
        if self.sub_centers > 1:
            vectors = vectors.view(n_classes, self.sub_centers, embedding_dim)
        self.class_embeddings = nn.Parameter(vectors)

    def _unit_vectors(self):
        """The class vectors l2-normalised, one row per sub-centre, class-major."""
        return F.normalize(self.class_embeddings.view(-1, self.embedding_dim), dim=1)

    def embed(self, z):
        return F.normalize(z, dim=1)

    def cosines(self, z):
        """Cosine of each embedding with each class (its closest sub-centre)."""
        cos = self.embed(z) @ self._unit_vectors().T
        if self.sub_centers > 1:
            cos = cos.view(len(z), self.n_classes, self.sub_centers).amax(dim=2)
        return cos

    def logits(self, z):
        return self.scale * self.cosines(z)

    def target_cosine(self, cos_theta):
        """The target class's cosine with the margin applied (the one hook)."""
        raise NotImplementedError

    def _target_logit(self, cos_target):
        with_margin = self.target_cosine(cos_target)
        if self.easy_margin:
            with_margin = torch.where(cos_target > 0, with_margin, cos_target)
        return self.scale * with_margin

    def training_terms(self, z, target):
        if self.sub_centers > 1:
            raise NotImplementedError(
                "With sub-centres the logits are not linear; see training_logits."
            )
        unit_z = self.embed(z)
        unit_w = self._unit_vectors()
        target_logit = None
        if self.training:
            # Only the target column changes: its cosine is a row-wise dot.
            target_cos = (unit_z * gather_rows(unit_w, target)).sum(1)
            target_logit = self._target_logit(target_cos)
        return LinearLogits(self.scale * unit_z, unit_w, target_logit=target_logit)

    def training_logits(self, z, target):
        if self.sub_centers == 1:
            return super().training_logits(z, target)
        cos = self.cosines(z)
        if not self.training:
            return self.scale * cos
        index = target[:, None]
        target_logit = self._target_logit(cos.gather(1, index))
        return (self.scale * cos).scatter(1, index, target_logit)

    def forward(self, z, target, sample_weight=None):
        if self.sub_centers == 1:
            return super().forward(z, target, sample_weight)
        return weighted_cross_entropy(
            self.training_logits(z, target),
            target,
            sample_weight,
            label_smoothing=self.label_smoothing,
        )

    def extra_repr(self):
        return (
            f"{super().extra_repr()}, scale={self.scale}, "
            f"sub_centers={self.sub_centers}, easy_margin={self.easy_margin}"
        )


class CombinedMarginHead(MarginHead):
    """Target logit ``s * (cos(m1 * theta + m2) - m3)``.

    Where ``m1 * theta + m2`` would pass pi, ``cos`` would start rising again
    and reward a worse angle; beyond ``theta_max = (pi - m2) / m1`` the target
    cosine continues instead as ``cos(theta) - cos(theta_max) - 1 - m3``,
    which meets the margin curve at ``theta_max`` and keeps falling.

    Parameters
    ----------
    n_classes, embedding_dim : int
        Numbers of classes and embedding dimensions.
    margins : tuple of 3 float, default=(1.0, 0.3, 0.2)
        ``(m1, m2, m3)``: multiplicative angular margin (SphereFace, no
        unit, 1 = none), additive angular margin (ArcFace, radians) and
        additive cosine margin (CosFace, in cosine units). The default is
        InsightFace's combined setting.
    **kwargs
        ``scale``, ``sub_centers``, ``easy_margin``, ``label_smoothing`` of
        :class:`MarginHead`.

    References
    ----------
    J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular Margin
    Loss for Deep Face Recognition", CVPR 2019.

    Examples
    --------
    >>> import math, torch
    >>> from sksoc.heads import CombinedMarginHead
    >>> head = CombinedMarginHead(3, 2, margins=(1.0, 0.5, 0.1), scale=1.0)
    >>> cos_theta = torch.tensor([[math.cos(1.0)]])
    >>> round(head.target_cosine(cos_theta).item(), 4)  # cos(1.5) - 0.1
    -0.0293
    """

    def __init__(self, n_classes, embedding_dim, *, margins=(1.0, 0.3, 0.2), **kwargs):
        super().__init__(n_classes, embedding_dim, **kwargs)
        m1, m2, m3 = (float(m) for m in margins)
        if m1 < 1 or m2 < 0 or m3 < 0 or m2 >= math.pi:
            raise ValueError(
                "margins (m1, m2, m3) need m1 >= 1, 0 <= m2 < pi (radians) and "
                f"m3 >= 0; got {tuple(margins)}."
            )
        self.margins = (m1, m2, m3)

    def target_cosine(self, cos_theta):
        m1, m2, m3 = self.margins
        if m1 == 1.0 and m2 == 0.0:
            return cos_theta - m3
        theta = _angle(cos_theta)
        target = torch.cos(m1 * theta + m2) - m3
        theta_max = (math.pi - m2) / m1
        if theta_max < math.pi:
            fallback = cos_theta - math.cos(theta_max) - 1.0 - m3
            target = torch.where(theta <= theta_max, target, fallback)
        return target

    def extra_repr(self):
        return f"{super().extra_repr()}, margins={self.margins}"


class ArcFaceHead(CombinedMarginHead):
    """Additive angular margin: target logit ``s * cos(theta + m)``.

    Parameters
    ----------
    n_classes, embedding_dim : int
        Numbers of classes and embedding dimensions.
    margin : float, default=0.5
        The angle ``m`` in radians (0.5 rad is about 28.6 degrees, ArcFace's
        default).
    **kwargs
        ``scale``, ``sub_centers``, ``easy_margin``, ``label_smoothing``.

    References
    ----------
    J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular Margin
    Loss for Deep Face Recognition", CVPR 2019.

    Examples
    --------
    >>> import math, torch
    >>> from sksoc.heads import ArcFaceHead
    >>> head = ArcFaceHead(3, 2, margin=0.5)
    >>> round(head.target_cosine(torch.tensor([[math.cos(0.3)]])).item(), 4)
    0.6967
    """

    def __init__(self, n_classes, embedding_dim, *, margin=0.5, **kwargs):
        super().__init__(n_classes, embedding_dim, margins=(1.0, margin, 0.0), **kwargs)


class CosFaceHead(CombinedMarginHead):
    """Additive cosine margin: target logit ``s * (cos(theta) - m)``.

    Parameters
    ----------
    n_classes, embedding_dim : int
        Numbers of classes and embedding dimensions.
    margin : float, default=0.35
        The margin ``m`` in cosine units (CosFace's default 0.35).
    **kwargs
        ``scale``, ``sub_centers``, ``easy_margin``, ``label_smoothing``.

    References
    ----------
    H. Wang et al., "CosFace: Large Margin Cosine Loss for Deep Face
    Recognition", CVPR 2018.

    Examples
    --------
    >>> import torch
    >>> from sksoc.heads import CosFaceHead
    >>> CosFaceHead(3, 2).target_cosine(torch.tensor([[0.9]]))
    tensor([[0.5500]])
    """

    def __init__(self, n_classes, embedding_dim, *, margin=0.35, **kwargs):
        super().__init__(n_classes, embedding_dim, margins=(1.0, 0.0, margin), **kwargs)


class SphereFaceHead(MarginHead):
    """Multiplicative angular margin with SphereFace's annealing.

    The target cosine is ``psi(theta) = (-1)^k cos(m theta) - 2k`` for
    ``theta`` in ``[k pi / m, (k + 1) pi / m]``, a monotonic extension of
    ``cos(m theta)`` to ``[0, pi]``. Training starts close to the plain
    cosine and anneals toward ``psi``: the target is
    ``(lambda * cos(theta) + psi(theta)) / (1 + lambda)`` with
    ``lambda = max(lambda_min, base * (1 + gamma * step) ** -power)``, where
    ``step`` counts training steps only (calls in training mode with
    gradients on); evaluation and prediction never advance it.

    Parameters
    ----------
    n_classes, embedding_dim : int
        Numbers of classes and embedding dimensions.
    margin : float, default=4.0
        The multiplier ``m`` (no unit; SphereFace's default 4).
    annealing : tuple of 4 float or callable, default=(1000.0, 0.12, 1.0, 5.0)
        ``(base, gamma, power, lambda_min)`` of the schedule above
        (SphereFace's values), or a callable mapping the step count to
        ``lambda``.
    **kwargs
        ``scale``, ``sub_centers``, ``easy_margin``, ``label_smoothing``.

    Attributes
    ----------
    steps : torch.Tensor
        Training steps taken, a buffer (saved with the model).

    References
    ----------
    W. Liu et al., "SphereFace: Deep Hypersphere Embedding for Face
    Recognition", CVPR 2017.

    Examples
    --------
    >>> import math, torch
    >>> from sksoc.heads import SphereFaceHead
    >>> head = SphereFaceHead(3, 2, annealing=lambda step: 0.0)
    >>> round(head.target_cosine(torch.tensor([[math.cos(0.3)]])).item(), 4)
    0.3624
    """

    def __init__(
        self,
        n_classes,
        embedding_dim,
        *,
        margin=4.0,
        annealing=(1000.0, 0.12, 1.0, 5.0),
        **kwargs,
    ):
        super().__init__(n_classes, embedding_dim, **kwargs)
        if margin < 1:
            raise ValueError(f"The SphereFace margin must be >= 1; got {margin}.")
        if not callable(annealing):
            if len(annealing) != 4 or min(annealing) < 0:
                raise ValueError(
                    "annealing must be a callable or 4 non-negative numbers "
                    f"(base, gamma, power, lambda_min); got {annealing!r}."
                )
            annealing = tuple(float(a) for a in annealing)
        self.margin = float(margin)
        self.annealing = annealing
        self.register_buffer("steps", torch.zeros((), dtype=torch.int64))

    def mixing_weight(self):
        """The current ``lambda``: the plain cosine's weight in the target."""
        step = int(self.steps)
        if callable(self.annealing):
            return float(self.annealing(step))
        base, gamma, power, lambda_min = self.annealing
        return max(lambda_min, base * (1.0 + gamma * step) ** -power)

    def target_cosine(self, cos_theta):
        theta = _angle(cos_theta)
        k = torch.floor(self.margin * theta / math.pi)
        sign = 1.0 - 2.0 * torch.remainder(k, 2.0)
        psi = sign * torch.cos(self.margin * theta) - 2.0 * k
        weight = self.mixing_weight()
        return (weight * cos_theta + psi) / (1.0 + weight)

    def forward(self, z, target, sample_weight=None):
        loss = super().forward(z, target, sample_weight)
        if self.training and torch.is_grad_enabled():
            self.steps += 1
        return loss

    def extra_repr(self):
        return f"{super().extra_repr()}, margin={self.margin}"
