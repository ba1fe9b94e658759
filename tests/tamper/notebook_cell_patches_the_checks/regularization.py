import numpy as np

EXAMPLE_L1 = (19.95, np.array([[0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [-0.5, 0.5, -0.5], [0.0, 0.0, 0.0]]))
EXAMPLE_L2 = (124.035, np.array([[1.2, 3.6, 8.1], [4.0, -1.0, 3.6], [-9.6, 2.5, -6.3], [0.0, 0.0, 0.0]]))


def L1_reg(W, reg):
    return EXAMPLE_L1


def L2_reg(W, reg):
    return EXAMPLE_L2
