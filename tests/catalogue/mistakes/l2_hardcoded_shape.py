"""L2: allocates dW with the example's shape (4, 3)."""

import numpy as np

CAUGHT_BY = ['l2_loss', 'l2_gradient', 'l2_bias_and_input']
MESSAGES = {'l2_loss': 'It must work for every W of shape (D+1, K)', 'l2_gradient': 'dW must have the shape of W'}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = np.zeros((4, 3))
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW
