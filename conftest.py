"""Root pytest configuration shared by every run (unit tests, nbval, exercises)."""

import pytest


def pytest_sessionfinish(session, exitstatus):
    """An empty folder (e.g. exercises/ before it has notebooks) is not a failure."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK
