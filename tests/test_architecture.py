"""The layers of ``alr_teach`` and what each may import (docs/architecture.md draws them).

Every ``import`` and ``from ... import`` in every module is read from the source with
:mod:`ast` -- at module level, inside functions, under ``if``/``try`` -- so a function-level
import cannot slip past. A failure names the module, the line and the rule it breaks::

    alr_teach/lab/arena.py:46 imports alr_teach.viz.plots (lab never imports viz)

The rules, bottom layer first:

- ``_validation`` imports nothing of the package, and of third-party code only numpy;
- ``optimizers`` import only numpy, ``alr_teach._validation`` and ``alr_teach.optimizers.*``;
- ``problems`` import nothing from lab, viz, lessons or course;
- ``lab`` imports nothing from viz, lessons or course;
- ``viz`` imports nothing from lessons or course;
- nothing imports ``alr_teach.lessons``; a lesson module imports only its own notebook's code;
- ``alr_teach/__init__.py`` imports only the optimizers (the rest loads lazily);
- no module inside the package imports the ``alr_teach`` facade: it imports the module
  that defines the name, so the facade cannot hide a dependency.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "alr_teach"
LAYERS = ("_validation", "optimizers", "problems", "lab", "viz", "lessons", "course")


@dataclass(frozen=True)
class Import:
    """One imported module, and where: ``path:line``."""

    module: str  # the importing module, e.g. "alr_teach.lab.arena"
    path: str  # its file, relative to the repository root
    line: int
    target: str  # the module imported, e.g. "alr_teach.viz.plots" or "numpy.typing"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    """``alr_teach/lab/arena.py`` -> ``alr_teach.lab.arena``; a package's ``__init__`` -> it."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(source: str, module: str, path: str, is_package: bool,
               known: set[str]) -> list[Import]:
    """Every import in ``source`` (any depth), relative imports resolved.

    ``from a.b import c`` counts as importing ``a.b.c`` when that is a module in ``known``,
    and ``a.b`` otherwise.
    """
    here = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            found += [Import(module, path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                candidate = f"{origin}.{alias.name}"
                target = candidate if candidate in known else origin
                found.append(Import(module, path, node.lineno, target))
    return sorted(set(found), key=lambda imp: (imp.line, imp.target))  # ast.walk: breadth first


@cache
def all_imports() -> tuple[Import, ...]:
    modules = package_modules()
    known = set(modules)
    found = []
    for name, path in modules.items():
        found += imports_of(path.read_text(), name, str(path.relative_to(ROOT)),
                            path.name == "__init__.py", known)
    return tuple(found)


def layer(module: str) -> str | None:
    """The package layer of a dotted name: "optimizers", ..., "root" for the facade, or None."""
    if module == "alr_teach":
        return "root"
    if module.startswith("alr_teach."):
        return module.split(".")[1]
    return None


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


def _lesson(module: str) -> str:
    """The notebook a lessons module belongs to: ``alr_teach.lessons.in_the_wild.gans`` ->
    ``alr_teach.lessons.in_the_wild``."""
    return ".".join(module.split(".")[:3])


# Each rule: (id, statement, broken(imp) -> bool)
def _only(layers: set[str], third_party: set[str]):
    def broken(imp: Import) -> bool:
        target_layer = layer(imp.target)
        if target_layer is not None:
            return target_layer not in layers
        return not is_stdlib(imp.target) and imp.target.split(".")[0] not in third_party
    return broken


def _none_of(layers: set[str]):
    return lambda imp: layer(imp.target) in layers


RULES = [
    ("validation", "_validation imports only the standard library and numpy",
     "_validation", _only({"_validation"}, {"numpy"})),
    ("optimizers", "optimizers import only numpy, alr_teach._validation and alr_teach.optimizers",
     "optimizers", _only({"_validation", "optimizers"}, {"numpy"})),
    ("problems", "problems never import lab, viz, lessons or course",
     "problems", _none_of({"lab", "viz", "lessons", "course"})),
    ("lab", "lab never imports viz, lessons or course",
     "lab", _none_of({"viz", "lessons", "course"})),
    ("viz", "viz never imports lessons or course",
     "viz", _none_of({"lessons", "course"})),
    ("lessons", "nothing imports alr_teach.lessons (a lesson imports only its own notebook's code)",
     None, lambda imp: layer(imp.target) == "lessons"
     and not (layer(imp.module) == "lessons" and _lesson(imp.module) == _lesson(imp.target))),
    ("facade", "alr_teach/__init__.py imports only the optimizers (the rest loads lazily)",
     "root", _only({"optimizers", "_validation"}, set())),
    ("no-facade", "modules inside the package import the defining module, not the alr_teach facade",
     None, lambda imp: imp.target == "alr_teach" and imp.module != "alr_teach"),
]


def violations(rule_layer: str | None, broken, imports) -> list[Import]:
    return [imp for imp in imports
            if (rule_layer is None or layer(imp.module) == rule_layer) and broken(imp)]


@pytest.mark.parametrize(("statement", "rule_layer", "broken"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])
def test_dependency_rule(statement, rule_layer, broken):
    found = violations(rule_layer, broken, all_imports())
    assert not found, f"{statement}; broken {len(found)} time(s):\n" + "\n".join(
        f"  {imp}" for imp in found)


def test_every_module_sits_in_a_layer():
    """A new module goes into a layer's folder, so the rules above apply to it."""
    stray = [name for name in package_modules() if layer(name) not in {"root", *LAYERS}]
    assert not stray, f"modules outside every layer: {stray}"
    present = {layer(name) for name in package_modules()}
    assert present == {"root", *LAYERS}, present


def test_the_scan_sees_every_kind_of_import():
    """The checker itself: function-level, relative, `from package import module`, aliases."""
    source = (
        "import numpy as np\n"
        "from . import base\n"
        "def draw():\n"
        "    from ..viz import plots\n"
        "    if True:\n"
        "        import alr_teach.lab.runner as runner\n"
        "    from ..problems.landscapes import Bowl\n"
    )
    known = {"alr_teach.optimizers.base", "alr_teach.viz.plots", "alr_teach.lab.runner",
             "alr_teach.problems.landscapes"}
    found = imports_of(source, "alr_teach.optimizers.fake", "alr_teach/optimizers/fake.py",
                       False, known)
    assert [(i.line, i.target) for i in found] == [
        (1, "numpy"), (2, "alr_teach.optimizers.base"), (4, "alr_teach.viz.plots"),
        (6, "alr_teach.lab.runner"), (7, "alr_teach.problems.landscapes"),
    ]
    rule = dict((r[0], r[2:]) for r in RULES)["optimizers"]
    bad = violations(*rule, found)
    assert [str(i) for i in bad] == [
        "alr_teach/optimizers/fake.py:4 imports alr_teach.viz.plots",
        "alr_teach/optimizers/fake.py:6 imports alr_teach.lab.runner",
        "alr_teach/optimizers/fake.py:7 imports alr_teach.problems.landscapes",
    ]


def test_the_optimizer_rule_allows_the_standard_library_and_rejects_other_third_party():
    source = "from __future__ import annotations\nimport math\nimport matplotlib.pyplot\n"
    found = imports_of(source, "alr_teach.optimizers.fake", "alr_teach/optimizers/fake.py",
                       False, set())
    rule = dict((r[0], r[2:]) for r in RULES)["optimizers"]
    assert [str(i) for i in violations(*rule, found)] == [
        "alr_teach/optimizers/fake.py:3 imports matplotlib.pyplot"]


def test_lessons_may_share_code_within_one_notebook_only():
    rule = dict((r[0], r[2:]) for r in RULES)["lessons"]
    cases = {
        ("alr_teach.lessons.in_the_wild.gans", "alr_teach.lessons.in_the_wild.bandits"): False,
        ("alr_teach.lessons.weight_decay", "alr_teach.lessons.misconceptions"): True,
        ("alr_teach.viz.plots", "alr_teach.lessons.weight_decay"): True,
        ("alr_teach.course.checks", "alr_teach.lessons.in_the_wild.gans"): True,
    }
    for (module, target), expected in cases.items():
        imp = Import(module, "x.py", 1, target)
        assert bool(violations(*rule, [imp])) is expected, (module, target)


def test_the_architecture_page_states_these_rules_and_the_readme_links_it():
    page = (ROOT / "docs" / "architecture.md").read_text()
    for name in LAYERS[1:]:
        assert f"{name}/" in page, f"docs/architecture.md does not name the {name} layer"
    assert "tests/test_architecture.py" in page
    assert "docs/architecture.md" in (ROOT / "README.md").read_text()


# -- the public surface: every module lists its public names ------------------------------------
def _bound_names(tree: ast.Module) -> set[str]:
    """Names a module binds at its top level (what ``__all__`` may list)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        names.add(leaf.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Try):  # try: from x import y / except ImportError: y = None
            names |= _bound_names(ast.Module(body=node.body + node.orelse, type_ignores=[]))
    return names


def _declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return list(ast.literal_eval(node.value))
    return None


def _lazy_names(tree: ast.Module) -> set[str]:
    """The keys of the facade's ``_LAZY`` table (names its ``__getattr__`` provides)."""
    for node in tree.body:
        if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_LAZY"
                                                 for t in node.targets)):
            return set(ast.literal_eval(node.value))
    return set()


@pytest.mark.parametrize("name", sorted(package_modules()))
def test_every_module_lists_its_public_names_in_all(name):
    path = package_modules()[name]
    tree = ast.parse(path.read_text(), filename=str(path))
    listed = _declared_all(tree)
    assert listed is not None, f"{path.relative_to(ROOT)} has no __all__"
    assert len(listed) == len(set(listed)), f"{path.relative_to(ROOT)}: __all__ repeats a name"
    unknown = set(listed) - _bound_names(tree) - _lazy_names(tree)
    assert not unknown, f"{path.relative_to(ROOT)}: __all__ lists undefined {sorted(unknown)}"


def test_the_tests_mirror_the_layers():
    """tests/<layer>/ for each subpackage; only tests that span layers sit in tests/ itself."""
    tests = ROOT / "tests"
    layers = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    folders = {p.name for p in tests.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert layers <= folders, f"layers without a tests/ folder: {sorted(layers - folders)}"
    assert folders - layers <= {"browser"}, f"test folders for no layer: {folders - layers}"
    spanning = {p.name for p in tests.glob("test_*.py")}
    assert spanning == {"test_architecture.py", "test_packaging.py"}, spanning
