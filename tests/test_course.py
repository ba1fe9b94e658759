"""grading.course: configuration loaded as nbgrader loads it, points from the master, gradebook URLs."""

import pytest

from grading import checks, course


def test_config_comes_from_jupyters_config_folders_and_then_the_course(tmp_path, monkeypatch):
    system = tmp_path / "etc-jupyter"
    system.mkdir()
    (system / "nbgrader_config.py").write_text(
        "c = get_config()\nc.Exchange.root = '/srv/exchange'\nc.CourseDirectory.course_id = 'system'\n")
    course_root = tmp_path / "course"
    course_root.mkdir()
    (course_root / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'dlcv'\n")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(system))
    config = course.load_config(course_root)
    assert config.Exchange.root == "/srv/exchange"      # from the Jupyter config folder
    assert config.CourseDirectory.course_id == "dlcv"   # the course's file comes last and wins


def test_course_directory_is_rooted_in_the_course(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.db_url = 'sqlite:///x.db'\n")
    coursedir = course.course_directory(tmp_path)
    assert coursedir.root == str(tmp_path.resolve())
    assert coursedir.db_url == "sqlite:///x.db"


def test_points_come_from_the_master_notebook():
    cells = course.graded_cells()
    autograded = [c.grade_id for c in cells if c.autograded]
    assert sorted(autograded) == sorted(checks.GRADE_IDS)
    assert course.maxima() == (6.0, 4.0)


@pytest.mark.parametrize("url, path", [
    ("sqlite:///gradebook.db", "gradebook.db"),
    ("sqlite:////srv/course/gradebook.db?timeout=30", "/srv/course/gradebook.db"),
    ("postgresql://grader@localhost/dlcv", None),
    ("sqlite://", None),
])
def test_sqlite_path_reads_the_url_with_sqlalchemy(url, path):
    found = course.sqlite_path(url)
    assert (str(found) if found is not None else None) == path


def test_the_course_folders_config_is_read_last_as_nbgrader_does(tmp_path):
    working = tmp_path / "repository"
    working.mkdir()
    (working / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'dlcv'\nc.CourseDirectory.db_url = 'sqlite:///a.db'\n")
    course_root = tmp_path / "course"
    course_root.mkdir()
    (course_root / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.db_url = 'postgresql://x/y'\n")
    config = course.load_config(course_root, working)
    assert config.CourseDirectory.course_id == "dlcv"               # from the working folder
    assert config.CourseDirectory.db_url == "postgresql://x/y"      # the course's own file wins
