"""L2: zeroes the caller's bias row in place."""

import numpy as np

CAUGHT_BY = ['l2_bias_and_input']
MESSAGES = {'l2_bias_and_input': 'your function changed W'}


def L2_reg(W, reg):
    W[-1] = 0.0
    R = reg * np.sum(W * W)
    dW = 2 * reg * W
    return R, dW
