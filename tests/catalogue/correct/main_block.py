"""Correct: a if __name__ == "__main__": block that tries the functions on the example."""

import numpy as np


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]))
    dW = np.zeros(W.shape)
    dW[:-1] = reg * np.sign(W[:-1])
    return R, dW


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = np.zeros(W.shape)
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW


if __name__ == "__main__":
    W = np.array([[1.2, 3.6, 8.1], [4.0, -1.0, 3.6], [-9.6, 2.5, -6.3], [3.5, -7.2, -2.0]])
    print(L1_reg(W, 0.5))
    print(L2_reg(W, 0.5))
