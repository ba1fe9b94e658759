"""Correct: the zero bias row's shape is (1, *W.shape[1:]), a shape unpacked (not an array)."""

import numpy as np


def L1_reg(W, reg):
    R = reg * np.abs(W[:-1]).sum()
    dW = np.vstack([reg * np.sign(W[:-1]), np.zeros((1, *W.shape[1:]))])
    return R, dW


def L2_reg(W, reg):
    R = reg * (W[:-1] ** 2).sum()
    dW = np.vstack([2 * reg * W[:-1], np.zeros((1, *W.shape[1:]))])
    return R, dW
