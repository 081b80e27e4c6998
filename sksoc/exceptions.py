"""Exceptions raised by sksoc."""

__all__ = ["ModelFileError", "TrainingDivergedError"]


class TrainingDivergedError(FloatingPointError):
    """Training stopped because the loss became NaN or infinite.

    The estimator is left as it was before the call that diverged: a fitted
    model keeps working, an unfitted one stays unfitted.

    Examples
    --------
    >>> from sksoc.exceptions import TrainingDivergedError
    >>> issubclass(TrainingDivergedError, FloatingPointError)
    True
    """


class ModelFileError(ValueError):
    """A model file that :func:`load_model` refuses to load.

    Raised, before any estimator is built, for a file that is not an sksoc
    model file or is truncated, comes from an incompatible format version,
    was modified after it was saved, names an estimator sksoc does not have,
    or needs a class the caller did not trust.

    Examples
    --------
    >>> from sksoc.exceptions import ModelFileError
    >>> issubclass(ModelFileError, ValueError)
    True
    """
