"""Correct: Emits warnings: a UserWarning and a RuntimeWarning from dividing 0 by 0."""

import warnings

import numpy as np


def L1_reg(W, reg):
    warnings.warn("L1_reg: this implementation divides by |W|")
    with np.errstate(invalid="warn", divide="warn"):
        sign = np.where(W != 0, W / np.abs(W), 0.0)
    dW = reg * sign
    dW[-1] = 0
    R = reg * np.abs(W[:-1]).sum()
    return R, dW


def L2_reg(W, reg):
    warnings.warn("L2_reg: computed in float64", RuntimeWarning)
    R = reg * np.sum(W[:-1] ** 2)
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
