"""Cross-entropy of linear logits, whole or over chunks of classes.

Every head's training logits have the form ``inputs @ weight.T + bias``,
possibly with the target class's logit replaced (a margin). Written that way,
the loss costs one matrix product, and it can be computed over chunks of
classes with an online log-sum-exp, recomputing each chunk's logits in the
backward pass: no (n_samples, n_classes) matrix is ever kept, which is what
makes a million classes trainable on a small machine.
"""

import torch
from torch.nn import functional as F


def weighted_cross_entropy(logits, target, sample_weight=None, label_smoothing=0.0):
    """Mean cross-entropy of ``logits`` against integer ``target``.

    Parameters
    ----------
    logits : torch.Tensor of shape (n_samples, n_classes)
        Unnormalised log-probabilities.
    target : torch.Tensor of shape (n_samples,)
        Class indices, int64.
    sample_weight : torch.Tensor of shape (n_samples,), default=None
        Per-sample weights. The result is ``mean(w * loss)``, so weights that
        average to one (as the estimators pass them) keep the loss on the scale
        of the unweighted one, and a batch whose weights are all zero gives 0
        rather than NaN.
    label_smoothing : float, default=0.0
        As in :func:`torch.nn.functional.cross_entropy`.

    Returns
    -------
    loss : torch.Tensor
        A scalar.

    Examples
    --------
    >>> import torch
    >>> logits = torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    >>> loss = weighted_cross_entropy(logits, torch.tensor([0, 1]))
    >>> round(loss.item(), 4)  # log(2)
    0.6931
    """
    losses = F.cross_entropy(
        logits, target, reduction="none", label_smoothing=label_smoothing
    )
    if sample_weight is None:
        return losses.mean()
    return (losses * sample_weight).mean()


def linear_cross_entropy(
    inputs,
    weight,
    bias,
    target,
    *,
    target_logit=None,
    sample_weight=None,
    label_smoothing=0.0,
    chunk_size=None,
):
    """Cross-entropy of ``inputs @ weight.T + bias`` against ``target``.

    Parameters
    ----------
    inputs : torch.Tensor of shape (n_samples, n_features)
    weight : torch.Tensor of shape (n_classes, n_features)
    bias : torch.Tensor of shape (n_classes,) or None
    target : torch.Tensor of shape (n_samples,)
        Class indices, int64.
    target_logit : torch.Tensor of shape (n_samples,), default=None
        Replaces each sample's logit of its target class (the margin heads
        pass the target logit with the margin applied).
    sample_weight : torch.Tensor of shape (n_samples,), default=None
        Per-sample weights; the loss is ``mean(w * loss)``.
    label_smoothing : float, default=0.0
        Label smoothing, as in :func:`torch.nn.functional.cross_entropy`.
    chunk_size : int, default=None
        Compute over chunks of this many classes, keeping no
        (n_samples, n_classes) matrix for the backward pass (which then
        recomputes each chunk's logits: about 1.5 times the arithmetic).
        None computes all classes at once.

    Returns
    -------
    loss : torch.Tensor
        A scalar.

    Examples
    --------
    >>> import torch
    >>> from sksoc.heads import linear_cross_entropy
    >>> z, w = torch.randn(8, 4), torch.randn(10, 4)
    >>> y = torch.randint(10, (8,))
    >>> whole = linear_cross_entropy(z, w, None, y)
    >>> chunked = linear_cross_entropy(z, w, None, y, chunk_size=3)
    >>> torch.allclose(whole, chunked)
    True
    """
    if chunk_size is None or chunk_size >= weight.shape[0]:
        logits = F.linear(inputs, weight, bias)
        if target_logit is not None:
            # In place: the matrix product's backward does not need its output.
            logits.scatter_(1, target[:, None], target_logit[:, None].to(logits.dtype))
        return weighted_cross_entropy(logits, target, sample_weight, label_smoothing)
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer; got {chunk_size}.")
    return _ChunkedLinearCrossEntropy.apply(
        inputs,
        weight,
        bias,
        target,
        target_logit,
        sample_weight,
        float(label_smoothing),
        int(chunk_size),
    )


