"""L2: R is the Euclidean norm, not its square."""

import numpy as np

CAUGHT_BY = ['l2_loss']
MESSAGES = {'l2_loss': 'R is the Euclidean norm'}


def L2_reg(W, reg):
    R = reg * np.linalg.norm(W[:-1])
    dW = 2 * reg * W
    dW[-1] = 0
    return R, dW
