"""Tables as they come: every estimator fits a raw DataFrame directly.

What a user with a table from ``pd.read_csv`` relies on: numbers, booleans,
categories and text with missing values fit without a ColumnTransformer; the
encoding learned in ``fit`` is applied at prediction, by column name; each
bad input of the tabular issue works as documented or raises an error that
names the column, and never changes a fitted model.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import make_column_transformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from sksoc import SOCClassifier, load_model, save_model
from sksoc.encoders import MLPEncoder, TabularEncoder
from sksoc.preprocessing import TabularPreprocessor
from sksoc.utils import all_estimators

ESTIMATORS = [Estimator for _, Estimator in all_estimators()]
FAST = {"max_epochs": 20, "random_state": 0}


def raw_table(n=400, seed=0):
    """A churn-like table whose label needs a category and a gappy number."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n).astype(float),
            "plan": pd.Categorical(rng.choice(["basic", "plus", "pro"], n)),
            "region": rng.choice(["north", "south", "east", None], n),
            "paperless": rng.random(n) < 0.5,
            "fee": rng.gamma(2.0, 20.0, n),
        }
    )
    frame.loc[rng.random(n) < 0.2, "fee"] = np.nan
    frame.loc[rng.random(n) < 0.05, "age"] = pd.NA
    label = (frame["plan"] == "pro") | (frame["fee"].fillna(0) > 40)
    return frame, np.where(label, "stays", "leaves")


@pytest.fixture(scope="module")
def table():
    return raw_table()


@pytest.fixture(scope="module")
def fitted(table):
    X, y = table
    return SOCClassifier(**FAST).fit(X, y)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_raw_dataframe_fits_and_predicts_directly(Estimator, table):
    X, y = table
    model = Estimator(**FAST).fit(X, y)
    assert model.score(X, y) > 0.85
    np.testing.assert_array_equal(model.feature_names_in_, list(X.columns))
    assert model.n_features_in_ == 5
    assert isinstance(model.preprocessor_, TabularPreprocessor)
    assert model.transform(X).shape == (len(X), model.embedding_dim_)
    assert isinstance(model.net_.module_, TabularEncoder)
    assert model.net_.module_.n_numeric == model.preprocessor_.n_numeric_out_ == 2


