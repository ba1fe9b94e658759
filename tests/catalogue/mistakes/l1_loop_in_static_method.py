"""L1: the loop hides in a static method of a helper class."""

import numpy as np

CAUGHT_BY = ['l1_vectorized']
MESSAGES = {'l1_vectorized': 'uses a for loop'}


class Penalty:
    @staticmethod
    def total(A):
        result = 0.0
        for value in A.ravel():
            result += abs(value)
        return result


def L1_reg(W, reg):
    R = reg * Penalty.total(W[:-1])
    dW = np.zeros_like(W)
    dW[:-1] = reg * np.sign(W[:-1])
    return R, dW
