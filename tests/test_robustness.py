"""Faults and bad input: what a user gets when things go wrong.

Every estimator and metric is fed random shapes, dtypes, containers, NaN,
infinities, values beyond float32, subnormals, constant columns, duplicate
rows and odd labels. Each call either succeeds, with finite outputs of the
documented shapes, or raises a documented exception (ValueError, TypeError,
or TrainingDivergedError) with a message, from sksoc's or scikit-learn's own
checks, never from inside torch or skorch. Predictions from many threads
equal serial ones, and a real Ctrl-C during ``fit`` leaves the estimator as
it was.
"""

import math
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from torch import nn

import sksoc
from sksoc import SOCClassifier, metrics
from sksoc.exceptions import TrainingDivergedError
from sksoc.utils import all_estimators

pytestmark = pytest.mark.filterwarnings(
    # Expected: DataFrames passed to models fitted on arrays, and scikit-learn's
    # finiteness check summing inf and -inf.
    "ignore:X has feature names:UserWarning",
    "ignore:invalid value encountered in reduce:RuntimeWarning:numpy",
)
ESTIMATORS = [Estimator for _, Estimator in all_estimators()]
FAST = {"max_epochs": 2, "random_state": 0}
DOCUMENTED_ERRORS = (ValueError, TypeError, TrainingDivergedError)
# Exceptions must come from these packages' checks, not from deep inside torch.
CHECKING_PACKAGES = tuple(
    str(Path(package.__file__).parent) + os.sep for package in (sksoc, sklearn)
)


