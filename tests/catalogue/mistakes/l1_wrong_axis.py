"""L1: R sums over axis 0 only, so it is a vector, not a scalar."""

import numpy as np

CAUGHT_BY = ['l1_loss']
MESSAGES = {'l1_loss': 'R must be a single number (a scalar)'}


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]), axis=0)
    dW = reg * np.sign(W)
    dW[-1] = 0
    return R, dW
