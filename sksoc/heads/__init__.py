"""Class heads: plain :class:`torch.nn.Module` objects that turn embeddings into
class logits and a training loss. They know nothing of scikit-learn and can be
used in any torch training loop::

    loss = head(encoder(X), y)   # training loss (margins applied)
    logits = head.logits(encoder(X))   # prediction logits
"""

from ._class_head import ClassHead
from ._class_vectors import ClassVectorHead
from ._init import initial_class_embeddings
from ._linear import LinearHead
from ._loss import LinearLogits, linear_cross_entropy, weighted_cross_entropy
from ._margin_heads import (
    ArcFaceHead,
    CombinedMarginHead,
    CosFaceHead,
    MarginHead,
    SphereFaceHead,
)
from ._product_of_marginals import product_of_marginals
from ._soc_head import SOCHead

__all__ = [
    "ArcFaceHead",
    "ClassHead",
    "ClassVectorHead",
    "CombinedMarginHead",
    "CosFaceHead",
    "LinearHead",
    "LinearLogits",
    "MarginHead",
    "SOCHead",
    "SphereFaceHead",
    "initial_class_embeddings",
    "linear_cross_entropy",
    "product_of_marginals",
    "weighted_cross_entropy",
]
