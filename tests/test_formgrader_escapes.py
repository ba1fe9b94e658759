"""Formgrader and feedback show the student's text and run none of it (chromium, the escape catalogue).

Each folder of ``tests/formgrader_escapes/`` is handed in as one student: raw
HTML in the written answer, links and images that run script, image outputs
with hostile size metadata, attachments, cell and notebook metadata (see its
README.md). One scratch course grades them all with the project's
configuration (``nbgrader autograde``, then ``generate_feedback``), and
``jupyter server`` with nbgrader's formgrader serves that course folder (its
``nbgrader_config.py`` a link to the repository's, as in the demo) on a free
localhost port with a token. Debian's chromium, driven by Playwright, opens
each student's grading page, then their feedback file.

Every payload, if it ran, would set ``top.ESCAPED`` and PUT a file named with
the run's token through ``/api/contents``. For each case the test checks that
the page's cells hold nothing that could run or fetch (event handlers,
script, frames, ``javascript:`` URLs: ``support.formgrader_escapes.active_content``),
clicks every link of the student's that is not a web link, and then that
``top.ESCAPED`` is unset, the page made no request to the server's ``/api/``
(formgrader's own API is ``/formgrader/api/``), no marker file exists, and the
grader still reads the answer (prose, and math with ``<`` and ``&`` as
written). Requests to anything but the server are refused. No wall-clock
limits: Playwright's timeouts are off; a page counts as settled when its
network has been idle (Playwright's ``networkidle``) and MathJax has typeset it.

MathJax runs as in the grader's browser. The grading page loads MathJax 2
from the Jupyter server itself (``jupyter-server-mathjax``, pinned in
``requirements.txt``, through the course's ``formgrade`` template), so every
grading page is typeset, and MathJax's own elements (the ``math/tex`` scripts
holding each formula's source, its assistive MathML) are not counted as active
content. Feedback files load MathJax from a CDN; the test answers those requests
with the same local copy (with its ``HTML-CSS`` output in place of
``CommonHTML``, which it does not ship, and every extension the page asks for,
``Safe`` included). Pages whose payload is math (``TYPESET``) are then
hit-tested from top to bottom: student math seen anywhere outside the
student's own cell (over the score fields, another answer or the model
answer) fails the test. Hit-testing a whole page costs about 20 s a page, so
it runs for those cases only; the other cases' feedback files load no MathJax
(its requests are refused like any other request that leaves the machine),
and their math stays as TeX text.
"""

import secrets
from dataclasses import dataclass, field
from pathlib import Path

import jupyter_server_mathjax
import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from grading.tools.scratch_course import ASSIGNMENT, REPO, NbgraderFailed, ScratchCourse
from support.browser import chromium, jupyter_server
from support.formgrader_escapes import SHOWN_TEXTS, active_content, api_requests, cases, hand_in, marker_name

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels, a server and a browser

#: Where nbconvert's templates (the feedback's) load MathJax 2 from (``base/mathjax.html.j2``), and the local
#: copy served instead.
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"
MATHJAX = Path(jupyter_server_mathjax.__file__).parent / "static"
#: MathJax's combined configuration with CommonHTML output, and the one of the local copy (HTML-CSS output).
CDN_CONFIG, LOCAL_CONFIG = "TeX-AMS_CHTML-full", "TeX-AMS-MML_HTMLorMML-full"
CASES = cases()
NAMES = [case.name for case in CASES]
SERVER_TOKEN = "formgrader-escapes-token"

#: Clicks each link in the student's cells that is neither a web link nor a path (javascript:, data:,
#: no href, a fragment), as a grader might; returns their hrefs.
CLICK_LINKS = """() => {
    const links = [...document.querySelectorAll("#notebook-container a")]
        .filter(a => !a.closest(".panel-heading, .panel-footer"))
        .filter(a => !/^(https?:|[/.])/i.test((a.getAttribute("href") || "").replace(/[\\s\\x00-\\x1f]/g, "")));
    links.forEach(a => a.click());
    return links.map(a => a.getAttribute("href"));
}"""


