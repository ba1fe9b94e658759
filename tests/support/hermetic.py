"""A home of its own for each test process, so that no test depends on, or leaves behind, a user's home.

Jupyter, IPython and nbgrader write into the home folder on their first run
(``~/.ipython``, ``~/.jupyter/migrated``, ``~/.local/share/jupyter/runtime``).
On a new machine those folders appear during the suite; on a used one they
are already there. A test that checks "student code wrote nothing into the
home folder" could not tell those writes from a student's, and a test could
pass only because an earlier run had left them behind.

:func:`use_private_home` therefore points ``HOME`` (and the folders Jupyter,
IPython and matplotlib take from it) at a new empty folder per test process,
inherited by every nbgrader, jupyter and kernel process a test starts:

- ``HOME`` is the folder ``home/``, which only student code could write to
  from outside its sandbox: the Jupyter and IPython folders are *beside* it,
  not in it, so the grader's own first-run files never land there;
- the user's real home (``pwd``'s entry, ``/root`` in CI) is untouched by the
  suite's own programs; the escape catalogue still looks there for files
  named with the run's token.

The folder is removed when the test process ends (:func:`remove_private_home`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from pathlib import Path

#: The variables set, each to a folder of its own under the private root.
FOLDERS = {
    "HOME": "home",
    "IPYTHONDIR": "ipython",
    "JUPYTER_CONFIG_DIR": "jupyter/config",
    "JUPYTER_DATA_DIR": "jupyter/data",
    "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
    "MPLCONFIGDIR": "matplotlib",
    "XDG_CACHE_HOME": "cache",
    "XDG_CONFIG_HOME": "config",
    "XDG_DATA_HOME": "data",
}

_root: Path | None = None


def real_home() -> Path:
    """The home folder of the user running the tests, as the password database has it."""
    return Path(pwd.getpwuid(os.getuid()).pw_dir)


def use_private_home() -> Path:
    """Point ``HOME`` and Jupyter's folders at new empty folders; return the new ``HOME``."""
    global _root
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="dlcv-test-home-"))
        for variable, name in FOLDERS.items():
            folder = _root / name
            folder.mkdir(parents=True, exist_ok=True)
            os.environ[variable] = str(folder)
    return Path(os.environ["HOME"])


def remove_private_home() -> None:
    """Remove the folders :func:`use_private_home` made (nothing if it was not called)."""
    global _root
    if _root is not None:
        shutil.rmtree(_root, ignore_errors=True)
        _root = None
