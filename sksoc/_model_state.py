"""An estimator's state as data, and the estimator rebuilt from it.

:func:`get_state` writes a fitted estimator through a
:class:`~sksoc._state.StateWriter`: its parameters, its fitted attributes,
its preprocessor and its training engine; :func:`from_state` checks such a
state and rebuilds the estimator through a :class:`~sksoc._state.StateReader`.
The estimators' ``_get_state`` and ``_from_state`` call them, and
:mod:`sksoc._persistence` turns the state into a file and back.
"""

import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._calibration import Calibrator
from ._compat import param_names, validate_params
from ._engine import fit_generator
from ._generators import is_sksoc_module
from ._network import build_encoder, build_engine, check_device
from ._state import StateReader, StateWriter
from ._validation import MODULE_PREFIX
from .preprocessing import TabularPreprocessor

# The calibrator's fields, stored as the estimator's attributes that read them.
_CALIBRATOR_FIELDS = {
    "calibration_": "method",
    "temperature_": "temperature",
    "distance_power_": "distance_power",
}


def get_state(estimator):
    """This fitted model as data: a JSON-able document and a dict of tensors.

    The document holds the parameters (``get_params(deep=False)``; classes
    and functions by qualified name), the fitted attributes, and the
    training engine's part: the modules' training flags, the optimiser's
    state and the history. The tensors, CPU copies, hold the encoder's and
    the head's weights and buffers, the shuffling generator's state and
    every array, optimiser tensor and history column. :func:`from_state`
    rebuilds from them a model that predicts bit for bit like this one
    and trains on as this one would.

    Returns
    -------
    document : dict
        ``{"params": ..., "fitted": ..., "net": ...}``, JSON-able.
    tensors : dict of str to torch.Tensor

    Raises
    ------
    ValueError
        If a parameter is code rather than data: a torch module instance
        as ``module``, a lambda, a ``functools.partial``, a callable
        ``annealing``.
    """
    check_is_fitted(estimator)
    if isinstance(estimator.module, nn.Module):
        raise ValueError(
            "save_model cannot store a torch module instance as `module` "
            f"({type(estimator.module).__name__}): a model file holds no code, so "
            "the encoder must be rebuilt from its class. Pass the class "
            f"instead, module={type(estimator.module).__name__}, with its arguments "
            "as module__* parameters, or use pickle for files you trust."
        )
    writer = StateWriter()
    params = estimator.get_params(deep=False)
    document = {
        "params": {
            name: writer.encode(
                _param_as_data(value) if name == "preprocessor" else value,
                f"parameter {name!r}",
                callables=_names_callables(name),
            )
            for name, value in params.items()
        },
        "fitted": {
            name: writer.encode(value, f"attribute {name!r}")
            for name, value in _fitted_attributes(estimator, params)
        },
        "preprocessor": _preprocessor_state(estimator.preprocessor_, writer),
        "net": estimator.net_.get_state(writer),
    }
    return document, writer.tensors


def from_state(
    cls, document, tensors, *, device=None, resolve_callable=None, source=None
):
    """The fitted model of a state written by :func:`get_state`.

    The state is checked before it is used: parameter names must be this
    class's (or ``module__<name>``), fitted names must be data attributes,
    and the tensors must fit the network the parameters describe, which
    is built first on the meta device, so that a state asking for a huge
    network is refused before any memory is allocated for it.

    Parameters
    ----------
    document : dict
    tensors : dict of str to torch.Tensor
    device : str or torch.device, default=None
        Replaces the saved ``device`` parameter.
    resolve_callable : callable, default=None
        ``resolve_callable(qualified_name, parameter)``: the class or
        function the state names; without it, a state naming one is
        refused.
    source : str, default=None
        What the state was read from, for error messages.

    Returns
    -------
    estimator : instance of cls

    Raises
    ------
    sksoc.exceptions.ModelFileError
        If the tensors do not fit the network, or some belong to no part
        of it.
    DeviceUnavailableError
        If the model's device is not available here.
    Exception
        Any other error (``TypeError``, ``ValueError``, ``KeyError``, ...)
        means a document this class cannot rebuild.
    """
    reader = StateReader(
        tensors,
        resolve_callable=resolve_callable,
        source="the state" if source is None else source,
    )
    params = _params_from_state(cls, document["params"], reader)
    if device is not None:
        params["device"] = device
    fitted = dict(document["fitted"])
    calibration = {name: fitted.pop(name) for name in _CALIBRATOR_FIELDS}
    fitted = _fitted_from_state(cls, fitted, reader)
    fitted["preprocessor_"] = _preprocessor_from_state(document["preprocessor"], reader)
    estimator = cls(**params)
    validate_params(estimator)
    device = check_device(estimator.device)
    for name, value in fitted.items():
        setattr(estimator, name, value)

    def build_modules(generator=None):
        return (
            build_encoder(estimator, estimator._n_network_inputs, generator=generator),
            estimator._build_head(
                len(estimator.classes_), estimator.embedding_dim_, generator=generator
            ),
        )

    with torch.device("meta"):
        encoder, head = build_modules()
    reader.module_state("module.", encoder)
    reader.module_state("criterion.", head)
    # The initial weights are replaced by the state's; they are drawn from a
    # generator of their own (or, for a module not sksoc's, torch's seeded
    # global one, restored after), so the caller's random state is left alone.
    own = is_sksoc_module(estimator.module)
    with fit_generator(estimator._seed, "cpu", own=own) as generator:
        encoder, head = build_modules(generator)
    estimator.net_ = build_engine(estimator, encoder, head, device)
    estimator.net_.set_state(document["net"], reader)
    estimator.calibrator_ = Calibrator(
        reader.decode(calibration["calibration_"], "calibration_"),
        estimator._cosine_scale(),
        reader.decode(calibration["temperature_"], "temperature_"),
        reader.decode(calibration["distance_power_"], "distance_power_"),
    )
    reader.check_all_used()
    return estimator


