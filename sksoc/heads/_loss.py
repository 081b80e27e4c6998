"""Cross-entropy of linear logits, whole or over chunks of classes.

Every head's training logits have the form ``inputs @ weight.T + bias``,
possibly with the target class's logit replaced (a margin). Written that way,
the loss costs one matrix product, and it can be computed over chunks of
classes with an online log-sum-exp, recomputing each chunk's logits in the
backward pass: no (n_samples, n_classes) matrix is ever kept, which is what
makes a million classes trainable on a small machine.
"""

from dataclasses import dataclass

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


@dataclass
class LinearLogits:
    """Training logits ``inputs @ weight.T + bias + norm_bias * |weight_c|^2``.

    With ``target_logit``, each sample's logit of its target class is that
    value instead. Heads return this from ``training_terms``; the loss never
    needs the logits as one matrix (see :func:`linear_cross_entropy`).
    """

    inputs: torch.Tensor
    weight: torch.Tensor
    bias: torch.Tensor | None = None
    norm_bias: float = 0.0
    target_logit: torch.Tensor | None = None

    def cross_entropy(self, target, **kwargs):
        """:func:`linear_cross_entropy` of these logits against ``target``."""
        return linear_cross_entropy(
            self.inputs,
            self.weight,
            self.bias,
            target,
            norm_bias=self.norm_bias,
            target_logit=self.target_logit,
            **kwargs,
        )

    def materialize(self, target=None):
        """The logits as one (n_samples, n_classes) matrix."""
        bias = self.bias
        if self.norm_bias:
            norm_term = self.norm_bias * (self.weight * self.weight).sum(1)
            bias = norm_term if bias is None else bias + norm_term
        logits = F.linear(self.inputs, self.weight, bias)
        if self.target_logit is not None:
            rows = torch.arange(len(target), device=logits.device)
            logits = logits.index_put(
                (rows, target), self.target_logit.to(logits.dtype)
            )
        return logits


def linear_cross_entropy(
    inputs,
    weight,
    bias,
    target,
    *,
    norm_bias=0.0,
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
    norm_bias : float, default=0.0
        Adds ``norm_bias * |weight_c|^2`` to the bias of class ``c`` (SOC's
        ``-1/2 |mu_c|^2``). Given this way, the chunked computation derives
        it chunk by chunk and needs no (n_classes, n_features) temporary for
        its gradient.
    target_logit : torch.Tensor of shape (n_samples,), default=None
        Replaces each sample's logit of its target class (the margin heads
        pass the target logit with the margin applied).
    sample_weight : torch.Tensor of shape (n_samples,), default=None
        Per-sample weights; the loss is ``mean(w * loss)``.
    label_smoothing : float, default=0.0
        Label smoothing, as in :func:`torch.nn.functional.cross_entropy`.
    chunk_size : int, default=None
        Compute over chunks of this many classes, keeping no
        (n_samples, n_classes) matrix for the backward pass, which then
        recomputes each chunk's logits: four matrix products the size of
        the chunk's logits per chunk, where all classes at once take three
        of the full size, so a third more of that arithmetic. None computes
        all classes at once.

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
        if norm_bias:
            norm_term = norm_bias * (weight * weight).sum(1)
            bias = norm_term if bias is None else bias + norm_term
        logits = F.linear(inputs, weight, bias)
        true_logit = None
        if target_logit is not None or label_smoothing:
            true_logit = _true_logits(inputs, weight, bias, target)
        if target_logit is not None:
            # In place, by the difference to the plain target logit: an
            # accumulating index_put passes the gradient through untouched,
            # where a scatter would copy the (n_samples, n_classes) gradient;
            # the plain logit's gradients through the matrix product and the
            # row-wise product cancel.
            rows = torch.arange(len(target), device=target.device)
            shift = (target_logit - true_logit).to(logits.dtype)
            logits.index_put_((rows, target), shift, accumulate=True)
        losses = F.cross_entropy(logits, target, reduction="none")
        if label_smoothing:
            # Smoothed CE = CE + e * (logit_y - mean_c logit_c), and the mean
            # logit of a linear map is the map of the mean weight: no second
            # pass over the (n_samples, n_classes) logits.
            mean_logit = inputs @ weight.mean(0)
            if bias is not None:
                mean_logit = mean_logit + bias.mean()
            if target_logit is not None:
                mean_logit = mean_logit + shift / weight.shape[0]
                true_logit = target_logit
            losses = losses + label_smoothing * (true_logit - mean_logit)
        if sample_weight is not None:
            losses = losses * sample_weight
        return losses.mean()
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer; got {chunk_size}.")
    return _ChunkedLinearCrossEntropy.apply(
        inputs,
        weight,
        bias,
        target,
        target_logit,
        sample_weight,
        float(norm_bias),
        float(label_smoothing),
        int(chunk_size),
    )


def _true_logits(inputs, weight, bias, target):
    """Each sample's logit of its target class, as a row-wise dot product."""
    true_logit = (inputs * gather_rows(weight, target)).sum(1)
    if bias is not None:
        true_logit = true_logit + gather_rows(bias, target)
    return true_logit


