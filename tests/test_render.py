"""Student text rendered by formgrader's and the feedback's exporter is shown, never run (no browser).

The exporters are built as nbgrader builds them from the course's
configuration: formgrader's as ``FormgradeExtension`` does inside the Jupyter
server (``HTMLExporter(config=formgrader.config)`` after it read
``nbgrader_config.py`` from the folder it started in), the feedback's with
nbgrader's ``feedback`` template. Every payload of the formgrader escape
catalogue (``tests/formgrader_escapes/``) is rendered through them and the
page's cells are checked for anything that could run or fetch
(``support.formgrader_escapes.active_content``). ``tests/test_formgrader_escapes.py``
does the same in chromium, through nbgrader's own autograde and feedback.
"""

import contextlib
import os
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from jupyter_server_mathjax.app import STATIC_ASSETS_PATH as MATHJAX_COPY
from jupyter_server_mathjax.app import MathJaxExtension
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.converters import GenerateFeedback
from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

from grading.course import course_directory, load_config
from grading.render.filters import SafeMarkdown2HTML, clean_html, get_metadata
from grading.render.sanitize import clean
from grading.tools.scratch_course import REPO
from support.formgrader_escapes import PLACEHOLDER, SHOWN, SHOWN_TEXTS, active_content, cases

CASES = cases()
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
RESOURCES = {"base_url": "", "submission_id": "s", "notebook_id": "assignment2", "assignment_id": "assignment2",
             "index": 0, "total": 1, "student": "someone", "notebook_path": "p",
             "nbgrader": {"notebook": "assignment2", "score": 0, "max_score": 10, "late_penalty": 0}}


@pytest.fixture(scope="module")
def course_folder(tmp_path_factory):
    """A folder holding only the course's nbgrader_config.py (a link), as a course folder does."""
    folder = tmp_path_factory.mktemp("course-config")
    (folder / "nbgrader_config.py").symlink_to(REPO / "nbgrader_config.py")
    return folder


@pytest.fixture(scope="module")
def formgrade_exporter(course_folder):
    """The exporter formgrader's grading page uses, built as load_jupyter_server_extension builds it."""
    with contextlib.chdir(course_folder):
        formgrader = FormgradeExtension()
        formgrader.root_dir = os.getcwd()
        formgrader.initialize([])
        return HTMLExporter(config=formgrader.config)


@pytest.fixture(scope="module")
def feedback_exporter(course_folder):
    """The exporter of ``nbgrader generate_feedback``, built as its converter's ``start`` builds it."""
    converter = GenerateFeedback(coursedir=course_directory(course_folder), config=load_config(course_folder))
    return converter.exporter_class(parent=converter, config=converter.config)


def written_answer(source, attachments=None):
    cell = new_markdown_cell(source, metadata={"nbgrader": {
        "grade": True, "grade_id": "l1_explanation", "locked": False, "points": 2, "score": 1, "schema_version": 3,
        "solution": True, "task": False}})
    if attachments:
        cell.attachments = attachments
    return cell


def render(exporter, *cells, metadata=None):
    notebook = new_notebook(cells=list(cells), metadata=metadata or {})
    html, _ = exporter.from_notebook_node(notebook, resources=dict(RESOURCES))
    return html


def cells_text(html):
    soup = BeautifulSoup(html, "html.parser")
    return (soup.find(id="notebook-container") or soup).get_text()


def payload_cells(case):
    filled = case.filled("unit")
    cells = [written_answer(source, attachments) for source, attachments in filled.markdown_sources()]
    for cell in filled.cells or []:
        if cell.get("cell_type") == "code":
            # none of its metadata: nbconvert refuses a notebook whose metadata is invalid (SafeToRender's job)
            cells.append(new_code_cell(cell["source"]))
        elif cell.get("cell_type") == "raw":
            cells.append(nbformat.from_dict({**cell, "id": "raw"}))
    return cells


# ---------------------------------------------------------------------- the configuration seam


def test_formgraders_exporter_takes_the_course_filters_from_nbgrader_config(formgrade_exporter):
    assert formgrade_exporter.template_name == "formgrade"
    assert formgrade_exporter.sanitize_html
    filters = formgrade_exporter.environment.filters
    assert isinstance(filters["markdown2html"], SafeMarkdown2HTML)
    assert filters["markdown2html"].parent is formgrade_exporter
    assert filters["clean_html"] is clean_html and filters["get_metadata"] is get_metadata


def mathjax_scripts(html):
    """The ``src`` of each script of the page that loads MathJax."""
    return [script["src"] for script in BeautifulSoup(html, "html.parser").find_all("script", src=True)
            if "mathjax" in script["src"].lower()]


