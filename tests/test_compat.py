"""Private API of scikit-learn, skorch and torch is used in sksoc/_compat.py only.

Every other module of the package is scanned (its syntax tree, not its text)
for the three ways to reach a private name of those libraries: importing it,
reading it as an attribute of one of their modules, and reading, overriding
or naming in ``getattr`` a private attribute that their objects define (a
module's ``_buffers``, an estimator's ``_validate_params``, a net's
``_check_kwargs``). The names of the last kind are collected at test time
from the installed versions. The minimum-versions pins of ``.ci/run-minimum``
are checked against the bounds of ``pyproject.toml``.
"""

import ast
import importlib
import inspect
import pathlib
import pkgutil
import re
import textwrap

import numpy as np
import pytest
import skorch
import torch
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from torch import nn

import sksoc
from sksoc._compat import elementwise_not_equal

PACKAGE = pathlib.Path(sksoc.__file__).parent
ROOT = PACKAGE.parent
COMPAT = PACKAGE / "_compat.py"
LIBRARIES = ("sklearn", "skorch", "torch")


def is_private(name):
    return name.startswith("_") and not name.endswith("__")


def private_attributes(obj):
    names = set(dir(obj)) | set(getattr(obj, "__dict__", {}))
    return {name for name in names if is_private(name)}


def library_objects():
    """Instances and classes of the libraries that sksoc's code holds or extends."""
    weight = nn.Parameter(torch.zeros(2))
    net = skorch.NeuralNet(nn.Linear(2, 2), criterion=nn.MSELoss).initialize()
    return [
        nn.Module(),
        nn.Linear(2, 2),
        weight,
        torch.Generator(),
        torch.optim.Adam([weight]),
        torch.utils.data.Dataset,
        net,
        skorch.callbacks.Callback,
        skorch.history.History(),
        BaseEstimator(),
        ClassifierMixin,
        TransformerMixin,
        ClassNamePrefixFeaturesOutMixin,
    ]


def sksoc_modules():
    return sorted(PACKAGE.rglob("*.py"))


def defined_names(trees):
    """The names sksoc defines: modules, functions, classes, module and class fields."""
    names = {path.stem for path in PACKAGE.rglob("*.py")}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def library_aliases(tree):
    """Names bound in a module to a library or a name imported from one."""
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES:
                    aliases.add((alias.asname or alias.name).split(".")[0])
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module.split(".")[0] in LIBRARIES
        ):
            aliases.update(alias.asname or alias.name for alias in node.names)
    return aliases


def root_name(node):
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def private_uses(tree, library_private):
    """``(line, what)`` for each private library name that ``tree`` reaches."""
    aliases = library_aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in LIBRARIES and any(map(is_private, parts)):
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            parts = node.module.split(".")
            if parts[0] not in LIBRARIES:
                continue
            for alias in node.names:
                if any(map(is_private, parts)) or is_private(alias.name):
                    yield node.lineno, f"from {node.module} import {alias.name}"
        elif isinstance(node, ast.Attribute) and is_private(node.attr):
            if root_name(node) in aliases:
                yield node.lineno, f"{ast.unparse(node)}"
            elif node.attr in library_private:
                yield node.lineno, f"attribute {node.attr}"
        elif isinstance(node, ast.Constant) and node.value in library_private:
            yield node.lineno, f"the string {node.value!r}"
        elif isinstance(node, ast.FunctionDef) and node.name in library_private:
            yield node.lineno, f"def {node.name}"


@pytest.fixture(scope="module")
def scan():
    trees = {path: ast.parse(path.read_text(), str(path)) for path in sksoc_modules()}
    library_private = set().union(*map(private_attributes, library_objects()))
    # A private name that sksoc defines itself is sksoc's own;
    # test_no_override_of_a_library_private_name checks that none of them
    # overrides a library's.
    library_private -= defined_names(trees.values())
    return {
        path: list(private_uses(tree, library_private)) for path, tree in trees.items()
    }


