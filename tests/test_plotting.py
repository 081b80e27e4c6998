"""The displays draw what the model computes: points, densities, regions, vectors.

Every test renders to an off-screen (Agg) canvas and reads back the artists.
"""

import importlib
import math
import sys

import numpy as np
import pytest
import torch
from scipy.integrate import trapezoid
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.datasets import load_iris, make_blobs
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sksoc
from sksoc import SOCClassifier
from sksoc.plotting import (
    ClassSimilarityDisplay,
    EmbeddingCurvesDisplay,
    EmbeddingProjectionDisplay,
    EmbeddingRegionsDisplay,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

NAMES = np.array(["ant", "bee", "cat"])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=150, centers=3, cluster_std=1.5, random_state=0)
    return X, NAMES[y]


def _fit_soc(blobs, embedding_dim):
    X, y = blobs
    return SOCClassifier(
        embedding_dim=embedding_dim,
        hidden_layer_sizes=(16,),
        max_epochs=20,
        lr=0.01,
        random_state=0,
    ).fit(X, y)


@pytest.fixture(scope="module")
def soc_2d(blobs):
    return _fit_soc(blobs, 2)


@pytest.fixture(scope="module")
def soc_1d(blobs):
    return _fit_soc(blobs, 1)


@pytest.fixture(scope="module")
def soc_3d(blobs):
    return _fit_soc(blobs, 3)


# -- a stand-in for the non-SOC heads: fixed class vectors --------------------


class FixedVectorClassifier(ClassifierMixin, TransformerMixin, BaseEstimator):
    """Takes X as the embedding; has the public methods every sksoc estimator
    has, and nothing else: the displays must not need more."""

    def __init__(self, vectors, cosine=True):
        self.vectors = vectors
        self.cosine = cosine

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.embedding_dim_ = np.shape(self.vectors)[1]
        return self

    @property
    def class_embeddings_(self):
        return np.asarray(self.vectors, dtype=np.float64)

    def logits_at(self, Z):
        Z = np.asarray(Z, dtype=np.float64)
        vectors = self.class_embeddings_
        if self.cosine:
            Z = Z / np.linalg.norm(Z, axis=1, keepdims=True)
            vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return Z @ vectors.T

    def transform(self, X):
        X = np.asarray(X, dtype=np.float64)
        if self.cosine:
            return X / np.linalg.norm(X, axis=1, keepdims=True)
        return X


class SubCenterVectors(BaseEstimator):
    """Only class vectors with sub-centres, as margin heads with K > 1 have."""

    def __init__(self, vectors):
        self.vectors = vectors

    def fit(self, X=None, y=None):
        self.classes_ = NAMES[: len(self.vectors)]
        self.class_embeddings_ = np.asarray(self.vectors, dtype=np.float64)
        return self

    def transform(self, X):
        return np.asarray(X, dtype=np.float64)


def _unit_gaussian_log_density(points, mean):
    """log N(points | mean, I), written out."""
    d = points.shape[-1]
    return -0.5 * ((points - mean) ** 2).sum(-1) - 0.5 * d * math.log(2 * math.pi)


def _rgb(color):
    return np.asarray(color)[..., :3]


def _drawn_levels(contours):
    """The edge colour and the drawn vertices of each level of a ContourSet.

    From matplotlib 3.8 a ContourSet is one collection with a path per level;
    before, it holds one collection of paths per level.
    """

    def vertices(path):
        if path.codes is None:
            return path.vertices
        return path.vertices[path.codes != matplotlib.path.Path.CLOSEPOLY]

    if isinstance(contours, matplotlib.collections.Collection):
        return [
            (color, vertices(path))
            for color, path in zip(
                contours.get_edgecolor(), contours.get_paths(), strict=True
            )
        ]
    return [
        (
            level.get_edgecolor()[0],
            np.concatenate([vertices(p) for p in level.get_paths()]),
        )
        for level in contours.collections
    ]


# -- 2-D embeddings -----------------------------------------------------------


