"""The progress bar: one bar on stderr over all the fits of a command.

The estimators take skorch callbacks; :class:`EpochTicks` is the one that
moves the bar a step at the end of every epoch.
"""

import sys

from skorch.callbacks import Callback
from tqdm import tqdm


def progress_enabled(args):
    """A bar when asked with --progress, or when stderr is a terminal."""
    if args.quiet:
        return False
    if args.progress is not None:
        return args.progress
    return sys.stderr.isatty()


class TrainingProgress:
    """One bar on stderr over the epoch budget of all the fits, or nothing.

    Each fit owns ``max_epochs`` steps of the bar and moves it one step per
    epoch; when the fit ends, early or not, the bar moves to the end of its
    share. The bar names the fit in progress.

    Parameters
    ----------
    fits : list of (str, int)
        A name and ``max_epochs`` for each fit, in order.
    enabled : bool
        Draw the bar; otherwise every method does nothing.
    """

    def __init__(self, fits, enabled):
        self._fits = list(fits)
        self._done = 0
        self._bar = tqdm(
            total=sum(epochs for _, epochs in self._fits),
            desc="starting",
            file=sys.stderr,
            disable=not enabled,
            leave=False,
            dynamic_ncols=True,
            bar_format="{desc} {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]",
        )

    def start(self, index):
        """Show that fit ``index`` is training; return the callback it ticks.

        Returns
        -------
        callback : EpochTicks
            For the estimator's ``callbacks``: a step of the bar per epoch.
        """
        name = self._fits[index][0]
        self._bar.set_description_str(
            f"training {name} ({index + 1}/{len(self._fits)})"
        )
        return EpochTicks(self.tick)

    def tick(self):
        """Move the bar one epoch on."""
        self._bar.update(1)

    def finish(self, index):
        """Move the bar to the end of fit ``index``'s share."""
        self._done += self._fits[index][1]
        self._bar.update(self._done - self._bar.n)

    def close(self):
        self._bar.close()


class EpochTicks(Callback):
    """A skorch callback that calls ``tick()`` once for every epoch trained.

    Parameters
    ----------
    tick : callable
        Called without arguments.

    Attributes
    ----------
    epochs_ : int
        The epochs ticked in the current fit: ``n_iter_`` once it ends.
    """

    def __init__(self, tick):
        self.tick = tick

    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self._catch_up(net)

    def on_train_end(self, net, **kwargs):
        # The epoch that stops training early ends in sksoc's own callback,
        # which runs first and stops the epoch before this one hears of it.
        self._catch_up(net)

    def _catch_up(self, net):
        while self.epochs_ < len(net.history):
            self.epochs_ += 1
            self.tick()
