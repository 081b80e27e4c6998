"""Plots of embeddings and class vectors, in scikit-learn's Display style.

Drawing needs matplotlib, installed with ``pip install 'sksoc[plot]'``; this
package imports without it, and the displays say so when it is missing.
"""

from ._embedding import EmbeddingDisplay
from ._similarity import ClassSimilarityDisplay

__all__ = ["ClassSimilarityDisplay", "EmbeddingDisplay"]
