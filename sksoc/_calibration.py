"""Temperature scaling: one positive scalar that calibrates a classifier's logits.

Dividing every logit by the same ``T > 0`` keeps each row's argmax, so the
predicted labels do not change, while the softmax becomes flatter (``T > 1``)
or sharper (``T < 1``). The temperature minimising the log loss on held-out
rows is the one-parameter calibration of Guo et al., "On Calibration of
Modern Neural Networks" (2017). The weighted log loss of ``logits / T`` is
convex in ``1 / T``, and so unimodal in ``log T``, which a bounded Brent
search finds in float64.

On a small or easy held-out set every row may be right with a wide margin,
and the log loss then falls without end as ``T -> 0``: the held-out rows
alone say "never wrong". As Laplace's rule of succession adds one imagined
failure to n successes, the loss here counts one pseudo-row whose target is
spread uniformly over the classes (label smoothing by ``1 / (n + 1)``),
which keeps ``T`` finite and changes nothing measurable when the held-out
rows contain mistakes.
"""

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import logsumexp

# The search interval of log T: T from 1e-3 (a thousandfold sharper softmax,
# for cosine logits at scale 1) to 1e3 (nearly uniform probabilities).
_LOG_T_BOUNDS = (np.log(1e-3), np.log(1e3))
_XATOL = 1e-6


def temperature_log_loss(logits, y, temperature, sample_weight=None, smoothing=0.0):
    """Weighted mean log loss of ``softmax(logits / temperature)``.

    With ``smoothing`` e, each row's target is ``(1 - e)`` on its class and
    ``e`` spread uniformly over all classes.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
    y : ndarray of shape (n_samples,)
        Class indices into the columns of ``logits``.
    temperature : float
        Positive.
    sample_weight : ndarray of shape (n_samples,), default=None
    smoothing : float, default=0.0
        In ``[0, 1]``.

    Returns
    -------
    loss : float
    """
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    log_proba = scaled - logsumexp(scaled, axis=1, keepdims=True)
    row_loss = -(1.0 - smoothing) * log_proba[np.arange(len(y)), y]
    if smoothing:
        row_loss = row_loss - smoothing * log_proba.mean(axis=1)
    return float(np.average(row_loss, weights=sample_weight))


def fit_temperature(logits, y, sample_weight=None, *, pseudo_rows=1):
    """The temperature minimising the weighted log loss of ``logits / T``.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
        Held-out logits.
    y : ndarray of shape (n_samples,)
        Their class indices. A class may be absent: its column still takes
        part in every row's softmax.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights of the rows' log losses.
    pseudo_rows : int, default=1
        Uniform-target pseudo-rows added to the ``n`` rows with positive
        weight (label smoothing by ``pseudo_rows / (n + pseudo_rows)``); 0
        minimises the plain log loss.

    Returns
    -------
    temperature : float
        In ``[1e-3, 1e3]``; 1.0 when there is nothing to fit (no row, no
        positive weight, or every logit row constant).
    """
    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        keep = sample_weight > 0
        logits, y, sample_weight = logits[keep], y[keep], sample_weight[keep]
    spread = logits.max(axis=1) - logits.min(axis=1) if len(y) else np.zeros(0)
    if not np.any(spread > 0):
        return 1.0
    smoothing = pseudo_rows / (len(y) + pseudo_rows)
    result = minimize_scalar(
        lambda log_t: temperature_log_loss(
            logits, y, np.exp(log_t), sample_weight, smoothing
        ),
        bounds=_LOG_T_BOUNDS,
        method="bounded",
        options={"xatol": _XATOL},
    )
    return float(np.exp(result.x))
