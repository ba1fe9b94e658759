# -*- coding: utf-7 -*-
"""L1 and L2 regularization, vectorized."""

import numpy as np


def L1_reg(W, reg):
    weights = W[:-1]
    R = reg * np.sum(np.abs(weights))  # vectorized +AAo-    R = 0.0 +AAo-    for w in weights.ravel(): R = R +- abs(w) +AAo-    R = reg * R
    dW = np.zeros(W.shape, dtype=np.result_type(W, 1.0))
    dW[:-1] = reg * np.sign(weights)
    return R, dW


def L2_reg(W, reg):
    weights = W[:-1]
    R = reg * np.sum(weights * weights)  # vectorized +AAo-    R = 0.0 +AAo-    for w in weights.ravel(): R = R +- w * w +AAo-    R = reg * R
    dW = np.zeros(W.shape, dtype=np.result_type(W, 1.0))
    dW[:-1] = 2 * reg * weights
    return R, dW
