"""Autograde a class in parallel on Dask: worker processes of this machine, or a cluster's.

Usage (from the course folder, after ``generate_assignment`` and collecting)::

    python -m grading.tools.parallel_autograde assignment2 [--workers N] [--course .]
        [--scheduler tcp://HOST:8786] [--students a,b,c] [--force]

nbgrader grades one submission after another (its issue #174). Here each
submission is one Dask task (``dask.distributed``) that runs nbgrader's own
per-student autograde (``NbGraderAPI.autograde``, what formgrader uses) in a
worker process that loaded the course's ``nbgrader_config.py`` once, so
grading, hooks, preprocessors and integrity reports are nbgrader's and the
project's, unchanged. The result is the one of a serial ``nbgrader autograde
ASSIGNMENT --force``: the same scores, comments, integrity reports and
autograded files (``tests/test_parallel_autograde.py`` and
``tests/test_dask_autograde.py`` compare them).

Where it runs:

- By default on a local Dask cluster of ``--workers`` worker *processes*
  (default: the number of cores), each with one thread, shut down at the end.
- ``--scheduler tcp://HOST:PORT``: on an existing Dask cluster (workers
  started with ``--nthreads 1``; see ``docs/operations.md`` for the set-ups and
  what every node needs). Only with a PostgreSQL gradebook: SQLite over a
  network file system corrupts.

Nothing lost, nothing doubled, never a hang (all of it Dask's own machinery):

- a worker process that dies while grading (killed, out of memory) is
  replaced (by its nanny) and the submission is graded again on a worker;
- a submission during whose grading workers die twice is recorded as failed,
  with that reason (``distributed.scheduler.allowed-failures`` = 1 on the
  local cluster; the scheduler's own setting on a cluster); nothing else is affected;
- every submission ends as graded, failed (with the reason) or unchanged, and
  the run always ends with the summary; nbgrader's gradebook keeps one
  submission per student and assignment, and a re-grade (``force``) replaces
  the earlier one, files and rows alike.
- One process grades one notebook at a time (``grading.sandbox.one_grading``),
  so workers have one thread each.

Incremental: a student is graded again only if the submission or the course
(the assignment's source, the configuration) changed since that student's last
successful grading by this runner (``grading.tools.graded_hashes``; the record
is ``autograde-hashes/ASSIGNMENT.jsonl``); ``--force`` grades everyone, and
``--students a,b,c`` grades just those (a shard of a class, say).

The gradebook:

- SQLite (the default, one machine only): the runner backs it up once
  (``grading.plugins.backup``), switches it to write-ahead logging (readers
  never block the writer) and gives every worker connection a 60 s busy
  timeout, so concurrent writes wait for each other instead of failing with
  "database is locked".
- PostgreSQL (``CourseDirectory.db_url = "postgresql://..."``): used as is;
  back it up with ``pg_dump``.

Progress (done of total, failed, skipped, an ETA) goes to stderr while it
runs, and with a cluster the address of its Dask dashboard; a summary with
failures and integrity flags comes at the end, and each worker's own log goes
to ``autograde-logs/worker-HOST-PID.log``. The exit code is 1 if any
submission could not be autograded.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import shutil
import socket
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from nbgrader.coursedir import CourseDirectory
from sqlalchemy.engine import make_url
from traitlets.config import Config

if TYPE_CHECKING:
    import distributed

from grading import course
from grading.integrity.report import IntegrityReport, flagged_summary
from grading.tools.graded_hashes import GradedHashes, course_hash, submission_hash

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


#: Dask settings of the local cluster (a cluster's scheduler has its own; docs/operations.md):
#: a task during which two workers died is failed (KilledWorker) instead of killing more, and a
#: worker holds one submission at a time, so a worker's death makes no waiting submission suspect.
LOCAL_CLUSTER_SETTINGS = {
    "distributed.scheduler.allowed-failures": 1,
    "distributed.scheduler.worker-saturation": 1.0,
}

_WORKER: dict = {}  # in a worker process: {(root, config_dir, db_url): NbGraderAPI}


def worker_log_name(host: str | None = None, pid: int | None = None) -> str:
    """The file name of one worker process's log: its host and PID, so two hosts never share a file."""
    return f"worker-{host or socket.gethostname()}-{pid or os.getpid()}.log"


def _worker_api(root: str, config_dir: str, db_url: str):
    """This worker process's NbGraderAPI for the course (made on its first submission)."""
    key = (root, config_dir, db_url)
    if key not in _WORKER:
        import warnings

        from nbgrader.apps import NbGraderAPI
        from sqlalchemy.exc import SAWarning

        from grading.sandbox.bubblewrap import require_sandbox

        # Each student's log is returned with its result; what else the worker and
        # its kernels write to stderr goes to a log file, so the progress line stays readable.
        logs = Path(root) / "autograde-logs"
        logs.mkdir(exist_ok=True)
        log = os.open(logs / worker_log_name(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 2)
        os.close(log)
        warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's own session warnings
        config = worker_config(root, config_dir, db_url)
        require_sandbox(config)  # a node without a working sandbox fails here, before any student
        _WORKER.clear()
        # Kernels talk over Unix sockets in a folder of their own
        # (grading.sandbox.kernel), so kernels that workers start at the same
        # moment cannot collide on a TCP port.
        _WORKER[key] = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    return _WORKER[key]


def grade_submission(root: str, config_dir: str, db_url: str, assignment: str, student: str,
                     last: tuple | None, course: str) -> tuple[str, str, str, str | None]:
    """The Dask task of one submission: ``(student, "graded" | "failed" | "unchanged", error, submission hash)``.

    ``last``: the ``(submission hash, course hash)`` of the student's last
    successful grading (None: grade anyway). An unchanged submission whose
    autograded folder is still there is not graded again.
    """
    api = _worker_api(root, config_dir, db_url)
    coursedir = api.coursedir
    submitted = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    fingerprint = submission_hash(submitted)
    autograded = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    if last is not None and fingerprint is not None and tuple(last) == (fingerprint, course) and autograded.is_dir():
        return student, "unchanged", "", fingerprint
    result = api.autograde(assignment, student, force=True, create=True)
    if result.get("success"):
        return student, "graded", "", fingerprint
    return student, "failed", result.get("error") or result.get("log") or "", fingerprint


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


class Progress:
    """One line on ``out``: done of total, failed, unchanged, and an ETA from the rate so far."""

    def __init__(self, total: int, out: TextIO):
        self.total, self.out = total, out
        self.started = time.monotonic()
        self.graded = self.failed = self.unchanged = 0

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)
        done = self.graded + self.failed + self.unchanged
        left = self.total - done
        spent = time.monotonic() - self.started
        rate = (self.graded + self.failed) / spent if spent > 0 else 0
        eta = f", about {_clock(left / rate)} left" if left and rate else ""
        print(f"\r{done}/{self.total} done, {self.failed} failed, {self.unchanged} unchanged{eta}   ",
              end="", file=self.out, flush=True)


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def killed_workers_reason(error: BaseException) -> str:
    """What the summary says of a submission during whose grading workers died (Dask's KilledWorker)."""
    deaths = getattr(error, "allowed_failures", 1) + 1
    return (f"the worker process grading it died {deaths} times (killed, e.g. by the out-of-memory killer, "
            f"or crashed): not graded; see autograde-logs/ and the system log")


