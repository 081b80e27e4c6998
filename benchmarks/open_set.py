"""Open-set recognition: does a model's familiarity score flag the unfamiliar?

Run ``python benchmarks/open_set.py --out docs/user_guide/_generated/open_set.csv``
(``--seeds 0 --data digits`` for a quick look).
Each estimator is trained, at its defaults, on some classes of a data set;
its familiarity score (higher = more familiar) should then be higher on
held-out rows of those classes (the *known*, positives) than on rows of the
unseen classes or of no class at all (the *unknown*). On two arrays
(``_datasets.py``, standardised on the training rows), the cases are:

- near-OOD: ``digits`` trained on 0-5, unknown 6-9; ``mnist1d`` (12,000 rows)
  trained on 0-4, unknown 5-9. Every row of the unseen classes is unknown.
- far-OOD, for both data sets: uniform noise over each feature's training
  range, and held-out known rows whose features are shuffled within the row.

Known rows are a stratified 30% of the known classes, never trained on. On
three raw DataFrames of ``_tabular_sets.py`` (numeric, boolean and text
columns, NaN; every model fits them as they are), with
:func:`tabular_split`'s 75/25 split, the known rows are the test rows of
the known classes and the cases are:

- near-OOD: ``multiclass_32`` (generated, 32 classes) trained on its first
  24 classes (sorted labels), unknown every row of the other 8.
- far-OOD, on ``multiclass_32`` and on two real sets whose columns depend
  on each other, ``diamonds`` (carat, dimensions and price; its training
  split subsampled to 12,000 rows, stratified) and ``computers`` (price,
  memory, disk and time), trained on every class: noise, each column on
  its own (a number uniform over the column's training range, rounded in
  an integer column; a text or boolean column one of its training levels,
  drawn uniformly; the dtypes kept), and the known rows with their
  *columns shuffled*, each column permuted on its own. Every column keeps
  its values, but a row's values come from different rows, so the ties
  between the columns are gone: such rows are off the data.

The split, the subsample, the networks and the noise follow each seed.
The scores:

- ``SOC density``: :meth:`sksoc.SOCClassifier.score_samples`, the mixture
  log-density of the embedding; ``SOC max probability``: its largest class
  probability. The same two for ``SOCClassifier(contrast_weight=0)``, SOC
  without its contrast term (on by default; its targets are printed too).
- ``Fixed cosine`` and ``Margin cosine``: the ``score_samples`` of
  :class:`~sksoc.FixedRandomClassifier` and :class:`~sksoc.MarginClassifier`,
  the scaled largest cosine to a class vector.
- On :class:`~sksoc.SoftmaxClassifier`: the max-softmax probability, the
  energy (its ``score_samples``, the log-sum-exp of the logits), the
  Mahalanobis distance of the embedding to the nearest class under
  class-conditional Gaussians with one shared covariance fitted on the
  training embeddings, and the distance to the k-th nearest training
  embedding (both negated, so that higher is more familiar).
- On the features: ``LocalOutlierFactor(novelty=True)`` and
  ``IsolationForest``, their ``score_samples``. The features are the
  standardised array, or for a DataFrame the (dense) output of
  :class:`sksoc.preprocessing.TabularPreprocessor` fitted on the training
  rows.

For the two heads on the sphere, on the array sets only, it also compares
their largest cosine with a mixture of von Mises-Fisher distributions on
the same class vectors, ``log sum_c prior_c exp(kappa cos(z, w_c))``, with
one concentration ``kappa`` either fitted to the training embeddings
(Banerjee et al.'s approximation from the mean resultant length of the
classes) or set to the head's logit scale.

It prints one table per metric (AUROC, and the false-positive rate at 95%
true-positive rate, lower is better), averaged over the seeds, the known
rows' accuracy of each network, and one line per target that SOCClassifier
is held to, at its defaults and without the contrast term (each line states
the target and the measured value, "met" or "NOT met"): the SOC density's
AUROC at least 0.99 on every far-OOD case; on every near-OOD case above the
softmax network's max probability and energy; on the digits at least 0.97
and within 0.005 of the best score of the table. The accuracy targets (the
array sets, all ten classes, a stratified 70/30 split) and the
``add_classes`` target (digits trained on 0-7, then 8 and 9 added from
their training rows alone) are measured here too, next to the ceiling of
the frozen encoder (a logistic regression on its embeddings of every
training row of all ten classes). ``--data`` runs some data sets only: the
accuracy runs follow the array sets among them, ``add_classes`` the digits,
and the targets of what was not run are left out. ``--out`` writes the
AUROC table to that CSV file and the others next to it (``*_fpr.csv``,
``*_accuracy.csv``, and ``*_vmf.csv`` for the sphere comparison), for the
user guide.
"""

