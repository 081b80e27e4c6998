"""The plain softmax classifier: the baseline of every comparison."""

import torch
from sklearn.utils.validation import check_is_fitted

from ._base import BaseEmbeddingClassifier
from ._docstrings import fill_shared_sections
from ._inference import map_rows
from ._input import prediction_input
from .heads import LinearHead


@fill_shared_sections
class SoftmaxClassifier(BaseEmbeddingClassifier):
    """Encoder plus a learnable linear layer, trained with cross-entropy.

    The standard neural classifier ("categorical cross-entropy" in the SOC
    and fixed-vector papers), on the same encoder and training loop as the
    other sksoc estimators, so that comparisons change the head only.

    Read more in the :ref:`User Guide <softmax>`.

    Parameters
    ----------
    {encoder_parameters}
    bias : bool, default=True
        Learn a per-class bias.
    {training_parameters}

    Attributes
    ----------
    class_embeddings_ : ndarray of shape (n_classes, `embedding_dim_`)
        The learned weight vector of each class: the rows of ``W`` in
        ``logits = z W^T + b``.
    {fitted_attributes}

    Notes
    -----
    :meth:`score_samples` is the energy score of Liu et al. [1]_, the
    log-sum-exp of the logits: higher for inputs that look like the training
    data, as for scikit-learn's novelty detectors.

    See Also
    --------
    sksoc.heads.LinearHead : The head as a plain torch module.
    sklearn.neural_network.MLPClassifier : scikit-learn's own MLP.

    References
    ----------
    .. [1] W. Liu, X. Wang, J. Owens and Y. Li, "Energy-based
       Out-of-distribution Detection", NeurIPS 2020, arXiv:2010.03759.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksoc import SoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), SoftmaxClassifier(random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.9
    True
    >>> model[-1].class_embeddings_.shape
    (3, 16)
    >>> model.score_samples(X[:2]).shape
    (2,)
    """

    _parameter_constraints: dict = {
        **BaseEmbeddingClassifier._parameter_constraints,
        "bias": ["boolean"],
    }

    def __init__(
        self,
        *,
        preprocessor="auto",
        module=None,
        hidden_layer_sizes="auto",
        embedding_dim=16,
        bias=True,
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
        self.bias = bias

    def _build_head(self, n_classes, embedding_dim, generator=None):
        return LinearHead(
            n_classes,
            embedding_dim,
            bias=self.bias,
            chunk_size=self.chunk_size,
            generator=generator,
        )

    def score_samples(self, X):
        """Energy score: the log-sum-exp of the logits, higher when familiar.

        ``log sum_c exp(logit_c(x))``, the negative free energy of the
        logits (Liu et al., 2020). A confident logit anywhere raises it, so
        inputs like the training data tend to score higher than inputs unlike
        it; unlike the largest probability it keeps the logits' magnitude.
        Scores of one fitted model only are comparable.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        energy : ndarray of shape (n_samples,)
            Higher means more familiar.

        Raises
        ------
        ValueError
            If X drives the network to non-finite values, as in prediction.
        """
        check_is_fitted(self)
        return map_rows(
            self,
            prediction_input(self, X),
            lambda logits: torch.logsumexp(logits, 1, keepdim=True),
            width=1,
        )[:, 0]
