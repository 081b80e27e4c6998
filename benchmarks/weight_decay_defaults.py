"""The weight decay on tables: the table behind ``weight_decay``'s default.

Run::

    python benchmarks/weight_decay_defaults.py \
        --out docs/user_guide/_generated/weight_decay

:class:`~sksoc.SOCClassifier` and :class:`~sksoc.SoftmaxClassifier` are
fitted with ``weight_decay`` at its default, 1e-3, and at 3e-4 and 0, every
other parameter at its default, on the sets of ``schedule_defaults.py`` (every
raw table of ``tabular.py`` but the three largest) with seeds 0 and 1, one
fit after another on the same set and seed, so that fit-time ratios compare
fits made minutes apart. Scored as ``tabular.py`` scores.

``--out DIR`` writes ``runs.csv`` (a row per fit) and ``summary.csv``, a row
per head and weight decay: mean accuracy and its change from the default's
in points, geometric-mean log loss, mean top-label ECE, the geometric mean
of the fit-time ratio to the default (same head, set and seed), and the
epochs trained over the default's. The user guide's training page includes
the summary; what the weight decay does to SOC's density and to
``add_classes`` is measured by ``soc_defaults.py`` (the SOC page).

    python benchmarks/weight_decay_defaults.py [--sets ...] [--seeds 0 1] [--out DIR]
    python benchmarks/weight_decay_defaults.py --summarize DIR [--out DIR]
"""

import sys
import time
from pathlib import Path

# The sibling scripts, also when this file is imported from elsewhere.
if str(Path(__file__).parent) not in sys.path:
    sys.path.append(str(Path(__file__).parent))

import pandas as pd
from _settings import fit_settings, report, settings_parser, settings_summary

from sksoc import SOCClassifier, SoftmaxClassifier

HEADS = (SoftmaxClassifier, SOCClassifier)
DEFAULT = 1e-3
WEIGHT_DECAYS = (DEFAULT, 3e-4, 0.0)


def setting_name(weight_decay):
    name = f"weight_decay={weight_decay:g}"
    return f"{name} (default)" if weight_decay == DEFAULT else name


def run(sets, seeds):
    """A row per set, seed, head and weight decay."""
    fits = [
        (Head, setting_name(decay), {"weight_decay": decay})
        for Head in HEADS
        for decay in WEIGHT_DECAYS
    ]
    return fit_settings(sets, seeds, fits, label="setting")


def summary(runs):
    """A row per head and weight decay, against the default."""
    return settings_summary(
        runs, "setting", setting_name(DEFAULT), versus="default", ece=True
    )


def main(argv=None):
    args = settings_parser(__doc__.split("\n")[0]).parse_args(argv)
    start = time.perf_counter()
    if args.summarize is not None:
        runs = pd.read_csv(args.summarize / "runs.csv")
    else:
        runs = run(args.sets, args.seeds)
    report(runs, summary(runs), args.out, start)


if __name__ == "__main__":
    main()
