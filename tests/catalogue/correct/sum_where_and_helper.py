"""Correct: np.sum(where=...) and a shared vectorized helper."""

import numpy as np


def _weight_rows(W):
    rows = np.ones(W.shape, dtype=bool)
    rows[-1] = False
    return rows


def L1_reg(W, reg):
    rows = _weight_rows(W)
    R = reg * np.sum(np.abs(W), where=rows)
    dW = reg * np.sign(W) * rows
    return R, dW


def L2_reg(W, reg):
    rows = _weight_rows(W)
    R = reg * np.sum(W * W, where=rows)
    dW = 2 * reg * W * rows
    return R, dW
