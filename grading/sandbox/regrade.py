"""Run a student's functions in a sandboxed child process and collect plain numbers.

The child (``child.py``) is a fresh interpreter in isolated mode
(``python -I -B``: no user site, no ``PYTHON*`` variables, the working
directory not on ``sys.path``) inside the course's bubblewrap sandbox
(``grading.sandbox.bubblewrap``: no network, no course folder, no grading code, a
private size-capped working folder that holds only the collected module, its
own PID namespace) under limits on address space, processes, file size, CPU
time and wall time. It gets the module as the bytes that were collected
before any kernel ran (``grading.preprocessors.snapshot``), never the file in the course
folder. Inputs and outputs cross as ``.npz`` archives read with
``allow_pickle=False``: nothing the student's code returns is ever unpickled
or executed here, and the grader reads at most ``Limits.output_bytes`` of
the child's pipe.

If the child dies or runs out of time on an input, that input and the rest
of the same function's inputs are recorded as faults and a new child carries
on with the other functions, so a fault confined to one function costs only
that function's results.

With ``c.Sandbox.start_ahead`` (the default), the next child is started as
soon as one is taken: it imports NumPy in a new sandbox of its own, with an
empty working folder, and blocks reading its inputs. The next student's run
takes it (once), copies the collected module into its working folder and
only then sends the inputs; the child imports the module after reading them.
Spares end when the process exits (:func:`release_spares`).
"""

from __future__ import annotations

import atexit
import io
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grading.sandbox.bubblewrap import Sandbox, supply_files

CHILD = Path(__file__).resolve().parent / "child.py"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed child."""

    memory_bytes: int = 2 * 1024**3
    cpu_seconds: int = 20
    wall_seconds: float = 10.0
    output_bytes: int = 64 * 1024**2


@dataclass
class Outcome:
    """What one call of a student's function gave, as plain numbers.

    ``status`` is ``"ok"``, ``"raised"``, ``"not_tuple"`` or ``"fault"`` (the
    child died, timed out or could not import the module; ``message`` says
    which).
    """

    status: str
    error: str = ""
    message: str = ""
    R: np.ndarray = None
    R_ok: bool = False
    dW: np.ndarray = None
    dW_ok: bool = False
    after: np.ndarray = None


@dataclass
class SandboxRun:
    """All outcomes of one student, in input order, and the faults seen."""

    outcomes: list
    faults: list = field(default_factory=list)


def _limit(limits, sandboxed):
    """A ``preexec_fn`` that applies ``limits`` in the child before it runs Python.

    In the sandbox, memory and file size are set by ``prlimit`` inside it
    (``Sandbox.limits_prefix``); here only CPU time and core dumps.
    """
    def apply():
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if not sandboxed:
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
    return apply


def _encode_inputs(calls):
    buffer = io.BytesIO()
    arrays = {f"W{i}": np.asarray(W) for i, (_, W, _) in enumerate(calls)}
    np.savez(buffer, names=np.array([name for name, _, _ in calls], dtype=str),
             regs=np.array([reg for _, _, reg in calls], dtype=np.float64), **arrays)
    return buffer.getvalue()


def _safe_archive(data):
    """An ``.npz`` record as a dict of arrays, or None if it is not what the child writes.

    The child's archives (``np.savez``) hold uncompressed members whose
    arrays fit in the bytes that arrived, so nothing here can expand a small
    record into a large allocation (a compressed or lying header is refused).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            arrays = {}
            for info in archive.infolist():
                if info.compress_type != zipfile.ZIP_STORED or info.file_size > len(data) \
                        or not info.filename.endswith(".npy"):
                    return None
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version not in ((1, 0), (2, 0)):
                        return None
                    header = {(1, 0): np.lib.format.read_array_header_1_0,
                              (2, 0): np.lib.format.read_array_header_2_0}[version]
                    shape, _, dtype = header(member)
                    if dtype.hasobject or int(np.prod(shape, dtype=np.int64)) * dtype.itemsize > info.file_size:
                        return None
                with archive.open(info) as member:
                    arrays[info.filename[:-4]] = np.lib.format.read_array(member, allow_pickle=False)
            return arrays
    except Exception:  # noqa: BLE001 (whatever the child sent, a bad record is only a bad record)
        return None


