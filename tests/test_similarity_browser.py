"""``similarity.html`` in a real browser (Debian's chromium through Playwright): student text is text.

The synthetic class of ``tests/test_similarity.py``, with the copied pair p3a and
p3b handing in a written answer that carries HTML and script. The page is
opened from disk, as an instructor opens it; every request it makes is refused
and recorded (it must make none). Nothing the students wrote may run: no
dialog, no changed title, no element of theirs, and their markup reads as
written. The page is screenshotted into ``docs/similarity.png`` (linked from
docs/semester.md) each time the test runs.
"""

import pytest

from grading.tools.scratch_course import REPO
from grading.tools.similarity import SimilarityReport, run
from support.browser import chromium
from support.similarity_class import ORIGINALS, build_class

pytestmark = pytest.mark.e2e  # a browser

SCREENSHOT = REPO / "docs" / "similarity.png"
HOSTILE = ('<script>document.title = "owned"; window.ran = 1</script>'
           '<img src="x" onerror="window.ran = 2; alert(1)"><b onmouseover="window.ran = 3">bold</b> ')


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    answer = HOSTILE + ORIGINALS["l1_explanation"][0]
    root = build_class(tmp_path_factory.mktemp("similarity-browser") / "course",
                       extra_answers={"p3a": {"l1_explanation": answer}, "p3b": {"l1_explanation": answer}})
    return run(root, "assignment2", SimilarityReport())["html"]


def test_student_html_and_script_show_as_text_and_run_nothing(page_file):
    requests, dialogs = [], []
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(0)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                      else (requests.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        pair = page.locator("div.pair", has_text="p3a and p3b: l1_explanation")
        assert pair.count() == 1
        text = pair.inner_text()
        assert '<script>document.title = "owned"; window.ran = 1</script>' in text
        assert '<img src="x" onerror="window.ran = 2; alert(1)">' in text
        pair.locator("mark").first.hover()
        state = page.evaluate("""() => ({ran: window.ran ?? null, title: document.title,
            scripts: document.scripts.length, images: document.images.length,
            handlers: document.querySelectorAll("[onerror], [onmouseover], [onclick]").length,
            inStudentBoxes: [...document.querySelectorAll(".student-content *")].map(e => e.tagName)
                .filter(tag => !["PRE", "MARK"].includes(tag))})""")
        assert state == {"ran": None, "title": "Similarity report: assignment2", "scripts": 0, "images": 0,
                         "handlers": 0, "inStudentBoxes": []}
        assert not dialogs and not requests, "the page made a request or ran script"

        page.locator("div.pair").first.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollTo(0, 0)")
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        context.close()
