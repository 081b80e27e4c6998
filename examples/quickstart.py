"""
Quick start: Self-Organizing Class embeddings on digits
=======================================================

Train :class:`sksoc.SOCClassifier` on scikit-learn's handwritten digits with
embeddings of a few sizes, and read what the model offers beyond labels: the
class means, the embedding, and a density that is lower for inputs unlike the
training data.
"""

# %%
# Data: 8x8 digit images as 64 features, a stratified 70/30 split.
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksoc import SOCClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

# %%
# Ten classes in one, two, five or ten dimensions.
for embedding_dim in (1, 2, 5, 10):
    model = make_pipeline(
        StandardScaler(), SOCClassifier(embedding_dim=embedding_dim, random_state=0)
    ).fit(X_train, y_train)
    print(
        f"embedding_dim={embedding_dim:2d}  test accuracy "
        f"{model.score(X_test, y_test):.3f}  ({model[-1].n_iter_} epochs)"
    )

# %%
# The last model's class means and the embedding of the test images.
soc = model[-1]
print("class means:", soc.class_embeddings_.shape)
print("test embedding:", model.transform(X_test).shape)

# %%
# ``score_samples`` is the log-density of the embedding under the class
# mixture; here for the held-out digits and for images of uniform noise.
rng = np.random.default_rng(0)
noise = rng.uniform(0, 16, size=X_test.shape)
digits_density = model.score_samples(X_test)
noise_density = model.score_samples(noise)
print(
    "median log-density: held-out digits "
    f"{np.median(digits_density):.1f}, uniform noise {np.median(noise_density):.1f}"
)
