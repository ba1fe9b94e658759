"""Submissions made to harm the grader's own process (nbgrader), each beside a correct module.

Each maker places one student's submission in a scratch course
(``grading.tools.scratch_course.ScratchCourse``): the released notebook with a
correct module from ``tests/catalogue/correct/``, then one hostile change to what
nbgrader reads itself. ``HOSTILE`` maps a student id to its maker and to words the
intake's reason for it holds. Used by ``tests/test_intake_e2e.py`` and
``benchmarks/hostile_intake.py``.

The nbformat-3 heading bomb makes nbgrader's conversion allocate ``level`` bytes per
heading cell (1.5 GB each): run nbgrader on it only under a memory cap.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat

from grading.tools.scratch_course import NOTEBOOK, REPO

CORRECT = REPO / "tests" / "catalogue" / "correct"
UNSAFE_ID = "<img src=x onerror=alert(1)>"


def correct_module(name: str = "masks") -> str:
    return (CORRECT / f"{name}.py").read_text(encoding="utf-8")


def _edit_notebook(folder: Path, edit) -> Path:
    path = folder / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    edit(notebook)
    nbformat.write(notebook, path)
    return folder


def schema_version_4(course, student: str) -> Path:
    """One graded cell's nbgrader metadata says ``schema_version: 4`` (stock nbgrader stops the whole run)."""
    def edit(notebook):
        cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "l1_explanation")
        cell.metadata.nbgrader.schema_version = 4
    return _edit_notebook(course.submit(student, correct_module("norms")), edit)


def heading_bomb(course, student: str, cells: int = 6) -> Path:
    """An nbformat-3 notebook of a few hundred bytes whose conversion allocates ``cells`` x 1.5 GB."""
    folder = course.submit(student, correct_module("pad"))
    bomb = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
            "worksheets": [{"metadata": {}, "cells": [
                {"cell_type": "heading", "level": 1_500_000_000, "metadata": {}, "source": "x"}] * cells}]}
    (folder / NOTEBOOK).write_text(json.dumps(bomb), encoding="utf-8")
    return folder


def fifo_notebook(course, student: str) -> Path:
    """A FIFO in place of the notebook (stock nbgrader blocks in ``open()`` forever)."""
    folder = course.submit(student, correct_module("divide_where_out"))
    (folder / NOTEBOOK).unlink()
    os.mkfifo(folder / NOTEBOOK)
    return folder


def oversized_notebook(course, student: str, size: int = 9 * 1024**2) -> Path:
    """A valid notebook of ``size`` bytes (one stream output holds them)."""
    def edit(notebook):
        cell = next(c for c in notebook.cells if c.cell_type == "code")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * size)]
    return _edit_notebook(course.submit(student, correct_module("norms")), edit)


def oversized_cell(course, student: str, size: int = 300_000) -> Path:
    """A code cell of ``size`` bytes of source (the static audit reads every student cell)."""
    folder = course.submit(student, correct_module("masks"), added_cells=["x = 1\n" * (size // 6)])
    return folder


def too_many_cells(course, student: str, count: int = 5000) -> Path:
    """``count`` small code cells added."""
    return course.submit(student, correct_module("masks"), added_cells=[f"x = {i}" for i in range(count)])


def unsafe_id(course, student: str = UNSAFE_ID) -> Path:
    """An honest submission under a student id made of HTML."""
    return course.submit(student, correct_module("masks"))


def huge_string_module(course, student: str, size: int = 512 * 1024) -> Path:
    """A correct module followed by one string constant of ``size`` bytes (1 MiB held a serial run 1,492 s)."""
    module = correct_module("masks") + "\nPADDING = '" + "\u00e9__a" * (size // 5) + "'\n"
    return course.submit(student, module)


def magics_cell(course, student: str, size: int = 32_000) -> Path:
    """An added cell of ``size`` bytes of IPython magics inside lines of Python (IPython re-reads it per magic)."""
    lines = "t = %time len('x')\n" * (size // 19)
    return course.submit(student, correct_module("masks"), added_cells=[lines])


def utf7_module(course, student: str) -> Path:
    """The tamper catalogue's UTF-7 module: loops hidden from the static readers by a coding cookie."""
    path = REPO / "tests" / "tamper" / "utf7_hides_loops_from_the_audit" / "regularization.py"
    folder = course.submit(student, "")
    (folder / "regularization.py").write_bytes(path.read_bytes())
    return folder


def sleeping_cells(course, student: str, cells: int = 10, seconds: float = 9) -> Path:
    """``cells`` added cells that each sleep ``seconds``, just below the per-cell limit."""
    return course.submit(student, correct_module("masks"),
                         added_cells=[f"import time\ntime.sleep({seconds})"] * cells)


#: student id: (maker, words the intake's reason holds)
HOSTILE = {
    "schema4": (schema_version_4, "schema_version 4"),
    "bomb": (heading_bomb, "nbformat 3"),
    "fifo": (fifo_notebook, "FIFO"),
    "bignb": (oversized_notebook, "more than the cap of 8388608"),
    "bigcell": (oversized_cell, "bytes of source, more than the cap"),
    "cells": (too_many_cells, "cells, more than the cap"),
}

#: What the grader's process reads after the intake admitted it (the static audit, the notebook's
#: run): student id: (maker, words a reason of its integrity.json holds).
ADMITTED_HOSTILE = {
    "bigmodule": (huge_string_module, "more than the audit reads"),
    "magics": (magics_cell, "IPython syntax"),
    "utf7": (utf7_module, "declares the encoding 'utf-7'"),
    "sleeper": (sleeping_cells, "were not run"),
}
