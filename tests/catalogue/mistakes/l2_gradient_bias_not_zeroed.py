"""L2: dW = 2 * reg * W everywhere, the bias row included."""

import numpy as np

CAUGHT_BY = ['l2_bias_and_input']
MESSAGES = {'l2_bias_and_input': 'the bias row of dW (its last row) must be zero'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = 2 * reg * W
    return R, dW
