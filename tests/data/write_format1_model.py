"""Write ``format1_soc.sksoc`` and ``format1_soc.npz``: a model file of format 1.

Run once with the sksoc that wrote format 1 (commit e4c0a54), from the
repository root: ``python tests/data/write_format1_model.py``. The file keeps
the loading of format 1 tested after the format changed; the npz holds the
data and what the saved model predicted, before and after one more
``partial_fit`` on the same data.
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import make_blobs

from sksoc import SOCClassifier, save_model

HERE = Path(__file__).parent


def main():
    X, y = make_blobs(n_samples=90, centers=3, n_features=4, random_state=0)
    labels = np.array(["cat", "dog", "eel"])[y]
    model = SOCClassifier(
        max_epochs=3, hidden_layer_sizes=(16,), early_stopping=True, random_state=0
    ).fit(X, labels)
    model.partial_fit(X, labels)
    save_model(model, HERE / "format1_soc.sksoc")
    proba = model.predict_proba(X)
    model.partial_fit(X, labels)
    np.savez(
        HERE / "format1_soc.npz",
        X=X,
        labels=labels,
        proba=proba,
        proba_after_partial_fit=model.predict_proba(X),
    )


if __name__ == "__main__":
    main()
