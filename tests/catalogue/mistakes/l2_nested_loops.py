"""L2: correct values, computed entry by entry in two for loops."""

import numpy as np

CAUGHT_BY = ['l2_vectorized']
MESSAGES = {'l2_vectorized': 'uses a for loop'}


def L2_reg(W, reg):
    R = 0.0
    dW = np.zeros_like(W)
    for i in range(W.shape[0] - 1):
        for j in range(W.shape[1]):
            R += reg * W[i, j] ** 2
            dW[i, j] = 2 * reg * W[i, j]
    return R, dW
