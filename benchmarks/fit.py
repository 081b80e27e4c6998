"""Fit time and accuracy of the sksoc estimators at their defaults, and time per step.

Two tables, in one run.

Defaults. On every data set of ``_datasets.py``, a stratified 70/30 split
(``random_state=0``); each model is ``make_pipeline(preprocessor, model)``
with the preprocessing a user would write (impute, scale, one-hot) and is
left at its defaults: the four sksoc estimators; scikit-learn's
``HistGradientBoostingClassifier`` (HGB; ``random_state=0``; the reference of
the fit-time targets); scikit-learn's ``MLPClassifier`` as it comes and with
``early_stopping=True`` (the baseline of the accuracy targets); skorch's
``NeuralNetClassifier`` on the network of ``SoftmaxClassifier``
(n_features -> 128 -> ReLU -> 16 -> n_classes), set up as a skorch user
would (Adam, lr=3e-3, batch 64, 200 epochs at most, early stopping with
patience 10 on skorch's default 20% validation split); and a hand-written
torch loop on that network, run for as many epochs, at the same batch size,
as the fitted ``SoftmaxClassifier``. Each model's fit time (the whole
pipeline, median of ``--repeats``), test accuracy and balanced accuracy, and
its fit time over HGB's and over the baseline's on the same data set; then,
per model, the geometric mean of each ratio over the data sets and the mean
accuracy against the baseline's.

Every model runs on ``--threads`` threads (one by default) of torch, BLAS
and OpenMP; HGB trains on OpenMP's. Once it has more than one, HGB is the
model that other work on the machine slows most: its OpenMP threads spin
while they wait for each other, so with a core busy elsewhere its fits can
take many times longer, and every ratio to it looks better than it is. Time
on a quiet machine, or export ``OMP_WAIT_POLICY=PASSIVE`` for the whole run
(it applies to every model).

Steps. The cost of one training step on a fixed workload: the network
20 -> 128 -> 16 -> 4 classes, 8,000 rows, batch 64, a fixed number of
epochs with no early stopping. Each sksoc estimator is compared with a
hand-written torch loop on the same encoder, with the same head module (from
``sksoc.heads``, built with the estimator's parameters) as its loss, the same
optimiser and batches; skorch's ``NeuralNetClassifier`` and scikit-learn's
``MLPClassifier`` are compared with a plain torch loop (``nn.Linear`` and
``cross_entropy``). Fits are repeated round-robin; medians are reported.

Targets, each printed as met or NOT met: each sksoc estimator fits in at
most HGB's time, as the geometric mean over the data sets of its fit time
over HGB's in the same run; each sksoc estimator's mean accuracy is at most
0.5 points below the baseline's; each sksoc estimator's step takes at most
1.25 times its hand-written loop's.

    python benchmarks/fit.py [--quick] [--datasets digits mnist1d ...]
        [--repeats 1] [--threads 1] [--out DIR] [--defaults-only | --step-only]

With ``--out DIR`` the tables are written to ``DIR/results.csv`` (one row per
data set and model), ``DIR/summary.csv`` (one row per model),
``DIR/steps.csv`` and, all together, ``DIR/results.json``.
"""

import argparse
import json
import math
import statistics
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
import skorch
import torch
from _datasets import DATASETS, load_dataset
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from skorch import NeuralNetClassifier
from skorch.callbacks import EarlyStopping
from threadpoolctl import threadpool_limits
from torch import nn
from torch.nn import functional as F

import sksoc
from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)
from sksoc.encoders import MLPEncoder
from sksoc.heads import (
    ArcFaceHead,
    ClassVectorHead,
    CombinedMarginHead,
    CosFaceHead,
    LinearHead,
    SOCHead,
    SphereFaceHead,
    product_of_marginals,
)
from sksoc.heads._soc_head import CONTRAST_ROWS_PER_ROW