def _decode_records(data):
    """The complete, well-formed records in ``data`` (a truncated or malformed record ends the list)."""
    records, offset = [], 0
    while offset + 8 <= len(data):
        (size,) = struct.unpack("<Q", data[offset:offset + 8])
        if offset + 8 + size > len(data):
            break
        record = _safe_archive(data[offset + 8:offset + 8 + size])
        try:
            record["index"] = int(record["index"])
        except (TypeError, KeyError, ValueError, OverflowError):
            break
        records.append(record)
        offset += 8 + size
    return records


def _communicate(process, data, limits):
    """Send ``data``, read at most ``limits.output_bytes`` of stdout within the wall time.

    Returns ``(output, ended)``; ``ended`` describes an early stop (time or
    size), else None. The process is killed when a limit is hit.
    """
    deadline = time.monotonic() + limits.wall_seconds
    chunks, size, ended = [], 0, None
    try:
        process.stdin.write(data)
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    stdout = process.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            ended = f"did not finish within {limits.wall_seconds:g} s"
            break
        ready, _, _ = select.select([stdout], [], [], left)
        if not ready:
            continue
        chunk = os.read(stdout, 1 << 20)
        if not chunk:
            break
        size += len(chunk)
        if size > limits.output_bytes:
            ended = f"sent more than {limits.output_bytes} bytes of results"
            break
        chunks.append(chunk)
    if ended:
        _kill(process)
    process.stdout.close()
    process.wait()
    return b"".join(chunks), ended


