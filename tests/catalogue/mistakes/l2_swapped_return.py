"""L2: returns (dW, R) instead of (R, dW)."""

import numpy as np

CAUGHT_BY = ['l2_loss', 'l2_gradient', 'l2_bias_and_input', 'l2_vectorized']
MESSAGES = {'l2_gradient': 'dW must have the shape of W'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return dW, R
