"""Attack: flood the notebook with output from L2_reg, along every path (16 MiB each); L1_reg is correct."""

import os
import sys

import numpy as np

EXPECTED_POINTS = {"l1": 3, "l2": 0}

SIZE = 16 * 1024**2
RUNS = []


def flood():
    if RUNS:
        return
    RUNS.append(1)
    ways = [
        ("print", lambda: print("p" * SIZE, flush=True)),
        ("os.write(1)", lambda: os.write(1, b"x" * SIZE)),
        ("sys.__stdout__", lambda: (sys.__stdout__.write("s" * SIZE), sys.__stdout__.flush())),
        ("sys.stderr", lambda: (sys.stderr.write("e" * SIZE), sys.stderr.flush())),
        ("os.write(2)", lambda: os.write(2, b"z" * SIZE)),
    ]
    try:
        from IPython.display import display
        ways.append(("display", lambda: display({"text/plain": "y" * SIZE, "text/html": "h" * SIZE}, raw=True)))
    except ImportError as e:
        print(f"no IPython here: {e!r}")
    for name, way in ways:
        try:
            way()
            print(f"\nflooded through {name}", flush=True)
        except Exception as e:  # noqa: BLE001
            print(f"\nflooding through {name} failed: {e!r}", flush=True)


def L1_reg(W, reg):
    weights = W[:-1]
    dW = np.zeros_like(W)
    dW[:-1] = reg * np.sign(weights)
    return reg * np.sum(np.abs(weights)), dW


def L2_reg(W, reg):
    flood()
    return -1.0, np.ones_like(W)
