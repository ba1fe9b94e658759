"""Attack in files/numpy.py: run during the kernel's start-up, before the grader connects."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
