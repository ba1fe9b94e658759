"""Integrity: tampering is flagged, faults never stall a class, honest work is left alone.

Two classes go through ``nbgrader autograde`` with the project's
configuration: the tamper catalogue (``tests/tamper/``) and the fault
catalogue (``tests/faults/``), each beside honest students.
"""

import ast
from pathlib import Path

import pytest

from grading.tools.scratch_course import ScratchCourse
from support.helpers import read_notebook, student_module_source
from support.integrity import assert_memory_caps_in_place, exercise_points, report

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes

HERE = Path(__file__).resolve().parent
TAMPERS = sorted(p for p in (HERE / "tamper").iterdir() if p.is_dir())
FAULTS = sorted((HERE / "faults").glob("*.py"))
HONEST = {"honest-reference": student_module_source(),
          "honest-masks": (HERE / "catalogue" / "correct" / "masks.py").read_text()}


def test_catalogues_are_big_enough():
    assert len(TAMPERS) >= 10
    assert len(FAULTS) + 1 >= 8  # + the missing module


def hand_in_honest(course):
    for student, source in HONEST.items():
        course.submit(student, source)


@pytest.fixture(scope="module")
def tampered(tmp_path_factory):
    course = ScratchCourse.create(tmp_path_factory.mktemp("tamper"))
    for folder in TAMPERS:
        module = folder / "regularization.py"
        cell = folder / "notebook_cell.py"
        extra = folder / "extra"
        course.submit(
            folder.name,
            module.read_text() if module.exists() else None,
            added_cells=[cell.read_text()] if cell.exists() else (),
            extra_files={str(p.relative_to(extra)): p.read_text()
                         for p in extra.rglob("*") if p.is_file()} if extra.exists() else None,
        )
    hand_in_honest(course)
    log = course.autograde()
    return course, course.scores(), log


@pytest.mark.parametrize("folder", TAMPERS, ids=lambda p: p.name)
def test_tampering_is_flagged_and_never_gets_marks_unflagged(tampered, folder):
    course, scores, _ = tampered
    result = report(course, folder.name)
    assert result["flagged"], f"not flagged; autograded points: {scores[folder.name]}"
    assert result["reasons"]


@pytest.mark.parametrize("folder", TAMPERS, ids=lambda p: p.name)
def test_tampering_never_raises_a_score_above_the_isolated_check(tampered, folder):
    course, scores, _ = tampered
    cells = report(course, folder.name)["cells"]
    for grade_id, cell in cells.items():
        assert scores[folder.name][grade_id] == cell["score"] <= cell["isolated"], grade_id


def test_a_tamper_that_passes_in_the_notebook_scores_what_the_isolated_check_gives(tampered):
    course, scores, _ = tampered
    cells = report(course, "patch_allclose_and_builtins")["cells"]
    assert any(c["notebook"] > c["isolated"] for c in cells.values())
    # Functions redefined in the notebook: the graded cells check the module's, in the notebook
    # too (selfcheck imports regularization.py), so the student already saw them fail there.
    cells = report(course, "notebook_defines_the_functions")["cells"]
    for grade_id in ["l1_loss", "l1_gradient", "l2_loss", "l2_gradient"]:
        assert cells[grade_id]["notebook"] == 0 and cells[grade_id]["isolated"] == 0
        assert scores["notebook_defines_the_functions"][grade_id] == 0


def test_a_module_in_utf7_is_flagged_and_loses_the_vectorized_points_only(tampered):
    # Its loops are in what a UTF-8 reader takes for comments; its numbers are right.
    course, scores, _ = tampered
    result = report(course, "utf7_hides_loops_from_the_audit")
    assert any("declares the encoding 'utf-7'" in reason for reason in result["reasons"])
    got = scores["utf7_hides_loops_from_the_audit"]
    assert {g: v for g, v in got.items() if g.endswith("_vectorized")} == {"l1_vectorized": 0, "l2_vectorized": 0}
    assert exercise_points(got, "l1") + exercise_points(got, "l2") == 5


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_students_beside_tampering_are_not_flagged(tampered, student):
    course, scores, _ = tampered
    assert not report(course, student)["flagged"]
    assert exercise_points(scores[student], "l1") + exercise_points(scores[student], "l2") == 6


def test_flagged_students_are_listed_when_autograde_ends(tampered):
    _, _, log = tampered
    summary = log[log.index("Integrity check:"):]
    assert f"{len(TAMPERS)} submission(s) flagged" in summary
    assert all(folder.name in summary for folder in TAMPERS)
    assert "honest-" not in summary


def declared(path, name, default=None):
    """The value a fault module assigns to ``name`` (``EXPECTED_POINTS``, ``ADDED_CELLS``), read without running it."""
    tree = ast.parse(path.read_text()) if path.name != "syntax_error.py" else None
    for node in tree.body if tree is not None else []:
        if isinstance(node, ast.Assign) and node.targets[0].id == name:
            return ast.literal_eval(node.value)
    if default is None:
        raise ValueError(f"{path} does not say {name}")
    return default


def expected_points(path):
    return declared(path, "EXPECTED_POINTS", {"l1": 0, "l2": 0} if path.name == "syntax_error.py" else None)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    # The memory bomb below may only run once the caps it relies on hold.
    assert_memory_caps_in_place()
    course = ScratchCourse.create(tmp_path_factory.mktemp("faults"))
    for path in FAULTS:
        course.submit(path.stem, path.read_text(), added_cells=declared(path, "ADDED_CELLS", []))
    course.submit("missing_module", with_module=False)
    hand_in_honest(course)
    # Cell and re-grade limits of 3 s instead of 10 (as for the escapes), and 6 s for a whole
    # notebook instead of 120: what ends a hanging fault is the limit, not its value, and honest
    # cells take well under a second (the notebook's limit never skips the instructor's cells).
    course.autograde("--Execute.timeout=3", "--IsolatedRegrade.wall_seconds=3", "--ResilientExecute.notebook_timeout=6")
    return course, course.scores()


@pytest.mark.parametrize("path", FAULTS, ids=lambda p: p.stem)
def test_fault_gets_exactly_the_marks_of_the_parts_that_work(faulty, path):
    course, scores = faulty
    expected = expected_points(path)
    got = {e: exercise_points(scores[path.stem], e) for e in ("l1", "l2")}
    assert got == expected
    result = report(course, path.stem)
    if expected != {"l1": 3, "l2": 3}:
        assert result["faults"] or any(c["message"] for c in result["cells"].values())


def test_added_cells_past_the_notebook_time_limit_are_not_run_and_flagged(faulty):
    course, scores = faulty
    result = report(course, "sleeps_in_added_cells")
    assert result["flagged"]
    [reason] = [r for r in result["reasons"] if "time limit" in r]
    assert reason.startswith("the notebook ran past its time limit of 6 s (ResilientExecute.notebook_timeout)")
    assert "cell(s) the student wrote were not run" in reason
    notebook = read_notebook(course.root / "autograded" / "sleeps_in_added_cells" / "assignment2" / "assignment2.ipynb")
    skipped = [c for c in notebook.cells if any(o.get("ename") == "NotebookTimeout" for o in c.get("outputs", []))]
    assert skipped and all(c.source == "import time\ntime.sleep(2.5)" for c in skipped)
    got = scores["sleeps_in_added_cells"]
    assert exercise_points(got, "l1") + exercise_points(got, "l2") == 6


def test_missing_module_scores_zero_with_a_reason(faulty):
    course, scores = faulty
    assert exercise_points(scores["missing_module"], "l1") + exercise_points(scores["missing_module"], "l2") == 0
    assert report(course, "missing_module")["faults"] == ["regularization.py was not submitted"]


@pytest.mark.parametrize("student", sorted(HONEST))
def test_honest_students_beside_faults_are_graded_as_usual(faulty, student):
    course, scores = faulty
    assert exercise_points(scores[student], "l1") + exercise_points(scores[student], "l2") == 6
    assert not report(course, student)["flagged"]
