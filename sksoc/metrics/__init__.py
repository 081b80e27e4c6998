"""How well an embedding separates classes: metrics, scorers and a report."""

from ._class_geometry import (
    inter_class_separability,
    intra_class_compactness,
    similarity_confusion_correlation,
)
from ._report import embedding_report
from ._scorers import (
    compactness_scorer,
    get_scorer,
    separability_scorer,
    silhouette_scorer,
)
from ._silhouette import silhouette_score

__all__ = [
    "compactness_scorer",
    "embedding_report",
    "get_scorer",
    "inter_class_separability",
    "intra_class_compactness",
    "separability_scorer",
    "silhouette_score",
    "silhouette_scorer",
    "similarity_confusion_correlation",
]
