"""
Embedding scorers inside GridSearchCV
=====================================

Accuracy says how often a model is right; it says nothing about the shape
of the embedding that :meth:`~sksoc.SOCClassifier.transform` returns. The
scorers of :mod:`sksoc.metrics` measure that shape, and since they are
plain ``scorer(estimator, X, y)`` callables, scikit-learn's model selection
takes them like any other. Here :class:`~sklearn.model_selection.GridSearchCV`
tunes an :class:`~sksoc.SOCClassifier` on the digits, records accuracy,
silhouette and separability for every candidate, and keeps the model with
the best silhouette rather than the best accuracy.
"""

# %%
# The search
# ----------
# Two parameters: the size of the embedding, and the weight of the SOC loss
# term that classifies the class means themselves (0 switches it off). The
# pixel values, 0 to 16, are divided by 16; a fixed rescaling, so it can be
# done before the split without leaking anything.
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split

from sksoc import SOCClassifier
from sksoc.metrics import embedding_report, separability_scorer, silhouette_scorer
from sksoc.plotting import ClassSimilarityDisplay

# Set SKSOC_EXAMPLES_QUICK=1 for a smaller run (the documentation build does).
QUICK = os.environ.get("SKSOC_EXAMPLES_QUICK") == "1"
MAX_EPOCHS = 15 if QUICK else 60
PARAM_GRID = {
    "embedding_dim": [2, 8] if QUICK else [2, 5, 10],
    "class_loss_weight": [0.5] if QUICK else [0.0, 0.5],
}
CV = 2 if QUICK else 3
torch.set_num_threads(1)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

search = GridSearchCV(
    SOCClassifier(max_epochs=MAX_EPOCHS, random_state=0),
    PARAM_GRID,
    scoring={
        "accuracy": "accuracy",
        "silhouette": silhouette_scorer,
        "separability": separability_scorer,
    },
    refit="silhouette",
    cv=CV,
)
search.fit(X_train, y_train)

# %%
# ``cv_results_`` has one column per scorer; ``refit="silhouette"`` picks the
# candidate with the best mean silhouette over the folds.
columns = {
    "param_embedding_dim": "embedding_dim",
    "param_class_loss_weight": "class_loss_weight",
    "mean_test_accuracy": "accuracy",
    "mean_test_silhouette": "silhouette",
    "mean_test_separability": "separability (rad)",
    "rank_test_silhouette": "rank by silhouette",
}
table = pd.DataFrame(search.cv_results_)[list(columns)].rename(columns=columns)
with pd.option_context("display.width", 120):
    print(table.round(3).to_string(index=False))
print("chosen by silhouette:", search.best_params_)
best_by_accuracy = np.argmax(search.cv_results_["mean_test_accuracy"])
print("best by accuracy:    ", search.cv_results_["params"][best_by_accuracy])

# %%
# Accuracy and silhouette of every candidate, one line per class-loss weight.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for weight, group in table.groupby("class_loss_weight"):
    for ax, metric in zip(axes, ["accuracy", "silhouette"], strict=True):
        ax.plot(
            group["embedding_dim"].astype(int),
            group[metric],
            marker="o",
            label=f"class_loss_weight={weight}",
        )
for ax, metric in zip(axes, ["accuracy", "silhouette"], strict=True):
    ax.set_xlabel("embedding_dim")
    ax.set_ylabel(f"mean {metric} over {CV} folds")
    ax.set_xticks(PARAM_GRID["embedding_dim"])
axes[0].legend()
plt.show()

# %%
# The chosen model
# ----------------
# ``search`` now is the refitted model. Beware that its ``score`` uses the
# refit scorer, so it returns a silhouette; for accuracy, ask the estimator.
model = search.best_estimator_
print(f"test silhouette {search.score(X_test, y_test):.3f}")
print(f"test accuracy   {model.score(X_test, y_test):.3f}")

# %%
# :func:`~sksoc.metrics.embedding_report` gives every metric per class on the
# test set; the hardest classes have the lowest silhouette.
report = embedding_report(model, X_test, y_test)
print(report.round(3).to_string())

# %%
# The cosine similarity of the learned class means, as seen from the origin
# of the embedding. An SOC head decides by distance, not by angle, so this
# picture says less about confusions than it would for a cosine head; it
# still shows which digits the model placed on the same side.
ClassSimilarityDisplay.from_estimator(model)
plt.show()

# %%
# Silhouette and accuracy need not agree: the silhouette rewards tight,
# well-separated classes in the embedding, which is what matters when the
# embedding is reused (for retrieval, clustering or a new class), while
# accuracy only asks which side of a boundary each sample falls on. The two
# lines printed under the search's table say whether they chose the same
# candidate in this run; the documentation builds a smaller grid
# (``SKSOC_EXAMPLES_QUICK=1``) than the full-size run of this script.
