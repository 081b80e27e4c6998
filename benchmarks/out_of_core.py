"""Out-of-core training on Dask-ML: data four times a memory budget, peak RSS under it.

Run ``python benchmarks/out_of_core.py --out docs/user_guide/_generated/out_of_core``.

The data are made lazily, chunk by chunk: every chunk of X (float32) and its
labels come from a generator seeded by the chunk's index, inside the Dask
task that needs them, so the full array never exists anywhere. The labels
are those of a fixed random "teacher" network (a tanh layer of 32 units,
then 10 class scores), which a student MLP learns better the more rows it
sees.

Each measurement runs in a fresh Python process, on a ``LocalCluster`` of
one single-threaded worker *in that process* (``processes=False``), so the
process's memory holds the client, the scheduler, the worker, every chunk in
flight and the model. Memory is the kernel's high-water mark of the
process's resident set, ``resource.getrusage(RUSAGE_SELF).ru_maxrss``
(Linux reports it in KiB; sizes here are MiB, 2**20 bytes):

1. ``baseline``: the high-water mark once the imports are done, the cluster
   is up, the 20,000 test rows are in memory and a warm-up training (a tiny
   ``Incremental`` fit) has run: everything but the training data.
2. The budget is the baseline plus six chunks: the chunk being trained, the
   few that Dask's scheduler makes ahead of their turn (it queues the tasks
   that make chunks, but does not hold them to one at a time), and room for
   the generator's temporaries. How many chunks above its baseline the
   out-of-core run reached is reported. The number of
   chunks is then chosen so that the data are at least four times the budget.
3. ``out-of-core``: a second fresh process trains
   ``Incremental(SOCClassifier(...))`` over all the chunks for ``--passes``
   passes (one ``partial_fit`` call, one epoch, per chunk per pass) and
   reports its high-water mark, which must stay under the budget.
4. For accuracy, on a subsample that fits in memory (the first
   ``--subsample`` chunks, generated as NumPy arrays in a third process):
   one in-memory ``fit`` with as many epochs as passes, and the same
   ``Incremental`` training over those chunks alone. Its peak memory is
   reported as measured, for contrast; it is not held to the budget.

Every number the user guide shows comes from the CSV files this writes.

    python benchmarks/out_of_core.py [--features 256] [--chunk-rows 65536]
        [--passes 3] [--subsample 4] [--out DIRECTORY]
"""

import argparse
import csv
import json
import math
import os
import resource
import subprocess
import sys
import time

import numpy as np

MIB = 2**20
CLASSES = np.arange(10)
TEST_ROWS = 20_000
# Chunk indices of the test rows: far from any training chunk's.
TEST_CHUNK = 10**6
# Chunks of room in the budget above the baseline.
BUDGET_CHUNKS = 6
# The data are at least this many times the budget.
DATA_OVER_BUDGET = 4


def make_chunk(index, rows, n_features):
    """Chunk ``index`` of the data: X (float32) and the teacher's labels.

    The same ``index`` always gives the same rows; the teacher is the same
    for every chunk.
    """
    teacher = np.random.default_rng(0)
    hidden = teacher.standard_normal((n_features, 32), dtype=np.float32)
    scores = teacher.standard_normal((32, len(CLASSES)), dtype=np.float32)
    X = np.random.default_rng([1, index]).standard_normal(
        (rows, n_features), dtype=np.float32
    )
    y = (np.tanh(X @ (hidden * (2 / math.sqrt(n_features)))) @ scores).argmax(1)
    return X, y.astype(np.int64)


def lazy_data(n_chunks, rows, n_features):
    """X and y as Dask arrays of ``n_chunks`` chunks, each made when needed."""
    import dask
    import dask.array as da

    chunks = [
        dask.delayed(make_chunk, pure=True)(index, rows, n_features)
        for index in range(n_chunks)
    ]
    X = da.concatenate(
        [da.from_delayed(c[0], (rows, n_features), np.float32) for c in chunks]
    )
    y = da.concatenate([da.from_delayed(c[1], (rows,), np.int64) for c in chunks])
    return X, y


