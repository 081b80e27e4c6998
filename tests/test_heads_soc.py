"""SOCHead against hand-computed Gaussian log-densities and its loss formula."""

import math

import pytest
import torch
from torch.nn import functional as F

from sksoc.heads import SOCHead
from tests.helpers import LargestTensor

LOG_2PI = math.log(2 * math.pi)


def toy_head(**params):
    """2 classes in 2 dimensions, means (0, 0) and (1, 2)."""
    head = SOCHead(2, 2, **params)
    with torch.no_grad():
        head.class_embeddings.copy_(torch.tensor([[0.0, 0.0], [1.0, 2.0]]))
    return head


def test_logits_are_hand_computed_log_densities():
    z = torch.tensor([[1.0, 0.0], [1.0, 2.0]])
    # z0: |z0 - mu0|^2 = 1, |z0 - mu1|^2 = 0 + 4 = 4; z1: 5 and 0.
    # log N = -sq/2 - (D/2) log(2 pi), with D/2 = 1.
    expected = torch.tensor(
        [[-0.5 - LOG_2PI, -2.0 - LOG_2PI], [-2.5 - LOG_2PI, -LOG_2PI]]
    )
    torch.testing.assert_close(toy_head().logits(z), expected)


def test_logits_with_learned_scales():
    head = toy_head(learn_scale=True)
    scales = torch.tensor([[1.0, 1.0], [2.0, 0.5]])
    with torch.no_grad():
        # scale = min_scale + softplus(raw)
        head.raw_scales.copy_(torch.log(torch.expm1(scales - head.min_scale)))
    torch.testing.assert_close(head.scales, scales)
    z = torch.tensor([[1.0, 0.0]])
    # class 1: ((1 - 1) / 2)^2 + ((0 - 2) / 0.5)^2 = 16;
    # -sum log s = -(log 2 + log 0.5) = 0.
    expected = torch.tensor([[-0.5 - LOG_2PI, -8.0 - LOG_2PI]])
    torch.testing.assert_close(head.logits(z), expected)


def test_scales_start_at_one_and_stay_positive():
    head = SOCHead(3, 4, learn_scale=True)
    torch.testing.assert_close(head.scales, torch.ones(3, 4))
    with torch.no_grad():
        head.raw_scales.fill_(-100.0)
    assert torch.all(head.scales >= head.min_scale)
    assert torch.isfinite(head.logits(torch.randn(5, 4))).all()
    assert SOCHead(3, 4).scales is None


def test_training_logits_differ_from_logits_by_a_per_row_constant():
    head = SOCHead(5, 3)
    z = torch.randn(7, 3)
    difference = head.logits(z) - head.training_logits(z, None)
    torch.testing.assert_close(difference, difference[:, :1].expand(-1, 5))
    torch.testing.assert_close(
        F.softmax(head.logits(z), 1), F.softmax(head.training_logits(z, None), 1)
    )


def smoothed_ce(log_p, target, smoothing):
    """-(1 - e) log p_y - e / C sum_c log p_c, from log-probabilities."""
    n_classes = len(log_p)
    return -(1 - smoothing) * log_p[target] - smoothing / n_classes * sum(log_p)


def test_loss_equals_its_formula():
    head = toy_head(class_loss_weight=0.3, label_smoothing=0.2)
    z = torch.tensor([[1.0, 0.0]])
    y = torch.tensor([1])
    # Sample term: logits -0.5 and -2 (the shared constant cancels).
    log_p = [-0.5 - math.log(math.exp(-0.5) + math.exp(-2.0))]
    log_p.append(log_p[0] - 1.5)
    sample_term = smoothed_ce(log_p, 1, 0.2)
    # Class term: mean 0 is at squared distance 0 and 5 from the classes, and
    # mean 1 at 5 and 0, so both rows have log-probabilities 0 and -2.5 shifted.
    own = -math.log(1 + math.exp(-2.5))
    rows = [[own, own - 2.5], [own - 2.5, own]]
    class_term = (smoothed_ce(rows[0], 0, 0.2) + smoothed_ce(rows[1], 1, 0.2)) / 2
    expected = 0.7 * sample_term + 0.3 * class_term
    assert head(z, y).item() == pytest.approx(expected, rel=1e-6)


def test_sample_weights_scale_each_sample_loss():
    head = SOCHead(3, 2, class_loss_weight=0.0, label_smoothing=0.0)
    z, y = torch.randn(4, 2), torch.tensor([0, 1, 2, 1])
    per_sample = F.cross_entropy(head.logits(z), y, reduction="none")
    weights = torch.tensor([0.0, 2.0, 1.0, 1.0])
    expected = (weights * per_sample).mean()
    torch.testing.assert_close(head(z, y, weights), expected)
    assert head(z, y, torch.zeros(4)).item() == 0.0


