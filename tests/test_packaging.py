"""The two install routes (pip via pyproject.toml, conda/Binder via environment.yml) agree."""

from __future__ import annotations

import re
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


def test_environment_lists_exactly_the_runtime_dependencies_of_pyproject():
    """Same packages and the same version specifiers in both files."""
    env = _environment()
    conda = {
        _name(d): d.replace(" ", "")
        for d in env["dependencies"]
        if isinstance(d, str) and _name(d) not in {"python", "pip"}
    }
    pip = {_name(d): d.replace(" ", "") for d in _pyproject()["project"]["dependencies"]}
    assert conda == pip


def test_runtime_dependencies_are_the_course_stack_and_nothing_heavy():
    names = {_name(d) for d in _pyproject()["project"]["dependencies"]}
    assert names == {
        "numpy", "matplotlib", "ipywidgets", "scikit-learn", "jupyterlab", "ipykernel",
        "nbval", "pytest",
    }
    assert "torch" not in names


def test_only_the_alr_teach_package_is_shipped():
    find = _pyproject()["tool"]["setuptools"]["packages"]["find"]
    assert find["include"] == ["alr_teach*"]


def test_python_version_floor_matches_the_readme():
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    assert "Python >= 3.11" in (ROOT / "README.md").read_text()


def test_ci_runs_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", script, flags=re.M)


def test_the_core_imports_with_numpy_alone():
    """Optimizers, schedules, landscapes, runner and sweeps need no matplotlib or sklearn."""
    import subprocess
    import sys

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
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from alr_teach import MLPClassifier  # and the estimator still imports on demand

    assert MLPClassifier.__name__ == "MLPClassifier"


def test_make_test_runs_every_stage_without_make_warnings():
    """`make -n test` (dry run) names each stage once and make has nothing to complain about."""
    import subprocess

    done = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "warning" not in done.stderr.lower(), done.stderr
    for stage in ["ruff check", "--nbval-lax exercises", "--nbval ", "--doctest-modules"]:
        assert stage in done.stdout, f"make test does not run {stage!r}"
