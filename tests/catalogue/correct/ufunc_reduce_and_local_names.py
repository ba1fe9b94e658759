"""Correct: ufunc methods (np.add.reduce, np.multiply), and local variables named input and sum."""

import numpy as np


def L1_reg(W, reg):
    input = W.copy()
    sum = np.add.reduce(np.abs(input[:-1]), axis=None)
    dW = np.zeros(input.shape, dtype=float)
    dW[:-1] = np.multiply(reg, np.sign(input[:-1]))
    return reg * sum, dW


def L2_reg(W, reg):
    input = W.copy()
    sum = np.add.reduce(np.square(input[:-1]), axis=None)
    dW = np.zeros(input.shape, dtype=float)
    dW[:-1] = np.multiply(2 * reg, input[:-1])
    return reg * sum, dW
