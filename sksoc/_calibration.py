"""Calibration of a classifier's logits: temperature scaling, and its sphere form.

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

Heads whose logits are ``S cos(z, w_c)`` (fixed and margin heads) are
calibrated better than by a temperature alone (``benchmarks/calibration.py``
finds a higher mean ECE and log loss with a temperature alone for both).
Their calibrated logits are instead ``-S d^p / T``, where
``d = 1 - cos = ||z - w_c||^2 / 2`` is the distance of the unit embedding to
the class vector: a temperature on a power of the distance. ``p = 1`` is
temperature scaling again (``-S (1 - cos) / T`` differs from ``S cos / T``
by a constant per row), and the map is increasing in the cosine for every
``p > 0``, so each row's argmax is kept. The measurements that chose it are
on the user guide's calibration page.
"""

import numpy as np
from scipy.optimize import minimize, minimize_scalar

# The held-out logits a calibration is fitted on are one float64 matrix of
# rows x classes: at most this many entries (32 MiB), a seeded subset of the
# rows beyond it (calibration_rows).
CALIBRATION_MAX_LOGITS = 2**22
# The search interval of log T: T from 1e-3 (a thousandfold sharper softmax,
# for cosine logits at scale 1) to 1e3 (nearly uniform probabilities).
_LOG_T_BOUNDS = (np.log(1e-3), np.log(1e3))
_XATOL = 1e-6
# The search interval of the distance power p. Where the optimum lies
# outside it the fitted p sits on a bound; none of the powers in
# benchmarks/calibration.py's results does.
_LOG_POWER_BOUNDS = (np.log(0.1), np.log(3.0))


class Calibrator:
    """How a fitted model's logits become the logits of ``predict_proba``.

    The estimators keep one as ``calibrator_``; their ``calibration_``,
    ``temperature_`` and ``distance_power_`` read it.

    Parameters
    ----------
    method : {"temperature", "distance_power"} or None
        None leaves the logits as they are.
    scale : float or None
        The head's S where the logits are ``S * cos``; "distance_power"
        needs it.
    temperature : float, default=1.0
    distance_power : float, default=1.0
    """

    def __init__(self, method, scale, temperature=1.0, distance_power=1.0):
        self.method = method
        self.scale = scale
        self.temperature = temperature
        self.distance_power = distance_power

    def __repr__(self):
        # Without an address: Dask-ML tokenizes an estimator by the text of
        # its fitted attributes, so a copy must read as the original does.
        return (
            f"Calibrator({self.method!r}, scale={self.scale!r}, "
            f"temperature={self.temperature!r}, "
            f"distance_power={self.distance_power!r})"
        )

    @classmethod
    def chosen(cls, calibration, scale, n_classes, estimator_name):
        """The unfitted calibrator of the ``calibration`` parameter.

        "auto" chooses "distance_power" for cosine logits (``scale`` not
        None) of more than two classes, else "temperature".

        Raises
        ------
        ValueError
            For "distance_power" with logits that are not ``S * cos``.
        """
        if calibration == "auto":
            # With two classes a fitted power gained nothing on the benchmark's
            # binary sets, and only a temperature keeps predict_proba ranking
            # the samples as decision_function does.
            if scale is None or n_classes == 2:
                return cls("temperature", scale)
            return cls("distance_power", scale)
        if calibration == "distance_power" and scale is None:
            raise ValueError(
                f"calibration='distance_power' needs logits that are a scale "
                f"times a cosine (a cosine head without bias); this "
                f"{estimator_name}'s are not. Use calibration='temperature'."
            )
        return cls(calibration, scale)

    def fit(self, logits, y, sample_weight=None):
        """Fit the temperature (and the power) on held-out logits; return self.

        Parameters
        ----------
        logits : ndarray of shape (n_samples, n_classes)
            Held-out prediction logits.
        y : ndarray of shape (n_samples,)
            Their class indices.
        sample_weight : ndarray of shape (n_samples,), default=None
        """
        if self.method == "temperature":
            self.temperature = fit_temperature(logits, y, sample_weight)
        elif self.method == "distance_power":
            self.temperature, self.distance_power = fit_distance_power(
                logits, y, self.scale, sample_weight
            )
        return self

    def calibrated_logits(self, logits):
        """The logits whose softmax is ``predict_proba`` (a float64 tensor)."""
        if self.distance_power == 1.0:
            return logits / self.temperature
        return distance_power_logits(
            logits, self.scale, self.temperature, self.distance_power
        )


