"""The exporter autograde reads notebooks with: it admits the run's submissions before nbgrader reads any.

``c.Autograde.exporter_class = "grading.intake.exporter.IntakeExporter"``.
``BaseConverter.start`` lists the submissions (``init_notebooks`` fills
``converter.assignments``: submission folder -> its notebooks), creates the
exporter with the converter as its parent, and only then converts them
(``convert_notebooks``), where nbgrader first reads ``timestamp.txt``, takes the
student id, calls the pre-convert hook, creates the student in the gradebook and
copies the folder. ``tests/test_private_apis.py`` pins that order. So the exporter,
when created, is the one place that runs once per run, before any submission is
read, with the converter's course directory and configuration: on the command
line, in formgrader's "autograde" button (inside the Jupyter server, where the
pre-convert hook has no course directory) and in each parallel worker alike.

There it admits every listed submission (:meth:`grading.intake.Intake.admit`) and
drops from the run those nbgrader must not grade:

- a student id that is not of a safe form: the submission is renamed
  ``.<assignment>.unsafe-id-not-collected`` (hidden from nbgrader's and formgrader's
  globs) and an error says how to grade it; nothing of it reaches the gradebook;
- a student or submission folder that is a symbolic link (logged, not followed);
- a submission left with none of the notebooks to grade (nbgrader would end the run
  with an error for it);
- a submission the intake cannot admit (a folder it cannot list or rename in): an
  error says why.

Each notebook nbgrader then reads goes through :meth:`IntakeExporter.from_filename`,
which refuses anything but a regular file within the cap (a file swapped in
during the run fails that submission only) and passes the submission's findings to
the preprocessors as ``resources["intake"]["findings"]``; ``IsolatedRegrade``
writes them into ``integrity.json``.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from nbconvert.exporters import NotebookExporter

from grading.intake.files import IntakeRefused, kind, shown
from grading.intake.submission import Intake, Release


class IntakeExporter(NotebookExporter):
    """nbgrader's notebook exporter, which admits the run's submissions when autograde creates it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        converter = self.parent
        self.intake = Intake(parent=converter)
        self.coursedir = getattr(converter, "coursedir", None)
        self.findings = {}  # submission folder -> its findings, as admitted in this run
        if self.coursedir is not None and isinstance(getattr(converter, "assignments", None), dict):
            self.admit_run(converter.assignments)

    def release(self, assignment: str) -> Release:
        """The release of ``assignment``; its source's notebooks are graded too."""
        coursedir = self.coursedir
        return Release.at(coursedir.format_path(coursedir.release_directory, ".", assignment),
                          coursedir.format_path(coursedir.source_directory, ".", assignment))

    def admit_run(self, assignments: dict[str, list[str]]) -> None:
        """Admit each submission of ``assignments`` (folder -> notebooks, nbgrader's); drop the refused ones."""
        coursedir, log = self.coursedir, self.intake.log
        pattern = re.compile(coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>.*)",
                                                   "(?P<assignment_id>.*)", escape=True) + "$")
        for folder in sorted(assignments):
            match = pattern.match(folder)
            if match is None:
                continue
            student, assignment, path = match["student_id"], match["assignment_id"], Path(folder)
            try:
                if not self.intake.safe_student_id(student):
                    del assignments[folder]
                    self.intake.set_id_aside(path, student)
                    continue
                linked = next((p for p in (path, path.parent) if p.is_symlink()), None)
                if linked is not None:
                    del assignments[folder]
                    log.error("Not grading %s: %s is a symbolic link (not followed).", student, shown(str(linked)))
                    continue
                release = self.release(assignment)
                findings = self.findings[folder] = self.intake.admit(path, release)
            except Exception as error:  # noqa: BLE001 (one submission the intake cannot admit is not read)
                assignments.pop(folder, None)
                log.error("Not grading %s: the intake cannot admit %s (%s: %s); nbgrader does not read it either.",
                          shown(student), shown(folder), type(error).__name__, error, exc_info=True)
                continue
            if not any(os.path.isfile(path / name) for name in release.notebooks):
                del assignments[folder]
                log.error("Not grading %s: the submission holds none of the notebooks to grade (%s); %s", student,
                          ", ".join(sorted(release.notebooks)), "; ".join(findings) or "nothing was set aside")
                continue
            assignments[folder] = [notebook for notebook in assignments[folder] if os.path.isfile(notebook)]
            for finding in findings:
                log.warning("Intake: %s: %s", student, finding)

    def from_filename(self, filename: str, resources: dict | None = None, **kw: object) -> tuple:
        """Read a notebook for nbgrader if it is still a regular file within the cap (IntakeRefused otherwise).

        Sets ``resources["intake"]["findings"]`` for the submission the notebook belongs to.
        """
        try:
            info = os.lstat(filename)
        except OSError as error:
            raise IntakeRefused(f"{shown(filename)} cannot be read: {error.strerror}") from None
        if not stat.S_ISREG(info.st_mode) or info.st_size > self.intake.max_notebook_bytes:
            raise IntakeRefused(f"{shown(filename)} is {kind(info.st_mode)} of {info.st_size} bytes: not read")
        details = (resources or {}).get("nbgrader", {})
        if self.coursedir is not None and details.get("student") and details.get("assignment"):
            folder = self.coursedir.format_path(self.coursedir.submitted_directory, details["student"],
                                                details["assignment"])
            if folder not in self.findings:  # not admitted by this exporter (it was made for another run)
                self.findings[folder] = self.intake.findings(folder, self.release(details["assignment"]))
            resources.setdefault("intake", {})["findings"] = list(self.findings[folder])
        return super().from_filename(filename, resources, **kw)
