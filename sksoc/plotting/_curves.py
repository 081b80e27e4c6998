"""A 1-D embedding: the class densities (SOC) or class probabilities (any other
classifier) as curves along the axis, the samples as a rug below them."""

import numpy as np
from scipy.special import softmax

from ._common import check_int
from ._embedding import _EmbeddingPicture, grid_axes

# Height of the rug below the curves, as a share of the highest curve.
_RUG_HEIGHT = 0.25
_CURVE_KINDS = {
    "density": "class density",
    "probability": "class probability (softmax of the logits)",
}


class EmbeddingCurvesDisplay(_EmbeddingPicture):
    """Visualise a 1-D embedding: class curves over a rug of the samples.

    Use :meth:`from_estimator` to build one from a fitted estimator whose
    embedding has one dimension; the constructor takes arrays already
    computed. All parameters are stored as attributes.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 1)
        Coordinates of the samples.
    labels : array-like of shape (n_samples,)
        Class of each sample, of any type.
    classes : array-like of shape (n_classes,), default=None
        Class order, which sets the colours and the rows of
        ``class_embeddings`` and ``curves``. None means ``np.unique(labels)``.
    class_embeddings : ndarray of shape (n_classes, 1) or \
            (n_classes, n_subcenters, 1), default=None
        The class embeddings, drawn as crosses on their class's rug row.
    grid : ndarray of shape (grid_resolution,), default=None
        Positions along the axis at which ``curves`` are given.
    curves : ndarray of shape (n_classes, grid_resolution), default=None
        One curve per class: class densities or class probabilities.
    kind : {"density", "probability"}, default="density"
        What ``curves`` are, for the axis label and title.

    Attributes
    ----------
    scatter_ : list of matplotlib PathCollection
        The samples as a rug, one collection (one row) per class.
    class_embeddings_scatter_ : matplotlib PathCollection or None
        The class embeddings; None without ``class_embeddings``.
    lines_ : list of matplotlib Line2D or None
        The curves, one per class; None without ``curves``.
    class_colors_ : ndarray of shape (n_classes, 4)
        The RGBA colour of each class.
    ax_ : matplotlib Axes
        Axes the display is drawn on.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    EmbeddingRegionsDisplay : A 2-D embedding.
    EmbeddingProjectionDisplay : A larger embedding, projected.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sksoc import SOCClassifier
    >>> from sksoc.plotting import EmbeddingCurvesDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> model = SOCClassifier(embedding_dim=1, max_epochs=20, random_state=0)
    >>> model = model.fit(X, y)
    >>> display = EmbeddingCurvesDisplay.from_estimator(model, X, y)
    >>> display.kind, display.curves.shape
    ('density', (3, 200))
    """

    _n_dims = 1
    _size_drawn = "1-D embedding"

    def __init__(
        self,
        embedding,
        labels,
        *,
        classes=None,
        class_embeddings=None,
        grid=None,
        curves=None,
        kind="density",
    ):
        super().__init__(
            embedding, labels, classes=classes, class_embeddings=class_embeddings
        )
        self.grid = grid
        self.curves = curves
        self.kind = kind

    def plot(self, ax=None, *, cmap=None, scatter_kw=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure (with constrained layout)
            and axes.
        cmap : None, str, matplotlib Colormap or sequence of colours, \
                default=None
            Class colours, shared by curves and samples; as in
            :meth:`EmbeddingRegionsDisplay.plot`.
        scatter_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.scatter` of the
            rug, such as ``s`` or ``marker``; the colour is the class's.

        Returns
        -------
        display : EmbeddingCurvesDisplay
            This display, with the artists as attributes.
        """
        if self.kind not in _CURVE_KINDS:
            raise ValueError(
                f"kind must be one of {sorted(_CURVE_KINDS)}; got {self.kind!r}."
            )
        return self._plot(ax, cmap, scatter_kw=scatter_kw)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        grid_resolution=200,
        subsample=2000,
        random_state=None,
        ax=None,
        cmap=None,
        scatter_kw=None,
    ):
        """Embed X with a fitted estimator and draw the result.

        Parameters
        ----------
        estimator : estimator object
            A fitted sksoc estimator with a 1-D embedding, a Pipeline ending
            in one (however nested), or any fitted transformer with one
            output feature (drawn as a rug only).
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        y : array-like of shape (n_samples,)
            Their classes; with a classifier, each one of its ``classes_``.
        grid_resolution : int, default=200
            Grid points along the axis at which the classifier is evaluated.
        subsample : int or None, default=2000
            Most samples to draw, as in
            :meth:`EmbeddingRegionsDisplay.from_estimator`.
        random_state : int, RandomState instance or None, default=None
            Seeds the subsampling.
        ax, cmap, scatter_kw
            As in :meth:`plot`.

        Returns
        -------
        display : EmbeddingCurvesDisplay
            The drawn display.

        Notes
        -----
        Where the final step has ``class_log_densities_at`` (SOC
        classifiers) the curves are the class densities, its exponentials;
        otherwise they are the class probabilities, the softmax of
        ``logits_at`` (without the calibration of ``predict_proba``).
        """
        embedded = cls._embed(
            estimator, X, y, subsample=subsample, random_state=random_state
        )
        display = cls._from_embedded(embedded, grid_resolution)
        return display.plot(ax=ax, cmap=cmap, scatter_kw=scatter_kw)

    @classmethod
    def _from_embedded(cls, embedded, grid_resolution):
        check_int(grid_resolution, "grid_resolution", minimum=2)
        cls._check_size(embedded)
        step = embedded.step
        curves = {}
        axes = grid_axes(embedded, grid_resolution)
        if axes is not None:
            (grid,) = axes
            if hasattr(step, "class_log_densities_at"):
                values = np.exp(step.class_log_densities_at(grid[:, np.newaxis]))
                kind = "density"
            else:
                values = softmax(step.logits_at(grid[:, np.newaxis]), axis=1)
                kind = "probability"
            curves = {"grid": grid, "curves": values.T, "kind": kind}
        return cls._with_samples_of(embedded, **curves)

    def _draw(self, ax, embedding, labels, classes, class_embeddings, *, scatter_kw):
        colors = self.class_colors_
        n_classes = len(classes)
        self.lines_ = None
        if self.curves is not None:
            curves = np.asarray(self.curves, dtype=np.float64)
            grid = np.asarray(self.grid)
            self.lines_ = [
                ax.plot(grid, curves[k], color=colors[k], label=str(c))[0]
                for k, c in enumerate(classes)
            ]
            top = float(curves.max())
        else:
            top = 1.0
        # One rug row per class below the curves, so that overlaps stay visible.
        row_height = _RUG_HEIGHT * top / n_classes
        rows = -row_height * (np.arange(n_classes) + 0.5)
        scatter_kw = {"s": 60, "alpha": 0.6, "linewidths": 1.0, **(scatter_kw or {})}
        scatter_kw.setdefault("marker", "|")
        self.scatter_ = self._scatter_classes(
            ax, embedding, labels, classes, scatter_kw, rows=rows
        )
        if class_embeddings is not None:
            n_subcenters = class_embeddings.shape[1]
            self._mark_class_embeddings(
                ax,
                class_embeddings[:, :, 0].ravel(),
                np.repeat(rows, n_subcenters),
                n_subcenters,
                80,
            )
        ax.set_xlabel("embedding feature 0")
        if self.curves is None:
            # Only the rug: its rows are the classes.
            ax.set_yticks(rows, [str(c) for c in classes])
            ax.set_ylim(-_RUG_HEIGHT * top, 0)
            return self.scatter_
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_ylim(-_RUG_HEIGHT * top, 1.05 * top)
        # Negative values would only number the rug rows.
        ticks = ax.get_yticks()
        ax.set_yticks(ticks[(ticks >= 0) & (ticks <= 1.05 * top)])
        ax.set_ylabel(_CURVE_KINDS[self.kind])
        return self.lines_

    def _title(self):
        if self.curves is None:
            return "1-D embedding"
        plural = {"density": "class densities", "probability": "class probabilities"}
        return f"1-D embedding: {plural[self.kind]}"