def _chunk_logits(inputs, weight, bias, target, target_logit, start, stop):
    """Logits of classes ``start:stop`` with the targets among them replaced."""
    logits = F.linear(
        inputs, weight[start:stop], None if bias is None else bias[start:stop]
    )
    targets_here = None
    if target_logit is not None:
        rows = ((target >= start) & (target < stop)).nonzero().squeeze(1)
        targets_here = (rows, target[rows] - start)
        logits[targets_here] = target_logit[rows].to(logits.dtype)
    return logits, targets_here


class _ChunkedLinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx,
        inputs,
        weight,
        bias,
        target,
        target_logit,
        sample_weight,
        label_smoothing,
        chunk_size,
    ):
        n_samples, n_classes = inputs.shape[0], weight.shape[0]
        log_norm = inputs.new_full((n_samples,), -torch.inf)
        logit_sum = inputs.new_zeros(n_samples)
        for start in range(0, n_classes, chunk_size):
            stop = min(start + chunk_size, n_classes)
            logits, _ = _chunk_logits(
                inputs, weight, bias, target, target_logit, start, stop
            )
            log_norm = torch.logaddexp(log_norm, torch.logsumexp(logits, dim=1))
            if label_smoothing:
                logit_sum += logits.sum(dim=1)
        if target_logit is None:
            true_logit = (inputs * weight[target]).sum(dim=1)
            if bias is not None:
                true_logit = true_logit + bias[target]
        else:
            true_logit = target_logit.to(inputs.dtype)
        # -(1 - e) log p_y - e / C sum_c log p_c
        losses = (
            log_norm
            - (1.0 - label_smoothing) * true_logit
            - (label_smoothing / n_classes) * logit_sum
        )
        if sample_weight is not None:
            losses = losses * sample_weight
        ctx.save_for_backward(
            inputs, weight, bias, target, target_logit, sample_weight, log_norm
        )
        ctx.label_smoothing = label_smoothing
        ctx.chunk_size = chunk_size
        return losses.mean()

    @staticmethod
    def backward(ctx, grad_output):
        inputs, weight, bias, target, target_logit, sample_weight, log_norm = (
            ctx.saved_tensors
        )
        smoothing = ctx.label_smoothing
        n_samples, n_classes = inputs.shape[0], weight.shape[0]
        # d loss / d logit_c = coefficient * (p_c - e / C - (1 - e) [c = y])
        coefficient = grad_output / n_samples
        if sample_weight is not None:
            coefficient = coefficient * sample_weight
        else:
            coefficient = coefficient.expand(n_samples)
        needs_inputs, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        grad_inputs = torch.zeros_like(inputs) if needs_inputs else None
        grad_weight = torch.zeros_like(weight) if needs_weight else None
        grad_bias = torch.zeros_like(bias) if needs_bias else None
        grad_target_logit = None
        if target_logit is not None and ctx.needs_input_grad[4]:
            grad_target_logit = torch.zeros_like(target_logit)
        for start in range(0, n_classes, ctx.chunk_size):
            stop = min(start + ctx.chunk_size, n_classes)
            logits, targets_here = _chunk_logits(
                inputs, weight, bias, target, target_logit, start, stop
            )
            grad_logits = torch.exp(logits - log_norm[:, None])
            if smoothing:
                grad_logits -= smoothing / n_classes
            if targets_here is None:
                rows = ((target >= start) & (target < stop)).nonzero().squeeze(1)
                targets_here = (rows, target[rows] - start)
            grad_logits[targets_here] -= 1.0 - smoothing
            grad_logits *= coefficient[:, None]
            if target_logit is not None:
                # The replaced logit's gradient goes to target_logit, not to
                # the linear map.
                if grad_target_logit is not None:
                    grad_target_logit[targets_here[0]] = grad_logits[targets_here].to(
                        grad_target_logit.dtype
                    )
                grad_logits[targets_here] = 0.0
            if needs_inputs:
                grad_inputs += grad_logits @ weight[start:stop]
            if needs_weight:
                grad_weight[start:stop] = grad_logits.T @ inputs
            if needs_bias:
                grad_bias[start:stop] = grad_logits.sum(dim=0)
        return (
            grad_inputs,
            grad_weight,
            grad_bias,
            None,
            grad_target_logit,
            None,
            None,
            None,
        )
