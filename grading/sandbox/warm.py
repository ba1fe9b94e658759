"""Fresh grading kernels without their start-up: forked from a warm parent inside the sandbox.

A kernel's start-up is mostly the same work every time: a Python starting and
importing ipykernel, IPython and NumPy (about 0.35 s of CPU here). With
``c.Sandbox.warm_parent`` (the default), each grading process starts one
*warm parent* (``zygote.py``) in a bubblewrap sandbox built like every
kernel's (the same read-only binds, masks, limits, seccomp filter and cgroup, no network) and
lets it import all that once. Every kernel is then a fork of it that, before
ipykernel runs and long before student code, gets a new ``/tmp`` and
``/home/student``, new IPC and network namespaces, and drops every
capability (see ``zygote.py`` for the steps). Kernels of one grading process
share the sandbox's user and PID namespaces, one after the other: the parent
ends the kernel it forked, and everything that kernel started, before it
forks the next. So each submission still gets a new kernel, never one another
submission used.

What the warm parent has beyond a kernel's sandbox, and why it is safe:

- ``CAP_SYS_ADMIN``, ``CAP_SETPCAP`` and ``CAP_NET_ADMIN`` in its own user
  namespace (which bubblewrap's ``--disable-userns`` still closes to further
  user namespaces): enough to make the kernel's mounts and namespaces,
  nothing on the host. A kernel drops them all before any of ipykernel runs.
- It is PID 1 of the sandbox (``--as-pid-1``) and not dumpable, and holds
  capabilities a kernel lacks: no kernel can read or write its memory
  through ``/proc``, change its scheduling, or signal it; the seccomp filter
  refuses ``prlimit`` on it; and whatever of its state a process of the same
  UID could still change (its OOM score, say) it checks before every fork,
  and ends instead of passing it on.
- It never reads a request itself (each kernel reads its own), ends every
  process of the kernel before (and everything that kernel started) before
  it forks the next, and gives each kernel new ``/tmp``, ``/home/student``,
  IPC and network namespaces.

:class:`ForkedKernel` stands in for the ``subprocess.Popen`` that
jupyter_client's provisioner keeps: a kernel is not the grader's child, so it
is watched and signalled through a pidfd.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from grading.sandbox.bubblewrap import Sandbox, SandboxUnavailable

ZYGOTE = Path(__file__).resolve().parent / "zygote.py"
INSIDE_ZYGOTE = "/opt/grader/zygote.py"

#: bubblewrap options of the warm parent's sandbox on top of a kernel's.
WARM_PARENT_OPTIONS = ("--as-pid-1", "--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP",
                       "--cap-add", "CAP_NET_ADMIN")

# Every warm parent is started from one long-lived thread of its grading
# process: bubblewrap's --die-with-parent ends the sandbox when the *thread*
# that started it ends. One per process: a forked process has no thread of its parent's.
_STARTERS: dict[int, concurrent.futures.ThreadPoolExecutor] = {}


def _starter() -> concurrent.futures.ThreadPoolExecutor:
    if os.getpid() not in _STARTERS:
        _STARTERS[os.getpid()] = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                                      thread_name_prefix="warm-parent")
    return _STARTERS[os.getpid()]


class ForkedKernel:
    """A kernel forked by a warm parent, seen from the grader: the ``Popen`` API jupyter_client uses.

    ``pid`` is the kernel's PID on the host (its root is
    ``/proc/<pid>/root``). Signals go through a pidfd, so they can never
    reach another process that later got the same PID.
    """

    # No pipes: its stdout and stderr go to its warm parent's (the provisioner closes these if set).
    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self._pidfd = os.pidfd_open(pid)
        self.returncode = None
        self._killed = False

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd is not None:
            ready, _, _ = select.select([self._pidfd], [], [], 0)
            if ready:
                self._ended()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else max(deadline - time.monotonic(), 0)
            if left == 0:
                raise subprocess.TimeoutExpired("forked kernel", timeout)
            select.select([self._pidfd], [], [], left)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            if signum == signal.SIGKILL:
                self._killed = True
            try:
                signal.pidfd_send_signal(self._pidfd, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    # The kernel is PID 1 of its namespace and has no SIGTERM handler, so
    # SIGTERM would be ignored; ending it means killing it.
    terminate = kill

    def _ended(self):
        # Not the grader's child: its exit status is the warm parent's to collect.
        self.returncode = -signal.SIGKILL if self._killed else 1
        os.close(self._pidfd)
        self._pidfd = None

    def __del__(self):
        if getattr(self, "_pidfd", None) is not None:
            os.close(self._pidfd)


class WarmParent:
    """One warm parent (``zygote.py``) in its sandbox, and the pipes to it."""

    def __init__(self, sandbox: Sandbox):
        from grading.sandbox.kernel import _Drain

        reply_read, reply_write = os.pipe()
        self.output = _Drain()
        argv = [sys.executable, INSIDE_ZYGOTE, str(sandbox.tmp_bytes), str(sandbox.home_bytes),
                str(reply_write), *sandbox.kernel_preload]
        self.launch = sandbox.launch(argv, workdir_name="work", ro_files=[(str(ZYGOTE), INSIDE_ZYGOTE)],
                                     extra_options=WARM_PARENT_OPTIONS, want_pid=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        try:
            self.process = _starter().submit(
                subprocess.Popen, self.launch.command, stdin=subprocess.PIPE, stdout=self.output.write_fd,
                stderr=self.output.write_fd, pass_fds=(*self.launch.pass_fds, reply_write), env=env,
                start_new_session=True).result()
        except BaseException:
            os.close(reply_read)
            os.close(reply_write)
            self.output.close()
            self.launch.close()
            raise
        finally:
            self.launch.started()
            self.output.started()
        os.close(reply_write)
        self._replies = os.fdopen(reply_read, "rb")
        answer = self._answer(timeout=60)
        if not answer.get("ready"):
            self.close()
            raise SandboxUnavailable(f"the warm parent of the grading kernels did not start: {answer}\n"
                                     f"{self.output.tail()}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def _answer(self, timeout):
        ready, _, _ = select.select([self._replies], [], [], timeout)
        line = self._replies.readline() if ready else b""
        if not line:
            return {"error": "no answer from the warm parent (it ended, or did not answer in time)"}
        return json.loads(line)

    def fork(self, workdir: str, connection: dict, argv: list[str]) -> ForkedKernel:
        """A new kernel in new namespaces, started with ``argv``; the one forked before has ended."""
        request = {"workdir": workdir, "connection": connection, "argv": argv}
        mark = self.output.received  # what earlier kernels wrote stays out of this one's errors
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        answer = self._answer(timeout=60)
        if "pid" not in answer:
            try:  # it exits after an error (or ended before): let alive() say so
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            raise RuntimeError(f"the warm parent could not fork a kernel: {answer.get('error')}\n"
                               f"{self.output.tail(since=mark)}")
        return ForkedKernel(self._host_pid(answer["pid"]))

    def _host_pid(self, inside):
        """The host PID of the parent's child whose PID in the parent's namespace is ``inside``."""
        parent = self.process_pid()
        with open(f"/proc/{parent}/task/{parent}/children") as handle:
            children = handle.read().split()
        for child in children:
            try:
                with open(f"/proc/{child}/status") as status:
                    ids = next(line for line in status if line.startswith("NSpid:")).split()[1:]
            except (OSError, StopIteration):
                continue
            # NSpid: on the host, in the sandbox.
            if len(ids) == 2 and int(ids[1]) == inside:
                return int(child)
        raise RuntimeError(f"the kernel forked by the warm parent (PID {inside} inside) is not running")

    def process_pid(self) -> int:
        """The warm parent's host PID (PID 1 of its sandbox, as bubblewrap reported it)."""
        return self.launch.child_pid()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self._replies.close()
        self.output.close()
        self.launch.close()


