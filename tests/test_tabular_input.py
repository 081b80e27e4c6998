"""The estimators on data as it comes: raw DataFrames and arrays with gaps and text.

What a user with a table from ``pd.read_csv`` relies on, whichever head they
pick: a DataFrame of numbers, booleans, categories and text with NaN, None and
``pd.NA`` fits and predicts directly; ``preprocessor="auto"`` encodes tables
and arrays that need it and leaves plain numeric arrays alone; each bad input
works as documented or raises an error naming the column, at fit and at
predict, and never changes a fitted model; model files, partial_fit, weights,
pipelines and searches take tables too.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import make_column_transformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

from sksoc import SOCClassifier, load_model, save_model
from sksoc.encoders import MLPEncoder, TabularEncoder
from sksoc.preprocessing import TabularPreprocessor
from sksoc.utils import all_estimators

ESTIMATORS = [Estimator for _, Estimator in all_estimators()]
FAST = {"max_epochs": 15, "random_state": 0}


def raw_table(n=300, seed=0):
    """A churn-like table: the label needs a category and a number with gaps.

    A customer stays on the "pro" plan, or when the fee is above 40; a
    missing fee says nothing, so only the plan decides those rows.
    """
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "fee": rng.gamma(2.0, 20.0, n),
            "plan": pd.Categorical(rng.choice(["basic", "plus", "pro"], n)),
            "region": pd.Series(
                rng.choice(["north", "south", "east"], n), dtype=object
            ),
            "channel": pd.Series(rng.choice(["web", "shop"], n), dtype=object),
            "paperless": rng.random(n) < 0.5,
            "visits": pd.array(rng.integers(0, 10, n), dtype="Int64"),
        }
    )
    X.loc[rng.random(n) < 0.2, "fee"] = np.nan
    X.loc[rng.random(n) < 0.1, "region"] = None
    X.loc[rng.random(n) < 0.1, "channel"] = pd.NA
    X.loc[rng.random(n) < 0.1, "visits"] = pd.NA
    stays = (X["plan"] == "pro") | (X["fee"] > 40)
    return X, np.where(stays, "stays", "leaves")


@pytest.fixture(scope="module")
def table():
    return raw_table()


@pytest.fixture(scope="module", params=ESTIMATORS, ids=lambda E: E.__name__)
def fitted(request, table):
    """Each estimator fitted on the raw table, once per module."""
    X, y = table
    return request.param(**FAST).fit(X, y)


def predicts_as_before(model, X, before):
    np.testing.assert_array_equal(model.predict_proba(X), before)


# -- a raw DataFrame ---------------------------------------------------------------


def test_a_raw_dataframe_fits_and_predicts_directly(fitted, table):
    X, _ = table
    X_new, y_new = raw_table(n=200, seed=1)
    chance = max(np.mean(y_new == "stays"), np.mean(y_new == "leaves"))
    assert chance < 0.65
    assert fitted.score(X_new, y_new) > 0.85
    np.testing.assert_array_equal(fitted.feature_names_in_, list(X.columns))
    assert fitted.n_features_in_ == 6
    assert isinstance(fitted.preprocessor_, TabularPreprocessor)
    check_is_fitted(fitted.preprocessor_)
    assert fitted.transform(X_new).shape == (200, fitted.embedding_dim_)


def test_the_default_encoder_of_an_encoded_table_is_the_tabular_encoder(fitted):
    assert type(fitted.net_.module_) is TabularEncoder
    # fee and visits are the numbers; the rest are one-hot codes.
    assert fitted.preprocessor_.n_numeric_out_ == 2
    assert fitted.net_.module_.n_numeric == 2


def test_module_mlp_encoder_keeps_the_plain_mlp(table):
    X, y = table
    model = SOCClassifier(module=MLPEncoder, **FAST).fit(X, y)
    assert type(model.net_.module_) is MLPEncoder
    assert model.score(X, y) > 0.85


# -- what preprocessor="auto" encodes -----------------------------------------------


def _numbers(n=60):
    return np.random.default_rng(0).normal(size=(n, 3)), np.arange(n) % 2


def _with_nan():
    X, y = _numbers()
    X[0, 0] = np.nan
    return X, y


def _with_text():
    X, y = _numbers()
    X = X.astype(object)
    X[:, 1] = np.where(y == 1, "yes", "no")
    return X, y


@pytest.mark.parametrize(
    "make, encoded",
    [
        (_with_nan, True),
        (_with_text, True),
        (_numbers, False),
        (lambda: (sp.csr_matrix(_numbers()[0]), _numbers()[1]), False),
    ],
    ids=["array-with-nan", "object-array-with-text", "numeric-array", "sparse"],
)
def test_what_auto_encodes(make, encoded):
    X, y = make()
    model = SOCClassifier(**FAST).fit(X, y)
    assert isinstance(model.preprocessor_, TabularPreprocessor) is encoded
    if not encoded:
        assert model.preprocessor_ is None
    assert model.n_features_in_ == 3
    assert model.predict(X).shape == (60,)


def test_preprocessor_none_takes_numbers_only(table):
    X, y = table
    with pytest.raises(
        ValueError, match=r"non-numeric columns \['plan', 'region', 'channel'\]"
    ):
        SOCClassifier(preprocessor=None, **FAST).fit(X, y)
    gappy, labels = _with_nan()
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SOCClassifier(preprocessor=None, **FAST).fit(gappy, labels)


def test_a_given_tabular_preprocessor_is_cloned_not_changed(table):
    X, y = table
    given = TabularPreprocessor(max_categories=2)
    model = SOCClassifier(preprocessor=given, **FAST).fit(X, y)
    assert not hasattr(given, "n_features_in_")
    assert model.preprocessor_ is not given
    assert model.preprocessor_.get_params() == given.get_params()
    # region has three levels; two keep a slot of their own.
    assert max(len(levels) for levels in model.preprocessor_.categories_) == 2


def test_a_given_column_transformer_is_cloned_not_changed(table):
    X, y = table
    X = X[["fee", "plan"]].fillna({"fee": 40.0})
    given = make_column_transformer(
        (OneHotEncoder(), ["plan"]),
        (StandardScaler(), ["fee"]),
        sparse_threshold=0,
    )
    model = SOCClassifier(preprocessor=given, **FAST).fit(X, y)
    assert not hasattr(given, "transformers_")
    assert model.preprocessor_ is not given
    check_is_fitted(model.preprocessor_)
    assert type(model.net_.module_) is MLPEncoder
    assert model.score(X, y) > 0.85


# -- the bad-input list, at predict time ---------------------------------------------


def _row(n, values):
    return (values * (n // len(values) + 1))[:n]


PREDICTS = {
    "all-missing-number": lambda X: X.assign(fee=np.nan),
    "all-missing-text": lambda X: X.assign(region=None),
    "constant": lambda X: X.assign(fee=7.0, visits=3),
    "unseen-category": lambda X: X.assign(
        region="atlantis", plan=pd.Categorical(["gold"] * len(X))
    ),
    "numbers-in-a-text-column": lambda X: X.assign(
        region=_row(len(X), [1, "north", 2.5])
    ),
    "ten-thousand-new-levels": lambda X: X.assign(
        region=[f"r{i}" for i in range(len(X))]
    ),
}


@pytest.mark.parametrize("case", PREDICTS)
def test_bad_input_that_predicts(fitted, table, case):
    X, _ = table
    before = fitted.predict_proba(X)
    changed = PREDICTS[case](X)
    proba = fitted.predict_proba(changed)
    assert proba.shape == before.shape
    assert np.isfinite(proba).all()
    predicts_as_before(fitted, X, before)


def test_ten_thousand_levels_unseen_at_predict_time():
    X = pd.DataFrame({"region": _row(300, ["north", "south"]), "x": np.arange(300.0)})
    y = np.arange(300) % 2
    model = SOCClassifier(**FAST).fit(X, y)
    new = pd.DataFrame({"region": [f"r{i}" for i in range(10_000)], "x": 1.0})
    assert new["region"].nunique() == 10_000
    assert model.predict(new).shape == (10_000,)


def test_what_the_bad_input_encodes_to(fitted, table):
    X, _ = table
    names = list(fitted.preprocessor_.get_feature_names_out())
    encoded = fitted.preprocessor_.transform(PREDICTS["unseen-category"](X))
    assert (encoded[:, names.index("region_other")] == 1).all()
    assert (encoded[:, names.index("plan_other")] == 1).all()
    # fee had gaps in fit: a missing fee is 0 and flagged.
    encoded = fitted.preprocessor_.transform(PREDICTS["all-missing-number"](X))
    assert (encoded[:, names.index("fee")] == 0).all()
    assert (encoded[:, names.index("fee_missing")] == 1).all()


FAILS = {
    "numbers-and-strings-in-a-number-column": (
        lambda X: X.assign(fee=_row(len(X), [10.0, "n/a"])),
        r"Column 'fee' held numbers in fit .* 'n/a'",
    ),
    "infinite": (
        lambda X: X.assign(fee=np.where(np.arange(len(X)) == 3, -np.inf, X["fee"])),
        "Column 'fee' holds infinite values",
    ),
    "renamed": (
        lambda X: X.rename(columns={"fee": "Fee"}),
        r"feature names.*missing \['fee'\]; not seen in fit \['Fee'\]",
    ),
    "missing-column": (
        lambda X: X.drop(columns="plan"),
        r"feature names.*missing \['plan'\]",
    ),
    "extra-column": (
        lambda X: X.assign(extra=1.0),
        r"feature names.*not seen in fit \['extra'\]",
    ),
}


@pytest.mark.parametrize("case", FAILS)
@pytest.mark.parametrize("method", ["predict", "predict_proba", "transform"])
def test_bad_input_at_predict_names_the_column_and_changes_nothing(
    fitted, table, case, method
):
    X, _ = table
    before = fitted.predict_proba(X)
    change, message = FAILS[case]
    with pytest.raises(ValueError, match=message):
        getattr(fitted, method)(change(X))
    predicts_as_before(fitted, X, before)


@pytest.mark.parametrize("column", ["fee", "region"])
def test_a_datetime_column_at_predict_names_the_column(fitted, table, column):
    X, _ = table
    before = fitted.predict_proba(X)
    dated = X.assign(**{column: pd.Timestamp("2024-01-01")})
    with pytest.raises(ValueError, match=f"Column '{column}' holds dates or times"):
        fitted.predict(dated)
    predicts_as_before(fitted, X, before)


def test_reordered_columns_predict_the_same(fitted, table):
    X, _ = table
    shuffled = X[list(reversed(X.columns))]
    np.testing.assert_array_equal(
        fitted.predict_proba(shuffled), fitted.predict_proba(X)
    )
    np.testing.assert_array_equal(fitted.transform(shuffled), fitted.transform(X))


# -- the bad-input list, at fit time -------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_an_all_missing_and_a_constant_column_fit(Estimator, table):
    X, y = table
    X = X.assign(empty=np.nan, constant=7.0)
    model = Estimator(**FAST).fit(X, y)
    assert model.n_features_in_ == 8
    assert model.preprocessor_.dropped_columns_ == [6]
    names = list(model.preprocessor_.get_feature_names_out())
    assert "empty" not in names
    assert (model.preprocessor_.transform(X)[:, names.index("constant")] == 0).all()
    assert model.score(X, y) > 0.85


def test_a_column_of_numbers_and_strings_is_text():
    X = pd.DataFrame(
        {
            "code": pd.Series([1, "A7", 2.5, None] * 20, dtype=object),
            "x": np.arange(80.0),
        }
    )
    y = np.arange(80) % 2
    model = SOCClassifier(**FAST).fit(X, y)
    assert model.preprocessor_.categorical_columns_ == [0]
    assert model.preprocessor_.categories_[0].tolist() == ["1", "2.5", "A7"]
    assert model.predict(X).shape == (80,)


def test_ten_thousand_levels_keep_the_network_input_small():
    rng = np.random.default_rng(0)
    zips = np.repeat(np.arange(10_000), 2)
    X = pd.DataFrame({"zip": [f"z{z:05d}" for z in zips], "x": rng.normal(size=20_000)})
    y = (zips % 2 == 0) ^ (X["x"] > 1).to_numpy()
    model = SOCClassifier(max_epochs=1, random_state=0).fit(X, y)
    assert X["zip"].nunique() == 10_000
    # x, then the zip code's target encoding: the second class's frequency.
    assert model.preprocessor_.get_feature_names_out().tolist() == [
        "x",
        "zip_target_True",
    ]
    assert model.net_.module_.n_numeric == 2
    one_hot = SOCClassifier(
        preprocessor=TabularPreprocessor(high_cardinality="other"),
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    # x, then 256 levels and the "other" slot.
    assert one_hot.preprocessor_.n_features_out_ == 1 + 256 + 1
    assert one_hot.net_.module_.n_numeric == 1


FIT_FAILS = {
    "infinite": (
        lambda X: X.assign(fee=np.where(np.arange(len(X)) == 3, np.inf, X["fee"])),
        ValueError,
        "Column 'fee' holds infinite values",
    ),
    "datetime": (
        lambda X: X.assign(signed=pd.Timestamp("2024-01-01")),
        ValueError,
        "Column 'signed' holds dates or times",
    ),
    "timedelta": (
        lambda X: X.assign(tenure=pd.Timedelta(days=3)),
        ValueError,
        "Column 'tenure' holds dates or times",
    ),
    "dicts": (
        lambda X: X.assign(extra=[{"a": 1}] * len(X)),
        TypeError,
        "Column 'extra' holds a dict",
    ),
}


@pytest.mark.parametrize("case", FIT_FAILS)
def test_a_failed_fit_names_the_column_and_leaves_the_fitted_model_alone(
    fitted, table, case
):
    X, y = table
    change, error, message = FIT_FAILS[case]
    before = fitted.predict_proba(X)
    preprocessor = fitted.preprocessor_
    with pytest.raises(error, match=message):
        fitted.fit(change(X), y)
    assert fitted.preprocessor_ is preprocessor
    np.testing.assert_array_equal(fitted.feature_names_in_, list(X.columns))
    predicts_as_before(fitted, X, before)


def test_a_failed_partial_fit_leaves_the_fitted_model_alone():
    X, y = raw_table(n=100, seed=2)
    model = SOCClassifier(**FAST).fit(X, y)
    before = model.predict_proba(X)
    with pytest.raises(ValueError, match="Column 'fee' holds infinite values"):
        model.partial_fit(X.assign(fee=np.inf), y)
    predicts_as_before(model, X, before)


# -- model files ---------------------------------------------------------------------


def test_model_files_keep_the_encoding(fitted, table, tmp_path):
    X, _ = table
    save_model(fitted, tmp_path / "table.sksoc")
    loaded = load_model(tmp_path / "table.sksoc")
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.feature_names_in_, fitted.feature_names_in_)
    assert loaded.preprocessor == "auto"
    assert (
        loaded.preprocessor_.get_feature_names_out().tolist()
        == fitted.preprocessor_.get_feature_names_out().tolist()
    )
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(X.rename(columns={"fee": "Fee"}))


def test_a_given_tabular_preprocessor_is_saved_with_its_parameters(table, tmp_path):
    X, y = table
    model = SOCClassifier(
        preprocessor=TabularPreprocessor(max_categories=5, high_cardinality="other"),
        **FAST,
    )
    save_model(model.fit(X, y), tmp_path / "given.sksoc")
    loaded = load_model(tmp_path / "given.sksoc")
    assert isinstance(loaded.preprocessor, TabularPreprocessor)
    assert loaded.preprocessor.get_params() == {
        "clip": 3.0,
        "max_categories": 5,
        "min_frequency": 2,
        "high_cardinality": "other",
    }
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_model_state_lacking_part_of_its_preprocessor_is_refused(table):
    # The given preprocessor's parameters and the fitted one's attributes are
    # read as they were saved; none is filled in with today's default.
    X, y = table
    model = SOCClassifier(
        preprocessor=TabularPreprocessor(max_categories=5), **FAST
    ).fit(X, y)
    document, tensors = model._get_state()
    del document["params"]["preprocessor"]["clip"]
    with pytest.raises(ValueError, match=r"state lacks the parameters \['clip'\]"):
        SOCClassifier._from_state(document, tensors)
    document, tensors = model._get_state()
    del document["preprocessor"]["categories_"]
    with pytest.raises(
        ValueError, match=r"state lacks the attributes \['categories_'\]"
    ):
        SOCClassifier._from_state(document, tensors)
    document, tensors = model._get_state()
    np.testing.assert_array_equal(
        SOCClassifier._from_state(document, tensors).predict_proba(X),
        model.predict_proba(X),
    )


def test_model_files_refuse_a_foreign_transformer(tmp_path):
    X = pd.DataFrame({"colour": list("rgbr") * 10, "size": np.arange(40.0)})
    y = np.arange(40) % 2
    encoder = make_column_transformer(
        (OneHotEncoder(), ["colour"]), remainder="passthrough", sparse_threshold=0
    )
    model = SOCClassifier(preprocessor=encoder, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="TabularPreprocessor"):
        save_model(model, tmp_path / "foreign.sksoc")
    assert not (tmp_path / "foreign.sksoc").exists()


# -- partial_fit, weights, pipelines and searches --------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_partial_fit_learns_the_encoding_on_its_first_call(Estimator, table):
    X, y = table
    model = Estimator(random_state=0)
    model.partial_fit(X[:150], y[:150], classes=["leaves", "stays"])
    learned = model.preprocessor_
    levels = [list(c) for c in learned.categories_]
    later = X[150:].assign(region="atlantis")
    model.partial_fit(later, y[150:])
    assert model.preprocessor_ is learned
    assert [list(c) for c in model.preprocessor_.categories_] == levels
    assert model.n_iter_ == 2
    names = list(learned.get_feature_names_out())
    assert (learned.transform(later)[:, names.index("region_other")] == 1).all()
    assert model.predict(later).shape == (150,)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_class_weight_and_sample_weight_take_a_dataframe(Estimator, table):
    X, y = table
    weight = np.where(y == "stays", 2.0, 1.0)
    model = Estimator(**FAST).fit(X, y, sample_weight=weight)
    # The weighted class counts: twice the rows that stay against those that leave.
    n_stays, n_leaves = np.sum(y == "stays"), np.sum(y == "leaves")
    ratio = model.class_count_[1] / model.class_count_[0]
    assert ratio == pytest.approx(2 * n_stays / n_leaves)
    balanced = Estimator(class_weight="balanced", **FAST).fit(
        X, y, sample_weight=weight
    )
    assert balanced.score(X, y) > 0.85


def test_in_a_pipeline_and_a_grid_search(table):
    X, y = table
    pipeline = make_pipeline(SOCClassifier(**FAST)).fit(X, y)
    assert pipeline.score(X, y) > 0.85
    np.testing.assert_array_equal(pipeline.feature_names_in_, list(X.columns))
    search = GridSearchCV(
        make_pipeline(SOCClassifier(**FAST)),
        {"socclassifier__embedding_dim": [4, 8]},
        cv=2,
    ).fit(X, y)
    assert search.best_score_ > 0.8
    assert isinstance(search.best_estimator_[-1].preprocessor_, TabularPreprocessor)


# -- a column of many levels: target encoded ------------------------------------------


def shop_table(n=600, seed=0, labels=("red", "green", "blue")):
    """300 shops, two rows each; the label is the shop's (one row in ten off).

    The rows are shuffled by another generator than the preprocessor's folds
    (``default_rng(0).permutation``), which would put both rows of a shop in
    one fold.
    """
    rng = np.random.default_rng(seed + 100)
    shop = rng.permutation(np.arange(n) % 300)
    X = pd.DataFrame(
        {"fee": rng.normal(size=n), "shop": [f"s{level:03d}" for level in shop]}
    )
    y = np.asarray(labels)[(shop + (rng.random(n) < 0.1)) % len(labels)]
    return X, y


@pytest.fixture(scope="module")
def shop_model():
    X, y = shop_table()
    return SOCClassifier(**FAST).fit(X, y)


def test_a_column_of_300_levels_is_target_encoded(shop_model):
    X, y = shop_table()
    assert X["shop"].nunique() == 300
    pre = shop_model.preprocessor_
    # The default max_categories=256: 300 levels are "many".
    assert pre.target_columns_ == [1]
    assert pre.categorical_columns_ == []
    assert pre.get_feature_names_out().tolist() == [
        "fee",
        "shop_target_blue",
        "shop_target_green",
        "shop_target_red",
    ]
    assert shop_model.net_.module_.n_numeric == 4
    # The same encoding as the preprocessor fitted alone with y.
    alone = TabularPreprocessor().fit(X, y)
    np.testing.assert_array_equal(pre.target_encodings_[0], alone.target_encodings_[0])
    np.testing.assert_array_equal(pre.scaler_.center_, alone.scaler_.center_)
    # New rows of the same shops: the shop decides, which the model learned
    # (chance is about 1/3).
    X_new, y_new = shop_table(seed=1)
    assert shop_model.score(X_new, y_new) > 0.6


def test_the_estimator_trains_on_the_cross_fitted_encoding():
    seen = []

    class Recording(TabularPreprocessor):
        def fit_transform(self, X, y=None):
            out = super().fit_transform(X, y)
            seen.append((y, out))
            return out

    X, y = shop_table(n=60)
    model = SOCClassifier(
        preprocessor=Recording(max_categories=3), max_epochs=2, random_state=0
    ).fit(X, y)
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0][0], y)
    expected = TabularPreprocessor(max_categories=3).fit_transform(X, y)
    np.testing.assert_array_equal(seen[0][1], expected)
    assert model.preprocessor_.target_columns_ == [1]


def test_unseen_levels_predict_from_the_class_frequencies(shop_model):
    from sksoc.preprocessing import smooth_clip

    _, y = shop_table()
    pre = shop_model.preprocessor_
    np.testing.assert_allclose(
        pre.target_prior_, [np.mean(y == label) for label in pre.target_classes_]
    )
    unseen = pd.DataFrame({"fee": 0.5, "shop": [f"new{i}" for i in range(50)]})
    encoded = pre.transform(unseen)
    scaled = (pre.target_prior_ - pre.scaler_.center_[1:]) / pre.scaler_.scale_[1:]
    np.testing.assert_allclose(
        encoded[:, 1:], np.tile(smooth_clip(scaled, 3.0), (50, 1)), rtol=1e-6
    )
    proba = shop_model.predict_proba(unseen)
    assert proba.shape == (50, 3)
    assert np.isfinite(proba).all()
    # Every unseen shop is the same input: the same prediction.
    np.testing.assert_array_equal(proba, np.tile(proba[0], (50, 1)))


def test_model_files_keep_the_target_encoding(shop_model, tmp_path):
    X, _ = shop_table()
    save_model(shop_model, tmp_path / "shops.sksoc")
    loaded = load_model(tmp_path / "shops.sksoc")
    unseen = X.assign(shop=[f"new{i}" for i in range(len(X))])
    missing = X.assign(shop=None)
    for rows in (X, unseen, missing):
        np.testing.assert_array_equal(
            loaded.predict_proba(rows), shop_model.predict_proba(rows)
        )
    pre, before = loaded.preprocessor_, shop_model.preprocessor_
    assert pre.target_columns_ == before.target_columns_
    np.testing.assert_array_equal(pre.target_classes_, before.target_classes_)
    assert pre.target_levels_[0].tolist() == before.target_levels_[0].tolist()
    np.testing.assert_array_equal(pre.target_encodings_[0], before.target_encodings_[0])
    np.testing.assert_array_equal(pre.target_prior_, before.target_prior_)
    assert (
        pre.get_feature_names_out().tolist() == before.get_feature_names_out().tolist()
    )


def test_two_classes_encode_one_column_and_survive_a_model_file(tmp_path):
    X, y = shop_table(labels=("no", "yes"))
    model = SOCClassifier(**FAST).fit(X, y)
    assert model.preprocessor_.get_feature_names_out().tolist() == [
        "fee",
        "shop_target_yes",
    ]
    assert model.net_.module_.n_numeric == 2
    save_model(model, tmp_path / "binary.sksoc")
    loaded = load_model(tmp_path / "binary.sksoc")
    unseen = X.assign(shop="never seen")
    for rows in (X, unseen):
        np.testing.assert_array_equal(
            loaded.predict_proba(rows), model.predict_proba(rows)
        )


def test_partial_fit_learns_the_target_encoding_on_its_first_call():
    X, y = shop_table(labels=("no", "yes"))
    model = SOCClassifier(random_state=0)
    model.partial_fit(X, y, classes=["no", "yes"])
    learned = model.preprocessor_
    assert learned.get_feature_names_out().tolist() == ["fee", "shop_target_yes"]
    table = learned.target_encodings_[0].copy()
    later, y_later = shop_table(n=100, seed=3, labels=("no", "yes"))
    later = later.assign(shop=[f"new{i}" for i in range(100)])
    model.partial_fit(later, y_later)
    assert model.preprocessor_ is learned
    np.testing.assert_array_equal(learned.target_encodings_[0], table)
    assert model.n_iter_ == 2
    assert model.predict(later).shape == (100,)
    assert np.isfinite(model.predict_proba(later)).all()


# -- hidden_layer_sizes="auto" -------------------------------------------------------


def test_auto_width_is_256_on_a_table_and_128_on_an_array(table):
    X, y = table
    on_table = SOCClassifier(**FAST).fit(X, y)
    assert on_table.hidden_layer_sizes == "auto"
    assert isinstance(on_table.net_.module_, TabularEncoder)
    assert on_table.net_.module_.mlp.layers[0].out_features == 256
    numbers = np.random.default_rng(0).normal(size=(60, 3))
    on_array = SOCClassifier(**FAST).fit(numbers, np.arange(60) % 2)
    assert isinstance(on_array.net_.module_, MLPEncoder)
    assert on_array.net_.module_.layers[0].out_features == 128
    given = SOCClassifier(hidden_layer_sizes=(7,), **FAST).fit(X, y)
    assert given.net_.module_.mlp.layers[0].out_features == 7


def test_hidden_layer_sizes_takes_no_other_text():
    with pytest.raises(InvalidParameterError, match="hidden_layer_sizes"):
        SOCClassifier(hidden_layer_sizes="wide").fit(np.zeros((4, 2)), [0, 1, 0, 1])
