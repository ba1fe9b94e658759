"""L1: R averages |W| instead of summing it."""

import numpy as np

CAUGHT_BY = ['l1_loss']
MESSAGES = {'l1_loss': 'R averages |W|'}


def L1_reg(W, reg):
    R = reg * np.mean(np.abs(W[:-1]))
    dW = reg * np.sign(W)
    dW[-1] = 0
    return R, dW
