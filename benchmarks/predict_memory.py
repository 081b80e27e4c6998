"""Peak memory of predict_proba on a million rows: batched, against one big forward.

Run ``python benchmarks/predict_memory.py --out FILE`` with ``FILE``
``docs/user_guide/_generated/predict_memory.csv`` for the table of the user
guide (:ref:`scaling_out`).

A small SOCClassifier (64 features -> 128 hidden -> 16-dimensional
embedding, 10 classes) is trained once and saved with ``save_model``; then,
each in a fresh process, the million-row X is made (float32, so sksoc uses it
without a copy), the model is loaded, and one of two predictions runs:

- ``batched``: ``model.predict_proba(X)``, which runs the encoder and head on
  a few thousand rows at a time and writes each batch into the preallocated
  result;
- ``naive``: the same encoder and head applied to all of X in one forward
  pass, then the softmax, the way one would write it by hand in torch.

Each child resets the kernel's high-water mark of its resident set just
before the call, reads its resident memory, makes the call, and reads the
mark (``_memory.py``; Linux only). Before the call the process holds the
interpreter, torch, the model and X; the *peak growth* during the call is
what prediction itself needs. Bounded memory means that growth is the output
plus a batch's intermediates, whatever the number of rows: the batched
prediction is measured on a quarter of the rows too, to show that the part
beyond the output does not grow with them. Sizes are in MiB (2**20 bytes);
``--out FILE`` writes the three rows to a CSV file.

    python benchmarks/predict_memory.py [--rows 1000000] [--features 64]
        [--classes 10] [--threads 1] [--out FILE]
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from _memory import MIB, peak_bytes, reset_peak, resident_bytes


def make_X(n_rows, n_features):
    # float32 straight from the generator: no float64 temporary.
    return np.random.default_rng(0).standard_normal((n_rows, n_features), np.float32)


def train(path, args):
    from sksoc import SOCClassifier, save_model

    X = make_X(20_000, args.features)
    # Ten classes from the largest of ten random projections.
    projections = np.random.default_rng(1).standard_normal((args.features, 10))
    y = (X @ projections).argmax(axis=1) % args.classes
    model = SOCClassifier(max_epochs=2, batch_size=256, random_state=0).fit(X, y)
    save_model(model, path)


def predict(mode, path, args):
    """Run in a fresh process: print, as JSON, the memory around one prediction."""
    from sksoc import load_model

    torch.set_num_threads(args.threads)
    X = make_X(args.rows, args.features)
    model = load_model(path)
    # Warm up on a few rows, so lazy initialisation is not counted as prediction.
    model.predict_proba(X[:10])
    reset_peak()
    before = resident_bytes()
    start = time.perf_counter()
    if mode == "batched":
        proba = model.predict_proba(X)
    else:
        encoder, head = model.net_.module_, model.net_.criterion_
        encoder.eval()
        head.eval()
        with torch.inference_mode():
            logits = head.logits(encoder(torch.from_numpy(X))).double()
            proba = torch.softmax(logits, 1).numpy()
    seconds = time.perf_counter() - start
    peak = peak_bytes()
    assert proba.shape == (args.rows, len(model.classes_))
    result = {"before": before, "peak": peak, "seconds": seconds}
    print(json.dumps(result | {"output": proba.nbytes}))


def measure(mode, path, args, rows):
    command = [sys.executable, __file__, "--child", mode, "--model", path]
    command += [f"--rows={rows}", f"--features={args.features}"]
    command += [f"--classes={args.classes}", f"--threads={args.threads}"]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.splitlines()[-1])


def table_row(label, rows, args, result):
    """The CSV row of one measurement, sizes in MiB."""
    growth = result["peak"] - result["before"]
    return {
        "prediction": label,
        "rows": rows,
        "features": args.features,
        "classes": args.classes,
        "output (MiB)": round(result["output"] / MIB, 1),
        "peak growth (MiB)": round(growth / MIB, 1),
        "growth beyond the output (MiB)": round((growth - result["output"]) / MIB, 1),
        "process peak (MiB)": round(result["peak"] / MIB, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", help="write the table as CSV here")
    parser.add_argument("--child", choices=["batched", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        predict(args.child, args.model, args)
        return

    x_bytes = args.rows * args.features * 4
    out_bytes = args.rows * args.classes * 8
    print(
        f"X: {args.rows:,} x {args.features} float32 = {x_bytes / MIB:,.1f} MiB; "
        f"predict_proba output: {args.rows:,} x {args.classes} float64 = "
        f"{out_bytes / MIB:,.1f} MiB; torch threads: {args.threads}"
    )
    table = []
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "model.sksoc")
        train(path, args)
        for mode, rows, label in [
            ("batched", args.rows // 4, "sksoc predict_proba (batched)"),
            ("batched", args.rows, "sksoc predict_proba (batched)"),
            ("naive", args.rows, "one unbatched forward + softmax"),
        ]:
            result = measure(mode, path, args, rows)
            row = table_row(label, rows, args, result)
            table.append(row)
            print(
                f"{label}, {rows:>9,} rows: peak RSS {row['process peak (MiB)']:7,.1f}"
                f" MiB = {result['before'] / MIB:,.1f} before the call + "
                f"{row['peak growth (MiB)']:,.1f} during it (output "
                f"{row['output (MiB)']:,.1f}, other "
                f"{row['growth beyond the output (MiB)']:,.1f}); "
                f"{result['seconds']:.2f} s",
                flush=True,
            )
    if args.out:
        with open(args.out, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows(table)


if __name__ == "__main__":
    main()