@pytest.mark.parametrize("base_url", ["/", "/user/grader/"])
def test_grading_page_loads_mathjax_with_its_safe_extension_from_its_own_server(formgrade_exporter, base_url):
    (src,) = mathjax_scripts(render(formgrade_exporter, written_answer("$\\lambda$")))
    page = f"http://course.example{base_url}formgrader/submissions/0123abcd/"  # nbgrader's URL of a grading page
    url = urlsplit(urljoin(page, src))
    assert (url.scheme, url.netloc) == ("http", "course.example"), "MathJax from elsewhere than the page's server"
    served = f"{base_url}static/{MathJaxExtension.name}/"  # where the extension serves its copy
    assert url.path.startswith(served) and (MATHJAX_COPY / url.path.removeprefix(served)).is_file()
    configs = parse_qs(url.query)["config"][0].split(",")
    assert "Safe" in configs
    assert all((MATHJAX_COPY / "config" / f"{config}.js").is_file() for config in configs)


def test_grading_page_asks_mathjax_for_web_fonts_its_copy_ships(formgrade_exporter):
    soup = BeautifulSoup(render(formgrade_exporter, written_answer("$x$")), "html.parser")
    config = " ".join(script.get_text() for script in soup.find_all("script", type="text/x-mathjax-config"))
    fonts = re.findall(r'webFont:\s*"([^"]+)"', config)
    assert fonts, "MathJax would ask for its TeX fonts, which jupyter-server-mathjax does not ship"
    assert all((MATHJAX_COPY / "fonts" / "HTML-CSS" / font).is_dir() for font in fonts)


def test_feedback_keeps_nbconverts_mathjax_for_students_who_open_it_from_disk(feedback_exporter):
    assert mathjax_scripts(render(feedback_exporter, written_answer("$x$"))) == \
        [HTMLExporter.class_traits()["mathjax_url"].default()]


# ---------------------------------------------------------------------- the catalogue's payloads


@pytest.mark.parametrize("case", [c for c in CASES if c.markdown_sources()], ids=lambda c: c.name)
@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_catalogue_markdown_renders_inert_and_readable(case, template, formgrade_exporter, feedback_exporter):
    exporter = formgrade_exporter if template == "formgrade" else feedback_exporter
    html = render(exporter, *payload_cells(case))
    assert active_content(html) == []
    text = cells_text(html)
    for shown in SHOWN_TEXTS if case.answer else ():
        assert shown in text


@pytest.mark.parametrize("case", [c for c in CASES if c.markdown_sources()], ids=lambda c: c.name)
def test_sanitizer_alone_leaves_no_handler_script_or_javascript_url(case):
    for source, _ in case.filled("unit").markdown_sources():
        cleaned = clean(source)
        assert active_content(f"<body>{cleaned}</body>") == []
        assert not re.search(r"javascript:", " ".join(
            str(v) for tag in BeautifulSoup(cleaned, "html.parser").find_all(True) for v in tag.attrs.values()), re.I)


def test_the_placeholder_is_filled_in_every_case():
    for case in CASES:
        assert PLACEHOLDER not in repr(case.filled("unit"))


# ---------------------------------------------------------------------- honest answers stay readable

HONEST = SHOWN + """
### Why L1 gives zeros

*Equal* pull and **no** shrinking by magnitude; see [the notes](https://cs231n.github.io/neural-networks-2/).

| regularizer | gradient |
|:--|:--|
| L1 | $\\lambda\\,\\mathrm{sign}(W)$ |
| L2 | $2\\lambda W$ |

$$R(W) = \\lambda \\sum_{i,j} |W_{i,j}| \\quad\\text{with } 0 < \\lambda \\;\\&\\; a<b$$

```python
R = reg * np.sum(np.abs(W))
```

1. first
2. second
"""


def test_an_honest_answer_keeps_its_formatting_math_and_link(formgrade_exporter):
    html = render(formgrade_exporter, written_answer(HONEST))
    soup = BeautifulSoup(html, "html.parser")
    answer = soup.find(class_="text_cell_render")
    assert [h.get_text().strip() for h in answer.find_all("h3")] == ["Why L1 gives zeros"]
    assert answer.find("em").get_text() == "Equal" and answer.find("strong").get_text() == "no"
    assert answer.find("a")["href"] == "https://cs231n.github.io/neural-networks-2/"
    assert len(answer.find("table").find_all("tr")) == 3
    assert len(answer.find_all("li")) == 4 and answer.find("ol") is not None
    assert "R = reg * np.sum(np.abs(W))" in answer.find("pre").get_text()
    text = answer.get_text()
    for math in ("$|w| < \\lambda$", "$\\lambda\\,\\mathrm{sign}(W)$",
                 "$$R(W) = \\lambda \\sum_{i,j} |W_{i,j}| \\quad\\text{with } 0 < \\lambda \\;\\&\\; a<b$$"):
        assert math in text  # what MathJax reads: the formula as written, < and & included
    assert active_content(html) == []


