"""L1: adds the absolute values with the built-in sum(), a Python loop over every element."""

import numpy as np

CAUGHT_BY = ['l1_vectorized']
MESSAGES = {'l1_vectorized': 'the built-in sum() (use np.sum)'}


def L1_reg(W, reg):
    R = reg * sum(abs(W[:-1].ravel()))
    dW = np.zeros_like(W)
    dW[:-1] = reg * np.sign(W[:-1])
    return R, dW
