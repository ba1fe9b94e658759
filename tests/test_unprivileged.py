"""The sandbox and its escape catalogue, run by an ordinary user as an instructor on a course server would.

The rest of the suite runs as whoever runs it; in CI that is root. An
instructor is not root: there bubblewrap builds its namespaces as an ordinary
user (unprivileged user namespaces). This test creates such a user and runs
the sandbox's tests and the escape catalogue as that user.
"""

import os
import sys

import pytest

from support.unprivileged import ordinary_user, run_as

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes


@pytest.mark.skipif(os.geteuid() != 0, reason="the whole suite already runs as an unprivileged user")
def test_sandbox_and_escape_catalogue_hold_for_an_unprivileged_instructor():
    with ordinary_user() as user:  # new for this run, removed with its home afterwards
        done = run_as(user, [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                             "tests/test_sandbox.py", "tests/test_limits.py", "tests/test_sandbox_escapes.py"],
                      timeout=1800)
        # The tests ran as the user, not as root.
        check = run_as(user, [sys.executable, "-c", "import os; print(os.geteuid())"], timeout=60)
    output = done.stdout[-6000:] + done.stderr[-3000:]
    assert done.returncode == 0, output
    last = done.stdout.strip().splitlines()[-1]
    assert " passed" in last and "failed" not in last and "skipped" not in last, output
    assert check.stdout.strip() not in ("", "0"), check
