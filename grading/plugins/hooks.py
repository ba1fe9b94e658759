"""nbgrader's ``Autograde.pre_convert_hook`` for this course: check the sandbox, back up the gradebook.

nbgrader calls the hook before each submission and only logs an exception it
raises, at INFO, and goes on. What must stop autograde therefore ends the
process with ``SystemExit``, which nbgrader does not catch, before any
submission of the run is graded:

- the sandbox cannot start (``grading.sandbox.bubblewrap.require_sandbox``; the
  message says why and how to fix it);
- the SQLite gradebook cannot be backed up (``grading.plugins.backup``).

Both are checked once per run. Then symbolic links in ``submitted/`` are set
aside (:func:`set_links_aside`): nbgrader's copy follows links, so a
submitted link to a file of the grader's (the master solution, the checks)
would otherwise be graded as the student's and handed back in feedback.
"""

from __future__ import annotations

import glob
import logging
import os
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Application

from grading.plugins.backup import backup_before_autograde
from grading.sandbox.bubblewrap import SandboxUnavailable, require_sandbox

#: A submitted symbolic link is renamed to its name plus this suffix, which
#: ``CourseDirectory.ignore`` (nbgrader_config.py) keeps out of every copy.
LINK_SUFFIX = ".link-not-collected"

_done = set()


def set_links_aside(coursedir: CourseDirectory, assignment: str, log: logging.Logger) -> list[Path]:
    """Rename every symbolic link in the submissions of ``assignment`` so that nbgrader ignores it.

    nbgrader's copy into ``autograded/`` follows links, so a submitted link to
    a file of the grader's (the master solution, the checks) would be graded
    as the student's own and handed back in feedback. The link itself is kept
    (renamed, never followed) as part of the student's record. Once per run;
    returns the renamed links.
    """
    key = (id(coursedir), assignment)
    if key in _done:
        return []
    _done.add(key)
    renamed = []
    for folder in sorted(glob.glob(coursedir.format_path(coursedir.submitted_directory, "*", assignment))):
        for root, folders, files in os.walk(folder):
            for name in folders + files:
                path = Path(root) / name
                if path.is_symlink() and not name.endswith(LINK_SUFFIX):
                    path.rename(path.with_name(name + LINK_SUFFIX))
                    renamed.append(path)
                    log.warning("%s is a symbolic link: not collected (renamed to %s%s)", path, name, LINK_SUFFIX)
    return renamed


def before_autograde(assignment: str, student: str, notebooks: list[str]) -> None:
    """Stop autograde unless student code can be sandboxed and the gradebook is backed up."""
    app = Application.instance()
    try:
        require_sandbox(app.config, app.log)
    except SandboxUnavailable as error:
        app.log.error("Not autograding: %s", error)
        raise SystemExit(1) from None
    try:
        backup_before_autograde(app)
    except Exception as error:  # noqa: BLE001 (any failure to back up stops the run)
        app.log.error("Not autograding: the gradebook could not be backed up (%s: %s).",
                      type(error).__name__, error)
        raise SystemExit(1) from None
    set_links_aside(app.coursedir, assignment, app.log)
