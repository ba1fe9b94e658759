"""Each of the course's nbgrader preprocessors on small notebooks made here (no nbgrader run, no kernel)."""

import hashlib

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.preprocessors import ClearSolutions

from grading.preprocessors.defer_hidden_tests import DEFERRED, DeferHiddenTests, HiddenTestMismatch
from grading.preprocessors.hide_hidden_tests import HideHiddenTests
from grading.preprocessors.model_answers import AddModelAnswers, DropModelAnswers, is_model_answer
from grading.preprocessors.resilient_execute import sanitize
from grading.preprocessors.snapshot import SnapshotModule
from grading.preprocessors.strip_module_solutions import StripModuleSolutions


def graded_code(grade_id, source, outputs=()):
    cell = new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "grade_id": grade_id, "locked": True, "points": 1, "schema_version": 3,
        "solution": False, "task": False}})
    cell.outputs = list(outputs)
    return cell


def answer(grade_id, text):
    return new_markdown_cell(text, metadata={"nbgrader": {
        "grade": True, "grade_id": grade_id, "locked": False, "points": 2, "schema_version": 3,
        "solution": True, "task": False}})


HIDDEN = ('"""L1 loss."""\n### BEGIN HIDDEN TESTS\nfrom grading import checks\n'
          'checks.run_check("l1_loss", L1_reg)\n### END HIDDEN TESTS\nassert True\n')


def test_defer_hidden_tests_leaves_a_comment_where_the_check_was():
    nb, _ = DeferHiddenTests().preprocess(new_notebook(cells=[graded_code("l1_loss", HIDDEN)]), {})
    source = nb.cells[0].source
    assert DEFERRED in source and "run_check" not in source and source.endswith("assert True\n")


@pytest.mark.parametrize("region", [
    'from grading import checks\nchecks.run_check("l2_loss", L1_reg)\n',          # another cell's check
    'from grading import checks\nchecks.run_check("l1_loss", L1_reg)\nprint(1)\n',  # something added
])
def test_defer_hidden_tests_refuses_any_other_hidden_test(region):
    source = f"### BEGIN HIDDEN TESTS\n{region}### END HIDDEN TESTS\n"
    with pytest.raises(HiddenTestMismatch, match="l1_loss"):
        DeferHiddenTests().preprocess(new_notebook(cells=[graded_code("l1_loss", source)]), {})


def test_hide_hidden_tests_strips_the_region_and_cuts_tracebacks_to_the_message():
    error = new_output("error", ename="CheckFailed", evalue="R is wrong",
                       traceback=["Traceback", 'File "grading/checks.py", line 300', "CheckFailed: R is wrong"])
    nb = new_notebook(cells=[graded_code("l1_loss", HIDDEN, [error])])
    nb, _ = HideHiddenTests().preprocess(nb, {})
    cell = nb.cells[0]
    assert "BEGIN HIDDEN TESTS" not in cell.source and "run_check" not in cell.source
    assert cell.outputs[0].traceback == ["CheckFailed: R is wrong"]


def test_model_answers_are_added_below_each_answer_and_dropped_for_feedback(tmp_path):
    source = tmp_path / "source" / "assignment2"
    source.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[answer("l1_explanation", "**Model answer.** Sparse.")]),
                   source / "assignment2.ipynb")
    adder = AddModelAnswers()
    adder.config.CourseDirectory.root = str(tmp_path)
    resources = {"nbgrader": {"assignment": "assignment2", "notebook": "assignment2"}}
    student = new_notebook(cells=[answer("l1_explanation", "My answer."), new_code_cell("x = 1")])
    nb, _ = adder.preprocess(student, resources)
    assert [c.source.splitlines()[0] for c in nb.cells][:2] == [
        "My answer.", "> **For graders only: the model answer (not shown in feedback)**"]
    note = nb.cells[1]
    assert is_model_answer(note) and note.metadata["editable"] is False and "Sparse." in note.source
    again, _ = adder.preprocess(nb, resources)  # a second autograde adds no second copy
    assert sum(is_model_answer(c) for c in again.cells) == 1
    dropped, _ = DropModelAnswers().preprocess(again, {})
    assert [c.source for c in dropped.cells] == ["My answer.", "x = 1"]


