"""Formgrader in a real browser: what a grader of the written answers sees and saves.

The demo's course folder (``python -m grading.tools.demo``, as ``./run demo``) is
served by ``jupyter server`` with nbgrader's formgrader extension on a free
localhost port with a token; Debian's ``chromium``, driven by Playwright,
opens ada's submission. Requests to anything but that server are refused, so
the page is judged as it renders offline. No wall-clock limits: Playwright's
timeouts are switched off, and waiting for the server ends when it answers
or exits.

The page is screenshotted into ``docs/formgrader.png`` (linked from docs/semester.md)
each time the test runs.
"""

import json
import re

import pytest
from nbgrader.api import Gradebook

from grading.tools.scratch_course import REPO
from support.browser import chromium, jupyter_server
from support.helpers import MASTER_NOTEBOOK, nbgrader_cells, read_notebook, run_demo
from support.rubric import score_of

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels, a server or a browser

SCREENSHOT = REPO / "docs" / "formgrader.png"
STUDENT = "ada"
WRITTEN = ["l1_explanation", "l2_explanation"]
# The points the rubric gives ada's answer (its anchored sample answers; docs/semester.md shows them).
POINTS = score_of("l1_explanation", STUDENT)
COMMENT = "Full marks: the same pull for every weight, and many weights exactly 0."
TOKEN = "formgrader-test-token"



@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The demo's course folder: the example class autograded, model answers inserted."""
    root = tmp_path_factory.mktemp("formgrader") / "demo"
    run_demo(root)
    return root


@pytest.fixture(scope="module")
def server(course, tmp_path_factory):
    """``http://127.0.0.1:<port>`` of a jupyter server in the course folder; stopped afterwards."""
    with jupyter_server(course, TOKEN, tmp_path_factory.mktemp("jupyter-config")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def submission_id(course, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcv") as gradebook:
        return gradebook.find_submission_notebook("assignment2", "assignment2", student).id


@pytest.fixture
def grading_page(course, server, browser):
    """Formgrader's grading page of ada's notebook, its scores and comments loaded."""
    # The token as a header on every request (in the URL it would cover only the page, not its API calls).
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  extra_http_headers={"Authorization": f"token {TOKEN}"})
    context.set_default_timeout(0)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server)
                  else route.abort())
    page = context.new_page()
    api = lambda kind: lambda r: f"/formgrader/api/{kind}?" in r.url  # noqa: E731
    with page.expect_response(api("grades")) as grades, page.expect_response(api("comments")) as comments:
        page.goto(f"{server}/formgrader/submissions/{submission_id(course, STUDENT)}/")
    assert (grades.value.status, comments.value.status) == (200, 200), "formgrader's API refused the page"
    page.wait_for_function("() => window.formgrader && formgrader.grades.loaded && formgrader.comments.loaded")
    yield page
    context.close()


def model_answer_words(grade_id):
    """Plain words of the master's model answer for ``grade_id`` (math left out, it renders differently)."""
    source = nbgrader_cells(read_notebook(MASTER_NOTEBOOK))[grade_id].source
    return set(re.findall(r"\b[A-Za-z]{7,}\b", re.sub(r"\$[^$]*\$", " ", source)))


AFTER_ANSWER = """(gradeId) => {
    const answer = document.getElementById(gradeId).closest(".cell");
    const next = answer.nextElementSibling;
    const editable = [...next.querySelectorAll("input, textarea, select, [contenteditable]")];
    return {answer: answer.innerText, next: next.innerText,
            next_is_graded: next.querySelector(".nbgrader_cell") !== null,
            next_editable: editable.length + (next.isContentEditable ? 1 : 0)};
}"""


@pytest.mark.parametrize("grade_id", WRITTEN)
def test_model_answer_is_shown_read_only_right_below_the_students_answer(grading_page, grade_id):
    student_answers = json.loads((REPO / "examples" / "class" / STUDENT / "answers.json").read_text())
    shown = grading_page.evaluate(AFTER_ANSWER, grade_id)
    assert student_answers[grade_id] in shown["answer"]
    assert "For graders only" in shown["next"]
    missing = {word for word in model_answer_words(grade_id) if word not in shown["next"]}
    assert not missing, f"the model answer below {grade_id} lacks {sorted(missing)}"
    assert not shown["next_is_graded"] and shown["next_editable"] == 0


def test_points_and_comment_saved_in_formgrader_reach_the_gradebook(course, grading_page):
    page = grading_page
    saved = lambda kind: lambda r: f"/formgrader/api/{kind}/" in r.url and r.request.method == "PUT"  # noqa: E731
    with page.expect_response(saved("grade"), timeout=0):
        page.fill("#l1_explanation", str(POINTS))
        page.locator("#l1_explanation").blur()
    with page.expect_response(saved("comment"), timeout=0):
        page.fill("#l1_explanation-comment", COMMENT)
        page.locator("#l1_explanation-comment").blur()

    page.evaluate("""() => {
        document.getElementById("l1_explanation").closest(".cell").scrollIntoView();
        window.scrollBy(0, -60);
    }""")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcv") as gradebook:
        grade = gradebook.find_grade("l1_explanation", "assignment2", "assignment2", STUDENT)
        comment = gradebook.find_comment("l1_explanation", "assignment2", "assignment2", STUDENT)
        assert (grade.manual_score, grade.needs_manual_grade) == (POINTS, False)
        assert comment.manual_comment == COMMENT
        other = gradebook.find_grade("l2_explanation", "assignment2", "assignment2", STUDENT)
        assert other.manual_score is None and other.needs_manual_grade
