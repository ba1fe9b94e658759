"""L2: R sums W**2 over every row, the bias included."""

import numpy as np

CAUGHT_BY = ['l2_loss', 'l2_bias_and_input', 'l2_vectorized']
MESSAGES = {'l2_loss': 'R includes the bias row'}


def L2_reg(W, reg):
    R = reg * np.sum(W ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
