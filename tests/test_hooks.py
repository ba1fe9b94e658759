"""The pre-autograde hook stops nbgrader before anyone is graded when the gradebook cannot be backed up."""

import logging
import sqlite3
from types import SimpleNamespace

import pytest

from grading.plugins import backup, hooks


def fake_app(root, db_url):
    app = SimpleNamespace(config=None, log=logging.getLogger("test-hooks"),
                          coursedir=SimpleNamespace(root=str(root), db_url=db_url))
    return SimpleNamespace(instance=lambda: app)


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.setattr(hooks, "require_sandbox", lambda config, log: None)
    monkeypatch.setattr(backup, "_done", set())
    database = tmp_path / "gradebook.db"
    sqlite3.connect(database).close()
    return tmp_path, f"sqlite:///{database}"


def test_a_backup_is_made_before_the_first_submission(course, monkeypatch):
    root, url = course
    monkeypatch.setattr(hooks, "Application", fake_app(root, url))
    hooks.before_autograde("assignment2", "ada", [])
    assert len(list((root / "backups").glob("gradebook-*.db"))) == 1


def test_a_failed_backup_stops_autograde_with_an_error(course, monkeypatch, caplog):
    root, url = course
    (root / "backups").write_text("a file where the backup folder should be")
    monkeypatch.setattr(hooks, "Application", fake_app(root, url))
    with pytest.raises(SystemExit), caplog.at_level(logging.ERROR):
        hooks.before_autograde("assignment2", "ada", [])
    assert "the gradebook could not be backed up" in caplog.text


def test_in_formgraders_autograde_the_course_is_the_working_folder(course, monkeypatch):
    # Formgrader runs nbgrader's Autograde inside the Jupyter server: the application there has
    # no course directory, and nbgrader has changed into the course root before the hook runs.
    root, _ = course
    server = SimpleNamespace(config=None, log=logging.getLogger("test-hooks"))
    monkeypatch.setattr(hooks, "Application", SimpleNamespace(instance=lambda: server))
    monkeypatch.chdir(root)
    hooks.before_autograde("assignment2", "ada", [])
    assert len(list((root / "backups").glob("gradebook-*.db"))) == 1
