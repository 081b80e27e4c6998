"""Model files: what a user keeps, shares and loads back.

A saved model predicts bit for bit like the original and keeps training the
way it would have; a file runs no code when loaded, names the classes it
needs and gets them only from the caller; and a file that is truncated,
foreign, of another format version or modified after saving is refused
whole, with a message that says which.
"""

import functools
import json
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.history import History
from torch import nn

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
    _persistence,
)
from sksoc._persistence import (
    FORMAT_VERSION,
    ModelFileError,
    _checksum,
    load_model,
    save_model,
)
from sksoc.utils import all_estimators
from tests.helpers import Width

ESTIMATORS = [Estimator for _, Estimator in all_estimators()]
FAST = {"max_epochs": 3, "hidden_layer_sizes": (16,), "random_state": 0}


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=90, centers=3, n_features=4, random_state=0)
    return X, y


def make(Estimator, **params):
    return Estimator(**{**FAST, **params})


def round_trip(model, tmp_path, **load_options):
    path = tmp_path / "model.sksoc"
    save_model(model, path)
    return load_model(path, **load_options)


def assert_same_model(loaded, model, X, *, same_durations=True):
    assert type(loaded) is type(model)
    assert loaded is not model
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    np.testing.assert_array_equal(
        loaded.decision_function(X), model.decision_function(X)
    )
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.class_embeddings_, model.class_embeddings_)
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    assert loaded.classes_.dtype == model.classes_.dtype
    np.testing.assert_array_equal(loaded.class_count_, model.class_count_)
    assert loaded.n_features_in_ == model.n_features_in_
    assert loaded.embedding_dim_ == model.embedding_dim_
    assert loaded.n_iter_ == model.n_iter_
    if same_durations:
        assert list(loaded.net_.history) == list(model.net_.history)
    else:  # epochs trained apart take their own time
        assert without_durations(loaded.history_) == without_durations(model.history_)


def without_durations(history):
    return [
        {key: value for key, value in row.items() if key != "dur"} for row in history
    ]


# -- round trips ---------------------------------------------------------------------

ROUND_TRIPS = [
    (SOCClassifier, {}),
    (SOCClassifier, {"learn_scale": True, "early_stopping": True}),
    (FixedRandomClassifier, {}),
    (FixedRandomClassifier, {"init": "simplex", "bias": True, "optimizer": "sgd"}),
    (MarginClassifier, {}),
    (MarginClassifier, {"margin_type": "sphereface", "sub_centers": 2}),
    (MarginClassifier, {"margin_type": "combined", "margins": (1.0, 0.2, 0.1)}),
    (SoftmaxClassifier, {"optimizer": torch.optim.AdamW, "module__dropout": 0.1}),
]


@pytest.mark.parametrize(
    "Estimator, params",
    ROUND_TRIPS,
    ids=[
        "soc",
        "soc-learn_scale-early_stopping",
        "fixed",
        "fixed-simplex-bias-sgd",
        "margin",
        "sphereface-sub_centers",
        "combined-margins",
        "softmax-adamw-class",
    ],
)
def test_round_trip_predicts_bit_for_bit_and_trains_on_alike(
    Estimator, params, blobs, tmp_path
):
    X, y = blobs
    labels = np.array(["cat", "dog", "eel"])[y]
    model = make(Estimator, **params).fit(X, labels)
    loaded = round_trip(model, tmp_path)
    assert_same_model(loaded, model, X)
    assert loaded.get_params() == model.get_params()
    # The optimiser, the shuffling generator and (SphereFace) the annealing
    # step count are saved, so training continues exactly as it would have.
    model.partial_fit(X, labels)
    loaded.partial_fit(X, labels)
    assert_same_model(loaded, model, X, same_durations=False)


