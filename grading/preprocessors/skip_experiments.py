"""Leave the notebook's ungraded experiment out of autograding.

The experiment at the end of the notebook trains small models with the
student's functions (about a second of work) and earns no points. Running it
for every submission would only cost grading time, so ``SkipExperiments``
(before ``ResilientExecute`` in ``Autograde.autograde_preprocessors``) turns
the source of each listed cell into comments: feedback still shows the code,
and the kernel runs nothing of it.

Only locked cells whose grade id is listed in ``SkipExperiments.grade_ids``
are skipped; nbgrader restores locked cells from the master before this
runs, so a student cannot mark cells of their own as skippable.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

NOTE = "# Ungraded experiment: not run when the notebook is graded.\n"


class SkipExperiments(NbGraderPreprocessor):
    """Comment out the listed ungraded experiment cells before the kernel runs."""

    grade_ids = List(Unicode(), default_value=[],
                     help="Grade ids of locked, ungraded cells that autograde does not run.").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code" or not utils.is_locked(cell) or utils.is_grade(cell):
            return cell, resources
        if cell.metadata.get("nbgrader", {}).get("grade_id") not in self.grade_ids:
            return cell, resources
        cell.source = NOTE + "".join(f"# {line}" if line.strip() else "#\n"
                                     for line in cell.source.splitlines(keepends=True))
        return cell, resources
