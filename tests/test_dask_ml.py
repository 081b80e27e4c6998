"""Out-of-core training on Dask-ML: ``Incremental`` and the incremental searches.

``dask_ml.wrappers.Incremental`` trains an estimator by calling its
``partial_fit`` once per chunk of a Dask array or partition of a Dask
DataFrame, one chunk after the other, on the cluster. These tests run it on a
one-worker in-process ``LocalCluster`` with every sksoc estimator and check
that:

- each ``partial_fit`` call receives one chunk, as NumPy or pandas, never the
  whole data set, and trains one epoch on it;
- the result is exactly the plain loop of ``partial_fit`` calls over the same
  chunks, and its accuracy is close to one in-memory ``fit`` with as many
  epochs;
- a Dask DataFrame trains the model a Dask array of the same chunks trains,
  and keeps its column names (``feature_names_in_``);
- ``IncrementalSearchCV`` and ``HyperbandSearchCV`` return a fitted best
  estimator. They run on dask and distributed 2025.2.0 and fail on later
  releases (Dask-ML issue 1016): CI runs them there
  (``.ci/run-dask-ml-search``), and elsewhere they are expected to fail.

Peak memory is measured by ``benchmarks/out_of_core.py``, not here: a memory
figure of the test process would depend on everything else it has run.
"""

import numpy as np
import pytest
import sklearn
from packaging.version import Version
from scipy.stats import loguniform
from sklearn.utils.validation import check_is_fitted

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
dask_ml = pytest.importorskip("dask_ml")
from dask_ml.model_selection import (  # noqa: E402
    HyperbandSearchCV,
    IncrementalSearchCV,
)
from dask_ml.wrappers import Incremental  # noqa: E402

ESTIMATORS = [SOCClassifier, FixedRandomClassifier, MarginClassifier, SoftmaxClassifier]
CLASSES = np.arange(10)
# Rows per chunk: the 1,257 training digits make 7 chunks, the last of 57 rows.
CHUNK = 200

# dask-ml 2025.1's searches call dask.persist inside the client's event loop,
# which dask 2025.3 and later refuse; dask 2025.2 runs them (dask/dask-ml#1016).
# Strict, so that a Dask-ML release that fixes it is noticed. The CI job on
# dask 2025.2 (.ci/run-dask-ml-search) runs with --runxfail: there the
# searches must pass, whatever this condition says.
SEARCHES_BROKEN = Version(dask_ml.__version__) <= Version("2025.1.0") and Version(
    dask.__version__
) >= Version("2025.3.0")
searches_need_older_dask = pytest.mark.xfail(
    SEARCHES_BROKEN,
    raises=RuntimeError,
    strict=True,
    reason="dask-ml 2025.1's incremental searches fail on dask >= 2025.3 with "
    "'Attempting to use an asynchronous Client in a synchronous context of "
    "`dask.compute`' (dask/dask-ml#1016)",
)


@pytest.fixture(scope="module")
def client():
    """A client of one single-threaded worker in this process, closed after."""
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def chunked(digits):
    """The training digits as Dask arrays of ``CHUNK`` rows per chunk."""
    X_train, _, y_train, _ = digits
    return da.from_array(X_train, chunks=(CHUNK, -1)), da.from_array(
        y_train, chunks=CHUNK
    )


def params(seed=0):
    """Parameters that make partial_fit and fit comparable: the same batch
    size whatever the number of rows, no rows held out."""
    return dict(
        batch_size=64, early_stopping=False, calibration=None, random_state=seed
    )


class RecordsChunks:
    """Records the type and shape of what each ``partial_fit`` call receives."""

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        self.received_ = [*getattr(self, "received_", []), (type(X), X.shape)]
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


class RecordingSOC(RecordsChunks, SOCClassifier):
    pass


class RecordingFixedRandom(RecordsChunks, FixedRandomClassifier):
    pass


class RecordingMargin(RecordsChunks, MarginClassifier):
    pass


class RecordingSoftmax(RecordsChunks, SoftmaxClassifier):
    pass


RECORDING = {
    SOCClassifier: RecordingSOC,
    FixedRandomClassifier: RecordingFixedRandom,
    MarginClassifier: RecordingMargin,
    SoftmaxClassifier: RecordingSoftmax,
}


