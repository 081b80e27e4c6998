"""The training engine: an encoder, a class head, an optimiser and the loop.

Every training path of the estimators (``fit``, ``partial_fit``,
``add_classes``) and every prediction goes through one :class:`EmbeddingNet`,
a skorch :class:`~skorch.NeuralNet` whose ``module`` is the encoder and whose
``criterion`` is the class head, so skorch trains the head's class parameters
with the encoder's, moves both to the device and keeps the per-epoch history.
The fit path (:mod:`sksoc._fitting`) builds it through
:mod:`sksoc._network` and chooses the validation rows; the rows and their
batches are :mod:`sksoc._batches`', the stopping rule :mod:`sksoc._stopping`'s.

skorch is used through its public hooks. What they change, and why:

- ``get_iterator``: the data are tensors made once per fit; a batch is one
  gather of rows by a shuffled index (a generator the net owns, so training
  never touches the caller's torch random state), not a DataLoader collating
  one row at a time.
- ``train_step`` and ``run_single_epoch``: one optimiser step without a
  closure; the epoch's loss is summed on the device and read once per epoch
  (a NaN or infinite loss stops training then, with a clear error); callbacks
  are notified per batch only when they implement a batch hook, and no
  per-batch history is kept.
- ``forward_backward`` (called by ``train_step``): the step encodes the
  rows of the head's ``extra_training_rows`` (the SOC head's contrast rows)
  in the batch's forward pass, and adds the head's ``extra_training_loss``
  of their embeddings; the engine knows no head by name.
- ``fit_loop``: callbacks end training by raising :class:`StopTraining`, so a
  ``KeyboardInterrupt`` always means the user's, and propagates (skorch's
  ``partial_fit`` would swallow it).

In a data-parallel fit (:mod:`sksoc.distributed`) the net's ``data_parallel``
rank takes over three steps: the batches (this rank's rows of the global
ones), the gradients of a step (averaged across ranks) and the epoch's sums
(summed across ranks); everything else is the same loop.
"""

import contextlib
import contextvars
import math
import threading

import numpy as np
import scipy.sparse as sp
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EpochTimer, PrintLog
from skorch.helper import predefined_split
from skorch.history import History
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import parametrize

from ._batches import Batches, TensorData, as_float32_tensor, inference_batch_size
from ._generators import drawing_from
from ._state import Records
from ._stopping import StopTraining, StopWhenNoImprovement
from .exceptions import TrainingDivergedError

# Callback hooks that skorch would call once per batch.
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")
_BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)
# Below this many multiply-adds per training step (about batch size times
# the weights, class embeddings included, trained or fixed), training runs on
# one torch thread: a second one saves little on an idle machine and costs
# several times over when the other core is busy (benchmarks/threads.py;
# the user guide's "Training defaults").
SINGLE_THREAD_MAX_WORK = 2**25


# The data-parallel rank that fit runs as (set by sksoc.distributed.data_parallel).
_DATA_PARALLEL = contextvars.ContextVar("sksoc_data_parallel", default=None)


def active_data_parallel():
    """The rank set by :func:`sksoc.distributed.data_parallel`, or None."""
    return _DATA_PARALLEL.get()


@contextlib.contextmanager
def fits_as(rank):
    """Inside, ``fit`` runs as the data-parallel ``rank`` (see active_data_parallel)."""
    token = _DATA_PARALLEL.set(rank)
    try:
        yield
    finally:
        _DATA_PARALLEL.reset(token)


class _UserInterrupt(Exception):
    """Carries a KeyboardInterrupt past skorch's ``partial_fit``, which swallows it."""


