"""L1: correct values, computed with a for loop over the rows."""

import numpy as np

CAUGHT_BY = ['l1_vectorized']
MESSAGES = {'l1_vectorized': 'loops are not allowed: line'}


def L1_reg(W, reg):
    R = 0.0
    dW = np.zeros_like(W)
    for i in range(W.shape[0] - 1):
        R += reg * np.sum(np.abs(W[i]))
        dW[i] = reg * np.sign(W[i])
    return R, dW