QUICK_DATASETS = ("digits", "breast_cancer")
TEST_SIZE = 0.3
FIT_TIME_TARGET_VS_HGB = 1.0
ACCURACY_TOLERANCE_POINTS = 0.5
STEP_TARGET = 1.25
STEP_ROWS = 8_000
STEP_BATCH = 64
STEP_EPOCHS = 20
STEP_REPEATS = 3
SKSOC_ESTIMATORS = (
    SoftmaxClassifier,
    SOCClassifier,
    FixedRandomClassifier,
    MarginClassifier,
)
QUICK_SKSOC_ESTIMATORS = (SoftmaxClassifier, SOCClassifier)

HAND_LOOP = "torch loop, softmax network"
SOC_CONTRAST = "SOCClassifier(contrast_weight=0)"
SKORCH = "skorch NeuralNetClassifier"
MLP = "MLPClassifier"
HGB = "HistGradientBoostingClassifier"
BASELINE = "MLPClassifier(early_stopping=True)"
PLAIN_LOOP = "torch loop, nn.Linear + cross_entropy"

# With fused kernels, as the estimators build them (torch >= 2.4 on the CPU).
OPTIMIZERS = {
    "adam": partial(torch.optim.Adam, fused=True),
    "adamw": partial(torch.optim.AdamW, fused=True),
}


# -- the reference models -----------------------------------------------------


class SoftmaxNetwork(nn.Module):
    """SoftmaxClassifier's default network: an MLP encoder, then a linear layer."""

    def __init__(self, n_features_in, n_classes, embedding_dim=16):
        super().__init__()
        self.layers = nn.Sequential(
            MLPEncoder(n_features_in, embedding_dim, hidden_layer_sizes=(128,)),
            nn.Linear(embedding_dim, n_classes),
        )

    def forward(self, X):
        return self.layers(X)


class LinearCrossEntropy(nn.Module):
    """A linear layer and cross-entropy: the loss of a plain torch classifier.

    Called like an sksoc head: ``head(z, y)`` is the loss and
    ``head.logits(z)`` the class scores.
    """

    def __init__(self, n_classes, embedding_dim):
        super().__init__()
        self.linear = nn.Linear(embedding_dim, n_classes)

    def logits(self, z):
        return self.linear(z)

    def forward(self, z, target):
        return F.cross_entropy(self.linear(z), target)


class TorchLoopClassifier(ClassifierMixin, BaseEstimator):
    """An MLP encoder and a loss head trained by a hand-written torch loop.

    The whole input becomes one float32 tensor, once; each epoch visits it in
    a new order drawn with ``torch.randperm``.

    Parameters
    ----------
    head : callable, default=LinearCrossEntropy
        ``head(n_classes, embedding_dim)`` builds the loss module: ``head(z, y)``
        is the loss and ``head.logits(z)`` the class scores (every
        ``sksoc.heads`` module works so).
    hidden_layer_sizes : tuple of int, default=(128,)
        Hidden layers of the :class:`sksoc.encoders.MLPEncoder`.
    embedding_dim : int, default=16
        Output size of the encoder.
    epochs : int, default=200
        Passes over the data; no early stopping.
    batch_size : int, default=64
        Rows per step.
    lr : float, default=3e-3
        Learning rate.
    optimizer : {"adam", "adamw"}, default="adam"
        The torch optimiser.
    weight_decay : float, default=0.0
        The optimiser's weight decay.
    random_state : int, default=0
        Seed of torch's global generator, set at the start of ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_iter_ : int
        Epochs trained.
    """

    def __init__(
        self,
        head=LinearCrossEntropy,
        *,
        hidden_layer_sizes=(128,),
        embedding_dim=16,
        epochs=200,
        batch_size=64,
        lr=3e-3,
        optimizer="adam",
        weight_decay=0.0,
        random_state=0,
    ):
        self.head = head
        self.hidden_layer_sizes = hidden_layer_sizes
        self.embedding_dim = embedding_dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.random_state = random_state

    def fit(self, X, y):
        torch.manual_seed(self.random_state)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        X = torch.as_tensor(np.asarray(X), dtype=torch.float32)
        y = torch.as_tensor(y_encoded, dtype=torch.int64)
        self.encoder_ = MLPEncoder(
            X.shape[1], self.embedding_dim, tuple(self.hidden_layer_sizes)
        )
        self.head_ = self.head(len(self.classes_), self.embedding_dim)
        optimizer = OPTIMIZERS[self.optimizer](
            [*self.encoder_.parameters(), *self.head_.parameters()],
            lr=self.lr,
            weight_decay=self.weight_decay,
        )
        for _ in range(self.epochs):
            order = torch.randperm(len(X))
            for start in range(0, len(X), self.batch_size):
                rows = order[start : start + self.batch_size]
                optimizer.zero_grad()
                contrast_weight = getattr(self.head_, "contrast_weight", 0.0)
                if contrast_weight > 0.0:
                    # The SOC head's contrast term, as SOCClassifier adds it:
                    # its rows encoded in the batch's forward pass.
                    n = math.ceil(CONTRAST_ROWS_PER_ROW * len(rows))
                    contrast = product_of_marginals(X[rows], n)
                    both = self.encoder_(torch.cat([X[rows], contrast]))
                    z = both[: len(rows)]
                    loss = self.head_(z, y[rows])
                    loss = loss + contrast_weight * self.head_.contrast_loss(
                        z[:n], both[len(rows) :], y[rows][:n]
                    )
                else:
                    z = self.encoder_(X[rows])
                    loss = self.head_(z, y[rows])
                loss.backward()
                optimizer.step()
        self.n_iter_ = self.epochs
        return self

    def predict(self, X):
        self.encoder_.eval()
        self.head_.eval()
        with torch.no_grad():
            z = self.encoder_(torch.as_tensor(np.asarray(X), dtype=torch.float32))
            positions = self.head_.logits(z).argmax(dim=1).numpy()
        return self.classes_[positions]


def as_float32(X):
    """The input skorch's torch modules need."""
    return np.asarray(X, dtype=np.float32)


def skorch_classifier(n_features, n_classes, **params):
    """skorch's NeuralNetClassifier on SoftmaxClassifier's network."""
    return NeuralNetClassifier(
        SoftmaxNetwork,
        module__n_features_in=n_features,
        module__n_classes=n_classes,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=3e-3,
        batch_size=64,
        verbose=0,
        **params,
    )


def batch_size_of(estimator):
    """The batch size a fitted sksoc estimator trained with."""
    return getattr(estimator, "batch_size_", estimator.batch_size)


def epochs_of(model):
    """Epochs a fitted model (or the last step of a pipeline) trained for."""
    model = model[-1] if hasattr(model, "steps") else model
    if isinstance(model, NeuralNetClassifier):
        return len(model.history)
    return model.n_iter_


# -- the heads of the hand-written loops --------------------------------------


# Each returns ``head(n_classes, embedding_dim)`` building the head that the
# estimator trains, with the estimator's parameters.


def linear_head_like(estimator):
    params = estimator.get_params()
    return partial(LinearHead, bias=params["bias"], chunk_size=params["chunk_size"])


def soc_head_like(estimator):
    params = estimator.get_params()
    return partial(
        SOCHead,
        learn_scale=params["learn_scale"],
        class_loss_weight=params["class_loss_weight"],
        class_loss_sample_size=params["class_loss_sample_size"],
        likelihood_weight=params["likelihood_weight"],
        label_smoothing=params["label_smoothing"],
        contrast_weight=params["contrast_weight"],
        chunk_size=params["chunk_size"],
    )


def class_vector_head_like(estimator):
    params = estimator.get_params()
    return partial(
        ClassVectorHead,
        similarity=params["similarity"],
        scale=params["scale"],
        fixed=params["fixed"],
        bias=params["bias"],
        init=params["init"],
        chunk_size=params["chunk_size"],
    )


MARGIN_HEADS = {
    "arcface": ArcFaceHead,
    "cosface": CosFaceHead,
    "sphereface": SphereFaceHead,
    "combined": CombinedMarginHead,
}


def margin_head_like(estimator):
    """The margin head of a fitted MarginClassifier (its ``scale_`` resolves "auto")."""
    params = estimator.get_params()
    head_params = {
        "scale": estimator.scale_,
        "sub_centers": params["sub_centers"],
        "easy_margin": params["easy_margin"],
        "chunk_size": params["chunk_size"],
    }
    if params["margin_type"] == "combined":
        if params["margins"] is not None:
            head_params["margins"] = params["margins"]
    elif params["margin"] is not None:
        head_params["margin"] = params["margin"]
    if params["margin_type"] == "sphereface":
        head_params["annealing"] = params["annealing"]
    return partial(MARGIN_HEADS[params["margin_type"]], **head_params)


