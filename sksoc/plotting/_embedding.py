"""What every picture of an embedding shares: the samples by class, the class
embeddings, the grid on which the classifier is scored, and how a fitted
estimator is asked for them.

Each picture is its own display: :class:`EmbeddingRegionsDisplay` (a 2-D
embedding, with decision regions and, for an SOC classifier, class density
contours), :class:`EmbeddingCurvesDisplay` (a 1-D embedding, with class
density or probability curves) and :class:`EmbeddingProjectionDisplay` (a
PCA projection of any larger embedding). They call public methods of the
estimator only: ``transform``, ``classes_``, ``class_embeddings_``,
``logits_at`` and, for SOC, ``class_log_densities_at`` and ``class_scales_``.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_consistent_length, resample
from sklearn.utils.validation import check_is_fitted

from .._geometry import final_step, unit_rows
from .._labels import encode_as
from ._common import (
    axes_and_figure,
    check_int,
    check_matplotlib,
    class_colors,
    estimator_name,
)

# Embeddings whose norms all lie this close to one are taken as directions (the
# space of cosine and margin heads); class embeddings are then drawn as
# directions, on the same sphere.
_UNIT_NORM_TOLERANCE = 1e-3
# How far the grid reaches beyond each SOC class mean, in class scales. In 2-D
# the outermost of 5 default contour levels (1/6 of the peak) lies at 1.9
# scales; in 1-D each density curve should hold all but ~1e-4 of its mass.
_DENSITY_REACH = {1: 4.0, 2: 2.5}
# Margin added around the points and class embeddings, as a share of their range.
_MARGIN = 0.05


class Embedded(NamedTuple):
    """What :meth:`_EmbeddingPicture._embed` reads off a fitted estimator."""

    step: object
    embedding: np.ndarray
    labels: np.ndarray
    classes: np.ndarray
    class_embeddings: object


class _EmbeddingPicture:
    """Samples coloured by class, and class embeddings drawn as crosses.

    Subclasses set ``_n_dims`` (the coordinates drawn) and implement
    ``_draw(ax, embedding, labels, classes, class_embeddings, **kwargs)``.
    """

    _n_dims = 2

    def __init__(self, embedding, labels, *, classes=None, class_embeddings=None):
        self.embedding = embedding
        self.labels = labels
        self.classes = classes
        self.class_embeddings = class_embeddings

    def _plot(self, ax, cmap, **draw_kwargs):
        """Check the data, draw it with ``_draw`` and add the legend and title."""
        check_matplotlib(f"{type(self).__name__}.plot")
        embedding, labels, classes = self._checked_samples()
        class_embeddings = self._checked_class_embeddings(len(classes))
        ax, fig = axes_and_figure(ax)
        self.class_colors_ = class_colors(cmap, len(classes))
        self.class_embeddings_scatter_ = None
        handles = self._draw(
            ax, embedding, labels, classes, class_embeddings, **draw_kwargs
        )
        ax.legend(handles=handles, title="class")
        ax.set_title(self._title())
        self.ax_ = ax
        self.figure_ = fig
        return self

    def _checked_samples(self):
        embedding = np.asarray(self.embedding, dtype=np.float64)
        labels = np.asarray(self.labels)
        if embedding.ndim != 2 or embedding.shape[1] != self._n_dims:
            raise ValueError(
                f"embedding must have shape (n_samples, {self._n_dims}); got "
                f"{embedding.shape}. {_PICTURE_FOR_SIZE}"
            )
        if labels.shape != (len(embedding),):
            raise ValueError(
                f"labels must have shape ({len(embedding)},), one per sample; "
                f"got {labels.shape}."
            )
        classes = np.unique(labels) if self.classes is None else self.classes
        classes = np.asarray(classes)
        encode_as(labels, classes, "labels", classes_name="classes")
        return embedding, labels, classes

    def _checked_class_embeddings(self, n_classes):
        """``class_embeddings`` as (n_classes, K, n_dims), or None."""
        if self.class_embeddings is None:
            return None
        class_embeddings = np.asarray(self.class_embeddings, dtype=np.float64)
        if class_embeddings.ndim == 2:
            class_embeddings = class_embeddings[:, np.newaxis, :]
        if class_embeddings.ndim != 3 or class_embeddings.shape[0] != n_classes:
            raise ValueError(
                f"class_embeddings must have shape ({n_classes}, {self._n_dims}) "
                f"or ({n_classes}, n_subcenters, {self._n_dims}); got "
                f"{np.shape(self.class_embeddings)}."
            )
        if class_embeddings.shape[2] != self._n_dims:
            raise ValueError(
                f"class_embeddings have {class_embeddings.shape[2]} dimensions; "
                f"the embedding has {self._n_dims}."
            )
        return class_embeddings

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

    def _scatter_plane(self, ax, embedding, labels, classes, class_embeddings, kw):
        """The samples and class embeddings of a 2-D picture."""
        kw = {"s": 12, "alpha": 0.8, "linewidths": 0, **(kw or {})}
        self.scatter_ = self._scatter_classes(ax, embedding, labels, classes, kw)
        if class_embeddings is not None:
            flat = class_embeddings.reshape(-1, 2)
            self._mark_class_embeddings(
                ax, flat[:, 0], flat[:, 1], class_embeddings.shape[1], 120
            )
        return self.scatter_

    def _mark_class_embeddings(self, ax, x, y, n_subcenters, size):
        """The class embeddings as crosses in their classes' colours."""
        self.class_embeddings_scatter_ = ax.scatter(
            x,
            y,
            c=np.repeat(self.class_colors_, n_subcenters, axis=0),
            marker="X",
            s=size,
            edgecolors="black",
            linewidths=1.0,
            zorder=3,
        )

    @classmethod
    def _embed(cls, estimator, X, y, *, subsample, random_state):
        """Validate, subsample and embed X; read the classes and class embeddings.

        The class embeddings are None unless they live in the embedding's
        space; they are scaled to unit length when every embedding is.
        """
        check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        if not hasattr(estimator, "transform"):
            raise TypeError(
                f"{cls.__name__} needs an estimator with a transform method; "
                f"{estimator_name(estimator)} has none."
            )
        if subsample is not None:
            check_int(subsample, "subsample", minimum=1)
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
        classes = getattr(step, "classes_", None)
        if classes is None:
            classes = np.unique(y)
        else:
            classes = np.asarray(classes)
            encode_as(y, classes, "y")
        embedding = estimator.transform(X)
        if sp.issparse(embedding):
            embedding = embedding.toarray()
        embedding = np.asarray(embedding, dtype=np.float64)
        class_embeddings = _drawn_class_embeddings(step, embedding)
        return Embedded(step, embedding, y, classes, class_embeddings)

    @classmethod
    def _with_samples_of(cls, embedded, **arrays):
        """A display of ``embedded``'s samples and class embeddings, and of the
        ``arrays`` the picture computed for them (grid, curves, projection)."""
        return cls(
            embedded.embedding,
            embedded.labels,
            classes=embedded.classes,
            class_embeddings=embedded.class_embeddings,
            **arrays,
        )

    @classmethod
    def _check_size(cls, embedded):
        n_dims = embedded.embedding.shape[1]
        if not cls._accepts(n_dims):
            raise ValueError(
                f"{cls.__name__} draws a {cls._size_drawn}; "
                f"{estimator_name(embedded.step)} embeds X in {n_dims} "
                f"dimension{'s' if n_dims > 1 else ''}. {_PICTURE_FOR_SIZE}"
            )

    @classmethod
    def _accepts(cls, n_dims):
        return n_dims == cls._n_dims


