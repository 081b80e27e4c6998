"""Angular-margin heads (ArcFace, CosFace, SphereFace) as a scikit-learn classifier."""

import math
import numbers

from sklearn.utils.validation import check_is_fitted

from ._base import BaseEmbeddingClassifier
from ._compat import Interval, StrOptions
from ._docstrings import fill_shared_sections
from ._inference import largest_cosine
from .heads import ArcFaceHead, CombinedMarginHead, CosFaceHead, SphereFaceHead

_HEADS = {
    "arcface": ArcFaceHead,
    "cosface": CosFaceHead,
    "sphereface": SphereFaceHead,
    "combined": CombinedMarginHead,
}
# ArcFace's 0.5 rad at scale 30 was made for faces: benchmarks/margin_defaults.py
# measured 0.2 rad at scale 16 better calibrated on tables and arrays (the
# margins page's table). CosFace and SphereFace keep their papers' margins.
DEFAULT_MARGINS = {"arcface": 0.2, "cosface": 0.35, "sphereface": 4.0}
DEFAULT_COMBINED_MARGINS = (1.0, 0.3, 0.2)


@fill_shared_sections
class MarginClassifier(BaseEmbeddingClassifier):
    """Classifier with an angular-margin head: ArcFace, CosFace or SphereFace.

    Embedding and learned class vectors are l2-normalised; the logits are
    their cosines times ``scale``. In training only, the target class's
    cosine is lowered by a margin, so each sample must beat every other class
    by that margin: the classes become compact and well separated on the
    sphere. All variants are the combined form
    ``s * (cos(m1 * theta + m2) - m3)``: SphereFace uses ``m1``, ArcFace
    ``m2`` and CosFace ``m3``. Prediction uses ``s * cos(theta)``, no margin.

    Read more in the :ref:`User Guide <margins>`.

    Parameters
    ----------
    {encoder_parameters}
    margin_type : {"arcface", "cosface", "sphereface", "combined"}, \
default="arcface"
        Which margin.
    margin : float, default=None
        The margin of "arcface" (an angle in radians; default 0.2, about 11.5
        degrees, where ArcFace's paper uses 0.5 for faces), "cosface" (in
        cosine units; default 0.35) or "sphereface" (a multiplier of the
        angle, no unit, at least 1; default 4). Not used by "combined".
    margins : tuple of 3 float, default=None
        ``(m1, m2, m3)`` of "combined" (default ``(1.0, 0.3, 0.2)``,
        InsightFace's); only for "combined".
    scale : float or "auto", default=16.0
        The factor ``s`` of the logits (ArcFace implementations use 30 to 64
        for faces; the user guide has the measurement behind 16). "auto"
        uses the fixed AdaCos value ``sqrt(2) * ln(n_classes - 1)``, floored
        at 1 (the formula gives 0 for two classes).
    easy_margin : bool, default=False
        Apply the margin only where the target cosine is positive.
    annealing : tuple of 4 float or callable, default=(1000.0, 0.12, 1.0, 5.0)
        SphereFace's schedule mixing the plain cosine into the target:
        ``lambda = max(lambda_min, base * (1 + gamma * step) ** -power)``
        from ``(base, gamma, power, lambda_min)``, or a callable from the
        number of training steps to ``lambda``. Only steps taken in training
        count; prediction never advances it. Only for "sphereface".
    sub_centers : int, default=1
        Class vectors per class; a class's cosine is the largest over them.
    {training_parameters}

    Attributes
    ----------
    class_embeddings_ : ndarray of shape (n_classes, `embedding_dim_`) or \
(n_classes, sub_centers, `embedding_dim_`)
        The learned class vectors (not normalised); with ``sub_centers > 1``
        one row of ``sub_centers`` vectors per class.
    scale_ : float
        The scale used (resolves "auto").
    {fitted_attributes}

    See Also
    --------
    sksoc.heads.ArcFaceHead, sksoc.heads.CosFaceHead, sksoc.heads.SphereFaceHead,
    sksoc.heads.CombinedMarginHead : The heads as plain torch modules.
    sksoc.FixedRandomClassifier : Cosine logits with frozen class vectors.

    Notes
    -----
    Where ``m1 * theta + m2`` would pass pi the margin curve would turn
    upward again; beyond that angle the target cosine continues as a shifted
    plain cosine, so the target logit keeps falling as the angle grows.
    ``transform`` returns the l2-normalised embedding. :meth:`score_samples`
    is ``scale_`` times the largest cosine with a class vector, the
    familiarity score on the sphere (higher for inputs like the training
    data).

    References
    ----------
    .. [1] J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular
       Margin Loss for Deep Face Recognition", CVPR 2019.
    .. [2] H. Wang et al., "CosFace: Large Margin Cosine Loss for Deep Face
       Recognition", CVPR 2018.
    .. [3] W. Liu et al., "SphereFace: Deep Hypersphere Embedding for Face
       Recognition", CVPR 2017.
    .. [4] X. Zhang et al., "AdaCos: Adaptively Scaling Cosine Logits for
       Effectively Learning Deep Face Representations", CVPR 2019.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksoc import MarginClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(
    ...     StandardScaler(), MarginClassifier(margin_type="cosface", random_state=0)
    ... ).fit(X, y)
    >>> model.score(X, y) > 0.9
    True
    >>> model[-1].scale_
    16.0
    >>> model.score_samples(X[:2]).shape
    (2,)
    """

    # The validation loss is that of the logits without the training margin:
    # stopping on it ends training earlier at a lower mean accuracy
    # (benchmarks/defaults.py, the row "monitor valid_loss" of the user
    # guide's "Training defaults").
    _early_stopping_monitor = "valid_acc"

    _parameter_constraints: dict = {
        **BaseEmbeddingClassifier._parameter_constraints,
        "margin_type": [StrOptions(set(_HEADS))],
        "margin": [None, Interval(numbers.Real, 0, None, closed="left")],
        "margins": [None, "array-like"],
        "scale": [
            Interval(numbers.Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "easy_margin": ["boolean"],
        "annealing": ["array-like", callable],
        "sub_centers": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        preprocessor="auto",
        module=None,
        hidden_layer_sizes="auto",
        embedding_dim=16,
        margin_type="arcface",
        margin=None,
        margins=None,
        scale=16.0,
        easy_margin=False,
        annealing=(1000.0, 0.12, 1.0, 5.0),
        sub_centers=1,
        max_epochs=200,
        batch_size="auto",
        chunk_size=None,
        lr=3e-3,
        optimizer="adam",
        weight_decay=1e-3,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=5,
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
        self.margin_type = margin_type
        self.margin = margin
        self.margins = margins
        self.scale = scale
        self.easy_margin = easy_margin
        self.annealing = annealing
        self.sub_centers = sub_centers

    def _build_head(self, n_classes, embedding_dim, generator=None):
        common = {
            "scale": self._resolve_scale(n_classes),
            "sub_centers": self.sub_centers,
            "easy_margin": self.easy_margin,
            "chunk_size": self.chunk_size,
            "generator": generator,
        }
        if self.margin_type == "combined":
            if self.margin is not None:
                raise ValueError(
                    "margin_type='combined' takes margins=(m1, m2, m3), not margin."
                )
            margins = DEFAULT_COMBINED_MARGINS if self.margins is None else self.margins
            if len(margins) != 3:
                raise ValueError(
                    f"margins must be 3 numbers (m1, m2, m3); got {margins!r}."
                )
            return CombinedMarginHead(
                n_classes, embedding_dim, margins=margins, **common
            )
        if self.margins is not None:
            raise ValueError(
                f"margins=(m1, m2, m3) is for margin_type='combined'; "
                f"margin_type={self.margin_type!r} takes margin."
            )
        margin = (
            DEFAULT_MARGINS[self.margin_type] if self.margin is None else self.margin
        )
        if self.margin_type == "sphereface":
            common["annealing"] = self.annealing
        elif self.margin_type == "arcface" and margin >= math.pi:
            raise ValueError(
                f"The ArcFace margin is an angle in radians below pi; got {margin}."
            )
        return _HEADS[self.margin_type](
            n_classes, embedding_dim, margin=margin, **common
        )

    def _resolve_scale(self, n_classes):
        if self.scale == "auto":
            return max(1.0, math.sqrt(2.0) * math.log(n_classes - 1))
        return float(self.scale)

    @property
    def scale_(self):
        """The scale ``s`` of the fitted head."""
        return self.net_.criterion_.scale

    def _cosine_scale(self):
        return self.net_.criterion_.scale

    def score_samples(self, X):
        """Largest cosine of the embedding with a class vector, times ``scale_``.

        ``scale_ * max_c cos(z, w_c)``, the largest prediction logit; with
        ``sub_centers > 1`` the maximum runs over every sub-centre. The
        margin packs each class tightly around its vector, so inputs like
        the training data point close to one and inputs unlike it point
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
            In ``[-scale_, scale_]``; higher means more familiar.

        Raises
        ------
        ValueError
            If X drives the network to non-finite values, as in prediction.
        """
        check_is_fitted(self)
        return largest_cosine(self, X, self.net_.criterion_.scale)

    def _divergence_hint(self):
        return (
            f"{super()._divergence_hint()} A large scale (scale={self.scale}) "
            "also makes the logits steep; try a smaller one or scale='auto'."
        )