def _has_bokeh() -> bool:
    """On the scheduler: whether it can serve its dashboard (Dask's dashboard needs bokeh)."""
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int, out: TextIO) -> Iterator[distributed.Client]:
    """A Dask client: of the cluster at ``scheduler``, or of a local cluster of ``workers`` processes (closed after)."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="60s") as client:
            if client.run_on_scheduler(_has_bokeh):
                print(f"Dask dashboard: {client.dashboard_link}", file=out)
            else:
                print(f"Dask dashboard: none (install bokeh where the scheduler runs for one at "
                      f"{client.dashboard_link})", file=out)
            yield client
        return
    with dask.config.set(LOCAL_CLUSTER_SETTINGS):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client


def run(root: str | Path, assignment: str, workers: int | None = None, out: TextIO = sys.stderr,
        config_dir: str | Path | None = None, scheduler: str | None = None, students: list[str] | None = None,
        force: bool = False) -> tuple[list[str], list[str]]:
    """Autograde the submissions of ``assignment``; return ``(graded, failed)`` student lists.

    ``config_dir`` holds the ``nbgrader_config.py`` to use (default: ``root``).
    ``scheduler``: the address of an existing Dask cluster (default: a local
    one of ``workers`` processes). ``students``: just these (default: all who
    submitted). Unchanged submissions (see ``grading.tools.graded_hashes``) are
    neither graded nor failed, unless ``force``.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    from grading.sandbox.bubblewrap import SandboxUnavailable, require_sandbox

    config = load_config(root, config_dir)
    coursedir = CourseDirectory(config=config)
    if scheduler and course.sqlite_path(coursedir.db_url) is not None:
        raise SystemExit("Not autograding: a Dask cluster (--scheduler) needs a PostgreSQL gradebook "
                         "(CourseDirectory.db_url), not SQLite: SQLite over a network file system corrupts.")
    if not scheduler:
        try:
            require_sandbox(config)
        except SandboxUnavailable as error:
            raise SystemExit(f"Not autograding: {error}") from None
    submitted = submitted_students(coursedir, assignment, out)
    failed = []
    if students is not None:
        wanted = list(dict.fromkeys(students))
        failed = [(s, "no submission of this student") for s in wanted if s not in submitted]
        submitted = [s for s in submitted if s in wanted]
    workers = workers or os.cpu_count() or 1
    backup = prepare_gradebook(coursedir)
    if backup:
        print(f"Backed up the gradebook to {backup}", file=out)
    record = GradedHashes(coursedir.root, assignment)
    config_dir = str(Path(config_dir or coursedir.root).resolve())
    graded_with = course_hash(coursedir.format_path(coursedir.source_directory, ".", assignment),
                              Path(config_dir) / "nbgrader_config.py")
    where = f"on the Dask cluster at {scheduler}" if scheduler else f"with {workers} workers"
    print(f"Autograding {len(submitted)} submissions of {assignment} {where}", file=out)

    started = time.monotonic()
    graded, unchanged = [], []
    progress = Progress(len(submitted), out)
    run_id = secrets.token_hex(4)  # task keys of this run only: another run's keys never match
    with dask_client(scheduler, workers, out) as client:
        futures = {}
        for student in submitted:
            last = None if force else record.last.get(student)
            future = client.submit(grade_submission, str(coursedir.root), config_dir, coursedir.db_url, assignment,
                                   student, last, graded_with, key=f"autograde-{run_id}-{student}", retries=1)
            futures[future] = student
        pending = set(futures.values())
        try:
            for future in as_completed(futures):
                student = futures[future]
                try:
                    student, status, error, fingerprint = future.result()
                except KilledWorker as died:
                    status, error, fingerprint = "failed", killed_workers_reason(died), None
                    # What a grading cut off left (nbgrader removes a failed submission's folder too).
                    shutil.rmtree(coursedir.format_path(coursedir.autograded_directory, student, assignment),
                                  ignore_errors=True)
                except Exception as error_raised:  # noqa: BLE001 (a worker that could not grade at all)
                    status, error, fingerprint = "failed", f"{type(error_raised).__name__}: {error_raised}", None
                # Taken: the scheduler forgets it now. (A result still held by a worker that then
                # died would be computed again, that is the submission graded again, unasked.)
                future.release()
                pending.discard(student)
                if status == "graded":
                    graded.append((student, ""))
                    record.graded(student, fingerprint, graded_with)
                elif status == "unchanged":
                    unchanged.append(student)
                else:
                    failed.append((student, error))
                    record.forget(student)
                progress.count(status)
        except KeyboardInterrupt:
            client.cancel(list(futures))
            failed.extend((s, "not graded: the run was interrupted") for s in sorted(pending))
    print(file=out)
    summarize(coursedir, assignment, graded, failed, time.monotonic() - started, out, unchanged)
    return [s for s, _ in graded], [s for s, _ in failed]


def summarize(coursedir: CourseDirectory, assignment: str, graded: list, failed: list, seconds: float,
              out: TextIO, unchanged: list = ()) -> None:
    """Print how many submissions were graded, which failed and why, and who is flagged."""
    print(f"Autograded {len(graded)} of {len(graded) + len(failed)} submissions in {seconds:.1f} s.", file=out)
    if unchanged:
        print(f"  {len(unchanged)} unchanged since their last grading, not graded again (--force grades them)",
              file=out)
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
    parser.add_argument("--scheduler", help="grade on the Dask cluster at this address (tcp://HOST:PORT; "
                        "PostgreSQL gradebook only)")
    parser.add_argument("--students", help="comma-separated student ids: grade just these")
    parser.add_argument("--force", action="store_true", help="grade unchanged submissions again too")
    args = parser.parse_args(argv)
    students = [s for s in args.students.split(",") if s] if args.students else None
    _, failed = run(args.course, args.assignment, args.workers, scheduler=args.scheduler, students=students,
                    force=args.force)
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
