"""One serial ``nbgrader autograde`` of three honest students beside one student per hostile input.

Each hostile student attacks what nbgrader's own process reads (``tests/support/hostile.py``):
a cell of nbgrader ``schema_version`` 4 (stock nbgrader stops the whole run on it), the
nbformat-3 heading bomb (its conversion allocates 1.5 GB per cell), a FIFO as the
notebook (stock nbgrader blocks on it forever), an oversized notebook, an oversized
cell, too many cells, and a student id made of HTML; and, past the intake, a 1 MiB module
of one string constant and a cell of IPython magics (the static audit was superlinear on
both), a UTF-7 module (it hid loops from the audit) and added cells that sleep just below the
per-cell limit (the notebook's time limit, 20 s in this run, cuts them). The whole nbgrader
process runs under a 4 GiB address-space cap. ``benchmarks/hostile_intake.py`` measures what each
costs.
"""

import json
import resource
import subprocess
import sys
import textwrap

import pytest
from nbgrader.api import Gradebook

from grading.course import graded_cells
from grading.integrity.report import IntegrityReport
from grading.tools.scratch_course import REPO, ScratchCourse, nbgrader_env
from support.hostile import ADMITTED_HOSTILE, HOSTILE, UNSAFE_ID, correct_module, fifo_notebook, unsafe_id

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels and sandboxes

HONEST = {"ada": "masks", "ben": "norms", "cem": "pad"}
AUTOGRADED = [cell.grade_id for cell in graded_cells() if cell.autograded]
MEMORY_CAP = 4 * 1024**3
NOTEBOOK_SECONDS = 20  # the whole notebook's time limit in this run (the course's: 120 s)
#: Only a guard against a run that never ends (stock nbgrader blocks on a FIFO): not a measure.
HANG_GUARD_SECONDS = 3600


def autograde(course):
    """``nbgrader autograde`` of the course under the memory cap; returns (exit code, log)."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    done = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "assignment2", "--force",
                           f"--CourseDirectory.root={course.root}",
                           f"--ResilientExecute.notebook_timeout={NOTEBOOK_SECONDS}"],
                          cwd=REPO, env=nbgrader_env(), capture_output=True, text=True, preexec_fn=cap,
                          timeout=HANG_GUARD_SECONDS)
    return done.returncode, done.stdout + done.stderr


def report(course, student):
    return IntegrityReport.read(course.root / "autograded" / student / "assignment2")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = ScratchCourse.create(tmp_path_factory.mktemp("intake"))
    for student, module in HONEST.items():
        course.submit(student, correct_module(module))
    for student, (make, _) in {**HOSTILE, **ADMITTED_HOSTILE}.items():
        make(course, student)
    unsafe_id(course)
    code, log = autograde(course)
    return course, code, log


def test_the_serial_run_ends_without_an_error(graded):
    _, code, log = graded
    assert code == 0, log


@pytest.mark.parametrize("student", HONEST)
def test_honest_students_get_full_marks_and_no_flag(graded, student):
    course, _, _ = graded
    assert sum(course.scores()[student][g] for g in AUTOGRADED) == 6
    assert not report(course, student).flagged


@pytest.mark.parametrize("student", ADMITTED_HOSTILE)
def test_what_the_intake_admits_is_bounded_later_and_flagged_with_the_reason(graded, student):
    # In the same serial run: the static audit's cap and encoding rule, and the notebook's time limit.
    course, _, _ = graded
    found = report(course, student)
    assert found is not None and found.flagged, found
    assert any(ADMITTED_HOSTILE[student][1] in reason for reason in found.reasons), found.reasons
    assert all(course.scores()[student][g] is not None for g in AUTOGRADED)  # a recorded score


@pytest.mark.parametrize("student", HOSTILE)
def test_every_hostile_student_has_a_recorded_score_and_a_flag_with_the_reason(graded, student):
    course, _, _ = graded
    scores = course.scores()[student]
    assert all(scores[g] is not None for g in AUTOGRADED)
    assert sum(scores[g] for g in AUTOGRADED) == 6  # the correct module is graded all the same
    found = report(course, student)
    assert found.flagged
    assert any(reason.startswith("intake: ") and HOSTILE[student][1] in reason for reason in found.reasons), \
        found.reasons


def test_a_refused_notebooks_written_answers_score_0_and_nothing_huge_is_written(graded):
    course, _, _ = graded
    for student in ("bomb", "fifo", "bignb", "bigcell", "cells"):
        assert course.scores()[student]["l1_explanation"] == 0
        autograded = course.root / "autograded" / student / "assignment2" / "assignment2.ipynb"
        assert autograded.stat().st_size < 1024**2


def test_a_repaired_notebook_keeps_the_students_answers(graded):
    course, _, _ = graded
    notebook = json.loads((course.root / "autograded" / "schema4" / "assignment2" / "assignment2.ipynb").read_text())
    cell = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "l1_explanation")
    assert cell["metadata"]["nbgrader"]["schema_version"] == 3


def test_an_unsafe_student_id_is_not_graded_and_says_so(graded):
    course, _, log = graded
    assert f"Not grading the submission of student id '{UNSAFE_ID}': not a safe id" in log
    with Gradebook(f"sqlite:///{course.db_path}") as gradebook:
        ids = [student.id for student in gradebook.students]
    assert sorted(ids) == sorted([*HONEST, *HOSTILE, *ADMITTED_HOSTILE])
    assert not (course.root / "autograded" / UNSAFE_ID).exists()
    assert (course.root / "submitted" / UNSAFE_ID / ".assignment2.unsafe-id-not-collected").is_dir()


def test_a_second_run_reports_the_same_reasons(graded):
    course, _, _ = graded
    first = {student: report(course, student).reasons for student in HOSTILE}
    code, log = autograde(course)
    assert code == 0, log
    assert {student: report(course, student).reasons for student in HOSTILE} == first


def test_formgraders_autograde_button_admits_the_submission_too(graded):
    # formgrader runs NbGraderAPI.autograde inside the Jupyter server, where the pre-convert
    # hook has no course directory: the intake comes with autograde's exporter all the same.
    course, _, _ = graded
    fifo_notebook(course, "viaapi")
    script = textwrap.dedent(f"""
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from grading.tools.parallel_autograde import load_config
        config = load_config({str(course.root)!r}, {str(REPO)!r})
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        result = api.autograde("assignment2", "viaapi")
        print(result["success"], result.get("error", ""))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=nbgrader_env(), capture_output=True,
                          text=True, timeout=HANG_GUARD_SECONDS)
    assert done.stdout.startswith("True"), done.stdout + done.stderr
    found = report(course, "viaapi")
    assert found.flagged and "FIFO" in found.reasons[0]
    assert all(course.scores()["viaapi"][g] is not None for g in AUTOGRADED)
