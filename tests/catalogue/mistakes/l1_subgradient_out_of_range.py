"""L1: dW is 1 where a weight is 0, outside [-reg, reg]."""

import numpy as np

CAUGHT_BY = ['l1_gradient']
MESSAGES = {'l1_gradient': 'where W is exactly 0, dW must lie in [-reg, reg]'}


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]))
    dW = np.where(W == 0, 1.0, reg * np.sign(W))
    dW[-1] = 0
    return R, dW
