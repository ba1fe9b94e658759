"""L1_reg kills its own process with SIGKILL; L2_reg is correct."""

import os
import signal

import numpy as np

EXPECTED_POINTS = {'l1': 0, 'l2': 3}


def L1_reg(W, reg):
    os.kill(os.getpid(), signal.SIGKILL)


def L2_reg(W, reg):
    dW = 2 * reg * W
    dW[-1] = 0
    return reg * (W[:-1] ** 2).sum(), dW
