"""`python -m alr_teach.course.doctor`: every check says ok or what to fix, and never crashes."""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pytest

from alr_teach.course import doctor
from alr_teach.course.doctor import Finding


def versions(**installed):
    def version_of(name):
        if name not in installed:
            raise importlib.metadata.PackageNotFoundError(name)
        return installed[name]
    return version_of


def test_an_old_python_is_named_with_the_fix():
    (finding,) = doctor.check_python((3, 9, 1))
    assert not finding.ok and "3.9.1 is too old" in finding.what and "3.11" in finding.fix
    assert doctor.check_python((3, 12, 0))[0].ok


def test_packages_missing_too_old_and_fine_are_each_reported():
    found = doctor.check_packages(["numpy>=1.26", "matplotlib>=3.8", "nbval"],
                                  versions(numpy="1.24.0", nbval="0.11.0"))
    assert [f.ok for f in found] == [False, False, True]
    assert "numpy 1.24.0 is installed but the course needs numpy>=1.26" in found[0].what
    assert "pip install 'numpy>=1.26'" in found[0].fix
    assert found[1].what == "matplotlib is not installed" and "make setup" in found[1].fix


def test_the_course_own_requirements_are_what_is_checked():
    listed = doctor.requirements()
    assert any(r.startswith("numpy") for r in listed) and not any("extra" in r for r in listed)
    assert all(f.ok for f in doctor.check_packages())  # this test environment is complete


def test_widgets_need_the_lab_extension_and_matching_versions(tmp_path):
    good = versions(ipywidgets="8.1.9", jupyterlab_widgets="3.0.17")
    assert "extension is not installed" in doctor.check_widgets([tmp_path], good)[0].what
    (tmp_path / "@jupyter-widgets" / "jupyterlab-manager").mkdir(parents=True)
    assert doctor.check_widgets([tmp_path], good)[0].ok
    old = versions(ipywidgets="7.8.1", jupyterlab_widgets="3.0.17")
    assert "do not belong together" in doctor.check_widgets([tmp_path], old)[0].what
    missing = versions(ipywidgets="8.1.9")
    assert "jupyterlab_widgets" in doctor.check_widgets([tmp_path], missing)[0].what


def test_this_environment_renders_widgets_and_plots():
    assert doctor.check_widgets()[0].ok and doctor.check_plotting()[0].ok


def test_a_real_kernel_starts_and_imports_the_course():
    (finding,) = doctor.check_kernel(timeout=120)
    assert finding.ok, str(finding)


def test_a_crashing_check_becomes_a_finding_and_main_counts_problems(monkeypatch, capsys):
    def broken():
        raise RuntimeError("boom")

    def fine():
        return [Finding(True, "all good")]

    monkeypatch.setattr(doctor, "CHECKS", [fine, broken])
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "ok   all good" in out and "FIX  broken could not run (RuntimeError('boom'))" in out
    assert "1 thing(s) to fix" in out


@pytest.mark.parametrize("ok, text", [(True, "ok   x"), (False, "FIX  x\n     -> do y")])
def test_findings_print_as_one_plain_line_and_a_fix(ok, text):
    assert str(Finding(ok, "x", "do y")) == text


def test_the_floating_point_path_is_named_for_a_report():
    from alr_teach.course.doctor import check_floating_point

    (finding,) = check_floating_point()
    assert finding.ok and finding.what.startswith("floating-point path: ")
    assert np.__version__ in finding.what
