"""The module sleeps for an hour when imported."""

import time

time.sleep(3600)

import numpy as np

EXPECTED_POINTS = {'l1': 0, 'l2': 0}


def L1_reg(W, reg):
    dW = reg * np.sign(W)
    dW[-1] = 0
    return reg * np.abs(W[:-1]).sum(), dW


def L2_reg(W, reg):
    dW = 2 * reg * W
    dW[-1] = 0
    return reg * (W[:-1] ** 2).sum(), dW
