"""Adding classes to a fitted model with the encoder frozen.

A mixin for the estimators whose heads can grow (their head implements
``ClassHead.insert_classes``): the new classes' rows start where the
estimator's ``_new_class_rows`` puts them and are trained on fixed
embeddings by the training engine, every existing row held constant.
"""

import copy

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._fitting import restore_on_failure
from ._inference import map_rows
from ._input import training_input
from ._weights import class_counts, training_weights, with_class_weight


class ClassAdditionMixin:
    """``_add_classes`` for :class:`~sksoc._base.BaseEmbeddingClassifier` subclasses."""

    # Head attributes whose new-class rows are trained, when learnable.
    _refined_class_tensors = ()

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
            embeddings = torch.from_numpy(
                map_rows(
                    self,
                    X,
                    lambda z: z,
                    width=self.embedding_dim_,
                    dtype=np.float32,
                    logits=False,
                )
            )
            net = copy.deepcopy(self.net_)
            head = net.criterion_
            rows = self._new_class_rows(head, embeddings, y_encoded, positions)
            is_new = head.insert_classes(positions, **rows)
            self._refine_new_classes(net, embeddings, y_encoded, weight, is_new)
            counts = np.zeros(len(classes))
            counts[~is_new.numpy()] = self.class_count_
            self.class_count_ = counts + class_counts(
                y_encoded, sample_weight, len(classes)
            )
            self.classes_ = classes
            self.net_ = net
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
