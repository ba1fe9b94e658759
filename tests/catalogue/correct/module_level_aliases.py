"""Correct: module-level sum = np.sum and a def abs of its own, used like the built-ins."""

import numpy as np

sum = np.sum


def abs(x):
    return np.abs(x)


def L1_reg(W, reg):
    R = reg * sum(abs(W[:-1]))
    dW = np.zeros(W.shape)
    dW[:-1] = reg * np.sign(W[:-1])
    return R, dW


def L2_reg(W, reg):
    R = reg * sum(W[:-1] ** 2)
    dW = np.zeros(W.shape)
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW
