"""Labels as codes: the one place sksoc turns class labels into positions.

:func:`encode_labels` finds the classes of a label vector (sorted, as
``np.unique`` sorts them) and each label's position among them;
:func:`encode_as` finds each label's position among classes already known
(a fitted ``classes_``) and names the labels that are not among them.
"""

import numpy as np

from ._compat import elementwise_not_equal


def encode_labels(labels):
    """Return the sorted distinct labels and each sample's position among them."""
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:
        raise TypeError(
            "labels must all be of one sortable type (all strings or all numbers); "
            f"got {labels.dtype} values that cannot be compared: {exc}"
        ) from exc
    return classes, codes.ravel()


def encode_as(values, classes, what, *, classes_name="classes_"):
    """Positions of ``values`` in ``classes``; every value must be a class.

    Parameters
    ----------
    values : array-like of shape (n_samples,)
        Labels.
    classes : ndarray of shape (n_classes,)
        The known labels, in any order.
    what : str
        What ``values`` are, to start the error message (``"y"``).
    classes_name : str, default="classes_"
        What ``classes`` are, for the error message.

    Returns
    -------
    positions : ndarray of int of shape (n_samples,)

    Raises
    ------
    ValueError
        Naming the labels that are not in ``classes``, in their order of
        appearance.
    """
    classes = np.asarray(classes)
    values = np.asarray(values)
    try:
        order = np.argsort(classes, kind="stable")
        found = np.searchsorted(classes, values, sorter=order)
    except TypeError:  # values of mixed types, or of another type than the classes
        known = {label: k for k, label in enumerate(classes.tolist())}
        unseen = np.array([value not in known for value in values.tolist()])
        positions = np.array(
            [known.get(value, -1) for value in values.tolist()], dtype=np.intp
        )
    else:
        positions = order[np.minimum(found, len(classes) - 1)]
        unseen = elementwise_not_equal(classes[positions], values)
    if np.any(unseen):
        raise ValueError(
            f"{what} contains labels not in {classes_name}: "
            f"{list(dict.fromkeys(values[unseen].tolist()))}; {classes_name} "
            f"holds {classes.tolist()}."
        )
    return positions
