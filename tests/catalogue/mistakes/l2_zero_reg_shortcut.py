"""L2: returns (0, None) when reg is 0."""

import numpy as np

CAUGHT_BY = ['l2_gradient']
MESSAGES = {'l2_gradient': 'dW is a single number'}


def L2_reg(W, reg):
    if reg == 0:
        return 0.0, None
    R = reg * np.sum(W[:-1] ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
