"""Every number the docs show is in a file a script writes; the prose agrees.

The outputs the command-line page shows are what the commands print today:
``benchmarks/cli_outputs.py`` writes them; regenerate with
``python benchmarks/cli_outputs.py`` (after ``python
benchmarks/readme_compare.py``, whose README block the page's first run
copies). The other tests read a table the user guide includes, from
``docs/user_guide/_generated``, and check what a page says about it; each
names the script that writes its table.
"""

import csv
import re
import sys

import pytest

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)
from tests.helpers import ROOT, load_benchmark

DOCS = ROOT / "docs"
GENERATED = DOCS / "user_guide" / "_generated"


def prose(page):
    """The text of ``docs/<page>``, every run of white space one space."""
    return " ".join((DOCS / page).read_text().split())


def table(name):
    """The rows of ``docs/user_guide/_generated/<name>``, a CSV file, as dicts."""
    with open(GENERATED / name, newline="") as file:
        return list(csv.DictReader(file))


def code_block(page, heading):
    """The first Python code block of ``docs/<page>`` after ``heading``."""
    lines = (DOCS / page).read_text().splitlines()
    start = lines.index(".. code-block:: python", lines.index(heading)) + 1
    block = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        block.append(line[4:])
    return "\n".join(block).strip() + "\n"


def load_script():
    return load_benchmark("cli_outputs")


script = load_script()


def included(name):
    return (script.OUT / name).read_text()


@pytest.fixture(scope="module")
def printed():
    """What the page's commands print now, per file."""
    return script.sessions()


@pytest.mark.parametrize("name", list(script.SESSIONS))
def test_included_output_is_what_the_commands_print(name, printed):
    # Regenerate with: python benchmarks/cli_outputs.py
    assert script.without_timing(included(name)) == script.without_timing(printed[name])


def test_the_first_run_is_the_readme_output():
    # The README's block is checked against the command by tests/test_readme.py.
    assert script.without_timing(included("compare.txt")) == script.without_timing(
        script.first_run()
    )


def test_the_dataset_table_counts_the_data():
    # mnist1d takes seconds to generate; its sizes are checked by the slow
    # test of tests/test_cli.py.
    names = [name for name in script.DATASETS if name != "mnist1d"]
    rows = script.as_csv(script.datasets_table(names)).splitlines()
    assert set(rows) <= set(included("datasets.csv").splitlines())


def sweep_accuracy():
    """``{(head, embedding_dim): accuracy}`` of the page's ``sksoc sweep``."""
    lines = included("sweep.txt").splitlines()
    rows = [line.split() for line in lines[lines.index("") + 2 :] if line.strip()]
    return {(head, int(dim)): float(acc) for head, dim, acc, *_ in rows}


def test_the_sweep_sentence_holds():
    # cli.rst: "five dimensions are enough for SOC to match softmax with ten".
    accuracy = sweep_accuracy()
    assert accuracy["soc", 5] >= accuracy["softmax", 10] - 0.005


# The front page's example: SOCClassifier(embedding_dim=5) on the digits.


def test_the_front_page_accuracy_is_the_sweeps():
    # docs/index.rst: "model.score(X_test, y_test)  # accuracy, about 0.97",
    # the sweep's row (soc, 5) rounded to the digits the page gives.
    shown = re.search(r"# accuracy, about (\d\.\d+)", prose("index.rst"))[1]
    decimals = len(shown.split(".")[1])
    assert float(shown) == round(sweep_accuracy()["soc", 5], decimals)


def test_the_front_page_example_is_the_sweeps_model():
    # The example's pipeline is the model of that row: same split, scaling,
    # encoder and seed.
    namespace = {}
    exec(code_block("index.rst", "A short example"), namespace)
    score = namespace["model"].score(namespace["X_test"], namespace["y_test"])
    assert round(score, 4) == sweep_accuracy()["soc", 5]


# Training: the engine and its defaults (docs/user_guide/training.rst).


def test_the_training_page_names_the_calibration_default():
    estimators = (SOCClassifier, FixedRandomClassifier, MarginClassifier)
    defaults = {cls().calibration for cls in (*estimators, SoftmaxClassifier)}
    assert len(defaults) == 1
    (default,) = defaults
    assert f'``calibration="{default}"`` (the default)' in prose(
        "user_guide/training.rst"
    )


WEIGHT_DECAY = (
    "Raised the mean accuracy of the softmax, SOC and fixed-vector heads, each "
    "most on the 32-class set; the margin head's fell a little."
)
RAISED_BY_WEIGHT_DECAY = ("SoftmaxClassifier", "SOCClassifier", "FixedRandomClassifier")


def weight_decay_gains(rows, key, column):
    """Accuracy with weight decay minus that of the step before, by ``key(row)``."""
    accuracy = {(key(row), row["setting"]): float(row[column]) for row in rows}
    return {
        name: accuracy[name, "+ weight decay 1e-3"] - accuracy[name, "+ early stopping"]
        for name, setting in accuracy
        if setting == "+ weight decay 1e-3"
    }


