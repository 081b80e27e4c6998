"""Forward + backward cost of every sksoc head against a plain linear head.

"SOCHead" is the whole SOC loss; "SOCHead, sample term only" is its linear
cross-entropy alone (``class_loss_weight=0``), and the class-mean term's share
of a step is measured separately.

The reference is ``cross_entropy(z @ W.T, y)`` with a learnable ``W``; the
other baselines are pytorch-metric-learning's ArcFaceLoss and CosFaceLoss.
Each configuration times every method round-robin (so machine noise hits
them alike) and reports the fastest time per step (the least disturbed by other
load) and its ratio to the
reference measured in the same run. Peak memory is the largest total size of
live tensors created during one forward + backward (parameters excluded),
tracked with a torch dispatch mode in a separate, untimed pass.

Two extra measurements: the sampled SOC class-mean term as a share of a SOC
step, and one training step of the chunked SOC head with 1,000,000 classes.

    python benchmarks/heads.py [--quick] [--repeats 7] [--threads 2] [--out DIR]

With ``--out`` it writes the tables of the user guide's many-classes page:
``ratios.csv`` (each head's ratio to the reference, lowest and highest over
``d`` and the batch sizes, per number of classes) and ``extras.csv`` (the
class-mean term's share and the million-class step). The pml rows need
``pip install pytorch-metric-learning`` (without it they are left out).
"""

import argparse
import csv
import pathlib
import time
import weakref

import torch
from torch.nn import functional as F
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from sksoc.heads import ArcFaceHead, ClassVectorHead, CosFaceHead, LinearHead, SOCHead

try:
    from pytorch_metric_learning import losses as pml_losses
except ImportError:  # the comparison is skipped without it
    pml_losses = None


class PeakTensorMemory(TorchDispatchMode):
    """Peak bytes of live tensors produced inside the context.

    Storages of the ``exclude`` tensors (parameters, inputs) are not counted
    when an operation returns a view of them.
    """

    def __init__(self, exclude=()):
        super().__init__()
        self.live = 0
        self.peak = 0
        self._seen = {tensor.untyped_storage().data_ptr() for tensor in exclude}

    def _release(self, key, size):
        self._seen.discard(key)
        self.live -= size

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for tensor in tree_flatten(out)[0]:
            if not isinstance(tensor, torch.Tensor):
                continue
            if tensor.is_sparse:
                tensor = tensor._values()
            storage = tensor.untyped_storage()
            key = storage.data_ptr()
            if key in self._seen or storage.nbytes() == 0:
                continue
            self._seen.add(key)
            self.live += storage.nbytes()
            self.peak = max(self.peak, self.live)
            weakref.finalize(storage, self._release, key, storage.nbytes())
        return out


class Reference(torch.nn.Module):
    """``cross_entropy(z @ W.T, y)``: the plain linear head."""

    def __init__(self, n_classes, dim):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(n_classes, dim) / dim**0.5)

    def forward(self, z, y):
        return F.cross_entropy(z @ self.weight.T, y)


def methods(n_classes, dim):
    heads = {
        "reference": Reference(n_classes, dim),
        "SOCHead": SOCHead(n_classes, dim),
        "SOCHead, sample term only": SOCHead(n_classes, dim, class_loss_weight=0.0),
        "ClassVectorHead (fixed cosine)": ClassVectorHead(n_classes, dim),
        "LinearHead (softmax)": LinearHead(n_classes, dim),
        "ArcFaceHead": ArcFaceHead(n_classes, dim),
        "CosFaceHead": CosFaceHead(n_classes, dim),
    }
    if pml_losses is not None:
        heads["pml ArcFaceLoss"] = pml_losses.ArcFaceLoss(n_classes, dim)
        heads["pml CosFaceLoss"] = pml_losses.CosFaceLoss(n_classes, dim)
    return heads


def step(head, z, y):
    head.zero_grad(set_to_none=True)
    z.grad = None
    head(z, y).backward()


def time_methods(heads, batch, dim, n_classes, repeats):
    z = torch.randn(batch, dim, requires_grad=True)
    y = torch.randint(n_classes, (batch,))
    times = {name: [] for name in heads}
    for head in heads.values():  # warm up
        step(head, z, y)
    for _ in range(repeats):
        for name, head in heads.items():
            start = time.perf_counter()
            step(head, z, y)
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def peak_memory(head, batch, dim, n_classes):
    z = torch.randn(batch, dim, requires_grad=True)
    y = torch.randint(n_classes, (batch,))
    with PeakTensorMemory(exclude=[*head.parameters(), *head.buffers(), z]) as memory:
        step(head, z, y)
    return memory.peak


def compare_heads(args):
    print("Forward + backward per step; ratio to the reference in the same run.")
    header = (
        f"{'classes':>8} {'d':>3} {'batch':>5}  {'method':32} {'ms':>8} {'ratio':>6}"
    )
    print(header + f" {'peak MB':>8}")
    classes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    ratios = {}
    for n_classes in classes:
        for dim in (32, 64):
            for batch in (256, 512):
                torch.manual_seed(0)
                heads = methods(n_classes, dim)
                seconds = time_methods(heads, batch, dim, n_classes, args.repeats)
                for name, head in heads.items():
                    ratio = seconds[name] / seconds["reference"]
                    ratios.setdefault((name, n_classes), []).append(ratio)
                    megabytes = peak_memory(head, batch, dim, n_classes) / 2**20
                    print(
                        f"{n_classes:>8} {dim:>3} {batch:>5}  {name:32} "
                        f"{seconds[name] * 1e3:8.2f} {ratio:6.2f} {megabytes:8.1f}"
                    )
    names = list(dict.fromkeys(name for name, _ in ratios))
    rows = [["head", *(f"{n:,} classes" for n in classes)]]
    for name in names:
        cells = []
        for n_classes in classes:
            values = ratios[(name, n_classes)]
            cells.append(f"{min(values):.2f}-{max(values):.2f}")
        rows.append(
            ["plain linear head (reference)" if name == "reference" else name, *cells]
        )
    return rows


class ClassTermOnly(torch.nn.Module):
    """The sampled class-mean term of a SOC head alone (``z`` and ``y`` unused)."""

    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, z, y):
        return self.head.class_loss()


def sampled_class_term_share(args):
    """The class-mean term's share of a SOC step: the term alone over the step.

    Both are timed on their own, round-robin, fastest of the repeats: the
    difference of a step with and without the term is smaller than the
    noise of two separately timed steps.
    """
    n_classes, dim, batch = 100_000, 64, 256
    torch.manual_seed(0)
    head = SOCHead(n_classes, dim)
    seconds = time_methods(
        {"step": head, "term": ClassTermOnly(head)}, batch, dim, n_classes, args.repeats
    )
    share = 100 * seconds["term"] / seconds["step"]
    print(
        f"\nSampled SOC class-mean term ({head.class_loss_sample_size} of "
        f"{n_classes} classes, d={dim}, batch {batch}): a step takes "
        f"{seconds['step'] * 1e3:.2f} ms, the term alone "
        f"{seconds['term'] * 1e3:.2f} ms: {share:.1f}% of the step"
    )
    return [
        f"Sampled SOC class-mean term ({head.class_loss_sample_size} of "
        f"{n_classes:,} classes drawn per step), share of a SOC step",
        f"{share:.1f}%",
    ]


def million_classes(args):
    n_classes, dim, batch, chunk = 1_000_000, 64, 512, 8_192
    torch.manual_seed(0)
    head = SOCHead(n_classes, dim, chunk_size=chunk)
    optimizer = torch.optim.SGD(head.parameters(), lr=0.1)
    z = torch.randn(batch, dim, requires_grad=True)
    y = torch.randint(n_classes, (batch,))
    parameters = sum(p.numel() * p.element_size() for p in head.parameters())
    with PeakTensorMemory(exclude=[*head.parameters(), z]) as memory:
        start = time.perf_counter()
        step(head, z, y)
        optimizer.step()
        seconds = time.perf_counter() - start
    losses = []
    for _ in range(3):
        step(head, z, y)
        optimizer.step()
        losses.append(head(z, y).item())
    print(
        f"\nChunked SOC head, {n_classes:,} classes, d={dim}, batch {batch}, "
        f"chunk_size={chunk}: one SGD step {seconds:.2f} s; parameters "
        f"{parameters / 2**20:.0f} MB; peak of the tensors forward + backward + "
        f"step create {memory.peak / 2**20:.0f} MB (the gradient included); head "
        f"memory in all {(parameters + memory.peak) / 2**20:.0f} MB; loss over the "
        f"next steps {[round(x, 3) for x in losses]}"
    )
    return [
        f"Chunked SOC head, {n_classes:,} classes, d={dim}, batch {batch}, "
        f"chunk_size={chunk}: one SGD step",
        f"{seconds:.2f} s",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip 100k classes")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--out", type=pathlib.Path, help="folder for the CSV tables")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s)")
    ratios = compare_heads(args)
    extras = [["measurement", "value"], sampled_class_term_share(args)]
    if not args.quick:
        extras.append(million_classes(args))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, rows in (("ratios.csv", ratios), ("extras.csv", extras)):
            with (args.out / name).open("w", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(rows)


if __name__ == "__main__":
    main()
