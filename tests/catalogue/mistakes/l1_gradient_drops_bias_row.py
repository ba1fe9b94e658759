"""L1: dW has one row fewer than W (the bias row left out instead of set to 0)."""

import numpy as np

CAUGHT_BY = ['l1_gradient']
MESSAGES = {'l1_gradient': 'one row fewer than W: the bias row is missing'}


def L1_reg(W, reg):
    R = reg * np.sum(np.abs(W[:-1]))
    dW = reg * np.sign(W[:-1])
    return R, dW
