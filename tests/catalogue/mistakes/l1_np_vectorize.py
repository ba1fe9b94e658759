"""L1: correct values, with np.vectorize (a Python loop in disguise)."""

import numpy as np

CAUGHT_BY = ['l1_vectorized']
MESSAGES = {'l1_vectorized': 'uses np.vectorize'}


def L1_reg(W, reg):
    sign = np.vectorize(lambda w: 1.0 if w > 0 else (-1.0 if w < 0 else 0.0), otypes=[float])
    R = reg * np.sum(np.abs(W[:-1]))
    dW = np.zeros_like(W)
    dW[:-1] = reg * sign(W[:-1])
    return R, dW
