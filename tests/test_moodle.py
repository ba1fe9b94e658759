"""MoodleCollector: Moodle's archive names to roster ids and worksheet times (one e2e test runs zip_collect)."""

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


def test_a_students_own_timestamp_txt_is_kept_under_another_name_and_never_read(collector, caplog):
    info = collector.collect("Ada Lovelace_4711_assignsubmission_file_/timestamp.txt")
    assert info["file_id"] == "timestamp-handed-in.txt"
    assert info["timestamp"] == "2022-11-09T18:12:00+01:00"  # the worksheet's
    assert "handed in a file named timestamp.txt; kept as timestamp-handed-in.txt" in caplog.text


@pytest.mark.e2e
def test_a_forged_timestamp_txt_changes_nothing_the_gradebook_records_the_worksheets_time(tmp_path):
    # dana handed in on 11 November at 12:00, 26 h after the deadline (the worksheet's time);
    # her upload holds a timestamp.txt that says she was on time.
    import importlib.util
    import subprocess

    from grading.tools.scratch_course import nbgrader_env

    spec = importlib.util.spec_from_file_location("make_archives", REPO / "tests/data/moodle/make_archives.py")
    archives = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(archives)
    course = tmp_path / "course"
    course.mkdir()
    for name in ("source", "nbgrader_config.py", "examples"):
        (course / name).symlink_to(REPO / name)
    dana = list(archives.STUDENTS["dana"])
    dana[4] = {"timestamp.txt": "2022-11-09 08:00:00.000000 UTC"}
    archives.write_download(tmp_path / "download", {"dana": tuple(dana)})
    target = course / "downloaded" / "assignment2"
    (target / "archive").mkdir(parents=True)
    shutil.copy(tmp_path / "download" / "DLCV-Assignment 2-submissions.zip", target / "archive")
    shutil.copy(tmp_path / "download" / "grading-worksheet.csv", target)
    script = """
        nbgrader generate_assignment assignment2 --force
        nbgrader db student import examples/roster.csv
        nbgrader db assignment add assignment2 --duedate="2022-11-10 10:00:00+01:00"
        nbgrader zip_collect assignment2 --force
        nbgrader autograde assignment2 --force
    """
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=course, env=nbgrader_env(),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dlcv") as gradebook:
        submission = gradebook.find_submission("assignment2", "dana")
        assert str(submission.timestamp) == "2022-11-11 11:00:00"  # 12:00 in Frankfurt
        assert submission.total_seconds_late == 26 * 3600
    submitted = course / "submitted" / "dana" / "assignment2"
    assert (submitted / "timestamp-handed-in.txt").read_text() == "2022-11-09 08:00:00.000000 UTC"
