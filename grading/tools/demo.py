"""Build the release from source and autograde the example class.

Usage: ``python -m grading.tools.demo [COURSE_DIR]`` (default: ``demo/`` in the
repository, which git ignores). Each run starts from an empty course folder:
it generates the release with the project's configuration, hands in every
student of ``examples/class/``, runs ``nbgrader autograde`` into a SQLite
gradebook and prints the grades read back from that gradebook, with each
student's integrity flag.

The folder it leaves is a complete course: its ``nbgrader_config.py`` is a
symbolic link to the repository's, so every nbgrader command run inside it
(feedback, export, formgrader) is configured as in the repository. It ends
by printing those next commands (:data:`NEXT_COMMANDS`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from grading.course import graded_cells, maxima
from grading.integrity.report import IntegrityReport
from grading.tools.scratch_course import MODULE, REPO, ScratchCourse

EXAMPLE_CLASS = REPO / "examples" / "class"
#: What to try inside the demo folder next: ``(command, what it does)``. The
#: ones that finish are run verbatim by tests/test_demo.py.
NEXT_COMMANDS = [
    ("nbgrader generate_feedback assignment2",
     "feedback/<student>/: messages and scores, no hidden tests, no model answers"),
    ("nbgrader export --to=grades.csv", "grades.csv"),
    ("python -m grading.tools.class_report assignment2",
     "reports/assignment2/report.html (one page, plots inline) and report.md"),
    ("jupyter lab", "then Nbgrader > Formgrader (or open /formgrader): grade the written answers"),
]
#: The autograded and the written cells, in notebook order (from the master).
COLUMNS = [cell.grade_id for cell in graded_cells() if cell.autograded]
WRITTEN = [cell.grade_id for cell in graded_cells() if not cell.autograded]


def hand_in_example_class(course: ScratchCourse) -> list[str]:
    """Submit every student folder of ``examples/class``; return their ids."""
    students = sorted(p.name for p in EXAMPLE_CLASS.iterdir() if p.is_dir())
    for student in students:
        folder = EXAMPLE_CLASS / student
        module = folder / MODULE
        answers = folder / "answers.json"
        course.submit(
            student,
            module.read_text(encoding="utf-8") if module.exists() else None,
            json.loads(answers.read_text(encoding="utf-8")) if answers.exists() else None,
        )
    return students


def integrity(course: ScratchCourse, student: str) -> str:
    """``"ok"``, ``"FLAGGED"`` or ``"no report"`` from the student's integrity report."""
    report = IntegrityReport.read(course.root / "autograded" / student / "assignment2")
    if report is None:
        return "no report"
    return "FLAGGED" if report.flagged else "ok"


def grade_table(scores: dict[str, dict], flags: dict[str, str]) -> str:
    """The gradebook's scores and integrity flags as a fixed-width text table."""
    auto_max, written_max = maxima()
    header = ["student"] + [c.replace("_", " ") for c in COLUMNS] + [f"auto / {auto_max:g}", "written", "integrity"]
    rows = [header]
    for student in sorted(scores):
        grades = scores[student]
        auto = [grades[c] for c in COLUMNS]
        written = [grades[g] for g in WRITTEN]
        pending = sum(w is None for w in written)
        rows.append(
            [student]
            + [f"{g:g}" for g in auto]
            + [f"{sum(auto):g}", f"{pending} to grade by hand" if pending else f"{sum(written):g} / {written_max:g}",
               flags[student]]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows)


def link_course_config(root: str | Path) -> None:
    """Make ``root/nbgrader_config.py`` a link to the repository's, so nbgrader there runs configured."""
    (Path(root) / "nbgrader_config.py").symlink_to(REPO / "nbgrader_config.py")


def next_steps(root: str | Path) -> str:
    """The text that tells what to run next inside the demo folder ``root``."""
    relative = os.path.relpath(root)
    lines = [f"{root} is a complete course folder (its nbgrader_config.py is the repository's). Try there:",
             f"  cd {root if relative.startswith('..') else relative}"]
    activate = Path(sys.prefix) / "bin" / "activate"
    if activate.is_file():
        lines.append(f"  source {activate}")
    lines.append("  export TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR=1")
    width = max(len(command) for command, _ in NEXT_COMMANDS)
    lines += [f"  {command.ljust(width)}  # {what}" for command, what in NEXT_COMMANDS]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0]) if argv else REPO / "demo"
    if root.exists():
        shutil.rmtree(root)

    started = time.monotonic()
    print(f"Generating the release in {root / 'release'} ...")
    course = ScratchCourse.create(root)
    link_course_config(course.root)
    students = hand_in_example_class(course)
    print(f"Autograding {len(students)} example submissions: {', '.join(students)} ...")
    course.autograde()
    print()
    scores = course.scores()
    print(grade_table(scores, {student: integrity(course, student) for student in scores}))
    print()
    print(f"Gradebook: {course.db_path}  ({time.monotonic() - started:.1f} s in all)")
    print()
    print(next_steps(course.root))


if __name__ == "__main__":
    main()
