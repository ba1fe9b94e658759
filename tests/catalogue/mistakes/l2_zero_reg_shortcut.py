"""L2: returns (0, None) when reg is 0."""

import numpy as np

CAUGHT_BY = ['l2_gradient', 'l2_bias_and_input']
MESSAGES = {'l2_gradient': 'dW must have the shape of W'}


def L2_reg(W, reg):
    if reg == 0:
        return 0.0, None
    R = reg * np.sum(W[:-1] ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
