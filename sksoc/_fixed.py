"""Fixed random class vectors as a scikit-learn classifier."""

import numbers

import torch
from sklearn.utils.validation import check_is_fitted

from ._base import BaseEmbeddingClassifier
from ._class_addition import ClassAdditionMixin
from ._compat import Interval, StrOptions
from ._docstrings import fill_shared_sections
from ._inference import largest_cosine
from .heads import ClassVectorHead
from .heads._class_vectors import SIMILARITIES
from .heads._init import CLASS_VECTOR_INITS


@fill_shared_sections
class FixedRandomClassifier(ClassAdditionMixin, BaseEmbeddingClassifier):
    """Classifier whose class vectors are drawn at random and kept fixed.

    Each class gets a unit vector drawn at random (or an orthonormal or
    simplex arrangement); the logits are the scaled cosine similarities (or
    dot products) of the embedding with them. Frozen vectors cannot encode
    which classes look alike, so the encoder must place similar classes far
    apart: the fixed-vector paper reports higher inter-class separability,
    tighter classes and equal or better accuracy than learned vectors, and
    cosine models that train well at ``scale=1``. With ``fixed=False`` the
    same estimator learns its vectors, for the paper's other half of the
    comparison.

    Read more in the :ref:`User Guide <fixed>`.

    Parameters
    ----------
    {encoder_parameters}
    similarity : {"cosine", "dot"}, default="cosine"
        ``scale * cos(z, w_c)`` or ``z . w_c``.
    scale : float, default=8.0
        The factor S of the cosine logits. The paper trains fixed cosine
        models at S = 1, which gives the most compact classes; 8 gives a
        mean accuracy within half a point of it and better calibrated
        probabilities on tabular data (the measurement is on the user
        guide's fixed-vectors page). Unused for "dot".
    fixed : bool, default=True
        Keep the class vectors at their initial values (bit for bit).
    bias : bool, default=False
        Learn a per-class bias (also with fixed vectors).
    init : {"random", "orthogonal", "simplex"}, default="random"
        "random": isotropic draws from ``random_state``, l2-normalised;
        "orthogonal": orthonormal vectors (needs
        ``n_classes <= embedding_dim``); "simplex": a regular simplex, every
        pairwise cosine ``-1 / (n_classes - 1)`` (needs
        ``n_classes <= embedding_dim + 1``).
    {training_parameters}

    Attributes
    ----------
    class_embeddings_ : ndarray of shape (n_classes, `embedding_dim_`)
        The class vectors (unit-norm unless learned with "dot").
    {fitted_attributes}

    See Also
    --------
    sksoc.heads.ClassVectorHead : The head as a plain torch module.
    sksoc.MarginClassifier : Learned class vectors with angular margins.

    Notes
    -----
    ``transform`` returns the l2-normalised embedding for "cosine" and the
    raw embedding for "dot". :meth:`score_samples` is the largest cosine
    between the embedding and a class vector, times ``scale``: the
    familiarity score on the sphere, higher for inputs like the training
    data.

    References
    ----------
    .. [1] "Redesigning the Classification Layer by Randomizing the Class
       Representation Vectors", 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksoc import FixedRandomClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(
    ...     StandardScaler(), FixedRandomClassifier(init="simplex", random_state=0)
    ... ).fit(X, y)
    >>> model.score(X, y) > 0.9
    True
    >>> vectors = model[-1].class_embeddings_
    >>> np.round(vectors @ vectors.T, 3)
    array([[ 1. , -0.5, -0.5],
           [-0.5,  1. , -0.5],
           [-0.5, -0.5,  1. ]], dtype=float32)
    >>> bool(model.score_samples(X).max() <= 8.0)  # scale 8 times a cosine
    True
    """

    _parameter_constraints: dict = {
        **BaseEmbeddingClassifier._parameter_constraints,
        "similarity": [StrOptions(set(SIMILARITIES))],
        "scale": [Interval(numbers.Real, 0, None, closed="neither")],
        "fixed": ["boolean"],
        "bias": ["boolean"],
        "init": [StrOptions(set(CLASS_VECTOR_INITS))],
    }

    def __init__(
        self,
        *,
        preprocessor="auto",
        module=None,
        hidden_layer_sizes="auto",
        embedding_dim=16,
        similarity="cosine",
        scale=8.0,
        fixed=True,
        bias=False,
        init="random",
        max_epochs=200,
        batch_size="auto",
        chunk_size=None,
        lr=3e-3,
        optimizer="adam",
        weight_decay=1e-3,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=3,
        lr_decay=0.1,
        tol=1e-4,
        random_state=None,
        device="cpu",
        callbacks=None,
        verbose=0,
        calibration="auto",
        class_weight=None,
        **module_params,
    ):
        super().__init__(
            preprocessor=preprocessor,
            module=module,
            hidden_layer_sizes=hidden_layer_sizes,
            embedding_dim=embedding_dim,
            max_epochs=max_epochs,
            batch_size=batch_size,
            chunk_size=chunk_size,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            lr_decay=lr_decay,
            tol=tol,
            random_state=random_state,
            device=device,
            callbacks=callbacks,
            verbose=verbose,
            calibration=calibration,
            class_weight=class_weight,
            **module_params,
        )
        self.similarity = similarity
        self.scale = scale
        self.fixed = fixed
        self.bias = bias
        self.init = init

    def _build_head(self, n_classes, embedding_dim, generator=None):
        return ClassVectorHead(
            n_classes,
            embedding_dim,
            similarity=self.similarity,
            scale=self.scale,
            fixed=self.fixed,
            bias=self.bias,
            init=self.init,
            chunk_size=self.chunk_size,
            generator=generator,
        )

    def add_classes(self, X, y, sample_weight=None):
        """Add new classes with the encoder frozen.

        The labels of ``y`` not in ``classes_`` become new classes. A frozen
        encoder cannot move toward a random vector, so each new class vector
        starts at the l2-normalised mean direction of its samples'
        embeddings and is then trained (with its bias, if any) on the head's
        loss over ``(X, y)``; with ``fixed=True`` it is frozen again
        afterwards. The encoder and every existing class vector stay bit for
        bit as they were; ``classes_`` grows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples of the new classes, and optionally of known ones.
        y : array-like of shape (n_samples,)
            Their labels; at least one must be new.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights, multiplied by ``class_weight`` as in
            :meth:`fit` ("balanced" is computed on this ``y``; the classes a
            dict does not name, new ones included, weigh 1).

        Returns
        -------
        self : object
            The estimator, knowing the new classes. On any error it is left
            as it was.

        Notes
        -----
        The calibration fitted with the model is kept: ``add_classes`` does
        not refit it (see :meth:`SOCClassifier.add_classes`, which does).
        New classes that the frozen encoder separates poorly are poorly
        calibrated, and a calibration refitted on their rows flattens the
        probabilities of the known classes too: on digits fitted on 0-7,
        adding 8 and 9 with a refitted distance power made the calibration
        of all ten classes worse than keeping it.

        This works as well as the frozen encoder separates the new classes
        from the old ones in direction: a new vector claims every sample
        whose embedding points closer to it than to its own class vector.
        """
        return self._add_classes(X, y, sample_weight)

    _refined_class_tensors = ("class_embeddings", "bias")
    # Measured in add_classes' Notes: a refitted calibration hurts here.
    _recalibrates_added_classes = False

    def _new_class_rows(self, head, embeddings, y_encoded, positions):
        directions = head.embed(embeddings)
        centroids = torch.stack(
            [directions[torch.from_numpy(y_encoded == p)].mean(0) for p in positions]
        )
        return {"class_embeddings": torch.nn.functional.normalize(centroids, dim=1)}

    def _cosine_scale(self):
        head = self.net_.criterion_
        if head.similarity == "cosine" and head.bias is None:
            return head.scale
        return None

    def score_samples(self, X):
        """Largest cosine of the embedding with a class vector, times ``scale``.

        ``scale * max_c cos(z, w_c)`` (the factor is one with
        ``similarity="dot"``; a bias, if any, is left out). Training pulls a
        class's samples toward the direction of its vector, so inputs like
        the training data point close to one, and inputs unlike it point
        between them and score lower; higher means more familiar, as for
        scikit-learn's novelty detectors. It is the limit, for concentrated
        classes, of a von Mises-Fisher mixture's log-density on the sphere,
        which ranks inputs the same way on digits and MNIST-1D (see the user
        guide's open-set page).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        score : ndarray of shape (n_samples,)
            In ``[-scale, scale]``; higher means more familiar.

        Raises
        ------
        ValueError
            If X drives the network to non-finite values, as in prediction.
        """
        check_is_fitted(self)
        head = self.net_.criterion_
        return largest_cosine(
            self, X, head.scale if head.similarity == "cosine" else 1.0
        )

    def _divergence_hint(self):
        return (
            f"{super()._divergence_hint()} With similarity='dot', unbounded "
            "logits can also overflow; 'cosine' bounds them by the scale."
        )
