"""The deprecated one-for-all embedding display, kept working on the three
pictures that replace it."""

import warnings

import numpy as np

from ._common import check_matplotlib
from ._curves import EmbeddingCurvesDisplay
from ._embedding import _EmbeddingPicture
from ._projection import EmbeddingProjectionDisplay
from ._regions import EmbeddingRegionsDisplay

_DEPRECATION = (
    "EmbeddingDisplay is deprecated in 0.1 and will be removed in 0.3: use "
    "EmbeddingRegionsDisplay (a 2-D embedding), EmbeddingCurvesDisplay (1-D) "
    "or EmbeddingProjectionDisplay (larger), each of which takes only the "
    "arrays its picture draws."
)
# Keyword arguments of the old plot that only a 2-D picture takes.
_PLANE_ONLY = ("levels", "alpha", "contour_kw")
# The old display's artists, by the name they have on the new pictures.
_ARTISTS = {
    "scatter_": "scatter_",
    "centers_": "class_markers_",
    "regions_": "regions_",
    "contours_": "contours_",
    "lines_": "lines_",
    "levels_": "levels_",
    "class_colors_": "class_colors_",
    "ax_": "ax_",
    "figure_": "figure_",
}


class EmbeddingDisplay:
    """Deprecated: one display for every embedding size.

    .. deprecated:: 0.1
        Use :class:`EmbeddingRegionsDisplay` for a 2-D embedding,
        :class:`EmbeddingCurvesDisplay` for a 1-D one and
        :class:`EmbeddingProjectionDisplay` for a larger one; this class
        will be removed in 0.3. It draws through them.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 1) or (n_samples, 2)
        Coordinates of the samples as drawn.
    labels : array-like of shape (n_samples,)
        Class of each sample.
    classes : array-like of shape (n_classes,), default=None
        Class order; None means ``np.unique(labels)``.
    centers : ndarray, default=None
        The class embeddings in the coordinates of ``embedding``.
    xx0, xx1 : ndarray, default=None
        The grid: positions along the axis in 1-D (``xx0`` alone), the
        :func:`numpy.meshgrid` arrays in 2-D.
    densities : ndarray, default=None
        Class densities on the grid.
    probabilities : ndarray of shape (n_classes, grid_resolution), default=None
        Class probabilities on a 1-D grid.
    regions : ndarray of shape (grid_resolution, grid_resolution), \
            default=None
        Index of the predicted class at each 2-D grid point.
    projection : sklearn.decomposition.PCA, default=None
        The PCA that projected a larger embedding to ``embedding``.
    xlabel, ylabel, title : str, default=None
        Axis labels and title; None picks a description of what is drawn.

    Attributes
    ----------
    scatter_, centers_, regions_, contours_, lines_, levels_, class_colors_, \
ax_, figure_
        The artists of the picture drawn (``centers_`` is its
        ``class_markers_``); None where the picture has none.
    """

    def __init__(
        self,
        embedding,
        labels,
        *,
        classes=None,
        centers=None,
        xx0=None,
        xx1=None,
        densities=None,
        probabilities=None,
        regions=None,
        projection=None,
        xlabel=None,
        ylabel=None,
        title=None,
    ):
        warnings.warn(_DEPRECATION, FutureWarning, stacklevel=2)
        self.embedding = embedding
        self.labels = labels
        self.classes = classes
        self.centers = centers
        self.xx0 = xx0
        self.xx1 = xx1
        self.densities = densities
        self.probabilities = probabilities
        self.regions = regions
        self.projection = projection
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.title = title

    def plot(self, ax=None, **kwargs):
        """Draw the display with the picture its arrays call for.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure and axes.
        **kwargs
            ``cmap``, ``levels``, ``alpha``, ``scatter_kw`` and
            ``contour_kw``, as in :meth:`EmbeddingRegionsDisplay.plot`;
            ``levels``, ``alpha`` and ``contour_kw`` apply to a 2-D
            embedding only.

        Returns
        -------
        display : EmbeddingDisplay
            This display, with the artists as attributes.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        picture = self._picture()
        if not isinstance(picture, EmbeddingRegionsDisplay):
            for name in _PLANE_ONLY:
                kwargs.pop(name, None)
        picture.plot(ax, **kwargs)
        for old, new in _ARTISTS.items():
            setattr(self, old, getattr(picture, new, None))
        for setter, text in [
            (self.ax_.set_xlabel, self.xlabel),
            (self.ax_.set_ylabel, self.ylabel),
            (self.ax_.set_title, self.title),
        ]:
            if text is not None:
                setter(text)
        return self

    @classmethod
    def from_estimator(cls, estimator, X, y, **kwargs):
        """Embed X with a fitted estimator and draw the picture for its size.

        Parameters
        ----------
        estimator, X, y
            As in :meth:`EmbeddingRegionsDisplay.from_estimator`.
        **kwargs
            ``grid_resolution`` (default 200), ``subsample`` (default 2000)
            and ``random_state`` (default None), as in
            :meth:`EmbeddingRegionsDisplay.from_estimator`; ``ax`` and the
            keyword arguments of :meth:`plot`.

        Returns
        -------
        display : EmbeddingDisplay
            The drawn display.
        """
        warnings.warn(_DEPRECATION, FutureWarning, stacklevel=2)
        check_matplotlib(f"{cls.__name__}.from_estimator")
        grid_resolution = kwargs.pop("grid_resolution", 200)
        embedded = _EmbeddingPicture._embed(
            estimator,
            X,
            y,
            subsample=kwargs.pop("subsample", 2000),
            random_state=kwargs.pop("random_state", None),
        )
        n_dims = embedded.embedding.shape[1]
        if n_dims == 1:
            picture = EmbeddingCurvesDisplay._from_embedded(embedded, grid_resolution)
            curves = "densities" if picture.kind == "density" else "probabilities"
            args = {"xx0": picture.grid, curves: picture.curves}
        elif n_dims == 2:
            picture = EmbeddingRegionsDisplay._from_embedded(embedded, grid_resolution)
            args = {
                name: getattr(picture, name)
                for name in ("xx0", "xx1", "densities", "regions")
            }
        else:
            picture = EmbeddingProjectionDisplay._from_embedded(embedded)
            omitted = (
                " (decision regions omitted)"
                if hasattr(embedded.step, "logits_at")
                else ""
            )
            args = {
                "projection": picture.projection,
                "title": f"{picture._title()}{omitted}",
            }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            display = cls(
                picture.embedding,
                picture.labels,
                classes=picture.classes,
                centers=picture.class_embeddings,
                **args,
            )
        return display.plot(**kwargs)

    def _picture(self):
        """The new display drawing this one's arrays."""
        common = {"classes": self.classes, "class_embeddings": self.centers}
        if self.projection is not None:
            return EmbeddingProjectionDisplay(
                self.embedding, self.labels, projection=self.projection, **common
            )
        if np.ndim(self.embedding) == 2 and np.shape(self.embedding)[1] == 1:
            curves, kind = self.densities, "density"
            if curves is None and self.probabilities is not None:
                curves, kind = self.probabilities, "probability"
            return EmbeddingCurvesDisplay(
                self.embedding,
                self.labels,
                grid=self.xx0,
                curves=curves,
                kind=kind,
                **common,
            )
        return EmbeddingRegionsDisplay(
            self.embedding,
            self.labels,
            xx0=self.xx0,
            xx1=self.xx1,
            regions=self.regions,
            densities=self.densities,
            **common,
        )
