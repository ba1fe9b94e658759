"""Wall time of ``nbgrader autograde`` with the integrity check on and off.

Usage: ``.venv/bin/python benchmarks/integrity_overhead.py [ROUNDS]``. Two
scratch courses hold the same 20 submissions (every other entry of the test
catalogue: mistakes and correct variants). One uses the project's
configuration; the other adds a course-level ``nbgrader_config.py`` that
loads the project's and drops ``IsolatedRegrade`` from the autograde
preprocessors, keeping everything else. The two are autograded in alternation (ROUNDS times each,
default 2) in one run, and the best time of each gives the ratio.
"""

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grading.tools.catalogue import load_entries  # noqa: E402
from grading.tools.scratch_course import ScratchCourse  # noqa: E402

# A course-level config that loads the project's and drops only IsolatedRegrade.
WITHOUT_INTEGRITY = f'''
c = get_config()
load_subconfig("nbgrader_config.py", path={str(REPO)!r})
c.Autograde.autograde_preprocessors = [
    p for p in c.Autograde.autograde_preprocessors if "IsolatedRegrade" not in str(p)
]
'''


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    entries = load_entries()[::2][:20]
    with tempfile.TemporaryDirectory() as folder:
        courses = {}
        for name in ("on", "off"):
            course = ScratchCourse.create(Path(folder) / name)
            if name == "off":
                (course.root / "nbgrader_config.py").write_text(WITHOUT_INTEGRITY)
            for entry in entries:
                course.submit(entry.student_id, entry.source)
            courses[name] = course
        times = {"on": [], "off": []}
        for _ in range(rounds):
            for name in ("off", "on"):
                started = time.perf_counter()
                courses[name].autograde()
                times[name].append(time.perf_counter() - started)
        reports = list((courses["off"].root / "autograded").rglob("integrity.json"))
        assert not reports, "the 'off' course still ran the integrity check"
    for name in ("off", "on"):
        print(f"integrity {name:3s}: " + ", ".join(f"{t:.1f} s" for t in times[name]))
    ratio = min(times["on"]) / min(times["off"])
    print(f"{len(entries)} submissions; best on / best off = {ratio:.2f}x")


if __name__ == "__main__":
    main()
