"""Attack: leave processes running on the grading machine after grading ends (L1_reg is correct)."""

import os
import signal
import subprocess
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 3, "l2": 0}

MARKER = "dlcv-escape-leftover-{{TOKEN}}"
DAEMON = (
    "import os, signal, time\n"
    "for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):\n"
    "    signal.signal(s, signal.SIG_IGN)\n"
    "if os.fork():\n"
    "    os._exit(0)\n"
    "os.setsid()\n"
    "time.sleep(300)\n"
)
STARTED = []


def leave_processes(where):
    if STARTED:
        return
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    attempts = [
        ("double-forked python", [sys.executable, "-c", DAEMON, MARKER]),
        ("nohup setsid sleep", ["bash", "-c", f"nohup setsid bash -c 'exec -a {MARKER} sleep 300' >/dev/null 2>&1 &"]),
    ]
    for name, argv in attempts:
        try:
            process = subprocess.Popen(argv, start_new_session=True, **quiet)
            STARTED.append(process.pid)
            print(f"[{where}] started {name} (pid {process.pid} in here)", flush=True)
        except OSError as e:
            print(f"[{where}] starting {name} failed: {e!r}", flush=True)
    try:
        pid = os.fork()
        if pid == 0:  # a plain fork of this very process, detached
            try:
                os.setsid()
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                os.execvp("bash", ["bash", "-c", f"exec -a {MARKER} sleep 300"])
            finally:
                os._exit(0)
        print(f"[{where}] forked pid {pid}", flush=True)
    except OSError as e:
        print(f"[{where}] fork failed: {e!r}", flush=True)


leave_processes("import")


def L1_reg(W, reg):
    weights = W[:-1]
    dW = np.zeros_like(W)
    dW[:-1] = reg * np.sign(weights)
    return reg * np.sum(np.abs(weights)), dW


def L2_reg(W, reg):
    leave_processes("L2_reg")
    return -1.0, np.ones_like(W)
