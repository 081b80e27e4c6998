"""Find sksoc's public estimators, as scikit-learn's ``all_estimators`` does."""

from .._registry import ESTIMATORS


def all_estimators():
    """Every public estimator class of sksoc.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs, sorted by name.

    Examples
    --------
    >>> from sksoc.utils import all_estimators
    >>> "SOCClassifier" in dict(all_estimators())
    True
    """
    return sorted(ESTIMATORS.items())
