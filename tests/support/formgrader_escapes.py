"""The formgrader escape catalogue (``tests/formgrader_escapes/``): its cases and what counts as inert.

Shared by ``tests/test_render.py`` (the payloads rendered without a browser)
and ``tests/test_formgrader_escapes.py`` (formgrader and feedback in chromium).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from grading.tools.scratch_course import NOTEBOOK

CASES_DIR = Path(__file__).resolve().parents[1] / "formgrader_escapes"
PLACEHOLDER = "__PAYLOAD__"
#: What every case's written answer starts with, and what the grader must still read: prose, math
#: holding ``<`` and ``&`` (kept as text for MathJax), a list and code.
SHOWN = ("L1 pulls every weight towards zero by the same amount.\n\n"
         "- with $|w| < \\lambda$ & no data gradient, $w$ ends at $0$\n"
         "- `np.sign(W)` is the subgradient\n")
SHOWN_TEXTS = ("L1 pulls every weight towards zero by the same amount.", "$|w| < \\lambda$ & no data gradient",
               "np.sign(W)")
#: Elements no student content may become in a rendered page.
ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "svg", "math", "base", "meta", "link", "form",
               "style", "button", "input", "textarea", "select", "template", "audio", "video", "source"}
#: Classes of the parts of nbgrader's cell panels that hold formgrader's own controls.
GRADER_CHROME = {"panel-heading", "panel-footer"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcdoc", "data", "xlink:href", "poster", "background",
                  "srcset", "ping"}
#: An SVG as an image runs no script and fetches nothing (nbconvert shows SVG outputs so).
_SVG_IMAGE = re.compile(r"data:image/svg\+xml;base64,", re.IGNORECASE)
#: URLs that neither run script nor reach the grader's server (the assignment's own text links a mailto:).
_SAFE_URL = re.compile(r"(?:https?://|mailto:|#|data:image/(?:png|jpeg|gif);base64,)", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    """One folder of the catalogue (see its README.md)."""

    name: str
    answer: str | None
    cells: list | None
    notebook_cell: str | None
    notebook_metadata: dict | None

    @classmethod
    def read(cls, folder: Path) -> Case:
        def text(name):
            path = folder / name
            return path.read_text(encoding="utf-8") if path.exists() else None

        cells, metadata = text("cells.json"), text("notebook_metadata.json")
        return cls(folder.name, text("answer.md"), json.loads(cells) if cells else None, text("notebook_cell.py"),
                   json.loads(metadata) if metadata else None)

    def filled(self, token: str) -> Case:
        """This case with every placeholder replaced by :func:`payload_js` of ``token``."""
        script = payload_js(token, self.name)

        def fill(value):
            return json.loads(json.dumps(value).replace(PLACEHOLDER, script)) if value is not None else None

        return Case(self.name, fill(self.answer), fill(self.cells), fill(self.notebook_cell),
                    fill(self.notebook_metadata))

    def markdown_sources(self) -> list[tuple[str, dict]]:
        """``(source, attachments)`` of every Markdown or raw text the case writes."""
        sources = [(SHOWN + "\n\n" + self.answer, {})] if self.answer else []
        for cell in self.cells or []:
            if cell.get("cell_type") in ("markdown", "raw"):
                sources.append((cell.get("source", ""), cell.get("attachments", {})))
        return sources


def cases() -> list[Case]:
    return [Case.read(folder) for folder in sorted(CASES_DIR.iterdir()) if folder.is_dir()]


def marker_name(token: str, case: str) -> str:
    return f"escape-{token}-{case}.txt"


def payload_js(token: str, case: str) -> str:
    """JavaScript without quotes, spaces or ``$`` that flags ``top.ESCAPED`` and PUTs a file through /api/contents."""
    script = (f"top.ESCAPED=`{case}`;fetch(`/api/contents/{marker_name(token, case)}`,{{method:`PUT`,"
              "body:JSON.stringify({type:`file`,format:`text`,content:`escaped`})})")
    assert not re.search(r"[\s\"'$<>]", script), script
    return script


def hand_in(course, case: Case, token: str) -> Path:
    """Submit ``case`` (placeholders filled) as the student named after it; return the notebook's path."""
    case = case.filled(token)
    folder = course.submit(case.name, answers={"l1_explanation": SHOWN + "\n\n" + (case.answer or "")},
                           added_cells=[case.notebook_cell] if case.notebook_cell else [])
    path = folder / NOTEBOOK
    notebook = json.loads(path.read_text(encoding="utf-8"))
    if case.cells:
        after = 1 + next(i for i, cell in enumerate(notebook["cells"])
                         if cell["metadata"].get("nbgrader", {}).get("grade_id") == "l1_explanation")
        notebook["cells"][after:after] = case.cells
    if case.notebook_metadata:
        notebook["metadata"].update(case.notebook_metadata)
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")  # as written, valid or not
    return path


def _mathjax_own(element) -> bool:
    """Whether ``element`` is one MathJax writes for each formula it typesets: the ``script`` of type
    ``math/tex`` holding its TeX source (data, never run), or the ``math`` element of its assistive MathML."""
    if element.name == "script":
        return str(element.get("type", "")).startswith("math/tex")
    return element.name == "math" and element.find_parent(class_="MJX_Assistive_MathML") is not None


def active_content(html: str, typeset: bool = False) -> list[str]:
    """What in the cells of a rendered page (``#notebook-container``, else the body) could run or fetch.

    Elements in :data:`ACTIVE_TAGS`, event-handler attributes, and URL
    attributes other than http(s), mailto, same-page fragments and inline
    PNG/JPEG/GIF data; the list is empty for an inert page. The headings and
    footers of nbgrader's cell panels (formgrader's score fields and comment
    box, :data:`GRADER_CHROME`) are the page's own and left out. ``typeset``: the page is as a browser
    left it after MathJax ran, whose own ``math/tex`` scripts and assistive ``math`` elements are not
    counted as elements (their attributes are still checked).
    """
    soup = BeautifulSoup(html, "html.parser")
    root = soup.find(id="notebook-container") or soup.body or soup
    found = []
    for element in root.find_all(True):
        chrome = set(element.get("class", [])) & GRADER_CHROME
        if chrome or element.find_parent(class_=sorted(GRADER_CHROME)) is not None:
            continue
        if element.name.lower() in ACTIVE_TAGS and not (typeset and _mathjax_own(element)):
            found.append(f"<{element.name}>")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"<{element.name} {name}>")
            elif (name.lower() in URL_ATTRIBUTES and not _SAFE_URL.match(value.strip())
                  and not (element.name == "img" and name == "src" and _SVG_IMAGE.match(value.strip()))):
                found.append(f"<{element.name} {name}={value[:60]!r}>")
    return found


def api_requests(urls: list[str]) -> list[str]:
    """The URLs among ``urls`` that reach the Jupyter server's own API (``/api/...``), not formgrader's."""
    return [url for url in urls if urlsplit(url).path.startswith("/api/")]
