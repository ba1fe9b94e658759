"""The semester and the due date in the released notebook come from one place: the configuration.

The master's Markdown cells name them as placeholders, ``{{ semester }}`` and ``{{ due }}``.
``CourseInfo``, the first of ``GenerateAssignment.preprocessors`` (and of
``GenerateSolution.preprocessors``), replaces each with what the instructor set in
``nbgrader_config.py``::

    c.CourseInfo.semester = "Winter Semester 2022/23"
    c.CourseInfo.due = "2022-11-10 10:00:00+01:00"

``due`` is a date and time in ISO 8601 form, the same string that
``nbgrader db assignment add assignment2 --duedate=...`` takes (docs/semester.md); students read
it as "10.11.2022, 10 am". Running first, the filled text is what nbgrader checksums, saves in the
gradebook and releases, so autograde restores the filled header, not the placeholder.

The gradebook's due date (lateness) comes from the same setting: ``python -m
grading.preprocessors.course_info due``, run in the course folder, prints ``c.CourseInfo.due``
as nbgrader's configuration gives it, for ``nbgrader db assignment add --duedate``.

Contract: a placeholder whose value is unset or empty, an unknown ``{{ name }}``, or a ``due``
that is not an ISO date and time stops the release with an error that names it; no placeholder
reaches students. Code cells are left alone.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def students_date(iso: str) -> str:
    """``"2022-11-10 10:00:00+01:00"`` as students read it: ``"10.11.2022, 10 am"`` (minutes only when not 0)."""
    try:
        moment = datetime.fromisoformat(iso.strip())
    except ValueError:
        raise ValueError(f"c.CourseInfo.due = {iso!r} is not a date and time in ISO form, "
                         "such as '2022-11-10 10:00:00+01:00'") from None
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{moment:%d.%m.%Y}, {hour}{minutes} {'am' if moment.hour < 12 else 'pm'}"


class CourseInfo(NbGraderPreprocessor):
    """Fill ``{{ semester }}`` and ``{{ due }}`` in Markdown cells from the configuration."""

    semester = Unicode("", help="The semester as the notebook's header shows it, "
                                "e.g. 'Winter Semester 2022/23'.").tag(config=True)
    due = Unicode("", help="The due date and time in ISO 8601 form, e.g. '2022-11-10 10:00:00+01:00' "
                           "(the --duedate of `nbgrader db assignment add`); shown as '10.11.2022, 10 am'."
                  ).tag(config=True)

    def values(self) -> dict[str, str]:
        """The text of each placeholder; an unset one is absent."""
        values = {}
        if self.semester.strip():
            values["semester"] = self.semester.strip()
        if self.due.strip():
            values["due"] = students_date(self.due)
        return values

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        values = self.values()

        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name not in values:
                raise ValueError(f"The notebook's placeholder {match.group(0)} has no value: set "
                                 f"c.CourseInfo.{name} in nbgrader_config.py (the placeholders are "
                                 "{{ semester }} and {{ due }}).")
            return values[name]

        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = PLACEHOLDER.sub(fill, cell.source)
        return nb, resources


def main(argv: list[str]) -> int:
    """``python -m grading.preprocessors.course_info semester|due``: print that setting of the course in the
    working folder (as nbgrader loads its configuration); exit 1 with a message if it is unset."""
    from grading.course import load_config

    if len(argv) != 1 or argv[0] not in ("semester", "due"):
        print("usage: python -m grading.preprocessors.course_info semester|due", file=sys.stderr)
        return 2
    value = getattr(CourseInfo(config=load_config(".")), argv[0]).strip()
    if not value:
        print(f"c.CourseInfo.{argv[0]} is not set in nbgrader_config.py", file=sys.stderr)
        return 1
    if argv[0] == "due":
        students_date(value)  # an unreadable date stops here, not in nbgrader
    print(value)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
