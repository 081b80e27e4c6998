"""The raw tabular sets of ``benchmarks/_tabular_sets.py`` and the scoring of
``benchmarks/tabular.py``: shapes, classes, raw text, splits, metrics."""

import math
import sys

import numpy as np
import pandas as pd
import pytest

from tests.helpers import ROOT, load_benchmark

# The benchmarks import their shared modules (_datasets, _tabular_sets) by name.
# Appended, not prepended: benchmarks/distributed.py must not shadow the
# ``distributed`` package (Dask's workers import it from the same path).
sys.path.append(str(ROOT / "benchmarks"))
sets = load_benchmark("_tabular_sets")

# name: (rows, feature columns, classes), as the module's docstring says.
SHAPES = {
    "hdma": (2_381, 12, 2),
    "chile": (2_532, 7, 4),
    "wages": (4_165, 11, 2),
    "males": (4_360, 10, 9),
    "ofp": (4_406, 18, 3),
    "star": (5_748, 7, 2),
    "computers": (6_259, 9, 2),
    "flchain": (7_874, 8, 2),
    "doctor_contacts": (20_186, 14, 4),
    "hi": (22_272, 12, 2),
    "vietnam": (27_765, 11, 2),
    "diamonds": (53_940, 9, 5),
    "high_cardinality": (60_000, 10, 4),
    "missing_30": (10_000, 13, 3),
    "large_120k": (120_000, 30, 10),
    "mixed_24": (12_000, 16, 24),
    "multiclass_32": (15_000, 13, 32),
}


@pytest.fixture(scope="module")
def loaded():
    return {name: sets.load_tabular(name) for name in sets.TABULAR_SETS}


def text_columns(frame):
    return [
        column
        for column in frame.columns
        if not (
            pd.api.types.is_numeric_dtype(frame[column])
            or pd.api.types.is_bool_dtype(frame[column])
        )
    ]


def test_the_registry_lists_every_documented_set_real_ones_first():
    assert set(sets.TABULAR_SETS) == set(SHAPES)
    assert sets.TABULAR_SETS[: len(sets.REAL_SETS)] == sets.REAL_SETS
    assert len(sets.REAL_SETS) >= 10
    assert len(sets.GENERATED_SETS) >= 3
    with pytest.raises(ValueError, match="Unknown data set"):
        sets.load_tabular("iris")


@pytest.mark.parametrize("name", list(SHAPES))
def test_each_set_has_its_documented_shape_and_classes(name, loaded):
    data = loaded[name]
    rows, columns, n_classes = SHAPES[name]
    assert isinstance(data.X, pd.DataFrame)
    assert data.X.shape == (rows, columns)
    assert data.X.index.equals(pd.RangeIndex(rows))
    assert data.y.shape == (rows,)
    assert len(np.unique(data.y)) == n_classes
    assert not pd.isna(data.y).any()
    assert data.description
    if name in sets.REAL_SETS:
        assert 1_000 <= rows <= 60_000
    assert 2 <= n_classes <= 50


def test_the_collection_spans_levels_rows_classes_and_missing_values(loaded):
    levels = max(
        data.X[column].nunique()
        for data in loaded.values()
        for column in text_columns(data.X)
    )
    assert levels >= 10_000
    assert max(len(data.y) for data in loaded.values()) >= 100_000
    assert max(len(np.unique(data.y)) for data in loaded.values()) >= 20
    real_with_missing = [
        name for name in sets.REAL_SETS if loaded[name].X.isna().any().any()
    ]
    assert len(real_with_missing) >= 3


def test_missing_30_misses_thirty_percent_of_its_cells(loaded):
    frame = loaded["missing_30"].X
    assert frame.isna().to_numpy().mean() == pytest.approx(0.30, abs=0.02)
    # Some columns are missing not at random: lab_score mostly for class 0.
    y = loaded["missing_30"].y
    missing_lab = frame["lab_score"].isna().to_numpy()
    assert missing_lab[y == 0].mean() > missing_lab[y != 0].mean() + 0.3


