"""Sandboxes started ahead (``c.Sandbox.start_ahead``) grade a submission as a kernel started when needed does.

Red-team review of the start-ahead change. A kernel started the plain way (the
first kernel of every autograde run, every kernel with
``--Sandbox.start_ahead=False``) has the submission's files in its working
folder while ipykernel starts, so the NumPy preload (``c.Sandbox.kernel_preload``,
run as IPython's ``exec_lines`` after ``init_path`` put the working folder ahead
of site-packages) imports a submitted ``numpy.py``; a kernel started ahead has
imported the real NumPy before the files are copied in, and never imports it.
The same submission then gets different notebook results, and so different
scores, depending on whether it is graded first in a run, and on the setting.
"""

import pytest

from grading.sandbox import PLAIN_PATH
from grading.tools.scratch_course import ScratchCourse
from support.helpers import student_module_source

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes

# A numpy.py of the student's own: the real NumPy with two comparisons broken
# (what the notebook's own checks in the graded cells use).
OWN_NUMPY = '''"""Not NumPy: the real one, with allclose and array_equal broken."""
import importlib
import os
import sys

_saved = list(sys.path)
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
del sys.modules["numpy"]
try:
    _real = importlib.import_module("numpy")
finally:
    sys.path[:] = _saved
_real.allclose = lambda *args, **kwargs: False
_real.array_equal = lambda *args, **kwargs: False
sys.modules["numpy"] = _real
'''

STUDENTS = ("student-1", "student-2", "student-3")


def graded(tmp_path, *args):
    course = ScratchCourse.create(tmp_path)
    for student in STUDENTS:
        course.submit(student, student_module_source(), extra_files={"numpy.py": OWN_NUMPY})
    course.autograde(*args)
    return course.scores()


def test_identical_submissions_with_their_own_numpy_get_the_same_scores_whichever_kernel_grades_them(tmp_path):
    fast = graded(tmp_path / "fast")
    plain = graded(tmp_path / "plain", *PLAIN_PATH)
    # One run: the first student graded gets a kernel started the plain way, the others kernels started ahead.
    assert len({tuple(sorted(fast[s].items())) for s in STUDENTS}) == 1, fast
    # And the setting changes nothing (README: "the same results").
    assert fast == plain, (fast, plain)
