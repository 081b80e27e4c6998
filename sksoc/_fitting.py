"""The fit path: an estimator trained on validated arrays.

``fit`` validates X and y (:mod:`sksoc._input`) and calls
:func:`fit_on_arrays`; so does each rank of a data-parallel ``fit``
(:mod:`sksoc.distributed`), on its own rows with the labels and weights of
every rank's, passing itself as ``rank`` for the few steps the ranks take
together. ``partial_fit`` trains through :func:`partial_fit_on_arrays`.

Here the model is built (:func:`initialize_model`: the seed, the "auto"
defaults, the network of :mod:`sksoc._network` and the calibrator), the rows
are split for early stopping or the calibration and trained on
(:func:`train`), and the calibrator is fitted on the held-out rows. Whatever
fails, :func:`restore_on_failure` leaves the estimator as it was.
"""

import contextlib
import copy

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from ._calibration import Calibrator, calibration_rows
from ._engine import fit_generator
from ._generators import draws_from_own_generator, is_sksoc_module
from ._inference import map_rows
from ._labels import encode_labels
from ._network import build_encoder, build_engine, check_device, embedding_size
from ._weights import check_enough_classes, class_counts, with_class_weight

# The "auto" defaults (see the user guide's "Training defaults" for the
# measurements behind them).
_AUTO_BATCH_MIN = 32
_AUTO_BATCH_MAX = 256
_AUTO_EARLY_STOPPING_MIN_SAMPLES = 1000


def fit_on_arrays(estimator, X, y, sample_weight, *, rank=None):
    """Train ``estimator`` from scratch; the fitted attributes are set.

    Parameters
    ----------
    estimator : sksoc estimator
    X : ndarray or scipy.sparse.csr_matrix of shape (n_rows, n_inputs)
        The network's input, validated: every row, or with ``rank`` this
        rank's rows, which are rows ``rank.own_rows`` of all.
    y : ndarray of shape (n_samples,)
        The labels of every row.
    sample_weight : ndarray of shape (n_samples,) or None
        Every row's weight, scaled to mean one.
    rank : sksoc.distributed rank, default=None
        In a data-parallel fit: it runs the model's initialisation so that
        an error on any rank is raised on all (``agree``), gives every rank
        rank 0's initial weights and seed (``start_from_rank_0``) and
        calibration (``from_rank_0``), and takes over the engine's batches,
        gradients and sums while training.
    """
    name = type(estimator).__name__
    classes, y_encoded = encode_labels(y)
    check_enough_classes(name, classes, y_encoded, sample_weight)
    estimator.classes_ = classes
    estimator.class_count_ = class_counts(y_encoded, sample_weight, len(classes))
    if rank is None:
        initialize_model(estimator, X, len(y))
    else:
        rank.agree(lambda: initialize_model(estimator, X, len(y)))
        estimator._seed = rank.start_from_rank_0(estimator.net_, estimator._seed)
    weight = with_class_weight(
        estimator.class_weight, sample_weight, y_encoded, classes, fit=True, name=name
    )
    with _steps_taken_by(estimator.net_, rank):
        held_out = train(
            estimator, X, y_encoded, weight, epochs=estimator.max_epochs, calibrate=True
        )
        fit_calibration(estimator, X, y_encoded, weight, held_out)
    if rank is not None:
        calibrator = estimator.calibrator_
        calibrator.temperature, calibrator.distance_power = rank.from_rank_0(
            [calibrator.temperature, calibrator.distance_power]
        )


def partial_fit_on_arrays(estimator, X, y_encoded, sample_weight, *, first_call):
    """Train ``estimator`` for one epoch, building it on the ``first_call``.

    ``X`` is the network's validated input, ``y_encoded`` indexes
    ``classes_`` and ``sample_weight`` is scaled to mean one (or None). A
    model built by ``partial_fit`` alone is not calibrated; later calls
    train a copy of the engine, so that a failure leaves the model whole.
    """
    name = type(estimator).__name__
    classes = estimator.classes_
    counts = class_counts(y_encoded, sample_weight, len(classes))
    if first_call:
        check_enough_classes(name, classes, np.arange(len(classes)))
        estimator.class_count_ = counts
        initialize_model(estimator, X, X.shape[0])
        estimator.calibrator_ = Calibrator(None, estimator._cosine_scale())
    else:
        estimator.net_ = copy.deepcopy(estimator.net_)
        estimator.class_count_ = estimator.class_count_ + counts
    weight = with_class_weight(
        estimator.class_weight, sample_weight, y_encoded, classes, fit=False, name=name
    )
    train(estimator, X, y_encoded, weight, epochs=1)


def initialize_model(estimator, X, n_samples):
    """Build the encoder, the head, the engine and the calibrator.

    Seeded by ``random_state``; the "auto" defaults follow ``n_samples`` (the
    rows of every rank), and the embedding size is read off the encoder's
    output on two rows of X.
    """
    estimator._seed = int(check_random_state(estimator.random_state).randint(2**31 - 1))
    estimator.batch_size_ = resolve_batch_size(estimator.batch_size, n_samples)
    estimator.early_stopping_ = resolve_early_stopping(
        estimator.early_stopping, n_samples
    )
    device = check_device(estimator.device)
    estimator._n_network_inputs = X.shape[1]
    own = is_sksoc_module(estimator.module)
    with fit_generator(estimator._seed, "cpu", own=own) as generator:
        encoder = build_encoder(estimator, X.shape[1], generator=generator)
        estimator.embedding_dim_ = embedding_size(encoder, X)
        head = estimator._build_head(
            len(estimator.classes_), estimator.embedding_dim_, generator=generator
        )
    estimator.net_ = build_engine(estimator, encoder, head, device)
    estimator.calibrator_ = Calibrator.chosen(
        estimator.calibration,
        estimator._cosine_scale(),
        len(estimator.classes_),
        type(estimator).__name__,
    )


def train(estimator, X, y_encoded, sample_weight, *, epochs, calibrate=False):
    """Train on the rows of X; return the held-out row indices, or None.

    Rows are held out for early stopping, and, with ``calibrate`` and a
    calibration but no early stopping, for the calibration alone (see
    :func:`fit_calibration`).
    """
    net = estimator.net_
    data = net.training_data(X, y_encoded, sample_weight)
    # The n-th training call of one model gets its own, reproducible seed.
    seed = int(
        np.random.SeedSequence([estimator._seed, len(net.history)]).generate_state(1)[0]
    )
    valid = valid_index = None
    early_stopping = estimator.early_stopping_ and epochs > 1
    # Without an early-stopping split, the calibration gets one of its own
    # (fitting it on the training rows was measured and rejected; see the
    # user guide's calibration page).
    if early_stopping or (calibrate and estimator.calibrator_.method is not None):
        train_index, valid_index = _validation_split(
            y_encoded, estimator.validation_fraction, seed
        )
        if early_stopping:
            valid = data.subset(valid_index)
        data = data.subset(train_index)
    own = draws_from_own_generator(net.module_, net.device)
    with fit_generator(seed, net.device, own=own) as generator:
        net.train(data, epochs=epochs, valid=valid, generator=generator)
    return valid_index


def fit_calibration(estimator, X, y_encoded, sample_weight, held_out):
    """Fit ``calibrator_`` on the logits of the held-out rows.

    The held-out rows are the early-stopping validation split or, without
    one, a split of the same size held out from training for the calibration
    alone (see :func:`train`); with many classes, a seeded subset of them
    (:func:`~sksoc._calibration.calibration_rows`).
    """
    if estimator.calibrator_.method is None:
        return
    rows = calibration_rows(held_out, len(estimator.classes_), estimator._seed)
    weight = None if sample_weight is None else sample_weight[rows]
    logits = _held_out_logits(estimator, X, rows)
    estimator.calibrator_.fit(logits, y_encoded[rows], weight)


def _held_out_logits(estimator, X, rows):
    """The logits of the training rows ``rows``, gathered from every rank."""

    def logits_of(local_rows):
        return map_rows(estimator, X[local_rows], lambda logits: logits)

    data_parallel = estimator.net_.data_parallel
    if data_parallel is None:
        return logits_of(rows)
    return data_parallel.gather_rows(rows, logits_of)


@contextlib.contextmanager
def _steps_taken_by(net, rank):
    """Inside, ``rank`` (if any) takes over the engine's data-parallel steps."""
    if rank is None:
        yield
        return
    net.data_parallel = rank
    try:
        yield
    finally:
        # The class's None again: a rank is never part of the model.
        del net.data_parallel


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
def restore_on_failure(estimator):
    """Leave ``estimator``'s attributes untouched if the block raises anything."""
    saved = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(saved)
        raise
