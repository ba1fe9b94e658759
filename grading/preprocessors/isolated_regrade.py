"""Score every graded cell in the grader's own process, from the sandboxed module's numbers.

The student's kernel runs in the bubblewrap sandbox without the checks
(``grading.preprocessors.defer_hidden_tests`` took the hidden tests out of its cells), so
whatever the student's code does there, it cannot see, patch or answer the
checks. ``IsolatedRegrade`` comes right after ``ResilientExecute`` (and
nbgrader's ``IgnorePattern``) and before ``SaveAutoGrades`` in
``Autograde.autograde_preprocessors``:

1. The inputs the checks will pass are recorded by running every check
   against a recorder that answers with the reference results.
2. The student's module, as collected before any kernel ran
   (``grading.preprocessors.snapshot``), runs those inputs in a sandboxed child process
   (``grading.sandbox.regrade``); only plain arrays and numbers come back.
3. Every graded cell's check (``checks.run_check``, the call the hidden test
   holds) runs here, in a process that never imported student code, against
   a replay of those numbers.
4. Which score counts: a graded cell keeps its points only if BOTH the
   notebook run (its visible asserts, in the sandboxed kernel) and this
   check pass. A failed check replaces the cell's error outputs with one
   ``CheckFailed`` error carrying the check's message, which nbgrader then
   scores as 0 and feedback shows. Nothing done in the kernel can raise a
   score: the check never looks at the kernel.
5. ``grading.integrity.audit`` reads the module and the student's notebook cells, and
   the grader lists what it saw of attempts the sandbox refused.

The static readers (the audit, and the loop check of the ``*_vectorized``
cells) read the module's text as Python decodes it
(``grading.source.module_text``) and at most ``audit_max_bytes`` of it. A
module they refuse (larger than that, in an encoding other than UTF-8, not
decodable, nested deeper than they read) is flagged with the reason, and
its ``*_vectorized`` cells get no points: what the loop check cannot read,
it cannot pass. The student's notebook cells are audited up to
``audit_max_bytes`` together; a cell past that, or one the audit cannot
read, is flagged instead of audited.

It writes ``integrity.json`` beside the autograded notebook (for
instructors; ``CourseDirectory.ignore`` keeps it out of feedback)::

    {"student": ..., "sandbox": "bubblewrap", "module_sha256": ..., "flagged": bool,
     "reasons": [...], "faults": [...], "contained": [...],
     "cells": {grade_id: {"max": p, "notebook": s, "isolated": s, "score": s, "message": ...}}}

A submission is flagged when the audit found something, the sandbox
refused something the student's code tried (``contained``), the notebook
ran past ``ResilientExecute.notebook_timeout`` (its cells past the limit
were not run), or the intake set something of the submission aside
(``resources["intake"]["findings"]``, from ``grading.intake.exporter.IntakeExporter``;
those reasons come first). Flagged students
are logged as they are graded and listed again when nbgrader exits.

Steps 1-3 need only the collected module, not the kernel: listed right after
``SnapshotModule``, ``StartIsolatedRegrade`` starts them in a thread of the
grader's while the kernel runs the notebook, and ``IsolatedRegrade`` takes
their result (without it, ``IsolatedRegrade`` runs them itself).
"""

from __future__ import annotations

import atexit
import builtins
import concurrent.futures
import importlib.machinery
import re
import sys
import traceback
from pathlib import Path

import numpy as np
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Integer, Unicode

from grading import checks
from grading.integrity.audit import IPythonBudget, audit_cell, audit_module, notebook_names
from grading.integrity.report import IntegrityReport, flagged_summary
from grading.preprocessors.snapshot import read_module
from grading.sandbox.bubblewrap import Sandbox, require_sandbox
from grading.sandbox.regrade import Limits, run_isolated
from grading.source import Unreadable, module_text

#: What the sandbox's refusals look like in a kernel's output, and whether one is a
#: reason to flag (an attempt on files or the network) or only a limit that was hit.
REFUSALS = {
    "Read-only file system": ("wrote to a read-only place", True),
    "Permission denied": ("was denied access to a file", True),
    "Operation not permitted": ("tried an operation the sandbox forbids (mount, namespace, ...)", True),
    "Network is unreachable": ("tried to reach the network", True),
    "Connection refused": ("tried to connect to a network service", True),
    "Resource temporarily unavailable": ("hit the process limit", False),
    "File too large": ("hit the file-size limit", False),
    "No space left on device": ("filled its private disk space", False),
    "output truncated by the grader": ("printed more than the output cap", False),
    "did not finish within": ("ran past the time limit", False),
}


#: Reasons kept from the audit of one notebook's cells; the rest are counted in one more line.
MAX_CELL_REASONS = 50


class SandboxFault(Exception):
    """The sandboxed call gave no result (the child died, hung or could not import)."""


class _Recorder:
    """Stands in for a student's function: records each input, answers correctly."""

    def __init__(self, regularizer, calls):
        self.__name__ = regularizer.name
        self.regularizer = regularizer
        self.calls = calls

    def __call__(self, W, reg):
        self.calls.append((self.regularizer.name, np.array(W), float(reg)))
        return self.regularizer.loss(W, reg), self.regularizer.gradient(W, reg).astype(np.asarray(W).dtype)


def _key(name, W, reg):
    W = np.ascontiguousarray(W)
    return name, W.dtype.str, W.shape, W.tobytes(), float(reg)


def _named(kind, name):
    """A class called ``name`` (the student's exception or return type)."""
    return type(str(name) or kind.__name__, (kind,), {})


#: Names the replay may repeat of what the student's code raised or returned on a hidden input:
#: Python's and NumPy's own classes. Anything else (a class the student's code named, its
#: exception's message) could carry the hidden input's values into feedback.
_KNOWN_NAMES = frozenset(
    name for module in (builtins, np, getattr(np, "exceptions", np), np.linalg)
    for name, value in vars(module).items() if isinstance(value, type)
) | {"NoneType", "function", "generator", "method", "builtin_function_or_method"}
_COUNTED = re.compile(r"(tuple|list) of \d{1,9} items")
#: What the student sees instead of their exception's message on a hidden input.
WITHHELD = ("(its message is not shown for the hidden inputs; check(\"1.1\") and check(\"2.1\") in the "
            "notebook show it for the public ones)")


def _known(name: str, instead: str) -> str:
    """``name`` if it is Python's or NumPy's own (or ``tuple of N items``), else ``instead``."""
    return name if name in _KNOWN_NAMES or _COUNTED.fullmatch(name) else instead


class _Replay:
    """Stands in for a student's function: replays what the sandboxed call gave."""

    def __init__(self, name, outcomes):
        self.__name__ = name
        self.outcomes = outcomes

    def __call__(self, W, reg):
        outcome = self.outcomes.get(_key(self.__name__, W, reg))
        if outcome is None:
            raise SandboxFault("this input was not run in the sandbox")
        if outcome.after is not None and outcome.after.shape == np.shape(W):
            W[...] = outcome.after
        elif outcome.after is not None:  # the call reshaped or resized the caller's W: it changed W
            W[...] = np.nan
        # What the student's code said reaches the student's feedback: on a hidden input, only names
        # of Python's and NumPy's own classes are repeated, never a message (see _KNOWN_NAMES).
        if outcome.status == "fault":  # the grader's own words (grading.sandbox.regrade)
            raise SandboxFault(outcome.message)
        if outcome.status == "raised":
            if outcome.error == "NotImplementedError":
                raise NotImplementedError()
            raise _named(Exception, _known(outcome.error, "an exception of its own class"))(WITHHELD)
        if outcome.status == "not_tuple":
            return _named(object, _known(outcome.error, "an object of its own class"))()
        R = outcome.R if outcome.R_ok else _named(object, "unconvertible")()
        dW = outcome.dW if outcome.dW_ok else _named(object, "unconvertible")()
        return R, dW


def _course_file(path: Path, folder: Path, course_files: Path | None) -> bool:
    """Whether ``path`` (in ``folder``) holds exactly the bytes of the course's file of the same path."""
    if course_files is None:
        return False
    own = course_files / path.relative_to(folder)
    try:
        if path.is_symlink() or not own.is_file() or path.stat().st_size != own.stat().st_size:
            return False
        return path.read_bytes() == own.read_bytes()
    except OSError:
        return False


def recorded_calls() -> list[tuple[str, np.ndarray, float]]:
    """Every ``(name, W, reg)`` that the graded checks pass to the two functions."""
    calls = []
    for grade_id in checks.GRADE_IDS:
        recorder = _Recorder(checks.REGULARIZERS[grade_id[:2]], calls)
        try:
            checks.run_check(grade_id, recorder, source="")
        except checks.CheckFailed:
            # The recorder answers correctly, so only the loop check can fail
            # (an empty source defines no function), after its calls.
            if not grade_id.endswith("_vectorized"):
                raise
    unique = {}
    for name, W, reg in calls:
        unique.setdefault(_key(name, W, reg), (name, W, reg))
    return list(unique.values())


def static_source(module_source: bytes | None, max_bytes: int) -> tuple[str | None, str | None]:
    """``(text, refusal)``: the module's text for the static readers, or why they refuse it.

    ``text`` is what Python reads (:func:`grading.source.module_text`), None
    when the module is missing or refused; ``refusal`` is the reason to flag.
    """
    if module_source is None:
        return None, None
    try:
        return module_text(module_source, max_bytes), None
    except Unreadable as refusal:
        return None, str(refusal)


def refused_loop_check(refusal: str) -> str:
    """The message of a ``*_vectorized`` cell whose module the loop check refused."""
    return f"the loop check could not read regularization.py, so this part gets no points: {refusal}"


def isolated_scores(module_source: bytes | None, source: str | None, limits: Limits,
                    sandbox: Sandbox | None = None,
                    refusal: str | None = None) -> tuple[dict[str, tuple[bool, str]], list[str]]:
    """Grade every cell with the student's module (``module_source``, bytes or None) run in the sandbox.

    ``source`` is the module's text for the loop check (:func:`static_source`);
    with a ``refusal`` the loop check does not read it and its cells fail
    with that reason. Returns ``(cells, faults)``: ``cells[grade_id]`` is
    ``(passed, message)``.
    """
    calls = recorded_calls()
    run = run_isolated(module_source, calls, limits, sandbox)
    outcomes = {}
    for (name, W, reg), outcome in zip(calls, run.outcomes):
        outcomes.setdefault(name, {})[_key(name, W, reg)] = outcome
    cells = {}
    for grade_id in checks.GRADE_IDS:
        name = checks.REGULARIZERS[grade_id[:2]].name
        if refusal and grade_id.endswith("_vectorized"):
            cells[grade_id] = (False, refused_loop_check(refusal))
            continue
        try:
            checks.run_check(grade_id, _Replay(name, outcomes.get(name, {})), source=source or "")
            cells[grade_id] = (True, "")
        except checks.CheckFailed as failure:
            cells[grade_id] = (False, str(failure))
    return cells, run.faults


#: One thread of the grader's runs the re-grades started ahead, one after another.
_BACKGROUND = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="isolated-regrade")


