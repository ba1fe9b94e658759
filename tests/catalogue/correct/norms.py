"""Correct: np.linalg.norm: the 1-norm of the flattened weights, the squared Frobenius norm."""

import numpy as np


def L1_reg(W, reg):
    R = reg * np.linalg.norm(W[:-1].ravel(), ord=1)
    dW = np.concatenate([reg * np.sign(W[:-1]), np.zeros_like(W[-1:])])
    return R, dW


def L2_reg(W, reg):
    R = reg * np.linalg.norm(W[:-1]) ** 2
    dW = np.concatenate([2 * reg * W[:-1], np.zeros_like(W[-1:])])
    return R, dW
