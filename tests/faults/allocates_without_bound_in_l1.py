"""L1_reg allocates memory until it runs out; L2_reg is correct."""

import numpy as np

EXPECTED_POINTS = {'l1': 0, 'l2': 3}


def L1_reg(W, reg):
    blocks = []
    while True:
        blocks.append(np.ones(10**8))


def L2_reg(W, reg):
    dW = 2 * reg * W
    dW[-1] = 0
    return reg * (W[:-1] ** 2).sum(), dW
