"""When training slows down and stops: plateaus of a monitored loss.

:class:`StopWhenNoImprovement`, a skorch callback, watches a monitored value
for plateaus: ``patience`` epochs without an improvement by ``tol``
(counted by a :class:`Plateau`). On the first plateau it can multiply the
learning rate by ``lr_decay`` and go on; on the last it ends training by
raising :class:`StopTraining`, and can restore the encoder and head of the
best epoch.
"""

import math

from skorch.callbacks import Callback


class StopTraining(Exception):
    """Raised by a callback to end training before ``max_epochs``."""


class Plateau:
    """Counts the epochs whose loss did not beat the best by more than ``tol``.

    Parameters
    ----------
    patience : int
        Epochs without such an improvement after which :attr:`exhausted`.
    tol : float
        Improvement needed to reset the count.
    """

    def __init__(self, patience, tol):
        self.patience = patience
        self.tol = tol
        self.best = math.inf
        self.stalled = 0

    def update(self, loss):
        """Record an epoch's loss; True when it is the best so far."""
        self.stalled = 0 if loss < self.best - self.tol else self.stalled + 1
        if loss < self.best:
            self.best = loss
            return True
        return False

    def restart(self):
        """Count again from zero, keeping the best loss."""
        self.stalled = 0

    @property
    def exhausted(self):
        return self.stalled >= self.patience


class StopWhenNoImprovement(Callback):
    """Stop when a monitored loss has not improved by ``tol`` for ``patience`` epochs.

    With ``lr_decay``, the first such plateau multiplies the learning rate of
    every parameter group by ``lr_decay`` instead, and training stops at the
    second. The optimiser's learning rates are put back when training ends,
    so a later ``partial_fit`` starts at the rate it was given.

    Parameters
    ----------
    monitor : str
        History key of the monitored value, such as ``"train_loss"`` or
        ``"valid_acc"``; epochs without it are ignored. Lower is better,
        except for keys ending in ``"_acc"``.
    patience : int
        Epochs without improvement before stopping.
    tol : float
        Improvement needed to reset the count.
    restore_best : bool
        At the end of training, restore the encoder and head of the best epoch.
    lr_decay : float or None, default=None
        Factor of the learning rate on the first plateau; None stops there.
    """

    def __init__(self, monitor, patience, tol, restore_best=False, lr_decay=None):
        self.monitor = monitor
        self.patience = patience
        self.tol = tol
        self.restore_best = restore_best
        self.lr_decay = lr_decay

    def on_train_begin(self, net, **kwargs):
        self.plateau_ = Plateau(self.patience, self.tol)
        self.best_epoch_ = None
        self.best_state_ = None
        self.lr_decayed_ = False
        self._initial_lrs = [group["lr"] for group in net.optimizer_.param_groups]

    def on_epoch_end(self, net, **kwargs):
        value = net.history[-1].get(self.monitor)
        if value is None:
            return
        if self.plateau_.update(-value if self.monitor.endswith("_acc") else value):
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.restore_best:
                self.best_state_ = _module_states(net)
        decays = self.lr_decay is not None and not self.lr_decayed_
        if self.plateau_.exhausted and decays:
            for group in net.optimizer_.param_groups:
                group["lr"] *= self.lr_decay
            self.lr_decayed_ = True
            self.plateau_.restart()
            if net.verbose:
                print(
                    f"{self.monitor} did not improve by more than tol={self.tol} "
                    f"for {self.patience} epochs: learning rate times {self.lr_decay}."
                )
        elif self.plateau_.exhausted:
            if net.verbose:
                print(
                    f"Stopping: {self.monitor} did not improve by more than "
                    f"tol={self.tol} for {self.patience} epochs."
                )
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        groups = net.optimizer_.param_groups
        for group, lr in zip(groups, self._initial_lrs, strict=True):
            group["lr"] = lr
        if self.best_state_ is not None:
            module_state, criterion_state = self.best_state_
            net.module_.load_state_dict(module_state)
            net.criterion_.load_state_dict(criterion_state)
            if net.verbose:
                print(f"Restored the encoder and head of epoch {self.best_epoch_}.")
        self.best_state_ = None


def _module_states(net):
    def copied(module):
        return {k: v.detach().clone() for k, v in module.state_dict().items()}

    return copied(net.module_), copied(net.criterion_)
