"""Shared fixtures, and the e2e mark for nbval's replay of the master notebook."""

import pytest

from grading.tools.scratch_course import ScratchCourse


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A scratch course with a release freshly generated from source/."""
    return ScratchCourse.create(tmp_path_factory.mktemp("course"))


def pytest_collection_modifyitems(items):
    """nbval's cells of the master notebook run a kernel: they belong to the end-to-end layer."""
    for item in items:
        if type(item).__name__ == "IPyNbCell":
            item.add_marker(pytest.mark.e2e)