def test_2d_scatter_draws_every_sample_in_its_class_colour(soc_2d, blobs):
    X, y = blobs
    display = EmbeddingRegionsDisplay.from_estimator(soc_2d, X, y, grid_resolution=40)

    embedding = soc_2d.transform(X)
    assert len(display.scatter_) == 3
    for k, name in enumerate(NAMES):
        points = display.scatter_[k]
        np.testing.assert_allclose(points.get_offsets(), embedding[y == name])
        np.testing.assert_allclose(
            _rgb(points.get_facecolor()), _rgb(display.class_colors_[[k]])
        )
    legend = display.ax_.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == list(NAMES)
    assert display.ax_.get_xlabel() == "embedding feature 0"
    assert display.ax_.get_ylabel() == "embedding feature 1"
    assert display.ax_.get_title() == (
        "2-D embedding: class densities and decision regions"
    )
    # The class means, one cross per class in the class's colour.
    np.testing.assert_allclose(
        display.class_embeddings_scatter_.get_offsets(),
        soc_2d.class_embeddings_,
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        _rgb(display.class_embeddings_scatter_.get_facecolor()),
        _rgb(display.class_colors_),
    )


def test_2d_densities_are_the_class_gaussians_and_regions_their_argmax(soc_2d, blobs):
    X, y = blobs
    display = EmbeddingRegionsDisplay.from_estimator(soc_2d, X, y, grid_resolution=30)

    grid = np.stack([display.xx0, display.xx1], axis=-1)
    assert grid.shape == (30, 30, 2)
    log_densities = np.stack(
        [_unit_gaussian_log_density(grid, mu) for mu in soc_2d.class_embeddings_]
    )
    np.testing.assert_allclose(
        display.densities, np.exp(log_densities), rtol=1e-4, atol=1e-12
    )
    # The head itself gives the same log-densities.
    head = soc_2d.net_.criterion_
    with torch.no_grad():
        logits = head.logits(torch.as_tensor(grid.reshape(-1, 2), dtype=torch.float32))
    np.testing.assert_allclose(
        np.log(display.densities).reshape(3, -1), logits.numpy().T, atol=1e-4
    )

    expected_regions = log_densities.argmax(axis=0)
    np.testing.assert_array_equal(display.regions, expected_regions)
    np.testing.assert_array_equal(display.regions_.get_array(), expected_regions)
    # Region k is painted in class k's colour.
    image = display.regions_
    for k in range(3):
        np.testing.assert_allclose(
            _rgb(image.cmap(image.norm(k))), _rgb(display.class_colors_[k])
        )


def test_density_contours_are_circles_at_the_levels_density(soc_2d, blobs):
    X, y = blobs
    display = EmbeddingRegionsDisplay.from_estimator(
        soc_2d, X, y, grid_resolution=120, levels=4
    )

    peak = display.densities.max()
    np.testing.assert_allclose(display.levels_, peak * np.array([1, 2, 3, 4]) / 5)
    assert len(display.contours_) == 3
    for k, mean in enumerate(soc_2d.class_embeddings_):
        contours = display.contours_[k]
        np.testing.assert_allclose(contours.levels, display.levels_)
        drawn_levels = _drawn_levels(contours)
        np.testing.assert_allclose(
            _rgb([color for color, _ in drawn_levels]),
            _rgb(display.class_colors_[[k] * 4]),
        )
        for level, (_, drawn) in zip(display.levels_, drawn_levels, strict=True):
            # exp(-r^2 / 2) / (2 pi) = level on a circle of radius r.
            radius = math.sqrt(-2.0 * math.log(2.0 * math.pi * level))
            distances = np.linalg.norm(drawn - mean, axis=1)
            np.testing.assert_allclose(distances, radius, atol=0.02)


def test_contour_levels_given_as_densities(soc_2d, blobs):
    X, y = blobs
    display = EmbeddingRegionsDisplay.from_estimator(
        soc_2d, X, y, grid_resolution=30, levels=[0.1, 0.02]
    )
    np.testing.assert_allclose(display.levels_, [0.02, 0.1])
    for contours in display.contours_:
        np.testing.assert_allclose(contours.levels, [0.02, 0.1])


def test_cosine_head_gets_angular_regions_and_no_densities():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    vectors = np.array([[3.0, 0.0], [0.0, -2.0], [-1.0, 1.0]])
    y = NAMES[np.argmax(X @ vectors.T / np.linalg.norm(vectors, axis=1), axis=1)]
    model = FixedVectorClassifier(vectors).fit(X, y)

    display = EmbeddingRegionsDisplay.from_estimator(model, X, y, grid_resolution=25)

    assert display.densities is None
    assert display.contours_ is None
    assert display.ax_.get_title() == "2-D embedding: decision regions"
    # Drawn from the public logits_at alone: the stand-in has no torch head.
    assert not hasattr(model, "net_")
    grid = np.stack([display.xx0.ravel(), display.xx1.ravel()], axis=1)
    cosines = (grid / np.linalg.norm(grid, axis=1, keepdims=True)) @ (
        vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    ).T
    np.testing.assert_array_equal(
        display.regions_.get_array(), cosines.argmax(axis=1).reshape(25, 25)
    )
    # The samples lie on the unit circle, and so are the class vectors drawn.
    offsets = np.concatenate([points.get_offsets() for points in display.scatter_])
    np.testing.assert_allclose(np.linalg.norm(offsets, axis=1), 1.0)
    np.testing.assert_allclose(
        display.class_embeddings_scatter_.get_offsets(),
        vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
    )


def test_plain_transformer_is_drawn_as_a_scatter_only():
    X, y = load_iris(return_X_y=True)
    pca = PCA(n_components=2).fit(X)

    display = EmbeddingRegionsDisplay.from_estimator(pca, X, y)

    assert sum(len(points.get_offsets()) for points in display.scatter_) == 150
    assert display.regions_ is None
    assert display.contours_ is None
    assert display.class_embeddings_scatter_ is None
    assert display.ax_.get_title() == "2-D embedding"
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
        "0",
        "1",
        "2",
    ]


# -- pipelines, sampling, checks ----------------------------------------------


def test_pipeline_embeds_with_every_step():
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(
        StandardScaler(),
        SOCClassifier(embedding_dim=2, max_epochs=10, random_state=0),
    ).fit(X, y)

    display = EmbeddingRegionsDisplay.from_estimator(model, X, y, grid_resolution=20)

    embedding = model.transform(X)
    for k in range(3):
        np.testing.assert_allclose(display.scatter_[k].get_offsets(), embedding[y == k])
    np.testing.assert_allclose(
        display.class_embeddings_scatter_.get_offsets(),
        model[-1].class_embeddings_,
        rtol=1e-6,
    )
    assert display.regions.shape == (20, 20)


def test_subsample_draws_a_stratified_sample(soc_2d, blobs):
    X, y = blobs
    first = EmbeddingRegionsDisplay.from_estimator(
        soc_2d, X, y, subsample=30, random_state=0, grid_resolution=10
    )
    again = EmbeddingRegionsDisplay.from_estimator(
        soc_2d, X, y, subsample=30, random_state=0, grid_resolution=10
    )

    counts = [len(points.get_offsets()) for points in first.scatter_]
    assert counts == [10, 10, 10]
    np.testing.assert_array_equal(first.embedding, again.embedding)


def test_draws_on_the_given_axes_with_the_given_colours(soc_2d, blobs):
    X, y = blobs
    fig, (left, right) = plt.subplots(1, 2)
    colors = ["red", "green", "blue"]

    display = EmbeddingRegionsDisplay.from_estimator(
        soc_2d, X, y, ax=right, cmap=colors, grid_resolution=10
    )

    assert display.ax_ is right
    assert display.figure_ is fig
    assert not left.collections
    np.testing.assert_allclose(
        display.class_colors_, matplotlib.colors.to_rgba_array(colors)
    )


def test_replot_from_stored_attributes(soc_2d, blobs):
    X, y = blobs
    display = EmbeddingRegionsDisplay.from_estimator(soc_2d, X, y, grid_resolution=10)
    first_ax = display.ax_

    display.plot(levels=2, alpha=0.5)

    assert display.ax_ is not first_ax
    assert len(display.levels_) == 2
    assert display.regions_.get_alpha() == 0.5


def test_unknown_labels_and_unfitted_estimators_are_refused(soc_2d, blobs):
    X, y = blobs
    y = y.copy()
    y[0] = "yak"
    with pytest.raises(ValueError, match=r"\['yak'\].*classes_"):
        EmbeddingRegionsDisplay.from_estimator(soc_2d, X, y)
    with pytest.raises(NotFittedError):
        EmbeddingRegionsDisplay.from_estimator(SOCClassifier(), X, y)
    with pytest.raises(ValueError, match="embedding must have shape"):
        EmbeddingRegionsDisplay(np.zeros((4, 3)), np.zeros(4)).plot()


# -- 1-D embeddings -----------------------------------------------------------


def test_1d_density_curves_are_unit_gaussians(soc_1d, blobs):
    X, y = blobs
    display = EmbeddingCurvesDisplay.from_estimator(soc_1d, X, y, grid_resolution=400)

    grid = display.grid
    assert display.kind == "density"
    assert len(display.lines_) == 3
    for k, mean in enumerate(soc_1d.class_embeddings_):
        line = display.lines_[k]
        np.testing.assert_allclose(line.get_xdata(), grid)
        np.testing.assert_allclose(
            line.get_ydata(),
            np.exp(_unit_gaussian_log_density(grid[:, None], mean)),
            rtol=1e-4,
            atol=1e-12,
        )
        # Each curve is a whole density: it integrates to one over the grid.
        assert trapezoid(line.get_ydata(), grid) == pytest.approx(1.0, abs=1e-3)
        assert _rgb(matplotlib.colors.to_rgba(line.get_color())) == pytest.approx(
            _rgb(display.class_colors_[k])
        )
    assert display.ax_.get_xlabel() == "embedding feature 0"
    assert display.ax_.get_ylabel() == "class density"
    assert display.ax_.get_title() == "1-D embedding: class densities"
    # The samples as a rug below the curves, one row per class.
    embedding = soc_1d.transform(X)[:, 0]
    for k, name in enumerate(NAMES):
        offsets = display.scatter_[k].get_offsets()
        np.testing.assert_allclose(offsets[:, 0], embedding[y == name])
        assert np.all(offsets[:, 1] < 0)
        assert len(np.unique(offsets[:, 1])) == 1
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == list(NAMES)


def test_1d_without_densities_shows_softmax_probabilities():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 1))
    vectors = np.array([[-2.0], [0.0], [1.5]])
    y = NAMES[np.arange(40) % 3]
    model = FixedVectorClassifier(vectors, cosine=False).fit(X, y)

    display = EmbeddingCurvesDisplay.from_estimator(model, X, y, grid_resolution=50)

    assert display.kind == "probability"
    logits = display.grid[:, None] * vectors[:, 0]
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    curves = np.stack([line.get_ydata() for line in display.lines_], axis=1)
    np.testing.assert_allclose(curves, expected, rtol=1e-5)
    assert "probability" in display.ax_.get_ylabel()
    assert display.ax_.get_title() == "1-D embedding: class probabilities"


def test_1d_plain_transformer_labels_the_rug_rows_with_the_classes():
    X, y = load_iris(return_X_y=True)
    y = load_iris().target_names[y]
    display = EmbeddingCurvesDisplay.from_estimator(PCA(n_components=1).fit(X), X, y)

    assert display.lines_ is None
    labels = [t.get_text() for t in display.ax_.get_yticklabels()]
    assert labels == ["setosa", "versicolor", "virginica"]


# -- larger embeddings --------------------------------------------------------


def test_larger_embedding_is_projected_by_pca(soc_3d, blobs):
    X, y = blobs
    display = EmbeddingProjectionDisplay.from_estimator(soc_3d, X, y)

    assert display.ax_.get_title() == "PCA projection of the 3-D embedding"
    assert not display.ax_.images
    assert not display.ax_.lines
    assert display.ax_.get_xlabel().startswith("PC1 (")
    assert display.ax_.get_ylabel().startswith("PC2 (")
    pca = PCA(n_components=2, svd_solver="full").fit(soc_3d.transform(X))
    np.testing.assert_allclose(
        display.embedding, pca.transform(soc_3d.transform(X)), atol=1e-6
    )
    np.testing.assert_allclose(
        display.class_embeddings_scatter_.get_offsets(),
        pca.transform(soc_3d.class_embeddings_),
        atol=1e-6,
    )


def test_sub_centres_are_all_drawn():
    vectors = np.array(
        [
            [[1.0, 0.0, 0.0], [0.9, 0.1, 0.0]],
            [[0.0, 1.0, 0.0], [0.0, 0.8, 0.3]],
        ]
    )
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = NAMES[np.arange(20) % 2]
    display = EmbeddingProjectionDisplay.from_estimator(
        SubCenterVectors(vectors).fit(), X, y
    )

    assert display.ax_.get_title() == "PCA projection of the 3-D embedding"
    assert len(display.class_embeddings_scatter_.get_offsets()) == 4
    colors = _rgb(display.class_embeddings_scatter_.get_facecolor())
    np.testing.assert_allclose(colors[:2], _rgb(display.class_colors_[[0, 0]]))
    np.testing.assert_allclose(colors[2:], _rgb(display.class_colors_[[1, 1]]))


# -- class similarity ---------------------------------------------------------


def _cosine_matrix(vectors):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit @ unit.T


def test_similarity_matrix_is_the_cosine_of_the_class_vectors(soc_3d):
    display = ClassSimilarityDisplay.from_estimator(soc_3d)

    expected = _cosine_matrix(soc_3d.class_embeddings_.astype(np.float64))
    np.testing.assert_allclose(display.similarity, expected, atol=1e-6)
    np.testing.assert_allclose(display.im_.get_array(), expected, atol=1e-6)
    ax = display.ax_
    assert [t.get_text() for t in ax.get_xticklabels()] == list(NAMES)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(NAMES)
    assert display.text_.shape == (3, 3)
    assert display.text_[0, 1].get_text() == format(expected[0, 1], ".2f")
    assert display.text_[2, 2].get_text() == "1.00"
    assert display.colorbar_ is not None
    assert display.im_.norm.vmin == -1.0
    assert display.im_.norm.vmax == 1.0
    assert ax.get_title() == "Cosine similarity of the class embeddings"


def test_similarity_display_options(soc_3d):
    display = ClassSimilarityDisplay.from_estimator(
        soc_3d, include_values=False, colorbar=False, display_labels=["a", "b", "c"]
    )
    assert display.text_ is None
    assert display.colorbar_ is None
    assert len(display.figure_.axes) == 1
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ["a", "b", "c"]

    display.plot(values_format=".1f")
    assert display.text_[0, 0].get_text() == "1.0"


def test_similarity_of_sub_centres_uses_their_mean_direction():
    vectors = np.array(
        [
            [[2.0, 0.0, 0.0], [0.0, 3.0, 0.0]],
            [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0]],
        ]
    )
    model = make_pipeline(StandardScaler(), SubCenterVectors(vectors))
    model.fit(np.zeros((2, 3)))

    display = ClassSimilarityDisplay.from_estimator(model)

    unit = vectors / np.linalg.norm(vectors, axis=2, keepdims=True)
    expected = _cosine_matrix(unit.mean(axis=1))
    np.testing.assert_allclose(display.similarity, expected)
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == ["ant", "bee"]


def test_similarity_needs_class_embeddings():
    X, _ = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="PCA has no class_embeddings_"):
        ClassSimilarityDisplay.from_estimator(PCA(n_components=2).fit(X))


# -- without matplotlib -------------------------------------------------------


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Make ``import matplotlib`` fail, as when it is not installed."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_missing_matplotlib_is_named_with_the_install_command(
    no_matplotlib, soc_2d, blobs
):
    X, y = blobs
    message = r"requires matplotlib; install it with pip install 'sksoc\[plot\]'"
    for display in (
        EmbeddingRegionsDisplay,
        EmbeddingCurvesDisplay,
        EmbeddingProjectionDisplay,
    ):
        name = display.__name__
        with pytest.raises(ImportError, match=rf"{name}.from_estimator " + message):
            display.from_estimator(soc_2d, X, y)
        with pytest.raises(ImportError, match=rf"{name}.plot " + message):
            display(np.zeros((2, display._n_dims)), [0, 1]).plot()
    with pytest.raises(ImportError, match="ClassSimilarityDisplay.from_estimator"):
        ClassSimilarityDisplay.from_estimator(soc_2d)
    with pytest.raises(ImportError, match=r"ClassSimilarityDisplay.plot " + message):
        ClassSimilarityDisplay(np.eye(2)).plot()


def test_package_imports_without_matplotlib(no_matplotlib, monkeypatch):
    for name in [name for name in sys.modules if name.startswith("sksoc.plotting")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sksoc, "plotting", sksoc.plotting)  # restored afterwards

    plotting = importlib.import_module("sksoc.plotting")

    assert plotting.__all__ == [
        "ClassSimilarityDisplay",
        "EmbeddingCurvesDisplay",
        "EmbeddingProjectionDisplay",
        "EmbeddingRegionsDisplay",
        "ReliabilityDisplay",
    ]


# -- nested pipelines ---------------------------------------------------------


@pytest.fixture(scope="module")
def nested_pipeline(blobs):
    """A Pipeline whose last step is a Pipeline ending in an SOC classifier."""
    X, y = blobs
    inner = make_pipeline(
        StandardScaler(),
        SOCClassifier(
            embedding_dim=2, hidden_layer_sizes=(16,), max_epochs=10, random_state=0
        ),
    )
    return make_pipeline(StandardScaler(), inner).fit(X, y)


def test_similarity_of_a_nested_pipeline_is_its_final_classifiers(nested_pipeline):
    display = ClassSimilarityDisplay.from_estimator(nested_pipeline)

    soc = nested_pipeline[-1][-1]
    expected = _cosine_matrix(soc.class_embeddings_.astype(np.float64))
    np.testing.assert_allclose(display.similarity, expected, atol=1e-6)
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == list(NAMES)


def test_embedding_of_a_nested_pipeline_keeps_regions_and_class_embeddings(
    nested_pipeline, blobs
):
    X, y = blobs
    soc = nested_pipeline[-1][-1]
    display = EmbeddingRegionsDisplay.from_estimator(
        nested_pipeline, X, y, grid_resolution=20
    )

    assert display.densities is not None
    grid = np.column_stack([display.xx0.ravel(), display.xx1.ravel()])
    np.testing.assert_array_equal(
        display.regions.ravel(), soc.logits_at(grid).argmax(axis=1)
    )
    np.testing.assert_allclose(
        display.class_embeddings_scatter_.get_offsets(),
        soc.class_embeddings_,
        rtol=1e-6,
    )


# -- one picture per embedding size -------------------------------------------


def test_each_picture_names_the_one_for_another_embedding_size(soc_1d, soc_2d, blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="embeds X in 1 dimension. .*Curves"):
        EmbeddingRegionsDisplay.from_estimator(soc_1d, X, y)
    with pytest.raises(ValueError, match="embeds X in 2 dimensions.*Regions"):
        EmbeddingCurvesDisplay.from_estimator(soc_2d, X, y)
    with pytest.raises(ValueError, match="embeds X in 1 dimension. "):
        EmbeddingProjectionDisplay.from_estimator(soc_1d, X, y)
