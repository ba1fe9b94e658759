"""Check a submitted notebook under caps before nbgrader parses, converts or validates it.

:func:`check_notebook` reads at most ``NotebookCaps.notebook_bytes`` through
:func:`grading.intake.files.read_regular` and decides, without converting anything:

- **refused**: not UTF-8 JSON, nested deeper than ``json_depth``, more than
  ``json_values`` values (what nbgrader's parse of it costs), not ``nbformat`` 4
  (version 3 is refused before nbformat's conversion, which writes ``'#' * level`` for
  each heading cell, could run), more than ``cells`` cells, a cell with more than
  ``cell_source_bytes`` of source, more than ``outputs`` outputs in all, a number
  outside outputs that is not finite or larger than 2**53, or not valid for
  nbformat's own schema;
- **repaired**: each cell whose nbgrader metadata this nbgrader cannot read (a
  ``schema_version`` other than :data:`nbgrader.nbgraderformat.SCHEMA_VERSION`, invalid
  fields; nbgrader would stop the whole serial run on it) gets it reset from the
  released notebook's cell of the same grade id and type, or removed when the release
  has no such cell; a grade id on more than one cell is kept on the last one only
  (nbgrader's own de-duplication would stop the whole serial run); the result is
  checked with nbgrader's own validator;
- **ok**: graded as handed in.

Memory and time are bounded by the caps: one ``json.loads`` of the text (at worst
about 30 bytes per byte of it, for a text of empty lists), one walk over it that
stops at ``json_values``, and only then ``nbformat.reads``, without conversion.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.nbgraderformat import SCHEMA_VERSION, MetadataValidator
from nbgrader.utils import is_grade, is_locked, is_solution

from grading.intake.files import IntakeRefused, read_regular

#: Numbers outside outputs (versions, counts, points, sizes) above this are refused.
MAX_NUMBER = 2**53


@dataclass(frozen=True)
class NotebookCaps:
    """The caps a notebook is checked under (``grading.intake.Intake`` sets them from its traits)."""

    notebook_bytes: int = 8 * 1024**2
    cells: int = 500
    cell_source_bytes: int = 64 * 1024
    outputs: int = 1000
    json_depth: int = 64
    json_values: int = 200_000


@dataclass
class Verdict:
    """What the check made of a notebook.

    ``status``: ``"ok"`` (grade it as handed in), ``"repaired"`` (grade ``notebook``,
    the repaired version) or ``"refused"``; ``reasons`` say why, for people.
    """

    status: str
    reasons: list[str] = field(default_factory=list)
    notebook: nbformat.NotebookNode | None = None


def check_notebook(path: str | Path, caps: NotebookCaps, release: nbformat.NotebookNode | None = None) -> Verdict:
    """Check the notebook file at ``path``; never raises for a bad notebook, never opens a special file.

    ``release`` is the released notebook (it repairs nbgrader metadata; without it,
    bad metadata is removed).
    """
    try:
        data = read_regular(path, caps.notebook_bytes)
    except IntakeRefused as refused:
        return Verdict("refused", [str(refused)])
    except OSError as error:
        return Verdict("refused", [f"it cannot be read ({error.strerror})"])
    return check_notebook_bytes(data, caps, release)


def check_notebook_bytes(data: bytes, caps: NotebookCaps, release: nbformat.NotebookNode | None = None) -> Verdict:
    """:func:`check_notebook` on a notebook's bytes."""
    if len(data) > caps.notebook_bytes:
        return Verdict("refused", [f"it is {len(data)} bytes, more than the cap of {caps.notebook_bytes}"])
    try:
        text = data.decode("utf-8")
        parsed = json.loads(text)
    except UnicodeDecodeError:
        return Verdict("refused", ["it is not UTF-8 text"])
    except RecursionError:
        return Verdict("refused", [f"its JSON is nested more than {caps.json_depth} deep"])
    except ValueError as error:
        return Verdict("refused", [f"it is not JSON ({str(error)[:200]})"])
    problem = _structure(parsed, caps) or _values(parsed, caps)
    del parsed
    if problem:
        return Verdict("refused", [problem])
    captured = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT, capture_validation_error=captured)
    except Exception as error:  # noqa: BLE001 (whatever nbformat raises, the notebook is refused)
        return Verdict("refused", [f"nbformat cannot read it ({type(error).__name__}: {str(error)[:200]})"])
    if "ValidationError" in captured:
        error = captured["ValidationError"]
        message = str(getattr(error, "message", error)).strip().splitlines()[0][:200]
        return Verdict("refused", [f"it is not a valid notebook ({message})"])
    repairs = repair_nbgrader_metadata(notebook, release)
    if not repairs:
        return Verdict("ok")
    try:
        MetadataValidator().validate_nb(notebook)
    except Exception as error:  # noqa: BLE001 (jsonschema's and nbgrader's own errors)
        return Verdict("refused", [*repairs, f"its nbgrader metadata cannot be repaired ({str(error)[:200]})"])
    return Verdict("repaired", repairs, notebook)


