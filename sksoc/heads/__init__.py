"""Class heads: plain :class:`torch.nn.Module` objects that turn embeddings into
class logits and a training loss. They know nothing of scikit-learn and can be
used in any torch training loop."""

from ._base import ClassHead, weighted_cross_entropy
from ._soc import SOCHead

__all__ = ["ClassHead", "SOCHead", "weighted_cross_entropy"]
