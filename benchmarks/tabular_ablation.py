"""What each part of the tabular defaults buys, in accuracy and fit time.

Starting from sksoc's encoder before tables were taken as they come (the
benchmark's ``ColumnTransformer`` of imputation, standard scaling and
one-hot codes in front of an ``MLPEncoder`` of one hidden layer of 128), the
variants add one change at a time, in the order of the rows below; each row
keeps the changes above it, except the rows marked "(alone)", which each
make one more change to the last kept row, ``target encoding`` (the
defaults), and are not kept:

``previous``
    ``tabular.previous_default``: the ColumnTransformer, then the head.
``preprocessor``
    The raw frame into the estimator: :class:`~sksoc.preprocessing.
    TabularPreprocessor` (robust scaling with smooth clipping, missing-value
    indicators, one-hot categories), still the plain ``MLPEncoder``, with
    32 levels kept per categorical column, the rest one "other" slot.
``levels 256``
    ``TabularPreprocessor(max_categories=256, high_cardinality="other")``: a
    level of its own for up to 256 levels per column (as HGB's 255
    categories), not 32.
``periodic``
    :class:`~sksoc.encoders.TabularEncoder`: each number embedded through
    learned periodic functions before an MLP of one hidden layer of 128,
    frequency scale 0.1.
``frequency 1.0``
    Frequencies drawn ten times wider.
``width 256``
    One hidden layer of 256 instead of 128.
``target encoding``
    ``TabularPreprocessor()``: a column of more than 256 levels target
    encoded, not 256 one-hot levels and an "other" slot: the defaults.
``frequency 3.0 (alone)``, ``half lr (alone)``, ``no weight decay (alone)``,
``patience 20 (alone)``, ``(256, 256) (alone)``, ``AdamW (alone)``
    The frequency scale 3.0; half the head's default ``lr``;
    ``weight_decay=0``; 20 epochs without improvement before early stopping
    instead of 10; two hidden layers of 256 instead of one; AdamW's
    decoupled weight decay instead of Adam's L2 term.
``4 seeds averaged (alone)``
    The defaults fitted four times, from four seeds, and their probabilities
    averaged (scikit-learn's ``VotingClassifier(voting="soft")``): what an
    ensemble of four members buys, at four fits' time.

Every variant is fitted for the SOC (its contrast term off) and softmax
heads on every set of
``_tabular_sets.py`` and each seed, scored as ``tabular.py`` scores. Printed
and written (``--out``): one row per set, seed, head and variant; then the
mean accuracy of each variant and head, its geometric-mean log loss, and the
geometric mean over sets and seeds of its fit time over the ``previous``
row's, the cost of what it buys. ``--out`` keeps the rows of the variants
not run, so variants can be run apart and gathered in one file.

    python benchmarks/tabular_ablation.py [--sets ...] [--seeds 0]
        [--out docs/user_guide/_generated/tabular/ablation.csv]
        [--summary-out docs/user_guide/_generated/tabular/ablation_summary.csv]
    python benchmarks/tabular_ablation.py --summarize CSV [--summary-out CSV]
"""

import argparse
import math
import warnings
from functools import partial
from pathlib import Path

import pandas as pd
from _tabular_sets import TABULAR_SETS, tabular_split
from sklearn.ensemble import VotingClassifier
from sklearn.pipeline import make_pipeline
from tabular import fit_and_score, tabular_preprocessor

from sksoc import SOCClassifier, SoftmaxClassifier
from sksoc.encoders import MLPEncoder
from sksoc.preprocessing import TabularPreprocessor

# SOC without its contrast term (on by default since these rows were
# measured): the rows are about the encoder; the term's cost and gain are
# contrast_defaults.py's.
HEADS = {
    "SOC": partial(SOCClassifier, contrast_weight=0.0),
    "Softmax": SoftmaxClassifier,
}
# Each row keeps the changes of the rows above it.
ONE_HOT = TabularPreprocessor(high_cardinality="other")
KEPT = {
    "preprocessor": dict(
        module=MLPEncoder,
        preprocessor=TabularPreprocessor(max_categories=32, high_cardinality="other"),
    ),
    "levels 256": dict(module=MLPEncoder, preprocessor=ONE_HOT),
    "periodic": dict(
        preprocessor=ONE_HOT,
        hidden_layer_sizes=(128,),
        module__frequency_scale=0.1,
    ),
    "frequency 1.0": dict(
        preprocessor=ONE_HOT,
        hidden_layer_sizes=(128,),
        module__frequency_scale=1.0,
    ),
    "width 256": dict(preprocessor=ONE_HOT, hidden_layer_sizes=(256,)),
    "target encoding": dict(
        preprocessor=TabularPreprocessor(), hidden_layer_sizes=(256,)
    ),
}
# One change to the last kept row each, not kept.
ALONE = {
    "frequency 3.0 (alone)": dict(module__frequency_scale=3.0),
    "half lr (alone)": "half lr",
    "no weight decay (alone)": dict(weight_decay=0.0),
    "patience 20 (alone)": dict(n_iter_no_change=20),
    "(256, 256) (alone)": dict(hidden_layer_sizes=(256, 256)),
    "AdamW (alone)": dict(optimizer="adamw"),
    "4 seeds averaged (alone)": "4 seeds",
}
# The training schedule of the time the rows were measured, before the
# plateau schedule (schedule_defaults.py) became the default: a constant rate
# stopped after 10 epochs without improvement. Every row keeps it (the
# "patience 20" row changes its 10), so that the script writes the rows the
# page shows.
SCHEDULE = dict(n_iter_no_change=10, lr_decay=None)
ENSEMBLE_SIZE = 4
LAST_KEPT = list(KEPT)[-1]
VARIANTS = ("previous", *KEPT, *ALONE)


