"""Back up the SQLite gradebook before each autograde run.

``grading.plugins.hooks.before_autograde`` (nbgrader's ``Autograde.pre_convert_hook``)
calls :func:`backup_before_autograde` once per submission; the first call of a run copies the
gradebook with SQLite's online backup API (consistent even while it is open)
to ``backups/gradebook-<UTC time>.db`` in the course folder. To undo a bad
run, stop nbgrader and copy that file over ``gradebook.db``.
"""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path

from traitlets.config import Application

from grading.course import sqlite_path

_done = set()


def backup_gradebook(db_path: str | Path, folder: str | Path) -> Path:
    """Copy the SQLite database ``db_path`` into ``folder``; return the copy's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"gradebook-{stamp}.db"
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()
    return target


def backup_before_autograde(app: Application) -> None:
    """Back up the gradebook of nbgrader application ``app`` once per run (SQLite only)."""
    url = app.coursedir.db_url
    db_path = sqlite_path(url)
    if url in _done or db_path is None:
        return
    _done.add(url)
    if not db_path.is_file():
        return
    target = backup_gradebook(db_path, Path(app.coursedir.root) / "backups")
    app.log.info("Backed up the gradebook to %s", target)
