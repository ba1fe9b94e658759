"""Time ``nbgrader autograde`` on the whole submission catalogue.

Usage: ``.venv/bin/python benchmarks/autograde_catalogue.py``. Builds a
scratch course in a temporary folder, hands in every entry of
``tests/catalogue/`` and reports the wall time of one autograde run, in all
and per submission.
"""

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grading.tools.catalogue import load_entries  # noqa: E402
from grading.tools.scratch_course import ScratchCourse  # noqa: E402


def main():
    entries = load_entries()
    with tempfile.TemporaryDirectory() as folder:
        course = ScratchCourse.create(Path(folder) / "course")
        for entry in entries:
            course.submit(entry.student_id, entry.source)
        started = time.perf_counter()
        course.autograde()
        elapsed = time.perf_counter() - started
    print(f"autograde of {len(entries)} submissions: {elapsed:.1f} s, "
          f"{elapsed / len(entries):.2f} s per submission")


if __name__ == "__main__":
    main()
