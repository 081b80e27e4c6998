"""The ``sksoc`` argument parser: its commands, options, checks and help text.

A usage mistake becomes a one-line :class:`CommandError`, like any other.
"""

import argparse
from pathlib import Path

from .._version import __version__
from ._commands import run_compare, run_sweep
from ._data import DATASETS
from ._errors import CommandError, quoted
from ._models import HEADS

PROG = "sksoc"
DEFAULT_EMBEDDING_DIM = 16
DEFAULT_DIMS = (1, 2, 3, 5, 10, 16)


class _ArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one-line :class:`CommandError`."""

    def error(self, message):
        raise CommandError(f"{message} (see '{self.prog} --help')")


def _whole_number(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None


def _positive_int(text):
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _seed(text):
    value = _whole_number(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected 0 to 2**32 - 1, got {value}")
    return value


def _dataset_name(text):
    if text not in DATASETS:
        raise argparse.ArgumentTypeError(
            f"unknown dataset {text!r}; choose from {', '.join(DATASETS)}, "
            "or pass --csv PATH --target COLUMN"
        )
    return text


def _head_names(text):
    heads = [name.strip() for name in text.split(",") if name.strip()]
    if not heads:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list from {','.join(HEADS)}"
        )
    unknown = [name for name in heads if name not in HEADS]
    if unknown:
        noun = "head" if len(unknown) == 1 else "heads"
        raise argparse.ArgumentTypeError(
            f"unknown {noun} {quoted(unknown)}; choose from {', '.join(HEADS)}"
        )
    return tuple(dict.fromkeys(heads))


def _dims(text):
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("expected comma-separated sizes, like 1,2,5")
    return tuple(sorted({_positive_int(part) for part in parts}))


_TOP_DESCRIPTION = """\
Classification heads that are also embeddings, on real data, in one command.

sksoc trains a small neural network (an MLP encoder) whose last layer is an
embedding of the classes, with one of four heads:

  softmax  SoftmaxClassifier: a linear layer and cross-entropy (the baseline)
  soc      SOCClassifier: each class a unit-scale Gaussian with a learned mean
  fixed    FixedRandomClassifier: frozen random class vectors, cosine logits
  margin   MarginClassifier: learned class vectors with an ArcFace margin

Start with 'sksoc compare'; 'sksoc COMMAND --help' explains each command."""

_COMPARE_DESCRIPTION = """\
Train the heads on one dataset, with the same encoder and data: softmax
(SoftmaxClassifier), soc (SOCClassifier), fixed (FixedRandomClassifier) and
margin (MarginClassifier, ArcFace). Print one row per head:

  accuracy      share of test samples classified correctly
  log_loss      cross-entropy of the predicted probabilities on the test set
  ece           top-label expected calibration error of the probabilities,
                15 equal-width bins (0 = calibrated)
  silhouette    how tight and apart the classes are in the test embedding,
                -1 to 1 (cosine distances, so lengths are ignored for every
                head alike)
  compactness   mean cosine between each test embedding and its class vector,
                -1 to 1
  separability  mean angle between the class vectors, in radians (1.571 is a
                right angle)
  epochs        epochs trained; training stops early when the loss stalls
  fit_seconds   training time, on one CPU thread

Two reference rows follow, scikit-learn classifiers on the same split (turn
them off with --no-reference): hgb (HistGradientBoostingClassifier) and mlp
(MLPClassifier with early stopping). They have no embedding: their
silhouette, compactness, separability and epochs show as -.

The data are split 70/30 by class (stratified) with --seed. A built-in
dataset is standardised on the training part; a CSV file goes to the
estimators as a table, text and missing values included, and their
preprocessor="auto" encodes it. Every head is otherwise at its defaults."""

_COMPARE_EPILOG = """\
examples:
  sksoc compare
  sksoc compare --dataset wine --heads softmax,soc --embedding-dim 2
  sksoc compare --csv flowers.csv --target species --out results/"""

_SWEEP_DESCRIPTION = """\
Accuracy against the size of the embedding: SOC is trained once per size in
--dims; softmax is trained once, with one feature per class (embedding size =
number of classes), the usual width of a classifier's last layer, and serves
as the reference line. SOC can place many classes in fewer dimensions than
there are classes; the sweep shows how few it needs on your data.

