"""The two commands, ``compare`` and ``sweep``: data in, heads trained, results out."""

import pandas as pd

from .._version import __version__
from ._baselines import REFERENCES, build_references
from ._data import load_split
from ._errors import EXIT_OK
from ._models import build_model, hidden_layer_sizes, train_and_score
from ._output import (
    METRICS_LEGEND,
    REFERENCE_LEGEND,
    SCORE_COLUMNS,
    data_line,
    draw_compare_figures,
    draw_sweep_figure,
    encoder_name,
    format_table,
    note,
    prepare_out_dir,
    report_written,
    training_line,
    write_table,
)

_COMPARE_COLUMNS = ("head", "kind", *SCORE_COLUMNS, "epochs", "fit_seconds")
_SWEEP_COLUMNS = ("accuracy", "log_loss", "epochs", "fit_seconds")


def run_compare(args):
    """``sksoc compare``: every head on one dataset, one table.

    With ``args.reference``, the table ends with the reference models of
    :mod:`._reference`; the ``kind`` column of the files tells them from
    the heads.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    exit_code : int
    """
    split = _load_data(args)
    models = {
        head: build_model(
            head, embedding_dim=args.embedding_dim, epochs=args.epochs, seed=args.seed
        )
        for head in args.heads
    }
    references = build_references(split, args.seed) if args.reference else []
    max_epochs = max(model.max_epochs for model in models.values())
    rows = train_and_score(list(models.items()), split, args, references)
    names = [*models, *(name for name, _ in references)]
    kinds = ["head"] * len(models) + ["reference"] * len(references)
    table = pd.DataFrame(
        [
            {"head": name, "kind": kind, **row}
            for name, kind, row in zip(names, kinds, rows, strict=True)
            if row is not None  # a reference that failed to train
        ],
        columns=_COMPARE_COLUMNS,
    )
    # Whole numbers for the heads, missing for the reference models.
    table["epochs"] = table["epochs"].astype("Int64")

    print(data_line("compare", split))
    print(
        f"{encoder_name(split)} {hidden_layer_sizes(split)} -> {args.embedding_dim}-d "
        f"embedding, {training_line(max_epochs, args.seed)}"
    )
    print()
    print(format_table(table))
    print()
    print(METRICS_LEGEND)
    if (table["kind"] == "reference").any():
        print(REFERENCE_LEGEND)

    if args.out is not None:
        metadata = {
            "command": "compare",
            **split.metadata(),
            "embedding_dim": args.embedding_dim,
            "hidden_layer_sizes": list(hidden_layer_sizes(split)),
            "max_epochs": max_epochs,
            "references": {
                name: REFERENCES[name]
                for name in table.loc[table["kind"] == "reference", "head"]
            },
            "seed": args.seed,
            "sksoc_version": __version__,
        }
        paths = write_table(args.out, "results", table, metadata)
        paths += draw_compare_figures(args.out, models, split, table, args.seed)
        report_written(args, args.out, paths)
    return EXIT_OK


def run_sweep(args):
    """``sksoc sweep``: SOC at each embedding size, softmax at one per class.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    exit_code : int
    """
    split = _load_data(args)
    runs = [("soc", dim) for dim in args.dims] + [("softmax", split.n_classes)]
    fits = [
        (
            f"{head} dim={dim}",
            build_model(head, embedding_dim=dim, epochs=args.epochs, seed=args.seed),
        )
        for head, dim in runs
    ]
    max_epochs = max(model.max_epochs for _, model in fits)
    rows = train_and_score(fits, split, args)
    table = pd.DataFrame(
        [
            {"head": head, "embedding_dim": dim}
            | {key: row[key] for key in _SWEEP_COLUMNS}
            for (head, dim), row in zip(runs, rows, strict=True)
        ]
    )

    dims = ",".join(str(dim) for dim in args.dims)
    print(data_line("sweep", split))
    print(
        f"SOC at embedding dims {dims} vs softmax at {split.n_classes}, one per class"
    )
    print(
        f"{encoder_name(split)} {hidden_layer_sizes(split)}, "
        f"{training_line(max_epochs, args.seed)}"
    )
    print()
    print(format_table(table))

    if args.out is not None:
        metadata = {
            "command": "sweep",
            **split.metadata(),
            "dims": list(args.dims),
            "hidden_layer_sizes": list(hidden_layer_sizes(split)),
            "max_epochs": max_epochs,
            "seed": args.seed,
            "sksoc_version": __version__,
        }
        paths = write_table(args.out, "sweep", table, metadata)
        paths.append(draw_sweep_figure(args.out, table, split))
        report_written(args, args.out, paths)
    return EXIT_OK


def _load_data(args):
    """Check that --out can be written, then load the data and print its notes."""
    prepare_out_dir(args.out)
    split = load_split(args)
    for line in split.notes:
        note(args, line)
    return split
