"""Data-parallel fit on torch.distributed (sksoc.distributed.data_parallel).

Two processes on the gloo backend, started by the tests as subprocesses with
a bounded time and killed on failure: ``tests/distributed_worker.py`` runs
the bad-input cases and the fits of its models on uneven shards, and
``examples/torchrun_fit.py`` (the user guide's script) is run as torchrun
would run it. Their models are compared with one process's fit on all rows,
computed here from the same functions. NCCL runs where there are GPUs.
"""

import os
import pickle
import re
import socket
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal

from sksoc import SOCClassifier, load_model
from sksoc.distributed import _encode_with, _validated_shard, data_parallel
from sksoc.preprocessing import TabularPreprocessor
from tests import distributed_worker as worker
from tests.helpers import ROOT

# Bounds every launch: the processes are killed after it.
LAUNCH_TIMEOUT = 120
# float32 rounding, accumulated over a few epochs of Adam steps.
ATOL = 2e-5


def launch(commands, env=None, timeout=LAUNCH_TIMEOUT):
    """Run one command per rank at once; their outputs, or a failure with them."""
    base = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "OMP_NUM_THREADS": "1",
    }
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env={**base, **(env or {}), **rank_env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for command, rank_env in commands
    ]
    outputs = []
    try:
        for process in processes:
            outputs.append(process.communicate(timeout=timeout)[0])
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    failed = [p.returncode for p in processes if p.returncode != 0]
    if failed:
        pytest.fail(f"a rank exited with {failed}:\n" + "\n".join(outputs))
    return outputs


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def torchrun_env(rank, world_size, port):
    """The environment torchrun gives rank ``rank``."""
    return {
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(port),
        "RANK": str(rank),
        "LOCAL_RANK": str(rank),
        "WORLD_SIZE": str(world_size),
    }


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """What each rank of the worker session returned or raised, and its files."""
    out = tmp_path_factory.mktemp("distributed")
    script = str(ROOT / "tests" / "distributed_worker.py")
    init = str(out / "init")
    launch(
        [
            ([sys.executable, script, str(rank), "2", init, str(out)], {})
            for rank in range(2)
        ]
    )
    results = []
    for rank in range(2):
        with open(out / f"rank{rank}.pkl", "rb") as file:
            results.append(pickle.load(file))
    return results, out


@pytest.fixture(scope="module")
def one_process():
    """The worker's models fitted by one process on all rows."""
    X, y, sample_weight = worker.dataset()
    return {
        name: model.fit(worker.features(name, X), y, sample_weight=sample_weight)
        for name, model in worker.models().items()
    }


def assert_same_model(actual, expected, X=None, atol=ATOL):
    """Equal up to float32 rounding: classes, epochs, weights, calibration, proba."""
    assert_array_equal(actual.classes_, expected.classes_)
    assert actual.n_iter_ == expected.n_iter_
    assert_allclose(actual.class_count_, expected.class_count_)
    for module in ("module_", "criterion_"):
        a = getattr(actual.net_, module).state_dict()
        e = getattr(expected.net_, module).state_dict()
        assert a.keys() == e.keys()
        for name in a:
            assert_allclose(a[name].cpu(), e[name].cpu(), atol=atol, err_msg=name)
    assert_allclose(actual.temperature_, expected.temperature_, rtol=1e-4)
    assert_allclose(actual.distance_power_, expected.distance_power_, rtol=1e-4)
    X = worker.dataset()[0] if X is None else X
    assert_allclose(actual.predict_proba(X), expected.predict_proba(X), atol=atol)


def assert_identical(first, second):
    for module in ("module_", "criterion_"):
        a = getattr(first.net_, module).state_dict()
        b = getattr(second.net_, module).state_dict()
        for name in a:
            assert torch.equal(a[name], b[name]), name
    assert first.temperature_ == second.temperature_
    assert first.distance_power_ == second.distance_power_


@pytest.mark.parametrize("name", ["soc", "margin", "sparse"])
def test_two_ranks_train_the_model_of_one_process(session, one_process, name):
    # Uneven shards, class "c" on rank 1 only, larger weights on rank 1, and
    # "balanced" class weights: each needs the global view (a mean of local
    # means, or local class counts, would train another model).
    results, _ = session
    expected = one_process[name]
    assert_same_model(results[0][name], expected)
    assert_identical(results[0][name], results[1][name])
    assert list(expected.classes_) == ["a", "b", "c"]
    assert expected.early_stopping_ == (name == "soc")
    assert expected.calibration_ == (
        "distance_power" if name == "margin" else "temperature"
    )
    train_loss = [row["train_loss"] for row in results[0][name].history_]
    expected_loss = [row["train_loss"] for row in expected.history_]
    assert_allclose(train_loss, expected_loss, rtol=1e-5)


def test_contrast_term_trains_one_model_on_every_rank(session, one_process):
    # Each rank draws its contrast rows from its own part of every batch:
    # not the one-process fit, but one model, the same on both ranks.
    results, _ = session
    first, second = results[0]["contrast"], results[1]["contrast"]
    assert first.net_.criterion_.contrast_weight == 0.3
    assert_identical(first, second)
    X, y, _ = worker.dataset()
    assert first.score(X, y) >= one_process["contrast"].score(X, y) - 0.1


def test_unseeded_ranks_start_from_rank_0(session):
    results, _ = session
    assert_identical(results[0]["unseeded"], results[1]["unseeded"])