import argparse
import csv
import pathlib
import sys
import time
from typing import NamedTuple

import numpy as np
import pandas as pd
import torch
from scipy.special import logsumexp
from sklearn.ensemble import IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors

# Its siblings: run as a script, this folder is on the path already; imported
# (by the docs' tests), it is appended, so that it shadows no package.
if str(pathlib.Path(__file__).parent) not in sys.path:
    sys.path.append(str(pathlib.Path(__file__).parent))
from _datasets import load_dataset
from _tabular_sets import tabular_split

from sksoc import (
    FixedRandomClassifier,
    MarginClassifier,
    SOCClassifier,
    SoftmaxClassifier,
)
from sksoc.metrics import fpr_at_tpr, open_set_auroc
from sksoc.preprocessing import TabularPreprocessor

# How many classes are known, the first of the sorted labels; None: all of
# them, and the data set has no case of unseen classes.
N_KNOWN = {
    "digits": 6,
    "mnist1d": 5,
    "multiclass_32": 24,
    "diamonds": None,
    "computers": None,
}
ARRAY_SETS = ("digits", "mnist1d")  # the others are raw DataFrames
TRAIN_ROWS = {"diamonds": 12_000}  # a seeded subsample of the training split
CASE_NAMES = {
    ("digits", "unseen"): "digits 0-5 / 6-9",
    ("mnist1d", "unseen"): "MNIST-1D 0-4 / 5-9",
    ("digits", "noise"): "digits / noise",
    ("digits", "shuffled"): "digits / shuffled",
    ("mnist1d", "noise"): "MNIST-1D / noise",
    ("mnist1d", "shuffled"): "MNIST-1D / shuffled",
    ("multiclass_32", "unseen"): "multiclass_32 24 / 8",
    ("multiclass_32", "noise"): "multiclass_32 / noise",
    ("multiclass_32", "shuffled columns"): "multiclass_32 / shuffled columns",
    ("diamonds", "noise"): "diamonds / noise",
    ("diamonds", "shuffled columns"): "diamonds / shuffled columns",
    ("computers", "noise"): "computers / noise",
    ("computers", "shuffled columns"): "computers / shuffled columns",
}
# SOCClassifier without its contrast term (on by default), as a variant, and
# its name in the tables.
TERM_OFF_PARAMS = {"contrast_weight": 0}
TERM_OFF = ", ".join(f"{key}={value}" for key, value in TERM_OFF_PARAMS.items())
SCORES = (
    "SOC density",
    "SOC max probability",
    f"SOC density, {TERM_OFF}",
    f"SOC max probability, {TERM_OFF}",
    "Fixed cosine",
    "Margin cosine",
    "Softmax max probability",
    "Softmax energy",
    "Softmax Mahalanobis",
    "Softmax k-NN distance",
    "LocalOutlierFactor (features)",
    "IsolationForest (features)",
)
SPHERE_SCORES = (
    "Fixed: largest cosine",
    "Fixed: vMF mixture, fitted kappa",
    "Fixed: vMF mixture, kappa = scale",
    "Margin: largest cosine",
    "Margin: vMF mixture, fitted kappa",
    "Margin: vMF mixture, kappa = scale",
)
N_NEIGHBORS = 10
# add_classes' target: the new classes' accuracy over the frozen encoder's
# logistic-regression ceiling.
NEW_CLASSES_SHARE = 0.95


def split(name, seed):
    """``X_train, X_test, y_train, y_test`` of a data set.

    An array set is standardised on a stratified 70%; a DataFrame set is
    :func:`tabular_split`'s raw 75/25 split, its training part subsampled
    (stratified, seeded) to :data:`TRAIN_ROWS` where the set has an entry.
    """
    if name not in ARRAY_SETS:
        X_train, X_test, y_train, y_test = tabular_split(name, seed)
        if name in TRAIN_ROWS:
            X_train, _, y_train, _ = train_test_split(
                X_train,
                y_train,
                train_size=TRAIN_ROWS[name],
                stratify=y_train,
                random_state=seed,
            )
        return X_train, X_test, y_train, y_test
    data = load_dataset(name)
    X_train, X_test, y_train, y_test = train_test_split(
        data.X, data.y, test_size=0.3, stratify=data.y, random_state=seed
    )
    scaler = data.preprocessor.fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


class Mahalanobis:
    """Class-conditional Gaussians with one shared covariance, on embeddings."""

    def fit(self, Z, y):
        self.means_ = np.stack([Z[y == c].mean(0) for c in np.unique(y)])
        centred = Z - self.means_[np.searchsorted(np.unique(y), y)]
        covariance = centred.T @ centred / len(Z)
        self.precision_ = np.linalg.pinv(covariance)
        return self

    def score_samples(self, Z):
        difference = Z[:, None, :] - self.means_[None]
        distances = np.einsum("ncd,de,nce->nc", difference, self.precision_, difference)
        return -distances.min(axis=1)


class KthNeighbour:
    """Minus the distance to the k-th nearest training embedding."""

    def fit(self, Z):
        self.neighbours_ = NearestNeighbors(n_neighbors=N_NEIGHBORS).fit(Z)
        return self

    def score_samples(self, Z):
        return -self.neighbours_.kneighbors(Z)[0][:, -1]


class VonMisesFisherMixture:
    """``log sum_c prior_c exp(kappa cos(z, w_c))`` on a model's class vectors.

    The normalising constant is the same for every class (one ``kappa``) and
    is left out. Without ``kappa``, it is fitted on the training embeddings:
    ``R (D - R^2) / (1 - R^2)``, with ``R`` the classes' mean resultant
    length (Banerjee et al., 2005).
    """

    def __init__(self, kappa=None):
        self.kappa = kappa

    def fit(self, model, X, y):
        self.model_ = model
        self.vectors_ = _unit(model.class_embeddings_)
        classes, counts = np.unique(y, return_counts=True)
        self.log_prior_ = np.log(counts / counts.sum())
        Z = _unit(model.transform(X))
        R = np.mean([np.linalg.norm(Z[y == c].mean(0)) for c in classes])
        D = Z.shape[1]
        self.kappa_ = self.kappa or R * (D - R**2) / (1 - R**2)
        return self

    def score_samples(self, X):
        cosines = _unit(self.model_.transform(X)) @ self.vectors_.T
        return logsumexp(self.kappa_ * cosines + self.log_prior_, axis=1)


def _unit(Z):
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def feature_map(X_fit):
    """What the feature-space detectors see: the (standardised) array itself,
    or a DataFrame's dense :class:`~sksoc.preprocessing.TabularPreprocessor`
    output, fitted on ``X_fit``."""
    if isinstance(X_fit, pd.DataFrame):
        return TabularPreprocessor().fit(X_fit).transform
    return lambda X: X


def open_set_scores(X_fit, y_fit, seed):
    """Every model fitted on ``(X_fit, y_fit)``, an array or a raw DataFrame.

    Returns ``{score name: function of X}``, ``{model name: model}`` and the
    fitted vMF concentrations, ``{"Fixed" or "Margin": kappa}``.
    """
    soc = SOCClassifier(random_state=seed).fit(X_fit, y_fit)
    soc_term_off = SOCClassifier(random_state=seed, **TERM_OFF_PARAMS).fit(X_fit, y_fit)
    fixed = FixedRandomClassifier(random_state=seed).fit(X_fit, y_fit)
    margin = MarginClassifier(random_state=seed).fit(X_fit, y_fit)
    softmax = SoftmaxClassifier(random_state=seed).fit(X_fit, y_fit)
    embedding = softmax.transform(X_fit)
    mahalanobis = Mahalanobis().fit(embedding, y_fit)
    neighbours = KthNeighbour().fit(embedding)
    features = feature_map(X_fit)
    lof = LocalOutlierFactor(novelty=True).fit(features(X_fit))
    forest = IsolationForest(random_state=seed).fit(features(X_fit))
    functions = dict(
        zip(
            SCORES,
            [
                soc.score_samples,
                lambda X: soc.predict_proba(X).max(1),
                soc_term_off.score_samples,
                lambda X: soc_term_off.predict_proba(X).max(1),
                fixed.score_samples,
                margin.score_samples,
                lambda X: softmax.predict_proba(X).max(1),
                softmax.score_samples,
                lambda X: mahalanobis.score_samples(softmax.transform(X)),
                lambda X: neighbours.score_samples(softmax.transform(X)),
                lambda X: lof.score_samples(features(X)),
                lambda X: forest.score_samples(features(X)),
            ],
            strict=True,
        )
    )
    kappas = {}
    for name, model, scale in (
        ("Fixed", fixed, fixed.scale),
        ("Margin", margin, margin.scale_),
    ):
        fitted = VonMisesFisherMixture().fit(model, X_fit, y_fit)
        at_scale = VonMisesFisherMixture(scale).fit(model, X_fit, y_fit)
        functions[f"{name}: largest cosine"] = model.score_samples
        functions[f"{name}: vMF mixture, fitted kappa"] = fitted.score_samples
        functions[f"{name}: vMF mixture, kappa = scale"] = at_scale.score_samples
        kappas[name] = fitted.kappa_
    models = {
        "SOC": soc,
        f"SOC, {TERM_OFF}": soc_term_off,
        "Fixed": fixed,
        "Margin": margin,
        "Softmax": softmax,
    }
    return functions, models, kappas


def unknown_rows(kinds, X_train, X_known, X_unseen, seed):
    """``{kind: rows}`` for each of ``kinds``.

    "unseen": ``X_unseen``, the rows of the classes not trained on; "noise":
    :func:`uniform_noise`, as many rows as ``X_known``; "shuffled": the rows
    of ``X_known`` (an array), each with its features in a random order;
    "shuffled columns": :func:`shuffled_columns` of ``X_known``.
    """
    rng = np.random.default_rng([12, seed])
    makers = {  # in the order of their draws from rng
        "unseen": lambda: X_unseen,
        "shuffled": lambda: np.take_along_axis(
            X_known, rng.permuted(np.indices(X_known.shape)[1], axis=1), axis=1
        ),
        "shuffled columns": lambda: shuffled_columns(X_known, rng),
        "noise": lambda: uniform_noise(X_train, len(X_known), rng),
    }
    return {kind: make() for kind, make in makers.items() if kind in kinds}


def uniform_noise(X_train, n_rows, rng):
    """``n_rows`` rows of noise, each column on its own.

    A number is uniform over the column's range in ``X_train`` (rounded in
    an integer column); in a DataFrame, a text, boolean or other
    non-numeric column gets one of its levels seen in ``X_train``, drawn
    uniformly. The dtypes are ``X_train``'s.
    """
    if not isinstance(X_train, pd.DataFrame):
        low, high = X_train.min(0), X_train.max(0)
        return rng.uniform(low, high, size=(n_rows, X_train.shape[1]))
    noise = {}
    for name, column in X_train.items():
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(
            column
        ):
            levels = column.dropna().unique()
            values = levels[rng.integers(len(levels), size=n_rows)]
        else:
            values = rng.uniform(column.min(), column.max(), size=n_rows)
            if pd.api.types.is_integer_dtype(column):
                values = np.rint(values)
        noise[name] = pd.Series(values, dtype=column.dtype)
    return pd.DataFrame(noise)


def shuffled_columns(X, rng):
    """``X``, a DataFrame, with each column permuted on its own.

    Every column keeps its values and its dtype, but a row's values come
    from different rows: what ties the columns together is gone.
    """
    return pd.DataFrame(
        {
            name: column.iloc[rng.permutation(len(X))].to_numpy()
            for name, column in X.items()
        }
    ).astype(X.dtypes.to_dict())


def run_open_set(seeds, names=tuple(N_KNOWN)):
    """Per case, score and seed: ``(auroc, fpr)``; the known rows'
    accuracies, ``{(data set and classes, model): [per seed]}``; the fitted
    vMF concentrations, ``{(data set, model): [per seed]}``."""
    results, accuracy, kappas = {}, {}, {}
    for name in names:
        for seed in seeds:
            start = time.perf_counter()
            case = case_rows(name, seed)
            X_known, unknown = case.X_known, case.unknown
            functions, models, fitted_kappas = open_set_scores(
                case.X_fit, case.y_fit, seed
            )
            for model_name, kappa in fitted_kappas.items():
                kappas.setdefault((name, model_name), []).append(kappa)
            classes = np.unique(case.y_fit)
            if N_KNOWN[name] is None:
                trained_on = f"{name}, all classes"
            else:
                trained_on = f"{name}, classes {classes[0]}-{classes[-1]}"
            for model_name, model in models.items():
                accuracy.setdefault((trained_on, model_name), []).append(
                    model.score(X_known, case.y_known)
                )
            for score, function in functions.items():
                on_known = function(X_known)
                for kind, rows in unknown.items():
                    on_unknown = function(rows)
                    results.setdefault((name, kind, score), []).append(
                        (
                            open_set_auroc(on_known, on_unknown),
                            fpr_at_tpr(on_known, on_unknown, tpr=0.95),
                        )
                    )
            print(
                f"  {name} seed {seed}: {time.perf_counter() - start:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    return results, accuracy, kappas


class CaseRows(NamedTuple):
    """The rows of one data set's cases, for one seed."""

    X_fit: object  # the training rows of the known classes
    y_fit: np.ndarray
    X_known: object  # held-out rows of the known classes (positives)
    y_known: np.ndarray
    unknown: dict  # {kind: rows} of the set's cases in CASE_NAMES


def case_rows(name, seed):
    """The training, known and unknown rows of data set ``name``'s cases."""
    kinds = [kind for data, kind in CASE_NAMES if data == name]
    X_train, X_test, y_train, y_test = split(name, seed)
    classes = np.unique(y_train)[: N_KNOWN[name]]
    fit, known = np.isin(y_train, classes), np.isin(y_test, classes)
    X_known = X_test[known]
    X_unseen = _stacked(X_train[~fit], X_test[~known])
    return CaseRows(
        X_train[fit],
        y_train[fit],
        X_known,
        y_test[known],
        unknown_rows(kinds, X_train, X_known, X_unseen, seed),
    )


def _stacked(first, second):
    """The rows of ``first`` then ``second``, arrays or DataFrames."""
    if isinstance(first, pd.DataFrame):
        return pd.concat([first, second])
    return np.r_[first, second]


def run_accuracy(seeds, names=ARRAY_SETS):
    """Test accuracy on all classes: ``{(data set, model): [per seed]}``."""
    accuracy = {}
    for name in names:
        for seed in seeds:
            X_train, X_test, y_train, y_test = split(name, seed)
            models = {
                "SOCClassifier": SOCClassifier(random_state=seed),
                f"SOCClassifier({TERM_OFF})": SOCClassifier(
                    random_state=seed, **TERM_OFF_PARAMS
                ),
                "SoftmaxClassifier": SoftmaxClassifier(random_state=seed),
            }
            if name == "digits":
                models["SOCClassifier(embedding_dim=10)"] = SOCClassifier(
                    embedding_dim=10, random_state=seed
                )
                models[f"SOCClassifier(embedding_dim=10, {TERM_OFF})"] = SOCClassifier(
                    embedding_dim=10, random_state=seed, **TERM_OFF_PARAMS
                )
            for model_name, model in models.items():
                model.fit(X_train, y_train)
                accuracy.setdefault((name, model_name), []).append(
                    model.score(X_test, y_test)
                )
    return accuracy


def run_add_classes(seeds, **params):
    """Digits trained on 0-7, then 8 and 9 added: old-class drop, new accuracy.

    Also returns the ceiling of the frozen encoder: the old and new classes'
    accuracy of a logistic regression trained on its embeddings of every
    training row of all ten classes. It sees more than ``add_classes`` (the
    old classes' rows too) and may move the old classes' boundaries, so no
    head on that encoder can be expected to do better. ``params`` are passed
    to :class:`~sksoc.SOCClassifier`.
    """
    drops, new, ceiling_old, ceiling_new = [], [], [], []
    for seed in seeds:
        X_train, X_test, y_train, y_test = split("digits", seed)
        model = SOCClassifier(random_state=seed, **params)
        model.fit(X_train[y_train < 8], y_train[y_train < 8])
        old = y_test < 8
        probe = LogisticRegression(max_iter=2000).fit(model.transform(X_train), y_train)
        probed = probe.predict(model.transform(X_test))
        ceiling_old.append(np.mean(probed[old] == y_test[old]))
        ceiling_new.append(np.mean(probed[~old] == y_test[~old]))
        before = model.score(X_test[old], y_test[old])
        model.add_classes(X_train[y_train >= 8], y_train[y_train >= 8])
        drops.append(before - model.score(X_test[old], y_test[old]))
        new.append(model.score(X_test[~old], y_test[~old]))
    return tuple(
        float(np.mean(values)) for values in (drops, new, ceiling_old, ceiling_new)
    )


def cases_run(results, names=tuple(N_KNOWN)):
    """The ``(data set, kind)`` of :data:`CASE_NAMES` with results, of ``names``."""
    run = {(name, kind) for name, kind, _ in results}
    return [case for case in CASE_NAMES if case in run and case[0] in names]


def metric_table(results, index, scores=SCORES, names=tuple(N_KNOWN)):
    """Rows of ``[score, case means...]`` for metric ``index`` (0 AUROC, 1 FPR),
    one column per case run on the data sets ``names``."""
    cases = cases_run(results, names)
    rows = [["Score", *(CASE_NAMES[case] for case in cases)]]
    for score in scores:
        row = [score]
        for name, kind in cases:
            values = [pair[index] for pair in results[(name, kind, score)]]
            row.append(f"{np.mean(values):.3f}")
        rows.append(row)
    return rows


def sphere_table(results, kappas):
    """The sphere heads' AUROC, largest cosine against vMF, and fitted kappa,
    on the array sets' cases."""
    rows = metric_table(results, 0, SPHERE_SCORES, ARRAY_SETS)
    for model in ("Fixed", "Margin"):
        row = [f"{model}: fitted kappa (mean)"]
        for name, _ in cases_run(results, ARRAY_SETS):
            row.append(f"{np.mean(kappas[(name, model)]):.0f}")
        rows.append(row)
    return rows


def print_table(title, rows):
    print(f"\n{title}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            )
        )


def write_csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def mean_auroc(results, name, kind, score):
    return float(np.mean([pair[0] for pair in results[(name, kind, score)]]))


def target_lines(results, accuracy, add_classes, variant=""):
    """``(text, met)`` for each target SOCClassifier is held to.

    ``variant`` is ``""`` for the defaults or ``TERM_OFF`` for SOC
    without its contrast term: the SOC scores and models of that variant are judged,
    against every score that is not SOC's. The targets of a case, data set
    or ``add_classes`` (None) not run are left out.
    """
    suffix = f", {variant}" if variant else ""
    density = f"SOC density{suffix}"
    model = f"SOCClassifier({variant})" if variant else "SOCClassifier"
    cases = cases_run(results)
    lines = []
    if ("digits", "unseen") in cases:
        column = CASE_NAMES["digits", "unseen"]
        soc = mean_auroc(results, "digits", "unseen", density)
        lines.append((f"{column}: SOC density AUROC {soc:.3f} >= 0.97", soc >= 0.97))
        # SOC's scores of this variant only, and every score that is not SOC's.
        rivals = [
            s
            for s in SCORES
            if not s.startswith("SOC ") or (TERM_OFF in s) == bool(variant)
        ]
        best = max(rivals, key=lambda s: mean_auroc(results, "digits", "unseen", s))
        top = mean_auroc(results, "digits", "unseen", best)
        lines.append(
            (
                f"{column}: SOC density AUROC {soc:.3f} within 0.005 of the best "
                f"score of the table ({best}, {top:.3f})",
                soc >= top - 0.005,
            )
        )
    for name, kind in cases:
        if kind != "unseen":
            continue
        soc = mean_auroc(results, name, kind, density)
        for score in ("Softmax max probability", "Softmax energy"):
            other = mean_auroc(results, name, kind, score)
            lines.append(
                (
                    f"{CASE_NAMES[name, kind]}: SOC density AUROC {soc:.3f} > "
                    f"{score}'s {other:.3f}",
                    soc > other,
                )
            )
    for name, kind in cases:
        if kind == "unseen":
            continue
        value = mean_auroc(results, name, kind, density)
        lines.append(
            (
                f"{CASE_NAMES[name, kind]}: SOC density AUROC {value:.3f} >= 0.99",
                value >= 0.99,
            )
        )
    for name in ARRAY_SETS:
        if (name, model) not in accuracy:
            continue
        soc = np.mean(accuracy[(name, model)])
        softmax = np.mean(accuracy[(name, "SoftmaxClassifier")])
        lines.append(
            (
                f"{name}: SOC accuracy {soc:.4f} within 0.5 points of Softmax's "
                f"{softmax:.4f}",
                soc >= softmax - 0.005,
            )
        )
    small_model = f"SOCClassifier(embedding_dim=10{suffix})"
    if ("digits", small_model) in accuracy:
        small = np.mean(accuracy[("digits", small_model)])
        lines.append(
            (
                f"digits: SOC embedding_dim=10 accuracy {small:.4f} >= 0.97",
                small >= 0.97,
            )
        )
    if add_classes is None:
        return lines
    drop, new, _, ceiling = add_classes
    # Relative to what any head on the frozen encoder can reach: a logistic
    # regression on its embeddings of every row of all ten classes.
    lines.append(
        (
            f"add_classes (digits 0-7, add 8 and 9): new classes {new:.3f} >= "
            f"{NEW_CLASSES_SHARE} x the frozen encoder's ceiling {ceiling:.3f} "
            f"= {NEW_CLASSES_SHARE * ceiling:.3f}",
            new >= NEW_CLASSES_SHARE * ceiling,
        )
    )
    lines.append(
        (
            f"add_classes (digits 0-7, add 8 and 9): old classes drop "
            f"{100 * drop:.1f} <= 2 points",
            drop <= 0.02,
        )
    )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--data",
        nargs="+",
        choices=list(N_KNOWN),
        default=list(N_KNOWN),
        help="data sets to run (default: all); the accuracy runs follow the "
        "array sets among them, add_classes digits",
    )
    parser.add_argument(
        "--out", type=pathlib.Path, help="CSV file for the AUROC table (and siblings)"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    names = [name for name in N_KNOWN if name in args.data]

    results, known_accuracy, kappas = run_open_set(args.seeds, names)
    accuracy = run_accuracy(args.seeds, [n for n in ARRAY_SETS if n in names])
    add_classes = dict.fromkeys(("", TERM_OFF))
    if "digits" in names:
        add_classes = {
            "": run_add_classes(args.seeds),
            TERM_OFF: run_add_classes(args.seeds, **TERM_OFF_PARAMS),
        }

    seeds = ", ".join(map(str, args.seeds))
    auroc, fpr = metric_table(results, 0), metric_table(results, 1)
    print_table(f"AUROC, known = positive (higher is better), seeds {seeds}", auroc)
    print_table(f"FPR at 95% TPR (lower is better), seeds {seeds}", fpr)
    sphere = sphere_table(results, kappas)
    if len(sphere[0]) > 1:  # an array set was run
        print_table(
            f"Heads on the sphere: AUROC of the largest cosine and of vMF "
            f"mixtures, seeds {seeds}",
            sphere,
        )
    accuracy_rows = [["Data set", "Model", "Accuracy"]]
    for (name, model), values in {**accuracy, **known_accuracy}.items():
        accuracy_rows.append([name, model, f"{np.mean(values):.4f}"])
    probe = "logistic regression on the frozen embeddings, all rows"
    for variant, measured in add_classes.items():
        if measured is None:
            continue
        drop, new, ceiling_old, ceiling_new = measured
        added = "digits, add 8 and 9 to 0-7" + (f", {variant}" if variant else "")
        accuracy_rows.append([added, "old classes' drop", f"{drop:.4f}"])
        accuracy_rows.append([added, "new classes", f"{new:.4f}"])
        accuracy_rows.append([added, f"{probe}: old classes", f"{ceiling_old:.4f}"])
        accuracy_rows.append([added, f"{probe}: new classes", f"{ceiling_new:.4f}"])
    print_table("Accuracy (test rows)", accuracy_rows)

    for variant, title in (("", "defaults"), (TERM_OFF, TERM_OFF)):
        print(f"\nTargets, SOCClassifier at {title}")
        for text, met in target_lines(results, accuracy, add_classes[variant], variant):
            print(f"  {'met' if met else 'NOT met'}: {text}")
    print(f"\n{time.perf_counter() - start:.0f} s in all")

    if args.out is not None:
        write_csv(args.out, auroc)
        write_csv(args.out.with_name(f"{args.out.stem}_fpr.csv"), fpr)
        write_csv(args.out.with_name(f"{args.out.stem}_accuracy.csv"), accuracy_rows)
        if len(sphere[0]) > 1:
            write_csv(args.out.with_name(f"{args.out.stem}_vmf.csv"), sphere)


if __name__ == "__main__":
    main()
