"""Estimator settings compared on the raw tables: the runs and their summary.

The tables behind a training default (``schedule_defaults.py``,
``weight_decay_defaults.py``) fit each head with a few settings, one after
another on the same set and seed so that fit-time ratios compare fits made
minutes apart on the same machine, and summarise each setting against a
reference setting of the same head.
"""

import argparse
import sys
import time
from pathlib import Path

# The sibling scripts, also when this file is imported from elsewhere.
if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

import pandas as pd
from _tabular_sets import TABULAR_SETS, tabular_split
from tabular import fit_and_score, geometric_mean, warm_up

# The sets whose fits take most of the time; ``tabular.py`` measures the
# defaults on them, the settings' tables leave them out.
LARGEST = ("diamonds", "high_cardinality", "large_120k")
SETS = tuple(name for name in TABULAR_SETS if name not in LARGEST)


def fit_settings(sets, seeds, fits, label):
    """A row per set, seed and fit: accuracy, log loss, ECE, seconds, epochs.

    ``fits`` is a sequence of ``(Head, setting, params)``: each set and seed,
    its stratified 75/25 split (:func:`tabular_split`), is fitted with
    ``Head(random_state=seed, **params)`` for each, in order, and scored as
    ``tabular.py`` scores. The setting's name goes in the column ``label``.
    """
    warm_up(list(dict.fromkeys(Head.__name__ for Head, _, _ in fits)))
    rows = []
    for name in sets:
        for seed in seeds:
            X_train, X_test, y_train, y_test = tabular_split(name, seed)
            for Head, setting, params in fits:
                model = Head(random_state=seed, **params)
                scores = fit_and_score(model, X_train, X_test, y_train, y_test)
                seconds = scores["fit_seconds"]
                rows.append(
                    {
                        "set": name,
                        "seed": seed,
                        "head": Head.__name__,
                        label: setting,
                        "accuracy": scores["accuracy"],
                        "log_loss": scores["log_loss"],
                        "ece": scores["ece"],
                        "fit_seconds": seconds,
                        "epochs": model.n_iter_,
                    }
                )
                print(
                    f"  {name:17} seed {seed}  {Head.__name__:22} "
                    f"{setting:27} accuracy {scores['accuracy']:.4f}  "
                    f"fit {seconds:6.2f} s  epochs {model.n_iter_}",
                    flush=True,
                )
    return pd.DataFrame(rows)


def settings_summary(runs, label, reference, versus, ece=False):
    """A row per head and setting: accuracy and cost against ``reference``.

    Mean accuracy and its change from the reference setting's in points,
    geometric-mean log loss (and with ``ece``, mean ECE), the geometric mean
    of the fit-time ratio to the reference (same head, set and seed), and
    the epochs trained over the reference's; ``versus`` names the reference
    in the ratio columns' names ("fit time / <versus>").
    """
    rows = []
    for head, fits in runs.groupby("head", sort=False):
        by_run = fits.pivot_table(
            index=["set", "seed"], columns=label, values="fit_seconds"
        )
        base = fits[fits[label] == reference]
        for setting in dict.fromkeys(fits[label]):
            mine = fits[fits[label] == setting]
            row = {
                "head": head,
                label: setting,
                "accuracy": mine["accuracy"].mean(),
                "accuracy change (points)": 100
                * (mine["accuracy"].mean() - base["accuracy"].mean()),
                "log loss": geometric_mean(mine["log_loss"]),
            }
            if ece:
                row["ECE"] = mine["ece"].mean()
            row[f"fit time / {versus}"] = geometric_mean(
                by_run[setting] / by_run[reference]
            )
            row[f"epochs / {versus}"] = mine["epochs"].sum() / base["epochs"].sum()
            row["runs"] = len(mine)
            rows.append(row)
    return pd.DataFrame(rows)


def settings_parser(description, sets=SETS):
    """The arguments every settings table takes: ``--sets`` (by default
    ``sets``), ``--seeds``, ``--out`` and ``--summarize``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sets", nargs="+", default=list(sets))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--summarize",
        type=Path,
        default=None,
        help="print (and with --out write) the summary of the runs written "
        "to DIR, fitting nothing",
    )
    return parser


def report(runs, table, out, start):
    """Print ``table`` and the time since ``start``; with ``out``, write both CSVs."""
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(4).to_string(index=False))
    print(f"\nTotal time {time.perf_counter() - start:.0f} s")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        runs.to_csv(out / "runs.csv", index=False, float_format="%.6g")
        table.to_csv(out / "summary.csv", index=False, float_format="%.4f")
