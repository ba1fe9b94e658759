"""The pipe a kernel's stdout and stderr go to: only its own end reaches an error message."""

import os
import time

from grading.sandbox.kernel import _Drain


def drained(drain, size):
    deadline = time.monotonic() + 10
    while drain.received < size and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_output_since_a_mark_leaves_out_what_an_earlier_kernel_wrote():
    # Forked kernels share their warm parent's pipe; a kernel's start-up error shows only its own output.
    drain = _Drain(keep=64)
    try:
        os.write(drain.write_fd, b"earlier student's output\n")
        drained(drain, 25)
        mark = drain.received
        assert drain.tail(since=mark) == ""
        os.write(drain.write_fd, b"this kernel's traceback\n")
        drained(drain, mark + 24)
        assert drain.tail(since=mark) == "this kernel's traceback\n"
        assert drain.tail() == "earlier student's output\nthis kernel's traceback\n"
        os.write(drain.write_fd, b"x" * 100)
        drained(drain, mark + 124)
        assert drain.tail(since=mark) == "x" * 64  # never more than it keeps
    finally:
        drain.close()