def _structure(parsed, caps: NotebookCaps) -> str | None:
    """Why ``parsed`` is not a version-4 notebook within the caps on cells and outputs, or None."""
    if not isinstance(parsed, dict):
        return "it is not a notebook (its JSON is not an object)"
    major, minor = parsed.get("nbformat"), parsed.get("nbformat_minor")
    if type(major) is not int or major != 4:
        return (f"it is an nbformat {str(major)[:20]} notebook: only version 4 (the release's) is graded, "
                "and converting an older one is not bounded")
    if type(minor) is not int or not 0 <= minor <= 99:
        return f"its nbformat_minor {str(minor)[:20]} is not a version"
    cells = parsed.get("cells")
    if not isinstance(cells, list):
        return "it has no list of cells"
    if len(cells) > caps.cells:
        return f"it has {len(cells)} cells, more than the cap of {caps.cells}"
    outputs = 0
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            return f"cell {index + 1} is not a cell"
        source = cell.get("source", "")
        if isinstance(source, str):
            source = [source]
        if not isinstance(source, list) or not all(isinstance(line, str) for line in source):
            return f"cell {index + 1} has no text as its source"
        size = sum(len(line.encode("utf-8", "surrogatepass")) for line in source)
        if size > caps.cell_source_bytes:
            return f"cell {index + 1} has {size} bytes of source, more than the cap of {caps.cell_source_bytes}"
        if isinstance(cell.get("outputs"), list):
            outputs += len(cell["outputs"])
    if outputs > caps.outputs:
        return f"it holds {outputs} outputs, more than the cap of {caps.outputs}"
    return None


def _values(parsed, caps: NotebookCaps) -> str | None:
    """Why the values of ``parsed`` are out of bounds (too many, nested too deep, a number too large), or None.

    Counts a container's values before it walks them, so a container of millions is
    refused at once.
    """
    stack, count = [(parsed, 1, False)], 1
    while stack:
        value, depth, in_outputs = stack.pop()
        if isinstance(value, (dict, list)):
            if depth >= caps.json_depth and value:
                return f"its JSON is nested more than {caps.json_depth} deep"
            count += len(value)
            if count > caps.json_values:
                return f"it holds more than {caps.json_values} JSON values"
            if isinstance(value, dict):
                stack.extend((item, depth + 1, in_outputs or key == "outputs") for key, item in value.items())
            else:
                stack.extend((item, depth + 1, in_outputs) for item in value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and not in_outputs:
            if not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
                return f"it holds the number {str(value)[:30]} (outside outputs, numbers are at most 2**53)"
    return None


def repair_nbgrader_metadata(notebook: nbformat.NotebookNode, release: nbformat.NotebookNode | None) -> list[str]:
    """Reset or remove, in place, each cell's nbgrader metadata that this nbgrader cannot read; say what was done."""
    released = {}
    for cell in (release.cells if release is not None else []):
        meta = cell.metadata.get("nbgrader")
        if isinstance(meta, dict) and meta.get("grade_id"):
            released[(meta["grade_id"], cell.cell_type)] = meta
    repairs, validator = [], MetadataValidator()
    for index, cell in enumerate(notebook.cells):
        if "nbgrader" not in cell.metadata:
            continue
        meta = cell.metadata["nbgrader"]
        version = meta.get("schema_version") if isinstance(meta, dict) else None
        if not isinstance(meta, dict):
            problem = "is not an object"
        elif type(version) is not int or version != SCHEMA_VERSION:
            problem = f"has schema_version {str(version)[:20]} (this nbgrader reads {SCHEMA_VERSION})"
        else:
            try:
                validator.validate_cell(cell)
                continue
            except Exception as error:  # noqa: BLE001 (jsonschema's and nbgrader's own errors)
                problem = f"is invalid ({str(getattr(error, 'message', error)).strip().splitlines()[0][:120]})"
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        original = released.get((grade_id, cell.cell_type)) if isinstance(grade_id, str) else None
        if original is not None:
            cell.metadata["nbgrader"] = nbformat.from_dict(json.loads(json.dumps(original)))
            done = f"reset from the released notebook's cell {grade_id}"
        else:
            del cell.metadata["nbgrader"]
            done = "removed (the released notebook has no such cell)"
        repairs.append(f"cell {index + 1}: its nbgrader metadata {problem}: {done}")
    return repairs + _deduplicate_grade_ids(notebook)


def _deduplicate_grade_ids(notebook: nbformat.NotebookNode) -> list[str]:
    """Remove, in place, the nbgrader metadata of every cell but the last that has a grade id; say where.

    nbgrader's ``DeduplicateIds`` keeps the last cell too, but empties the others'
    metadata to ``{}``, which its next preprocessor reads as schema version 0:
    ``SchemaTooOldError`` then stops the whole serial run.
    """
    seen, repairs = {}, []
    for index in reversed(range(len(notebook.cells))):
        cell = notebook.cells[index]
        if not (is_grade(cell) or is_solution(cell) or is_locked(cell)):
            continue
        grade_id = cell.metadata["nbgrader"].get("grade_id")
        key = json.dumps(grade_id, sort_keys=True)
        if key in seen:
            del cell.metadata["nbgrader"]
            repairs.append(f"cell {index + 1}: its nbgrader grade id {str(grade_id)[:40]} is also cell "
                           f"{seen[key] + 1}'s: its nbgrader metadata removed")
        else:
            seen[key] = index
    return repairs[::-1]
