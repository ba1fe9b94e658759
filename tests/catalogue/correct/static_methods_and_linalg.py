"""Correct: helpers as static methods of a class, np.linalg.norm and a dtype that also fits integer W."""

import numpy as np


class Weights:
    @staticmethod
    def of(W):
        return W[:-1]

    @staticmethod
    def gradient_like(W):
        return np.zeros(W.shape, dtype=np.result_type(W, 1.0))


def L1_reg(W, reg):
    weights = Weights.of(W)
    dW = Weights.gradient_like(W)
    dW[:-1] = reg * np.sign(weights)
    return reg * np.linalg.norm(weights.ravel(), ord=1), dW


def L2_reg(W, reg):
    weights = Weights.of(W)
    dW = Weights.gradient_like(W)
    dW[:-1] = 2 * reg * weights
    return reg * np.linalg.norm(weights) ** 2, dW
