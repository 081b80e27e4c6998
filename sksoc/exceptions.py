"""Exceptions raised by sksoc."""

__all__ = ["TrainingDivergedError"]


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
