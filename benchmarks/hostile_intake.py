"""What each hostile submission costs the grader's own process, beside an honest one.

Usage: ``.venv/bin/python benchmarks/hostile_intake.py``

One scratch course holds an honest student and one student per hostile input of
``tests/support/hostile.py`` (schema_version 4, the nbformat-3 heading bomb, a FIFO
as the notebook, an oversized notebook, an oversized cell, too many cells) and per input the
intake admits but the grader's process must still bound (``ADMITTED_HOSTILE``: a module of
one huge string constant, a cell of IPython magics, a UTF-7 module, cells that sleep just
below the per-cell limit, cut by the course's 120 s notebook limit), plus
three valid notebooks at the caps: ``jsonbomb``, just under the byte cap, made of the
most JSON values a byte can buy (empty lists in a cell's metadata; refused for its
values), and ``maxvalues`` and ``maxbytes``, the most values and the most bytes the
intake admits (nbgrader then grades them). For each student it measures, in one run:

1. the intake alone (``Intake.admit`` on a second copy of the submission, in a
   fresh process): wall time and the process's peak resident memory (imports
   included);
2. ``nbgrader autograde --student=<id> --force`` of that student alone, under a
   4 GiB address-space cap: wall time and peak resident memory of the nbgrader
   process (``/usr/bin/time``'s maximum resident set size; kernels and re-grade
   children run in the sandbox under their own caps and are not counted).

It prints both, and each hostile student's cost beside the honest one's (the
target: at most a minute and about 1 GB each).
"""

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from grading.intake.notebook import NotebookCaps  # noqa: E402
from grading.tools.scratch_course import NOTEBOOK, ScratchCourse, nbgrader_env  # noqa: E402
from support.hostile import ADMITTED_HOSTILE, HOSTILE, correct_module  # noqa: E402

MEMORY_CAP = 4 * 1024**3
CAPS = NotebookCaps()


def _pad(course, student, padding):
    folder = course.submit(student, correct_module("masks"))
    path = folder / NOTEBOOK
    data = json.loads(path.read_text(encoding="utf-8"))
    padding(data)
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    return folder


def json_bomb(course, student):
    """A valid notebook just under the byte cap of ~2.8 million empty lists (a cell's metadata): refused."""
    room = CAPS.notebook_bytes - 64 * 1024
    return _pad(course, student, lambda data: data["cells"][0]["metadata"].update(padding=[[]] * (room // 3)))


def max_values(course, student):
    """As many JSON values as the intake admits (empty lists in a cell's metadata)."""
    return _pad(course, student,
                lambda data: data["cells"][0]["metadata"].update(padding=[[]] * (CAPS.json_values - 5000)))


def max_bytes(course, student):
    """As many bytes as the intake admits (one stream output)."""
    def pad(data):
        cell = next(c for c in data["cells"] if c["cell_type"] == "code")
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ""}]
        cell["outputs"][0]["text"] = "x" * (CAPS.notebook_bytes - len(json.dumps(data)) - 1024)
    return _pad(course, student, pad)


def intake_alone(folder: Path, release: Path) -> tuple[float, float]:
    """(seconds, peak MB) of ``Intake.admit`` on ``folder`` in a fresh process."""
    script = ("import resource, sys, time\n"
              "from grading.intake import Intake\n"
              "start = time.perf_counter()\n"
              f"Intake().admit({str(folder)!r}, {str(release)!r})\n"
              "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak)


def autograde_one(course: ScratchCourse, student: str) -> tuple[float, float, int]:
    """(seconds, peak MB of the nbgrader process, exit code) of autograding ``student`` alone."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    command = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "nbgrader", "autograde", "assignment2",
               "--force", f"--student={student}", f"--CourseDirectory.root={course.root}"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=nbgrader_env(), capture_output=True, text=True, preexec_fn=cap)
    seconds = time.perf_counter() - start
    peak = float(done.stderr.strip().splitlines()[-1]) / 1024
    return seconds, peak, done.returncode


def main():
    students = {"honest": lambda course, student: course.submit(student, correct_module("masks"))}
    students.update({student: make for student, (make, _) in {**HOSTILE, **ADMITTED_HOSTILE}.items()})
    students.update(jsonbomb=json_bomb, maxvalues=max_values, maxbytes=max_bytes)
    with tempfile.TemporaryDirectory() as root:
        course = ScratchCourse.create(Path(root) / "course")
        rows = []
        for student, make in students.items():
            make(course, student)
            alone = intake_alone(make(course, "alone-" + student), course.release_dir)  # a second copy
            graded = autograde_one(course, student)
            rows.append((student, *alone, *graded))
    honest = rows[0]
    print(f"{'student':10} {'intake s':>9} {'intake MB':>10} {'autograde s':>12} {'nbgrader MB':>12} "
          f"{'exit':>5} {'s - honest':>11} {'MB - honest':>12}")
    for student, intake_s, intake_mb, seconds, peak, code in rows:
        print(f"{student:10} {intake_s:9.2f} {intake_mb:10.0f} {seconds:12.1f} {peak:12.0f} {code:5d} "
              f"{seconds - honest[3]:11.1f} {peak - honest[4]:12.0f}")


if __name__ == "__main__":
    main()
