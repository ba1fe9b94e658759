"""The sandboxed child of the isolated re-grade: runs one student's functions on given inputs.

Started by ``grading.sandbox.regrade`` as ``python -I -B child.py`` in a
working directory that holds nothing but the student's ``regularization.py``,
under memory, CPU and wall-time limits. It imports nothing of the grading
code, so the student's module cannot reach the checks from here.

Protocol (NumPy ``.npz`` archives, always read with ``allow_pickle=False``):

- stdin: one archive with ``names`` (the function to call per input, a
  unicode array), ``regs`` (float64) and ``W0``, ``W1``, ... (the matrices).
- stdout: one record per input, in order, each an 8-byte little-endian
  length followed by an archive with ``index``; ``status`` (``"ok"``,
  ``"raised"`` or ``"not_tuple"``: not two results in a tuple or list); ``error`` (exception or
  returned type name) and ``message``; ``R`` and ``dW`` as float64 arrays with ``R_ok``
  and ``dW_ok`` saying whether they converted; ``after``, the argument
  after the call. Before them, a record ``index = -2`` says the module was
  imported, or one with ``index = -1`` reports a failed import.

The student's module writes to stdout and stderr go to /dev/null; records go
through a private duplicate of the original stdout.
"""

import io
import os
import struct
import sys
from typing import BinaryIO

import numpy as np


def send(channel: BinaryIO, **arrays: object) -> None:
    """Write one length-prefixed ``.npz`` record of ``arrays`` to ``channel``."""
    buffer = io.BytesIO()
    np.savez(buffer, **{k: np.asarray(v) for k, v in arrays.items()})
    data = buffer.getvalue()
    channel.write(struct.pack("<Q", len(data)) + data)
    channel.flush()


def as_float_array(value: object) -> tuple[np.ndarray, bool]:
    """``(array, ok)``: ``value`` as float64, or an empty array if it does not convert."""
    try:
        return np.array(value, dtype=np.float64), True
    except BaseException:  # noqa: BLE001 (student objects may raise anything)
        return np.zeros(0), False


def main() -> None:
    inputs = np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False)
    names = [str(n) for n in inputs["names"]]
    regs = inputs["regs"]
    matrices = [inputs[f"W{i}"] for i in range(len(names))]

    channel = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)

    sys.path.insert(0, os.getcwd())
    try:
        import regularization
    except BaseException as error:  # noqa: BLE001 (SystemExit, KeyboardInterrupt, ... all count)
        send(channel, index=-1, status="import_failed", error=type(error).__name__,
             message=str(error)[:500])
        return
    send(channel, index=-2, status="imported")

    for index, (name, W, reg) in enumerate(zip(names, matrices, regs)):
        argument = W.copy()
        record = dict(index=index, error="", message="", R=np.zeros(0), R_ok=False,
                      dW=np.zeros(0), dW_ok=False)
        try:
            result = getattr(regularization, name)(argument, float(reg))
        except BaseException as error:  # noqa: BLE001
            record.update(status="raised", error=type(error).__name__, message=str(error)[:500])
        else:
            try:  # two results, as a tuple, a list or a named tuple (student objects may raise anything)
                count = len(result) if isinstance(result, (tuple, list)) else None
                pair = (result[0], result[1]) if count == 2 else None
            except BaseException:  # noqa: BLE001
                count, pair = None, None
            if pair is not None:
                R, R_ok = as_float_array(pair[0])
                dW, dW_ok = as_float_array(pair[1])
                record.update(status="ok", R=R, R_ok=R_ok, dW=dW, dW_ok=dW_ok)
            else:
                returned = type(result).__name__ + (f" of {count} items" if count is not None else "")
                record.update(status="not_tuple", error=returned)
        after, _ = as_float_array(argument)
        send(channel, after=after, **record)


if __name__ == "__main__":
    main()