class EmbeddingNet(NeuralNet):
    """The engine: an encoder (skorch's module) and a class head (its criterion).

    Parameters
    ----------
    module : torch.nn.Module
        The encoder, X -> embedding.
    criterion : sksoc.heads.ClassHead
        The head, (embedding, class indices, sample weights) -> loss.
    shuffle_generator : torch.Generator
        Shuffles the training batches; it is part of the engine's state, so
        successive training calls continue its stream.
    divergence_hint : str, default=""
        The likely causes of a non-finite loss, for the error message.
    extra_training_loss : bool, default=True
        Whether training steps add the head's
        :meth:`~sksoc.heads.ClassHead.extra_training_loss` of its
        :meth:`~sksoc.heads.ClassHead.extra_training_rows`; False when the
        module is not the encoder of X (``add_classes`` trains on fixed
        embeddings).
    **kwargs
        Passed to :class:`skorch.NeuralNet`.
    """

    # While a data-parallel fit trains, the rank that averages gradients and
    # sums epoch losses across processes (see sksoc.distributed); never saved.
    data_parallel = None

    def __init__(
        self,
        module,
        *,
        shuffle_generator=None,
        divergence_hint="",
        extra_training_loss=True,
        **kwargs,
    ):
        super().__init__(module, **kwargs)
        self.shuffle_generator = shuffle_generator
        self.divergence_hint = divergence_hint
        self.extra_training_loss = extra_training_loss

    @classmethod
    def initialized(
        cls,
        module,
        head,
        *,
        stopping,
        seed,
        callbacks=(),
        verbose=0,
        **kwargs,
    ):
        """An initialised engine that trains ``module`` and ``head``.

        Parameters
        ----------
        module : torch.nn.Module
            The encoder.
        head : sksoc.heads.ClassHead
        stopping : StopWhenNoImprovement
            The stopping rule, first of the callbacks.
        seed : int
            Seeds the shuffling generator.
        callbacks : sequence of (name, skorch.callbacks.Callback), default=()
            More callbacks, after the stopping rule.
        verbose : int, default=0
            skorch's; without it no log table is formatted either.
        **kwargs
            The rest of :class:`EmbeddingNet`'s parameters.
        """
        return cls(
            module,
            criterion=head,
            train_split=None,
            callbacks=[("stop_when_no_improvement", stopping), *callbacks],
            verbose=verbose,
            shuffle_generator=torch.Generator().manual_seed(seed),
            # skorch formats its log table every epoch even when it prints nothing.
            **({} if verbose else {"callbacks__print_log": None}),
            **kwargs,
        ).initialize()

    # -- skorch hooks ------------------------------------------------------------

    def get_default_callbacks(self):
        # The epoch losses are recorded by run_single_epoch, so skorch's
        # scoring of them from per-batch history is not needed.
        return [("epoch_timer", EpochTimer()), ("print_log", PrintLog())]

    def get_iterator(self, dataset, training=False):
        if self.data_parallel is not None:
            return self.data_parallel.batches(dataset, training, self)
        if training:
            return Batches(dataset, self.batch_size, self.shuffle_generator)
        return Batches(dataset, inference_batch_size(self.criterion_.n_classes))

    def get_loss(self, y_pred, y_true, X=None, training=False):
        target, weight = y_true
        return self.criterion_(y_pred, target, weight)

    def infer(self, x, **fit_params):
        return self.module_(x, **fit_params)

    def train_step(self, batch, **fit_params):
        Xi, yi = batch
        self.optimizer_.zero_grad(set_to_none=True)
        if self.data_parallel is None:
            y_pred, loss = self.forward_backward(Xi, yi, **fit_params)
        else:
            y_pred, loss = self.data_parallel.step(self, Xi, yi, **fit_params)
        listeners = self._batch_listeners["on_grad_computed"]
        if listeners:
            named_parameters = list(self.get_all_learnable_params())
            for callback in listeners:
                callback.on_grad_computed(
                    self, named_parameters=named_parameters, batch=batch, training=True
                )
        self.optimizer_.step()
        return {"loss": loss, "y_pred": y_pred}

    def forward_backward(self, Xi, yi, **fit_params):
        """The training loss of one batch, back-propagated: ``(y_pred, loss)``.

        Rows the head asks for (:meth:`~sksoc.heads.ClassHead.extra_training_rows`)
        are encoded in the same forward pass as the batch, one matrix
        product per layer. An encoder with batch normalisation encodes them
        in a second pass instead, which normalises the batch by its own
        rows and leaves the running statistics to the data.
        """
        head = self.criterion_
        extra_rows = head.extra_training_rows(Xi) if self.extra_training_loss else None
        if extra_rows is None:
            y_pred, z_extra = self.infer(Xi, **fit_params), None
        elif _updates_running_stats(self.module_):
            y_pred = self.infer(Xi, **fit_params)
            with _running_stats_kept(self.module_):
                z_extra = self.infer(extra_rows, **fit_params)
        else:
            both = self.infer(torch.cat([Xi, extra_rows]), **fit_params)
            y_pred, z_extra = both[: len(Xi)], both[len(Xi) :]
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        if z_extra is not None:
            extra = head.extra_training_loss(z_extra, y_pred, yi[0])
            if extra is not None:
                loss = loss + extra
        loss.backward()
        return y_pred, loss

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        self.module_.train(training)
        self.criterion_.train(training)
        begin = self._batch_listeners["on_batch_begin"]
        end = self._batch_listeners["on_batch_end"]
        # Sums stay on the device until the epoch ends: one sync per epoch.
        total = torch.zeros((), device=self.device)
        correct = torch.zeros((), device=self.device)
        log_loss = torch.zeros((), device=self.device)
        for batch in iterator:
            for callback in begin:
                callback.on_batch_begin(self, batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            target, weight = batch[1]
            total += step["loss"].detach() * len(target)
            if not training:
                with torch.no_grad():
                    logits = self.criterion_.logits(step["y_pred"])
                hits = logits.argmax(1) == target
                losses = F.cross_entropy(logits, target, reduction="none")
                if weight is not None:
                    hits, losses = hits * weight, losses * weight
                correct += hits.sum()
                log_loss += losses.sum()
            for callback in end:
                callback.on_batch_end(self, batch=batch, training=training, **step)
        if self.data_parallel is not None:
            total, correct, log_loss = self.data_parallel.epoch_sums(
                self, training, total, correct, log_loss
            )
        n_samples = len(iterator.data)
        loss = total.item() / n_samples
        if not math.isfinite(loss):
            phase = "training" if training else "validation"
            raise TrainingDivergedError(
                f"The {phase} loss became {loss} at epoch {len(self.history)}; "
                f"training stopped. {self.divergence_hint}"
            )
        self.history.record(f"{prefix}_loss", loss)
        if training:
            return
        weight_sum = iterator.data.weight_sum()
        if weight_sum > 0:
            # The prediction's accuracy and log loss, beside the head's loss.
            self.history.record("valid_acc", correct.item() / weight_sum)
            self.history.record("valid_log_loss", log_loss.item() / weight_sum)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt as exc:
            raise _UserInterrupt from exc

    def notify(self, method_name, **cb_kwargs):
        if method_name == "on_train_begin":
            self._batch_listeners = {
                hook: [
                    callback
                    for _, callback in self.callbacks_
                    if _implements(callback, hook)
                ]
                for hook in _BATCH_HOOKS
            }
        try:
            super().notify(method_name, **cb_kwargs)
        except KeyboardInterrupt:
            # skorch's own callbacks (EarlyStopping) stop training this way.
            if method_name != "on_epoch_end":
                raise
            raise StopTraining from None

    # -- training ------------------------------------------------------------------

    def training_data(self, X, y, sample_weight=None):
        """The training rows as a :class:`TensorData`, or this rank's shard of them."""
        if self.data_parallel is not None:
            return self.data_parallel.shard(X, y, sample_weight, self.device)
        return TensorData(X, y, sample_weight, self.device)

    def train(self, data, *, epochs, valid=None, generator=None):
        """Train on ``data`` (a :class:`TensorData`) for at most ``epochs`` epochs.

        ``valid`` is scored after every epoch (``valid_loss``) when given.
        The draws sksoc's modules make while training (dropout masks,
        contrast rows) come from ``generator`` (see :func:`fit_generator`),
        or from torch's global generators when None. Returns the engine.
        """
        self.train_split = None if valid is None else predefined_split(valid)
        work = self.batch_size * self.weights_per_step()
        threads = (
            single_torch_thread()
            if work < SINGLE_THREAD_MAX_WORK and torch.device(self.device).type == "cpu"
            else contextlib.nullcontext()
        )
        try:
            with threads, drawing_from(generator, self.module_, self.criterion_):
                self.partial_fit(data, epochs=epochs)
        except StopTraining:
            self.notify("on_train_end", X=data, y=None)
        except _UserInterrupt:
            raise KeyboardInterrupt from None
        finally:
            # Do not keep the validation rows in the fitted model.
            self.train_split = None
        return self

    def weights_per_step(self):
        """How many weights a training step multiplies each row by.

        Every floating-point parameter and buffer of the encoder and the head,
        trained or not: a fixed head's class embeddings are a buffer, yet at
        many classes its logits cost a step as much as a learned head's.
        """
        return sum(
            tensor.numel()
            for module in (self.module_, self.criterion_)
            for tensor in (*module.parameters(), *module.buffers())
            if tensor.is_floating_point()
        )

    def train_new_classes(self, embeddings, y, sample_weight, *, tensors, is_new, seed):
        """Train the new classes' rows of the head on fixed embeddings.

        The rows of the head tensors named in ``tensors`` where ``is_new`` is
        True are trained on the head's loss over ``(embeddings, y)``, with this
        engine's optimiser, batch size, epochs and stopping rule; every other
        row, every other head parameter and the encoder stay bit for bit as
        they were. ``seed`` seeds the shuffling and the head's draws (a
        generator of the engine's device). The optimiser is re-initialised
        afterwards (the head's parameters have changed shape).
        """
        head = self.criterion_
        stopping = dict(self.callbacks_)["stop_when_no_improvement"]
        optimizer_params = {
            f"optimizer__{name}": value
            for name, value in self.get_params_for("optimizer").items()
        }
        with _only_new_rows_trainable(head, tensors, is_new.to(self.device)):
            trainer = EmbeddingNet.initialized(
                nn.Identity(),
                head,
                stopping=StopWhenNoImprovement(
                    "train_loss",
                    stopping.patience,
                    stopping.tol,
                    lr_decay=stopping.lr_decay,
                ),
                seed=seed,
                optimizer=self.optimizer,
                lr=self.lr,
                batch_size=self.batch_size,
                max_epochs=self.max_epochs,
                device=self.device,
                divergence_hint=self.divergence_hint,
                extra_training_loss=False,
                **optimizer_params,
            )
            data = TensorData(embeddings, y, sample_weight, self.device)
            generator = torch.Generator(device=self.device).manual_seed(seed)
            trainer.train(data, epochs=self.max_epochs, generator=generator)
        self.initialize_optimizer()
        return self

    # -- state ---------------------------------------------------------------------

    def get_state(self, writer):
        """The trained state, written to ``writer`` (a ``StateWriter``).

        The encoder's and the head's tensors are stored as ``module.<name>``
        and ``criterion.<name>``, the shuffling generator's state as
        ``shuffle_generator``; the returned JSON document holds the rest: the
        modules' training flags, the optimiser's state and the history.
        """
        writer.add_module("module.", self.module_)
        writer.add_module("criterion.", self.criterion_)
        writer.add_tensor("shuffle_generator", self.shuffle_generator.get_state())
        return {
            "module_training": self.module_.training,
            "criterion_training": self.criterion_.training,
            "optimizer": writer.encode(
                self.optimizer_.state_dict(), "the optimizer state", prefix="optimizer."
            ),
            "history": writer.encode(Records(self.history), "the training history"),
        }

    def set_state(self, document, reader):
        """Restore a state of :meth:`get_state` from ``reader`` (a ``StateReader``).

        The engine must be initialised with an encoder and a head of the
        saved shapes.
        """
        for prefix, module in (
            ("module.", self.module_),
            ("criterion.", self.criterion_),
        ):
            module.load_state_dict(reader.module_state(prefix, module), strict=True)
        self.module_.train(bool(document["module_training"]))
        self.criterion_.train(bool(document["criterion_training"]))
        self.optimizer_.load_state_dict(reader.decode(document["optimizer"]))
        history = reader.decode(document["history"])
        if not (
            isinstance(history, list) and all(isinstance(r, dict) for r in history)
        ):
            raise TypeError("the training history is not a list of epochs")
        self.history_ = History(history)
        self.shuffle_generator.set_state(reader.tensor("shuffle_generator"))

    # -- prediction ----------------------------------------------------------------

    def map_rows(self, X, fn, width, dtype, check=None, *, encode=True):
        """``fn(embedding)`` for the rows of X, in batches, into one ndarray.

        Memory stays at X, the result, and one batch of intermediates.
        ``check(tensor)`` is called on every embedding (a finiteness check).
        With ``encode=False`` the rows of X are embeddings already, given to
        ``fn`` as they are.
        """
        encoder = self.module_
        encoder.eval()
        self.criterion_.eval()
        batch_size = inference_batch_size(self.criterion_.n_classes)
        out = np.empty((X.shape[0], width), dtype=dtype)
        with torch.inference_mode():
            for start in range(0, X.shape[0], batch_size):
                rows = X[start : start + batch_size]
                if sp.issparse(rows):
                    rows = rows.toarray()
                embedding = as_float32_tensor(rows, self.device)
                if encode:
                    embedding = encoder(embedding)
                if check is not None:
                    check(embedding)
                out[start : start + batch_size] = fn(embedding).cpu()
        return out


def _running_stats_layers(module):
    """The batch-norm layers of ``module`` that update running statistics now."""
    return [
        layer
        for layer in module.modules()
        if isinstance(layer, _BATCH_NORMS)
        and layer.track_running_stats
        and layer.training
    ]


def _updates_running_stats(module):
    """Whether a training forward of ``module`` updates batch-norm statistics."""
    return bool(_running_stats_layers(module))


@contextlib.contextmanager
def _running_stats_kept(module):
    """Batch-norm layers of ``module`` normalise but do not update their statistics.

    For rows that are not data (a head's extra rows): the running means and
    variances that prediction uses must come from data rows alone.
    """
    layers = _running_stats_layers(module)
    saved = [(layer.momentum, layer.num_batches_tracked.clone()) for layer in layers]
    for layer in layers:
        layer.momentum = 0.0
    try:
        yield
    finally:
        for layer, (momentum, tracked) in zip(layers, saved, strict=True):
            layer.momentum = momentum
            layer.num_batches_tracked.copy_(tracked)


def _implements(callback, hook):
    """Whether ``callback`` overrides skorch's no-op ``hook``."""
    return getattr(type(callback), hook) is not getattr(Callback, hook)


@contextlib.contextmanager
def _only_new_rows_trainable(head, names, is_new):
    """Make only the ``is_new`` rows of ``head``'s tensors ``names`` trainable.

    Each tensor is reparametrised as ``where(is_new, trained, old)``: its old
    rows are constants of the computation, whatever the optimiser does to the
    underlying parameter (weight decay included). Frozen tensors (buffers)
    are trained here too, for their new rows only, and are buffers again
    afterwards; every other parameter of the head is frozen meanwhile.
    """
    frozen = [p for p in head.parameters() if p.requires_grad]
    for parameter in frozen:
        parameter.requires_grad_(False)
    buffers = [name for name in names if name in dict(head.named_buffers())]
    for name in buffers:
        tensor = getattr(head, name)
        delattr(head, name)
        head.register_parameter(name, nn.Parameter(tensor.clone()))
    for name in names:
        getattr(head, name).requires_grad_(True)
        parametrize.register_parametrization(
            head, name, _KeepRows(getattr(head, name).detach().clone(), ~is_new)
        )
    try:
        yield
    finally:
        for name in names:
            parametrize.remove_parametrizations(head, name, leave_parametrized=True)
        for name in buffers:
            tensor = getattr(head, name).detach()
            delattr(head, name)
            head.register_buffer(name, tensor)
        for parameter in frozen:
            parameter.requires_grad_(True)


class _KeepRows(nn.Module):
    """``where(keep, old, tensor)``, row-wise: the kept rows are constants."""

    def __init__(self, old, keep):
        super().__init__()
        self.register_buffer("old", old)
        self.register_buffer("keep", keep.view(-1, *[1] * (old.ndim - 1)))

    def forward(self, tensor):
        return _KeepRowsFunction.apply(tensor, self.old, self.keep)


class _KeepRowsFunction(torch.autograd.Function):
    """``where(keep, old, tensor)`` whose backward also takes a sparse gradient.

    The heads gather target rows with a sparse gradient
    (:func:`sksoc.heads.gather_rows`), which ``torch.where`` cannot take.
    """

    @staticmethod
    def forward(ctx, tensor, old, keep):
        ctx.save_for_backward(keep)
        return torch.where(keep, old, tensor)

    @staticmethod
    def backward(ctx, grad):
        (keep,) = ctx.saved_tensors
        if grad.is_sparse:
            grad = grad.to_dense()
        return grad.masked_fill(keep, 0), None, None


_threads_lock = threading.Lock()
_threads_state = {"users": 0, "saved": None}


@contextlib.contextmanager
def single_torch_thread():
    """Run torch's CPU operations on one thread inside, then restore the count.

    The thread count is process-wide: fits running at once in several threads
    share one lowering, and the caller's setting comes back when the last ends.
    """
    with _threads_lock:
        if _threads_state["users"] == 0:
            _threads_state["saved"] = torch.get_num_threads()
            torch.set_num_threads(1)
        _threads_state["users"] += 1
    try:
        yield
    finally:
        with _threads_lock:
            _threads_state["users"] -= 1
            if _threads_state["users"] == 0:
                torch.set_num_threads(_threads_state["saved"])


# torch's global generators are shared by every thread: a seeded block holds
# this lock, so that fits of modules that draw from them (a user's encoder),
# running at once in several threads (GridSearchCV with the threading
# backend, Dask workers with several threads), draw the same numbers as one
# after the other. Fits of sksoc's own modules draw from generators of their
# own (fit_generator) and hold no lock.
_SEEDED_BLOCK = threading.RLock()


@contextlib.contextmanager
def seeded_torch(seed, device):
    """Seed torch's generators for ``device`` inside, restore them after.

    Only the CPU generator, and the generator of ``device`` when it is a CUDA
    device, are touched; the caller's random state is the same afterwards.
    Seeded blocks of different threads run one at a time: a module that is
    not sksoc's may draw its weights and dropout masks from those global
    generators, which no fit can own alone.
    """
    device = torch.device(device)
    cuda_devices = []
    if device.type == "cuda":
        index = (
            device.index if device.index is not None else torch.cuda.current_device()
        )
        cuda_devices = [index]
    with _SEEDED_BLOCK, torch.random.fork_rng(devices=cuda_devices):
        torch.random.default_generator.manual_seed(seed)
        for index in cuda_devices:
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        yield


@contextlib.contextmanager
def fit_generator(seed, device, *, own=True):
    """The generator of one seeded step of a fit (building or training), on ``device``.

    With ``own``, a fresh :class:`torch.Generator` seeded with ``seed``:
    sksoc's modules draw from it alone, and fits in several threads run at
    once. Without (a module that may draw from torch's global generators;
    see :func:`sksoc._generators.draws_from_own_generator`), None: inside,
    torch's global generators are seeded with ``seed`` and held
    (:func:`seeded_torch`), and the modules draw from them. Both give the
    same numbers.
    """
    if own:
        yield torch.Generator(device=device).manual_seed(seed)
        return
    with seeded_torch(seed, device):
        yield None
