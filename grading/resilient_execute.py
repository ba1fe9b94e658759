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
Restarts are bounded by the number of cells.

Limits that student code cannot dodge, all enforced here on the grader's side:

- **Time.** A cell that runs past ``Execute.timeout`` fails with a message and
  its kernel is killed (not interrupted: an interrupt can be ignored), then
  grading goes on in a fresh kernel as after a death.
- **Output.** At most ``output_limit`` characters of output per notebook are
  kept, whatever path they take in the kernel (``print``, ``os.write(1, ...)``,
  display data, errors); the rest is dropped with one note. Error outputs are
  always kept (they decide the score), cut to ``error_limit`` characters.
- **Sandbox.** Every kernel is started by
  ``grading.sandboxed_kernel.SandboxedKernelManager``, in the bubblewrap
  sandbox.
"""

import copy

from nbclient import NotebookClient
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from traitlets import Integer

from nbgrader import utils
from nbgrader.preprocessors import Execute

from grading.sandboxed_kernel import SandboxedKernelManager

_OUTPUT_TYPES = {"stream", "display_data", "execute_result", "update_display_data", "error"}
TRUNCATED = "\n[output truncated by the grader: more than {} characters]\n"


def _size(content):
    """The characters an output message would add to the notebook."""
    if "text" in content:
        return len(content["text"])
    size = sum(len(str(v)) for v in content.get("data", {}).values())
    size += len(str(content.get("evalue", ""))) + sum(len(str(t)) for t in content.get("traceback", []))
    return size


def _cut_error(output, limit):
    """Shorten an error output to about ``limit`` characters, in place."""
    output.evalue = str(output.get("evalue", ""))[:limit]
    traceback, left = [], limit
    for line in output.get("traceback", []):
        if left <= 0:
            traceback.append("[traceback truncated by the grader]")
            break
        traceback.append(str(line)[:left])
        left -= len(line)
    output.traceback = traceback


class ResilientExecute(Execute):
    """Execute every cell; after a kernel death or a timeout, restart and go on."""

    output_limit = Integer(1_000_000, help=(
        "Characters of output kept per notebook; the rest is dropped with a note.")).tag(config=True)
    error_limit = Integer(10_000, help="Characters kept of each error output.").tag(config=True)

    def __init__(self, *args, **kwargs):
        # nbgrader's Execute passes AsyncKernelManager explicitly (which beats the
        # configuration); every grading kernel runs in the sandbox instead.
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        # A timed-out cell raises CellTimeoutError here (handled below) instead
        # of interrupting a kernel that may ignore the interrupt.
        kwargs.setdefault("interrupt_on_timeout", False)
        super().__init__(*args, **kwargs)

    def process_message(self, msg, cell, cell_index):
        msg_type = msg["msg_type"]
        if msg_type in _OUTPUT_TYPES:
            size = _size(msg["content"])
            if msg_type == "error":
                pass  # always kept (it fails the cell); cut in preprocess_cell
            elif self._output_left <= 0:
                self._note_truncated(cell)
                return None
            elif size > self._output_left and msg_type == "stream":
                msg["content"]["text"] = msg["content"]["text"][:self._output_left]
                self._output_left = 0
                result = super().process_message(msg, cell, cell_index)
                self._note_truncated(cell)
                return result
            elif size > self._output_left:
                self._output_left = 0
                self._note_truncated(cell)
                return None
            self._output_left -= size
        return super().process_message(msg, cell, cell_index)

    def _note_truncated(self, cell):
        if not self._truncated:
            self._truncated = True
            cell.outputs.append(new_output("stream", name="stdout", text=TRUNCATED.format(self.output_limit)))

    def preprocess_cell(self, cell, resources, index):
        result = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                _cut_error(output, self.error_limit)
        return result

    def preprocess(self, nb, resources=None, km=None):
        # The set-up of nbconvert's ExecutePreprocessor.preprocess, with the
        # cell loop run once per kernel life.
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._died = set()
        self._output_left = self.output_limit
        self._truncated = False

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
            except CellTimeoutError:
                self._died.add(index)
                self.log.warning("Cell %d ran past %s s; killing its kernel and going on.", index + 1, self.timeout)
                self.nb.cells[index].outputs.append(new_output(
                    "error", ename="CellTimeoutError",
                    evalue=f"This cell did not finish within {self.timeout} s and was stopped. "
                           "Grading went on in a fresh kernel.",
                    traceback=[]))
                self._kill_kernel()
                return index + 1
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

    def _kill_kernel(self):
        """End the current kernel now: its sandbox, and every process in it, goes with it."""
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 (it may be gone already)
                self.log.debug("killing the kernel failed", exc_info=True)
