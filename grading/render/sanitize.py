"""The allow-list that student HTML goes through before a browser sees it.

``clean(html)`` returns HTML that keeps what a written answer needs to be read
(paragraphs, emphasis, lists, headings, tables, code with its highlighting,
block quotes, links, inline images) and nothing that runs or reaches
anything:

- no script, style, frame, object, form, SVG, MathML, ``base`` or ``meta``
  element: the tag goes, its text stays (script and style lose their text
  too);
- no attribute but the few listed in :data:`ATTRIBUTES`, so no event
  handler, ``style``, ``id`` or ``name`` (ids could shadow the grading
  page's own elements and globals);
- links only to ``http:`` and ``https:`` URLs (never ``javascript:``,
  ``data:`` or a path on the grader's server), with ``rel="noopener
  noreferrer"``; images only from inline ``data:image/png``, ``jpeg`` or
  ``gif`` base64 data (never a URL the grader's browser would fetch);
  ``width`` and ``height`` only as plain positive numbers;
- ``class`` only with the names nbconvert's code highlighting uses (Pygments
  token classes, ``highlight``, ``hl-<lexer>``), so no student element takes
  on the grading page's styles or behaviour.

Math written as ``$...$`` or ``$$...$$`` is text here: nbconvert's Markdown
renderer escapes ``<`` and ``&`` inside it and this serializer keeps them
escaped, so MathJax reads the formula as written.

The sanitizer is ``nh3`` (Python bindings of the Rust ``ammonia``, an
HTML5 parser with an allow-list), pinned in ``requirements.txt``.
"""

from __future__ import annotations

import re

import nh3
from pygments.token import STANDARD_TYPES

TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span",
    "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "mark", "small",
    "code", "pre", "kbd", "samp", "var", "blockquote", "q", "cite", "abbr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "a", "img",
})
#: Elements removed with everything inside them (the rest lose only their tags).
DROPPED_WITH_CONTENT = frozenset({"script", "style"})
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "div": {"class"},
    "span": {"class"},
    "pre": {"class"},
    "code": {"class"},
    "abbr": {"title"},
}
#: Class names kept: those nbconvert's code highlighting writes.
CLASSES = frozenset({name for name in STANDARD_TYPES.values() if name} | {"highlight"})
_LEXER_CLASS = re.compile(r"hl-[A-Za-z0-9_+-]{1,40}")
_WEB_URL = re.compile(r"https?://[^\s]+", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif);base64,[A-Za-z0-9+/\s]*={0,2}\s*")
_SIZE = re.compile(r"[1-9][0-9]{0,4}(?:\.[0-9]{1,4})?%?")
_NUMBER = re.compile(r"[0-9]{1,4}")


def _attribute(tag: str, name: str, value: str) -> str | None:
    """Keep an allowed attribute's value only when it is of the expected form (None drops it)."""
    if name == "class":
        kept = [word for word in value.split() if word in CLASSES or _LEXER_CLASS.fullmatch(word)]
        return " ".join(kept) or None
    if name == "href":
        return value if _WEB_URL.fullmatch(value) else None
    if name == "src":
        return value if _DATA_IMAGE.fullmatch(value) else None
    if name in ("width", "height"):
        return value if _SIZE.fullmatch(value.strip()) else None
    if name in ("colspan", "rowspan", "start"):
        return value if _NUMBER.fullmatch(value.strip()) else None
    if name == "align":
        return value if value.lower() in ("left", "right", "center") else None
    return value  # title, alt, rel: plain text, which the serializer escapes


def clean(html: str) -> str:
    """``html`` with only the elements and attributes above (see the module's docstring)."""
    return nh3.clean(
        str(html),
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=_attribute,
        url_schemes={"http", "https", "data"},
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
