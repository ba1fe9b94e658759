"""L2: scales the weights in place (weights *= 2 * reg), which changes the caller's W (invisible at reg = 0.5)."""

import numpy as np

CAUGHT_BY = ['l2_bias_and_input']
MESSAGES = {'l2_bias_and_input': "your function changed W"}


def L2_reg(W, reg):
    weights = W[:-1]
    R = reg * np.sum(weights ** 2)
    weights *= 2 * reg
    dW = np.zeros_like(W)
    dW[:-1] = weights
    return R, dW