class _ChunkedLinearCrossEntropy(torch.autograd.Function):
    """The cross-entropy of :func:`linear_cross_entropy`, chunk by chunk.

    Forward keeps a running log-sum-exp per sample; backward recomputes each
    chunk's logits into one reused buffer and turns them into gradients in
    place, so the largest temporaries are (n_samples, chunk_size).
    """

    @staticmethod
    def forward(
        ctx,
        inputs,
        weight,
        bias,
        target,
        target_logit,
        sample_weight,
        norm_bias,
        label_smoothing,
        chunk_size,
    ):
        n_samples, n_classes = inputs.shape[0], weight.shape[0]
        buffer = inputs.new_empty((n_samples, min(chunk_size, n_classes)))
        log_norm = inputs.new_full((n_samples,), -torch.inf)
        logit_sum = inputs.new_zeros(n_samples)
        true_logit = inputs.new_empty(n_samples)
        for chunk in _chunks(n_classes, chunk_size, target):
            logits = _chunk_logits(
                buffer, inputs, weight, bias, norm_bias, target_logit, chunk
            )
            rows, columns = chunk.targets
            if target_logit is None:
                true_logit[rows] = logits[rows, columns]
            log_norm = torch.logaddexp(log_norm, torch.logsumexp(logits, dim=1))
            if label_smoothing:
                logit_sum += logits.sum(dim=1)
        if target_logit is not None:
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
        ctx.settings = (norm_bias, label_smoothing, chunk_size)
        return losses.mean()

    @staticmethod
    def backward(ctx, grad_output):
        inputs, weight, bias, target, target_logit, sample_weight, log_norm = (
            ctx.saved_tensors
        )
        norm_bias, smoothing, chunk_size = ctx.settings
        n_samples, n_classes = inputs.shape[0], weight.shape[0]
        # d loss / d logit_c = coefficient * (p_c - e / C - (1 - e) [c = y])
        coefficient = (grad_output / n_samples).expand(n_samples)
        if sample_weight is not None:
            coefficient = coefficient * sample_weight
        needs_inputs, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        needs_target_logit = target_logit is not None and ctx.needs_input_grad[4]
        grad_inputs = torch.zeros_like(inputs) if needs_inputs else None
        grad_weight = torch.empty_like(weight) if needs_weight else None
        grad_bias = torch.empty_like(bias) if needs_bias else None
        grad_target_logit = (
            torch.zeros_like(target_logit) if needs_target_logit else None
        )
        buffer = inputs.new_empty((n_samples, min(chunk_size, n_classes)))
        for chunk in _chunks(n_classes, chunk_size, target):
            grad = _chunk_logits(
                buffer, inputs, weight, bias, norm_bias, target_logit, chunk
            )
            grad.sub_(log_norm[:, None]).exp_()
            if smoothing:
                grad.sub_(smoothing / n_classes)
            rows, columns = chunk.targets
            grad[rows, columns] -= 1.0 - smoothing
            grad.mul_(coefficient[:, None])
            if target_logit is not None:
                # The replaced logit's gradient goes to target_logit, not to
                # the linear map.
                if needs_target_logit:
                    grad_target_logit[rows] = grad[rows, columns].to(
                        grad_target_logit.dtype
                    )
                grad[rows, columns] = 0.0
            weight_chunk = weight[chunk.classes]
            if needs_inputs:
                grad_inputs.addmm_(grad, weight_chunk)
            class_grad = grad.sum(dim=0) if (needs_bias or norm_bias) else None
            if needs_bias:
                grad_bias[chunk.classes] = class_grad
            if needs_weight:
                torch.mm(grad.T, inputs, out=grad_weight[chunk.classes])
                if norm_bias:
                    grad_weight[chunk.classes].addcmul_(
                        weight_chunk, class_grad[:, None], value=2.0 * norm_bias
                    )
        return (
            grad_inputs,
            grad_weight,
            grad_bias,
            None,
            grad_target_logit,
            None,
            None,
            None,
            None,
        )


class _Chunk:
    """Classes ``start:stop`` and the (row, column) of the targets among them."""

    def __init__(self, start, stop, target):
        self.classes = slice(start, stop)
        rows = ((target >= start) & (target < stop)).nonzero().squeeze(1)
        self.targets = (rows, target[rows] - start)


def _chunks(n_classes, chunk_size, target):
    for start in range(0, n_classes, chunk_size):
        yield _Chunk(start, min(start + chunk_size, n_classes), target)


def _chunk_logits(buffer, inputs, weight, bias, norm_bias, target_logit, chunk):
    """The chunk's logits, written into ``buffer``, targets replaced."""
    weight_chunk = weight[chunk.classes]
    logits = buffer[:, : weight_chunk.shape[0]]
    torch.mm(inputs, weight_chunk.T, out=logits)
    if bias is not None:
        logits += bias[chunk.classes]
    if norm_bias:
        logits += norm_bias * (weight_chunk * weight_chunk).sum(1)
    if target_logit is not None:
        rows, columns = chunk.targets
        logits[rows, columns] = target_logit[rows].to(logits.dtype)
    return logits


# Up to this many rows a dense gradient is small, and building a sparse one
# costs more than it saves (15% of an ArcFace or SOC step at 10 classes).
_DENSE_GATHER_MAX_ROWS = 1024


def gather_rows(tensor, index):
    """``tensor[index]`` whose gradient with respect to ``tensor`` is sparse.

    Indexing a few rows of a large parameter otherwise produces, in the
    backward pass, a dense gradient as large as the parameter, mostly zeros.
    The sparse gradient adds into the parameter's dense one without it. A
    tensor of at most 1,024 rows is gathered with a dense gradient.
    """
    if tensor.shape[0] <= _DENSE_GATHER_MAX_ROWS:
        return tensor.index_select(0, index)
    return _GatherRows.apply(tensor, index)


class _GatherRows(torch.autograd.Function):
    @staticmethod
    def forward(ctx, tensor, index):
        ctx.save_for_backward(index)
        ctx.shape = tensor.shape
        return tensor.index_select(0, index)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        sparse = torch.sparse_coo_tensor(
            index[None], grad, ctx.shape, check_invariants=False
        )
        return sparse, None
