"""A fitted model's state as data: one JSON document and a dict of named tensors.

The estimators and their training engine write their state through a
:class:`StateWriter` and are rebuilt through a :class:`StateReader`. Both
speak one codec, :data:`_KINDS`, in which each kind of value that is not
plain JSON (a tuple, a tensor, a numpy array, a class, ...) is written and
read by one class, side by side. The document is JSON throughout: such a
value becomes a dict tagged ``{"__sksoc__": kind, ...}``, and a tensor is
referred to by its name among the tensors. Nothing in a state is code: a
class or function is written by qualified name and read back only through
the reader's ``resolve_callable``.
"""

import inspect
import json

import numpy as np
import torch

from .exceptions import ModelFileError

# A dict with this key is a tagged value, not a plain dict.
TAG = "__sksoc__"
# numpy dtype kinds a state may hold: bool, ints, floats, and (in arrays)
# strings and objects that are strings or numbers.
_SCALAR_KINDS = "biuf"
_ARRAY_KINDS = "biufUO"
# numpy arrays of these dtypes are stored as tensors, others as JSON lists.
_TENSOR_DTYPES = {
    np.dtype(name)
    for name in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "float16",
        "float32",
        "float64",
    )
}
# Columns of records that are stored as one tensor: Python type -> dtype.
_COLUMN_DTYPES = {bool: torch.bool, int: torch.int64, float: torch.float64}


class Records(list):
    """Rows (dicts with string keys) to be stored column by column.

    Each column of bools, ints or floats is one tensor, so a long training
    history takes a few tensors, not a document that grows with every epoch.
    Read back, the rows are a plain list of dicts.
    """


class StateWriter:
    """Collects a state: :meth:`encode` values into JSON, tensors by name.

    Attributes
    ----------
    tensors : dict of str to torch.Tensor
        Every tensor written so far, as a detached, contiguous CPU copy.
    """

    def __init__(self):
        self.tensors = {}

    def add_tensor(self, name, tensor):
        """Store ``tensor`` as ``name``; return the name."""
        if name in self.tensors:
            raise ValueError(f"the state already holds a tensor named {name!r}")
        self.tensors[name] = tensor.detach().to("cpu", copy=True).contiguous()
        return name

    def add_module(self, prefix, module):
        """Store ``module``'s ``state_dict``, each tensor under ``prefix + name``."""
        for name, tensor in module.state_dict().items():
            self.add_tensor(prefix + name, tensor)

    def encode(self, value, where, *, prefix="value.", callables=False):
        """``value`` as JSON, its tensors stored under ``prefix`` and a number.

        ``where`` names the value in error messages. With ``callables``,
        classes and functions are stored by qualified name.

        Raises
        ------
        ValueError
            If the value is code (a lambda, a ``functools.partial``, a
            callable object) or not plain data.
        """
        return _Codec(self, where, prefix=prefix, callables=callables).write(value)


class StateReader:
    """Reads a state back: :meth:`decode` JSON values, and hands out tensors.

    Every tensor handed out is marked used; :meth:`check_all_used` then
    refuses a state holding tensors that belong to no part of the model.

    Parameters
    ----------
    tensors : dict of str to torch.Tensor
    resolve_callable : callable, default=None
        ``resolve_callable(name, where)``: the class or function of the
        qualified ``name``, or an error. Without it no state may name one.
    source : str, default="the state"
        What the state was read from, for error messages (a file's path).
    """

    def __init__(self, tensors, *, resolve_callable=None, source="the state"):
        self.tensors = tensors
        self.resolve_callable = resolve_callable
        self.source = source
        self.used = set()

    def decode(self, encoded, where=None, *, callables=False):
        """The value ``encoded`` describes; with ``callables``, classes resolved."""
        return _Codec(self, where, callables=callables).read(encoded)

    def tensor(self, name):
        """The tensor named ``name``."""
        if not isinstance(name, str) or name not in self.tensors:
            raise KeyError(f"{self.source} has no tensor {name!r}")
        self.used.add(name)
        return self.tensors[name]

    def module_state(self, prefix, module):
        """The tensors under ``prefix``, checked to fit ``module``'s ``state_dict``.

        ``module`` may live on the meta device: only names, shapes and dtypes
        are compared.

        Raises
        ------
        ModelFileError
            If a tensor is missing, unexpected, or of another shape or dtype.
        """
        expected = module.state_dict()
        found = {
            name[len(prefix) :]: tensor
            for name, tensor in self.tensors.items()
            if name.startswith(prefix)
        }
        missing = sorted(set(expected) - set(found))
        unexpected = sorted(set(found) - set(expected))
        mismatched = sorted(
            name
            for name in set(expected) & set(found)
            if found[name].shape != expected[name].shape
            or found[name].dtype != expected[name].dtype
        )
        if missing or unexpected or mismatched:
            raise ModelFileError(
                f"The tensors in {self.source} do not fit the "
                f"{type(module).__name__} its parameters describe: missing "
                f"{[prefix + n for n in missing]}, unexpected "
                f"{[prefix + n for n in unexpected]}, of another shape or dtype "
                f"{[prefix + n for n in mismatched]}."
            )
        self.used.update(prefix + name for name in found)
        return found

    def check_all_used(self):
        """Refuse tensors that no part of the model has read."""
        unused = sorted(set(self.tensors) - self.used)
        if unused:
            raise ModelFileError(
                f"{self.source} holds tensors that belong to no part of the "
                f"model: {unused}."
            )


