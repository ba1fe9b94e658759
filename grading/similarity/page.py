"""``similarity.html``: the pairs above the threshold, side by side, the matching regions marked.

The page is one file that needs nothing else and runs nothing: no script at
all, and a Content-Security-Policy that forbids any (and every fetch, image or
font) should a student's text ever carry one through. Student text is shown as
*text*: each piece escaped, the shared regions wrapped in ``<mark>``, and the
result passed through formgrader's allow-list
(:func:`grading.render.sanitize.clean`) and its box (:func:`grading.render.filters.contained`),
as formgrader renders a written answer.
"""

from __future__ import annotations

import html

from grading.render.filters import contained
from grading.render.sanitize import clean

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

STYLE = """
body{font-family:sans-serif;margin:1em auto;max-width:90em;padding:0 1em}
.pair{border-top:2px solid #888;margin-top:1.5em}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1em}
.side h4{margin:.3em 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;padding:.5em;font-size:90%;margin:.2em 0}
mark{background:#ffd54f}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
"""


def marked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` as sanitized HTML: escaped, the ``[start, end)`` ``spans`` in ``<mark>``, in formgrader's box."""
    pieces, position = [], 0
    for start, end in spans:
        pieces.append(html.escape(text[position:start]))
        pieces.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        position = end
    pieces.append(html.escape(text[position:]))
    return contained(clean("<pre>" + "".join(pieces) + "</pre>"))


def _side(student: str, link: str, segments: list[tuple[str, str, list]]) -> str:
    body = "".join(f"<h4>{html.escape(label)}</h4>{marked(text, spans)}" for label, text, spans in segments)
    return (f'<div class="side"><h3><a href="{html.escape(link, quote=True)}" rel="noopener noreferrer">'
            f"{html.escape(student)}</a> (formgrader)</h3>{body}</div>")


def render(assignment: str, threshold: float, shown: list[dict], skipped: list[dict], summary: str,
           explanation: str) -> str:
    """The page. ``shown``: per pair ``{"a", "b", "part", "score", "link_a", "link_b", "side_a", "side_b"}``,
    each side a list of ``(label, text, spans)``; ``skipped``: ``{"student", "file", "reason"}``."""
    title = html.escape(f"Similarity report: {assignment}")
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{title}</title>", f"<style>{STYLE}</style>", "</head>", "<body>", f"<h1>{title}</h1>",
        f"<p>{html.escape(summary)}</p>", f"<p>{html.escape(explanation)}</p>",
    ]
    if not shown:
        parts.append(f"<p>No pair scores {threshold:g} or more.</p>")
    for number, pair in enumerate(shown, 1):
        parts.append(
            f'<div class="pair"><h2>{number}. {html.escape(pair["a"])} and {html.escape(pair["b"])}: '
            f'{html.escape(pair["part"])}, score {pair["score"]:.2f}</h2><div class="sides">'
            + _side(pair["a"], pair["link_a"], pair["side_a"]) + _side(pair["b"], pair["link_b"], pair["side_b"])
            + "</div></div>")
    if skipped:
        rows = "".join(f"<tr><td>{html.escape(item['student'])}</td><td>{html.escape(item['file'])}</td>"
                       f"<td>{html.escape(item['reason'])}</td></tr>" for item in skipped)
        parts.append("<h2>Not compared</h2><table><thead><tr><th>student</th><th>file</th><th>why</th></tr>"
                     f"</thead><tbody>{rows}</tbody></table>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
