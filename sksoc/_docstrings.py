"""Docstring sections shared by every sksoc estimator, written once.

A class docstring names a section with a placeholder line such as
``    {training_parameters}``; :func:`fill_shared_sections` replaces it.
"""

import inspect

ENCODER_PARAMETERS = """\
    preprocessor : "auto", None or transformer, default="auto"
        How X becomes the network's input, learned in ``fit`` and kept as
        ``preprocessor_``. "auto" fits a
        :class:`~sksoc.preprocessing.TabularPreprocessor` on a DataFrame
        and on an array holding text or missing values: numbers scaled
        robustly and clipped smoothly, missing values flagged, categories
        one-hot encoded (target encoded beyond 256 levels), so a raw table
        needs no ``ColumnTransformer``; a numeric array without missing
        values and a sparse matrix go to the network as they are. None never
        encodes (X must be numeric and finite); a transformer instance is
        cloned and fitted, with y. ``partial_fit`` learns the encoding from
        its first call's rows and labels: target encodings know only the
        classes of that call, and its rows, given again, are encoded with
        their own labels: for several passes over the same rows, pass
        ``TabularPreprocessor(high_cardinality="other")``.
    module : None, torch.nn.Module class or instance, default=None
        The encoder. None builds a :class:`~sksoc.encoders.TabularEncoder`
        (numeric columns embedded one by one, then an MLP) on an encoded
        table, and an :class:`~sksoc.encoders.MLPEncoder` on X used as it
        is, both with ``hidden_layer_sizes``; ``module=MLPEncoder`` keeps
        the plain MLP for tables too. A class (or any callable returning a
        module) is called with the ``module__*`` parameters, plus
        ``n_features_in``, ``embedding_dim`` and ``n_numeric`` (the number
        of leading scaled numeric inputs) when its signature takes them;
        ``**kwargs`` receives the first two. An instance is deep-copied and
        trained from its current weights. The embedding size is read off the
        encoder's output.
    hidden_layer_sizes : "auto" or tuple of int, default="auto"
        Hidden widths of the default encoder; ignored with a ``module``.
        "auto" is one hidden layer of 256 on a table encoded by a
        :class:`~sksoc.preprocessing.TabularPreprocessor`, and of 128 on X
        used as it is (the user guide's tabular page measures both widths
        on tables).
    embedding_dim : int, default=16
        Size of the embedding (of the default encoder, and of a ``module``
        class that takes ``embedding_dim``)."""

TRAINING_PARAMETERS = """\
    max_epochs : int, default=200
        Maximum number of passes over the training data.
    batch_size : int or "auto", default="auto"
        Training mini-batch size. "auto" takes ``n_samples // 8``, at least
        32 and at most 256: about eight steps per epoch below 2,048 rows,
        and above them batches large enough to make an epoch faster (see
        :ref:`training_defaults`). The size used is ``batch_size_``.
    chunk_size : int, default=None
        Memory-lean training for very many classes: the cross-entropy is
        computed over chunks of this many classes and no
        (batch_size, n_classes) matrix is kept for the backward pass, which
        recomputes the chunks (a third more of the head's matrix
        arithmetic).
        None computes all classes at once, the fastest with enough memory.
    lr : float, default={lr}
        Learning rate. SOCClassifier's default, 6e-3, is twice the others'
        (see :ref:`training_defaults`).
    optimizer : {"adam", "adamw", "sgd"} or callable, default="adam"
        Optimiser; "sgd" uses Nesterov momentum 0.9. A callable (such as a
        :class:`torch.optim.Optimizer` class) is called as
        ``optimizer(params, lr=lr, weight_decay=weight_decay)``.
    weight_decay : float, default=1e-3
        Weight decay (L2 penalty) of the optimiser; :ref:`training_defaults`
        measures what 1e-3 does to each head's accuracy.
    early_stopping : bool or "auto", default="auto"
        Hold out a stratified ``validation_fraction`` of the training data,
        watch its loss for plateaus (see ``lr_decay``), and restore the best
        epoch's weights when training stops. Otherwise the training loss is
        watched likewise.
        "auto" holds out from 1,000 training samples on (the choice made is
        ``early_stopping_``); on smaller data every row is kept for training.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping``.
    n_iter_no_change : int, default={n_iter_no_change}
        Epochs without an improvement by ``tol`` that make a plateau.
        MarginClassifier's default, 5, is longer than the others' 3: it
        watches the validation accuracy, which stalls sooner than a loss
        (see :ref:`training_defaults`).
    lr_decay : float or None, default=0.1
        On the first plateau the learning rate is multiplied by
        ``lr_decay`` and training goes on; it stops at the second. None
        stops at the first (a constant learning rate). The defaults, a
        plateau of 3 epochs (5 for MarginClassifier) and one decay by 10,
        were measured against a constant rate with a plateau of 10 epochs on
        the tabular benchmark (:ref:`training_defaults`).
    tol : float, default=1e-4
        Improvement of the monitored loss that counts as progress.
    random_state : int, RandomState instance or None, default=None
        Seeds weight and class-vector initialisation, shuffling, dropout and
        the validation split. An int makes fits reproducible; the caller's
        global torch random state is never changed.
    device : str or torch.device, default="cpu"
        Where to train and predict, such as "cuda".
    callbacks : list of skorch callbacks, default=None
        Extra :class:`skorch.callbacks.Callback` objects (or
        ``(name, callback)`` pairs) run during training after sksoc's own,
        such as a progress bar or a per-epoch score. They are used as given
        (skorch initialises them at each fit).
    verbose : int, default=0
        0 prints nothing; above 0 prints a line per epoch.
    calibration : {"auto", "temperature", "distance_power"} or None, \
            default="auto"
        How ``predict_proba`` turns logits into probabilities, fitted after
        training by minimising the log loss on held-out rows: the
        early-stopping validation split, or, without early stopping, a
        stratified ``validation_fraction`` of the rows held out from
        training for it (so small data trains on ``validation_fraction``
        fewer of its rows; see :ref:`calibration`).

        - "temperature": ``softmax(logits / T)``, one temperature ``T``
          (``temperature_``).
        - "distance_power": for logits ``S cos(z, w_c)``,
          ``softmax(-S (1 - cos)^p / T)``: a temperature on a power ``p``
          (``distance_power_``) of the distance of the unit embedding to
          each class vector. ``p = 1`` is "temperature"; a fitted ``p``
          calibrates cosine heads better (measured on the calibration
          page).
        - "auto": "distance_power" where the logits are a scaled cosine
          (fixed cosine vectors without bias, margin heads) and there are
          more than two classes, else "temperature"; ``calibration_`` says
          which. (With two classes, a temperature alone keeps
          ``predict_proba`` ranking the samples as ``decision_function``
          does.)
        - None: ``softmax(logits)``.

        Both maps keep each row's order of the classes, so ``predict``,
        ``decision_function`` and ``score_samples`` do not change.
        ``partial_fit`` keeps the calibration of the last ``fit`` (none for
        a model built by ``partial_fit`` alone).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as in scikit-learn's classifiers: a dict
        ``{label: weight}`` (missing classes weigh 1), or "balanced",
        ``n_samples / (n_classes * np.bincount(y))``. Multiplied into
        ``sample_weight``; both the training loss and the validation and
        calibration log losses use the product. "balanced" is refused by
        ``partial_fit`` (pass a dict).
    **module_params
        Encoder parameters prefixed with ``module__``, such as
        ``module__dropout=0.1`` for the default MLP or ``module__width=64``
        for a user's module class; tunable with ``GridSearchCV``."""

FITTED_ATTRIBUTES = """\
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    class_count_ : ndarray of shape (n_classes,)
        Weighted number of training samples per class.
    embedding_dim_ : int
        Size of the embedding.
    preprocessor_ : TabularPreprocessor, transformer or None
        The fitted encoding of X (see ``preprocessor``); None where X goes
        to the network as it is.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X had string column names.
    n_iter_ : int
        Number of epochs run.
    batch_size_ : int
        The training batch size (``batch_size``, or what "auto" chose).
    calibration_ : {"temperature", "distance_power"} or None
        The calibration used (``calibration``, or what "auto" chose).
    temperature_ : float
        The calibration's temperature (1.0 without calibration).
    distance_power_ : float
        The power of the distance under "distance_power" (1.0 otherwise).
    early_stopping_ : bool
        Whether a validation split was held out (``early_stopping``, or what
        "auto" chose).
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss``, ``valid_loss`` (with
        early stopping) and ``dur`` (seconds).
    net_ : skorch.NeuralNet
        The trained skorch net: the encoder is ``net_.module_``, the head
        ``net_.criterion_``."""

_SECTIONS = {
    "{encoder_parameters}": ENCODER_PARAMETERS,
    "{training_parameters}": TRAINING_PARAMETERS,
    "{fitted_attributes}": FITTED_ATTRIBUTES,
}


def fill_shared_sections(cls):
    """Class decorator: put the shared sections into ``cls.__doc__``.

    Defaults that differ between the estimators (``{lr}``,
    ``{n_iter_no_change}``) are read off the class's own ``__init__``.
    """
    doc = cls.__doc__
    for placeholder, text in _SECTIONS.items():
        doc = doc.replace(f"    {placeholder}", text)
    defaults = inspect.signature(cls.__init__).parameters
    lr = defaults["lr"].default
    doc = doc.replace("default={lr}", f"default={lr:.0e}".replace("e-0", "e-"))
    cls.__doc__ = doc.replace(
        "default={n_iter_no_change}",
        f"default={defaults['n_iter_no_change'].default}",
    )
    return cls
