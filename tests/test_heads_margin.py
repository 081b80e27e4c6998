"""Margin heads against their formulas, at hand-picked angles."""

import itertools
import math

import pytest
import torch

from sksoc.heads import (
    ArcFaceHead,
    CombinedMarginHead,
    CosFaceHead,
    SphereFaceHead,
)

NO_ANNEALING = {"annealing": lambda step: 0.0}


def cosines(*angles):
    return torch.tensor([[math.cos(a)] for a in angles], dtype=torch.float64)


def as_list(tensor):
    return tensor.ravel().tolist()


def test_arcface_target_is_cos_theta_plus_m():
    head = ArcFaceHead(3, 2, margin=0.5)
    angles = [1e-4, 0.3, 1.2]
    expected = [math.cos(a + 0.5) for a in angles]
    assert as_list(head.target_cosine(cosines(*angles))) == pytest.approx(
        expected, abs=1e-6
    )


def test_arcface_past_pi_minus_m_keeps_falling():
    m = 0.5
    head = ArcFaceHead(3, 2, margin=m)
    theta_max = math.pi - m
    # At theta_max the margin curve reaches cos(pi) = -1; beyond it the target
    # continues as cos(theta) - cos(theta_max) - 1.
    angles = [theta_max - 1e-3, theta_max, theta_max + 0.2, math.pi]
    expected = [
        math.cos(theta_max - 1e-3 + m),
        -1.0,
        math.cos(theta_max + 0.2) - math.cos(theta_max) - 1.0,
        -1.0 - math.cos(theta_max) - 1.0,
    ]
    got = as_list(head.target_cosine(cosines(*angles)))
    assert got == pytest.approx(expected, abs=1e-5)
    dense = torch.linspace(0, math.pi, 2001, dtype=torch.float64)
    target = as_list(head.target_cosine(torch.cos(dense)[:, None]))
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(target))


def test_cosface_target_is_cos_theta_minus_m():
    head = CosFaceHead(3, 2, margin=0.35)
    angles = [0.0, 0.3, math.pi - 0.35, math.pi]
    expected = [math.cos(a) - 0.35 for a in angles]
    assert as_list(head.target_cosine(cosines(*angles))) == pytest.approx(expected)


def test_sphereface_target_is_the_monotonic_psi():
    head = SphereFaceHead(3, 2, margin=4, **NO_ANNEALING)
    # psi(theta) = (-1)^k cos(4 theta) - 2k on [k pi/4, (k+1) pi/4].
    angles = [1e-4, 0.3, 1.0, math.pi - 0.1, math.pi]
    expected = [
        math.cos(4e-4),
        math.cos(1.2),  # k = 0
        -math.cos(4.0) - 2,  # 4 / pi = 1.27: k = 1
        -math.cos(4 * (math.pi - 0.1)) - 6,  # k = 3
        -7.0,  # k = 3 from the left, 4 from the right: both give -7
    ]
    got = as_list(head.target_cosine(cosines(*angles)))
    assert got == pytest.approx(expected, abs=1e-4)
    dense = torch.linspace(0, math.pi, 2001, dtype=torch.float64)
    target = as_list(head.target_cosine(torch.cos(dense)[:, None]))
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(target))


def test_sphereface_annealing_mixes_in_the_plain_cosine():
    head = SphereFaceHead(3, 2, margin=2, annealing=(1000.0, 0.12, 1.0, 5.0))
    assert head.mixing_weight() == 1000.0
    theta = 1.0
    psi = math.cos(2.0)  # m * theta = 2 < pi: k = 0
    expected = (1000.0 * math.cos(theta) + psi) / 1001.0
    assert head.target_cosine(cosines(theta)).item() == pytest.approx(expected)
    head.steps.fill_(10**6)
    assert head.mixing_weight() == 5.0  # lambda_min
    head.steps.fill_(10)
    assert head.mixing_weight() == pytest.approx(1000.0 / (1 + 0.12 * 10))


def test_sphereface_steps_advance_in_training_only():
    head = SphereFaceHead(3, 2)
    z, y = torch.randn(8, 2), torch.randint(3, (8,))
    head(z, y).backward()
    head(z, y).backward()
    assert int(head.steps) == 2
    head.logits(z)
    with torch.no_grad():
        head(z, y)
    head.eval()
    head(z, y)
    assert int(head.steps) == 2


@pytest.mark.parametrize(
    "margins, angles, expected",
    [
        ((1.0, 0.0, 0.0), [0.3], [math.cos(0.3)]),
        ((1.0, 0.2, 0.1), [0.3, 2.0], [math.cos(0.5) - 0.1, math.cos(2.2) - 0.1]),
        ((2.0, 0.1, 0.05), [0.4], [math.cos(0.9) - 0.05]),
        # 2 * 1.6 + 0.1 > pi: theta_max = (pi - 0.1) / 2, shifted plain cosine.
        (
            (2.0, 0.1, 0.05),
            [1.6],
            [math.cos(1.6) - math.cos((math.pi - 0.1) / 2) - 1.0 - 0.05],
        ),
    ],
)
def test_combined_target_is_cos_m1_theta_plus_m2_minus_m3(margins, angles, expected):
    head = CombinedMarginHead(3, 2, margins=margins)
    got = as_list(head.target_cosine(cosines(*angles)))
    assert got == pytest.approx(expected, abs=1e-5)


def test_arcface_and_cosface_are_combined_margins():
    cos_theta = torch.linspace(-1, 1, 101, dtype=torch.float64)[:, None]
    torch.testing.assert_close(
        ArcFaceHead(3, 2, margin=0.4).target_cosine(cos_theta),
        CombinedMarginHead(3, 2, margins=(1, 0.4, 0)).target_cosine(cos_theta),
    )
    torch.testing.assert_close(
        CosFaceHead(3, 2, margin=0.2).target_cosine(cos_theta),
        CombinedMarginHead(3, 2, margins=(1, 0, 0.2)).target_cosine(cos_theta),
    )


def head_with_vectors(Head, vectors, **params):
    head = Head(len(vectors), vectors.shape[1], **params)
    with torch.no_grad():
        head.class_embeddings.copy_(vectors)
    return head


@pytest.mark.parametrize(
    "Head, params",
    [
        (ArcFaceHead, {}),
        (CosFaceHead, {}),
        (SphereFaceHead, {}),
        (CombinedMarginHead, {}),
        (ArcFaceHead, {"easy_margin": True}),
    ],
)
def test_margin_touches_only_the_target_and_only_in_training(Head, params):
    vectors = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    head = head_with_vectors(Head, vectors, scale=10.0, **params)
    z = torch.tensor([[1.0, 1.0], [0.2, 1.0]])
    y = torch.tensor([0, 1])
    plain = 10.0 * torch.nn.functional.normalize(z, dim=1) @ vectors.T
    torch.testing.assert_close(head.logits(z), plain)
    train = head.training_logits(z, y)
    target = torch.zeros_like(plain, dtype=torch.bool)
    target[0, 0] = target[1, 1] = True
    torch.testing.assert_close(train[~target], plain[~target])
    assert torch.all(train[target] < plain[target])
    head.eval()
    torch.testing.assert_close(head.training_logits(z, y), plain)


def test_easy_margin_spares_negative_cosines():
    vectors = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    head = head_with_vectors(ArcFaceHead, vectors, scale=1.0, easy_margin=True)
    z = torch.tensor([[-1.0, 0.2], [1.0, 0.2]])  # cos with class 0: < 0, > 0
    logits = head.training_logits(z, torch.tensor([0, 0]))
    torch.testing.assert_close(logits[0], head.logits(z)[0])
    assert logits[1, 0] < head.logits(z)[1, 0]


@pytest.mark.parametrize(
    "Head",
    [ArcFaceHead, CosFaceHead, SphereFaceHead, CombinedMarginHead],
)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_loss_and_gradients_are_finite_at_cos_plus_and_minus_one(Head, sign):
    vectors = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    head = head_with_vectors(Head, vectors)
    # The embedding lies exactly on (sign = 1) or opposite (sign = -1) the
    # target vector: cos(theta) is exactly +1 or -1.
    z = torch.tensor([[sign * 3.0, 0.0], [0.0, sign * 2.0]], requires_grad=True)
    loss = head(z, torch.tensor([0, 1]))
    loss.backward()
    assert torch.isfinite(loss)
    assert torch.isfinite(z.grad).all()
    assert torch.isfinite(head.class_embeddings.grad).all()


def test_sub_centers_take_the_closest_centre_per_class():
    vectors = torch.tensor(
        [
            [[1.0, 0.0], [0.0, 1.0]],  # class 0's two sub-centres
            [[-1.0, 0.0], [0.0, -1.0]],
        ]
    )
    head = CosFaceHead(2, 2, scale=1.0, sub_centers=2)
    with torch.no_grad():
        head.class_embeddings.copy_(vectors)
    z = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])
    torch.testing.assert_close(head.logits(z), torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    assert head.class_embeddings.shape == (2, 2, 2)


def test_invalid_margins():
    with pytest.raises(ValueError, match="margins"):
        CombinedMarginHead(3, 2, margins=(0.5, 0.0, 0.0))
    with pytest.raises(ValueError, match="below pi|m2 < pi"):
        ArcFaceHead(3, 2, margin=4.0)
    with pytest.raises(ValueError, match="SphereFace margin must be >= 1"):
        SphereFaceHead(3, 2, margin=0.5)
    with pytest.raises(ValueError, match="annealing must be"):
        SphereFaceHead(3, 2, annealing=(1.0, 2.0))
    with pytest.raises(ValueError, match="scale must be positive"):
        CosFaceHead(3, 2, scale=0.0)
