"""The codec of model states: every kind of value comes back as it was.

A state is a JSON document and named tensors (``sksoc._state``); what the
writer stores, the reader gives back with the same types and values, through
JSON, and a document that claims more than its tensors hold is refused.
"""

import json
import math

import numpy as np
import pytest
import torch

from sksoc._state import (
    _KINDS_BY_TAG,
    TAG,
    Records,
    StateReader,
    StateWriter,
)
from sksoc.exceptions import ModelFileError
from tests.helpers import Width


def assert_same(found, expected):
    """Equal values of the same types, recursively (NaN equals NaN)."""
    assert type(found) is type(expected), (found, expected)
    if isinstance(expected, (list, tuple)):
        assert len(found) == len(expected)
        for a, b in zip(found, expected, strict=True):
            assert_same(a, b)
    elif isinstance(expected, dict):
        # Records put a row's keys in the order the columns first met them.
        assert sorted(map(repr, found)) == sorted(map(repr, expected))
        for key in expected:
            assert_same(found[key], expected[key])
    elif isinstance(expected, torch.Tensor):
        assert found.dtype == expected.dtype
        assert torch.equal(found, expected)
    elif isinstance(expected, np.ndarray):
        assert found.dtype == expected.dtype
        np.testing.assert_array_equal(found, expected)
    elif isinstance(expected, np.random.RandomState):
        assert_same(found.get_state(), expected.get_state())
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(found)
    else:
        assert found == expected


def through_json(value, *, callables=False):
    """``value`` written, sent through JSON text, and read back."""
    writer = StateWriter()
    document = json.loads(json.dumps(writer.encode(value, "v", callables=callables)))
    reader = StateReader(
        writer.tensors,
        resolve_callable=lambda name, where: {"tests.helpers:Width": Width}[name],
    )
    value = reader.decode(document, "v", callables=callables)
    reader.check_all_used()
    return value, document


def tags(document):
    if isinstance(document, list):
        return set().union(*map(tags, document))
    if isinstance(document, dict):
        found = {document[TAG]} if TAG in document else set()
        return found.union(*map(tags, document.values()))
    return set()


HISTORY = Records(
    [
        {"batches": [], "epoch": 1, "train_loss": 0.5, "valid_loss": 0.25},
        {"batches": [], "epoch": 2, "train_loss": math.nan, "best": True},
        {"batches": [], "epoch": 3, "train_loss": -math.inf, "best": False},
        {"epoch": 2**70, "note": "large", "tensor": torch.arange(3)},
        {"epoch": 5, "note": None, "mixed": 1, "tensor": torch.ones(2)},
        {"mixed": 1.0},
        {"mixed": True},
    ]
)
VALUES = {
    "plain": [None, True, 0, -1.5, "text", {"a": [1, 2.0]}],
    "tuple": (1, (2, "three"), []),
    "dict": {1: "one", (2, 3): "pair", "x": 4},
    "tag-as-key": {TAG: "tuple", "items": []},
    "tensor": torch.tensor([[1.5, 2.0]], dtype=torch.float64),
    "device": torch.device("cpu"),
    "numpy-scalars": [np.float32(1.25), np.int64(-3), np.bool_(True), np.uint8(7)],
    "arrays": [
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.arange(6.0)[::2],  # not contiguous
        np.array(3.5),  # 0-d
        np.zeros((0, 4), dtype=np.float16),
        np.array([True, False]),
        np.arange(3, dtype=">i8"),  # not native: a JSON list
        np.arange(3, dtype=np.uint64),
        np.array(["ab", "c"]),
        np.array([["a", 1], [None, 2.5]], dtype=object),
    ],
    "random-state": np.random.RandomState(3),
    "records": HISTORY,
    "no-records": Records(),
}


@pytest.mark.parametrize("name", VALUES)
def test_values_come_back_with_their_types(name):
    value = VALUES[name]
    found, _ = through_json(value)
    expected = list(value) if isinstance(value, Records) else value
    assert_same(found, expected)


def test_every_kind_is_tested():
    documents = [through_json(value)[1] for value in VALUES.values()]
    documents.append(through_json(Width, callables=True)[1])
    seen = tags(documents)
    assert seen == set(_KINDS_BY_TAG)


def test_classes_are_stored_by_name_and_resolved_by_the_reader():
    found, document = through_json([Width], callables=True)
    assert found == [Width]
    assert document == [{TAG: "callable", "name": "tests.helpers:Width"}]
    with pytest.raises(ValueError, match="the encoder, the callable .*Width"):
        StateWriter().encode(Width, "the encoder")
    writer = StateWriter()
    with pytest.raises(TypeError, match="unexpected value tagged 'callable'"):
        StateReader({}).decode(writer.encode(Width, "m", callables=True), "m")
    with pytest.raises(TypeError, match="may not name a callable"):
        StateReader({}).decode(
            writer.encode(Width, "m", callables=True), "m", callables=True
        )


def test_records_keep_numbers_in_tensors_and_share_no_rows():
    writer = StateWriter()
    document = writer.encode(HISTORY, "the history")
    columns = {column["key"]: column for column in document["columns"]}
    assert document["length"] == len(HISTORY)
    assert writer.tensors[columns["train_loss"]["tensor"]].dtype == torch.float64
    assert writer.tensors[columns["best"]["tensor"]].dtype == torch.bool
    assert "values" in columns["epoch"]  # 2**70 is beyond int64
    assert "values" in columns["mixed"]  # 1, 1.0 and True are three types
    assert columns["batches"]["constant"] == []
    rows = StateReader(writer.tensors).decode(document)
    rows[0]["batches"].append("a batch")
    assert rows[1]["batches"] == []


def test_a_long_history_adds_nothing_to_the_document():
    def document_size(n_rows):
        rows = Records(
            {"batches": [], "epoch": i, "train_loss": 1 / (i + 1), "dur": 0.1}
            for i in range(n_rows)
        )
        return len(json.dumps(StateWriter().encode(rows, "the history")))

    assert document_size(90_000) == document_size(10_000)


def forged_records(edit):
    writer = StateWriter()
    document = writer.encode(Records([{"a": 1.0}, {"a": 2.0}]), "r")
    edit(document, writer.tensors)
    return StateReader(writer.tensors).decode(document)


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda doc, tensors: doc.update(length=10**12, columns=[]),
            "records with rows need columns",
        ),
        (
            lambda doc, tensors: doc.update(length=10**12),
            "does not have 1000000000000 rows",
        ),
        (lambda doc, tensors: doc.update(length=-1), "need a length"),
        (
            lambda doc, tensors: tensors.update(
                {doc["columns"][0]["tensor"]: torch.zeros(5, dtype=torch.float64)}
            ),
            "does not fit its rows",
        ),
        (
            lambda doc, tensors: tensors.update(
                {doc["columns"][0]["tensor"]: torch.zeros(2, dtype=torch.int8)}
            ),
            "a tensor of dtype torch.int8",
        ),
        (
            lambda doc, tensors: tensors.update(
                {doc["columns"][0]["present"]: torch.ones(2)}
            ),
            "a bool tensor",
        ),
    ],
    ids=["no-columns", "length", "negative", "values", "dtype", "present"],
)
def test_forged_records_are_refused(edit, message):
    with pytest.raises(TypeError, match=message):
        forged_records(edit)


def test_object_array_must_hold_the_values_its_shape_claims():
    huge = {TAG: "ndarray", "dtype": "|O", "shape": [10**12], "values": ["a"]}
    with pytest.raises(TypeError, match="1 values do not fill an array of shape"):
        StateReader({}).decode(huge)


def test_array_tensor_must_match_its_description():
    writer = StateWriter()
    document = writer.encode(np.arange(4), "a")
    writer.tensors[document["tensor"]] = torch.arange(4, dtype=torch.int32)
    with pytest.raises(TypeError, match="does not hold an array of dtype int64"):
        StateReader(writer.tensors).decode(document)


def test_unread_and_ill_fitting_tensors_are_refused():
    writer = StateWriter()
    writer.add_module("m.", torch.nn.Linear(2, 3))
    reader = StateReader(
        {**writer.tensors, "m.extra": torch.zeros(1)}, source="'x.sksoc'"
    )
    with pytest.raises(ModelFileError, match=r"unexpected \['m.extra'\]"):
        reader.module_state("m.", torch.nn.Linear(2, 3))
    del reader.tensors["m.extra"]
    with pytest.raises(
        ModelFileError,
        match=r"'x.sksoc' .* another shape or dtype \['m.bias', 'm.weight'\]",
    ):
        reader.module_state("m.", torch.nn.Linear(2, 4))
    reader.module_state("m.", torch.nn.Linear(2, 3, device="meta"))
    reader.check_all_used()
    reader.tensors["extra"] = torch.zeros(1)
    with pytest.raises(ModelFileError, match=r"no part of the model: \['extra'\]"):
        reader.check_all_used()


def test_an_empty_array_is_an_empty_list_not_a_tensor_of_no_bytes():
    # safetensors with numpy < 2 cannot read a tensor of no bytes back (a
    # preprocessor without target-encoded columns holds such arrays).
    writer = StateWriter()
    encoded = writer.encode(np.zeros((0, 3)), "the array")
    assert encoded["values"] == [] and "tensor" not in encoded
    assert writer.tensors == {}
    found = StateReader({}).decode(encoded)
    assert found.shape == (0, 3) and found.dtype == np.float64
