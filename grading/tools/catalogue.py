"""The catalogue of submissions in ``tests/catalogue/``: real mistakes and correct variants.

- ``catalogue/mistakes/<name>.py`` holds one wrong function (``L1_reg`` or
  ``L2_reg``) with exactly one mistake, its docstring naming the mistake,
  ``CAUGHT_BY`` (the graded cells that must lose their points) and
  ``MESSAGES`` (``{grade_id: text the student must see}``). The submitted
  module is that file plus the master's correct other function.
- ``catalogue/correct/<name>.py`` is a whole module, correct, written in its
  own way; it must get 3 + 3 points.

Run ``python -m grading.tools.catalogue`` to rewrite ``docs/mistakes.md``,
the table of mistakes, checks and messages (a test keeps it current).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grading import checks
from grading.course import graded_cells
from grading.preprocessors.isolated_regrade import WITHHELD
from grading.tools.scratch_course import REPO

CATALOGUE = REPO / "tests" / "catalogue"
TABLE = REPO / "docs" / "mistakes.md"
#: ``{grade_id: points}`` of the autograded cells, from the master notebook.
AUTOGRADED = {cell.grade_id: cell.points for cell in graded_cells() if cell.autograded}


@dataclass
class Entry:
    """One catalogue submission."""

    name: str
    correct: bool
    description: str
    source: str
    caught_by: list = field(default_factory=list)
    messages: dict = field(default_factory=dict)

    @property
    def student_id(self) -> str:
        return ("correct-" if self.correct else "mistake-") + self.name

    @property
    def exercise(self) -> str | None:
        """``"l1"`` or ``"l2"``: the exercise a mistake is in (None if correct)."""
        return None if self.correct else self.caught_by[0][:2]


def _constant(tree, name):
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise ValueError(f"{name} is missing")


def _master_function(name):
    """The source of ``name`` in the master module (the reference solution), as a student would write it.

    The solution delimiters are left out: students never see them, and a
    submitted module that holds them is flagged as the master.
    """
    source = (REPO / "regularization.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            segment = ast.get_source_segment(source, node)
            return "".join(line for line in segment.splitlines(keepends=True)
                           if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    raise ValueError(name)


def load_entries() -> list[Entry]:
    """Every catalogue entry, mistakes first, each list sorted by name."""
    entries = []
    for path in sorted((CATALOGUE / "mistakes").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        caught_by = _constant(tree, "CAUGHT_BY")
        other = "L2_reg" if caught_by[0].startswith("l1_") else "L1_reg"
        entries.append(Entry(
            name=path.stem,
            correct=False,
            description=ast.get_docstring(tree),
            source=text + "\n\n" + _master_function(other) + "\n",
            caught_by=caught_by,
            messages=_constant(tree, "MESSAGES"),
        ))
    for path in sorted((CATALOGUE / "correct").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        entries.append(Entry(
            name=path.stem,
            correct=True,
            description=ast.get_docstring(ast.parse(text)),
            source=text,
        ))
    return entries


def check_messages(entry: Entry) -> dict[str, str]:
    """``{grade_id: message}`` of the checks that fail, run in this process.

    These are the checks that the graded cells' hidden tests run first, so
    the messages are the ones the student sees after autograding.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "regularization.py"
        path.write_text(entry.source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"catalogue_{entry.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        failures = {}
        for grade_id in checks.GRADE_IDS:
            regularizer = checks.REGULARIZERS[grade_id[:2]]
            try:
                checks.run_check(grade_id, getattr(module, regularizer.name))
            except checks.CheckFailed as failure:
                failures[grade_id] = as_graded(str(failure))
        return failures


def as_graded(message: str) -> str:
    """``message`` as the isolated re-grade shows it: a crash's own message withheld on hidden inputs.

    See ``grading.preprocessors.isolated_regrade._Replay``; the exception classes of
    this catalogue are all Python's own, whose names the re-grade repeats.
    """
    return re.sub(r"( raised \w+): .*? (\(for W of shape )", lambda m: f"{m[1]}: {WITHHELD} {m[2]}", message,
                  count=1, flags=re.S)


def _escape(text):
    """``text`` safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def render_table(entries: list[Entry]) -> str:
    """The Markdown table of mistakes: what, which checks, the message."""
    points = ", ".join(f"{grade_id[3:].replace('_', ' ')} {value:g}"
                       for grade_id, value in AUTOGRADED.items() if grade_id.startswith("l1_"))
    lines = [
        "# Mistakes the autograder catches",
        "",
        "Generated by `python -m grading.tools.catalogue` from `tests/catalogue/mistakes/`;",
        "`tests/test_catalogue.py` autogrades every entry through `nbgrader autograde` and keeps",
        f"this table current. Points: {points} per",
        "exercise.",
        "",
        "| mistake | checks that fail | message the student sees (first failing check) |",
        "|:--------|:-----------------|:-----------------------------------------------|",
    ]
    for entry in entries:
        if entry.correct:
            continue
        failures = check_messages(entry)
        first = next(iter(failures.values()), "")
        cells = [_escape(entry.description), ", ".join(sorted(failures)), _escape(first)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Correct variants that get full marks:",
        "",
    ]
    lines += [f"- {entry.description}" for entry in entries if entry.correct]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(render_table(load_entries()), encoding="utf-8")
    print(f"wrote {TABLE}")
