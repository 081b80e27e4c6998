"""sksoc's estimators by class name, for the code that finds them by name.

A plain mapping over the estimator modules: it imports those and nothing
above them, so the modules that look estimators up by name (model files,
:func:`sksoc.utils.all_estimators`) never import the package's
``__init__``.
"""

from ._fixed import FixedRandomClassifier
from ._margin import MarginClassifier
from ._soc import SOCClassifier
from ._softmax import SoftmaxClassifier

ESTIMATORS = {
    estimator.__name__: estimator
    for estimator in (
        FixedRandomClassifier,
        MarginClassifier,
        SOCClassifier,
        SoftmaxClassifier,
    )
}
