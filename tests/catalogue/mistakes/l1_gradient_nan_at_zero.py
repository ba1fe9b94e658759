"""L1: dW = reg * W / |W|, which is NaN where a weight is 0."""

import numpy as np

CAUGHT_BY = ['l1_gradient']
MESSAGES = {'l1_gradient': 'dW has NaN where W is 0'}


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]))
    dW = reg * W / np.abs(W)
    dW[-1] = 0
    return R, dW
