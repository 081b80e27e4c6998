"""Heads for many classes: linear form, chunked cross-entropy, sampled class term."""

import pytest
import torch
from torch.nn import functional as F

from sksoc.heads import (
    ArcFaceHead,
    ClassVectorHead,
    CombinedMarginHead,
    CosFaceHead,
    LinearHead,
    SOCHead,
    SphereFaceHead,
    linear_cross_entropy,
)
from tests.helpers import LargestTensor, MatmulFlops

HEADS = {
    "soc": lambda **kw: SOCHead(23, 5, **kw),
    "soc-scales": lambda **kw: SOCHead(23, 5, learn_scale=True, **kw),
    "linear": lambda **kw: LinearHead(23, 5, **kw),
    "fixed-cosine": lambda **kw: ClassVectorHead(23, 5, scale=3.0, bias=True, **kw),
    "learnable-dot": lambda **kw: ClassVectorHead(
        23, 5, similarity="dot", fixed=False, **kw
    ),
    "arcface": lambda **kw: ArcFaceHead(23, 5, **kw),
    "cosface": lambda **kw: CosFaceHead(23, 5, **kw),
    "sphereface": lambda **kw: SphereFaceHead(23, 5, **kw),
    "combined": lambda **kw: CombinedMarginHead(23, 5, easy_margin=True, **kw),
}


def loss_and_gradients(head, z, y, weight):
    z = z.clone().requires_grad_(True)
    head.zero_grad()
    loss = head(z, y, weight)
    loss.backward()
    grads = {name: p.grad.clone() for name, p in head.named_parameters()}
    return loss.detach(), z.grad, grads


@pytest.mark.parametrize("name", list(HEADS))
@pytest.mark.parametrize("chunk_size", [1, 4, 7, 22])
def test_chunked_and_whole_cross_entropy_agree(name, chunk_size):
    torch.manual_seed(0)
    whole = HEADS[name]().double()
    torch.manual_seed(0)
    chunked = HEADS[name](chunk_size=chunk_size).double()
    if hasattr(whole, "raw_scales") and whole.raw_scales is not None:
        with torch.no_grad():
            whole.raw_scales.normal_()
            chunked.raw_scales.copy_(whole.raw_scales)
    z = torch.randn(16, 5, dtype=torch.float64)
    y = torch.randint(23, (16,))
    weight = torch.rand(16, dtype=torch.float64) * 2
    expected = loss_and_gradients(whole, z, y, weight)
    got = loss_and_gradients(chunked, z, y, weight)
    torch.testing.assert_close(got[0], expected[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(got[1], expected[1], atol=1e-5, rtol=1e-5)
    assert got[2].keys() == expected[2].keys()
    for key in expected[2]:
        torch.testing.assert_close(got[2][key], expected[2][key], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("chunk_size", [None, 9])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("override", [False, True])
def test_linear_cross_entropy_matches_torch_in_float32(smoothing, override, chunk_size):
    torch.manual_seed(1)
    inputs = torch.randn(32, 8, requires_grad=True)
    weight = torch.randn(100, 8, requires_grad=True)
    bias = torch.randn(100, requires_grad=True)
    target = torch.randint(100, (32,))
    target_logit = torch.randn(32, requires_grad=True) if override else None

    logits = inputs @ weight.T + bias
    if override:
        logits = logits.scatter(1, target[:, None], target_logit[:, None])
    expected = F.cross_entropy(logits, target, label_smoothing=smoothing)
    leaves = [inputs, weight, bias] + ([target_logit] if override else [])
    expected_grads = torch.autograd.grad(expected, leaves)
    loss = linear_cross_entropy(
        inputs,
        weight,
        bias,
        target,
        target_logit=target_logit,
        label_smoothing=smoothing,
        chunk_size=chunk_size,
    )
    grads = torch.autograd.grad(loss, leaves)
    torch.testing.assert_close(loss, expected, atol=1e-5, rtol=1e-5)
    for got, want in zip(grads, expected_grads, strict=True):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


def test_chunked_cross_entropy_never_holds_all_logits():
    inputs = torch.randn(64, 8, requires_grad=True)
    weight = torch.randn(1000, 8, requires_grad=True)
    target = torch.randint(1000, (64,))
    with LargestTensor() as largest:
        linear_cross_entropy(inputs, weight, None, target, chunk_size=100).backward()
    # Nothing the size of the (64, 1000) logits; the (1000, 8) gradient of
    # the weight is the largest tensor.
    assert largest.numel <= max(64 * 100, 1000 * 8)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_chunking_costs_a_third_more_matrix_arithmetic(smoothing):
    # linear_cross_entropy's docstring: four matrix products the size of the
    # chunk's logits per chunk, where all classes at once take three of the
    # full size.
    inputs = torch.randn(64, 8, requires_grad=True)
    weight = torch.randn(1000, 8, requires_grad=True)
    target = torch.randint(1000, (64,))
    flops = {}
    for chunk_size in (None, 100):
        with MatmulFlops() as counter:
            linear_cross_entropy(
                inputs,
                weight,
                None,
                target,
                label_smoothing=smoothing,
                chunk_size=chunk_size,
            ).backward()
        flops[chunk_size] = counter.flops
    product = 2 * 64 * 1000 * 8
    assert flops[None] == pytest.approx(3 * product, rel=0.01)
    assert flops[100] == pytest.approx(4 * product, rel=0.01)


@pytest.mark.parametrize("learn_scale", [False, True])
def test_training_logits_equal_log_densities_up_to_a_row_constant(learn_scale):
    head = SOCHead(7, 3, learn_scale=learn_scale)
    if learn_scale:
        with torch.no_grad():
            head.raw_scales.normal_()
    z = torch.randn(5, 3)
    difference = head.logits(z) - head.training_logits(z, None)
    torch.testing.assert_close(difference, difference[:, :1].expand(-1, 7))


@pytest.mark.parametrize("learn_scale", [False, True])
def test_sampled_class_term_is_exact_when_the_sample_covers_every_class(learn_scale):
    head = SOCHead(30, 4, learn_scale=learn_scale, class_loss_sample_size=30)
    with torch.no_grad():
        head.class_embeddings.normal_()
    log_p = F.log_softmax(head.logits(head.class_embeddings), dim=1)
    # Label smoothing 0.1: -(0.9) log p_cc - 0.1 / C sum_k log p_ck, averaged.
    eye = torch.eye(30)
    expected = -(0.9 * eye + 0.1 / 30) * log_p
    torch.testing.assert_close(head.class_loss(), expected.sum(1).mean())
    sampled_bigger = SOCHead(30, 4, learn_scale=learn_scale, class_loss_sample_size=500)
    sampled_bigger.load_state_dict(head.state_dict())
    torch.testing.assert_close(sampled_bigger.class_loss(), head.class_loss())


def test_sampled_class_term_uses_that_many_classes():
    head = SOCHead(5000, 4, class_loss_sample_size=64, label_smoothing=0.0)
    with torch.no_grad():
        head.class_embeddings.zero_()
    # All means equal: each sampled mean is equally likely under the 64
    # sampled classes, so the loss is log(64), not log(5000).
    assert head.class_loss().item() == pytest.approx(
        torch.log(torch.tensor(64.0)).item()
    )
    torch.manual_seed(0)
    first = head.class_loss()
    with torch.no_grad():
        head.class_embeddings.normal_()
    torch.manual_seed(0)
    again = head.class_loss()
    torch.manual_seed(1)
    other = head.class_loss()
    assert first.item() != again.item()  # means changed
    assert again.item() != other.item()  # another sample of classes


def test_sub_centers_cannot_be_chunked():
    with pytest.raises(ValueError, match="chunk_size needs sub_centers=1"):
        ArcFaceHead(10, 4, sub_centers=2, chunk_size=3)
