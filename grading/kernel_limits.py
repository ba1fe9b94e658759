"""Limits applied inside the grading kernel before any notebook cell runs.

nbgrader starts the kernel with ``Execute.extra_arguments``; the project's
``nbgrader_config.py`` passes an ``exec_lines`` entry that calls
:func:`apply`. It caps the kernel's address space (so a runaway allocation
raises ``MemoryError`` in the cell instead of exhausting the machine) and the
volume of text the student's code can print (so a flood of output cannot
fill the grader's memory; the rest is dropped with a note).
"""

import resource
import sys


class CappedStream:
    """A text stream that passes on at most ``limit`` characters, then drops the rest."""

    def __init__(self, stream, limit):
        self._stream = stream
        self._left = limit
        self._noted = False

    def write(self, text):
        if self._left > 0:
            self._stream.write(text[: self._left])
            self._left -= len(text)
        elif not self._noted:
            self._noted = True
            self._stream.write("\n[output truncated by the grader]\n")
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def apply(memory_bytes, output_chars):
    """Cap this process's address space and its stdout/stderr text."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    sys.stdout = CappedStream(sys.stdout, output_chars)
    sys.stderr = CappedStream(sys.stderr, output_chars)