#: Points of the page (hit-tested from top to bottom) where what the grader sees is student math outside the
#: student's own content: its rendered Markdown, output or code, or the box the renderer puts around it.
MATH_OUTSIDE_ITS_CELL = """() => {
    const math = ".MathJax, .MathJax_Display, .MathJax_CHTML, .mjx-chtml, .MathJax_SVG";
    const own = ".text_cell_render, .output_subarea, .input_area, .student-content";
    const found = [];
    const height = document.documentElement.scrollHeight, view = window.innerHeight;
    const width = document.documentElement.clientWidth;
    for (let top = 0; top < height; top += view) {
        window.scrollTo(0, top);
        const scrolled = window.scrollY;
        for (let y = 3; y < view; y += 12) for (let x = 3; x < width; x += 12) {
            const drawn = document.elementFromPoint(x, y)?.closest(math);
            if (!drawn) continue;
            const box = drawn.closest(own)?.getBoundingClientRect();
            if (!box || x < box.left || x > box.right || y < box.top || y > box.bottom) {
                found.push(`(${x}, ${y + scrolled})`);
            }
        }
    }
    window.scrollTo(0, 0);
    return found.slice(0, 5);
}"""
#: The text of ``element`` (found by the selector given), with each typeset formula as its TeX source between
#: ``$`` (MathJax keeps the source in a script element of type math/tex) and MathJax's rendering left out.
TEXT_WITH_MATH = """selector => {
    const copy = document.querySelector(selector).cloneNode(true);
    copy.querySelectorAll(".MathJax_Preview, .MathJax, .MathJax_Display, .MathJax_CHTML, .mjx-chtml")
        .forEach(rendered => rendered.remove());
    copy.querySelectorAll('script[type^="math/tex"]').forEach(source => {
        const mark = source.type.includes("mode=display") ? "$$" : "$";
        source.replaceWith(mark + source.textContent + mark);
    });
    return copy.textContent;
}"""



@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``(course, token)``: every case handed in, autograded and given feedback with the project's configuration."""
    root = tmp_path_factory.mktemp("formgrader-escapes") / "course"
    course = ScratchCourse.create(root)
    (root / "nbgrader_config.py").symlink_to(REPO / "nbgrader_config.py")  # as the demo's folder: formgrader reads it
    token = secrets.token_hex(6)
    for case in CASES:
        hand_in(course, case, token)
    course.autograde()
    try:  # one student's feedback failing must not hide what the others' shows: each test checks its own file
        course.nbgrader("generate_feedback", ASSIGNMENT, "--force")
    except NbgraderFailed as failure:
        print(failure)
    return course, token


@pytest.fixture(scope="module")
def server(graded, tmp_path_factory):
    """``http://127.0.0.1:<port>`` of a jupyter server (with formgrader) in the course folder; stopped afterwards."""
    course, _ = graded
    with jupyter_server(course.root, SERVER_TOKEN, tmp_path_factory.mktemp("jupyter-config")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@dataclass
class Opened:
    """A page, the response to its URL, every URL any of its frames asked for, and the URL of
    every document its main frame loaded (the first is the page itself: any other is a reload
    or a document elsewhere; a fragment of the same document loads nothing)."""

    page: Page
    response: object = None
    requests: list = field(default_factory=list)
    loads: list = field(default_factory=list)


#: The cases whose payload is math: their pages are typeset by MathJax and hit-tested (see the docstring).
TYPESET = {"math_that_draws_outside_its_cell"}


def serve_mathjax(route) -> bool:
    """Answer a request for MathJax 2 from the CDN with the local copy (see the module's docstring); False if
    the request is not one, or asks for a file the local copy lacks."""
    url = route.request.url
    if not url.startswith(MATHJAX_CDN):
        return False
    path, _, query = url[len(MATHJAX_CDN):].partition("/")[2].partition("?")
    if path == "latest.js":  # the CDN's loader of the newest 2.x: load MathJax.js (as it does) with the config
        config = query.replace(CDN_CONFIG, LOCAL_CONFIG)
        script = (f"var s=document.createElement('script');s.src='{MATHJAX_CDN}2.7.7/MathJax.js?{config}';"
                  "document.head.appendChild(s);")
        route.fulfill(body=script, content_type="text/javascript")
        return True
    local = (MATHJAX / path).resolve()
    if not (local.is_relative_to(MATHJAX) and local.is_file()):
        return False
    route.fulfill(path=str(local))
    return True


def open_page(browser, allowed_prefix, url, headers=None, typeset=False) -> Opened:
    """``url`` in a new browser context, loaded; with ``typeset``, MathJax asked of the CDN comes from the local
    copy; other requests elsewhere than ``allowed_prefix`` are refused."""
    context = browser.new_context(extra_http_headers=headers or {})
    context.set_default_timeout(0)

    def answer(route):
        if route.request.url.startswith(allowed_prefix):
            route.continue_()
        elif not (typeset and serve_mathjax(route)):
            route.abort()

    context.route("**/*", answer)
    opened = Opened(context.new_page())
    context.on("request", lambda request: opened.requests.append(request.url))
    opened.page.on("load", lambda page: opened.loads.append(page.url))
    opened.response = opened.page.goto(url)
    return opened


def settle(page):
    """Wait until the page has loaded, its network is idle and MathJax has typeset it (queued after its work)."""
    page.wait_for_load_state("load")
    page.wait_for_load_state("networkidle")
    page.evaluate("() => window.MathJax?.Hub ? new Promise(done => MathJax.Hub.Queue(() => done(true))) : null")
    page.wait_for_load_state("networkidle")  # the fonts the typesetting asked for


def markers(course, token, case):
    """Files this case's payload would have written through /api/contents (anywhere in the course folder)."""
    return sorted(str(p) for p in course.root.rglob(marker_name(token, case)))


def submission_id(course, student):
    with Gradebook(f"sqlite:///{course.db_path}", "dlcv") as gradebook:
        return gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).id


