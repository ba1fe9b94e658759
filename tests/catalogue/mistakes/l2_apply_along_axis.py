"""L2: correct values, with np.apply_along_axis over the rows."""

import numpy as np

CAUGHT_BY = ['l2_vectorized']
MESSAGES = {'l2_vectorized': 'uses np.apply_along_axis'}


def L2_reg(W, reg):
    R = reg * np.sum(np.apply_along_axis(lambda row: np.sum(row ** 2), 1, W)[:-1])
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
