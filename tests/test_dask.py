"""Scaling out on Dask: a search on a cluster finds what a local search finds.

The test starts its own two-worker ``LocalCluster`` on the loopback
interface, runs a ``GridSearchCV`` through joblib's Dask backend, and checks
that every score and the chosen parameters equal those of the same search
run locally with ``n_jobs=1``: fits are seeded, so where they run does not
matter. Prediction over Dask collections is checked against plain
``predict_proba``.
"""

import pickle

import joblib
import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs
from sklearn.model_selection import GridSearchCV

from sksoc import MarginClassifier, SOCClassifier

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """A client of two single-threaded worker processes on 127.0.0.1."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # Dask's nanny already starts workers with OMP_NUM_THREADS=1; one torch
        # thread each, as in this process (conftest.py), also keeps two
        # workers from oversubscribing two cores.
        client.run(torch.set_num_threads, 1)
        yield client


@pytest.fixture(scope="module")
def data():
    X, y = make_blobs(n_samples=150, centers=3, n_features=5, random_state=0)
    return X, np.array(["ant", "bee", "cat"])[y]


def search(Estimator, n_jobs):
    return GridSearchCV(
        Estimator(max_epochs=10, hidden_layer_sizes=(16,), random_state=0),
        {"embedding_dim": [2, 8], "lr": [1e-3, 1e-2]},
        cv=3,
        n_jobs=n_jobs,
    )


@pytest.mark.parametrize("Estimator", [SOCClassifier, MarginClassifier])
def test_grid_search_on_a_dask_cluster_equals_the_local_search(Estimator, client, data):
    X, y = data
    local = search(Estimator, n_jobs=1).fit(X, y)
    on_cluster = search(Estimator, n_jobs=-1)
    with (
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_backend("dask"),
    ):
        on_cluster.fit(X, y)
    workers = {task["worker"] for task in tasks.data}
    assert len(workers) == 2  # both workers trained models
    np.testing.assert_array_equal(
        on_cluster.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(
        on_cluster.cv_results_["split0_test_score"],
        local.cv_results_["split0_test_score"],
    )
    assert on_cluster.best_params_ == local.best_params_
    np.testing.assert_array_equal(on_cluster.predict_proba(X), local.predict_proba(X))


def test_batched_prediction_over_a_dask_array(client, data):
    da = pytest.importorskip("dask.array")
    X, y = data
    model = SOCClassifier(max_epochs=5, random_state=0).fit(X, y)
    chunked = da.from_array(X, chunks=(40, X.shape[1]))
    proba = chunked.map_blocks(
        model.predict_proba,
        dtype=np.float64,
        chunks=(chunked.chunks[0], (len(model.classes_),)),
    )
    np.testing.assert_allclose(proba.compute(), model.predict_proba(X), rtol=1e-6)


def test_batched_prediction_over_a_dask_dataframe(client, data):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    model = SOCClassifier(max_epochs=5, random_state=0).fit(frame, y)
    columns = [f"proba_{label}" for label in model.classes_]
    ddf = dd.from_pandas(frame, npartitions=4)
    meta = pd.DataFrame({name: np.array([], dtype=np.float64) for name in columns})
    proba = ddf.map_partitions(predict_partition, model, columns, meta=meta).compute()
    np.testing.assert_allclose(proba.to_numpy(), model.predict_proba(frame), rtol=1e-6)


def predict_partition(part, model, columns):
    """Class probabilities of one partition, as a DataFrame on its index."""
    import pandas as pd

    return pd.DataFrame(model.predict_proba(part), index=part.index, columns=columns)


def test_dask_tokens_name_the_model_state(data):
    from dask.base import tokenize

    X, y = data
    model = SOCClassifier(max_epochs=3, random_state=0)
    unfitted = tokenize(model)
    model.fit(X, y)
    fitted = tokenize(model)
    assert fitted != unfitted
    assert tokenize(model) == fitted
    assert tokenize(pickle.loads(pickle.dumps(model))) == fitted
    model.partial_fit(X, y)
    assert tokenize(model) != fitted
