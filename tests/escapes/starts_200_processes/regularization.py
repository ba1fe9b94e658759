"""Attack: start 200 processes at once (a bounded fork bomb) from L2_reg; L1_reg is correct."""

import subprocess

import numpy as np

EXPECTED_POINTS = {"l1": 3, "l2": 0}

WANTED = 200
RUNS = []


def start_many():
    if RUNS:
        return
    RUNS.append(1)
    started, error = [], None
    for _ in range(WANTED):
        try:
            started.append(subprocess.Popen(["sleep", "30"], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        except OSError as e:
            error = e
            break
    print(f"started {len(started)} of {WANTED} processes"
          + (f"; then: {error!r}" if error else ""), flush=True)


def L1_reg(W, reg):
    weights = W[:-1]
    dW = np.zeros_like(W)
    dW[:-1] = reg * np.sign(weights)
    return reg * np.sum(np.abs(weights)), dW


def L2_reg(W, reg):
    start_many()
    return -1.0, np.ones_like(W)
