"""The network an estimator's parameters describe: encoder, head and engine.

:func:`build_encoder` makes the encoder of ``module`` and its
``module__*`` parameters (or the default MLP or tabular encoder),
:func:`embedding_size` reads its output width, the estimator's
``_build_head`` makes the head, and :func:`build_engine` puts both in the
training engine with the optimiser, batch size, stopping rule and callbacks
the parameters give, on a device :func:`check_device` has checked. Fitting
(:mod:`sksoc._fitting`) and loading a state (:mod:`sksoc._model_state`)
build through these.
"""

import copy
import inspect
from functools import partial

import scipy.sparse as sp
import torch
from skorch.callbacks import Callback
from torch import nn

from ._batches import as_float32_tensor
from ._compat import TORCH_HAS_FUSED_CPU_OPTIMIZERS
from ._engine import EmbeddingNet
from ._generators import is_sksoc_module
from ._stopping import StopWhenNoImprovement
from ._validation import check_hidden_layer_sizes
from .encoders import MLPEncoder, TabularEncoder
from .preprocessing import TabularPreprocessor

# torch.optim's Adam, AdamW and SGD have fused kernels for CUDA, and for the
# CPU from torch 2.4 (TORCH_HAS_FUSED_CPU_OPTIMIZERS).
_FUSED_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD)
# hidden_layer_sizes="auto": one hidden layer of 128 for X as it is, 256 for an
# encoded table (the user guide's tabular page measures 128 against 256).
AUTO_HIDDEN = {"array": (128,), "table": (256,)}
OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": partial(torch.optim.SGD, momentum=0.9, nesterov=True),
}


class DeviceUnavailableError(ValueError):
    """The device an estimator is set to use is not available on this machine."""


def check_device(device):
    """``device`` as a torch.device available on this machine."""
    try:
        checked = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"Invalid device {device!r}: {exc}") from None
    if checked.type == "cuda" and not torch.cuda.is_available():
        raise DeviceUnavailableError(
            f"device={device!r} was requested but CUDA is not available "
            "on this machine; use device='cpu'."
        )
    if checked.type == "mps" and not torch.backends.mps.is_available():
        raise DeviceUnavailableError(
            f"device={device!r} was requested but MPS is not available "
            "on this machine; use device='cpu'."
        )
    return checked


def build_encoder(estimator, n_features, generator=None):
    """The encoder that ``module`` and ``module__*`` give, of ``n_features`` inputs.

    ``generator`` draws the initial weights of sksoc's encoders (given to
    a class of sksoc's alone; see :func:`sksoc._generators.is_sksoc_module`).
    """
    module_params = estimator._module_params()
    # How many leading network inputs are scaled numbers.
    n_numeric = getattr(estimator.preprocessor_, "n_numeric_out_", 0)
    if estimator.module is None:
        # A table encoded by a TabularPreprocessor gets the TabularEncoder;
        # X as it is, or encoded by another transformer, the MLP.
        tabular = isinstance(estimator.preprocessor_, TabularPreprocessor)
        hidden = (
            AUTO_HIDDEN["table" if tabular else "array"]
            if isinstance(estimator.hidden_layer_sizes, str)
            else check_hidden_layer_sizes(estimator.hidden_layer_sizes)
        )
        encoder = TabularEncoder if tabular else MLPEncoder
        shape = {"n_numeric": n_numeric} if tabular else {}
        try:
            return encoder(
                n_features_in=n_features,
                embedding_dim=estimator.embedding_dim,
                hidden_layer_sizes=hidden,
                generator=generator,
                **shape,
                **module_params,
            )
        except TypeError as exc:
            raise TypeError(
                f"Invalid module__ parameter for {encoder.__name__}: {exc}"
            ) from None
    if isinstance(estimator.module, nn.Module):
        if module_params:
            raise ValueError(
                "module__ parameters need `module` to be a class (or a "
                "callable returning a module); got a module instance, "
                f"{type(estimator.module).__name__}, with "
                f"{sorted(module_params)}."
            )
        # Train a copy: fitting never changes the caller's module, and a
        # pretrained instance starts from its own weights.
        return copy.deepcopy(estimator.module)
    accepted = _accepted_arguments(estimator.module)
    shape_arguments = {
        "n_features_in": n_features,
        "embedding_dim": estimator.embedding_dim,
        "n_numeric": n_numeric,
    }
    for name, value in shape_arguments.items():
        # n_numeric only where the signature names it: a module taking
        # **kwargs was written for the first two.
        named = accepted is not None and name in accepted
        if name not in module_params and (
            named or (accepted is None and name != "n_numeric")
        ):
            module_params[name] = value
    module_name = getattr(estimator.module, "__name__", repr(estimator.module))
    draws = (
        {"generator": generator}
        if generator is not None and is_sksoc_module(estimator.module)
        else {}
    )
    try:
        encoder = estimator.module(**module_params, **draws)
    except TypeError as exc:
        raise TypeError(
            f"Could not build the encoder {module_name}(**{module_params}): {exc}"
        ) from None
    if not isinstance(encoder, nn.Module):
        raise TypeError(
            f"module must build a torch.nn.Module; {module_name} returned "
            f"{type(encoder).__name__}."
        )
    return encoder


