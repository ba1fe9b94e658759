"""nbgrader's ``Autograde.pre_convert_hook`` for this course: check the sandbox, back up the gradebook.

nbgrader calls the hook before each submission and only logs an exception it
raises, at INFO, and goes on. What must stop autograde therefore ends the
process with ``SystemExit``, which nbgrader does not catch, before any
submission of the run is graded:

- the sandbox cannot start (``grading.sandbox.bubblewrap.require_sandbox``; the
  message says why and how to fix it);
- the SQLite gradebook cannot be backed up (``grading.plugins.backup``).

Both are checked once per run. What nbgrader reads of the submissions
themselves (links, special files, sizes, the notebook, student ids) is made safe
before the hook runs, by the intake (``grading.intake``): nbgrader reads a
submission's ``timestamp.txt`` and takes its student id before it calls this hook.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

from traitlets.config import Application

from grading.course import course_directory, load_config
from grading.plugins.backup import backup_before_autograde
from grading.sandbox.bubblewrap import SandboxUnavailable, require_sandbox


def _grading_app() -> SimpleNamespace:
    """``config``, ``log`` and ``coursedir`` of the autograde that calls the hook.

    The nbgrader application's, on the command line. Formgrader's "autograde" button
    runs nbgrader's ``Autograde`` inside the Jupyter server, whose application has no
    course directory: there the course is the working folder (``BaseConverter.start``
    changes into the course root before it converts anything), read as nbgrader reads it.
    """
    app = Application.instance()
    if getattr(app, "coursedir", None) is not None:
        return SimpleNamespace(config=app.config, log=app.log, coursedir=app.coursedir)
    config = load_config(os.getcwd())
    return SimpleNamespace(config=config, log=app.log, coursedir=course_directory(os.getcwd(), config))


def before_autograde(assignment: str, student: str, notebooks: list[str]) -> None:
    """Stop autograde unless student code can be sandboxed and the gradebook is backed up."""
    app = _grading_app()
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
