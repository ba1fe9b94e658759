"""Correct: W.shape kept in a variable, then unpacked with * and copied with list()."""

import numpy as np


def L1_reg(W, reg):
    shape = W.shape
    dW = np.zeros((*shape,))
    dW[:-1] = reg * np.sign(W[:-1])
    return reg * np.abs(W[:-1]).sum(), dW


def L2_reg(W, reg):
    shape = W.shape
    bias_shape = list(shape)
    bias_shape[0] = 1
    dW = np.vstack([2 * reg * W[:-1], np.zeros(bias_shape)])
    return reg * (W[:-1] ** 2).sum(), dW
