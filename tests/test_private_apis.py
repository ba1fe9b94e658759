"""The private parts of nbgrader, nbconvert and jupyter_client that the course leans on, pinned.

Each is used because no public extension point does the job (the module's
docstring that uses it says why). An upgrade of these packages that changes
one of them must fail here, loudly, and not somewhere in the middle of
grading a class.
"""

import importlib.metadata
import inspect
import re

import pytest
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbconvert.preprocessors import ExecutePreprocessor
from nbformat.v4 import new_code_cell
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

from grading.course import REPO


def pinned_versions():
    pins = {}
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


@pytest.mark.parametrize("package", ["nbgrader", "nbconvert", "nbclient", "jupyter-client"])
def test_the_packages_whose_private_parts_are_used_are_the_pinned_versions(package):
    assert importlib.metadata.version(package) == pinned_versions()[package]


def test_clear_hidden_tests_removes_a_region_in_place():
    # grading.preprocessors.hide_hidden_tests
    cell = new_code_cell("a = 1\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\nb = 2")
    ClearHiddenTests()._remove_hidden_test_region(cell)
    assert cell.source == "a = 1\nb = 2"


def test_clear_solutions_replaces_a_python_region_with_the_stub_in_place():
    # grading.preprocessors.strip_module_solutions
    cell = new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n")
    ClearSolutions()._replace_solution_region(cell, "python")
    assert cell.source == "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"


def test_execute_preprocessor_set_up_steps_exist_with_their_signatures():
    # grading.preprocessors.resilient_execute repeats ExecutePreprocessor.preprocess's set-up.
    assert list(inspect.signature(ExecutePreprocessor._check_assign_resources).parameters) == ["self", "resources"]
    assert list(inspect.signature(NotebookClient.__init__).parameters)[:3] == ["self", "nb", "km"]
    for name in ("reset_execution_trackers", "setup_kernel", "wait_for_reply", "execute_cell",
                 "set_widgets_metadata", "process_message"):
        assert callable(getattr(ExecutePreprocessor, name)), name


@pytest.mark.parametrize("name", ["_async_pre_start_kernel", "_async_launch_kernel", "_async_is_alive",
                                  "_async_cleanup_resources"])
def test_kernel_manager_steps_the_sandboxed_kernel_overrides_are_coroutines(name):
    # grading.sandbox.kernel.SandboxedKernelManager overrides these.
    assert inspect.iscoroutinefunction(getattr(AsyncKernelManager, name))


def test_what_a_forked_kernel_sets_on_the_local_provisioner_is_what_it_reads():
    # grading.sandbox.kernel._launch_forked gives the provisioner a process it did not start
    # (process, pid, pgid) and reconciles the connection info the provisioner prepared.
    from jupyter_client.provisioning import LocalProvisioner

    source = inspect.getsource(LocalProvisioner)
    for used in ("self.process.poll()", "self.process.kill()", "self.process.send_signal(", "self.pgid"):
        assert used in source, used
    for name in ("process", "pid", "pgid"):
        assert hasattr(LocalProvisioner, name), name
    assert list(inspect.signature(AsyncKernelManager._reconcile_connection_info).parameters) == ["self", "info"]


def test_autograde_lists_the_submissions_then_creates_its_exporter_then_reads_them():
    # grading.intake.exporter.IntakeExporter admits the run's submissions when it is
    # created: after init_notebooks filled converter.assignments, before convert_notebooks
    # (which reads timestamp.txt, takes the student id and calls the pre-convert hook).
    from nbgrader.converters.base import BaseConverter

    start = inspect.getsource(BaseConverter.start)
    order = [start.index(step) for step in ("self.init_notebooks()", "self.exporter_class(parent=self",
                                            "self.convert_notebooks()")]
    assert order == sorted(order)
    convert = inspect.getsource(BaseConverter.convert_notebooks)
    assert "for assignment in sorted(self.assignments.keys()):" in convert
    assert "self.notebooks = sorted(self.assignments[assignment])" in convert
    assert convert.index("self.init_destination(") < convert.index("self.run_pre_convert_hook()")