def peak_rss():
    """The high-water mark of this process's resident memory, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def student():
    from sksoc import SOCClassifier

    # The contrast term off (measured so): this compares passes over chunks
    # with one fit in memory, the same model either way.
    return SOCClassifier(
        hidden_layer_sizes=(64,),
        embedding_dim=16,
        contrast_weight=0.0,
        batch_size=1024,
        early_stopping=False,
        calibration=None,
        random_state=0,
    )


def incremental(X, y, passes):
    """``Incremental(student())`` trained for ``passes`` passes over X, y."""
    from dask_ml.wrappers import Incremental

    model = Incremental(student(), random_state=0)
    for _ in range(passes):
        model.partial_fit(X, y, classes=CLASSES)
    return model.estimator_


def child(args):
    """One measurement in this fresh process; prints a JSON line."""
    import torch
    from distributed import Client, LocalCluster

    torch.set_num_threads(1)
    with (
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
        ) as cluster,
        Client(cluster),
    ):
        X_test, y_test = make_chunk(TEST_CHUNK, TEST_ROWS, args.features)
        # Warm up: torch's kernels, the scheduler, the tokenising of a model.
        incremental(*lazy_data(2, 2048, args.features), passes=1)
        result = {"baseline": peak_rss()}
        start = time.perf_counter()
        if args.child == "incremental":
            X, y = lazy_data(args.chunks, args.chunk_rows, args.features)
            model = incremental(X, y, args.passes)
        elif args.child == "fit":
            # The chunks, written into one preallocated array (no second copy).
            rows = args.chunk_rows
            X = np.empty((args.chunks * rows, args.features), np.float32)
            y = np.empty(args.chunks * rows, np.int64)
            for index in range(args.chunks):
                part = slice(index * rows, (index + 1) * rows)
                X[part], y[part] = make_chunk(index, rows, args.features)
            model = student().set_params(max_epochs=args.passes).fit(X, y)
        if args.child != "baseline":
            result["seconds"] = time.perf_counter() - start
            result["accuracy"] = model.score(X_test, y_test)
            result["n_iter"] = model.n_iter_
        result["peak"] = peak_rss()
    print(json.dumps(result))


def measure(mode, args, chunks=0):
    """Run one measurement in a fresh process; its JSON result."""
    command = [sys.executable, __file__, f"--child={mode}", f"--chunks={chunks}"]
    command += [f"--features={args.features}", f"--chunk-rows={args.chunk_rows}"]
    command += [f"--passes={args.passes}"]
    output = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=256)
    parser.add_argument("--chunk-rows", type=int, default=65_536)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--subsample", type=int, default=4, help="chunks")
    parser.add_argument("--out", help="directory for the CSV files")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--chunks", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    import dask
    import dask_ml
    import distributed
    import torch

    import sksoc

    print(
        f"sksoc {sksoc.__version__}, torch {torch.__version__}, dask "
        f"{dask.__version__}, distributed {distributed.__version__}, dask-ml "
        f"{dask_ml.__version__}; one worker thread, one torch thread"
    )
    chunk_bytes = args.chunk_rows * (args.features * 4 + 8)
    baseline = measure("baseline", args)["baseline"]
    budget = baseline + BUDGET_CHUNKS * chunk_bytes
    n_chunks = math.ceil(DATA_OVER_BUDGET * budget / chunk_bytes)
    data_bytes = n_chunks * chunk_bytes
    print(
        f"chunk: {args.chunk_rows:,} rows x {args.features} float32 features + "
        f"int64 labels = {chunk_bytes / MIB:.1f} MiB; baseline {baseline / MIB:.1f}"
        f" MiB; budget = baseline + {BUDGET_CHUNKS} chunks = {budget / MIB:.1f} MiB"
    )
    print(
        f"data: {n_chunks} chunks, {n_chunks * args.chunk_rows:,} rows = "
        f"{data_bytes / MIB:,.1f} MiB = {data_bytes / budget:.2f} x the budget"
    )

    runs = [
        ("Incremental, every chunk (out of core)", "incremental", n_chunks),
        ("fit, the first chunks in memory", "fit", args.subsample),
        ("Incremental, the same chunks", "incremental", args.subsample),
    ]
    rows = []
    for label, mode, chunks in runs:
        result = measure(mode, args, chunks)
        if not rows:
            out_of_core = result
        row = {
            "training": label,
            "rows": chunks * args.chunk_rows,
            "data_mib": round(chunks * chunk_bytes / MIB, 1),
            "epochs": args.passes,
            "n_iter": result["n_iter"],
            "test_accuracy": round(result["accuracy"], 4),
            "process_peak_mib": round(result["peak"] / MIB, 1),
            "peak_over_budget": round(result["peak"] / budget, 3),
            "seconds": round(result["seconds"], 1),
        }
        rows.append(row)
        print(
            f"{label}: {row['rows']:,} rows ({row['data_mib']:,} MiB), "
            f"{args.passes} epochs (n_iter_ {row['n_iter']}): test "
            f"accuracy {row['test_accuracy']:.4f}, process peak "
            f"{row['process_peak_mib']:,} MiB ({row['peak_over_budget']} x the "
            f"budget), {row['seconds']} s"
        )
    peak = out_of_core["peak"]
    budget_row = {
        "baseline_mib": round(baseline / MIB, 1),
        "chunk_mib": round(chunk_bytes / MIB, 1),
        "budget_mib": round(budget / MIB, 1),
        "data_mib": round(data_bytes / MIB, 1),
        "data_over_budget": round(data_bytes / budget, 2),
        "peak_mib": round(peak / MIB, 1),
        "peak_over_budget": round(peak / budget, 3),
        "peak_above_baseline_in_chunks": round(
            (peak - out_of_core["baseline"]) / chunk_bytes, 2
        ),
        "under_budget": peak < budget,
    }
    print(
        f"out of core: peak RSS {peak / MIB:.1f} MiB = {peak / budget:.3f} x the "
        f"budget ({budget_row['peak_above_baseline_in_chunks']} chunks above its "
        f"own baseline); data = {data_bytes / budget:.2f} x the budget; "
        f"{'under' if peak < budget else 'OVER'} the budget"
    )
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        write_csv(os.path.join(args.out, "budget.csv"), [budget_row])
        write_csv(os.path.join(args.out, "accuracy.csv"), rows)


if __name__ == "__main__":
    main()
