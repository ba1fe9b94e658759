"""Correct: from numpy import * (in NumPy 2 this binds NumPy's sum and abs, so sum(abs(...)) is np.sum, no loop)."""

from numpy import *


def L1_reg(W, reg):
    R = reg * sum(abs(W[:-1]))
    dW = zeros(W.shape)
    dW[:-1] = reg * sign(W[:-1])
    return R, dW


def L2_reg(W, reg):
    R = reg * sum(W[:-1] ** 2)
    dW = zeros(W.shape)
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW
