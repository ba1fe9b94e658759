"""Run a student's functions in a sandboxed child process and collect plain numbers.

The child (``sandbox_child.py``) is a fresh interpreter in isolated mode
(``python -I -B``: no user site, no ``PYTHON*`` variables, the working
directory not on ``sys.path``), started in a new session in a temporary
folder that holds only a copy of the student's module, with a minimal
environment and limits on address space, CPU time and wall time. Inputs and
outputs cross as ``.npz`` archives read with ``allow_pickle=False``: nothing
the student's code returns is ever unpickled or executed here.

If the child dies or runs out of time on an input, that input and the rest
of the same function's inputs are recorded as faults and a new child carries
on with the other functions, so a fault confined to one function costs only
that function's results.
"""

import io
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHILD = Path(__file__).resolve().parent / "sandbox_child.py"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed child."""

    memory_bytes: int = 2 * 1024**3
    cpu_seconds: int = 20
    wall_seconds: float = 10.0
    output_bytes: int = 256 * 1024**2


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


def _limit(limits):
    """A ``preexec_fn`` that applies ``limits`` in the child before it runs Python."""
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def _encode_inputs(calls):
    buffer = io.BytesIO()
    arrays = {f"W{i}": np.asarray(W) for i, (_, W, _) in enumerate(calls)}
    np.savez(buffer, names=np.array([name for name, _, _ in calls], dtype=str),
             regs=np.array([reg for _, _, reg in calls], dtype=np.float64), **arrays)
    return buffer.getvalue()


def _decode_records(data):
    """The complete records in ``data`` (a truncated last record is dropped)."""
    records, offset = [], 0
    while offset + 8 <= len(data):
        (size,) = struct.unpack("<Q", data[offset:offset + 8])
        if offset + 8 + size > len(data):
            break
        with np.load(io.BytesIO(data[offset + 8:offset + 8 + size]), allow_pickle=False) as archive:
            records.append({key: archive[key] for key in archive.files})
        offset += 8 + size
    return records


def _run_child(module_path, calls, limits):
    """Run one child on ``calls``; return ``(records, how_it_ended)``.

    ``how_it_ended`` is None for a normal exit, else a short description.
    """
    with tempfile.TemporaryDirectory(prefix="sandbox-") as folder:
        shutil.copyfile(module_path, Path(folder) / "regularization.py")
        process = subprocess.Popen(
            [sys.executable, "-I", "-B", str(CHILD)],
            cwd=folder,
            env={"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                 "MKL_NUM_THREADS": "1", "LC_ALL": "C.UTF-8"},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            preexec_fn=_limit(limits), start_new_session=True,
        )
        ended = None
        try:
            output, _ = process.communicate(_encode_inputs(calls), timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            ended = f"did not finish within {limits.wall_seconds:g} s"
        else:
            if process.returncode < 0:
                name = signal.Signals(-process.returncode).name
                ended = {"SIGXCPU": f"used more than {limits.cpu_seconds} s of CPU time",
                         "SIGKILL": "was killed by SIGKILL (out of memory, or it killed itself)"}.get(name, f"was killed by {name}")
            elif process.returncode != 0:
                ended = f"ended the process with exit code {process.returncode}"
        return _decode_records(output), ended


def _outcome(record):
    return Outcome(
        status=str(record["status"]), error=str(record["error"]), message=str(record["message"]),
        R=record["R"], R_ok=bool(record["R_ok"]), dW=record["dW"], dW_ok=bool(record["dW_ok"]),
        after=record["after"],
    )


def run_isolated(module_path, calls, limits=Limits()):
    """Call the student's functions on ``calls``, a list of ``(name, W, reg)``.

    Returns a SandboxRun whose ``outcomes[i]`` belongs to ``calls[i]``. A
    missing module, a failed import or a child that ends early turns the
    affected calls into ``"fault"`` outcomes and adds a line to ``faults``.
    """
    outcomes = [None] * len(calls)
    faults = []
    if not Path(module_path).is_file():
        faults.append("regularization.py was not submitted")
        return SandboxRun([Outcome("fault", message=faults[0])] * len(calls), faults)

    pending = list(range(len(calls)))
    while pending:
        records, ended = _run_child(module_path, [calls[i] for i in pending], limits)
        imported = bool(records) and int(records[0]["index"]) == -2
        if not imported:
            if records:
                fault = (f"importing regularization.py failed: "
                         f"{records[0]['error']}: {records[0]['message']}")
            else:
                fault = f"importing regularization.py {ended or 'gave no result'}"
            faults.append(fault)
            for i in pending:
                outcomes[i] = Outcome("fault", message=fault)
            break
        records = records[1:]
        done = len(records)
        for record in records:
            outcomes[pending[int(record["index"])]] = _outcome(record)
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
