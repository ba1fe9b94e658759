"""L2: a stub that computes nothing: returns 0 and a zero gradient for every W."""

import numpy as np

CAUGHT_BY = ['l2_loss', 'l2_gradient', 'l2_bias_and_input', 'l2_vectorized']
MESSAGES = {'l2_bias_and_input': 'does not compute the regularizer yet',
            'l2_vectorized': 'does not compute the regularizer yet'}


def L2_reg(W, reg):
    return 0.0, np.zeros_like(W)
