"""Attack: a process of the kernel outlives the kernel and acts on the host afterwards (see README.md)."""

import fcntl
import os
import signal
import sys
import time

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
TARGET = os.path.join(os.path.dirname(os.__file__), "LICENSE.txt")  # a host file nobody else opens


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _outlive(kernel):
    """In a detached grandchild: wait (at most 60 s) for the kernel to be killed, then lease TARGET for 5 s."""
    signal.signal(signal.SIGIO, signal.SIG_IGN)
    with open("/proc/self/comm", "w") as handle:
        handle.write("dlcv-orphan")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{kernel}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] in "ZX":
                    break  # killed (a zombie: the warm parent reaps only before its next fork)
        except OSError:
            break
        time.sleep(0.02)
    else:
        return
    fd = os.open(TARGET, os.O_RDONLY)
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
    except OSError:
        return
    time.sleep(5)  # a host process opening TARGET now waits: this process outlived its kernel


if "ipykernel" in sys.modules:
    kernel = os.getpid()
    with open("/proc/self/comm", "w") as handle:
        handle.write("dlcv-kernel")  # the main thread's name, seen from the host
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            try:
                _outlive(kernel)
            finally:
                os._exit(0)
        os._exit(0)
    os.wait()
    _say(f"left a detached process waiting for this kernel (PID {kernel}) to be killed")
