"""A submission cannot stand in the way of the course's files that autograde copies over it (``selfcheck/``).

nbgrader's autograde copies every file of the assignment's source folder
into the student's autograded folder ("Overwriting files with master
versions"): it makes the file's folder if it does not exist, removes the file
if it exists, and copies. A *file* named ``selfcheck`` makes the copy into
``selfcheck/`` fail, a *folder* named ``selfcheck/judge.py`` makes the removal
fail, and either way nbgrader grades nothing of that student: no score, no
reason, no flag. The intake sets such entries aside first. No nbgrader run:
the copy below is nbgrader's, step by step, on the admitted folder.
"""

import os
import shutil
from pathlib import Path

import pytest
from nbgrader.utils import find_all_files

from grading.course import REPO, load_config
from grading.intake import Intake
from support.helpers import RELEASE

SOURCE = REPO / "source" / "assignment2"
CONFIG = load_config(REPO)


def overwrite_with_master_versions(folder: Path) -> None:
    """What nbgrader's ``Autograde.init_assignment`` does to the autograded folder (here: ``folder``)."""
    files = set(find_all_files(str(SOURCE), list(CONFIG.CourseDirectory.ignore) + ["*.ipynb"]))
    files -= {os.path.join(str(SOURCE), name) for name in CONFIG.Autograde.exclude_overwriting["assignment2"]}
    for filename in files:
        dest = os.path.join(str(folder), os.path.relpath(filename, str(SOURCE)))
        if not os.path.exists(os.path.dirname(dest)):
            os.makedirs(os.path.dirname(dest))
        if os.path.exists(dest):
            os.remove(dest)
        shutil.copy(filename, dest)


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "submitted" / "ada" / "assignment2"
    folder.mkdir(parents=True)
    for name in ("assignment2.ipynb", "regularization.py"):
        shutil.copyfile(RELEASE / name, folder / name)
    return folder


def test_the_released_selfcheck_handed_back_is_admitted_and_overwritten(folder):
    shutil.copytree(RELEASE / "selfcheck", folder / "selfcheck")
    assert Intake().admit(folder, RELEASE) == []
    overwrite_with_master_versions(folder)
    assert (folder / "selfcheck" / "judge.py").read_bytes() == (SOURCE / "selfcheck" / "judge.py").read_bytes()


@pytest.mark.parametrize("make", ["a file named selfcheck", "a folder named selfcheck/judge.py"])
def test_an_entry_in_the_way_of_the_courses_files_is_set_aside(folder, make):
    if make == "a file named selfcheck":
        (folder / "selfcheck").write_text("not a folder", encoding="utf-8")
    else:
        (folder / "selfcheck" / "judge.py" / "inside").mkdir(parents=True)
    findings = Intake().admit(folder, RELEASE)
    assert findings, "set aside, with a reason in integrity.json"
    overwrite_with_master_versions(folder)  # raised NotADirectoryError / IsADirectoryError before
    assert (folder / "selfcheck" / "judge.py").read_bytes() == (SOURCE / "selfcheck" / "judge.py").read_bytes()
