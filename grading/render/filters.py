"""nbconvert Jinja filters that show student text and never run it.

Named in ``nbgrader_config.py`` (``c.HTMLExporter.filters``); nbconvert's
``TemplateExporter`` lets such filters replace its own of the same name, in
every ``HTMLExporter`` built from that configuration: formgrader's grading
page and ``nbgrader generate_feedback``.

- ``markdown2html`` (:class:`SafeMarkdown2HTML`): nbconvert's own Markdown
  rendering (the cell's attachments, math, code highlighting), then
  :func:`grading.render.sanitize.clean`. Formgrader's and the feedback's
  templates (nbgrader's ``formgrade`` and ``feedback``) render Markdown cells
  with ``markdown2html`` and no sanitizing of their own, so this is where a
  written answer's raw HTML is made inert. A cell nbconvert cannot render (a
  missing attachment raises) shows its source as text instead of failing the
  whole page.
- ``clean_html`` (:func:`clean_html`): what nbconvert's templates apply to
  HTML outputs, Markdown outputs and raw cells when ``HTMLExporter.sanitize_html``
  is on; the same allow-list instead of nbconvert's own (which would escape
  headings, paragraphs and tables).
- Both return the student's HTML inside a box of its own (:func:`contained`):
  MathJax typesets the math in it afterwards, in the grader's browser, and
  TeX can draw far outside a formula (``\\smash``, ``\\raise``, ``\\rlap``, a
  white ``\\rule``, ``\\style`` with negative margins, which MathJax's ``Safe``
  extension allows): over the score fields, another answer or the model
  answer. The box clips whatever is drawn outside it (CSS ``contain: paint``)
  and scrolls what is wider than the cell.
- A model answer (a Markdown cell that ``AddModelAnswers`` inserted, which
  removed any cell of the submission's bearing the same mark) is framed as
  the course's own (:data:`MODEL_ANSWER`): a student's look-alike cell, with
  the same text, renders without the frame, which the sanitizer never lets
  a student write.
- ``get_metadata`` (:func:`get_metadata`): nbconvert's, except that an image's
  ``width`` and ``height`` are returned only as positive numbers. nbconvert's
  classic template writes them into ``<img>`` unquoted (``width={{ width }}``),
  where ``1 onerror=...`` would become an attribute of its own.

Two behaviours of the pinned libraries this relies on, both pinned by
``tests/test_render.py`` (which builds formgrader's exporter as formgrader does):
nbconvert constructs a ``HasTraits`` filter class with ``parent=<the exporter>``
(so :class:`SafeMarkdown2HTML` reaches the exporter's own ``markdown2html``), and
jinja2 honours ``pass_context`` on any callable it is applied to (here the class,
so its instances receive the template's context).
"""

from __future__ import annotations

import html
import math
from typing import Any

from jinja2 import pass_context
from nbconvert.filters import get_metadata as nbconvert_get_metadata
from traitlets.config import LoggingConfigurable

from grading.preprocessors.model_answers import is_model_answer
from grading.render.sanitize import clean


@pass_context  # the filter instance receives the template's context first (jinja's flag on the object)
class SafeMarkdown2HTML(LoggingConfigurable):
    """``markdown2html`` of the exporter that builds this filter (its ``parent``), then sanitized."""

    def __call__(self, context, source: str) -> str:
        try:
            rendered = self.parent.markdown2html(context, source)
        except Exception as error:  # noqa: BLE001 (a student's cell must not take the page down)
            self.log.warning("A Markdown cell could not be rendered (%s); shown as text.", error)
            return contained(f"<pre>{html.escape(str(source))}</pre>")
        if is_model_answer(context.get("cell", {})):
            return MODEL_ANSWER.format(clean(rendered))
        return contained(clean(rendered))


def clean_html(element: str | bytes) -> str:
    """nbconvert's ``clean_html`` contract (str or bytes in, HTML out) with the course's allow-list."""
    return contained(clean(element.decode() if isinstance(element, bytes) else str(element)))


#: The box around every piece of student HTML (the sanitizer keeps no ``style`` or class of this name, so a
#: student cannot write one, nor take its clipping away).
CONTAINER = '<div class="student-content" style="contain: paint; overflow-x: auto;">{}</div>'


#: The frame of a model answer the course inserted: a style and class the sanitizer never keeps in student
#: content, so no submission can draw it.
MODEL_ANSWER = ('<div class="course-model-answer" style="contain: paint; overflow-x: auto; '
                'border-left: 6px solid #2e7d32; background: #f1f8e9; padding: 0.5em 1em;">{}</div>')


def contained(html_text: str) -> str:
    """``html_text`` (already sanitized) in :data:`CONTAINER`: nothing in it is seen outside its box."""
    return CONTAINER.format(html_text)


def get_metadata(output: dict, key: str, mimetype: str | None = None) -> Any:
    """nbconvert's ``get_metadata``; ``width``/``height`` only if a finite positive number, else None."""
    value = nbconvert_get_metadata(output, key, mimetype)
    if key in ("width", "height"):
        return value if is_positive_number(value) else None
    return value


def is_positive_number(value: Any) -> bool:
    """An int or float (not a bool, string or anything else) that is finite and above zero."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)
