"""Adding classes to a fitted model with the encoder frozen.

A mixin for the estimators whose heads can grow (their head implements
``ClassHead.insert_classes``): the new classes' rows start where the
estimator's ``_new_class_rows`` puts them and are trained on fixed
embeddings by the training engine, every existing row held constant.

A calibrated model is calibrated again where ``_recalibrates_added_classes``
(SOC's; the fixed head keeps its calibration): the logits have more columns
than the fitted temperature saw. As ``fit`` does, a seeded stratified share
of the rows (``validation_fraction``) is held out of the training and the
calibrator is refitted on the grown model's logits of those rows
(:func:`calibration_split`). A new class of a single row keeps the fitted
calibration; one new class given alone is calibrated on all its rows.
"""

import copy

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._fitting import fit_calibration, restore_on_failure
from ._inference import map_rows
from ._input import training_input
from ._weights import class_counts, training_weights, with_class_weight


class ClassAdditionMixin:
    """``_add_classes`` for :class:`~sksoc._base.BaseEmbeddingClassifier` subclasses."""

    # Head attributes whose new-class rows are trained, when learnable.
    _refined_class_tensors = ()
    # Whether add_classes refits a fitted calibration on held-out rows of
    # its data (see _add_classes).
    _recalibrates_added_classes = True

    def _add_classes(self, X, y, sample_weight=None):
        """Add the classes of ``y`` not in ``classes_``, with the encoder frozen.

        The new classes' representations start from the estimator's
        :meth:`_new_class_rows` and, where the head learns them, are refined
        by gradient descent on the head's loss over ``(X, y)`` while the
        encoder and every existing class stay exactly as they were. Samples
        of known classes in ``y`` take part as negatives.
        """
        check_is_fitted(self)
        with restore_on_failure(self):
            X, y = training_input(self, X, y, reset=False)
            sample_weight = training_weights(sample_weight, X)
            new_labels = np.setdiff1d(np.unique(y), self.classes_)
            if len(new_labels) == 0:
                raise ValueError(
                    "y has no class outside classes_; add_classes learns new "
                    "classes (use partial_fit to train on known ones)."
                )
            classes = np.union1d(self.classes_, new_labels)
            positions = np.searchsorted(classes, new_labels)
            y_encoded = np.searchsorted(classes, y)
            weight = with_class_weight(
                self.class_weight,
                sample_weight,
                y_encoded,
                classes,
                fit=True,
                name=type(self).__name__,
                two_classes=False,
            )
            train, held_out = np.arange(len(y)), None
            if self._recalibrates_added_classes and self.calibrator_.method is not None:
                train, held_out = calibration_split(
                    y_encoded, positions, self.validation_fraction, self._seed
                )
            embeddings = map_rows(
                self,
                X,
                lambda z: z,
                width=self.embedding_dim_,
                dtype=np.float32,
                logits=False,
            )
            net = copy.deepcopy(self.net_)
            head = net.criterion_
            train_embeddings = torch.from_numpy(embeddings[train])
            rows = self._new_class_rows(
                head, train_embeddings, y_encoded[train], positions
            )
            is_new = head.insert_classes(positions, **rows)
            self._refine_new_classes(
                net,
                train_embeddings,
                y_encoded[train],
                None if weight is None else weight[train],
                is_new,
            )
            counts = np.zeros(len(classes))
            counts[~is_new.numpy()] = self.class_count_
            self.class_count_ = counts + class_counts(
                y_encoded, sample_weight, len(classes)
            )
            self.classes_ = classes
            self.net_ = net
            if held_out is not None:
                # On a copy: restore_on_failure keeps the fitted one.
                self.calibrator_ = copy.copy(self.calibrator_)
                fit_calibration(self, X, y_encoded, weight, held_out)
        return self

    def _new_class_rows(self, head, embeddings, y_encoded, positions):
        """Initial class-indexed rows of the new classes, ``{attribute: rows}``."""
        raise NotImplementedError

    def _refine_new_classes(self, net, embeddings, y_encoded, sample_weight, is_new):
        """Train the new classes' rows of the head on fixed embeddings."""
        head = net.criterion_
        names = [n for n in self._refined_class_tensors if getattr(head, n) is not None]
        if not names:
            return
        # The encoder is frozen: every draw is the head's, from the generator
        # that train_new_classes seeds, so no global state is touched.
        net.train_new_classes(
            embeddings,
            y_encoded,
            sample_weight,
            tensors=names,
            is_new=is_new,
            seed=self._seed,
        )


def calibration_split(y_encoded, new_positions, fraction, seed):
    """Training and held-out rows of ``add_classes``' data for the calibration.

    Each class with two or more rows gives ``fraction`` of them (rounded, at
    least one, never all) to the held-out rows, drawn from ``seed``; a class
    with one row keeps it for training. Where some new class has fewer than
    two rows, none is held out and the held-out rows are None: the
    calibration is kept as it was, since one fitted on a class's only
    training row overfits it (on digits, adding 8 and 9 from one row each,
    SOC's ECE doubled). Where the held-out rows would hold a single class
    (one new class given alone), every row trains and the calibration is
    fitted on them all (on digits, adding 8 alone, that lowered the ECE).

    Parameters
    ----------
    y_encoded : ndarray of shape (n_samples,)
        Class indices of the rows.
    new_positions : ndarray
        The indices of the new classes.
    fraction : float
        The share of each class held out, in ``(0, 1)``.
    seed : int

    Returns
    -------
    train : ndarray
        The sorted training rows.
    held_out : ndarray or None
        The sorted rows to fit the calibration on, or None to keep it.
    """
    index = np.arange(len(y_encoded))
    labels, counts = np.unique(y_encoded, return_counts=True)
    if np.any(counts[np.isin(labels, new_positions)] < 2):
        return index, None
    rng = np.random.default_rng(seed)
    held_out = []
    for label, count in zip(labels, counts, strict=True):
        if count < 2:
            continue
        n_held = min(count - 1, max(1, round(fraction * count)))
        held_out.append(rng.choice(index[y_encoded == label], n_held, replace=False))
    held_out = np.sort(np.concatenate(held_out))
    if len(np.unique(y_encoded[held_out])) < 2:
        return index, index
    return np.setdiff1d(index, held_out), held_out
