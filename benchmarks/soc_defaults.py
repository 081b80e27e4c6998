"""SOC's head parameters, measured: the table behind its defaults.

Run::

    python benchmarks/soc_defaults.py --out docs/user_guide/_generated/soc_defaults.csv

Each row is :class:`~sksoc.SOCClassifier` with some head parameters changed
and every other parameter, the training loop's included, at its default
(:class:`~sksoc.SoftmaxClassifier` is the first row, for reference); the
last two rows change the training loop's ``weight_decay`` instead, which
``weight_decay_defaults.py`` measures on tables. The
columns, each the mean over the seeds:

- accuracy on a stratified 30% test split of all ten classes: digits, digits
  with ``embedding_dim=10`` and with ``embedding_dim=2``, MNIST-1D (12,000
  rows);
- open-set AUROC of ``score_samples`` (the SOC mixture density, the softmax
  network's energy), known = positive: held-out rows of the known classes
  against every row of the unseen ones (digits trained on 0-5 and MNIST-1D
  on 0-4), against uniform noise and against held-out known rows shuffled
  within the row, as in ``benchmarks/open_set.py``;
- :meth:`~sksoc.SOCClassifier.add_classes` on digits trained on 0-7, 8 and 9
  added from their training rows alone: the new classes' accuracy and the
  old classes' drop, in points.

The data, splits and measurements are those of ``benchmarks/open_set.py``,
whose helpers this script imports. The means' initial spread is a parameter
of :class:`sksoc.heads.SOCHead`, not of the estimator, so it is not a row.
It prints the table and, for the default row, those of
``benchmarks/open_set.py``'s targets that the table measures, and ``--out``
writes the table to a CSV file for the user guide.
"""

import argparse
import pathlib
import sys
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from open_set import case_rows, print_table, run_add_classes, split, write_csv

from sksoc import SOCClassifier, SoftmaxClassifier
from sksoc.metrics import open_set_auroc

REFERENCE = "SoftmaxClassifier (for reference)"
# (SOCClassifier parameters, a note); the default row is found by its values.
CANDIDATES = (
    (
        {"likelihood_weight": 0.0, "label_smoothing": 0.1, "contrast_weight": 0.0},
        "the SOC authors' loss",
    ),
    (
        {"likelihood_weight": 0.1, "label_smoothing": 0.0, "contrast_weight": 0.0},
        None,
    ),
    (
        {"likelihood_weight": 0.1, "label_smoothing": 0.0, "contrast_weight": 0.1},
        None,
    ),
    (
        {"likelihood_weight": 0.1, "label_smoothing": 0.0, "contrast_weight": 0.3},
        None,
    ),
    (
        {"likelihood_weight": 0.1, "label_smoothing": 0.0, "contrast_weight": 0.6},
        None,
    ),
    ({"likelihood_weight": 0.03, "label_smoothing": 0.0}, None),
    ({"likelihood_weight": 0.3, "label_smoothing": 0.0}, None),
    ({"likelihood_weight": 0.1, "label_smoothing": 0.02}, None),
    (
        {"likelihood_weight": 0.1, "label_smoothing": 0.0, "class_loss_weight": 0.0},
        None,
    ),
    # Not a head parameter: the training loop's, which helps on tables
    # (weight_decay_defaults.py).
    ({"weight_decay": 3e-4}, None),
    ({"weight_decay": 0.0}, None),
)
HEADER = (
    "Parameters",
    "digits acc.",
    "digits acc., embedding_dim=10",
    "digits acc., embedding_dim=2",
    "MNIST-1D acc.",
    "digits AUROC, 0-5 / 6-9",
    "digits AUROC, noise",
    "digits AUROC, shuffled",
    "MNIST-1D AUROC, 0-4 / 5-9",
    "MNIST-1D AUROC, noise",
    "MNIST-1D AUROC, shuffled",
    "add 8, 9: new classes' acc.",
    "add 8, 9: old classes' drop (points)",
)


def row_label(params, note):
    """``"likelihood_weight=0.1, label_smoothing=0 (default)"`` and the like."""
    defaults = SOCClassifier().get_params()
    notes = [note] if note else []
    if all(defaults[name] == value for name, value in params.items()):
        notes.append("default")
    label = ", ".join(f"{name}={value:g}" for name, value in params.items())
    return f"{label} ({'; '.join(notes)})" if notes else label


def make_model(params, seed, **extra):
    if params is None:
        return SoftmaxClassifier(random_state=seed, **extra)
    return SOCClassifier(random_state=seed, **params, **extra)


def accuracy(params, name, seeds, **extra):
    """Mean test accuracy on all classes of data set ``name``."""
    scores = []
    for seed in seeds:
        X_train, X_test, y_train, y_test = split(name, seed)
        model = make_model(params, seed, **extra).fit(X_train, y_train)
        scores.append(model.score(X_test, y_test))
    return float(np.mean(scores))


