"""End to end through nbgrader autograde with the project's configuration."""

import pytest

from helpers import reference_module_source
from test_release import solution_lines

AUTOGRADED = ["l1_loss", "l1_gradient", "l1_bias_and_input", "l1_vectorized",
              "l2_loss", "l2_gradient", "l2_bias_and_input", "l2_vectorized"]
WRITTEN = ["l1_explanation", "l2_explanation"]
ANSWERS = {"l1_explanation": "Weights are pushed to exactly zero.",
           "l2_explanation": "Large weights shrink most."}


@pytest.fixture(scope="module")
def graded(course):
    course.submit("solver", reference_module_source(), ANSWERS)
    course.submit("untouched")
    course.autograde()
    course.nbgrader("generate_feedback", "assignment2", "--force")
    return course


def test_reference_solution_gets_all_autograded_points_and_awaits_manual_grading(graded):
    scores = graded.scores()["solver"]
    assert sum(scores[g] for g in AUTOGRADED) == 6
    assert all(scores[g] is None for g in WRITTEN), "written answers must await manual grading"


def test_untouched_release_gets_zero(graded):
    scores = graded.scores()["untouched"]
    assert all(scores[g] == 0 for g in AUTOGRADED)
    assert all(scores[g] == 0 for g in WRITTEN)


def test_autograde_grades_the_students_module_not_the_master(graded):
    graded_module = graded.root / "autograded" / "untouched" / "assignment2" / "regularization.py"
    assert graded_module.read_text() == (graded.release_dir / "regularization.py").read_text()


def test_feedback_holds_no_reference_solution(graded):
    feedback = graded.root / "feedback" / "untouched" / "assignment2"
    files = [p for p in feedback.rglob("*") if p.is_file()]
    assert files, "generate_feedback wrote nothing"
    lines = solution_lines(reference_module_source())
    for path in files:
        text = path.read_text(encoding="utf-8")
        for line in lines:
            assert line not in text, f"{path.name} holds solution line {line!r}"
