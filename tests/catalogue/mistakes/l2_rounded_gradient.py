"""L2: dW is rounded to one decimal (exact on the example)."""

import numpy as np

CAUGHT_BY = ['l2_gradient']
MESSAGES = {'l2_gradient': 'dW is rounded'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = np.round(2 * reg * W, 1)
    dW[-1] = 0
    return R, dW
