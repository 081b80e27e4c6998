"""Warn when a public name of sksoc is missing from the API reference.

Every name in the ``__all__`` of the public modules below must appear as an
autosummary entry of ``api.rst`` (under the matching ``currentmodule``).
With ``-W`` a forgotten name fails the build, so the reference cannot fall
behind the code.
"""

import importlib
import re

from sphinx.util import logging

logger = logging.getLogger(__name__)

PUBLIC_MODULES = (
    "sksoc",
    "sksoc.heads",
    "sksoc.encoders",
    "sksoc.preprocessing",
    "sksoc.distributed",
    "sksoc.metrics",
    "sksoc.plotting",
    "sksoc.exceptions",
    "sksoc.utils",
)
# Public, but not API entries of their own.
NOT_LISTED = {"sksoc": {"__version__"}}

_CURRENTMODULE = re.compile(r"^\.\. currentmodule:: (\S+)\s*$")
# An autosummary entry: an indented bare name inside the directive's body.
_ENTRY = re.compile(r"^   ([A-Za-z_][\w.]*)\s*$")


def documented_names(api_text):
    """``{module: {names}}`` of the autosummary entries of ``api_text``."""
    names = {}
    module = None
    in_autosummary = False
    for line in api_text.splitlines():
        if match := _CURRENTMODULE.match(line):
            module = match.group(1)
            in_autosummary = False
        elif line.startswith(".. autosummary::"):
            in_autosummary = True
        elif line and not line.startswith(" "):
            in_autosummary = False
        elif in_autosummary and (match := _ENTRY.match(line)):
            names.setdefault(module, set()).add(match.group(1))
    return names


def check_api_coverage(app):
    api_path = app.srcdir / "api.rst"
    documented = documented_names(api_path.read_text(encoding="utf-8"))
    # A name re-exported elsewhere (sksoc.TrainingDivergedError is
    # sksoc.exceptions.TrainingDivergedError) needs one entry only.
    documented_objects = [
        getattr(importlib.import_module(module_name), name, None)
        for module_name, names in documented.items()
        for name in names
    ]
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        public = set(getattr(module, "__all__", ()))
        public -= NOT_LISTED.get(module_name, set())
        missing = [
            name
            for name in sorted(public)
            if not any(getattr(module, name) is obj for obj in documented_objects)
        ]
        for name in missing:
            logger.warning(
                "%s.%s is public (in __all__) but not in api.rst",
                module_name,
                name,
                location=str(api_path),
            )


def setup(app):
    app.connect("builder-inited", check_api_coverage)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
