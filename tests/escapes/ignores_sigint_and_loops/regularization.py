"""Attack: ignore interrupts and never return from L2_reg; L1_reg is correct."""

import signal

import numpy as np

EXPECTED_POINTS = {"l1": 3, "l2": 0}

for _name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"):
    try:
        signal.signal(getattr(signal, _name), signal.SIG_IGN)
        print(f"ignoring {_name}", flush=True)
    except (ValueError, OSError) as e:  # not the main thread, or not allowed
        print(f"ignoring {_name} failed: {e!r}", flush=True)


def L1_reg(W, reg):
    weights = W[:-1]
    dW = np.zeros_like(W)
    dW[:-1] = reg * np.sign(weights)
    return reg * np.sum(np.abs(weights)), dW


def L2_reg(W, reg):
    while True:
        pass
