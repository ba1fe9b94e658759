"""ResilientExecute on small notebooks: limits student code cannot dodge, enforced on the grader's side."""

import os

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from grading.preprocessors.resilient_execute import ResilientExecute
from grading.sandbox.kernel import release_spares
from support.helpers import tmp_entries_of_a_fresh_kernel

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes


def run(cells, tmp_path, **settings):
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = ResilientExecute(**settings)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return nb


def text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def errors(cell):
    return [o for o in cell.outputs if o.output_type == "error"]


def test_output_past_the_cap_is_dropped_whatever_path_it_takes(tmp_path):
    nb = run([
        "import os, sys\nos.write(1, b'a' * 300_000)",            # the raw file descriptor
        "sys.__stdout__.write('b' * 300_000); sys.__stdout__.flush()",
        "from IPython.display import display\ndisplay({'text/plain': 'c' * 300_000}, raw=True)",
        "print('d' * 300_000)",
        "raise ValueError('e' * 300_000)",
    ], tmp_path, output_limit=500_000, error_limit=1_000)
    kept = sum(len(text(c)) + sum(len(str(v)) for o in c.outputs for v in o.get("data", {}).values())
               for c in nb.cells)
    assert kept <= 500_000 + 200
    assert "[output truncated by the grader" in "".join(text(c) for c in nb.cells)
    # The error is kept (it fails the cell) but cut short.
    [error] = errors(nb.cells[-1])
    assert error.ename == "ValueError" and len(error.evalue) <= 1_000


def test_a_cell_that_ignores_the_interrupt_is_stopped_and_grading_goes_on(tmp_path):
    nb = run([
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nx = 1",
        "while True:\n    pass",
        "print('next cell ran')",
    ], tmp_path, timeout=2)
    [error] = errors(nb.cells[1])
    assert error.ename == "CellTimeoutError" and "did not finish within 2 s" in error.evalue
    assert text(nb.cells[2]) == "next cell ran\n"


def sandbox_cgroups():
    """The process-cap cgroups of this process's sandboxes that exist now (made only when the grader is root)."""
    from grading.sandbox.bubblewrap import PidsCgroup

    return {path for path in PidsCgroup._live if path.is_dir()}


def test_a_dead_kernel_costs_only_its_cell_and_leaves_nothing_behind(tmp_path):
    release_spares()
    before = sandbox_cgroups()
    nb = run(["import os\nos._exit(3)", "print('still grading')", "while True:\n    pass", "print('and on')"],
             tmp_path, timeout=2)
    assert errors(nb.cells[0])[0].ename == "KernelDied"
    assert text(nb.cells[1]) == "still grading\n"
    assert errors(nb.cells[2])[0].ename == "CellTimeoutError" and text(nb.cells[3]) == "and on\n"
    # What is left is the one kernel started ahead for the next submission, until it is released.
    assert len(sandbox_cgroups() - before) <= 1
    release_spares()
    assert sandbox_cgroups() - before == set()


def test_the_kernel_runs_in_a_private_copy_of_the_notebook_folder(tmp_path):
    (tmp_path / "data.txt").write_text("mine")
    (tmp_path / "graded.ipynb").write_text("{}")
    nb = run(["import os\nprint(sorted(os.listdir('.')), open('data.txt').read())\n"
              "open('data.txt', 'w').write('changed')"], tmp_path)
    assert text(nb.cells[0]) == "['data.txt'] mine\n"
    assert (tmp_path / "data.txt").read_text() == "mine"


def test_every_part_of_an_output_counts_against_the_cap(tmp_path):
    # Metadata, many errors and odd stream names are output too.
    nb = run([
        "from IPython.display import publish_display_data\n"
        "publish_display_data({'text/plain': 'x'}, metadata={'m': 'y' * 300_000})",
        "ip = get_ipython()\nfor i in range(200):\n"
        "    ip.kernel.session.send(ip.kernel.iopub_socket, 'error', "
        "{'ename': 'E' * 5000, 'evalue': 'v' * 5000, 'traceback': ['t' * 5000]}, parent=ip.kernel.get_parent())",
        "ip.kernel.session.send(ip.kernel.iopub_socket, 'stream', {'name': 'n' * 300_000, 'text': 'ok'},"
        " parent=ip.kernel.get_parent())",
    ], tmp_path, output_limit=200_000, error_limit=1_000)
    assert len(nbformat_json(nb)) < 200_000 + 50_000
    stream = [o for o in nb.cells[2].outputs if o.output_type == "stream"]
    assert all(o.name in ("stdout", "stderr") for o in stream)


def test_widget_and_comm_messages_are_ignored_not_fatal(tmp_path):
    nb = run([
        "from comm import create_comm\n"
        "c = create_comm(target_name='jupyter.widget', data={'state': {'x': 'y' * 1000}})\n"
        "print('after the comm')",
    ], tmp_path)
    assert text(nb.cells[0]) == "after the comm\n"
    assert "widgets" not in nb.metadata


def nbformat_json(nb):
    import nbformat

    return nbformat.writes(nb)


def test_outputs_a_browser_would_run_never_reach_the_graders_notebook(tmp_path):
    # formgrader renders autograded notebooks in the grader's browser session.
    nb = run([
        "from IPython.display import HTML, Javascript, SVG, Markdown, display\n"
        "display(HTML('<script>alert(1)</script>'))\n"
        "display(Javascript('alert(2)'))\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(3)</script></svg>'))\n"
        "display(Markdown('<img src=x onerror=alert(4)>'))\n"
        "print('plain text stays')",
    ], tmp_path)
    stored = str(nb.cells[0].outputs)
    assert "alert(" not in stored and "text/html" not in stored and "javascript" not in stored
    assert text(nb.cells[0]) == "plain text stays\n"


def test_a_kernel_started_ahead_serves_one_submission_with_its_own_files_and_nothing_else(tmp_path):
    from grading.sandbox import kernel as sandboxed_kernel

    release_spares()
    first, second = tmp_path / "a" / "assignment2", tmp_path / "b" / "assignment2"
    for folder, mark in ((first, "first"), (second, "second")):
        folder.mkdir(parents=True)
        (folder / "data.txt").write_text(mark)
        (folder / "sub").mkdir()
        (folder / "sub" / "more.txt").write_text(mark)
    look = ("import os\nprint(os.getcwd(), sorted(os.listdir('.')), open('data.txt').read(), "
            "open('sub/more.txt').read(), sorted(os.listdir('/tmp')))\n"
            "open('/tmp/left-behind', 'w').write('x'); open('left-behind', 'w').write('x')")
    plain_kernels = Config({"Sandbox": {"warm_parent": False}})  # spares are for kernels not forked
    nb = run([look], first, config=plain_kernels)
    [spare] = sandboxed_kernel._SPARES._waiting.values()  # started while the first one ran
    nb_second = run([look], second, config=plain_kernels)
    assert spare not in sandboxed_kernel._SPARES._waiting.values()  # taken, and only once
    assert spare.provisioner is None  # its kernel now belongs to the manager that took it
    assert text(nb.cells[0]).split(" ['")[0] == text(nb_second.cells[0]).split(" ['")[0] == "/home/student/assignment2"
    seen = text(nb_second.cells[0])
    assert "['data.txt', 'sub'] second second" in seen and "left-behind" not in seen
    release_spares()
    assert sandboxed_kernel._SPARES._waiting == {}


def test_kernels_forked_by_one_warm_parent_each_see_only_their_own_submission(tmp_path):
    from grading.sandbox import warm

    first, second = tmp_path / "a" / "assignment2", tmp_path / "b" / "assignment2"
    for folder, mark in ((first, "first"), (second, "second")):
        folder.mkdir(parents=True)
        (folder / "data.txt").write_text(mark)
    look = ("import os\nprint(os.getpid(), os.getcwd(), sorted(os.listdir('.')), open('data.txt').read(), "
            "sorted(os.listdir('/tmp')), sorted(p for p in os.listdir('/proc') if p.isdigit()))\n"
            "open('/tmp/left-behind', 'w').write('x'); open('left-behind', 'w').write('x')")
    nb = run([look], first)
    [parent] = [p for key, p in warm._PARENTS.items() if key[0] == os.getpid()]
    nb_second = run([look], second)
    assert [p for key, p in warm._PARENTS.items() if key[0] == os.getpid()] == [parent]  # the same, warm
    one, two = text(nb.cells[0]).split(" ", 1), text(nb_second.cells[0]).split(" ", 1)
    assert one[0] != two[0]  # two kernels
    assert f"/home/student/assignment2 ['data.txt'] first {tmp_entries_of_a_fresh_kernel()}" in one[1], one
    # The second kernel: its own file only, nothing the first left in /tmp or its folder, and in
    # /proc only the warm parent (PID 1) and itself.
    assert (f"/home/student/assignment2 ['data.txt'] second {tmp_entries_of_a_fresh_kernel()} ['1', '{two[0]}']"
            in two[1]), two


def test_kernels_start_plain_with_a_warning_where_the_warm_parent_cannot_start(tmp_path, monkeypatch, caplog):
    from grading.sandbox import warm

    warm.release_warm_parents()
    monkeypatch.setattr(warm, "WARM_PARENT_OPTIONS", ("--no-such-bubblewrap-option",))
    monkeypatch.setattr(warm, "_UNUSABLE", set())
    nb = run(["import os\nprint('kernel', os.getcwd())"], tmp_path)
    assert text(nb.cells[0]) == f"kernel /home/student/{tmp_path.name}\n"
    assert "start without the warm parent" in caplog.text
    assert not [key for key in warm._PARENTS if key[0] == os.getpid()]


def test_a_warm_parent_that_ended_is_replaced_and_grading_goes_on(tmp_path):
    from grading.sandbox import warm

    look = "import os\nprint('kernel', os.getcwd())"
    run([look], tmp_path)
    [parent] = [p for key, p in warm._PARENTS.items() if key[0] == os.getpid()]
    os.kill(parent.process_pid(), 9)  # what the machine's OOM killer would do
    parent.process.wait()
    nb = run([look], tmp_path)
    assert text(nb.cells[0]) == f"kernel /home/student/{tmp_path.name}\n"
    [new] = [p for key, p in warm._PARENTS.items() if key[0] == os.getpid()]
    assert new is not parent and new.alive()


def _kernel_cwd_and_parent(folder):
    """In a worker process: grade one cell; what it printed, and this process's warm parent."""
    from grading.sandbox import warm

    nb = run(["import os\nprint('kernel', os.getcwd())"], folder)
    parents = [p.process_pid() for key, p in warm._PARENTS.items() if key[0] == os.getpid()]
    return text(nb.cells[0]), parents


def test_a_forked_worker_gets_a_warm_parent_of_its_own(tmp_path):
    # The parallel runner's workers are forked from a process that may have graded already.
    import multiprocessing

    from grading.sandbox import warm

    run(["print('in the parent')"], tmp_path)
    [mine] = [p.process_pid() for key, p in warm._PARENTS.items() if key[0] == os.getpid()]
    with multiprocessing.get_context("fork").Pool(1) as pool:
        printed, parents = pool.apply_async(_kernel_cwd_and_parent, (str(tmp_path),)).get(timeout=120)
    assert printed == f"kernel /home/student/{tmp_path.name}\n"
    assert len(parents) == 1 and parents != [mine]


def instructors(source, grade_id, graded=False):
    """A cell as nbgrader leaves the instructor's: read-only, with a grade id the gradebook knows."""
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": graded, "grade_id": grade_id, "locked": True, "points": 1 if graded else 0,
        "schema_version": 3, "solution": False, "task": False}})


def run_notebook(cells, tmp_path, **settings):
    nb = new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    resources = {"metadata": {"path": str(tmp_path)}}
    nb, resources = ResilientExecute(**settings).preprocess(nb, resources)
    return nb, resources


def test_past_the_notebooks_time_limit_the_students_cells_are_skipped_and_graded_cells_still_run(tmp_path):
    # The attack with short limits: added cells that each sleep just under the cell limit.
    sleepers = [new_code_cell(f"import time\ntime.sleep(2.5)\nprint('slept {i}')") for i in range(6)]
    cells = [instructors("x = 41", "setup"), *sleepers, instructors("x += 1\nprint('graded', x)", "check", True),
             new_code_cell("print('late')")]
    nb, resources = run_notebook(cells, tmp_path, timeout=3, notebook_timeout=6)
    spent = resources["notebook_time"]
    outcomes = []
    for cell in nb.cells[1:7]:
        [error] = errors(cell) or [None]
        outcomes.append("ran" if error is None else error.ename)
        if error is not None and error.ename == "CellTimeoutError":
            assert "when the notebook's time limit of 6 s ran out" in error.evalue
        if error is not None and error.ename == "NotebookTimeout":
            assert "not run: the notebook's time limit of 6 s was spent" in error.evalue and not text(cell)
    # In order: the sleepers that fit, at most one stopped, then only skipped ones.
    assert outcomes == sorted(outcomes, key=["ran", "CellTimeoutError", "NotebookTimeout"].index), outcomes
    assert outcomes.count("ran") <= 3 and outcomes.count("CellTimeoutError") <= 1 and "NotebookTimeout" in outcomes
    assert text(nb.cells[7]) == "graded 42\n" and not errors(nb.cells[7])  # set-up re-run in a fresh kernel
    assert errors(nb.cells[8])[0].ename == "NotebookTimeout"
    assert spent["budget"] == 6 and 9 in spent["skipped"]
    assert spent["skipped"] == [i + 1 for i, cell in enumerate(nb.cells) if any(
        e.ename == "NotebookTimeout" for e in errors(cell))]


def test_a_spent_limit_skips_every_cell_a_student_wrote_whatever_its_metadata(tmp_path):
    # An added cell that claims to be read-only but has no grade id (nbgrader removes ids it
    # does not know) is the student's.
    fake = new_code_cell("print('fake read-only')", metadata={"nbgrader": {"locked": True, "grade": False}})
    cells = [instructors("print('setup')", "setup"), new_code_cell("print('mine')"), fake,
             instructors("print('graded')", "check", True)]
    nb, resources = run_notebook(cells, tmp_path, notebook_timeout=0)
    assert [text(c) for c in nb.cells] == ["setup\n", "", "", "graded\n"]
    assert resources["notebook_time"] == {"budget": 0, "skipped": [2, 3], "stopped": None, "reruns_cut": 0}


def test_without_a_notebook_limit_every_cell_runs(tmp_path):
    cells = [instructors("print('setup')", "setup"), new_code_cell("print('mine')")]
    nb, resources = run_notebook(cells, tmp_path, notebook_timeout=None)
    assert [text(c) for c in nb.cells] == ["setup\n", "mine\n"] and "notebook_time" not in resources
