"""One grading at a time in a process, enforced.

A grading process keeps per-process state for the kernels it starts: one
warm parent (``grading.sandbox.warm``), which forks one kernel at a time and
ends the kernel before whenever it forks the next, and the kernels and
re-grade children started ahead. Two notebooks run at the same time by two
threads of one process would share that warm parent: the second fork would
kill the first notebook's kernel, and ``ResilientExecute`` would record that as
the *student's* kernel dying.

So ``ResilientExecute`` runs each notebook inside :func:`grading_slot`: a
second notebook that a process starts while one is running is refused at
once with :class:`ConcurrentGrading` (nbgrader records that submission as
failed, with the message), and the first one's kernel is never touched. Run
more graders as more *processes* (the parallel runner's Dask workers have
one thread each). A process forked while a thread holds the slot starts
with the slot free (the thread is not in the child).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator


class ConcurrentGrading(RuntimeError):
    """Raised when a process is asked to grade a notebook while it grades another."""


class _Slot:
    def __init__(self):
        self.lock = threading.Lock()
        self.holder = None  # (what, thread name) while held


_SLOT = _Slot()


def _fresh_slot_in_child():
    global _SLOT
    _SLOT = _Slot()


os.register_at_fork(after_in_child=_fresh_slot_in_child)


@contextlib.contextmanager
def grading_slot(what: str) -> Iterator[None]:
    """Hold this process's one grading slot while the block runs; refuse if another holds it.

    ``what`` names the grading (a student, a notebook) for the message the
    refused one gets. Raises :class:`ConcurrentGrading` without waiting.
    """
    slot = _SLOT
    if not slot.lock.acquire(blocking=False):
        holder, thread = slot.holder or ("another notebook", "another thread")
        raise ConcurrentGrading(
            f"Not grading {what}: this process (PID {os.getpid()}) is grading {holder} in thread {thread}, "
            "and one process grades one notebook at a time (its kernels share one warm parent, which "
            "would end the other notebook's kernel). Grade in parallel with more processes, each with one "
            "thread (python -m grading.tools.parallel_autograde; dask worker --nthreads 1).")
    slot.holder = (what, threading.current_thread().name)
    try:
        yield
    finally:
        slot.holder = None
        slot.lock.release()
