"""L2_reg ends the process with os._exit; L1_reg is correct."""

import os

import numpy as np

EXPECTED_POINTS = {'l1': 3, 'l2': 0}


def L1_reg(W, reg):
    dW = reg * np.sign(W)
    dW[-1] = 0
    return reg * np.abs(W[:-1]).sum(), dW


def L2_reg(W, reg):
    os._exit(1)
