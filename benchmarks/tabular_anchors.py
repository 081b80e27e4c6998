"""The anchors of the tabular benchmark: pytabkit's RealMLP_TD and TabM_D, once.

``benchmarks/tabular.py`` shows two reference models beside sksoc's heads,
HGB and the MLP: pytabkit's ``RealMLP_TD_Classifier`` and
``TabM_D_Classifier``, both at their defaults (``device`` and
``random_state=seed``; ``n_threads`` only sets how many CPU threads a fit
may use). Their rows do not change with sksoc's code, and TabM takes minutes
per set on a 2-core CPU, so they are computed once, on a GPU machine, and
kept in ``benchmarks/data/tabular_anchors.csv``, which ``tabular.py
--anchors`` reads. This script makes that one run reliable, in three steps:

``export DIR``
    Here, beside ``_tabular_sets.py``: writes each set once to
    ``DIR/{set}.parquet`` (``load_tabular``'s rows in their order, the label
    in the column ``__label__``; text columns as strings, boolean ones as
    bool, or as the strings "True"/"False" when they have missing values;
    missing values as nulls; float columns as float32, the precision
    pytabkit casts them to anyway; zstd) and its splits to
    ``DIR/{set}__splits.parquet``: for each seed, the row positions of
    ``tabular_split(name, seed)``'s training rows then of its test rows, in
    its order (checked against the split). ``manifest.json`` lists each
    set's numeric, boolean and text columns and training sizes. Storing
    each set once, not once per seed, and in float32 keeps ``DIR`` near 20
    MiB instead of 80 (``large_120k``'s random floats do not compress).
``run DIR OUT``
    On the GPU machine. Imports nothing of sksoc nor of the other
    benchmarks: only numpy, pandas, scikit-learn, torch and pytabkit (which
    needs torchmetrics, psutil and ``lightning`` or ``pytorch_lightning``).
    ``--jobs N`` worker processes (spawned; ``--threads``, default the cores
    over N, CPU threads each) fit the jobs, largest set first and, with the
    default ``--order seed``, all of seed 0 before seed 1, so that a run cut
    off still has whole seeds (``--order size``: the largest sets' three
    seeds first). For each (set, seed, model) a worker fits the model on
    the training part, timing ``fit`` alone (wall clock), and saves
    ``predict_proba`` on the test part (float32), the classes, the test
    labels, the fit seconds and the versions and device to
    ``{set}__{seed}__{model}.npz`` in the work folder (``--work``, default
    ``.anchors_out``). After every finished job, the seed's files are
    bundled afresh into ``OUT/anchors_seed{seed}.tar`` (about 5 MiB each);
    ``OUT`` holds nothing else but ``run.log`` and, when a job failed,
    ``errors.txt`` with its traceback: the other jobs go on, and a worker
    that dies is replaced. Jobs whose file already exists (in the work
    folder, in OUT's bundles or in bundles given to ``--resume``) are
    skipped. ``--deadline SECONDS`` stops in time: once past it, the jobs
    still running are stopped, the others not started, and the bundles
    hold what finished.
``score OUT [CSV]``
    Here: reads the ``.npz`` files (of a folder, and of the ``.tar``
    bundles in it, or of one bundle) and writes the anchors' CSV (default
    ``benchmarks/data/tabular_anchors.csv``), each row scored by
    ``tabular.py``'s ``score_probabilities``, exactly as the other rows.

How pytabkit is fed: the text and boolean columns become pandas
``category`` columns, named in ``cat_col_names``; pytabkit encodes a
missing level as it does a level unseen in training. pytabkit refuses NaN in
numeric columns, so these are imputed with the training part's median (0 for
a column with no value), as ``tabular.py``'s MLP does; nothing else is done
to the data (pytabkit scales, clips and one-hot encodes itself).

The commands (from the repository root)::

    python benchmarks/tabular_anchors.py export .anchors_data
    mkdir -p .whl && pip download --no-deps -d .whl pytabkit
    # on the GPU machine, with .anchors_data and .whl carried there (about
    # 22 MiB), within a 600 s limit:
    python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
    PYTHONPATH=/tmp/site python3 benchmarks/tabular_anchors.py run \\
        .anchors_data $OUT/anchors --device cuda --jobs 12 --deadline 540
    # back here, with what came back of $OUT/anchors:
    python benchmarks/tabular_anchors.py score path/to/anchors \\
        [benchmarks/data/tabular_anchors.csv]

``run`` exits with 1 when a job failed or was not run; ``score`` writes the
rows there are (``--smoke`` runs left out) and names the missing ones. On
this repository's 2-core CPU, at the defaults and with one thread,
``chile`` (1,899 training rows) took 11 s for RealMLP_TD and 73 s for
TabM_D; the largest sets have 10 to 50 times as many rows (TabM trains 32
members, each on its own batches): all sets and seeds would take about half
a day.

The CSV's ``fit_seconds`` are wall-clock seconds on the machine named in its
``device`` column, with ``--jobs`` fits sharing it (the ``.npz`` meta has
the count): they are not comparable with the fit times of ``tabular.py``'s
CPU rows.
"""

