"""Encoders: torch modules mapping input features to an embedding."""

import itertools

from torch import nn

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
            layers.append(nn.Linear(width_in, width_out))
            if batch_norm:
                layers.append(nn.BatchNorm1d(width_out))
            layers.append(_ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(widths[-1], embedding_dim))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers(X)
