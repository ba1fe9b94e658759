"""Wall time of ``nbgrader autograde`` with the bubblewrap sandbox on and off.

Usage: ``.venv/bin/python benchmarks/sandbox_overhead.py [ROUNDS]``. One
scratch course holds 20 submissions (every other entry of the test catalogue:
mistakes and correct variants). It is autograded with the project's
configuration (sandbox on) and with ``--Sandbox.enabled=False`` (the same
grading, kernels and re-grade child unsandboxed), alternating, ROUNDS times
each (default 3) in one run; the best time of each gives the ratio, and the
gradebook scores of the two runs are compared.
"""

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grading.tools.catalogue import load_entries  # noqa: E402
from grading.tools.scratch_course import ScratchCourse  # noqa: E402

SETTINGS = {"on": (), "off": ("--Sandbox.enabled=False",)}


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    entries = load_entries()[::2][:20]
    with tempfile.TemporaryDirectory() as folder:
        course = ScratchCourse.create(Path(folder) / "course")
        for entry in entries:
            course.submit(entry.student_id, entry.source)
        times, scores = {"on": [], "off": []}, {}
        for _ in range(rounds):
            for name in ("off", "on"):
                started = time.perf_counter()
                course.autograde(*SETTINGS[name])
                times[name].append(time.perf_counter() - started)
                scores[name] = course.scores()
    for name in ("off", "on"):
        print(f"sandbox {name:3s}: " + ", ".join(f"{t:.1f} s" for t in times[name]))
    ratio = min(times["on"]) / min(times["off"])
    print(f"{len(entries)} submissions; best on / best off = {ratio:.2f}x; "
          f"same scores: {scores['on'] == scores['off']}")


if __name__ == "__main__":
    main()