def open_set_aurocs(params, name, seeds):
    """Mean AUROC of ``score_samples``, held-out known rows against each unknown kind.

    Returns ``{"unseen" | "noise" | "shuffled": AUROC}``.
    """
    aurocs = {}
    for seed in seeds:
        case = case_rows(name, seed)
        model = make_model(params, seed).fit(case.X_fit, case.y_fit)
        known_scores = model.score_samples(case.X_known)
        for kind, rows in case.unknown.items():
            aurocs.setdefault(kind, []).append(
                open_set_auroc(known_scores, model.score_samples(rows))
            )
    return {kind: float(np.mean(values)) for kind, values in aurocs.items()}


def measure(params, digits_seeds, mnist1d_seeds):
    """One row of :data:`HEADER`'s values (``params=None``: the softmax)."""
    digits_aurocs = open_set_aurocs(params, "digits", digits_seeds)
    mnist1d_aurocs = open_set_aurocs(params, "mnist1d", mnist1d_seeds)
    row = {
        "digits acc.": accuracy(params, "digits", digits_seeds),
        "digits acc., embedding_dim=10": accuracy(
            params, "digits", digits_seeds, embedding_dim=10
        ),
        "digits acc., embedding_dim=2": accuracy(
            params, "digits", digits_seeds, embedding_dim=2
        ),
        "MNIST-1D acc.": accuracy(params, "mnist1d", mnist1d_seeds),
        "digits AUROC, 0-5 / 6-9": digits_aurocs["unseen"],
        "digits AUROC, noise": digits_aurocs["noise"],
        "digits AUROC, shuffled": digits_aurocs["shuffled"],
        "MNIST-1D AUROC, 0-4 / 5-9": mnist1d_aurocs["unseen"],
        "MNIST-1D AUROC, noise": mnist1d_aurocs["noise"],
        "MNIST-1D AUROC, shuffled": mnist1d_aurocs["shuffled"],
    }
    if params is not None:
        drop, new, _, _ = run_add_classes(digits_seeds, **params)
        row["add 8, 9: new classes' acc."] = new
        row["add 8, 9: old classes' drop (points)"] = 100 * drop
    return row


def formatted(label, values):
    cells = [label]
    for column in HEADER[1:]:
        if column not in values:
            cells.append("")
        elif column.endswith("(points)"):
            cells.append(f"{values[column]:.1f}")
        else:
            cells.append(f"{values[column]:.3f}")
    return cells


def target_lines(default, reference):
    """``(text, met)`` for the targets of ``open_set.py`` this table measures."""
    lines = []
    for column, name in (("digits acc.", "digits"), ("MNIST-1D acc.", "MNIST-1D")):
        lines.append(
            (
                f"{name}: default SOC accuracy {default[column]:.4f} within 0.5 "
                f"points of Softmax's {reference[column]:.4f}",
                default[column] >= reference[column] - 0.005,
            )
        )
    small = default["digits acc., embedding_dim=10"]
    lines.append(
        (f"digits: embedding_dim=10 accuracy {small:.4f} >= 0.97", small >= 0.97)
    )
    auroc = default["digits AUROC, 0-5 / 6-9"]
    lines.append(
        (f"digits 0-5/6-9: SOC density AUROC {auroc:.3f} >= 0.97", auroc >= 0.97)
    )
    new = default["add 8, 9: new classes' acc."]
    lines.append((f"add_classes: new classes {new:.3f} >= 0.85", new >= 0.85))
    drop = default["add 8, 9: old classes' drop (points)"]
    lines.append((f"add_classes: old classes drop {drop:.1f} <= 2 points", drop <= 2))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--mnist1d-seeds",
        type=int,
        nargs="+",
        help="seeds of the MNIST-1D columns (default: --seeds)",
    )
    parser.add_argument("--out", type=pathlib.Path, help="CSV file for the table")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    mnist1d_seeds = args.mnist1d_seeds or args.seeds
    start = time.perf_counter()

    rows, measured = [list(HEADER)], {}
    for params, note in ((None, None), *CANDIDATES):
        label = REFERENCE if params is None else row_label(params, note)
        measured[label] = values = measure(params, args.seeds, mnist1d_seeds)
        rows.append(formatted(label, values))
        print(f"  {label}: {time.perf_counter() - start:.0f} s", file=sys.stderr)

    seeds = ", ".join(map(str, args.seeds))
    print_table(
        f"SOC head parameters (digits seeds {seeds}; MNIST-1D seeds "
        f"{', '.join(map(str, mnist1d_seeds))})",
        rows,
    )
    default = next(v for label, v in measured.items() if label.endswith("default)"))
    print("\nTargets, default row")
    for text, met in target_lines(default, measured[REFERENCE]):
        print(f"  {'met' if met else 'NOT met'}: {text}")
    print(f"\n{time.perf_counter() - start:.0f} s in all")
    if args.out is not None:
        write_csv(args.out, rows)


if __name__ == "__main__":
    main()
