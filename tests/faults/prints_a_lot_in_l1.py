"""L1_reg prints 5000 lines per call (one print, no loop) but is correct; L2_reg is correct."""

import numpy as np

EXPECTED_POINTS = {'l1': 3, 'l2': 3}


def L1_reg(W, reg):
    print('still computing ...\n' * 5000)
    dW = reg * np.sign(W)
    dW[-1] = 0
    return reg * np.abs(W[:-1]).sum(), dW


def L2_reg(W, reg):
    dW = 2 * reg * W
    dW[-1] = 0
    return reg * (W[:-1] ** 2).sum(), dW
