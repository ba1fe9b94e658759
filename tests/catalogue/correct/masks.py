"""Correct: Multiplies by a mask that is 0 on the bias row."""

import numpy as np


def L1_reg(W, reg):
    mask = np.ones_like(W)
    mask[-1] = 0
    R = reg * np.sum(np.abs(W) * mask)
    dW = reg * np.sign(W) * mask
    return R, dW


def L2_reg(W, reg):
    mask = np.ones_like(W)
    mask[-1] = 0
    R = reg * np.sum((W * mask) ** 2)
    dW = 2 * reg * W * mask
    return R, dW
