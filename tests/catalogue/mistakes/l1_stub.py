"""L1: a stub that computes nothing: returns 0 and a zero gradient for every W."""

import numpy as np

CAUGHT_BY = ['l1_loss', 'l1_gradient', 'l1_bias_and_input', 'l1_vectorized']
MESSAGES = {'l1_bias_and_input': 'does not compute the regularizer yet',
            'l1_vectorized': 'does not compute the regularizer yet'}


def L1_reg(W, reg):
    return 0.0, np.zeros_like(W)
