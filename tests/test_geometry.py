"""The shared geometry of class embeddings (sksoc/_geometry.py)."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksoc._geometry import (
    class_cosine_similarity,
    class_directions,
    final_step,
    unit_rows,
)
from sksoc._labels import encode_as


def test_final_step_unwraps_pipelines_however_nested():
    pca = PCA()
    nested = make_pipeline(StandardScaler(), make_pipeline(StandardScaler(), pca))
    assert final_step(nested) is pca
    assert final_step(make_pipeline(pca)) is pca
    assert final_step(pca) is pca


def test_unit_rows_keep_directions_at_any_scale_and_zeros_at_zero():
    rows = np.array([[3.0, 4.0], [0.0, 0.0], [3e-200, 4e-200], [3e200, -4e200]])
    np.testing.assert_allclose(
        unit_rows(rows), [[0.6, 0.8], [0.0, 0.0], [0.6, 0.8], [0.6, -0.8]]
    )
    # Any leading shape: the last axis is the vector.
    assert unit_rows(np.ones((2, 3, 4))).shape == (2, 3, 4)


def test_class_direction_is_the_mean_of_the_unit_sub_centres():
    class_embeddings = np.array(
        [
            [[2.0, 0.0], [0.0, 5.0]],  # unit mean (0.5, 0.5): 45 degrees
            [[-1.0, 0.0], [-3.0, 0.0]],
        ]
    )
    half = np.sqrt(0.5)
    np.testing.assert_allclose(
        class_directions(class_embeddings), [[half, half], [-1.0, 0.0]]
    )
    # One embedding per class: its direction.
    np.testing.assert_allclose(
        class_directions([[0.0, 2.0], [0.0, 0.0]]), [[0, 1], [0, 0]]
    )


def test_class_cosine_similarity_is_symmetric_with_zero_for_zero_vectors():
    similarity = class_cosine_similarity([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(
        similarity,
        [[1.0, np.sqrt(0.5), 0.0], [np.sqrt(0.5), 1.0, 0.0], [0.0, 0.0, 0.0]],
    )
    np.testing.assert_array_equal(similarity, similarity.T)


def test_encode_as_gives_positions_and_names_the_unknown_labels():
    classes = np.array(["b", "a", "c"])
    np.testing.assert_array_equal(encode_as(["a", "c", "a"], classes, "y"), [1, 2, 1])
    with pytest.raises(
        ValueError,
        match=r"y contains labels not in classes_: \['z', 'q'\]; classes_ holds "
        r"\['b', 'a', 'c'\]",
    ):
        encode_as(["z", "a", "q", "z"], classes, "y")
    # Labels that cannot be compared with the classes are unknown, not a crash.
    mixed = np.array([1, "a"], dtype=object)
    np.testing.assert_array_equal(encode_as(mixed, mixed[::-1], "y"), [1, 0])
    with pytest.raises(ValueError, match=r"labels not in classes: \['a'\]"):
        encode_as(
            np.array([0, "a"], dtype=object), [0, 1], "labels", classes_name="classes"
        )
