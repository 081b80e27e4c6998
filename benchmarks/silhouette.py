"""Time sksoc's silhouette_score against scikit-learn's on the same data.

Run ``python benchmarks/silhouette.py``. It prints, for each metric, the best
wall time of each implementation over ``--repeat`` runs, their ratio, the two
values and their absolute difference, then the memory of the sksoc call:

- ``tracemalloc peak``: the largest amount of memory allocated by Python and
  numpy during the call, above what was allocated before it (the input data
  is not counted). BLAS's internal buffers are not traced.
- ``peak RSS``: the peak resident memory of a fresh process that only imports
  sksoc.metrics, makes the data and makes one call, before and after the
  call. It includes the interpreter, the imported libraries and the data.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import sklearn.metrics
from threadpoolctl import threadpool_info

import sksoc.metrics


def make_embedding(n_samples, n_features, n_classes, seed):
    """Gaussian classes around random centres: a moderately separated embedding."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(n_classes, size=n_samples)
    centres = rng.normal(scale=2.0, size=(n_classes, n_features))
    return centres[labels] + rng.normal(size=(n_samples, n_features)), labels


def best_time(silhouette_score, X, labels, metric, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        value = silhouette_score(X, labels, metric=metric)
        times.append(time.perf_counter() - start)
    return min(times), value


def peak_rss_mib():
    """Peak resident memory of this process, in MiB."""
    # On Linux, ru_maxrss keeps the parent's peak across fork and exec; the
    # VmHWM line of /proc/self/status is this program's own.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in kibibytes, on macOS in bytes.
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def measure_rss(args, metric):
    """In this (fresh) process: peak RSS before and after one sksoc call."""
    X, labels = make_embedding(args.n_samples, args.n_features, args.n_classes, 0)
    before = peak_rss_mib()
    sksoc.metrics.silhouette_score(X, labels, metric=metric)
    print(f"{before:.1f} {peak_rss_mib():.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20_000)
    parser.add_argument("--n-features", type=int, default=32)
    parser.add_argument("--n-classes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--metrics", nargs="+", default=["euclidean", "cosine"])
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        measure_rss(args, args.rss_child)
        return

    blas_threads = [info["num_threads"] for info in threadpool_info()]
    print(
        f"n_samples={args.n_samples} n_features={args.n_features} "
        f"n_classes={args.n_classes} repeat={args.repeat} cpus={os.cpu_count()} "
        f"threadpool sizes={blas_threads}"
    )
    X, labels = make_embedding(args.n_samples, args.n_features, args.n_classes, 0)
    for metric in args.metrics:
        sklearn_time, sklearn_value = best_time(
            sklearn.metrics.silhouette_score, X, labels, metric, args.repeat
        )
        sksoc_time, sksoc_value = best_time(
            sksoc.metrics.silhouette_score, X, labels, metric, args.repeat
        )
        print(
            f"[{metric}] sklearn {sklearn_time:.3f} s, sksoc {sksoc_time:.3f} s, "
            f"speed-up {sklearn_time / sksoc_time:.1f}x"
        )
        print(
            f"[{metric}] sklearn value {sklearn_value:.10f}, sksoc value "
            f"{sksoc_value:.10f}, |difference| {abs(sklearn_value - sksoc_value):.1e}"
        )

        tracemalloc.start()
        sksoc.metrics.silhouette_score(X, labels, metric=metric)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        child = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--rss-child", metric],
            capture_output=True,
            text=True,
            check=True,
        )
        rss_before, rss_after = child.stdout.split()
        print(
            f"[{metric}] sksoc memory: tracemalloc peak {traced_peak / 2**20:.1f} MiB; "
            f"fresh-process peak RSS {rss_before} MiB before the call, "
            f"{rss_after} MiB after"
        )


if __name__ == "__main__":
    main()
