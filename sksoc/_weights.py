"""Training weights: sample weights and class weights, in one place.

Every training path (``fit``, ``partial_fit``, ``add_classes`` and each rank
of a data-parallel ``fit``) gives its rows one weight each from here: the
validated ``sample_weight`` scaled to mean one, times the row's class weight
(``class_weight``), scaled to mean one again. The class counts an estimator
keeps (``class_count_``) are the sums of the sample weights per class.
"""

import numpy as np
from sklearn.utils.class_weight import compute_class_weight

from ._compat import check_non_negative_sample_weight
from ._validation import check_class_weight_dict


def validated_weights(sample_weight, X):
    """Sample weights for the rows of X: float64, one per row, non-negative."""
    return check_non_negative_sample_weight(sample_weight, X, dtype=np.float64)


def scaled_to_mean_one(sample_weight):
    """Non-negative weights divided by their mean; an error if they sum to zero."""
    total = sample_weight.sum()
    # scikit-learn before 1.9 accepts weights that are all zero.
    if not total > 0:
        raise ValueError(
            "sample_weight sums to zero: at least one sample needs a positive weight."
        )
    return sample_weight * (len(sample_weight) / total)


def training_weights(sample_weight, X):
    """Validated weights for the rows of X scaled to mean one, or None."""
    if sample_weight is None:
        return None
    return scaled_to_mean_one(validated_weights(sample_weight, X))


def class_counts(y_encoded, sample_weight, n_classes):
    """The summed sample weight of each class (its row count without weights)."""
    return np.bincount(y_encoded, weights=sample_weight, minlength=n_classes).astype(
        np.float64
    )


def check_enough_classes(name, classes, y_encoded, sample_weight=None):
    """An error naming the estimator ``name`` unless two classes can be trained.

    Two classes, and with ``sample_weight`` two classes of positive weight.
    """
    if len(classes) < 2:
        raise ValueError(
            f"{name} needs samples of at least 2 classes; got 1 class "
            f"({classes.tolist()[0]!r})."
        )
    if sample_weight is not None:
        weighted = np.unique(y_encoded[sample_weight > 0])
        if len(weighted) < 2:
            raise ValueError(
                f"{name} needs at least 2 classes with positive sample_weight; "
                f"got 1 class ({classes.tolist()[weighted[0]]!r})."
            )


def with_class_weight(
    class_weight, sample_weight, y_encoded, classes, *, fit, name, two_classes=True
):
    """``sample_weight`` times each row's class weight, scaled to mean one.

    Parameters
    ----------
    class_weight : "balanced", dict or None
        The estimator's parameter; None returns ``sample_weight`` as it is.
    sample_weight : ndarray of shape (n_samples,) or None
    y_encoded : ndarray of shape (n_samples,)
        Indices into ``classes``.
    classes : ndarray
        The labels ``y_encoded`` indexes.
    fit : bool
        Whether the rows are a whole training set: "balanced" is computed on
        ``y_encoded``, and refused otherwise (``partial_fit``).
    name : str
        The estimator's name, for errors.
    two_classes : bool, default=True
        Whether fewer than two classes of positive weight is an error.

    Returns
    -------
    weight : ndarray of shape (n_samples,) or None
    """
    if class_weight is None:
        return sample_weight
    if class_weight == "balanced":
        if not fit:
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit: "
                "one batch does not show the class frequencies. Compute "
                "the weights on the whole training set with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', "
                "classes=classes, y=y) and pass them as a dict."
            )
        per_class = np.zeros(len(classes))
        present = np.unique(y_encoded)
        per_class[present] = compute_class_weight(
            "balanced", classes=present, y=y_encoded
        )
    else:
        per_class = check_class_weight_dict(class_weight, classes)
    weight = per_class[y_encoded]
    if sample_weight is not None:
        weight = weight * sample_weight
    total = weight.sum()
    if total <= 0:
        raise ValueError(
            "class_weight and sample_weight leave every training sample "
            "with zero weight."
        )
    if two_classes:
        check_enough_classes(name, classes, y_encoded, weight)
    return weight * (len(weight) / total)
