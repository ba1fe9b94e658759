"""Feedback before every answer is graded by hand: say "not graded yet", never "Score: 0.0 / 2.0".

nbgrader's ``GetGrades`` gives a written answer that awaits grading its
score so far, 0, and the feedback template shows "Score: 0.0 / 2.0" beside
it, in the table of contents and above the answer: the student reads it as
a grade. ``PendingManualGrades``, listed right after ``GetGrades`` in
``GenerateFeedback.preprocessors``, asks the gradebook which graded cells
of this submission still need grading by hand (``needs_manual_grade``) and,
in the notebook that feedback renders (never in the stored one):

- shows each such cell without a score (its ``grade`` mark is dropped, so
  nbgrader's template shows it as "Student's answer" with no score and
  leaves it out of the table of contents), followed by a note that it is
  not graded yet and how many points it is worth;
- puts a note first in the notebook: which answers, and how many points,
  the total above does not count yet;
- logs a warning naming the student and the cells, and lists every such
  student again when the command exits (``summarize_at_exit``).

Cells that are graded (by hand or automatically, such as an answer left as
released, which nbgrader scores 0) are shown as before.
"""

from __future__ import annotations

import atexit
import sys

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool


class PendingManualGrades(NbGraderPreprocessor):
    """Show answers that await grading by hand as "not graded yet", and warn naming the student."""

    summarize_at_exit = Bool(True, help="List the students whose feedback has answers not graded yet "
                                        "when the command exits.").tag(config=True)

    pending = []  # (student, [grade ids]) of this run, for the summary at exit

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        waiting = []
        with Gradebook(info["db_url"]) as gradebook:
            for cell in nb.cells:
                if not utils.is_grade(cell):
                    continue
                try:
                    grade = gradebook.find_grade(cell.metadata.nbgrader.grade_id, info["notebook"],
                                                 info["assignment"], info["student"])
                except MissingEntry:
                    continue
                if grade.needs_manual_grade:
                    waiting.append((cell, float(grade.max_score)))
        if not waiting:
            return nb, resources
        for cell, points in waiting:
            cell.metadata.nbgrader["grade"] = False
            note = new_markdown_cell(f"**Not graded yet.** The answer above ({points:g} points) is graded by hand; "
                                     "the score at the top does not count it yet.")
            nb.cells.insert(nb.cells.index(cell) + 1, note)
        grade_ids = [cell.metadata.nbgrader.grade_id for cell, _ in waiting]
        total = sum(points for _, points in waiting)
        nb.cells.insert(0, new_markdown_cell(
            f"**Not graded yet:** {len(waiting)} answer(s) worth {total:g} points "
            f"({', '.join(f'`{g}`' for g in grade_ids)}) are graded by hand and have not been graded. "
            "The score at the top counts only what is graded so far."))
        self.log.warning("Feedback for %s shows %d answer(s) as not graded yet: %s", info["student"],
                         len(waiting), ", ".join(grade_ids))
        if self.summarize_at_exit:
            self._remember(info["student"], grade_ids)
        return nb, resources

    @classmethod
    def _remember(cls, student, grade_ids):
        if not cls.pending:
            atexit.register(cls._summarize)
        cls.pending.append((student, grade_ids))

    @classmethod
    def _summarize(cls):
        print("\n".join(pending_summary(cls.pending)), file=sys.stderr)


def pending_summary(pending: list[tuple[str, list[str]]]) -> list[str]:
    """The lines that list the students whose feedback has answers not graded yet (none if none)."""
    if not pending:
        return []
    return ([f"Feedback: {len(pending)} student(s) got feedback with answers not graded yet "
             "(grade them in formgrader, then run generate_feedback again):"]
            + [f"  {student}: {', '.join(grade_ids)}" for student, grade_ids in sorted(pending)])
