"""An embedding of any size, projected on its first two principal components:
the samples and class embeddings, without regions, which a projection cannot
show."""

from sklearn.decomposition import PCA

from ._embedding import _EmbeddingPicture


class EmbeddingProjectionDisplay(_EmbeddingPicture):
    """Visualise a larger embedding by a PCA projection to two dimensions.

    Use :meth:`from_estimator` to build one from a fitted estimator; the
    constructor takes the projected arrays. All parameters are stored as
    attributes.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        The projected samples.
    labels : array-like of shape (n_samples,)
        Class of each sample, of any type.
    classes : array-like of shape (n_classes,), default=None
        Class order, which sets the colours and the rows of
        ``class_embeddings``. None means ``np.unique(labels)``.
    class_embeddings : ndarray of shape (n_classes, 2) or \
            (n_classes, n_subcenters, 2), default=None
        The projected class embeddings, drawn as crosses.
    projection : sklearn.decomposition.PCA, default=None
        The fitted PCA that projected the embedding, which names the axes by
        their share of the variance; None names them "PC1" and "PC2".

    Attributes
    ----------
    scatter_ : list of matplotlib PathCollection
        The samples, one collection per class in the order of ``classes``.
    class_embeddings_scatter_ : matplotlib PathCollection or None
        The class embeddings; None without ``class_embeddings``.
    class_colors_ : ndarray of shape (n_classes, 4)
        The RGBA colour of each class.
    ax_ : matplotlib Axes
        Axes the display is drawn on.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    EmbeddingRegionsDisplay : A 2-D embedding, with decision regions.
    EmbeddingCurvesDisplay : A 1-D embedding.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sksoc import SOCClassifier
    >>> from sksoc.plotting import EmbeddingProjectionDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> model = SOCClassifier(embedding_dim=4, max_epochs=20, random_state=0)
    >>> model = model.fit(X, y)
    >>> display = EmbeddingProjectionDisplay.from_estimator(model, X, y)
    >>> display.ax_.get_title()
    'PCA projection of the 4-D embedding'
    """

    _n_dims = 2
    _size_drawn = "PCA projection of an embedding of 2 or more dimensions"

    def __init__(
        self, embedding, labels, *, classes=None, class_embeddings=None, projection=None
    ):
        super().__init__(
            embedding, labels, classes=classes, class_embeddings=class_embeddings
        )
        self.projection = projection

    def plot(self, ax=None, *, cmap=None, scatter_kw=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure (with constrained layout)
            and axes.
        cmap : None, str, matplotlib Colormap or sequence of colours, \
                default=None
            Class colours; as in :meth:`EmbeddingRegionsDisplay.plot`.
        scatter_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.scatter` of the
            samples; the colour is the class's.

        Returns
        -------
        display : EmbeddingProjectionDisplay
            This display, with the artists as attributes.
        """
        return self._plot(ax, cmap, scatter_kw=scatter_kw)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        subsample=2000,
        random_state=None,
        ax=None,
        cmap=None,
        scatter_kw=None,
    ):
        """Embed X with a fitted estimator, project it and draw the result.

        Parameters
        ----------
        estimator : estimator object
            A fitted sksoc estimator, a Pipeline ending in one (however
            nested), or any fitted transformer with at least two output
            features. The PCA is fitted on the embedding of X.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples.
        y : array-like of shape (n_samples,)
            Their classes; with a classifier, each one of its ``classes_``.
        subsample : int or None, default=2000
            Most samples to draw, as in
            :meth:`EmbeddingRegionsDisplay.from_estimator`.
        random_state : int, RandomState instance or None, default=None
            Seeds the subsampling.
        ax, cmap, scatter_kw
            As in :meth:`plot`.

        Returns
        -------
        display : EmbeddingProjectionDisplay
            The drawn display.
        """
        embedded = cls._embed(
            estimator, X, y, subsample=subsample, random_state=random_state
        )
        return cls._from_embedded(embedded).plot(
            ax=ax, cmap=cmap, scatter_kw=scatter_kw
        )

    @classmethod
    def _accepts(cls, n_dims):
        return n_dims >= 2

    @classmethod
    def _from_embedded(cls, embedded):
        cls._check_size(embedded)
        projection = PCA(n_components=2, svd_solver="full").fit(embedded.embedding)
        class_embeddings = embedded.class_embeddings
        if class_embeddings is not None:
            n_classes, n_subcenters, n_dims = class_embeddings.shape
            flat = projection.transform(class_embeddings.reshape(-1, n_dims))
            class_embeddings = flat.reshape(n_classes, n_subcenters, 2)
        projected = embedded._replace(
            embedding=projection.transform(embedded.embedding),
            class_embeddings=class_embeddings,
        )
        return cls._with_samples_of(projected, projection=projection)

    def _draw(self, ax, embedding, labels, classes, class_embeddings, *, scatter_kw):
        self._scatter_plane(
            ax, embedding, labels, classes, class_embeddings, scatter_kw
        )
        labels = ["PC1", "PC2"]
        if self.projection is not None:
            variance = self.projection.explained_variance_ratio_
            labels = [
                f"{pc} ({share:.0%} of variance)"
                for pc, share in zip(labels, variance, strict=True)
            ]
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        return self.scatter_

    def _title(self):
        if self.projection is None:
            return "PCA projection of the embedding"
        n_dims = self.projection.n_features_in_
        return f"PCA projection of the {n_dims}-D embedding"
