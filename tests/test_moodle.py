"""MoodleCollector: Moodle's archive names to roster ids and worksheet times, without running zip_collect."""

import shutil
from types import SimpleNamespace

import pytest
from nbgrader.api import Gradebook
from traitlets.config import Configurable

from grading.course import REPO
from grading.plugins.moodle import MoodleCollector

WORKSHEET = "tests/data/moodle/download-1/grading-worksheet.csv"


@pytest.fixture(scope="module")
def course_root(tmp_path_factory):
    """A course folder with the worksheet and a gradebook roster (made once: a gradebook takes seconds)."""
    tmp_path = tmp_path_factory.mktemp("moodle")
    folder = tmp_path / "downloaded" / "assignment2"
    folder.mkdir(parents=True)
    shutil.copy(REPO / WORKSHEET, folder / "grading-worksheet.csv")
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db_url) as gradebook:
        gradebook.add_student("ada", first_name="Ada", last_name="Lovelace",
                              email="Ada.Lovelace@stud.uni-frankfurt.de")
        gradebook.add_student("bb", first_name="Ben", last_name="Bitdiddle", email="")
    return tmp_path, db_url


@pytest.fixture
def collector(course_root):
    tmp_path, db_url = course_root
    parent = Configurable()
    parent.coursedir = SimpleNamespace(root=str(tmp_path), assignment_id="assignment2",
                                       db_url=db_url, course_id="dlcv")
    return MoodleCollector(parent=parent)


def test_a_student_is_found_by_the_worksheets_email_and_gets_its_time(collector):
    info = collector.collect("Ada Lovelace_4711_assignsubmission_file_regularization.py")
    assert info == {"student_id": "ada", "file_id": "regularization.py",
                    "timestamp": "2022-11-09T18:12:00+01:00"}


def test_a_student_without_a_roster_email_is_found_by_name(collector):
    assert collector.collect("Ben Bitdiddle_4712_assignsubmission_file_/assignment2.ipynb")["student_id"] == "bb"


def test_a_renamed_notebook_is_collected_under_the_released_name(collector, caplog):
    info = collector.collect("Ada Lovelace_4711_assignsubmission_file_assignment2 (1).ipynb")
    assert info["file_id"] == "assignment2.ipynb"
    assert "handed in the notebook as" in caplog.text


@pytest.mark.parametrize("name, why", [
    ("Cem Yilmaz_4713_assignsubmission_file_regularization.py", "is not on the roster"),
    ("notes.txt", "Not a Moodle submission file"),
])
def test_files_that_cannot_be_placed_are_skipped_with_the_reason(collector, caplog, name, why):
    assert collector.collect(name) is None
    assert why in caplog.text
