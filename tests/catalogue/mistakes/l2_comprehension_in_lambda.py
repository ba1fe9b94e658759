"""L2: a module-level lambda squares the weights in a list comprehension."""

import numpy as np

CAUGHT_BY = ['l2_vectorized']
MESSAGES = {'l2_vectorized': 'uses a list comprehension'}

squares = lambda A: np.array([a * a for a in A.ravel()])


def L2_reg(W, reg):
    R = reg * np.sum(squares(W[:-1]))
    dW = np.zeros_like(W)
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW
