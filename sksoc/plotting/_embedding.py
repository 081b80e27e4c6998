"""Samples in the embedding, and what the class head makes of each point there.

The picture depends on the embedding's size:

- two dimensions: the samples, coloured by class, over the decision regions of
  the head and, for an SOC head, the contours of the class densities;
- one dimension: the class densities (SOC) or class probabilities (any other
  head) as curves along the axis, the samples as a rug below them;
- more: a PCA projection of the samples and class centres, without regions,
  which a projection cannot show.
"""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
import torch
from scipy.special import softmax
from sklearn.decomposition import PCA
from sklearn.utils import check_consistent_length, resample
from sklearn.utils.validation import check_is_fitted

from ..heads import SOCHead
from ._common import (
    check_matplotlib,
    class_colors,
    class_head,
    estimator_name,
    final_step,
)

# Grid points the head scores at once.
_GRID_BATCH = 4096
# How far the grid reaches beyond each SOC class mean, in class scales. In 2-D
# the outermost of 5 default contour levels (1/6 of the peak) lies at 1.9
# scales; in 1-D each density curve should hold all but ~1e-4 of its mass.
_DENSITY_REACH = {1: 4.0, 2: 2.5}
# Margin added around the points and class centres, as a share of their range.
_MARGIN = 0.05
# Embeddings whose norms all lie this close to one are taken as directions (the
# space of cosine and margin heads); class vectors are then drawn as directions.
_UNIT_NORM_TOLERANCE = 1e-3
# Height of the rug below the 1-D curves, as a share of the highest curve.
_RUG_HEIGHT = 0.25


class EmbeddingDisplay:
    """Visualise an embedding: samples by class, densities and decision regions.

    Use :meth:`from_estimator` to build one from a fitted estimator; the
    constructor takes arrays already computed (a 1-D or 2-D embedding), so
    a display can be re-plotted, or assembled by hand. All parameters are
    stored as attributes.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 1) or (n_samples, 2)
        Coordinates of the samples as drawn.
    labels : array-like of shape (n_samples,)
        Class of each sample, of any type.
    classes : array-like of shape (n_classes,), default=None
        Class order, which sets the colours and the rows of ``centers``,
        ``densities``, ``probabilities`` and the indices in ``regions``.
        None means ``np.unique(labels)``.
    centers : ndarray of shape (n_classes, n_dims) or \
            (n_classes, n_centers, n_dims), default=None
        Class means or class vectors (several per class with sub-centres) in
        the coordinates of ``embedding``, drawn as crosses.
    xx0 : ndarray of shape (grid_resolution,) or \
            (grid_resolution, grid_resolution), default=None
        First grid coordinate: the grid positions along the axis in 1-D, the
        first :func:`numpy.meshgrid` array in 2-D.
    xx1 : ndarray of shape (grid_resolution, grid_resolution), default=None
        Second grid coordinate in 2-D; None in 1-D.
    densities : ndarray of shape (n_classes, ``*xx0.shape``), default=None
        Class densities on the grid (SOC heads), drawn as contours in 2-D and
        as curves in 1-D.
    probabilities : ndarray of shape (n_classes, grid_resolution), default=None
        Class probabilities on a 1-D grid (heads without densities), drawn
        as curves.
    regions : ndarray of shape (grid_resolution, grid_resolution), \
            default=None
        Index in ``classes`` of the class predicted at each 2-D grid point,
        drawn as coloured regions.
    projection : sklearn.decomposition.PCA, default=None
        The PCA that projected a larger embedding to ``embedding``, if any.
    xlabel, ylabel, title : str, default=None
        Axis labels and title; None picks a description of what is drawn.

    Attributes
    ----------
    scatter_ : list of matplotlib PathCollection
        The samples, one collection per class in the order of ``classes``.
    centers_ : matplotlib PathCollection or None
        The class centres; None without ``centers``.
    regions_ : matplotlib AxesImage or None
        The decision regions; its array is ``regions``. None without them.
    contours_ : list of matplotlib QuadContourSet or None
        The density contours, one set per class; None without 2-D densities.
    lines_ : list of matplotlib Line2D or None
        The 1-D density or probability curves, one per class; None without.
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
    ClassSimilarityDisplay : Cosine similarity between the class vectors.
    sklearn.inspection.DecisionBoundaryDisplay : Decision regions over two
        input features.

    Notes
    -----
    Density contours are iso-density lines at the same values for every
    class, so one level means the same density whichever class it belongs
    to. A 2-D embedding is drawn with equal scales on both axes, so that
    distances, which decide an SOC head's predictions, look as they are.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sksoc import SOCClassifier
    >>> from sksoc.plotting import EmbeddingDisplay
    >>> X, y = load_iris(return_X_y=True, as_frame=True)
    >>> names = load_iris().target_names[y]
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     SOCClassifier(embedding_dim=2, max_epochs=30, random_state=0),
    ... ).fit(X, names)
    >>> display = EmbeddingDisplay.from_estimator(model, X, names)
    >>> display.regions.shape, display.densities.shape
    ((200, 200), (3, 200, 200))
    >>> [text.get_text() for text in display.ax_.get_legend().get_texts()]
    ['setosa', 'versicolor', 'virginica']
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
            Class colours, shared by samples, contours, curves and regions.
            None uses ``"tab10"`` up to 10 classes, ``"tab20"`` up to 20 and
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
        display : EmbeddingDisplay
            This display, with the artists as attributes.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        embedding, labels, classes = self._checked_samples()
        centers = self._checked_centers(len(classes), embedding.shape[1])
        if ax is None:
            fig, ax = plt.subplots(layout="constrained")
        else:
            fig = ax.figure
        self.class_colors_ = class_colors(cmap, len(classes))
        self.centers_ = self.regions_ = self.contours_ = None
        self.lines_ = self.levels_ = None
        if embedding.shape[1] == 2:
            self._plot_plane(
                ax,
                embedding,
                labels,
                classes,
                centers,
                levels=levels,
                alpha=alpha,
                scatter_kw=scatter_kw,
                contour_kw=contour_kw,
            )
        else:
            self._plot_line(ax, embedding, labels, classes, centers, scatter_kw)
        handles = self.lines_ if self.lines_ is not None else self.scatter_
        ax.legend(handles=handles, title="class")
        ax.set_title(self._default_title() if self.title is None else self.title)
        self.ax_ = ax
        self.figure_ = fig
        return self

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
            A fitted sksoc estimator, a Pipeline ending in one, or any fitted
            transformer (whose output is then drawn without regions or
            densities). The samples are embedded by ``estimator.transform``;
            classes, class vectors and the head come from the last step.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input samples, such as a validation set.
        y : array-like of shape (n_samples,)
            Their classes, of any type. With a classifier, every label must
            be one of its ``classes_``.
        grid_resolution : int, default=200
            Grid points per axis at which the head is evaluated.
        subsample : int or None, default=2000
            Most samples to draw; a larger X is subsampled at random,
            stratified by class, before it is embedded. None draws them all.
        random_state : int, RandomState instance or None, default=None
            Seeds the subsampling.
        ax, cmap, levels, alpha, scatter_kw, contour_kw
            As in :meth:`plot`.

        Returns
        -------
        display : EmbeddingDisplay
            The drawn display.

        Notes
        -----
        With an sksoc head the grid is scored by ``head.logits``, as
        ``predict`` would score an embedding there:

        - SOC heads: the logits are log-densities; their exponentials are the
          class densities, and their argmax the decision regions.
        - Other heads (cosine, dot-product, margin, linear): the argmax of
          the logits gives the decision regions in 2-D, and their softmax
          the class probability curves in 1-D. There are no densities.

        When every embedding has norm one (heads that compare directions),
        class vectors are drawn as unit vectors, on the same circle.
        """
        check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        if not hasattr(estimator, "transform"):
            raise TypeError(
                f"{cls.__name__} needs an estimator with a transform method; "
                f"{estimator_name(estimator)} has none."
            )
        _check_int(grid_resolution, "grid_resolution", minimum=2)
        if subsample is not None:
            _check_int(subsample, "subsample", minimum=1)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D; got an array of shape {y.shape}.")
        check_consistent_length(X, y)
        if subsample is not None and len(y) > subsample:
            X, y = resample(
                X,
                y,
                replace=False,
                n_samples=subsample,
                random_state=random_state,
                stratify=y,
            )

        step = final_step(estimator)
        head = class_head(step)
        classes = _classes(step, y)
        embedding = estimator.transform(X)
        if sp.issparse(embedding):
            embedding = embedding.toarray()
        embedding = np.asarray(embedding, dtype=np.float64)
        centers = _class_centers(step, embedding)
        n_dims = embedding.shape[1]
        display_args = {"classes": classes, "centers": centers}

        if n_dims > 2:
            projection = PCA(n_components=2, svd_solver="full").fit(embedding)
            if centers is not None:
                n_classes, n_centers = centers.shape[:2]
                flat = projection.transform(centers.reshape(-1, n_dims))
                display_args["centers"] = flat.reshape(n_classes, n_centers, 2)
            variance = projection.explained_variance_ratio_
            omitted = " (decision regions omitted)" if head is not None else ""
            display_args.update(
                projection=projection,
                xlabel=f"PC1 ({variance[0]:.0%} of variance)",
                ylabel=f"PC2 ({variance[1]:.0%} of variance)",
                title=f"PCA projection of the {n_dims}-D embedding{omitted}",
            )
            embedding = projection.transform(embedding)
        elif head is not None:
            display_args.update(
                _score_grid(step, head, embedding, centers, grid_resolution)
            )

        display = cls(embedding, y, **display_args)
        return display.plot(
            ax=ax,
            cmap=cmap,
            levels=levels,
            alpha=alpha,
            scatter_kw=scatter_kw,
            contour_kw=contour_kw,
        )

    # -- drawing --------------------------------------------------------------

    def _plot_plane(
        self,
        ax,
        embedding,
        labels,
        classes,
        centers,
        *,
        levels,
        alpha,
        scatter_kw,
        contour_kw,
    ):
        from matplotlib.colors import ListedColormap

        colors = self.class_colors_
        n_classes = len(classes)
        if self.regions is not None:
            xx0, xx1 = np.asarray(self.xx0), np.asarray(self.xx1)
            self.regions_ = ax.imshow(
                np.asarray(self.regions),
                cmap=ListedColormap(colors),
                vmin=-0.5,
                vmax=n_classes - 0.5,
                alpha=alpha,
                origin="lower",
                extent=_pixel_extent(xx0, xx1),
                interpolation="nearest",
                aspect="auto",
                zorder=0,
            )
        if self.densities is not None:
            densities = np.asarray(self.densities, dtype=np.float64)
            self.levels_ = _density_levels(densities, levels)
            contour_kw = {"linewidths": 1.0, "zorder": 1, **(contour_kw or {})}
            contour_kw.pop("colors", None)
            self.contours_ = []
            with warnings.catch_warnings():
                # A broad class may not reach the higher levels anywhere.
                warnings.filterwarnings("ignore", "No contour levels were found")
                for k in range(n_classes):
                    self.contours_.append(
                        ax.contour(
                            self.xx0,
                            self.xx1,
                            densities[k],
                            levels=self.levels_,
                            colors=[colors[k]],
                            **contour_kw,
                        )
                    )
        scatter_kw = {"s": 12, "alpha": 0.8, "linewidths": 0, **(scatter_kw or {})}
        self.scatter_ = self._scatter_classes(
            ax, embedding, labels, classes, scatter_kw
        )
        if centers is not None:
            flat = centers.reshape(-1, 2)
            self.centers_ = ax.scatter(
                flat[:, 0],
                flat[:, 1],
                c=np.repeat(colors, centers.shape[1], axis=0),
                marker="X",
                s=120,
                edgecolors="black",
                linewidths=1.0,
                zorder=3,
            )
        if self.xx0 is not None:
            extent = _pixel_extent(np.asarray(self.xx0), np.asarray(self.xx1))
            ax.set_xlim(extent[:2])
            ax.set_ylim(extent[2:])
        if self.projection is None:
            ax.set_aspect("equal")
        ax.set_xlabel("embedding feature 0" if self.xlabel is None else self.xlabel)
        ax.set_ylabel("embedding feature 1" if self.ylabel is None else self.ylabel)

    def _plot_line(self, ax, embedding, labels, classes, centers, scatter_kw):
        colors = self.class_colors_
        n_classes = len(classes)
        curves = self.densities if self.densities is not None else self.probabilities
        if curves is not None:
            curves = np.asarray(curves, dtype=np.float64)
            grid = np.asarray(self.xx0)
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
        if centers is not None:
            self.centers_ = ax.scatter(
                centers[:, :, 0].ravel(),
                np.repeat(rows, centers.shape[1]),
                c=np.repeat(colors, centers.shape[1], axis=0),
                marker="X",
                s=80,
                edgecolors="black",
                linewidths=1.0,
                zorder=3,
            )
        ax.set_xlabel("embedding feature 0" if self.xlabel is None else self.xlabel)
        ylabel = self.ylabel
        if curves is None:
            # Only the rug: its rows are the classes.
            ax.set_yticks(rows, [str(c) for c in classes])
            ax.set_ylim(-_RUG_HEIGHT * top, 0)
        else:
            ax.axhline(0.0, color="black", linewidth=0.8)
            ax.set_ylim(-_RUG_HEIGHT * top, 1.05 * top)
            # Negative values would only number the rug rows.
            ticks = ax.get_yticks()
            ax.set_yticks(ticks[(ticks >= 0) & (ticks <= 1.05 * top)])
            if ylabel is None:
                ylabel = (
                    "class density"
                    if self.densities is not None
                    else "class probability (softmax of the head's logits)"
                )
        if ylabel is not None:
            ax.set_ylabel(ylabel)

    def _scatter_classes(self, ax, embedding, labels, classes, scatter_kw, rows=None):
        """One scatter per class, in its colour; ``rows`` puts class k at y=rows[k]."""
        scatter_kw = dict(scatter_kw)
        for name in ("c", "color", "colors"):
            scatter_kw.pop(name, None)
        collections = []
        for k, c in enumerate(classes):
            points = embedding[labels == c]
            y = points[:, 1] if rows is None else np.full(len(points), rows[k])
            collections.append(
                ax.scatter(
                    points[:, 0],
                    y,
                    color=self.class_colors_[k],
                    label=str(c),
                    **scatter_kw,
                )
            )
        return collections

    # -- checks and defaults --------------------------------------------------

    def _checked_samples(self):
        embedding = np.asarray(self.embedding, dtype=np.float64)
        labels = np.asarray(self.labels)
        if embedding.ndim != 2 or embedding.shape[1] not in (1, 2):
            raise ValueError(
                "embedding must have shape (n_samples, 1) or (n_samples, 2); got "
                f"{embedding.shape}. Use EmbeddingDisplay.from_estimator to "
                "project a larger embedding."
            )
        if labels.shape != (len(embedding),):
            raise ValueError(
                f"labels must have shape ({len(embedding)},), one per sample; "
                f"got {labels.shape}."
            )
        classes = np.unique(labels) if self.classes is None else self.classes
        classes = np.asarray(classes)
        unknown = ~np.isin(labels, classes)
        if np.any(unknown):
            raise ValueError(
                f"labels {np.unique(labels[unknown]).tolist()} are not in classes."
            )
        return embedding, labels, classes

    def _checked_centers(self, n_classes, n_dims):
        if self.centers is None:
            return None
        centers = np.asarray(self.centers, dtype=np.float64)
        if centers.ndim == 2:
            centers = centers[:, np.newaxis, :]
        if centers.ndim != 3 or centers.shape[0] != n_classes:
            raise ValueError(
                f"centers must have shape ({n_classes}, {n_dims}) or "
                f"({n_classes}, n_centers, {n_dims}); got {np.shape(self.centers)}."
            )
        if centers.shape[2] != n_dims:
            raise ValueError(
                f"centers have {centers.shape[2]} dimensions; the embedding "
                f"has {n_dims}."
            )
        return centers

    def _default_title(self):
        n_dims = np.shape(self.embedding)[1]
        shown = []
        if self.densities is not None:
            shown.append("class densities")
        if self.probabilities is not None:
            shown.append("class probabilities")
        if self.regions is not None:
            shown.append("decision regions")
        if not shown:
            return f"{n_dims}-D embedding"
        return f"{n_dims}-D embedding: {' and '.join(shown)}"


# -- computing what the head makes of the plane or the line -------------------


def _classes(step, y):
    """The class order: the classifier's ``classes_``, or the labels' own."""
    classes = getattr(step, "classes_", None)
    if classes is None:
        return np.unique(y)
    classes = np.asarray(classes)
    unknown = ~np.isin(y, classes)
    if np.any(unknown):
        raise ValueError(
            f"y has labels {np.unique(y[unknown]).tolist()} that the estimator "
            f"does not know; its classes_ are {classes.tolist()}."
        )
    return classes


def _class_centers(step, embedding):
    """The class vectors as (n_classes, n_centers, n_dims), if in the embedding's
    space; unit vectors when the embedding holds directions only."""
    centers = getattr(step, "class_embeddings_", None)
    if centers is None:
        return None
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim == 2:
        centers = centers[:, np.newaxis, :]
    if centers.ndim != 3 or centers.shape[-1] != embedding.shape[1]:
        return None
    norms = np.linalg.norm(embedding, axis=1)
    if len(norms) and np.allclose(norms, 1.0, atol=_UNIT_NORM_TOLERANCE):
        lengths = np.linalg.norm(centers, axis=-1, keepdims=True)
        centers = np.divide(
            centers, lengths, out=np.zeros_like(centers), where=lengths > 0
        )
    return centers