def test_model_saved_by_rank_0_loads_without_process_group(session, one_process):
    results, out = session
    # Nothing of the process group stays in the fitted model.
    assert "data_parallel" not in vars(results[0]["soc"].net_)
    loaded = load_model(out / "soc.safetensors")
    X = worker.dataset()[0]
    assert_array_equal(loaded.predict_proba(X), results[0]["soc"].predict_proba(X))
    assert_same_model(loaded, one_process["soc"])


@pytest.mark.parametrize(
    ("case", "errors"),
    [
        ("empty_shard", 2 * [("ValueError", r"rank\(s\) \[1\] of 2 have no rows")]),
        (
            "feature_counts",
            2 * [("ValueError", r"numbers of features \(rank 0: 5; rank 1: 4\)")],
        ),
        (
            "feature_names",
            2 * [("ValueError", r"feature names \(rank 0: \['f0', 'f1'")],
        ),
        (
            "label_types",
            2 * [("ValueError", "types of labels .rank 0: strings or objects; rank 1")],
        ),
        ("nan_on_rank_1", 2 * [("ValueError", "rank 1 of 2: ValueError: Input X")]),
        (
            "parameters",
            2 * [("ValueError", r"estimator parameters \(rank 0: \{'lr': '0.01'\}")],
        ),
        (
            "training_step",
            [
                ("RuntimeError", r"rank\(s\) \[1\] of 2 failed in a training step"),
                ("ValueError", "this encoder fails on rank 1"),
            ],
        ),
        ("diverges", 2 * [("TrainingDivergedError", "training loss became inf")]),
    ],
)
def test_bad_input_raises_on_every_rank(session, case, errors):
    results, _ = session
    for rank, (kind, pattern) in enumerate(errors):
        raised = results[rank][case]
        assert raised is not None, f"rank {rank} raised nothing"
        assert raised[0] == kind
        assert re.search(pattern, raised[1]), raised[1]


def test_partial_fit_is_refused_on_every_rank(session):
    results, _ = session
    for rank in range(2):
        assert (
            "partial_fit does not train data-parallel" in results[rank]["partial_fit"]
        )


def test_rank_that_never_calls_fit_is_named_within_the_timeout(session):
    results, _ = session
    message = results[0]["missing_rank"]
    assert message is not None, "rank 0 trained without rank 1"
    assert "within 0.5 s (data_parallel's timeout)" in message
    # torch's own words: the barrier waited data_parallel's 0.5 s, not the
    # process group's 30 s.
    assert "Ranks 1 failed to pass monitoredBarrier in 500 ms" in message
    # Rank 1 was still alive, in no collective, when rank 0 raised: the
    # barrier's timeout ended the wait, not rank 1 leaving.
    assert results[1]["alive_when_rank_0_gave_up"]


def test_without_process_group_is_an_error():
    with (
        pytest.raises(RuntimeError, match="needs an initialised torch.distributed"),
        data_parallel(),
    ):
        pass


def run_example(tmp_path, world_size, backend="gloo"):
    path = tmp_path / "model.safetensors"
    port = free_port()
    command = [
        sys.executable,
        str(ROOT / "examples" / "torchrun_fit.py"),
        str(path),
        "--backend",
        backend,
    ]
    outputs = launch(
        [(command, torchrun_env(rank, world_size, port)) for rank in range(world_size)]
    )
    assert f"{world_size} ranks trained" in outputs[0]
    return load_model(path)


@pytest.fixture(scope="module")
def example_one_process():
    """The user guide's script's model, fitted by one process on all rows."""
    script = worker.example()
    return script.make_model().fit(*script.load_data())


def test_example_script_trains_the_model_of_one_process(session, example_one_process):
    # Its train() in the worker session's process group.
    _, out = session
    model = load_model(out / "example.safetensors")
    assert_same_model(model, example_one_process, worker.example().load_data()[0])


@pytest.mark.slow
def test_example_script_under_torchrun_environment(tmp_path, example_one_process):
    # The whole script, its env:// rendezvous included, as torchrun starts it.
    X = worker.example().load_data()[0]
    assert_same_model(run_example(tmp_path, 2), example_one_process, X)


@pytest.mark.parametrize("world_size", [1, 2])
def test_nccl_example_on_gpus(tmp_path, world_size):
    if not torch.cuda.is_available() or torch.cuda.device_count() < world_size:
        pytest.skip(f"NCCL on {world_size} GPU(s) needs {world_size} GPU(s)")
    script = worker.example()
    X, y = script.load_data()
    model = run_example(tmp_path, world_size, backend="nccl")
    expected = script.make_model("cuda:0").fit(X, y)
    assert_same_model(model, expected, X, atol=1e-4)


def test_rank_0_trains_on_its_cross_fitted_target_encodings():
    # Rank 0 learns the preprocessor from its rows; its transform would give
    # those rows target encodings made from their own labels, so rank 0 keeps
    # what fit_transform gave them (cross-fitted). Other ranks transform.
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"shop": [f"s{i}" for i in rng.integers(0, 40, 200)]})
    y = rng.integers(0, 2, 200)
    estimator = SOCClassifier(preprocessor=TabularPreprocessor(max_categories=3))
    local = {}
    shard = _validated_shard(estimator, X, y, None, local)
    _encode_with(estimator, shard["preprocessor"], local, learned_here=True)
    expected = TabularPreprocessor(max_categories=3).fit_transform(X, y)
    np.testing.assert_array_equal(local["X"], expected)
    assert not np.array_equal(local["X"], estimator.preprocessor_.transform(X))

    other = {"X": X, "y": y}
    _encode_with(estimator, shard["preprocessor"], other, learned_here=False)
    np.testing.assert_array_equal(other["X"], estimator.preprocessor_.transform(X))
