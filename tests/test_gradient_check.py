"""The notebook's ungraded gradient check: numerical gradient and relative error."""

import warnings

import numpy as np
import pytest

import regularization
from support.helpers import MASTER_NOTEBOOK, nbgrader_cells, read_notebook


@pytest.fixture(scope="module")
def tools():
    """The functions defined by the master notebook's read-only tools cell."""
    namespace = {"np": np}
    exec(nbgrader_cells(read_notebook(MASTER_NOTEBOOK))["tools"].source, namespace)
    return namespace


def test_relative_error_of_zero_gradients_is_zero_without_warnings(tools):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tools["relative_error"](np.zeros((3, 2)), np.zeros((3, 2))) == 0.0


@pytest.mark.parametrize("fn", [regularization.L1_reg, regularization.L2_reg])
def test_correct_gradient_has_a_tiny_relative_error_despite_its_zero_bias_row(tools, fn):
    rng = np.random.default_rng(1)
    W = rng.choice([-1.0, 1.0], size=(5, 3)) * rng.uniform(0.5, 2.0, size=(5, 3))
    _, dW = fn(W, 0.3)
    numeric = tools["numerical_gradient"](lambda V: fn(V, 0.3)[0], W)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tools["relative_error"](dW, numeric) < 1e-7


def test_a_wrong_gradient_shows_a_large_relative_error(tools):
    W = np.arange(1.0, 7.0).reshape(3, 2)
    _, dW = regularization.L2_reg(W, 0.5)
    numeric = tools["numerical_gradient"](lambda V: regularization.L2_reg(V, 0.5)[0], W)
    assert tools["relative_error"](dW / 2, numeric) == pytest.approx(1 / 3)


def test_numerical_gradient_leaves_W_unchanged(tools):
    W = np.ones((2, 2))
    tools["numerical_gradient"](lambda V: float(np.sum(V**2)), W)
    assert np.array_equal(W, np.ones((2, 2)))
