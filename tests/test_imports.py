"""No module of sksoc imports upward into the ``__init__`` of a package holding it.

``sksoc/__init__.py`` imports the modules that make the public API; a module
that imported a name back from it (or from its own subpackage's
``__init__``) would take part in an import cycle, and break whenever the
import order changed. Every module imports the module that defines a name
(``from ._version import __version__``); ``from . import name`` only ever
names a submodule.
"""

import ast

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "sksoc"
MODULES = sorted(PACKAGE.rglob("*.py"))


def upward_imports(path, root=ROOT):
    """``(line, import)`` for each import in ``path`` of a name from an ancestor's init.

    The ancestors are the packages holding the module, below ``root``:
    ``sksoc`` and ``sksoc.cli`` for sksoc/cli/_main.py.
    """

    def is_submodule(package, name):
        directory = root.joinpath(*package.split("."))
        return (directory / f"{name}.py").exists() or (directory / name).is_dir()

    package = list(path.parent.relative_to(root).parts)
    ancestors = {".".join(package[:depth]) for depth in range(1, len(package) + 1)}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, f"import {alias.name}")
                for alias in node.names
                if alias.name in ancestors
            ]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            if source in ancestors:
                found += [
                    (node.lineno, f"from {source} import {alias.name}")
                    for alias in node.names
                    if not is_submodule(source, alias.name)
                ]
    return found


@pytest.mark.parametrize(
    "path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES]
)
def test_module_imports_no_name_from_an_enclosing_package(path):
    assert upward_imports(path) == []


def test_the_check_finds_upward_imports(tmp_path):
    cli = tmp_path / "sksoc" / "cli"
    cli.mkdir(parents=True)
    for name in ("sksoc/__init__.py", "sksoc/encoders.py", "sksoc/cli/_parser.py"):
        (tmp_path / name).write_text("")
    forged = cli / "_forged.py"
    forged.write_text(
        "import sksoc\n"
        "from .. import __version__\n"
        "from . import _parser\n"
        "from .. import SOCClassifier as S, encoders\n"
        "from sksoc.cli import main\n"
        "from ..heads import SOCHead\n"
        "def later():\n"
        "    from sksoc import load_model\n"
    )
    assert sorted(upward_imports(forged, tmp_path)) == [
        (1, "import sksoc"),
        (2, "from sksoc import __version__"),
        (4, "from sksoc import SOCClassifier"),
        (5, "from sksoc.cli import main"),
        (8, "from sksoc import load_model"),
    ]


def test_build_reads_the_version_without_importing_the_package():
    # setuptools reads ``version = {attr = ...}`` from the module's source
    # when the name is assigned a literal there; otherwise it imports the
    # package, which needs numpy and torch in the build's bare environment,
    # and ``pip install -e .`` fails on a fresh machine.
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    module, _, name = settings["tool"]["setuptools"]["dynamic"]["version"][
        "attr"
    ].rpartition(".")
    source = ROOT.joinpath(*module.split(".")).with_suffix(".py")
    literals = [
        node.value.value
        for node in ast.parse(source.read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets] == [name]
        and isinstance(node.value, ast.Constant)
    ]
    assert len(literals) == 1 and isinstance(literals[0], str)


def imported_modules(path):
    """Every module ``path`` imports from, as an absolute dotted name."""
    package = list(path.parent.relative_to(ROOT).parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            found.add(".".join(base + ([node.module] if node.module else [])))
    return found


def test_the_training_engine_knows_no_head():
    # A head owns its training terms (ClassHead.extra_training_loss).
    imported = imported_modules(PACKAGE / "_engine.py")
    assert not {name for name in imported if name.startswith("sksoc.heads")}


def test_the_data_parallel_rank_uses_no_private_name_of_the_estimator_or_package():
    # One fit path: the rank calls the package's fitting functions
    # (fit_on_arrays and the like), never a method of the estimator's own.
    path = PACKAGE / "distributed.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        (node.lineno, f"estimator.{node.attr}")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and isinstance(node.value, ast.Name)
        and node.value.id == "estimator"
    ]
    private += [
        (node.lineno, f"{node.module}.{alias.name}")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == []
