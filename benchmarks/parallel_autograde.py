"""Serial ``nbgrader autograde`` against the parallel runner, on the same 40 submissions.

Usage: ``.venv/bin/python benchmarks/parallel_autograde.py [WORKERS]`` (default:
the number of cores). Three scratch courses hold the same 40 submissions
(catalogue entries, repeated under other student ids to reach 40):

1. serial: ``nbgrader autograde assignment2`` with the project's configuration;
2. parallel: ``grading.tools.parallel_autograde`` with WORKERS workers;
3. serial without the integrity check (``IsolatedRegrade`` dropped), for its share.

It prints the wall times, the speed-up (1 / 2) and the integrity check's share
of the serial time, measured twice: as (1 - 3) / 1, which the machine's noise
can swamp, and directly, as the time ``isolated_scores`` (the work of
``IsolatedRegrade``) takes on the 40 modules divided by 1. It checks that the
gradebooks of 1 and 2 are identical.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from integrity_overhead import WITHOUT_INTEGRITY  # noqa: E402

from grading.preprocessors.isolated_regrade import isolated_scores  # noqa: E402
from grading.sandbox.bubblewrap import Sandbox  # noqa: E402
from grading.sandbox.regrade import Limits  # noqa: E402
from grading.tools import parallel_autograde  # noqa: E402
from grading.tools.catalogue import load_entries  # noqa: E402
from grading.tools.scratch_course import ScratchCourse  # noqa: E402


def class_of_40():
    entries = load_entries()
    return {f"s{i:02d}-{entries[i % len(entries)].name}": entries[i % len(entries)].source for i in range(40)}


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count()
    submissions = class_of_40()
    with tempfile.TemporaryDirectory() as folder:
        courses = {}
        for name in ("serial", "parallel", "serial-without-integrity"):
            course = ScratchCourse.create(Path(folder) / name)
            if name == "serial-without-integrity":
                (course.root / "nbgrader_config.py").write_text(WITHOUT_INTEGRITY)
            for student, source in submissions.items():
                course.submit(student, source)
            courses[name] = course
        times = {}
        for name, course in courses.items():
            started = time.perf_counter()
            if name == "parallel":
                with open(os.devnull, "w") as quiet:
                    graded, failed = parallel_autograde.run(course.root, "assignment2", workers,
                                                            out=quiet, config_dir=REPO)
                assert not failed, failed
            else:
                course.autograde()
            times[name] = time.perf_counter() - started
        started = time.perf_counter()
        for student in submissions:
            module = courses["serial"].root / "autograded" / student / "assignment2" / "regularization.py"
            isolated_scores(module.read_bytes(), module.read_text(), Limits(), Sandbox())
        isolation = time.perf_counter() - started
        same = (parallel_autograde.gradebook_snapshot(f"sqlite:///{courses['serial'].db_path}", "assignment2")
                == parallel_autograde.gradebook_snapshot(f"sqlite:///{courses['parallel'].db_path}", "assignment2"))
    for name, seconds in times.items():
        print(f"{name:25s} {seconds:6.1f} s")
    print(f"speed-up with {workers} workers: {times['serial'] / times['parallel']:.2f}x")
    share = (times["serial"] - times["serial-without-integrity"]) / times["serial"]
    print(f"integrity check's share of the serial time, by difference: {share:.0%}")
    print(f"integrity check's share of the serial time, measured directly: "
          f"{isolation:.1f} s of {times['serial']:.1f} s = {isolation / times['serial']:.0%}")
    print(f"gradebooks identical: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
