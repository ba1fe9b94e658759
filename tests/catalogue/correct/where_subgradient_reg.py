"""Correct: np.where, with the subgradient reg (not 0) where a weight is 0."""

import numpy as np


def L1_reg(W, reg):
    is_weight = (np.arange(W.shape[0]) < W.shape[0] - 1)[:, None]
    R = reg * np.sum(np.where(is_weight, np.abs(W), 0.0))
    dW = np.where(is_weight, np.where(W >= 0, reg, -reg), 0.0)
    return R, dW


def L2_reg(W, reg):
    is_weight = (np.arange(W.shape[0]) < W.shape[0] - 1)[:, None]
    R = reg * np.sum(np.where(is_weight, W ** 2, 0.0))
    dW = np.where(is_weight, 2 * reg * W, 0.0)
    return R, dW
