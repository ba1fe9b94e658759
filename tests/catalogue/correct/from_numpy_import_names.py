"""Correct: from numpy import sum, abs, ... (NumPy's sum shadows the built-in, so it is no loop)."""

from numpy import abs, sign, square, sum, zeros


def L1_reg(W, reg):
    R = reg * sum(abs(W[:-1]))
    dW = zeros(W.shape)
    dW[:-1] = reg * sign(W[:-1])
    return R, dW


def L2_reg(W, reg):
    R = reg * sum(square(W[:-1]))
    dW = zeros(W.shape)
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW
