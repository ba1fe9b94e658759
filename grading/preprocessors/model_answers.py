"""Model answers for graders in the autograded notebook, never for students.

The master keeps each written answer's model answer and rubric in the
answer cell itself, which the release replaces by "YOUR ANSWER HERE". Graders
in formgrader see the autograded notebook, which holds the student's answer.

- ``AddModelAnswers`` (an autograde preprocessor) inserts, after each written
  answer, a read-only Markdown cell with the master's model answer, marked
  ``metadata.grading.model_answer``.
- ``DropModelAnswers`` (a generate_feedback preprocessor) removes those cells
  again, so feedback shows the student's answer and the grader's comment only.

The mark is only ever trusted on Markdown cells: a submission can carry it
too, and a student's code cell so marked has run by the time AddModelAnswers
sees it (it comes after execution). Such a cell keeps its place and loses the
mark, so the grader and the feedback show it like any other.
"""

from __future__ import annotations

import os

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

MARK = "model_answer"


def is_model_answer(cell: NotebookNode) -> bool:
    """A Markdown cell with the mark (on any other cell the mark means nothing)."""
    return cell.get("cell_type") == "markdown" and cell.get("metadata", {}).get("grading", {}).get(MARK, False)


class AddModelAnswers(NbGraderPreprocessor):
    """Insert the master's model answer after each manually graded answer cell."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        coursedir = CourseDirectory(config=self.config)
        master = os.path.join(
            coursedir.format_path(coursedir.source_directory, ".", resources["nbgrader"]["assignment"]),
            resources["nbgrader"]["notebook"] + ".ipynb",
        )
        answers = {
            cell.metadata.nbgrader.grade_id: cell.source
            for cell in nbformat.read(master, as_version=4).cells
            if cell.cell_type == "markdown" and utils.is_solution(cell) and utils.is_grade(cell)
        }
        cells = []
        for cell in nb.cells:
            if is_model_answer(cell):
                continue  # from an earlier autograde of the same notebook (or a look-alike, which runs nothing)
            if isinstance(cell.get("metadata", {}).get("grading"), dict):
                cell.metadata.grading.pop(MARK, None)  # a submission's mark on a code or raw cell
            cells.append(cell)
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "markdown" and grade_id in answers and utils.is_solution(cell):
                note = new_markdown_cell(
                    "> **For graders only: the model answer (not shown in feedback)**\n>\n"
                    + "\n".join("> " + line for line in answers[grade_id].splitlines())
                )
                note.id = f"model-answer-{grade_id}".replace("_", "-")  # stable across runs
                note.metadata["grading"] = {MARK: True}
                note.metadata["editable"] = False
                note.metadata["deletable"] = False
                cells.append(note)
        nb.cells = cells
        return nb, resources


class DropModelAnswers(NbGraderPreprocessor):
    """Remove the cells that AddModelAnswers inserted."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        nb.cells = [cell for cell in nb.cells if not is_model_answer(cell)]
        return nb, resources
