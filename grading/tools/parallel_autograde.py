"""Autograde a class with N parallel workers, each running nbgrader's own per-student autograde.

Usage (from the course folder, after ``generate_assignment`` and collecting)::

    python -m grading.tools.parallel_autograde assignment2 [--workers N] [--course .]

nbgrader grades one submission after another (its issue #174). Here each of N
worker processes (default: the number of cores) loads the course's
``nbgrader_config.py`` once and calls ``NbGraderAPI.autograde(assignment,
student)`` (what formgrader uses) for the students it takes from a shared
queue, so grading, hooks, preprocessors and integrity reports are nbgrader's
and the project's, unchanged. The result is the one of a serial
``nbgrader autograde ASSIGNMENT --force``: the same scores, comments,
integrity reports and autograded files (``tests/test_parallel_autograde.py``
compares them).

The gradebook:

- SQLite (the default): the runner backs it up once (``grading.plugins.backup``),
  switches it to write-ahead logging (readers never block the writer) and
  gives every worker connection a 60 s busy timeout, so concurrent writes
  wait for each other instead of failing with "database is locked".
- PostgreSQL (``CourseDirectory.db_url = "postgresql://..."``): used as is;
  back it up with ``pg_dump``.

Progress (done of total, failures so far) goes to stderr while it runs; a
summary with failures and integrity flags comes at the end, and each
worker's own log goes to ``autograde-logs/``. The exit code is 1 if any
submission could not be autograded.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import TextIO

from nbgrader.coursedir import CourseDirectory
from sqlalchemy.engine import make_url
from traitlets.config import Config

from grading import course
from grading.integrity.report import IntegrityReport, flagged_summary

SQLITE_BUSY_TIMEOUT = 60


def load_config(root: str | Path, config_dir: str | Path | None = None) -> Config:
    """The configuration of ``nbgrader autograde --CourseDirectory.root=ROOT`` started in ``config_dir``.

    Read by :func:`grading.course.load_config`, exactly as nbgrader reads it
    (Jupyter's config folders, ``nbgrader_config.py`` of the working folder
    ``config_dir`` (default ``root``), then the course's own).
    """
    config = course.load_config(root, config_dir)
    config.CourseDirectory.root = str(Path(root).resolve())
    return config


def with_busy_timeout(db_url: str, seconds: int = SQLITE_BUSY_TIMEOUT) -> str:
    """``db_url`` with a busy timeout for SQLite (other URLs unchanged)."""
    url = make_url(db_url)
    if course.sqlite_path(db_url) is None or "timeout" in url.query:
        return db_url
    return url.update_query_dict({"timeout": str(seconds)}).render_as_string(hide_password=False)


def worker_config(root: str | Path, config_dir: str | Path | None, db_url: str) -> Config:
    """The configuration of one worker: the course's, with the run-level duties moved to the runner."""
    config = load_config(root, config_dir)
    config.CourseDirectory.db_url = with_busy_timeout(db_url)
    # The runner checks the sandbox, backs up once and summarizes once, not
    # every worker. (Each worker's autograde admits its submission through the
    # intake, grading.intake.exporter, as a serial run does.)
    config.Autograde.pre_convert_hook = None
    config.IsolatedRegrade.summarize_at_exit = False
    return config


_api = None


def _start_worker(root, config_dir, db_url):
    global _api
    import warnings

    from nbgrader.apps import NbGraderAPI
    from sqlalchemy.exc import SAWarning

    # Each student's log is returned with its result; what else the worker and
    # its kernels write to stderr goes to a log file, so the progress line stays readable.
    logs = Path(root) / "autograde-logs"
    logs.mkdir(exist_ok=True)
    log = os.open(logs / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 2)
    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session warnings

    # Kernels talk over Unix sockets in a folder of their own
    # (grading.sandbox.kernel), so kernels that workers start at the same
    # moment cannot collide on a TCP port.
    config = worker_config(root, config_dir, db_url)
    _api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _grade(job):
    assignment, student = job
    result = _api.autograde(assignment, student, force=True, create=True)
    return student, bool(result.get("success")), result.get("error") or ""


def submitted_students(coursedir: CourseDirectory, assignment: str, out: TextIO = sys.stderr) -> list[str]:
    """Ids of the students with a submission folder for ``assignment``, sorted.

    The submission of an id that is not of a safe form
    (``grading.intake.Intake.student_id_pattern``) is set aside, as a serial
    autograde does, with a message: nbgrader takes the id as a glob (an id ``*``
    would grade the whole class in one worker), the gradebook stores it and
    formgrader shows it.
    """
    import logging

    from grading.intake import Intake

    submitted = Path(coursedir.root) / coursedir.submitted_directory
    if not submitted.is_dir():
        return []
    log = logging.Logger("intake")  # not registered: its one handler prints to ``out``
    log.addHandler(logging.StreamHandler(out))
    intake = Intake(config=coursedir.config, log=log)
    students = []
    for folder in sorted(submitted.iterdir()):
        if not (folder / assignment).is_dir():
            continue
        if intake.safe_student_id(folder.name):
            students.append(folder.name)
        else:
            intake.set_id_aside(folder / assignment, folder.name)
    return students


def prepare_gradebook(coursedir: CourseDirectory) -> Path | None:
    """Back up an SQLite gradebook and switch it to write-ahead logging."""
    path = course.sqlite_path(coursedir.db_url)
    if path is None:
        return None
    if not path.is_absolute():
        path = Path(coursedir.root) / path
    if not path.is_file():
        raise SystemExit(f"No gradebook at {path}: run 'nbgrader generate_assignment' first.")
    from grading.plugins.backup import backup_gradebook

    backup = backup_gradebook(path, Path(coursedir.root) / "backups")
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()
    return backup


def run(root: str | Path, assignment: str, workers: int | None = None, out: TextIO = sys.stderr,
        config_dir: str | Path | None = None) -> tuple[list[str], list[str]]:
    """Autograde every submission of ``assignment``; return ``(graded, failed)`` student lists.

    ``config_dir`` holds the ``nbgrader_config.py`` to use (default: ``root``).
    """

    from grading.sandbox.bubblewrap import SandboxUnavailable, require_sandbox

    config = load_config(root, config_dir)
    coursedir = CourseDirectory(config=config)
    try:
        require_sandbox(config)
    except SandboxUnavailable as error:
        raise SystemExit(f"Not autograding: {error}") from None
    students = submitted_students(coursedir, assignment, out)
    workers = workers or os.cpu_count() or 1
    backup = prepare_gradebook(coursedir)
    if backup:
        print(f"Backed up the gradebook to {backup}", file=out)
    print(f"Autograding {len(students)} submissions of {assignment} with {workers} workers", file=out)

    started = time.monotonic()
    graded, failed = [], []
    context = multiprocessing.get_context("spawn")
    initargs = (str(coursedir.root), str(config_dir or coursedir.root), coursedir.db_url)
    with context.Pool(workers, initializer=_start_worker, initargs=initargs) as pool:
        for student, success, error in pool.imap_unordered(_grade, [(assignment, s) for s in students]):
            (graded if success else failed).append((student, error))
            print(f"\r{len(graded) + len(failed)}/{len(students)} done, {len(failed)} failed",
                  end="", file=out, flush=True)
        # Workers that exit on their own end the sandboxes they started ahead
        # and release their cgroups (at exit); terminated ones would not.
        pool.close()
        pool.join()
    print(file=out)
    summarize(coursedir, assignment, graded, failed, time.monotonic() - started, out)
    return [s for s, _ in graded], [s for s, _ in failed]


def summarize(coursedir: CourseDirectory, assignment: str, graded: list, failed: list, seconds: float,
              out: TextIO) -> None:
    """Print how many submissions were graded, which failed and why, and who is flagged."""
    print(f"Autograded {len(graded)} of {len(graded) + len(failed)} submissions in {seconds:.1f} s.", file=out)
    for student, error in failed:
        last = error.strip().splitlines()[-1] if error.strip() else "see the log"
        print(f"  FAILED {student}: {last}", file=out)
    reports = [IntegrityReport.read(coursedir.format_path(coursedir.autograded_directory, student, assignment))
               for student, _ in graded]
    for line in flagged_summary([r for r in reports if r is not None]):
        print(line, file=out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="assignment2")
    parser.add_argument("--workers", type=int, default=None, help="default: the number of cores")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    args = parser.parse_args(argv)
    _, failed = run(args.course, args.assignment, args.workers)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()


def gradebook_snapshot(db_url: str, assignment: str) -> dict:
    """Everything autograde writes to the gradebook for ``assignment``, as plain data.

    ``{student: {"timestamp": ..., "grades": {cell: (auto, manual, needs_manual, extra)},
    "comments": {cell: (auto, manual)}, "penalties": {notebook: penalty}}}``; two
    runs that produce equal snapshots left the gradebook in the same state.
    """
    from nbgrader.api import Gradebook

    snapshot = {}
    with Gradebook(db_url) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
            entry = {"timestamp": str(submission.timestamp), "grades": {}, "comments": {}, "penalties": {}}
            for notebook in submission.notebooks:
                entry["penalties"][notebook.name] = notebook.late_submission_penalty
                for grade in notebook.grades:
                    entry["grades"][grade.name] = (grade.auto_score, grade.manual_score,
                                                   grade.needs_manual_grade, grade.extra_credit)
                for comment in notebook.comments:
                    entry["comments"][comment.name] = (comment.auto_comment, comment.manual_comment)
            snapshot[submission.student_id] = entry
    return snapshot
