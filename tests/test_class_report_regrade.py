"""The class report shows the cells that passed in a student's notebook but failed the trusted re-grade.

Such a cell scores 0 although the student saw its tests pass (a result the
visible tests accept and the hidden inputs reject, hard-coded examples): the
grader must see it per student and per check, not only a 0 beside "ok".
``IsolatedRegrade`` records it in ``integrity.json`` (``notebook`` above
``score``); the gradebook here is built with nbgrader's API, as autograde
leaves it.
"""

import pytest
from bs4 import BeautifulSoup
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

from grading.integrity.report import IntegrityReport
from grading.tools.class_report import CHECK_COLUMNS, student_columns, write_report
from grading.tools.scratch_course import nbgrader_env

CODE = {"l1_loss": 1.0, "l1_gradient": 1.0, "l1_vectorized": 0.5}
LIST_RETURN = "L1_reg must return a tuple (R, dW), got list."
COLUMN = "passed in the notebook, failed the re-grade"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """The report's folder, written once for the course of :func:`make_course`."""
    root = tmp_path_factory.mktemp("course")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", nbgrader_env()["PATH"])  # a new gradebook runs alembic, beside this interpreter
        write_report(make_course(root), "assignment2", root / "out")
    return root / "out"


def cell(max_score, notebook, isolated, message=""):
    """One entry of ``integrity.json``'s ``cells``, as ``IsolatedRegrade`` writes it."""
    return {"max": max_score, "notebook": notebook, "isolated": isolated,
            "score": notebook if isolated else 0, "message": message}


def make_course(root):
    """A gradebook and autograded folders of three students.

    ``lia`` returned a list: every check's visible tests passed in her notebook,
    the re-grade failed them all. ``cem`` fails ``l1_loss`` in the notebook
    too. ``ada`` passes everything.
    """
    coursedir = CourseDirectory(root=str(root), course_id="dlcv")
    results = {
        "ada": {g: cell(m, m, m) for g, m in CODE.items()},
        "lia": {g: cell(m, m, 0, LIST_RETURN) for g, m in CODE.items()},
        "cem": {"l1_loss": cell(1.0, 0, 0, "R is wrong"), "l1_gradient": cell(1.0, 1.0, 1.0),
                "l1_vectorized": cell(0.5, 0.5, 0.5)},
    }
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        gradebook.add_assignment("assignment2")
        gradebook.add_notebook("assignment2", "assignment2")
        for grade_id, points in CODE.items():
            gradebook.add_grade_cell(grade_id, "assignment2", "assignment2", max_score=points, cell_type="code")
        gradebook.add_grade_cell("l1_explanation", "assignment2", "assignment2", max_score=2, cell_type="markdown")
        for student, cells in results.items():
            gradebook.add_student(student)
            gradebook.add_submission("assignment2", student)
            for grade_id, entry in cells.items():
                grade = gradebook.find_grade(grade_id, "assignment2", "assignment2", student)
                grade.auto_score = entry["score"]
                grade.needs_manual_grade = False
            gradebook.db.commit()
            folder = root / "autograded" / student / "assignment2"
            folder.mkdir(parents=True)
            IntegrityReport(student, sandbox="bubblewrap", cells=cells).write(folder)
    return coursedir


def table_rows(markdown, first_column):
    """``{first cell: [cells]}`` of the Markdown table whose header starts with ``first_column``."""
    rows, inside = {}, False
    for line in markdown.splitlines():
        if line.startswith(f"| {first_column} |"):
            inside = True
            continue
        if inside and line.startswith("|") and not line.startswith("|:") and not line.startswith("|-"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            rows[cells[0]] = cells
        elif inside and not line.startswith("|"):
            inside = False
    return rows


def test_cells_that_passed_in_the_notebook_but_failed_the_regrade_are_named_per_student(out):
    report = (out / "report.md").read_text(encoding="utf-8")
    students = table_rows(report, "student")
    header = student_columns(2.5, 2)
    assert header[-1] == COLUMN
    assert students["lia"][header.index("integrity")] == "ok"
    assert students["lia"][-1] == "3: l1_loss, l1_gradient, l1_vectorized"
    assert students["ada"][-1] == "-"
    assert students["cem"][-1] == "-", "a cell that failed in the notebook too is an ordinary failure"
    assert "1 with cells that passed in their notebook but failed the trusted re-grade" in report


def test_each_check_counts_the_failing_students_whose_notebook_had_passed_it(out):
    report = (out / "report.md").read_text(encoding="utf-8")
    checks = table_rows(report, "check")
    assert CHECK_COLUMNS[-1] == COLUMN
    assert [checks["l1_loss"][i] for i in (1, -1)] == ["2 of 3", "1"]  # cem failed it in the notebook too
    assert [checks["l1_gradient"][i] for i in (1, -1)] == ["1 of 3", "1"]


def test_the_html_report_shows_the_same_column(out):
    page = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    students, checks = page.find_all("table")
    assert [th.get_text() for th in checks.find_all("th")] == CHECK_COLUMNS
    rows = {tr.find("td").get_text(): [td.get_text() for td in tr.find_all("td")]
            for tr in students.find("tbody").find_all("tr")}
    assert rows["lia"][-1] == "3: l1_loss, l1_gradient, l1_vectorized"
    assert rows["ada"][-1] == "-"
