"""The estimator core shared by every sksoc classifier.

An sksoc estimator is a scikit-learn classifier and transformer around two
torch modules: an encoder, mapping X to an embedding, and a class head,
mapping the embedding to class logits and, in training, to a loss. Data flows
one way::

    X -> validate_data -> float32 batches -> encoder -> embedding (transform)
      -> head -> logits -> loss (fit) | probabilities, labels (predict)

The estimator keeps scikit-learn's duties: its parameters (``module__*``
routed to the encoder), ``fit``, ``partial_fit`` and the prediction-type
methods, its fitted attributes and tags. Subclasses differ only in the head
they build and its parameters. The rest is delegated, one job a module:

- ``_input.py``: X as the network's input (validation, the preprocessor);
- ``_weights.py``: sample and class weights, class counts;
- ``_fitting.py``: the one fit path on validated arrays, which ``fit`` and
  each data-parallel rank (``distributed.py``) call, and ``partial_fit``'s;
- ``_network.py``: the encoder, head and training engine the parameters
  describe; ``_engine.py``: the training loop and batched forward passes;
- ``_calibration.py``: the calibrator kept as ``calibrator_``;
- ``_inference.py``: the one batched-inference helper;
- ``_model_state.py``: the estimator's state as data (``_state.py``'s codec).
"""

import hashlib
import numbers
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._compat import (
    HasMethods,
    Interval,
    StrOptions,
    fit_context,
    is_first_partial_fit,
    param_names,
)
from ._engine import active_data_parallel
from ._fitting import fit_on_arrays, partial_fit_on_arrays, restore_on_failure
from ._inference import map_points, map_rows
from ._input import prediction_input, training_input
from ._labels import encode_as
from ._model_state import from_state, get_state
from ._network import OPTIMIZERS
from ._validation import MODULE_PREFIX, check_module_param_names
from ._weights import training_weights


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
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr_decay": [Interval(numbers.Real, 0, 1, closed="right"), None],
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
        lr_decay,
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
        self.lr_decay = lr_decay
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
    def _build_head(self, n_classes, embedding_dim, generator=None):
        """The torch class head (a :class:`sksoc.heads.ClassHead`) to train.

        Its initial class embeddings are drawn from ``generator`` (torch's
        global generator when None).
        """

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
        with restore_on_failure(self):
            X, y = training_input(self, X, y, reset=True)
            fit_on_arrays(self, X, y, training_weights(sample_weight, X))
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
        with restore_on_failure(self):
            first_call = is_first_partial_fit(self, classes)
            X, y = training_input(self, X, y, reset=first_call)
            sample_weight = training_weights(sample_weight, X)
            y_encoded = encode_as(y, self.classes_, "y")
            partial_fit_on_arrays(
                self, X, y_encoded, sample_weight, first_call=first_call
            )
        return self

    def _cosine_scale(self):
        """S where the prediction logits are ``S * cos``, else None."""
        return None

    # -- prediction ----------------------------------------------------------------

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
        X = prediction_input(self, X)
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
            prediction_input(self, X),
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
            prediction_input(self, X),
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
            prediction_input(self, X),
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
        return map_points(self, Z, lambda logits: logits, method="logits_at")

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
            prediction_input(self, X),
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
        """The class embeddings the head learned or was given, as an ndarray."""
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