@pytest.mark.parametrize(
    "Estimator", [E for E in ESTIMATORS if hasattr(E, "add_classes")]
)
def test_model_with_added_classes_round_trips(Estimator, tmp_path):
    X, y = make_blobs(n_samples=120, centers=4, n_features=4, random_state=0)
    model = make(Estimator).fit(X[y < 3], y[y < 3])
    model.add_classes(X[y == 3], y[y == 3])
    loaded = round_trip(model, tmp_path)
    assert_same_model(loaded, model, X)
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert_same_model(loaded, model, X, same_durations=False)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_user_encoder_loads_only_when_trusted(Estimator, blobs, tmp_path):
    X, y = blobs
    model = make(Estimator, module=Width, module__width=5).fit(X, y)
    path = tmp_path / "model.sksoc"
    save_model(model, path)
    with pytest.raises(ModelFileError, match=r"Width .*trusted_modules=\[Width\]"):
        load_model(path)
    loaded = load_model(path, trusted_modules=[Width])
    assert loaded.module is Width
    assert loaded.net_.module_.layers[0].out_features == 5
    assert_same_model(loaded, model, X)


def test_dataframe_feature_names_and_output_settings_survive(blobs, tmp_path):
    X, y = blobs
    frame = pd.DataFrame(X, columns=["w", "x", "y", "z"])
    model = make(SOCClassifier).fit(frame, y).set_output(transform="pandas")
    loaded = round_trip(model, tmp_path)
    np.testing.assert_array_equal(loaded.feature_names_in_, ["w", "x", "y", "z"])
    pd.testing.assert_frame_equal(loaded.transform(frame), model.transform(frame))
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(frame.rename(columns={"w": "v"}))


@pytest.mark.parametrize(
    "labels",
    [
        np.array([10, 20, 30]),
        np.array([-1.0, 0.0, 2.0]),
        np.array([False, True, True]),
        np.array(["a", "b", "c"], dtype=object),
    ],
    ids=["ints", "floats", "bools", "objects"],
)
def test_labels_keep_their_values_and_dtype(labels, blobs, tmp_path):
    X, y = blobs
    model = make(SoftmaxClassifier).fit(X, labels[y])
    loaded = round_trip(model, tmp_path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.predict(X).dtype == model.predict(X).dtype


def test_random_state_instance_is_stored_with_its_state(blobs, tmp_path):
    X, y = blobs
    model = make(SOCClassifier, random_state=np.random.RandomState(5)).fit(X, y)
    loaded = round_trip(model, tmp_path)
    assert isinstance(loaded.random_state, np.random.RandomState)
    # A refit draws the same seed from the stored generator as the original.
    original_refit = pickle.loads(pickle.dumps(model)).fit(X, y)
    np.testing.assert_array_equal(
        loaded.fit(X, y).predict_proba(X), original_refit.predict_proba(X)
    )


def test_device_argument_replaces_the_saved_device(blobs, tmp_path):
    X, y = blobs
    model = make(SOCClassifier, device=torch.device("cpu")).fit(X, y)
    assert round_trip(model, tmp_path).device == torch.device("cpu")
    loaded = round_trip(model, tmp_path, device="cpu")
    assert loaded.device == "cpu"
    assert_same_model(loaded, model, X)


def test_state_rebuilds_in_memory_without_sharing_tensors(blobs):
    X, y = blobs
    model = make(MarginClassifier, margin_type="sphereface").fit(X, y)
    document, tensors = model._get_state()
    json.dumps(document)  # the document is JSON as it is
    assert all(tensor.device.type == "cpu" for tensor in tensors.values())
    rebuilt = MarginClassifier._from_state(document, tensors)
    assert_same_model(rebuilt, model, X)
    # Training one leaves the other alone: no weight or optimiser state shared.
    before = rebuilt.predict_proba(X)
    model.partial_fit(X, y)
    np.testing.assert_array_equal(rebuilt.predict_proba(X), before)
    rebuilt.partial_fit(X, y)
    assert_same_model(rebuilt, model, X, same_durations=False)


def test_pickle_still_round_trips(blobs):
    X, y = blobs
    model = make(MarginClassifier, margin_type="sphereface").fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_same_model(restored, model, X)
    model.partial_fit(X, y)
    restored.partial_fit(X, y)
    assert_same_model(restored, model, X, same_durations=False)


def file_content(path):
    data = Path(path).read_bytes()
    metadata = json.loads(data[8 : header_size(data)])["__metadata__"]
    return metadata, json.loads(metadata["content"])


def test_long_partial_fit_stream_keeps_its_history_out_of_the_header(blobs, tmp_path):
    # Each partial_fit call is one epoch of history. Format 1 wrote every epoch
    # into the safetensors header (90 bytes each here: 9 MB for these rows),
    # so past a million calls or so the header passed the 100 MB safetensors
    # allows, and save_model failed. The header must not grow with the history.
    X, y = blobs
    model = make(SOCClassifier, early_stopping=True).fit(X, y)
    model.partial_fit(X, y)
    path = tmp_path / "model.sksoc"
    save_model(model, path)
    short = header_size(path.read_bytes())
    rows = list(model.net_.history)
    n_streamed = 100_000
    model.net_.history_ = History(
        [
            *rows,
            *(
                {
                    "batches": [],
                    "epoch": len(rows) + 1 + i,
                    "train_loss": 1 / (1 + i),
                    "dur": 1e-3 * (i % 7),
                }
                for i in range(n_streamed)
            ),
        ]
    )
    save_model(model, path)
    assert header_size(path.read_bytes()) - short < 1000
    loaded = load_model(path)
    assert loaded.n_iter_ == len(rows) + n_streamed
    assert loaded.history_ == model.history_
    assert_same_model(loaded, model, X)
    # The n-th training call's seed comes from the history's length.
    model.partial_fit(X, y)
    loaded.partial_fit(X, y)
    assert_same_model(loaded, model, X, same_durations=False)


def test_numeric_arrays_are_tensors_and_labels_stay_exact(tmp_path):
    X, y = make_blobs(n_samples=60, centers=3, n_features=4, random_state=0)
    labels = np.array([2**62, -5, 7])[y]
    model = make(SoftmaxClassifier).fit(X, labels)
    path = tmp_path / "model.sksoc"
    save_model(model, path)
    metadata, content = file_content(path)
    assert metadata["format_version"] == str(FORMAT_VERSION) == "2"
    for name in ("classes_", "class_count_"):
        assert set(content["fitted"][name]) == {"__sksoc__", "dtype", "shape", "tensor"}
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.classes_, [-5, 7, 2**62])
    assert loaded.classes_.dtype == np.int64
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_model_too_large_for_a_header_is_refused_clearly(blobs, tmp_path, monkeypatch):
    # Held at 100 MB in the file's header (safetensors' limit), a description
    # is refused whole before anything is written, naming its largest parts;
    # here the limit is lowered to 1 MB, to test with 2 MB of feature names.
    monkeypatch.setattr(_persistence, "_MAX_HEADER_BYTES", 1_000_000)
    X, y = blobs
    model = make(SOCClassifier).fit(X, y)
    model.feature_names_in_ = np.array(["x" * 1000] * 2000, dtype=object)
    path = tmp_path / "model.sksoc"
    with pytest.raises(
        ValueError,
        match=r"takes about 2 MB of JSON, more than the 1 MB a safetensors header "
        r"holds\. The largest parts: fitted 'feature_names_in_' \(2\.0 MB\)",
    ):
        save_model(model, path)
    assert os.listdir(tmp_path) == []


# -- what cannot be saved --------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_saved_file_has_the_permissions_of_any_new_file(blobs, tmp_path):
    # The file is written to a temporary name first; tempfile.mkstemp would
    # make it readable by its owner only.
    X, y = blobs
    model = SOCClassifier(max_epochs=2, random_state=0).fit(X, y)
    umask = os.umask(0o022)
    try:
        save_model(model, tmp_path / "model.sksoc")
    finally:
        os.umask(umask)
    assert (tmp_path / "model.sksoc").stat().st_mode & 0o777 == 0o644


def test_unfitted_estimator_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError):
        save_model(SOCClassifier(), tmp_path / "model.sksoc")


def test_only_sksoc_estimators_are_saved(blobs, tmp_path):
    X, y = blobs

    class MySOC(SOCClassifier):
        pass

    pipeline = make_pipeline(StandardScaler(), make(SOCClassifier)).fit(X, y)
    subclassed = MySOC(**FAST).fit(X, y)
    for estimator in (pipeline, subclassed):
        with pytest.raises(TypeError, match="stores one of sksoc's estimators"):
            save_model(estimator, tmp_path / "model.sksoc")


@pytest.mark.parametrize(
    "params, message",
    [
        ({"module": nn.Linear(4, 3)}, "cannot store a torch module instance"),
        ({"module": lambda **kw: Width(**kw)}, "cannot store a lambda"),
        (
            {"optimizer": functools.partial(torch.optim.SGD, momentum=0.5)},
            "parameter 'optimizer', the callable functools.partial",
        ),
        (
            {"margin_type": "sphereface", "annealing": lambda step: 0.5},
            "parameter 'annealing', the callable",
        ),
    ],
    ids=["module-instance", "lambda-module", "partial-optimizer", "annealing"],
)
def test_code_in_parameters_is_refused_at_save(params, message, blobs, tmp_path):
    X, y = blobs
    model = make(MarginClassifier, **params).fit(X, y)
    path = tmp_path / "model.sksoc"
    path.write_bytes(b"the previous file")
    with pytest.raises(ValueError, match=message):
        save_model(model, path)
    # Nothing was written: the old file is intact, no temporary file is left.
    assert path.read_bytes() == b"the previous file"
    assert os.listdir(tmp_path) == ["model.sksoc"]


# -- files that are refused ------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(blobs, tmp_path_factory):
    """A saved SOC model with a user encoder: (path, bytes, model)."""
    X, y = blobs
    model = make(SOCClassifier, module=Width).fit(X, y)
    path = tmp_path_factory.mktemp("saved") / "model.sksoc"
    save_model(model, path)
    return path, path.read_bytes(), model


def header_size(data):
    return 8 + struct.unpack("<Q", data[:8])[0]


def rewrite(data, edit_content=None, edit_tensors=None, version=None, resign=True):
    """The model file ``data`` with its JSON and tensors edited, re-signed or not."""
    header = json.loads(data[8 : header_size(data)])
    metadata = header["__metadata__"]
    tensors = load_tensors(data)
    content = json.loads(metadata["content"])
    if edit_content:
        edit_content(content)
    if edit_tensors:
        edit_tensors(tensors)
    metadata["content"] = json.dumps(content)
    if version is not None:
        metadata["format_version"] = version
    if resign:
        metadata["sha256"] = _checksum(
            metadata["format"], metadata["format_version"], metadata["content"], tensors
        )
    return save_tensors(tensors, metadata=metadata)


def load_bytes(data, tmp_path, **options):
    path = tmp_path / "edited.sksoc"
    path.write_bytes(data)
    return load_model(path, **{"trusted_modules": [Width], **options})


def test_untouched_file_loads(saved, tmp_path):
    _, data, model = saved
    assert load_bytes(data, tmp_path).n_iter_ == model.n_iter_


def test_resigned_file_without_edits_loads(saved, tmp_path):
    # The test's re-signing is faithful, so the refusals below come from the edits.
    _, data, model = saved
    assert load_bytes(rewrite(data), tmp_path).n_iter_ == model.n_iter_


@pytest.mark.parametrize("keep", [0, 7, 8, 100, -100, -1], ids=lambda k: f"keep{k}")
def test_truncated_file_is_refused(keep, saved, tmp_path):
    _, data, _ = saved
    with pytest.raises(ModelFileError, match="truncated or not an sksoc model file"):
        load_bytes(data[:keep], tmp_path)


@pytest.mark.parametrize(
    "data",
    [b"\x00" * 64, b"not a model at all, just some text", pickle.dumps({"a": 1})],
    ids=["zeros", "text", "pickle"],
)
def test_other_files_are_refused(data, tmp_path):
    with pytest.raises(ModelFileError, match="truncated or not an sksoc model file"):
        load_bytes(data, tmp_path)