def _fitted_attributes(estimator, params):
    """``(name, value)`` of the fitted attributes a state holds as data.

    The calibrator as its three public attributes; the engine and the
    preprocessor have parts of their own.
    """
    for name, value in vars(estimator).items():
        if name == "calibrator_":
            for field, attribute in _CALIBRATOR_FIELDS.items():
                yield field, getattr(value, attribute)
        elif name not in params and name not in ("net_", "preprocessor_"):
            yield name, value


def _params_from_state(cls, encoded, reader):
    if not isinstance(encoded, dict):
        raise TypeError("the parameters are not a mapping")
    named = set(param_names(cls))
    for name in encoded:
        suffix = name[len(MODULE_PREFIX) :]
        if name not in named and not (
            name.startswith(MODULE_PREFIX)
            and suffix.isidentifier()
            and not suffix.startswith("_")
        ):
            raise ValueError(f"{name!r} is not a parameter of {cls}")
    missing = sorted(named - set(encoded))
    if missing:
        raise ValueError(f"the state lacks the parameters {missing}")
    params = {
        name: reader.decode(value, name, callables=_names_callables(name))
        for name, value in encoded.items()
    }
    if isinstance(params.get("preprocessor"), dict):
        params["preprocessor"] = TabularPreprocessor._from_params(
            params["preprocessor"]
        )
    return params


def _fitted_from_state(cls, encoded, reader):
    if not isinstance(encoded, dict):
        raise TypeError("the fitted attributes are not a mapping")
    for name in encoded:
        # Data only: never a method, property or special attribute.
        if (
            not name.isidentifier()
            or name.startswith("__")
            or hasattr(cls, name)
            or not (name.startswith("_") or name.endswith("_"))
        ):
            raise ValueError(f"{name!r} is not a fitted attribute")
    return {name: reader.decode(value, name) for name, value in encoded.items()}


def _param_as_data(value):
    """A TabularPreprocessor parameter as its parameters; other values as they are."""
    if isinstance(value, (str, type(None))):
        return value
    _check_storable_preprocessor(value)
    return value.get_params(deep=False)


def _check_storable_preprocessor(preprocessor):
    if type(preprocessor) is not TabularPreprocessor:
        raise ValueError(
            "save_model stores sksoc's TabularPreprocessor, not a "
            f"{type(preprocessor).__name__}: a model file holds no code. Fit "
            "with preprocessor='auto' or a TabularPreprocessor, or use pickle "
            "for files you trust."
        )


def _preprocessor_state(preprocessor, writer):
    """A fitted :class:`TabularPreprocessor` as data (None stays None)."""
    if preprocessor is None:
        return None
    _check_storable_preprocessor(preprocessor)
    return {
        name: writer.encode(value, f"the preprocessor's {name!r}")
        for name, value in preprocessor.get_state().items()
    }


def _preprocessor_from_state(encoded, reader):
    if encoded is None:
        return None
    if not isinstance(encoded, dict):
        raise TypeError("the preprocessor is not a mapping")
    return TabularPreprocessor.from_state(
        {name: reader.decode(value, name) for name, value in encoded.items()}
    )


def _names_callables(param):
    """Whether the parameter ``param`` may be a class or function (stored by name)."""
    return param in ("module", "optimizer") or param.startswith(MODULE_PREFIX)
