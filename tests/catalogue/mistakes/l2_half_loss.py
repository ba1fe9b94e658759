"""L2: R = 0.5 * reg * sum(W**2), the 1/2 convention this assignment does not use."""

import numpy as np

CAUGHT_BY = ['l2_loss']
MESSAGES = {'l2_loss': 'R is half of what it should be'}


def L2_reg(W, reg):
    R = 0.5 * reg * np.sum(W[:-1] ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
