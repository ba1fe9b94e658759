"""``./run demo`` leaves a complete course folder, and the commands it suggests work there.

The demo is run as ``./run demo`` runs it (``python -m grading.tools.demo``, here
into a temporary folder); then every command it prints that finishes
(feedback, export, class report) runs verbatim inside that folder, as a new
instructor would run it after ``cd demo``.
"""

import base64
import re
import subprocess
from html.parser import HTMLParser

import pytest

from grading.tools.demo import NEXT_COMMANDS
from grading.tools.scratch_course import REPO, nbgrader_env
from support.helpers import reference_module_source, run_demo, solution_lines

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels, a server or a browser

STUDENTS = ["ada", "ben", "cem"]
#: Commands that start a server (formgrader) are left to tests/test_formgrader.py.
FINISHING = [command for command, _ in NEXT_COMMANDS if not command.startswith("jupyter lab")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's course folder, its printed output, and the logs of the commands run inside it."""
    root = tmp_path_factory.mktemp("demo") / "demo"
    printed = run_demo(root)
    logs = {}
    for command in FINISHING:
        ran = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=root,
                             env=nbgrader_env(), capture_output=True, text=True)
        assert ran.returncode == 0, f"{command} failed inside the demo folder:\n{ran.stdout}\n{ran.stderr}"
        logs[command] = ran.stdout + ran.stderr
    return root, printed, logs


def test_demo_folder_is_configured_by_the_repository_config(demo):
    root, _, _ = demo
    config = root / "nbgrader_config.py"
    assert config.resolve() == (REPO / "nbgrader_config.py").resolve()


def test_demo_ends_by_printing_the_next_commands_to_run_in_its_folder(demo):
    root, output, _ = demo
    after_grades = output.split("Gradebook:", 1)[1]
    assert str(root) in after_grades
    for command, _ in NEXT_COMMANDS:
        assert command in after_grades


def test_feedback_generated_inside_the_demo_hides_tests_checks_and_solutions(demo):
    root, _, _ = demo
    hidden = ["BEGIN HIDDEN TESTS", "run_check", "checks.py", "grading/", "For graders only"]
    solution = solution_lines(reference_module_source())
    assert solution, "the master module has no solution lines to look for"
    for student in STUDENTS:
        folder = root / "feedback" / student / "assignment2"
        html = (folder / "assignment2.html").read_text(encoding="utf-8")
        assert "L1_reg" in html  # it is the student's notebook
        for text in hidden:
            assert text not in html, f"{student}'s feedback shows {text!r}"
        for path in folder.rglob("*"):
            if path.is_file():
                content = path.read_text(encoding="utf-8", errors="replace")
                leaked = [line for line in solution if line in content]
                assert not leaked, f"{path.relative_to(root)} holds solution lines {leaked}"


def test_feedback_inside_the_demo_still_says_which_checks_failed(demo):
    root, _, _ = demo
    html = (root / "feedback" / "ben" / "assignment2" / "assignment2.html").read_text(encoding="utf-8")
    assert "CheckFailed" in html


def test_export_inside_the_demo_lists_every_student(demo):
    root, _, _ = demo
    rows = (root / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert sorted(row.split(",")[rows[0].split(",").index("student_id")] for row in rows[1:]) == STUDENTS


class _Page(HTMLParser):
    """What a browser would load for a page: every src/href, the images, the table cells, and the links."""

    def __init__(self):
        super().__init__()
        self.references, self.images, self.cells, self.links = [], [], [], []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":  # a link is followed when clicked, not loaded with the page
            self.links.append(attrs.get("href", ""))
        for name in ("src", "href", "data", "srcset", "poster"):
            if attrs.get(name) and tag != "a":
                self.references.append(attrs[name])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        self._in_cell = tag in ("td", "th")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell and data.strip():
            self.cells.append(data.strip())


def test_class_report_html_is_one_self_contained_page_with_tables_and_both_plots(demo):
    root, _, _ = demo
    text = (root / "reports" / "assignment2" / "report.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    external = [ref for ref in page.references if not ref.startswith("data:")]
    assert not external, f"the page loads other files: {external}"
    assert set(page.links) <= {"similarity.html"}, page.links  # the one link: the similarity report beside it
    assert not re.search(r"url\((?!['\"]?data:)", text), "the style sheet loads other files"
    assert len(page.images) == 2
    for image in page.images:
        prefix = "data:image/png;base64,"
        assert image.startswith(prefix)
        assert base64.b64decode(image[len(prefix):])[:4] == b"\x89PNG"
    for student in STUDENTS:
        assert student in page.cells
    for check in ("l1_loss", "l2_gradient"):
        assert check in page.cells


def test_class_report_keeps_the_markdown_beside_the_html(demo):
    root, _, _ = demo
    markdown = (root / "reports" / "assignment2" / "report.md").read_text(encoding="utf-8")
    assert "![score distribution](scores.png)" in markdown
    assert all(f"| {student} |" in markdown for student in STUDENTS)
