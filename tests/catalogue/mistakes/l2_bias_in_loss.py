"""L2: R sums W**2 over every row, the bias included."""

import numpy as np

CAUGHT_BY = ['l2_bias_and_input']
MESSAGES = {'l2_bias_and_input': 'R includes the bias row'}


def L2_reg(W, reg):
    R = reg * np.sum(W ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
