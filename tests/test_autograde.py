"""End to end through nbgrader autograde and generate_feedback with the project's configuration."""

import re

import pytest

from grading.course import graded_cells
from grading.tools.demo import hand_in_example_class
from support.helpers import reference_module_source, solution_lines

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes

AUTOGRADED = [cell.grade_id for cell in graded_cells() if cell.autograded]
WRITTEN = [cell.grade_id for cell in graded_cells() if not cell.autograded]
ANSWERS = {"l1_explanation": "Weights are pushed to exactly zero.",
           "l2_explanation": "Large weights shrink most."}


@pytest.fixture(scope="module")
def graded(course):
    course.submit("solver", reference_module_source(), ANSWERS)
    course.submit("untouched")
    hand_in_example_class(course)
    course.autograde()
    course.nbgrader("generate_feedback", "assignment2", "--force")
    return course


def autograded_total(scores):
    return sum(scores[g] for g in AUTOGRADED)


def feedback_html(course, student):
    return (course.root / "feedback" / student / "assignment2" / "assignment2.html").read_text(encoding="utf-8")


def test_reference_solution_gets_all_autograded_points_and_awaits_manual_grading(graded):
    scores = graded.scores()["solver"]
    assert autograded_total(scores) == 6
    assert all(scores[g] is None for g in WRITTEN), "written answers must await manual grading"


def test_untouched_release_gets_zero(graded):
    scores = graded.scores()["untouched"]
    assert all(scores[g] == 0 for g in AUTOGRADED)
    assert all(scores[g] == 0 for g in WRITTEN)


def test_example_class_gets_the_scores_its_readme_states(graded):
    totals = {s: autograded_total(graded.scores()[s]) for s in ("ada", "ben", "cem")}
    assert totals == {"ada": 6, "ben": 4, "cem": 0}


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


@pytest.mark.parametrize("student", ["ben", "solver", "untouched"])
def test_feedback_shows_no_hidden_tests_or_model_answers(graded, student):
    html = feedback_html(graded, student)
    # Tracebacks of graded cells would quote checks.py; the students' own cells keep theirs.
    for secret in ["BEGIN HIDDEN TESTS", "from grading import", "check_loss", "check_gradient",
                   "checks.py", "hidden_cases", "_diagnose", "Model answer"]:
        assert secret not in html, f"feedback of {student} shows {secret!r}"


def test_feedback_shows_the_message_and_the_score(graded):
    html = feedback_html(graded, "ben")
    text = re.sub(r"<[^>]+>", " ", html)
    assert "CheckFailed: L2_reg: R is wrong" in text
    assert "R is not multiplied by reg and has a factor 1/2" in text
    assert "dW is missing both the factor 2 and reg" in text
    assert re.search(r"Score:\s*4\.0\s*/\s*10\.0", text), "the feedback must show the score"
