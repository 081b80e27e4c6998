"""Save and load fitted estimators in a file that runs no code when loaded.

A model file is one safetensors file: every tensor (the encoder's and the
head's weights and buffers, the optimiser's state, the shuffling generator's
state) is stored as a plain tensor, and everything else (the estimator's
class name, its parameters, the fitted attributes, the training history) as
one JSON document in the file's metadata. Neither format can hold code, so
loading a file builds nothing the caller did not choose: the estimator class
is looked up among sksoc's own estimators, and a user encoder only among the
classes the caller passes as ``trusted_modules``.

A format name and version stamp the file; a SHA-256 over the JSON document
and every tensor is checked before anything is built, and a fresh estimator
is returned only once everything has loaded, so a truncated, foreign,
incompatible or modified file is refused whole.
"""

import hashlib
import inspect
import json
import os
import struct
import tempfile

import numpy as np
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from sklearn.utils.validation import check_is_fitted
from skorch.history import History

from . import encoders
from ._compat import param_names, validate_params
from ._validation import MODULE_PREFIX
from .exceptions import ModelFileError
from .utils import all_estimators

__all__ = ["ModelFileError", "load_model", "save_model"]

FORMAT = "sksoc-model"
FORMAT_VERSION = 1

# Keys of the safetensors metadata (a str -> str mapping).
_FORMAT_KEY = "format"
_VERSION_KEY = "format_version"
_CONTENT_KEY = "content"
_CHECKSUM_KEY = "sha256"

# Tagged JSON values: a dict with this key is not a plain dict but one of the
# Python values in _decode (a tuple, a tensor, a numpy array, ...).
_TAG = "__sksoc__"
# Parameters that may name a class or function (stored by qualified name).
_CALLABLE_PARAMS = ("module", "optimizer")
# numpy dtype kinds a model file may hold: bool, ints, floats, strings.
_NUMERIC_KINDS = "biuf"
_ARRAY_KINDS = "biufUO"


def save_model(estimator, path):
    """Save a fitted sksoc estimator to a file that loads without running code.

    The file holds the estimator's parameters, its fitted state and training
    history, and the optimiser and shuffling state, so that a loaded model
    predicts bit for bit like this one and continues ``partial_fit`` the way
    this one would.

    Parameters
    ----------
    estimator : sksoc estimator
        A fitted :class:`~sksoc.SOCClassifier`,
        :class:`~sksoc.FixedRandomClassifier`, :class:`~sksoc.MarginClassifier`
        or :class:`~sksoc.SoftmaxClassifier`.
    path : str or path-like
        Where to write. The file is written to a temporary name beside it and
        renamed into place, so ``path`` never holds a partial file.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.
    TypeError
        If ``estimator`` is not one of sksoc's estimators (a Pipeline or a
        subclass, for instance).
    ValueError
        If a parameter cannot be stored without code: a torch module
        *instance* as ``module`` (pass its class and ``module__*`` parameters
        instead), a lambda, a ``functools.partial``, or a callable
        ``annealing`` schedule. Pickle stores those, for your own files.

    See Also
    --------
    load_model : Read the file back.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from sksoc import SOCClassifier
    >>> from sksoc._persistence import load_model, save_model
    >>> X, y = load_iris(return_X_y=True)
    >>> model = SOCClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.sksoc")
    >>> save_model(model, path)
    >>> loaded = load_model(path)
    >>> bool((loaded.predict_proba(X) == model.predict_proba(X)).all())
    True
    """
    estimator_class = _estimator_classes().get(type(estimator).__name__)
    if type(estimator) is not estimator_class:
        raise TypeError(
            "save_model stores one of sksoc's estimators "
            f"({', '.join(_estimator_classes())}); got {type(estimator).__name__}. "
            "For a Pipeline or your own subclass, use pickle (for files you "
            "trust) or save the sksoc estimator on its own."
        )
    check_is_fitted(estimator)
    state = {}
    content = {
        "sksoc_version": _sksoc_version(),
        "estimator": type(estimator).__name__,
        "params": _encode_params(estimator.get_params(deep=False), state),
        "fitted": _encode_fitted(estimator, state),
        "net": _encode_net(estimator.net_, state),
    }
    content = json.dumps(content, sort_keys=True)
    # Plain CPU copies: safetensors stores neither views nor shared memory.
    tensors = {
        name: tensor.detach().to("cpu", copy=True).contiguous()
        for name, tensor in state.items()
    }
    metadata = {
        _FORMAT_KEY: FORMAT,
        _VERSION_KEY: str(FORMAT_VERSION),
        _CONTENT_KEY: content,
        _CHECKSUM_KEY: _checksum(FORMAT, str(FORMAT_VERSION), content, tensors),
    }
    _write_atomically(path, save_tensors(tensors, metadata=metadata))


def load_model(path, *, trusted_modules=(), device=None):
    """Load an estimator saved by :func:`save_model`, running no code from the file.

    Parameters
    ----------
    path : str or path-like
        The model file.
    trusted_modules : iterable of classes or functions, default=()
        The encoder classes (or encoder-building functions, or optimiser
        classes) the file may use, beyond sksoc's own encoders and the
        optimisers of :mod:`torch.optim`. The file names them by qualified
        name (``package.module:Class``); they are matched against these
        objects, never imported.
    device : str or torch.device, default=None
        Device to load the model onto, replacing the one it was saved with
        (its ``device`` parameter changes too): ``device="cpu"`` loads a
        model trained on a GPU on a machine without one.

    Returns
    -------
    estimator : sksoc estimator
        A new fitted estimator. Nothing is returned, and no object is
        changed, unless the whole file loaded.

    Raises
    ------
    ModelFileError
        If the file is truncated or not an sksoc model file, has an
        incompatible format version, was modified after it was saved, names
        an unknown estimator or an untrusted class, or its tensors do not fit
        the model its parameters describe.
    ValueError
        If the model's device is not available here (pass ``device="cpu"``).

    See Also
    --------
    save_model : Write the file.
    """
    trusted = _trusted_callables(trusted_modules)
    with open(path, "rb") as file:
        data = file.read()
    metadata = _read_metadata(data, path)
    try:
        tensors = load_tensors(data)
    except Exception as exc:
        raise ModelFileError(
            f"{os.fspath(path)!r} is truncated or not an sksoc model file: {exc}"
        ) from None
    checksum = _checksum(
        metadata[_FORMAT_KEY],
        metadata[_VERSION_KEY],
        metadata.get(_CONTENT_KEY, ""),
        tensors,
    )
    if metadata.get(_CHECKSUM_KEY) != checksum:
        raise ModelFileError(
            f"{os.fspath(path)!r} was modified after it was saved: its checksum "
            "does not match its content. Refusing to load it."
        )
    try:
        content = json.loads(metadata[_CONTENT_KEY])
    except (KeyError, ValueError, RecursionError) as exc:
        raise ModelFileError(
            f"{os.fspath(path)!r} has no readable model description: {exc}"
        ) from None
    return _rebuild(content, tensors, trusted, device, path)


# -- saving ----------------------------------------------------------------------------


def _encode_params(params, tensors):
    encoded = {}
    for name, value in params.items():
        takes_callables = name in _CALLABLE_PARAMS or name.startswith(MODULE_PREFIX)
        if name == "module" and isinstance(value, torch.nn.Module):
            raise ValueError(
                "save_model cannot store a torch module instance as `module` "
                f"({type(value).__name__}): a model file holds no code, so the "
                "encoder must be rebuilt from its class. Pass the class instead, "
                f"module={type(value).__name__}, with its arguments as module__* "
                "parameters, or use pickle for files you trust."
            )
        encoded[name] = _encode(
            value, tensors, f"parameter {name!r}", callables=takes_callables
        )
    return encoded


def _encode_fitted(estimator, tensors):
    """Every fitted and private attribute except the net, which is stored apart."""
    params = set(estimator.get_params(deep=False))
    return {
        name: _encode(value, tensors, f"attribute {name!r}")
        for name, value in vars(estimator).items()
        if name not in params and name != "net_"
    }


def _encode_net(net, tensors):
    for prefix, module in (("module.", net.module_), ("criterion.", net.criterion_)):
        for name, tensor in module.state_dict().items():
            tensors[prefix + name] = tensor
    tensors["shuffle_generator"] = net.shuffle_generator.get_state()
    return {
        "module_training": net.module_.training,
        "criterion_training": net.criterion_.training,
        "optimizer": _encode(
            net.optimizer_.state_dict(), tensors, "the optimizer state", "optimizer."
        ),
        "history": _encode(list(net.history), tensors, "the training history"),
    }


