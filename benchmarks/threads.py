"""One torch thread or two: seconds per training step of small and large MLPs.

The estimators train on one torch thread when a step is small (below
``sksoc._engine.SINGLE_THREAD_MAX_WORK`` multiply-adds, about batch size
times parameters): there a second thread costs more in synchronisation than
it saves, and far more when the other core is busy. This prints the
evidence: a hand-written step (encoder, linear head, fused Adam) timed with
1 and 2 threads, idle and with a busy-looping process on another core.

    python benchmarks/threads.py [--steps 200] [--out FILE.csv]
"""

import argparse
import csv
import multiprocessing
import time

import torch

from sksoc._engine import SINGLE_THREAD_MAX_WORK
from sksoc.encoders import MLPEncoder
from sksoc.heads import LinearHead

# (n_features, hidden layers, batch size), from the default model upward.
NETWORKS = [
    (60, (128,), 256),
    (60, (512,), 256),
    (200, (512, 512), 256),
    (784, (1024, 1024), 512),
]


def spin(stop):
    """Keep one core busy until ``stop`` is set (another user's process)."""
    while not stop.is_set():
        pass


def milliseconds_per_step(n_features, hidden, batch_size, threads, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    encoder, head = MLPEncoder(n_features, 16, hidden), LinearHead(24, 16)
    parameters = [*encoder.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=1e-3, fused=True)
    X, y = torch.randn(batch_size, n_features), torch.randint(0, 24, (batch_size,))

    def step():
        optimizer.zero_grad()
        head(encoder(X), y).backward()
        optimizer.step()

    for _ in range(20):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * 1e3, sum(
        p.numel() for p in parameters
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--out", help="write the table as CSV here")
    args = parser.parse_args()
    rows = []
    for load in ("idle", "other core busy"):
        stop = multiprocessing.Event()
        spinner = multiprocessing.Process(target=spin, args=(stop,))
        if load != "idle":
            spinner.start()
        try:
            for n_features, hidden, batch_size in NETWORKS:
                one, n_parameters = milliseconds_per_step(
                    n_features, hidden, batch_size, 1, args.steps
                )
                two, _ = milliseconds_per_step(
                    n_features, hidden, batch_size, 2, args.steps
                )
                work = batch_size * n_parameters
                rows.append(
                    {
                        "machine": load,
                        "network": f"{n_features} -> {hidden} -> 16 -> 24",
                        "batch": batch_size,
                        "work (M multiply-adds)": f"{work / 1e6:.1f}",
                        "sksoc uses": (
                            "1 thread" if work < SINGLE_THREAD_MAX_WORK else "torch's"
                        ),
                        "1 thread (ms/step)": f"{one:.3f}",
                        "2 threads (ms/step)": f"{two:.3f}",
                    }
                )
                print(", ".join(f"{k}: {v}" for k, v in rows[-1].items()), flush=True)
        finally:
            stop.set()
            if spinner.is_alive():
                spinner.join()
    if args.out:
        with open(args.out, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
