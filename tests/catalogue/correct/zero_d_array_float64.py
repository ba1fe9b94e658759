"""Correct: Returns R as a 0-d array and dW as float64, whatever W's dtype."""

import numpy as np


def L1_reg(W, reg):
    W64 = W.astype(np.float64)
    R = np.array(reg * np.abs(W64[:-1]).sum())
    dW = reg * np.sign(W64)
    dW[-1] = 0
    return R, dW


def L2_reg(W, reg):
    W64 = np.asarray(W, dtype=np.float64)
    R = np.array(reg * (W64[:-1] ** 2).sum())
    dW = 2 * reg * W64
    dW[-1] = 0
    return R, dW