def random_inputs(max_examples):
    """Hypothesis settings: reproducible in CI (derandomized), no example database."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=60, centers=3, n_features=4, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def fitted(blobs):
    """One fitted model of every estimator, by class."""
    X, y = blobs
    return {Estimator: Estimator(**FAST).fit(X, y) for Estimator in ESTIMATORS}


# -- strategies ------------------------------------------------------------------------

# Each list names every case once; CLEAN repeats the ordinary ones so that
# about half of the draws are valid and reach training and prediction.
DTYPES = [
    "float64",
    "float32",
    "float16",
    "int64",
    "int8",
    "uint8",
    "bool",
    "object",
    "complex128",
]
# Beyond float32 (1e300), subnormal (1e-310, 5e-324), NaN and infinities.
SPECIAL_VALUES = [np.nan, np.inf, -np.inf, 1e300, -1e300, 1e-310, -1e-310, 5e-324]
DEFECTS = ["special value", "constant column", "duplicate rows", "text cell"]
CONTAINERS = ["ndarray", "list", "DataFrame", "sparse"]
CLEAN = 6


def mostly(ordinary, cases):
    """Draw ``ordinary`` CLEAN times as often as each of ``cases``."""
    return st.sampled_from([ordinary] * CLEAN + list(cases))


def float_matrix(draw, n_rows, n_columns):
    """A float64 matrix of the given shape, entries in [-1e6, 1e6]."""
    values = draw(
        st.lists(
            st.floats(-1e6, 1e6, allow_nan=False),
            min_size=n_rows * n_columns,
            max_size=n_rows * n_columns,
        )
    )
    return np.array(values, dtype=np.float64).reshape(n_rows, n_columns)


def set_one_cell(draw, X, values):
    """Put one of ``values`` in a cell of the non-empty ``X``, in place."""
    row = draw(st.integers(0, X.shape[0] - 1))
    X[row, draw(st.integers(0, X.shape[1] - 1))] = draw(st.sampled_from(values))


@st.composite
def matrices(draw, n_features=None, max_rows=10):
    """A random matrix: shape, values, defect, dtype and container all drawn."""
    n_rows = draw(mostly(max_rows, range(max_rows)))
    n_columns = draw(mostly(2, range(5)) if n_features is None else n_features)
    X = float_matrix(draw, n_rows, n_columns)
    defect = draw(mostly("none", DEFECTS)) if X.size else "none"
    dtype = draw(mostly("float64", DTYPES))
    if defect == "special value":
        set_one_cell(draw, X, SPECIAL_VALUES)
    elif defect == "constant column":
        X[:, draw(st.integers(0, n_columns - 1))] = draw(st.sampled_from([0.0, 7.5]))
    elif defect == "duplicate rows":
        X[:] = X[0]
    if dtype == "object" or defect == "text cell":
        X = X.astype(object)
        if defect == "text cell":
            X[0, 0] = draw(st.sampled_from(["x", "1.5", None]))
    elif dtype == "complex128":
        X = X + 1j
    elif dtype in ("int64", "int8", "uint8", "bool"):
        info = np.iinfo(dtype) if dtype != "bool" else np.iinfo("uint8")
        X = np.clip(np.nan_to_num(X, posinf=0, neginf=0), info.min, info.max)
        X = X.round().astype(dtype)
    else:
        with np.errstate(over="ignore"):
            X = X.astype(dtype)
    container = draw(mostly("ndarray", CONTAINERS))
    if container == "list":
        X = X.tolist()
    elif container == "DataFrame":
        X = pd.DataFrame(X, columns=[f"f{i}" for i in range(n_columns)])
    elif container == "sparse" and X.dtype.name not in ("float16", "object"):
        X = sp.csr_matrix(X)
    return X


LABEL_KINDS = [
    "ints",
    "strings",
    "bools",
    "integral floats",
    "one class",
    "single-member classes",
    "one single-member class",
    "NaN",
    "continuous",
    "mixed types",
    "2-D",
    "None",
    "wrong length",
]


@st.composite
def targets(draw, n_rows):
    kind = draw(mostly("ints", LABEL_KINDS))
    codes = np.array(
        draw(st.lists(st.integers(0, 2), min_size=n_rows, max_size=n_rows)), dtype=int
    )
    if kind == "ints":
        return codes * 10
    if kind == "strings":
        return np.array(["ant", "bee", "cat"])[codes]
    if kind == "bools":
        return codes == 1
    if kind == "integral floats":
        return codes.astype(float) - 1.0
    if kind == "one class":
        return np.full(n_rows, 4)
    if kind == "single-member classes":
        return np.arange(n_rows)
    if kind == "one single-member class":
        return np.where(np.arange(n_rows) == 0, 1, 0)
    if kind == "NaN":
        return np.where(np.arange(n_rows) == 0, np.nan, codes)
    if kind == "continuous":
        return codes + 0.5 * np.arange(n_rows)
    if kind == "mixed types":
        return np.array([0, "a"] * n_rows, dtype=object)[:n_rows]
    if kind == "2-D":
        return np.column_stack([codes, codes])
    if kind == "None":
        return None
    return np.append(codes, 0)  # one label too many


def n_rows_of(X):
    return X.shape[0] if hasattr(X, "shape") else len(X)


def outcome(call):
    """``call()``, or None when it raised a documented, clear error."""
    try:
        result = call()
    except DOCUMENTED_ERRORS as exc:
        assert_clear(exc)
        event(f"{type(exc).__name__}: {str(exc).splitlines()[0][:70]}")
        return None
    event("succeeded")
    return result


def assert_clear(exc):
    """A message, raised by sksoc's or scikit-learn's checks."""
    message = str(exc)
    assert len(message) > 15, f"unclear message {message!r}"
    innermost = traceback.extract_tb(exc.__traceback__)[-1].filename
    assert innermost.startswith(CHECKING_PACKAGES), (
        f"{type(exc).__name__}({message!r}) raised in {innermost}"
    )


# -- estimators on random input --------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@random_inputs(40)
@given(data=st.data())
def test_fit_on_random_input_succeeds_or_says_why(Estimator, data):
    X = data.draw(matrices(), label="X")
    y = data.draw(targets(n_rows_of(X)), label="y")
    estimator = Estimator(**FAST)
    model = outcome(lambda: estimator.fit(X, y))
    if model is None:  # a failed fit leaves nothing half-fitted
        assert vars(estimator) == vars(Estimator(**FAST))
        with pytest.raises(NotFittedError):
            check_is_fitted(estimator)
        return
    n_rows, n_classes = n_rows_of(X), len(model.classes_)
    proba = model.predict_proba(X)
    embedding = model.transform(X)
    assert proba.shape == (n_rows, n_classes)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert embedding.shape == (n_rows, model.embedding_dim_)
    assert np.isfinite(embedding).all()
    assert set(model.predict(X)) <= set(model.classes_)


PREDICTION_METHODS = [
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "transform",
    "score_samples",
]


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@random_inputs(60)
@given(data=st.data())
def test_predict_on_random_input_succeeds_or_says_why(Estimator, fitted, data):
    model = fitted[Estimator]
    X = data.draw(matrices(n_features=mostly(4, [0, 3, 5])), label="X")
    method = data.draw(st.sampled_from(PREDICTION_METHODS), label="method")
    result = outcome(lambda: getattr(model, method)(X))
    if result is None:
        return
    assert len(result) == n_rows_of(X)
    if method == "predict":
        assert set(result) <= set(model.classes_)
    else:
        assert np.isfinite(np.asarray(result)).all()


def test_unfitted_estimators_say_so(blobs):
    X, _ = blobs
    for Estimator in ESTIMATORS:
        for method in PREDICTION_METHODS:
            with pytest.raises(NotFittedError, match="not fitted yet"):
                getattr(Estimator(), method)(X)


# -- metrics on random input -----------------------------------------------------------

# |x| <= 1e6 and special values; extreme scales have their own test below.
EMBEDDING_SPECIALS = [np.nan, np.inf, -np.inf, 1e-310, 5e-324, 0.0]


@st.composite
def embeddings(draw):
    n_rows = draw(mostly(10, range(10)))
    n_columns = draw(mostly(3, range(3)))
    X = float_matrix(draw, n_rows, n_columns)
    if X.size and draw(mostly(False, [True])):
        set_one_cell(draw, X, EMBEDDING_SPECIALS)
    return X


METRICS = {
    "silhouette_score euclidean": lambda X, y: metrics.silhouette_score(X, y),
    "silhouette_score cosine": lambda X, y: metrics.silhouette_score(
        X, y, metric="cosine"
    ),
    "silhouette_score sample_size=3": lambda X, y: metrics.silhouette_score(
        X, y, sample_size=3, random_state=0
    ),
    "intra_class_compactness": metrics.intra_class_compactness,
    "inter_class_separability": metrics.inter_class_separability,
    "inter_class_separability min": lambda X, y: metrics.inter_class_separability(
        X, y, reduce="min"
    ),
}
RANGES = {
    "silhouette_score": (-1.0, 1.0),
    "intra_class_compactness": (-1.0, 1.0),
    "inter_class_separability": (0.0, math.pi),
}


@pytest.mark.parametrize("name", METRICS)
@random_inputs(80)
@given(data=st.data())
def test_metrics_on_random_input_give_a_score_in_range_or_say_why(name, data):
    X = data.draw(embeddings(), label="X")
    labels = data.draw(targets(len(X)), label="labels")
    score = outcome(lambda: METRICS[name](X, labels))
    if score is None:
        return
    low, high = RANGES[name.split()[0]]
    assert isinstance(score, float)
    assert low - 1e-12 <= score <= high + 1e-12


SCORERS = {
    "silhouette_scorer": metrics.silhouette_scorer,
    "compactness_scorer": metrics.compactness_scorer,
    "separability_scorer": metrics.separability_scorer,
    "similarity_confusion_correlation": metrics.similarity_confusion_correlation,
    "embedding_report": metrics.embedding_report,
}


@pytest.mark.parametrize("name", SCORERS)
@random_inputs(40)
@given(data=st.data())
def test_scorers_with_an_estimator_score_or_say_why(name, fitted, data):
    Estimator = data.draw(st.sampled_from(ESTIMATORS), label="estimator")
    X = data.draw(matrices(n_features=mostly(4, [2])), label="X")
    y = data.draw(targets(n_rows_of(X)), label="y")
    if y is not None and y.dtype.kind in "ib":
        y = y.astype(int) % 4  # the model knows 0, 1 and 2; 3 is unseen
    result = outcome(lambda: SCORERS[name](fitted[Estimator], X, y))
    if result is None:
        return
    if name == "embedding_report":
        assert list(result.index)[-1] == "overall"
        measured = result[["n_samples", "accuracy", "silhouette", "compactness"]]
        assert np.isfinite(measured.to_numpy(dtype=float)).all()
    elif name == "similarity_confusion_correlation":
        assert math.isnan(result) or -1.0 <= result <= 1.0  # NaN is documented
    else:
        assert math.isfinite(result)


# -- regressions: bugs these tests found, now fixed ------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_large_finite_input_gets_an_error_not_nan(Estimator, fitted):
    # Within float32's range, but far beyond the training data: the network
    # may overflow (SOC's squared distances from about 1e20, the others near
    # 3e38); then a clear error, never NaN.
    for value in (1e20, 3e38):
        try:
            proba = fitted[Estimator].predict_proba(np.full((2, 4), value))
        except ValueError as exc:
            assert "non-finite values" in str(exc)
            assert_clear(exc)
        else:
            assert value < 3e38
            assert np.isfinite(proba).all()


@pytest.mark.parametrize("scale", [1e-200, 1e200], ids=["tiny", "huge"])
@pytest.mark.parametrize("name", METRICS)
def test_metrics_do_not_depend_on_the_embedding_scale(name, scale):
    X, y = make_blobs(n_samples=12, centers=3, n_features=3, random_state=0)
    expected = METRICS[name](X, y)
    np.testing.assert_allclose(METRICS[name](X * scale, y), expected, rtol=1e-9)


def test_confusion_correlation_names_unknown_mixed_labels(fitted, blobs):
    X, _ = blobs
    y = np.array([0, "a"] * 30, dtype=object)
    model = fitted[SOCClassifier]
    with pytest.raises(
        ValueError, match=r"labels not in classes_: \['a'\]; classes_ holds"
    ):
        metrics.similarity_confusion_correlation(model, X, y)


# -- threads ---------------------------------------------------------------------------


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_concurrent_predictions_equal_serial_ones(Estimator, fitted):
    model = fitted[Estimator]
    rng = np.random.RandomState(0)
    inputs = [rng.normal(size=(500, 4)) for _ in range(8)]
    methods = ["predict", "predict_proba", "transform"]
    serial = {
        (i, m): getattr(model, m)(X) for i, X in enumerate(inputs) for m in methods
    }
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {
            (i, m): pool.submit(getattr(model, m), X)
            for _ in range(3)
            for i, X in enumerate(inputs)
            for m in methods
        }
        for key, future in futures.items():
            np.testing.assert_array_equal(future.result(), serial[key])


# -- interrupts ------------------------------------------------------------------------


class SignalsAfter(nn.Module):
    """An encoder that sends this process SIGINT (Ctrl-C) on a training forward."""

    def __init__(self, n_features_in, embedding_dim, calls=3):
        super().__init__()
        self.linear = nn.Linear(n_features_in, embedding_dim)
        self.calls = calls
        self.seen = 0

    def forward(self, X):
        if self.training:
            self.seen += 1
            if self.seen == self.calls:
                signal.raise_signal(signal.SIGINT)
        return self.linear(X)


class Started(nn.Module):
    """An encoder that sets ``event`` once training has started."""

    event = threading.Event()

    def __init__(self, n_features_in, embedding_dim):
        super().__init__()
        self.linear = nn.Linear(n_features_in, embedding_dim)

    def forward(self, X):
        if self.training:
            Started.event.set()
        return self.linear(X)


@pytest.fixture
def ctrl_c_interrupts():
    """Python's own SIGINT handler, raising KeyboardInterrupt, during the test."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def interrupt_from_another_thread(call):
    """Run ``call`` while another thread presses Ctrl-C once training is under way.

    The key is pressed again every 0.1 s until ``call`` has returned or
    raised: a KeyboardInterrupt that lands in a garbage-collector callback
    (Hypothesis installs one) is printed and ignored by Python, as a user's
    second press would follow one that went nowhere. Returns whether ``call``
    was interrupted; a signal arriving after it returned is absorbed here, so
    that it cannot stop the test session.
    """
    Started.event.clear()
    sent = threading.Event()
    finished = threading.Event()

    def press_ctrl_c():
        if Started.event.wait(timeout=30):
            while not finished.is_set():
                os.kill(os.getpid(), signal.SIGINT)
                finished.wait(timeout=0.1)
        sent.set()

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    try:
        call()
    except KeyboardInterrupt:
        interrupted = True
    else:
        interrupted = False
    finally:
        finished.set()
    # Absorb a signal sent while the press loop stopped: the handler runs in
    # this thread, here.
    try:
        sent.wait(timeout=30)
        time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    presser.join()
    return interrupted


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_ctrl_c_during_first_fit_leaves_an_unfitted_estimator(
    Estimator, blobs, ctrl_c_interrupts
):
    X, y = blobs
    model = Estimator(module=SignalsAfter, max_epochs=20, batch_size=10, random_state=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert not hasattr(model, "classes_")
    assert not hasattr(model, "net_")
    # ... and it fits normally afterwards.
    assert model.set_params(module__calls=0).fit(X, y).score(X, y) > 0.5


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_ctrl_c_from_another_thread_keeps_the_fitted_model(
    Estimator, method, blobs, ctrl_c_interrupts
):
    X, y = blobs
    model = Estimator(module=Started, max_epochs=3, batch_size=4, random_state=0)
    model.fit(X, y)
    expected = model.predict_proba(X)
    net, n_iter = model.net_, model.n_iter_
    # Training long enough (seconds, with the faster engine too) that the
    # signal lands while it runs, even on a loaded machine.
    model.set_params(max_epochs=5000, n_iter_no_change=5000)
    X_many, y_many = np.tile(X, (400, 1)), np.tile(y, 400)
    assert interrupt_from_another_thread(lambda: getattr(model, method)(X_many, y_many))
    assert model.net_ is net
    assert model.n_iter_ == n_iter
    np.testing.assert_array_equal(model.predict_proba(X), expected)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_from_another_thread_during_first_fit(blobs, ctrl_c_interrupts):
    X, y = blobs
    model = SOCClassifier(
        module=Started, max_epochs=5000, n_iter_no_change=5000, batch_size=4
    )
    assert interrupt_from_another_thread(lambda: model.fit(X, y))
    assert not hasattr(model, "net_")
    with pytest.raises(NotFittedError):
        model.transform(X)
