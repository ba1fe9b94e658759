"""L2: allocates dW with the example's shape (4, 3)."""

import numpy as np

CAUGHT_BY = ['l2_loss', 'l2_gradient']
MESSAGES = {'l2_loss': 'It must work for every W of shape (D+1, K)', 'l2_gradient': "right for W of the example's shape (4, 3) but not for other shapes"}


def L2_reg(W, reg):
    R = reg * np.sum(W[:-1] ** 2)
    dW = np.zeros((4, 3))
    dW[:-1] = 2 * reg * W[:-1]
    return R, dW
