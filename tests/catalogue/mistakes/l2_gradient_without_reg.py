"""L2: dW = 2 * W, not multiplied by reg."""

import numpy as np

CAUGHT_BY = ['l2_gradient']
MESSAGES = {'l2_gradient': 'dW is not multiplied by the regularization strength reg'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = 2 * W
    dW[-1] = 0
    return R, dW
