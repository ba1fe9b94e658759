"""Correct: a callable class (__call__) holds both regularizers."""

import numpy as np


class Regularizer:
    def __init__(self, power):
        self.power = power

    def __call__(self, W, reg):
        w = W[:-1]
        dW = np.zeros(W.shape)
        if self.power == 1:
            R = reg * np.sum(np.abs(w))
            dW[:-1] = reg * np.sign(w)
        else:
            R = reg * np.sum(w ** 2)
            dW[:-1] = 2 * reg * w
        return R, dW


_l1 = Regularizer(1)
_l2 = Regularizer(2)


def L1_reg(W, reg):
    return _l1(W, reg)


def L2_reg(W, reg):
    return _l2(W, reg)
