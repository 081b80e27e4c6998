"""sksoc: classification heads that are also embeddings.

scikit-learn estimators whose last layer is an embedding of the classes:
Self-Organizing Class embeddings (:class:`SOCClassifier`).
"""

from ._soc import SOCClassifier
from .exceptions import TrainingDivergedError

__version__ = "0.1.0.dev0"

__all__ = ["SOCClassifier", "TrainingDivergedError", "__version__"]
