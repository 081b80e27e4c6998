"""Class-vector initialisations and the cosine / dot-product head."""

import math

import pytest
import torch
from torch.nn import functional as F

from sksoc.heads import ClassVectorHead, LinearHead, initial_class_embeddings


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("n_classes, dim", [(2, 1), (3, 2), (10, 9), (10, 64)])
def test_simplex_pairwise_cosines_are_minus_one_over_n_minus_one(n_classes, dim):
    vectors = initial_class_embeddings(n_classes, dim, "simplex", seeded()).double()
    gram = vectors @ vectors.T
    expected = torch.full((n_classes, n_classes), -1.0 / (n_classes - 1))
    expected.fill_diagonal_(1.0)
    torch.testing.assert_close(gram, expected.double(), atol=1e-6, rtol=0)
    # Centred at the origin.
    torch.testing.assert_close(
        vectors.sum(0), torch.zeros(dim, dtype=torch.float64), atol=1e-6, rtol=0
    )


@pytest.mark.parametrize("n_classes, dim", [(1, 1), (3, 3), (5, 16)])
def test_orthogonal_vectors_have_an_identity_gram_matrix(n_classes, dim):
    vectors = initial_class_embeddings(n_classes, dim, "orthogonal", seeded())
    torch.testing.assert_close(
        vectors @ vectors.T, torch.eye(n_classes), atol=1e-6, rtol=0
    )


def test_random_vectors_are_unit_norm_and_seeded():
    vectors = initial_class_embeddings(100, 8, "random", seeded(3))
    torch.testing.assert_close(vectors.norm(dim=1), torch.ones(100))
    torch.testing.assert_close(
        vectors, initial_class_embeddings(100, 8, "random", seeded(3))
    )
    assert not torch.equal(
        vectors, initial_class_embeddings(100, 8, "random", seeded(4))
    )
    # Isotropic: the mean direction of many draws is near the origin.
    many = initial_class_embeddings(20000, 8, "random", seeded(5))
    assert many.mean(0).norm() < 0.05


def test_arrangements_that_do_not_fit_raise_clear_errors():
    with pytest.raises(ValueError, match="orthogonal.*n_classes <= embedding_dim"):
        initial_class_embeddings(4, 3, "orthogonal")
    with pytest.raises(ValueError, match=r"simplex.*n_classes <= embedding_dim \+ 1"):
        initial_class_embeddings(5, 3, "simplex")
    with pytest.raises(ValueError, match="init must be one of"):
        initial_class_embeddings(3, 3, "sobol")


def test_cosine_logits_are_scaled_cosines():
    z = torch.tensor([[3.0, 4.0]])  # direction (0.6, 0.8)
    head = ClassVectorHead(2, 2, scale=4.0, init="orthogonal")
    with torch.no_grad():
        head.class_embeddings.copy_(torch.eye(2))
    torch.testing.assert_close(head.logits(z), torch.tensor([[2.4, 3.2]]))
    torch.testing.assert_close(head.embed(z), torch.tensor([[0.6, 0.8]]))


def test_dot_logits_and_bias():
    head = ClassVectorHead(2, 2, similarity="dot", bias=True, fixed=False)
    with torch.no_grad():
        head.class_embeddings.copy_(torch.tensor([[1.0, 0.0], [1.0, 1.0]]))
        head.bias.copy_(torch.tensor([0.5, -1.0]))
    z = torch.tensor([[3.0, 4.0]])
    torch.testing.assert_close(head.logits(z), torch.tensor([[3.5, 6.0]]))
    torch.testing.assert_close(head.embed(z), z)


def test_fixed_vectors_are_a_buffer_and_never_receive_gradients():
    head = ClassVectorHead(4, 3, bias=True)
    assert [name for name, _ in head.named_parameters()] == ["bias"]
    assert "class_embeddings" in dict(head.named_buffers())
    before = head.class_embeddings.clone()
    optimizer = torch.optim.SGD(head.parameters(), lr=1.0)
    head(torch.randn(8, 3), torch.randint(4, (8,))).backward()
    optimizer.step()
    assert torch.equal(head.class_embeddings, before)
    learnable = ClassVectorHead(4, 3, fixed=False)
    assert "class_embeddings" in dict(learnable.named_parameters())


def test_cosine_logits_at_scale_one_are_bounded():
    # The paper's point: with S = 1 the logits lie in [-1, 1]...
    head = ClassVectorHead(200, 16)
    logits = head.logits(torch.randn(64, 16) * 100)
    assert logits.abs().max() <= 1.0 + 1e-6
    # ...so even a perfect sample's probability is at most e / (e + 199 / e).
    best = math.e / (math.e + 199 / math.e)
    assert F.softmax(torch.tensor([1.0] + [-1.0] * 199), 0)[0] == pytest.approx(best)


def test_linear_head_is_a_linear_layer():
    head = LinearHead(3, 2)
    z = torch.randn(5, 2)
    torch.testing.assert_close(head.logits(z), z @ head.class_embeddings.T + head.bias)
    assert [name for name, _ in head.named_parameters()] == [
        "class_embeddings",
        "bias",
    ]
