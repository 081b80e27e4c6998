"""Encoders: torch modules mapping input features to an embedding."""

import itertools
import math

import torch
from torch import nn

from ._generators import Dropout, linear

__all__ = ["MLPEncoder", "PeriodicEmbedding", "TabularEncoder"]

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "leaky_relu": nn.LeakyReLU,
}


class MLPEncoder(nn.Module):
    """A multi-layer perceptron for tabular data, ending in a linear embedding.

    Each hidden layer is ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``;
    the last layer is a plain ``Linear`` to ``embedding_dim``, so the embedding
    is unconstrained (the head decides whether to normalise it).

    Parameters
    ----------
    n_features_in : int
        Number of input features.
    embedding_dim : int
        Size of the output embedding.
    hidden_layer_sizes : tuple of int, default=(128,)
        Width of each hidden layer; ``()`` gives a linear encoder.
    activation : {"relu", "gelu", "silu", "tanh", "leaky_relu"}, default="relu"
        Non-linearity after each hidden layer.
    dropout : float, default=0.0
        Dropout probability after each hidden activation.
    batch_norm : bool, default=False
        Insert batch normalisation before each hidden activation.
    generator : torch.Generator, default=None
        Draws the initial weights; torch's global generator when None. (The
        estimators give each fit its own; the dropout masks of a fit come
        from one too.)

    Examples
    --------
    >>> import torch
    >>> from sksoc.encoders import MLPEncoder
    >>> encoder = MLPEncoder(n_features_in=4, embedding_dim=2, hidden_layer_sizes=(8,))
    >>> encoder(torch.zeros(5, 4)).shape
    torch.Size([5, 2])
    """

    def __init__(
        self,
        n_features_in,
        embedding_dim,
        hidden_layer_sizes=(128,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        generator=None,
    ):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}."
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got {dropout}.")
        widths = [n_features_in, *hidden_layer_sizes]
        layers = []
        for width_in, width_out in itertools.pairwise(widths):
            layers.append(linear(width_in, width_out, generator=generator))
            if batch_norm:
                layers.append(nn.BatchNorm1d(width_out))
            layers.append(_ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(Dropout(dropout))
        layers.append(linear(widths[-1], embedding_dim, generator=generator))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers(X)


class PeriodicEmbedding(nn.Module):
    """Embed each number through learned periodic functions (Gorishniy et al., 2022).

    Feature ``j``'s value ``x`` becomes ``relu(W_j [cos(2 pi c_j x), sin(2 pi
    c_j x)] + b_j)``, with ``n_frequencies`` learned frequencies ``c_j``
    drawn from ``N(0, frequency_scale**2)`` and a linear map of its own per
    feature, followed by ``x`` itself: a network on these inputs can fit
    functions of one column that jump or oscillate, which a plain MLP on the
    raw number learns slowly.

    Parameters
    ----------
    n_features : int
        Number of numeric features embedded.
    width : int, default=8
        Size of each feature's embedding, before ``x`` is appended.
    n_frequencies : int, default=16
    frequency_scale : float, default=1.0
    generator : torch.Generator, default=None
        Draws the frequencies and the initial weights; torch's global
        generator when None.

    Examples
    --------
    >>> import torch
    >>> from sksoc.encoders import PeriodicEmbedding
    >>> PeriodicEmbedding(3, width=4)(torch.zeros(2, 3)).shape
    torch.Size([2, 15])
    """

    def __init__(
        self,
        n_features,
        width=8,
        n_frequencies=16,
        frequency_scale=1.0,
        generator=None,
    ):
        super().__init__()
        self.frequencies = nn.Parameter(
            torch.randn(n_features, n_frequencies, generator=generator)
            * frequency_scale
        )
        bound = (2 * n_frequencies) ** -0.5
        self.weight = nn.Parameter(
            torch.empty(n_features, 2 * n_frequencies, width).uniform_(
                -bound, bound, generator=generator
            )
        )
        self.bias = nn.Parameter(
            torch.empty(n_features, width).uniform_(-bound, bound, generator=generator)
        )

    @property
    def n_features_out(self):
        n_features, _, width = self.weight.shape
        return n_features * (width + 1)

    def forward(self, X):
        phases = 2 * math.pi * self.frequencies * X[..., None]
        periodic = torch.cat([torch.cos(phases), torch.sin(phases)], dim=-1)
        embedded = torch.relu(
            torch.einsum("bfp,fpw->bfw", periodic, self.weight) + self.bias
        )
        return torch.cat([embedded.flatten(1), X], dim=1)


class TabularEncoder(nn.Module):
    """An MLP for encoded tables: numeric columns embedded one by one.

    Expects the output of :class:`~sksoc.preprocessing.TabularPreprocessor`:
    its first ``n_numeric`` columns are scaled numbers, which a
    :class:`PeriodicEmbedding` embeds; the rest (missing-value indicators,
    one-hot categories) join them unchanged. Then an MLP as
    :class:`MLPEncoder` ends in a linear embedding.

    Parameters
    ----------
    n_features_in : int
        Number of input columns.
    embedding_dim : int
        Size of the output embedding.
    n_numeric : int, default=0
        Number of leading columns that are numbers to embed; 0 embeds none.
    hidden_layer_sizes : tuple of int, default=(256,)
        The estimators' default on tables ("auto").
    activation : {"relu", "gelu", "silu", "tanh", "leaky_relu"}, default="relu"
    dropout : float, default=0.0
    numeric_width : int, default=8
        Size of each numeric column's periodic embedding.
    n_frequencies : int, default=16
    frequency_scale : float, default=1.0
    generator : torch.Generator, default=None
        Draws the initial weights; torch's global generator when None.

    Examples
    --------
    >>> import torch
    >>> from sksoc.encoders import TabularEncoder
    >>> encoder = TabularEncoder(n_features_in=5, embedding_dim=2, n_numeric=3)
    >>> encoder(torch.zeros(4, 5)).shape
    torch.Size([4, 2])
    """

    def __init__(
        self,
        n_features_in,
        embedding_dim,
        n_numeric=0,
        hidden_layer_sizes=(256,),
        activation="relu",
        dropout=0.0,
        numeric_width=8,
        n_frequencies=16,
        frequency_scale=1.0,
        generator=None,
    ):
        super().__init__()
        if not 0 <= n_numeric <= n_features_in:
            raise ValueError(
                f"n_numeric must be in [0, n_features_in={n_features_in}]; "
                f"got {n_numeric}."
            )
        self.n_numeric = n_numeric
        self.numeric = (
            PeriodicEmbedding(
                n_numeric, numeric_width, n_frequencies, frequency_scale, generator
            )
            if n_numeric
            else None
        )
        n_inputs = (
            n_features_in
            - n_numeric
            + (self.numeric.n_features_out if n_numeric else 0)
        )
        self.mlp = MLPEncoder(
            n_inputs,
            embedding_dim,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            generator=generator,
        )

    def forward(self, X):
        if self.numeric is not None:
            X = torch.cat(
                [self.numeric(X[:, : self.n_numeric]), X[:, self.n_numeric :]], dim=1
            )
        return self.mlp(X)
