"""L2: correct values, with the loop hidden in a helper function."""

import numpy as np

CAUGHT_BY = ['l2_vectorized']
MESSAGES = {'l2_vectorized': 'uses a for loop'}


def squared_sum(rows):
    total = 0.0
    for row in rows:
        total += np.dot(row, row)
    return total


def L2_reg(W, reg):
    R = reg * squared_sum(W[:-1])
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
