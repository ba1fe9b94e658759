"""An ordinary user account with its own copy of the course, for tests that must not run as root.

An instructor is not root: the sandbox has to work for an ordinary user on a
course server (bubblewrap then relies on unprivileged user namespaces). When
the suite runs as root (CI), :func:`unprivileged_course` creates a user,
copies the repository's tracked files into a folder that user owns, and
builds a Python environment the user can run: Debian's ``/usr/bin/python3.11``
in a new venv, with this venv's installed packages copied in (a venv made
from a Python under ``/root`` cannot be run by anyone else). The course's own
``grading`` package comes from the copy.
"""

import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from grading.scratch_course import REPO

USER = "dlcv-instructor"
SYSTEM_PYTHON = "/usr/bin/python3.11"


def ensure_user(name=USER):
    """The uid and gid of ``name``, created (no password, no login) if missing."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True)
        entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def _copy_repository(target):
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True, check=True).stdout
    for name in files.decode().split("\0"):
        if not name:
            continue
        source, dest = REPO / name, target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            dest.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, dest)


def _build_venv(venv, course):
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = Path(subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip())
    shutil.rmtree(target)
    shutil.copytree(sysconfig.get_paths()["purelib"], target, symlinks=True,
                    ignore=shutil.ignore_patterns("__editable__*", "dlcv_assignment2_grading*", "__pycache__"))
    (target / "dlcv_course.pth").write_text(f"{course}\n")
    for data in ("share", "etc"):  # nbconvert's templates, kernel specs, Jupyter's settings
        if Path(sys.prefix, data).is_dir():
            shutil.copytree(Path(sys.prefix, data), venv / data, symlinks=True, dirs_exist_ok=True)
    python = venv / "bin" / "python"
    for script in Path(sys.prefix, "bin").iterdir():
        if not script.is_file() or script.is_symlink():
            continue
        try:
            lines = script.read_text().splitlines(keepends=True)
        except UnicodeDecodeError:
            continue
        if lines and lines[0].startswith("#!") and "python" in lines[0]:
            dest = venv / "bin" / script.name
            if not dest.exists():
                dest.write_text(f"#!{python}\n" + "".join(lines[1:]))
                dest.chmod(0o755)
    return python


def unprivileged_course():
    """``(user, folder, python)``: a copy of the course owned by an ordinary user, and its Python."""
    if not Path(SYSTEM_PYTHON).is_file():
        raise RuntimeError(f"{SYSTEM_PYTHON} is missing: install Debian's python3.11 (and python3.11-venv)")
    uid, gid = ensure_user()
    base = Path(tempfile.mkdtemp(prefix="dlcv-unprivileged-", dir="/tmp"))
    base.chmod(0o755)
    course = base / "course"
    _copy_repository(course)
    python = _build_venv(base / "venv", course)
    for path in [base, *base.rglob("*")]:
        os.lchown(path, uid, gid)
    return USER, course, python


def run_as(user, args, cwd, python, timeout):
    """Run ``args`` as ``user`` in ``cwd`` with ``python``'s venv first on PATH."""
    env = {"PATH": f"{Path(python).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": pwd.getpwnam(user).pw_dir,
           "LANG": "C.UTF-8", "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if key in os.environ:
            env[key] = os.environ[key]
    runuser = shutil.which("runuser", path="/usr/sbin:/sbin:/usr/bin:/bin")
    return subprocess.run([runuser, "-u", user, "--", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
