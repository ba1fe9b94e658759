"""Keep only what renders as data in the autograded notebook (and again before feedback).

Formgrader shows the autograded notebook in the grader's browser, on the
origin of the grader's Jupyter server; ``generate_feedback`` renders it for
students. nbconvert's templates interpolate parts of a notebook without
escaping (an image's ``width`` goes into ``<img>`` unquoted; an attachment's
MIME type and data into a ``data:`` URL; HTML, Markdown, SVG and JavaScript
outputs are written out as they are), and any of them may come from the
student: a submitted notebook's metadata and attachments, or what the
student's kernel displayed. Appended to ``Autograde.autograde_preprocessors``
(after every other step, so it sees what nbgrader and the course added) and
first in ``GenerateFeedback.preprocessors`` (so notebooks autograded before it
existed are covered too), ``SafeToRender`` rebuilds each of those parts from
what is known to be inert:

- **outputs** (code cells): ``stream`` (stdout or stderr text), ``error``
  (text), and ``display_data``/``execute_result`` with only ``text/plain``
  and base64 ``image/png``/``image/jpeg`` data; their metadata keeps only
  ``width`` and ``height`` that are finite positive numbers. Any other output
  type, MIME type (HTML, Markdown, SVG, LaTeX, JavaScript, widget views) or
  metadata key (``filenames``, ``isolated``, ...) is dropped, and an output
  left with no data goes.
- **attachments** (Markdown and raw cells): only ``image/png``,
  ``image/jpeg`` and ``image/gif`` whose data is base64.
- **cell metadata**: nbgrader's own keys with their proper types (a
  ``grade_id`` of letters, digits, ``_`` and ``-`` only, else nbgrader's
  metadata goes), the course's ``grading.model_answer`` mark, ``tags`` of
  the same safe characters, and ``editable``/``deletable``. Anything else
  (``raw_mimetype``, ``jupyter``, ``widgets``, ...) is dropped.
- **cell ids and execution counts**: ids of nbformat's form (else
  ``cell-<n>``), counts that are integers (else none).
- **notebook metadata**: ``kernelspec`` and ``language_info`` with plain
  strings of safe characters; nothing else (``title``, ``widgets``, ...).

Cell sources are left as written: they are the student's answer, and the
renderers show them through ``grading.render`` (Markdown sanitized, code
highlighted as text). Idempotent: a clean notebook comes out unchanged.
"""

from __future__ import annotations

import math
import re
from typing import Any

from nbformat import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor

#: Output data kept (everything a browser would run or fetch is dropped).
OUTPUT_MIMETYPES = frozenset({"text/plain", "image/png", "image/jpeg"})
IMAGE_MIMETYPES = frozenset({"image/png", "image/jpeg"})
ATTACHMENT_MIMETYPES = frozenset({"image/png", "image/jpeg", "image/gif"})
NBGRADER_FLAGS = ("grade", "solution", "locked", "task")
NBGRADER_NUMBERS = ("points", "score")

_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CHECKSUM = re.compile(r"[0-9a-fA-F]{1,128}")
_PLAIN = re.compile(r"[A-Za-z0-9 ._+()/-]{0,100}")
_BASE64 = re.compile(r"[A-Za-z0-9+/\s]*={0,2}\s*")


