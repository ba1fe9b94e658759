"""L1_reg calls itself without end; L2_reg is correct."""

import numpy as np

EXPECTED_POINTS = {'l1': 0, 'l2': 3}


def L1_reg(W, reg):
    return L1_reg(W, reg)


def L2_reg(W, reg):
    dW = 2 * reg * W
    dW[-1] = 0
    return reg * (W[:-1] ** 2).sum(), dW
