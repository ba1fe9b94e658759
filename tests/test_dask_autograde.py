"""The runner on a Dask cluster started as separate commands: same results as serial, a killed worker costs nothing.

A scheduler and two ``dask worker`` processes (each with its nanny, one thread)
are started as on two machines, and a PostgreSQL server as the gradebook.
"""

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from test_parallel_autograde import CLASS, differing_files, free_port, postgres_binaries

from grading.tools import parallel_autograde
from grading.tools.scratch_course import REPO, ScratchCourse

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels, sandboxes, a Dask cluster and PostgreSQL

# Eight of the parallel test's class: mistakes, a correct variant, a tamper and two faults.
SMALL = {s: CLASS[s] for s in ("correct-warns", "mistake-l1_bias_in_loss", "mistake-l1_rounded_loss",
                                 "mistake-l2_abs_instead_of_square", "mistake-l2_norm_not_squared", "tamper-patch",
                                 "fault-exit", "fault-syntax")}
# Two students have a cell that takes a few seconds, so a test can kill the worker grading one of them
# while it does.
SLOW = {"mistake-l1_rounded_loss", "fault-exit"}
SLOW_CELL = "import time\ntime.sleep(3)"
DASK = Path(sys.executable).parent / "dask"
SCHEDULER_SETTINGS = {  # what docs/operations.md asks of a cluster's scheduler
    "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
    "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
}


