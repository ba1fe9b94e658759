"""Formgrader in a real browser: what a grader of the written answers sees and saves.

The demo's course folder (``python -m grading.tools.demo``, as ``./run demo``) is
served by ``jupyter server`` with nbgrader's formgrader extension on a free
localhost port with a token; Debian's ``chromium``, driven by Playwright,
opens ada's submission. Requests to anything but that server are refused, so
the page is judged as it renders offline; every request the page makes is
recorded, and each must be to that server. The model answers' formulas are
typeset by the MathJax that the server itself serves (``jupyter-server-mathjax``,
through the course's template ``grading/render/templates/formgrade/``). No
wall-clock limits: Playwright's timeouts are switched off, and waiting for the
server ends when it answers or exits.

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
def requests_made():
    """Every URL the grading page asked for (refused ones included), in order."""
    return []


@pytest.fixture
def grading_page(course, server, browser, requests_made):
    """Formgrader's grading page of ada's notebook, its scores and comments loaded and its math typeset
    (when MathJax loaded at all: ``test_model_answer_formulas_are_typeset_by_mathjax`` checks that)."""
    # The token as a header on every request (in the URL it would cover only the page, not its API calls).
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  extra_http_headers={"Authorization": f"token {TOKEN}"})
    context.set_default_timeout(0)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server)
                  else route.abort())
    context.on("request", lambda request: requests_made.append(request.url))
    page = context.new_page()
    api = lambda kind: lambda r: f"/formgrader/api/{kind}?" in r.url  # noqa: E731
    with page.expect_response(api("grades")) as grades, page.expect_response(api("comments")) as comments:
        page.goto(f"{server}/formgrader/submissions/{submission_id(course, STUDENT)}/")
    assert (grades.value.status, comments.value.status) == (200, 200), "formgrader's API refused the page"
    page.wait_for_function("() => window.formgrader && formgrader.grades.loaded && formgrader.comments.loaded")
    # MathJax typesets in its queue: a callback queued now runs once the page's formulas are done.
    page.evaluate("() => window.MathJax?.Hub && new Promise(done => MathJax.Hub.Queue(() => done(true)))")
    page.wait_for_load_state("networkidle")  # the fonts the typesetting asked for
    yield page
    context.close()


def model_answer_words(grade_id):
    """Plain words of the master's model answer for ``grade_id`` (math left out, it renders differently)."""
    source = nbgrader_cells(read_notebook(MASTER_NOTEBOOK))[grade_id].source
    return set(re.findall(r"\b[A-Za-z]{7,}\b", re.sub(r"\$[^$]*\$", " ", source)))


def model_answer_formulas(grade_id):
    """How many formulas (``$...$`` or ``$$...$$``) the master's model answer for ``grade_id`` holds."""
    source = nbgrader_cells(read_notebook(MASTER_NOTEBOOK))[grade_id].source
    return len(re.findall(r"\$\$.+?\$\$|\$[^$]+\$", source, flags=re.S))


#: The model answer below ``gradeId``'s answer: its formulas as MathJax typeset them (its output elements,
#: HTML-CSS or CommonHTML, one per formula) and the text a grader reads.
MODEL_ANSWER_MATH = """(gradeId) => {
    const next = document.getElementById(gradeId).closest(".cell").nextElementSibling;
    return {typeset: next.querySelectorAll("span.MathJax, .MathJax_CHTML, .MathJax_SVG").length,
            text: next.innerText};
}"""


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


@pytest.mark.parametrize("grade_id", WRITTEN)
def test_model_answer_formulas_are_typeset_by_mathjax(grading_page, grade_id):
    formulas = model_answer_formulas(grade_id)
    assert formulas > 0, f"the model answer of {grade_id} holds no formula: this test would check nothing"
    assert grading_page.evaluate("() => !!(window.MathJax && MathJax.isReady)"), "MathJax did not load"
    shown = grading_page.evaluate(MODEL_ANSWER_MATH, grade_id)
    assert shown["typeset"] == formulas
    raw = re.findall(r"\$|\\[A-Za-z]+", shown["text"])
    assert not raw, f"the grader reads LaTeX source in the model answer: {raw}"


def test_grading_page_asks_for_nothing_beyond_the_course_server(server, grading_page, requests_made):
    assert requests_made, "no request was recorded"
    # MathJax's HTML-CSS output declares a font at about:blank to time web fonts: it fetches nothing.
    elsewhere = [url for url in requests_made if not (url.startswith(server + "/") or url == "about:blank")]
    assert not elsewhere, "the grading page asked for files from outside the course's server"


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