_PARENTS: dict[tuple, WarmParent] = {}


def warm_parent(sandbox: Sandbox) -> WarmParent:
    """This process's warm parent for ``sandbox``'s settings, started if need be."""
    key = (os.getpid(), sandbox.settings())
    parent = _PARENTS.get(key)
    if parent is not None and not parent.alive():
        _PARENTS.pop(key).close()
        parent = None
    if parent is None:
        for other in [k for k in _PARENTS if k[0] != os.getpid()]:
            _PARENTS.pop(other)  # a forked grader's inheritance: not its own, never used
        parent = _PARENTS[key] = WarmParent(sandbox)
    return parent


_UNUSABLE: set = set()


def usable_warm_parent(sandbox: Sandbox, log: logging.Logger | None = None) -> WarmParent | None:
    """:func:`warm_parent`, or None (with one warning) where it cannot start: kernels then start plain."""
    key = (os.getpid(), sandbox.settings())
    if key in _UNUSABLE:
        return None
    try:
        return warm_parent(sandbox)
    except (OSError, RuntimeError) as error:  # SandboxUnavailable is a RuntimeError
        _UNUSABLE.add(key)
        if log is not None:
            log.warning("Grading kernels start without the warm parent (each a new Python): %s", error)
        return None


def release_warm_parents() -> None:
    """End this process's warm parents (and so any kernel they forked)."""
    for key in [k for k in _PARENTS if k[0] == os.getpid()]:
        _PARENTS.pop(key).close()


atexit.register(release_warm_parents)
