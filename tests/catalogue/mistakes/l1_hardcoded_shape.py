"""L1: assumes W has 4 rows and 3 columns, the example's shape."""

import numpy as np

CAUGHT_BY = ['l1_loss', 'l1_gradient', 'l1_bias_and_input']
MESSAGES = {'l1_loss': 'R is wrong'}


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:3]))
    dW = np.zeros((4, 3))
    dW[:3] = reg * np.sign(W[:3])
    return R, dW
