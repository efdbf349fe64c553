"""Root pytest configuration shared by every run (unit tests, nbval, exercises)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alr_teach.course.claims import ENV

EXERCISES = Path(__file__).resolve().parent / "exercises"


def pytest_configure(config):
    """Under the test suite a lesson's claim that does not hold fails its cell.

    Notebook kernels started by nbval inherit this process's environment, so setting it
    here makes :func:`alr_teach.course.claims.claim` strict in them (a learner's own session
    gets a printed note instead). A test may still choose "note" for a kernel it starts.
    """
    os.environ[ENV] = "strict"


def only_exercises(config: pytest.Config) -> bool:
    """Whether every path this run was given lies in ``exercises/``."""
    given = [arg.split("::")[0] for arg in config.args]
    paths = [Path(config.invocation_params.dir, arg).resolve() for arg in given]
    return bool(paths) and all(p == EXERCISES or EXERCISES in p.parents for p in paths)


def pytest_sessionfinish(session, exitstatus):
    """An empty ``exercises/`` (before `make exercises` has written its notebooks) is not a
    failure. Anywhere else "no tests collected" stays one: a mistyped path or ``-k`` fails."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and only_exercises(session.config):
        session.exitstatus = pytest.ExitCode.OK
