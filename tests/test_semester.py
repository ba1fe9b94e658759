"""The instructor's semester end to end, running the tested steps of docs/semester.md verbatim.

A course folder like the repository (links to ``source/``, the configuration
and ``examples/``) goes from roster to exported grades and class report with
the example class: ``examples/roster.csv`` and the two Moodle downloads in
``tests/data/moodle/`` (see ``make_archives.py`` there for who hands in what).
Written answers are graded through nbgrader's API, as formgrader would.
"""

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grading.tools.scratch_course import REPO, nbgrader_env
from support.helpers import reference_module_source, solution_lines
from support.readme import readme_steps

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes

MOODLE = Path(__file__).resolve().parent / "data" / "moodle"
MANUAL = {  # student: (l1 points, l2 points, comment)
    "ada": (2.0, 1.5, "Good; mention that L2 rarely gives exact zeros."),
    "ben": (1.0, 1.0, "Say why the weights become sparse."),
}


def run_step(course, name):
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_steps()[name]],
                          cwd=course, env=nbgrader_env(), capture_output=True, text=True)
    assert done.returncode == 0, f"step {name} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def download(course, which):
    """Place Moodle download ``which`` where the guide says, replacing an earlier one."""
    target = course / "downloaded" / "assignment2"
    shutil.rmtree(target, ignore_errors=True)
    (target / "archive").mkdir(parents=True)
    for path in (MOODLE / which).iterdir():
        shutil.copy(path, target / ("archive" if path.suffix == ".zip" else "") / path.name)


def grade_by_hand(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcv") as gradebook:
        for student, (l1, l2, comment) in MANUAL.items():
            for cell, points in (("l1_explanation", l1), ("l2_explanation", l2)):
                grade = gradebook.find_grade(cell, "assignment2", "assignment2", student)
                grade.manual_score = points
                grade.needs_manual_grade = False  # as formgrader does when a grader saves
                remark = gradebook.find_comment(cell, "assignment2", "assignment2", student)
                remark.manual_comment = comment
        gradebook.db.commit()


@pytest.fixture(scope="module")
def semester(tmp_path_factory):
    course = tmp_path_factory.mktemp("semester")
    for name in ("source", "nbgrader_config.py", "examples"):
        (course / name).symlink_to(REPO / name)
    logs = {"setup": run_step(course, "setup")}
    download(course, "download-1")
    logs["collect-1"] = run_step(course, "collect")
    download(course, "download-2")
    logs["collect-2"] = run_step(course, "collect")
    logs["autograde-1"] = run_step(course, "autograde")
    grade_by_hand(course)
    logs["autograde-2"] = run_step(course, "autograde")
    logs["feedback"] = run_step(course, "feedback")
    logs["solutions"] = run_step(course, "solutions")
    return course, logs


def grades(course):
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_exported_grades_are_what_each_submission_deserves(semester):
    course, _ = semester
    rows = grades(course)
    expected = {"ada": 6 + 3.5, "ben": 4 + 2, "cem": 0, "dana": 6, "eli": 0, "fay": 0, "gus": 6, "hal": 6}
    assert {s: float(r["score"]) for s, r in rows.items()} == expected
    assert all(float(r["max_score"]) == 10 for r in rows.values())
    assert rows["fay"]["timestamp"] == "" and rows["hal"]["timestamp"] == ""


def test_due_date_is_10_am_frankfurt_and_lateness_comes_from_timestamps(semester):
    course, _ = semester
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcv") as gradebook:
        assert str(gradebook.find_assignment("assignment2").duedate) == "2022-11-10 09:00:00"
        late = {s.student_id: s.total_seconds_late for s in gradebook.assignment_submissions("assignment2")}
    assert late == {"ada": 0, "ben": 0, "cem": 60, "dana": 26 * 3600, "eli": 0, "gus": 0, "hal": 0}


def test_resubmission_is_graded_on_the_latest_download(semester):
    course, _ = semester
    module = (course / "submitted" / "gus" / "assignment2" / "regularization.py").read_text()
    assert "mask" in module
    assert float(grades(course)["gus"]["score"]) == 6


def test_collector_explains_what_it_did_with_odd_submissions(semester):
    _, logs = semester
    log = logs["collect-2"]
    assert "eli handed in the notebook as 'assignment2 (1).ipynb'; collected as 'assignment2.ipynb'" in log
    assert "eli handed in an extra file 'notes.txt'; kept, not graded" in log
    assert "No submission time for hal in the worksheet: lateness unknown" in log


def test_reautograde_keeps_manual_grades_and_comments(semester):
    course, _ = semester
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcv") as gradebook:
        for student, (l1, l2, comment) in MANUAL.items():
            assert gradebook.find_grade("l1_explanation", "assignment2", "assignment2", student).score == l1
            assert gradebook.find_grade("l2_explanation", "assignment2", "assignment2", student).score == l2
            assert gradebook.find_comment("l1_explanation", "assignment2", "assignment2",
                                          student).comment == comment


def test_each_autograde_run_backs_up_the_gradebook(semester):
    course, logs = semester
    backups = sorted((course / "backups").glob("gradebook-*.db"))
    assert len(backups) == 2
    # The second backup holds the manual grades given between the two runs.
    with Gradebook(f"sqlite:///{backups[1]}", "dlcv") as gradebook:
        assert gradebook.find_grade("l1_explanation", "assignment2", "assignment2", "ada").score == 2.0


def test_model_answers_reach_graders_but_not_feedback(semester):
    course, _ = semester
    autograded = (course / "autograded" / "ada" / "assignment2" / "assignment2.ipynb").read_text()
    assert autograded.count("For graders only: the model answer") == 2
    assert "Model answer (graders only)" in autograded
    feedback = (course / "feedback" / "ada" / "assignment2" / "assignment2.html").read_text()
    assert "model answer" not in feedback.lower()
    assert "Good; mention that L2 rarely gives exact zeros." in feedback


def test_class_report_has_every_student_and_the_checks_most_failed_first(semester):
    course, _ = semester
    report = (course / "reports" / "assignment2" / "report.md").read_text()
    assert "Roster: 8 students, 7 submissions, 2 late, 1 missing, 0 flagged" in report
    rows = {line.split(" | ")[0].strip("| "): line for line in report.splitlines() if line.startswith("| ")}
    assert "| 6 | 3.5 | 9.5 |" in rows["ada"] and "on time" in rows["ada"]
    assert "late by 1 min" in rows["cem"]
    assert "late by 26.0 h" in rows["dana"]
    assert "missing" in rows["fay"]
    assert "no timestamp" in rows["hal"]
    checks = [line for line in report.splitlines() if re.match(r"\| l[12]_", line)]
    failed = [int(line.split(" | ")[1].split(" of ")[0]) for line in checks]
    assert failed == sorted(failed, reverse=True) and failed[0] == 3
    assert checks[0].startswith("| l2_") and "of 7" in checks[0]
    for figure in ("scores.png", "checks.png"):
        assert (course / "reports" / "assignment2" / figure).read_bytes()[:4] == b"\x89PNG"


def test_solutions_hold_the_solved_notebook_and_module(semester):
    course, _ = semester
    solved = course / "solution" / "assignment2"
    module = (solved / "regularization.py").read_text()
    assert all(line in module for line in solution_lines(reference_module_source()))
    assert "Model answer (graders only)" in (solved / "assignment2.ipynb").read_text()