def test_the_weight_decay_sentence_holds():
    # Regenerate with: python benchmarks/defaults.py --out
    # docs/user_guide/_generated/defaults.csv (it writes defaults_per_set.csv).
    assert WEIGHT_DECAY in prose("user_guide/training.rst")
    gains = weight_decay_gains(
        table("defaults.csv"), key=lambda row: row["model"], column="mean accuracy"
    )
    for model in RAISED_BY_WEIGHT_DECAY:
        assert gains[model] > 0
    # "fell a little": less than half a point.
    assert -0.005 < gains["MarginClassifier"] < 0
    per_set = weight_decay_gains(
        table("defaults_per_set.csv"),
        key=lambda row: (row["model"], row["data set"]),
        column="accuracy",
    )
    for model in RAISED_BY_WEIGHT_DECAY:
        gain = {data: g for (name, data), g in per_set.items() if name == model}
        assert max(gain, key=gain.get) == "multiclass_32"


# SOC's head parameters (docs/user_guide/soc.rst); regenerate with:
# python benchmarks/soc_defaults.py --out docs/user_guide/_generated/soc_defaults.csv

# What the page says each column holds, in the table's order.
SOC_COLUMNS = [
    "Parameters",
    # accuracies on a stratified 30% test split of all ten classes (the
    # digits also with embedding_dim=10 and embedding_dim=2)
    "digits acc.",
    "digits acc., embedding_dim=10",
    "digits acc., embedding_dim=2",
    "MNIST-1D acc.",
    # the open-set AUROC against every row of the unseen classes (digits
    # trained on 0-5, MNIST-1D on 0-4), against uniform noise and against
    # known rows shuffled within the row
    "digits AUROC, 0-5 / 6-9",
    "digits AUROC, noise",
    "digits AUROC, shuffled",
    "MNIST-1D AUROC, 0-4 / 5-9",
    "MNIST-1D AUROC, noise",
    "MNIST-1D AUROC, shuffled",
    # in the last two columns add_classes on digits trained on 0-7
    "add 8, 9: new classes' acc.",
    "add 8, 9: old classes' drop (points)",
]
FAR_OOD = [name for name in SOC_COLUMNS if name.endswith(("noise", "shuffled"))]
NEW_CLASSES = "add 8, 9: new classes' acc."


def params(**values):
    """The key of the SOC table's row of these head parameters."""
    return frozenset((name, float(value)) for name, value in values.items())


def soc_table():
    """The SOC table, ``{key: {column: value}}``.

    Every SOC row's key is :func:`params` of the parameters it names; the
    softmax row's is None, and the default row is also under "default".
    """
    rows = {}
    for row in table("soc_defaults.csv"):
        label = row.pop("Parameters")
        values = {name: float(value) for name, value in row.items() if value}
        if label.startswith("SoftmaxClassifier"):
            rows[None] = values
            continue
        names = label.split(" (")[0].split(", ")
        rows[params(**dict(name.split("=") for name in names))] = values
        if label.endswith("default)"):
            rows["default"] = values
    return rows


def soc_rows(rows):
    return {key: values for key, values in rows.items() if key not in (None, "default")}


def test_the_soc_table_has_the_columns_the_page_describes():
    with open(GENERATED / "soc_defaults.csv", newline="") as file:
        assert next(csv.reader(file)) == SOC_COLUMNS


def test_the_soc_defaults_are_the_estimators():
    # "The defaults were chosen by measurement: likelihood_weight=0.1,
    # label_smoothing=0, class_loss_weight=0.5, reference_weight=0"; the
    # table's row marked "(default)" is theirs.
    page, defaults = prose("user_guide/soc.rst"), SOCClassifier().get_params()
    named = ("likelihood_weight", "label_smoothing", "class_loss_weight")
    for name in (*named, "reference_weight"):
        assert f"``{name}={defaults[name]:g}``" in page
    rows = soc_table()
    default = params(
        likelihood_weight=defaults["likelihood_weight"],
        label_smoothing=defaults["label_smoothing"],
    )
    assert rows[default] is rows["default"]


def test_the_likelihood_weight_sentences_hold():
    rows = soc_table()
    reference = rows[params(likelihood_weight=0, label_smoothing=0.1)]
    weights = {
        weight: rows[params(likelihood_weight=weight, label_smoothing=0)]
        for weight in (0.03, 0.1, 0.3)
    }
    # "its digits AUROC is below one half"; "a small likelihood weight turns
    # it around".
    assert reference["digits AUROC, 0-5 / 6-9"] < 0.5
    assert all(row["digits AUROC, 0-5 / 6-9"] > 0.5 for row in weights.values())
    # "0.1 gives the best MNIST-1D accuracy and AUROC".
    for column in ("MNIST-1D acc.", "MNIST-1D AUROC, 0-4 / 5-9"):
        assert max(weights, key=lambda weight: weights[weight][column]) == 0.1
    # "a larger weight ranks the unseen digits a little better"; "a smaller
    # one does no better on the digits" (within half a point).
    unseen = {weight: row["digits AUROC, 0-5 / 6-9"] for weight, row in weights.items()}
    assert unseen[0.3] > unseen[0.1]
    assert unseen[0.03] < unseen[0.1] + 0.005


