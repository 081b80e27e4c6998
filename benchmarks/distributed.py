"""Data-parallel training throughput: samples per second with 1 and 2 processes.

Run ``python benchmarks/distributed.py --out docs/user_guide/_generated/distributed``.

One ``SOCClassifier`` large enough for its training steps to dominate (256
features, two hidden layers of 1,024 units, 20 classes, batches of 512 rows)
trains on the same synthetic rows three ways, each in fresh processes joined
by a gloo process group (``file://`` rendezvous in a temporary folder):

1. ``fit`` in one process, outside ``data_parallel()``: the baseline;
2. the same on one torch thread, for what one core does alone;
3. ``fit`` inside ``data_parallel()`` with a world of one process: the cost
   of the data-parallel machinery alone;
4. ``fit`` inside ``data_parallel()`` on two processes, each with half of the
   rows (the same global batches, so the same model).

Except in run 2, every process sets torch's thread count to the machine's
cores divided by the processes of its run (at least one), so that each run
uses the whole CPU and no more. Each process first trains a tiny warm-up
model, then, after a barrier, times its ``fit`` (``early_stopping=False``
and ``calibration=None``, so that ``fit`` is training alone), ``--repeats``
times; a fit's time is its slowest rank's, and a run's time the best of its
repeats, the one least slowed by other work on the machine. Samples per
second are rows times epochs over that time, and ``ratio`` is a run's samples
per second over the baseline's, measured in the same invocation.

On a machine with two cores, two processes share those two cores: the
second process adds no arithmetic, only a second copy of the work's
bookkeeping and an all-reduce of every gradient per step. A ratio near or
below one there is what the CPU allows, not what data parallelism gives with
a core, or a GPU, per process. If other work runs on the machine meanwhile,
the numbers say so little that the output must not be read as a speed claim.

    python benchmarks/distributed.py [--rows 8192] [--epochs 2] [--repeats 3]
        [--out DIRECTORY]
"""

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

import numpy as np

FEATURES = 256
CLASSES = 20
HIDDEN = (1024, 1024)
BATCH_SIZE = 512
# (run, processes, inside data_parallel, torch threads per process; None: the
# machine's cores over the processes).
RUNS = (
    ("fit, no data_parallel", 1, False, None),
    ("fit, no data_parallel, 1 thread", 1, False, 1),
    ("data_parallel, 1 process", 1, True, None),
    ("data_parallel, 2 processes", 2, True, None),
)


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def make_data(rows):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, FEATURES), dtype=np.float32)
    teacher = rng.standard_normal((FEATURES, CLASSES), dtype=np.float32)
    return X, (X @ teacher).argmax(1)


def make_model(epochs):
    from sksoc import SOCClassifier

    # The contrast term off (measured so): this times the data-parallel
    # step, whose arithmetic is the encoder's either way.
    return SOCClassifier(
        hidden_layer_sizes=HIDDEN,
        embedding_dim=64,
        contrast_weight=0.0,
        batch_size=BATCH_SIZE,
        max_epochs=epochs,
        early_stopping=False,
        calibration=None,
        random_state=0,
    )


def rank_main(rank, world_size, parallel, threads, rows, epochs, repeats, folder):
    """One process of a run: warm up, then time ``fit``; write the seconds."""
    import torch
    import torch.distributed as dist

    from sksoc.distributed import data_parallel

    torch.set_num_threads(threads)
    dist.init_process_group(
        "gloo",
        init_method=f"file://{os.path.join(folder, 'rendezvous')}",
        rank=rank,
        world_size=world_size,
        timeout=timedelta(minutes=10),
    )
    X, y = make_data(rows)
    part = slice(rank * rows // world_size, (rank + 1) * rows // world_size)
    context = data_parallel if parallel else contextlib.nullcontext
    with context():
        make_model(1).fit(X[part][:BATCH_SIZE], y[part][:BATCH_SIZE])
    times = []
    for _ in range(repeats):
        dist.barrier()
        start = time.perf_counter()
        with context():
            model = make_model(epochs).fit(X[part], y[part])
        # The slowest rank's time.
        seconds = torch.tensor(time.perf_counter() - start, dtype=torch.float64)
        dist.all_reduce(seconds, op=dist.ReduceOp.MAX)
        times.append(float(seconds))
    with open(os.path.join(folder, f"rank{rank}.json"), "w") as file:
        json.dump({"seconds": min(times), "epochs": model.n_iter_}, file)
    dist.barrier()
    dist.destroy_process_group()


def run(world_size, parallel, threads, rows, epochs, repeats):
    """Start the processes of one run; the slowest rank's seconds and the epochs."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, __file__, "--rank"]
        processes = [
            subprocess.Popen(
                [
                    *command,
                    str(rank),
                    str(world_size),
                    str(int(parallel)),
                    str(threads),
                    str(rows),
                    str(epochs),
                    str(repeats),
                    folder,
                ],
                env={**os.environ, "OMP_NUM_THREADS": str(threads)},
            )
            for rank in range(world_size)
        ]
        try:
            for process in processes:
                if process.wait(timeout=1800) != 0:
                    raise RuntimeError(f"a rank exited with {process.returncode}")
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
        results = []
        for rank in range(world_size):
            with open(os.path.join(folder, f"rank{rank}.json")) as file:
                results.append(json.load(file))
    return threads, results[0]["seconds"], results[0]["epochs"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8192)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", default="docs/user_guide/_generated/distributed")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rank", nargs=8, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rank:
        rank, world, parallel, threads, rows, epochs, repeats = map(int, args.rank[:7])
        rank_main(
            rank, world, bool(parallel), threads, rows, epochs, repeats, args.rank[7]
        )
        return

    n_cores = cores()
    print(
        f"{n_cores} cores. torch threads per process = cores / processes, at least 1."
    )
    if n_cores <= 2:
        print(
            f"With {n_cores} cores, 2 processes share the same CPU: "
            "a ratio near or below 1 is what this machine allows, not a speed "
            "claim for data parallelism with a core or a GPU per process."
        )
    table = []
    baseline = None
    for name, world_size, parallel, threads in RUNS:
        threads = threads or max(1, n_cores // world_size)
        threads, seconds, epochs = run(
            world_size, parallel, threads, args.rows, args.epochs, args.repeats
        )
        samples_per_second = args.rows * epochs / seconds
        baseline = baseline or samples_per_second
        row = {
            "run": name,
            "processes": world_size,
            "torch_threads_per_process": threads,
            "cores": n_cores,
            "rows": args.rows,
            "epochs": epochs,
            "repeats": args.repeats,
            "best_seconds": round(seconds, 2),
            "samples_per_second": round(samples_per_second),
            "ratio": round(samples_per_second / baseline, 2),
        }
        print(
            f"{name:32s} {threads} thread(s) each: {row['samples_per_second']:>7} "
            f"samples/s, {row['ratio']:.2f} x the 1-process baseline"
        )
        table.append(row)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "throughput.csv")
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
