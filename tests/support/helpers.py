"""Paths and small helpers shared by the tests."""

import re
from pathlib import Path

import nbformat

from grading.tools.scratch_course import REPO

MASTER_NOTEBOOK = REPO / "assignment2.ipynb"
MASTER_MODULE = REPO / "regularization.py"
RELEASE = REPO / "release" / "assignment2"


def read_notebook(path):
    return nbformat.read(path, as_version=4)


def nbgrader_cells(notebook):
    """``{grade_id: cell}`` for every cell with nbgrader metadata."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell
        for cell in notebook.cells
        if "nbgrader" in cell.metadata
    }


def reference_module_source():
    return MASTER_MODULE.read_text(encoding="utf-8")


def student_module_source():
    """The master module as a student with the right answer hands it in: no solution delimiters."""
    return "".join(line for line in reference_module_source().splitlines(keepends=True)
                   if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def solution_lines(text):
    """The non-blank lines between BEGIN and END SOLUTION."""
    regions = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, flags=re.S)
    return [line.strip() for region in regions for line in region.splitlines() if line.strip()]


def run_demo(root):
    """Run the demo into ``root`` as ``./run demo`` does; return what it printed (fails the test if it fails)."""
    import subprocess
    import sys

    from grading.tools.scratch_course import nbgrader_env

    done = subprocess.run([sys.executable, "-m", "grading.tools.demo", str(root)], cwd=REPO,
                          env=nbgrader_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def tmp_entries_of_a_fresh_kernel() -> list[str]:
    """What a new sandboxed kernel's private /tmp holds: its channels, IPython's folder, and the
    first folder of any path the sandbox binds inside /tmp (a Python environment there, say)."""
    from grading.sandbox.bubblewrap import python_installation

    bound = {Path(root).relative_to("/tmp").parts[0] for root in python_installation() if root.startswith("/tmp/")}
    return sorted({".kernel", "ipython"} | bound)