def _text(value) -> str | None:
    """A str, or a list of str joined (nbformat's multiline strings); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "".join(value)
    return None


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value) -> bool:
    return _number(value) and value > 0


def _base64(value) -> str | None:
    text = _text(value)
    return text if text is not None and text.strip() and _BASE64.fullmatch(text) else None


def _plain(value) -> str | None:
    return value if isinstance(value, str) and _PLAIN.fullmatch(value) else None


def _sizes(metadata) -> dict:
    """``width``/``height`` of ``metadata`` that are finite positive numbers."""
    if not isinstance(metadata, dict):
        return {}
    return {key: metadata[key] for key in ("width", "height") if _positive(metadata.get(key))}


def safe_output(output: Any) -> dict | None:
    """An inert copy of a code cell's output, or None if nothing of it is kept."""
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream":
        text = _text(output.get("text"))
        return {"output_type": "stream", "name": "stderr" if output.get("name") == "stderr" else "stdout",
                "text": text or ""}
    if kind == "error":
        traceback = output.get("traceback")
        return {"output_type": "error", "ename": str(output.get("ename", "Error")),
                "evalue": str(output.get("evalue", "")),
                "traceback": [str(line) for line in traceback] if isinstance(traceback, list) else []}
    if kind not in ("display_data", "execute_result"):
        return None
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    clean_data = {}
    if _text(data.get("text/plain")) is not None:
        clean_data["text/plain"] = _text(data["text/plain"])
    for mimetype in IMAGE_MIMETYPES:
        if _base64(data.get(mimetype)) is not None:
            clean_data[mimetype] = _base64(data[mimetype])
    if not clean_data:
        return None
    metadata = output.get("metadata") if isinstance(output.get("metadata"), dict) else {}
    clean_metadata = _sizes(metadata)
    for mimetype in IMAGE_MIMETYPES & clean_data.keys():
        if _sizes(metadata.get(mimetype)):
            clean_metadata[mimetype] = _sizes(metadata[mimetype])
    clean = {"output_type": kind, "data": clean_data, "metadata": clean_metadata}
    if kind == "execute_result":
        count = output.get("execution_count")
        clean["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
    return clean


def safe_attachments(attachments: Any) -> dict:
    """The attachments whose bundles keep an image type with base64 data (only those types)."""
    if not isinstance(attachments, dict):
        return {}
    clean = {}
    for name, bundle in attachments.items():
        if not isinstance(name, str) or not isinstance(bundle, dict):
            continue
        images = {mimetype: _base64(bundle.get(mimetype)) for mimetype in ATTACHMENT_MIMETYPES}
        images = {mimetype: data for mimetype, data in images.items() if data is not None}
        if images:
            clean[name] = images
    return clean


def safe_nbgrader_metadata(meta: Any) -> dict | None:
    """nbgrader's cell metadata with its known keys in their proper types; None if its grade id is unsafe."""
    if not isinstance(meta, dict):
        return None
    grade_id = meta.get("grade_id")
    if grade_id is not None and not (isinstance(grade_id, str) and _SAFE_NAME.fullmatch(grade_id)):
        return None
    clean = {flag: meta[flag] for flag in NBGRADER_FLAGS if isinstance(meta.get(flag), bool)}
    clean.update({key: meta[key] for key in NBGRADER_NUMBERS if _number(meta.get(key))})
    if grade_id is not None:
        clean["grade_id"] = grade_id
    if isinstance(meta.get("schema_version"), int) and not isinstance(meta["schema_version"], bool):
        clean["schema_version"] = meta["schema_version"]
    if meta.get("cell_type") in ("code", "markdown"):
        clean["cell_type"] = meta["cell_type"]
    if isinstance(meta.get("checksum"), str) and _CHECKSUM.fullmatch(meta["checksum"]):
        clean["checksum"] = meta["checksum"]
    if isinstance(meta.get("comment"), str):  # the grader's comment, added by GetGrades in feedback
        clean["comment"] = meta["comment"]
    return clean


def safe_cell_metadata(metadata: Any) -> dict:
    """nbgrader's metadata, the model-answer mark, safe tags and the edit flags; nothing else."""
    if not isinstance(metadata, dict):
        return {}
    clean = {}
    nbgrader = safe_nbgrader_metadata(metadata.get("nbgrader"))
    if nbgrader is not None:
        clean["nbgrader"] = nbgrader
    grading = metadata.get("grading")
    if isinstance(grading, dict) and grading.get("model_answer") is True:
        clean["grading"] = {"model_answer": True}
    tags = metadata.get("tags")
    if isinstance(tags, list):
        kept = [tag for tag in tags if isinstance(tag, str) and _SAFE_NAME.fullmatch(tag)]
        if kept:
            clean["tags"] = kept
    for flag in ("editable", "deletable"):
        if isinstance(metadata.get(flag), bool):
            clean[flag] = metadata[flag]
    return clean


def safe_notebook_metadata(metadata: Any) -> dict:
    """``kernelspec`` and ``language_info`` as plain strings of safe characters."""
    if not isinstance(metadata, dict):
        return {}
    clean = {}
    kernelspec = metadata.get("kernelspec")
    if isinstance(kernelspec, dict):
        kept = {key: kernelspec[key] for key in ("name", "display_name", "language")
                if _plain(kernelspec.get(key)) is not None}
        if kept:
            clean["kernelspec"] = kept
    info = metadata.get("language_info")
    if isinstance(info, dict):
        kept = {key: info[key] for key in ("name", "version", "mimetype", "file_extension", "pygments_lexer",
                                           "nbconvert_exporter") if _plain(info.get(key)) is not None}
        mode = info.get("codemirror_mode")
        if _plain(mode) is not None:
            kept["codemirror_mode"] = mode
        elif isinstance(mode, dict) and _plain(mode.get("name")) is not None:
            kept["codemirror_mode"] = {"name": mode["name"]}
            if isinstance(mode.get("version"), int) and not isinstance(mode["version"], bool):
                kept["codemirror_mode"]["version"] = mode["version"]
        if kept:
            clean["language_info"] = kept
    return clean


def safe_cell(cell: Any, index: int, used_ids: set) -> NotebookNode:
    """An inert copy of ``cell`` (its source as written); ``used_ids`` collects the ids given out."""
    kind = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown", "raw") else "raw"
    source = _text(cell.get("source"))
    clean = {"cell_type": kind, "metadata": safe_cell_metadata(cell.get("metadata")),
             "source": source if source is not None else ""}
    if "id" in cell:  # nbformat 4.5 and later (earlier minor versions have no cell ids)
        cell_id = cell["id"]
        if not (isinstance(cell_id, str) and _CELL_ID.fullmatch(cell_id)) or cell_id in used_ids:
            cell_id = f"cell-{index}"
            while cell_id in used_ids:
                cell_id += "-"
        clean["id"] = cell_id
        used_ids.add(cell_id)
    if kind == "code":
        count = cell.get("execution_count")
        clean["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
        outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        clean["outputs"] = [kept for kept in map(safe_output, outputs) if kept is not None]
    else:
        attachments = safe_attachments(cell.get("attachments"))
        if attachments:
            clean["attachments"] = attachments
    return from_dict(clean)


class SafeToRender(NbGraderPreprocessor):
    """Rebuild outputs, attachments, cell and notebook metadata from what renders as inert data."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        used_ids: set = set()
        nb.cells = [safe_cell(cell, index, used_ids) for index, cell in enumerate(nb.cells)]
        nb.metadata = from_dict(safe_notebook_metadata(nb.metadata))
        return nb, resources
