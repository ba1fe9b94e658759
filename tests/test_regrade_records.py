"""What the grader reads of the re-grade child's records: float64 arrays only, as the honest child sends them.

The child runs the student's code, which can write records of its own to the
pipe. Each record fits in ``Limits.output_bytes`` (64 MiB), but an array of
one-byte booleans or strings becomes eight times as large when the checks read
it as float64, in the grader's own process. No sandbox, no child: records made here.
"""

import io
import struct

import numpy as np
import pytest

from grading.sandbox.child import send
from grading.sandbox.regrade import _decode_records, _outcome


def record(**arrays):
    channel = io.BytesIO()
    send(channel, **arrays)
    [decoded] = _decode_records(channel.getvalue())
    return _outcome(decoded)


def test_the_honest_childs_record_is_read_as_sent():
    outcome = record(index=0, status="ok", error="", message="", R=np.float64(1.5), R_ok=True,
                     dW=np.ones((4, 3)), dW_ok=True, after=np.ones((4, 3)))
    assert outcome.status == "ok" and outcome.R_ok and outcome.dW_ok
    assert float(outcome.R) == 1.5 and outcome.dW.shape == (4, 3) and outcome.after.shape == (4, 3)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, "S1", np.float16])
def test_arrays_of_another_dtype_are_not_numbers_the_grader_reads(dtype):
    # Once read as they came: a forged 60 MB boolean dW made the loss and gradient checks convert it
    # to 480 MB of float64 in the grader's process (measured: peak RSS 125 -> 583 MB), per check.
    big = np.zeros(1000, dtype=dtype)
    outcome = record(index=0, status="ok", error="", message="", R=big[:1].reshape(()), R_ok=True,
                     dW=big, dW_ok=True, after=big)
    assert not outcome.R_ok and not outcome.dW_ok and outcome.after is None


def test_a_record_is_length_prefixed():
    channel = io.BytesIO()
    send(channel, index=0)
    assert struct.unpack("<Q", channel.getvalue()[:8])[0] == len(channel.getvalue()) - 8
