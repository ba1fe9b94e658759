"""The course as nbgrader sees it: its configuration, its folders and its graded cells.

One place for what several tools need:

- :func:`load_config` reads the configuration exactly as an nbgrader command
  started in the course folder does (Jupyter's config folders such as
  ``/etc/jupyter``, then ``nbgrader_config.py`` of the course), so a tool
  that grades "the same as nbgrader" really uses the same settings;
- :func:`course_directory` is nbgrader's ``CourseDirectory`` of a course;
- :func:`graded_cells` and :func:`maxima` read the grade ids and their points
  from the master notebook, the one source the gradebook is made from;
- :func:`sqlite_path` takes a gradebook URL apart with SQLAlchemy.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.apps.baseapp import NbGrader
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.engine import make_url
from traitlets.config import Application, Config

REPO = Path(__file__).resolve().parent.parent
MASTER_NOTEBOOK = REPO / "assignment2.ipynb"


def load_config(root: str | Path, working_dir: str | Path | None = None) -> Config:
    """The configuration of an nbgrader command started in ``working_dir`` on the course at ``root``.

    nbgrader reads ``nbgrader_config.py`` from each of Jupyter's config
    folders and from its working folder (``NbGrader.load_config_file``),
    then, last, the one in the course folder (``NbGrader.initialize``). This
    runs the same steps; ``working_dir`` defaults to ``root``.
    """
    root = Path(root).resolve()
    app = NbGrader()
    with contextlib.chdir(Path(working_dir or root)):
        app.load_config_file()
    Application.load_config_file(app, "nbgrader_config.py", path=str(root))
    return app.config


def course_directory(root: str | Path, config: Config | None = None) -> CourseDirectory:
    """nbgrader's ``CourseDirectory`` of the course at ``root``, configured as nbgrader would."""
    root = Path(root).resolve()
    coursedir = CourseDirectory(config=config if config is not None else load_config(root))
    coursedir.root = str(root)
    return coursedir


@dataclass(frozen=True)
class GradedCell:
    """One graded cell of the master notebook: its grade id, points and how it is graded."""

    grade_id: str
    points: float
    autograded: bool


def graded_cells(notebook: str | Path = MASTER_NOTEBOOK) -> list[GradedCell]:
    """The graded cells of ``notebook`` in notebook order (code cells are autograded)."""
    cells = []
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            cells.append(GradedCell(meta["grade_id"], float(meta["points"]), cell.cell_type == "code"))
    return cells


def maxima(notebook: str | Path = MASTER_NOTEBOOK) -> tuple[float, float]:
    """``(autograded points, manually graded points)`` of ``notebook``."""
    cells = graded_cells(notebook)
    return (sum(c.points for c in cells if c.autograded), sum(c.points for c in cells if not c.autograded))


def sqlite_path(db_url: str) -> Path | None:
    """The database file of a SQLite URL (query string ignored), or None for another database."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)
