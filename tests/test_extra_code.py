"""Which files beside the notebook the integrity report calls the student's extra code (``IsolatedRegrade.extra_code``).

The kernel runs in the autograded folder, where nbgrader copied the course's
``selfcheck/`` over the student's: those copies are the course's, anything else
Python could import from there (in place of ``selfcheck``, NumPy or the grader's
modules) is the student's and is flagged. No nbgrader run: folders made here.
"""

import importlib.machinery
import shutil
from pathlib import Path

import pytest

from grading.preprocessors.isolated_regrade import IsolatedRegrade

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "source" / "assignment2"


@pytest.fixture
def folder(tmp_path):
    """An autograded folder as nbgrader leaves it: the module, the notebook, the course's selfcheck/."""
    folder = tmp_path / "autograded" / "ada" / "assignment2"
    folder.mkdir(parents=True)
    (folder / "regularization.py").write_text("def L1_reg(W, reg):\n    return 0, W\n", encoding="utf-8")
    (folder / "assignment2.ipynb").write_text("{}", encoding="utf-8")
    shutil.copytree(SOURCE / "selfcheck", folder / "selfcheck", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def extra(folder):
    return IsolatedRegrade().extra_code(folder, SOURCE)


def test_the_courses_own_selfcheck_is_not_the_students_code(folder):
    (folder / "selfcheck" / "__pycache__").mkdir()
    (folder / "selfcheck" / "__pycache__" / "judge.cpython-311.py").write_text("", encoding="utf-8")
    assert extra(folder) == []


def test_a_changed_selfcheck_file_or_one_the_course_has_not_is_flagged(folder):
    with open(folder / "selfcheck" / "judge.py", "a", encoding="utf-8") as handle:
        handle.write("\ndef check_loss(*args):\n    return None\n")
    (folder / "selfcheck" / "helpers.py").write_text("", encoding="utf-8")
    (folder / "numpy.py").write_text("", encoding="utf-8")
    [reason] = extra(folder)
    assert all(name in reason for name in ("selfcheck/judge.py", "selfcheck/helpers.py", "numpy.py"))


def test_a_link_to_the_courses_own_file_is_flagged(folder):
    (folder / "selfcheck" / "judge.py").unlink()
    (folder / "selfcheck" / "judge.py").symlink_to(SOURCE / "selfcheck" / "judge.py")
    [reason] = extra(folder)
    assert "selfcheck/judge.py" in reason


@pytest.mark.parametrize("name", [
    f"selfcheck/__init__{importlib.machinery.EXTENSION_SUFFIXES[0]}",  # imported before selfcheck/__init__.py
    "selfcheck/judge.abi3.so",
    "numpy.so",
    "regularization.so",  # `import regularization` in the notebook would load it, not the module
])
def test_an_extension_module_python_would_import_is_flagged(folder, name):
    # Python's path finder tries extension modules (.so) before source files in every folder, so a
    # compiled module beside the notebook shadows selfcheck's own .py files (or NumPy, or the student's
    # module) in the kernel; extra_code once looked at *.py files only and let it through unflagged.
    (folder / name).write_bytes(b"\x7fELF")
    [reason] = extra(folder)
    assert name in reason


@pytest.mark.parametrize("name", ["__pycache__helpers.py", "patch.ipynb_checkpoints.py"])
def test_a_name_that_only_contains_pycache_or_checkpoints_is_flagged(folder, name):
    # Only Python's own __pycache__/ and Jupyter's .ipynb_checkpoints/ folders are left out; a module
    # whose name merely contains those words (importable by the notebook's cells) once was too.
    (folder / name).write_text("import selfcheck\n", encoding="utf-8")
    [reason] = extra(folder)
    assert name in reason
