"""
The angular margins compared
============================

ArcFace, CosFace and SphereFace all classify by the cosine between a
normalised embedding and normalised class vectors, scaled by ``s``. In
training they lower the target class's logit, so that a sample must beat
every other class by a margin. They differ only in *how* they lower it; the
combined form ``s * (cos(m1 * theta + m2) - m3)`` contains all three:
SphereFace multiplies the angle (``m1``), ArcFace adds to the angle (``m2``,
radians) and CosFace subtracts from the cosine (``m3``, cosine units).

First we draw the target cosine of each head as a function of the angle,
straight from the heads' ``target_cosine`` method. Then we train
:class:`~sksoc.MarginClassifier` with each margin on the digits and measure
what the margins are meant to improve: how compact and how well separated
the classes are on the sphere.
"""

# %%
# The target logit as a function of the angle
# -------------------------------------------
# Each head is built with its default margin. SphereFace anneals from the
# plain cosine toward its margin during training; ``annealing=lambda step:
# 0.0`` shows the full margin, and ``lambda step: 5.0`` the mix that the
# default schedule ends at.
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sksoc import MarginClassifier
from sksoc.heads import ArcFaceHead, CombinedMarginHead, CosFaceHead, SphereFaceHead
from sksoc.metrics import (
    inter_class_separability,
    intra_class_compactness,
    silhouette_score,
)

# Set SKSOC_EXAMPLES_QUICK=1 for a smaller run (the documentation build does).
QUICK = os.environ.get("SKSOC_EXAMPLES_QUICK") == "1"
SEEDS = (0,) if QUICK else (0, 1, 2)
MAX_EPOCHS = 20 if QUICK else 100
torch.set_num_threads(1)

heads = {
    "ArcFace, m2 = 0.5 rad": ArcFaceHead(2, 2),
    "CosFace, m3 = 0.35": CosFaceHead(2, 2),
    "SphereFace, m1 = 4": SphereFaceHead(2, 2, annealing=lambda step: 0.0),
    "SphereFace, m1 = 4, lambda = 5": SphereFaceHead(2, 2, annealing=lambda step: 5.0),
    "combined (1.0, 0.3, 0.2)": CombinedMarginHead(2, 2),
}
theta = torch.linspace(0.0, torch.pi, 361, dtype=torch.float64)
cos_theta = torch.cos(theta)[:, None]
degrees = np.degrees(theta.numpy())

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
ax.plot(degrees, cos_theta[:, 0].numpy(), color="black", label="no margin: cos(theta)")
with torch.no_grad():
    for (name, head), style in zip(
        heads.items(), ["-", "-", "-", ":", "--"], strict=True
    ):
        ax.plot(degrees, head.target_cosine(cos_theta)[:, 0].numpy(), style, label=name)
ax.set_xlabel("angle theta between embedding and its class vector (degrees)")
ax.set_ylabel("target cosine (logit / s)")
ax.set_xticks(range(0, 181, 30))
ax.set_ylim(-3.5, 1.05)
ax.legend(loc="lower left", fontsize="small")
plt.show()

# %%
# Every curve lies below the plain cosine: at the same angle the target
# class scores less, so training pushes the angle further down than plain
# softmax would. ArcFace shifts the curve by a constant *angle* (0.5 rad, about
# 29 degrees), CosFace by a constant *cosine*, and SphereFace compresses the
# angle fourfold, so its penalty grows with the angle. Past the angle where
# ``m1 * theta + m2`` would reach pi, a cosine would rise again and reward a
# worse angle; sksoc continues the curves there so that they keep falling.
#
# Training the four margins on digits
# -----------------------------------
# Same data, encoder, 16-dimensional embedding and scale ``s = 30`` for all;
# "no margin" is CosFace with margin 0, a plain scaled-cosine softmax.
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

margins = {
    "no margin": {"margin_type": "cosface", "margin": 0.0},
    "ArcFace": {"margin_type": "arcface"},
    "CosFace": {"margin_type": "cosface"},
    "SphereFace": {"margin_type": "sphereface"},
    "combined": {"margin_type": "combined"},
}
rows = []
for name, params in margins.items():
    for seed in SEEDS:
        model = MarginClassifier(
            embedding_dim=16, max_epochs=MAX_EPOCHS, random_state=seed, **params
        ).fit(X_train, y_train)
        embedding = model.transform(X_test)
        vectors = model.class_embeddings_
        rows.append(
            {
                "margin": name,
                "seed": seed,
                "accuracy": model.score(X_test, y_test),
                "silhouette (cosine)": silhouette_score(
                    embedding, y_test, metric="cosine"
                ),
                "compactness": intra_class_compactness(
                    embedding, y_test, class_embeddings=vectors
                ),
                "separability (rad)": inter_class_separability(
                    embedding, y_test, class_embeddings=vectors
                ),
            }
        )
        if name == "SphereFace" and seed == SEEDS[0]:
            head = model.net_.criterion_
            print(
                f"SphereFace after {int(head.steps)} training steps: "
                f"lambda = {head.mixing_weight():.1f}"
            )
results = pd.DataFrame(rows)
summary = results.groupby("margin", sort=False).mean().drop(columns="seed")
with pd.option_context("display.width", 120):
    print(summary.round(3))

# %%
# The metrics as bars, averaged over the seeds. Compactness is the mean
# cosine between a test embedding and its class vector; separability the
# mean angle between class vectors (radians; ten random directions in 16
# dimensions sit near pi / 2, and the best possible arrangement, a regular
# simplex, at ``arccos(-1/9)``, about 1.68).
metrics = ["accuracy", "silhouette (cosine)", "compactness", "separability (rad)"]
fig, axes = plt.subplots(1, 4, figsize=(12, 3.5), sharey=True, layout="constrained")
for ax, metric in zip(axes, metrics, strict=True):
    ax.barh(summary.index, summary[metric], color=[f"C{i}" for i in range(5)])
    ax.set_xlabel(metric)
axes[0].invert_yaxis()
plt.show()

# %%
# What the numbers say
# --------------------
# The margins are meant to show in the geometry rather than in the accuracy:
# test embeddings closer to their class vectors (higher compactness) and
# classes tighter relative to their distances (higher silhouette), which is
# what face-recognition systems want from an embedding they will compare by
# cosine. Each margin against the no-margin model, read from the table above
# (accuracy kept: within one point):
none = summary.loc["no margin"]
for name, row in summary.drop(index="no margin").iterrows():
    kept = row["accuracy"] >= none["accuracy"] - 0.01
    verdicts = [f"accuracy {'kept' if kept else 'lost'} ({row['accuracy']:.3f})"]
    for metric in ("silhouette (cosine)", "compactness"):
        raised = row[metric] > none[metric]
        verdicts.append(
            f"{metric} {'raised' if raised else 'not raised'} "
            f"({row[metric]:.3f} against {none[metric]:.3f})"
        )
    print(f"{name}: " + "; ".join(verdicts))

# %%
# SphereFace's annealing weight ``lambda``, printed during training, says how
# much of its margin it trained with: while ``lambda`` is large its target is
# mostly the plain cosine, so it changes the geometry least when training is
# short. As the blog post on margins warns, a higher silhouette need not
# bring a higher accuracy.
