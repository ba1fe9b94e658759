"""L2: dW is returned flattened to one dimension."""

import numpy as np

CAUGHT_BY = ['l2_gradient']
MESSAGES = {'l2_gradient': 'dW is flattened'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = np.zeros_like(W)
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW.ravel()
