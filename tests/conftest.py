"""Shared fixtures, and the order in which test files start."""

import pytest

from grading.scratch_course import ScratchCourse


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A scratch course with a release freshly generated from source/."""
    return ScratchCourse.create(tmp_path_factory.mktemp("course"))


#: The longest test files, started first so that, run side by side (``./run
#: test`` uses pytest-xdist), none of them is left to run alone at the end.
LONGEST_FIRST = ("test_unprivileged.py", "test_sandbox_escapes.py", "test_parallel_autograde.py",
                 "test_integrity.py", "test_catalogue.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # stable: within a file, and among the rest, the order stays
