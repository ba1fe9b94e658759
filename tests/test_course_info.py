"""The semester and the due date: set once in nbgrader_config.py, filled into the release's header."""

import subprocess
import sys

import nbformat
import pytest
from traitlets.config import Config

from grading.course import load_config
from grading.preprocessors.course_info import CourseInfo, students_date
from grading.tools.scratch_course import REPO
from support.helpers import MASTER_NOTEBOOK, RELEASE, nbgrader_cells, read_notebook


def header(notebook):
    return nbgrader_cells(notebook)["header"].source


def fill(notebook, **values):
    config = Config()
    for name, value in values.items():
        setattr(config.CourseInfo, name, value)
    return CourseInfo(config=config).preprocess(notebook, {})[0]


def test_master_header_names_placeholders_not_a_semester_or_a_date():
    text = header(read_notebook(MASTER_NOTEBOOK))
    assert "{{ semester }}" in text and "{{ due }}" in text
    assert "2022" not in text and "Semester" not in text


def test_preprocessor_fills_the_header_from_the_configuration():
    notebook = fill(read_notebook(MASTER_NOTEBOOK), semester="Summer Semester 2031", due="2031-05-07 14:30:00+02:00")
    text = header(notebook)
    assert "Summer Semester 2031" in text and "**Due:** 07.05.2031, 2:30 pm<br>" in text
    assert "{{" not in nbformat.writes(notebook)


@pytest.mark.parametrize("values", [{"semester": "Winter Semester 2030/31"}, {"due": "2030-11-10 10:00:00+01:00"},
                                    {"semester": " ", "due": "2030-11-10 10:00:00+01:00"}])
def test_an_unset_placeholder_stops_the_release_and_names_the_setting(values):
    missing = ({"semester", "due"} - {k for k, v in values.items() if v.strip()}).pop()
    with pytest.raises(ValueError, match=rf"c\.CourseInfo\.{missing}"):
        fill(read_notebook(MASTER_NOTEBOOK), **values)


def test_an_unknown_placeholder_or_an_unreadable_date_stops_the_release():
    notebook = read_notebook(MASTER_NOTEBOOK)
    nbgrader_cells(notebook)["header"].source += "\n{{ room }}"
    with pytest.raises(ValueError, match=r"\{\{ room \}\}"):
        fill(notebook, semester="S", due="2030-11-10 10:00")
    with pytest.raises(ValueError, match="not a date and time in ISO form"):
        fill(read_notebook(MASTER_NOTEBOOK), semester="S", due="10.11.2030, 10 am")


def test_code_cells_are_left_alone():
    notebook = read_notebook(MASTER_NOTEBOOK)
    notebook.cells.append(nbformat.v4.new_code_cell("print('{{ due }}')"))
    assert fill(notebook, semester="S", due="2030-11-10 10:00").cells[-1].source == "print('{{ due }}')"


@pytest.mark.parametrize("iso, shown", [("2022-11-10 10:00:00+01:00", "10.11.2022, 10 am"),
                                        ("2022-11-10 00:05", "10.11.2022, 12:05 am"),
                                        ("2022-11-10 12:00", "10.11.2022, 12 pm")])
def test_students_read_the_due_date_as_day_month_year_and_12_hour_time(iso, shown):
    assert students_date(iso) == shown


def test_committed_release_header_shows_the_configured_semester_and_due_date():
    config = load_config(REPO)
    text = header(read_notebook(RELEASE / "assignment2.ipynb"))
    assert config.CourseInfo.semester and config.CourseInfo.semester in text
    assert f"**Due:** {students_date(config.CourseInfo.due)}<br>" in text
    assert "{{" not in (RELEASE / "assignment2.ipynb").read_text(encoding="utf-8")


def test_release_and_solution_run_the_preprocessor_first():
    config = load_config(REPO)
    name = "grading.preprocessors.course_info.CourseInfo"
    assert config.GenerateAssignment.preprocessors[0] == name
    assert config.GenerateSolution.preprocessors[0] == name


def test_the_gradebook_due_date_step_reads_the_same_setting():
    semester_guide = (REPO / "docs" / "semester.md").read_text(encoding="utf-8")
    assert '--duedate="$(python -m grading.preprocessors.course_info due)"' in semester_guide
    printed = subprocess.run([sys.executable, "-m", "grading.preprocessors.course_info", "due"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.strip()
    assert printed == load_config(REPO).CourseInfo.due
