"""L1: R is not multiplied by reg."""

import numpy as np

CAUGHT_BY = ['l1_loss']
MESSAGES = {'l1_loss': 'R is not multiplied by the regularization strength reg'}


def L1_reg(W, reg):
    R = np.sum(np.abs(W[:-1]))
    dW = reg * np.sign(W)
    dW[-1] = 0
    return R, dW