@pytest.mark.parametrize("name", list(SHAPES))
def test_text_columns_are_kept_as_text(name, loaded):
    frame = loaded[name].X
    for column in text_columns(frame):
        values = frame[column].dropna()
        kinds = set(map(type, values))
        assert kinds <= {str} or kinds <= {bool}, (column, kinds)
        assert not isinstance(frame[column].dtype, pd.CategoricalDtype)
    assert all(
        pd.api.types.is_numeric_dtype(frame[column])
        or pd.api.types.is_bool_dtype(frame[column])
        or column in text_columns(frame)
        for column in frame.columns
    )


def test_every_set_has_columns_of_mixed_kinds(loaded):
    with_text = [name for name, data in loaded.items() if text_columns(data.X)]
    assert len(with_text) == len(loaded)
    assert any(
        pd.api.types.is_bool_dtype(data.X[column])
        for data in loaded.values()
        for column in data.X.columns
    )


def test_group_identifiers_are_text():
    frame = sets.load_tabular("vietnam").X
    assert pd.api.types.is_string_dtype(frame["commune"])
    assert frame["commune"].nunique() == 194


def test_the_split_is_stratified_and_reproducible():
    X_train, X_test, y_train, y_test = sets.tabular_split("chile", seed=3)
    again = sets.tabular_split("chile", seed=3)
    pd.testing.assert_frame_equal(X_train, again[0])
    np.testing.assert_array_equal(y_test, again[3])
    assert len(y_test) == math.ceil(0.25 * 2_532)
    assert len(X_train) == len(y_train)
    data = sets.load_tabular("chile")
    for label in np.unique(data.y):
        whole = np.mean(data.y == label)
        assert np.mean(y_train == label) == pytest.approx(whole, abs=0.005)
        assert np.mean(y_test == label) == pytest.approx(whole, abs=0.005)
    other = sets.tabular_split("chile", seed=4)
    assert not X_test.index.equals(other[1].index)


def test_score_probabilities_on_four_rows():
    benchmark = load_benchmark("tabular")
    proba = [
        [0.2, 0.7, 0.1],
        [0.4, 0.3, 0.3],
        [0.1, 0.1, 0.8],
        [0.5, 0.2, 0.3],
    ]
    scores = benchmark.score_probabilities(
        ["b", "b", "c", "a"], proba, np.array(["a", "b", "c"])
    )
    # Predicted b, a, c, a: three right; recalls a 1, b 1/2, c 1.
    assert scores["accuracy"] == pytest.approx(0.75)
    assert scores["balanced_accuracy"] == pytest.approx(2.5 / 3)
    assert scores["log_loss"] == pytest.approx(
        -(math.log(0.7) + math.log(0.3) + math.log(0.8) + math.log(0.5)) / 4
    )
    # Confidences 0.7, 0.4, 0.8, 0.5 fall in four of the 15 bins, alone:
    # gaps 0.3, 0.4 (wrong), 0.2 and 0.5.
    assert scores["ece"] == pytest.approx((0.3 + 0.4 + 0.2 + 0.5) / 4)


def test_hgb_sees_text_as_categories_and_many_levels_as_codes():
    benchmark = load_benchmark("tabular")
    train = pd.DataFrame(
        {
            "text": pd.Series(["b", "a", None, "a"], dtype="str"),
            "flag": pd.Series([True, np.nan, False, True], dtype=object),
            "number": [1.0, 2.0, np.nan, 4.0],
        }
    )
    test = pd.DataFrame(
        {
            "text": pd.Series(["c", "b", None], dtype="str"),
            "flag": pd.Series([np.nan, False, True], dtype=object),
            "number": [1.0, np.nan, 3.0],
        }
    )
    out = benchmark.TextAsCategory().fit(train).transform(test)
    assert isinstance(out["text"].dtype, pd.CategoricalDtype)
    assert list(out["text"].cat.categories) == ["a", "b"]
    assert out["text"].isna().tolist() == [True, False, True]  # "c" is unseen
    assert list(out["flag"].cat.categories) == [False, True]
    pd.testing.assert_series_equal(out["number"], test["number"])
    codes = benchmark.TextAsCategory(max_categories=1).fit(train).transform(test)
    np.testing.assert_array_equal(codes["text"], [np.nan, 1.0, np.nan])
