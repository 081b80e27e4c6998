"""The estimator core shared by every sksoc classifier.

An sksoc estimator is a scikit-learn classifier and transformer around two
torch modules: an encoder, mapping X to an embedding, and a class head,
mapping the embedding to class logits and, in training, to a loss. Data flows
one way::

    X -> validate_data -> float32 batches -> encoder -> embedding (transform)
      -> head -> logits -> loss (fit) | probabilities, labels (predict)

Training and batched inference run on one engine, a skorch net of the
encoder and the head (``_engine.py``); the estimator validates, encodes
labels, resolves its "auto" defaults and delegates. Subclasses differ only in
the head they build and its parameters; everything else lives here, once.
"""

import contextlib
import copy
import hashlib
import inspect
import numbers
from abc import ABCMeta, abstractmethod
from functools import partial

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    clone,
)
from sklearn.model_selection import train_test_split
from sklearn.utils import assert_all_finite, check_consistent_length, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import Callback
from torch import nn

from ._calibration import Calibrator, calibration_rows
from ._compat import (
    TORCH_HAS_FUSED_CPU_OPTIMIZERS,
    HasMethods,
    Interval,
    StrOptions,
    column_or_1d,
    fit_context,
    is_first_partial_fit,
    param_names,
)
from ._engine import (
    EmbeddingNet,
    StopWhenNoImprovement,
    active_data_parallel,
    as_float32_tensor,
    seeded_torch,
)
from ._geometry import check_embedding_points, encode_as
from ._inference import map_rows
from ._model_state import from_state, get_state
from ._validation import (
    MODULE_PREFIX,
    check_dataframe_is_numeric,
    check_float32_range,
    check_hidden_layer_sizes,
    check_module_param_names,
)
from ._weights import (
    check_enough_classes,
    class_counts,
    training_weights,
    with_class_weight,
)
from .encoders import MLPEncoder, TabularEncoder
from .preprocessing import TabularPreprocessor, in_fitted_order

# torch.optim's Adam, AdamW and SGD have fused kernels for CUDA, and for the
# CPU from torch 2.4 (TORCH_HAS_FUSED_CPU_OPTIMIZERS).
_FUSED_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD)
# The "auto" defaults (see the user guide's "Training defaults" for the
# measurements behind them).
_AUTO_BATCH_MIN = 32
_AUTO_BATCH_MAX = 256
_AUTO_EARLY_STOPPING_MIN_SAMPLES = 1000
# hidden_layer_sizes="auto": one hidden layer of 128 for X as it is, 256 for an
# encoded table (the user guide's tabular page measures 128 against 256).
_AUTO_HIDDEN = {"array": (128,), "table": (256,)}
_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": partial(torch.optim.SGD, momentum=0.9, nesterov=True),
}


