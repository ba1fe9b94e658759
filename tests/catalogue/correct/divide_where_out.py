"""Correct: the sign as np.divide(w, |w|) with where= and out=, and np.multiply writing into a view of dW."""

import numpy as np


def L1_reg(W, reg):
    w = W[:-1]
    a = np.abs(w)
    R = reg * a.sum()
    s = np.divide(w, a, out=np.zeros_like(a), where=a != 0)
    dW = np.zeros(W.shape, dtype=np.result_type(W, 1.0))
    dW[:-1] = reg * s
    return R, dW


def L2_reg(W, reg):
    w = W[:-1]
    R = reg * (w * w).sum()
    dW = np.zeros(W.shape, dtype=np.result_type(W, 1.0))
    np.multiply(w, 2 * reg, out=dW[:-1])
    return R, dW
