"""L2: R sums |W|, the L1 regularizer."""

import numpy as np

CAUGHT_BY = ['l2_loss']
MESSAGES = {'l2_loss': 'R sums |W|, which is the L1 regularizer'}


def L2_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]))
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
