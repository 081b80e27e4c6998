"""sksoc: classification heads that are also embeddings.

scikit-learn estimators whose last layer is an embedding of the classes:
Self-Organizing Class embeddings (:class:`SOCClassifier`), fixed random class
vectors (:class:`FixedRandomClassifier`), angular margins
(:class:`MarginClassifier`), and the plain softmax baseline
(:class:`SoftmaxClassifier`).
"""

from ._fixed import FixedRandomClassifier
from ._margin import MarginClassifier
from ._persistence import load_model, save_model
from ._soc import SOCClassifier
from ._softmax import SoftmaxClassifier
from ._version import __version__
from .exceptions import ModelFileError, TrainingDivergedError

__all__ = [
    "FixedRandomClassifier",
    "MarginClassifier",
    "ModelFileError",
    "SOCClassifier",
    "SoftmaxClassifier",
    "TrainingDivergedError",
    "__version__",
    "load_model",
    "save_model",
]
