"""L1: returns the visible example's answer for every W."""

import numpy as np

CAUGHT_BY = ['l1_loss', 'l1_gradient', 'l1_bias_and_input', 'l1_vectorized']
MESSAGES = {'l1_vectorized': 'does not compute the regularizer yet'}


def L1_reg(W, reg):
    dW = np.array([
        [0.5, 0.5, 0.5],
        [0.5, -0.5, 0.5],
        [-0.5, 0.5, -0.5],
        [0.0, 0.0, 0.0],
    ])
    return 19.95, dW
