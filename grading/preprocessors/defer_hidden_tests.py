"""Take the hidden tests out of the cells that the student's kernel runs.

In the master notebook each graded cell starts with its hidden test, one call
of the trusted check::

    ### BEGIN HIDDEN TESTS
    from grading import checks
    checks.run_check("l1_loss", L1_reg)
    ### END HIDDEN TESTS

so CI's replay of the master runs it against the reference solution. At
autograde the check must not run in the student's kernel: that kernel is in
the sandbox, where the ``grading`` package (the checks and their reference
answers) does not exist, and whatever runs there is under the student's
control. ``DeferHiddenTests`` (before ``ResilientExecute`` in
``Autograde.autograde_preprocessors``) replaces each hidden region with a
comment; ``grading.preprocessors.isolated_regrade.IsolatedRegrade`` then runs exactly that
check in the grader's own process on the numbers the sandboxed module
produced, and writes a failure into the cell.

A hidden region that is not exactly the check call of its own cell stops
autograde with an error: a hidden test edited into something else would
otherwise silently never run.
"""

from __future__ import annotations

import re

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from grading import checks

BEGIN = "### BEGIN HIDDEN TESTS"
END = "### END HIDDEN TESTS"
DEFERRED = "# (hidden test: run by the grader outside this kernel, on the submitted module)"
_REGION = re.compile(re.escape(BEGIN) + r"\n(.*?)" + re.escape(END), re.S)


def expected_region(grade_id: str) -> str:
    """The only hidden test a graded cell may hold: its own trusted check call."""
    name = checks.REGULARIZERS[grade_id[:2]].name
    return f'from grading import checks\nchecks.run_check("{grade_id}", {name})\n'


class HiddenTestMismatch(Exception):
    """A graded cell's hidden test is not the trusted check call this course runs."""


class DeferHiddenTests(NbGraderPreprocessor):
    """Replace each graded cell's hidden test with a comment; the grader runs it instead."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        if cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        grade_id = cell.metadata.nbgrader.grade_id
        regions = _REGION.findall(cell.source)
        if grade_id not in checks.GRADE_IDS or regions != [expected_region(grade_id)]:
            raise HiddenTestMismatch(
                f"The hidden test of graded cell '{grade_id}' must be exactly\n"
                f"{BEGIN}\n{expected_region(grade_id) if grade_id in checks.GRADE_IDS else '(a known grade id)'}{END}\n"
                "(the grader runs that check outside the student's kernel); fix the master "
                "notebook and run `nbgrader generate_assignment --force`.")
        cell.source = _REGION.sub(f"{BEGIN}\n{DEFERRED}\n{END}", cell.source)
        return cell, resources
