"""The two install routes (pip via pyproject.toml, conda/Binder via environment.yml) agree."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].strip().lower()


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_environment_yml_parses_with_conda_forge_and_exact_python():
    env = _environment()
    assert env["name"] == "alr-teach"
    assert env["channels"] == ["conda-forge"]
    pythons = [d for d in env["dependencies"] if isinstance(d, str) and _name(d) == "python"]
    assert pythons and re.fullmatch(r"python=3\.\d+", pythons[0]), pythons


def test_environment_installs_the_package_itself_with_pip():
    env = _environment()
    pip_entries = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_entries == [["-e ."]]


def _extra(name: str) -> list[str]:
    return _pyproject()["project"]["optional-dependencies"][name]


def test_environment_lists_exactly_the_runtime_dependencies_and_the_lab_extra():
    """Same packages and the same version specifiers in both files: what the package imports
    plus JupyterLab and the kernel (Binder starts JupyterLab from this file)."""
    env = _environment()
    conda = {
        _name(d): d.replace(" ", "")
        for d in env["dependencies"]
        if isinstance(d, str) and _name(d) not in {"python", "pip"}
    }
    listed = _pyproject()["project"]["dependencies"] + _extra("lab")
    pip = {_name(d): d.replace(" ", "") for d in listed}
    assert conda == pip


def _third_party_imports() -> dict[str, bool]:
    """Top-level third-party modules imported anywhere under alr_teach/ -> whether some import
    of it is unguarded (not inside a ``try`` that catches ImportError)."""
    import ast
    import sys

    def catches_import_error(handler: ast.ExceptHandler) -> bool:
        names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        return any(isinstance(n, ast.Name) and n.id in {"ImportError", "ModuleNotFoundError"}
                   for n in names)

    found: dict[str, bool] = {}

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                names = [] if node.level else [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in {"alr_teach", "__future__"}:
                    found[top] = found.get(top, False) or not guarded
        if isinstance(node, ast.Try):
            guard = guarded or any(catches_import_error(h) for h in node.handlers)
            for child in node.body:
                visit(child, guard)
            for child in node.handlers + node.orelse + node.finalbody:
                visit(child, guarded)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    for path in sorted((ROOT / "alr_teach").rglob("*.py")):
        visit(ast.parse(path.read_text(), filename=str(path)), False)
    return found


def test_runtime_dependencies_are_exactly_what_the_package_imports():
    """Each module the package imports unguarded comes from a listed dependency, and each
    listed dependency is imported somewhere. A ``try: import ... except ImportError`` (an
    optional helper such as threadpoolctl, or the doctor's Jupyter imports) needs no entry."""
    from importlib.metadata import packages_distributions

    provider = packages_distributions()
    imported = _third_party_imports()
    distributions = {
        module: {d.lower() for d in provider.get(module, [module])} for module in imported
    }
    declared = {_name(d) for d in _pyproject()["project"]["dependencies"]}
    undeclared = [m for m, hard in imported.items() if hard and not distributions[m] & declared]
    assert not undeclared, f"imported by alr_teach but not in [project].dependencies: {undeclared}"
    used = set().union(*distributions.values())
    assert declared <= used, f"listed but never imported: {sorted(declared - used)}"


def test_the_import_scan_sees_guarded_and_function_level_imports():
    imported = _third_party_imports()
    assert imported["numpy"] is True and imported["PIL"] is True  # PIL inside a function
    assert imported["threadpoolctl"] is False  # only ever under try/except ImportError


def test_runtime_dependencies_are_the_course_stack_and_no_test_or_lab_tool():
    names = {_name(d) for d in _pyproject()["project"]["dependencies"]}
    assert names == {"numpy", "matplotlib", "pillow", "scikit-learn", "ipywidgets", "packaging"}
    assert not names & {"torch", "jupyterlab", "ipykernel", "nbval", "pytest"}


def test_extras_lab_test_and_dev_build_on_each_other():
    """`pip install -e '.[lab]'` is the attendee install; `make setup` installs '.[dev]',
    which must hold what `make lab` and `make test` run."""
    assert {_name(d) for d in _extra("lab")} == {"jupyterlab", "ipykernel"}
    test = {_name(d) for d in _extra("test")}
    assert {"pytest", "nbval", "pytest-xdist", "hypothesis", "pyyaml"} <= test
    assert "alr-teach[lab]" in _extra("test")  # nbval runs the notebooks in an ipykernel
    assert "alr-teach[lab,test]" in _extra("dev")
    assert {"ruff", "playwright", "django-static-mathjax"} <= {_name(d) for d in _extra("dev")}
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --disable-pip-version-check -q -e '.[dev]'" in makefile


def test_the_doctor_checks_the_runtime_dependencies_and_the_lab_extra():
    from alr_teach.course import doctor

    checked = {_name(r) for r in doctor.requirements()}
    assert checked == {_name(d) for d in _pyproject()["project"]["dependencies"]
                       + _extra("lab")}


def test_only_the_alr_teach_package_is_shipped():
    find = _pyproject()["tool"]["setuptools"]["packages"]["find"]
    assert find["include"] == ["alr_teach*"]


def test_python_version_floor_matches_the_readme():
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    assert "Python >= 3.11" in (ROOT / "README.md").read_text()


def test_ci_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", script, flags=re.M)


def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT)


BLOCK = (
    "import sys\n"
    "for blocked in ('matplotlib', 'sklearn', 'ipywidgets', 'PIL', 'scipy', 'IPython',\n"
    "                'alr_teach.course', 'alr_teach.problems', 'alr_teach.lab', 'alr_teach.viz'):\n"
    "    sys.modules[blocked] = None  # any import of these raises ImportError\n"
)


def test_import_alr_teach_is_numpy_only():
    """`import alr_teach` loads numpy and the optimizers, nothing else of the package or of
    third-party code, and builds and steps every optimizer it exports."""
    code = BLOCK + (
        "before = {m for m, v in sys.modules.items() if v is not None}\n"
        "import alr_teach\n"
        "from alr_teach.optimizers import registry\n"
        "x = alr_teach.Adam(lr=0.1).step([1.0], [1.0])\n"
        "for name in registry.OPTIMIZERS:\n"
        "    registry.make(name, lr=0.01).step([1.0, 2.0], [0.5, -0.5])\n"
        "new = {m for m, v in sys.modules.items() if v is not None} - before\n"
        "third = {m.split('.')[0] for m in new}\n"
        "third -= set(sys.stdlib_module_names) | {'alr_teach', 'numpy'}\n"
        "assert not third, sorted(third)\n"
        "layers = {m.split('.')[1] for m, v in sys.modules.items()\n"
        "          if v is not None and m.startswith('alr_teach.')}\n"
        "assert layers <= {'optimizers', '_validation'}, layers\n"
        "print(x[0])\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr


def test_checks_claims_and_the_estimator_load_on_first_use():
    code = (
        "import sys, alr_teach\n"
        "lazy = ['alr_teach.course.checks', 'alr_teach.course.claims',\n"
        "        'alr_teach.problems.estimator', 'sklearn', 'matplotlib']\n"
        "assert not [m for m in lazy if m in sys.modules], [m for m in lazy if m in sys.modules]\n"
        "from alr_teach.course import checks, claims\n"
        "from alr_teach.problems.estimator import MLPClassifier\n"
        "assert alr_teach.checks is checks and alr_teach.claims is claims\n"
        "assert alr_teach.MLPClassifier is MLPClassifier\n"
        "assert {'checks', 'claims', 'MLPClassifier'} <= set(dir(alr_teach))\n"
        "try:\n"
        "    alr_teach.no_such_name\n"
        "except AttributeError as error:\n"
        "    assert 'no_such_name' in str(error)\n"
        "else:\n"
        "    raise SystemExit('alr_teach.no_such_name did not raise')\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr


def test_every_public_name_of_alr_teach_resolves():
    import alr_teach

    for name in alr_teach.__all__:
        assert getattr(alr_teach, name) is not None, name


def test_the_core_imports_with_numpy_alone():
    """Optimizers, schedules, landscapes, runner and sweeps need no matplotlib or sklearn."""
    code = (
        "import sys\n"
        "for blocked in ('matplotlib', 'sklearn', 'ipywidgets', 'scipy'):\n"
        "    sys.modules[blocked] = None\n"
        "import alr_teach, alr_teach.problems.landscapes, alr_teach.lab.runner\n"
        "import alr_teach.lab.sweeps\n"
        "import alr_teach.lab.range_test, alr_teach.course.checks\n"
        "for name in ('Adam', 'Adamax', 'NAdam', 'RAdam', 'LAMB', 'NovoGrad', 'Ranger'):\n"
        "    getattr(alr_teach, name)(lr=0.1).step([1.0], [1.0])\n"
        "print(alr_teach.optimizers.schedules.cosine(3, lr=1.0, T_max=10))\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr


# -- "no tests collected" passes for exercises/ only --------------------------------------------
def _pytest(*args: str) -> int:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", *args],
                          capture_output=True, text=True, cwd=ROOT)
    return done.returncode


def test_a_run_that_selects_no_test_fails():
    """A mistyped -k or an empty folder is an error (exit 5), not a pass; so is a bad path."""
    assert _pytest("tests/test_packaging.py", "-k", "no_such_test_name_at_all") == 5
    assert _pytest("tests/test_no_such_file_here.py") != 0


def test_an_empty_exercises_folder_passes():
    """`make test-exercises` before `make exercises` has written a notebook is not a failure."""
    assert _pytest("exercises", "-k", "no_such_test_name_at_all") == 0


def test_make_test_runs_every_stage_without_make_warnings():
    """`make -n test` (dry run) names each stage once and make has nothing to complain about."""
    done = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "warning" not in done.stderr.lower(), done.stderr
    for stage in ["ruff check", "--nbval-lax exercises", "--nbval ", "--doctest-modules"]:
        assert stage in done.stdout, f"make test does not run {stage!r}"