def test_private_library_names_appear_in_the_compat_module_only(scan):
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path, uses in scan.items()
        if path != COMPAT
        for line, what in uses
    ]
    assert not found, (
        "Private API of scikit-learn, skorch or torch outside sksoc/_compat.py; "
        "use public API, or route it through sksoc/_compat.py:\n" + "\n".join(found)
    )


def test_the_scan_finds_the_private_names_of_the_compat_module(scan):
    found = {what for _, what in scan[COMPAT]}
    assert "from sklearn.base import _fit_context" in found
    assert "from sklearn.utils._param_validation import Interval" in found
    assert "attribute _validate_params" in found
    assert "attribute _get_param_names" in found


def test_the_scan_finds_each_kind_of_private_use():
    source = (
        "import torch\n"
        "import torch._dynamo\n"
        "from torch.nn import functional as F\n"
        "from skorch.utils import _check_f_arguments\n"
        "def f(module, net):\n"
        "    module._buffers.pop('x')\n"
        "    F._in_projection\n"
        "    getattr(net, '_check_kwargs')\n"
        "class Net:\n"
        "    def _get_params_for(self, prefix):\n"
        "        pass\n"
    )
    uses = private_uses(
        ast.parse(source), {"_buffers", "_check_kwargs", "_get_params_for"}
    )
    assert sorted(line for line, _ in uses) == [2, 4, 6, 7, 8, 10]


def sksoc_classes():
    for info in pkgutil.walk_packages(sksoc.__path__, "sksoc."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name:
                yield cls


def class_body_names(cls):
    """The names that the body of ``cls``'s ``class`` statement defines."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body
    names = set()
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_no_override_of_a_library_private_name():
    overridden = []
    for cls in sksoc_classes():
        bases = [
            base
            for base in cls.__mro__[1:]
            if base.__module__.split(".")[0] in LIBRARIES
        ]
        for name in filter(is_private, class_body_names(cls)):
            # scikit-learn's parameter validation reads the constraints that
            # each estimator declares: the documented way to declare them.
            if name == "_parameter_constraints":
                continue
            owners = [base.__qualname__ for base in bases if hasattr(base, name)]
            if owners:
                overridden.append(f"{cls.__qualname__}.{name} (of {owners[0]})")
    assert not overridden


def requirement_bounds(requirements):
    """``{name: lower bound}`` of requirements like ``"dask[dataframe]>=2024.1"``."""
    bounds = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?>=([0-9.]+)", requirement)
        assert match, f"{requirement!r} has no lower bound"
        bounds[match[1].lower()] = match[3]
    return bounds


def test_minimum_versions_are_the_lower_bounds_of_pyproject():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = requirement_bounds(project["dependencies"])
    extras = {}
    for requirements in project["optional-dependencies"].values():
        extras.update(requirement_bounds(requirements))
    pins = dict(
        re.fullmatch(
            r"([A-Za-z0-9_.-]+)==([0-9.]+)", line.split("#")[0].strip()
        ).groups()
        for line in (ROOT / ".ci" / "minimum-versions.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    )
    assert set(runtime) <= set(pins), "every runtime dependency is pinned"
    for name, pinned in pins.items():
        bound = runtime.get(name) or extras.get(name)
        if bound is None or name == "torch":
            continue  # a dependency's dependency; torch: only 2.13.0 installs here
        # The bound's own release, or its first patch release with a wheel.
        assert (pinned + ".").startswith(bound + "."), (name, bound, pinned)


def test_elementwise_not_equal_never_equates_strings_and_numbers():
    numbers, strings = np.array([0, 1, 2]), np.array(["a", "b", "0"])
    assert elementwise_not_equal(numbers, strings).tolist() == [True] * 3
    assert elementwise_not_equal(strings, strings[::-1]).tolist() == [True, False, True]
    mixed = np.array(["a", 1], dtype=object)
    assert elementwise_not_equal(mixed, np.array(["a", "a"])).tolist() == [False, True]
