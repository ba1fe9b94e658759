"""The runner on Dask against the ``multiprocessing.Pool`` runner it replaced, on the same 40 submissions.

Usage: ``.venv/bin/python benchmarks/dask_runner.py [ROUNDS]`` (default 2). The
Pool runner is git's version of ``grading/tools/parallel_autograde.py`` before
the move to Dask (commit ``POOL_COMMIT``), loaded from ``git show``. In one run,
on one scratch course of 40 submissions (catalogue entries repeated under
other ids, as ``benchmarks/parallel_autograde.py``), it times, ROUNDS times in
turn: the Pool with 2 workers, Dask with 2 workers (a local cluster, started
and shut down within the timing) and Dask with 1 worker. Every run grades all
40 (``force``). It prints each time, Dask's time over the Pool's (the goal:
at most 1.05) and the throughput in submissions per minute with 1 and 2
workers, and checks that both runners leave identical gradebooks.
"""

import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from parallel_autograde import class_of_40  # noqa: E402

from grading.tools import parallel_autograde  # noqa: E402
from grading.tools.scratch_course import ScratchCourse  # noqa: E402

POOL_COMMIT = "1bca027"


def pool_runner(folder: Path):
    """The Pool runner of ``POOL_COMMIT``, importable by its spawned workers (as ``pool_runner``)."""
    source = subprocess.run(["git", "-C", str(REPO), "show", f"{POOL_COMMIT}:grading/tools/parallel_autograde.py"],
                            check=True, capture_output=True, text=True).stdout
    (folder / "pool_runner.py").write_text(source)
    sys.path.insert(0, str(folder))  # spawned workers get this sys.path too
    return importlib.import_module("pool_runner")


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    with tempfile.TemporaryDirectory() as folder:
        pool = pool_runner(Path(folder))
        course = ScratchCourse.create(Path(folder) / "course")
        for student, source in class_of_40().items():
            course.submit(student, source)
        runs = {"pool, 2 workers": lambda: pool.run(course.root, "assignment2", 2, out=quiet, config_dir=REPO),
                "dask, 2 workers": lambda: parallel_autograde.run(course.root, "assignment2", 2, out=quiet,
                                                                  config_dir=REPO, force=True),
                "dask, 1 worker": lambda: parallel_autograde.run(course.root, "assignment2", 1, out=quiet,
                                                                 config_dir=REPO, force=True)}
        times = {name: [] for name in runs}
        snapshots = {}
        with open(os.devnull, "w") as quiet:
            for _ in range(rounds):
                for name, grade in runs.items():
                    started = time.perf_counter()
                    graded, failed = grade()
                    times[name].append(time.perf_counter() - started)
                    assert len(graded) == 40 and not failed, (name, failed)
                    snapshot = parallel_autograde.gradebook_snapshot(f"sqlite:///{course.db_path}", "assignment2")
                    for entry in snapshot.values():
                        entry.pop("timestamp")
                    snapshots[name.split(",")[0]] = snapshot
    for name, seconds in times.items():
        print(f"{name:16s} " + "  ".join(f"{s:6.1f} s" for s in seconds)
              + f"   best {min(seconds):6.1f} s, {40 / min(seconds) * 60:5.1f} submissions/min")
    ratios = [d / p for d, p in zip(times["dask, 2 workers"], times["pool, 2 workers"])]
    print("dask / pool, 2 workers, per round: " + "  ".join(f"{r:.3f}" for r in ratios)
          + f"; best against best: {min(times['dask, 2 workers']) / min(times['pool, 2 workers']):.3f}")
    print(f"2 workers / 1 worker throughput: {min(times['dask, 1 worker']) / min(times['dask, 2 workers']):.2f}x")
    same = snapshots["pool"] == snapshots["dask"]
    print(f"gradebooks identical: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
