"""Peak memory of training with many classes: the head alone, and the estimators.

Run ``python benchmarks/many_classes_memory.py --out DIR`` with ``DIR``
``docs/user_guide/_generated/many_classes`` for the tables of the user guide
(:ref:`many_classes`).

How memory is measured. Each row is one call, run in a fresh process (a
child started with ``subprocess``). The child first builds its data and
trains a throw-away model of the same kind on a few rows, so that torch's
lazy imports and first kernels are not charged to the call. Then it resets
the kernel's high-water mark of its resident set (writing ``5`` to
``/proc/self/clear_refs``), reads its resident memory (``VmRSS`` of
``/proc/self/status``), makes the call, and reads the high-water mark
(``VmHWM``). The *peak growth* is the second minus the first: what the call
needed at its peak above what the process held before it, everything
included (the class parameters, their gradient, the optimiser's state, the
logits or a chunk of them, temporaries and the allocator's overhead). The
*process peak* adds the interpreter, torch and the data. ``getrusage``'s
``ru_maxrss`` is not used: after ``fork`` and ``exec`` it can keep the
parent's peak. Linux only; ``_memory.py`` holds the readings.

The rows, all at ``embedding_dim=64`` (``--dim``):

- ``SOCHead`` alone, one forward, backward and optimiser step on a batch of
  256 (the estimators' default batch for these rows), at 1,000,000 classes
  with ``chunk_size=8192``: with plain SGD, and with Adam as the estimators
  default to (``weight_decay=1e-3``), whose two moment estimates are two more
  copies of the class parameters;
- each estimator at its defaults, at 1,000,000 classes, with ``chunk_size``
  unset (the default) and set. A fit needs a row per class, and at a
  million classes one epoch is hours of arithmetic on a CPU, so these rows
  use the estimators' other training path: a first ``partial_fit`` given
  every class in ``classes`` and 2,048 rows, eight steps of the default
  batch of 256. It builds the same model and takes the same steps with the
  same optimiser as ``fit``; it holds out no rows and fits no calibration;
- ``fit`` itself, at fewer classes (``--fit-classes``, two rows per class,
  ``max_epochs=2``, so that the early-stopping pass and the calibration
  both run): each estimator at its defaults, and SOC with
  ``calibration=None``. The calibration is fitted on the held-out rows'
  logits, one float64 matrix of rows by classes: with a row or two per
  class it would grow with the square of the number of classes, so past
  ``2**22`` logits (32 MiB) it takes a seeded subset of the rows.

Sizes are in MiB (2**20 bytes); ``class parameters`` is the size of one copy
of the class embeddings (classes x embedding_dim, float32), ``calibration
logits`` that of the calibration's matrix. ``--out DIR`` writes the head and
``partial_fit`` rows to ``DIR/training.csv`` and the ``fit`` rows to
``DIR/fit.csv``. The whole run takes about ten minutes on two busy cores.

    python benchmarks/many_classes_memory.py [--classes 1000000] [--dim 64]
        [--chunk-size 8192] [--fit-classes 20000] [--only {training,fit}]
        [--out DIR]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from _memory import MIB, peak_bytes, reset_peak, resident_bytes

from sksoc._calibration import CALIBRATION_MAX_LOGITS

BATCH = 256  # the estimators' "auto" batch size from 2,048 rows on
PARTIAL_FIT_ROWS = 2_048
N_FEATURES = 16
FIT_ROWS_PER_CLASS = 2
VALIDATION_FRACTION = 0.1  # the estimators' default
ESTIMATORS = (
    "SOCClassifier",
    "FixedRandomClassifier",
    "MarginClassifier",
    "SoftmaxClassifier",
)


# -- the configurations ---------------------------------------------------------------


def configurations(args):
    """One dict per row: what the child process runs."""
    rows = [
        {"call": "head step", "optimizer": optimizer, "chunk_size": args.chunk_size}
        for optimizer in ("sgd", "adam")
    ]
    rows += [
        {"call": "partial_fit", "estimator": estimator, "chunk_size": chunk_size}
        for estimator in ESTIMATORS
        for chunk_size in (None, args.chunk_size)
    ]
    fits = [{"estimator": estimator} for estimator in ESTIMATORS]
    fits.append({"estimator": "SOCClassifier", "calibration": None})
    rows += [
        {"call": "fit", "chunk_size": None, "classes": args.fit_classes} | fit
        for fit in fits
    ]
    return [{"classes": args.classes, "dim": args.dim} | row for row in rows]


# -- the child process ----------------------------------------------------------------


def head_step(config):
    """Build an SOCHead and take one training step; return the call."""
    from sksoc.heads import SOCHead

    def optimizer(parameters):
        if config["optimizer"] == "sgd":
            return torch.optim.SGD(parameters, lr=0.1)
        # As the estimators build it: fused Adam, lr=6e-3, weight_decay=1e-3.
        return torch.optim.Adam(parameters, lr=6e-3, weight_decay=1e-3, fused=True)

    def step(n_classes):
        generator = torch.Generator().manual_seed(0)
        z = torch.randn(BATCH, config["dim"], generator=generator)
        y = torch.randint(n_classes, (BATCH,), generator=generator)
        head = SOCHead(n_classes, config["dim"], chunk_size=config["chunk_size"])
        head(z.requires_grad_(), y).backward()
        optimizer(head.parameters()).step()

    step(1_000)  # the warm-up
    return lambda: step(config["classes"])


def estimator_call(config):
    """Build the estimator and its data; return the call."""
    import sksoc

    Estimator = getattr(sksoc, config["estimator"])
    params = {
        "embedding_dim": config["dim"],
        "chunk_size": config["chunk_size"],
        "random_state": 0,
    }
    if "calibration" in config:
        params["calibration"] = config["calibration"]
    rng = np.random.default_rng(0)
    n_classes = config["classes"]
    if config["call"] == "fit":
        y = rng.permutation(np.repeat(np.arange(n_classes), FIT_ROWS_PER_CLASS))
    else:
        y = rng.integers(n_classes, size=PARTIAL_FIT_ROWS)
    X = rng.standard_normal((len(y), N_FEATURES), dtype=np.float32)
    # The warm-up: the same estimator on a few rows of a few classes.
    few = np.arange(64)
    Estimator(**params, max_epochs=2).fit(X[few], few % 4)
    if config["call"] == "fit":
        model = Estimator(**params, max_epochs=2)
        return lambda: model.fit(X, y)
    model = Estimator(**params)
    return lambda: model.partial_fit(X, y, classes=np.arange(n_classes))


def child(config):
    """Print the resident memory before the call and its peak during it, as JSON."""
    call = (
        head_step(config) if config["call"] == "head step" else estimator_call(config)
    )
    reset_peak()
    before = resident_bytes()
    start = time.perf_counter()
    call()
    seconds = time.perf_counter() - start
    print(json.dumps({"before": before, "peak": peak_bytes(), "seconds": seconds}))


# -- the parent -----------------------------------------------------------------------


def measure(config):
    command = [sys.executable, __file__, "--child", json.dumps(config)]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.splitlines()[-1])


def describe(config):
    if config["call"] == "head step":
        optimizer = {"sgd": "SGD", "adam": "Adam, weight_decay=1e-3"}
        return f"SOCHead alone, one step with {optimizer[config['optimizer']]}"
    text = f"{config['estimator']}.{config['call']}"
    if "calibration" in config:
        text += f", calibration={config['calibration']}"
    return text


def table_row(config, result):
    """The CSV row of one measurement."""
    growth = (result["peak"] - result["before"]) / MIB
    parameters = config["classes"] * config["dim"] * 4 / MIB
    row = {
        "call": describe(config),
        "classes": config["classes"],
        "embedding_dim": config["dim"],
        "chunk_size": config["chunk_size"] or "None",
        "class parameters (MiB)": round(parameters),
        "peak growth (MiB)": round(growth),
        "process peak (MiB)": round(result["peak"] / MIB),
    }
    if config["call"] == "fit":
        held_out = round(VALIDATION_FRACTION * FIT_ROWS_PER_CLASS * config["classes"])
        row["rows"] = FIT_ROWS_PER_CLASS * config["classes"]
        row["held-out rows"] = held_out
        calibrated = min(held_out, max(1, CALIBRATION_MAX_LOGITS // config["classes"]))
        if "calibration" in config and config["calibration"] is None:
            calibrated = 0
        row["calibration rows"] = calibrated
        row["calibration logits (MiB)"] = round(
            calibrated * config["classes"] * 8 / MIB
        )
    else:
        row["growth / class parameters"] = round(growth / parameters, 1)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--chunk-size", type=int, default=8_192)
    parser.add_argument("--fit-classes", type=int, default=20_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--only",
        choices=("training", "fit"),
        help="measure one table and keep the other",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return

    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    training, fits = [], []
    for config in configurations(args):
        kind = "fit" if config["call"] == "fit" else "training"
        if args.only not in (None, kind):
            continue
        result = measure(config)
        row = table_row(config, result)
        (fits if config["call"] == "fit" else training).append(row)
        if config["call"] == "fit":
            detail = f"calibration logits {row['calibration logits (MiB)']:,} MiB"
        else:
            detail = f"{row['growth / class parameters']} x the class parameters"
        print(
            f"{row['call']}, {config['classes']:,} classes, d={config['dim']}, "
            f"chunk_size={config['chunk_size']}: process peak "
            f"{result['peak'] / MIB:,.0f} MiB = {result['before'] / MIB:,.0f} "
            f"before the call + {row['peak growth (MiB)']:,} during it "
            f"({detail}); {result['seconds']:.1f} s",
            flush=True,
        )
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, rows in (("training", training), ("fit", fits)):
            if args.only in (None, name):
                pd.DataFrame(rows).to_csv(args.out / f"{name}.csv", index=False)


if __name__ == "__main__":
    main()
