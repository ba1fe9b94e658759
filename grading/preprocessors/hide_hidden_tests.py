"""An nbgrader preprocessor that keeps hidden tests out of student feedback.

``nbgrader generate_feedback`` renders the autograded notebook, and that
notebook holds the full source of every graded cell, hidden tests included
(nbgrader issue #1363); a failing hidden test's traceback also quotes the
lines of the checks it ran. Listed in ``GenerateFeedback.preprocessors``,
this preprocessor, in every graded code cell:

- removes the ``### BEGIN HIDDEN TESTS`` regions from the source, with
  nbgrader's own ``ClearHiddenTests`` and its delimiters;
- replaces each error's traceback by one line, ``ErrorName: message``. The
  checks' messages say what is wrong in the student's terms; the code that
  found it stays hidden.

Scores, the visible tests and the students' own cells are left as they are.
Model answers never reach feedback: they live in solution cells, which hold
the student's answer after autograding.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor


class HideHiddenTests(NbGraderPreprocessor):
    """Strip hidden test source and tracebacks from graded code cells."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        self._clear_hidden_tests = ClearHiddenTests(parent=self)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, cell_index: int) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        self._clear_hidden_tests._remove_hidden_test_region(cell)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
        return cell, resources
