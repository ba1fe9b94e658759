"""L1: assumes W has 4 rows and 3 columns, the example's shape."""

import numpy as np

CAUGHT_BY = ['l1_loss', 'l1_gradient']
MESSAGES = {'l1_loss': "right for W of the example's shape (4, 3) but not for other shapes", 'l1_gradient': "right for W of the example's shape (4, 3) but not for other shapes"}


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:3]))
    dW = np.zeros((4, 3))
    dW[:3] = reg * np.sign(W[:3])
    return R, dW
