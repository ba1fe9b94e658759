"""An ordinary user account that runs this repository's tests, as an instructor on a course server would.

An instructor is not root: the sandbox has to work for an ordinary user
(bubblewrap then relies on unprivileged user namespaces). When the suite runs
as root (CI), :func:`ordinary_user` creates a user and :func:`traversable`
lets it reach this repository and its Python: for the duration of the test,
folders on the way that others cannot enter get the "others may enter" bit
(never read or write), and get their old mode back afterwards. The user then
runs the tests from the repository, writing only to its own temporary folders.
"""

import contextlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from grading.tools.scratch_course import REPO

USER = "dlcv-instructor"


@contextlib.contextmanager
def ordinary_user(name=USER):
    """A new ordinary user account (no password) with a new home, removed with its home afterwards.

    An account of that name left behind by an earlier run (one that was stopped
    before it could clean up) is removed first, so each run starts from a user
    as new as on a fresh machine. The account is removed even when the test fails.
    """
    _remove_user(name)
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True)
    try:
        yield name
    finally:
        _remove_user(name)


def _remove_user(name):
    try:
        home = pwd.getpwnam(name).pw_dir
    except KeyError:
        return
    done = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
    if done.returncode not in (0, 12):  # 12: the home folder could not be removed (done below)
        raise RuntimeError(f"could not remove the test user {name}: {done.stderr.strip()}")
    shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def traversable(*paths):
    """Let others enter (``o+x``) every folder on the way to ``paths``; restore the modes after."""
    changed = {}
    for path in paths:
        for folder in [*reversed(Path(os.path.realpath(path)).parents), Path(os.path.realpath(path))]:
            if folder.is_dir() and folder not in changed:
                mode = stat.S_IMODE(folder.stat().st_mode)
                if not mode & stat.S_IXOTH:
                    changed[folder] = mode
                    folder.chmod(mode | stat.S_IXOTH)
    try:
        yield
    finally:
        for folder, mode in changed.items():
            folder.chmod(mode)


def run_as(user, args, timeout):
    """Run ``args`` as ``user`` in the repository, with this venv first on PATH and no files written there."""
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
           "HOME": pwd.getpwnam(user).pw_dir, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if key in os.environ:
            env[key] = os.environ[key]
    runuser = shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin:/bin")
    with traversable(REPO, sys.prefix, os.path.realpath(sys.executable)):
        return subprocess.run([runuser, "-u", user, "--", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=timeout)
