"""L1: dW = sign(W), not multiplied by reg."""

import numpy as np

CAUGHT_BY = ['l1_gradient']
MESSAGES = {'l1_gradient': 'dW is not multiplied by the regularization strength reg'}


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]))
    dW = np.sign(W)
    dW[-1] = 0
    return R, dW
