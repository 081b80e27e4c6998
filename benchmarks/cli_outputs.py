"""Run the commands that the command-line page shows, and write what they print.

Run ``python benchmarks/cli_outputs.py`` after a change that moves the
outputs; it rewrites the files under ``docs/user_guide/_generated/cli/`` that
``docs/user_guide/cli.rst`` includes, and ``tests/test_docs_numbers.py``
fails while they differ from what the commands print today (fit seconds
aside, which vary with the machine). ``--check`` only compares.

Every ``.txt`` file is a console session: each command after a ``$``, then
what it prints, stdout and stderr in the order they come. The commands run
in-process through :func:`sksoc.cli.main`, in a temporary directory that
holds the page's example files (``flowers.csv``, Fisher's iris data with
named columns, and ``field_notes.csv``, the same with a text column, a
column of booleans and missing measurements). The
page's first run, a plain ``sksoc compare``, is the README's: its output
is written by ``benchmarks/readme_compare.py`` into ``README.rst``, and
copied from there into ``compare.txt``. ``datasets.csv`` is the table of
the built-in datasets, counted from the data.

    python benchmarks/cli_outputs.py [--check]
"""

import argparse
import contextlib
import csv
import importlib.util
import io
import os
import shlex
import sys
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
from sklearn.datasets import load_iris

from sksoc.cli import main as sksoc_main
from sksoc.cli._data import DATASETS, load_builtin

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "user_guide" / "_generated" / "cli"
TIMING_COLUMN = "fit_seconds"

# Each file: the commands it shows, in order. A command is run as typed.
SESSIONS = {
    "compare_csv.txt": [
        "sksoc compare --csv flowers.csv --target species --heads softmax,soc "
        "--embedding-dim 2",
    ],
    "compare_table.txt": [
        "sksoc compare --csv field_notes.csv --target species --heads softmax,soc",
    ],
    "sweep.txt": ["sksoc sweep --dims 2,5,10"],
    "errors.txt": [
        "sksoc compare --csv flower.csv --target species",
        "sksoc compare --csv flowers.csv --target label",
        "sksoc compare --csv flowers.csv --target petal_length",
        "sksoc compare --heads soc,arcface",
        "sksoc compare --dataset cifar10",
        # As on a machine without the mnist1d package (see without_mnist1d).
        "sksoc compare --dataset mnist1d",
    ],
}
DATASET_NOTES = {
    "digits": "8x8 images of digits (the default)",
    "wine": "chemical analysis of wines",
    "breast_cancer": "tumour measurements",
    "iris": "flower measurements",
    "mnist1d": "one-dimensional digit signals",
}


def write_example_files(directory):
    """The CSV files the page's commands read, into ``directory``."""
    iris = load_iris(as_frame=True)
    flowers = iris.data.set_axis(
        ["sepal_length", "sepal_width", "petal_length", "petal_width"], axis=1
    )
    flowers["species"] = np.asarray(iris.target_names)[iris.target]
    flowers.to_csv(directory / "flowers.csv", index=False)
    field_notes = flowers.assign(
        site=np.where(flowers.index % 3, "south", "north"),
        photographed=flowers.index % 2 == 0,
    )
    # A measurement missed on every twelfth flower.
    field_notes.loc[::12, "petal_width"] = np.nan
    columns = ["site", "photographed", *flowers.columns]
    field_notes[columns].to_csv(directory / "field_notes.csv", index=False)


@contextlib.contextmanager
def without_mnist1d():
    """Imports of ``mnist1d`` fail inside, as where it is not installed."""
    with mock.patch.dict(sys.modules, {"mnist1d": None, "mnist1d.data": None}):
        yield


def run_session(commands):
    """A console session: each command after ``$``, then what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        for command in commands:
            print(f"$ {command}")
            argv = shlex.split(command)[1:]
            hidden = "mnist1d" in argv
            with without_mnist1d() if hidden else contextlib.nullcontext():
                sksoc_main(argv)  # no bar: stderr is not a terminal
    return printed.getvalue()


def sessions():
    """``{file name: text}`` for every session of :data:`SESSIONS`."""
    start = Path.cwd()
    with tempfile.TemporaryDirectory() as directory:
        write_example_files(Path(directory))
        os.chdir(directory)
        try:
            return {name: run_session(cmds) for name, cmds in SESSIONS.items()}
        finally:
            os.chdir(start)


def first_run():
    """``$ sksoc compare`` and its output, as the README shows it."""
    path = ROOT / "benchmarks" / "readme_compare.py"
    spec = importlib.util.spec_from_file_location("readme_compare", path)
    readme_compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(readme_compare)
    text = readme_compare.README.read_text()
    start, end = readme_compare.readme_block(text)
    lines = text[start:end].rstrip("\n").splitlines()
    return "$ sksoc compare\n" + "".join(line[4:] + "\n" for line in lines)


def datasets_table(names=DATASETS):
    """The rows of ``datasets.csv``: each built-in dataset, counted."""
    rows = [["name", "samples", "features", "classes", "what"]]
    for name in names:
        X, y = load_builtin(name)
        n_classes = len(np.unique(y))
        rows.append([f"``{name}``", len(X), X.shape[1], n_classes, DATASET_NOTES[name]])
    return rows


def as_csv(rows):
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()


def without_timing(text):
    """The lines of ``text`` with the fit-seconds column of its tables dropped.

    A table starts at a header line that ends in ``fit_seconds`` and runs to
    the next blank line or command.
    """
    lines, in_table = [], False
    for line in text.splitlines():
        if line.rstrip().endswith(TIMING_COLUMN):
            in_table = True
        elif not line.strip() or line.startswith("$ "):
            in_table = False
        lines.append(line.rsplit(None, 1)[0] if in_table else line.rstrip())
    return lines


def generated():
    """``{file name: text}`` of every file this script writes."""
    return {
        "compare.txt": first_run(),
        **sessions(),
        "datasets.csv": as_csv(datasets_table()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare")
    args = parser.parse_args()
    stale = []
    for name, text in generated().items():
        path = OUT / name
        if args.check:
            written = path.read_text() if path.exists() else ""
            if without_timing(written) != without_timing(text):
                stale.append(name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        sys.exit(f"out of date: {', '.join(stale)}; run {Path(__file__).name}")


if __name__ == "__main__":
    main()