class StartIsolatedRegrade(NbGraderPreprocessor):
    """Start the isolated re-grade of the collected module while the kernel runs (see ``IsolatedRegrade``)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        collected = resources.get("collected")
        if collected is None:
            raise RuntimeError("StartIsolatedRegrade needs grading.preprocessors.snapshot.SnapshotModule before it")
        sandbox = require_sandbox(self.config, self.log)
        data = collected["module"]
        settings = IsolatedRegrade(config=self.config)
        source, refusal = static_source(data, settings.audit_max_bytes)
        resources["isolated_scores"] = _BACKGROUND.submit(isolated_scores, data, source, settings.limits(), sandbox,
                                                          refusal)
        return nb, resources


class IsolatedRegrade(NbGraderPreprocessor):
    """Re-grade the submission in a sandbox, audit it, write ``integrity.json``."""

    module = Unicode("regularization.py", help="The student's module, beside the notebook.").tag(config=True)
    memory_limit = Integer(Limits.memory_bytes, help="Address-space limit of the sandbox, in bytes.").tag(config=True)
    cpu_seconds = Integer(Limits.cpu_seconds, help="CPU-time limit of one sandbox process.").tag(config=True)
    wall_seconds = Float(Limits.wall_seconds, help="Wall-time limit of one sandbox process.").tag(config=True)

    audit_max_bytes = Integer(64 * 1024, help=(
        "The most the static readers read, in bytes: of the module (the audit and the loop check), and of "
        "the student's notebook cells together (the audit). A larger module is flagged and its *_vectorized "
        "cells get no points; cells past it are flagged instead of audited. Honest modules are about 3 KB. "
        "The readers take time linear in what they read (about a second per 100 KB), but Python's own "
        "parser is quadratic on some text (an f-string of many pieces: 0.9 s for 64 KB, 13 s for 256 KB), "
        "so raise this with care.")).tag(config=True)

    summarize_at_exit = Bool(True, help="List the flagged students when nbgrader exits.").tag(config=True)

    flagged = []  # the flagged IntegrityReports of this nbgrader run, for the summary at exit

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        folder = Path(resources["metadata"]["path"])
        student = resources["nbgrader"]["student"]
        sandbox = require_sandbox(self.config, self.log)
        collected = resources.get("collected")
        if collected is None:
            raise RuntimeError("IsolatedRegrade needs grading.preprocessors.snapshot.SnapshotModule "
                               "before the kernel runs")
        try:
            report = self.make_report(nb, folder, collected, student, sandbox, resources.pop("isolated_scores", None),
                                      course_files=self.course_files(resources["nbgrader"]["assignment"]))
        except Exception:  # noqa: BLE001 (one broken report must not stop the class)
            self.log.error("Integrity check of %s failed:\n%s", student, traceback.format_exc())
            report = IntegrityReport(student, flagged=True,
                                     reasons=["the integrity check itself failed; see the autograde log"])
            for cell in nb.cells:  # no trusted score: no points
                if cell.cell_type == "code" and utils.is_grade(cell):
                    _fail(cell, "this cell could not be graded (the grader's check failed); "
                                "your instructor will look at it")
        report.sandbox = "bubblewrap" if sandbox.enabled else "off (c.Sandbox.enabled = False)"
        intake = resources.get("intake", {}).get("findings", [])  # what the intake set aside (grading.intake)
        report.reasons[:0] = [f"intake: {finding}" for finding in intake]
        report.flagged = report.flagged or bool(intake)
        over_time = notebook_time_reason(resources.get("notebook_time"))
        if over_time:
            report.reasons.append(over_time)
            report.flagged = True
        report.write(folder)
        if report.flagged:
            self.log.warning("Integrity: %s is flagged: %s", student, "; ".join(report.reasons))
            if self.summarize_at_exit:
                self._remember(report)
        for fault in report.faults:
            self.log.warning("Integrity: %s: %s", student, fault)
        return nb, resources

    def limits(self) -> Limits:
        return Limits(memory_bytes=self.memory_limit, cpu_seconds=self.cpu_seconds, wall_seconds=self.wall_seconds)

    def make_report(self, nb: NotebookNode, folder: Path, collected: dict, student: str, sandbox: Sandbox,
                    started: concurrent.futures.Future | None = None,
                    course_files: Path | None = None) -> IntegrityReport:
        """The integrity report; ``started``: the re-grade's future from ``StartIsolatedRegrade``, if any;
        ``course_files``: the assignment's source folder (see :meth:`extra_code`)."""
        data = collected["module"]
        source, refusal = static_source(data, self.audit_max_bytes)
        if started is not None:
            isolated, faults = started.result()
        else:
            isolated, faults = isolated_scores(data, source, self.limits(), sandbox, refusal)

        reasons = [collected["refused"]] if collected.get("refused") else []
        if source is not None:
            try:
                reasons += audit_module(source)
            except Unreadable as error:
                refusal = str(error)
            if "### BEGIN SOLUTION" in source:
                reasons.append("regularization.py holds the master's solution delimiters (### BEGIN SOLUTION)")
        if refusal:
            reasons.append(refusal)
        reasons += self.extra_code(folder, course_files)
        try:
            now = read_module(folder / self.module, len(data) + 1 if data is not None else 1)
        except ValueError:
            now = b""
        if now != data:
            reasons.append("regularization.py in the course folder changed while the notebook ran; "
                           "the collected version was graded")
        cells, contained = {}, []
        reasons += self.audit_cells(nb)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for what, flag in refusals(cell):
                contained.append(f"cell {index + 1}: {what}")
                if flag:
                    reasons.append(f"the sandbox refused something: cell {index + 1} {what}")
            if utils.is_grade(cell):
                grade_id = cell.metadata.nbgrader.grade_id
                notebook, max_score = utils.determine_grade(cell, self.log)
                passed, message = isolated.get(grade_id, (False, "no isolated check for this cell"))
                if refusal and grade_id.endswith("_vectorized"):
                    passed, message = False, refused_loop_check(refusal)
                if not passed:
                    _fail(cell, message)
                cells[grade_id] = {"max": max_score, "notebook": notebook,
                                   "isolated": max_score if passed else 0,
                                   "score": notebook if passed else 0, "message": message}
        return IntegrityReport(student, module_sha256=collected["sha256"], flagged=bool(reasons),
                               reasons=reasons, faults=faults, contained=contained, cells=cells)

    def audit_cells(self, nb: NotebookNode) -> list[str]:
        """Audit findings in the code cells the student wrote (not locked, not graded).

        At most ``audit_max_bytes`` of them together are read; a cell past
        that, or one the audit cannot read, is a reason of its own.
        """
        left, reasons, read, names_from, unread = self.audit_max_bytes, [], [], [], []
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if utils.is_locked(cell):  # the instructor's (nbgrader restores its source): only its names count
                names_from.append(cell.source)
                continue
            label = f"notebook cell {index + 1}"
            left -= len(cell.source.encode("utf-8", "surrogatepass"))
            if left < 0:
                unread.append(label)
                continue
            names_from.append(cell.source)
            if not utils.is_grade(cell):
                read.append((label, cell.source))
        known = notebook_names(names_from)
        budget = IPythonBudget()
        for label, source in read:
            try:
                reasons += audit_cell(source, label, known, budget)
            except Unreadable as error:
                reasons.append(str(error))
        if len(reasons) > MAX_CELL_REASONS:
            reasons = reasons[:MAX_CELL_REASONS] + [f"... and {len(reasons) - MAX_CELL_REASONS} more findings "
                                                    "in the notebook's cells"]
        if unread:
            reasons.append(f"the student's notebook cells hold more than {self.audit_max_bytes} bytes of code, "
                           f"more than the audit reads; {len(unread)} cell(s) from {unread[0]} on were not audited")
        return reasons

    def course_files(self, assignment: str) -> Path:
        """The assignment's source folder: nbgrader copies its files (``selfcheck/``) into every autograded folder."""
        coursedir = CourseDirectory(config=self.config)
        return Path(coursedir.format_path(coursedir.source_directory, ".", assignment))

    def extra_code(self, folder: Path, course_files: Path | None = None) -> list[str]:
        """Reasons for Python files beside the notebook other than the module.

        The kernel runs in this folder, so an extra ``grading/checks.py`` or
        ``numpy.py`` would be imported in place of the real one. A file that is
        byte for byte the course's own file of the same path in ``course_files``
        (nbgrader copied it there; the notebook's ``selfcheck`` package) is the
        course's code, not the student's; one the student's code changed while
        the notebook ran is not. Every file Python would import is looked at,
        not only ``*.py``: an extension module (``.so``) is imported before the
        ``.py`` file of the same name (``importlib.machinery.all_suffixes``).
        """
        suffixes = tuple(importlib.machinery.all_suffixes())
        extra = sorted(
            str(path.relative_to(folder)) for path in folder.rglob("*")
            if path.name.endswith(suffixes) and not path.is_dir()
            and (path.name != self.module or path.parent != folder) and not _course_file(path, folder, course_files)
        )
        extra = [p for p in extra if not {"__pycache__", ".ipynb_checkpoints"} & set(Path(p).parts[:-1])]
        if not extra:
            return []
        return [f"the submission holds other Python code beside the module: {', '.join(extra)} "
                "(it would be imported in place of modules the tests use)"]

    @classmethod
    def _remember(cls, report):
        if not cls.flagged:
            atexit.register(cls._summarize)
        cls.flagged.append(report)

    @classmethod
    def _summarize(cls):
        print("\n".join(flagged_summary(cls.flagged)), file=sys.stderr)


