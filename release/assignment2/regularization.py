"""Regularizers for a linear classifier (Assignment 2, Deep Learning for Computer Vision).

Both functions take the parameter matrix of a linear model whose last row is
the bias, and return the regularization loss together with its gradient.

Conventions shared by both functions:

- ``W`` is a NumPy array of shape ``(D+1, K)``: ``D`` input dimensions plus one
  bias row (the last row), ``K`` categories. It holds floats (``float64`` or
  ``float32``; the graded tests use both). Compute at ``W``'s precision: a
  cast to ``float32`` loses digits that the tests notice.
- An integer ``W`` is accepted too and treated as floats: ``R`` and ``dW``
  are floats. (Beware ``np.zeros_like(W)`` for an integer ``W``: it is an
  integer array and would truncate ``reg * sign(W)`` to 0.)
- ``reg`` is the regularization strength (a non-negative float, called
  lambda in the notebook).
- The loss ``R`` is computed over the weights only, that is over all rows but
  the last one; the bias is never regularized.
- The gradient ``dW`` has the shape of ``W``; its last (bias) row is zero.
- ``W`` itself is not modified.
- Only vectorized NumPy operations are used: no ``for``/``while`` loops,
  comprehensions or recursion, and no functions that iterate in Python for
  you (the built-ins ``sum``, ``map``, ``sorted``, ``max`` ... over an array,
  ``np.vectorize``, ``np.apply_along_axis``, ``functools.reduce``). Every
  NumPy function and array method is fine (``np.sum``, ``np.add.reduce``,
  ``np.einsum``, masks, ``np.where`` ...), and so are helper functions of
  your own, as long as they follow the same rule.
"""

import numpy as np


def L1_reg(W, reg):
    """Compute the L1 regularization loss and its gradient.

    Inputs:
    - W: A numpy array of shape (D+1, K) containing weights; the last row is
      the bias.
    - reg: (float) regularization strength.

    Returns a tuple of:
    - R: the loss as a single number (a scalar),
      R = reg * sum of |W[i, j]| over all rows i except the last.
    - dW: the gradient with respect to W, an array of the same shape as W:
      reg * sign(W[i, j]) for the weights and 0 for the bias row. Where a
      weight is exactly 0, any value in [-reg, reg] is a valid (sub)gradient.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return R, dW


def L2_reg(W, reg):
    """Compute the L2 regularization loss and its gradient.

    Inputs:
    - W: A numpy array of shape (D+1, K) containing weights; the last row is
      the bias.
    - reg: (float) regularization strength.

    Returns a tuple of:
    - R: the loss as a single number (a scalar),
      R = reg * sum of W[i, j]**2 over all rows i except the last
      (no factor 1/2).
    - dW: the gradient with respect to W, an array of the same shape as W:
      2 * reg * W[i, j] for the weights and 0 for the bias row.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return R, dW
