"""What a command shows and writes: notes, the table as text, CSV, JSON and figures.

The results go to stdout; notes go to stderr. The files of ``--out`` are
drawn with matplotlib outside pyplot, so no display is needed.
"""

import json
import sys

import numpy as np
import pandas as pd

from .._geometry import final_step
from ._errors import CommandError

SCORE_COLUMNS = (
    "accuracy",
    "log_loss",
    "ece",
    "silhouette",
    "compactness",
    "separability",
)
_CELL_FORMATS = {
    **dict.fromkeys(SCORE_COLUMNS, "{:.4f}".format),
    "fit_seconds": "{:.1f}".format,
}
# What a cell shows where a reference model has no value: it has no embedding.
NOT_APPLICABLE = "-"
# The similarity matrix writes its values in the cells up to this many classes.
_MAX_CLASSES_WITH_VALUES = 12
_PNG_DPI = 120

METRICS_LEGEND = """\
accuracy, log_loss, ece (top-label calibration error, 15 bins): on the test set.
silhouette: of the test embedding, cosine distance (every head alike).
compactness: mean cosine of the test embeddings to their class vector.
separability: mean angle between the class vectors, in radians (1.571 = orthogonal)."""
REFERENCE_LEGEND = """\
hgb, mlp: references from scikit-learn on the same split, without an embedding (-):
HistGradientBoostingClassifier, MLPClassifier (early stopping)."""


def note(args, message):
    """Print ``message`` on stderr, unless --quiet."""
    if not args.quiet:
        print(message, file=sys.stderr)


def report_written(args, out, paths):
    names = ", ".join(path.name for path in paths)
    note(args, f"wrote {out}: {names}")


def format_table(table):
    """The results as fixed-width text, a space between columns.

    Scores to 4 decimals and seconds to 1; the ``head`` column is
    left-aligned, the numbers right-aligned. A ``kind`` column is not shown:
    in its ``"reference"`` rows, a missing value shows as ``-``.
    """
    if "kind" in table.columns:
        reference = (table["kind"] == "reference").to_numpy()
        table = table.drop(columns="kind")
    else:
        reference = np.zeros(len(table), dtype=bool)
    columns = []
    for name in table.columns:
        format_cell = _CELL_FORMATS.get(name, str)
        cells = [
            NOT_APPLICABLE if blank and pd.isna(value) else format_cell(value)
            for value, blank in zip(table[name], reference, strict=True)
        ]
        width = max(len(name), *(len(cell) for cell in cells))
        align = str.ljust if name == "head" else str.rjust
        columns.append([align(cell, width) for cell in [name, *cells]])
    return "\n".join(" ".join(row).rstrip() for row in zip(*columns, strict=True))


def data_line(command, split):
    """First line of the output: the command, the dataset and its sizes."""
    return f"sksoc {command} on {split.name}: {split.describe()}"


def encoder_name(split):
    """The default encoder the estimators build for the data of ``split``.

    An array goes to an MLP; a table is encoded by a TabularPreprocessor
    and goes to a TabularEncoder, an MLP that embeds the numbers first.
    """
    return "tabular encoder" if split.is_table else "MLP encoder"


def training_line(max_epochs, seed):
    return f"max_epochs {max_epochs} (early stopping from 1,000 rows), seed {seed}"


def prepare_out_dir(out):
    """Create ``out`` and check that figures can be drawn, before any training."""
    if out is None:
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CommandError(
            "--out needs matplotlib: pip install 'sksoc[plot]'"
        ) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(
            f"cannot create the output directory {out}: {exc.strerror or exc}"
        ) from None


def write_table(out, stem, table, metadata):
    """Write ``<stem>.csv`` and ``<stem>.json`` (metadata and records).

    Returns
    -------
    paths : list of pathlib.Path
    """
    csv_path, json_path = out / f"{stem}.csv", out / f"{stem}.json"
    table.to_csv(csv_path, index=False)
    records = [
        {key: _json_value(value) for key, value in row.items()}
        for row in table.to_dict(orient="records")
    ]
    document = {"metadata": metadata, "results": records}
    json_path.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n")
    return [csv_path, json_path]


def _json_value(value):
    if value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _figure(**kwargs):
    """A matplotlib Figure outside pyplot: headless, and never left open."""
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def _save(fig, path):
    fig.savefig(path, dpi=_PNG_DPI)
    return path


def draw_compare_figures(out, models, split, table, seed):
    """Per head an embedding and a class-similarity PNG; one accuracy chart.

    The chart has a bar per row of ``table``, the reference models' in grey.

    Returns
    -------
    paths : list of pathlib.Path
    """
    from ..plotting import (
        ClassSimilarityDisplay,
        EmbeddingCurvesDisplay,
        EmbeddingProjectionDisplay,
        EmbeddingRegionsDisplay,
    )

    paths = []
    for head, model in models.items():
        fig = _figure()
        picture = {1: EmbeddingCurvesDisplay, 2: EmbeddingRegionsDisplay}.get(
            final_step(model).embedding_dim_, EmbeddingProjectionDisplay
        )
        display = picture.from_estimator(
            model, split.X_test, split.y_test, random_state=seed, ax=fig.subplots()
        )
        display.ax_.set_title(
            f"{head} on the {split.name} test set\n{display.ax_.get_title()}"
        )
        paths.append(_save(fig, out / f"embedding_{head}.png"))

        side = max(4.8, 1.0 + 0.6 * split.n_classes)  # room for a value per cell
        fig = _figure(figsize=(side + 1.6, side))
        display = ClassSimilarityDisplay.from_estimator(
            model,
            include_values=split.n_classes <= _MAX_CLASSES_WITH_VALUES,
            ax=fig.subplots(),
        )
        display.ax_.set_title(f"{head}: {display.ax_.get_title()}")
        paths.append(_save(fig, out / f"similarity_{head}.png"))

    fig = _figure(figsize=(6.0, 1.5 + 0.5 * len(table)))
    ax = fig.subplots()
    # The heads in blue, the reference models in grey.
    colors = [
        "tab:gray" if kind == "reference" else "tab:blue" for kind in table["kind"]
    ]
    bars = ax.barh(table["head"], table["accuracy"], color=colors)
    ax.bar_label(bars, fmt="%.3f", padding=3)
    ax.invert_yaxis()
    ax.set(
        xlim=(0.0, 1.1),
        xlabel="test accuracy",
        title=f"Test accuracy on {split.name}",
    )
    paths.append(_save(fig, out / "accuracy.png"))
    return paths


def draw_sweep_figure(out, table, split):
    """``sweep.png``: SOC accuracy against the dimension, softmax as a line."""
    soc = table[table["head"] == "soc"]
    softmax = table[table["head"] == "softmax"].iloc[0]
    fig = _figure()
    ax = fig.subplots()
    ax.plot(soc["embedding_dim"], soc["accuracy"], marker="o", label="SOC")
    ax.axhline(
        softmax["accuracy"],
        color="gray",
        linestyle="--",
        label=f"softmax, one feature per class ({softmax['embedding_dim']})",
    )
    ax.set_xscale("log", base=2)
    ax.set_xticks(soc["embedding_dim"], labels=[str(d) for d in soc["embedding_dim"]])
    ax.minorticks_off()
    ax.set(
        ylim=(0.0, 1.02),
        xlabel="embedding dimension",
        ylabel="test accuracy",
        title=f"Accuracy against embedding size on {split.name}",
    )
    ax.legend(loc="lower right")
    return _save(fig, out / "sweep.png")
