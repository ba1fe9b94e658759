"""L2: returns (dW, R) instead of (R, dW)."""

import numpy as np

CAUGHT_BY = ['l2_loss', 'l2_gradient']
MESSAGES = {'l2_loss': 'R must be a single number (a scalar)'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return dW, R
