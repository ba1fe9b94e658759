"""L2: dW = reg * W, the factor 2 forgotten."""

import numpy as np

CAUGHT_BY = ['l2_gradient']
MESSAGES = {'l2_gradient': 'dW is half of what it should be'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = reg * W
    dW[-1] = 0
    return R, dW