The data are split, and a built-in dataset scaled, as in 'sksoc compare'."""

_SWEEP_EPILOG = """\
examples:
  sksoc sweep
  sksoc sweep --dataset mnist1d --dims 1,2,4,8 --out sweep/"""


def _add_data_options(parser):
    """Where the data come from: a built-in dataset or a CSV file."""
    data = parser.add_argument_group("data")
    source = data.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        type=_dataset_name,
        default="digits",
        metavar="NAME",
        help=(
            "a built-in dataset: digits (default; 8x8 images of digits), wine, "
            "breast_cancer, iris, or mnist1d (needs 'pip install mnist1d')"
        ),
    )
    source.add_argument(
        "--csv",
        type=Path,
        metavar="PATH",
        help=(
            "your own data: a CSV file with a header row, a column of class "
            "labels named by --target, and feature columns of numbers, text "
            "or booleans, missing values allowed"
        ),
    )
    data.add_argument(
        "--target",
        metavar="COLUMN",
        help="with --csv: the column of class labels, of any type",
    )
    data.add_argument(
        "--dropna",
        action="store_true",
        help=(
            "with --csv: drop the rows with a missing value (by default the "
            "estimators encode missing features, and a missing label is an error)"
        ),
    )


def _add_training_and_output_options(parser):
    """The training budget, the seed, and what is written where."""
    training = parser.add_argument_group("training")
    training.add_argument(
        "--epochs",
        type=_positive_int,
        metavar="N",
        help=(
            "most epochs per fit (default: the estimators' max_epochs, 200); "
            "a fit stops earlier when its loss stalls"
        ),
    )
    training.add_argument(
        "--seed",
        type=_seed,
        default=0,
        metavar="N",
        help="seed of the split and of every model (default: 0)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=(
            "also write the table as CSV and JSON, and the figures as PNG, "
            "into DIR (created if needed; needs matplotlib)"
        ),
    )
    output.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on stderr (default: when stderr is a terminal)",
    )
    output.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print the results only: no progress bar, no notes",
    )


def build_parser():
    """The ``sksoc`` argument parser, with its ``compare`` and ``sweep`` commands.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _ArgumentParser(
        prog=PROG, description=_TOP_DESCRIPTION, formatter_class=formatter
    )
    parser.add_argument("--version", action="version", version=f"sksoc {__version__}")
    commands = parser.add_subparsers(
        dest="command", title="commands", metavar="COMMAND"
    )

    compare = commands.add_parser(
        "compare",
        help="train every head on one dataset and print a table (the main job)",
        description=_COMPARE_DESCRIPTION,
        epilog=_COMPARE_EPILOG,
        formatter_class=formatter,
    )
    _add_data_options(compare)
    models = compare.add_argument_group("models")
    models.add_argument(
        "--heads",
        type=_head_names,
        default=tuple(HEADS),
        metavar="LIST",
        help=f"comma-separated heads to train (default: {','.join(HEADS)})",
    )
    models.add_argument(
        "--embedding-dim",
        type=_positive_int,
        default=DEFAULT_EMBEDDING_DIM,
        metavar="D",
        help=(
            "size of the embedding, the encoder's output, for every head "
            f"(default: {DEFAULT_EMBEDDING_DIM})"
        ),
    )
    models.add_argument(
        "--reference",
        action=argparse.BooleanOptionalAction,
        # Not default=True: BooleanOptionalAction would append "(default:
        # True)" to the help on some Pythons; set_defaults below sets it.
        default=None,
        help=(
            "add reference rows, HistGradientBoostingClassifier (hgb) and "
            "MLPClassifier (mlp) from scikit-learn on the same split, "
            "not capped by --epochs (default: on)"
        ),
    )
    _add_training_and_output_options(compare)
    compare.set_defaults(run=run_compare, reference=True)

    sweep = commands.add_parser(
        "sweep",
        help="SOC accuracy against the embedding size, with softmax as reference",
        description=_SWEEP_DESCRIPTION,
        epilog=_SWEEP_EPILOG,
        formatter_class=formatter,
    )
    _add_data_options(sweep)
    sweep.add_argument_group("models").add_argument(
        "--dims",
        type=_dims,
        default=DEFAULT_DIMS,
        metavar="LIST",
        help=(
            "comma-separated embedding sizes for SOC (default: "
            f"{','.join(str(dim) for dim in DEFAULT_DIMS)})"
        ),
    )
    _add_training_and_output_options(sweep)
    sweep.set_defaults(run=run_sweep)
    return parser
