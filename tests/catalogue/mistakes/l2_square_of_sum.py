"""L2: R squares the sum of the weights."""

import numpy as np

CAUGHT_BY = ['l2_loss']
MESSAGES = {'l2_loss': 'R squares the sum of the weights'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1]) ** 2
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