def _kill(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


_ENV = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1", "LC_ALL": "C.UTF-8"}


class _Child:
    """A sandboxed child process and its launch (whose ``close`` releases the sandbox's cgroup)."""

    def __init__(self, process, launch):
        self.process = process
        self.launch = launch

    @classmethod
    def start(cls, limits, sandbox, module_fd=None):
        """A new sandboxed child; without ``module_fd``, its working folder is empty (a spare)."""
        bounded = Sandbox(config=sandbox.config)
        bounded.memory_bytes = limits.memory_bytes
        files = [(module_fd, "regularization.py")] if module_fd is not None else []
        launch = bounded.launch([sys.executable, "-I", "-B", "/opt/grader/sandbox_child.py"],
                                workdir_name="regrade", files=files,
                                ro_files=[(str(CHILD), "/opt/grader/sandbox_child.py")],
                                want_pid=module_fd is None)
        try:
            process = subprocess.Popen(
                launch.command, cwd="/", env=_ENV,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                preexec_fn=_limit(limits, True), start_new_session=True, pass_fds=launch.pass_fds)
        except BaseException:
            launch.close()
            raise
        launch.started()
        return cls(process, launch)

    def discard(self):
        _kill(self.process)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()
        self.launch.close()


class _Spares:
    """Children started ahead, at most one, each waiting for the student that takes it."""

    def __init__(self):
        self._waiting = {}

    def take(self, key):
        child = self._waiting.pop(key, None)
        if child is not None and child.process.poll() is not None:
            child.discard()
            child = None
        return child

    def put(self, key, child):
        self.release()  # one spare at most: one made for other limits would only wait
        self._waiting[key] = child

    def release(self):
        while self._waiting:
            self._waiting.popitem()[1].discard()


_SPARES = _Spares()
atexit.register(_SPARES.release)


def release_spares() -> None:
    """End the re-grade children started ahead in this process (at exit at the latest)."""
    _SPARES.release()


def _sandboxed_child(module_source, limits, sandbox):
    """A sandboxed child whose working folder holds the module: a spare if one waits, else a new one."""
    key = (os.getpid(), limits, sandbox.settings())
    child = _SPARES.take(key) if sandbox.start_ahead else None
    if child is not None:
        try:
            # Nothing of a student's has run in it: it has imported NumPy and
            # waits for its inputs; its working folder is still empty.
            with tempfile.TemporaryFile(prefix="regrade-") as module:
                module.write(module_source)
                module.flush()
                supply_files(child.launch.child_pid(), "regrade", [(module.fileno(), "regularization.py")])
        except Exception:  # noqa: BLE001 (then a new child, started the plain way)
            child.discard()
            child = None
    if child is None:
        with tempfile.TemporaryDirectory(prefix="regrade-") as folder:
            module = Path(folder) / "regularization.py"
            module.write_bytes(module_source)
            module_fd = os.open(module, os.O_RDONLY)
            try:
                child = _Child.start(limits, sandbox, module_fd)
            finally:
                os.close(module_fd)
    if sandbox.start_ahead:
        try:
            _SPARES.put(key, _Child.start(limits, sandbox))
        except Exception:  # noqa: BLE001 (the next child then starts when it is needed)
            pass
    return child


def _run_child(module_source, calls, limits, sandbox):
    """Run one child on ``calls``; return ``(records, how_it_ended)``.

    ``how_it_ended`` is None for a normal exit, else a short description.
    """
    if sandbox is not None and sandbox.enabled:
        child = _sandboxed_child(module_source, limits, sandbox)
        process = child.process
        try:
            output, ended = _communicate(process, _encode_inputs(calls), limits)
        finally:
            child.launch.close()
    else:
        with tempfile.TemporaryDirectory(prefix="regrade-") as folder:
            (Path(folder) / "regularization.py").write_bytes(module_source)
            process = subprocess.Popen(
                [sys.executable, "-I", "-B", str(CHILD)], cwd=folder, env=_ENV,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                preexec_fn=_limit(limits, False), start_new_session=True)
            output, ended = _communicate(process, _encode_inputs(calls), limits)
    if ended is None:
        if process.returncode < 0:
            name = signal.Signals(-process.returncode).name
            ended = {"SIGXCPU": f"used more than {limits.cpu_seconds} s of CPU time",
                     "SIGKILL": "was killed by SIGKILL (out of memory, or it killed itself)",
                     }.get(name, f"was killed by {name}")
        elif process.returncode != 0:
            ended = f"ended the process with exit code {process.returncode}"
    return _decode_records(output), ended


def _outcome(record):
    """The Outcome a record describes; fields it lacks read as a failed call (the child is untrusted).

    ``R``, ``dW`` and ``after`` are read only as the child sends them, float64
    arrays: any other dtype (a record the student's code forged) reads as not
    converted, since the checks would turn, say, 60 MB of booleans into 480 MB
    of float64 in the grader's process.
    """
    def text(key):
        return str(record.get(key, ""))[:500]

    def numbers(key):
        value = record.get(key)
        return value if isinstance(value, np.ndarray) and value.dtype == np.float64 else None

    R, dW = numbers("R"), numbers("dW")
    known = text("status") in ("ok", "raised", "not_tuple")
    return Outcome(
        status=text("status") if known else "fault",
        error=text("error"),
        # A fault's message is the grader's own words; the child's text could carry anything.
        message=(text("message") if known else "") or "the sandbox sent an incomplete result",
        R=R, R_ok=bool(record.get("R_ok", False)) and R is not None,
        dW=dW, dW_ok=bool(record.get("dW_ok", False)) and dW is not None,
        after=numbers("after"),
    )


def run_isolated(module_source: bytes | None, calls: list[tuple[str, np.ndarray, float]],
                 limits: Limits = Limits(), sandbox: Sandbox | None = None) -> SandboxRun:
    """Call the student's functions on ``calls``, a list of ``(name, W, reg)``.

    ``module_source`` is the module's bytes as collected (None: not
    submitted). ``sandbox`` is the :class:`grading.sandbox.bubblewrap.Sandbox` to run
    in (None or disabled: a plain child under the same limits).

    Returns a SandboxRun whose ``outcomes[i]`` belongs to ``calls[i]``. A
    missing module, a failed import or a child that ends early turns the
    affected calls into ``"fault"`` outcomes and adds a line to ``faults``.
    """
    outcomes = [None] * len(calls)
    faults = []
    if module_source is None:
        faults.append("regularization.py was not submitted")
        return SandboxRun([Outcome("fault", message=faults[0])] * len(calls), faults)

    pending = list(range(len(calls)))
    while pending:
        records, ended = _run_child(module_source, [calls[i] for i in pending], limits, sandbox)
        imported = bool(records) and records[0]["index"] == -2
        if not imported:
            if records:
                fault = (f"importing regularization.py failed: "
                         f"{str(records[0].get('error', ''))[:200]}: {str(records[0].get('message', ''))[:500]}")
            else:
                fault = f"importing regularization.py {ended or 'gave no result'}"
            faults.append(fault)
            for i in pending:
                outcomes[i] = Outcome("fault", message=fault)
            break
        done = 0
        for record in records[1:]:  # in order, one per pending call; anything else ends the run
            if done == len(pending) or record["index"] != done:
                break
            outcomes[pending[done]] = _outcome(record)
            done += 1
        if done == len(pending):
            break
        culprit = calls[pending[done]][0]
        fault = f"{culprit} {ended or 'ended the process'}"
        faults.append(fault)
        rest = []
        for i in pending[done:]:
            if calls[i][0] == culprit:
                outcomes[i] = Outcome("fault", message=fault)
            else:
                rest.append(i)
        pending = rest
    return SandboxRun(outcomes, faults)
