"""The committed release is nbgrader's output and holds nothing of the solution."""

import filecmp
import re
import subprocess
import sys

import pytest

from grading.tools.scratch_course import REPO, NbgraderFailed, ScratchCourse
from support.helpers import MASTER_MODULE, RELEASE, nbgrader_cells, read_notebook, solution_lines

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes

DELIMITERS = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
              "BEGIN MARK SCHEME", "END MARK SCHEME"]


def released_files():
    """Committed release files (``__pycache__``, which git ignores, left out)."""
    return sorted(p for p in RELEASE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_source_files_are_the_top_level_masters():
    for name in ["assignment2.ipynb", "regularization.py"]:
        linked = REPO / "source" / "assignment2" / name
        assert linked.is_symlink(), f"source/assignment2/{name} must link to the master"
        assert linked.resolve() == (REPO / name).resolve()


def test_committed_release_is_what_generate_assignment_produces_now(course):
    fresh = course.release_dir
    committed = {p.relative_to(RELEASE) for p in released_files()}
    generated = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
    assert committed == generated, "release/ holds other files than nbgrader generates: run ./run release"
    for relpath in sorted(committed):
        assert filecmp.cmp(RELEASE / relpath, fresh / relpath, shallow=False), (
            f"release/assignment2/{relpath} is stale: run ./run release and commit it"
        )


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_release_holds_no_delimiters(delimiter):
    for path in released_files():
        assert delimiter not in path.read_text(encoding="utf-8"), f"{delimiter} in {path}"


def test_release_holds_no_line_of_the_reference_solution():
    lines = solution_lines(MASTER_MODULE.read_text(encoding="utf-8"))
    assert len(lines) >= 6
    released_module = (RELEASE / "regularization.py").read_text(encoding="utf-8")
    released_notebook = (RELEASE / "assignment2.ipynb").read_text(encoding="utf-8")
    for line in lines:
        assert line not in released_module
        assert line not in released_notebook


def test_release_holds_no_hidden_tests_or_model_answers():
    master = nbgrader_cells(read_notebook(REPO / "assignment2.ipynb"))
    released = nbgrader_cells(read_notebook(RELEASE / "assignment2.ipynb"))
    release_text = (RELEASE / "assignment2.ipynb").read_text(encoding="utf-8")
    for grade_id, cell in master.items():
        meta = cell.metadata["nbgrader"]
        if meta.get("solution") and cell.cell_type == "markdown":
            assert released[grade_id].source.strip() == "YOUR ANSWER HERE"
            assert "Model answer" not in release_text
        hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, flags=re.S)
        for region in hidden:
            for line in region.splitlines():
                if line.strip() and not line.startswith("from grading import"):
                    assert line.strip() not in released[grade_id].source
            assert "grading" not in released[grade_id].source


def test_released_functions_raise_not_implemented():
    probe = (
        "import sys; sys.path.insert(0, '.')\n"
        "import numpy as np, regularization as r\n"
        "for f in (r.L1_reg, r.L2_reg):\n"
        "    try:\n"
        "        f(np.ones((3, 2)), 0.5)\n"
        "    except NotImplementedError:\n"
        "        print(f.__name__, 'raises')\n"
    )
    out = subprocess.run([sys.executable, "-I", "-B", "-c", probe], cwd=RELEASE,
                         capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["L1_reg raises", "L2_reg raises"]


def test_released_module_keeps_the_documented_contract():
    released = (RELEASE / "regularization.py").read_text(encoding="utf-8")
    assert "Returns a tuple of:" in released
    assert "shape (D+1, K)" in released
    assert released.count("raise NotImplementedError()") == 2


def broken_course(tmp_path, module_text):
    """A scratch course whose source module is ``module_text``."""
    source = tmp_path / "source" / "assignment2"
    source.mkdir(parents=True)
    (source / "assignment2.ipynb").symlink_to(REPO / "assignment2.ipynb")
    (source / "regularization.py").write_text(module_text, encoding="utf-8")
    return ScratchCourse(tmp_path)


def test_unclosed_solution_region_stops_the_release_and_leaves_none(tmp_path):
    master = MASTER_MODULE.read_text(encoding="utf-8")
    head, _, tail = master.rpartition("    ### END SOLUTION\n")
    course = broken_course(tmp_path, head + tail)
    with pytest.raises(NbgraderFailed, match="no end solution statement found"):
        course.nbgrader("generate_assignment", "assignment2")
    assert not course.release_dir.exists()


def test_delimiter_outside_a_module_stops_the_release(tmp_path):
    course = broken_course(tmp_path, MASTER_MODULE.read_text(encoding="utf-8"))
    (tmp_path / "source" / "assignment2" / "notes.txt").write_text("### BEGIN SOLUTION\nsecret\n")
    with pytest.raises(NbgraderFailed, match="Release would contain solution"):
        course.nbgrader("generate_assignment", "assignment2")
    assert not course.release_dir.exists()
