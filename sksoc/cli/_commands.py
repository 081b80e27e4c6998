"""The two commands, ``compare`` and ``sweep``: data in, heads trained, results out."""

import pandas as pd

from .._version import __version__
from ._data import load_split
from ._errors import EXIT_OK
from ._models import HIDDEN_LAYER_SIZES, build_model, train_and_score
from ._output import (
    METRICS_LEGEND,
    data_line,
    draw_compare_figures,
    draw_sweep_figure,
    format_table,
    note,
    prepare_out_dir,
    report_written,
    training_line,
    write_table,
)

_SWEEP_COLUMNS = ("accuracy", "log_loss", "epochs", "fit_seconds")


def run_compare(args):
    """``sksoc compare``: every head on one dataset, one table.

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
    max_epochs = max(model.max_epochs for model in models.values())
    rows = train_and_score(list(models.items()), split, args)
    table = pd.DataFrame(
        [{"head": head, **row} for head, row in zip(models, rows, strict=True)]
    )

    print(data_line("compare", split))
    print(
        f"MLP encoder {HIDDEN_LAYER_SIZES} -> {args.embedding_dim}-d embedding, "
        f"{training_line(max_epochs, args.seed)}"
    )
    print()
    print(format_table(table))
    print()
    print(METRICS_LEGEND)

    if args.out is not None:
        metadata = {
            "command": "compare",
            **split.metadata(),
            "embedding_dim": args.embedding_dim,
            "hidden_layer_sizes": list(HIDDEN_LAYER_SIZES),
            "max_epochs": max_epochs,
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
    print(f"MLP encoder {HIDDEN_LAYER_SIZES}, {training_line(max_epochs, args.seed)}")
    print()
    print(format_table(table))

    if args.out is not None:
        metadata = {
            "command": "sweep",
            **split.metadata(),
            "dims": list(args.dims),
            "hidden_layer_sizes": list(HIDDEN_LAYER_SIZES),
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
