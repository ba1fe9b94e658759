"""nbgrader's Execute preprocessor, made to survive a kernel that dies.

When the kernel dies during a cell (the student's code calls ``os._exit``,
crashes the interpreter or is killed for memory), nbgrader's ``Execute``
raises, and nbgrader records no grade for that student at all. Listed in
place of ``Execute`` in ``Autograde.autograde_preprocessors``,
``ResilientExecute`` instead:

- records an error in the cell that was running (so it scores 0, with a
  message that says what happened);
- starts a fresh kernel, re-runs the read-only cells before it that set
  things up (locked, ungraded code cells that ran without error) without
  keeping their outputs, and carries on with the next cell.

So a fault confined to one function costs only the cells that call it.
Restarts are bounded by the number of cells. Hangs need nothing of this:
``Execute.timeout`` interrupts the cell and nbgrader records a timeout error.
"""

import copy

from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output

from nbgrader import utils
from nbgrader.preprocessors import Execute


class ResilientExecute(Execute):
    """Execute every cell; after a kernel death, restart and go on."""

    def preprocess(self, nb, resources=None, km=None):
        # The set-up of nbconvert's ExecutePreprocessor.preprocess, with the
        # cell loop run once per kernel life.
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._died = set()

        start = 0
        while start < len(self.nb.cells):
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                try:
                    self._rerun_setup(start)
                except DeadKernelError:
                    continue  # that set-up cell is now known to kill; start another kernel
                start = self._run_from(start, resources)
        self.set_widgets_metadata()
        return self.nb, self.resources

    def _run_from(self, start, resources):
        """Run cells from ``start``; return where to resume (the end, or after a death)."""
        for index in range(start, len(self.nb.cells)):
            try:
                self.preprocess_cell(self.nb.cells[index], resources, index)
            except DeadKernelError:
                self._died.add(index)
                self.log.warning("The kernel died in cell %d; restarting it and going on.", index + 1)
                self.nb.cells[index].outputs.append(new_output(
                    "error", ename="KernelDied",
                    evalue="The Python process running this cell ended (os._exit, a crash or "
                           "running out of memory). Grading went on in a fresh kernel.",
                    traceback=[]))
                return index + 1
        return len(self.nb.cells)

    def _rerun_setup(self, before):
        """Re-run the set-up cells before ``before`` in a fresh kernel; discard their outputs."""
        for index, cell in enumerate(self.nb.cells[:before]):
            if index in self._died or cell.cell_type != "code" or not utils.is_locked(cell) \
                    or utils.is_grade(cell) or any(o.output_type == "error" for o in cell.outputs):
                continue
            try:
                self.execute_cell(copy.deepcopy(cell), index, store_history=False)
            except DeadKernelError:
                self._died.add(index)
                raise