def check_inert(opened, course, token, case, typeset):
    """Click the student's non-web links, then: no payload ran, nothing active in the cells, no /api/ request,
    no marker file, and the page neither reloaded nor went elsewhere (a <base> or a refresh would).
    ``typeset``: MathJax ran in the page (and must have); the ``TYPESET`` cases are hit-tested too."""
    page = opened.page

    def ask(question):  # a page that keeps navigating answers nothing: say so instead of raising
        try:
            return question()
        except PlaywrightError as error:
            return f"(no answer, the page navigated: {error.message.splitlines()[0]})"

    clicked = ask(lambda: page.evaluate(CLICK_LINKS))
    settle(page)
    found = {
        "ran": ask(lambda: page.evaluate("() => window.ESCAPED || null")),
        "active content": ask(lambda: active_content(page.content(), typeset=typeset)),
        "student math seen outside its cell": ask(lambda: page.evaluate(MATH_OUTSIDE_ITS_CELL))
        if case in TYPESET else [],
        "requests to /api/": api_requests(opened.requests),
        "marker files": markers(course, token, case),
        "documents loaded after the page": opened.loads[1:],
    }
    assert found == {"ran": None, "active content": [], "student math seen outside its cell": [],
                     "requests to /api/": [], "marker files": [],
                     "documents loaded after the page": []}, f"links clicked: {clicked}"
    if typeset:
        assert page.evaluate("() => !!(window.MathJax && MathJax.isReady)"), "MathJax did not run in the page"


@pytest.mark.parametrize("case", NAMES)
def test_grading_page_shows_the_answer_and_runs_none_of_it(graded, server, browser, case):
    course, token = graded
    opened = open_page(browser, server, f"{server}/formgrader/submissions/{submission_id(course, case)}/",
                       headers={"Authorization": f"token {SERVER_TOKEN}"})
    page = opened.page
    try:
        assert opened.response.status == 200, opened.response.text()
        settle(page)
        check_inert(opened, course, token, case, typeset=True)  # with the server's own MathJax
        # Checked, not waited for: a page whose API calls a payload sent elsewhere would never load them.
        assert page.evaluate("() => !!(window.formgrader && formgrader.grades.loaded && formgrader.comments.loaded)"), \
            "formgrader did not load this submission's grades and comments from its own API"
        page.evaluate('() => document.getElementById("l1_explanation").closest(".cell").id = "answer-under-test"')
        answer = page.evaluate(TEXT_WITH_MATH, "#answer-under-test")
        for shown in SHOWN_TEXTS:
            assert shown in answer
    finally:
        page.context.close()


@pytest.mark.parametrize("case", NAMES)
def test_feedback_shows_the_answer_and_runs_none_of_it(graded, browser, case):
    course, token = graded
    feedback = course.root / "feedback" / case / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert feedback.is_file(), "generate_feedback wrote no feedback for this student"
    opened = open_page(browser, "file://", feedback.as_uri(), typeset=case in TYPESET)
    page = opened.page
    try:
        settle(page)
        check_inert(opened, course, token, case, typeset=case in TYPESET)
        text = page.evaluate(TEXT_WITH_MATH, "#notebook-container")
        for shown in SHOWN_TEXTS:
            assert shown in text
    finally:
        page.context.close()


def test_every_case_was_graded(graded):
    course, _ = graded
    assert sorted(course.scores()) == sorted(NAMES)