_PICTURE_FOR_SIZE = (
    "Draw a 2-D embedding with EmbeddingRegionsDisplay, a 1-D one with "
    "EmbeddingCurvesDisplay and a larger one with EmbeddingProjectionDisplay."
)


def _drawn_class_embeddings(step, embedding):
    """The final step's class embeddings as (n_classes, K, n_dims), if any and
    in the embedding's space; unit vectors when the embedding holds directions.
    """
    class_embeddings = getattr(step, "class_embeddings_", None)
    if class_embeddings is None:
        return None
    class_embeddings = np.asarray(class_embeddings, dtype=np.float64)
    if class_embeddings.ndim == 2:
        class_embeddings = class_embeddings[:, np.newaxis, :]
    if class_embeddings.ndim != 3 or class_embeddings.shape[-1] != embedding.shape[1]:
        return None
    norms = np.linalg.norm(embedding, axis=1)
    if len(norms) and np.allclose(norms, 1.0, atol=_UNIT_NORM_TOLERANCE):
        class_embeddings = unit_rows(class_embeddings)
    return class_embeddings


def grid_axes(embedded, grid_resolution):
    """Where a picture scores the final step: ``grid_resolution`` evenly spaced
    points along each axis of the embedding, within :func:`_grid_bounds`; None
    for a step without ``logits_at``."""
    step = embedded.step
    if not hasattr(step, "logits_at"):
        return None
    lower, upper = _grid_bounds(step, embedded.embedding, embedded.class_embeddings)
    return [
        np.linspace(low, high, grid_resolution)
        for low, high in zip(lower, upper, strict=True)
    ]


def _grid_bounds(step, embedding, class_embeddings):
    """Per-axis bounds covering the samples, the class embeddings and, for a
    step with class densities, their bulk; with a small margin."""
    extremes = [embedding]
    if class_embeddings is not None:
        extremes.append(class_embeddings.reshape(-1, embedding.shape[1]))
    if hasattr(step, "class_log_densities_at"):
        means = np.asarray(step.class_embeddings_, dtype=np.float64)
        scales = getattr(step, "class_scales_", None)
        scales = np.ones_like(means) if scales is None else np.asarray(scales)
        reach = _DENSITY_REACH[embedding.shape[1]] * scales
        extremes += [means - reach, means + reach]
    points = np.concatenate(extremes)
    lower, upper = points.min(axis=0), points.max(axis=0)
    margin = _MARGIN * np.maximum(upper - lower, 1e-6)
    return lower - margin, upper + margin