def test_both_terms_train_the_means():
    head = SOCHead(3, 2, class_loss_weight=1.0)
    head(torch.randn(4, 2), torch.tensor([0, 1, 2, 1])).backward()
    assert head.class_embeddings.grad.abs().sum() > 0
    only_samples = SOCHead(3, 2, class_loss_weight=0.0)
    z = torch.randn(4, 2, requires_grad=True)
    only_samples(z, torch.tensor([0, 1, 2, 1])).backward()
    assert z.grad.abs().sum() > 0


@pytest.mark.parametrize("learn_scale", [False, True])
def test_no_batch_by_classes_by_dims_tensor_is_built(learn_scale):
    n_samples, n_classes, dims = 64, 50, 16
    head = SOCHead(n_classes, dims, learn_scale=learn_scale)
    z = torch.randn(n_samples, dims, requires_grad=True)
    y = torch.randint(n_classes, (n_samples,))
    with LargestTensor() as largest:
        head(z, y).backward()
        head.logits(z)
    # Nothing bigger than a (n_samples, n_classes) or (n_classes, n_classes)
    # matrix: the broadcast difference would have n_samples * n_classes * dims.
    assert largest.numel <= max(n_samples, n_classes) * n_classes


def test_invalid_head_parameters():
    with pytest.raises(ValueError, match="class_loss_weight must be in"):
        SOCHead(3, 2, class_loss_weight=1.5)
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        SOCHead(3, 2, label_smoothing=1.0)
    with pytest.raises(ValueError, match="n_classes and embedding_dim must be"):
        SOCHead(0, 2)


# -- the contrast term -------------------------------------------------------------


def test_mixture_log_density_is_the_equal_weight_mixture():
    z = torch.tensor([[1.0, 0.0]])
    # Class densities at z: exp(-1/2) and exp(-2), over 2 pi; weights 1/2.
    expected = math.log(0.5 * (math.exp(-0.5) + math.exp(-2.0))) - LOG_2PI
    head = toy_head()
    assert head.mixture_log_density(z).item() == pytest.approx(expected, rel=1e-6)
    # Over class 1 alone: its log-density.
    only_1 = head.mixture_log_density(z, torch.tensor([1]))
    assert only_1.item() == pytest.approx(-2.0 - LOG_2PI, rel=1e-6)


def test_contrast_loss_equals_its_formula():
    head = toy_head()
    z = torch.tensor([[0.0, 0.0], [1.0, 2.0]])
    z_contrast = torch.tensor([[3.0, 0.0], [1.0, 1.0]])

    def log_p(point):  # the equal-weight mixture, constant dropped
        means = torch.tensor([[0.0, 0.0], [1.0, 2.0]])
        return torch.logsumexp(-0.5 * ((point - means) ** 2).sum(1), 0) - math.log(2)

    expected = (
        sum(F.softplus(log_p(r) - log_p(d)) for d, r in zip(z, z_contrast, strict=True))
        / 2
    )
    torch.testing.assert_close(head.contrast_loss(z, z_contrast), expected)


def test_contrast_loss_moves_both_rows_of_a_pair():
    head = toy_head()
    z = torch.tensor([[0.5, 0.5]], requires_grad=True)
    z_contrast = torch.tensor([[0.2, 0.1]], requires_grad=True)
    head.contrast_loss(z, z_contrast).backward()
    # The contrast embedding is pushed away from the nearby class mean
    # (0, 0); the data embedding is pulled to higher density, towards the
    # means, so that the pair cannot drift off the classes together.
    step = -z_contrast.grad[0]
    assert torch.dot(step, z_contrast.detach()[0]) > 0
    data_step = -z.grad[0]
    assert head.mixture_log_density(z.detach() + 0.01 * data_step) > (
        head.mixture_log_density(z.detach())
    )


def test_contrast_loss_with_many_classes_uses_the_target_classes():
    head = SOCHead(300, 2, class_loss_sample_size=4)
    z, z_contrast = torch.randn(3, 2), torch.randn(3, 2)
    target = torch.tensor([5, 7, 5])
    classes = torch.tensor([5, 7])
    expected = F.softplus(
        head.mixture_log_density(z_contrast, classes)
        - head.mixture_log_density(z, classes)
    ).mean()
    torch.testing.assert_close(head.contrast_loss(z, z_contrast, target), expected)
    # Without a target, or with few classes, the mixture is over every class.
    everything = F.softplus(
        head.mixture_log_density(z_contrast) - head.mixture_log_density(z)
    ).mean()
    torch.testing.assert_close(head.contrast_loss(z, z_contrast), everything)


def test_contrast_loss_refuses_unpaired_rows():
    with pytest.raises(ValueError, match="same shape"):
        toy_head().contrast_loss(torch.zeros(3, 2), torch.zeros(2, 2))
    with pytest.raises(ValueError, match="contrast_weight must be non-negative"):
        SOCHead(3, 2, contrast_weight=-0.1)


def test_head_forward_never_includes_the_contrast_term():
    z, y = torch.randn(4, 2), torch.tensor([0, 1, 0, 1])
    with_weight = toy_head(contrast_weight=5.0)
    torch.testing.assert_close(with_weight(z, y), toy_head()(z, y))
