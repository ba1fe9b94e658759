"""L1: the right formula, computed in float32: R loses precision on a large float64 W."""

import numpy as np

CAUGHT_BY = ['l1_loss']
MESSAGES = {'l1_loss': 'as if computed in float32'}


def L1_reg(W, reg):
    weights = W[:-1].astype(np.float32)
    R = reg * np.sum(np.abs(weights))
    dW = np.zeros(W.shape)
    dW[:-1] = reg * np.sign(W[:-1])
    return R, dW