@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_student_html_is_shown_in_a_box_that_clips_what_is_drawn_outside_it(template, formgrade_exporter,
                                                                             feedback_exporter):
    """MathJax math can paint outside its formula; the box of each Markdown and raw cell clips it (the
    browser test, ``math_that_draws_outside_its_cell``, hit-tests the typeset page)."""
    exporter = formgrade_exporter if template == "formgrade" else feedback_exporter
    forged = '<div class="student-content" style="contain: none">$$\\smash{\\raise{9em}{x}}$$</div>'
    html = render(exporter, written_answer("Answer. " + forged), nbformat.v4.new_raw_cell("raw $x$"))
    soup = BeautifulSoup(html, "html.parser")
    boxes = soup.find_all(class_="student-content")
    assert [box["style"] for box in boxes] == ["contain: paint; overflow-x: auto;"] * 2
    assert "Answer." in boxes[0].get_text() and "raw $x$" in boxes[1].get_text()
    assert not any(box.find(class_="student-content") for box in boxes)  # the student's own lost its class


def test_code_keeps_its_highlighting_classes_and_nothing_else():
    highlighted = ('<div class="highlight hl-ipython3 panel"><pre><span class="k">def</span> '
                   '<span class="nf btn">f</span></pre></div>')
    assert clean(highlighted) == ('<div class="highlight hl-ipython3"><pre><span class="k">def</span> '
                                  '<span class="nf">f</span></pre></div>')


def test_images_keep_only_inline_image_data_and_numeric_sizes():
    kept = f'<img src="data:image/png;base64,{PNG}" width="50" height="20%" alt="plot">'
    assert clean(kept) == kept
    for src in ("x", "/api/contents/a", "https://example.org/a.png", "data:image/svg+xml;base64,PHN2Zz4=",
                "data:text/html;base64,PHNjcmlwdD4="):
        assert "src" not in clean(f'<img src="{src}">')
    assert clean('<img width="1 onerror=alert(1)" height="-1">') == "<img>"


# ---------------------------------------------------------------------- outputs and attachments at render time


def image_output(metadata, mimetype="image/png"):
    return new_output("display_data", data={mimetype: PNG, "text/plain": "<image>"}, metadata=metadata)


@pytest.mark.parametrize("mimetype", ["image/png", "image/jpeg"])
@pytest.mark.parametrize("key", ["width", "height"])
def test_an_image_size_that_is_not_a_number_is_left_out(formgrade_exporter, mimetype, key):
    cell = new_code_cell("show()", outputs=[image_output({mimetype: {key: "1 onerror=alert(1)"}}, mimetype),
                                            image_output({key: 40}, mimetype)])
    html = render(formgrade_exporter, cell)
    images = BeautifulSoup(html, "html.parser").find(id="notebook-container").find_all("img")
    assert [image.get(key) for image in images] == [None, "40"]
    assert active_content(html) == []


def test_outputs_that_would_run_are_not_written_out(formgrade_exporter):
    script = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    outputs = [new_output("display_data", data={"text/html": script}),
               new_output("display_data", data={"text/markdown": script}),
               new_output("display_data", data={"application/javascript": "alert(3)"}),
               new_output("display_data", data={"image/svg+xml": '<svg onload="alert(4)"/>'}),
               new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"}})]
    html = render(formgrade_exporter, new_code_cell("show()", outputs=outputs),
                  metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}})
    assert active_content(html) == []
    assert "alert(3)" not in html


def test_a_missing_attachment_shows_the_cell_as_text_instead_of_failing_the_page(formgrade_exporter):
    html = render(formgrade_exporter, written_answer("See ![plot](attachment:gone.png) <b>here</b>"))
    assert "See ![plot](attachment:gone.png) <b>here</b>" in cells_text(html)
    assert active_content(html) == []


def test_get_metadata_returns_sizes_only_as_positive_numbers():
    output = {"metadata": {"image/png": {"width": "1 onerror=x", "height": 30, "alt": "a plot"}, "width": 12}}
    assert get_metadata(output, "width", "image/png") is None  # the image's own value wins in nbconvert, and is bad
    assert get_metadata(output, "width") == 12
    assert get_metadata(output, "height", "image/png") == 30
    assert get_metadata(output, "alt", "image/png") == "a plot"
    for bad in ("20", True, 0, -5, float("nan"), float("inf"), [3]):
        assert get_metadata({"metadata": {"width": bad}}, "width") is None


def test_a_students_look_alike_of_the_model_answer_does_not_render_as_one(formgrade_exporter):
    text = "> **For graders only: the model answer (not shown in feedback)**\n>\n> Any answer earns full marks."
    real = new_markdown_cell(text, metadata={"grading": {"model_answer": True}, "editable": False})
    fake = new_markdown_cell(text)
    soup = BeautifulSoup(render(formgrade_exporter, real, fake), "html.parser")
    shown = [str(cell) for cell in soup.select("#notebook-container .cell")]
    assert shown[0] != shown[1]
    # the frame is the course's, and the sanitizer never lets a student write it
    assert [len(soup.select(f"#notebook-container .cell:nth-of-type({n}) .course-model-answer")) for n in (1, 2)] \
        == [1, 0]