def test_safetensors_file_without_the_stamp_is_refused(tmp_path):
    data = save_tensors({"weight": torch.zeros(2)}, metadata={"format": "pt"})
    with pytest.raises(ModelFileError, match="format stamp is 'pt', not 'sksoc-model'"):
        load_bytes(data, tmp_path)
    with pytest.raises(ModelFileError, match="format stamp is None"):
        load_bytes(save_tensors({"weight": torch.zeros(2)}), tmp_path)


@pytest.mark.parametrize("version", ["0", "1", str(FORMAT_VERSION + 1), "2.0"])
def test_other_format_version_is_refused(version, saved, tmp_path):
    # One format version is written and read: a file stamped with any other,
    # older or newer, is refused before its content is read, naming both.
    _, data, _ = saved
    with pytest.raises(
        ModelFileError,
        match=rf"format version {version}, but this sksoc \(.*\) reads format "
        rf"version {FORMAT_VERSION} only",
    ):
        load_bytes(rewrite(data, version=version), tmp_path)


def test_flipped_tensor_byte_is_detected(saved, tmp_path):
    _, data, _ = saved
    flipped = bytearray(data)
    flipped[header_size(data) + 10] ^= 0x01
    with pytest.raises(ModelFileError, match="modified after it was saved"):
        load_bytes(bytes(flipped), tmp_path)


def test_edited_description_without_new_checksum_is_detected(saved, tmp_path):
    _, data, _ = saved

    def more_epochs(content):
        content["params"]["max_epochs"] = 1000

    edited = rewrite(data, edit_content=more_epochs, resign=False)
    with pytest.raises(ModelFileError, match="modified after it was saved"):
        load_bytes(edited, tmp_path)


def _parent(content, path):
    """The mapping that holds the entry at ``path``."""
    for key in path[:-1]:
        content = content[key]
    return content


def _set(path, value):
    def edit(content):
        _parent(content, path)[path[-1]] = value

    return edit


def _delete(path):
    def edit(content):
        del _parent(content, path)[path[-1]]

    return edit


# A state lacking a part the model needs is refused, never completed with a
# default: a missing parameter would otherwise take today's default, which
# need not be the value the model was trained with.
INCOMPLETE = {
    "missing-parameter": (
        _delete(["params", "contrast_weight"]),
        r"could not be rebuilt: ValueError: the state lacks the parameters "
        r"\['contrast_weight'\]",
    ),
    "missing-preprocessor-parameter": (
        _delete(["params", "preprocessor"]),
        r"could not be rebuilt: ValueError: the state lacks the parameters "
        r"\['preprocessor'\]",
    ),
    "missing-fitted-preprocessor": (
        _delete(["preprocessor"]),
        "could not be rebuilt: KeyError: 'preprocessor'",
    ),
    "missing-fitted-attribute": (
        _delete(["fitted", "_n_network_inputs"]),
        "could not be rebuilt: AttributeError: .*'_n_network_inputs'",
    ),
}


@pytest.mark.parametrize("part", INCOMPLETE)
def test_state_lacking_a_part_is_refused(part, saved, tmp_path):
    _, data, _ = saved
    edit, message = INCOMPLETE[part]
    with pytest.raises(ModelFileError, match=message):
        load_bytes(rewrite(data, edit_content=edit), tmp_path)


# Forgeries with a valid checksum: anyone can compute one, so the loader must
# refuse these on their content.
FORGERIES = {
    "unknown-estimator": (
        {"edit_content": _set(["estimator"], "Popen")},
        "holds a 'Popen', which is not an sksoc estimator",
    ),
    "untrusted-callable": (
        {
            "edit_content": _set(
                ["params", "module"], {"__sksoc__": "callable", "name": "os:system"}
            )
        },
        r"needs os:system .*does not trust.*trusted_modules=\[system\]",
    ),
    "callable-outside-module": (
        {
            "edit_content": _set(
                ["params", "lr"], {"__sksoc__": "callable", "name": "os:system"}
            )
        },
        "could not be rebuilt: TypeError: unexpected value tagged 'callable'",
    ),
    "invalid-parameter": (
        {"edit_content": _set(["params", "lr"], -1.0)},
        "could not be rebuilt: InvalidParameterError: The 'lr' parameter",
    ),
    "method-as-attribute": (
        {"edit_content": _set(["fitted", "predict"], 1)},
        "could not be rebuilt: ValueError: 'predict' is not a fitted attribute",
    ),
    "odd-dtype": (
        {
            "edit_content": _set(
                ["fitted", "classes_"],
                {"__sksoc__": "ndarray", "dtype": "V8", "shape": [3], "values": []},
            )
        },
        "dtype 'V8' cannot be stored",
    ),
    "missing-tensor": (
        {"edit_tensors": lambda tensors: tensors.pop("criterion.class_embeddings")},
        r"do not fit the SOCHead .* missing \['criterion.class_embeddings'\]",
    ),
    "reshaped-tensor": (
        {"edit_tensors": _set(["criterion.class_embeddings"], torch.zeros(3, 2))},
        r"of another shape or dtype \['criterion.class_embeddings'\]",
    ),
    "retyped-tensor": (
        {
            "edit_tensors": _set(
                ["criterion.class_embeddings"], torch.zeros(3, 16).double()
            )
        },
        r"of another shape or dtype \['criterion.class_embeddings'\]",
    ),
    "extra-tensor": (
        {"edit_tensors": _set(["payload"], torch.zeros(1000))},
        r"tensors that belong to no part of the model: \['payload'\]",
    ),
    "huge-network": (
        # Tens of GB of weights: refused on the meta device, before any
        # allocation.
        {"edit_content": _set(["params", "module__width"], 10**10)},
        r"do not fit the Width .* of another shape or dtype",
    ),
    "parameter-name-not-a-parameter": (
        {"edit_content": _set(["params", "__class__"], 1)},
        "could not be rebuilt: ValueError: '__class__' is not a parameter",
    ),
    "private-encoder-parameter": (
        {"edit_content": _set(["params", "module___init"], 1)},
        "could not be rebuilt: ValueError: 'module___init' is not a parameter",
    ),
    "bad-generator-state": (
        {
            "edit_tensors": _set(
                ["shuffle_generator"], torch.zeros(3, dtype=torch.uint8)
            )
        },
        "could not be rebuilt: RuntimeError",
    ),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_content_is_refused_before_use(forgery, saved, tmp_path):
    _, data, _ = saved
    edits, message = FORGERIES[forgery]
    with pytest.raises(ModelFileError, match=message):
        load_bytes(rewrite(data, **edits), tmp_path)


def test_trusted_modules_must_be_objects(saved):
    path, _, _ = saved
    with pytest.raises(TypeError, match="the objects themselves, not their names"):
        load_model(path, trusted_modules=["tests.test_persistence:Width"])


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_gpu_model_on_a_machine_without_one_needs_device_cpu(saved, tmp_path):
    _, data, model = saved
    on_gpu = rewrite(data, edit_content=_set(["params", "device"], "cuda"))
    with pytest.raises(ValueError, match=r"pass load_model\(path, device='cpu'\)"):
        load_bytes(on_gpu, tmp_path)
    loaded = load_bytes(on_gpu, tmp_path, device="cpu")
    X = np.zeros((2, 4))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_cuda_fit_predict_save_and_load_on_cpu(Estimator, blobs, tmp_path):
    X, y = blobs
    model = make(Estimator, device="cuda", max_epochs=30).fit(X, y)
    proba = model.predict_proba(X)
    assert np.mean(model.predict(X) == y) > 0.8
    on_gpu = round_trip(model, tmp_path)
    np.testing.assert_array_equal(on_gpu.predict_proba(X), proba)
    on_cpu = round_trip(model, tmp_path, device="cpu")
    assert next(on_cpu.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(on_cpu.predict_proba(X), proba, rtol=1e-4, atol=1e-6)
