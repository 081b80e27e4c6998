"""When training slows and stops: the table behind ``n_iter_no_change``, ``lr_decay``.

Run::

    python benchmarks/schedule_defaults.py --out docs/user_guide/_generated/schedule

Each schedule is a pair of the estimators' ``n_iter_no_change`` (epochs
without an improvement of the monitored loss that make a plateau) and
``lr_decay`` (the factor of the learning rate on the first plateau, training
stopping at the second; None stops at the first, a constant rate). Every
other parameter is at its default. The schedules:

``plateau 10, constant rate``
    ``n_iter_no_change=10, lr_decay=None``: the estimators' schedule before
    this table, and scikit-learn's ``MLPClassifier``'s patience.
``plateau 5, constant rate``, ``plateau 3, constant rate``
    Shorter patience alone.
``plateau 3, one decay by 10``
    ``n_iter_no_change=3, lr_decay=0.1``: the defaults, but for
    :class:`~sksoc.MarginClassifier`'s.
``plateau 5, one decay by 10``
    ``n_iter_no_change=5, lr_decay=0.1``: :class:`~sksoc.MarginClassifier`'s
    defaults. It watches the validation accuracy, which stalls sooner than
    a loss.
``plateau 4, one decay by 10``, ``plateau 3, one decay by 3``
    Longer patience, or a gentler decay.

Every set of ``tabular.py`` (``_tabular_sets.py``, raw DataFrames) but the
three largest (``_settings.LARGEST``, whose fits take most of the time;
``tabular.py`` measures the defaults on them) and each seed, its stratified 75/25 split:
every schedule but the margin head's plateau of 5 fitted for
:class:`~sksoc.SoftmaxClassifier` and :class:`~sksoc.SOCClassifier`; the
previous schedule and the defaults for :class:`~sksoc.FixedRandomClassifier`,
and those and the plateau of 5 for :class:`~sksoc.MarginClassifier` (``HEADS``),
one after another on the same set and seed, so that fit-time ratios compare
fits made minutes apart on the same machine. Scored as ``tabular.py``
scores: test accuracy, log loss, ``fit`` seconds, and the epochs trained.

``--out DIR`` writes ``runs.csv`` (a row per fit) and ``summary.csv``, a row
per head and schedule: mean accuracy over the sets and seeds and its
difference to the previous schedule's in points, geometric-mean log loss,
the geometric mean of the fit-time ratio to the previous schedule (same
head, set and seed), and the epochs trained over the previous schedule's.
The user guide's training page includes the summary.

    python benchmarks/schedule_defaults.py [--sets ...] [--seeds 0 1]
        [--heads SOCClassifier ...] [--out DIR [--update]]
    python benchmarks/schedule_defaults.py --summarize DIR [--out DIR]

``--update`` keeps the rows of ``DIR/runs.csv`` of the heads not run, so a
change to one head's defaults is measured without refitting the others.
"""

import sys
import time
from pathlib import Path

# The sibling scripts, also when this file is imported from elsewhere.
if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

import pandas as pd
from _settings import fit_settings, report, settings_parser, settings_summary

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)

PREVIOUS = "plateau 10, constant rate"
DEFAULT = "plateau 3, one decay by 10"
MARGIN_DEFAULT = "plateau 5, one decay by 10"
SCHEDULES = {
    PREVIOUS: dict(n_iter_no_change=10, lr_decay=None),
    "plateau 5, constant rate": dict(n_iter_no_change=5, lr_decay=None),
    "plateau 3, constant rate": dict(n_iter_no_change=3, lr_decay=None),
    DEFAULT: dict(n_iter_no_change=3, lr_decay=0.1),
    "plateau 4, one decay by 10": dict(n_iter_no_change=4, lr_decay=0.1),
    "plateau 3, one decay by 3": dict(n_iter_no_change=3, lr_decay=0.3),
    MARGIN_DEFAULT: dict(n_iter_no_change=5, lr_decay=0.1),
}
# The schedules each head is fitted with.
ALL_BUT_MARGINS = tuple(name for name in SCHEDULES if name != MARGIN_DEFAULT)
HEADS = {
    SoftmaxClassifier: ALL_BUT_MARGINS,
    SOCClassifier: ALL_BUT_MARGINS,
    FixedRandomClassifier: (PREVIOUS, DEFAULT),
    MarginClassifier: (PREVIOUS, DEFAULT, MARGIN_DEFAULT),
}


def run(sets, seeds, heads=tuple(HEADS)):
    """A row per set, seed, head and schedule: accuracy, log loss, seconds, epochs."""
    fits = [
        (Head, schedule, SCHEDULES[schedule])
        for Head in heads
        for schedule in HEADS[Head]
    ]
    return fit_settings(sets, seeds, fits, label="schedule")


def summary(runs):
    """A row per head and schedule: accuracy and cost against the previous schedule."""
    return settings_summary(runs, "schedule", PREVIOUS, versus="previous")


def parse_args(argv=None):
    parser = settings_parser(__doc__.split("\n")[0])
    parser.add_argument(
        "--heads",
        nargs="+",
        default=[Head.__name__ for Head in HEADS],
        choices=[Head.__name__ for Head in HEADS],
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="keep the rows of --out's runs.csv of the heads not run",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    if args.summarize is not None:
        runs = pd.read_csv(args.summarize / "runs.csv")
    else:
        heads = [Head for Head in HEADS if Head.__name__ in args.heads]
        runs = run(args.sets, args.seeds, heads)
        if args.update and args.out is not None and (args.out / "runs.csv").exists():
            kept = pd.read_csv(args.out / "runs.csv")
            kept = kept[~kept["head"].isin(args.heads)]
            runs = pd.concat([kept, runs], ignore_index=True)
    report(runs, summary(runs), args.out, start)


if __name__ == "__main__":
    main()
