"""Correct: Slices with W.shape[0] - 1 and sums squares with np.tensordot."""

import numpy as np


def L1_reg(W, reg):
    D = W.shape[0] - 1
    R = reg * np.sum(np.abs(W[:D]))
    dW = np.zeros_like(W)
    dW[:D] = np.sign(W[:D]) * reg
    return R, dW


def L2_reg(W, reg):
    D = W.shape[0] - 1
    R = reg * np.tensordot(W[:D], W[:D], axes=2)
    dW = np.zeros_like(W)
    dW[:D] = W[:D] * (2 * reg)
    return R, dW