def calibration_rows(held_out, n_classes, seed):
    """The sorted held-out rows to calibrate on: all, or a seeded subset.

    Their logits grow with rows times classes, and a calibration's one or
    two parameters need far fewer rows than a million-class model holds
    out: beyond :data:`CALIBRATION_MAX_LOGITS` logits, a subset of the rows
    drawn from ``seed`` keeps them under it.
    """
    rows = np.sort(held_out)
    most = max(1, CALIBRATION_MAX_LOGITS // n_classes)
    if len(rows) > most:
        rng = np.random.default_rng([seed, len(rows)])
        rows = np.sort(rng.choice(rows, most, replace=False))
    return rows


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
    log_proba = scaled - _logsumexp_rows(scaled)
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
    logits, y, sample_weight = _weighted_rows(logits, y, sample_weight)
    if not _has_spread(logits):
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


def distance_power_logits(logits, scale, temperature, power):
    """Calibrated logits ``-scale * (1 - logits / scale) ** power / temperature``.

    Parameters
    ----------
    logits : torch.Tensor or ndarray of shape (n_samples, n_classes)
        Logits of the form ``scale * cos``.
    scale : float
        The head's scale S.
    temperature : float
        Positive.
    power : float
        Positive; 1 gives ``logits / temperature`` up to a constant per row.

    Returns
    -------
    logits : same type as ``logits``
    """
    return -scale * _unit_distance(logits, scale) ** power / temperature


def fit_distance_power(logits, y, scale, sample_weight=None, *, pseudo_rows=1):
    """The temperature and power of least log loss for :func:`distance_power_logits`.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
        Held-out logits, ``scale * cos``.
    y : ndarray of shape (n_samples,)
        Their class indices.
    scale : float
        The head's scale S.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights of the rows' log losses.
    pseudo_rows : int, default=1
        As in :func:`fit_temperature`.

    Returns
    -------
    temperature, power : float
        ``(1.0, 1.0)`` when there is nothing to fit.
    """
    logits, y, sample_weight = _weighted_rows(logits, y, sample_weight)
    if not _has_spread(logits):
        return 1.0, 1.0
    n_samples, n_classes = logits.shape
    weight = np.ones(n_samples) if sample_weight is None else sample_weight
    weight = weight / weight.sum()
    smoothing = pseudo_rows / (n_samples + pseudo_rows)
    target = np.full(logits.shape, smoothing / n_classes)
    target[np.arange(n_samples), y] += 1.0 - smoothing
    distance = _unit_distance(logits, scale)
    # d ** p * log d -> 0 as d -> 0; any finite log keeps that product 0.
    log_distance = np.log(np.maximum(distance, 1e-300))

    def loss_and_gradient(theta):
        # theta = (log(scale / T), log p): z = -(scale / T) * d ** p.
        amplitude, power = np.exp(theta)
        z = -amplitude * distance**power
        log_proba = z - _logsumexp_rows(z)
        loss = -np.sum(weight * np.sum(target * log_proba, axis=1))
        residual = (np.exp(log_proba) - target) * weight[:, None]
        gradient = (
            np.sum(residual * z),
            np.sum(residual * z * power * log_distance),
        )
        return loss, np.array(gradient)

    temperature = fit_temperature(logits, y, sample_weight, pseudo_rows=pseudo_rows)
    log_scale = np.log(scale)
    low, high = _LOG_POWER_BOUNDS

    def bounded(phi):
        # log p = low + (high - low) * sigmoid(phi[1]): p stays in its bounds
        # for an unconstrained search (scipy's L-BFGS-B cost ms per step).
        sigmoid = 1.0 / (1.0 + np.exp(-phi[1]))
        return np.array([phi[0], low + (high - low) * sigmoid]), sigmoid

    def objective(phi):
        theta, sigmoid = bounded(phi)
        loss, gradient = loss_and_gradient(theta)
        gradient[1] *= (high - low) * sigmoid * (1.0 - sigmoid)
        return loss, gradient

    start = np.array([log_scale - np.log(temperature), -low / (high - low)])
    start[1] = np.log(start[1] / (1.0 - start[1]))
    result = minimize(objective, x0=start, jac=True, method="BFGS")
    log_amplitude, log_power = bounded(result.x)[0]
    return float(scale / np.exp(log_amplitude)), float(np.exp(log_power))


def _unit_distance(logits, scale):
    """``1 - cos`` from logits ``scale * cos``, in ``[0, 2]`` (ndarray or tensor)."""
    return (1.0 - logits / scale).clip(0.0, 2.0)


def _weighted_rows(logits, y, sample_weight):
    """float64 logits, int64 labels and weights, rows of zero weight dropped."""
    logits = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        keep = sample_weight > 0
        logits, y, sample_weight = logits[keep], y[keep], sample_weight[keep]
    return logits, y, sample_weight


def _has_spread(logits):
    """Whether some row has two different logits (else nothing can be fitted)."""
    if not len(logits):
        return False
    return bool(np.any(logits.max(axis=1) > logits.min(axis=1)))


def _logsumexp_rows(values):
    """``log(sum(exp(values), axis=1))`` as a column, stably.

    Plain numpy: scipy's ``logsumexp`` checks its input on every call, which
    made it the larger part of a calibration's cost.
    """
    largest = values.max(axis=1, keepdims=True)
    return largest + np.log(np.exp(values - largest).sum(axis=1, keepdims=True))