@pytest.mark.skipif(
    Version(sklearn.__version__) < Version("1.8"),
    reason="CalibratedClassifierCV(method='temperature') needs scikit-learn 1.8",
)
def test_the_user_guide_recipe(client, digits):
    X_rows, X_test, y_rows, y_test = digits
    X_train, y_train = X_rows[300:], y_rows[300:]
    X_held_out, y_held_out = X_rows[:300], y_rows[:300]  # never trained on
    # recipe-start
    import dask.array as da
    import numpy as np
    from dask_ml.wrappers import Incremental
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    from sksoc import SOCClassifier

    # Any Dask array chunked by rows, or a Dask DataFrame (from_zarr,
    # read_parquet, ...): each chunk is read when its turn comes.
    X = da.from_array(X_train, chunks=(200, -1))
    y = da.from_array(y_train, chunks=200)

    model = Incremental(
        SOCClassifier(batch_size=64, random_state=0),
        random_state=0,  # seeds the order of the chunks
    )
    for _ in range(10):  # ten passes: each trains one epoch on every chunk
        model.partial_fit(X, y, classes=np.arange(10))
    soc = model.estimator_  # the trained SOCClassifier

    # partial_fit fits no temperature: calibrate on held-out rows in memory.
    calibrated = CalibratedClassifierCV(FrozenEstimator(soc), method="temperature")
    calibrated.fit(X_held_out, y_held_out)
    proba = calibrated.predict_proba(X_test)
    # recipe-end
    assert isinstance(soc, SOCClassifier)
    assert soc.n_iter_ == 10 * X.numblocks[0]  # one epoch per partial_fit call
    assert soc.temperature_ == 1.0
    assert model.score(X_test, y_test) > 0.95
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert calibrated.score(X_test, y_test) == model.score(X_test, y_test)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_each_partial_fit_call_gets_one_chunk(Estimator, client, chunked):
    X, y = chunked
    model = Incremental(RECORDING[Estimator](**params()), random_state=0)
    with distributed.get_task_stream(client) as tasks:
        model.fit(X, y, classes=CLASSES)  # first pass
        model.partial_fit(X, y, classes=CLASSES)  # second pass
    received = model.estimator_.received_
    # Two passes of one call per chunk, each a NumPy array of one chunk's rows.
    assert len(received) == 2 * X.numblocks[0]
    assert {kind for kind, _ in received} == {np.ndarray}
    rows = [shape[0] for _, shape in received]
    assert max(rows) == CHUNK
    assert sorted(rows) == sorted(2 * X.chunks[0])
    assert all(shape[1] == X.shape[1] for _, shape in received)
    # One epoch per call, and the calls ran on the cluster's worker.
    assert model.estimator_.n_iter_ == 2 * X.numblocks[0]
    # Task ("fit-<token>", i) is the i-th partial_fit call of a pass.
    calls = [
        key
        for key in (task["key"] for task in tasks.data)
        if isinstance(key, tuple) and key[0].startswith("fit-") and key[1] >= 0
    ]
    assert len(calls) == 2 * X.numblocks[0]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_incremental_is_the_partial_fit_loop_over_the_chunks(
    Estimator, client, digits, chunked
):
    X_train, X_test, y_train, _ = digits
    X, y = chunked
    on_dask = Incremental(Estimator(**params()), shuffle_blocks=False)
    for _ in range(3):
        on_dask.partial_fit(X, y, classes=CLASSES)
    in_memory = Estimator(**params())
    for _ in range(3):
        for start in range(0, len(X_train), CHUNK):
            rows = slice(start, start + CHUNK)
            in_memory.partial_fit(X_train[rows], y_train[rows], classes=CLASSES)
    assert on_dask.estimator_.n_iter_ == in_memory.n_iter_ == 3 * X.numblocks[0]
    np.testing.assert_array_equal(
        on_dask.predict_proba(X_test), in_memory.predict_proba(X_test)
    )


# Ten passes over the chunks in a shuffled order against one fit of ten
# epochs, shuffled over all rows: the same epochs on the same rows, but not
# the same batches, so not the same model. Over seeds 0-4 the test accuracy
# of either varied by up to 2 points between seeds (standard deviation 0.2 to
# 0.6 points; 540 test digits, one is 0.19 points) and the two differed by at
# most 0.9 points. 2.5 points is about three standard deviations of the
# difference of two such runs.
ACCURACY_TOLERANCE = 0.025
EPOCHS = 10


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_incremental_accuracy_is_close_to_one_fit(Estimator, client, digits, chunked):
    X_train, X_test, y_train, y_test = digits
    X, y = chunked
    incremental = Incremental(Estimator(**params()), random_state=0)
    for _ in range(EPOCHS):
        incremental.partial_fit(X, y, classes=CLASSES)
    fitted = Estimator(max_epochs=EPOCHS, **params()).fit(X_train, y_train)
    assert fitted.n_iter_ == EPOCHS  # no plateau stopped it early
    incremental_accuracy = incremental.score(X_test, y_test)
    assert incremental_accuracy > 0.95
    assert incremental_accuracy == pytest.approx(
        fitted.score(X_test, y_test), abs=ACCURACY_TOLERANCE
    )


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_a_dask_dataframe_trains_what_the_array_trains(
    Estimator, client, digits, chunked
):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X_train, X_test, y_train, _ = digits
    columns = [f"pixel_{i}" for i in range(X_train.shape[1])]
    frame = dd.from_pandas(pd.DataFrame(X_train, columns=columns), chunksize=CHUNK)
    labels = dd.from_pandas(pd.Series(y_train, name="digit"), chunksize=CHUNK)
    assert frame.npartitions == chunked[0].numblocks[0]

    # preprocessor=None: the frame is the array's matrix (by default a
    # DataFrame is a table, encoded as its first partition taught).
    on_frame = Incremental(
        RECORDING[Estimator](**params(), preprocessor=None), random_state=0
    )
    on_frame.fit(frame, labels, classes=CLASSES)
    on_array = Incremental(Estimator(**params(), preprocessor=None), random_state=0)
    on_array.fit(*chunked, classes=CLASSES)

    model = on_frame.estimator_
    assert {kind for kind, _ in model.received_} == {pd.DataFrame}
    assert max(rows for _, (rows, _) in model.received_) == CHUNK
    np.testing.assert_array_equal(model.feature_names_in_, columns)
    np.testing.assert_array_equal(on_frame.feature_names_in_, columns)
    test_frame = pd.DataFrame(X_test, columns=columns)
    np.testing.assert_array_equal(
        model.predict_proba(test_frame), on_array.predict_proba(X_test)
    )
    # Prediction over the Dask DataFrame, partition by partition.
    np.testing.assert_array_equal(
        on_frame.predict(dd.from_pandas(test_frame, chunksize=CHUNK)).compute(),
        model.predict(test_frame),
    )


def test_incremental_without_classes_is_a_clear_error(client, chunked):
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        Incremental(SOCClassifier(**params())).fit(*chunked)


@searches_need_older_dask
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_incremental_search_returns_a_fitted_best_estimator(
    Estimator, client, digits, chunked
):
    _, X_test, _, y_test = digits
    # Six passes over the chunks: SOC's contrast term (on by default) slows
    # its first epochs, and the best model then scored 0.85 with it; the
    # search, not the term, is under test.
    off = {"contrast_weight": 0.0} if Estimator is SOCClassifier else {}
    search = IncrementalSearchCV(
        Estimator(**params(), **off),
        {"lr": [1e-3, 1e-2], "embedding_dim": [8, 16]},
        n_initial_parameters="grid",
        max_iter=6,
        decay_rate=None,
        random_state=0,
    )
    search.fit(*chunked, classes=CLASSES)
    check_best_estimator(search, Estimator, X_test, y_test)


@searches_need_older_dask
def test_hyperband_search_returns_a_fitted_best_estimator(client, digits, chunked):
    _, X_test, _, y_test = digits
    search = HyperbandSearchCV(
        SOCClassifier(**params()),
        {"lr": loguniform(1e-3, 1e-2), "embedding_dim": [8, 16]},
        max_iter=9,
        random_state=0,
    )
    search.fit(*chunked, classes=CLASSES)
    check_best_estimator(search, SOCClassifier, X_test, y_test)


def check_best_estimator(search, Estimator, X_test, y_test):
    best = search.best_estimator_
    assert type(best) is Estimator
    check_is_fitted(best)
    assert best.get_params()["lr"] == search.best_params_["lr"]
    # Every partial_fit call the search made trained one epoch on one chunk.
    calls = search.cv_results_["partial_fit_calls"][search.best_index_]
    assert best.n_iter_ == calls
    assert search.best_score_ == max(search.cv_results_["test_score"])
    assert search.score(X_test, y_test) > 0.9
