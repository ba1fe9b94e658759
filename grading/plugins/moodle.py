"""Collect submissions from a Moodle "Download all submissions" archive with ``nbgrader zip_collect``.

Moodle names each handed-in file ``<Full name>_<participant id>_assignsubmission_file_<file>``
(or puts it in a folder ``<Full name>_<participant id>_assignsubmission_file/``). Its
participant ids change from assignment to assignment, and the archive holds no submission
times. Moodle's grading worksheet (Grades > "Download grading worksheet", a CSV) holds both
links: the participant's e-mail address and "Last modified (submission)".

``MoodleCollector`` (``ZipCollectApp.collector_plugin``) therefore:

- reads a file's student from the first component of its path that starts a Moodle
  submission, never from a name deeper down (a student's sub-folder or archive could hold a
  file named like another student's);
- finds the student id through the worksheet's e-mail address in the roster (the students
  imported into the gradebook), falling back to the full name;
- takes the submission time from the worksheet only, read in the course's time zone (a
  file the student named ``timestamp.txt``, which nbgrader would take as the submission
  time, is kept as ``timestamp-handed-in.txt``, with a warning);
- files any notebook under the released notebook's name (a renamed notebook is collected,
  with a warning that says so) and keeps other files by their own names (extra files are
  kept, with a warning; extra Python files are flagged by the integrity check).

Files it cannot place are skipped with a warning that says why.
"""

from __future__ import annotations

import csv
import glob
import os
import re
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser
from nbgrader.api import Gradebook
from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode

#: The name a student's own ``timestamp.txt`` is collected under (nbgrader reads ``timestamp.txt``).
STUDENT_TIMESTAMP = "timestamp-handed-in.txt"

MOODLE_NAME = re.compile(
    r"(?P<fullname>[^/\\]+?)_(?P<participant>\d+)_assignsubmission_file_?[/\\]?(?P<name>[^/\\]+)$"
)
#: A path component that starts a Moodle submission (a file of it, or its folder).
MOODLE_COMPONENT = re.compile(r"[^/\\]+?_\d+_assignsubmission_")


class MoodleCollector(FileNameCollectorPlugin):
    """Map Moodle's archive names to roster student ids and submission times."""

    worksheet = Unicode(
        "downloaded/{assignment_id}/*.csv",
        help="Glob (relative to the course root) of Moodle's grading worksheet CSV.",
    ).tag(config=True)
    time_zone = Unicode("Europe/Berlin", help="The time zone of the worksheet's times.").tag(config=True)
    notebook = Unicode("assignment2.ipynb", help="The released notebook's file name.").tag(config=True)
    identifier_column = Unicode("Identifier", help="Worksheet column of 'Participant <id>'.").tag(config=True)
    email_column = Unicode("Email address", help="Worksheet column of the e-mail address.").tag(config=True)
    time_column = Unicode("Last modified (submission)",
                          help="Worksheet column of the submission time (set these three for a "
                               "Moodle in another language).").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._untimed = set()

    def collect(self, submitted_file: str) -> dict | None:
        match = _moodle_name(submitted_file)
        if not match:
            self.log.warning("Not a Moodle submission file, skipped: %s", submitted_file)
            return None
        participant, fullname, name = match["participant"], match["fullname"], match["name"]
        row = self._worksheet().get(participant, {})
        student_id = self._student_id(row.get(self.email_column, ""), fullname)
        if student_id is None:
            self.log.warning("%s (Moodle participant %s) is not on the roster; import the roster "
                             "with 'nbgrader db student import' first. Skipped: %s",
                             fullname, participant, submitted_file)
            return None
        if name == "timestamp.txt":
            # nbgrader's zip_collect keeps a collected timestamp.txt over the time given
            # here, and autograde reads it as the submission time: the student's file
            # would set their own lateness. Kept under another name, never read.
            self.log.warning("%s handed in a file named timestamp.txt; kept as %s, not used: the submission "
                             "time comes from the worksheet only.", student_id, STUDENT_TIMESTAMP)
            name = STUDENT_TIMESTAMP
        elif name.endswith(".ipynb") and name != self.notebook:
            self.log.warning("%s handed in the notebook as '%s'; collected as '%s'.",
                             student_id, name, self.notebook)
            name = self.notebook
        elif not name.endswith((".ipynb", ".py")):
            self.log.warning("%s handed in an extra file '%s'; kept, not graded.", student_id, name)
        timestamp = self._timestamp(row.get(self.time_column, ""))
        if timestamp is None and student_id not in self._untimed:
            self._untimed.add(student_id)
            self.log.warning("No submission time for %s in the worksheet: lateness unknown.", student_id)
        return {"student_id": student_id, "file_id": name, "timestamp": timestamp}

    def _coursedir(self):
        return self.parent.coursedir

    def _worksheet(self):
        """``{participant id: row}`` of the grading worksheet (empty if there is none)."""
        if not hasattr(self, "_rows"):
            coursedir = self._coursedir()
            pattern = os.path.join(coursedir.root, self.worksheet.format(assignment_id=coursedir.assignment_id))
            paths = sorted(glob.glob(pattern))
            self._rows = {}
            if not paths:
                self.log.warning("No Moodle grading worksheet matches %s: no e-mail addresses "
                                 "or submission times; students are matched by name.", pattern)
            for path in paths:
                with open(path, encoding="utf-8-sig", newline="") as handle:
                    for row in csv.DictReader(handle):
                        number = re.sub(r"\D", "", row.get(self.identifier_column, ""))
                        if number:
                            self._rows[number] = row
        return self._rows

    def _student_id(self, email, fullname):
        if not hasattr(self, "_roster"):
            with Gradebook(self._coursedir().db_url, self._coursedir().course_id) as gradebook:
                self._roster = [(s.id, (s.email or "").lower(), f"{s.first_name} {s.last_name}".lower())
                                for s in gradebook.students]
        for student_id, roster_email, _ in self._roster:
            if email and roster_email == email.lower():
                return student_id
        for student_id, _, roster_name in self._roster:
            if roster_name == fullname.lower():
                return student_id
        return None

    def _timestamp(self, text):
        """The worksheet's local time as an ISO string with its UTC offset, or None."""
        if not text.strip() or text.strip() == "-":
            return None
        try:
            local = dateparser.parse(text)
        except (ValueError, OverflowError):
            self.log.warning("Cannot read the submission time '%s'.", text)
            return None
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(self.time_zone))
        return local.isoformat()


def _moodle_name(path: str) -> re.Match | None:
    """The Moodle name of ``path`` read from its first component that starts a Moodle submission.

    Only that component (a file) or that component and one file below it: a name
    deeper down, from a student's sub-folder or an archive the student handed in
    (nbgrader's extractor unpacks those too), never speaks for another student.
    """
    components = re.split(r"[/\\]", path)
    first = next((i for i, part in enumerate(components) if MOODLE_COMPONENT.match(part)), None)
    if first is None:
        return None
    return MOODLE_NAME.fullmatch("/".join(components[first:]))

