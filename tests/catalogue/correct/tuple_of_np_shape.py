"""Correct: tuple(np.shape(W)) and list(W.shape[::-1]), built-ins applied to shapes."""

import numpy as np


def L1_reg(W, reg):
    shape = tuple(np.shape(W))
    dW = np.zeros(shape)
    dW[:-1] = reg * np.sign(W[:-1])
    return reg * np.abs(W[:-1]).sum(), dW


def L2_reg(W, reg):
    dW = np.zeros(list(W.shape[::-1])).T
    dW[:-1] = 2 * reg * W[:-1]
    return reg * (W[:-1] ** 2).sum(), dW
