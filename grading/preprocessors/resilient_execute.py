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
- **Time of the whole notebook.** ``notebook_timeout`` bounds the wall time of
  one notebook (its kernels' start-ups included). Once it is spent, the cells
  the student wrote are not run: each gets an error output that says why,
  and a student's cell still running then is stopped as after a timeout. The
  instructor's cells (graded cells, and read-only cells with a grade id,
  which nbgrader restores from the master) still run, each within
  ``Execute.timeout``, so the graded cells still score. After a restart past
  that time, the set-up cells re-run in the fresh kernel share one allowance
  of ``Execute.timeout`` for the rest of the notebook (student code can be
  slow only when re-run); once it is spent, fresh kernels start without them.
  One notebook then costs at most ``notebook_timeout``, plus the graded
  cells' own limits, plus one ``Execute.timeout`` of re-runs.
  What was cut is left in ``resources["notebook_time"]`` (``{"budget": s,
  "skipped": [cell numbers], "stopped": cell number or None, "reruns_cut":
  restarts without their full set-up}``), and ``IsolatedRegrade`` flags the
  submission with it.
- **Output.** Every message from the kernel is rebuilt from the fields
  nbclient stores, in their proper types (:func:`sanitize`); comms, widgets,
  display updates and outputs a browser would run (HTML, SVG, JavaScript)
  are dropped. At most ``output_limit`` characters of
  output per notebook are kept, all of each output counted (text, data,
  metadata, names), whatever path it took in the kernel (``print``,
  ``os.write(1, ...)``, display data, errors); the rest is dropped with one
  note. A cell's first error is always kept (it decides the score), cut to
  ``error_limit`` characters.
- **Sandbox.** Every kernel is started by
  ``grading.sandbox.kernel.SandboxedKernelManager``, in the bubblewrap
  sandbox.
- **One notebook per process at a time.** A second notebook started in the
  same process while one runs (by another thread) is refused with
  ``grading.sandbox.one_grading.ConcurrentGrading``: its kernel would be
  forked by the same warm parent, which would end the first one's.
"""

from __future__ import annotations

import copy
import json
import time

from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Float, Integer

from grading.sandbox.kernel import SandboxedKernelManager
from grading.sandbox.one_grading import grading_slot

TRUNCATED = "\n[output truncated by the grader: more than {} characters]\n"
_OUTPUTS = {"stream", "display_data", "execute_result", "error"}
_PASSED = {"status", "clear_output", "execute_input"}


def _text(value, limit):
    return (value if isinstance(value, str) else str(value))[:limit]


#: Output types kept from the kernel. HTML, Markdown (which may hold HTML),
#: SVG and JavaScript are dropped: formgrader renders autograded notebooks in
#: the grader's browser, where a student's script would act with the grader's
#: Jupyter session.
SAFE_MIMETYPES = {"text/plain", "image/png", "image/jpeg", "image/gif"}


def _mimebundle(value, allowed=None):
    """A display's data or metadata as plain JSON of strings (anything else is dropped).

    ``allowed``: the keys kept (None: any key).
    """
    if not isinstance(value, dict):
        return {}
    clean = {}
    for key, item in value.items():
        if allowed is not None and key not in allowed:
            continue
        if isinstance(key, str) and len(key) <= 100:
            if isinstance(item, list):
                item = "".join(str(part) for part in item)
            clean[key] = item if isinstance(item, (str, dict, int, float, bool)) else str(item)
    return clean


def sanitize(msg: dict, error_limit: int) -> dict | None:
    """A copy of a kernel message with only the fields nbclient stores, in their proper types.

    Returns None for messages grading has no use for (comms and widgets,
    display updates, unknown types): the kernel is the student's, so nothing it
    sends is trusted to be well formed.
    """
    msg_type = msg.get("msg_type")
    content = msg.get("content") if isinstance(msg.get("content"), dict) else {}
    if msg_type == "status":
        clean = {"execution_state": _text(content.get("execution_state", ""), 20)}
    elif msg_type == "clear_output":
        clean = {"wait": bool(content.get("wait", False))}
    elif msg_type == "execute_input":
        clean = {}
    elif msg_type == "stream":
        clean = {"name": "stderr" if content.get("name") == "stderr" else "stdout",
                 "text": _text(content.get("text", ""), 10**9)}
    elif msg_type in ("display_data", "execute_result"):
        clean = {"data": _mimebundle(content.get("data"), SAFE_MIMETYPES),
                 "metadata": _mimebundle(content.get("metadata"), SAFE_MIMETYPES)}
        if not clean["data"]:
            return None
        if msg_type == "execute_result":
            count = content.get("execution_count")
            clean["execution_count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
    elif msg_type == "error":
        clean = {"ename": _text(content.get("ename", "Error"), 200),
                 "evalue": _text(content.get("evalue", ""), error_limit), "traceback": []}
        left = error_limit
        for line in content.get("traceback", []) if isinstance(content.get("traceback"), list) else []:
            if left <= 0:
                clean["traceback"].append("[traceback truncated by the grader]")
                break
            clean["traceback"].append(_text(line, left))
            left -= len(clean["traceback"][-1])
    else:
        return None
    count = content.get("execution_count")
    if msg_type in _PASSED and isinstance(count, int) and not isinstance(count, bool):
        clean["execution_count"] = count
    return {"msg_type": msg_type, "content": clean, "header": {"msg_type": msg_type},
            "parent_header": {}, "metadata": {}}


def _size(content):
    """The characters an output adds to the notebook (all of it: names, data, metadata)."""
    return len(json.dumps(content, default=str))


def _cut_error(output, limit):
    """Shorten an error output to about ``limit`` characters, in place."""
    output.ename = str(output.get("ename", "Error"))[:200]
    output.evalue = str(output.get("evalue", ""))[:limit]
    traceback, left = [], limit
    for line in output.get("traceback", []):
        if left <= 0:
            traceback.append("[traceback truncated by the grader]")
            break
        traceback.append(str(line)[:left])
        left -= len(str(line))
    output.traceback = traceback


def _instructors(cell: NotebookNode) -> bool:
    """Whether a cell is the instructor's: graded, or read-only, with a grade id.

    nbgrader keeps one cell per grade id (``DeduplicateIds``), removes ids
    the gradebook does not know and restores read-only cells' source
    (``OverwriteCells``) before execution, so a student's added cell is never
    one of these, whatever metadata it was given.
    """
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return bool(nbgrader.get("grade_id")) and (utils.is_grade(cell) or utils.is_locked(cell))


class ResilientExecute(Execute):
    """Execute every cell; after a kernel death or a timeout, restart and go on."""

    output_limit = Integer(1_000_000, help=(
        "Characters of output kept per notebook; the rest is dropped with a note.")).tag(config=True)
    error_limit = Integer(10_000, help="Characters kept of each error output.").tag(config=True)
    notebook_timeout = Float(60, allow_none=True, help=(
        "Seconds of wall time one notebook may take (kernel start-ups included), besides the per-cell "
        "Execute.timeout. Past it, cells the student wrote are not run (they get an error output that "
        "says why) and the submission is flagged; graded cells and the instructor's read-only cells still "
        "run, each within Execute.timeout. None: no limit.")).tag(config=True)

    def __init__(self, *args, **kwargs):
        # nbgrader's Execute passes AsyncKernelManager explicitly (which beats the
        # configuration); every grading kernel runs in the sandbox instead.
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        # A timed-out cell raises CellTimeoutError here (handled below) instead
        # of interrupting a kernel that may ignore the interrupt.
        kwargs.setdefault("interrupt_on_timeout", False)
        # A kernel is shut down by killing its sandbox: a shutdown request on
        # the control channel would wait forever if student code closed it.
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(*args, **kwargs)

    def process_message(self, msg: dict, cell: NotebookNode, cell_index: int) -> NotebookNode | None:
        clean = sanitize(msg, self.error_limit)
        if clean is None:
            return None
        msg_type = clean["msg_type"]
        if msg_type in _OUTPUTS:
            size = _size(clean["content"])
            if msg_type == "error":
                # An error fails the cell, so the first one of a cell is always
                # kept; past the cap it is cut to its name.
                if any(o.output_type == "error" for o in cell.outputs):
                    if self._output_left <= 0:
                        return None
                elif size > self._output_left:
                    clean["content"].update(evalue="[cut by the grader]", traceback=[])
                    size = _size(clean["content"])
                self._output_left -= size
            elif self._output_left <= 0:
                self._note_truncated(cell)
                return None
            elif size > self._output_left and msg_type == "stream":
                clean["content"]["text"] = clean["content"]["text"][:self._output_left]
                self._output_left = 0
                result = self._process(clean, cell, cell_index)
                self._note_truncated(cell)
                return result
            elif size > self._output_left:
                self._output_left = 0
                self._note_truncated(cell)
                return None
            else:
                self._output_left -= size
        return self._process(clean, cell, cell_index)

    def _process(self, msg, cell, cell_index):
        try:
            return super().process_message(msg, cell, cell_index)
        except CellExecutionComplete:
            raise
        except Exception:  # noqa: BLE001 (a message nbclient cannot store is dropped, not fatal)
            self.log.warning("Dropped a malformed %s message from the kernel", msg["msg_type"], exc_info=True)
            return None

    def _note_truncated(self, cell):
        if not self._truncated:
            self._truncated = True
            cell.outputs.append(new_output("stream", name="stdout", text=TRUNCATED.format(self.output_limit)))

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        result = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                _cut_error(output, self.error_limit)
        return result

    def preprocess(self, nb: NotebookNode, resources: dict | None = None, km=None) -> tuple[NotebookNode, dict]:
        # One notebook at a time per process (grading.sandbox.one_grading): a second one started
        # meanwhile by another thread is refused, never given a fork that would end this one's kernel.
        student = ((resources or {}).get("nbgrader") or {}).get("student")
        with grading_slot(f"the notebook of {student}" if student else "a notebook"):
            return self._preprocess(nb, resources, km)

    def _preprocess(self, nb, resources, km):
        # The set-up of nbconvert's ExecutePreprocessor.preprocess, with the
        # cell loop run once per kernel life.
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._died = set()
        self._output_left = self.output_limit
        self._truncated = False
        self._deadline = None if self.notebook_timeout is None else time.monotonic() + self.notebook_timeout
        self._skipped, self._stopped, self._cell_budget = [], None, None
        # Past the notebook's time, set-up re-runs share this allowance (see _rerun_setup).
        self._rerun_allowance, self._rerun_limit, self._reruns_cut = self.timeout, None, 0
        # Each student's cell runs within what is left of the notebook's time (see _cell_timeout).
        self.timeout_func = self._cell_timeout

        start = 0
        while start < len(self.nb.cells):
            with self.setup_kernel():
                info = self.wait_for_reply(self.kc.kernel_info())
                # The kernel has answered, so its start-up is over: only now do
                # the submission's files go into its (still empty) working folder.
                self.km.supply_submission_files()
                self.nb.metadata["language_info"] = info["content"]["language_info"]
                try:
                    self._rerun_setup(start)
                except DeadKernelError:
                    continue  # that set-up cell is now known to kill; start another kernel
                except CellTimeoutError:
                    # A set-up cell can hang only when re-run (student code can tell a re-run apart):
                    # it is now known to hang and is not re-run again; start another kernel.
                    self.log.warning("A set-up cell ran past %s s when re-run in a fresh kernel; killing the "
                                     "kernel and going on without it.", self.timeout)
                    self._kill_kernel()
                    continue
                start = self._run_from(start, resources)
        self.set_widgets_metadata()
        if self._skipped or self._stopped is not None or self._reruns_cut:
            self.resources["notebook_time"] = {"budget": self.notebook_timeout, "skipped": self._skipped,
                                               "stopped": self._stopped, "reruns_cut": self._reruns_cut}
        return self.nb, self.resources

    def _left(self):
        """Seconds left of the notebook's time (None: no limit)."""
        return None if self._deadline is None else self._deadline - time.monotonic()

    def _cell_timeout(self, cell):
        """A cell's time limit: ``Execute.timeout``, and for a student's cell no more than the notebook has left."""
        left = self._left()
        self._cell_budget = None
        if self._rerun_limit is not None:  # a set-up cell re-run past the notebook's time
            return self._rerun_limit
        if left is None or _instructors(cell) or (self.timeout is not None and self.timeout <= left):
            return self.timeout
        self._cell_budget = max(left, 0.001)
        return self._cell_budget

    def _skip(self, index):
        """Leave a student's cell unrun: the notebook's time is spent."""
        cell = self.nb.cells[index]
        self._skipped.append(index + 1)
        cell.execution_count = None
        cell.outputs = [new_output(
            "error", ename="NotebookTimeout",
            evalue=f"This cell was not run: the notebook's time limit of {self.notebook_timeout:g} s was spent "
                   "before it (graded cells still run).",
            traceback=[])]

    def _run_from(self, start, resources):
        """Run cells from ``start``; return where to resume (the end, or after a death)."""
        for index in range(start, len(self.nb.cells)):
            cell = self.nb.cells[index]
            left = self._left()
            if left is not None and left <= 0 and cell.cell_type == "code" and cell.source.strip() \
                    and not _instructors(cell):
                self._skip(index)
                continue
            try:
                self.preprocess_cell(cell, resources, index)
            except CellTimeoutError:
                self._died.add(index)
                cell.execution_count = None  # its kernel is gone: whether it got one is chance
                if self._cell_budget is not None:
                    self._stopped = index + 1
                    self.log.warning("Cell %d ran past the notebook's time limit of %g s; killing its kernel "
                                     "and going on.", index + 1, self.notebook_timeout)
                    evalue = (f"This cell was stopped when the notebook's time limit of {self.notebook_timeout:g} s "
                              "ran out. Grading went on in a fresh kernel (graded cells still run).")
                else:
                    self.log.warning("Cell %d ran past %s s; killing its kernel and going on.", index + 1,
                                     self.timeout)
                    evalue = (f"This cell did not finish within {self.timeout} s and was stopped. "
                              "Grading went on in a fresh kernel.")
                cell.outputs.append(new_output("error", ename="CellTimeoutError", evalue=evalue, traceback=[]))
                self._kill_kernel()
                return index + 1
            except DeadKernelError:
                self._died.add(index)
                self.nb.cells[index].execution_count = None  # whether it got one before the death is chance
                self.log.warning("The kernel died in cell %d; restarting it and going on.", index + 1)
                self.nb.cells[index].outputs.append(new_output(
                    "error", ename="KernelDied",
                    evalue="The Python process running this cell ended (os._exit, a crash or "
                           "running out of memory). Grading went on in a fresh kernel.",
                    traceback=[]))
                return index + 1
        return len(self.nb.cells)

    def _rerun_setup(self, before):
        """Re-run the set-up cells before ``before`` in a fresh kernel; discard their outputs.

        A set-up cell that kills the kernel or runs past ``Execute.timeout`` here is not
        re-run again (it raises; the caller starts another kernel), so re-runs are
        bounded by the number of set-up cells. Past the notebook's time, every re-run
        of the rest of the notebook draws on one allowance of ``Execute.timeout``:
        once it is spent, the fresh kernel goes on without its set-up (counted in
        ``reruns_cut``), so restarts cannot multiply the set-up's time.
        """
        capped = self._left() is not None and self._left() <= 0
        for index, cell in enumerate(self.nb.cells[:before]):
            if index in self._died or cell.cell_type != "code" or not utils.is_locked(cell) \
                    or utils.is_grade(cell) or any(o.output_type == "error" for o in cell.outputs):
                continue
            if capped and self._rerun_allowance is not None:
                if self._rerun_allowance <= 0:
                    self._reruns_cut += 1
                    self.log.warning("The notebook's time is spent and so is the allowance for re-running its "
                                     "set-up cells; going on in a fresh kernel without them.")
                    return
                self._rerun_limit = self._rerun_allowance
            started = time.monotonic()
            try:
                self.execute_cell(copy.deepcopy(cell), index, store_history=False)
            except (DeadKernelError, CellTimeoutError):
                self._died.add(index)
                raise
            finally:
                if self._rerun_limit is not None:
                    self._rerun_allowance -= time.monotonic() - started
                    self._rerun_limit = None

    def _kill_kernel(self):
        """End the current kernel now: its sandbox, and every process in it, goes with it."""
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 (it may be gone already)
                self.log.debug("killing the kernel failed", exc_info=True)
