"""L2: correct values, R summed over rows in a list comprehension."""

import numpy as np

CAUGHT_BY = ['l2_vectorized']
MESSAGES = {'l2_vectorized': 'uses a list comprehension'}


def L2_reg(W, reg):
    R = reg * sum([np.sum(row ** 2) for row in W[:-1]])
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
