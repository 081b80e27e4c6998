"""The random draws of sksoc's own modules, from generators a fit gives them.

A fit draws from :class:`torch.Generator` objects of its own, never from
torch's global generators, which every thread shares: fits running at once
in several threads draw what they would draw one after the other. sksoc's
encoders and heads take the generator of their initial weights as the
``generator`` argument of their constructor (:func:`linear` is a
``torch.nn.Linear`` initialised from one), and the generator of the draws
they make while training (dropout masks, the SOC head's contrast rows and
sampled classes) as their ``training_generator`` attribute, which the
engine sets for one training call (:func:`drawing_from`) and which is never
saved. Without one, a module draws from torch's global generator, as a
module built by hand does.

A generator seeded with ``s`` gives the numbers torch's global generator of
its device gives after ``torch.manual_seed(s)``, through the same sampling
functions; the modules here draw through the functions torch's own modules
use, in the same order, so a fit's numbers do not depend on which of the two
it draws from.
"""

import contextlib
import math

import torch
from torch import nn
from torch.nn import init


def linear(in_features, out_features, *, bias=True, generator=None):
    """A ``torch.nn.Linear`` whose initial weights are drawn from ``generator``.

    The draws are ``torch.nn.Linear``'s own, in its order (a Kaiming-uniform
    weight, then a uniform bias); torch's global generator when None.
    """
    if generator is None:
        return nn.Linear(in_features, out_features, bias=bias)
    layer = nn.utils.skip_init(nn.Linear, in_features, out_features, bias=bias)
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
    if bias:
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0
        init.uniform_(layer.bias, -bound, bound, generator=generator)
    return layer


class Dropout(nn.Dropout):
    """``torch.nn.Dropout`` that draws its masks from ``training_generator``.

    With the attribute None (a module not being trained by sksoc), it is
    ``torch.nn.Dropout``. With a CPU generator, the mask is drawn and applied
    as torch's CPU dropout does it, so the numbers are the same as torch's
    after seeding its global generator alike. (torch's CUDA dropout is one
    fused kernel that takes no generator: the engine trains a CUDA encoder
    with dropout from the global generators; see
    :func:`draws_from_own_generator`.)
    """

    training_generator = None

    def forward(self, X):
        generator = self.training_generator
        if generator is None or not self.training or self.p == 0:
            return super().forward(X)
        noise = torch.empty_like(X).bernoulli_(1 - self.p, generator=generator)
        noise.div_(1 - self.p)
        return X.mul_(noise) if self.inplace else X * noise


def is_sksoc_module(module):
    """Whether ``module`` (a module, its class, or None: the default) is sksoc's.

    sksoc's modules draw only from the generators they are given; any other
    may draw from torch's global generators.
    """
    if module is None:
        return True
    kind = module if isinstance(module, type) else type(module)
    return kind.__module__.split(".")[0] == "sksoc"


def draws_from_own_generator(module, device):
    """Whether training ``module`` on ``device`` can draw from a generator of its own.

    True for sksoc's modules on the CPU, and on CUDA unless the module has
    dropout: torch's CUDA dropout takes no generator, so such a fit draws
    from torch's global generators, as any module not sksoc's does.
    """
    if not is_sksoc_module(module):
        return False
    device = torch.device(device)
    if device.type == "cpu":
        return True
    if device.type != "cuda":
        return False
    return not any(
        isinstance(layer, nn.Dropout) and layer.p > 0 for layer in module.modules()
    )


@contextlib.contextmanager
def drawing_from(generator, *modules):
    """Inside, the training draws of ``modules`` come from ``generator``.

    Sets the ``training_generator`` attribute of every submodule that has
    one, and removes it afterwards (back to the class's None), so that it is
    never copied or saved. With ``generator`` None, nothing is set.
    """
    drawing = (
        []
        if generator is None
        else list(
            dict.fromkeys(
                layer
                for module in modules
                for layer in module.modules()
                if hasattr(layer, "training_generator")
            )
        )
    )
    for layer in drawing:
        layer.training_generator = generator
    try:
        yield
    finally:
        for layer in drawing:
            del layer.training_generator
