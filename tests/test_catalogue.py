"""Every catalogue submission through ``nbgrader autograde`` with the project's configuration.

Each mistake must lose points in exactly the checks its file names (in its
own exercise only) with the message it names; each correct variant must get
3 + 3. See ``grading/tools/catalogue.py`` for the catalogue's format.
"""

import pytest

from grading.tools.catalogue import AUTOGRADED, TABLE, check_messages, load_entries, render_table
from grading.tools.scratch_course import ScratchCourse
from support.helpers import read_notebook
from support.integrity import report

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes

ENTRIES = load_entries()
MISTAKES = [e for e in ENTRIES if not e.correct]
CORRECT = [e for e in ENTRIES if e.correct]


def test_catalogue_is_big_enough():
    assert len(MISTAKES) >= 25
    assert len(CORRECT) >= 10


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = ScratchCourse.create(tmp_path_factory.mktemp("catalogue"))
    for entry in ENTRIES:
        course.submit(entry.student_id, entry.source)
    course.autograde()
    return course, course.scores()


def failed_cells(scores):
    return {g for g, points in AUTOGRADED.items() if scores[g] < points}


def error_messages(course, student):
    """``{grade_id: error text}`` of the graded cells that raised in the autograded notebook."""
    path = course.root / "autograded" / student / "assignment2" / "assignment2.ipynb"
    messages = {}
    for cell in read_notebook(path).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                messages[grade_id] = f"{output.ename}: {output.evalue}"
    return messages


@pytest.mark.parametrize("entry", MISTAKES, ids=lambda e: e.name)
def test_mistake_loses_points_in_its_own_checks_only(graded, entry):
    course, scores = graded
    assert failed_cells(scores[entry.student_id]) == set(entry.caught_by)
    assert all(g.startswith(entry.exercise) for g in entry.caught_by)


@pytest.mark.parametrize("entry", MISTAKES, ids=lambda e: e.name)
def test_mistake_gets_the_message_that_names_it(graded, entry):
    course, _ = graded
    seen = error_messages(course, entry.student_id)
    for grade_id, fragment in entry.messages.items():
        assert fragment in seen[grade_id]
    # The autograder shows the message of the shared checks, so the table in
    # docs/mistakes.md (made from them) is what students read.
    expected = check_messages(entry)
    for grade_id, message in expected.items():
        assert seen[grade_id] == f"CheckFailed: {message}"


@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.name)
def test_correct_variant_gets_full_marks(graded, entry):
    _, scores = graded
    assert failed_cells(scores[entry.student_id]) == set()
    assert sum(scores[entry.student_id][g] for g in AUTOGRADED) == 6


def test_table_of_mistakes_is_current():
    assert TABLE.read_text(encoding="utf-8") == render_table(ENTRIES), (
        "docs/mistakes.md is stale: run python -m grading.tools.catalogue"
    )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.student_id)
def test_honest_work_is_never_flagged_and_scores_what_both_runs_agree_on(graded, entry):
    # A cell keeps its points only if the notebook's visible asserts and the
    # trusted check both pass; the gradebook holds exactly that.
    course, scores = graded
    result = report(course, entry.student_id)
    assert result["flagged"] is False, result["reasons"]
    assert result["faults"] == []
    for grade_id, cell in result["cells"].items():
        assert cell["score"] == min(cell["notebook"], cell["isolated"]) == scores[entry.student_id][grade_id], grade_id
        assert cell["notebook"] >= cell["isolated"], grade_id  # the visible asserts are a subset of the checks