import argparse
import io
import json
import os
import sys
import tarfile
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_CSV = HERE / "data" / "tabular_anchors.csv"
DEFAULT_WORK = Path(".anchors_out")
DEFAULT_SEEDS = (0, 1, 2)
LABEL = "__label__"
MANIFEST = "manifest.json"
BUNDLE_PREFIX = "anchors_seed"
LOG = "run.log"
ERRORS = "errors.txt"
ZSTD_LEVEL = 9
# The anchors, by the model names of tabular.py's rows.
MODELS = {
    "RealMLP_TD": "RealMLP_TD_Classifier",
    "TabM_D": "TabM_D_Classifier",
}
# --smoke: a few epochs only, to try the calls, not to score.
SMOKE_PARAMS = {"RealMLP_TD": {"n_epochs": 4}, "TabM_D": {"n_epochs": 2}}
CSV_COLUMNS = [
    "set",
    "seed",
    "model",
    "accuracy",
    "balanced_accuracy",
    "log_loss",
    "ece",
    "fit_seconds",
    "device",
    "pytabkit",
    "torch",
]


def job_name(name, seed, model):
    return f"{name}__{seed}__{model}"


# -- export (here) ------------------------------------------------------------


def column_kinds(X):
    """The numeric, boolean and text columns of a raw DataFrame.

    Boolean: bool dtype, or object columns of True, False and missing
    values only. Text: everything else that is not numeric.
    """
    kinds = {"numeric": [], "boolean": [], "text": []}
    for column in X.columns:
        values = X[column]
        if pd.api.types.is_bool_dtype(values):
            kinds["boolean"].append(column)
        elif pd.api.types.is_numeric_dtype(values):
            kinds["numeric"].append(column)
        elif values.dropna().map(type).isin([bool, np.bool_]).all() and (
            values.notna().any()
        ):
            kinds["boolean"].append(column)
        else:
            kinds["text"].append(column)
    return kinds


def as_text(values):
    """A column as pandas strings, missing values kept missing."""
    return values.map(lambda value: value if pd.isna(value) else str(value)).astype(
        "string"
    )


def export_frame(X, y, kinds):
    """The frame written to parquet: features in plain types, then the label.

    Float columns become float32: pytabkit casts the numeric features to
    float32 itself, so it sees the same values (and the files are smaller).
    """
    frame = pd.DataFrame(index=range(len(X)))
    for column in X.columns:
        values = X[column].reset_index(drop=True)
        if column in kinds["numeric"]:
            if pd.api.types.is_float_dtype(values):
                values = values.astype(np.float32)
            frame[column] = values
        elif column in kinds["boolean"] and pd.api.types.is_bool_dtype(values):
            frame[column] = values.astype(bool)
        else:
            frame[column] = as_text(values)
    y = np.asarray(y)
    frame[LABEL] = y.astype(np.int64) if y.dtype.kind in "iu" else y.astype(str)
    return frame


