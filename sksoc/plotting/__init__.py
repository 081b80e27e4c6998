"""Plots of embeddings, class embeddings and calibration, as scikit-learn Displays.

Drawing needs matplotlib, installed with ``pip install 'sksoc[plot]'``; this
package imports without it, and the displays say so when it is missing.
"""

from ._curves import EmbeddingCurvesDisplay
from ._projection import EmbeddingProjectionDisplay
from ._regions import EmbeddingRegionsDisplay
from ._reliability import ReliabilityDisplay
from ._similarity import ClassSimilarityDisplay

__all__ = [
    "ClassSimilarityDisplay",
    "EmbeddingCurvesDisplay",
    "EmbeddingProjectionDisplay",
    "EmbeddingRegionsDisplay",
    "ReliabilityDisplay",
]
