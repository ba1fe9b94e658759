"""L1: zeroes the caller's bias row in place."""

import numpy as np

CAUGHT_BY = ['l1_bias_and_input']
MESSAGES = {'l1_bias_and_input': 'your function changed W'}


def L1_reg(W, reg):
    W[-1] = 0
    R = reg * np.sum(np.abs(W))
    dW = reg * np.sign(W)
    return R, dW
