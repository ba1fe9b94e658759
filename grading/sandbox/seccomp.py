"""The seccomp filter of every sandboxed process: the few system calls namespaces do not contain.

bubblewrap installs it (``--seccomp FD``) before the sandboxed command runs; a
filter is inherited by every child and kept across ``exec``, so the warm
parent's kernels have it too. It refuses (EPERM):

- ``keyctl``, ``add_key`` and ``request_key``: the kernel's keyrings are not
  namespaced. A key's owner is a host UID, so a sandbox running as the
  grader's UID (root in CI) could link keys into the grader's own keyrings,
  clear them, or leave notes in keyrings that the next kernel shares.
- ``prlimit64`` on any process but the caller (``pid`` 0, which is how
  ``setrlimit`` and ``resource.prlimit(0, ...)`` call it): with matching
  UIDs and GIDs no capability is asked, so a kernel could lower the limits of
  the warm parent and so of every kernel forked after it.
- ``ptrace``, ``userfaultfd`` and io_uring: nothing grading runs needs them,
  and they are what kernel exploits are made of (io_uring would also run
  system calls the filter never sees).
- ``fcntl(F_SETLEASE)`` and ``fcntl(F_NOTIFY)``: a lease belongs to the file,
  read-only mount or not, and needs only that the caller's UID owns it; a
  sandbox running as root owns ``/usr`` and the Python installation, and a
  write lease on, say, ``/etc/ld.so.cache`` would stall every program the
  machine starts (up to 45 s each time).
- every system call of another ABI (i386 ``int 0x80`` and x32 on x86-64),
  where the numbers above would mean something else.

Everything else is allowed; the namespaces and limits do the rest. Supported
on x86-64 and AArch64; elsewhere :func:`program` returns None and the
sandbox runs without the filter (the log says so).
"""

from __future__ import annotations

import errno
import os
import platform
import struct

# BPF instructions (linux/filter.h) and seccomp's return values (linux/seccomp.h).
LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6];
NR, ARCH, ARG0_LOW, ARG0_HIGH = 0, 4, 16, 20
X32_BIT = 0x40000000

#: machine: (AUDIT_ARCH_*, {name: number}); numbers from the kernel's syscall tables.
ARCHITECTURES = {
    "x86_64": (0xC000003E, {"keyctl": 250, "add_key": 248, "request_key": 249, "ptrace": 101,
                            "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
                            "io_uring_register": 427, "prlimit64": 302, "fcntl": 72}),
    "aarch64": (0xC00000B7, {"keyctl": 219, "add_key": 217, "request_key": 218, "ptrace": 117,
                             "userfaultfd": 282, "io_uring_setup": 425, "io_uring_enter": 426,
                             "io_uring_register": 427, "prlimit64": 261, "fcntl": 25}),
}
F_SETLEASE, F_NOTIFY = 1024, 1026
ARG1_LOW = 24
REFUSED = ("keyctl", "add_key", "request_key", "ptrace", "userfaultfd", "io_uring_setup", "io_uring_enter",
           "io_uring_register")


def program(machine: str | None = None) -> bytes | None:
    """The filter as bubblewrap reads it (an array of ``struct sock_filter``), or None if unsupported."""
    machine = machine or platform.machine()
    if machine not in ARCHITECTURES:
        return None
    arch, numbers = ARCHITECTURES[machine]
    # Instructions as (code, jump if true, jump if false, k); jumps name labels resolved below.
    code = [
        (LD_W_ABS, 0, 0, ARCH),
        (JEQ_K, 0, "deny", arch),
        (LD_W_ABS, 0, 0, NR),
    ]
    if machine == "x86_64":
        code.append((JGE_K, "deny", 0, X32_BIT))
    for name in REFUSED:
        code.append((JEQ_K, "deny", 0, numbers[name]))
    code += [
        (JEQ_K, 0, 3, numbers["fcntl"]),      # fcntl(fd, cmd, ...): no lease, no directory notice
        (LD_W_ABS, 0, 0, ARG1_LOW),
        (JEQ_K, "deny", 0, F_SETLEASE),
        (JEQ_K, "deny", "allow", F_NOTIFY),
        (JEQ_K, 0, "allow", numbers["prlimit64"]),
        (LD_W_ABS, 0, 0, ARG0_HIGH),         # prlimit64(pid, ...): pid must be 0, this process
        (JEQ_K, 0, "deny", 0),
        (LD_W_ABS, 0, 0, ARG0_LOW),
        (JEQ_K, "allow", 0, 0),              # (a filter cannot know the caller's own PID: 0 it is)
    ]
    return _assemble(code)


def _assemble(code):
    """Resolve the labels "deny" and "allow": the two returns, appended after ``code``."""
    deny_at, allow_at = len(code), len(code) + 1
    out = []
    for index, (op, true, false, k) in enumerate(code):
        def target(label, index=index):
            if isinstance(label, int):
                return label  # a plain offset
            return (deny_at if label == "deny" else allow_at) - index - 1
        out.append(struct.pack("<HBBI", op, target(true), target(false), k))
    out.append(struct.pack("<HBBI", RET_K, 0, 0, RET_ERRNO | errno.EPERM))
    out.append(struct.pack("<HBBI", RET_K, 0, 0, RET_ALLOW))
    return b"".join(out)


def program_fd() -> int | None:
    """A file descriptor holding :func:`program`, positioned at its start (for ``bwrap --seccomp``)."""
    filter_program = program()
    if filter_program is None:
        return None
    fd = os.memfd_create("dlcv-seccomp", os.MFD_CLOEXEC)
    os.write(fd, filter_program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
