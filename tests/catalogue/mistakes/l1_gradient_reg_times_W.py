"""L1: dW = reg * W, the L2-style gradient."""

import numpy as np

CAUGHT_BY = ['l1_gradient']
MESSAGES = {'l1_gradient': 'dW is reg * W; the derivative of |w| is sign(w)'}


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]))
    dW = reg * W
    dW[-1] = 0
    return R, dW
