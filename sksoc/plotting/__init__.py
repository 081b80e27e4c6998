"""Plots of embeddings, class vectors and calibration, as scikit-learn Displays.

Drawing needs matplotlib, installed with ``pip install 'sksoc[plot]'``; this
package imports without it, and the displays say so when it is missing.
"""

from ._embedding import EmbeddingDisplay
from ._reliability import ReliabilityDisplay
from ._similarity import ClassSimilarityDisplay

__all__ = ["ClassSimilarityDisplay", "EmbeddingDisplay", "ReliabilityDisplay"]
