"""A 2-D embedding: the samples over the decision regions of the classifier
and, for an SOC classifier, the contours of the class densities."""

import numbers
import warnings

import numpy as np

from ._common import check_int
from ._embedding import _EmbeddingPicture, grid_axes


class EmbeddingRegionsDisplay(_EmbeddingPicture):
    """Visualise a 2-D embedding: samples by class, decision regions, densities.

    Use :meth:`from_estimator` to build one from a fitted estimator whose
    embedding has two dimensions; the constructor takes arrays already
    computed, so that a display can be re-plotted, or assembled by hand. All
    parameters are stored as attributes.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        Coordinates of the samples.
    labels : array-like of shape (n_samples,)
        Class of each sample, of any type.
    classes : array-like of shape (n_classes,), default=None
        Class order, which sets the colours, the rows of
        ``class_embeddings`` and ``densities`` and the indices in
        ``regions``. None means ``np.unique(labels)``.
    class_embeddings : ndarray of shape (n_classes, 2) or \
            (n_classes, n_subcenters, 2), default=None
        The class embeddings (an SOC classifier's class means, the class
        vectors of the other heads), drawn as crosses.
    xx0, xx1 : ndarray of shape (grid_resolution, grid_resolution), \
            default=None
        The grid, as the two arrays of :func:`numpy.meshgrid`.
    regions : ndarray of shape (grid_resolution, grid_resolution), \
            default=None
        Index in ``classes`` of the class predicted at each grid point,
        drawn as coloured regions.
    densities : ndarray of shape (n_classes, grid_resolution, \
            grid_resolution), default=None
        Class densities on the grid (SOC classifiers), drawn as contours.

    Attributes
    ----------
    scatter_ : list of matplotlib PathCollection
        The samples, one collection per class in the order of ``classes``.
    class_embeddings_scatter_ : matplotlib PathCollection or None
        The class embeddings; None without ``class_embeddings``.
    regions_ : matplotlib AxesImage or None
        The decision regions; its array is ``regions``. None without them.
    contours_ : list of matplotlib QuadContourSet or None
        The density contours, one set per class; None without densities.
    levels_ : ndarray or None
        The density values of the contour lines; None without contours.
    class_colors_ : ndarray of shape (n_classes, 4)
        The RGBA colour of each class.
    ax_ : matplotlib Axes
        Axes the display is drawn on.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    EmbeddingCurvesDisplay : A 1-D embedding.
    EmbeddingProjectionDisplay : A larger embedding, projected.
    sklearn.inspection.DecisionBoundaryDisplay : Decision regions over two
        input features.

    Notes
    -----
    Density contours are iso-density lines at the same values for every
    class, so one level means the same density whichever class it belongs
    to. The embedding is drawn with equal scales on both axes, so that
    distances, which decide an SOC classifier's predictions, look as they
    are.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksoc import SOCClassifier
    >>> from sksoc.plotting import EmbeddingRegionsDisplay
    >>> X, y = load_iris(return_X_y=True, as_frame=True)
    >>> names = load_iris().target_names[y]
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     SOCClassifier(embedding_dim=2, max_epochs=30, random_state=0),
    ... ).fit(X, names)
    >>> display = EmbeddingRegionsDisplay.from_estimator(model, X, names)
    >>> display.regions.shape, display.densities.shape
    ((200, 200), (3, 200, 200))
    >>> [text.get_text() for text in display.ax_.get_legend().get_texts()]
    ['setosa', 'versicolor', 'virginica']
    """

    _n_dims = 2
    _size_drawn = "2-D embedding"

    def __init__(
        self,
        embedding,
        labels,
        *,
        classes=None,
        class_embeddings=None,
        xx0=None,
        xx1=None,
        regions=None,
        densities=None,
    ):
        super().__init__(
            embedding, labels, classes=classes, class_embeddings=class_embeddings
        )
        self.xx0 = xx0
        self.xx1 = xx1
        self.regions = regions
        self.densities = densities

    def plot(
        self,
        ax=None,
        *,
        cmap=None,
        levels=5,
        alpha=0.3,
        scatter_kw=None,
        contour_kw=None,
    ):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure (with constrained layout)
            and axes.
        cmap : None, str, matplotlib Colormap or sequence of colours, \
                default=None
            Class colours, shared by samples, contours and regions. None
            uses ``"tab10"`` up to 10 classes, ``"tab20"`` up to 20 and
            ``"turbo"`` beyond; a palette (such as ``"Set1"``) gives its
            colours in order, any other colormap is sampled evenly.
        levels : int or array-like, default=5
            Density contours per class: a number of levels evenly spaced
            between zero and the highest density on the grid (both
            excluded), or the density values themselves.
        alpha : float, default=0.3
            Opacity of the decision regions.
        scatter_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.scatter` of the
            samples, such as ``s`` or ``alpha``; the colour is the class's.
        contour_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.contour`, such
            as ``linewidths``; the colour is the class's.

        Returns
        -------
        display : EmbeddingRegionsDisplay
            This display, with the artists as attributes.
        """
        return self._plot(
            ax,
            cmap,
            levels=levels,
            alpha=alpha,
            scatter_kw=scatter_kw,
            contour_kw=contour_kw,
        )

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
        levels=5,
        alpha=0.3,
        scatter_kw=None,
        contour_kw=None,
    ):
        """Embed X with a fitted estimator and draw the result.

        Parameters
        ----------
        estimator : estimator object
            A fitted sksoc estimator with a 2-D embedding, a Pipeline ending
            in one (however nested), or any fitted transformer with two
            output features (drawn without regions). The samples are
            embedded by ``estimator.transform``; the classes, the class
            embeddings and the logits come from the final step.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples, such as a validation set.
        y : array-like of shape (n_samples,)
            Their classes, of any type. With a classifier, every label must
            be one of its ``classes_``.
        grid_resolution : int, default=200
            Grid points per axis at which the classifier is evaluated.
        subsample : int or None, default=2000
            Most samples to draw; a larger X is subsampled at random,
            stratified by class, before it is embedded. None draws them all.
        random_state : int, RandomState instance or None, default=None
            Seeds the subsampling.
        ax, cmap, levels, alpha, scatter_kw, contour_kw
            As in :meth:`plot`.

        Returns
        -------
        display : EmbeddingRegionsDisplay
            The drawn display.

        Notes
        -----
        The grid is scored by the final step's public methods, as
        :class:`~sklearn.inspection.DecisionBoundaryDisplay` scores its grid
        by ``predict``: the decision regions are the argmax of ``logits_at``,
        and, where the step has ``class_log_densities_at`` (SOC
        classifiers), the densities are its exponentials. When every
        embedding has norm one (heads that compare directions), the class
        embeddings are drawn as unit vectors, on the same circle.
        """
        embedded = cls._embed(
            estimator, X, y, subsample=subsample, random_state=random_state
        )
        display = cls._from_embedded(embedded, grid_resolution)
        return display.plot(
            ax=ax,
            cmap=cmap,
            levels=levels,
            alpha=alpha,
            scatter_kw=scatter_kw,
            contour_kw=contour_kw,
        )

    @classmethod
    def _from_embedded(cls, embedded, grid_resolution):
        """The display of an embedding read off an estimator, scored on a grid."""
        check_int(grid_resolution, "grid_resolution", minimum=2)
        cls._check_size(embedded)
        step = embedded.step
        grid = {}
        axes = grid_axes(embedded, grid_resolution)
        if axes is not None:
            xx0, xx1 = np.meshgrid(*axes)
            points = np.column_stack([xx0.ravel(), xx1.ravel()])
            grid = {
                "xx0": xx0,
                "xx1": xx1,
                "regions": step.logits_at(points).argmax(axis=1).reshape(xx0.shape),
            }
            if hasattr(step, "class_log_densities_at"):
                densities = np.exp(step.class_log_densities_at(points))
                grid["densities"] = densities.T.reshape(-1, *xx0.shape)
        return cls._with_samples_of(embedded, **grid)

    def _draw(
        self,
        ax,
        embedding,
        labels,
        classes,
        class_embeddings,
        *,
        levels,
        alpha,
        scatter_kw,
        contour_kw,
    ):
        from matplotlib.colors import ListedColormap

        colors = self.class_colors_
        self.regions_ = self.contours_ = self.levels_ = None
        extent = None
        if self.xx0 is not None:
            extent = _pixel_extent(np.asarray(self.xx0), np.asarray(self.xx1))
        if self.regions is not None:
            self.regions_ = ax.imshow(
                np.asarray(self.regions),
                cmap=ListedColormap(colors),
                vmin=-0.5,
                vmax=len(classes) - 0.5,
                alpha=alpha,
                origin="lower",
                extent=extent,
                interpolation="nearest",
                aspect="auto",
                zorder=0,
            )
        if self.densities is not None:
            self._draw_contours(ax, levels, contour_kw)
        self._scatter_plane(
            ax, embedding, labels, classes, class_embeddings, scatter_kw
        )
        if extent is not None:
            ax.set_xlim(extent[:2])
            ax.set_ylim(extent[2:])
        ax.set_aspect("equal")
        ax.set_xlabel("embedding feature 0")
        ax.set_ylabel("embedding feature 1")
        return self.scatter_

    def _draw_contours(self, ax, levels, contour_kw):
        densities = np.asarray(self.densities, dtype=np.float64)
        self.levels_ = _density_levels(densities, levels)
        contour_kw = {"linewidths": 1.0, "zorder": 1, **(contour_kw or {})}
        contour_kw.pop("colors", None)
        self.contours_ = []
        with warnings.catch_warnings():
            # A broad class may not reach the higher levels anywhere.
            warnings.filterwarnings("ignore", "No contour levels were found")
            for k, color in enumerate(self.class_colors_):
                self.contours_.append(
                    ax.contour(
                        self.xx0,
                        self.xx1,
                        densities[k],
                        levels=self.levels_,
                        colors=[color],
                        **contour_kw,
                    )
                )

    def _title(self):
        shown = []
        if self.densities is not None:
            shown.append("class densities")
        if self.regions is not None:
            shown.append("decision regions")
        if not shown:
            return "2-D embedding"
        return f"2-D embedding: {' and '.join(shown)}"


def _pixel_extent(xx0, xx1):
    """Image extent whose pixels are centred on the grid points."""
    x, y = xx0[0], xx1[:, 0]
    dx = (x[-1] - x[0]) / (2 * (len(x) - 1))
    dy = (y[-1] - y[0]) / (2 * (len(y) - 1))
    return (x[0] - dx, x[-1] + dx, y[0] - dy, y[-1] + dy)


def _density_levels(densities, levels):
    if isinstance(levels, numbers.Integral) and not isinstance(levels, bool):
        if levels < 1:
            raise ValueError(f"levels must be at least 1; got {levels}.")
        return float(densities.max()) * np.arange(1, levels + 1) / (levels + 1)
    values = np.sort(np.asarray(levels, dtype=np.float64).ravel())
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(
            "levels must be an int or a non-empty array of finite densities; "
            f"got {levels!r}."
        )
    return values
