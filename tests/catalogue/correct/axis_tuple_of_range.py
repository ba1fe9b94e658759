"""Correct: sums over axis=tuple(range(W.ndim)), a tuple of axis numbers (not of an array)."""

import numpy as np


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]), axis=tuple(range(W.ndim)))
    dW = np.zeros(W.shape)
    dW[:-1] = reg * np.sign(W[:-1])
    return R, dW


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2, axis=tuple(range(W.ndim)))
    dW = np.zeros(W.shape)
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW
