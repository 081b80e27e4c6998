"""Save and load fitted estimators in a file that runs no code when loaded.

A model file is one safetensors file holding an estimator's state as its
``_get_state`` gives it: the tensors (the encoder's and the head's weights
and buffers, the optimiser's state, the shuffling generator's state, the
numeric arrays and the columns of the training history) as plain tensors,
and the JSON document (the parameters, the fitted attributes, the rest of the
engine's state), with the estimator's class name and sksoc's version, in the
file's metadata. Neither format can hold code, so loading a file builds
nothing the caller did not choose: the estimator class is looked up among
sksoc's own estimators, and a user encoder only among the classes the caller
passes as ``trusted_modules``; the class's ``_from_state`` rebuilds it.

This module owns the file: its format stamp and version, a SHA-256 over the
JSON document and every tensor checked before anything is built, the atomic
write, the trust table and the error messages. A fresh estimator is returned
only once everything has loaded, so a truncated, foreign, incompatible or
modified file is refused whole.
"""

import hashlib
import inspect
import json
import os
import secrets
import struct

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from . import encoders
from ._network import DeviceUnavailableError
from ._registry import ESTIMATORS
from ._state import qualified_name
from ._version import __version__
from .exceptions import ModelFileError

__all__ = ["ModelFileError", "load_model", "save_model"]

FORMAT = "sksoc-model"
# The one format version written and read.
FORMAT_VERSION = 2

# Keys of the safetensors metadata (a str -> str mapping).
_FORMAT_KEY = "format"
_VERSION_KEY = "format_version"
_CONTENT_KEY = "content"
_CHECKSUM_KEY = "sha256"
# Keys the file adds to the estimator's state document.
_FILE_KEYS = ("estimator", "sksoc_version")
# The largest header safetensors writes or reads.
_MAX_HEADER_BYTES = 100_000_000


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
    estimator_class = ESTIMATORS.get(type(estimator).__name__)
    if type(estimator) is not estimator_class:
        raise TypeError(
            "save_model stores one of sksoc's estimators "
            f"({', '.join(sorted(ESTIMATORS))}); got {type(estimator).__name__}. "
            "For a Pipeline or your own subclass, use pickle (for files you "
            "trust) or save the sksoc estimator on its own."
        )
    document, tensors = estimator._get_state()
    content = {
        "sksoc_version": __version__,
        "estimator": type(estimator).__name__,
        **document,
    }
    text = json.dumps(content, sort_keys=True)
    metadata = {
        _FORMAT_KEY: FORMAT,
        _VERSION_KEY: str(FORMAT_VERSION),
        _CONTENT_KEY: text,
        _CHECKSUM_KEY: _checksum(FORMAT, str(FORMAT_VERSION), text, tensors),
    }
    _check_header_size(content, metadata, tensors)
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
    source = repr(os.fspath(path))
    with open(path, "rb") as file:
        data = file.read()
    metadata = _read_metadata(data, source)
    try:
        tensors = load_tensors(data)
    except Exception as exc:
        raise ModelFileError(
            f"{source} is truncated or not an sksoc model file: {exc}"
        ) from None
    checksum = _checksum(
        metadata[_FORMAT_KEY],
        metadata[_VERSION_KEY],
        metadata.get(_CONTENT_KEY, ""),
        tensors,
    )
    if metadata.get(_CHECKSUM_KEY) != checksum:
        raise ModelFileError(
            f"{source} was modified after it was saved: its checksum does not "
            "match its content. Refusing to load it."
        )
    try:
        content = json.loads(metadata[_CONTENT_KEY])
    except (KeyError, ValueError, RecursionError) as exc:
        raise ModelFileError(
            f"{source} has no readable model description: {exc}"
        ) from None
    if not isinstance(content, dict):
        raise ModelFileError(f"{source} has no readable model description.")
    name = content.get("estimator")
    estimator_class = ESTIMATORS.get(name) if isinstance(name, str) else None
    if estimator_class is None:
        raise ModelFileError(
            f"{source} holds a {name!r}, which is not an sksoc estimator "
            f"({', '.join(sorted(ESTIMATORS))})."
        )

    def resolve_callable(qualified, parameter):
        if not isinstance(qualified, str) or qualified not in trusted:
            short = str(qualified).rpartition(":")[2].rpartition(".")[2]
            raise ModelFileError(
                f"The model in {source} needs {qualified} (parameter "
                f"{parameter!r}), which load_model does not trust: a model file "
                f"cannot choose code to run. If you trust this {short}, import "
                f"it and pass it: load_model(path, trusted_modules=[{short}])."
            )
        return trusted[qualified]

    document = {key: value for key, value in content.items() if key not in _FILE_KEYS}
    try:
        return estimator_class._from_state(
            document,
            tensors,
            device=device,
            resolve_callable=resolve_callable,
            source=source,
        )
    except ModelFileError:
        raise
    except DeviceUnavailableError as exc:
        raise ValueError(
            f"{exc} To load the model from {source} here, pass "
            "load_model(path, device='cpu')."
        ) from None
    except Exception as exc:
        saved_by = content.get("sksoc_version")
        origin = (
            f" It was saved by sksoc {saved_by}; this is sksoc {__version__}."
            if saved_by != __version__
            else ""
        )
        raise ModelFileError(
            f"The model in {source} could not be rebuilt: "
            f"{type(exc).__name__}: {exc}.{origin}"
        ) from exc


# -- the file --------------------------------------------------------------------------


def _write_atomically(path, data):
    """Write to a temporary file beside ``path``, then rename it into place."""
    directory = os.path.dirname(os.path.abspath(os.fspath(path)))
    # Not tempfile.mkstemp: its file is readable by its owner only, and a
    # model file should get the permissions of any new file (0o666 less the
    # umask, which the kernel applies here).
    temporary = os.path.join(directory, f".sksoc-{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    handle = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _read_metadata(data, source):
    """The safetensors header's metadata, after checking the format stamp."""
    truncated = ModelFileError(f"{source} is truncated or not an sksoc model file.")
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
            f"{source} is not an sksoc model file: its format stamp is "
            f"{found!r}, not {FORMAT!r}. Files written by save_model have one."
        )
    version = metadata.get(_VERSION_KEY)
    if version != str(FORMAT_VERSION):
        raise ModelFileError(
            f"{source} is an sksoc model file of format version {version}, but "
            f"this sksoc ({__version__}) reads format version {FORMAT_VERSION} "
            "only. Load it with the sksoc version that saved it, or save the "
            "model again."
        )
    return metadata


def _check_header_size(content, metadata, tensors):
    """Refuse, naming the largest parts, a model too big for a safetensors header."""
    # Each tensor's entry (name, dtype, shape, offsets) takes well under 200 bytes.
    size = len(json.dumps(metadata)) + 200 * len(tensors)
    if size <= _MAX_HEADER_BYTES:
        return
    parts = [
        (len(json.dumps(value)), f"{section} {name!r}")
        for section in ("params", "fitted")
        for name, value in content[section].items()
    ]
    largest = ", ".join(
        f"{label} ({length / 1e6:.1f} MB)" for length, label in sorted(parts)[::-1][:3]
    )
    raise ValueError(
        f"save_model cannot write this model: its description takes about "
        f"{size / 1e6:.0f} MB of JSON, more than the "
        f"{_MAX_HEADER_BYTES // 10**6} MB a safetensors header holds. The largest "
        f"parts: {largest}. Use pickle for files you trust."
    )


# -- names, trust and integrity --------------------------------------------------------


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
        name = qualified_name(obj)
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
