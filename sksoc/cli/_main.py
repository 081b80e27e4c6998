"""``main``: run the command line, and turn its failures into exit statuses."""

import contextlib
import os
import sys

import torch

from ._errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, CommandError
from ._parser import PROG, build_parser


def main(argv=None):
    """Run the ``sksoc`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; None reads ``sys.argv``.

    Returns
    -------
    exit_code : int
        0 on success; 2 for a mistake in the command or its input (with a
        one-line message on stderr); 1 when training diverges, or when the
        reader of stdout stops early; 130 when interrupted.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # after printing --help or --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except CommandError as exc:
        return _report(exc)
    try:
        if args.command is None:
            raise CommandError(
                "choose a command: compare (the main job) or sweep "
                f"(see '{PROG} --help')"
            )
        with _single_torch_thread():
            return args.run(args)
    except CommandError as exc:
        return _report(exc)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout (such as `head`) has stopped reading. Point
        # stdout at devnull, so that flushing it at exit raises nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE


def _report(error):
    """Print a CommandError as one line on stderr; return its exit code."""
    message = " ".join(str(error).split())
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return error.exit_code


@contextlib.contextmanager
def _single_torch_thread():
    """Train on one CPU thread, as the estimators do for small networks."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
