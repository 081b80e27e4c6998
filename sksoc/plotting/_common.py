"""What the displays share: the matplotlib check, names, axes, colours.

Nothing here imports matplotlib at module level, so ``import sksoc.plotting``
works without it; only drawing needs it.
"""

import numbers

import numpy as np
from sklearn.pipeline import Pipeline

from .._geometry import final_step

# A listed colormap with at most this many colours is a palette of distinct
# colours (tab10, Set1, Paired, ...): classes take its colours in order. Longer
# ones (viridis has 256) are sampled evenly instead.
_MAX_PALETTE_SIZE = 64


def check_matplotlib(caller):
    """Raise an ImportError that says how to install matplotlib, if it is missing.

    Parameters
    ----------
    caller : str
        What needs matplotlib, named in the message, such as
        ``"EmbeddingRegionsDisplay.plot"``.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib; install it with pip install 'sksoc[plot]'."
        ) from exc


def estimator_name(estimator):
    """A readable name: the class name, with the final step's for a Pipeline."""
    name = type(estimator).__name__
    if isinstance(estimator, Pipeline):
        name = f"{name} ending in {type(final_step(estimator)).__name__}"
    return name


def class_colors(cmap, n_classes):
    """One RGBA colour per class, as an ndarray of shape (n_classes, 4).

    Parameters
    ----------
    cmap : None, str, matplotlib Colormap or sequence of colours
        None picks ``"tab10"`` for up to 10 classes, ``"tab20"`` for up to 20
        and ``"turbo"`` beyond. A short listed colormap (a palette) gives its
        colours in order; any other colormap is sampled evenly. A sequence
        gives one colour per class and must be long enough.
    n_classes : int
        Number of colours wanted.
    """
    import matplotlib as mpl

    if cmap is None:
        if n_classes <= 10:
            cmap = "tab10"
        elif n_classes <= 20:
            cmap = "tab20"
        else:
            cmap = "turbo"
    if isinstance(cmap, str):
        cmap = mpl.colormaps[cmap]
    if not isinstance(cmap, mpl.colors.Colormap):
        colors = mpl.colors.to_rgba_array(cmap)
        if len(colors) < n_classes:
            raise ValueError(
                f"cmap gives {len(colors)} colours for {n_classes} classes; "
                "pass at least one colour per class, or a colormap."
            )
        return colors[:n_classes]
    if isinstance(cmap, mpl.colors.ListedColormap) and (
        n_classes <= cmap.N <= _MAX_PALETTE_SIZE
    ):
        return cmap(np.arange(n_classes))
    return cmap(np.linspace(0.0, 1.0, n_classes))


def axes_and_figure(ax):
    """``ax`` and its figure; new ones (with constrained layout) for None."""
    import matplotlib.pyplot as plt

    if ax is None:
        return plt.subplots(layout="constrained")[::-1]
    return ax, ax.figure


def check_int(value, name, *, minimum):
    """Raise a ValueError unless ``value`` is an int (not a bool) >= ``minimum``."""
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an int of at least {minimum}; got {value!r}.")
