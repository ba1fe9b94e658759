"""Parallel autograde gives exactly what serial ``nbgrader autograde`` gives, on SQLite and PostgreSQL."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from grading.sandbox import PLAIN_PATH
from grading.tools import parallel_autograde
from grading.tools.catalogue import load_entries
from grading.tools.scratch_course import REPO, ScratchCourse

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes

HERE = Path(__file__).resolve().parent
ENTRIES = load_entries()
# Mistakes, correct variants, a tamper and two faults: every kind of result.
CLASS = {e.student_id: e.source for e in ENTRIES[::6]}
CLASS["tamper-patch"] = (HERE / "tamper" / "patch_allclose_and_builtins" / "regularization.py").read_text()
CLASS["fault-exit"] = (HERE / "faults" / "exits_the_process_in_l2.py").read_text()
CLASS["fault-syntax"] = (HERE / "faults" / "syntax_error.py").read_text()


def hand_in(course):
    for number, (student, source) in enumerate(sorted(CLASS.items())):
        course.submit(student, source, timestamp=f"2022-11-10 0{number % 10}:30:00 UTC")


def normalized(path, root):
    """A file's text with what differs between any two autograde runs taken out.

    Three things differ between two runs even when both are serial: the course
    folder's path (tracebacks quote it), how the kernel happened to split a
    cell's printed text into stream messages (merged here), and whether a cell
    got its execution count before the kernel died in it (dropped for such cells).
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        notebook = json.loads(text)
        for cell in notebook["cells"]:
            outputs = []
            for output in cell.get("outputs", []):
                if output["output_type"] == "stream":
                    output["text"] = "".join(output["text"])
                previous = outputs[-1] if outputs else None
                if (output["output_type"] == "stream" and previous and previous["output_type"] == "stream"
                        and previous["name"] == output["name"]):
                    previous["text"] += output["text"]
                else:
                    outputs.append(output)
            if "outputs" in cell:
                cell["outputs"] = outputs
            if any(o.get("ename") == "KernelDied" for o in outputs):
                cell["execution_count"] = None
        text = json.dumps(notebook, sort_keys=True)
    return text.replace(str(root), "<course>")


def differing_files(left, right):
    """Relative paths of the files that differ (after ``normalized``) or exist on one side only."""
    files = {side: {p.relative_to(side): p for p in side.rglob("*") if p.is_file()} for side in (left, right)}
    differ = sorted(str(p) for p in set(files[left]) ^ set(files[right]))
    for relpath in sorted(set(files[left]) & set(files[right])):
        if normalized(files[left][relpath], left.parent) != normalized(files[right][relpath], right.parent):
            differ.append(str(relpath))
    return differ


def graded_pair(tmp_path_factory, config_text="", workers=2, serial_args=()):
    """The same class autograded serially (nbgrader, with ``serial_args``) and in parallel (the runner)."""
    courses = {}
    for mode in ("serial", "parallel"):
        root = tmp_path_factory.mktemp(mode)
        if config_text:
            (root / "nbgrader_config.py").write_text(config_text.format(mode=mode))
        course = ScratchCourse.create(root)
        hand_in(course)
        courses[mode] = course
    courses["serial"].autograde(*serial_args)
    graded, failed = parallel_autograde.run(courses["parallel"].root, "assignment2", workers,
                                            config_dir=REPO)
    return courses, graded, failed


def assert_identical(courses, db_urls):
    snapshots = [parallel_autograde.gradebook_snapshot(url, "assignment2") for url in db_urls]
    assert set(snapshots[0]) == set(CLASS)
    assert snapshots[0] == snapshots[1]
    assert differing_files(courses["serial"].root / "autograded", courses["parallel"].root / "autograded") == []


@pytest.fixture(scope="module")
def sqlite_pair(tmp_path_factory):
    # Four workers on two cores: more concurrent writers than cores. The
    # serial run takes the plain path (every kernel and re-grade child started
    # when needed), the parallel one the fast path (started ahead): the same
    # results both ways. (The PostgreSQL pair below runs both on the fast path.)
    return graded_pair(tmp_path_factory, workers=4, serial_args=PLAIN_PATH)


def test_parallel_sqlite_autograde_is_identical_to_serial(sqlite_pair):
    courses, graded, failed = sqlite_pair
    assert sorted(graded) == sorted(CLASS) and failed == []
    assert_identical(courses, [f"sqlite:///{courses[m].db_path}" for m in ("serial", "parallel")])


def test_sqlite_under_parallel_writers_never_reports_a_locked_database(sqlite_pair):
    courses, _, _ = sqlite_pair
    logs = "".join(p.read_text() for p in (courses["parallel"].root / "autograde-logs").glob("*.log"))
    assert "database is locked" not in logs
    assert list((courses["parallel"].root / "backups").glob("gradebook-*.db"))


def test_integrity_reports_of_the_parallel_run_flag_the_same_students(sqlite_pair):
    courses, _, _ = sqlite_pair
    flagged = {
        mode: sorted(p.parent.parent.name for p in (courses[mode].root / "autograded").rglob("integrity.json")
                     if '"flagged": true' in p.read_text())
        for mode in ("serial", "parallel")
    }
    assert flagged["serial"] == flagged["parallel"]
    assert "tamper-patch" in flagged["parallel"]


def postgres_binaries():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed here, so the PostgreSQL gradebook is untested: "
                    "install Debian's 'postgresql' package (.ci/run does).")
    return found[-1].parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server on a local port for this module; yields its URL prefix, then stops it."""
    binaries = postgres_binaries()
    # PostgreSQL refuses to run as root: as root, the server runs as the
    # 'postgres' user in a folder of its own (pytest's folders are root-only).
    data = Path(tempfile.mkdtemp(prefix="gradebook-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(data, "postgres")
    port = free_port()
    subprocess.run(as_postgres + [binaries / "initdb", "-D", data, "-U", "grader", "--auth=trust"],
                   check=True, capture_output=True)
    subprocess.run(as_postgres + [binaries / "pg_ctl", "-D", data, "-w", "-l", data / "server.log", "-o",
                                  f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        for database in ("serial", "parallel"):
            subprocess.run(as_postgres + [binaries / "createdb", "-h", "127.0.0.1", "-p", str(port),
                                          "-U", "grader", f"gradebook_{database}"], check=True)
        yield f"postgresql://grader@127.0.0.1:{port}/gradebook_"
    finally:
        subprocess.run(as_postgres + [binaries / "pg_ctl", "-D", data, "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def test_parallel_postgresql_autograde_is_identical_to_serial(tmp_path_factory, postgres):
    config = 'c = get_config()\nc.CourseDirectory.db_url = "' + postgres + '{mode}"\n'
    courses, graded, failed = graded_pair(tmp_path_factory, config_text=config)
    assert sorted(graded) == sorted(CLASS) and failed == []
    assert not (courses["parallel"].root / "gradebook.db").exists(), "the run must use PostgreSQL"
    assert_identical(courses, [postgres + "serial", postgres + "parallel"])
