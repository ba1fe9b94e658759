"""L2: R = 0.5 * sum(W**2), the 1/2 convention without reg (equal at reg = 0.5)."""

import numpy as np

CAUGHT_BY = ['l2_loss']
MESSAGES = {'l2_loss': 'R is not multiplied by reg and has a factor 1/2'}


def L2_reg(W, reg):
    R = 0.5 * np.sum(W[:-1] ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
