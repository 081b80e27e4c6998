"""The training schedule's defaults and the sentences about them.

training.rst's "The schedule" section reads ``schedule/summary.csv``,
written by ``benchmarks/schedule_defaults.py``; tabular.rst and soc.rst say
which of their tables were measured with the previous schedule.
"""

import inspect

import pandas as pd
import pytest

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)
from tests.helpers import ROOT, load_benchmark

DOCS = ROOT / "docs"
OUT = DOCS / "user_guide" / "_generated" / "schedule"
script = load_benchmark("schedule_defaults")
ESTIMATORS = (SoftmaxClassifier, SOCClassifier, FixedRandomClassifier, MarginClassifier)


def prose(page):
    return " ".join((DOCS / "user_guide" / page).read_text().split())


def default_schedule(Estimator):
    """The script's name of the schedule ``Estimator`` ships with."""
    parameters = inspect.signature(Estimator).parameters
    shipped = {
        name: parameters[name].default for name in ("n_iter_no_change", "lr_decay")
    }
    (name,) = [name for name, value in script.SCHEDULES.items() if value == shipped]
    return name


CHANGE, TIME = "accuracy change (points)", "fit time / previous"


@pytest.fixture(scope="module")
def summary():
    """summary.csv, a dict of rows (dicts) keyed by (head, schedule)."""
    table = pd.read_csv(OUT / "summary.csv")
    return {(row["head"], row["schedule"]): row for row in table.to_dict("records")}


def test_the_summary_is_computed_from_the_runs(summary):
    runs = pd.read_csv(OUT / "runs.csv")
    recomputed = script.summary(runs)
    written = pd.read_csv(OUT / "summary.csv")
    pd.testing.assert_frame_equal(
        recomputed.round(4).reset_index(drop=True),
        written.round(4),
        check_dtype=False,
        atol=1e-4,
    )
    # Every head ran every schedule of the script on every set and seed.
    for Head, schedules in script.HEADS.items():
        for schedule in schedules:
            assert summary[Head.__name__, schedule]["runs"] == len(
                set(zip(runs["set"], runs["seed"], strict=True))
            )


def test_the_estimators_ship_the_schedules_the_page_names():
    # "n_iter_no_change=3 (5 for MarginClassifier) and lr_decay=0.1".
    page = prose("training.rst")
    assert (
        "``n_iter_no_change=3`` (5 for :class:`MarginClassifier`) and "
        "``lr_decay=0.1``" in page
    )
    for Estimator in ESTIMATORS:
        expected = (
            script.MARGIN_DEFAULT if Estimator is MarginClassifier else script.DEFAULT
        )
        assert default_schedule(Estimator) == expected
    assert script.SCHEDULES[script.PREVIOUS] == dict(n_iter_no_change=10, lr_decay=None)
    # The shared docstring: "MarginClassifier's default, 5, is longer than the
    # others' 3", and each estimator's own default in its Parameters.
    margin = MarginClassifier().n_iter_no_change
    others = {Estimator().n_iter_no_change for Estimator in ESTIMATORS[:3]}
    assert others == {3}
    for Estimator in ESTIMATORS:
        doc = " ".join(Estimator.__doc__.split())
        assert (
            f"MarginClassifier's default, {margin}, is longer than the others' 3" in doc
        )
        own = Estimator().n_iter_no_change
        assert f"n_iter_no_change : int, default={own} " in doc


def test_the_fourteen_sets_are_those_of_at_most_30000_rows():
    # "the fourteen raw tables of the tabular benchmark with at most 30,000
    # rows, two seeds each".
    page = prose("training.rst")
    assert "fourteen raw tables of the tabular benchmark" in page
    assert "with at most 30,000 rows, two seeds each" in page
    load_tabular = load_benchmark("_tabular_sets").load_tabular
    runs = pd.read_csv(OUT / "runs.csv")
    sets = set(runs["set"])
    assert len(sets) == 14 and set(runs["seed"]) == {0, 1}
    all_sets = load_benchmark("_tabular_sets").TABULAR_SETS
    sizes = {name: len(load_tabular(name).y) for name in all_sets}
    assert sets == {name for name, size in sizes.items() if size <= 30_000}


def test_the_schedule_sentences_hold(summary):
    page = prose("training.rst")
    heads = [Estimator.__name__ for Estimator in ESTIMATORS]
    shipped = {
        Estimator.__name__: default_schedule(Estimator) for Estimator in ESTIMATORS
    }
    rows = {head: summary[head, shipped[head]] for head in heads}
    # "Against the previous schedule, the defaults raise every head's mean
    # accuracy, by LOW to HIGH points, and cut its fit time to FAST to SLOW
    # of the previous schedule's".
    changes = [row[CHANGE] for row in rows.values()]
    times = [row[TIME] for row in rows.values()]
    assert min(changes) > 0
    assert (
        f"by {min(changes):.2f} to {max(changes):.2f} points, and cut its fit "
        f"time to {min(times):.2f} to {max(times):.2f} of the previous" in page
    )
    # "A shorter plateau at a constant rate is faster still and loses
    # accuracy, for both heads that tried it: the decay is what buys it."
    for head in ("SoftmaxClassifier", "SOCClassifier"):
        for schedule in ("plateau 5, constant rate", "plateau 3, constant rate"):
            row = summary[head, schedule]
            assert row[CHANGE] < 0 and row[TIME] < 1, (head, schedule)
        # "A plateau of 4 raises the softmax and SOC heads a little more, at
        # a larger cost in time"
        longer, default = summary[head, "plateau 4, one decay by 10"], rows[head]
        assert default[CHANGE] < longer[CHANGE] < default[CHANGE] + 0.15
        assert longer[TIME] > default[TIME] + 0.1
    assert "faster still and loses accuracy" in page
    assert "A plateau of 4 raises the softmax and SOC heads a little more" in page
    # "with the others' plateau of 3 the margin head loses X points against
    # the previous schedule".
    margin_at_3 = summary["MarginClassifier", script.DEFAULT][CHANGE]
    assert margin_at_3 < 0
    assert (
        f"with the others' plateau of 3 the margin head loses "
        f"{-margin_at_3:.2f} points" in page
    )


def test_the_ablation_measured_with_the_previous_schedule_says_so():
    # tabular.rst's ablation was measured with the previous schedule, which
    # its script keeps.
    previous = dict(n_iter_no_change=10, lr_decay=None)
    assert previous == load_benchmark("tabular_ablation").SCHEDULE
    assert "(``n_iter_no_change=10, lr_decay=None``;" in prose("tabular.rst")


def test_the_array_sets_sentence_holds():
    # training.rst: "On the six data sets of the defaults table above ... the
    # schedule cuts every head's fit time too, to A to B of the previous
    # schedule's, but ... the softmax and SOC heads lose C and D points, the
    # fixed and margin heads gain E and F."
    defaults = load_benchmark("defaults")
    rows = pd.read_csv(DOCS / "user_guide" / "_generated" / "defaults.csv")
    rows = rows.set_index(["model", "setting"])
    times, changes = [], []
    for Estimator in ESTIMATORS:
        new = rows.loc[(Estimator.__name__, "defaults")]
        old = rows.loc[(Estimator.__name__, defaults.PREVIOUS_SCHEDULE)]
        # Both time ratios are to the same reference fit of the same run.
        column = "time ratio (geometric mean)"
        times.append(new[column] / old[column])
        changes.append(100 * (new["mean accuracy"] - old["mean accuracy"]))
    page = prose("training.rst")
    assert f"to {min(times):.2f} to {max(times):.2f} of the previous schedule's" in page
    softmax, soc, fixed, margin = changes
    assert softmax < 0 and soc < 0 and fixed > 0 and margin > 0
    assert (
        f"the softmax and SOC heads lose {-softmax:.2f} and {-soc:.2f} points, "
        f"the fixed and margin heads gain {fixed:.2f} and {margin:.2f}" in page
    )


def test_the_command_lines_epochs_column_names_the_defaults():
    # cli.rst: "when it has not improved for 3 epochs (n_iter_no_change; 5
    # for the margin head) the learning rate is divided by 10 (lr_decay) ...
    # With 1,000 training rows or more, that loss is the loss on a held-out
    # 10% of them".
    from sksoc._fitting import _AUTO_EARLY_STOPPING_MIN_SAMPLES

    page = prose("cli.rst")
    soc = inspect.signature(SOCClassifier).parameters
    margin = inspect.signature(MarginClassifier).parameters
    assert (
        f"has not improved for {soc['n_iter_no_change'].default} epochs "
        f"(``n_iter_no_change``; {margin['n_iter_no_change'].default} for the "
        f"margin head) the learning rate is divided by "
        f"{1 / soc['lr_decay'].default:.0f} (``lr_decay``)" in page
    )
    assert (
        f"With {_AUTO_EARLY_STOPPING_MIN_SAMPLES:,} training rows or more, that "
        f"loss is the loss on a held-out "
        f"{100 * soc['validation_fraction'].default:.0f}% of them" in page
    )
    for Estimator in ESTIMATORS:
        parameters = inspect.signature(Estimator).parameters
        assert parameters["lr_decay"].default == soc["lr_decay"].default
        assert (
            parameters["validation_fraction"].default
            == soc["validation_fraction"].default
        )
