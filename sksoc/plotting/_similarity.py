"""How alike the class embeddings are: their cosine-similarity matrix.

Learned class embeddings of look-alike classes tend to point the same way,
and such classes get confused more often; fixed random ones are spread out.
"""

from itertools import product

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._geometry import (
    check_class_embeddings,
    class_cosine_similarity,
    final_step,
)
from ._common import axes_and_figure, check_matplotlib, estimator_name


class ClassSimilarityDisplay:
    """Visualise the cosine similarity between the class embeddings of a model.

    Use :meth:`from_estimator` to build one from a fitted estimator with
    ``class_embeddings_``. All parameters are stored as attributes.

    Parameters
    ----------
    similarity : ndarray of shape (n_classes, n_classes)
        Cosine similarity of each pair of class embeddings.
    display_labels : array-like of shape (n_classes,), default=None
        Class names for the axes; None numbers the classes from 0.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The matrix as an image.
    text_ : ndarray of shape (n_classes, n_classes) of matplotlib Text, or None
        The value written in each cell; None unless ``include_values``.
    colorbar_ : matplotlib Colorbar or None
        The colour bar; None unless ``colorbar``.
    ax_ : matplotlib Axes
        Axes the display is drawn on.
    figure_ : matplotlib Figure
        Figure holding the axes.

    See Also
    --------
    EmbeddingRegionsDisplay : Samples, class densities and decision regions.
    sksoc.metrics.inter_class_separability : The angles between class
        centres as one number.

    Notes
    -----
    An SOC head decides by distance, not angle: for its class means (its
    class embeddings) the
    matrix shows directions seen from the origin, which says less about
    confusions than it does for cosine or dot-product heads.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sksoc import SOCClassifier
    >>> from sksoc.plotting import ClassSimilarityDisplay
    >>> iris = load_iris()
    >>> model = SOCClassifier(embedding_dim=4, max_epochs=20, random_state=0)
    >>> model = model.fit(iris.data, iris.target_names[iris.target])
    >>> display = ClassSimilarityDisplay.from_estimator(model)
    >>> display.similarity.shape
    (3, 3)
    >>> [label.get_text() for label in display.ax_.get_xticklabels()]
    ['setosa', 'versicolor', 'virginica']
    """

    def __init__(self, similarity, *, display_labels=None):
        self.similarity = similarity
        self.display_labels = display_labels

    def plot(
        self,
        *,
        include_values=True,
        values_format=None,
        cmap="RdBu_r",
        colorbar=True,
        xticks_rotation="horizontal",
        ax=None,
        im_kw=None,
        text_kw=None,
    ):
        """Draw the matrix.

        Parameters
        ----------
        include_values : bool, default=True
            Write each similarity in its cell.
        values_format : str, default=None
            Format specification of the written values; None means ``".2f"``.
        cmap : str or matplotlib Colormap, default="RdBu_r"
            Colormap, spread over [-1, 1]: the default diverges from white at
            0 to red for class embeddings alike and blue for opposite ones.
        colorbar : bool, default=True
            Add a colour bar.
        xticks_rotation : {"vertical", "horizontal"} or float, \
                default="horizontal"
            Rotation of the class names on the x axis.
        ax : matplotlib Axes, default=None
            Axes to draw on; None creates a figure (with constrained layout)
            and axes.
        im_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.imshow`, such as
            ``vmin`` and ``vmax`` to change the range of the colours.
        text_kw : dict, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.text`.

        Returns
        -------
        display : ClassSimilarityDisplay
            This display, with the artists as attributes.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        similarity = np.asarray(self.similarity, dtype=np.float64)
        n_classes = similarity.shape[0]
        if similarity.ndim != 2 or similarity.shape[1] != n_classes:
            raise ValueError(
                f"similarity must be a square matrix; got shape {similarity.shape}."
            )
        if self.display_labels is None:
            display_labels = [str(k) for k in range(n_classes)]
        else:
            display_labels = [str(label) for label in self.display_labels]
            if len(display_labels) != n_classes:
                raise ValueError(
                    f"display_labels has {len(display_labels)} names for "
                    f"{n_classes} classes."
                )
        ax, fig = axes_and_figure(ax)
        im_kw = {
            "cmap": cmap,
            "vmin": -1.0,
            "vmax": 1.0,
            "interpolation": "nearest",
            **(im_kw or {}),
        }
        self.im_ = ax.imshow(similarity, **im_kw)
        self.text_ = None
        if include_values:
            fmt = ".2f" if values_format is None else values_format
            self.text_ = np.empty((n_classes, n_classes), dtype=object)
            for i, j in product(range(n_classes), range(n_classes)):
                value = similarity[i, j]
                cell_color = self.im_.cmap(self.im_.norm(value))
                kw = {
                    "ha": "center",
                    "va": "center",
                    "color": _readable_text_color(cell_color),
                    **(text_kw or {}),
                }
                self.text_[i, j] = ax.text(j, i, format(value, fmt), **kw)
        self.colorbar_ = (
            fig.colorbar(self.im_, ax=ax, label="cosine similarity")
            if colorbar
            else None
        )
        ax.set(
            xticks=np.arange(n_classes),
            yticks=np.arange(n_classes),
            xticklabels=display_labels,
            yticklabels=display_labels,
            xlabel="class",
            ylabel="class",
            title="Cosine similarity of the class embeddings",
        )
        plt.setp(ax.get_xticklabels(), rotation=xticks_rotation)
        self.ax_ = ax
        self.figure_ = fig
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        display_labels=None,
        include_values=True,
        values_format=None,
        cmap="RdBu_r",
        colorbar=True,
        xticks_rotation="horizontal",
        ax=None,
        im_kw=None,
        text_kw=None,
    ):
        """Compute and draw the similarity of a fitted estimator's class embeddings.

        Parameters
        ----------
        estimator : estimator object
            A fitted estimator with ``class_embeddings_`` (every sksoc
            classifier), or a Pipeline ending in one, however nested.
        display_labels : array-like of shape (n_classes,), default=None
            Class names for the axes; None uses the estimator's ``classes_``.
        include_values, values_format, cmap, colorbar, xticks_rotation, ax, \
im_kw, text_kw
            As in :meth:`plot`.

        Returns
        -------
        display : ClassSimilarityDisplay
            The drawn display.

        Notes
        -----
        With several sub-centres per class, ``class_embeddings_`` of shape
        (n_classes, n_subcenters, n_dims), a class's direction is that of the
        mean of its unit-length sub-centres. A zero class embedding has
        similarity 0 with every one, itself included.
        """
        check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator)
        step = final_step(estimator)
        if not hasattr(step, "class_embeddings_"):
            raise ValueError(
                f"{cls.__name__} needs class embeddings, but "
                f"{estimator_name(estimator)} has no class_embeddings_ attribute."
            )
        class_embeddings = check_class_embeddings(step.class_embeddings_)
        similarity = np.clip(class_cosine_similarity(class_embeddings), -1.0, 1.0)
        if display_labels is None:
            display_labels = getattr(step, "classes_", None)
        display = cls(similarity, display_labels=display_labels)
        return display.plot(
            include_values=include_values,
            values_format=values_format,
            cmap=cmap,
            colorbar=colorbar,
            xticks_rotation=xticks_rotation,
            ax=ax,
            im_kw=im_kw,
            text_kw=text_kw,
        )


def _readable_text_color(background):
    """Black on light cells, white on dark ones (by relative luminance)."""
    red, green, blue = background[:3]
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "black" if luminance > 0.5 else "white"
