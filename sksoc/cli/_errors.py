"""How the command fails: its exit statuses and the error a user can act on."""

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2  # argparse's status for a command it cannot run
EXIT_INTERRUPTED = 130  # the shell's 128 + SIGINT


class CommandError(Exception):
    """A failure the user can act on, reported in one line without a traceback.

    Mostly a mistake in the command or its input (exit status 2); also a
    training run whose loss diverged (exit status 1).

    Parameters
    ----------
    message : str
        What went wrong and, where it helps, how to fix it.
    exit_code : int, default=2
        Exit status of the command.
    """

    def __init__(self, message, exit_code=EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code


def quoted(names, limit=12):
    """``'a', 'b', ... (3 more)``: names as an error message lists them."""
    names = [repr(str(name)) for name in names]
    if len(names) > limit:
        names = [*names[:limit], f"... ({len(names) - limit} more)"]
    return ", ".join(names)
