"""A syntax error: the module does not parse."""

EXPECTED_POINTS = {"l1": 0, "l2": 0}


def L1_reg(W, reg)
    return 0
