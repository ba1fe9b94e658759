"""Where one submission's autograde time goes: stock nbgrader, the plain sandboxed path, the fast path.

Usage: ``.venv/bin/python benchmarks/autograde_breakdown.py [SUBMISSIONS] [WORKERS]``
(defaults: 40 submissions, catalogue entries repeated under other student
ids; WORKERS: the number of cores). Four scratch courses hold the same
submissions and are autograded one after another in this one run:

1. ``stock``: ``nbgrader autograde`` with nbgrader's own preprocessors (hidden
   tests run in the kernel, no sandbox, no re-grade; the course keeps only
   ``exclude_overwriting`` and ``IgnorePattern``, without which the students'
   modules would not be graded);
2. ``plain``: the project's configuration with ``--Sandbox.start_ahead=False``
   (every kernel and re-grade child started when it is needed);
3. ``serial``: the project's configuration (sandboxes started ahead);
4. ``parallel``: ``grading.tools.parallel_autograde`` with WORKERS workers.

For 1-3 nbgrader runs under timers (``--inner``) that add up, per
submission: kernel start (the sandbox and the process, until its sockets
listen), kernel ready (the grader's channels and the first reply), cells,
kernel shutdown, the re-grade (what ``IsolatedRegrade`` takes after the
kernel) and its sandboxed child (started by ``StartIsolatedRegrade``, it runs
while the kernel does), and nbgrader's own work (conversion, copies,
gradebook writes: the rest of ``convert_notebooks``). The sandbox's own start, bwrap around
``/bin/true`` and around ``python -c pass``, is measured beside. It prints
the ratios to stock and checks that the three gradebooks of the project's
configuration are identical.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

# Stock nbgrader: its own autograde preprocessors, no hook, its default limits.
STOCK = '''
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
c = get_config()
c.Autograde.autograde_preprocessors = list(Autograde.class_traits()["autograde_preprocessors"].default())
c.Autograde.pre_convert_hook = None
c.CourseDirectory.ignore = list(CourseDirectory.class_traits()["ignore"].default())
c.Execute.timeout = 30
'''

PHASES = ("kernel start", "kernel ready", "cells", "kernel shutdown", "re-grade", "re-grade child")


def _timed(owner, name, phase, totals):
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[phase] += time.perf_counter() - started
    setattr(owner, name, wrapper)


def inner(output, args):
    """Run ``nbgrader *args`` in this process under timers; write the totals to ``output``."""
    started = time.perf_counter()
    totals = defaultdict(float)
    from nbclient import NotebookClient
    from nbgrader.apps.nbgraderapp import main as nbgrader_main
    from nbgrader.converters.base import BaseConverter

    import grading.sandbox.regrade
    from grading.preprocessors.isolated_regrade import IsolatedRegrade

    # nbclient's synchronous names (what Execute calls), each a run_sync of its async twin.
    _timed(NotebookClient, "start_new_kernel", "kernel start", totals)
    _timed(NotebookClient, "start_new_kernel_client", "kernel ready", totals)
    _timed(NotebookClient, "execute_cell", "cells", totals)
    _timed(NotebookClient, "_cleanup_kernel", "kernel shutdown", totals)
    _timed(IsolatedRegrade, "preprocess", "re-grade", totals)
    _timed(grading.sandbox.regrade, "_run_child", "re-grade child", totals)
    _timed(BaseConverter, "convert_notebooks", "convert_notebooks", totals)
    sys.argv = ["nbgrader", *args]
    try:
        nbgrader_main()
    except SystemExit as exit:
        if exit.code:
            raise
    totals["total"] = time.perf_counter() - started
    Path(output).write_text(json.dumps(totals))


def timed_autograde(course, *args):
    """Autograde ``course`` under timers; return the totals."""
    from grading.tools.scratch_course import nbgrader_env

    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        done = subprocess.run([sys.executable, __file__, "--inner", output.name, "autograde", "assignment2",
                               "--force", f"--CourseDirectory.root={course.root}", *args],
                              cwd=REPO, env=nbgrader_env(), capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"autograde failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return json.loads(Path(output.name).read_text())


def sandbox_start(rounds=10):
    """Best wall time of ``/bin/true`` and ``python -c pass``, plain and in the sandbox."""
    from grading.sandbox.bubblewrap import Sandbox

    sandbox = Sandbox()
    result = {}
    for label, argv in (("/bin/true", ["/bin/true"]), ("python -c pass", [sys.executable, "-I", "-c", "pass"])):
        for where in ("plain", "sandboxed"):
            best = float("inf")
            for _ in range(rounds):
                launch = sandbox.launch(argv) if where == "sandboxed" else None
                started = time.perf_counter()
                subprocess.run(launch.command if launch else argv, check=True,
                               pass_fds=launch.pass_fds if launch else ())
                best = min(best, time.perf_counter() - started)
                if launch:
                    launch.close()
            result[(label, where)] = best
    return result


def class_of(count):
    from grading.tools.catalogue import load_entries

    entries = load_entries()
    return {f"s{i:02d}-{entries[i % len(entries)].name}": entries[i % len(entries)].source for i in range(count)}


def main():
    if sys.argv[1:2] == ["--inner"]:
        return inner(sys.argv[2], sys.argv[3:])
    from grading.sandbox import PLAIN_PATH
    from grading.tools import parallel_autograde
    from grading.tools.scratch_course import ScratchCourse

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count()
    submissions = class_of(count)
    with tempfile.TemporaryDirectory() as folder:
        courses = {}
        for name in ("stock", "plain", "serial", "parallel"):
            root = Path(folder) / name
            root.mkdir()
            if name == "stock":
                (root / "nbgrader_config.py").write_text(STOCK)
            course = ScratchCourse.create(root)
            for student, source in submissions.items():
                course.submit(student, source)
            courses[name] = course
        totals, walls = {}, {}
        for name, args in (("stock", ()), ("plain", PLAIN_PATH), ("serial", ())):
            started = time.perf_counter()
            totals[name] = timed_autograde(courses[name], *args)
            walls[name] = time.perf_counter() - started
        started = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            _, failed = parallel_autograde.run(courses["parallel"].root, "assignment2", workers, out=quiet,
                                               config_dir=REPO)
        walls["parallel"] = time.perf_counter() - started
        assert not failed, failed
        snapshots = [parallel_autograde.gradebook_snapshot(f"sqlite:///{courses[n].db_path}", "assignment2")
                     for n in ("plain", "serial", "parallel")]
        same = snapshots[0] == snapshots[1] == snapshots[2]
    starts = sandbox_start()

    print(f"{count} submissions; seconds per submission (wall), one run\n")
    print(f"{'':34s}" + "".join(f"{n:>10s}" for n in totals))
    for phase in PHASES:
        print(f"{phase:34s}" + "".join(f"{totals[n].get(phase, 0) / count:10.3f}" for n in totals))
    for name in totals:
        t = totals[name]
        t["nbgrader's own work"] = t["convert_notebooks"] - sum(t.get(p, 0) for p in PHASES if p != "re-grade child")
        t["nbgrader start-up (once)"] = t["total"] - t["convert_notebooks"]
    for phase in ("nbgrader's own work",):
        print(f"{phase:34s}" + "".join(f"{totals[n][phase] / count:10.3f}" for n in totals))
    print(f"{'nbgrader start-up, once (s)':34s}" + "".join(f"{totals[n]['nbgrader start-up (once)']:10.2f}"
                                                          for n in totals))
    print(f"{'wall, whole run (s)':34s}" + "".join(f"{walls[n]:10.1f}" for n in totals))
    print(f"\nparallel runner, {workers} workers: {walls['parallel']:.1f} s, {walls['parallel'] / count:.3f} s "
          f"per submission")
    print("\nsandbox start (best of 10): " + ", ".join(f"{label} {where} {seconds * 1000:.0f} ms"
                                                     for (label, where), seconds in starts.items()))
    stock = walls["stock"]
    print(f"\nratios to stock serial ({stock:.1f} s): plain {walls['plain'] / stock:.2f}x, "
          f"serial {walls['serial'] / stock:.2f}x (target <= 0.6), "
          f"parallel {walls['parallel'] / stock:.2f}x (target <= 0.28)")
    print(f"gradebooks of plain, serial and parallel identical: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
