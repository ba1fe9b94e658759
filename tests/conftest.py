"""Shared fixtures, the order in which test files start, the e2e mark of nbval's cells, a private home."""

import pytest

from grading.tools.scratch_course import ScratchCourse
from support.hermetic import remove_private_home, use_private_home


def pytest_configure(config):
    # Each test process (and each xdist worker) gets a new empty HOME and Jupyter folders of its
    # own: no test depends on what an earlier run left in a home, and none leaves anything there.
    use_private_home()


def pytest_unconfigure(config):
    remove_private_home()


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A scratch course with a release freshly generated from source/."""
    return ScratchCourse.create(tmp_path_factory.mktemp("course"))


#: The longest test files, started first so that, run side by side (``./run
#: test`` uses pytest-xdist), none of them is left to run alone at the end.
#: Measured with ``./run test --durations=0`` (longest first: each file's set-up and tests).
LONGEST_FIRST = ("test_unprivileged.py", "test_formgrader_escapes.py", "test_sandbox_escapes.py", "test_catalogue.py",
                 "test_parallel_autograde.py", "test_dask_autograde.py", "test_integrity.py", "test_exchange.py",
                 "test_intake_e2e.py", "test_semester.py", "test_grader_process_attacks.py", "test_sandbox.py",
                 "test_formgrader.py", "test_demo.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # stable: within a file, and among the rest, the order stays
    # nbval's cells of the master notebook run a kernel: they belong to the end-to-end layer.
    for item in items:
        if type(item).__name__ == "IPyNbCell":
            item.add_marker(pytest.mark.e2e)
