"""L1: R sums the weights instead of their absolute values."""

import numpy as np

CAUGHT_BY = ['l1_loss']
MESSAGES = {'l1_loss': 'R sums the weights, not their absolute values'}


def L1_reg(W, reg):
    R = reg * np.sum(W[:-1])
    dW = reg * np.sign(W)
    dW[-1] = 0
    return R, dW