def build(variant, Head, seed):
    """The unfitted model of ``variant`` with the head ``Head``."""
    if variant == "previous":
        return make_pipeline(
            tabular_preprocessor(), Head(random_state=seed, **SCHEDULE)
        )
    if variant in KEPT:
        return Head(random_state=seed, **{**SCHEDULE, **KEPT[variant]})
    change = ALONE[variant]
    if change == "4 seeds":
        # An ensemble's cost and gain, without an ensemble in sksoc: the
        # defaults fitted from four seeds, their probabilities averaged.
        members = [
            (
                f"seed {member}",
                Head(random_state=seed * ENSEMBLE_SIZE + member, **SCHEDULE),
            )
            for member in range(ENSEMBLE_SIZE)
        ]
        return VotingClassifier(members, voting="soft")
    if change == "half lr":
        change = {"lr": Head().lr / 2}
    return Head(random_state=seed, **{**SCHEDULE, **KEPT[LAST_KEPT], **change})


def run(sets, seeds, variants, out):
    """Fit and score; with ``out``, rows of other variants there are kept."""
    earlier = pd.read_csv(out) if out and Path(out).exists() else None
    if earlier is not None:
        earlier = earlier[~earlier["variant"].isin(variants)]
    rows = []
    for name in sets:
        for seed in seeds:
            X_train, X_test, y_train, y_test = tabular_split(name, seed)
            for head, Head in HEADS.items():
                for variant in variants:
                    model = build(variant, Head, seed)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        scores = fit_and_score(model, X_train, X_test, y_train, y_test)
                    seconds = scores["fit_seconds"]
                    rows.append(
                        {
                            "set": name,
                            "seed": seed,
                            "head": head,
                            "variant": variant,
                            **scores,
                        }
                    )
                    print(
                        f"{name:18s} {seed} {head:8s} {variant:22s} "
                        f"accuracy {scores['accuracy']:.4f}  {seconds:6.2f} s",
                        flush=True,
                    )
            if out:
                _write(earlier, rows, out)
    return _write(earlier, rows, None)


def _write(earlier, rows, out):
    frame = pd.concat([earlier, pd.DataFrame(rows)], ignore_index=True)
    order = {variant: index for index, variant in enumerate(VARIANTS)}
    frame = frame.sort_values(
        ["set", "seed", "head", "variant"],
        key=lambda c: c.map(order) if c.name == "variant" else c,
        kind="stable",
    )
    if out:
        frame.to_csv(out, index=False)
    return frame


def summary(frame):
    """Per head and variant: mean accuracy, and fit time over ``previous``'s."""
    base = frame[frame["variant"] == "previous"].set_index(["set", "seed", "head"])
    lines = []
    for (head, variant), group in frame.groupby(["head", "variant"], sort=False):
        ratios = group.set_index(["set", "seed", "head"])["fit_seconds"] / base[
            "fit_seconds"
        ].reindex(group.set_index(["set", "seed", "head"]).index)
        lines.append(
            {
                "head": head,
                "variant": variant,
                "accuracy": group["accuracy"].mean(),
                "log_loss": math.exp(group["log_loss"].apply(math.log).mean()),
                "fit_time_ratio": math.exp(ratios.apply(math.log).mean()),
                "n": len(group),
            }
        )
    return pd.DataFrame(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(TABULAR_SETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS))
    parser.add_argument("--out", help="CSV of the result rows")
    parser.add_argument("--summarize", help="print the summary of such a CSV")
    parser.add_argument("--summary-out", help="CSV of the summary, for the docs")
    args = parser.parse_args(argv)
    frame = (
        pd.read_csv(args.summarize)
        if args.summarize
        else run(args.sets, args.seeds, args.variants, args.out)
    )
    table = summary(frame).round(4)
    with pd.option_context("display.width", 120):
        print(table.to_string(index=False))
    if args.summary_out:
        table.to_csv(args.summary_out, index=False)


if __name__ == "__main__":
    main()
