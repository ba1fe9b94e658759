"""Correct: collects R and dW in a dataclass (the standard library's dataclasses)."""

from dataclasses import dataclass

import numpy as np


@dataclass
class Result:
    R: float
    dW: np.ndarray


def L1_reg(W, reg):
    dW = np.zeros(W.shape)
    dW[:-1] = reg * np.sign(W[:-1])
    result = Result(reg * np.abs(W[:-1]).sum(), dW)
    return result.R, result.dW


def L2_reg(W, reg):
    dW = np.zeros(W.shape)
    dW[:-1] = 2 * reg * W[:-1]
    result = Result(reg * (W[:-1] ** 2).sum(), dW)
    return result.R, result.dW