def notebook_time_reason(spent: dict | None) -> str | None:
    """The reason to flag a notebook cut at its time limit (``resources["notebook_time"]`` of ``ResilientExecute``)."""
    if not spent:
        return None
    skipped, stopped = spent.get("skipped", []), spent.get("stopped")
    parts = []
    if stopped is not None:
        parts.append(f"cell {stopped} was stopped")
    if skipped:
        shown = ", ".join(str(n) for n in skipped[:10])
        if len(skipped) > 10:
            shown += f" and {len(skipped) - 10} more"
        parts.append(f"{len(skipped)} cell(s) the student wrote were not run (cells {shown})")
    if spent.get("reruns_cut"):
        parts.append(f"{spent['reruns_cut']} fresh kernel(s) went on without re-running the set-up cells "
                     "(their re-runs ran past the allowance)")
    return (f"the notebook ran past its time limit of {spent.get('budget', 0):g} s "
            f"(ResilientExecute.notebook_timeout): " + "; ".join(parts))


def _fail(cell, message):
    """Make a graded cell fail with the check's ``message`` (in place of the kernel's own errors)."""
    cell.outputs = [o for o in cell.outputs if o.output_type != "error"]
    cell.outputs.append(new_output("error", ename="CheckFailed", evalue=message,
                                   traceback=[f"CheckFailed: {message}"]))


def refusals(cell: NotebookNode) -> list[tuple[str, bool]]:
    """``(what, flag)`` for each kind of refusal a cell's outputs show (no repeats)."""
    text = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            text.append(output.get("text", ""))
        elif output.output_type == "error":
            text.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
    joined = "\n".join(text)
    return [found for needle, found in REFUSALS.items() if needle in joined]
