"""The heads as the command trains them: built alike, fitted in turn, scored.

Every head is an sksoc estimator on the same encoder, otherwise at its
defaults; the fits, and those of the reference models, share one progress
bar and are timed after a warm-up.
"""

import time

import numpy as np
from sklearn.base import clone
from sklearn.metrics import accuracy_score, log_loss

from .._fixed import FixedRandomClassifier
from .._margin import MarginClassifier
from .._network import AUTO_HIDDEN
from .._soc import SOCClassifier
from .._softmax import SoftmaxClassifier
from ..exceptions import TrainingDivergedError
from ..metrics import (
    inter_class_separability,
    intra_class_compactness,
    silhouette_score,
    top_label_calibration_error,
)
from ._baselines import fit_and_score_reference
from ._errors import EXIT_FAILURE, CommandError
from ._output import note
from ._progress import TrainingProgress, progress_enabled

HEADS = {
    "softmax": SoftmaxClassifier,
    "soc": SOCClassifier,
    "fixed": FixedRandomClassifier,
    "margin": MarginClassifier,
}
# The fixed and margin heads embed on the unit sphere, softmax and SOC do not:
# the cosine distance gives every head's silhouette on the same footing (it
# ignores the embeddings' lengths), as compactness and separability do.
SILHOUETTE_METRIC = "cosine"


def build_model(head, *, embedding_dim, epochs, seed):
    """The estimator of ``head`` with the given embedding size, otherwise at defaults.

    Parameters
    ----------
    head : str
        A key of :data:`HEADS`.
    embedding_dim : int
        Size of the embedding.
    epochs : int or None
        ``max_epochs``; None keeps the estimator's default. Training still
        stops early when the loss stalls.
    seed : int
        ``random_state``.

    Returns
    -------
    estimator : sksoc classifier
    """
    params = {
        "embedding_dim": embedding_dim,
        "random_state": seed,
    }
    if epochs is not None:
        params["max_epochs"] = epochs
    return HEADS[head](**params)


def hidden_layer_sizes(split):
    """The hidden widths the estimators' "auto" default gives the data of ``split``."""
    return AUTO_HIDDEN["table" if split.is_table else "array"]


def train_and_score(fits, split, args, references=()):
    """Fit each ``(name, model)`` of ``fits`` under one progress bar and score it.

    Each model gets the bar's per-epoch callback as its ``callbacks``. Then
    each ``(name, model)`` of ``references``, a scikit-learn classifier, is
    fitted and scored (see :func:`~._reference.fit_and_score_reference`),
    taking as much of the bar as the longest fit; what it reports goes to
    stderr as notes, once the bar is gone.

    Returns
    -------
    rows : list of dict or None
        Per fit: its scores (see :func:`evaluate`) and ``fit_seconds``; then
        per reference: its scores and ``fit_seconds``, or None where it
        failed to train.
    """
    share = max((model.max_epochs for _, model in fits), default=1)
    progress = TrainingProgress(
        [(name, model.max_epochs) for name, model in fits]
        + [(name, share) for name, _ in references],
        progress_enabled(args),
    )
    rows, notes = [], []
    try:
        warm_up([model for _, model in fits], split.X_train, split.y_train)
        for index, (name, model) in enumerate(fits):
            # Only now, so that the warm-up's clones leave the bar alone.
            model.set_params(callbacks=[("progress", progress.start(index))])
            seconds = fit_timed(name, model, split)
            progress.finish(index)
            scores = evaluate(model, split.X_test, split.y_test)
            rows.append({**scores, "fit_seconds": seconds})
        for index, (name, model) in enumerate(references, start=len(fits)):
            progress.start(index)
            row, reported = fit_and_score_reference(name, model, split)
            progress.finish(index)
            rows.append(row)
            notes += reported
    finally:
        progress.close()
    for line in notes:
        note(args, line)
    return rows


def warm_up(models, X, y):
    """Train a throw-away copy of each kind of model for an epoch on a few rows.

    A process's first torch optimizer imports ``torch._dynamo``, which takes
    seconds; without this, the first head's ``fit_seconds`` would include it.
    """
    rows = [np.flatnonzero(y == label)[0] for label in np.unique(y)]
    X = X.iloc[rows] if hasattr(X, "iloc") else X[rows]
    kinds = {type(model): model for model in models}
    for model in kinds.values():
        clone(model).set_params(max_epochs=1).fit(X, y[rows])


def fit_timed(head, model, split):
    """Fit ``model`` on the training part; return the seconds it took."""
    start = time.perf_counter()
    try:
        model.fit(split.X_train, split.y_train)
    except TrainingDivergedError as exc:
        raise CommandError(f"training {head} failed: {exc}", EXIT_FAILURE) from None
    return time.perf_counter() - start


def evaluate(model, X_test, y_test):
    """Test accuracy, log loss and the geometry of the test embedding.

    Parameters
    ----------
    model : fitted sksoc classifier
    X_test : ndarray of shape (n_samples, n_features)
    y_test : ndarray of shape (n_samples,)

    Returns
    -------
    scores : dict
        ``accuracy``, ``log_loss``, ``ece`` (top-label calibration error,
        15 equal-width bins), ``silhouette`` (of ``model.transform(X_test)``,
        from cosine distances: see :data:`SILHOUETTE_METRIC`), ``compactness``
        and ``separability``
        (radians), both measured against ``model.class_embeddings_``, and
        ``epochs`` (``n_iter_``).
    """
    embedding = model.transform(X_test)
    proba = model.predict_proba(X_test)
    # class_embeddings_ has a row per entry of classes_ (sorted, like
    # np.unique(y_test)); keep the rows of the classes in the test set.
    class_embeddings = model.class_embeddings_[np.isin(model.classes_, y_test)]
    n_labels = len(np.unique(y_test))
    return {
        "accuracy": accuracy_score(y_test, model.predict(X_test)),
        "log_loss": log_loss(y_test, proba, labels=model.classes_),
        "ece": top_label_calibration_error(
            y_test, proba, labels=model.classes_, n_bins=15
        ),
        # The silhouette is defined for 2 <= n_labels <= n_samples - 1.
        "silhouette": (
            silhouette_score(embedding, y_test, metric=SILHOUETTE_METRIC)
            if n_labels < len(y_test)
            else float("nan")
        ),
        "compactness": intra_class_compactness(
            embedding, y_test, class_embeddings=class_embeddings
        ),
        "separability": inter_class_separability(
            embedding, y_test, class_embeddings=class_embeddings
        ),
        "epochs": model.n_iter_,
    }
