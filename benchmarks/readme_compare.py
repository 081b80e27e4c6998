"""Write the output of the README's main job, ``sksoc compare``, into README.rst.

The README shows what ``sksoc compare`` prints on a fresh machine. This runs
the command and replaces the block after "The main job prints" with its
output, so the README's numbers always come from the code;
``tests/test_readme.py`` fails when they no longer match (fit seconds
aside, which vary with the machine); ``--check`` only compares, alike.

    python benchmarks/readme_compare.py [--check]
"""

import argparse
import contextlib
import io
import pathlib
import sys

from sksoc.cli import main as sksoc_main

README = pathlib.Path(__file__).resolve().parents[1] / "README.rst"
MARKER = "The main job prints (fit seconds vary with the machine)::\n\n"


def compare_output():
    """What ``sksoc compare`` prints, as text."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = sksoc_main(["compare", "--no-progress"])
    if status not in (0, None):
        raise SystemExit(f"sksoc compare failed with status {status}")
    return out.getvalue()


def readme_block(text):
    """The indented block after ``MARKER``: (start, end) offsets in ``text``."""
    start = text.index(MARKER) + len(MARKER)
    end = start
    for line in text[start:].splitlines(keepends=True):
        if line.strip() and not line.startswith("    "):
            break
        end += len(line)
    return start, end


def without_fit_seconds(block):
    """The block's lines, the last column (fit seconds) of the table dropped."""
    lines = block.splitlines()
    header = next(i for i, line in enumerate(lines) if "fit_seconds" in line)
    return [
        line.rsplit(None, 1)[0] if i >= header and line.strip() else line.rstrip()
        for i, line in enumerate(lines)
    ]


def as_block(output):
    lines = output.rstrip("\n").splitlines()
    return "".join(f"    {line}".rstrip() + "\n" for line in lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare")
    args = parser.parse_args()
    text = README.read_text()
    start, end = readme_block(text)
    block = as_block(compare_output())
    if args.check:
        same = without_fit_seconds(text[start:end]) == without_fit_seconds(block)
        sys.exit(0 if same else 1)
    README.write_text(text[:start] + block + text[end:])


if __name__ == "__main__":
    main()
