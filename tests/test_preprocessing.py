"""TabularPreprocessor alone: each column kind, checked against hand-computed values.

What the estimators rely on when they encode a table as it comes: numbers are
scaled robustly and clipped smoothly, missing numbers are flagged only where
fit saw them, categories get a slot each (most frequent first) plus a missing
and an "other" slot, the output columns come in a fixed order with names, bad
columns raise errors that name them, and the fitted state round-trips as data.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sksoc._compat import InvalidParameterError
from sksoc.preprocessing import TabularPreprocessor, smooth_clip

# -- numbers ---------------------------------------------------------------------


def test_numbers_are_robustly_scaled_and_smoothly_clipped():
    # median 3, quartiles 2 and 4: t = (x - 3) / 2 = [-1, -0.5, 0, 0.5, 10],
    # then t / sqrt(1 + (t/3)^2); e.g. 10 / sqrt(1 + 100/9) = 30 / sqrt(109).
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 23.0]})
    out = TabularPreprocessor().fit_transform(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(
        out[:, 0], [-0.9486833, -0.4931970, 0.0, 0.4931970, 2.8734789], rtol=1e-6
    )
    unclipped = TabularPreprocessor(clip=None).fit_transform(X)[:, 0]
    np.testing.assert_allclose(unclipped, [-1.0, -0.5, 0.0, 0.5, 10.0], rtol=1e-6)


def test_coinciding_quartiles_scale_by_half_the_range():
    # Quartiles both 0; half the range is (8 - 0) / 2 = 4, so 8 -> 2, and with
    # the clip 2 / sqrt(1 + 4/9) = 6 / sqrt(13). A constant column gives 0.
    X = pd.DataFrame({"x": [0.0] * 7 + [8.0], "constant": 5.0})
    out = TabularPreprocessor(clip=None).fit_transform(X)
    np.testing.assert_allclose(out[:, 0], [0.0] * 7 + [2.0])
    np.testing.assert_array_equal(out[:, 1], 0.0)
    clipped = TabularPreprocessor().fit_transform(X)[:, 0]
    np.testing.assert_allclose(clipped, [0.0] * 7 + [1.6641006], rtol=1e-6)


def test_a_quartile_range_of_exactly_one_is_kept():
    # Quartiles 1 and 2, median 1: the range 1 is real, not RobustScaler's
    # stand-in for 0, so 10 -> (10 - 1) / 1 = 9, not (10 - 1) / 5.
    X = pd.DataFrame({"x": [0.0, 1.0, 1.0, 2.0, 10.0]})
    out = TabularPreprocessor(clip=None).fit_transform(X)[:, 0]
    np.testing.assert_allclose(out, [-1.0, 0.0, 0.0, 1.0, 9.0])


def test_smooth_clip_is_bounded_and_finite_for_any_float():
    values = np.array([-np.inf, -1e308, 0.0, 3.0, 1e308, np.inf])
    clipped = smooth_clip(values, 3.0)
    np.testing.assert_allclose(clipped[[0, 1, 4, 5]], [-3, -3, 3, 3])
    np.testing.assert_allclose(clipped[3], 3 / np.sqrt(2))
    assert clipped[2] == 0.0


def test_clip_none_leaves_numbers_unbounded():
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 1e6]})
    # (1e6 - 3) / 2
    assert TabularPreprocessor(clip=None).fit_transform(X)[4, 0] == np.float32(
        499_998.5
    )
    # Bounded by clip: 499_998.5 / sqrt(1 + 499_998.5**2) rounds to 1 in float32.
    assert TabularPreprocessor(clip=1.0).fit_transform(X)[4, 0] == np.float32(1.0)


# -- missing numbers ---------------------------------------------------------------


def test_missing_numbers_become_the_median_and_get_an_indicator():
    X = pd.DataFrame({"gappy": [1.0, np.nan, 3.0, 5.0], "full": [1.0, 2.0, 3.0, 4.0]})
    pre = TabularPreprocessor(clip=None).fit(X)
    assert pre.get_feature_names_out().tolist() == ["gappy", "full", "gappy_missing"]
    assert pre.missing_indicator_columns_ == [0]
    out = pre.transform(X)
    np.testing.assert_array_equal(out[:, 2], [0, 1, 0, 0])
    assert out[1, 0] == 0.0  # the median
    # A column without missing values in fit gets no indicator at transform:
    # its missing value is 0, the median, and the output keeps its width.
    later = pre.transform(pd.DataFrame({"gappy": [3.0], "full": [np.nan]}))
    np.testing.assert_array_equal(later, [[0.0, 0.0, 0.0]])


def test_nan_none_and_pd_na_all_count_as_missing():
    X = pd.DataFrame(
        {
            "n": pd.Series([1.0, None, pd.NA, np.nan, 5.0], dtype=object),
            "i": pd.array([1, 2, pd.NA, 4, 5], dtype="Int64"),
            "t": pd.Series(["a", None, pd.NA, np.nan, "a"], dtype=object),
        }
    )
    pre = TabularPreprocessor().fit(X)
    assert pre.get_feature_names_out().tolist() == [
        "n",
        "i",
        "n_missing",
        "i_missing",
        "t_a",
        "t_missing",
        "t_other",
    ]
    out = pre.transform(X)
    np.testing.assert_array_equal(out[:, 2], [0, 1, 1, 1, 0])
    np.testing.assert_array_equal(out[:, 3], [0, 0, 1, 0, 0])
    np.testing.assert_array_equal(out[:, 4:], np.eye(3)[[0, 1, 1, 1, 0]])
    np.testing.assert_array_equal(out[[1, 2, 3], 0], 0.0)


def test_an_all_missing_numeric_column_is_dropped():
    X = pd.DataFrame({"empty": [np.nan] * 3, "x": [1.0, 2.0, 3.0]})
    pre = TabularPreprocessor().fit(X)
    assert pre.dropped_columns_ == [0]
    assert pre.numeric_columns_ == [1]
    assert pre.get_feature_names_out().tolist() == ["x"]
    assert pre.n_features_out_ == 1
    # Whatever the dropped column holds later is ignored.
    np.testing.assert_array_equal(
        pre.transform(X.assign(empty=[7.0, 8.0, 9.0])), pre.transform(X)
    )


# -- output layout -----------------------------------------------------------------


def test_output_columns_are_numbers_then_indicators_then_one_hot_blocks():
    X = pd.DataFrame(
        {
            "city": ["a", "b", "a", "b"],
            "fee": [10.0, np.nan, 30.0, 40.0],
            "member": [True, False, True, False],
            "age": [20.0, 30.0, np.nan, 50.0],
            "size": [1.0, 2.0, 3.0, 4.0],
        }
    )
    pre = TabularPreprocessor().fit(X)
    assert pre.get_feature_names_out().tolist() == [
        "fee",
        "age",
        "size",
        "fee_missing",
        "age_missing",
        "city_a",
        "city_b",
        "city_other",
        "member_False",
        "member_True",
        "member_other",
    ]
    assert pre.n_numeric_out_ == 3
    assert pre.n_features_out_ == 11
    assert pre.transform(X).shape == (4, 11)


# -- categories --------------------------------------------------------------------


def test_categories_most_frequent_first_with_missing_and_other_slots():
    X = pd.DataFrame({"c": ["b", "a", "b", "a", "c", None, "rare", "b"]})
    pre = TabularPreprocessor(max_categories=2).fit(X)
    # b (3 rows) before a (2); c and "rare" are seen once, below min_frequency.
    assert pre.categories_[0].tolist() == ["b", "a"]
    assert pre.missing_categories_ == [True]
    assert pre.get_feature_names_out().tolist() == [
        "c_b",
        "c_a",
        "c_missing",
        "c_other",
    ]
    out = pre.transform(pd.DataFrame({"c": ["a", None, "c", "unseen", "b"]}))
    np.testing.assert_array_equal(out, np.eye(4)[[1, 2, 3, 3, 0]])


def test_max_categories_keeps_the_most_frequent_levels():
    # Counts: d 4, c 3, b 2, a 2; two slots keep d and c, b and a go to other.
    X = pd.DataFrame({"c": list("ddddcccbbaa")})
    pre = TabularPreprocessor(max_categories=2).fit(X)
    assert pre.categories_[0].tolist() == ["d", "c"]
    np.testing.assert_array_equal(
        pre.transform(pd.DataFrame({"c": list("dcba")})), np.eye(3)[[0, 1, 2, 2]]
    )


def test_min_frequency_sends_rare_levels_to_other():
    X = pd.DataFrame({"c": list("aaabbc")})
    assert TabularPreprocessor().fit(X).categories_[0].tolist() == ["a", "b"]
    assert TabularPreprocessor(min_frequency=3).fit(X).categories_[0].tolist() == ["a"]
    assert TabularPreprocessor(min_frequency=1).fit(X).categories_[0].tolist() == [
        "a",
        "b",
        "c",
    ]


def test_the_defaults_keep_256_levels_of_at_least_two_rows():
    assert TabularPreprocessor().get_params() == {
        "clip": 3.0,
        "max_categories": 256,
        "min_frequency": 2,
        "high_cardinality": "target",
    }


def test_ties_between_levels_are_broken_by_their_text():
    forward = TabularPreprocessor().fit(pd.DataFrame({"c": ["y", "x"] * 3}))
    backward = TabularPreprocessor().fit(pd.DataFrame({"c": ["x", "y"] * 3}))
    assert forward.categories_[0].tolist() == ["x", "y"]
    assert backward.categories_[0].tolist() == ["x", "y"]


def test_missing_at_transform_without_a_missing_slot_is_other():
    pre = TabularPreprocessor().fit(pd.DataFrame({"c": ["a", "b"] * 3}))
    assert pre.missing_categories_ == [False]
    assert pre.get_feature_names_out().tolist() == ["c_a", "c_b", "c_other"]
    np.testing.assert_array_equal(
        pre.transform(pd.DataFrame({"c": [None, pd.NA, np.nan]})), [[0, 0, 1]] * 3
    )


@pytest.mark.parametrize("missing", [False, True])
def test_ten_thousand_levels_cost_at_most_max_categories_plus_two_columns(missing):
    ids = [f"id{i}" for i in range(10_000)] * 2 + [None] * missing
    X = pd.DataFrame({"id": ids})
    assert X["id"].nunique() == 10_000
    assert TabularPreprocessor(max_categories=32).fit(X).n_features_out_ == (
        32 + 1 + missing
    )
    pre = TabularPreprocessor().fit(X)
    assert pre.n_features_out_ == 256 + 1 + missing
    # Every level beyond the 256 kept ones lands in the "other" slot.
    assert pre.transform(X)[:, -1].sum() == 20_000 - 2 * 256


# -- kinds of columns --------------------------------------------------------------


def test_column_kinds():
    X = pd.DataFrame(
        {
            "number": [1.0, 2.0, 3.0, 4.0],
            "integer": [1, 2, 3, 4],
            "flag": [True, False, True, True],
            "nullable": pd.array([True, None, False, True], dtype="boolean"),
            "kind": pd.Categorical(["u", "v", "u", "v"]),
            "text": ["p", "q", "p", None],
            "string": pd.array(["p", "q", None, "q"], dtype="string"),
            "numbers_as_objects": pd.Series([1, 2.5, None, 4], dtype=object),
            "mixed": pd.Series([1, "A7", 2.5, "A7"], dtype=object),
        }
    )
    pre = TabularPreprocessor(min_frequency=1).fit(X)
    names = list(X.columns)
    assert [names[p] for p in pre.numeric_columns_] == [
        "number",
        "integer",
        "numbers_as_objects",
    ]
    assert [names[p] for p in pre.categorical_columns_] == [
        "flag",
        "nullable",
        "kind",
        "text",
        "string",
        "mixed",
    ]
    # Numbers in a text column become their str(); A7 is the most frequent.
    assert pre.categories_[-1].tolist() == ["A7", "1", "2.5"]
    assert pre.categories_[0].tolist() == ["True", "False"]
    assert pre.n_numeric_out_ == 3


def test_a_category_column_of_numbers_is_categorical():
    X = pd.DataFrame({"grade": pd.Categorical([1, 2, 1, 3, 1])})
    pre = TabularPreprocessor(min_frequency=1).fit(X)
    assert pre.categorical_columns_ == [0]
    assert pre.categories_[0].tolist() == ["1", "2", "3"]


def test_arrays_work_like_frames_with_numbered_columns():
    X = np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 4.0]])
    pre = TabularPreprocessor().fit(X)
    assert pre.n_features_in_ == 2
    assert not hasattr(pre, "feature_names_in_")
    assert pre.get_feature_names_out().tolist() == ["x0", "x1", "x1_missing"]
    np.testing.assert_array_equal(
        pre.transform(X), TabularPreprocessor().fit_transform(pd.DataFrame(X))
    )
    text = np.array([["a", 1], ["b", 2], ["a", 3]], dtype=object)
    pre = TabularPreprocessor(min_frequency=1).fit(text)
    assert pre.categorical_columns_ == [0]
    assert pre.numeric_columns_ == [1]
    assert pre.get_feature_names_out().tolist() == ["x1", "x0_a", "x0_b", "x0_other"]


# -- errors that name the column ---------------------------------------------------


@pytest.mark.parametrize(
    "X, error, message",
    [
        (pd.DataFrame({"x": [1.0, np.inf]}), ValueError, "Column 'x' holds infinite"),
        (pd.DataFrame({"x": [1.0, -np.inf]}), ValueError, "Column 'x' holds infinite"),
        (
            pd.DataFrame({"x": pd.Series([1, np.inf], dtype=object)}),
            ValueError,
            "Column 'x' holds infinite",
        ),
        (
            pd.DataFrame({"when": pd.to_datetime(["2020-01-01", "2021-01-01"])}),
            ValueError,
            "Column 'when' holds dates or times",
        ),
        (
            pd.DataFrame({"gap": pd.to_timedelta([1, 2], unit="D")}),
            ValueError,
            "Column 'gap' holds dates or times",
        ),
        (pd.DataFrame({"d": [{"a": 1}, "b"]}), TypeError, "Column 'd' holds a dict"),
    ],
    ids=["inf", "-inf", "inf-object", "datetime", "timedelta", "dict"],
)
def test_bad_columns_name_themselves_at_fit(X, error, message):
    with pytest.raises(error, match=message):
        TabularPreprocessor().fit(X.assign(ok=1.0))


def test_transform_errors_name_the_column_and_leave_the_fit_alone():
    X = pd.DataFrame({"age": [30.0, 40.0, 50.0], "city": ["a", "b", "a"]})
    pre = TabularPreprocessor().fit(X)
    before = pre.transform(X)
    state = pre.get_state()
    with pytest.raises(ValueError, match="Column 'age' held numbers in fit .* 'old'"):
        pre.transform(X.assign(age=[1.0, "old", 2.0]))
    with pytest.raises(ValueError, match="Column 'age' holds infinite"):
        pre.transform(X.assign(age=[1.0, 2.0, np.inf]))
    np.testing.assert_array_equal(pre.transform(X), before)
    assert pre.get_state().keys() == state.keys()


@pytest.mark.parametrize("column", ["age", "city"])
def test_a_date_column_at_transform_names_the_column(column):
    X = pd.DataFrame({"age": [30.0, 40.0, 50.0], "city": ["a", "b", "a"]})
    pre = TabularPreprocessor().fit(X)
    dated = X.assign(**{column: pd.Timestamp("2024-01-01")})
    with pytest.raises(ValueError, match=f"Column '{column}' holds dates or times"):
        pre.transform(dated)


def test_a_sparse_matrix_is_refused_with_what_to_do():
    with pytest.raises(TypeError, match="sparse matrix .* preprocessor=None"):
        TabularPreprocessor().fit(sp.csr_matrix(np.eye(2)))
    pre = TabularPreprocessor().fit(np.eye(2))
    with pytest.raises(TypeError, match="densify it"):
        pre.transform(sp.csr_matrix(np.eye(2)))


# -- columns by name ---------------------------------------------------------------


def test_columns_are_matched_by_name():
    X = pd.DataFrame({"age": [30.0, np.nan, 50.0, 20.0], "city": ["a", "b", "a", None]})
    pre = TabularPreprocessor(min_frequency=1).fit(X)
    np.testing.assert_array_equal(pre.transform(X[["city", "age"]]), pre.transform(X))


@pytest.mark.parametrize(
    "change, named",
    [
        (lambda X: X.rename(columns={"age": "Age"}), r"missing \['age'\]"),
        (lambda X: X.rename(columns={"age": "Age"}), r"not seen in fit \['Age'\]"),
        (lambda X: X.drop(columns="city"), r"missing \['city'\]"),
        (lambda X: X.assign(extra=1.0), r"not seen in fit \['extra'\]"),
    ],
    ids=["renamed-old", "renamed-new", "missing", "extra"],
)
def test_renamed_missing_and_extra_columns_are_named(change, named):
    X = pd.DataFrame({"age": [30.0, 40.0, 50.0], "city": ["a", "b", "a"]})
    pre = TabularPreprocessor().fit(X)
    with pytest.raises(ValueError, match="feature names") as error:
        pre.transform(change(X))
    assert error.match(named)


# -- state and parameters ----------------------------------------------------------


@pytest.mark.parametrize(
    "X",
    [
        pd.DataFrame(
            {
                "x": [1.0, np.nan, 3.0, 9.0],
                "c": ["a", "b", None, "a"],
                "f": [1, 0, 1, 1],
            }
        ),
        pd.DataFrame({"c": ["a", "b", None, "a"]}),
        np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 4.0]]),
    ],
    ids=["mixed", "categories-only", "array"],
)
def test_state_round_trip_transforms_the_same(X):
    pre = TabularPreprocessor(clip=None, max_categories=3, min_frequency=1).fit(X)
    copy = TabularPreprocessor.from_state(pre.get_state())
    np.testing.assert_array_equal(copy.transform(X), pre.transform(X))
    assert copy.get_params() == pre.get_params()
    assert copy.get_feature_names_out().tolist() == pre.get_feature_names_out().tolist()


def test_an_unknown_state_attribute_is_refused():
    pre = TabularPreprocessor().fit(pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="unknown preprocessor attributes"):
        TabularPreprocessor.from_state({**pre.get_state(), "code_": "x"})


@pytest.mark.parametrize(
    "params",
    [
        {"clip": 0},
        {"clip": -1.0},
        {"clip": "big"},
        {"max_categories": 0},
        {"max_categories": 2.5},
        {"min_frequency": 0},
        {"min_frequency": None},
    ],
)
def test_parameters_are_validated(params):
    with pytest.raises(InvalidParameterError):
        TabularPreprocessor(**params).fit(pd.DataFrame({"x": [1.0, 2.0]}))


# -- scikit-learn ------------------------------------------------------------------


def test_in_a_pipeline_with_logistic_regression():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {"x": rng.normal(size=200), "c": rng.choice(["a", "b", None], 200)}
    )
    X.loc[rng.random(200) < 0.1, "x"] = np.nan
    y = (X["x"].fillna(0) > 0) | (X["c"] == "a")
    model = make_pipeline(TabularPreprocessor(), LogisticRegression()).fit(X, y)
    assert model.score(X, y) > 0.9
    # x, x_missing, then c_a, c_b, c_missing, c_other
    assert model[0].n_features_out_ == 1 + 1 + 4


def test_clone_gives_an_unfitted_copy_with_the_same_parameters():
    pre = TabularPreprocessor(clip=2.0, max_categories=4).fit(
        pd.DataFrame({"x": [1.0, 2.0]})
    )
    copy = clone(pre)
    assert copy.get_params() == pre.get_params()
    assert not hasattr(copy, "n_features_out_")


@parametrize_with_checks(
    [TabularPreprocessor()],
)
def test_scikit_learn_common_checks(estimator, check):
    check(estimator)


# -- target encoding of many-level columns -------------------------------------------
#
# With max_categories=3, a column of more than 3 levels is target encoded when
# fit is given y. Pure levels (one class only) have no variance within, so
# scikit-learn's "auto" smoothing keeps their own frequency: 0 or 1 exactly.

# Twelve rows, three classes (3, 4 and 5 rows) and six levels of two rows each.
MANY_X = pd.DataFrame(
    {"x": np.arange(1.0, 13.0), "c": list("aabbccddeeff")},
)
MANY_Y = np.array([0, 1, 1, 1, 2, 2, 0, 0, 1, 2, 2, 2])
# np.random.default_rng(0).permutation(12) % 5: the fold of each row.
MANY_FOLDS = np.array([4, 2, 2, 4, 0, 1, 0, 3, 1, 0, 3, 1])


def _sklearn_table(column, y, target_type, levels):
    """scikit-learn's TargetEncoder encodings of ``levels``: one row each."""
    from sklearn.preprocessing import TargetEncoder

    encoder = TargetEncoder(target_type=target_type).fit(column.to_frame(), y)
    found = {
        (None if pd.isna(level) else level): index
        for index, level in enumerate(encoder.categories_[0])
    }
    return np.column_stack(encoder.encodings_)[[found[level] for level in levels]]


