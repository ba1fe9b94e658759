"""The caps that the fault tests rely on hold before any fault is run."""

import numpy as np
import pytest

from grading.sandbox.regrade import Limits, run_isolated
from support.integrity import (
    TWO_GIB,
    assert_memory_caps_in_place,
    kernel_cap_works,
    project_config,
    project_sandbox,
    sandbox_cap_works,
)

pytestmark = pytest.mark.e2e  # runs nbgrader, kernels or sandboxes


def test_project_caps_memory_at_most_2_gib_in_kernel_and_sandbox():
    assert_memory_caps_in_place()


def test_kernel_cap_turns_a_big_allocation_into_memory_error():
    assert kernel_cap_works(512 * 1024**2)


def test_sandbox_cap_turns_a_big_allocation_into_memory_error():
    assert sandbox_cap_works(512 * 1024**2)


def test_cell_time_limit_is_set():
    assert 0 < project_config().Execute.timeout <= 60


def test_sandbox_wall_limit_ends_a_hanging_function_and_keeps_the_others():
    module = (b"def L1_reg(W, reg):\n    while True:\n        pass\n\n"
              b"def L2_reg(W, reg):\n    return 1.0, W\n")
    W = np.ones((2, 2))
    run = run_isolated(module, [("L1_reg", W, 0.5), ("L2_reg", W, 0.5)], Limits(wall_seconds=2),
                       project_sandbox())
    assert [o.status for o in run.outcomes] == ["fault", "ok"]
    assert run.faults == ["L1_reg did not finish within 2 s"]


def test_sandbox_never_unpickles():
    # A function returning an object array must come back as "did not convert", not as objects.
    module = (b"import numpy as np\n\ndef L1_reg(W, reg):\n"
              b"    return np.array([object()], dtype=object), W\n")
    run = run_isolated(module, [("L1_reg", np.ones((2, 2)), 0.5)], sandbox=project_sandbox())
    assert run.outcomes[0].status == "ok" and run.outcomes[0].R_ok is False
    assert TWO_GIB == Limits().memory_bytes


def test_the_grader_reads_at_most_the_output_cap_from_the_child():
    # The child's result pipe is read up to Limits.output_bytes, then the child is killed.
    module = (b"import numpy as np\n\ndef L1_reg(W, reg):\n"
              b"    return 1.0, np.ones((512, 512))\n")
    calls = [("L1_reg", np.ones((2, 2)), 0.5)] * 4
    run = run_isolated(module, calls, Limits(output_bytes=5 * 1024**2), project_sandbox())
    assert run.outcomes[0].status == "ok"
    assert any("more than 5242880 bytes" in fault for fault in run.faults)


def _record_declaring_1_gib(compression, payload_bytes):
    """One framed result record whose .npy header claims 2**27 float64 (1 GiB) but holds ``payload_bytes``."""
    import io
    import struct
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**27,)})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=compression) as record:
        record.writestr("index.npy", header.getvalue() + b"\0" * payload_bytes)
    return struct.pack("<Q", len(archive.getvalue())) + archive.getvalue()


def test_a_compressed_record_cannot_expand_in_the_grader():
    # A 1 GiB array declared in a tiny compressed member is refused before any allocation.
    import zipfile

    from grading.sandbox.regrade import _decode_records

    assert _decode_records(_record_declaring_1_gib(zipfile.ZIP_DEFLATED, 1024)) == []


def test_a_record_with_a_lying_header_is_refused():
    import zipfile

    from grading.sandbox.regrade import _decode_records

    assert _decode_records(_record_declaring_1_gib(zipfile.ZIP_STORED, 64)) == []


def test_forged_or_incomplete_records_read_as_failed_calls():
    # Student code in the child can write to the result pipe; a record it forges
    # without the fields of a real one is a failed call, not a crash of the grader.
    module = (b"import os, io, struct, numpy as np\n"
              b"def L1_reg(W, reg):\n"
              b"    buffer = io.BytesIO(); np.savez(buffer, index=np.asarray(0)); data = buffer.getvalue()\n"
              b"    for fd in range(3, 10):\n"
              b"        try: os.write(fd, struct.pack('<Q', len(data)) + data)\n"
              b"        except OSError: pass\n"
              b"    return 1.0, W\n")
    run = run_isolated(module, [("L1_reg", np.ones((2, 2)), 0.5), ("L1_reg", np.ones((3, 2)), 0.5)],
                       sandbox=project_sandbox())
    assert run.outcomes[0].status in ("fault", "ok")
    assert all(o is not None for o in run.outcomes)
