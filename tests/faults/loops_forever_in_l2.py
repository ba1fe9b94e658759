"""L2_reg never returns (an endless loop); L1_reg is correct."""

import numpy as np

EXPECTED_POINTS = {'l1': 3, 'l2': 0}


def L1_reg(W, reg):
    dW = reg * np.sign(W)
    dW[-1] = 0
    return reg * np.abs(W[:-1]).sum(), dW


def L2_reg(W, reg):
    while True:
        pass