def hand_in(course, students=SMALL, slow=SLOW):
    import nbformat

    for number, (student, source) in enumerate(sorted(students.items())):
        folder = course.submit(student, source, timestamp=f"2022-11-10 0{number % 10}:30:00 UTC",
                               added_cells=[SLOW_CELL] if student in slow else ())
        if student in slow:  # the same cell id in every course (a new cell's id is random)
            notebook = nbformat.read(folder / "assignment2.ipynb", as_version=4)
            [cell] = [c for c in notebook.cells if c.source == SLOW_CELL]
            cell.id = "slow-cell"
            nbformat.write(notebook, folder / "assignment2.ipynb")


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server for this module; yields ``createdb(name) -> URL``, then stops it."""
    binaries = postgres_binaries()
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

    def createdb(name):
        subprocess.run(as_postgres + [binaries / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "grader",
                                      f"gradebook_{name}"], check=True)
        return f"postgresql://grader@127.0.0.1:{port}/gradebook_{name}"

    try:
        yield createdb
    finally:
        subprocess.run(as_postgres + [binaries / "pg_ctl", "-D", data, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """``dask scheduler`` and two ``dask worker --nthreads 1``, as separate commands; yields the address."""
    logs = tmp_path_factory.mktemp("dask-logs")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, **SCHEDULER_SETTINGS}
    processes = []
    try:
        processes.append(subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                           "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                          stderr=open(logs / "scheduler.log", "w")))
        for number in (1, 2):
            processes.append(subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--no-dashboard",
                                               "--name", f"worker{number}"], env=env, stdout=subprocess.DEVNULL,
                                              stderr=open(logs / f"worker{number}.log", "w")))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):  # ours, by PID: workers (and their nannies' children), then scheduler
            process.send_signal(signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def course_with(tmp_path_factory, name, db_url, **hand_in_args):
    root = tmp_path_factory.mktemp(name)
    (root / "nbgrader_config.py").write_text(f'c = get_config()\nc.CourseDirectory.db_url = "{db_url}"\n')
    course = ScratchCourse.create(root)
    hand_in(course, **hand_in_args)
    return course


@pytest.fixture(scope="module")
def serial(tmp_path_factory, postgres):
    """The small class autograded by a serial ``nbgrader autograde --force`` (the reference)."""
    url = postgres("serial")
    course = course_with(tmp_path_factory, "serial", url)
    course.autograde()
    return course, url


def assert_same_as_serial(serial, course, url, students=SMALL):
    serial_course, serial_url = serial
    snapshots = [parallel_autograde.gradebook_snapshot(u, "assignment2") for u in (serial_url, url)]
    assert set(snapshots[1]) == set(students)
    assert snapshots[1] == {s: snapshots[0][s] for s in students}
    assert differing_files(serial_course.root / "autograded", course.root / "autograded") == []


def submissions_per_student(url):
    from nbgrader.api import Gradebook

    with Gradebook(url) as gradebook:
        ids = [s.student_id for s in gradebook.assignment_submissions("assignment2")]
    return {s: ids.count(s) for s in ids}


def test_a_cluster_of_two_workers_grades_a_class_as_serial_autograde_does(tmp_path_factory, postgres, cluster, serial):
    url = postgres("cluster")
    course = course_with(tmp_path_factory, "cluster", url)
    out = io.StringIO()
    graded, failed = parallel_autograde.run(course.root, "assignment2", config_dir=REPO, scheduler=cluster, out=out)
    assert sorted(graded) == sorted(SMALL) and failed == [], out.getvalue()
    assert_same_as_serial(serial, course, url)
    logs = sorted(p.name for p in (course.root / "autograde-logs").glob("worker-*.log"))
    assert len(logs) == 2 and all(name.startswith(f"worker-{os.uname().nodename}-") for name in logs), logs


def kill_workers_grading(address, student, times, killed, stop):
    """Kill (SIGKILL) the worker process grading ``student``, ``times`` times (each a different process).

    Which worker grades what, and its PID, are asked of the workers through a client of the cluster.
    """
    from distributed import Client

    def executing(dask_worker):
        return os.getpid(), [str(ts.key) for ts in dask_worker.state.executing]

    with Client(address, timeout="30s") as client:
        while len(killed) < times and not stop.is_set():
            try:
                answers = client.run(executing, on_error="ignore")  # a worker just killed does not answer
            except Exception:  # noqa: BLE001 (the cluster is changing: ask again)
                answers = {}
            for pid, keys in answers.values():
                if pid not in killed and any(key.endswith(f"-{student}") for key in keys):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.05)


def nothing_executing(address):
    from distributed import Client

    with Client(address, timeout="30s") as client:
        return not any(client.run(lambda dask_worker: [str(ts.key) for ts in dask_worker.state.executing]).values())


def run_while_killing(course, address, student, times):
    killed, stop = [], threading.Event()
    killer = threading.Thread(target=kill_workers_grading, args=(address, student, times, killed, stop))
    killer.start()
    out = io.StringIO()
    try:
        graded, failed = parallel_autograde.run(course.root, "assignment2", config_dir=REPO, scheduler=address,
                                                out=out)
    finally:
        stop.set()
        killer.join(60)
    return graded, failed, killed, out.getvalue()


def test_a_worker_killed_mid_submission_costs_nothing_every_submission_graded_once(tmp_path_factory, postgres,
                                                                                  cluster, serial):
    url = postgres("killed")
    course = course_with(tmp_path_factory, "killed", url)
    graded, failed, killed, out = run_while_killing(course, cluster, "mistake-l1_rounded_loss", times=1)
    assert len(killed) == 1, out
    assert sorted(graded) == sorted(SMALL) and failed == [], out  # each once, the killed one graded again
    assert submissions_per_student(url) == {s: 1 for s in SMALL}
    assert nothing_executing(cluster), "a submission is still being graded after the run ended"
    assert_same_as_serial(serial, course, url)  # the killed one's grades and files too, whole
    assert "Autograded 8 of 8 submissions" in out


def test_a_submission_during_which_two_workers_die_is_failed_with_the_reason_and_the_rest_is_graded(
        tmp_path_factory, postgres, cluster):
    url = postgres("poison")
    course = course_with(tmp_path_factory, "poison", url)
    graded, failed, killed, out = run_while_killing(course, cluster, "fault-exit", times=2)
    assert len(killed) == 2, out
    assert failed == ["fault-exit"], out
    assert sorted(graded) == sorted(s for s in SMALL if s != "fault-exit"), out
    assert "FAILED fault-exit: the worker process grading it died 2 times" in out
    assert not (course.root / "autograded" / "fault-exit" / "assignment2").exists()  # nothing half-written


def test_a_rerun_grades_only_the_students_whose_submission_changed(tmp_path_factory, postgres, cluster, serial):
    url = postgres("incremental")
    course = course_with(tmp_path_factory, "incremental", url)
    first, failed = parallel_autograde.run(course.root, "assignment2", config_dir=REPO, scheduler=cluster,
                                           out=io.StringIO())
    assert sorted(first) == sorted(SMALL) and failed == []
    untouched = course.root / "autograded" / "correct-warns" / "assignment2" / "assignment2.ipynb"
    before = untouched.stat().st_mtime_ns

    # One student hands in a new module (the correct one): only that student is graded again.
    changed = "mistake-l1_bias_in_loss"
    course.submit(changed, CLASS["correct-warns"], timestamp="2022-11-10 09:45:00 UTC")
    out = io.StringIO()
    graded, failed = parallel_autograde.run(course.root, "assignment2", config_dir=REPO, scheduler=cluster, out=out)
    assert (graded, failed) == ([changed], []), out.getvalue()
    assert "7 unchanged since their last grading" in out.getvalue()
    assert untouched.stat().st_mtime_ns == before
    scores = parallel_autograde.gradebook_snapshot(url, "assignment2")
    serial_scores = parallel_autograde.gradebook_snapshot(serial[1], "assignment2")
    assert scores[changed]["grades"] == serial_scores["correct-warns"]["grades"]

    # --students grades just those; --force grades them even though unchanged.
    graded, failed = parallel_autograde.run(course.root, "assignment2", config_dir=REPO, scheduler=cluster,
                                            out=io.StringIO(), students=["tamper-patch", "fault-syntax"])
    assert (graded, failed) == ([], [])
    graded, failed = parallel_autograde.run(course.root, "assignment2", config_dir=REPO, scheduler=cluster,
                                            out=io.StringIO(), students=["tamper-patch", "nobody"], force=True)
    assert graded == ["tamper-patch"] and failed == ["nobody"]


def test_a_cluster_run_refuses_an_sqlite_gradebook(tmp_path):
    with pytest.raises(SystemExit, match="SQLite over a network file system corrupts"):
        parallel_autograde.run(tmp_path, "assignment2", config_dir=REPO, scheduler="tcp://127.0.0.1:1")
