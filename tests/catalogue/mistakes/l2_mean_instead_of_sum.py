"""L2: R averages the squared weights."""

import numpy as np

CAUGHT_BY = ['l2_loss']
MESSAGES = {'l2_loss': 'R averages the squared weights'}


def L2_reg(W, reg):
    R = reg * np.mean(W[:-1] ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
