"""The ``sksoc`` command as a user meets it: a table, files, and one-line errors.

Commands run in-process through ``main(argv)`` on small datasets with a few
epochs; one test starts ``python -m sksoc`` as a user would.
"""

import json
import subprocess
import sys
from types import ModuleType, SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_iris

from sksoc import SOCClassifier, SoftmaxClassifier, __version__, cli
from sksoc.cli import _baselines, _commands, _data, _models, _output, _progress
from sksoc.cli._errors import CommandError
from sksoc.exceptions import TrainingDivergedError
from sksoc.metrics import (
    inter_class_separability,
    intra_class_compactness,
    silhouette_score,
)

PRINTED_COLUMNS = [
    "head",
    "accuracy",
    "log_loss",
    "ece",
    "silhouette",
    "compactness",
    "separability",
    "epochs",
    "fit_seconds",
]
# The files have a column more: whether the row is a head or a reference.
COMPARE_COLUMNS = ["head", "kind", *PRINTED_COLUMNS[1:]]
HEADS = ["softmax", "soc", "fixed", "margin"]
REFERENCES = ["hgb", "mlp"]
EMBEDDING_COLUMNS = ["silhouette", "compactness", "separability", "epochs"]
SWEEP_COLUMNS = [
    "head",
    "embedding_dim",
    "accuracy",
    "log_loss",
    "epochs",
    "fit_seconds",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FAST = ["--dataset", "iris", "--epochs", "3"]


def run(capsys, *argv):
    """Run the command line; return its exit code, stdout and stderr."""
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def printed_table(out):
    """The table in the output: its column names and its rows as dicts."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("head"))
    header = lines[start].split()
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        rows.append(dict(zip(header, line.split(), strict=True)))
    return header, rows


@pytest.fixture
def iris_frame():
    """Iris with its species names as labels, as a user's CSV would hold it."""
    iris = load_iris(as_frame=True)
    frame = iris.data.copy()
    frame["species"] = iris.target_names[iris.target]
    return frame


def write_csv(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


# -- compare ---------------------------------------------------------------------


def test_compare_prints_one_row_per_head_with_every_column(capsys):
    code, out, err = run(capsys, "compare", *FAST)

    assert code == 0
    assert err == ""  # no progress bar: stderr is not a terminal
    lines = out.splitlines()
    assert lines[0] == (
        "sksoc compare on iris: 105 train / 45 test samples, 4 features, 3 classes"
    )
    assert lines[1].startswith("MLP encoder (128,) -> 16-d embedding, max_epochs 3")
    assert lines[1].endswith("seed 0")
    header, rows = printed_table(out)
    assert header == PRINTED_COLUMNS
    assert [row["head"] for row in rows] == HEADS + REFERENCES
    for row in rows:
        assert 0 <= float(row["accuracy"]) <= 1
        assert float(row["log_loss"]) > 0 and 0 <= float(row["ece"]) <= 1
    for row in rows[:4]:
        assert 0 <= float(row["separability"]) <= np.pi
        assert 1 <= int(row["epochs"]) <= 3
    for row in rows[4:]:  # no embedding, no epochs
        assert [row[name] for name in EMBEDDING_COLUMNS] == ["-"] * 4
    assert "radians" in out
    assert "HistGradientBoostingClassifier, MLPClassifier" in out
    # Aligned: every line of the table as wide as its header, or narrower
    # only by trailing blanks.
    table_lines = out.split("\n\n")[1].splitlines()
    assert len({len(line) for line in table_lines}) == 1


def test_no_reference_leaves_the_heads_only(capsys):
    code, out, _ = run(capsys, "compare", *FAST, "--heads", "soc", "--no-reference")

    assert code == 0
    _, rows = printed_table(out)
    assert [row["head"] for row in rows] == ["soc"]
    assert "HistGradientBoosting" not in out


def test_heads_selects_and_orders_the_rows(capsys):
    code, out, _ = run(capsys, "compare", *FAST, "--heads", "soc, softmax,soc")

    assert code == 0
    _, rows = printed_table(out)
    assert [row["head"] for row in rows] == ["soc", "softmax", *REFERENCES]


@pytest.mark.parametrize("head", list(_models.HEADS))
def test_every_head_gets_the_shared_encoder_and_otherwise_its_defaults(head):
    model = _models.build_model(head, embedding_dim=2, epochs=5, seed=3)

    expected = _models.HEADS[head]().get_params()
    expected.update(embedding_dim=2, max_epochs=5, random_state=3)
    assert type(model) is _models.HEADS[head]
    assert model.get_params() == expected
    default_epochs = _models.build_model(head, embedding_dim=2, epochs=None, seed=3)
    assert default_epochs.max_epochs == _models.HEADS[head]().max_epochs == 200


def test_the_seed_makes_the_scores_reproducible(capsys):
    def scores(seed):
        code, out, _ = run(
            capsys, "compare", *FAST, "--heads", "soc", "--no-reference", "--seed", seed
        )
        assert code == 0
        (row,) = printed_table(out)[1]
        return {key: value for key, value in row.items() if key != "fit_seconds"}

    assert scores("3") == scores("3")
    assert scores("3") != scores("4")


def test_out_writes_the_table_as_csv_and_json_and_the_figures(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    out_dir = tmp_path / "results" / "iris"
    code, out, err = run(
        capsys, "compare", *FAST, "--heads", "soc,softmax", "--out", str(out_dir)
    )

    assert code == 0
    assert f"wrote {out_dir}" in err
    table = pd.read_csv(out_dir / "results.csv")
    assert list(table.columns) == COMPARE_COLUMNS
    document = json.loads((out_dir / "results.json").read_text())
    assert document["metadata"] == {
        "command": "compare",
        "dataset": "iris",
        "n_train": 105,
        "n_test": 45,
        "n_features": 4,
        "categorical_features": [],
        "n_classes": 3,
        "embedding_dim": 16,
        "hidden_layer_sizes": [128],
        "max_epochs": 3,
        "references": {
            "hgb": "HistGradientBoostingClassifier",
            "mlp": "MLPClassifier",
        },
        "seed": 0,
        "sksoc_version": __version__,
    }
    pd.testing.assert_frame_equal(pd.DataFrame(document["results"]), table)
    assert table["kind"].tolist() == ["head", "head", "reference", "reference"]
    assert table.loc[2:, EMBEDDING_COLUMNS].isna().all(axis=None)
    _, printed = printed_table(out)
    for row, shown in zip(table.to_dict("records"), printed, strict=True):
        assert shown["head"] == row["head"]
        assert float(shown["accuracy"]) == pytest.approx(row["accuracy"], abs=5e-5)
        assert float(shown["log_loss"]) == pytest.approx(row["log_loss"], abs=5e-5)
        assert float(shown["ece"]) == pytest.approx(row["ece"], abs=5e-5)

    from matplotlib.image import imread

    names = [
        "accuracy.png",
        "embedding_soc.png",
        "embedding_softmax.png",
        "similarity_soc.png",
        "similarity_softmax.png",
    ]
    assert sorted(p.name for p in out_dir.glob("*.png")) == names
    for name in names:
        path = out_dir / name
        assert path.read_bytes()[:8] == PNG_SIGNATURE
        assert path.stat().st_size > 5_000
        height, width, _ = imread(path).shape
        assert height >= 300 and width >= 300


def test_a_users_csv_with_string_labels(capsys, tmp_path, iris_frame):
    path = write_csv(tmp_path, iris_frame)

    from_csv = ["--csv", str(path), "--target", "species"]
    code, out, _ = run(
        capsys, "compare", *from_csv, "--epochs", "3", "--heads", "soc,fixed"
    )

    assert code == 0
    assert out.splitlines()[0] == (
        f"sksoc compare on {path}: 105 train / 45 test samples, 4 features, 3 classes"
    )
    # A table goes to the estimators as it is, and they encode it.
    assert out.splitlines()[1].startswith("tabular encoder (256,) -> 16-d embedding")
    _, rows = printed_table(out)
    assert [row["head"] for row in rows] == ["soc", "fixed", *REFERENCES]


@pytest.fixture
def field_notes(iris_frame):
    """Iris as a table comes: a text, a boolean and a date column, numbers missing."""
    frame = iris_frame.copy()
    frame["site"] = np.where(frame.index % 3 == 0, "north", "south")
    frame["photographed"] = frame.index % 2 == 0
    frame["day"] = np.where(frame.index % 4 == 0, "2024-05-01", "2024-05-02")
    frame.iloc[::10, 0] = np.nan  # sepal length, 15 rows
    frame.iloc[[5, 7], 2] = np.nan
    return frame


def test_a_csv_with_text_booleans_and_missing_numbers(capsys, tmp_path, field_notes):
    path = write_csv(tmp_path, field_notes)

    code, out, err = run(
        capsys, "compare", "--csv", str(path), "--target", "species", *FAST[2:]
    )

    assert code == 0
    assert out.splitlines()[0] == (
        f"sksoc compare on {path}: 105 train / 45 test samples, "
        "7 features (4 numeric, 3 categorical), 3 classes"
    )
    assert "kept 17 rows with missing values" in err
    assert "'sepal length (cm)', 'petal length (cm)'" in err
    _, rows = printed_table(out)
    assert [row["head"] for row in rows] == HEADS + REFERENCES
    for row in rows:
        assert 0 <= float(row["accuracy"]) <= 1


def test_the_reference_rows_use_the_heads_split(capsys, tmp_path, field_notes):
    path = write_csv(tmp_path, field_notes)
    argv = ["compare", "--csv", str(path), "--target", "species", "--seed", "3"]

    code, out, _ = run(capsys, *argv, "--epochs", "2", "--heads", "soc")
    assert code == 0
    assert "105 train / 45 test samples" in out.splitlines()[0]
    _, rows = printed_table(out)
    printed = {row["head"]: row for row in rows}

    args = SimpleNamespace(csv=path, target="species", dropna=False, seed=3)
    split = _data.load_split(args)
    assert isinstance(split.X_train, pd.DataFrame)  # the table as read
    assert split.X_train["site"].isin(["north", "south"]).all()
    for name, model in _baselines.build_references(split, seed=3):
        # Fitted on label codes (see fit_and_score_reference), on this split.
        row, _ = _baselines.fit_and_score_reference(name, model, split)
        classes = np.unique(split.y_train)
        predicted = classes[model.predict(split.X_test)]
        assert row["accuracy"] == np.mean(predicted == split.y_test)
        assert float(printed[name]["accuracy"]) == pytest.approx(
            row["accuracy"], abs=5e-5
        )


def test_hgb_takes_text_as_categories_and_many_levels_as_codes():
    frame = pd.DataFrame(
        {
            "few": ["a", "b", None, "a"] * 75,
            "many": [f"id{i}" for i in range(300)],
            "flag": [True, False] * 150,
            "number": np.arange(300.0),
        }
    )
    columns = _baselines.CategoricalColumns(["few", "many", "flag"], as_category=True)

    out = columns.fit(frame).transform(frame.assign(few="c"))  # an unseen level

    assert out["few"].cat.categories.tolist() == ["a", "b"]
    assert out["few"].isna().all()
    assert out["flag"].cat.categories.tolist() == ["False", "True"]
    assert out["many"].dtype == np.float64  # 300 levels: more than HGB takes
    assert out["number"].equals(frame["number"])
    as_text = _baselines.CategoricalColumns(["few", "flag"]).fit(frame)
    text = as_text.transform(frame)
    assert text["flag"].tolist()[:2] == ["True", "False"]
    assert text["few"].isna().sum() == 75


def test_a_reference_that_cannot_train_is_left_out_with_a_note():
    class Failing:
        def fit(self, X, y):
            raise ValueError("too few rows")

    split = SimpleNamespace(X_train=None, y_train=None)
    row, notes = _baselines.fit_and_score_reference("mlp", Failing(), split)
    assert row is None
    assert notes == ["reference mlp left out: it failed to train: too few rows"]


def test_a_missing_value_shows_as_a_dash_in_reference_rows_only():
    table = pd.DataFrame(
        {
            "head": ["soc", "hgb"],
            "kind": ["head", "reference"],
            "silhouette": [np.nan, np.nan],
        }
    )
    assert _output.format_table(table).splitlines() == [
        "head silhouette",
        "soc         nan",
        "hgb           -",
    ]


def test_missing_values_are_kept_and_dropna_drops_them(capsys, tmp_path, iris_frame):
    iris_frame.iloc[[3, 80], 0] = np.nan
    iris_frame.iloc[80, 1] = np.nan
    path = write_csv(tmp_path, iris_frame)
    argv = ["compare", "--csv", str(path), "--target", "species", "--epochs", "2"]
    argv += ["--heads", "soc", "--no-reference"]

    code, out, err = run(capsys, *argv)
    assert code == 0
    assert "kept 2 rows with missing values" in err and "--dropna drops" in err
    assert "105 train / 45 test samples" in out

    code, out, err = run(capsys, *argv, "--dropna")
    assert code == 0
    assert "dropped 2 rows with missing values" in err
    assert "103 train / 45 test samples" in out


def test_missing_labels_are_an_error_unless_dropna(capsys, tmp_path, iris_frame):
    iris_frame.loc[[0, 50, 100], "species"] = None
    path = write_csv(tmp_path, iris_frame)
    argv = ["compare", "--csv", str(path), "--target", "species", "--epochs", "2"]

    result = run(capsys, *argv)
    assert_one_line_error(*result, "3 rows", "no label in 'species'", "--dropna")

    code, _, err = run(capsys, *argv, "--heads", "soc", "--dropna")
    assert code == 0
    assert "dropped 3 rows with missing values (in 'species')" in err


# -- sweep -----------------------------------------------------------------------


def test_sweep_prints_a_row_per_dimension_and_softmax_at_one_per_class(
    capsys, tmp_path
):
    pytest.importorskip("matplotlib")
    code, out, _ = run(capsys, "sweep", *FAST, "--dims", "2,1", "--out", str(tmp_path))

    assert code == 0
    assert (
        out.splitlines()[1]
        == "SOC at embedding dims 1,2 vs softmax at 3, one per class"
    )
    header, rows = printed_table(out)
    assert header == SWEEP_COLUMNS
    assert [(row["head"], row["embedding_dim"]) for row in rows] == [
        ("soc", "1"),
        ("soc", "2"),
        ("softmax", "3"),
    ]
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert table["embedding_dim"].tolist() == [1, 2, 3]
    document = json.loads((tmp_path / "sweep.json").read_text())
    assert document["metadata"]["dims"] == [1, 2]
    assert len(document["results"]) == 3
    assert (tmp_path / "sweep.png").read_bytes()[:8] == PNG_SIGNATURE


# -- what the numbers are -------------------------------------------------------


def test_geometry_is_measured_against_the_class_embeddings_of_present_classes():
    X, y = load_iris(return_X_y=True)
    model = SOCClassifier(max_epochs=3, random_state=0).fit(X, y)
    X_test, y_test = X[y != 1], y[y != 1]  # class 1 missing from the test set

    scores = _models.evaluate(model, X_test, y_test)

    embedding = model.transform(X_test)
    W = model.class_embeddings_[[0, 2]]
    assert scores["compactness"] == pytest.approx(
        intra_class_compactness(embedding, y_test, class_embeddings=W)
    )
    assert scores["separability"] == pytest.approx(
        inter_class_separability(embedding, y_test, class_embeddings=W)
    )
    assert scores["accuracy"] == pytest.approx(model.score(X_test, y_test))
    assert scores["epochs"] == model.n_iter_


@pytest.mark.parametrize("Estimator", [SoftmaxClassifier, SOCClassifier])
def test_the_silhouette_ignores_lengths_for_every_head(Estimator):
    # Fixed and margin heads embed on the unit sphere, softmax and SOC do not:
    # the silhouette is of the directions for all four, so one footing.
    X, y = load_iris(return_X_y=True)
    model = Estimator(max_epochs=3, random_state=0).fit(X, y)
    embedding = model.transform(X)
    assert not np.allclose(np.linalg.norm(embedding, axis=1), 1.0)

    scores = _models.evaluate(model, X, y)

    on_the_sphere = embedding / np.linalg.norm(embedding, axis=1, keepdims=True)
    rescaled = embedding * np.random.default_rng(0).uniform(0.1, 10, (len(y), 1))
    for directions in (on_the_sphere, rescaled):
        assert scores["silhouette"] == pytest.approx(
            silhouette_score(directions, y, metric="cosine")
        )


def test_the_split_is_stratified_70_30_and_scaled_on_the_training_part():
    args = SimpleNamespace(dataset="iris", csv=None, target=None, seed=0)

    split = _data.load_split(args)

    assert (len(split.y_train), len(split.y_test)) == (105, 45)
    assert np.unique(split.y_test, return_counts=True)[1].tolist() == [15, 15, 15]
    np.testing.assert_allclose(split.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(split.X_train.std(axis=0), 1)
    assert split.y_train.dtype.kind == "U"  # species names, not codes


# -- errors a user will make ---------------------------------------------------


def assert_one_line_error(code, out, err, *words):
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("sksoc: error: ")
    for word in words:
        assert word in err


def test_missing_file(capsys, tmp_path):
    missing = tmp_path / "nothing.csv"
    result = run(capsys, "compare", "--csv", str(missing), "--target", "y")
    assert_one_line_error(*result, "no such file", str(missing))


def test_missing_target_column_lists_the_columns(capsys, tmp_path, iris_frame):
    path = write_csv(tmp_path, iris_frame)
    result = run(capsys, "compare", "--csv", str(path), "--target", "label")
    assert_one_line_error(*result, "no column 'label'", "'species'", "'sepal")


@pytest.mark.parametrize(
    "content, words",
    [
        ("", ["cannot read", "as CSV"]),
        ('a,b\n1,2\n3,4,5,6\n"open\n', ["cannot read", "as CSV", "line 3"]),
        ("a,b\n1,0.5\n2,0.25\n3,0.125\n4,0.0625\n", ["'b'", "continuous"]),
        ("a,b\n1,x\n2,x\n3,x\n", ["single class", "'x'"]),
        ("a,c,b\n1,inf,x\n2,3,y\n", ["infinite values in 'c'"]),
        ("a,b\n1,x\n2,x\n3,y\n4,y\n5,z\n", ["class 'z' has a single sample"]),
    ],
    ids=["empty", "ragged", "continuous", "one-class", "infinite", "lonely-class"],
)
def test_unusable_csv_content(capsys, tmp_path, content, words):
    path = tmp_path / "data.csv"
    path.write_text(content)
    result = run(capsys, "compare", "--csv", str(path), "--target", "b")
    assert_one_line_error(*result, *words)


@pytest.mark.parametrize(
    "argv, words",
    [
        (
            ["compare", "--dataset", "cifar"],
            ["unknown dataset 'cifar'", *_data.DATASETS],
        ),
        (["compare", "--heads", "soc,arc"], ["unknown head 'arc'", *_models.HEADS]),
        (["sweep", "--dataset", "mnist"], ["unknown dataset 'mnist'"]),
        (["compare", "--csv", "data.csv"], ["--csv needs --target"]),
        (["compare", "--target", "y"], ["--target goes with --csv"]),
        (["compare", "--epochs", "0"], ["--epochs", "at least 1"]),
        (["sweep", "--dims", "1,two"], ["--dims", "'two'"]),
        (["compare", "--dataset", "iris", "--csv", "x.csv"], ["not allowed"]),
        (["compare", "--frobnicate"], ["unrecognized arguments: --frobnicate"]),
        (["fit"], ["invalid choice: 'fit'", "compare", "sweep"]),
        ([], ["choose a command", "compare", "sweep"]),
    ],
    ids=[
        "dataset",
        "head",
        "sweep-dataset",
        "csv-alone",
        "target-alone",
        "epochs",
        "dims",
        "dataset-and-csv",
        "option",
        "command",
        "no-command",
    ],
)
def test_command_line_mistakes(capsys, argv, words):
    assert_one_line_error(*run(capsys, *argv), *words)


def test_mnist1d_without_its_package_says_how_to_install_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "mnist1d", None)  # import mnist1d fails
    result = run(capsys, "compare", "--dataset", "mnist1d")
    assert_one_line_error(
        *result, "dataset 'mnist1d' needs the mnist1d package: pip install mnist1d"
    )


def test_out_without_matplotlib_fails_before_training(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out_dir = tmp_path / "results"
    result = run(capsys, "compare", "--out", str(out_dir))
    assert_one_line_error(
        *result, "--out needs matplotlib", "pip install 'sksoc[plot]'"
    )
    assert not out_dir.exists()


def test_training_that_diverges_is_reported_in_one_line():
    class Diverging:
        def fit(self, X, y):
            raise TrainingDivergedError("The training loss became nan at epoch 3.")

    split = SimpleNamespace(X_train=None, y_train=None)
    with pytest.raises(CommandError, match="training soc failed: .* nan") as info:
        _models.fit_timed("soc", Diverging(), split)
    assert info.value.exit_code == 1


def test_interrupting_exits_with_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(_commands, "load_split", interrupted)
    code, _, err = run(capsys, "compare")
    assert code == 130
    assert err.strip() == "sksoc: interrupted"


# -- mnist1d is generated, never downloaded ---------------------------------------


def test_mnist1d_is_generated_locally_and_leaves_global_seeds_alone(monkeypatch):
    calls = []

    def make_dataset(args):
        calls.append(args)
        np.random.seed(args.seed)  # noqa: NPY002 (mnist1d reseeds the global one)
        return {
            "x": np.ones((8, 40)),
            "y": np.arange(8) % 4,
            "x_test": np.zeros((2, 40)),
            "y_test": np.array([0, 1]),
        }

    def get_dataset(*args, **kwargs):
        raise AssertionError("get_dataset downloads; it must not be called")

    package, data = ModuleType("mnist1d"), ModuleType("mnist1d.data")
    package.__path__ = []
    data.make_dataset = make_dataset
    data.get_dataset = get_dataset
    data.get_dataset_args = lambda: SimpleNamespace(seed=42)
    package.data = data
    monkeypatch.setitem(sys.modules, "mnist1d", package)
    monkeypatch.setitem(sys.modules, "mnist1d.data", data)
    np.random.seed(7)  # noqa: NPY002
    expected = np.random.random_sample()  # noqa: NPY002
    np.random.seed(7)  # noqa: NPY002

    X, y = _data.load_builtin("mnist1d")

    assert len(calls) == 1
    assert X.shape == (10, 40) and y.tolist() == [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]
    assert np.random.random_sample() == expected  # noqa: NPY002


@pytest.mark.slow
def test_mnist1d_for_real(capsys):
    pytest.importorskip("mnist1d")
    code, out, _ = run(capsys, "compare", "--dataset", "mnist1d", "--epochs", "2")
    assert code == 0
    assert "3500 train / 1500 test samples, 40 features, 10 classes" in out


# -- the terminal -----------------------------------------------------------------


def test_progress_bar_on_request_and_quiet_silences_it(capsys):
    code, _, err = run(capsys, "compare", *FAST, "--heads", "soc", "--progress")
    assert code == 0
    assert "training soc (1/3)" in err
    assert "training hgb (2/3)" in err and "training mlp (3/3)" in err

    code, out, err = run(
        capsys, "compare", *FAST, "--heads", "soc", "--progress", "--quiet"
    )
    assert code == 0
    assert err == ""
    assert "soc" in out


class RecordingBar:
    """Stands in for tqdm: draws nothing, records what the bar is told."""

    def __init__(self, *, total, desc, **kwargs):
        self.total, self.n, self.told = total, 0, [desc]

    def set_description_str(self, desc):
        self.told.append(desc)

    def update(self, n):
        self.n += n
        self.told.append(n)

    def close(self):
        pass


def test_the_bar_steps_once_per_epoch_and_jumps_past_an_early_stop(monkeypatch):
    bars = []

    def recording_tqdm(**kwargs):
        bars.append(RecordingBar(**kwargs))
        return bars[-1]

    monkeypatch.setattr(_progress, "tqdm", recording_tqdm)
    split = _data.load_split(
        SimpleNamespace(dataset="iris", csv=None, target=None, seed=0)
    )
    # tol=10: no epoch improves enough, so the second one stops training
    # (lr_decay=None: the first plateau stops it).
    stops_early = SOCClassifier(
        max_epochs=6, n_iter_no_change=1, tol=10, lr_decay=None, random_state=0
    )
    runs_out = SoftmaxClassifier(max_epochs=3, random_state=0)
    args = SimpleNamespace(quiet=False, progress=True)

    rows = _models.train_and_score(
        [("soc", stops_early), ("softmax", runs_out)], split, args
    )

    assert [row["epochs"] for row in rows] == [2, 3]
    assert stops_early.n_iter_ == 2 and runs_out.n_iter_ == 3
    (bar,) = bars
    # A step per epoch (none for the warm-up), then the rest of the fit's share.
    assert bar.told == [
        "starting",
        "training soc (1/2)",
        *[1] * 2,
        4,
        "training softmax (2/2)",
        *[1] * 3,
        0,
    ]
    assert bar.n == bar.total == 9


def test_the_tick_callback_counts_the_epochs_of_each_fit():
    X, y = load_iris(return_X_y=True)
    ticks = []
    callback = _progress.EpochTicks(lambda: ticks.append(1))
    model = SOCClassifier(max_epochs=4, callbacks=[callback], random_state=0)

    model.fit(X, y)
    assert callback.epochs_ == len(ticks) == model.n_iter_ == 4

    model.set_params(max_epochs=2).fit(X, y)
    assert callback.epochs_ == model.n_iter_ == 2
    assert len(ticks) == 6


def test_torch_thread_count_is_restored(capsys):
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert run(capsys, "compare", *FAST, "--heads", "soc")[0] == 0
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"sksoc {__version__}"


def test_help_explains_every_option(capsys):
    code, out, _ = run(capsys, "compare", "--help")
    assert code == 0
    options = "--dataset --csv --target --dropna --heads --embedding-dim --epochs"
    options += " --reference --no-reference --seed --out --progress --quiet"
    for option in options.split():
        assert option in out
    assert "radians" in out and "breast_cancer" in out

    code, out, _ = run(capsys, "sweep", "--help")
    assert code == 0
    assert "--dims" in out and "one feature per class" in out


def test_python_dash_m_sksoc():
    result = subprocess.run(
        [sys.executable, "-m", "sksoc", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: sksoc ")
    assert "compare" in result.stdout and "sweep" in result.stdout
