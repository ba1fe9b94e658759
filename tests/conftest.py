"""Shared fixtures."""

import pytest

from grading.tools.scratch_course import ScratchCourse


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A scratch course with a release freshly generated from source/."""
    return ScratchCourse.create(tmp_path_factory.mktemp("course"))
