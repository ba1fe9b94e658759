"""What graders read around autograde, end to end on a scratch course.

- The autograde log holds no "checksum has changed" warning for cells a
  student left as released (nbgrader emitted 8 per student, one for each
  graded cell whose hidden tests the release strips), and still holds one for
  each locked cell a student edited (``RestoreHiddenTests``).
- Feedback generated before the written answers are graded shows them as
  not graded yet, never "Score: 0.0 / 2.0", and the log names the students;
  once graded by hand, feedback shows the score (``PendingManualGrades``).
"""

import re

import nbformat
import pytest
from nbgrader.api import Gradebook

from grading.course import graded_cells
from grading.tools.scratch_course import NOTEBOOK, ScratchCourse
from support.helpers import student_module_source

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels and sandboxes

AUTOGRADED = [cell.grade_id for cell in graded_cells() if cell.autograded]
WRITTEN = [cell.grade_id for cell in graded_cells() if not cell.autograded]
ANSWERS = {"l1_explanation": "Weights are pushed to exactly zero.",
           "l2_explanation": "Large weights shrink most."}
CHECKSUM_WARNING = re.compile(r"Attribute 'checksum' for cell (\S+) has changed")
#: What the tamperer edits: a graded cell with hidden tests, and a locked cell without.
EDITED = ["l1_loss", "tools"]


def edit_locked_cells(folder, grade_ids):
    """Append a line to each of the submitted notebook's cells ``grade_ids``, as a student editing them would."""
    path = folder / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in grade_ids:
            cell.source += "\nassert True  # edited by the student"
    nbformat.write(notebook, path)


def per_student(log, students):
    """``{student: the log lines from its "Sanitizing" line to the next student's}``."""
    sections, current = {s: [] for s in students}, None
    for line in log.splitlines():
        if "Sanitizing" in line:
            current = next((s for s in students if f"/{s}/" in line), None)
        if current is not None:
            sections[current].append(line)
    return sections


def feedback_text(course, student):
    html = (course.root / "feedback" / student / "assignment2" / "assignment2.html").read_text(encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class of three, autograded; feedback generated before any answer is graded by hand."""
    course = ScratchCourse.create(tmp_path_factory.mktemp("course"))
    course.submit("honest", student_module_source(), ANSWERS)
    edit_locked_cells(course.submit("tamperer", student_module_source(), ANSWERS), EDITED)
    course.submit("blank")  # the release as it is: nbgrader scores its unchanged answers 0 itself
    autograde_log = course.autograde()
    feedback_log = course.nbgrader("generate_feedback", "assignment2", "--force")
    feedback = {s: feedback_text(course, s) for s in ("honest", "tamperer", "blank")}
    return course, per_student(autograde_log, ["honest", "tamperer", "blank"]), feedback_log, feedback


def test_cells_left_as_released_bring_no_checksum_warning(graded):
    course, logs, _, _ = graded
    for student in ("honest", "blank"):
        assert logs[student], f"no log of {student}'s autograde"
        assert [line for line in logs[student] if CHECKSUM_WARNING.search(line)] == []
    assert sum(course.scores()["honest"][g] for g in AUTOGRADED) == 6, "the hidden tests ran"


def test_each_edited_locked_cell_still_brings_its_checksum_warning(graded):
    course, logs, _, _ = graded
    warned = [CHECKSUM_WARNING.search(line).group(1) for line in logs["tamperer"] if CHECKSUM_WARNING.search(line)]
    assert sorted(warned) == sorted(EDITED)
    assert sum(course.scores()["tamperer"][g] for g in AUTOGRADED) == 6, "nbgrader restored the edited cells"


def test_feedback_shows_ungraded_written_answers_as_not_graded_yet(graded):
    _, _, _, feedback = graded
    for student in ("honest", "tamperer"):
        text = feedback[student]
        assert "Written response (Score" not in text, f"{student}'s table of contents scores an ungraded answer"
        assert not re.search(r"Score: 0\.0 / 2\.0", text), f"{student}'s feedback scores an ungraded answer 0"
        assert text.count("Not graded yet.") == len(WRITTEN)
        assert "Not graded yet: 2 answer(s) worth 4 points" in text
        assert re.search(r"Score:\s*6\.0\s*/\s*10\.0", text), "the total still counts what is graded"
        assert "Weights are pushed to exactly zero." in text, "the student's answer is still shown"


def test_answers_nbgrader_scored_itself_keep_their_score(graded):
    _, _, _, feedback = graded
    assert "Not graded yet" not in feedback["blank"]
    assert len(re.findall(r"Written response \(Score: 0\.0 / 2\.0\)", feedback["blank"])) == len(WRITTEN)


def test_the_feedback_log_names_each_student_with_answers_not_graded_yet(graded):
    _, _, log, _ = graded
    warnings = [line for line in log.splitlines() if "as not graded yet" in line]
    assert len(warnings) == 2
    assert any("honest" in line and "l1_explanation, l2_explanation" in line for line in warnings)
    assert any("tamperer" in line for line in warnings)
    assert "blank" not in "\n".join(warnings)
    summary = log[log.index("Feedback: 2 student(s) got feedback with answers not graded yet"):]
    assert "  honest: l1_explanation, l2_explanation" in summary and "  tamperer: " in summary


def test_once_graded_by_hand_the_feedback_shows_the_score(graded):
    course, _, _, _ = graded
    with Gradebook(f"sqlite:///{course.db_path}") as gradebook:
        for grade_id, score in zip(WRITTEN, (1.5, 2.0)):
            grade = gradebook.find_grade(grade_id, "assignment2", "assignment2", "honest")
            grade.manual_score = score
            grade.needs_manual_grade = False  # what formgrader does when a grader saves a score
        gradebook.db.commit()
    log = course.nbgrader("generate_feedback", "assignment2", "--force", "--student=honest")
    text = feedback_text(course, "honest")
    assert "Not graded yet" not in text and "not graded yet" not in log
    assert "Written response (Score: 1.5 / 2.0)" in text and "Written response (Score: 2.0 / 2.0)" in text
    assert re.search(r"Score:\s*9\.5\s*/\s*10\.0", text)
