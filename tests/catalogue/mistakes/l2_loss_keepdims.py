"""L2: R is a 1x1 array (keepdims=True), not a scalar."""

import numpy as np

CAUGHT_BY = ['l2_loss']
MESSAGES = {'l2_loss': 'R must be a single number (a scalar), got an array of shape (1, 1)'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2, keepdims=True)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