def test_the_fold_assignment_is_the_documented_one():
    folds = np.random.default_rng(0).permutation(len(MANY_Y)) % 5
    np.testing.assert_array_equal(folds, MANY_FOLDS)


def test_target_encodings_are_scikit_learns_multiclass_encodings():
    pre = TabularPreprocessor(max_categories=3).fit(MANY_X, MANY_Y)
    assert pre.target_columns_ == [1]
    assert pre.categorical_columns_ == []
    np.testing.assert_array_equal(pre.target_classes_, [0, 1, 2])
    assert pre.target_levels_[0].tolist() == list("abcdef")
    table = pre.target_encodings_[0]
    assert table.shape == (6 + 1, 3)
    expected = _sklearn_table(MANY_X["c"], MANY_Y, "multiclass", list("abcdef"))
    np.testing.assert_allclose(table[:6], expected, rtol=1e-12)
    # By hand: "a" is one row of class 0 and one of class 1. Class 0 has
    # frequency 1/4, variance 3/16; "a" has mean 1/2, variance 1/4, so
    # lambda = (2 * 3/16) / (2 * 3/16 + 1/4) = 3/5 and the encoding is
    # 3/5 * 1/2 + 2/5 * 1/4 = 0.4. Class 1 (1/3, variance 2/9):
    # lambda = (4/9) / (4/9 + 1/4) = 16/25, 16/25 * 1/2 + 9/25 * 1/3 = 0.44.
    np.testing.assert_allclose(table[0, :2], [0.4, 0.44])
    # "b" is pure class 1, "d" pure class 0, "f" pure class 2.
    np.testing.assert_array_equal(table[1], [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(table[3], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(table[5], [0.0, 0.0, 1.0])
    # No missing value in fit: the missing row is the class frequencies.
    np.testing.assert_allclose(table[6], [3 / 12, 4 / 12, 5 / 12])
    np.testing.assert_allclose(pre.target_prior_, [3 / 12, 4 / 12, 5 / 12])


def test_transform_scales_and_clips_the_encodings_like_numbers():
    pre = TabularPreprocessor(max_categories=3).fit(MANY_X, MANY_Y)
    assert pre.get_feature_names_out().tolist() == [
        "x",
        "c_target_0",
        "c_target_1",
        "c_target_2",
    ]
    assert pre.n_numeric_out_ == 4
    assert pre.n_features_out_ == 4
    new = pd.DataFrame({"x": 6.5, "c": list("fedcba")})
    out = pre.transform(new)
    table = pre.target_encodings_[0][[5, 4, 3, 2, 1, 0]]
    for k in range(3):
        j = 1 + k
        scaled = (table[:, k] - pre.scaler_.center_[j]) / pre.scaler_.scale_[j]
        np.testing.assert_allclose(
            out[:, j], smooth_clip(scaled, 3.0), rtol=1e-6, atol=1e-7
        )
    # x = 6.5 is the median of 1..12: 0.
    np.testing.assert_array_equal(out[:, 0], 0.0)
    # The columns in another order encode the same.
    np.testing.assert_array_equal(pre.transform(new[["c", "x"]]), out)


def test_fit_transform_cross_fits_each_row_from_the_other_folds():
    # Each fold's rows, encoded by scikit-learn's TargetEncoder fitted on the
    # other folds' rows (every class is in each of those), then the robust
    # scaling of x and the three columns together, unclipped.
    from sklearn.preprocessing import RobustScaler, TargetEncoder

    pre = TabularPreprocessor(clip=None, max_categories=3)
    out = pre.fit_transform(MANY_X, MANY_Y)
    raw = np.empty((12, 3))
    for fold in range(5):
        held = fold == MANY_FOLDS
        encoder = TargetEncoder(target_type="multiclass").fit(
            MANY_X.loc[~held, ["c"]], MANY_Y[~held]
        )
        raw[held] = encoder.transform(MANY_X.loc[held, ["c"]])
    values = np.column_stack([MANY_X["x"], raw])
    scaler = RobustScaler().fit(values)
    # No column's quartiles coincide, so RealMLP's fallback does not apply.
    quartiles = np.quantile(values, [0.25, 0.75], axis=0)
    assert (quartiles[1] > quartiles[0]).all()
    np.testing.assert_allclose(pre.scaler_.center_, scaler.center_)
    np.testing.assert_allclose(pre.scaler_.scale_, scaler.scale_)
    np.testing.assert_allclose(out, scaler.transform(values), rtol=1e-6, atol=1e-6)
    # transform encodes the same rows from all of them: another matrix.
    full = pre.transform(MANY_X)
    np.testing.assert_array_equal(full[:, 0], out[:, 0])
    assert not np.allclose(full[:, 1:], out[:, 1:])


def test_fit_transform_does_not_encode_a_row_with_its_own_label():
    # "z" occurs once, in row 0, of class 1. The folds of ten rows are
    # permutation(10) % 5 = [4 1 2 2 3 0 4 0 3 1]: row 0 is in fold 4 with
    # row 6, and the other eight rows hold class 1 twice (rows 3 and 4), so
    # the cross-fitted encoding of "z" is the frequency 2/8 there. The whole
    # fit has "z" as pure class 1: transform encodes it 1.
    X = pd.DataFrame({"c": ["z", "a", "a", "b", "b", "c", "c", "d", "d", "e"]})
    y = np.array([1, 0, 0, 1, 1, 0, 1, 0, 0, 0])
    folds = np.random.default_rng(0).permutation(10) % 5
    np.testing.assert_array_equal(folds, [4, 1, 2, 2, 3, 0, 4, 0, 3, 1])
    pre = TabularPreprocessor(clip=None, max_categories=3)
    out = pre.fit_transform(X, y)
    center, scale = pre.scaler_.center_[0], pre.scaler_.scale_[0]
    raw = out[:, 0].astype(np.float64) * scale + center
    assert raw[0] == pytest.approx(2 / 8, abs=1e-6)
    # The mean of the rows outside the fold, computed from the folds as given.
    assert raw[0] == pytest.approx(y[folds != folds[0]].mean(), abs=1e-6)
    assert pre.target_encodings_[0][0, 0] == 1.0
    again = pre.transform(X.iloc[[0]])[0, 0] * scale + center
    assert again == pytest.approx(1.0, abs=1e-6)
    # "e", also once (row 9, class 0, fold 1 with row 1): rows outside fold 1
    # hold class 1 in rows 0, 3, 4 and 6 of eight.
    assert raw[9] == pytest.approx(4 / 8, abs=1e-6)
    # Deterministic: the folds are fixed, not drawn anew.
    np.testing.assert_array_equal(pre.fit_transform(X, y), out)
    np.testing.assert_array_equal(
        TabularPreprocessor(clip=None, max_categories=3).fit_transform(X, y), out
    )


def test_fit_and_fit_transform_learn_the_same_state():
    fitted = TabularPreprocessor(max_categories=3).fit(MANY_X, MANY_Y)
    pre = TabularPreprocessor(max_categories=3)
    pre.fit_transform(MANY_X, MANY_Y)
    np.testing.assert_array_equal(pre.scaler_.center_, fitted.scaler_.center_)
    np.testing.assert_array_equal(pre.scaler_.scale_, fitted.scaler_.scale_)
    np.testing.assert_array_equal(pre.target_encodings_[0], fitted.target_encodings_[0])
    np.testing.assert_array_equal(pre.transform(MANY_X), fitted.transform(MANY_X))


def test_two_classes_encode_the_second_class_only():
    X = pd.DataFrame({"c": ["a", "a", "b", "b", "c", "d", "e", "e"]})
    y = np.array(["no", "yes", "yes", "yes", "no", "yes", "no", "no"])
    pre = TabularPreprocessor(max_categories=3).fit(X, y)
    np.testing.assert_array_equal(pre.target_classes_, ["yes"])
    assert pre.get_feature_names_out().tolist() == ["c_target_yes"]
    assert pre.n_numeric_out_ == 1
    assert pre.transform(X).shape == (8, 1)
    table = pre.target_encodings_[0]
    assert table.shape == (5 + 1, 1)
    expected = _sklearn_table(X["c"], y, "binary", list("abcde"))
    np.testing.assert_allclose(table[:5], expected, rtol=1e-12)
    # "b" and "d" are pure "yes", "c" and "e" pure "no"; half the rows say yes.
    np.testing.assert_array_equal(table[[1, 3], 0], [1.0, 1.0])
    np.testing.assert_array_equal(table[[2, 4], 0], [0.0, 0.0])
    np.testing.assert_allclose(pre.target_prior_, [0.5])
    # Labels given as numbers 0/1 name the column after 1.
    numbers = TabularPreprocessor(max_categories=3).fit(X, (y == "yes").astype(int))
    assert numbers.get_feature_names_out().tolist() == ["c_target_1"]
    np.testing.assert_array_equal(numbers.target_encodings_[0], table)


def test_missing_values_are_a_level_and_unseen_levels_get_the_class_frequencies():
    # Ten rows, seven of class 1; two missing values, of class 0 and 1.
    X = pd.DataFrame({"c": ["a", "a", "b", "b", None, None, "c", "d", "e", "e"]})
    y = np.array([0, 1, 1, 1, 0, 1, 0, 1, 1, 1])
    pre = TabularPreprocessor(clip=None, max_categories=3).fit(X, y)
    assert pre.target_levels_[0].tolist() == list("abcde")
    table = pre.target_encodings_[0]
    # scikit-learn's missing category (NaN, last) is the last row.
    expected = _sklearn_table(X["c"], y, "binary", [*"abcde", None])
    np.testing.assert_allclose(table, expected, rtol=1e-12)
    # By hand: the prior 0.7 has variance 0.21; "a" and the missing level
    # are one row of each class: lambda = 0.42 / (0.42 + 0.25),
    # 0.7 - 0.2 * lambda = 0.5746...
    np.testing.assert_allclose(table[[0, 5], 0], 0.7 - 0.2 * 0.42 / 0.67)
    np.testing.assert_allclose(pre.target_prior_, [0.7])
    center, scale = pre.scaler_.center_[0], pre.scaler_.scale_[0]
    new = pd.DataFrame({"c": ["b", "c", "never", None, np.nan, pd.NA, "zz"]})
    raw = pre.transform(new)[:, 0].astype(np.float64) * scale + center
    np.testing.assert_allclose(
        raw, [1.0, 0.0, 0.7, table[5, 0], table[5, 0], table[5, 0], 0.7], atol=1e-6
    )


def test_a_missing_value_unseen_in_fit_gets_the_class_frequencies():
    pre = TabularPreprocessor(clip=None, max_categories=3).fit(MANY_X, MANY_Y)
    out = pre.transform(pd.DataFrame({"x": [6.5, 6.5], "c": [None, "unseen"]}))
    np.testing.assert_array_equal(out[0], out[1])
    expected = (np.array([3, 4, 5]) / 12 - pre.scaler_.center_[1:]) / (
        pre.scaler_.scale_[1:]
    )
    np.testing.assert_allclose(out[0, 1:], expected, rtol=1e-6)


def test_target_columns_come_after_the_numbers_and_before_the_indicators():
    X = MANY_X.assign(
        x=[np.nan, *MANY_X["x"][1:]],
        g=list("pq") * 6,  # two levels: one-hot
        d=list("uvwxyz") * 2,  # six levels: target encoded too
    )[["g", "c", "x", "d"]]
    pre = TabularPreprocessor(max_categories=3, min_frequency=1).fit(X, MANY_Y)
    assert pre.numeric_columns_ == [2]
    assert pre.target_columns_ == [1, 3]
    assert pre.categorical_columns_ == [0]
    assert pre.get_feature_names_out().tolist() == [
        "x",
        "c_target_0",
        "c_target_1",
        "c_target_2",
        "d_target_0",
        "d_target_1",
        "d_target_2",
        "x_missing",
        "g_p",
        "g_q",
        "g_other",
    ]
    assert pre.n_numeric_out_ == 7
    out = pre.transform(X)
    assert out.shape == (12, 11)
    np.testing.assert_array_equal(out[:, 7], [1.0] + [0.0] * 11)
    np.testing.assert_array_equal(out[:, 8], [1.0, 0.0] * 6)
    # Each target column is the table of its own column's levels.
    expected = _sklearn_table(X["d"], MANY_Y, "multiclass", list("uvwxyz"))
    np.testing.assert_allclose(pre.target_encodings_[1][:6], expected, rtol=1e-12)


def test_at_most_max_categories_levels_stay_one_hot():
    # Three levels with max_categories=3 is not "more than" it.
    X = pd.DataFrame({"c": list("abcabcabcabc")})
    pre = TabularPreprocessor(max_categories=3).fit(X, MANY_Y)
    assert pre.target_columns_ == []
    assert pre.get_feature_names_out().tolist() == ["c_a", "c_b", "c_c", "c_other"]
    assert pre.target_encodings_ == []
    assert pre.target_prior_.shape == (0,)
    four = pd.DataFrame({"c": list("abcdabcdabcd")})
    assert TabularPreprocessor(max_categories=3).fit(four, MANY_Y).target_columns_ == [
        0
    ]


@pytest.mark.parametrize(
    "how",
    ["no y", "other", "fit_transform without y"],
)
def test_without_y_or_with_other_many_levels_are_one_hot(how):
    X = pd.DataFrame({"c": list("aaabbbccddef")})
    one_hot = ["c_a", "c_b", "c_c", "c_other"]
    if how == "no y":
        pre = TabularPreprocessor(max_categories=3).fit(X)
        out = pre.transform(X)
    elif how == "other":
        pre = TabularPreprocessor(max_categories=3, high_cardinality="other")
        out = pre.fit_transform(X, MANY_Y)
    else:
        pre = TabularPreprocessor(max_categories=3)
        out = pre.fit_transform(X)
    assert pre.target_columns_ == []
    assert pre.categorical_columns_ == [0]
    assert pre.get_feature_names_out().tolist() == one_hot
    assert pre.n_numeric_out_ == 0
    np.testing.assert_array_equal(
        out.argmax(axis=1), [0] * 3 + [1] * 3 + [2] * 2 + [3] * 4
    )
    np.testing.assert_array_equal(out.sum(axis=1), 1.0)


def test_high_cardinality_is_validated():
    with pytest.raises(InvalidParameterError, match="high_cardinality"):
        TabularPreprocessor(high_cardinality="x").fit(MANY_X, MANY_Y)


def test_state_round_trip_keeps_the_target_encoding():
    X = MANY_X.assign(c=["a", None, *MANY_X["c"][2:]])
    pre = TabularPreprocessor(max_categories=3).fit(X, MANY_Y)
    state = pre.get_state()
    for name in (
        "target_columns_",
        "target_classes_",
        "target_levels_",
        "target_encodings_",
        "target_prior_",
    ):
        assert name in state
    copy = TabularPreprocessor.from_state(state)
    new = pd.DataFrame({"x": [1.0, 5.0, 20.0], "c": ["a", None, "unseen"]})
    np.testing.assert_array_equal(copy.transform(new), pre.transform(new))
    np.testing.assert_array_equal(copy.transform(X), pre.transform(X))
    assert copy.get_feature_names_out().tolist() == pre.get_feature_names_out().tolist()
    assert copy.get_params() == pre.get_params()


def test_a_state_lacking_an_attribute_or_parameter_is_refused():
    # Nothing is filled in with a default: a state without the target
    # encoding, say, would otherwise transform its columns another way.
    X = MANY_X.assign(c=["a", None, *MANY_X["c"][2:]])
    pre = TabularPreprocessor(max_categories=3).fit(X, MANY_Y)
    state = pre.get_state()
    without_encoding = {
        name: value
        for name, value in state.items()
        if name not in ("target_encodings_", "target_prior_")
    }
    with pytest.raises(
        ValueError,
        match=r"state lacks the attributes \['target_encodings_', 'target_prior_'\]",
    ):
        TabularPreprocessor.from_state(without_encoding)
    params = {k: v for k, v in state["params"].items() if k != "high_cardinality"}
    with pytest.raises(
        ValueError, match=r"state lacks the parameters \['high_cardinality'\]"
    ):
        TabularPreprocessor.from_state({**state, "params": params})