def build_engine(estimator, encoder, head, device):
    """The initialised training engine of ``encoder`` and ``head`` on ``device``.

    Its optimiser, batches, stopping rule, callbacks and shuffling seed are
    the estimator's parameters and resolved defaults.
    """
    optimizer = estimator.optimizer
    if isinstance(optimizer, str):
        optimizer = OPTIMIZERS[optimizer]
    return EmbeddingNet.initialized(
        encoder,
        head,
        stopping=StopWhenNoImprovement(
            estimator._early_stopping_monitor
            if estimator.early_stopping_
            else "train_loss",
            patience=estimator.n_iter_no_change,
            tol=estimator.tol,
            restore_best=estimator.early_stopping_,
            lr_decay=estimator.lr_decay,
        ),
        seed=estimator._seed,
        callbacks=_user_callbacks(estimator.callbacks),
        verbose=estimator.verbose,
        optimizer=optimizer,
        lr=estimator.lr,
        optimizer__weight_decay=estimator.weight_decay,
        **_fast_optimizer_params(optimizer, device),
        max_epochs=estimator.max_epochs,
        batch_size=estimator.batch_size_,
        device=device,
        divergence_hint=estimator._divergence_hint(),
    )


def _fast_optimizer_params(optimizer, device):
    """``optimizer__fused=True`` for torch's optimisers that have a fused kernel.

    One fused kernel updates every parameter in a single pass; the default
    loops over them in Python, which dominates a small network's step.
    """
    factory = getattr(optimizer, "func", optimizer)
    if factory not in _FUSED_OPTIMIZERS:
        return {}
    if device.type not in ("cpu", "cuda") or (
        device.type == "cpu" and not TORCH_HAS_FUSED_CPU_OPTIMIZERS
    ):
        return {}
    return {"optimizer__fused": True}


def _user_callbacks(callbacks):
    """The user's skorch callbacks, named for skorch (used as given, as skorch does)."""
    named = []
    for index, callback in enumerate(callbacks or ()):
        if isinstance(callback, tuple) and len(callback) == 2:
            name, callback = callback
        else:
            name = f"user_{index}_{type(callback).__name__}"
        if not isinstance(callback, Callback):
            raise TypeError(
                "callbacks must be skorch callbacks (instances of "
                f"skorch.callbacks.Callback) or (name, callback) pairs; got "
                f"{callback!r}."
            )
        named.append((name, callback))
    return named


def _accepted_arguments(factory):
    """Names ``factory`` accepts as keywords, or None when it takes ``**kwargs``."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters}


def embedding_size(encoder, X):
    """Run the encoder on two rows to read off its embedding size."""
    rows = X[:2]
    rows = as_float32_tensor(rows.toarray() if sp.issparse(rows) else rows)
    was_training = encoder.training
    encoder.eval()
    try:
        with torch.no_grad():
            embedding = encoder(rows)
    except Exception as exc:
        raise ValueError(
            f"The encoder {type(encoder).__name__} failed on input of shape "
            f"{tuple(rows.shape)}: {exc}"
        ) from exc
    finally:
        encoder.train(was_training)
    if not isinstance(embedding, torch.Tensor) or embedding.ndim != 2:
        shape = getattr(embedding, "shape", type(embedding).__name__)
        raise ValueError(
            f"The encoder must map X of shape (n_samples, n_features) to a tensor "
            f"of shape (n_samples, embedding_dim); {type(encoder).__name__} "
            f"returned {shape}."
        )
    return int(embedding.shape[1])