def test_the_smoothing_and_class_mean_sentences_hold():
    rows = soc_table()
    default = rows["default"]
    # "A little smoothing ... costs MNIST-1D accuracy and the digits' AUROC
    # against noise."
    smoothing = rows[params(likelihood_weight=0.1, label_smoothing=0.02)]
    for column in ("MNIST-1D acc.", "digits AUROC, noise"):
        assert smoothing[column] < default[column]
    # "without it the AUROC against unseen classes and the added classes are
    # worse".
    without = rows[
        params(likelihood_weight=0.1, label_smoothing=0, class_loss_weight=0)
    ]
    for column in ("digits AUROC, 0-5 / 6-9", "MNIST-1D AUROC, 0-4 / 5-9", NEW_CLASSES):
        assert without[column] < default[column]


def test_the_soc_accuracy_sentences_hold():
    rows = soc_table()
    softmax, soc = rows[None], soc_rows(rows)
    reference = rows[params(likelihood_weight=0, label_smoothing=0.1)]
    # "Accuracy on the digits hardly depends on these choices" (a point at
    # most), "and every SOC row is above SoftmaxClassifier on both data sets".
    digits = [row["digits acc."] for row in soc.values()]
    assert max(digits) - min(digits) <= 0.01
    for row in soc.values():
        for column in ("digits acc.", "MNIST-1D acc."):
            assert row[column] > softmax[column]
    # "on MNIST-1D the default adds to the reference loss's margin".
    assert rows["default"]["MNIST-1D acc."] > reference["MNIST-1D acc."]


def test_the_reference_term_sentences_hold():
    rows = soc_table()
    default = rows["default"]
    term = {
        weight: rows[
            params(likelihood_weight=0.1, label_smoothing=0, reference_weight=weight)
        ]
        for weight in (0.1, 0.3, 0.6)
    }
    # "with reference_weight=0.3 every far-OOD column is near one" (0.98 or
    # more), "the new classes of add_classes gain, and accuracy holds" (within
    # half a point).
    assert all(term[0.3][column] >= 0.98 for column in FAR_OOD)
    assert term[0.3][NEW_CLASSES] > default[NEW_CLASSES]
    for column in ("digits acc.", "MNIST-1D acc."):
        assert term[0.3][column] >= default[column] - 0.005
    # "0.1 does less for MNIST-1D's shuffled rows and the added classes".
    for column in ("MNIST-1D AUROC, shuffled", NEW_CLASSES):
        assert term[0.1][column] < term[0.3][column]
    # "0.6 is where the term starts to cost digits accuracy": more than half
    # a point, where 0.1 and 0.3 stay within it.
    for weight, row in term.items():
        cost = default["digits acc."] - row["digits acc."]
        assert (cost > 0.005) == (weight == 0.6)
    # "In a small embedding ... the term costs accuracy: see the
    # embedding_dim=2 column."
    small = "digits acc., embedding_dim=2"
    assert all(row[small] < default[small] for row in term.values())


def test_no_setting_brings_the_added_classes_up_to_the_digits():
    # "None of these settings brings the added digits 8 and 9 up to the
    # accuracy of a model trained on all ten digits from the start";
    # "The reference term helps most here".
    soc = soc_rows(soc_table())
    assert all(row[NEW_CLASSES] < row["digits acc."] for row in soc.values())
    best = max(soc, key=lambda key: soc[key][NEW_CLASSES])
    assert "reference_weight" in dict(best)


def test_the_reference_term_costs_fit_time():
    # soc.rst, from benchmarks/fit.py's summary: "its geometric-mean fit time
    # is over twice that of SOCClassifier at the defaults, and its accuracy is
    # higher". Both ratios are to the same reference, so their quotient is the
    # ratio of the fit times.
    summary = {row["model"]: row for row in table("fit/summary.csv")}
    term, default = (
        summary["SOCClassifier(reference_weight=0.3)"],
        summary["SOCClassifier"],
    )
    ratio = next(name for name in default if name.startswith("geomean_ratio_to_"))
    assert float(term[ratio]) > 2 * float(default[ratio])
    assert float(term["mean_accuracy"]) > float(default["mean_accuracy"])


def test_the_fit_targets_on_the_training_page_are_the_scripts():
    # training.rst: "a geometric mean over the six sets of at most 1.0" (HGB)
    # and "at most 0.5 points below" MLPClassifier(early_stopping=True)'s.
    # fit.py imports its sibling _datasets; appended, not prepended, so that
    # benchmarks/distributed.py cannot shadow Dask's package.
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.append(str(ROOT / "benchmarks"))
    fit = load_benchmark("fit")
    text = " ".join((ROOT / "docs" / "user_guide" / "training.rst").read_text().split())
    assert fit.FIT_TIME_TARGET_VS_HGB == 1.0
    assert "of at most 1.0, for every estimator alike" in text
    assert fit.ACCURACY_TOLERANCE_POINTS == 0.5
    assert "at most 0.5 points below" in text
    assert len(fit.DATASETS) == 6 and "over the six sets" in text