def test_what_the_default_encodes(table):
    X, y = table
    numbers = np.random.default_rng(0).normal(size=(60, 3))
    labels = np.arange(60) % 2
    assert SOCClassifier(**FAST).fit(numbers, labels).preprocessor_ is None
    assert (
        SOCClassifier(**FAST).fit(sp.csr_matrix(numbers), labels).preprocessor_ is None
    )
    gappy = numbers.copy()
    gappy[0, 0] = np.nan
    assert SOCClassifier(**FAST).fit(gappy, labels).preprocessor_ is not None
    text = np.array([["a", 1.0], ["b", 2.0]] * 30, dtype=object)
    assert SOCClassifier(**FAST).fit(text, labels).preprocessor_ is not None
    with pytest.raises(ValueError, match="non-numeric columns"):
        SOCClassifier(preprocessor=None, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SOCClassifier(preprocessor=None, **FAST).fit(gappy, labels)


def test_a_given_transformer_is_cloned_not_changed(table):
    X, y = table
    given = TabularPreprocessor(max_categories=2)
    model = SOCClassifier(preprocessor=given, **FAST).fit(X, y)
    assert not hasattr(given, "n_features_in_")
    assert model.preprocessor_ is not given
    assert max(len(levels) for levels in model.preprocessor_.categories_) == 2


def test_module_mlp_encoder_keeps_the_plain_mlp(table):
    X, y = table
    model = SOCClassifier(module=MLPEncoder, **FAST).fit(X, y)
    assert type(model.net_.module_) is MLPEncoder


# -- the bad input of the tabular issue ------------------------------------------


def predicts_as_before(model, X, before):
    np.testing.assert_array_equal(model.predict_proba(X), before)


def test_an_all_missing_and_a_constant_column_fit(table):
    X, y = table
    X = X.assign(empty=np.nan, constant=7.0)
    model = SOCClassifier(**FAST).fit(X, y)
    assert model.preprocessor_.dropped_columns_ == [list(X.columns).index("empty")]
    assert model.score(X, y) > 0.85


def test_a_category_seen_only_at_prediction_goes_to_the_other_slot(fitted, table):
    X, _ = table
    new = X.head(5).copy()
    new["region"] = ["atlantis"] * 5
    assert fitted.predict(new).shape == (5,)
    encoded = fitted.preprocessor_.transform(new)
    names = list(fitted.preprocessor_.get_feature_names_out())
    assert (encoded[:, names.index("region_other")] == 1).all()


def test_a_column_of_numbers_and_strings_is_text():
    X = pd.DataFrame({"code": [1, "A7", 2.5, None] * 20, "x": np.arange(80.0)})
    y = np.arange(80) % 2
    model = SOCClassifier(**FAST).fit(X, y)
    assert model.preprocessor_.categorical_columns_ == [0]
    assert model.predict(X).shape == (80,)


def test_infinite_values_name_the_column(fitted, table):
    X, y = table
    bad = X.assign(fee=np.where(np.arange(len(X)) == 3, np.inf, X["fee"]))
    before = fitted.predict_proba(X)
    with pytest.raises(ValueError, match="Column 'fee' holds infinite values"):
        SOCClassifier(**FAST).fit(bad, y)
    with pytest.raises(ValueError, match="Column 'fee' holds infinite values"):
        fitted.predict(bad)
    predicts_as_before(fitted, X, before)


def test_a_datetime_column_names_the_column(fitted, table):
    X, y = table
    dated = X.assign(signed=pd.Timestamp("2024-01-01"))
    with pytest.raises(ValueError, match="Column 'signed' holds dates or times"):
        SOCClassifier(**FAST).fit(dated, y)


def test_ten_thousand_levels_keep_the_input_small():
    rng = np.random.default_rng(0)
    n = 12_000
    zips = rng.permutation(n) % 11_000
    X = pd.DataFrame({"zip": [f"z{z:05d}" for z in zips], "x": rng.normal(size=n)})
    y = (zips % 2 == 0).astype(int) ^ (X["x"] > 1).to_numpy()
    model = SOCClassifier(max_epochs=2, random_state=0).fit(X, y)
    assert X["zip"].nunique() > 10_000
    assert model.preprocessor_.n_features_out_ <= 1 + 256 + 2


def test_reordered_columns_predict_the_same_renamed_ones_are_named(fitted, table):
    X, _ = table
    before = fitted.predict_proba(X)
    predicts_as_before(fitted, X[list(reversed(X.columns))], before)
    with pytest.raises(
        ValueError, match=r"missing \['fee'\]; not seen in fit \['Fee'\]"
    ):
        fitted.predict(X.rename(columns={"fee": "Fee"}))
    with pytest.raises(ValueError, match="Column 'age' held numbers in fit"):
        fitted.predict(X.assign(age="unknown"))
    predicts_as_before(fitted, X, before)


def test_a_failed_fit_leaves_the_fitted_model_alone(table):
    X, y = table
    model = SOCClassifier(**FAST).fit(X, y)
    before = model.predict_proba(X)
    with pytest.raises(ValueError):
        model.fit(X.assign(fee=np.inf), y)
    predicts_as_before(model, X, before)


# -- what keeps working ------------------------------------------------------------


def test_model_files_keep_the_encoding(fitted, table, tmp_path):
    X, y = table
    save_model(fitted, tmp_path / "table.sksoc")
    loaded = load_model(tmp_path / "table.sksoc")
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.feature_names_in_, fitted.feature_names_in_)

    given = SOCClassifier(preprocessor=TabularPreprocessor(max_categories=5), **FAST)
    save_model(given.fit(X, y), tmp_path / "given.sksoc")
    loaded = load_model(tmp_path / "given.sksoc")
    assert loaded.preprocessor.get_params() == {
        "clip": 3.0,
        "max_categories": 5,
        "min_frequency": 2,
    }
    np.testing.assert_array_equal(loaded.predict_proba(X), given.predict_proba(X))


def test_model_files_refuse_a_foreign_transformer(tmp_path):
    X = pd.DataFrame({"colour": list("rgbr") * 10, "size": np.arange(40.0)})
    y = np.arange(40) % 2
    encoder = make_column_transformer(
        (OneHotEncoder(), ["colour"]), remainder="passthrough", sparse_threshold=0
    )
    model = SOCClassifier(preprocessor=encoder, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="TabularPreprocessor"):
        save_model(model, tmp_path / "foreign.sksoc")


def test_partial_fit_learns_the_encoding_on_its_first_call(table):
    X, y = table
    model = SOCClassifier(random_state=0)
    model.partial_fit(X[:200], y[:200], classes=["leaves", "stays"])
    levels = [list(c) for c in model.preprocessor_.categories_]
    later = X[200:].assign(region="atlantis")
    model.partial_fit(later, y[200:])
    assert [list(c) for c in model.preprocessor_.categories_] == levels
    assert model.n_iter_ == 2


def test_weights_pipelines_and_searches_take_tables(table):
    X, y = table
    weight = np.where(y == "stays", 2.0, 1.0)
    SOCClassifier(class_weight="balanced", **FAST).fit(X, y, sample_weight=weight)
    search = GridSearchCV(
        make_pipeline(SOCClassifier(**FAST)),
        {"socclassifier__embedding_dim": [4, 8]},
        cv=2,
    )
    assert search.fit(X, y).best_score_ > 0.8