def _encode(value, tensors, where, prefix="value.", *, callables=False):
    """``value`` as JSON, its tensors moved to ``tensors`` and tagged by name."""

    def encode(value):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [encode(item) for item in value]
        if isinstance(value, tuple):
            return {_TAG: "tuple", "items": [encode(item) for item in value]}
        if isinstance(value, dict):
            if all(isinstance(key, str) for key in value) and _TAG not in value:
                return {key: encode(item) for key, item in value.items()}
            items = [[encode(key), encode(item)] for key, item in value.items()]
            return {_TAG: "dict", "items": items}
        if isinstance(value, torch.Tensor):
            name = f"{prefix}{len(tensors)}"
            tensors[name] = value
            return {_TAG: "tensor", "name": name}
        if isinstance(value, torch.device):
            return {_TAG: "device", "value": str(value)}
        if isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_KINDS:
            return {_TAG: "numpy", "dtype": value.dtype.str, "value": value.item()}
        if isinstance(value, np.ndarray) and value.dtype.kind in _ARRAY_KINDS:
            values = value.tolist()
            if value.dtype.kind == "O":
                _check_plain_objects(value, where)
            return {
                _TAG: "ndarray",
                "dtype": value.dtype.str,
                "shape": list(value.shape),
                "values": values,
            }
        if isinstance(value, np.random.RandomState):
            return {_TAG: "random_state", "state": encode(value.get_state())}
        if callables and (inspect.isclass(value) or inspect.isfunction(value)):
            name = _qualified_name(value)
            if "<lambda>" in name:
                raise ValueError(
                    f"save_model cannot store a lambda in {where}: a model file "
                    "names callables, and a lambda has no name. Use a named "
                    "function or class, or pickle for files you trust."
                )
            return {_TAG: "callable", "name": name}
        if callable(value):
            raise ValueError(
                f"save_model cannot store {where}, the callable {value!r}: a model "
                "file holds no code. Use a value that is plain data (for "
                "`annealing`, its 4 numbers), or pickle for files you trust."
            )
        raise ValueError(
            f"save_model cannot store {where}: a {type(value).__name__} is not "
            "plain data. Use pickle for files you trust."
        )

    return encode(value)


def _check_plain_objects(array, where):
    for item in array.ravel():
        if not (item is None or isinstance(item, (bool, int, float, str))):
            raise ValueError(
                f"save_model cannot store {where}: an object array holding a "
                f"{type(item).__name__}; only strings and numbers can be stored."
            )


def _write_atomically(path, data):
    """Write to a temporary file beside ``path``, then rename it into place."""
    directory = os.path.dirname(os.path.abspath(os.fspath(path)))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".sksoc-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


# -- loading ---------------------------------------------------------------------------


def _read_metadata(data, path):
    """The safetensors header's metadata, after checking the format stamp."""
    path = os.fspath(path)
    truncated = ModelFileError(f"{path!r} is truncated or not an sksoc model file.")
    if len(data) < 8:
        raise truncated
    (header_size,) = struct.unpack("<Q", data[:8])
    if 8 + header_size > len(data):
        raise truncated
    try:
        header = json.loads(data[8 : 8 + header_size])
    except (ValueError, RecursionError):
        raise truncated from None
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(metadata, dict) or metadata.get(_FORMAT_KEY) != FORMAT:
        found = metadata.get(_FORMAT_KEY) if isinstance(metadata, dict) else None
        raise ModelFileError(
            f"{path!r} is not an sksoc model file: its format stamp is "
            f"{found!r}, not {FORMAT!r}. Files written by save_model have one."
        )
    version = metadata.get(_VERSION_KEY)
    if version != str(FORMAT_VERSION):
        raise ModelFileError(
            f"{path!r} is an sksoc model file of format version {version}, but "
            f"this sksoc ({_sksoc_version()}) reads format version "
            f"{FORMAT_VERSION} only. Load it with the sksoc version that saved "
            "it, or save the model again."
        )
    return metadata


def _rebuild(content, tensors, trusted, device, path):
    path = os.fspath(path)
    if not isinstance(content, dict):
        raise ModelFileError(f"{path!r} has no readable model description.")
    saved_by = content.get("sksoc_version")
    name = content.get("estimator")
    estimator_class = _estimator_classes().get(name)
    if estimator_class is None or not isinstance(name, str):
        raise ModelFileError(
            f"{path!r} holds a {name!r}, which is not an sksoc estimator "
            f"({', '.join(_estimator_classes())})."
        )
    decoder = _Decoder(tensors, trusted, path)
    try:
        params = decoder.params(content["params"], estimator_class)
        if device is not None:
            params["device"] = device
        fitted = decoder.fitted(content["fitted"], estimator_class)
        estimator = estimator_class(**params)
        validate_params(estimator)
    except ModelFileError:
        raise
    except Exception as exc:
        raise _not_rebuilt(path, saved_by, exc) from exc
    if device is None:
        try:
            estimator._check_device()
        except ValueError as exc:
            raise ValueError(
                f"{exc} To load the model from {path!r} here, pass "
                "load_model(path, device='cpu')."
            ) from None
    try:
        vars(estimator).update(fitted)
        # Shapes first, on the meta device: a file asking for a huge network
        # is refused before any memory is allocated for it.
        with torch.device("meta"):
            encoder = estimator._build_encoder(estimator.n_features_in_)
            head = estimator._build_head(
                len(estimator.classes_), estimator.embedding_dim_
            )
        decoder.check_shapes(encoder, head)
        estimator._build_engine(
            estimator.n_features_in_, embedding_dim=estimator.embedding_dim_
        )
        decoder.restore_net(estimator.net_, content["net"])
        decoder.check_all_tensors_used()
    except ModelFileError:
        raise
    except Exception as exc:
        raise _not_rebuilt(path, saved_by, exc) from exc
    return estimator


def _not_rebuilt(path, saved_by, exc):
    version = _sksoc_version()
    origin = (
        f" It was saved by sksoc {saved_by}; this is sksoc {version}."
        if saved_by != version
        else ""
    )
    return ModelFileError(
        f"The model in {path!r} could not be rebuilt: "
        f"{type(exc).__name__}: {exc}.{origin}"
    )


class _Decoder:
    """Turns the JSON document and tensors of a model file back into values."""

    def __init__(self, tensors, trusted, path):
        self.tensors = tensors
        self.trusted = trusted
        self.path = path
        self.used = set()

    def params(self, encoded, estimator_class):
        if not isinstance(encoded, dict):
            raise TypeError("the parameters are not a mapping")
        named = set(param_names(estimator_class))
        for name in encoded:
            # The estimator's own parameters, or encoder ones (module__<name>).
            suffix = name[len(MODULE_PREFIX) :]
            if name not in named and not (
                name.startswith(MODULE_PREFIX)
                and suffix.isidentifier()
                and not suffix.startswith("_")
            ):
                raise ValueError(f"{name!r} is not a parameter of {estimator_class}")
        return {
            name: self.value(
                value,
                callables=name in _CALLABLE_PARAMS or name.startswith(MODULE_PREFIX),
                where=name,
            )
            for name, value in encoded.items()
        }

    def fitted(self, encoded, estimator_class):
        if not isinstance(encoded, dict):
            raise TypeError("the fitted attributes are not a mapping")
        for name in encoded:
            # Data only: never a method, property or special attribute.
            if (
                not name.isidentifier()
                or name.startswith("__")
                or hasattr(estimator_class, name)
                or not (name.startswith("_") or name.endswith("_"))
            ):
                raise ValueError(f"{name!r} is not a fitted attribute")
        return {name: self.value(value) for name, value in encoded.items()}

    def check_shapes(self, encoder, head):
        """Refuse the file unless its tensors fit ``encoder`` and ``head``."""
        self._state_dict("module.", encoder)
        self._state_dict("criterion.", head)

    def restore_net(self, net, encoded):
        for prefix, module in (
            ("module.", net.module_),
            ("criterion.", net.criterion_),
        ):
            module.load_state_dict(self._state_dict(prefix, module), strict=True)
        net.module_.train(bool(encoded["module_training"]))
        net.criterion_.train(bool(encoded["criterion_training"]))
        net.optimizer_.load_state_dict(self.value(encoded["optimizer"]))
        history = self.value(encoded["history"])
        if not (
            isinstance(history, list) and all(isinstance(r, dict) for r in history)
        ):
            raise TypeError("the training history is not a list of epochs")
        net.history_ = History(history)
        net.shuffle_generator.set_state(self.tensor("shuffle_generator"))

    def _state_dict(self, prefix, module):
        """The file's tensors for ``module``, checked against its own state."""
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
                f"The tensors in {self.path!r} do not fit the "
                f"{type(module).__name__} its parameters describe: missing "
                f"{[prefix + n for n in missing]}, unexpected "
                f"{[prefix + n for n in unexpected]}, of another shape or dtype "
                f"{[prefix + n for n in mismatched]}."
            )
        self.used.update(prefix + name for name in found)
        return found

    def tensor(self, name):
        if not isinstance(name, str) or name not in self.tensors:
            raise KeyError(f"the file has no tensor {name!r}")
        self.used.add(name)
        return self.tensors[name]

    def check_all_tensors_used(self):
        unused = sorted(set(self.tensors) - self.used)
        if unused:
            raise ModelFileError(
                f"{self.path!r} holds tensors that belong to no part of the "
                f"model: {unused}."
            )

    def value(self, encoded, *, callables=False, where=None):
        if encoded is None or isinstance(encoded, (bool, int, float, str)):
            return encoded

        def value(item):
            return self.value(item, callables=callables, where=where)

        if isinstance(encoded, list):
            return [value(item) for item in encoded]
        if not isinstance(encoded, dict):
            raise TypeError(f"unexpected JSON value {encoded!r}")
        if _TAG not in encoded:
            return {key: value(item) for key, item in encoded.items()}
        tag = encoded[_TAG]
        if tag == "tuple":
            return tuple(value(item) for item in encoded["items"])
        if tag == "dict":
            return {value(key): value(item) for key, item in encoded["items"]}
        if tag == "tensor":
            return self.tensor(encoded["name"])
        if tag == "device":
            return torch.device(encoded["value"])
        if tag == "numpy":
            return _dtype(encoded["dtype"], _NUMERIC_KINDS).type(encoded["value"])
        if tag == "ndarray":
            return _array(encoded)
        if tag == "random_state":
            random_state = np.random.RandomState()
            random_state.set_state(self.value(encoded["state"]))
            return random_state
        if tag == "callable" and callables:
            return self.callable(encoded["name"], where)
        raise TypeError(f"unexpected value tagged {tag!r}")

    def callable(self, name, where):
        if not isinstance(name, str):
            raise TypeError(f"callable name {name!r} is not a string")
        try:
            return self.trusted[name]
        except KeyError:
            short = name.rpartition(":")[2].rpartition(".")[2]
            raise ModelFileError(
                f"The model in {self.path!r} needs {name} (parameter {where!r}), "
                "which load_model does not trust: a model file cannot choose code "
                f"to run. If you trust this {short}, import it and pass it: "
                f"load_model(path, trusted_modules=[{short}])."
            ) from None


def _array(encoded):
    dtype = _dtype(encoded["dtype"], _ARRAY_KINDS)
    shape = tuple(int(size) for size in encoded["shape"])
    values = encoded["values"]
    if dtype.kind == "O":
        array = np.empty(int(np.prod(shape)), dtype=object)
        flat = np.array(values, dtype=object).ravel() if shape else [values]
        array[:] = list(flat)
        for item in array:
            if not (item is None or isinstance(item, (bool, int, float, str))):
                raise TypeError("an object array may hold only strings and numbers")
        return array.reshape(shape)
    return np.array(values, dtype=dtype).reshape(shape)


def _dtype(name, kinds):
    dtype = np.dtype(str(name))
    if dtype.kind not in kinds:
        raise TypeError(f"dtype {name!r} cannot be stored in a model file")
    return dtype


# -- names, trust and integrity --------------------------------------------------------


def _estimator_classes():
    return dict(all_estimators())


def _sksoc_version():
    from . import __version__

    return __version__


def _qualified_name(obj):
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not (isinstance(module, str) and isinstance(qualname, str)):
        raise TypeError(f"{obj!r} is not a class or function with a qualified name")
    return f"{module}:{qualname}"


def _trusted_callables(trusted_modules):
    """Name -> object: sksoc's encoders, torch's optimisers, ``trusted_modules``."""
    defaults = [
        obj
        for namespace in (encoders, torch.optim)
        for obj in vars(namespace).values()
        if inspect.isclass(obj)
        and (
            issubclass(obj, torch.nn.Module)
            or (
                issubclass(obj, torch.optim.Optimizer)
                and obj is not torch.optim.Optimizer
            )
        )
        and obj.__module__.startswith(namespace.__name__)
    ]
    if isinstance(trusted_modules, (str, bytes)) or callable(trusted_modules):
        raise TypeError(
            "trusted_modules must be a list of classes or functions, such as "
            f"[MyEncoder]; got {trusted_modules!r}."
        )
    table = {}
    for obj in [*defaults, *trusted_modules]:
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            raise TypeError(
                "trusted_modules must hold classes or functions (the objects "
                f"themselves, not their names); got {obj!r}."
            )
        name = _qualified_name(obj)
        if table.get(name, obj) is not obj:
            raise TypeError(
                f"trusted_modules holds two different objects named {name}."
            )
        table[name] = obj
    return table


def _checksum(format_name, format_version, content, tensors):
    """SHA-256 of the stamp, the JSON document and every tensor, in name order."""
    digest = hashlib.sha256()

    def add(data):
        digest.update(struct.pack("<Q", len(data)))
        digest.update(data)

    for text in (format_name, format_version, content):
        add(str(text).encode())
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        add(name.encode())
        add(f"{tensor.dtype}{tuple(tensor.shape)}".encode())
        add(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()
