"""Metrics of embeddings, calibration and open-set recognition; scorers, a report."""

from ._calibration_error import reliability_curve, top_label_calibration_error
from ._class_geometry import (
    inter_class_separability,
    intra_class_compactness,
    similarity_confusion_correlation,
)
from ._open_set import fpr_at_tpr, make_open_set_scorer, open_set_auroc
from ._report import embedding_report
from ._scorers import (
    compactness_scorer,
    get_embedding_scorer,
    separability_scorer,
    silhouette_scorer,
)
from ._silhouette import silhouette_score

__all__ = [
    "compactness_scorer",
    "embedding_report",
    "fpr_at_tpr",
    "get_embedding_scorer",
    "inter_class_separability",
    "intra_class_compactness",
    "make_open_set_scorer",
    "open_set_auroc",
    "reliability_curve",
    "separability_scorer",
    "silhouette_score",
    "silhouette_scorer",
    "similarity_confusion_correlation",
    "top_label_calibration_error",
]