def qualified_name(obj):
    """``package.module:QualifiedName`` of a class or function."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(qualname, str)):
        raise TypeError(f"{obj!r} is not a class or function with a qualified name")
    return f"{module}:{qualname}"


def is_plain(value):
    """Whether ``value`` is JSON as it is: None, a bool, an int, a float or a str."""
    return value is None or isinstance(value, (bool, int, float, str))


class _Codec:
    """One call of :meth:`StateWriter.encode` or :meth:`StateReader.decode`.

    It holds the call's context (the writer or the reader, what the value
    is, whether it may name callables) and walks lists and plain dicts; the
    kinds in :data:`_KINDS` do every other value, both ways.
    """

    def __init__(self, state, where, *, prefix="value.", callables=False):
        self.state = state
        self.where = where
        self.prefix = prefix
        self.callables = callables

    def write(self, value):
        if is_plain(value):
            return value
        if isinstance(value, list) and not isinstance(value, Records):
            return [self.write(item) for item in value]
        if isinstance(value, dict) and _is_plain_mapping(value):
            return {key: self.write(item) for key, item in value.items()}
        for kind in _KINDS:
            if kind.accepts(value, self):
                return {TAG: kind.tag, **kind.write(value, self)}
        if callable(value):
            raise ValueError(
                f"save_model cannot store {self.where}, the callable {value!r}: a "
                "model file holds no code. Use a value that is plain data (for "
                "`annealing`, its 4 numbers), or pickle for files you trust."
            )
        raise ValueError(
            f"save_model cannot store {self.where}: a {type(value).__name__} is "
            "not plain data. Use pickle for files you trust."
        )

    def read(self, encoded):
        if is_plain(encoded):
            return encoded
        if isinstance(encoded, list):
            return [self.read(item) for item in encoded]
        if not isinstance(encoded, dict):
            raise TypeError(f"unexpected JSON value {encoded!r}")
        if TAG not in encoded:
            return {key: self.read(item) for key, item in encoded.items()}
        tag = encoded[TAG]
        kind = _KINDS_BY_TAG.get(tag) if isinstance(tag, str) else None
        if kind is None or (kind is _CALLABLE and not self.callables):
            raise TypeError(f"unexpected value tagged {tag!r}")
        return kind.read(encoded, self)

    def store(self, tensor):
        """Write ``tensor`` under the next free name; return the name."""
        writer = self.state
        return writer.add_tensor(f"{self.prefix}{len(writer.tensors)}", tensor)

    def tensor(self, name):
        """Read the tensor named ``name``."""
        return self.state.tensor(name)


def _is_plain_mapping(value):
    return all(isinstance(key, str) for key in value) and TAG not in value


# -- the kinds of value: each written and read in one place ----------------------------


class _Tuple:
    tag = "tuple"

    def accepts(self, value, codec):
        return isinstance(value, tuple)

    def write(self, value, codec):
        return {"items": [codec.write(item) for item in value]}

    def read(self, encoded, codec):
        return tuple(codec.read(item) for item in encoded["items"])


class _Dict:
    """A dict with keys that are not all strings (or that holds the tag)."""

    tag = "dict"

    def accepts(self, value, codec):
        return isinstance(value, dict)

    def write(self, value, codec):
        items = [[codec.write(key), codec.write(item)] for key, item in value.items()]
        return {"items": items}

    def read(self, encoded, codec):
        return {codec.read(key): codec.read(item) for key, item in encoded["items"]}


class _Tensor:
    tag = "tensor"

    def accepts(self, value, codec):
        return isinstance(value, torch.Tensor)

    def write(self, value, codec):
        return {"name": codec.store(value)}

    def read(self, encoded, codec):
        return codec.tensor(encoded["name"])


class _Device:
    tag = "device"

    def accepts(self, value, codec):
        return isinstance(value, torch.device)

    def write(self, value, codec):
        return {"value": str(value)}

    def read(self, encoded, codec):
        return torch.device(encoded["value"])


class _NumpyScalar:
    tag = "numpy"

    def accepts(self, value, codec):
        return isinstance(value, np.generic) and value.dtype.kind in _SCALAR_KINDS

    def write(self, value, codec):
        return {"dtype": value.dtype.str, "value": value.item()}

    def read(self, encoded, codec):
        return _dtype(encoded["dtype"], _SCALAR_KINDS).type(encoded["value"])


class _NumpyArray:
    """An ndarray: numbers as a tensor, strings (and objects) as a JSON list."""

    tag = "ndarray"

    def accepts(self, value, codec):
        return isinstance(value, np.ndarray) and value.dtype.kind in _ARRAY_KINDS

    def write(self, value, codec):
        written = {"dtype": value.dtype.str, "shape": list(value.shape)}
        # An empty array is an empty list: safetensors with numpy < 2 cannot
        # read a tensor of no bytes back.
        if value.size and value.dtype in _TENSOR_DTYPES and value.dtype.isnative:
            written["tensor"] = codec.store(torch.from_numpy(value.ravel()))
            return written
        if value.dtype.kind == "O":
            for item in value.ravel():
                if not is_plain(item):
                    raise ValueError(
                        f"save_model cannot store {codec.where}: an object "
                        f"array holding a {type(item).__name__}; only strings "
                        "and numbers can be stored."
                    )
        written["values"] = value.tolist()
        return written

    def read(self, encoded, codec):
        dtype = _dtype(encoded["dtype"], _ARRAY_KINDS)
        shape = tuple(int(size) for size in encoded["shape"])
        if "tensor" in encoded:
            values = codec.tensor(encoded["tensor"]).numpy()
            if values.dtype != dtype or values.shape != (int(np.prod(shape)),):
                raise TypeError(
                    f"the tensor {encoded['tensor']!r} does not hold an array of "
                    f"dtype {dtype} and shape {shape}"
                )
            return values.reshape(shape).copy()
        values = encoded["values"]
        if dtype.kind != "O":
            return np.array(values, dtype=dtype).reshape(shape)
        flat = np.array(values if shape else [values], dtype=object).ravel()
        if flat.size != int(np.prod(shape)):
            raise TypeError(f"{flat.size} values do not fill an array of shape {shape}")
        array = np.empty(flat.size, dtype=object)
        array[:] = list(flat)
        if not all(is_plain(item) for item in array):
            raise TypeError("an object array may hold only strings and numbers")
        return array.reshape(shape)


class _RandomState:
    tag = "random_state"

    def accepts(self, value, codec):
        return isinstance(value, np.random.RandomState)

    def write(self, value, codec):
        return {"state": codec.write(value.get_state())}

    def read(self, encoded, codec):
        random_state = np.random.RandomState()
        random_state.set_state(codec.read(encoded["state"]))
        return random_state


class _Callable:
    """A class or function, by qualified name; read back only when trusted."""

    tag = "callable"

    def accepts(self, value, codec):
        return codec.callables and (inspect.isclass(value) or inspect.isfunction(value))

    def write(self, value, codec):
        name = qualified_name(value)
        if "<lambda>" in name:
            raise ValueError(
                f"save_model cannot store a lambda in {codec.where}: a model "
                "file names callables, and a lambda has no name. Use a named "
                "function or class, or pickle for files you trust."
            )
        return {"name": name}

    def read(self, encoded, codec):
        name = encoded["name"]
        if not isinstance(name, str):
            raise TypeError(f"callable name {name!r} is not a string")
        if codec.state.resolve_callable is None:
            raise TypeError(f"{codec.state.source} may not name a callable")
        return codec.state.resolve_callable(name, codec.where)


class _Records:
    """:class:`Records`: the rows' count, and each key's column.

    A column holds ``present``, a bool tensor of which rows have the key,
    and the values of those rows: one ``tensor`` when they are all bools,
    all ints of int64 range, or all floats; else one ``constant`` (equal
    JSON for every row, such as skorch's empty list of batches); else a JSON
    list of ``values``. Every column holds a tensor of one entry per row, so
    the number of rows a state claims is backed by its size.
    """

    tag = "records"

    def accepts(self, value, codec):
        return isinstance(value, Records)

    def write(self, value, codec):
        keys = {}
        for row in value:
            if not (isinstance(row, dict) and all(isinstance(k, str) for k in row)):
                raise ValueError(
                    f"save_model cannot store {codec.where}: its rows must be "
                    "dicts with string keys."
                )
            keys.update(dict.fromkeys(row))
        columns = []
        for key in keys:
            present = [key in row for row in value]
            values = [row[key] for row in value if key in row]
            column = {"key": key, "present": codec.store(torch.tensor(present))}
            dtype = _column_dtype(values)
            if dtype is not None:
                column["tensor"] = codec.store(torch.tensor(values, dtype=dtype))
            else:
                written = [codec.write(item) for item in values]
                texts = {json.dumps(item, sort_keys=True) for item in written}
                if len(texts) == 1:
                    column["constant"] = written[0]
                else:
                    column["values"] = written
            columns.append(column)
        return {"length": len(value), "columns": columns}

    def read(self, encoded, codec):
        length = encoded["length"]
        columns = encoded["columns"]
        if not (isinstance(length, int) and length >= 0 and isinstance(columns, list)):
            raise TypeError("records need a length and a list of columns")
        if length and not columns:
            raise TypeError("records with rows need columns")
        presents = []
        for column in columns:
            key = column["key"]
            present = codec.tensor(column["present"])
            if not isinstance(key, str) or present.dtype != torch.bool:
                raise TypeError("a column needs a string key and a bool tensor")
            if present.shape != (length,):
                raise TypeError(f"column {key!r} does not have {length} rows")
            presents.append(present)
        # Only now, with the count backed by the tensors, are the rows made.
        rows = [{} for _ in range(length)]
        for column, present in zip(columns, presents, strict=True):
            key = column["key"]
            indices = present.nonzero().flatten().tolist()
            if "tensor" in column:
                values = codec.tensor(column["tensor"])
                if values.dtype not in _COLUMN_DTYPES.values() or values.ndim != 1:
                    raise TypeError(
                        f"column {key!r} is a tensor of dtype {values.dtype} and "
                        f"shape {tuple(values.shape)}"
                    )
                values = values.tolist()
            elif "constant" in column:
                # One decoding per row: rows never share a mutable value.
                values = [codec.read(column["constant"]) for _ in indices]
            else:
                values = [codec.read(item) for item in column["values"]]
            if len(values) != len(indices):
                raise TypeError(f"column {key!r} does not fit its rows")
            for index, item in zip(indices, values, strict=True):
                rows[index][key] = item
        return rows


def _column_dtype(values):
    """The tensor dtype of a column of ``values``, or None if they need JSON."""
    types = {type(item) for item in values}
    if len(types) != 1 or (python_type := types.pop()) not in _COLUMN_DTYPES:
        return None
    if python_type is int and not all(-(2**63) <= item < 2**63 for item in values):
        return None
    return _COLUMN_DTYPES[python_type]


def _dtype(name, kinds):
    dtype = np.dtype(str(name))
    if dtype.kind not in kinds:
        raise TypeError(f"dtype {name!r} cannot be stored in a model file")
    return dtype


_CALLABLE = _Callable()
# In the order they are tried when writing: the first that accepts a value.
_KINDS = (
    _Tuple(),
    _Records(),
    _Dict(),
    _Tensor(),
    _Device(),
    _NumpyScalar(),
    _NumpyArray(),
    _RandomState(),
    _CALLABLE,
)
_KINDS_BY_TAG = {kind.tag: kind for kind in _KINDS}
