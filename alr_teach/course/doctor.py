"""Check that this machine is ready for the course, and say in plain words what to fix.

Run it before a workshop, on every laptop in the room::

    python -m alr_teach.course.doctor          # or: make doctor

It checks, in order: the Python version; that every package the course needs is
installed at a version it accepts; that a Jupyter kernel starts and can import the course;
that JupyterLab has the widgets extension (without it, sliders show as plain text such as
``interactive(children=...)``); and that matplotlib can draw without a screen. Each line
starts with ``ok`` or ``FIX``; a ``FIX`` line says what to do. The exit status is the
number of problems (0 when the machine is ready).
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Finding", "CHECKS", "diagnose", "main", "requirements", "labextension_dirs",
    "check_python", "check_packages", "check_kernel", "check_widgets", "check_plotting",
    "check_floating_point", "MIN_PYTHON", "DISTRIBUTION", "LAB_EXTRA", "SETUP", "KERNEL_TIMEOUT",
]

MIN_PYTHON = (3, 11)
DISTRIBUTION = "alr-teach"
LAB_EXTRA = "lab"  # pyproject.toml's extra with JupyterLab and the kernel
SETUP = ("run `make setup` in the course folder "
         "(or `pip install -e '.[lab]'` in your environment)")
KERNEL_TIMEOUT = 60.0  # seconds; a cold laptop can take a while to start its first kernel


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, whether it is fine, and the fix if not."""

    ok: bool
    what: str
    fix: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"ok   {self.what}"
        return f"FIX  {self.what}\n     -> {self.fix}"


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> list[Finding]:
    shown = ".".join(map(str, version))
    if tuple(version[:2]) >= MIN_PYTHON:
        return [Finding(True, f"Python {shown}")]
    needed = ".".join(map(str, MIN_PYTHON))
    return [Finding(False, f"Python {shown} is too old (the course needs {needed} or newer)",
                    f"install Python {needed}+ (python.org or conda), then {SETUP}")]


def requirements() -> list[str]:
    """What a learner's machine needs, as installed: the package's own dependencies plus its
    ``lab`` extra (JupyterLab and the kernel); the test and dev extras are left out."""
    from packaging.requirements import Requirement

    try:
        listed = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        return []
    needed = []
    for line in listed:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate({"extra": LAB_EXTRA}):
            needed.append(f"{req.name}{req.specifier}")
    return needed


def check_packages(required: list[str] | None = None,
                   version_of: Callable[[str], str] = importlib.metadata.version) -> list[Finding]:
    from packaging.requirements import Requirement

    if required is None:
        required = requirements()
        if not required:
            return [Finding(False, f"the course package ({DISTRIBUTION}) is not installed here",
                            SETUP)]
    findings = []
    for line in required:
        req = Requirement(line)
        try:
            have = version_of(req.name)
        except importlib.metadata.PackageNotFoundError:
            findings.append(Finding(False, f"{req.name} is not installed", SETUP))
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            findings.append(Finding(False, f"{req.name} {have} is installed but the course needs "
                                    f"{req.name}{req.specifier}",
                                    f"pip install '{req.name}{req.specifier}' (or {SETUP})"))
        else:
            findings.append(Finding(True, f"{req.name} {have}"))
    return findings


def check_kernel(timeout: float = KERNEL_TIMEOUT) -> list[Finding]:
    """Start the ``python3`` kernel JupyterLab will use and import the course in it."""
    try:
        from jupyter_client.manager import start_new_kernel
    except ImportError:
        return [Finding(False, "jupyter_client is missing, so no kernel can start", SETUP)]
    code = "import alr_teach, numpy, matplotlib, ipywidgets; print(alr_teach.__name__)"
    start = time.perf_counter()
    try:
        manager, client = start_new_kernel(  # the kernel's own chatter is not for learners
            kernel_name="python3", startup_timeout=timeout, stderr=subprocess.DEVNULL)
    except Exception as error:  # noqa: BLE001 - any failure here is the learner's to fix
        return [Finding(False, f"the python3 Jupyter kernel does not start ({error})",
                        "python -m ipykernel install --user --name python3, "
                        f"or {SETUP}")]
    try:
        reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
        status = reply["content"]["status"]
        error = reply["content"].get("evalue", "")
    except Exception as failure:  # noqa: BLE001
        status, error = "error", str(failure)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    seconds = time.perf_counter() - start
    if status != "ok":
        return [Finding(False, f"the kernel started but cannot import the course ({error})",
                        f"the kernel uses another Python than this one: {SETUP} with the "
                        f"Python at {sys.executable}")]
    return [Finding(True, f"a python3 kernel starts and imports alr_teach ({seconds:.0f} s)")]


def labextension_dirs() -> list[Path]:
    """Where JupyterLab looks for extensions (none when JupyterLab is not installed)."""
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:  # no JupyterLab: check_packages says what to install
        return []
    return [Path(p) for p in jupyter_path("labextensions")]


def check_widgets(dirs: list[Path] | None = None,
                  version_of: Callable[[str], str] = importlib.metadata.version) -> list[Finding]:
    """JupyterLab renders ipywidgets only with the ``@jupyter-widgets/jupyterlab-manager``
    extension, which the ``jupyterlab_widgets`` package installs; its major version must
    match ipywidgets' (ipywidgets 8 needs jupyterlab_widgets 3)."""
    fix = "pip install 'ipywidgets>=8.1' 'jupyterlab_widgets>=3', then restart JupyterLab"
    try:
        widgets, manager = version_of("ipywidgets"), version_of("jupyterlab_widgets")
    except importlib.metadata.PackageNotFoundError as missing:
        return [Finding(False, f"{missing} is not installed: sliders would show as text", fix)]
    dirs = labextension_dirs() if dirs is None else dirs
    found = [d for d in dirs if (d / "@jupyter-widgets" / "jupyterlab-manager").is_dir()]
    if not found:
        return [Finding(False, "JupyterLab's widget extension is not installed where JupyterLab "
                        "looks for it: sliders would show as text", fix)]
    if int(widgets.split(".")[0]) != int(manager.split(".")[0]) + 5:
        return [Finding(False, f"ipywidgets {widgets} and jupyterlab_widgets {manager} do not "
                        "belong together: sliders would not render", fix)]
    return [Finding(True, f"JupyterLab will render widgets (ipywidgets {widgets}, "
                    f"jupyterlab_widgets {manager})")]


def check_plotting() -> list[Finding]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        canvas = FigureCanvasAgg(Figure(figsize=(1, 1)))
        canvas.figure.add_subplot().plot([0, 1], [1, 0])
        canvas.draw()
    except Exception as error:  # noqa: BLE001
        return [Finding(False, f"matplotlib cannot draw a figure ({error})", SETUP)]
    return [Finding(True, "matplotlib draws figures")]


def check_floating_point() -> list[Finding]:
    """Name this machine's floating-point path (for a report of a claim that did not hold).

    Always ``ok``: every path is supported; the line says which one numpy and BLAS take.
    """
    import platform

    import numpy as np

    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__ as dispatch
        from numpy._core._multiarray_umath import __cpu_features__ as features
        simd = [name for name in dispatch if features.get(name)] or ["baseline only"]
    except ImportError:  # another numpy layout: name the machine only
        simd = ["unknown"]
    blas = "unknown BLAS"
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{config.get('name', 'BLAS')} {config.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - informational only
        pass
    return [Finding(True, f"floating-point path: {platform.machine()}, numpy {np.__version__} "
                          f"SIMD {' '.join(simd[-2:])}, {blas}")]


CHECKS: list[Callable[[], list[Finding]]] = [
    check_python, check_packages, check_kernel, check_widgets, check_plotting,
    check_floating_point,
]


def diagnose(checks: list[Callable[[], list[Finding]]] | None = None) -> list[Finding]:
    """Run every check; a check that crashes becomes a finding instead of a traceback."""
    findings = []
    for check in CHECKS if checks is None else checks:
        try:
            findings += check()
        except Exception as error:  # noqa: BLE001
            findings.append(Finding(False, f"{check.__name__} could not run ({error!r})", SETUP))
    return findings


def main(argv: list[str] | None = None) -> int:
    print(f"alr-teach doctor: checking {sys.executable}")
    findings = diagnose()
    for finding in findings:
        print(finding)
    problems = sum(not f.ok for f in findings)
    if problems:
        print(f"\n{problems} thing(s) to fix before the course will run smoothly.")
    else:
        print("\nAll set: start the course with `make lab`.")
    return problems


if __name__ == "__main__":
    sys.exit(main())
