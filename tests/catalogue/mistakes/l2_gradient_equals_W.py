"""L2: dW = W, both the factor 2 and reg forgotten (equal at reg = 0.5)."""

import numpy as np

CAUGHT_BY = ['l2_gradient']
MESSAGES = {'l2_gradient': 'dW is missing both the factor 2 and reg'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = W.copy()
    dW[-1] = 0
    return R, dW