def test_snapshot_reads_and_hashes_the_module_before_anything_runs(tmp_path):
    (tmp_path / "regularization.py").write_bytes(b"def L1_reg(W, reg):\n    pass\n")
    _, resources = SnapshotModule().preprocess(new_notebook(), {"metadata": {"path": str(tmp_path)}})
    collected = resources["collected"]
    assert collected["module"] == b"def L1_reg(W, reg):\n    pass\n"
    assert collected["sha256"] == hashlib.sha256(collected["module"]).hexdigest()


def test_snapshot_of_a_missing_or_oversized_module_is_none(tmp_path):
    (tmp_path / "regularization.py").write_bytes(b"#" * 100)
    snapshot = SnapshotModule(max_bytes=10)
    _, resources = snapshot.preprocess(new_notebook(), {"metadata": {"path": str(tmp_path)}})
    assert resources["collected"]["module"] is None and resources["collected"]["sha256"] is None


def test_strip_module_solutions_replaces_regions_with_the_stub_and_keeps_indentation():
    source = ("def L1_reg(W, reg):\n    ### BEGIN SOLUTION\n    secret = 1\n    ### END SOLUTION\n"
              "    return R, dW\n")
    stripped = StripModuleSolutions.strip(source, ClearSolutions())
    assert "secret" not in stripped and "BEGIN SOLUTION" not in stripped
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in stripped


@pytest.mark.parametrize("message, kept", [
    ({"msg_type": "comm_open", "content": {"data": {}}}, False),
    ({"msg_type": "update_display_data", "content": {"data": {"text/plain": "x"}}}, False),
    ({"msg_type": "display_data", "content": {"data": {"text/html": "<script>x</script>"}}}, False),
    ({"msg_type": "display_data", "content": {"data": {"text/plain": "1", "text/html": "<b>1</b>"}}}, True),
    ({"msg_type": "stream", "content": {"name": "stdout", "text": "hello"}}, True),
])
def test_sanitize_keeps_only_what_grading_needs_from_a_kernel_message(message, kept):
    clean = sanitize(message, error_limit=100)
    assert (clean is not None) == kept
    if clean is not None and clean["msg_type"] == "display_data":
        assert set(clean["content"]["data"]) == {"text/plain"}


def test_sanitize_cuts_an_error_to_the_limit():
    clean = sanitize({"msg_type": "error", "content": {
        "ename": "E", "evalue": "x" * 500, "traceback": ["y" * 500] * 3}}, error_limit=100)
    assert len(clean["content"]["evalue"]) <= 200
    assert clean["content"]["traceback"][-1] == "[traceback truncated by the grader]"


def test_a_code_cell_marked_as_a_model_answer_is_still_shown_to_the_grader_and_in_feedback(tmp_path):
    """The mark is the course's, but a submission can carry it: a student's code cell with it has run
    (AddModelAnswers comes after execution) and must not vanish from what the grader and feedback show."""
    source = tmp_path / "source" / "assignment2"
    source.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[answer("l1_explanation", "Sparse.")]), source / "assignment2.ipynb")
    adder = AddModelAnswers()
    adder.config.CourseDirectory.root = str(tmp_path)
    resources = {"nbgrader": {"assignment": "assignment2", "notebook": "assignment2"}}
    hidden = new_code_cell("import grading.checks as c; c.run_check = lambda *a: None",
                           metadata={"grading": {"model_answer": True}})
    hidden.outputs = [new_output("stream", name="stdout", text="patched\n")]
    nb, _ = adder.preprocess(new_notebook(cells=[answer("l1_explanation", "Mine."), hidden]), resources)
    assert [c.cell_type for c in nb.cells] == ["markdown", "markdown", "code"]
    assert nb.cells[2].source == hidden.source and not is_model_answer(nb.cells[2])
    feedback, _ = DropModelAnswers().preprocess(nb, {})
    assert [c.source for c in feedback.cells] == ["Mine.", hidden.source]
    forged = new_notebook(cells=[new_code_cell("x = 1", metadata={"grading": {"model_answer": True}})])
    assert [c.source for c in DropModelAnswers().preprocess(forged, {})[0].cells] == ["x = 1"]
