"""Small helpers the test modules share."""

import importlib.util
import pathlib

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten


class Width(nn.Module):
    """A user encoder class with one tunable hyper-parameter, ``width``."""

    def __init__(self, n_features_in, embedding_dim, width=8):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features_in, width), nn.ReLU(), nn.Linear(width, embedding_dim)
        )

    def forward(self, X):
        return self.layers(X)


class LargestTensor(TorchDispatchMode):
    """Records the largest tensor any torch operation produces."""

    def __init__(self):
        super().__init__()
        self.numel = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for value in tree_flatten(out)[0]:
            if isinstance(value, torch.Tensor):
                self.numel = max(self.numel, value.numel())
        return out


class MatmulFlops(TorchDispatchMode):
    """Counts the floating-point operations of the matrix products run."""

    def __init__(self):
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name in ("mm", "addmm", "addmm_"):
            a, b = args[:2] if name == "mm" else args[1:3]
            self.flops += 2 * a.shape[0] * a.shape[1] * b.shape[1]
        return func(*args, **(kwargs or {}))


ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_benchmark(name):
    """The module ``benchmarks/<name>.py``, imported from its file."""
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
