"""When training stops: no improvement of a monitored loss for a while.

:class:`StopWhenNoImprovement`, a skorch callback, ends training by raising
:class:`StopTraining` once the monitored value has not improved by ``tol``
for ``patience`` epochs (counted by a :class:`Plateau`), and can restore the
encoder and head of the best epoch.
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

    @property
    def exhausted(self):
        return self.stalled >= self.patience


class StopWhenNoImprovement(Callback):
    """Stop when a monitored loss has not improved by ``tol`` for ``patience`` epochs.

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
    """

    def __init__(self, monitor, patience, tol, restore_best=False):
        self.monitor = monitor
        self.patience = patience
        self.tol = tol
        self.restore_best = restore_best

    def on_train_begin(self, net, **kwargs):
        self.plateau_ = Plateau(self.patience, self.tol)
        self.best_epoch_ = None
        self.best_state_ = None

    def on_epoch_end(self, net, **kwargs):
        value = net.history[-1].get(self.monitor)
        if value is None:
            return
        if self.plateau_.update(-value if self.monitor.endswith("_acc") else value):
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.restore_best:
                self.best_state_ = _module_states(net)
        if self.plateau_.exhausted:
            if net.verbose:
                print(
                    f"Stopping: {self.monitor} did not improve by more than "
                    f"tol={self.tol} for {self.patience} epochs."
                )
            raise StopTraining

    def on_train_end(self, net, **kwargs):
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
