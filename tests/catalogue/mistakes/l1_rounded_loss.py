"""L1: R is rounded to two decimals."""

import numpy as np

CAUGHT_BY = ['l1_loss']
MESSAGES = {'l1_loss': 'R is rounded'}


def L1_reg(W, reg):
    R = round(float(reg * np.sum(np.abs(W[:-1]))), 2)
    dW = reg * np.sign(W)
    dW[-1] = 0
    return R, dW