class BaseEmbeddingClassifier(
    ClassNamePrefixFeaturesOutMixin,
    ClassifierMixin,
    TransformerMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Base class of the sksoc classifiers; not meant to be used directly.

    Subclasses declare their head's parameters in ``__init__`` and
    ``_parameter_constraints`` and implement :meth:`_build_head`.
    """

    _parameter_constraints: dict = {
        "preprocessor": [StrOptions({"auto"}), None, HasMethods(["fit", "transform"])],
        "module": [None, nn.Module, callable],
        "hidden_layer_sizes": [StrOptions({"auto"}), "array-like"],
        "embedding_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "chunk_size": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), callable],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
        "device": [str, torch.device],
        "callbacks": [None, list],
        "verbose": ["verbose"],
        "calibration": [StrOptions({"auto", "temperature", "distance_power"}), None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    @abstractmethod
    def __init__(
        self,
        *,
        preprocessor,
        module,
        hidden_layer_sizes,
        embedding_dim,
        max_epochs,
        batch_size,
        chunk_size,
        lr,
        optimizer,
        weight_decay,
        early_stopping,
        validation_fraction,
        n_iter_no_change,
        tol,
        random_state,
        device,
        callbacks,
        verbose,
        calibration,
        class_weight,
        **module_params,
    ):
        self.preprocessor = preprocessor
        self.module = module
        self.hidden_layer_sizes = hidden_layer_sizes
        self.embedding_dim = embedding_dim
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.callbacks = callbacks
        self.verbose = verbose
        self.calibration = calibration
        self.class_weight = class_weight
        # Stored unchecked, as scikit-learn asks of __init__; fit rejects any
        # name without the module__ prefix.
        for name, value in module_params.items():
            setattr(self, name, value)

    _early_stopping_monitor = "valid_loss"

    @abstractmethod
    def _build_head(self, n_classes, embedding_dim):
        """The torch class head (a :class:`sksoc.heads.ClassHead`) to train."""

    def _divergence_hint(self):
        """Likely causes of a non-finite loss, for the error message."""
        return (
            f"The learning rate (lr={self.lr}) is probably too high for this "
            "model and data; lower it, or standardise X."
        )

    # -- parameters ------------------------------------------------------------
    # Encoder hyper-parameters are given as ``module__<name>`` (as in skorch) so
    # that GridSearchCV can tune them; they are parameters like any other.

    def _extra_params(self):
        """Keyword arguments given to __init__ beyond its named parameters."""
        named = set(param_names(type(self)))
        return {
            name: value
            for name, value in vars(self).items()
            if name not in named and not name.startswith("_") and not name.endswith("_")
        }

    def _module_params(self):
        """The encoder's parameters, without their ``module__`` prefix."""
        extra = self._extra_params()
        check_module_param_names(type(self).__name__, extra)
        return {name[len(MODULE_PREFIX) :]: value for name, value in extra.items()}

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._extra_params())
        return params

    def set_params(self, **params):
        module_params = {
            name: params.pop(name)
            for name in list(params)
            if name.startswith(MODULE_PREFIX)
        }
        super().set_params(**params)
        for name, value in module_params.items():
            setattr(self, name, value)
        return self

    # -- fitting -----------------------------------------------------------------

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the encoder and the class head from scratch.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Any float or int dtype; computations run in
            float32. A DataFrame is used as a numeric matrix.
        y : array-like of shape (n_samples,)
            Class labels of any type (ints, strings, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; each sample's loss is scaled by its weight
            divided by the mean weight.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        sksoc.exceptions.TrainingDivergedError
            If the loss becomes NaN or infinite. The estimator is then left
            exactly as it was before this call: a previously fitted model
            keeps working.
        """
        data_parallel = active_data_parallel()
        if data_parallel is not None:
            # One rank of a process group (sksoc.distributed.data_parallel).
            return data_parallel.fit(self, X, y, sample_weight)
        with _restore_on_failure(self):
            X, y = self._validate_training_data(X, y, reset=True)
            sample_weight = training_weights(sample_weight, X)
            classes, y_encoded = np.unique(y, return_inverse=True)
            check_enough_classes(type(self).__name__, classes, y_encoded, sample_weight)
            self.classes_ = classes
            self.class_count_ = class_counts(y_encoded, sample_weight, len(classes))
            self._initialize_model(X)
            weight = with_class_weight(
                self.class_weight,
                sample_weight,
                y_encoded,
                classes,
                fit=True,
                name=type(self).__name__,
            )
            held_out = self._train(
                X, y_encoded, weight, epochs=self.max_epochs, calibrate=True
            )
            self._fit_calibration(X, y_encoded, weight, held_out)
        return self

    @fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on ``(X, y)``, continuing from the current model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels; each must be one of ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class the model will know. Required on the first call (the
            head has one representation per class); may be omitted, or must
            match, afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The updated estimator. On any error, including
            :class:`~sksoc.exceptions.TrainingDivergedError` and
            ``KeyboardInterrupt``, the estimator is left as it was.
        """
        if active_data_parallel() is not None:
            raise ValueError(
                "partial_fit does not train data-parallel: inside "
                "sksoc.distributed.data_parallel() it would train each rank "
                "alone. Call fit there, or partial_fit outside it."
            )
        with _restore_on_failure(self):
            first_call = is_first_partial_fit(self, classes)
            X, y = self._validate_training_data(X, y, reset=first_call)
            sample_weight = training_weights(sample_weight, X)
            y_encoded = self._encode_labels(y)
            counts = class_counts(y_encoded, sample_weight, len(self.classes_))
            if first_call:
                check_enough_classes(
                    type(self).__name__, self.classes_, np.arange(len(self.classes_))
                )
                self.class_count_ = counts
                self._initialize_model(X)
                # A model built by partial_fit alone is not calibrated.
                self.calibrator_ = Calibrator(None, self._cosine_scale())
            else:
                # Train a copy, so that a failure cannot leave a half-updated model.
                self.net_ = copy.deepcopy(self.net_)
                self.class_count_ = self.class_count_ + counts
            weight = with_class_weight(
                self.class_weight,
                sample_weight,
                y_encoded,
                self.classes_,
                fit=False,
                name=type(self).__name__,
            )
            self._train(X, y_encoded, weight, epochs=1)
        return self

    def _validate_training_data(self, X, y, *, reset):
        """X as the network's float matrix, and y, checked.

        With ``reset`` (``fit``, a first ``partial_fit``) the input encoding
        is learned from these rows: ``preprocessor_``.
        """
        if reset:
            self.preprocessor_ = self._resolved_preprocessor(X)
        if self.preprocessor_ is None:
            check_dataframe_is_numeric(X)
            X, y = validate_data(
                self,
                X,
                y,
                reset=reset,
                accept_sparse="csr",
                dtype=(np.float64, np.float32),
            )
            check_float32_range(X)
        else:
            X = self._checked_table(X, reset=reset)
            y = column_or_1d(y, warn=True)
            check_consistent_length(X, y)
            if y.dtype.kind == "f":
                assert_all_finite(y, input_name="y")
            check_classification_targets(y)
            # Fitted with y, for the target encoding of many-level columns,
            # whose training rows fit_transform cross-fits.
            return (
                self.preprocessor_.fit_transform(X, y)
                if reset
                else self.preprocessor_.transform(X)
            ), y
        check_classification_targets(y)
        return X, y

    def _resolved_preprocessor(self, X):
        """A fresh, unfitted ``preprocessor_`` for X; None to use X as it is.

        "auto" encodes a DataFrame, and an array holding text or missing
        values, with a :class:`TabularPreprocessor`; a numeric array without
        missing values, or a sparse matrix, goes to the network as it is, as
        before tables were taken as they come.
        """
        if self.preprocessor is None:
            return None
        if not isinstance(self.preprocessor, str):
            return clone(self.preprocessor)
        if isinstance(X, pd.DataFrame) or _needs_encoding(X):
            return TabularPreprocessor()
        return None

    def _checked_table(self, X, *, reset):
        """X with its columns in fit's order; feature names and count checked."""
        if sp.issparse(X):
            X = X.toarray()
        if isinstance(X, pd.DataFrame):
            if not reset:
                X = in_fitted_order(X, getattr(self, "feature_names_in_", None))
        else:
            # scikit-learn's checks and messages: 2-d, not empty, real.
            X = check_array(X, dtype=None, ensure_all_finite=False, estimator=self)
        validate_data(self, X, reset=reset, skip_check_array=True)
        return X

    def _encode_labels(self, y):
        return encode_as(y, self.classes_, "y")

    def _check_device(self):
        try:
            device = torch.device(self.device)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"Invalid device {self.device!r}: {exc}") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise DeviceUnavailableError(
                f"device={self.device!r} was requested but CUDA is not available "
                "on this machine; use device='cpu'."
            )
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise DeviceUnavailableError(
                f"device={self.device!r} was requested but MPS is not available "
                "on this machine; use device='cpu'."
            )
        return device

    def _initialize_model(self, X, n_samples=None):
        """Build the encoder, the head and the engine, seeded by random_state.

        The "auto" defaults follow ``n_samples`` (default ``X.shape[0]``); the
        embedding size is read off the encoder's output on two rows of X.
        """
        n_samples = X.shape[0] if n_samples is None else n_samples
        self._seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        self.batch_size_ = resolve_batch_size(self.batch_size, n_samples)
        self.early_stopping_ = resolve_early_stopping(self.early_stopping, n_samples)
        device = self._check_device()
        self._n_network_inputs = X.shape[1]
        with seeded_torch(self._seed, "cpu"):
            encoder = self._build_encoder(X.shape[1])
            self.embedding_dim_ = _embedding_size(encoder, X)
            head = self._build_head(len(self.classes_), self.embedding_dim_)
        self.net_ = self._build_engine(encoder, head, device)
        self.calibrator_ = Calibrator.chosen(
            self.calibration,
            self._cosine_scale(),
            len(self.classes_),
            type(self).__name__,
        )

    def _cosine_scale(self):
        """S where the prediction logits are ``S * cos``, else None."""
        return None

    def _build_engine(self, encoder, head, device):
        """The initialised training engine of ``encoder`` and ``head`` on ``device``."""
        optimizer = self.optimizer
        if isinstance(optimizer, str):
            optimizer = _OPTIMIZERS[optimizer]
        net = EmbeddingNet(
            module=encoder,
            criterion=head,
            optimizer=optimizer,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            **_fast_optimizer_params(optimizer, device),
            max_epochs=self.max_epochs,
            batch_size=self.batch_size_,
            train_split=None,
            callbacks=[
                (
                    "stop_when_no_improvement",
                    StopWhenNoImprovement(
                        self._early_stopping_monitor
                        if self.early_stopping_
                        else "train_loss",
                        patience=self.n_iter_no_change,
                        tol=self.tol,
                        restore_best=self.early_stopping_,
                    ),
                ),
                *_user_callbacks(self.callbacks),
            ],
            device=device,
            verbose=self.verbose,
            shuffle_generator=torch.Generator().manual_seed(self._seed),
            divergence_hint=self._divergence_hint(),
            # skorch formats its log table every epoch even when it prints nothing.
            **({} if self.verbose else {"callbacks__print_log": None}),
        )
        return net.initialize()

    def _build_encoder(self, n_features):
        module_params = self._module_params()
        if self.module is None:
            # A table encoded by a TabularPreprocessor gets the TabularEncoder;
            # X as it is, or encoded by another transformer, the MLP.
            tabular = isinstance(self.preprocessor_, TabularPreprocessor)
            hidden = (
                _AUTO_HIDDEN["table" if tabular else "array"]
                if isinstance(self.hidden_layer_sizes, str)
                else check_hidden_layer_sizes(self.hidden_layer_sizes)
            )
            encoder = TabularEncoder if tabular else MLPEncoder
            shape = {"n_numeric": self._n_numeric_inputs()} if tabular else {}
            try:
                return encoder(
                    n_features_in=n_features,
                    embedding_dim=self.embedding_dim,
                    hidden_layer_sizes=hidden,
                    **shape,
                    **module_params,
                )
            except TypeError as exc:
                raise TypeError(
                    f"Invalid module__ parameter for {encoder.__name__}: {exc}"
                ) from None
        if isinstance(self.module, nn.Module):
            if module_params:
                raise ValueError(
                    "module__ parameters need `module` to be a class (or a "
                    "callable returning a module); got a module instance, "
                    f"{type(self.module).__name__}, with "
                    f"{sorted(module_params)}."
                )
            # Train a copy: fitting never changes the caller's module, and a
            # pretrained instance starts from its own weights.
            return copy.deepcopy(self.module)
        accepted = _accepted_arguments(self.module)
        shape_arguments = {
            "n_features_in": n_features,
            "embedding_dim": self.embedding_dim,
            "n_numeric": self._n_numeric_inputs(),
        }
        for name, value in shape_arguments.items():
            # n_numeric only where the signature names it: a module taking
            # **kwargs was written for the first two.
            named = accepted is not None and name in accepted
            if name not in module_params and (
                named or (accepted is None and name != "n_numeric")
            ):
                module_params[name] = value
        module_name = getattr(self.module, "__name__", repr(self.module))
        try:
            encoder = self.module(**module_params)
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

    def _n_numeric_inputs(self):
        """How many leading network inputs are scaled numbers (``n_numeric``)."""
        return getattr(self.preprocessor_, "n_numeric_out_", 0)

    def _train(self, X, y_encoded, sample_weight, *, epochs, calibrate=False):
        """Train on the rows of X; return the held-out row indices, or None.

        Rows are held out for early stopping, and, with ``calibrate`` and
        calibration but no early stopping, for the calibration alone (see
        :meth:`_fit_calibration`).
        """
        net = self.net_
        data = net.training_data(X, y_encoded, sample_weight)
        # The n-th training call of one model gets its own, reproducible seed.
        seed = int(
            np.random.SeedSequence([self._seed, len(net.history)]).generate_state(1)[0]
        )
        valid = valid_index = None
        early_stopping = self.early_stopping_ and epochs > 1
        # Without an early-stopping split, the calibration gets one of its own
        # (fitting it on the training rows was measured and rejected; see the
        # user guide's calibration page).
        if early_stopping or (calibrate and self.calibrator_.method is not None):
            train_index, valid_index = _validation_split(
                y_encoded, self.validation_fraction, seed
            )
            if early_stopping:
                valid = data.subset(valid_index)
            data = data.subset(train_index)
        with seeded_torch(seed, net.device):
            net.train(data, epochs=epochs, valid=valid)
        return valid_index

    def _fit_calibration(self, X, y_encoded, sample_weight, held_out):
        """Fit ``calibrator_`` on the logits of the held-out rows.

        The held-out rows are the early-stopping validation split or,
        without one, a split of the same size held out from training for the
        calibration alone (see :meth:`_train`); with many classes, a seeded
        subset of them (:func:`~sksoc._calibration.calibration_rows`).
        """
        if self.calibrator_.method is None:
            return
        rows = calibration_rows(held_out, len(self.classes_), self._seed)
        weight = None if sample_weight is None else sample_weight[rows]
        logits = self._held_out_logits(X, rows)
        self.calibrator_.fit(logits, y_encoded[rows], weight)

    def _held_out_logits(self, X, rows):
        """The logits of the training rows ``rows``, gathered from every rank."""

        def logits_of(local_rows):
            return map_rows(self, X[local_rows], lambda logits: logits)

        data_parallel = self.net_.data_parallel
        if data_parallel is None:
            return logits_of(rows)
        return data_parallel.gather_rows(rows, logits_of)

    # -- prediction ----------------------------------------------------------------

    def _validate_X(self, X):
        """X as the network's float matrix, encoded as in fit."""
        if self.preprocessor_ is None:
            check_dataframe_is_numeric(X)
            X = validate_data(
                self,
                X,
                reset=False,
                accept_sparse="csr",
                dtype=(np.float64, np.float32),
            )
            check_float32_range(X)
            return X
        return self.preprocessor_.transform(self._checked_table(X, reset=False))

    def decision_function(self, X):
        """Class scores: the head's logits, without any training margin.

        The logits are not divided by ``temperature_`` (as scikit-learn's
        calibrators leave the scores alone): they rank the classes and the
        samples exactly as the probabilities do.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            One logit per class. With two classes, scikit-learn's binary
            convention applies: the logit of ``classes_[1]`` minus that of
            ``classes_[0]``, positive where ``classes_[1]`` is predicted.
        """
        check_is_fitted(self)
        X = self._validate_X(X)
        if len(self.classes_) == 2:
            difference = map_rows(
                self, X, lambda logits: logits[:, 1:] - logits[:, :1], width=1
            )
            return difference[:, 0]
        return map_rows(self, X, lambda logits: logits)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        index = map_rows(
            self,
            self._validate_X(X),
            lambda logits: logits.argmax(1, keepdim=True),
            width=1,
            dtype=np.int64,
        )
        return self.classes_[index[:, 0]]

    def predict_proba(self, X):
        """Class probabilities: the softmax of the calibrated logits.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns ordered as ``classes_``; rows sum to one.
        """
        check_is_fitted(self)
        return map_rows(
            self,
            self._validate_X(X),
            lambda logits: torch.softmax(self.calibrator_.calibrated_logits(logits), 1),
        )

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed stably.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return map_rows(
            self,
            self._validate_X(X),
            lambda logits: torch.log_softmax(
                self.calibrator_.calibrated_logits(logits), 1
            ),
        )

    def logits_at(self, Z):
        """Class logits at points of the embedding space.

        The head's prediction logits (no training margin, no temperature) at
        each row of ``Z``, a point of the space :meth:`transform` maps to:
        ``logits_at(transform(X))`` is :meth:`decision_function` of X (with
        more than two classes). Pictures of the decision regions evaluate it
        on a grid of the embedding space.

        Parameters
        ----------
        Z : array-like of shape (n_points, `embedding_dim_`)
            Points of the embedding space; finite.

        Returns
        -------
        logits : ndarray of shape (n_points, n_classes)
            One logit per class, columns ordered as ``classes_``, float64;
            two columns with two classes too. The argmax is the class
            :meth:`predict` gives a sample embedded at the point.

        Raises
        ------
        ValueError
            If ``Z`` has not ``embedding_dim_`` columns, or holds NaN or
            infinity.
        """
        check_is_fitted(self)
        Z = self._checked_points(Z, "logits_at")
        return map_rows(self, Z, lambda logits: logits, encode=False)

    def _checked_points(self, Z, method):
        """``Z`` checked to hold finite points of the embedding space.

        Errors name ``method``.
        """
        caller = f"{type(self).__name__}.{method}"
        Z = check_embedding_points(Z, self.embedding_dim_, caller)
        check_float32_range(Z)
        return Z

    def transform(self, X):
        """Embed X: the embedding the head compares with its classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        embedding : ndarray of shape (n_samples, `embedding_dim_`)
            In X's float dtype (float32 stays float32, anything else gives
            float64).
        """
        check_is_fitted(self)
        dtype = np.float32 if getattr(X, "dtype", None) == np.float32 else np.float64
        return map_rows(
            self,
            self._validate_X(X),
            self.net_.criterion_.embed,
            width=self.embedding_dim_,
            dtype=dtype,
            logits=False,
        )

    # -- fitted state ---------------------------------------------------------------

    @property
    def _n_features_out(self):
        return self.embedding_dim_

    @property
    def calibration_(self):
        """The calibration used (``calibration``, or what "auto" chose)."""
        return self.calibrator_.method

    @property
    def temperature_(self):
        """The calibration's temperature (1.0 without calibration)."""
        return self.calibrator_.temperature

    @property
    def distance_power_(self):
        """The power of the distance under "distance_power" (1.0 otherwise)."""
        return self.calibrator_.distance_power

    @property
    def class_embeddings_(self):
        """The class representations the head learned or was given, as an ndarray."""
        return self.net_.criterion_.class_embeddings.detach().cpu().numpy().copy()

    @property
    def n_iter_(self):
        """Number of epochs the model has been trained for."""
        return len(self.net_.history)

    @property
    def history_(self):
        """Per-epoch ``epoch``, ``train_loss``, ``valid_loss`` (if any) and ``dur``."""
        keys = ("epoch", "train_loss", "valid_loss", "dur")
        return [{k: row[k] for k in keys if k in row} for row in self.net_.history]

    # -- state as data --------------------------------------------------------------

    def _get_state(self):
        """This fitted model as data; see :func:`sksoc._model_state.get_state`."""
        return get_state(self)

    @classmethod
    def _from_state(cls, document, tensors, **options):
        """The fitted model of a state; see :func:`sksoc._model_state.from_state`."""
        return from_state(cls, document, tensors, **options)

    def __dask_tokenize__(self):
        """A token that names this model's state, for Dask task graphs.

        Dask hashes the objects a task uses; a pickled skorch net differs
        from pickle to pickle, so the token is built from the parameters and,
        once fitted, from the classes and every weight.
        """
        digest = hashlib.sha256(repr(self.get_params(deep=False)).encode())
        if hasattr(self, "net_"):
            digest.update(np.asarray(self.classes_).tobytes())
            for module in (self.net_.module_, self.net_.criterion_):
                for name, tensor in module.state_dict().items():
                    digest.update(name.encode())
                    digest.update(tensor.detach().cpu().numpy().tobytes())
        return type(self).__qualname__, digest.hexdigest()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # The default preprocessor takes missing values, categories and text.
        tabular = self.preprocessor is not None
        tags.input_tags.allow_nan = tabular
        tags.input_tags.categorical = tabular
        tags.input_tags.string = tabular
        return tags


def _needs_encoding(X):
    """Whether array-like X holds text or missing values (not a sparse matrix)."""
    if sp.issparse(X):
        return False
    array = np.asarray(X)
    if array.dtype.kind not in "biuf":
        return True
    return array.dtype.kind == "f" and bool(np.isnan(array).any())


class DeviceUnavailableError(ValueError):
    """The device an estimator is set to use is not available on this machine."""


def resolve_batch_size(batch_size, n_samples):
    """The training batch size: ``batch_size``, or the "auto" rule for ``n_samples``."""
    if batch_size != "auto":
        return int(batch_size)
    return int(min(_AUTO_BATCH_MAX, max(_AUTO_BATCH_MIN, n_samples // 8)))


def resolve_early_stopping(early_stopping, n_samples):
    """Whether to hold out a validation split: the "auto" rule for ``n_samples``."""
    if early_stopping != "auto":
        return bool(early_stopping)
    return n_samples >= _AUTO_EARLY_STOPPING_MIN_SAMPLES


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


def _embedding_size(encoder, X):
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


def _validation_split(y_encoded, fraction, seed):
    """Stratified train/validation indices; a plain split for singleton classes."""
    index = np.arange(len(y_encoded))
    n_valid = max(1, round(fraction * len(index)))
    if n_valid >= len(index):
        raise ValueError(
            f"early_stopping needs at least 2 samples to hold out a validation "
            f"set; got {len(index)}."
        )
    try:
        return train_test_split(
            index, test_size=n_valid, stratify=y_encoded, random_state=seed
        )
    except ValueError:
        # A class with one member, or fewer validation rows than classes.
        return train_test_split(index, test_size=n_valid, random_state=seed)


@contextlib.contextmanager
def _restore_on_failure(estimator):
    """Leave ``estimator``'s attributes untouched if the block raises anything."""
    saved = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(saved)
        raise
