"""Find sksoc's public estimators, as scikit-learn's ``all_estimators`` does."""

import inspect

from sklearn.base import BaseEstimator


def all_estimators():
    """Every public estimator class of sksoc.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs, sorted by name; abstract classes excluded.

    Examples
    --------
    >>> from sksoc.utils import all_estimators
    >>> "SOCClassifier" in dict(all_estimators())
    True
    """
    import sksoc

    estimators = {
        name: obj
        for name in sksoc.__all__
        if inspect.isclass(obj := getattr(sksoc, name))
        and issubclass(obj, BaseEstimator)
        and not inspect.isabstract(obj)
    }
    return sorted(estimators.items())
