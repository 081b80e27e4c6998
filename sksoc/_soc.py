"""Self-Organizing Class embeddings (SOC) as a scikit-learn classifier.

Each class is a unit-scale Gaussian in a small embedding space whose mean is
learned; a sample's logits are its log-densities under the class Gaussians.
With unit scales the model is a nearest-centroid classifier whose centroids
and embedding are learned together.
"""

import numbers

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._base import BaseEmbeddingClassifier
from ._class_addition import ClassAdditionMixin
from ._compat import Interval
from ._docstrings import fill_shared_sections
from ._inference import map_points, map_rows
from ._input import prediction_input
from .heads import SOCHead


@fill_shared_sections
class SOCClassifier(ClassAdditionMixin, BaseEmbeddingClassifier):
    """Classifier with Self-Organizing Class embeddings.

    An encoder maps X to an embedding ``z``; class ``c`` is a Gaussian with a
    learned mean ``mu_c`` and unit (or learned diagonal) scale, and the logit
    of class ``c`` is the log-density of ``z`` under it. Training minimises a
    weighted mean of two cross-entropies: the samples against their labels,
    and the class means classified among all class Gaussians. The embedding
    can be much smaller than the number of classes, and the mixture density
    of :meth:`score_samples` measures how familiar an input looks.

    Read more in the :ref:`User Guide <soc>`.

    Parameters
    ----------
    {encoder_parameters}
    learn_scale : bool, default=False
        Learn a positive diagonal scale per class (``class_scales_``),
        parametrised as ``1e-3 + softplus(raw)``. The fixed unit scale is
        usually more stable.
    class_loss_weight : float, default=0.5
        Weight of the class-mean cross-entropy in the loss; 0.5 weighs it
        equally with the sample cross-entropy, as the SOC authors' code does,
        and 0 trains on the samples alone.
    class_loss_sample_size : int, default=256
        With more classes than this, each training step computes the
        class-mean term over this many classes drawn at random (a sampled
        softmax: the exact term needs a classes x classes matrix, 40 GB at
        100,000 classes); with at most this many it is exact.
    likelihood_weight : float, default=0.1
        Weight of a third loss term: the negative log-likelihood of each
        sample under its own class Gaussian. The cross-entropies only ask a
        sample to be likelier under its class than under the others, and
        they reward pushing samples outward, past their class mean; this
        term pulls samples onto their means, so the classes become the
        Gaussian clusters the model assumes and :meth:`score_samples` flags
        inputs of unseen classes. 0 trains on the cross-entropies alone (as
        the SOC authors' code does); 0.1 was chosen by measurement (see the
        user guide).
    label_smoothing : float, default=0.0
        Label smoothing of both cross-entropies. The SOC authors' code uses
        0.1, which gives the means a finite resting distance; with the
        likelihood term the means already stay put, and smoothing rewards
        samples for sitting between classes, which costs open-set AUROC
        (measured: see the user guide).
    contrast_weight : float, default=0.3
        Weight of a fourth loss term, the contrast term, which teaches the
        density what is not data. It contrasts the density of data rows with
        that of *contrast rows*, rows whose columns were shuffled
        independently across the batch (noise-contrastive, in the sense of
        Gutmann and Hyvärinen's noise-contrastive estimation [2]_), so that
        the density learns to rank data above rows off the data. Each
        training step draws half a batch of contrast rows, every column
        taken from a different row of the batch (samples of the product of
        the column marginals: each column looks like data, the dependence
        between columns is gone), and asks each to be less likely under the
        class mixture than a data row of the batch
        (:meth:`sksoc.heads.SOCHead.contrast_loss`). Without it, inputs
        unlike any training row can land near a class mean and score as
        familiar; with it, :meth:`score_samples` flags noise and rows whose
        columns are shuffled, and the frozen encoder separates unseen
        classes better, which :meth:`add_classes` uses. 0.3 was chosen by
        measurement on tables and arrays: it keeps accuracy and costs fit
        time (each step encodes half again as many rows); 0 turns the term
        off, for the fastest fit. In a small embedding (two dimensions, say)
        there is no room to put the contrast rows away from every class,
        and it costs accuracy: turn it off there. The user guide's SOC page
        has the measurements.
    {training_parameters}

    Attributes
    ----------
    class_embeddings_ : ndarray of shape (n_classes, `embedding_dim_`)
        The class means.
    class_scales_ : ndarray of shape (n_classes, `embedding_dim_`) or None
        The learned class scales; None unless ``learn_scale``.
    class_prior_ : ndarray of shape (n_classes,)
        Class frequencies in the training data, used by :meth:`score_samples`.
    {fitted_attributes}

    See Also
    --------
    sksoc.heads.SOCHead : The head as a plain torch module.
    sklearn.neighbors.NearestCentroid : The fixed-feature analogue.

    Notes
    -----
    With unit scales, ``log N(z | mu_c, I) = -|z - mu_c|^2 / 2 - D/2 log(2 pi)``:
    the predicted class is the nearest mean. :meth:`score_samples` is the
    log-density of the class mixture, higher for inputs like the training
    data, as for scikit-learn's novelty detectors. The terms shared by every class
    cancel in the softmax, so training computes ``z . mu_c - |mu_c|^2 / 2``
    with one matrix product; :meth:`decision_function` keeps every term.

    References
    ----------
    .. [1] R. Pisoni, "Decoupling Features and Classes with Self-Organizing
       Class Embeddings", 2023.
    .. [2] M. Gutmann, A. Hyvärinen, "Noise-contrastive estimation: A new
       estimation principle for unnormalized statistical models", AISTATS
       2010.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksoc import SOCClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(
    ...     StandardScaler(), SOCClassifier(embedding_dim=2, random_state=0)
    ... ).fit(X, y)
    >>> model.score(X, y) > 0.9
    True
    >>> model[-1].class_embeddings_.shape
    (3, 2)
    >>> model.transform(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        **BaseEmbeddingClassifier._parameter_constraints,
        "learn_scale": ["boolean"],
        "class_loss_weight": [Interval(numbers.Real, 0, 1, closed="both")],
        "likelihood_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "class_loss_sample_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
        "contrast_weight": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        preprocessor="auto",
        module=None,
        hidden_layer_sizes="auto",
        embedding_dim=16,
        learn_scale=False,
        class_loss_weight=0.5,
        class_loss_sample_size=256,
        likelihood_weight=0.1,
        label_smoothing=0.0,
        contrast_weight=0.3,
        max_epochs=200,
        batch_size="auto",
        chunk_size=None,
        lr=6e-3,
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
        self.learn_scale = learn_scale
        self.class_loss_weight = class_loss_weight
        self.class_loss_sample_size = class_loss_sample_size
        self.likelihood_weight = likelihood_weight
        self.label_smoothing = label_smoothing
        self.contrast_weight = contrast_weight

    def _build_head(self, n_classes, embedding_dim, generator=None):
        return SOCHead(
            n_classes,
            embedding_dim,
            learn_scale=self.learn_scale,
            class_loss_weight=self.class_loss_weight,
            label_smoothing=self.label_smoothing,
            class_loss_sample_size=self.class_loss_sample_size,
            likelihood_weight=self.likelihood_weight,
            contrast_weight=self.contrast_weight,
            chunk_size=self.chunk_size,
            generator=generator,
        )

    @property
    def class_scales_(self):
        """The learned class scales, or None when they are fixed at one."""
        scales = self.net_.criterion_.scales
        if scales is None:
            return None
        return scales.detach().cpu().numpy().copy()

    @property
    def class_prior_(self):
        """Class frequencies of the training data."""
        return self.class_count_ / self.class_count_.sum()

    def add_classes(self, X, y, sample_weight=None):
        """Learn new classes with the encoder frozen.

        The labels of ``y`` not in ``classes_`` become new classes: each new
        mean starts at the centroid of its samples' embeddings and is then
        trained on the head's loss over ``(X, y)`` (the SOC recipe: "keep the
        encoder frozen and train the cheap class-embedding model to find the
        class location"). The encoder, and every existing class mean and
        scale, stay bit for bit as they were; ``classes_`` grows. Samples of
        known classes in ``y`` take part in the loss as negatives for the
        new means.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples of the new classes, and optionally of known ones.
        y : array-like of shape (n_samples,)
            Their labels; at least one must be new.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights, multiplied by ``class_weight`` as in
            :meth:`fit` ("balanced" is computed on this ``y``; the classes a
            dict does not name, new ones included, weigh 1). They weigh the
            training rows and the rows the calibration is refitted on.

        Returns
        -------
        self : object
            The estimator, knowing the new classes. The optimiser's state is
            reset; on any error the estimator is left as it was.

        Notes
        -----
        A model fitted with a calibration is calibrated again, as :meth:`fit`
        calibrates it: ``validation_fraction`` of the rows of each class in
        ``y`` (at least one of each class with two or more rows, drawn from
        the fit's ``random_state``, so that the result is reproducible) is
        held out, the new classes are trained on the other rows, and
        ``temperature_`` (and ``distance_power_``) are refitted on the grown
        model's logits of the held-out rows, weighted by ``sample_weight``
        and ``class_weight``. When a new class has a single row, none is
        held out and the calibration is kept (one fitted on a class's only
        row overfits it); when the held-out rows would hold a single class
        (one new class given alone), every row trains and the calibration
        is refitted on them all. The calibration learns from the classes in
        ``y`` alone; rows of known classes passed along with the new ones
        take part in
        it. A model fitted with ``calibration=None``, or built by
        :meth:`partial_fit` alone, stays uncalibrated.

        This works when the frozen encoder already separates the new classes
        from the old: their samples must land away from the old classes'
        regions. Trained with the cross-entropies alone, samples sit beyond
        their class means and the region near the origin is shared, which is
        where the embeddings of unseen classes tend to fall; a new mean
        placed there claims old samples too. Training with
        ``likelihood_weight > 0`` keeps samples on their means and leaves
        room for new classes; passing some samples of the old classes along
        with the new ones also protects them.
        """
        return self._add_classes(X, y, sample_weight)

    # Scales learned from the new samples alone grow to cover old classes
    # (measured on digits): only the means are trained.
    _refined_class_tensors = ("class_embeddings",)

    def _new_class_rows(self, head, embeddings, y_encoded, positions):
        members = [embeddings[torch.from_numpy(y_encoded == p)] for p in positions]
        rows = {"class_embeddings": torch.stack([m.mean(0) for m in members])}
        if head.learn_scale:
            # New classes start as wide as a typical existing class: scales
            # estimated from a few new samples can be far too wide and
            # swallow old classes (measured on digits).
            typical = head.raw_scales.detach().median(dim=0).values
            rows["raw_scales"] = typical.expand(len(positions), -1)
        return rows

    def score_samples(self, X):
        """Log of the mixture density of each sample's embedding.

        ``log sum_c prior_c N(z | mu_c, s_c)``, with the class frequencies of
        the training data as priors. Higher means the embedding lies where
        the classes put their mass: inputs unlike the training data tend to
        land elsewhere and score lower (measured against other familiarity
        scores on the user guide's open-set page). The density is over the
        embedding space, so compare scores of one fitted model only.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
            Higher means more familiar.

        Raises
        ------
        ValueError
            If X drives the network to non-finite values, as in prediction.
        """
        check_is_fitted(self)
        return map_rows(
            self, prediction_input(self, X), self._mixture_log_density(), width=1
        )[:, 0]

    def class_log_densities_at(self, Z):
        """Log-density of each class Gaussian at points of the embedding space.

        ``log N(z | mu_c, s_c)`` for each row ``z`` of ``Z`` and each class
        ``c``: the SOC head's logits, so this equals :meth:`logits_at`. Their
        exponentials are the class densities a picture draws as contours.

        Parameters
        ----------
        Z : array-like of shape (n_points, `embedding_dim_`)
            Points of the embedding space, as :meth:`transform` returns them.

        Returns
        -------
        log_densities : ndarray of shape (n_points, n_classes)
            Columns ordered as ``classes_``, float64.

        Raises
        ------
        ValueError
            For points that :meth:`logits_at` refuses.
        """
        check_is_fitted(self)
        return map_points(
            self, Z, lambda logits: logits, method="class_log_densities_at"
        )

    def log_density_at(self, Z):
        """Log of the class mixture's density at points of the embedding space.

        ``log sum_c prior_c N(z | mu_c, s_c)`` for each row ``z`` of ``Z``,
        with the class frequencies of the training data as priors:
        ``log_density_at(transform(X))`` is :meth:`score_samples` of X.

        Parameters
        ----------
        Z : array-like of shape (n_points, `embedding_dim_`)
            Points of the embedding space, as :meth:`transform` returns them.

        Returns
        -------
        log_density : ndarray of shape (n_points,)
            Higher where the classes put more mass.

        Raises
        ------
        ValueError
            For points that :meth:`logits_at` refuses.
        """
        check_is_fitted(self)
        density = map_points(
            self, Z, self._mixture_log_density(), width=1, method="log_density_at"
        )
        return density[:, 0]

    def _mixture_log_density(self):
        """``fn(logits)``: the log-density of the class mixture, one column."""
        with np.errstate(divide="ignore"):
            log_prior = torch.from_numpy(np.log(self.class_prior_))
        return lambda logits: torch.logsumexp(logits + log_prior, 1, keepdim=True)