HEAD_LIKE = {
    SoftmaxClassifier: linear_head_like,
    SOCClassifier: soc_head_like,
    FixedRandomClassifier: class_vector_head_like,
    MarginClassifier: margin_head_like,
}


def hidden_layer_sizes_of(estimator):
    """The hidden widths of a fitted estimator's MLP encoder ("auto" resolved)."""
    encoder = estimator.net_.module_
    assert isinstance(encoder, MLPEncoder), type(encoder)
    linears = [layer for layer in encoder.modules() if isinstance(layer, nn.Linear)]
    return tuple(layer.out_features for layer in linears[:-1])


def hand_loop_like(estimator, epochs):
    """A hand-written loop with the encoder, head and optimiser of ``estimator``."""
    params = estimator.get_params()
    return TorchLoopClassifier(
        HEAD_LIKE[type(estimator)](estimator),
        hidden_layer_sizes=hidden_layer_sizes_of(estimator),
        embedding_dim=params["embedding_dim"],
        epochs=epochs,
        batch_size=batch_size_of(estimator),
        lr=params["lr"],
        optimizer=params["optimizer"],
        weight_decay=params["weight_decay"],
    )


# -- timing -------------------------------------------------------------------


def timed_fit(model, X, y):
    """Fit ``model`` after seeding torch's global generator; return the seconds."""
    torch.manual_seed(0)
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def warm_up(sksoc_estimators):
    """One short fit of each model, so that no timing pays torch's start-up."""
    X, y = make_classification(n_samples=256, n_features=8, random_state=0)
    for Estimator in sksoc_estimators:
        Estimator(max_epochs=1, random_state=0).fit(X, y)
    TorchLoopClassifier(epochs=1).fit(X, y)
    skorch_classifier(8, 2, max_epochs=1).fit(as_float32(X), y)
    MLPClassifier(max_iter=1, random_state=0).fit(X, y)
    HistGradientBoostingClassifier(max_iter=1, random_state=0).fit(X, y)


def geometric_mean(values):
    return math.exp(statistics.fmean(math.log(value) for value in values))


def met(condition):
    return "met" if condition else "NOT met"


# -- (a) the defaults table ---------------------------------------------------


def default_models(sksoc_estimators, quick):
    """Factories of the models of the defaults table but the hand loop and skorch."""
    models = {
        Estimator.__name__: partial(Estimator, random_state=0)
        for Estimator in sksoc_estimators
    }
    if not quick:
        # SOC without its contrast term (on by default): what the term
        # costs (user guide, SOC).
        models[SOC_CONTRAST] = partial(
            SOCClassifier, contrast_weight=0.0, random_state=0
        )
        models[MLP] = partial(MLPClassifier, random_state=0)
    models[HGB] = partial(HistGradientBoostingClassifier, random_state=0)
    models[BASELINE] = partial(MLPClassifier, early_stopping=True, random_state=0)
    return models


def benchmark_defaults_on(name, args, sksoc_estimators):
    """Fit every model on one data set; one result row per model."""
    data = load_dataset(name)
    X_train, X_test, y_train, y_test = train_test_split(
        data.X, data.y, test_size=TEST_SIZE, stratify=data.y, random_state=0
    )
    n_features = clone(data.preprocessor).fit_transform(X_train).shape[1]
    n_classes = len(np.unique(y_train))
    models = default_models(sksoc_estimators, args.quick)
    # SoftmaxClassifier comes first: the hand loop runs for as many epochs.
    names = [Estimator.__name__ for Estimator in sksoc_estimators] + [HAND_LOOP]
    if not args.quick:
        names += [SOC_CONTRAST, SKORCH, MLP]
    names += [HGB, BASELINE]

    seconds = {model: [] for model in names}
    fitted = {}
    for _ in range(args.repeats):
        for model in names:
            if model == HAND_LOOP:
                softmax = fitted[SoftmaxClassifier.__name__][-1]
                estimator = hand_loop_like(softmax, epochs=softmax.n_iter_)
            elif model == SKORCH:
                estimator = skorch_classifier(
                    n_features,
                    n_classes,
                    max_epochs=200,
                    callbacks=[EarlyStopping(patience=10)],
                )
            else:
                estimator = models[model]()
            steps = [clone(data.preprocessor), estimator]
            if model == SKORCH:
                # Labels are int64 already; skorch's modules need float32 input.
                steps.insert(1, FunctionTransformer(as_float32))
            pipeline = make_pipeline(*steps)
            seconds[model].append(timed_fit(pipeline, X_train, y_train))
            fitted[model] = pipeline

    print(
        f"\n{name}: {data.description}; {len(y_train)} train / {len(y_test)} test "
        f"rows, {n_features} features after preprocessing"
    )
    print(
        f"  {'model':38} {'fit s':>8} {'/HGB':>6} {'/base':>6} {'accuracy':>8} "
        f"{'balanced':>8} {'epochs':>6}"
    )
    hgb_seconds = statistics.median(seconds[HGB])
    baseline_seconds = statistics.median(seconds[BASELINE])
    rows = []
    for model in names:
        predicted = fitted[model].predict(X_test)
        fit_seconds = statistics.median(seconds[model])
        row = {
            "dataset": name,
            "n_train": len(y_train),
            "n_test": len(y_test),
            "n_features": n_features,
            "n_classes": n_classes,
            "model": model,
            "fit_seconds": fit_seconds,
            "ratio_to_hgb": fit_seconds / hgb_seconds,
            "ratio_to_baseline": fit_seconds / baseline_seconds,
            "accuracy": accuracy_score(y_test, predicted),
            "balanced_accuracy": balanced_accuracy_score(y_test, predicted),
            "epochs": epochs_of(fitted[model]),
        }
        rows.append(row)
        print(
            f"  {model:38} {fit_seconds:8.2f} {row['ratio_to_hgb']:5.2f}x "
            f"{row['ratio_to_baseline']:5.2f}x "
            f"{row['accuracy']:8.4f} {row['balanced_accuracy']:8.4f} "
            f"{row['epochs']:6d}",
            flush=True,
        )
    return rows


def summarise(results):
    """Per model: the geometric means of the time ratios, the mean accuracies."""
    frame = pd.DataFrame(results)
    baseline_accuracy = frame.loc[frame["model"] == BASELINE, "accuracy"].mean()
    summary = []
    for model, rows in frame.groupby("model", sort=False):
        mean_accuracy = rows["accuracy"].mean()
        summary.append(
            {
                "model": model,
                "geomean_ratio_to_hgb": geometric_mean(rows["ratio_to_hgb"]),
                "geomean_ratio_to_baseline": geometric_mean(rows["ratio_to_baseline"]),
                "mean_accuracy": mean_accuracy,
                "mean_balanced_accuracy": rows["balanced_accuracy"].mean(),
                "accuracy_difference_points": 100 * (mean_accuracy - baseline_accuracy),
            }
        )
    return summary


def defaults_targets(summary, sksoc_estimators):
    """The target lines of the defaults table."""
    by_model = {row["model"]: row for row in summary}
    targets = []
    for Estimator in sksoc_estimators:
        ratio = by_model[Estimator.__name__]["geomean_ratio_to_hgb"]
        targets.append(
            f"{Estimator.__name__} fit time, geometric mean {ratio:.2f}x <= "
            f"{FIT_TIME_TARGET_VS_HGB:.1f}x {HGB}'s: "
            f"{met(ratio <= FIT_TIME_TARGET_VS_HGB)}"
        )
    for Estimator in sksoc_estimators:
        difference = by_model[Estimator.__name__]["accuracy_difference_points"]
        targets.append(
            f"{Estimator.__name__} mean accuracy {difference:+.2f} points >= "
            f"-{ACCURACY_TOLERANCE_POINTS} against {BASELINE}: "
            f"{met(difference >= -ACCURACY_TOLERANCE_POINTS)}"
        )
    return targets


def benchmark_defaults(args, sksoc_estimators):
    print(
        f"\n== Defaults: a stratified {1 - TEST_SIZE:.0%}/{TEST_SIZE:.0%} split, "
        "every model at its defaults in make_pipeline(preprocessor, model); "
        f"/HGB = fit time / {HGB}'s, /base = fit time / {BASELINE}'s =="
    )
    warm_up(sksoc_estimators)
    results = []
    for name in args.datasets:
        results += benchmark_defaults_on(name, args, sksoc_estimators)
    summary = summarise(results)
    print(
        f"\nOver {len(args.datasets)} data set(s): geometric means of the time "
        f"ratios; accuracy points against {BASELINE}:"
    )
    print(
        f"  {'model':38} {'/HGB':>8} {'/base':>8} {'accuracy':>8} {'balanced':>8} "
        f"{'points':>7}"
    )
    for row in summary:
        print(
            f"  {row['model']:38} {row['geomean_ratio_to_hgb']:7.2f}x "
            f"{row['geomean_ratio_to_baseline']:7.2f}x "
            f"{row['mean_accuracy']:8.4f} {row['mean_balanced_accuracy']:8.4f} "
            f"{row['accuracy_difference_points']:+7.2f}"
        )
    targets = defaults_targets(summary, sksoc_estimators)
    print("Targets:")
    for line in targets:
        print(f"  {line}")
    return results, summary, targets


# -- (b) the step-time table --------------------------------------------------


def step_estimator(Estimator, epochs):
    """An sksoc estimator that trains exactly ``epochs`` epochs and nothing more."""
    params = {
        "batch_size": STEP_BATCH,
        "max_epochs": epochs,
        "n_iter_no_change": epochs + 1,
        "early_stopping": False,
        "random_state": 0,
    }
    if "calibration" in Estimator().get_params():
        params["calibration"] = None
    return Estimator(**params)


def step_models(sksoc_estimators, X, y):
    """Factories ``epochs -> unfitted model``, each paired with its reference.

    The head of each hand-written loop is built from an estimator fitted for
    one epoch (which also warms up torch).
    """
    factories = {}
    references = {}
    for Estimator in sksoc_estimators:
        name = Estimator.__name__
        loop = f"torch loop, {name}'s head"
        one_epoch = step_estimator(Estimator, 1).fit(X, y)
        factories[name] = partial(step_estimator, Estimator)
        factories[loop] = partial(hand_loop_like, one_epoch)
        references[name] = loop
    n_classes = len(np.unique(y))
    factories[PLAIN_LOOP] = lambda epochs: TorchLoopClassifier(
        epochs=epochs, batch_size=STEP_BATCH
    )
    factories[SKORCH] = lambda epochs: skorch_classifier(
        X.shape[1], n_classes, max_epochs=epochs, train_split=None
    )
    factories[MLP] = lambda epochs: MLPClassifier(
        hidden_layer_sizes=(128, 16),
        batch_size=STEP_BATCH,
        learning_rate_init=3e-3,
        max_iter=epochs,
        n_iter_no_change=epochs + 1,
        tol=0.0,
        shuffle=True,
        random_state=0,
    )
    references[SKORCH] = PLAIN_LOOP
    references[MLP] = PLAIN_LOOP
    return factories, references


def benchmark_steps(args, sksoc_estimators):
    epochs = 2 if args.quick else STEP_EPOCHS
    repeats = 1 if args.quick else STEP_REPEATS
    X, y = make_classification(
        n_samples=STEP_ROWS,
        n_features=20,
        n_informative=10,
        n_classes=4,
        random_state=0,
    )
    X = StandardScaler().fit_transform(X).astype(np.float32)
    y = y.astype(np.int64)
    steps = epochs * math.ceil(len(X) / STEP_BATCH)
    print(
        f"\n== Steps: network 20 -> 128 -> 16 -> 4 classes, {len(X)} rows, batch "
        f"{STEP_BATCH}, {epochs} epochs ({steps} steps) per fit, no early stopping, "
        f"{args.threads} thread(s); median of {repeats} round-robin repeat(s) =="
    )
    factories, references = step_models(sksoc_estimators, X, y)
    already_fitted = {Estimator.__name__ for Estimator in sksoc_estimators}
    for name, factory in factories.items():  # warm up every other code path
        if name not in already_fitted:
            timed_fit(factory(1), X, y)
    seconds = {name: [] for name in factories}
    for _ in range(repeats):
        for name, factory in factories.items():
            seconds[name].append(timed_fit(factory(epochs), X, y))

    print(f"  {'model':44} {'ms/step':>8} {'ratio':>6}  to")
    rows = []
    targets = []
    for name, values in seconds.items():
        ms_per_step = 1e3 * statistics.median(values) / steps
        rows.append(
            {
                "model": name,
                "ms_per_step": ms_per_step,
                "reference": references.get(name),
                "ratio_to_reference": None,
                "epochs": epochs,
                "steps": steps,
                "batch_size": STEP_BATCH,
                "threads": args.threads,
            }
        )
    ms_of = {row["model"]: row["ms_per_step"] for row in rows}
    for row in rows:
        name = row["model"]
        if name not in references:  # a reference loop
            print(f"  {name:44} {row['ms_per_step']:8.3f}")
            continue
        ratio = row["ms_per_step"] / ms_of[references[name]]
        row["ratio_to_reference"] = ratio
        print(
            f"  {name:44} {row['ms_per_step']:8.3f} {ratio:5.2f}x  {references[name]}"
        )
        if name in already_fitted:
            targets.append(
                f"{name} time per step {ratio:.2f}x <= {STEP_TARGET}x the "
                f"hand-written loop: {met(ratio <= STEP_TARGET)}"
            )
    print("Targets:")
    for line in targets:
        print(f"  {line}")
    return rows, targets


# -- the command --------------------------------------------------------------


CSV_FORMAT = {"index": False, "float_format": "%.4f"}


def write_results(out, header, defaults, summary, steps, targets):
    out.mkdir(parents=True, exist_ok=True)
    if defaults:
        pd.DataFrame(defaults).to_csv(out / "results.csv", **CSV_FORMAT)
        pd.DataFrame(summary).to_csv(out / "summary.csv", **CSV_FORMAT)
    if steps:
        pd.DataFrame(steps).to_csv(out / "steps.csv", **CSV_FORMAT)
    everything = {
        "header": header,
        "defaults": defaults,
        "summary": summary,
        "steps": steps,
        "targets": targets,
    }
    (out / "results.json").write_text(json.dumps(everything, indent=2) + "\n")
    print(f"\nWrote the results to {out}/")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=DATASETS,
        default=None,
        help=f"data sets of the defaults table (default: all; with --quick "
        f"{' '.join(QUICK_DATASETS)})",
    )
    parser.add_argument("--repeats", type=int, default=1, help="fits per model")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch, BLAS and OpenMP threads (default 1)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: two small data sets, fewer models, 2 epochs of steps",
    )
    parser.add_argument("--out", type=Path, help="folder for the CSV and JSON files")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--defaults-only", action="store_true")
    only.add_argument("--step-only", action="store_true")
    args = parser.parse_args()
    if args.datasets is None:
        args.datasets = list(QUICK_DATASETS if args.quick else DATASETS)
    return args


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    sksoc_estimators = QUICK_SKSOC_ESTIMATORS if args.quick else SKSOC_ESTIMATORS
    header = (
        f"sksoc {sksoc.__version__}, torch {torch.__version__}, scikit-learn "
        f"{sklearn.__version__}, skorch {skorch.__version__}; {args.threads} "
        f"thread(s) for torch, BLAS and OpenMP; fit times are medians of "
        f"{args.repeats} repeat(s){' (quick run)' if args.quick else ''}"
    )
    print(header)
    defaults, summary, steps, targets = [], [], [], []
    start = time.perf_counter()
    with threadpool_limits(limits=args.threads):
        if not args.step_only:
            defaults, summary, default_targets = benchmark_defaults(
                args, sksoc_estimators
            )
            targets += default_targets
        if not args.defaults_only:
            steps, step_targets = benchmark_steps(args, sksoc_estimators)
            targets += step_targets
    print(f"\nTotal time {time.perf_counter() - start:.0f} s")
    if args.out is not None:
        write_results(args.out, header, defaults, summary, steps, targets)


if __name__ == "__main__":
    main()
