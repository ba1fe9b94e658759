"""One grading per process, enforced: a second notebook started by another thread is refused, the first unharmed."""

import threading

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading.preprocessors.resilient_execute import ResilientExecute
from grading.sandbox.one_grading import ConcurrentGrading, grading_slot

pytestmark = pytest.mark.e2e  # runs kernels in the sandbox


def notebook(*sources):
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_a_second_concurrent_grading_in_one_process_is_refused_and_the_first_kernel_lives(tmp_path):
    first_folder, second_folder = tmp_path / "first", tmp_path / "second"
    first_folder.mkdir()
    second_folder.mkdir()
    running = threading.Event()  # the first notebook's slow cell has been sent to its kernel
    first = {}

    def grade_first():
        executor = ResilientExecute(on_cell_execute=lambda **_: running.set())
        try:
            first["nb"], _ = executor.preprocess(
                notebook("import time\ntime.sleep(4)\nprint('first kernel lived')"),
                {"metadata": {"path": str(first_folder)}, "nbgrader": {"student": "ada"}})
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            first["error"] = error

    thread = threading.Thread(target=grade_first, name="grader-ada")
    thread.start()
    try:
        assert running.wait(120), "the first notebook never ran its cell"
        with pytest.raises(ConcurrentGrading, match="is grading the notebook of ada in thread grader-ada"):
            ResilientExecute().preprocess(notebook("print('second')"),
                                          {"metadata": {"path": str(second_folder)}, "nbgrader": {"student": "ben"}})
    finally:
        thread.join(120)
    assert "error" not in first, first.get("error")
    [cell] = first["nb"].cells
    assert [o.get("text") for o in cell.outputs] == ["first kernel lived\n"], cell.outputs

    # Once the first is done, the process grades the next one.
    nb, _ = ResilientExecute().preprocess(notebook("print('second')"), {"metadata": {"path": str(second_folder)}})
    assert [o.get("text") for o in nb.cells[0].outputs] == ["second\n"]


def test_the_slot_is_free_again_after_a_grading_that_raised():
    with pytest.raises(ValueError), grading_slot("a notebook that fails"):
        raise ValueError("the grading failed")
    with grading_slot("the next notebook"):
        pass
