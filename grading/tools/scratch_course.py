"""A throwaway nbgrader course directory built from this repository's masters.

The demo and the tests grade example submissions without touching the
repository's own ``release/`` or gradebook: a scratch course links to the
repository's ``source/``, and every nbgrader command runs with the
repository as working directory, so it reads the project's
``nbgrader_config.py`` (with configuration errors made fatal) while
``--CourseDirectory.root`` points at the scratch folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "assignment2"
NOTEBOOK = "assignment2.ipynb"
MODULE = "regularization.py"


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error; the message holds its log."""


def nbgrader_env() -> dict[str, str]:
    """The environment for nbgrader.

    Configuration file errors are fatal instead of warnings, and this
    interpreter's scripts come first on PATH (nbgrader calls ``alembic`` to
    create a gradebook).
    """
    env = dict(os.environ)
    env["TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR"] = "1"
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    return env


class ScratchCourse:
    """An nbgrader course folder at ``root`` whose source is the repository's."""

    def __init__(self, root):
        self.root = Path(root).resolve()

    @classmethod
    def create(cls, root: str | Path) -> ScratchCourse:
        """Create the folder, link ``source/`` and generate the release into it."""
        course = cls(root)
        course.root.mkdir(parents=True, exist_ok=True)
        source = course.root / "source"
        if not source.exists():
            source.symlink_to(REPO / "source", target_is_directory=True)
        course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
        return course

    @property
    def release_dir(self) -> Path:
        return self.root / "release" / ASSIGNMENT

    @property
    def db_path(self) -> Path:
        return self.root / "gradebook.db"

    def nbgrader(self, *args: str) -> str:
        """Run ``nbgrader *args`` on this course; return its combined log.

        Raises NbgraderFailed with the log if nbgrader exits with an error.
        """
        command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={self.root}"]
        done = subprocess.run(
            command, cwd=REPO, env=nbgrader_env(), capture_output=True, text=True
        )
        log = done.stdout + done.stderr
        if done.returncode != 0:
            raise NbgraderFailed(f"{' '.join(args)} exited with {done.returncode}:\n{log}")
        return log

    def submit(self, student: str, module_source: str | None = None, answers: dict | None = None,
               timestamp: str | None = None, added_cells: tuple | list = (), extra_files: dict | None = None,
               with_module: bool = True) -> Path:
        """Place a submission of ``student`` in ``submitted/``.

        The notebook is the released one with the written answers filled in
        (``answers`` maps a grade id such as ``"l1_explanation"`` to text) and
        ``added_cells`` (code) inserted where a student would experiment,
        after the set-up cells. ``module_source`` is the student's
        ``regularization.py`` (the released stub when None; no module at all
        when ``with_module`` is False). ``extra_files`` maps relative paths to
        text. ``timestamp`` is written to ``timestamp.txt``. Returns the
        submission folder.
        """
        folder = self.root / "submitted" / student / ASSIGNMENT
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        notebook = nbformat.read(self.release_dir / NOTEBOOK, as_version=4)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if answers and grade_id in answers:
                cell.source = answers[grade_id]
        after_tools = 1 + next(i for i, cell in enumerate(notebook.cells)
                               if cell.metadata.get("nbgrader", {}).get("grade_id") == "tools")
        notebook.cells[after_tools:after_tools] = [nbformat.v4.new_code_cell(c) for c in added_cells]
        nbformat.write(notebook, folder / NOTEBOOK)
        if module_source is None:
            module_source = (self.release_dir / MODULE).read_text(encoding="utf-8")
        if with_module:
            (folder / MODULE).write_text(module_source, encoding="utf-8")
        for relpath, text in (extra_files or {}).items():
            (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
            (folder / relpath).write_text(text, encoding="utf-8")
        if timestamp is not None:
            (folder / "timestamp.txt").write_text(timestamp, encoding="utf-8")
        return folder

    def autograde(self, *args: str) -> str:
        """Autograde every submission (``--force``); return nbgrader's log."""
        return self.nbgrader("autograde", ASSIGNMENT, "--force", *args)

    def scores(self) -> dict[str, dict[str, float]]:
        """Scores from the gradebook: ``{student: {grade_id: score or None}}``.

        A manually graded cell that awaits grading has ``None``.
        """
        from nbgrader.api import Gradebook

        result = {}
        with Gradebook(f"sqlite:///{self.db_path}") as gradebook:
            for submission in gradebook.assignment_submissions(ASSIGNMENT):
                grades = {}
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        grades[grade.name] = None if grade.needs_manual_grade else grade.score
                result[submission.student_id] = grades
        return result

