"""Run the command line as ``python -m sksoc``; see :mod:`sksoc.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
