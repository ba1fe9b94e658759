"""The sandbox and its escape catalogue, run by an ordinary user as an instructor on a course server would.

The rest of the suite runs as whoever runs it; in CI that is root, where the
sandbox drops to a fresh unprivileged uid. An instructor is not root: there
bubblewrap builds its namespaces as an ordinary user (unprivileged user
namespaces). This test creates such a user and runs the sandbox's tests and
the escape catalogue as that user on a copy of the course.
"""

import os
import shutil

import pytest

from unprivileged import run_as, unprivileged_course


@pytest.mark.skipif(os.geteuid() != 0, reason="the whole suite already runs as an unprivileged user")
def test_sandbox_and_escape_catalogue_hold_for_an_unprivileged_instructor():
    user, course, python = unprivileged_course()
    try:
        done = run_as(user, [str(python), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                             "tests/test_sandbox.py", "tests/test_limits.py", "tests/test_sandbox_escapes.py"],
                      course, python, timeout=1800)
        output = done.stdout[-6000:] + done.stderr[-3000:]
        assert done.returncode == 0, output
        assert " passed" in done.stdout and " failed" not in done.stdout, output
        assert "skipped" not in done.stdout.splitlines()[-1], output
    finally:
        shutil.rmtree(course.parent, ignore_errors=True)