def write_parquet(frame, path):
    """zstd parquet without pandas' metadata, so that any pandas reads it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", compression_level=ZSTD_LEVEL)


def split_order(X, y, X_train, X_test, y_train, y_test):
    """The row positions of a split: the training rows', then the test rows'.

    ``tabular_split`` keeps ``load_tabular``'s index, a plain range: checked.
    """
    order = np.concatenate([X_train.index.to_numpy(), X_test.index.to_numpy()])
    if not (
        np.array_equal(np.sort(order), np.arange(len(X)))
        and np.array_equal(np.asarray(y)[order], np.concatenate([y_train, y_test]))
        and X.iloc[order[: len(X_train)]].equals(X_train)
    ):
        raise ValueError("The split is not a selection of load_tabular's rows.")
    return order.astype(np.int32)


def export(args):
    sys.path.insert(0, str(HERE))
    from _tabular_sets import TABULAR_SETS, load_tabular, tabular_split

    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    names = args.sets or list(TABULAR_SETS)
    manifest = {
        "label_column": LABEL,
        "seeds": list(args.seeds),
        "pandas": pd.__version__,
        "sets": {},
    }
    total = 0
    for name in names:
        start = time.perf_counter()
        data = load_tabular(name)
        if not data.X.index.equals(pd.RangeIndex(len(data.X))):
            raise ValueError(f"{name}: load_tabular's index is not a plain range.")
        kinds = column_kinds(data.X)
        entry = {
            "description": data.description,
            "n_rows": len(data.X),
            "n_features": data.X.shape[1],
            **kinds,
            "label_kind": "int" if np.asarray(data.y).dtype.kind in "iu" else "text",
            "classes": sorted(np.unique(data.y).tolist()),
            "data": f"{name}.parquet",
            "splits": f"{name}__splits.parquet",
            "n_train": {},
        }
        orders = {}
        for seed in args.seeds:
            X_train, X_test, y_train, y_test = tabular_split(name, seed)
            orders[str(seed)] = split_order(
                data.X, data.y, X_train, X_test, y_train, y_test
            )
            entry["n_train"][str(seed)] = len(X_train)
        write_parquet(export_frame(data.X, data.y, kinds), out / entry["data"])
        write_parquet(pd.DataFrame(orders), out / entry["splits"])
        entry["bytes"] = sum(
            (out / entry[key]).stat().st_size for key in ("data", "splits")
        )
        total += entry["bytes"]
        manifest["sets"][name] = entry
        print(
            f"{name:18s} {len(data.X):7,d} rows  {entry['bytes'] / 2**20:6.2f} MiB  "
            f"({time.perf_counter() - start:.1f} s)",
            flush=True,
        )
    manifest["total_bytes"] = total
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"total {total / 2**20:.2f} MiB in {out} ({len(names)} sets)", flush=True)


# -- run (on the GPU machine) -------------------------------------------------


def read_split(data_dir, entry, seed):
    """A set's split: features (numeric as float, the others as text) and labels."""
    frame = pd.read_parquet(Path(data_dir) / entry["data"])
    order = pd.read_parquet(Path(data_dir) / entry["splits"])[str(seed)].to_numpy()
    y = frame.pop(LABEL)
    if entry["label_kind"] == "int":
        y = y.to_numpy(dtype=np.int64)
    else:
        y = y.astype(object).to_numpy().astype(str)
    for column in entry["numeric"]:
        frame[column] = frame[column].astype("float64")
    for column in entry["boolean"] + entry["text"]:
        values = frame[column].astype(object)
        frame[column] = values.where(values.isna(), values.map(str))
    train, test = np.split(order, [entry["n_train"][str(seed)]])
    return (
        frame.iloc[train].reset_index(drop=True),
        frame.iloc[test].reset_index(drop=True),
        y[train],
        y[test],
    )


def prepare(X_train, X_test, entry):
    """pytabkit's input: categories from the training part, medians imputed."""
    X_train, X_test = X_train.copy(), X_test.copy()
    categorical = entry["boolean"] + entry["text"]
    for column in categorical:
        levels = sorted(X_train[column].dropna().unique())
        dtype = pd.CategoricalDtype(levels)
        X_train[column] = X_train[column].astype(dtype)
        X_test[column] = X_test[column].astype(dtype)
    imputed = []
    for column in entry["numeric"]:
        if X_train[column].isna().any() or X_test[column].isna().any():
            median = X_train[column].median()
            median = 0.0 if pd.isna(median) else float(median)
            X_train[column] = X_train[column].fillna(median)
            X_test[column] = X_test[column].fillna(median)
            imputed.append(column)
    return X_train, X_test, categorical, imputed


def versions():
    from importlib import metadata

    import sklearn
    import torch

    try:
        pytabkit_version = metadata.version("pytabkit")
    except metadata.PackageNotFoundError:
        import pytabkit

        pytabkit_version = getattr(pytabkit, "__version__", "unknown")
    return {
        "pytabkit": pytabkit_version,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "sklearn": sklearn.__version__,
        "python": sys.version.split()[0],
    }


def device_name(device):
    import torch

    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return "cpu"


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def init_worker(n_threads):
    """Each worker: ``n_threads`` torch threads, quiet warnings, imports done.

    The variables of ``THREAD_VARIABLES``, which the libraries read when
    imported, are set by ``run`` before the workers start. pytabkit imports
    Lightning's and TabM's modules inside the first ``fit``: done here, so
    that no timed fit includes them.
    """
    import warnings

    warnings.filterwarnings("ignore")
    import torch

    try:
        import pytabkit.models.alg_interfaces.tabm_interface
        import pytabkit.models.training.lightning_callbacks  # noqa: F401
    except ImportError:
        pass  # the job reports it

    torch.set_num_threads(n_threads)


def save_npz(path, **arrays):
    """Written whole or not at all."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as file:
        np.savez_compressed(file, **arrays)
    os.replace(tmp, path)


def run_job(data_dir, work, name, seed, model, device, n_threads, n_workers, smoke):
    """Fit, time and predict one (set, seed, model); returns a line or a traceback."""
    try:
        import pytabkit
        import torch

        entry = json.loads((Path(data_dir) / MANIFEST).read_text())["sets"][name]
        X_train, X_test, y_train, y_test = read_split(data_dir, entry, seed)
        X_train, X_test, categorical, imputed = prepare(X_train, X_test, entry)
        params = {"device": device, "random_state": seed, "n_threads": n_threads}
        if smoke:
            params.update(SMOKE_PARAMS[model])
        estimator = getattr(pytabkit, MODELS[model])(**params)
        if device.startswith("cuda"):
            # CUDA's context and cuBLAS start here, not inside the timed fit.
            warm = torch.ones(64, 64, device=device)
            (warm @ warm).sum().item()
            torch.cuda.synchronize()
        start = time.perf_counter()
        estimator.fit(X_train, y_train, cat_col_names=categorical)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        proba = np.asarray(estimator.predict_proba(X_test), dtype=np.float64)
        predict_seconds = time.perf_counter() - start
        classes = np.asarray(estimator.classes_)
        classes = classes.astype(np.int64 if entry["label_kind"] == "int" else str)
        if proba.shape != (len(y_test), len(classes)):
            raise ValueError(
                f"predict_proba gave {proba.shape}, {len(classes)} classes"
            )
        if not np.all(np.isfinite(proba)):
            raise ValueError("predict_proba gave non-finite values")
        meta = {
            **versions(),
            "device": device_name(device),
            "device_arg": device,
            "n_threads": n_threads,
            "n_workers": n_workers,
            "params": params,
            "categorical": categorical,
            "median_imputed": imputed,
            "n_train": len(X_train),
            "n_test": len(X_test),
            "predict_seconds": predict_seconds,
            "smoke": smoke,
        }
        save_npz(
            Path(work) / f"{job_name(name, seed, model)}.npz",
            proba=proba.astype(np.float32),
            classes=classes,
            y_test=y_test,
            fit_seconds=np.float64(fit_seconds),
            meta=np.array(json.dumps(meta)),
        )
        return True, f"fit {fit_seconds:7.1f} s, predict {predict_seconds:5.1f} s"
    except Exception:  # reported; the other jobs go on
        return False, traceback.format_exc()


def bundle_name(seed):
    return f"{BUNDLE_PREFIX}{seed}.tar"


def bundle(work, out, seed):
    """The ``.npz`` of ``seed`` in ``work``, in one tar in ``out``, replaced whole.

    One bundle per seed: all of them together would be near the 16 MiB that
    one file brought back from the GPU machine may have.
    """
    files = sorted(Path(work).glob(f"*__{seed}__*.npz"))
    path = Path(out) / bundle_name(seed)
    tmp = path.with_name(path.name + ".tmp")
    with tarfile.open(tmp, "w") as tar:
        for npz in files:
            tar.add(npz, arcname=npz.name)
    os.replace(tmp, path)
    return len(files), path.stat().st_size


def unbundle(path, work):
    """Extract a bundle's ``.npz`` into ``work`` (those not there yet)."""
    count = 0
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            target = Path(work) / name
            if member.isfile() and name.endswith(".npz") and not target.exists():
                target.write_bytes(tar.extractfile(member).read())
                count += 1
    return count


