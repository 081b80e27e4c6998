"""
Self-Organizing Class embeddings on digits, in two dimensions
=============================================================

:class:`~sksoc.SOCClassifier` gives every class a unit-scale Gaussian in a
small embedding space and learns where to put both the Gaussians and the
samples. With ``embedding_dim=2`` the whole model fits in one picture: the
embedded test images, the contours of the ten class densities and the
decision regions, drawn by :class:`~sksoc.plotting.EmbeddingRegionsDisplay`.

The same densities make a score: :meth:`~sksoc.SOCClassifier.score_samples`
is the log-density of an input's embedding under the mixture of the
classes, which the lesson compares for images of digits and of noise.
"""

# %%
# The data: 8x8 images of handwritten digits
# ------------------------------------------
# 1797 images of 64 pixels, split 70/30 and standardised inside a pipeline.
# The estimators train networks this small on one CPU thread.
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksoc import SOCClassifier
from sksoc.plotting import EmbeddingRegionsDisplay

# Set SKSOC_EXAMPLES_QUICK=1 for a smaller run (the documentation build does).
QUICK = os.environ.get("SKSOC_EXAMPLES_QUICK") == "1"
MAX_EPOCHS = 60 if QUICK else 200
torch.set_num_threads(1)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

# %%
# Ten classes in a plane
# ----------------------
# The encoder is the default MLP (one hidden layer of 128 units) ending in
# two numbers. Training stops when the loss no longer improves, or after
# ``MAX_EPOCHS`` epochs.
model = make_pipeline(
    StandardScaler(),
    SOCClassifier(embedding_dim=2, max_epochs=MAX_EPOCHS, random_state=0),
)
model.fit(X_train, y_train)
soc = model[-1]
print(f"test accuracy {model.score(X_test, y_test):.3f} after {soc.n_iter_} epochs")
print("class means (one row per digit):")
print(np.round(soc.class_embeddings_, 2))

# %%
# The picture: each dot is a test image at its embedding, coloured by its
# true digit; each cross is a class mean; the closed curves are levels of
# the class densities, the same levels for every class; the shaded regions
# show the class the model predicts at each point of the plane. A few images
# land far out, so we zoom on the bulk of them and on the class densities.
display = EmbeddingRegionsDisplay.from_estimator(model, X_test, y_test)
embedding = model.transform(X_test)
limit = 1.1 * max(
    np.percentile(np.abs(embedding), 99), np.abs(soc.class_embeddings_).max() + 2
)
display.ax_.set(xlim=(-limit, limit), ylim=(-limit, limit))
display.figure_.set_size_inches(7, 6.5)
plt.show()

# %%
# Each class gathers near its mean. How many images lie beyond their mean,
# farther from the origin, and is the pair of digits confused most often a
# pair of neighbouring means?
norms = np.linalg.norm(embedding, axis=1)
mean_norms = np.linalg.norm(soc.class_embeddings_, axis=1)
beyond = np.mean(norms > mean_norms[np.searchsorted(soc.classes_, y_test)])
print(f"{beyond:.0%} of the test images lie farther out than their class mean")
predicted = model.predict(X_test)
pairs = confusion_matrix(y_test, predicted, labels=soc.classes_)
np.fill_diagonal(pairs, 0)
true, wrong = np.unravel_index(pairs.argmax(), pairs.shape)
gaps = np.linalg.norm(soc.class_embeddings_ - soc.class_embeddings_[true], axis=1)
gaps[true] = np.inf
print(
    f"most confused: {soc.classes_[true]} taken for {soc.classes_[wrong]} "
    f"({pairs[true, wrong]} images); the nearest mean to {soc.classes_[true]}'s "
    f"is {soc.classes_[gaps.argmin()]}'s"
)

# %%
# Early in training the picture looks different: the means still sit near
# the origin and the images stream outward along rays, because the
# log-density ratio of two classes, ``z . (mu_c - mu_k) - (|mu_c|^2 -
# |mu_k|^2) / 2``, is linear in ``z`` and grows without bound along
# ``mu_c - mu_k``. As the means move apart, the likelihood term
# (``likelihood_weight=0.1``), which pulls each image onto its class mean,
# stops the margins from growing without end, and the images settle near
# their means.
#
# With unit scales every class density has the same shape, so the most
# likely class at a point is the one whose mean is nearest: the regions are
# the Voronoi cells of the ten means, bounded by straight lines. The model
# is a nearest-centroid classifier whose centroids and features were learned
# together. We check this on the test set.
distances = np.linalg.norm(embedding[:, None, :] - soc.class_embeddings_, axis=2)
nearest_mean = soc.classes_[distances.argmin(axis=1)]
agreement = np.mean(nearest_mean == model.predict(X_test))
print(f"prediction = nearest class mean for {agreement:.1%} of the test images")

# %%
# How familiar does an input look?
# --------------------------------
# ``score_samples`` returns ``log sum_c p_c N(z | mu_c, I)``, the log-density
# of the embedding ``z`` under the class mixture, with the training class
# frequencies ``p_c`` as weights. Where do images of uniform noise land? We
# flag an input as unfamiliar when its score is below the 1st percentile of
# the training scores.
rng = np.random.default_rng(0)
noise = rng.uniform(0, 16, size=X_test.shape)
train_scores = model.score_samples(X_train)
digit_scores = model.score_samples(X_test)
noise_scores = model.score_samples(noise)
threshold = np.percentile(train_scores, 1)
summary = pd.DataFrame(
    {
        "median log-density": [np.median(digit_scores), np.median(noise_scores)],
        "share flagged as unfamiliar": [
            np.mean(digit_scores < threshold),
            np.mean(noise_scores < threshold),
        ],
    },
    index=["test digits", "uniform noise"],
)
print(summary.round(3))

# %%
# The two score distributions, as negative log-densities on a log axis.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
bins = np.geomspace(1.0, max(-noise_scores.min(), 10.0), 50)
ax.hist(-digit_scores, bins=bins, alpha=0.7, label="test digits")
ax.hist(-noise_scores, bins=bins, alpha=0.7, label="uniform noise")
ax.axvline(-threshold, color="black", linestyle="--", label="threshold")
ax.set_xscale("log")
ax.set_xlabel("negative log-density of the embedding")
ax.set_ylabel("images")
ax.legend()
plt.show()

# %%
# The score measures distance from the training data *in the embedding*,
# and an input unlike the training data can still land near a class mean:
# the density is a signal, not a calibrated detector of unfamiliar inputs.
# :ref:`open_set` measures it on harder cases than uniform noise.