def _score_grid(step, head, embedding, centers, grid_resolution):
    """Grid, densities or probabilities, and regions for a 1-D or 2-D embedding."""
    n_dims = embedding.shape[1]
    is_soc = isinstance(head, SOCHead)
    lower, upper = _grid_bounds(head, embedding, centers, is_soc)
    if n_dims == 1:
        xx0 = np.linspace(lower[0], upper[0], grid_resolution)
        logits = _head_logits(step, head, xx0[:, np.newaxis])
        if is_soc:
            return {"xx0": xx0, "densities": np.exp(logits).T}
        return {"xx0": xx0, "probabilities": softmax(logits, axis=1).T}
    xx0, xx1 = np.meshgrid(
        np.linspace(lower[0], upper[0], grid_resolution),
        np.linspace(lower[1], upper[1], grid_resolution),
    )
    logits = _head_logits(step, head, np.column_stack([xx0.ravel(), xx1.ravel()]))
    result = {
        "xx0": xx0,
        "xx1": xx1,
        "regions": logits.argmax(axis=1).reshape(xx0.shape),
    }
    if is_soc:
        result["densities"] = np.exp(logits).T.reshape(-1, *xx0.shape)
    return result


def _grid_bounds(head, embedding, centers, is_soc):
    """Per-axis bounds covering the samples, the centres and, for SOC, the
    class densities' bulk; with a small margin."""
    extremes = [embedding]
    if centers is not None:
        extremes.append(centers.reshape(-1, embedding.shape[1]))
    if is_soc:
        with torch.no_grad():
            means = head.means.detach().cpu().numpy().astype(np.float64)
            scales = head.scales
            scales = (
                np.ones_like(means)
                if scales is None
                else scales.detach().cpu().numpy().astype(np.float64)
            )
        reach = _DENSITY_REACH[embedding.shape[1]] * scales
        extremes += [means - reach, means + reach]
    points = np.concatenate(extremes)
    lower, upper = points.min(axis=0), points.max(axis=0)
    margin = _MARGIN * np.maximum(upper - lower, 1e-6)
    return lower - margin, upper + margin


def _head_logits(step, head, points):
    """``head.logits`` at each point, (n_points, n_classes), float64."""
    device = _head_device(step, head)
    was_training = head.training
    head.eval()
    logits = []
    try:
        with torch.inference_mode():
            for start in range(0, len(points), _GRID_BATCH):
                batch = torch.as_tensor(
                    points[start : start + _GRID_BATCH],
                    dtype=torch.float32,
                    device=device,
                )
                logits.append(head.logits(batch).cpu().numpy())
    finally:
        head.train(was_training)
    return np.concatenate(logits).astype(np.float64)


def _head_device(step, head):
    device = getattr(step.net_, "device", None)
    if device is not None:
        return torch.device(device)
    for tensor in (*head.parameters(), *head.buffers()):
        return tensor.device
    return torch.device("cpu")


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


def _check_int(value, name, *, minimum):
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an int of at least {minimum}; got {value!r}.")
