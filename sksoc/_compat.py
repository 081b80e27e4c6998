"""Private API and version differences of sksoc's dependencies, in one module.

Everywhere else sksoc uses scikit-learn, skorch and torch through their public
API only; ``tests/test_compat.py`` fails when a private name of theirs
appears in any other module. What scikit-learn keeps private but every
third-party estimator needs (parameter validation, the fit context, sample
weight checks) is named here once, so that a release that moves or renames it
changes this module alone. Where the supported versions of numpy, scipy,
scikit-learn or torch differ in a public API too, the difference is bridged
here, each with the version that changed it.

The supported versions are the bounds in ``pyproject.toml``; ``.ci/run-minimum``
runs the test suite at the lowest of them.
"""

import inspect

import numpy as np
import torch
from scipy.stats import spearmanr
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight
from sklearn.utils.validation import column_or_1d as _column_or_1d

__all__ = [
    "TORCH_HAS_FUSED_CPU_OPTIMIZERS",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "check_non_negative_sample_weight",
    "column_or_1d",
    "elementwise_not_equal",
    "fit_context",
    "is_first_partial_fit",
    "param_names",
    "spearman_correlation",
    "validate_params",
]


def _release(version):
    """``"2.4.1+cpu"`` -> ``(2, 4)``: the major and minor release numbers."""
    return tuple(int(part) for part in version.split(".")[:2])


TORCH_VERSION = _release(torch.__version__)

# torch.optim's Adam, AdamW and SGD have fused kernels for CUDA, and for the
# CPU from torch 2.4.
TORCH_HAS_FUSED_CPU_OPTIMIZERS = TORCH_VERSION >= (2, 4)


def fit_context(*, prefer_skip_nested_validation):
    """scikit-learn's decorator of ``fit`` methods (``sklearn.base._fit_context``).

    It validates the estimator's parameters against its
    ``_parameter_constraints`` and applies ``sklearn.config_context``'s
    ``skip_parameter_validation`` to nested estimators.
    """
    return _fit_context(prefer_skip_nested_validation=prefer_skip_nested_validation)


def validate_params(estimator):
    """Check ``estimator``'s parameters against its ``_parameter_constraints``.

    Raises :class:`InvalidParameterError` (a ``ValueError`` and a
    ``TypeError``) naming the parameter, as ``fit`` would.
    """
    estimator._validate_params()


def param_names(estimator_class):
    """The names of the parameters of ``estimator_class.__init__``, sorted.

    The names scikit-learn's ``get_params`` reports (``**kwargs`` excluded).
    """
    return estimator_class._get_param_names()


def is_first_partial_fit(estimator, classes):
    """Whether this is ``estimator``'s first ``partial_fit`` call.

    On the first call ``classes`` is required and stored as ``classes_``;
    afterwards it must be None or equal to ``classes_``. Raises ``ValueError``
    otherwise, with scikit-learn's messages.
    """
    return _check_partial_fit_first_call(estimator, classes)


def check_non_negative_sample_weight(sample_weight, X, *, dtype):
    """``sample_weight`` as a validated 1-d array of ``dtype``, one per row of X.

    Raises ``ValueError`` when a weight is negative or the length is wrong;
    None gives weights of one. Whether weights that are all zero are accepted
    depends on the scikit-learn version (rejected from 1.9); the caller checks
    that itself.
    """
    return _check_sample_weight(sample_weight, X, dtype=dtype, ensure_non_negative=True)


# column_or_1d names its input in its messages from scikit-learn 1.8.
_COLUMN_OR_1D_NAMES_INPUT = "input_name" in inspect.signature(_column_or_1d).parameters


def column_or_1d(y, *, dtype=None, warn=False, input_name="y"):
    """scikit-learn's ``column_or_1d``: ``y`` as a 1-d array, a column raveled.

    ``input_name`` names ``y`` in the messages of scikit-learn 1.8 and later;
    earlier versions call it "y".
    """
    if _COLUMN_OR_1D_NAMES_INPUT:
        return _column_or_1d(y, dtype=dtype, warn=warn, input_name=input_name)
    return _column_or_1d(y, dtype=dtype, warn=warn)


def spearman_correlation(x, y):
    """Spearman's rank correlation of ``x`` and ``y``, from scipy's ``spearmanr``.

    Its result names the value ``statistic`` from scipy 1.10 and
    ``correlation`` before; it is the result's first item in both.
    """
    return spearmanr(x, y)[0]


def elementwise_not_equal(a, b):
    """``a != b`` element by element, for arrays of labels of any two dtypes.

    Strings never equal numbers; numpy before 1.25 answers ``!=`` between an
    array of one and an array of the other with a single ``True`` (and a
    FutureWarning), later versions with an array.
    """
    a, b = np.asarray(a), np.asarray(b)
    kinds = {a.dtype.kind, b.dtype.kind}
    # One array of strings, the other of numbers (not of Python objects).
    if kinds & set("SU") and kinds - set("SUO"):
        return np.ones(np.broadcast_shapes(a.shape, b.shape), dtype=bool)
    return a != b