class Log:
    def __init__(self, path):
        self.path = path
        self.start = time.perf_counter()

    def elapsed(self):
        return time.perf_counter() - self.start

    def __call__(self, message):
        line = f"[{self.elapsed():7.1f} s] {message}"
        print(line, flush=True)
        with open(self.path, "a") as file:
            file.write(line + "\n")


def plan(manifest, args):
    """The jobs to run, largest set first.

    ``--order seed`` (default): all of seed 0, then of seed 1, ... so that a
    run cut off has whole seeds; ``--order size``: the three seeds of the
    largest set first, the best to finish all soonest.
    """
    names = args.sets or list(manifest["sets"])
    unknown = [name for name in names if name not in manifest["sets"]]
    if unknown:
        raise SystemExit(f"Not in the manifest: {unknown}")

    def size(name):
        entry = manifest["sets"][name]
        return entry["n_rows"] * max(entry["n_features"], 1)

    names = sorted(names, key=size, reverse=True)
    jobs = [
        (name, seed, model)
        for seed in args.seeds
        for name in names
        for model in args.models
        if str(seed) in manifest["sets"][name]["n_train"]
    ]
    if args.order == "size":
        jobs.sort(key=lambda job: names.index(job[0]))
    return jobs


def stop_workers(executor):
    """Stop the workers of a pool that is being abandoned (at the deadline)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=2)
        if process.is_alive():
            process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


def report_failure(out, log, label, message):
    log(f"FAILED {label}: {message.strip().splitlines()[-1]}")
    with open(Path(out) / ERRORS, "a") as file:
        file.write(f"== {label}\n{message}\n")


def run(args):
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    data_dir, out, work = Path(args.dir), Path(args.out), Path(args.work)
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    log = Log(out / LOG)
    manifest = json.loads((data_dir / MANIFEST).read_text())
    for path in [*sorted(out.glob(f"{BUNDLE_PREFIX}*.tar")), *map(Path, args.resume)]:
        log(f"resume: {unbundle(path, work)} file(s) from {path}")
    # Fail here, at once, rather than in every job: pytabkit's models import
    # lightning (or pytorch_lightning) and torchmetrics.
    import pytabkit
    import torch

    for model in args.models:
        getattr(pytabkit, MODELS[model])
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit("--device cuda, but torch sees no GPU.")
    info = versions()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    n_threads = args.threads or max(1, cores // args.jobs)
    for variable in THREAD_VARIABLES:  # the workers inherit them
        os.environ[variable] = str(n_threads)
    log(
        f"{device_name(args.device)}; {args.jobs} worker(s), {n_threads} thread(s) "
        f"each, {cores} cores; " + ", ".join(f"{k} {v}" for k, v in info.items())
    )
    jobs = plan(manifest, args)
    todo = [job for job in jobs if not (work / f"{job_name(*job)}.npz").exists()]
    log(f"{len(jobs)} job(s), {len(jobs) - len(todo)} done already, {len(todo)} to run")
    deadline = None if args.deadline is None else log.start + args.deadline
    failed = []
    suspects = set()
    context = multiprocessing.get_context("spawn")
    timed_out = False

    def new_pool(n_workers):
        return ProcessPoolExecutor(
            max_workers=n_workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(n_threads,),
        )

    while todo and not timed_out:
        # Jobs that finished as a pool broke have their file: done.
        todo = [job for job in todo if not (work / f"{job_name(*job)}.npz").exists()]
        if not todo:
            break
        # Normally one pool for all jobs. After a worker died, the jobs that
        # were running then are suspects: each runs alone, in a pool of its
        # own, so that a second death tells which job it was.
        alone = [job for job in todo if job in suspects][: args.jobs]
        groups = [[job] for job in alone] if alone else [list(todo)]
        pools = [new_pool(min(args.jobs, len(group))) for group in groups]
        futures = {}
        for pool, group in zip(pools, groups, strict=True):
            for job in group:
                future = pool.submit(
                    run_job,
                    str(data_dir),
                    str(work),
                    *job,
                    args.device,
                    n_threads,
                    args.jobs,
                    args.smoke,
                )
                futures[future] = job
        pending = set(futures)
        running = set()
        broken = False
        while pending and not broken:
            running = {futures[future] for future in pending if future.running()}
            timeout = None
            if deadline is not None:
                timeout = max(0.0, deadline - time.perf_counter())
            done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            if not done:
                timed_out = True
                break
            for future in done:
                job = futures[future]
                label = f"{job[0]} seed {job[1]} {job[2]}"
                try:
                    ok, message = future.result()
                except BrokenProcessPool:
                    if not alone:
                        broken = True
                        continue
                    ok, message = False, "its worker died (killed, out of memory?)"
                except Exception:  # reported; the others go on
                    ok, message = False, traceback.format_exc()
                todo.remove(job)
                if ok:
                    count, size = bundle(work, out, job[1])
                    log(
                        f"done {label}: {message} ({count} in "
                        f"{bundle_name(job[1])}, {size / 2**20:.1f} MiB)"
                    )
                else:
                    failed.append(job)
                    report_failure(out, log, label, message)
        if timed_out:
            log(f"deadline ({args.deadline:g} s): {len(todo)} job(s) not finished")
            for pool in pools:
                stop_workers(pool)
            break
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
        if broken:
            suspects = (running & set(todo)) or set(todo)
            log(f"a worker died; {len(suspects)} suspect job(s) run alone next")
    for seed in sorted({job[1] for job in jobs}):
        bundle(work, out, seed)
    log(
        f"end: {len(jobs) - len(todo) - len(failed)} of {len(jobs)} job(s) done, "
        f"{len(failed)} failed, {len(todo)} not run; bundles in {out}"
    )
    if timed_out:
        # Leave at once: no wait for the pool's threads, whose workers are gone.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)
    return 1 if failed or todo else 0


# -- score (here) -------------------------------------------------------------


def read_results(paths):
    """``{name: npz contents}`` of folders (their .npz and .tar) and bundles."""
    results = {}

    def add(name, data):
        with np.load(io.BytesIO(data)) as npz:
            results[Path(name).stem] = {key: npz[key] for key in npz.files}

    for path in map(Path, paths):
        if path.is_dir():
            for tar_path in sorted(path.glob("*.tar")):
                results.update(read_results([tar_path]))
            for npz_path in sorted(path.glob("*.npz")):
                add(npz_path.name, npz_path.read_bytes())
        elif tarfile.is_tarfile(path):
            with tarfile.open(path) as tar:
                for member in tar.getmembers():
                    if member.isfile() and member.name.endswith(".npz"):
                        add(member.name, tar.extractfile(member).read())
        else:
            add(path.name, path.read_bytes())
    return results


def load_tabular_module():
    """``benchmarks/tabular.py``, imported from its file."""
    import importlib.util

    sys.path.insert(0, str(HERE))
    spec = importlib.util.spec_from_file_location("tabular", HERE / "tabular.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(args):
    tabular = load_tabular_module()
    results = read_results([args.results])
    if not results:
        raise SystemExit(f"No .npz results in {args.results}.")
    rows = []
    for key, result in results.items():
        name, seed, model = key.split("__")
        meta = json.loads(str(result["meta"]))
        if meta.get("smoke") and not args.smoke:
            print(f"skipped {key}: a --smoke run")
            continue
        scores = tabular.score_probabilities(
            result["y_test"], result["proba"], result["classes"]
        )
        rows.append(
            {
                "set": name,
                "seed": int(seed),
                "model": model,
                **scores,
                "fit_seconds": float(result["fit_seconds"]),
                "device": meta["device"],
                "pytabkit": meta["pytabkit"],
                "torch": meta["torch"],
            }
        )
    if not rows:
        raise SystemExit(f"No result to score in {args.results}.")
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS)
    order = {name: index for index, name in enumerate(tabular.TABULAR_SETS)}
    frame = frame.sort_values(
        ["set", "seed", "model"],
        key=lambda c: c.map(order).fillna(len(order)) if c.name == "set" else c,
    )
    path = Path(args.csv)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format="%.6g")
    print(
        f"{len(frame)} row(s) to {path}: {frame['set'].nunique()} set(s), "
        f"seeds {sorted(frame['seed'].unique().tolist())}, "
        f"models {sorted(frame['model'].unique().tolist())}"
    )
    missing = [
        (name, seed, model)
        for name in tabular.TABULAR_SETS
        for seed in DEFAULT_SEEDS
        for model in MODELS
        if job_name(name, seed, model) not in results
    ]
    if missing:
        print(f"{len(missing)} (set, seed, model) without a result, e.g. {missing[:3]}")


# -- the command line ---------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    sub = commands.add_parser("export", help="write the splits to DIR (here)")
    sub.add_argument("dir")
    sub.add_argument("--sets", nargs="+")
    sub.add_argument("--seeds", nargs="+", type=int, default=list(DEFAULT_SEEDS))
    sub.set_defaults(func=export)

    sub = commands.add_parser("run", help="fit the anchors (on the GPU machine)")
    sub.add_argument("dir", help="the folder written by export")
    sub.add_argument("out", help=f"gets {bundle_name('N')}, {LOG} and {ERRORS}")
    sub.add_argument("--device", default="cuda")
    sub.add_argument("--jobs", type=int, default=1, help="worker processes")
    sub.add_argument("--threads", type=int, help="CPU threads per worker")
    sub.add_argument("--sets", nargs="+")
    sub.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    sub.add_argument("--seeds", nargs="+", type=int, default=list(DEFAULT_SEEDS))
    sub.add_argument("--work", default=str(DEFAULT_WORK), help="the .npz files")
    sub.add_argument("--resume", nargs="+", default=[], help="earlier bundles")
    sub.add_argument("--deadline", type=float, help="seconds; stop in time")
    sub.add_argument("--order", choices=("seed", "size"), default="seed")
    sub.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    sub.set_defaults(func=run)

    sub = commands.add_parser("score", help="write the anchors' CSV (here)")
    sub.add_argument("results", help="run's OUT, a bundle, or a folder of .npz")
    sub.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    sub.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    sub.set_defaults(func=score)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
