"""Correct: In-place operations on its own copy of W."""

import numpy as np


def L1_reg(W, reg):
    dW = np.sign(W)
    dW *= reg
    dW[-1] = 0
    R = np.abs(W[:-1]).sum()
    R *= reg
    return R, dW


def L2_reg(W, reg):
    dW = W.copy()
    dW *= 2 * reg
    dW[-1, :] = 0
    R = reg * (W[:-1] ** 2).sum()
    return R, dW
