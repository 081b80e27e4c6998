"""Sphinx configuration of the sksoc documentation.

Build it from the repository root with::

    SKSOC_EXAMPLES_QUICK=1 python -m sphinx -W --keep-going -b html \
        docs docs/_build/html

``SKSOC_EXAMPLES_QUICK=1`` makes every gallery example shrink its data, epochs
and seeds; leave it unset to render the full-size lessons. The build reads
nothing from the network: intersphinx is not used, and MathJax is only
loaded by the reader's browser.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent
# The package from this checkout, and the gallery helpers beside this file.
sys.path.insert(0, str(DOCS.parent))
sys.path.insert(0, str(DOCS / "sphinxext"))

import sksoc  # noqa: E402

# -- Project ---------------------------------------------------------------------

project = "sksoc"
author = "The sksoc developers"
copyright = "The sksoc developers"
release = sksoc.__version__
version = ".".join(release.split(".")[:2])

# -- General ---------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    # Local: warns when a public name is missing from api.rst.
    "api_coverage",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"
nitpicky = False
add_module_names = False

# -- API reference: autodoc, autosummary, numpydoc -------------------------------

autosummary_generate = True
autodoc_typehints = "none"
autodoc_default_options = {"member-order": "groupwise"}
# Members are listed by the autosummary templates, not by numpydoc.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = False

# -- Gallery ---------------------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Run the lessons (plot_*.py); quickstart.py is the README's script and
    # torchrun_fit.py the "Scaling out" page's, run by torchrun.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"(__init__|quickstart|torchrun_fit)\.py$",
    "within_subsection_order": "sksoc_gallery.LessonOrder",
    # Before each example: matplotlib's defaults, and torch on one thread
    # (tiny networks train several times faster than on competing threads).
    "reset_modules": ("matplotlib", "sksoc_gallery.reset_torch"),
    "doc_module": ("sksoc",),
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "show_memory": False,
    "min_reported_time": 1,
}

# -- HTML ------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sksoc {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"index": []}
html_static_path = []
html_show_sourcelink = False
